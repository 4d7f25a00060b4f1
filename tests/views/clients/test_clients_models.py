"""Item models of the Clients and Credits sections: Qt's model checks, data per role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt

from console.services.clients import AttentionItem, ClientSummary
from console.services.credits import TransactionRow, UsageRow
from console.views.models.clients import (
    AttentionTableModel,
    ClientColumn,
    ClientsProxy,
    ClientsTableModel,
    Role,
)
from console.views.models.credits import (
    TransactionColumn,
    TransactionsProxy,
    TransactionsTableModel,
    UsageTableModel,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _client(name: str, **kw: Any) -> ClientSummary:
    values: dict[str, Any] = {
        "id": f"org_{name.lower()}",
        "name": name,
        "slug": name.lower(),
        "status": "active",
        "pending": False,
        "contact_email": f"{name.lower()}@client.test",
        "brand_color": "#123456",
        "logo_url": "",
        "portal_url": f"https://{name.lower()}.vercel.app",
        "projects": 2,
        "live_sites": 1,
        "open_conversations": 3,
        "handoffs_waiting": 0,
        "failing_deployments": 0,
        "credits_this_month": 12.5,
        "low_credits": False,
        "attention": (),
    }
    values.update(kw)
    return ClientSummary(**values)


def test_clients_table_model(qtmodeltester: Any) -> None:
    model = ClientsTableModel()
    model.set_rows(
        [
            _client("Alpha"),
            _client("Beta", handoffs_waiting=2, attention=("2 handoffs waiting",)),
            _client("Gamma", pending=True, portal_url=""),
        ]
    )
    qtmodeltester.check(model)
    assert model.index(1, ClientColumn.HANDOFFS).data() == "2"
    assert model.index(1, ClientColumn.HANDOFFS).data(Role.SORT) == 2
    assert model.index(0, ClientColumn.HANDOFFS).data() == "–"
    assert model.index(2, ClientColumn.STATUS).data() == "active · syncing"
    assert model.index(2, ClientColumn.PORTAL).data() == "not deployed"
    assert (
        model.index(0, ClientColumn.PORTAL).data(Qt.ItemDataRole.ToolTipRole).startswith("https://")
    )
    assert model.index(0, 0).data(Role.OBJECT).id == "org_alpha"
    proxy = ClientsProxy()
    proxy.setSourceModel(model)
    proxy.set_attention_only(True)
    assert proxy.rowCount() == 1
    proxy.set_attention_only(False)
    proxy.set_text("gam")
    assert proxy.rowCount() == 1
    assert model.index_of("org_gamma").row() == 2


def test_attention_table_model(qtmodeltester: Any) -> None:
    model = AttentionTableModel(describe_time=lambda moment: moment.strftime("%H:%M"))
    model.set_rows(
        [
            AttentionItem("org_a", "Alpha", "failing_deployment", "Shop", "failed", NOW),
            AttentionItem("org_b", "Beta", "handoff_waiting", "Ann", "whatsapp: hi", None),
            AttentionItem("org_b", "Beta", "low_credits", "Shared credit pool", "12 used"),
        ]
    )
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == "Failing deployment"
    assert model.index(0, 4).data() == "12:00"
    assert model.index(1, 4).data() == ""
    assert model.index(2, 0).data(Role.ID) == "org_b"


def test_transactions_and_usage_models(qtmodeltester: Any) -> None:
    rows = [
        TransactionRow("t1", NOW, "llm_message", -1.0, "org_a", "Alpha", "Bella", "s1", "Reply"),
        TransactionRow(
            "t2", NOW - timedelta(days=40), "purchase", 500.0, "org_x", "Agency", "", "", "Pack"
        ),
        TransactionRow("t3", NOW, "tool_call", -0.5, "org_b", "Beta", "Petal", "s2", "Lookup"),
    ]
    model = TransactionsTableModel()
    model.set_rows(rows)
    qtmodeltester.check(model)
    assert model.index(1, TransactionColumn.AMOUNT).data() == "+500"
    assert model.index(0, TransactionColumn.AMOUNT).data() == "-1"
    assert model.index(2, TransactionColumn.KIND).data() == "Tool call"
    proxy = TransactionsProxy()
    proxy.setSourceModel(model)
    proxy.set_filters(kind="tool_call")
    assert [r.id for r in proxy.visible_rows()] == ["t3"]
    proxy.set_filters(org_id="org_a")
    assert [r.id for r in proxy.visible_rows()] == ["t1"]
    proxy.set_filters(text="pack")
    assert [r.id for r in proxy.visible_rows()] == ["t2"]
    usage = UsageTableModel("Agent")
    usage.set_rows([UsageRow("a", "Bella", 3.0, 1.5, 4)])
    qtmodeltester.check(usage)
    assert usage.index(0, 3).data() == "4.5"
    assert usage.headerData(0, Qt.Orientation.Horizontal) == "Agent"
