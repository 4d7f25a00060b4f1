"""`PlatformSandbox`: the local l4yercak3 platform.

    sandbox = PlatformSandbox(tmp_path / "platform.db")
    served = host.serve("platform", sandbox.asgi)   # or httpx.ASGITransport(sandbox.asgi)
    # Authorization: Bearer {sandbox.api_key}, base URL f"{served.url}/api/v1"

Besides the HTTP API (platform.yaml), it offers a small typed in-process API
for tests: read the state, play the customer, run traffic steps.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from console.sandbox.faults import FaultInjector
from console.sandbox.platform.app import PlatformApi
from console.sandbox.platform.models import (
    Agent,
    ApiKeyInfo,
    BuilderApp,
    Conversation,
    CreditBalance,
    CreditTransaction,
    Event,
    Message,
    OAuthClient,
    Organization,
    Template,
    TickResult,
    Tier,
    Turn,
    Webhook,
)
from console.sandbox.platform.seed import SeedScale
from console.sandbox.platform.state import Caller, PlatformState, TrafficConfig
from console.sandbox.platform.stripe_signature import signature_header
from console.sandbox.platform.timeutil import Clock, utc_now

logger = logging.getLogger(__name__)

_ALL = 1_000_000_000


@dataclass(frozen=True)
class SandboxStats:
    """Row counts of a platform sandbox."""

    organizations: int
    builder_apps: int
    agents: int
    conversations: int
    messages: int
    messages_by_conversation: int
    credit_transactions: int
    events: int
    webhooks: int


class PlatformSandbox:
    """A seeded platform sandbox on SQLite.

    Args:
        db_path: the SQLite file; an existing, seeded file is reused as is
            (state survives restarts), a new one is seeded. ":memory:" works.
        seed: makes the demo data deterministic.
        scale: how much demo data to seed (default ~300 conversations).
        traffic: live traffic while the app runs (started in its lifespan);
            None for none. `tick()` runs single steps regardless.
        stripe_webhook_secret: endpoint secret of `POST /stripe/webhook`.
        clock: "now" (aware UTC datetimes); defaults to the real clock.
        keepalive_seconds: SSE keep-alive interval.

    Attributes:
        asgi: the app wrapped in the FaultInjector (serve this).
        faults: the FaultInjector (add `FaultRule`s to it).
        app: the bare Starlette app.
        state: the underlying `PlatformState`.
        api_key: key of "Sam Operator", staff of the demo agency.
        colleague_api_key: key of "Alex Colleague", same agency.
        agency_id: the demo agency ("Northwind Digital").
    """

    def __init__(
        self,
        db_path: Path | str,
        *,
        seed: int = 1,
        scale: SeedScale | None = None,
        traffic: TrafficConfig | None = None,
        stripe_webhook_secret: str = "whsec_sandbox",
        clock: Clock | None = None,
        keepalive_seconds: float = 15.0,
    ) -> None:
        self.clock: Clock = clock or utc_now
        self.state = PlatformState(db_path, seed=seed, scale=scale, clock=self.clock)
        self.traffic = traffic
        self.stripe_webhook_secret = stripe_webhook_secret
        self.api = PlatformApi(
            self.state,
            stripe_webhook_secret=stripe_webhook_secret,
            traffic=traffic,
            keepalive_seconds=keepalive_seconds,
        )
        self.app = self.api.app
        self.faults = FaultInjector(self.app, seed=seed)
        self.asgi = self.faults
        ids = self.state.ids
        self.agency_id = ids.agency_id
        self.api_key = ids.api_key
        self.colleague_api_key = ids.colleague_api_key
        self.staff_id = ids.staff_id
        self.colleague_staff_id = ids.colleague_staff_id

    def close(self) -> None:
        """Close the database (stop any server running `asgi` first)."""
        self.state.close()

    def _admin(self) -> Caller:
        return self.state.caller_for_staff(self.staff_id)

    # -- reading state ------------------------------------------------------------------

    def organization(self, org_id: str | None = None) -> Organization:
        return self.state.organization(org_id or self.agency_id)

    def children(self) -> list[Organization]:
        return self.state.list_children(self._admin(), limit=_ALL)[0]

    def builder_apps(self, org_id: str | None = None) -> list[BuilderApp]:
        return self.state.list_apps(None, org_id=org_id, limit=_ALL)[0]

    def agents(self, org_id: str | None = None) -> list[Agent]:
        return self.state.list_agents(None, org_id=org_id, limit=_ALL)[0]

    def webhooks(self) -> list[Webhook]:
        """All registered webhooks, with their secrets."""
        return self.state.list_webhooks(None, limit=_ALL)[0]

    def api_keys(self, app_id: str | None = None) -> list[ApiKeyInfo]:
        """The live (not revoked) API keys, of one app or all."""
        return self.state.list_api_keys(None, app_id=app_id, limit=_ALL)[0]

    def api_key_id(self, secret: str) -> str | None:
        """Which live API key `secret` is (None: revoked or never made)."""
        return self.state.live_key_id(secret)

    def oauth_client_id(self, secret: str) -> str | None:
        """Which OAuth client `secret` belongs to (None: deleted or never made)."""
        return self.state.oauth_client_id(secret)

    def oauth_clients(self, app_id: str | None = None) -> list[OAuthClient]:
        """The OAuth clients, of one app or all (without secrets)."""
        return self.state.list_oauth_clients(None, app_id=app_id, limit=_ALL)[0]

    def links(self, app_id: str) -> dict[str, list[str]]:
        """The records linked to an app: object type -> ids."""
        with self.state.tx():
            links = self.state._links(app_id)["links"]
        return {link["objectType"]: list(link["objectIds"]) for link in links}

    def conversation(self, session_id: str) -> Conversation:
        return self.state.get_conversation(None, session_id)

    def conversations(
        self,
        *,
        status: str | None = None,
        channel: str | None = None,
        org_id: str | None = None,
    ) -> list[Conversation]:
        """Conversations, most recently updated first."""
        return self.state.list_conversations(
            None, status=status, channel=channel, org_id=org_id, limit=_ALL
        )[0]

    def messages(self, session_id: str) -> list[Message]:
        """All messages of a conversation, oldest first."""
        return self.state.list_messages(None, session_id, limit=_ALL)[0]

    def templates(self, session_id: str) -> list[Template]:
        return self.state.templates(None, session_id)

    def balance(self) -> CreditBalance:
        """The demo agency's credit pool."""
        return self.state.balance(self._admin())

    def transactions(
        self,
        *,
        session_id: str | None = None,
        kind: str | None = None,
        checkout_session_id: str | None = None,
    ) -> list[CreditTransaction]:
        return self.state.list_transactions(
            self._admin(),
            session_id=session_id,
            kind=kind,
            checkout_session_id=checkout_session_id,
            limit=_ALL,
        )[0]

    def events(self, after: int = 0) -> list[Event]:
        """The change log after `after` (all organizations)."""
        return self.state.events_after(None, after, _ALL)

    def head(self) -> int:
        """The newest event id (0 when the log is empty)."""
        return self.state.head()

    def stats(self) -> SandboxStats:
        """Row counts of the main tables."""
        counts = self.state.stats()
        return SandboxStats(
            organizations=counts["orgs"],
            builder_apps=counts["builder_apps"],
            agents=counts["agents"],
            conversations=counts["conversations"],
            messages=counts["messages"],
            messages_by_conversation=counts["messages_by_conversation"],
            credit_transactions=counts["credit_tx"],
            events=counts["events"],
            webhooks=counts["webhooks"],
        )

    # -- changing state -----------------------------------------------------------------

    def customer_writes(self, session_id: str, text: str, *, agent_replies: bool = True) -> Turn:
        """The customer sends `text`; the agent answers unless handed off or closed."""
        return self.state.customer_writes(
            session_id, text, agent_replies=agent_replies, config=self.traffic
        )

    def start_conversation(
        self, *, org_id: str | None = None, channel: str | None = None
    ) -> Conversation:
        """A new, empty, active conversation (then `customer_writes`)."""
        return self.state.start_conversation(org_id=org_id, channel=channel)

    def tick(self, session_id: str | None = None) -> TickResult:
        """One traffic step, now (deterministic for a seed and call sequence)."""
        return self.state.tick(self.traffic or TrafficConfig(), session_id=session_id)

    def register_webhook(
        self, app_id: str, url: str, events: tuple[str, ...] = ("form.submitted",)
    ) -> Webhook:
        """Register a webhook as the demo agency's staff would (returns it with its secret)."""
        return self.state.register_webhook(
            self._admin(), {"appId": app_id, "url": url, "events": list(events)}
        )

    def set_balance(
        self,
        *,
        daily: float | None = None,
        monthly: float | None = None,
        purchased: float | None = None,
    ) -> CreditBalance:
        return self.state.set_balance(
            self.agency_id, daily=daily, monthly=monthly, purchased=purchased
        )

    def set_tier(self, tier: Tier) -> None:
        """Change the demo agency's tier (limits follow `TIER_LIMITS`)."""
        self.state.set_tier(self.agency_id, tier)

    def set_last_customer_message_at(self, session_id: str, when: datetime) -> Conversation:
        """Move the WhatsApp 24-hour window (tests)."""
        return self.state.set_last_customer_message_at(session_id, when)

    def stripe_signature(self, payload: bytes, timestamp: int | None = None) -> str:
        """A valid `Stripe-Signature` header for `payload` (timestamp: the clock's now)."""
        t = int(self.clock().timestamp()) if timestamp is None else timestamp
        return signature_header(payload, self.stripe_webhook_secret, t)
