"""Small item models of the project detail view (files, data needs, rules, history).

These lists are short (a project has tens to hundreds of files, ten data
needs, a dozen rules), so `set_rows()` resets and each model is a thin table
over typed rows from the service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QStyle

from console.services.projects.models import (
    DataNeed,
    Decision,
    DeploymentInfo,
    EnvVar,
    Evidence,
    FileInfo,
    Finding,
    RuleReport,
)

logger = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex


class Role(IntEnum):
    OBJECT = int(Qt.ItemDataRole.UserRole) + 1  # the row's typed object
    SORT = int(Qt.ItemDataRole.UserRole) + 2  # a comparable value of the cell


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_EDIT = int(Qt.ItemDataRole.EditRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_CHECK = int(Qt.ItemDataRole.CheckStateRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_OBJECT = int(Role.OBJECT)
_SORT = int(Role.SORT)

ORIGIN_LABELS = {
    "v0": "v0",
    "template": "template",
    "scaffold": "scaffold",
    "patch": "patched",
    "user": "edited",
}


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass(frozen=True)
class TableColumn:
    """One column of a `RowsModel`: title, text of a row, optional sort key and tooltip."""

    title: str
    text: Callable[[Any], str]
    sort: Callable[[Any], Any] | None = None
    tooltip: Callable[[Any], str] | None = None
    align_right: bool = False


class RowsModel(QAbstractTableModel):
    """A read-only table over a list of typed rows, described by `TableColumn`s."""

    def __init__(self, columns: Sequence[TableColumn], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: list[Any] = []
        self._texts: list[tuple[str, ...]] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = [tuple(c.text(r) for c in self._columns) for r in self._rows]
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_object(self, row: int) -> Any:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.columnCount."""
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Override QAbstractItemModel.data."""
        if not index.isValid():
            return None
        column = self._columns[index.column()]
        row = self._rows[index.row()]
        if role == _DISPLAY:
            return self._texts[index.row()][index.column()]
        if role == _OBJECT:
            return row
        if role == _SORT:
            return column.sort(row) if column.sort else self._texts[index.row()][index.column()]
        if role == _TOOLTIP and column.tooltip is not None:
            return column.tooltip(row)
        if role == _ALIGN and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        """Override QAbstractItemModel.headerData."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == _DISPLAY
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].title
        return None


def evidence_model(parent: QObject | None = None) -> RowsModel:
    return RowsModel(
        (
            TableColumn("File", lambda e: e.path),
            TableColumn("Line", lambda e: str(e.line), sort=lambda e: e.line, align_right=True),
            TableColumn("Signal", lambda e: e.signal),
            TableColumn("Code", lambda e: e.excerpt, tooltip=lambda e: e.excerpt),
        ),
        parent,
    )


def findings_model(parent: QObject | None = None) -> RowsModel:
    return RowsModel(
        (
            TableColumn(
                "",
                lambda f: {"blocker": "Blocker", "error": "Error", "warning": "Warning"}.get(
                    f.severity, "Note"
                ),
            ),
            TableColumn("Where", lambda f: f.where),
            TableColumn("What", lambda f: f.message, tooltip=lambda f: f.message),
        ),
        parent,
    )


def deployments_model(parent: QObject | None = None) -> RowsModel:
    def duration(d: DeploymentInfo) -> str:
        seconds = d.duration_seconds
        if seconds is None:
            return "—"
        return (
            f"{int(seconds // 60)} min {int(seconds % 60)} s"
            if seconds >= 60
            else f"{seconds:.0f} s"
        )

    return RowsModel(
        (
            TableColumn(
                "State", lambda d: d.state.capitalize(), tooltip=lambda d: d.error or d.state
            ),
            TableColumn(
                "Started",
                lambda d: d.created_at.astimezone().strftime("%d %b %Y %H:%M"),
                sort=lambda d: d.created_at,
            ),
            TableColumn("Duration", duration, sort=lambda d: d.duration_seconds or 0.0),
            TableColumn("Commit", lambda d: (d.commit_sha or "—")[:7]),
            TableColumn("Target", lambda d: d.target),
            TableColumn("URL", lambda d: d.url or "—"),
            TableColumn("Triggered by", lambda d: d.triggered_by or d.trigger),
        ),
        parent,
    )


def env_model(parent: QObject | None = None) -> RowsModel:
    return RowsModel(
        (
            TableColumn("Variable", lambda e: e.name),
            TableColumn(
                "When read", lambda e: "when a module loads" if e.checked_at_import else "on use"
            ),
            TableColumn("Build-time placeholder", lambda e: e.placeholder),
            TableColumn(
                "Read in", lambda e: ", ".join(e.files), tooltip=lambda e: "\n".join(e.files)
            ),
        ),
        parent,
    )


