"""Panels for what a deploy or provisioning run left for a person to decide.

- `AttentionRunsPanel`: the runs of one pipeline that ended failed, canceled or
  with a warning (a deployment kept although its health check failed), each
  with what it offers: run it again, or roll it back for good (everything the
  run created is removed, production points back at what served before).
- `LeftBehindPanel`: what rollbacks could not remove (a repository the GitHub
  token may not delete), with a one-click cleanup once the right is granted.

Both hide themselves when there is nothing to show and refresh from the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.changes import ChangeSet
from console.services.deploy.ledger import CleanupResult, Ledger
from console.services.deploy.pipeline import Pipeline, RunAttention
from console.views.bridge import StoreBridge
from console.views.models.clients import Role
from console.views.models.runs import AttentionRunsModel, LeftBehindModel
from console.views.tasks import TaskRunner
from console.views.widgets.tables import record_table

logger = logging.getLogger(__name__)

#: Tables whose writes can change what these panels show.
WATCHED = ("pipeline_runs", "remote_resources")
Abandon = Callable[[int], Coroutine[Any, Any, object]]


def fit_rows(table: QTableView, rows: int, most: int = 4) -> None:
    """As tall as `rows` rows (at most `most`, then it scrolls): these lists are short."""
    shown = max(1, min(rows, most))
    height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
    table.setFixedHeight(height + shown * table.verticalHeader().defaultSectionSize())


class AttentionRunsPanel(QFrame):
    """The runs of `pipeline` that need a person.

    Args:
        tasks: the TaskRunner (rolling back runs through it).
        bridge: refreshes the list when runs change.
        pipeline: whose runs to show.
        title: the caption ("Client provisioning that needs you").

    Signals:
        run_requested(int): run this run again (the owner shows its progress).
    """

    run_requested = Signal(int)

    def __init__(
        self,
        tasks: TaskRunner,
        bridge: StoreBridge,
        pipeline: Pipeline,
        *,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._bridge = bridge
        self._pipeline = pipeline
        self._title = title
        self.confirm_box: QMessageBox | None = None
        self._setup_ui()
        self._connect_signals()
        self.reload()

    def reload(self) -> None:
        self.model.set_rows(self._pipeline.needs_attention())
        count = self.model.rowCount()
        self.caption.setText(f"{self._title} ({count})")
        self.setVisible(count > 0)
        fit_rows(self.table, count)
        if count and self.selected() is None:
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self) -> RunAttention | None:
        rows = self.table.selectionModel().selectedRows()
        item = rows[0].data(int(Role.OBJECT)) if rows else None
        return item if isinstance(item, RunAttention) else None

    # --- slots -------------------------------------------------------------------
    @Slot(object)
    def _on_bridge_changed(self, changes: ChangeSet) -> None:
        if changes.touches(*WATCHED):
            self.reload()

    @Slot()
    def _on_selection_changed(self) -> None:
        self._update_buttons()

    @Slot()
    def _on_run_clicked(self) -> None:
        item = self.selected()
        if item is not None:
            self.run_requested.emit(item.run_id)

    @Slot()
    def _on_roll_back_clicked(self) -> None:
        item = self.selected()
        if item is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Roll back for good",
            f"Remove everything this run created for {item.name}"
            + (", its client organization too" if self._pipeline.kind == "provision" else "")
            + "? Production goes back to what served before.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        self.confirm_box = box
        box.finished.connect(lambda code: self._on_roll_back_confirmed(box, item, code))
        box.open()

    def _on_roll_back_confirmed(self, box: QMessageBox, item: RunAttention, code: int) -> None:
        box.deleteLater()
        self.confirm_box = None
        if code == QMessageBox.StandardButton.Yes:
            self.roll_back_task = self._tasks.start(
                self, self._pipeline.abandon(item.run_id), busy=[self.roll_back_button]
            )

    # --- helpers -----------------------------------------------------------------
    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        self.caption = QLabel(self._title)
        self.caption.setObjectName("EmptyTitle")
        layout.addWidget(self.caption)
        self.model = AttentionRunsModel(self)
        self.table = record_table(self.model, stretch=3)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.run_button = QPushButton("Retry")
        self.roll_back_button = QPushButton("Roll back…")
        row.addWidget(self.run_button)
        row.addWidget(self.roll_back_button)
        row.addStretch(1)
        layout.addLayout(row)

    def _connect_signals(self) -> None:
        self._bridge.changed.connect(self._on_bridge_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.run_button.clicked.connect(self._on_run_clicked)
        self.roll_back_button.clicked.connect(self._on_roll_back_clicked)

    def _update_buttons(self) -> None:
        item = self.selected()
        warning = item is not None and item.status == "warning"
        self.run_button.setText("Check again" if warning else "Retry")
        self.run_button.setToolTip(
            "Run the health check again (and what follows it)"
            if warning
            else "Continue from the step that failed"
        )
        self.run_button.setEnabled(item is not None)
        self.roll_back_button.setEnabled(item is not None)


class LeftBehindPanel(QFrame):
    """What rollbacks could not remove, and a cleanup that tries again.

    Args:
        tasks: the TaskRunner.
        bridge: refreshes the list when the ledger changes.
        ledger: the ledger of remote resources.
        clean_up: tries to remove every resource left behind.
    """

    def __init__(
        self,
        tasks: TaskRunner,
        bridge: StoreBridge,
        ledger: Ledger,
        clean_up: Callable[[], Coroutine[Any, Any, CleanupResult]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._bridge = bridge
        self._ledger = ledger
        self._clean_up = clean_up
        self._setup_ui()
        self._connect_signals()
        self.reload()

    def reload(self) -> None:
        self.model.set_rows(self._ledger.left_behind())
        count = self.model.rowCount()
        fit_rows(self.table, count)
        self.caption.setText(
            f"Left behind by rollbacks ({count}): the console could not remove "
            f"{'it' if count == 1 else 'them'}"
        )
        self.setVisible(count > 0)

    # --- slots -------------------------------------------------------------------
    @Slot(object)
    def _on_bridge_changed(self, changes: ChangeSet) -> None:
        if changes.touches(*WATCHED):
            self.reload()

    @Slot()
    def _on_clean_up_clicked(self) -> None:
        self.clean_up_task = self._tasks.start(
            self, self._clean_up(), busy=[self.clean_up_button], on_success=self._on_cleaned
        )

    def _on_cleaned(self, result: CleanupResult) -> None:
        if result.still_left:
            first = result.still_left[0]
            self.result_label.setText(
                f"{len(result.removed)} removed; {len(result.still_left)} still there: "
                f"{first.problem or ''}"
            )
        else:
            self.result_label.setText(f"Cleaned up: {len(result.removed)} removed.")
        self.reload()

    # --- helpers -----------------------------------------------------------------
    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        self.caption = QLabel()
        self.caption.setObjectName("EmptyTitle")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.model = LeftBehindModel(self)
        self.table = record_table(self.model, stretch=1)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        hint = QLabel(
            "Grant the missing right (for a repository: the token's delete_repo scope), "
            "then clean up."
        )
        hint.setObjectName("EmptyText")
        hint.setWordWrap(True)
        self.clean_up_button = QPushButton("Clean up")
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        row.addWidget(hint, 1)
        row.addWidget(self.clean_up_button)
        layout.addLayout(row)
        layout.addWidget(self.result_label)

    def _connect_signals(self) -> None:
        self._bridge.changed.connect(self._on_bridge_changed)
        self.clean_up_button.clicked.connect(self._on_clean_up_clicked)
