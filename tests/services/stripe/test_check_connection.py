"""Settings > "Test connection" for Stripe, against the Stripe sandbox over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.errors import AuthError
from console.sandbox.stripe import DEFAULT_API_KEY, StripeSandbox
from console.services.accounts import check_connection
from console.services.secrets import Account
from console.services.settings import AccountSettings
from console.services.stripe.errors import PortalNotConfigured

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


@pytest.fixture
def configured(tmp_path: Path) -> Iterator[StripeSandbox]:
    box = StripeSandbox(tmp_path / "stripe")
    box.serve()
    yield box
    box.stop()


@pytest.fixture
def unconfigured(tmp_path: Path) -> Iterator[StripeSandbox]:
    box = StripeSandbox(tmp_path / "bare", portal_configured=False)
    box.serve()
    yield box
    box.stop()


async def test_check_connection_stripe_sees_catalog_and_portal(
    configured: StripeSandbox,
) -> None:
    text = await check_connection(
        Account.STRIPE, AccountSettings(stripe_url=configured.base_url), DEFAULT_API_KEY
    )
    assert text == "Stripe answered: 4 credit packs, 2 plans, customer portal configured."
    paths = [e.path for e in configured.recorder.exchanges]
    assert paths == ["/v1/prices", "/v1/billing_portal/configurations"]


async def test_check_connection_stripe_names_the_missing_portal_settings(
    unconfigured: StripeSandbox,
) -> None:
    with pytest.raises(PortalNotConfigured) as missing:
        await check_connection(
            Account.STRIPE, AccountSettings(stripe_url=unconfigured.base_url), DEFAULT_API_KEY
        )
    shown = f"{missing.value.user_text()} {missing.value.user_action()}"
    assert "the key works (4 credit packs, 2 plans)" in shown
    assert "no customer portal configuration" in shown
    assert "Stripe dashboard > Settings > Billing > Customer portal" in shown


async def test_check_connection_stripe_bad_key(configured: StripeSandbox) -> None:
    with pytest.raises(AuthError):
        await check_connection(
            Account.STRIPE, AccountSettings(stripe_url=configured.base_url), "sk_test_wrong_key_0"
        )
