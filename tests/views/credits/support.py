"""Served platform + Stripe sandboxes wired like production, and a synced store.

Stripe's webhook endpoint points at the platform's `/api/v1/stripe/webhook`
with a shared secret (as `console.sandbox.embedded.start_embedded` does), so
completing a checkout in the Stripe sandbox grants credits on the platform.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from console.sandbox.host import ServedApp, serve
from console.sandbox.platform import PlatformSandbox, SeedScale
from console.sandbox.stripe import DEFAULT_API_KEY, StripeSandbox, is_sandbox_extension
from console.services.http import RetryPolicy, build_client
from console.services.platform.client import PlatformClient, api_base_url
from console.services.stripe.client import StripeBilling
from console.services.sync.engine import SyncEngine
from console.services.sync.outbox import OutboxProcessor
from console.store.db import Store
from tests.contract_check import check_all

WEBHOOK_SECRET = "whsec_views_credits_test"
FAST = RetryPolicy(attempts=2, base=0.01, cap=0.05)


@dataclass
class Remotes:
    platform: PlatformSandbox
    platform_server: ServedApp
    stripe: StripeSandbox
    store: Store
    client: PlatformClient
    billing: StripeBilling

    @property
    def webhook_url(self) -> str:
        return f"{self.platform_server.url}/api/v1/stripe/webhook"

    def check_stripe_contract(self) -> int:
        """Every Stripe exchange (request and response) against stripe.json."""
        exchanges = [e for e in self.stripe.recorder.exchanges if not is_sandbox_extension(e.path)]
        return check_all("stripe", exchanges)


class PlatformClock:
    """The platform sandbox's "now", movable (a new day brings the daily grant).

    It starts a day behind the real time and `next_day` brings it to about
    now: Stripe signs webhooks with the real time, and the platform refuses
    signatures older than 300 s by its clock (newer ones pass, as in
    stripe-python).
    """

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)

    def __call__(self) -> datetime:
        return self.now

    def next_day(self) -> None:
        self.now += timedelta(days=1)


@contextmanager
def remotes(
    root: Path,
    *,
    conversations: int = 60,
    clock: Callable[[], datetime] | None = None,
    portal_configured: bool = True,
) -> Iterator[Remotes]:
    platform = PlatformSandbox(
        root / "platform.sqlite3",
        scale=SeedScale(conversations=conversations, builder_apps=12),
        stripe_webhook_secret=WEBHOOK_SECRET,
        clock=clock,
    )
    served = serve("platform", platform.asgi)
    stripe = StripeSandbox(root / "stripe", portal_configured=portal_configured)
    stripe.serve()
    url = f"{served.url}/api/v1/stripe/webhook"
    stripe.add_webhook_endpoint(url, secret=WEBHOOK_SECRET)
    store = Store(root / "console.sqlite3")
    client = PlatformClient(
        build_client("platform", api_base_url(served.url), platform.api_key), policy=FAST
    )
    billing = StripeBilling(DEFAULT_API_KEY, base_url=stripe.base_url, policy=FAST)
    try:
        yield Remotes(platform, served, stripe, store, client, billing)
    finally:
        stripe.stop()
        served.stop()
        platform.close()
        store.close()


async def initial_sync(r: Remotes) -> None:
    engine = SyncEngine(r.store, r.client, OutboxProcessor(r.store, {}))
    await engine.initial_sync()


async def close_clients(r: Remotes) -> None:
    await r.client.aclose()
    await r.billing.aclose()


@dataclass
class PayingCustomer:
    """The injected `open_url`: records the URL, then pays like a customer would.

    Attributes:
        pay: pay the checkout when its page opens.
        method: ``card`` (paid at once) or ``sepa_debit`` (processing).
        browser: whether a browser "opened" (what `open_url` answers).
    """

    stripe: StripeSandbox
    pay: bool = True
    method: str = "card"
    browser: bool = True
    urls: list[str] = field(default_factory=list)
    payments: list[asyncio.Future[Any]] = field(default_factory=list)

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        if self.pay and "/_checkout/" in url:
            session_id = url.rsplit("/", 1)[-1]
            self.payments.append(
                asyncio.ensure_future(
                    asyncio.to_thread(
                        self.stripe.complete_checkout, session_id, payment_method=self.method
                    )
                )
            )
        return self.browser
