"""CreditsService: levels and shortfall, store figures, refresh, tier upgrade through Stripe."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.sandbox.stripe import StripeApiError
from console.services.credits import (
    CheckoutProgress,
    CreditsService,
    CreditState,
    TooLateToCancel,
    credit_level,
    eur,
)
from console.services.stripe.errors import PortalNotConfigured
from console.services.stripe.models import CheckoutSession
from tests.views.credits.support import close_clients, initial_sync, remotes


def _state(daily: float, monthly: float, purchased: float, allocation: float) -> CreditState:
    return CreditState("org", "pro", daily, monthly, purchased, allocation, datetime.now(UTC))


def test_credit_level_thresholds() -> None:
    assert credit_level(400, 2000) == "ok"
    assert credit_level(399.99, 2000) == "low"
    assert credit_level(0.01, 2000) == "low"
    assert credit_level(0, 2000) == "empty"
    assert credit_level(-3, 2000) == "empty"
    assert credit_level(3, 0) == "ok"  # free tier: no allocation, only the wall at zero
    assert _state(0, 0, 0, 2000).shortfall == 400
    assert _state(-2, 0, 0, 200).shortfall == 42
    assert _state(0, 0, 0, 0).shortfall == 1
    assert _state(5, 100, 0, 2000).shortfall == 295


def test_eur_formatting() -> None:
    assert eur(1900) == "€19"
    assert eur(99900) == "€999"
    assert eur(100000) == "€1,000"
    assert eur(1950) == "€19.50"


async def test_credits_service_store_figures(tmp_path: Path) -> None:
    with remotes(tmp_path) as r:
        await initial_sync(r)
        service = CreditsService(r.store, r.client, r.billing)
        state = service.state()
        platform = r.platform.balance()
        assert state is not None
        assert state.total == pytest.approx(platform.total)
        assert state.allocation == 2000
        assert state.level == "ok"
        days = service.usage_by_day(30)
        assert len(days) == 30
        spent = sum(d.total for d in days)
        by_agent = sum(row.total for row in service.usage_by("agent", 30))
        by_client = sum(row.total for row in service.usage_by("org", 30))
        assert spent == pytest.approx(by_agent, abs=0.1)
        assert spent == pytest.approx(by_client, abs=0.1)
        assert service.limits() is None
        await service.refresh()
        limits = service.limits()
        assert limits is not None
        assert limits.tier == "agency"
        await close_clients(r)


class Customer:
    """The `progress` callback: records each step and acts, once per stage, as the payer would.

    `acts` maps a stage to a blocking call on the session id (run in a thread,
    like a person in a browser, while the service keeps polling).
    """

    def __init__(self, acts: dict[str, Callable[[str], object]]) -> None:
        self.acts = dict(acts)
        self.steps: list[CheckoutProgress] = []
        self.done: list[asyncio.Future[object]] = []

    def __call__(self, step: CheckoutProgress) -> None:
        self.steps.append(step)
        act = self.acts.pop(step.stage, None)
        if act is not None and step.session is not None:
            self.done.append(asyncio.ensure_future(asyncio.to_thread(act, step.session.id)))

    @property
    def stages(self) -> list[str]:
        return [s.stage for s in self.steps]

    async def finished(self) -> list[object]:
        return list(await asyncio.gather(*self.done))


async def test_credits_service_tier_upgrade(tmp_path: Path) -> None:
    with remotes(tmp_path) as r:
        r.platform.set_tier("free")
        await initial_sync(r)
        service = CreditsService(r.store, r.client, r.billing, poll_interval=0.05)
        catalog = await service.catalog()
        pro = next(p for p in catalog.tiers if p.tier == "pro")
        customer = Customer({"opened": r.stripe.complete_checkout})
        result = await service.buy(pro, customer)
        await customer.finished()
        assert result.granted
        assert result.grant is not None
        assert result.grant.checkout_session_id == result.session.id
        assert result.session.kind == "subscription"
        assert result.session.tier == "pro"
        state = service.state()
        assert state is not None
        assert state.tier == "pro"
        assert customer.stages[:2] == ["creating", "opened"]
        assert customer.stages[-1] == "granted"
        assert r.check_stripe_contract() >= 4
        await close_clients(r)


async def test_credits_service_expired_checkout_grants_nothing(tmp_path: Path) -> None:
    with remotes(tmp_path) as r:
        await initial_sync(r)
        service = CreditsService(r.store, r.client, r.billing, poll_interval=0.05)
        pack = (await service.catalog()).packs[0]
        before = r.platform.balance().total
        customer = Customer({"opened": r.stripe.expire_checkout})
        result = await service.buy(pack, customer)
        await customer.finished()
        assert not result.granted
        assert result.session.status == "expired"
        assert customer.stages[-1] == "expired"
        assert r.platform.balance().total == before
        await close_clients(r)


async def test_credits_service_delayed_payment_processing_then_granted(tmp_path: Path) -> None:
    with remotes(tmp_path) as r:
        await initial_sync(r)
        service = CreditsService(r.store, r.client, r.billing, poll_interval=0.05)
        pack = next(p for p in (await service.catalog()).packs if p.credits == 500)
        before = r.platform.balance()

        def pay_by_sepa(session_id: str) -> object:
            return r.stripe.complete_checkout(session_id, payment_method="sepa_debit")

        def bank_confirms(session_id: str) -> object:
            # While processing, the platform has granted nothing.
            assert r.platform.balance().purchased == before.purchased
            return r.stripe.finish_delayed_payment(session_id, succeeded=True)

        customer = Customer({"opened": pay_by_sepa, "processing": bank_confirms})
        result = await service.buy(pack, customer)
        await customer.finished()
        # "waiting" shows only if a poll sees the session before it is paid.
        stages = [s for s in customer.stages if s != "waiting"]
        assert stages == ["creating", "opened", "processing", "paid", "granted"]
        processing = next(s for s in customer.steps if s.stage == "processing")
        assert "arrive when the bank confirms" in processing.text
        assert result.granted
        assert r.platform.balance().purchased == before.purchased + 500
        assert result.balance_after == r.platform.balance().total
        await close_clients(r)


async def test_credits_service_delayed_payment_refused(tmp_path: Path) -> None:
    with remotes(tmp_path) as r:
        await initial_sync(r)
        service = CreditsService(r.store, r.client, r.billing, poll_interval=0.05)
        pack = (await service.catalog()).packs[0]
        before = r.platform.balance().total

        def pay_by_sepa(session_id: str) -> object:
            return r.stripe.complete_checkout(session_id, payment_method="sepa_debit")

        def bank_refuses(session_id: str) -> object:
            return r.stripe.finish_delayed_payment(session_id, succeeded=False)

        customer = Customer({"opened": pay_by_sepa, "processing": bank_refuses})
        result = await service.buy(pack, customer)
        await customer.finished()
        assert customer.stages[-1] == "failed"
        assert "nothing was charged" in customer.steps[-1].text
        assert not result.granted
        assert result.session.outcome == "failed"
        assert r.platform.balance().total == before
        await close_clients(r)


async def test_credits_service_cancel_expires_the_session(tmp_path: Path) -> None:
    with remotes(tmp_path) as r:
        await initial_sync(r)
        service = CreditsService(r.store, r.client, r.billing, poll_interval=0.05)
        pack = (await service.catalog()).packs[0]
        cancels: list[asyncio.Task[CheckoutSession]] = []

        def progress(step: CheckoutProgress) -> None:
            if step.stage == "waiting" and step.session is not None:
                cancels.append(asyncio.ensure_future(service.cancel_checkout(step.session.id)))

        result = await service.buy(pack, progress)
        assert (await cancels[0]).status == "expired"
        assert result.session.status == "expired"
        assert not result.granted
        assert r.stripe.checkout_session(result.session.id)["status"] == "expired"
        with pytest.raises(StripeApiError, match="no longer active"):
            r.stripe.complete_checkout(result.session.id)
        await close_clients(r)


async def test_credits_service_cancel_too_late_when_paid(tmp_path: Path) -> None:
    with remotes(tmp_path) as r:
        await initial_sync(r)
        service = CreditsService(r.store, r.client, r.billing, poll_interval=0.05)
        customer = await service.customer_id()
        session = await r.billing.create_checkout_session(
            "credit-pack",
            price_id="price_credits_100",
            org_id=r.platform.agency_id,
            credits=100,
            customer=customer,
            success_url="https://a.test",
            cancel_url="https://b.test",
        )
        await r.stripe.complete_checkout_async(session.id)
        with pytest.raises(TooLateToCancel, match="already paid"):
            await service.cancel_checkout(session.id)
        assert r.stripe.checkout_session(session.id)["status"] == "complete"
        await close_clients(r)


async def test_credits_service_unpaid_checkout_is_cancelled_when_the_wait_ends(
    tmp_path: Path,
) -> None:
    with remotes(tmp_path) as r:
        await initial_sync(r)
        service = CreditsService(
            r.store, r.client, r.billing, poll_interval=0.05, checkout_timeout=0.2
        )
        pack = (await service.catalog()).packs[0]
        customer = Customer({})
        result = await service.buy(pack, customer)
        assert customer.stages[-1] == "cancelled"
        assert "Not paid within" in customer.steps[-1].text
        assert r.stripe.checkout_session(result.session.id)["status"] == "expired"
        await close_clients(r)


async def test_credits_service_portal_not_configured(tmp_path: Path) -> None:
    with remotes(tmp_path, portal_configured=False) as r:
        await initial_sync(r)
        service = CreditsService(r.store, r.client, r.billing)
        with pytest.raises(PortalNotConfigured) as missing:
            await service.portal_url()
        assert "Settings > Billing > Customer portal" in missing.value.user_action()
        await close_clients(r)
