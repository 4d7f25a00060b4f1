"""Settings > Diagnostics: what the console measures about itself, for bug reports."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.errors import ConsoleError
from console.views.loop_probe import LoopProbe
from console.views.messages import MessageBridge

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncFigures:
    """What the sync side reports (from `SyncEngine.status` and the outbox)."""

    state: str
    online: bool
    outbox_pending: int
    last_event_at: datetime | None


class DiagnosticsPanel(QGroupBox):
    """Live figures: UI loop lag, sync state and backlog, recent errors, file paths.

    `sync_figures` is called once a second while the panel is visible.
    """

    def __init__(
        self,
        messages: MessageBridge,
        sync_figures: Callable[[], SyncFigures | None],
        *,
        log_file: Path,
        data_dir: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Diagnostics", parent)
        self._sync_figures = sync_figures
        self._log_file = log_file
        self._data_dir = data_dir
        self._errors: deque[str] = deque(maxlen=20)
        # 50 ms: gentle enough to run all day, fine enough to see a stall.
        self.probe = LoopProbe(50, keep=1200, parent=self)
        self.probe.start()
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._setup_ui()
        self._timer.timeout.connect(self.refresh)
        messages.error_shown.connect(self._on_messages_error_shown)

    def refresh(self) -> None:
        self.lag_label.setText(
            f"p50 {self.probe.median():.1f} ms · p99 {self.probe.percentile(99):.1f} ms "
            f"(last {len(self.probe.lags_ms) * 50 / 1000:.0f} s)"
        )
        figures = self._sync_figures()
        if figures is None:
            self.sync_label.setText("Not started")
            self.outbox_label.setText("–")
            return
        last = figures.last_event_at.strftime("%H:%M:%S") if figures.last_event_at else "none yet"
        self.sync_label.setText(
            f"{figures.state} · {'online' if figures.online else 'offline'} · last change {last}"
        )
        self.outbox_label.setText(f"{figures.outbox_pending} waiting to be sent")

    def report_text(self) -> str:
        lines = [
            f"UI loop lag: {self.lag_label.text()}",
            f"Sync: {self.sync_label.text()}",
            f"Outbox: {self.outbox_label.text()}",
            f"Log file: {self._log_file}",
            f"Data folder: {self._data_dir}",
            "Recent errors:",
            *(f"  {e}" for e in self._errors),
        ]
        return "\n".join(lines)

    def showEvent(self, event: QShowEvent) -> None:
        """Override QWidget.showEvent: refresh while visible only."""
        self.refresh()
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        """Override QWidget.hideEvent."""
        self._timer.stop()
        super().hideEvent(event)

    @Slot(object)
    def _on_messages_error_shown(self, error: ConsoleError) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        self._errors.appendleft(f"{stamp} {type(error).__name__}: {error.user_text()}")
        self.errors_list.clear()
        self.errors_list.addItems(list(self._errors))

    @Slot()
    def _on_copy_clicked(self) -> None:
        QApplication.clipboard().setText(self.report_text())
        self.copy_button.setText("Copied")

    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.lag_label = QLabel()
        self.sync_label = QLabel()
        self.outbox_label = QLabel()
        form.addRow("UI loop lag", self.lag_label)
        form.addRow("Sync", self.sync_label)
        form.addRow("Outbox", self.outbox_label)
        form.addRow("Log file", QLabel(str(self._log_file)))
        form.addRow("Data folder", QLabel(str(self._data_dir)))
        layout.addLayout(form)
        layout.addWidget(QLabel("Recent errors"))
        self.errors_list = QListWidget()
        self.errors_list.setMaximumHeight(110)
        layout.addWidget(self.errors_list)
        self.copy_button = QPushButton("Copy report")
        self.copy_button.setToolTip("Copy these figures to paste into a bug report (no secrets)")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        layout.addWidget(self.copy_button)
