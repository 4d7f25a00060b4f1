"""StripeBilling against the real Stripe sandbox on loopback (console.sandbox.stripe).

Exchanges (minus the sandbox's own extensions) are validated against Stripe's contract.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.errors import AuthError, NotFound, Unavailable, ValidationFailed
from console.sandbox.faults import FaultRule
from console.sandbox.stripe import (
    DEFAULT_API_KEY,
    StripeApiError,
    StripeSandbox,
    is_sandbox_extension,
)
from console.services.http import RetryPolicy
from console.services.stripe.client import StripeBilling
from console.services.stripe.models import API_VERSION, CheckoutSession
from tests.contract_check import check_all, contract

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[StripeSandbox]:
    box = StripeSandbox(tmp_path / "stripe")
    box.serve()
    yield box
    box.stop()


def billing(
    sandbox: StripeSandbox, policy: RetryPolicy, key: str = DEFAULT_API_KEY
) -> StripeBilling:
    return StripeBilling(key, base_url=sandbox.base_url, policy=policy)


def check_contract(sandbox: StripeSandbox) -> int:
    exchanges = [e for e in sandbox.recorder.exchanges if not is_sandbox_extension(e.path)]
    return check_all("stripe", exchanges)


async def test_catalog(sandbox: StripeSandbox, policy: RetryPolicy) -> None:
    stripe = billing(sandbox, policy)
    catalog = await stripe.list_prices()
    assert [p.credits for p in catalog.packs] == [100, 500, 2000, 10000]
    assert [p.unit_amount for p in catalog.packs] == [1900, 7900, 24900, 99900]
    assert [p.tier for p in catalog.tiers] == ["pro", "agency"]
    assert all(p.recurring_interval == "month" for p in catalog.tiers)
    await stripe.aclose()
    assert check_contract(sandbox) == 1


async def test_buy_credits_end_to_end(sandbox: StripeSandbox, policy: RetryPolicy) -> None:
    stripe = billing(sandbox, policy)
    customer = await stripe.get_or_create_customer("org_1", "owner@agency.test", name="Agency")
    pack = (await stripe.list_prices()).packs[1]
    session = await stripe.create_checkout_session(
        "credit-pack",
        price_id=pack.id,
        org_id="org_1",
        credits=pack.credits,
        customer=customer.id,
        success_url="https://console.test/ok",
        cancel_url="https://console.test/cancel",
        idempotency_key="outbox-42",
    )
    assert session.status == "open"
    assert session.url
    assert session.credits == 500

    async def pay_later() -> None:
        await asyncio.sleep(0.05)
        await sandbox.complete_checkout_async(session.id)

    payer = asyncio.create_task(pay_later())
    final = await stripe.wait_for_checkout(session.id, poll_interval=0.02, give_up_after=5)
    await payer
    assert final.paid
    assert final.org_id == "org_1"
    assert final.customer == customer.id
    again = await stripe.create_checkout_session(
        "credit-pack",
        price_id=pack.id,
        org_id="org_1",
        credits=pack.credits,
        customer=customer.id,
        success_url="https://console.test/ok",
        cancel_url="https://console.test/cancel",
        idempotency_key="outbox-42",
    )
    assert again.id == session.id  # the same outbox row never opens a second session
    check_contract(sandbox)


async def test_subscription_portal_invoices(sandbox: StripeSandbox, policy: RetryPolicy) -> None:
    stripe = billing(sandbox, policy)
    customer = await stripe.get_or_create_customer("org_2", "billing@client.test")
    tier = (await stripe.list_prices()).tiers[0]
    session = await stripe.create_checkout_session(
        "subscription",
        price_id=tier.id,
        org_id="org_2",
        tier=tier.tier,
        customer=customer.id,
        success_url="https://console.test/ok",
        cancel_url="https://console.test/cancel",
    )
    await sandbox.complete_checkout_async(session.id)
    done = await stripe.get_checkout_session(session.id)
    assert done.paid
    assert done.subscription is not None
    invoices = await stripe.list_invoices(customer.id)
    assert invoices
    assert invoices[0].subscription == done.subscription
    portal = await stripe.create_portal_session(customer.id, "https://console.test/billing")
    assert portal.url
    same = await stripe.get_or_create_customer("org_2", None, customer_id=customer.id)
    assert same.id == customer.id
    check_contract(sandbox)


async def test_expired_session(sandbox: StripeSandbox, policy: RetryPolicy) -> None:
    stripe = billing(sandbox, policy)
    pack = (await stripe.list_prices()).packs[0]
    session = await stripe.create_checkout_session(
        "credit-pack",
        price_id=pack.id,
        org_id="o",
        credits=100,
        success_url="https://a.test",
        cancel_url="https://b.test",
    )
    await sandbox.expire_checkout_async(session.id)
    final = await stripe.wait_for_checkout(session.id, poll_interval=0.01, give_up_after=2)
    assert final.status == "expired"
    assert not final.paid


async def test_errors(sandbox: StripeSandbox, policy: RetryPolicy) -> None:
    with pytest.raises(AuthError):
        await billing(sandbox, policy, key="sk_test_wrong_wrong_wrong").list_prices()
    stripe = billing(sandbox, policy)
    with pytest.raises(NotFound):
        await stripe.get_checkout_session("cs_test_missing")
    rule = sandbox.faults.add(FaultRule("status", path="^/v1/prices$", status=500, times=None))
    with pytest.raises(Unavailable):
        await stripe.list_prices()
    assert rule.hits == policy.attempts


async def pack_session(stripe: StripeBilling, org_id: str = "org_1") -> CheckoutSession:
    pack = (await stripe.list_prices()).packs[1]
    return await stripe.create_checkout_session(
        "credit-pack",
        price_id=pack.id,
        org_id=org_id,
        credits=pack.credits,
        success_url="https://console.test/ok",
        cancel_url="https://console.test/cancel",
    )


async def test_client_sends_the_api_version_of_its_models(
    sandbox: StripeSandbox, policy: RetryPolicy
) -> None:
    stripe = billing(sandbox, policy)
    session = await pack_session(stripe)
    await stripe.get_checkout_session(session.id)
    await stripe.aclose()
    assert API_VERSION == contract("stripe").spec["info"]["version"] == "2026-05-27.dahlia"
    sent = {e.request_headers.get("stripe-version") for e in sandbox.recorder.exchanges}
    assert sent == {API_VERSION}
    assert check_contract(sandbox) == 3


async def test_customer_keys_name_each_request(sandbox: StripeSandbox, policy: RetryPolicy) -> None:
    stripe = billing(sandbox, policy)
    # The first answer is lost after Stripe created the customer: the retry
    # carries the same key and gets the creation replayed, not a second customer.
    sandbox.faults.add(FaultRule("lost_response", path="^/v1/customers$", method="POST"))
    first = await stripe.get_or_create_customer("org_1", "a@agency.test", name="Agency")
    attempts = [e for e in sandbox.recorder.exchanges if e.path == "/v1/customers"]
    assert len(attempts) == 2
    keys = {a.request_headers["idempotency-key"] for a in attempts}
    assert len(keys) == 1
    assert attempts[1].response_headers["idempotent-replayed"] == "true"
    assert len(sandbox.store.all("customer")) == 1
    # Other details for the same organization within 24 h: another key, no 400.
    other = await stripe.get_or_create_customer("org_1", "billing@agency.test", name="Agency")
    assert other.id != first.id
    assert other.email == "billing@agency.test"
    # A deleted customer is replaced, not answered with the replay of its creation.
    sandbox.delete_customer(first.id)
    again = await stripe.get_or_create_customer(
        "org_1", "a@agency.test", name="Agency", customer_id=first.id
    )
    assert again.id not in (first.id, other.id)
    assert not again.deleted
    assert (await stripe.get_or_create_customer("org_1", None, customer_id=again.id)).id == again.id
    await stripe.aclose()
    check_contract(sandbox)


async def test_delayed_payment_is_processing_then_paid(
    sandbox: StripeSandbox, policy: RetryPolicy
) -> None:
    stripe = billing(sandbox, policy)
    session = await pack_session(stripe)
    seen: list[str] = []
    async for current in stripe.follow_checkout(session.id, poll_interval=0.01, give_up_after=10):
        seen.append(current.outcome)
        if current.outcome == "open":
            await sandbox.complete_checkout_async(session.id, payment_method="sepa_debit")
        elif current.outcome == "processing":
            assert current.status == "complete"
            assert current.payment_status == "unpaid"
            assert current.payment_intent_status == "processing"
            assert not current.paid
            await sandbox.finish_delayed_payment_async(session.id, succeeded=True)
    assert seen == ["open", "processing", "paid"]
    await stripe.aclose()
    check_contract(sandbox)


async def test_delayed_payment_refused_is_failed(
    sandbox: StripeSandbox, policy: RetryPolicy
) -> None:
    stripe = billing(sandbox, policy)
    session = await pack_session(stripe)
    await sandbox.complete_checkout_async(session.id, payment_method="sepa_debit")
    await sandbox.finish_delayed_payment_async(session.id, succeeded=False)
    final = await stripe.wait_for_checkout(session.id, poll_interval=0.01, give_up_after=2)
    assert (final.status, final.payment_status, final.outcome) == ("complete", "unpaid", "failed")
    assert final.is_final
    assert not final.paid
    await stripe.aclose()
    check_contract(sandbox)


async def test_expire_checkout_session(sandbox: StripeSandbox, policy: RetryPolicy) -> None:
    stripe = billing(sandbox, policy)
    session = await pack_session(stripe)
    expired = await stripe.expire_checkout_session(session.id)
    assert (expired.status, expired.url, expired.outcome) == ("expired", None, "expired")
    [call] = [e for e in sandbox.recorder.exchanges if e.path.endswith("/expire")]
    assert call.method == "POST"
    assert call.request_headers["idempotency-key"].startswith("l4-expire-")
    contract("stripe").check_object("checkout.session", json.loads(call.response_body))
    with pytest.raises(StripeApiError, match="no longer active"):
        await sandbox.complete_checkout_async(session.id)
    assert (await stripe.get_checkout_session(session.id)).status == "expired"
    paid = await pack_session(stripe)
    await sandbox.complete_checkout_async(paid.id)
    with pytest.raises(ValidationFailed, match="open"):
        await stripe.expire_checkout_session(paid.id)
    await stripe.aclose()
    check_contract(sandbox)


async def test_default_portal_configuration(
    sandbox: StripeSandbox, policy: RetryPolicy, tmp_path: Path
) -> None:
    stripe = billing(sandbox, policy)
    found = await stripe.default_portal_configuration()
    assert found is not None
    assert (found.active, found.is_default) == (True, True)
    [listing] = [e for e in sandbox.recorder.exchanges if "configurations" in e.path]
    assert listing.query == {"active": ["true"], "is_default": ["true"], "limit": ["1"]}
    await stripe.aclose()
    bare = StripeSandbox(tmp_path / "unconfigured", portal_configured=False)
    bare.serve()
    try:
        unconfigured = billing(bare, policy)
        assert await unconfigured.default_portal_configuration() is None
        customer = await unconfigured.get_or_create_customer("org_1", None)
        with pytest.raises(ValidationFailed, match="customer portal settings"):
            await unconfigured.create_portal_session(customer.id, "https://console.test/b")
        await unconfigured.aclose()
    finally:
        bare.stop()
