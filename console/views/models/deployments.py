"""The deployment history table model (one project's deployments, newest first).

Small (tens of rows): `set_rows()` resets. Rows are read from the store by
`load_deployments()`; `data()` only indexes precomputed tuples.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from sqlalchemy import select

from console import resources
from console.services.deploy.history import production_deployment, production_pin
from console.store.db import Store
from console.store.models import Deployment

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


@dataclass(frozen=True)
class DeploymentItem:
    """One deployment as the history shows it."""

    id: str
    state: str
    created_at: datetime
    ready_at: datetime | None
    commit_sha: str | None
    trigger: str
    triggered_by: str | None
    url: str | None
    error: str | None
    production: bool
    target: str = "production"
    pinned: bool = False  # production is pinned to it (after a rollback)

    @property
    def duration(self) -> float | None:
        if self.ready_at is None:
            return None
        return max(0.0, (_aware(self.ready_at) - _aware(self.created_at)).total_seconds())

    @property
    def rollback_candidate(self) -> bool:
        return self.state == "READY" and not self.production


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.0f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def load_deployments(store: Store, project_id: int) -> list[DeploymentItem]:
    """The project's deployments from the store, newest first."""
    production = production_deployment(store, project_id)
    pin = production_pin(store, project_id)
    pinned = pin.deployment_id if pin is not None else None
    with store.read() as session:
        rows = session.scalars(
            select(Deployment)
            .where(Deployment.project_id == project_id)
            .order_by(Deployment.created_at.desc())
        )
        return [
            DeploymentItem(
                id=r.id,
                state=r.state,
                created_at=_aware(r.created_at),
                ready_at=_aware(r.ready_at) if r.ready_at else None,
                commit_sha=r.commit_sha,
                trigger=r.trigger,
                triggered_by=r.triggered_by,
                url=r.url,
                error=r.error,
                production=r.id == production,
                target=r.target,
                pinned=r.id == pinned,
            )
            for r in rows
        ]


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


@dataclass(frozen=True)
class DomainItem:
    name: str
    verified: bool
    records: tuple[tuple[str, str, str, str], ...]  # type, name, value, purpose

    @property
    def status(self) -> str:
        return "Active: verified, HTTPS answers" if self.verified else "Waiting for DNS / SSL"

    @property
    def records_text(self) -> str:
        return "\n".join(f"{t} {n} → {v}  ({p})" for t, n, v, p in self.records)


def load_domains(store: Store, project_id: int) -> list[DomainItem]:
    from console.store.models import Domain

    with store.read() as session:
        rows = session.scalars(
            select(Domain).where(Domain.project_id == project_id).order_by(Domain.name)
        )
        return [
            DomainItem(
                r.name,
                r.verified,
                tuple(
                    (str(x["type"]), str(x["name"]), str(x["value"]), str(x["purpose"]))
                    for x in r.records
                ),
            )
            for r in rows
        ]


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
