"""StripeBilling (stripe-python 16, HTTPXClient, *_async) against a Stripe stand-in on loopback.

Requests and responses are validated against Stripe's contract.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import httpx
import pytest

from console.errors import (
    AuthError,
    Conflict,
    ContractError,
    NetworkError,
    NotFound,
    RateLimited,
    Unavailable,
    ValidationFailed,
)
from console.sandbox.faults import FaultRule
from console.services.http import RetryPolicy
from console.services.stripe.client import StripeBilling
from tests.contract_check import check_all, decode_form
from tests.services.conftest import Served, SleepLog
from tests.services.stripe.fake import KEY, FakeStripe

ServeApp = Callable[..., Served]

# stripe-python's HTTPXClient posts bytes with `data=`, which httpx 0.28 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


@pytest.fixture
def fake() -> FakeStripe:
    return FakeStripe()


@pytest.fixture
def served(fake: FakeStripe, serve_app: ServeApp) -> Served:
    return serve_app("stripe", fake.app)


def billing(served: Served, policy: RetryPolicy, *, key: str = KEY, **kw: object) -> StripeBilling:
    return StripeBilling(key, base_url=served.url, policy=policy, **kw)  # type: ignore[arg-type]


def api_calls(served: Served) -> list[str]:
    return [f"{e.method} {e.path}" for e in served.recorder.exchanges]


async def test_credit_pack_checkout(served: Served, policy: RetryPolicy) -> None:
    stripe = billing(served, policy)
    session = await stripe.create_checkout_session(
        "credit-pack",
        price_id="price_pack_500",
        org_id="org_1",
        credits=500,
        success_url="https://console.l4yercak3.test/ok",
        cancel_url="https://console.l4yercak3.test/cancel",
        customer_email="owner@agency.test",
        idempotency_key="outbox-17",
    )
    ex = served.recorder.exchanges[-1]
    assert ex.request_headers["idempotency-key"] == "outbox-17"
    assert ex.request_headers["authorization"] == f"Bearer {KEY}"
    form = decode_form(ex.request_body.decode())
    assert form["mode"] == "payment"
    assert form["line_items"] == [{"price": "price_pack_500", "quantity": "1"}]
    assert form["metadata"] == {"type": "credit-pack", "orgId": "org_1", "credits": "500"}
    assert form["payment_intent_data"] == {"metadata": form["metadata"]}
    assert form["customer_email"] == "owner@agency.test"
    assert session.kind == "credit-pack"
    assert session.org_id == "org_1"
    assert session.credits == 500
    assert session.status == "open"
    assert session.url is not None
    assert not session.is_final
    await stripe.aclose()
    check_all("stripe", served.recorder.exchanges)


async def test_subscription_checkout_and_wait(
    served: Served, fake: FakeStripe, policy: RetryPolicy
) -> None:
    stripe = billing(served, policy)
    session = await stripe.create_checkout_session(
        "subscription",
        price_id="price_agency",
        org_id="org_2",
        tier="agency",
        customer="cus_existing",
        success_url="https://x.test/ok",
        cancel_url="https://x.test/no",
    )
    form = decode_form(served.recorder.exchanges[-1].request_body.decode())
    assert form["mode"] == "subscription"
    assert form["subscription_data"] == {
        "metadata": {"type": "subscription", "orgId": "org_2", "tier": "agency"}
    }
    assert form["customer"] == "cus_existing"
    assert served.recorder.exchanges[-1].request_headers["idempotency-key"].startswith("l4-")
    fake.complete(session.id, after_polls=2)
    seen = [
        s async for s in stripe.follow_checkout(session.id, poll_interval=0.01, give_up_after=5)
    ]
    assert [(s.status, s.payment_status) for s in seen] == [
        ("open", "unpaid"),
        ("complete", "paid"),
    ]
    assert seen[-1].paid
    assert seen[-1].tier == "agency"
    assert fake.polls[session.id] == 3
    final = await stripe.wait_for_checkout(session.id, poll_interval=0.01, give_up_after=5)
    assert final.is_final
    check_all("stripe", served.recorder.exchanges)


async def test_wait_gives_up_with_the_open_session(served: Served, policy: RetryPolicy) -> None:
    stripe = billing(served, policy)
    session = await stripe.create_checkout_session(
        "credit-pack",
        price_id="price_pack_100",
        org_id="o",
        credits=100,
        success_url="https://a.test",
        cancel_url="https://b.test",
    )
    last = await stripe.wait_for_checkout(session.id, poll_interval=0.01, give_up_after=0.05)
    assert last.status == "open"


async def test_checkout_argument_checks(served: Served, policy: RetryPolicy) -> None:
    stripe = billing(served, policy)
    with pytest.raises(ValidationFailed):
        await stripe.create_checkout_session(
            "credit-pack", price_id="p", org_id="o", success_url="u", cancel_url="c"
        )
    with pytest.raises(ValidationFailed):
        await stripe.create_checkout_session(
            "subscription", price_id="p", org_id="o", success_url="u", cancel_url="c"
        )
    assert served.recorder.exchanges == []


async def test_list_prices_packs_and_tiers(served: Served, policy: RetryPolicy) -> None:
    stripe = billing(served, policy)
    catalog = await stripe.list_prices()
    query = served.recorder.exchanges[-1].query
    assert query["active"] == ["true"]
    assert query["expand[0]"] == ["data.product"]
    assert [(p.id, p.credits) for p in catalog.packs] == [
        ("price_pack_100", 100),
        ("price_pack_500", 500),
    ]
    assert [(p.id, p.tier) for p in catalog.tiers] == [
        ("price_pro", "pro"),
        ("price_agency", "agency"),
    ]
    assert catalog.tiers[1].recurring_interval == "month"
    assert catalog.packs[0].unit_amount == 1900
    assert catalog.packs[0].currency == "eur"


async def test_customer_portal_invoices(served: Served, policy: RetryPolicy) -> None:
    stripe = billing(served, policy)
    created = await stripe.get_or_create_customer("org_9", "billing@client.test", name="Client")
    assert created.org_id == "org_9"
    key = served.recorder.exchanges[-1].request_headers["idempotency-key"]
    assert key.startswith("l4-customer-")
    again = await stripe.get_or_create_customer("org_9", None, customer_id=created.id)
    assert again.id == created.id
    replaced = await stripe.get_or_create_customer("org_9", "b@c.test", customer_id="cus_gone")
    # Another request (other email, replacing a gone customer): another key, a new customer.
    assert served.recorder.exchanges[-1].request_headers["idempotency-key"] != key
    assert replaced.id != created.id
    portal = await stripe.create_portal_session(created.id, "https://console.test/billing")
    assert portal.url.startswith("https://billing.stripe.test/")
    invoices = await stripe.list_invoices(created.id)
    assert invoices[0].number == "L4-0001"
    assert invoices[0].subscription == "sub_1"
    assert served.recorder.exchanges[-1].query["customer"] == [created.id]
    check_all("stripe", [e for e in served.recorder.exchanges if e.status < 400])


async def test_api_key_never_logged(
    served: Served, policy: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    stripe = billing(served, policy)
    await stripe.list_prices()
    with pytest.raises(AuthError):
        await billing(served, policy, key="sk_test_wrongKeyWrongKey123").create_checkout_session(
            "credit-pack",
            price_id="price_pack_100",
            org_id="o",
            credits=100,
            success_url="u",
            cancel_url="c",
        )
    assert KEY not in caplog.text
    assert "sk_test_wrongKeyWrongKey123" not in caplog.text


# ------------------------------------------------------------------ faults


async def test_5xx_then_success(served: Served, policy: RetryPolicy) -> None:
    rule = served.faults.add(FaultRule("status", path="^/v1/prices$", status=500, times=2))
    stripe = billing(served, policy)
    assert (await stripe.list_prices()).packs
    assert rule.hits == 2


async def test_5xx_forever(served: Served, policy: RetryPolicy) -> None:
    rule = served.faults.add(FaultRule("status", path="^/v1/prices$", status=503, times=None))
    stripe = billing(served, policy)
    with pytest.raises(Unavailable):
        await stripe.list_prices()
    assert rule.hits == policy.attempts


async def test_post_retried_with_the_same_key(served: Served, policy: RetryPolicy) -> None:
    served.faults.add(FaultRule("drop", path="^/v1/checkout/sessions$", method="POST"))
    served.faults.add(
        FaultRule("status", path="^/v1/checkout/sessions$", method="POST", status=502)
    )
    stripe = billing(served, policy)
    session = await stripe.create_checkout_session(
        "credit-pack",
        price_id="price_pack_100",
        org_id="o",
        credits=100,
        success_url="u",
        cancel_url="c",
    )
    assert session.id.startswith("cs_test")
    assert len(served.recorder.exchanges) == 1  # the faults stop the first two before the app


async def test_429_retry_after(served: Served, policy: RetryPolicy, sleeps: SleepLog) -> None:
    served.faults.add(FaultRule("rate_limit", path="^/v1/prices$", retry_after=1))
    stripe = billing(served, policy)
    await stripe.list_prices()
    assert sleeps.waits == [1.0]


async def test_429_huge_retry_after(served: Served, policy: RetryPolicy) -> None:
    rule = served.faults.add(
        FaultRule("rate_limit", path="^/v1/prices$", retry_after=999, times=None)
    )
    stripe = billing(served, policy)
    with pytest.raises(RateLimited) as info:
        await stripe.list_prices()
    assert info.value.retry_after == 999
    assert rule.hits == 1


async def test_timeout(served: Served) -> None:
    served.faults.add(FaultRule("timeout", path="^/v1/prices$", delay=1.0, times=None))
    policy = RetryPolicy(attempts=2, base=0.001, cap=0.002, rng=random.Random(3))
    stripe = billing(served, policy, timeout=httpx.Timeout(0.2))
    started = asyncio.get_running_loop().time()
    with pytest.raises(NetworkError, match="timed out"):
        await stripe.list_prices()
    assert asyncio.get_running_loop().time() - started < 2


async def test_malformed_body(served: Served, policy: RetryPolicy) -> None:
    served.faults.add(FaultRule("malformed", path="^/v1/prices$"))
    stripe = billing(served, policy)
    with pytest.raises(ContractError):
        await stripe.list_prices()


async def test_dropped_get_retried(served: Served, policy: RetryPolicy) -> None:
    rule = served.faults.add(FaultRule("drop", path="^/v1/invoices$"))
    stripe = billing(served, policy)
    await stripe.list_invoices("cus_1")
    assert rule.hits == 1


async def test_401_auth(served: Served, policy: RetryPolicy) -> None:
    stripe = billing(served, policy, key="sk_test_notTheRightKey0000")
    with pytest.raises(AuthError, match="Invalid API Key"):
        await stripe.create_checkout_session(
            "credit-pack",
            price_id="price_pack_100",
            org_id="o",
            credits=100,
            success_url="u",
            cancel_url="c",
        )


async def test_409_conflict(served: Served, policy: RetryPolicy) -> None:
    served.faults.add(FaultRule("status", path="^/v1/customers$", status=409, times=None))
    stripe = billing(served, policy)
    with pytest.raises(Conflict):
        await stripe.get_or_create_customer("org", None)


async def test_404_and_400(served: Served, policy: RetryPolicy) -> None:
    stripe = billing(served, policy)
    with pytest.raises(NotFound, match=r"No such checkout\.session"):
        await stripe.get_checkout_session("cs_missing")
    with pytest.raises(ValidationFailed, match="No such price") as info:
        await stripe.create_checkout_session(
            "credit-pack",
            price_id="price_nope",
            org_id="o",
            credits=1,
            success_url="u",
            cancel_url="c",
        )
    assert info.value.code == "resource_missing"
