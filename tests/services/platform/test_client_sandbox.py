"""PlatformClient against the platform sandbox on loopback: every operation, faults, SSE.

Every exchange of the non-fault tests is validated against platform.yaml
(requests and responses) with openapi-core.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from console.errors import (
    AuthError,
    Conflict,
    ContractError,
    NetworkError,
    PaymentRequired,
    RateLimited,
    Unavailable,
    ValidationFailed,
)
from console.sandbox.faults import FaultRule
from console.sandbox.host import ServedApp, serve
from console.sandbox.platform import PlatformSandbox
from console.sandbox.recording import ExchangeRecorder
from console.services.http import RetryPolicy, build_client
from console.services.platform.client import EventCursorInvalid, PlatformClient, api_base_url
from console.services.platform.models import (
    ConversationMessageEvent,
    ConversationStatusEvent,
    PlatformEvent,
)
from tests.services.conftest import SleepLog
from tests.services.platform.contract import check_all

API = "/api/v1"


class Platform:
    """A served sandbox: faults outside, recorder inside (sees only what reached the app)."""

    def __init__(self, root: Path) -> None:
        self.sandbox = PlatformSandbox(root / "platform.db", keepalive_seconds=0.2)
        self.recorder = ExchangeRecorder(self.sandbox.app)
        self.sandbox.faults.app = self.recorder
        self.faults = self.sandbox.faults
        self.served: ServedApp = serve("platform", self.sandbox.asgi)

    def client(
        self,
        policy: RetryPolicy,
        *,
        key: str | None = None,
        staff: str | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> PlatformClient:
        http = build_client(
            "platform",
            api_base_url(self.served.url),
            key or self.sandbox.api_key,
            timeout=timeout,
        )
        return PlatformClient(http, policy=policy, staff_name=staff)

    def close(self) -> None:
        self.served.stop(timeout=3.0)
        self.sandbox.close()


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    box = Platform(tmp_path)
    yield box
    box.close()


@pytest.fixture
def api(platform: Platform, policy: RetryPolicy) -> PlatformClient:
    return platform.client(policy)


def contract_checked(platform: Platform) -> int:
    return check_all(platform.recorder.exchanges)


# ------------------------------------------------------------------ operations


async def test_organizations(platform: Platform, api: PlatformClient) -> None:
    me = await api.get_organization()
    assert me.id == platform.sandbox.agency_id
    assert me.parent_id is None
    assert me.staff.id == platform.sandbox.staff_id
    children = await api.list_children(limit=3)
    assert len(children.items) == 3
    assert children.next_cursor is not None
    more = await api.list_children(limit=3, cursor=children.next_cursor)
    assert not {c.id for c in more.items} & {c.id for c in children.items}
    created = await api.create_child(
        name="Crumb & Co",
        slug="test-bakery-one",
        contact_email="hi@crumb.test",
        brand_primary_color="#1f6feb",
        idempotency_key="child-1",
    )
    assert created.status == "provisioning"
    again = await api.create_child(
        name="Crumb & Co",
        slug="test-bakery-one",
        contact_email="hi@crumb.test",
        brand_primary_color="#1f6feb",
        idempotency_key="child-1",
    )
    assert again.id == created.id  # replayed, not created twice
    with pytest.raises(Conflict):
        await api.create_child(name="Other", slug="test-bakery-one", contact_email="o@o.test")
    updated = await api.update_child(
        created.id, status="active", portal_url="https://crumb.portal.test"
    )
    assert updated.status == "active"
    assert updated.portal_url == "https://crumb.portal.test"
    cleared = await api.update_child(created.id, portal_url=None)
    assert cleared.portal_url is None
    assert (await api.get_child(created.id)).name == "Crumb & Co"
    child_view = await api.get_organization(org_id=created.id)
    assert child_view.parent_id == platform.sandbox.agency_id
    assert contract_checked(platform) > 8


async def test_builder_app_lifecycle(platform: Platform, api: PlatformClient) -> None:
    child = platform.sandbox.children()[0]
    app = await api.create_builder_app(
        name="Salon portal",
        categories=["bookings", "forms"],
        architecture="hybrid",
        org_id=child.id,
        idempotency_key="app-1",
    )
    assert app.org_id == child.id
    assert app.status == "draft"
    apps = await api.list_builder_apps(filter_org=child.id, limit=200)
    assert app.id in {a.id for a in apps.items}
    renamed = await api.update_builder_app(
        app.id, name="Salon Bella portal", repo_url="https://github.com/acme/salon"
    )
    assert renamed.repo_url == "https://github.com/acme/salon"
    deployed = await api.record_deployment(
        app.id,
        "deployed",
        production_url="https://salon.vercel.app",
        deployment_id="dpl_1",
        idempotency_key="dep-1",
    )
    assert deployed.status == "deployed"
    assert deployed.production_url == "https://salon.vercel.app"
    links = await api.link_objects(app.id, "form", ["frm_1", "frm_2"], idempotency_key="l-1")
    links = await api.link_objects(app.id, "form", ["frm_2", "frm_3"])
    assert set(links.ids("form")) == {"frm_1", "frm_2", "frm_3"}
    categories = await api.list_categories()
    assert len(categories) == 10
    scopes = [s for c in categories if c.id in app.categories for s in c.scopes]
    key = await api.create_api_key(app.id, scopes, idempotency_key="key-1")
    assert key.app_id == app.id
    assert key.key not in repr(key)
    hook = await api.register_webhook(
        url="https://salon.vercel.app/api/webhook",
        events=["form.submitted", "message.received"],
        app_id=app.id,
        idempotency_key="hook-1",
    )
    assert hook.secret.startswith("whsec_")
    listed = await api.list_webhooks(app_id=app.id)
    assert [w.id for w in listed.items] == [hook.webhook.id]
    await api.delete_webhook(hook.webhook.id)
    assert (await api.list_webhooks(app_id=app.id)).items == ()
    fetched = await api.get_builder_app(app.id)
    assert fetched.name == "Salon Bella portal"
    assert contract_checked(platform) > 10


async def test_tier_limit_is_payment_required(platform: Platform, api: PlatformClient) -> None:
    platform.sandbox.set_tier("free")
    with pytest.raises(PaymentRequired) as info:
        await api.create_builder_app(name="One too many")
    assert info.value.code == "limit_exceeded"
    limits = await api.get_licensing_limits()
    assert limits.tier == "free"
    assert limits.builder_apps.reached


async def test_conversation_takeover(platform: Platform, policy: RetryPolicy) -> None:
    sam = platform.client(policy, staff="Sam Operator")
    alex = platform.client(policy, key=platform.sandbox.colleague_api_key)
    active = await sam.list_conversations(status="active", channel="webchat", limit=5)
    session = active.items[0]
    taken = await sam.take_over(session.id, idempotency_key="take-1")
    assert taken.status == "handed_off"
    assert taken.handled_by is not None
    with pytest.raises(Conflict) as info:
        await alex.take_over(session.id)
    assert "Sam" in str(info.value)
    messages = await sam.list_messages(session.id, limit=200)
    sent = await sam.send_message(session.id, text="Hi, a human here.", idempotency_key="m-1")
    assert sent.role == "human"
    newer = await sam.list_messages(session.id, after=messages.items[-1].id)
    assert sent.id in [m.id for m in newer.items]
    back = await sam.hand_back(session.id, reason="resolved")
    assert back.status == "active"
    closed = await sam.close_conversation(session.id, reason="done")
    assert closed.status == "closed"
    assert (await sam.get_conversation(session.id)).status == "closed"
    whatsapp = (await sam.list_conversations(channel="whatsapp", limit=1)).items[0]
    templates = await sam.list_templates(whatsapp.id)
    assert all(t.param_count >= 0 for t in templates)
    assert (await sam.list_templates(session.id)) == ()
    assert contract_checked(platform) > 8


async def test_agents_credits(platform: Platform, api: PlatformClient) -> None:
    agents = await api.list_agents(limit=200)
    assert agents.items
    balance = await api.get_credit_balance()
    assert balance.org_id == platform.sandbox.agency_id
    assert balance.total == pytest.approx(balance.daily + balance.monthly + balance.purchased)
    spent = await api.list_credit_transactions(kind="llm_message", limit=10)
    assert all(t.amount < 0 for t in spent.items)
    usage = await api.get_credit_usage("agent")
    assert usage.group_by == "agent"
    assert contract_checked(platform) >= 4


async def test_poll_events(platform: Platform, api: PlatformClient) -> None:
    head = await api.poll_events("head")
    assert head.events == ()
    session = platform.sandbox.conversations(status="active")[0].id
    platform.sandbox.customer_writes(session, "Are you open on Sunday?")
    page = await api.poll_events(int(head.next_cursor))
    assert page.events
    assert any(
        isinstance(e, ConversationMessageEvent) and e.conversation.id == session
        for e in page.events
    )
    assert page.next_cursor == str(page.events[-1].id)
    with pytest.raises(EventCursorInvalid):
        await api.poll_events(10**12)
    contract_checked(platform)


async def _collect(stream: AsyncIterator[PlatformEvent], count: int) -> list[PlatformEvent]:
    out: list[PlatformEvent] = []
    async for event in stream:
        out.append(event)
        if len(out) >= count:
            break
    return out


async def test_stream_events_live_and_resume(platform: Platform, api: PlatformClient) -> None:
    sandbox = platform.sandbox
    session = sandbox.conversations(status="active")[0].id
    start = sandbox.head()
    sandbox.customer_writes(session, "first", agent_replies=False)
    first = await asyncio.wait_for(_collect(api.stream_events(last_event_id=start), 1), 5)
    assert first[0].id > start
    # A dropped stream: the client reconnects with Last-Event-ID and misses nothing.
    platform.faults.add(FaultRule("drop", path="/events/stream$"))
    sandbox.customer_writes(session, "second", agent_replies=False)
    got = await asyncio.wait_for(_collect(api.stream_events(last_event_id=first[-1].id), 1), 5)
    assert got[0].id == first[-1].id + 1
    streams = [e for e in platform.recorder.exchanges if e.path.endswith("/events/stream")]
    assert streams[-1].request_headers["last-event-id"] == str(first[-1].id)

    async def take_over_later() -> None:
        await asyncio.sleep(0.1)
        await api.take_over(session)

    task = asyncio.create_task(take_over_later())
    live = await asyncio.wait_for(_collect(api.stream_events(), 2), 5)
    await task
    assert any(
        isinstance(e, ConversationStatusEvent) and e.conversation.status == "handed_off"
        for e in live
    )


async def test_stream_cursor_invalid(platform: Platform, api: PlatformClient) -> None:
    with pytest.raises(EventCursorInvalid):
        await _collect(api.stream_events(last_event_id=10**12), 1)


async def test_stream_unavailable_gives_up(platform: Platform, api: PlatformClient) -> None:
    rule = platform.faults.add(FaultRule("status", path="/events/stream$", status=503, times=None))
    with pytest.raises(Unavailable):
        await _collect(api.stream_events(), 1)
    assert rule.hits == api.policy.attempts


# ------------------------------------------------------------------ faults


async def test_5xx_then_success(platform: Platform, api: PlatformClient) -> None:
    rule = platform.faults.add(FaultRule("status", path=f"{API}/credits/balance$", times=2))
    assert (await api.get_credit_balance()).tier == "agency"
    assert rule.hits == 2


async def test_5xx_forever(platform: Platform, api: PlatformClient, policy: RetryPolicy) -> None:
    rule = platform.faults.add(FaultRule("status", path=f"{API}/agents$", status=500, times=None))
    with pytest.raises(Unavailable):
        await api.list_agents()
    assert rule.hits == policy.attempts


async def test_429(platform: Platform, api: PlatformClient, sleeps: SleepLog) -> None:
    platform.faults.add(FaultRule("rate_limit", path=f"{API}/agents$", retry_after=2))
    await api.list_agents()
    assert sleeps.waits == [2.0]
    platform.faults.add(FaultRule("rate_limit", path=f"{API}/agents$", retry_after=900))
    with pytest.raises(RateLimited) as info:
        await api.list_agents()
    assert info.value.retry_after == 900


async def test_timeout_is_bounded(platform: Platform) -> None:
    platform.faults.add(FaultRule("timeout", path=f"{API}/agents$", delay=1.0, times=None))
    policy = RetryPolicy(attempts=2, base=0.001, cap=0.002, rng=random.Random(5))
    client = platform.client(policy, timeout=httpx.Timeout(0.2))
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(NetworkError, match="timed out"):
        await client.list_agents()
    assert loop.time() - started < 2.0


async def test_malformed(platform: Platform, api: PlatformClient) -> None:
    platform.faults.add(FaultRule("malformed", path=f"{API}/credits/balance$"))
    with pytest.raises(ContractError):
        await api.get_credit_balance()


async def test_drop(platform: Platform, api: PlatformClient) -> None:
    rule = platform.faults.add(FaultRule("drop", path=f"{API}/agents$"))
    await api.list_agents()
    assert rule.hits == 1
    rule = platform.faults.add(FaultRule("drop", path=f"{API}/builder-apps$", method="POST"))
    with pytest.raises(NetworkError, match="dropped"):
        await api.create_builder_app(name="No key")
    assert rule.hits == 1
    # The fault cut the answer, not the request: without a key the app may or
    # may not exist now; with a key the retry is safe and replays.
    platform.faults.add(FaultRule("drop", path=f"{API}/builder-apps$", method="POST"))
    before = len(platform.sandbox.builder_apps())
    app = await api.create_builder_app(name="With key", idempotency_key="drop-1")
    assert len(platform.sandbox.builder_apps()) == before + 1
    assert app.name == "With key"


async def test_401_and_403(platform: Platform, policy: RetryPolicy) -> None:
    stranger = platform.client(policy, key="l4k_not_a_real_key_000000")
    with pytest.raises(AuthError) as info:
        await stranger.get_organization()
    assert info.value.status == 401
    api = platform.client(policy)
    with pytest.raises(AuthError) as forbidden:
        await api.get_organization(org_id="org_somebody_else")
    assert forbidden.value.status == 403


async def test_validation_failed(platform: Platform, api: PlatformClient) -> None:
    with pytest.raises(ValidationFailed):
        await api.create_child(name="Bad", slug="Not A Slug!", contact_email="x@y.test")


async def test_no_secret_in_logs(
    platform: Platform, api: PlatformClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    app = await api.create_builder_app(name="Secretive")
    key = await api.create_api_key(app.id, ["forms:read"])
    assert platform.sandbox.api_key not in caplog.text
    assert key.key not in caplog.text


_ = (Any, Callable)
