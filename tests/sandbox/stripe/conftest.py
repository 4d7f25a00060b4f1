"""Fixtures for the Stripe sandbox tests: a served sandbox, a client, a webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import stripe

from console.sandbox.host import serve
from console.sandbox.stripe import StripeSandbox, WebhookEndpoint
from tests.sandbox.stripe.support import WebhookReceiver, client

WEBHOOK_SECRET = "whsec_sandbox_test_secret"


@pytest.fixture
def stripe_sandbox(tmp_path: Path) -> Iterator[StripeSandbox]:
    sandbox = StripeSandbox(tmp_path / "stripe")
    sandbox.serve()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def stripe_client(stripe_sandbox: StripeSandbox) -> stripe.StripeClient:
    return client(stripe_sandbox)


@pytest.fixture
def receiver() -> Iterator[tuple[WebhookReceiver, str]]:
    """A served webhook receiver and its URL."""
    hook = WebhookReceiver()
    served = serve("stripe-webhooks", hook.app())
    yield hook, f"{served.url}/webhooks/stripe"
    served.stop()


@pytest.fixture
def endpoint(
    stripe_sandbox: StripeSandbox, receiver: tuple[WebhookReceiver, str]
) -> WebhookEndpoint:
    return stripe_sandbox.add_webhook_endpoint(receiver[1], WEBHOOK_SECRET)
