"""The checkout wait on the Credits page, as staff see it, against served sandboxes.

What the user sees (label, link, buttons, clipboard) and what the remotes
hold afterwards (the Stripe session's state, the platform's grants).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from console.sandbox.faults import FaultRule
from console.services.credits import PurchaseResult
from tests.views.credits.conftest import Env

WAIT = 15_000


def _buy(env: Env, qtbot: QtBot, credits: int) -> QPushButton:
    page = env.page
    qtbot.waitUntil(lambda: page.pack_button(credits) is not None, timeout=WAIT)
    button = page.pack_button(credits)
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return button


def _label_has(env: Env, text: str) -> Callable[[], bool]:
    return lambda: text in env.page.checkout_label.text()


def _refresh(env: Env, qtbot: QtBot, total: float) -> None:
    """Press Refresh and wait until the balance card shows `total`."""
    page = env.page
    qtbot.waitUntil(page.refresh_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.total_label.text() == f"{total:,.0f}", timeout=WAIT)


def _session_id(env: Env) -> str:
    return env.customer.urls[0].rsplit("/", 1)[-1]


def test_checkout_wait_shows_the_link_to_open_again_and_copy(env: Env, qtbot: QtBot) -> None:
    page = env.page
    env.customer.pay = False
    env.customer.browser = False  # no browser opens on this machine
    _buy(env, qtbot, 100)
    qtbot.waitUntil(page.checkout_link_row.isVisible, timeout=WAIT)
    url = env.customer.urls[0]
    assert page.checkout_link.text() == url
    assert url == env.r.stripe.checkout_session(_session_id(env))["url"]
    assert page.checkout_note.isVisible()
    assert "No browser opened" in page.checkout_note.text()
    qtbot.waitUntil(_label_has(env, "Waiting for payment of 100 credits"), timeout=WAIT)

    qtbot.mouseClick(page.open_again_button, Qt.MouseButton.LeftButton)
    assert env.customer.urls == [url, url]
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == url
    assert "Link copied" in page.checkout_note.text()
    # The link is the real, payable page of this session.
    assert "Pay \u20ac19.00" in httpx.get(url).text


def test_checkout_cancel_expires_the_session(env: Env, qtbot: QtBot) -> None:
    page, r = env.page, env.r
    env.customer.pay = False
    before = r.platform.balance().total
    button = _buy(env, qtbot, 100)
    qtbot.waitUntil(page.cancel_button.isEnabled, timeout=WAIT)
    assert not button.isEnabled()  # one checkout at a time
    assert page.cancel_button.text() == "Cancel purchase"
    with qtbot.waitSignal(page.purchase_finished, timeout=WAIT) as finished:
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    result = finished.args[0]
    assert isinstance(result, PurchaseResult)
    assert not result.granted
    assert "Purchase cancelled" in page.checkout_label.text()
    assert "nothing was charged" in page.checkout_label.text()
    assert not page.checkout_link_row.isVisible()
    assert not page.cancel_button.isEnabled()
    assert button.isEnabled()
    # Stripe: the session is expired and its page can no longer be paid.
    session = r.stripe.checkout_session(_session_id(env))
    assert session["status"] == "expired"
    paid = httpx.post(f"{env.customer.urls[0]}/pay", data={"method": "card"})
    assert paid.status_code == 400
    assert r.stripe.checkout_session(_session_id(env))["payment_status"] == "unpaid"
    assert r.platform.balance().total == before


def test_checkout_delayed_payment_shows_processing_then_the_credits(env: Env, qtbot: QtBot) -> None:
    page, r = env.page, env.r
    env.customer.method = "sepa_debit"
    before = r.platform.balance()
    _buy(env, qtbot, 500)
    qtbot.waitUntil(_label_has(env, "processing"), timeout=WAIT)
    assert "The credits arrive when the bank confirms" in page.checkout_label.text()
    assert page.cancel_button.text() == "Stop watching"
    assert not page.checkout_link_row.isVisible()
    assert r.platform.balance().purchased == before.purchased  # nothing granted yet
    with qtbot.waitSignal(page.purchase_finished, timeout=WAIT) as finished:
        r.stripe.finish_delayed_payment(_session_id(env), succeeded=True)
    result = finished.args[0]
    assert isinstance(result, PurchaseResult)
    assert result.grant is not None
    assert result.grant.checkout_session_id == _session_id(env)
    after = r.platform.balance()
    assert after.purchased == pytest.approx(before.purchased + 500)
    assert "Done: 500 credits added" in page.checkout_label.text()
    qtbot.waitUntil(lambda: page.total_label.text() == f"{after.total:,.0f}", timeout=WAIT)


def test_checkout_delayed_payment_refused_says_so(env: Env, qtbot: QtBot) -> None:
    page, r = env.page, env.r
    env.customer.method = "sepa_debit"
    before = r.platform.balance().total
    _buy(env, qtbot, 100)
    qtbot.waitUntil(_label_has(env, "processing"), timeout=WAIT)
    with qtbot.waitSignal(page.purchase_finished, timeout=WAIT) as finished:
        r.stripe.finish_delayed_payment(_session_id(env), succeeded=False)
    assert not finished.args[0].granted
    assert "The bank refused the payment" in page.checkout_label.text()
    assert not page.cancel_button.isEnabled()
    assert r.platform.balance().total == before


def test_checkout_daily_grant_during_the_wait_is_not_the_purchase(env: Env, qtbot: QtBot) -> None:
    page, r = env.page, env.r
    r.platform.set_balance(daily=0)
    before = r.platform.balance()
    _refresh(env, qtbot, before.total)  # what the console knows when the purchase starts
    # Stripe's deliveries to the platform fail for now, so the purchase is
    # paid in Stripe but not granted yet while the day's credits arrive.
    r.platform.faults.add(
        FaultRule("status", path="/stripe/webhook$", method="POST", status=500, times=None)
    )
    finished: list[PurchaseResult] = []
    page.purchase_finished.connect(finished.append)
    _buy(env, qtbot, 500)
    qtbot.waitUntil(_label_has(env, "Paid. Waiting for the platform"), timeout=WAIT)

    # Counts the console's requests for transactions (a fault that changes nothing).
    polls = r.platform.faults.add(
        FaultRule("slow", path="/credits/transactions$", method="GET", times=None)
    )
    env.clock.next_day()
    _refresh(env, qtbot, before.total + 5)
    assert r.platform.transactions(kind="daily_grant")[0].checkout_session_id is None
    # The purchase's wait has looked at the platform again since the grant.
    seen = polls.hits
    qtbot.waitUntil(lambda: polls.hits >= seen + 2, timeout=WAIT)
    # The balance went up, but not by this purchase: the wait goes on.
    assert "Paid. Waiting for the platform" in page.checkout_label.text()
    assert finished == []
    assert r.platform.transactions(checkout_session_id=_session_id(env)) == []

    r.platform.faults.clear()
    with qtbot.waitSignal(page.purchase_finished, timeout=WAIT):
        assert all(d.ok for d in r.stripe.redeliver())
    result = finished[0]
    assert result.grant is not None
    assert result.grant.checkout_session_id == _session_id(env)
    assert result.grant.amount == 500
    after = r.platform.balance()
    assert after.total == pytest.approx(before.total + 5 + 500)
    assert result.balance_after == pytest.approx(after.total)
    assert "Done: 500 credits added" in page.checkout_label.text()
