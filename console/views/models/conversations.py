"""Item models of the Conversations section: the inbox and one thread.

The inbox keeps the matching session ids in order (the SQL query, run in a
worker thread by the page) and fetches rows in pages with
`canFetchMore`/`fetchMore`, so 10,000 sessions never become 10,000 Python
objects up front; `data()` only reads precomputed fields. Sorting and
filtering happen in SQL, never in a proxy (a proxy sort of 100,000 rows took 37 s).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from console.services.conversations import InboxRow, MessageItem

logger = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole

#: Rows of the first page (and kept across live refreshes).
PAGE = 200
#: Rows per `fetchMore` while scrolling: ~4 screenfuls, a few ms of store
#: read, so a scroll frame that triggers it stays within budget.
FETCH = 48


class InboxRole(IntEnum):
    OBJECT = Qt.ItemDataRole.UserRole + 1
    SORT = Qt.ItemDataRole.UserRole + 2
    SESSION_ID = Qt.ItemDataRole.UserRole + 3


class MessageRole(IntEnum):
    OBJECT = Qt.ItemDataRole.UserRole + 1
    SORT = Qt.ItemDataRole.UserRole + 2
    MESSAGE_ID = Qt.ItemDataRole.UserRole + 3


class InboxListModel(QAbstractListModel):
    """Sessions in newest-activity order; rows arrive in pages as the view scrolls.

    Args:
        load_rows: fetches `InboxRow`s for ids, in order (a store read).
    """

    def __init__(
        self, load_rows: Callable[[list[str]], list[InboxRow]], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._load_rows = load_rows
        self._ids: list[str] = []
        self._rows: list[InboxRow] = []
        self._fetching = False
        self._positions: dict[str, int] = {}

    # --- public API -----------------------------------------------------------
    @property
    def total(self) -> int:
        """How many sessions match (loaded or not)."""
        return len(self._ids)

    def set_result(self, ids: Sequence[str], rows: Sequence[InboxRow]) -> None:
        """A new query result: all matching ids and the rows of its first page(s)."""
        self.beginResetModel()
        self._ids = list(ids)
        self._rows = list(rows)
        self._reindex()
        self.endResetModel()

    def update_result(self, ids: Sequence[str], rows: Sequence[InboxRow]) -> None:
        """The same query re-run after a store change: keep selection and scroll.

        Same order: `dataChanged` for rows that changed. New order: a layout
        change with persistent indexes moved by session id.
        """
        new_ids = list(ids)
        new_rows = list(rows)
        old_order = [r.id for r in self._rows]
        new_order = [r.id for r in new_rows]
        if old_order == new_order:
            self._ids = new_ids
            changed = [
                i for i, (a, b) in enumerate(zip(self._rows, new_rows, strict=True)) if a != b
            ]
            self._rows = new_rows
            if changed:
                self.dataChanged.emit(self.index(min(changed)), self.index(max(changed)))
            return
        if len(new_rows) != len(self._rows):
            # Rows appeared or vanished: a reset is simplest and still cheap
            # (the view restores the selection by session id).
            self.set_result(new_ids, new_rows)
            return
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        old_ids = [
            self._rows[p.row()].id if p.row() < len(self._rows) else "" for p in old_persistent
        ]
        self._ids = new_ids
        self._rows = new_rows
        self._reindex()
        self.changePersistentIndexList(
            old_persistent,
            [
                self.index(self._positions[i]) if i in self._positions else QModelIndex()
                for i in old_ids
            ],
        )
        self.layoutChanged.emit()

    def loaded_ids(self) -> list[str]:
        return [r.id for r in self._rows]

    def row_of(self, session_id: str) -> int:
        """Row of a session, loading pages until it is reached; -1 if not in the result."""
        if session_id in self._positions:
            return self._positions[session_id]
        if session_id not in self._ids:
            return -1
        while session_id not in self._positions and self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())
        return self._positions.get(session_id, -1)

    def row_at(self, row: int) -> InboxRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # --- Qt overrides -------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: Index) -> bool:
        """Override QAbstractItemModel.canFetchMore."""
        return not parent.isValid() and len(self._rows) < len(self._ids)

    def fetchMore(self, parent: Index) -> None:
        """Override QAbstractItemModel.fetchMore: the next page of rows, from the store."""
        # A view may ask again from a rowsAboutToBeInserted handler: that page is on its way.
        if parent.isValid() or self._fetching:
            return
        start = len(self._rows)
        ids = self._ids[start : start + FETCH]
        rows = self._load_rows(ids)
        if not rows:
            # Vanished meanwhile; the next refresh drops them.
            self._ids = self._ids[:start]
            return
        self._fetching = True
        try:
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            for offset, row in enumerate(rows):
                self._positions[row.id] = start + offset
            self.endInsertRows()
        finally:
            self._fetching = False

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Override QAbstractItemModel.data."""
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == _DISPLAY:
            return row.customer_name
        if role == InboxRole.OBJECT:
            return row
        if role == InboxRole.SORT:
            return row.last_message_at.timestamp() if row.last_message_at else 0.0
        if role == InboxRole.SESSION_ID:
            return row.id
        if role == _TOOLTIP:
            return row.preview
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Override QAbstractItemModel.flags."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # --- helpers -----------------------------------------------------------------
    def _reindex(self) -> None:
        self._positions = {row.id: n for n, row in enumerate(self._rows)}


