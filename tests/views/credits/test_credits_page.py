"""The Credits page driven like a user, against served platform and Stripe sandboxes."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.services.credits import PurchaseResult
from tests.views.credits.conftest import Env


def _wait(qtbot: QtBot, task: Any, timeout: int = 15000) -> Any:
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def test_credits_page_buy_500_pack_end_to_end(env: Env, qtbot: QtBot) -> None:
    page, r = env.page, env.r
    before = r.platform.balance()
    page.load_catalog()
    qtbot.waitUntil(lambda: page.pack_button(500) is not None, timeout=10000)
    button = page.pack_button(500)
    assert button is not None
    assert "500 credits" in button.text()
    assert "€79" in button.text()

    with qtbot.waitSignal(page.purchase_finished, timeout=15000) as finished:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert page.checkout_box.isVisible()
    result = finished.args[0]
    assert isinstance(result, PurchaseResult)

    # The session: credit pack metadata, opened in the "browser", paid.
    assert len(env.customer.urls) == 1
    assert result.session.kind == "credit-pack"
    assert result.session.credits == 500
    assert result.session.org_id == r.platform.agency_id
    assert result.session.paid
    qtbot.waitUntil(env.customer.payments[0].done, timeout=10000)
    outcome = env.customer.payments[0].result()
    # Stripe delivered the event to the platform, which verified its signature.
    assert outcome.deliveries
    assert all(d.ok for d in outcome.deliveries)
    assert result.granted
    after = r.platform.balance()
    assert after.purchased >= before.purchased + 500
    assert result.balance_after == pytest.approx(after.total)
    # The UI shows the new balance, from the store.
    qtbot.waitUntil(lambda: page.total_label.text() == f"{after.total:,.0f}", timeout=3000)
    assert f"Purchased {after.purchased:,.1f}" in page.parts_label.text()
    assert "added" in page.checkout_label.text()
    kinds = [row.kind for row in page.transactions_model.rows()[:5]]
    assert "purchase" in kinds
    assert env.r.check_stripe_contract() >= 4


def test_credits_page_pack_grants_exactly_500(env: Env, qtbot: QtBot) -> None:
    page, r = env.page, env.r
    before = r.platform.balance()
    page.load_catalog()
    qtbot.waitUntil(lambda: page.pack_button(500) is not None, timeout=10000)
    button = page.pack_button(500)
    assert button is not None
    with qtbot.waitSignal(page.purchase_finished, timeout=15000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert r.platform.balance().purchased == pytest.approx(before.purchased + 500)
    assert page.total_label.text() == f"{before.total + 500:,.0f}"


def test_credits_page_bad_signature_grants_nothing(env: Env, qtbot: QtBot) -> None:
    r = env.r
    before = r.platform.balance()
    event = {
        "id": "evt_forged_1",
        "object": "event",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": "cs_forged",
                "object": "checkout.session",
                "metadata": {
                    "type": "credit-pack",
                    "orgId": r.platform.agency_id,
                    "credits": "500",
                },
            }
        },
    }
    body = json.dumps(event).encode()
    good = r.platform.stripe_signature(body)
    forged = good.replace(good.split("v1=")[1], "0" * 64)
    with httpx.Client() as http:
        bad = http.post(
            r.webhook_url,
            content=body,
            headers={"Stripe-Signature": forged, "Content-Type": "application/json"},
        )
        unsigned = http.post(r.webhook_url, content=body)
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_signature"
    assert unsigned.status_code == 400
    assert r.platform.balance().purchased == before.purchased

    # The UI, refreshed, still shows the old balance.
    task = env.page.refresh()
    _wait(qtbot, task)
    assert env.page.total_label.text() == f"{before.total:,.0f}"


def test_credits_page_low_banner_and_wall_thresholds(env: Env, qtbot: QtBot) -> None:
    r, page, banner = env.r, env.page, env.banner
    allocation = r.platform.balance().monthly_allocation
    assert allocation == 2000
    cases = [
        (400.0, "ok"),  # exactly 20%: not low yet
        (399.0, "low"),
        (0.5, "low"),
        (0.0, "empty"),
    ]
    for monthly, expected in cases:
        r.platform.set_balance(daily=0, monthly=monthly, purchased=0)
        _wait(qtbot, page.refresh())
        state = env.controller.state
        assert state is not None
        assert state.level == expected, monthly
        assert banner.isHidden() == (expected == "ok")
        assert page.wall.isHidden() == (expected != "empty")
        if expected == "low":
            assert "Credits low" in banner.text_label.text()
        if expected == "empty":
            assert "Out of credits" in banner.text_label.text()
            text = page.wall.text_label.text()
            assert "400 credits" in text  # the shortfall back to the 20% level
            assert "credit pack" in text
            assert "tier upgrade" in text


def test_credits_page_filters_and_csv_export(env: Env, qtbot: QtBot, tmp_path: Path) -> None:
    page = env.page
    total = page.transactions_model.rowCount()
    assert total > 50
    assert page.chart.series_count() == 1
    assert sum(d.total for d in page.chart.days) > 0
    assert page.agents_model.rowCount() > 0
    assert page.clients_model.rowCount() > 0
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("tool_call"))
    shown = page.transactions_proxy.rowCount()
    assert 0 < shown < total
    with qtbot.waitSignal(env.messages.info_shown):
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert env.saved[0].startswith("credit-transactions-")
    with (tmp_path / "export.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == shown
    assert {row["kind"] for row in rows} == {"tool_call"}


def test_credits_page_invoices_and_portal(env: Env, qtbot: QtBot) -> None:
    page = env.page
    env.customer.pay = False
    qtbot.mouseClick(page.portal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(env.customer.urls) == 1, timeout=10000)
    page.load_invoices()
    qtbot.waitUntil(
        lambda: page.invoices_label.text() != "Invoices come from Stripe.", timeout=10000
    )
    assert page.invoices_label.text() in ("No invoices yet.",) or page.invoice_model.rowCount() > 0
    assert env.r.check_stripe_contract() >= 2
