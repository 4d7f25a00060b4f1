"""CreditsService: levels and shortfall, store figures, refresh, tier upgrade through Stripe."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.services.credits import (
    CheckoutProgress,
    CreditsService,
    CreditState,
    credit_level,
    eur,
)
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


async def test_credits_service_tier_upgrade(tmp_path: Path) -> None:
    with remotes(tmp_path) as r:
        r.platform.set_tier("free")
        await initial_sync(r)
        service = CreditsService(r.store, r.client, r.billing, poll_interval=0.05)
        catalog = await service.catalog()
        pro = next(p for p in catalog.tiers if p.tier == "pro")
        steps: list[CheckoutProgress] = []
        payments: list[asyncio.Task[object]] = []

        def open_url(url: str) -> None:
            session_id = url.rsplit("/", 1)[-1]
            payments.append(
                asyncio.ensure_future(asyncio.to_thread(r.stripe.complete_checkout, session_id))
            )

        result = await service.buy(pro, open_url, steps.append)
        await payments[0]
        assert result.granted
        assert result.session.kind == "subscription"
        assert result.session.tier == "pro"
        state = service.state()
        assert state is not None
        assert state.tier == "pro"
        assert [s.stage for s in steps][:2] == ["creating", "opened"]
        assert steps[-1].stage == "granted"
        assert r.check_stripe_contract() >= 4
        await close_clients(r)


async def test_credits_service_expired_checkout_grants_nothing(tmp_path: Path) -> None:
    with remotes(tmp_path) as r:
        await initial_sync(r)
        service = CreditsService(r.store, r.client, r.billing, poll_interval=0.05)
        pack = (await service.catalog()).packs[0]
        before = r.platform.balance().total

        def open_url(url: str) -> None:
            r.stripe.expire_checkout(url.rsplit("/", 1)[-1])

        result = await service.buy(pack, open_url)
        assert not result.granted
        assert result.session.status == "expired"
        assert r.platform.balance().total == before
        await close_clients(r)
