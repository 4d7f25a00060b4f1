"""Item models of the Clients section: the clients list and the "needs attention" list.

Rows are typed service objects (`ClientSummary`, `AttentionItem`); display
strings and sort keys are computed once in `set_rows`, so `data()` does no
work (a proxy sort alone calls it ~29 times per row).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from console.services.clients import AttentionItem, ClientSummary

logger = logging.getLogger(__name__)

R = TypeVar("R")
AnyIndex = QModelIndex | QPersistentModelIndex

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ATTENTION_COLOR = QColor("#B45309")


class Role(IntEnum):
    OBJECT = Qt.ItemDataRole.UserRole + 1
    SORT = Qt.ItemDataRole.UserRole + 2
    ID = Qt.ItemDataRole.UserRole + 3
    ATTENTION = Qt.ItemDataRole.UserRole + 4


class RowTableModel(QAbstractTableModel, Generic[R]):
    """A read-only table of typed rows with precomputed cells.

    Subclasses give `headers` and `cells(row) -> [(display, sort), ...]`.
    """

    headers: Sequence[str] = ()
    numeric_columns: frozenset[int] = frozenset()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []
        self._cells: list[list[tuple[str, Any]]] = []

    # --- public API ---------------------------------------------------------
    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._cells = [self.cells(r) for r in self._rows]
        self.endResetModel()

    def rows(self) -> list[R]:
        return list(self._rows)

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def cells(self, row: R) -> list[tuple[str, Any]]:
        raise NotImplementedError

    def extra(self, row: R, column: int, role: int) -> Any:
        return None

    # --- Qt overrides -----------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.columnCount."""
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        """Override QAbstractItemModel.headerData."""
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.headers):
            if role == _DISPLAY:
                return self.headers[section]
            if role == _ALIGN and section in self.numeric_columns:
                return _RIGHT
        return None

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        """Override QAbstractItemModel.data."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        column = index.column()
        if not 0 <= column < len(self.headers):
            return None
        display, sort = self._cells[index.row()][column]
        if role == _DISPLAY:
            return display
        if role == Role.SORT:
            return sort
        if role == Role.OBJECT:
            return self._rows[index.row()]
        if role == _ALIGN and column in self.numeric_columns:
            return _RIGHT
        return self.extra(self._rows[index.row()], column, role)


def _count(n: int) -> tuple[str, int]:
    return (str(n) if n else "–", n)


class ClientColumn(IntEnum):
    NAME = 0
    STATUS = 1
    PROJECTS = 2
    LIVE = 3
    OPEN = 4
    HANDOFFS = 5
    CREDITS = 6
    PORTAL = 7
    ATTENTION = 8


class ClientsTableModel(RowTableModel[ClientSummary]):
    """One row per client with its figures."""

    headers = (
        "Client",
        "Status",
        "Projects",
        "Live",
        "Open",
        "Handoffs",
        "Credits/mo",
        "Portal",
        "Needs attention",
    )
    numeric_columns = frozenset(
        {
            ClientColumn.PROJECTS,
            ClientColumn.LIVE,
            ClientColumn.OPEN,
            ClientColumn.HANDOFFS,
            ClientColumn.CREDITS,
        }
    )

    def cells(self, row: ClientSummary) -> list[tuple[str, Any]]:
        status = f"{row.status} · syncing" if row.pending else row.status
        if row.portal_url:
            portal = "live" if row.status == "active" else row.status
        else:
            portal = "not deployed"
        return [
            (row.name, row.name.lower()),
            (status, row.status),
            _count(row.projects),
            _count(row.live_sites),
            _count(row.open_conversations),
            _count(row.handoffs_waiting),
            (
                f"{row.credits_this_month:,.1f}" if row.credits_this_month else "–",
                row.credits_this_month,
            ),
            (portal, row.portal_url),
            (", ".join(row.attention), len(row.attention)),
        ]

    def extra(self, row: ClientSummary, column: int, role: int) -> Any:
        if role == Role.ID:
            return row.id
        if role == Role.ATTENTION:
            return row.needs_attention
        if role == _DECORATION and column == ClientColumn.NAME and row.brand_color:
            return QColor(row.brand_color)
        if role == _FOREGROUND:
            if column == ClientColumn.ATTENTION and row.attention:
                return QBrush(ATTENTION_COLOR)
            if column == ClientColumn.HANDOFFS and row.handoffs_waiting:
                return QBrush(ATTENTION_COLOR)
        if role == _TOOLTIP:
            if column == ClientColumn.PORTAL and row.portal_url:
                return row.portal_url
            if column == ClientColumn.NAME:
                return f"{row.name} ({row.slug})\n{row.contact_email}"
        return None

    def index_of(self, client_id: str) -> QModelIndex:
        for i, r in enumerate(self._rows):
            if r.id == client_id:
                return self.index(i, 0)
        return QModelIndex()


class ClientsProxy(QSortFilterProxyModel):
    """Sorts on `Role.SORT`; filters by text and by "needs attention"."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(Role.SORT)
        self._text = ""
        self._attention_only = False

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text.strip().lower()
        self.endFilterChange()

    def set_attention_only(self, on: bool) -> None:
        self.beginFilterChange()
        self._attention_only = on
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        """Override QSortFilterProxyModel.filterAcceptsRow."""
        model = self.sourceModel()
        if not isinstance(model, ClientsTableModel):
            return True
        row = model.row_at(source_row)
        if self._attention_only and not row.needs_attention:
            return False
        if self._text:
            hay = f"{row.name} {row.slug} {row.contact_email}".lower()
            return self._text in hay
        return True


class AttentionColumn(IntEnum):
    KIND = 0
    CLIENT = 1
    SUBJECT = 2
    DETAIL = 3
    SINCE = 4


class AttentionTableModel(RowTableModel[AttentionItem]):
    """Everything across all clients that needs a human, most urgent kind first."""

    headers = ("Issue", "Client", "What", "Details", "Since")

    def __init__(self, parent: Any = None, *, describe_time: Callable[[datetime], str]) -> None:
        super().__init__(parent)
        self._describe_time = describe_time

    def cells(self, row: AttentionItem) -> list[tuple[str, Any]]:
        order = {"failing_deployment": 0, "handoff_waiting": 1, "low_credits": 2}[row.kind]
        since = self._describe_time(row.since) if row.since else ""
        return [
            (row.kind_label, order),
            (row.client_name, row.client_name.lower()),
            (row.subject, row.subject.lower()),
            (row.detail, row.detail.lower()),
            (since, row.since.timestamp() if row.since else 0.0),
        ]

    def extra(self, row: AttentionItem, column: int, role: int) -> Any:
        if role == Role.ID:
            return row.client_id
        if role == _FOREGROUND and column == AttentionColumn.KIND:
            return QBrush(ATTENTION_COLOR)
        if role == _TOOLTIP and column == AttentionColumn.DETAIL:
            return row.detail
        return None
