"""The deployment history table model (one project's deployments, newest first).

Small (tens of rows): `set_rows()` resets. Rows are plain `DeploymentItem`s read
by `console.services.deploy.queries.load_deployments()`; `data()` only indexes
precomputed tuples.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from console import resources
from console.services.deploy.queries import (
    DeploymentItem,
    DomainItem,
    load_deployments,
    load_domains,
)

logger = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    STATE = 0
    CREATED = 1
    DURATION = 2
    COMMIT = 3
    TRIGGER = 4
    WHO = 5
    URL = 6

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    Column.STATE: "State",
    Column.CREATED: "Created",
    Column.DURATION: "Duration",
    Column.COMMIT: "Commit",
    Column.TRIGGER: "Trigger",
    Column.WHO: "Who",
    Column.URL: "URL",
}


class Role(IntEnum):
    OBJECT = int(Qt.ItemDataRole.UserRole) + 1  # the DeploymentItem
    SORT = int(Qt.ItemDataRole.UserRole) + 2  # comparable key of the cell's column
    ID = int(Qt.ItemDataRole.UserRole) + 3  # the Vercel deployment id


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.0f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


#: Theme token (resources/styles/*.json) that colours each state.
STATE_TOKENS = {
    "READY": "ok",
    "ERROR": "error_fg",
    "CANCELED": "muted",
    "QUEUED": "sandbox_fg",
    "INITIALIZING": "sandbox_fg",
    "BUILDING": "sandbox_fg",
}


class DeploymentsTableModel(QAbstractTableModel):
    """Deployments of one project: state, created, duration, commit, trigger, who, URL."""

    def __init__(self, parent: QObject | None = None, *, dark: bool = False) -> None:
        super().__init__(parent)
        tokens = resources.theme_tokens(dark)
        self._colors = {state: QBrush(QColor(tokens[t])) for state, t in STATE_TOKENS.items()}
        self._items: list[DeploymentItem] = []
        self._texts: list[tuple[str, ...]] = []
        self._keys: list[tuple[Any, ...]] = []

    # ------------------------------------------------------------------ public API

    def set_rows(self, items: Sequence[DeploymentItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._texts = [self._row_texts(i) for i in self._items]
        self._keys = [self._row_keys(i) for i in self._items]
        self.endResetModel()

    def item(self, row: int) -> DeploymentItem:
        return self._items[row]

    def row_of(self, deployment_id: str) -> int:
        return next((n for n, i in enumerate(self._items) if i.id == deployment_id), -1)

    # ------------------------------------------------------------------ Qt overrides

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.columnCount."""
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Override QAbstractItemModel.headerData."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return Column(section).title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Override QAbstractItemModel.data."""
        if not index.isValid() or index.row() >= len(self._items):
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[row][column]
        if role == Role.SORT:
            return self._keys[row][column]
        if role == Role.OBJECT:
            return self._items[row]
        if role == Role.ID:
            return self._items[row].id
        if role == Qt.ItemDataRole.ToolTipRole:
            item = self._items[row]
            return item.error or (item.commit_sha or "")
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.STATE:
            return self._colors.get(self._items[row].state)
        return None

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _row_texts(item: DeploymentItem) -> tuple[str, ...]:
        marker = "  (production, pinned)" if item.pinned else "  (production)"
        state = item.state + (marker if item.production else "")
        return (
            state,
            item.created_at.astimezone().strftime("%d %b %H:%M:%S"),
            format_duration(item.duration),
            (item.commit_sha or "-")[:7],
            item.trigger,
            item.triggered_by or "-",
            item.url or "-",
        )

    @staticmethod
    def _row_keys(item: DeploymentItem) -> tuple[Any, ...]:
        return (
            item.state,
            item.created_at.timestamp(),
            -1.0 if item.duration is None else item.duration,
            item.commit_sha or "",
            item.trigger,
            item.triggered_by or "",
            item.url or "",
        )


class DomainColumn(IntEnum):
    NAME = 0
    STATUS = 1
    RECORDS = 2


_DOMAIN_TITLES = {
    DomainColumn.NAME: "Domain",
    DomainColumn.STATUS: "Status",
    DomainColumn.RECORDS: "DNS records to set",
}


class DomainsTableModel(QAbstractTableModel):
    """A project's custom domains, their state and the DNS records to set."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[DomainItem] = []

    def set_rows(self, items: Sequence[DomainItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> DomainItem:
        return self._items[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.columnCount."""
        return 0 if parent.isValid() else len(DomainColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Override QAbstractItemModel.headerData."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _DOMAIN_TITLES[DomainColumn(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Override QAbstractItemModel.data."""
        if not index.isValid() or index.row() >= len(self._items):
            return None
        item = self._items[index.row()]
        column = DomainColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is DomainColumn.NAME:
                return item.name
            if column is DomainColumn.STATUS:
                return item.status
            return item.records_text
        if role == Role.OBJECT:
            return item
        if role == Role.SORT:
            return (item.name, item.verified, item.records_text)[column]
        return None


#: The items and their query functions live in the services; re-exported for callers of old.
__all__ = [
    "Column",
    "DeploymentItem",
    "DeploymentsTableModel",
    "DomainColumn",
    "DomainItem",
    "DomainsTableModel",
    "Role",
    "format_duration",
    "load_deployments",
    "load_domains",
]