class DataNeedsModel(QAbstractTableModel):
    """Detected data needs with the user's decision (editable) and link target (editable)."""

    class Column(IntEnum):
        TYPE = 0
        CONFIDENCE = 1
        SIGNALS = 2
        DECISION = 3
        LINK = 4

    _TITLES = ("Data need", "Confidence", "Signals", "Decision", "Link to record")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._needs: list[DataNeed] = []
        self._dirty = False

    def set_needs(self, needs: Sequence[DataNeed]) -> None:
        self.beginResetModel()
        self._needs = list(needs)
        self._dirty = False
        self.endResetModel()

    def needs(self) -> list[DataNeed]:
        return list(self._needs)

    def need(self, row: int) -> DataNeed:
        return self._needs[row]

    @property
    def dirty(self) -> bool:
        return self._dirty

    def set_decision(self, row: int, decision: Decision) -> None:
        self.setData(self.index(row, self.Column.DECISION), decision.value, _EDIT)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self._needs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.columnCount."""
        return 0 if parent.isValid() else len(self._TITLES)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Override QAbstractItemModel.data."""
        if not index.isValid():
            return None
        need = self._needs[index.row()]
        column = index.column()
        if role == _OBJECT:
            return need
        if role == _DISPLAY:
            if column == self.Column.TYPE:
                return need.detection.label
            if column == self.Column.CONFIDENCE:
                return f"{need.detection.confidence:.0%}"
            if column == self.Column.SIGNALS:
                return ", ".join(need.detection.signals)
            if column == self.Column.DECISION:
                return need.decision.label + ("" if need.confirmed else " (suggested)")
            return need.link_id
        if role == _EDIT:
            if column == self.Column.DECISION:
                return need.decision.value
            if column == self.Column.LINK:
                return need.link_id
            return None
        if role == _SORT:
            if column == self.Column.CONFIDENCE:
                return need.detection.confidence
            return self.data(index, _DISPLAY)
        if role == _TOOLTIP:
            if column == self.Column.SIGNALS:
                return "\n".join(
                    f"{e.path}:{e.line}  {e.signal}" for e in need.detection.evidence[:12]
                )
            if column == self.Column.LINK:
                return "The id of an existing platform record to link (for Link to existing)."
            return None
        if role == _ALIGN and column == self.Column.CONFIDENCE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = _EDIT) -> bool:
        """Override QAbstractItemModel.setData: the decision or the link id."""
        if not index.isValid() or role != _EDIT:
            return False
        row = index.row()
        need = self._needs[row]
        if index.column() == self.Column.DECISION:
            try:
                decision = Decision(str(value))
            except ValueError:
                return False
            new = replace(need, decision=decision, confirmed=True)
        elif index.column() == self.Column.LINK:
            new = replace(need, link_id=str(value).strip(), confirmed=True)
            if new.link_id and need.decision is not Decision.LINK:
                new = replace(new, decision=Decision.LINK)
        else:
            return False
        if new == need:
            return False
        self._needs[row] = new
        self._dirty = True
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Override QAbstractItemModel.flags: decision and link are editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in (self.Column.DECISION, self.Column.LINK):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        """Override QAbstractItemModel.headerData."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == _DISPLAY
            and 0 <= section < len(self._TITLES)
        ):
            return self._TITLES[section]
        return None


class RulesModel(QAbstractTableModel):
    """Compatibility rules, checkable (on = applied), with what each changes."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reports: list[RuleReport] = []
        self._enabled: list[bool] = []

    def set_reports(self, reports: Sequence[RuleReport]) -> None:
        self.beginResetModel()
        self._reports = list(reports)
        self._enabled = [r.enabled for r in reports]
        self.endResetModel()

    def report(self, row: int) -> RuleReport:
        return self._reports[row]

    def disabled(self) -> set[str]:
        return {r.rule_id for r, on in zip(self._reports, self._enabled, strict=True) if not on}

    @property
    def dirty(self) -> bool:
        return any(r.enabled != on for r, on in zip(self._reports, self._enabled, strict=True))

    def set_enabled(self, row: int, enabled: bool) -> None:
        state = Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked
        self.setData(self.index(row, 0), state.value, _CHECK)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self._reports)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.columnCount."""
        return 0 if parent.isValid() else 2

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Override QAbstractItemModel.data."""
        if not index.isValid():
            return None
        report = self._reports[index.row()]
        if role == _DISPLAY:
            if index.column() == 0:
                return report.title
            return (
                report.summary
                if self._enabled[index.row()]
                else f"off · would change {report.summary}"
            )
        if role == _CHECK and index.column() == 0:
            return Qt.CheckState.Checked if self._enabled[index.row()] else Qt.CheckState.Unchecked
        if role == _OBJECT:
            return report
        if role == _SORT:
            return index.row()
        if role == _TOOLTIP:
            return report.description
        if (
            role == _FOREGROUND
            and index.column() == 1
            and not report.changed
            and not report.findings
        ):
            return (
                QApplication.palette().placeholderText().color()
                if QApplication.instance()
                else None
            )
        return None

    def setData(self, index: Index, value: Any, role: int = _EDIT) -> bool:
        """Override QAbstractItemModel.setData: turn a rule on or off."""
        if not index.isValid() or role != _CHECK or index.column() != 0:
            return False
        on = (
            Qt.CheckState(value) == Qt.CheckState.Checked
            if isinstance(value, int)
            else value == Qt.CheckState.Checked
        )
        if self._enabled[index.row()] == on:
            return False
        self._enabled[index.row()] = on
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), 1))
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Override QAbstractItemModel.flags."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        """Override QAbstractItemModel.headerData."""
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return ("Rule", "Effect")[section] if 0 <= section < 2 else None
        return None


class _Node:
    __slots__ = ("children", "info", "name", "parent", "path", "row")

    def __init__(self, name: str, path: str, parent: _Node | None, info: FileInfo | None) -> None:
        self.name = name
        self.path = path
        self.parent = parent
        self.info = info
        self.children: list[_Node] = []
        self.row = 0


class FileTreeModel(QAbstractItemModel):
    """A project's files as a folder tree (folders first), with each file's origin."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = _Node("", "", None, None)
        self._by_path: dict[str, _Node] = {}
        self._colors: dict[str, QColor] = {}

    def set_files(self, files: Sequence[FileInfo]) -> None:
        self.beginResetModel()
        self._root = _Node("", "", None, None)
        self._by_path = {}
        folders: dict[str, _Node] = {"": self._root}
        for info in sorted(files, key=lambda f: f.path):
            parts = info.path.split("/")
            parent = self._root
            for depth in range(len(parts) - 1):
                folder = "/".join(parts[: depth + 1])
                node = folders.get(folder)
                if node is None:
                    node = folders[folder] = _Node(parts[depth], folder, parent, None)
                    parent.children.append(node)
                parent = node
            leaf = _Node(parts[-1], info.path, parent, info)
            parent.children.append(leaf)
            self._by_path[info.path] = leaf
        _order(self._root)
        self.endResetModel()

    def set_origin_colors(self, colors: dict[str, QColor]) -> None:
        self._colors = dict(colors)

    def index_of(self, path: str) -> QModelIndex:
        node = self._by_path.get(path)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    def file_at(self, index: Index) -> FileInfo | None:
        node = self._node(index)
        return node.info if node is not None else None

    def _node(self, index: Index) -> _Node | None:
        if not index.isValid():
            return None
        node = index.internalPointer()
        return node if isinstance(node, _Node) else None

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """Override QAbstractItemModel.index."""
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        node = self._node(parent) or self._root
        return self.createIndex(row, column, node.children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        """Override QAbstractItemModel.parent."""
        node = self._node(index)
        if node is None or node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.rowCount."""
        if parent.isValid() and parent.column() != 0:
            return 0
        node = self._node(parent) or self._root
        return len(node.children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel.columnCount."""
        return 2

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Override QAbstractItemModel.data."""
        node = self._node(index)
        if node is None:
            return None
        info = node.info
        if role == _DISPLAY:
            if index.column() == 0:
                return node.name
            return ORIGIN_LABELS.get(info.origin, info.origin) if info else ""
        if role == _OBJECT:
            return info
        if role == _SORT:
            return (info is not None, node.name.casefold())
        if role == _TOOLTIP:
            if info is None:
                return node.path + "/"
            origin = ORIGIN_LABELS.get(info.origin, info.origin)
            return f"{info.path}\n{origin} · {human_size(info.size)}"
        if role == _DECORATION and index.column() == 0:
            app = QApplication.instance()
            if not isinstance(app, QApplication):
                return None
            pixmap = (
                QStyle.StandardPixmap.SP_DirIcon
                if info is None
                else QStyle.StandardPixmap.SP_FileIcon
            )
            return app.style().standardIcon(pixmap)
        if role == _FOREGROUND and info is not None and info.origin in self._colors:
            return self._colors[info.origin]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        """Override QAbstractItemModel.headerData."""
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return ("File", "Origin")[section] if 0 <= section < 2 else None
        return None


def _order(node: _Node) -> None:
    node.children.sort(key=lambda n: (n.info is not None, n.name.casefold()))
    for row, child in enumerate(node.children):
        child.row = row
        _order(child)


__all__ = [
    "DataNeedsModel",
    "EnvVar",
    "Evidence",
    "FileTreeModel",
    "Finding",
    "Role",
    "RowsModel",
    "RulesModel",
    "deployments_model",
    "env_model",
    "evidence_model",
    "findings_model",
    "human_size",
]
