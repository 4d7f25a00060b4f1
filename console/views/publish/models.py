"""Item models of the publish wizard: the variables (scaffold, added, code), the review files."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from enum import IntEnum, StrEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from console.services.deploy.env import EnvRequirement
from console.services.publish import CustomEnvVar, FileChange
from console.services.scaffold import EnvVar

logger = logging.getLogger(__name__)

_DISPLAY = Qt.ItemDataRole.DisplayRole
_EDIT = Qt.ItemDataRole.EditRole
_CHECK = Qt.ItemDataRole.CheckStateRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
Index = QModelIndex | QPersistentModelIndex


class Role(IntEnum):
    OBJECT = Qt.ItemDataRole.UserRole + 1
    SORT = Qt.ItemDataRole.UserRole + 2


class EnvColumn(IntEnum):
    NAME = 0
    DESCRIPTION = 1
    SECRET = 2
    SOURCE = 3


_ENV_HEADERS = {
    EnvColumn.NAME: "Name",
    EnvColumn.DESCRIPTION: "Description",
    EnvColumn.SECRET: "Secret",
    EnvColumn.SOURCE: "Set by",
}


class ScaffoldEnvModel(QAbstractTableModel):
    """The variables the generated app reads (read-only; they follow the choices)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[EnvVar] = []

    def set_rows(self, rows: Sequence[EnvVar]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractTableModel.rowCount."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractTableModel.columnCount."""
        return 0 if parent.isValid() else len(EnvColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        """Override QAbstractTableModel.headerData."""
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return _ENV_HEADERS[EnvColumn(section)]
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Override QAbstractTableModel.data."""
        if not index.isValid():
            return None
        var = self._rows[index.row()]
        column = EnvColumn(index.column())
        if role == Role.OBJECT:
            return var
        if role in (_DISPLAY, Role.SORT):
            if column is EnvColumn.NAME:
                return var.name
            if column is EnvColumn.DESCRIPTION:
                return var.description
            if column is EnvColumn.SECRET:
                return "secret" if var.secret else ""
            return "the console, at deploy" if var.provided_by == "console" else "you"
        if role == _TOOLTIP and column is EnvColumn.DESCRIPTION:
            return var.description
        return None


class CustomEnvModel(QAbstractTableModel):
    """The variables the publisher adds: name and description editable, secret a checkbox."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[CustomEnvVar] = []

    def set_rows(self, rows: Sequence[CustomEnvVar]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> tuple[CustomEnvVar, ...]:
        return tuple(self._rows)

    def add_row(self) -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(CustomEnvVar(""))
        self.endInsertRows()
        return row

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractTableModel.rowCount."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractTableModel.columnCount (no "Set by": always the publisher)."""
        return 0 if parent.isValid() else EnvColumn.SECRET + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        """Override QAbstractTableModel.headerData."""
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return _ENV_HEADERS[EnvColumn(section)]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Override QAbstractTableModel.flags."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if EnvColumn(index.column()) is EnvColumn.SECRET:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Override QAbstractTableModel.data."""
        if not index.isValid():
            return None
        var = self._rows[index.row()]
        column = EnvColumn(index.column())
        if role == Role.OBJECT:
            return var
        if column is EnvColumn.SECRET:
            if role == _CHECK:
                return Qt.CheckState.Checked if var.secret else Qt.CheckState.Unchecked
            return None
        if role in (_DISPLAY, _EDIT, Role.SORT):
            return var.name if column is EnvColumn.NAME else var.description
        return None

    def setData(self, index: Index, value: Any, role: int = _EDIT) -> bool:
        """Override QAbstractTableModel.setData."""
        if not index.isValid():
            return False
        var = self._rows[index.row()]
        column = EnvColumn(index.column())
        if column is EnvColumn.SECRET and role == _CHECK:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            self._rows[index.row()] = CustomEnvVar(var.name, var.description, checked)
        elif column is EnvColumn.NAME and role == _EDIT:
            self._rows[index.row()] = CustomEnvVar(str(value), var.description, var.secret)
        elif column is EnvColumn.DESCRIPTION and role == _EDIT:
            self._rows[index.row()] = CustomEnvVar(var.name, str(value), var.secret)
        else:
            return False
        self.dataChanged.emit(index, index, [role])
        return True


class CodeEnvColumn(IntEnum):
    NAME = 0
    FILES = 1
    NEEDED = 2
    SECRET = 3


_CODE_ENV_HEADERS = {
    CodeEnvColumn.NAME: "Name",
    CodeEnvColumn.FILES: "Read in",
    CodeEnvColumn.NEEDED: "At deploy",
    CodeEnvColumn.SECRET: "Secret",
}


class CodeEnvModel(QAbstractTableModel):
    """The variables the project's own code reads beyond the listed ones (read-only)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[EnvRequirement] = []

    def set_rows(self, rows: Sequence[EnvRequirement]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> tuple[EnvRequirement, ...]:
        return tuple(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractTableModel.rowCount."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractTableModel.columnCount."""
        return 0 if parent.isValid() else len(CodeEnvColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        """Override QAbstractTableModel.headerData."""
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return _CODE_ENV_HEADERS[CodeEnvColumn(section)]
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Override QAbstractTableModel.data."""
        if not index.isValid():
            return None
        var = self._rows[index.row()]
        column = CodeEnvColumn(index.column())
        if role == Role.OBJECT:
            return var
        if role == Role.SORT:
            return (var.name, var.files, var.required, var.secret)[column]
        if role == _DISPLAY:
            if column is CodeEnvColumn.NAME:
                return var.name
            if column is CodeEnvColumn.FILES:
                more = len(var.files) - 1
                return var.files[0] + (f" (+{more})" if more > 0 else "") if var.files else ""
            if column is CodeEnvColumn.NEEDED:
                return "required: checked when a module loads" if var.required else "optional"
            return "secret" if var.secret else ""
        if role == _TOOLTIP and column is CodeEnvColumn.FILES:
            return "\n".join(var.files)
        return None


class FileColumn(IntEnum):
    STATUS = 0
    ORIGIN = 1
    PATH = 2


_FILE_HEADERS = {FileColumn.STATUS: "Change", FileColumn.ORIGIN: "From", FileColumn.PATH: "File"}
_STATUS_TEXT = {"added": "added", "modified": "modified", "unchanged": "", "removed": "removed"}
_ORIGIN_TEXT = {
    "project": "project",
    "layer": "integration",
    "merged": "merged",
    "moved": "integration, moved",
}


class FileFilter(StrEnum):
    """Which files the review list shows."""

    ALL = "All files"
    CHANGED = "Changed since the last publish"
    LAYER = "Added by the integration"
    MERGED = "Merged (project and integration)"
    MOVED = "Moved to a namespaced path"

    def admits(self, change: FileChange) -> bool:
        origin = change.origin.origin if change.origin else None
        if self is FileFilter.CHANGED:
            return change.status != "unchanged"
        if self is FileFilter.LAYER:
            return origin in ("layer", "moved")
        if self is FileFilter.MERGED:
            return origin == "merged"
        if self is FileFilter.MOVED:
            return origin == "moved"
        return True


class ReviewFilesModel(QAbstractTableModel):
    """Every file the push writes (and removes): its change since the last publish and origin."""

    def __init__(self) -> None:
        super().__init__()
        self._all: list[FileChange] = []
        self._rows: list[FileChange] = []
        self._filter = FileFilter.ALL

    def set_rows(self, rows: Sequence[FileChange]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._rows = [c for c in self._all if self._filter.admits(c)]
        self.endResetModel()

    def set_filter(self, kind: FileFilter) -> None:
        self._filter = kind
        self.set_rows(self._all)

    def count(self, kind: FileFilter) -> int:
        return sum(1 for c in self._all if kind.admits(c))

    def change(self, row: int) -> FileChange | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, path: str) -> int:
        return next((i for i, c in enumerate(self._rows) if c.path == path), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractTableModel.rowCount."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractTableModel.columnCount."""
        return 0 if parent.isValid() else len(FileColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        """Override QAbstractTableModel.headerData."""
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return _FILE_HEADERS[FileColumn(section)]
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Override QAbstractTableModel.data."""
        if not index.isValid():
            return None
        change = self._rows[index.row()]
        column = FileColumn(index.column())
        if role == Role.OBJECT:
            return change
        if role in (_DISPLAY, Role.SORT):
            if column is FileColumn.STATUS:
                return _STATUS_TEXT[change.status]
            if column is FileColumn.ORIGIN:
                return _ORIGIN_TEXT[change.origin.origin] if change.origin else ""
            return change.path
        if role == _TOOLTIP and change.origin is not None and change.origin.note:
            return f"{change.path}: {change.origin.note}"
        return None
