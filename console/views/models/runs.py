"""Item models of pipeline runs that need a person and of what rollbacks left behind."""

from __future__ import annotations

import logging
from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt

from console.services.deploy.ledger import Resource
from console.services.deploy.pipeline import RunAttention
from console.views.models.clients import ATTENTION_COLOR, RowTableModel

logger = logging.getLogger(__name__)

_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole

STATUS_TEXT = {
    "failed": "Failed, rolled back",
    "canceled": "Canceled, rolled back",
    "warning": "Deployed, with a warning",
}


class RunColumn(IntEnum):
    NAME = 0
    STATUS = 1
    STEP = 2
    WHY = 3


class AttentionRunsModel(RowTableModel[RunAttention]):
    """Runs that ended failed, canceled or with a warning (`Pipeline.needs_attention`)."""

    headers = ("Client or app", "Outcome", "Step", "Why")

    def cells(self, row: RunAttention) -> list[tuple[str, Any]]:
        return [
            (row.name, row.name.casefold()),
            (STATUS_TEXT.get(row.status, row.status), row.status),
            (row.step, row.step),
            (row.message, row.message),
        ]

    def extra(self, row: RunAttention, column: int, role: int) -> Any:
        if role == _TOOLTIP and column == RunColumn.WHY:
            return row.message
        if role == _FOREGROUND and column == RunColumn.STATUS and row.status == "warning":
            return ATTENTION_COLOR
        return None


class LeftColumn(IntEnum):
    WHAT = 0
    WHY = 1


class LeftBehindModel(RowTableModel[Resource]):
    """Remote resources a rollback could not remove (`Ledger.left_behind`)."""

    headers = ("Left behind", "Why it is still there")

    def cells(self, row: Resource) -> list[tuple[str, Any]]:
        return [(row.label, row.label.casefold()), (row.problem or "", row.problem or "")]

    def extra(self, row: Resource, column: int, role: int) -> Any:
        if role == _TOOLTIP:
            return row.problem
        return None
