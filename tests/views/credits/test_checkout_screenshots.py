"""Screenshots of the checkout panel in each state a purchase goes through.

Saved under `$L4_SCREENSHOT_DIR` when set (e.g. /tmp), else the test's tmp dir.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console import resources
from tests.views.credits.conftest import Env

WAIT = 15_000


@pytest.fixture
def styled(qapp: QApplication) -> Iterator[None]:
    previous = qapp.styleSheet()
    qapp.setStyleSheet(resources.stylesheet(False))
    yield
    qapp.setStyleSheet(previous)


def test_checkout_panel_screenshots(env: Env, qtbot: QtBot, tmp_path: Path, styled: None) -> None:
    page, r, customer = env.page, env.r, env.customer
    folder = Path(os.environ.get("L4_SCREENSHOT_DIR") or tmp_path)
    qtbot.waitExposed(page)

    def shot(name: str) -> None:
        # The cards row: balance, tier and the buy card with its checkout panel.
        area = QRect(
            0, 0, page.width(), page.buy_box.mapTo(page, page.buy_box.rect().bottomLeft()).y() + 8
        )
        assert page.grab(area).save(str(folder / f"{name}.png"))

    def buy(credits: int) -> str:
        qtbot.waitUntil(lambda: page.pack_button(credits) is not None, timeout=WAIT)
        button = page.pack_button(credits)
        assert button is not None
        qtbot.waitUntil(button.isEnabled, timeout=WAIT)
        count = len(customer.urls)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(customer.urls) > count, timeout=WAIT)
        return customer.urls[-1].rsplit("/", 1)[-1]

    def label_has(text: str) -> None:
        qtbot.waitUntil(lambda: text in page.checkout_label.text(), timeout=WAIT)

    customer.pay, customer.browser = False, False
    buy(100)
    label_has("Waiting for payment")
    shot("checkout-waiting-no-browser")
    with qtbot.waitSignal(page.purchase_finished, timeout=WAIT):
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    shot("checkout-cancelled")

    customer.pay, customer.browser, customer.method = True, True, "sepa_debit"
    session_id = buy(500)
    label_has("processing")
    shot("checkout-processing")
    with qtbot.waitSignal(page.purchase_finished, timeout=WAIT):
        r.stripe.finish_delayed_payment(session_id, succeeded=True)
    shot("checkout-granted")

    session_id = buy(100)
    label_has("processing")
    with qtbot.waitSignal(page.purchase_finished, timeout=WAIT):
        r.stripe.finish_delayed_payment(session_id, succeeded=False)
    shot("checkout-failed")
    assert (folder / "checkout-failed.png").stat().st_size > 5_000
