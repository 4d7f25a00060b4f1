"""Item models of the Credits section: transactions, usage per agent/client, invoices."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from console.services.credits import TransactionRow, UsageRow, eur
from console.services.stripe.models import Invoice
from console.views.models.clients import AnyIndex, Role, RowTableModel

logger = logging.getLogger(__name__)

_FOREGROUND = Qt.ItemDataRole.ForegroundRole
GRANT_COLOR = QColor("#15803D")

KIND_LABELS = {
    "llm_message": "LLM message",
    "tool_call": "Tool call",
    "daily_grant": "Daily grant",
    "monthly_grant": "Monthly grant",
    "purchase": "Purchase",
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TransactionColumn(IntEnum):
    DATE = 0
    KIND = 1
    AMOUNT = 2
    CLIENT = 3
    AGENT = 4
    DESCRIPTION = 5


class TransactionsTableModel(RowTableModel[TransactionRow]):
    """Credit transactions, as stored."""

    headers = ("Date", "Kind", "Credits", "Client", "Agent", "Description")
    numeric_columns = frozenset({TransactionColumn.AMOUNT})

    def cells(self, row: TransactionRow) -> list[tuple[str, Any]]:
        local = row.created_at.astimezone()
        return [
            (local.strftime("%Y-%m-%d %H:%M"), row.created_at.timestamp()),
            (KIND_LABELS.get(row.kind, row.kind), row.kind),
            (f"{row.amount:+,.2f}".rstrip("0").rstrip("."), row.amount),
            (row.org_name, row.org_name.lower()),
            (row.agent_name, row.agent_name.lower()),
            (row.description, row.description.lower()),
        ]

    def extra(self, row: TransactionRow, column: int, role: int) -> Any:
        if role == _FOREGROUND and column == TransactionColumn.AMOUNT and row.amount > 0:
            return QBrush(GRANT_COLOR)
        return None


class TransactionsProxy(QSortFilterProxyModel):
    """Filters transactions by kind, client, period and text; sorts on `Role.SORT`."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(Role.SORT)
        self._kind: str = ""
        self._org_id: str = ""
        self._days: int = 0
        self._text = ""
        self._now: Callable[[], datetime] = _utcnow

    def set_filters(
        self, *, kind: str = "", org_id: str = "", days: int = 0, text: str = ""
    ) -> None:
        """Empty or 0 means "any"."""
        self.beginFilterChange()
        self._kind, self._org_id, self._days = kind, org_id, days
        self._text = text.strip().lower()
        self.endFilterChange()

    def visible_rows(self) -> list[TransactionRow]:
        out = []
        for i in range(self.rowCount()):
            row = self.index(i, 0).data(Role.OBJECT)
            if isinstance(row, TransactionRow):
                out.append(row)
        return out

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        """Override QSortFilterProxyModel.filterAcceptsRow."""
        model = self.sourceModel()
        if not isinstance(model, TransactionsTableModel):
            return True
        row = model.row_at(source_row)
        if self._kind and row.kind != self._kind:
            return False
        if self._org_id and row.org_id != self._org_id:
            return False
        if self._days and row.created_at < self._now() - timedelta(days=self._days):
            return False
        if self._text:
            hay = f"{row.description} {row.agent_name} {row.org_name}".lower()
            return self._text in hay
        return True


class UsageColumn(IntEnum):
    NAME = 0
    LLM = 1
    TOOLS = 2
    TOTAL = 3
    OPERATIONS = 4


class UsageTableModel(RowTableModel[UsageRow]):
    """Spending per agent or per client."""

    numeric_columns = frozenset(
        {UsageColumn.LLM, UsageColumn.TOOLS, UsageColumn.TOTAL, UsageColumn.OPERATIONS}
    )

    def __init__(self, first_header: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = (first_header, "LLM messages", "Tool calls", "Total", "Operations")

    def cells(self, row: UsageRow) -> list[tuple[str, Any]]:
        return [
            (row.label, row.label.lower()),
            (f"{row.llm_messages:,.1f}", row.llm_messages),
            (f"{row.tool_calls:,.1f}", row.tool_calls),
            (f"{row.total:,.1f}", row.total),
            (f"{row.operations:,}", row.operations),
        ]


class InvoiceTableModel(RowTableModel[Invoice]):
    """Stripe invoices of the agency, newest first."""

    headers = ("Date", "Number", "Status", "Total")
    numeric_columns = frozenset({3})

    def cells(self, row: Invoice) -> list[tuple[str, Any]]:
        when = datetime.fromtimestamp(row.created, UTC).astimezone()
        total = (
            eur(row.total)
            if row.currency.lower() == "eur"
            else f"{row.total / 100:,.2f} {row.currency.upper()}"
        )
        return [
            (when.strftime("%Y-%m-%d"), row.created),
            (row.number or row.id, row.number or row.id),
            (row.status or "", row.status or ""),
            (total, row.total),
        ]

    def extra(self, row: Invoice, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.hosted_invoice_url
        return None