class ThreadListModel(QAbstractListModel):
    """The messages of one session, oldest first; reloads are diffed into inserts.

    The page reads the store and hands the rows in; `data()` does no I/O.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session_id: str | None = None
        self._messages: list[MessageItem] = []

    @property
    def session_id(self) -> str | None:
        return self._session_id

    def set_session(self, session_id: str | None, messages: Sequence[MessageItem]) -> None:
        self.beginResetModel()
        self._session_id = session_id
        self._messages = list(messages)
        self.endResetModel()

    def update_messages(self, messages: Sequence[MessageItem]) -> None:
        """Apply a re-read of the same session: new messages are inserted at the end."""
        new = list(messages)
        old_keys = [m.id for m in self._messages]
        new_keys = [m.id for m in new]
        if new_keys[: len(old_keys)] == old_keys:
            changed = [
                n
                for n, (a, b) in enumerate(zip(self._messages, new, strict=False))
                if a is not b and _differs(a, b)
            ]
            for n in changed:
                self._messages[n] = new[n]
            if changed:
                self.dataChanged.emit(self.index(min(changed)), self.index(max(changed)))
            if len(new) > len(old_keys):
                self.beginInsertRows(QModelIndex(), len(old_keys), len(new) - 1)
                self._messages = new
                self.endInsertRows()
            return
        self.set_session(self._session_id, new)

    def unsettled_ids(self) -> set[int]:
        """Our messages whose delivery may still change (pending or failed)."""
        return {m.id for m in self._messages if m.delivery != "sent"}

    def merged(self, fresh: Sequence[MessageItem]) -> list[MessageItem]:
        """The thread with `fresh` rows replacing or joining the shown ones, in order.

        Only the rows around a change are compared, so a live message in a
        long thread costs little more than in a short one.
        """
        replaced = {m.id: m for m in fresh}
        rows: list[MessageItem] = []
        touched: list[int] = []
        for n, message in enumerate(self._messages):
            row = replaced.pop(message.id, message)
            if row is not message:
                touched.append(n)
            rows.append(row)
        if replaced:
            touched.append(len(rows))
            rows.extend(sorted(replaced.values(), key=_order))
        last = len(rows) - 1
        in_order = all(
            (i == 0 or _order(rows[i - 1]) <= _order(rows[i]))
            and (i == last or _order(rows[i]) <= _order(rows[i + 1]))
            for i in touched
        )
        if not in_order:
            rows.sort(key=_order)
        return rows

    def message_at(self, row: int) -> MessageItem | None:
        return self._messages[row] if 0 <= row < len(self._messages) else None

    def messages(self) -> list[MessageItem]:
        return list(self._messages)

    def last_message_id(self) -> int:
        """The highest local id shown (0 for an empty thread)."""
        return max((m.id for m in self._messages), default=0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self._messages)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Override QAbstractItemModel.data."""
        if not index.isValid() or index.row() >= len(self._messages):
            return None
        message = self._messages[index.row()]
        if role == _DISPLAY:
            return message.text
        if role == MessageRole.OBJECT:
            return message
        if role == MessageRole.SORT:
            return _aware(message.created_at).timestamp()
        if role == MessageRole.MESSAGE_ID:
            return message.id
        if role == _TOOLTIP:
            return message.error or _aware(message.created_at).astimezone().strftime("%c")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Override QAbstractItemModel.flags."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def _differs(a: MessageItem, b: MessageItem) -> bool:
    return (a.delivery, a.error, a.text, a.author_name, a.remote_id, a.created_at) != (
        b.delivery,
        b.error,
        b.text,
        b.author_name,
        b.remote_id,
        b.created_at,
    )


def _order(message: MessageItem) -> tuple[datetime, int]:
    return _aware(message.created_at), message.id


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
