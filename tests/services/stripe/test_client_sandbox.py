"""StripeBilling against the real Stripe sandbox on loopback (console.sandbox.stripe).

Exchanges (minus the sandbox's own extensions) are validated against Stripe's contract.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.errors import AuthError, NotFound, Unavailable
from console.sandbox.faults import FaultRule
from console.sandbox.stripe import DEFAULT_API_KEY, StripeSandbox, is_sandbox_extension
from console.services.http import RetryPolicy
from console.services.stripe.client import StripeBilling
from tests.contract_check import check_all

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
