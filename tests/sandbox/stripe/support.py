"""Helpers for the Stripe sandbox tests (fixtures are in conftest.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import stripe
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.sandbox.recording import Exchange
from console.sandbox.stripe import API_VERSION, DEFAULT_API_KEY, StripeSandbox, is_sandbox_extension
from tests.contract_check import check_all, contract


def client(
    sandbox: StripeSandbox, key: str = DEFAULT_API_KEY, *, version: str | None = API_VERSION
) -> stripe.StripeClient:
    """stripe-python 16 as the console configures it (pinned to the contract's
    version), against the sandbox; `version=None` sends stripe-python's own."""
    return stripe.StripeClient(
        key,
        base_addresses={"api": sandbox.base_url},
        http_client=stripe.HTTPXClient(allow_sync_methods=True),
        max_network_retries=0,
        stripe_version=version,
    )


def contract_exchanges(exchanges: list[Exchange]) -> list[Exchange]:
    return [ex for ex in exchanges if not is_sandbox_extension(ex.path)]


def check_stripe(exchanges: list[Exchange]) -> int:
    """Every contract exchange, request and response, against stripe.json."""
    return check_all("stripe", contract_exchanges(exchanges))


def operations_hit(exchanges: list[Exchange]) -> set[str]:
    checker = contract("stripe")
    return {
        checker.operation_for(ex.method, ex.path)[0].spec["operationId"]
        for ex in contract_exchanges(exchanges)
    }


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """A tiny ASGI app standing in for the platform's Stripe webhook endpoint."""

    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers to use first, then 200
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            body = await request.body()
            with self.lock:
                self.received.append(Received(dict(request.headers), body))
                status = self.statuses.pop(0) if self.statuses else 200
            return Response(b"{}", status, media_type="application/json")

        return Starlette(routes=[Route("/webhooks/stripe", hook, methods=["POST"])])

    def of_type(self, event_type: str, secret: str) -> list[stripe.Event]:
        """Received events of a type, each checked with stripe-python's verifier."""
        with self.lock:
            received = list(self.received)
        events = [
            stripe.Webhook.construct_event(r.body, r.headers["stripe-signature"], secret)
            for r in received
        ]
        return [e for e in events if e.type == event_type]


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll `predicate` (like qtbot.waitUntil) until true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)
