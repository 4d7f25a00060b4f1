"""The build check panel of the review step: run it, watch it, read what failed, fix it.

The check (`PublishService.check`) installs the project's dependencies the way
Vercel will and runs `next build`; its events stream here line by line. A
status line always says which step runs and for how long, and says so
plainly when a tool has printed nothing for a while. A failure shows its
first real error and what to do; when a compatibility rule fixes that shape
of failure, the fix is offered with its patch, applied and checked again in
one click (`PublishService.heal`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from console.errors import ConsoleError
from console.services.deploy.events import (
    ProgressEvent,
    StepFailed,
    StepFinished,
    StepProgress,
    StepStarted,
)
from console.services.publish import CheckReport, PublishService, Review
from console.services.scaffold import PublishConfig
from console.views.projects.patch import PatchDialog
from console.views.tasks import TaskRunner
from console.views.timefmt import relative_time

logger = logging.getLogger(__name__)

#: Enough build output to find an error, bounded so a chatty build cannot grow memory.
MAX_LOG_LINES = 5000
#: The status line shows this much of the last output line.
STATUS_LINE_CHARS = 90


def _elapsed(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


class BuildCheckPanel(QGroupBox):
    """Runs the build check of one project and shows it as it happens.

    Signals:
        finished(object): a check (or a fix and check) ended with a `CheckReport`;
            the review reloads, since the checked set may carry a new lockfile.
        override_changed(bool): the user ticked or cleared "push anyway".
    """

    finished = Signal(object)
    override_changed = Signal(bool)

    def __init__(self, service: PublishService, tasks: TaskRunner, project_id: int) -> None:
        super().__init__("Build check: install and next build, as Vercel will run them")
        self._service = service
        self._tasks = tasks
        self._project_id = project_id
        self._config: PublishConfig | None = None
        self._review: Review | None = None
        self._report: CheckReport | None = None
        self._task: asyncio.Task[CheckReport] | None = None
        self._started = 0.0
        self._step_title = ""
        self._last_line = ""
        self._notice = ""
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._setup_ui()
        self._connect_signals()

    # ------------------------------------------------------------------ public API

    @property
    def task(self) -> asyncio.Task[CheckReport] | None:
        """The running (or last) check; tests await it."""
        return self._task

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def override(self) -> bool:
        return self.override_check.isChecked()

    @property
    def report(self) -> CheckReport | None:
        return self._report

    def set_review(self, config: PublishConfig, review: Review) -> None:
        """The set the next check builds, and what the last check said about it."""
        self._config = config
        self._review = review
        if self.running:
            return
        record = review.check
        if record is None:
            self._set_state("Not run yet: the push waits for a passing check.")
        elif not review.check_matches:
            self._set_state(
                f"The files changed since the last check ({relative_time(record.at)}): "
                "run it again."
            )
        elif record.ok:
            self._set_state(
                f"✓ Passed for these exact files {relative_time(record.at)} "
                f"({record.seconds:.0f} s).",
                ok=True,
            )
        else:
            self._set_state(f"✗ Failed {relative_time(record.at)}: {record.problem}")
        self._update_buttons()

    # ------------------------------------------------------------------ slots

    @Slot()
    def _on_run_clicked(self) -> None:
        if self._config is None:
            return
        self._begin("Starting the build check…")
        self._start(self._service.check(self._project_id, self._config, self._on_event))

    @Slot()
    def _on_fix_clicked(self) -> None:
        remedy = self._report.remedy if self._report else None
        if self._config is None or remedy is None:
            return
        self._begin(f"Applying “{remedy.rule_title}”, then building again…")
        self.log.appendPlainText(f"# Fix: {remedy.rule_title}. {remedy.explanation}")
        self._start(self._service.heal(self._project_id, self._config, remedy, self._on_event))

    @Slot()
    def _on_cancel_clicked(self) -> None:
        if self._task is not None:
            self._task.cancel()

    @Slot()
    def _on_patch_clicked(self) -> None:
        remedy = self._report.remedy if self._report else None
        if remedy is not None:
            PatchDialog(remedy, self).open()

    @Slot()
    def _on_tick(self) -> None:
        self._show_status()

    @Slot(bool)
    def _on_override_toggled(self, checked: bool) -> None:
        self.override_changed.emit(checked)

    def _on_event(self, event: ProgressEvent) -> None:
        if isinstance(event, StepStarted):
            self._step_title = f"Step {event.index + 1} of {event.total}: {event.title}"
            self._last_line = ""
            self._notice = ""
            self.log.appendPlainText(f"$ {event.title}")
        elif isinstance(event, StepProgress) and event.log_line is not None:
            self.log.appendPlainText(event.log_line)
            if event.log_line.strip():
                self._last_line = event.log_line.strip()
                self._notice = ""
        elif isinstance(event, StepProgress):
            self._notice = event.message
            self.log.appendPlainText(f"⚠ {event.message}")
        elif isinstance(event, StepFinished):
            self.log.appendPlainText(
                f"✓ {self._step_title}" + (f": {event.detail}" if event.detail else "")
            )
        elif isinstance(event, StepFailed):
            self.log.appendPlainText(f"✗ {event.error}")
        self._show_status()

    def _on_done(self, report: CheckReport) -> None:
        self._report = report
        outcome = report.outcome
        timings = (
            ", ".join(
                f"{s.name} {s.seconds:.1f} s" + (" (cached)" if s.cached else "")
                for s in outcome.steps
                if s.name in ("install", "build")
            )
            if outcome
            else ""
        )
        if report.ok:
            note = (
                f" {report.lockfile_updated} was regenerated and is part of the push."
                if report.lockfile_updated
                else ""
            )
            self._set_state(f"✓ Builds as Vercel will build it ({timings}).{note}", ok=True)
            self.problem_box.hide()
        else:
            step = next((s.name for s in outcome.steps if not s.ok), "") if outcome else ""
            self._set_state(f"✗ The build check failed at {step or 'a step'}: {report.headline}")
            self._show_problem(report)
        # The end of the output is where the failure or the result is.
        self.log.verticalScrollBar().setValue(self.log.verticalScrollBar().maximum())
        self.finished.emit(report)

    def _on_error(self, error: ConsoleError) -> None:
        self._set_state(f"✗ {error.user_text()}")

    def _on_ended(self, task: asyncio.Task[CheckReport]) -> None:
        self._ticker.stop()
        self.progress_bar.hide()
        if task.cancelled():
            self._set_state("Build check cancelled; nothing is left running.")
            self.log.appendPlainText("Cancelled.")
        self._update_buttons()

    # ------------------------------------------------------------------ helpers

    def _begin(self, text: str) -> None:
        self.log.clear()
        self.problem_box.hide()
        self._report = None
        self._started = time.monotonic()
        self._step_title = text
        self._last_line = ""
        self._notice = ""
        self.progress_bar.show()
        self._ticker.start()
        self._show_status()

    def _start(self, coro: Coroutine[Any, Any, CheckReport]) -> None:
        self._task = self._tasks.start(
            self,
            coro,
            key="check",
            on_success=self._on_done,
            on_error=self._on_error,
            on_done=self._on_ended,
        )
        self._update_buttons()

    def _show_status(self) -> None:
        if not self.running and self._task is not None:
            return
        parts = [self._step_title, _elapsed(time.monotonic() - self._started)]
        if self._notice:
            parts.append(f"⚠ {self._notice}")
        elif self._last_line:
            line = self._last_line
            parts.append(line if len(line) <= STATUS_LINE_CHARS else line[:STATUS_LINE_CHARS] + "…")
        self._set_state(" · ".join(parts), warn=bool(self._notice))

    def _show_problem(self, report: CheckReport) -> None:
        problem = report.problem
        self.problem_label.setText(problem.headline() if problem else report.headline)
        self.advice_label.setText(problem.advice() if problem else "")
        remedy = report.remedy
        self.remedy_row.setVisible(remedy is not None)
        if remedy is not None:
            changed = len(remedy.diffs)
            self.remedy_label.setText(
                f"Fix with “{remedy.rule_title}” ({changed} file{'' if changed == 1 else 's'} "
                "change; Show the patch for the details)."
            )
            self.remedy_label.setToolTip(remedy.explanation)
        self.problem_box.show()

    def _set_state(self, text: str, *, ok: bool = False, warn: bool = False) -> None:
        self.state_label.setObjectName("ResultOk" if ok else ("ResultWarning" if warn else ""))
        self.state_label.setText(text)
        self.state_label.style().unpolish(self.state_label)
        self.state_label.style().polish(self.state_label)

    def _update_buttons(self) -> None:
        running = self.running
        self.run_button.setEnabled(not running and self._config is not None)
        self.cancel_button.setEnabled(running)
        self.fix_button.setEnabled(not running)

    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        self.run_button = QPushButton("Run build check")
        self.run_button.setToolTip("Install the dependencies and run next build (Ctrl+B)")
        self.run_button.setShortcut("Ctrl+B")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.state_label = QLabel("Not run yet.")
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.state_label, 1)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 0)  # busy: a build's length is not known in advance
        self.progress_bar.setMaximumHeight(6)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.hide()

        self.problem_box = QFrame()
        self.problem_box.setObjectName("ErrorBanner")
        problem_layout = QVBoxLayout(self.problem_box)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.problem_label.font()
        font.setBold(True)
        self.problem_label.setFont(font)
        self.advice_label = QLabel()
        self.advice_label.setWordWrap(True)
        self.remedy_row = QWidget()
        remedy_layout = QHBoxLayout(self.remedy_row)
        remedy_layout.setContentsMargins(0, 0, 0, 0)
        self.remedy_label = QLabel()
        self.remedy_label.setWordWrap(True)
        self.patch_button = QPushButton("Show the patch")
        self.fix_button = QPushButton("Fix and check again")
        remedy_layout.addWidget(self.remedy_label, 1)
        remedy_layout.addWidget(self.patch_button)
        remedy_layout.addWidget(self.fix_button)
        problem_layout.addWidget(self.problem_label)
        problem_layout.addWidget(self.advice_label)
        problem_layout.addWidget(self.remedy_row)
        # The first error and its fix must stay readable however tall the log is.
        self.problem_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.problem_box.hide()

        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log.setMaximumBlockCount(MAX_LOG_LINES)
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        line = self.log.fontMetrics().lineSpacing()
        self.log.setMinimumHeight(line * 6)
        self.override_check = QCheckBox("Push even though no passing build check built these files")
        layout.addLayout(buttons)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.problem_box)
        layout.addWidget(self.log, 1)
        layout.addWidget(self.override_check)

    def _connect_signals(self) -> None:
        self.run_button.clicked.connect(self._on_run_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.fix_button.clicked.connect(self._on_fix_clicked)
        self.patch_button.clicked.connect(self._on_patch_clicked)
        self.override_check.toggled.connect(self._on_override_toggled)
        self._ticker.timeout.connect(self._on_tick)
