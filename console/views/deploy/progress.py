"""The pipeline progress dialog: renders only from the typed progress events.

Used for deploys, redeploys and new-client provisioning: a step list, the
deployment's readyState as it moves, the build log streaming in, elapsed
time, the live URL, the warning a run ended with (not live as asked) or the
failure with what was rolled back; cancellable, and a retry after a failure.

A deploy whose build failed can be repaired here (`offer_repair`): the
build log's first error and what to do about it, and, when a compatibility
rule fixes it, that rule with its patch and one button that applies it,
checks the build, publishes and deploys again (`DeployHealer`).
"""

from __future__ import annotations

import asyncio
import html
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFontDatabase, QFontMetrics, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.errors import ConsoleError
from console.services.buildcheck.problems import BuildProblem
from console.services.deploy.events import (
    PipelineCompleted,
    Progress,
    ProgressEvent,
    StepFailed,
    StepFinished,
    StepProgress,
    StepStarted,
)
from console.services.deploy.heal import BUILD_STEP, BuildDiagnosis, DeployHealer
from console.services.projects.heal import Remedy
from console.services.publish import CheckReport
from console.views.links import ExternalUrl, same_url
from console.views.projects.patch import PatchDialog
from console.views.tasks import TaskRunner

logger = logging.getLogger(__name__)

Work = Callable[[Progress], Coroutine[Any, Any, Any]]

READY_STATES = ("QUEUED", "INITIALIZING", "BUILDING", "READY")
_MARKS = {"pending": "○", "running": "▶", "done": "✓", "failed": "✗", "undone": "↺"}


class DeployProgressDialog(QDialog):
    """Shows one pipeline run as it happens.

    Args:
        tasks: the TaskRunner that runs the work.
        title: e.g. "Deploying Acme Shop".
        steps: (name, title) of every step, in order.
        external_url: maps the live URL to the one the link opens.

    Signals:
        run_finished(bool): the run ended (True: succeeded).
        repair_shown(): the repair panel shows a failed build's first error
            (and its fix, when one exists).
    """

    run_finished = Signal(bool)
    repair_shown = Signal()

    def __init__(
        self,
        tasks: TaskRunner,
        title: str,
        steps: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
        *,
        external_url: ExternalUrl = same_url,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._external_url = external_url
        self._steps = list(steps)
        self._work: Work | None = None
        self._retry: Work | None = None
        self._task: asyncio.Task[Any] | None = None
        self._started = 0.0
        self._items: dict[str, QListWidgetItem] = {}
        self._status: dict[str, str] = {}
        self._failed_step = ""
        self._healer: DeployHealer | None = None
        self._project_id = 0
        self._remedy: Remedy | None = None
        self._repair_step = ""
        self._diagnose_task: asyncio.Task[BuildDiagnosis | None] | None = None
        self._repair_task: asyncio.Task[CheckReport] | None = None
        self.setWindowTitle(title)
        self._setup_ui(title)
        self._connect_signals()

    # ------------------------------------------------------------------ public API

    @property
    def task(self) -> asyncio.Task[Any] | None:
        return self._task

    @property
    def diagnose_task(self) -> asyncio.Task[BuildDiagnosis | None] | None:
        """The reading of the last failed build's log, if one ran."""
        return self._diagnose_task

    @property
    def repair_task(self) -> asyncio.Task[CheckReport] | None:
        """The last fix (apply, check, publish), if one ran."""
        return self._repair_task

    def offer_repair(self, healer: DeployHealer, project_id: int) -> None:
        """When the build of `project_id` fails, say why and offer the fix (see the module).

        A successful fix retries the run (`start`'s `retry`), which deploys the new commit.
        """
        self._healer = healer
        self._project_id = project_id

    def start(self, work: Work, *, retry: Work | None = None) -> asyncio.Task[Any]:
        """Run `work(progress)`; `retry` (if given) is offered after a failure."""
        self._work = work
        self._retry = retry
        for name, _title in self._steps:
            self._set_status(name, "pending")
        self.result_label.clear()
        self._failed_step = ""
        self._hide_repair()
        self._started = time.monotonic()
        self._elapsed_timer.start()
        self._tick()
        self.cancel_button.setEnabled(True)
        self.retry_button.setVisible(False)
        self._task = self._tasks.start(
            self,
            work(self.handle),
            on_success=self._on_work_done,
            on_error=self._on_work_error,
            on_done=self._on_task_ended,
        )
        return self._task

    def handle(self, event: ProgressEvent) -> None:
        """Render one progress event (the only input of this dialog)."""
        if isinstance(event, StepStarted):
            self._set_status(event.step, "running")
            self.step_label.setText(f"Step {event.index + 1} of {event.total}: {event.title}")
        elif isinstance(event, StepProgress):
            if event.ready_state:
                self._show_ready_state(event.ready_state)
            line = event.log_line or event.message
            stamp = f"[{event.elapsed:6.1f}s] " if event.elapsed else ""
            self.log_view.appendPlainText(f"{stamp}{line}")
        elif isinstance(event, StepFinished):
            self._set_status(event.step, "done")
        elif isinstance(event, StepFailed):
            self._failed_step = event.step
            self._set_status(event.step, "failed")
            for name in event.undone_steps:
                if name != event.step:
                    self._set_status(name, "undone")
            undone = "; ".join(event.rolled_back) or "nothing to undo"
            self.result_label.setText(f"✗ {event.error}\nRolled back: {undone}")
            self.log_view.appendPlainText(f"FAILED: {event.error}")
        elif isinstance(event, PipelineCompleted):
            self._show_ready_state("READY")
            if event.warning:
                # Kept or built, but not live as asked: not a plain success.
                text = f"⚠ {event.warning}"
            elif event.url:
                href = html.escape(self._external_url(event.url), quote=True)
                text = f"✓ Live at <a href='{href}'>{html.escape(event.url)}</a>"
            else:
                text = "✓ Done"
            self.result_label.setText(text)

    def step_status(self, name: str) -> str:
        return self._status.get(name, "pending")

    # ------------------------------------------------------------------ slots

    @Slot()
    def _on_cancel_clicked(self) -> None:
        if self._task is not None and not self._task.done():
            self.log_view.appendPlainText("Canceling: rolling back what this run created…")
            self._task.cancel()
        elif self._repair_task is not None and not self._repair_task.done():
            self._repair_task.cancel()

    @Slot()
    def _on_retry_clicked(self) -> None:
        if self._retry is not None:
            self.start(self._retry, retry=self._retry)

    @Slot()
    def _tick(self) -> None:
        seconds = int(time.monotonic() - self._started)
        self.elapsed_label.setText(f"Elapsed {seconds // 60}:{seconds % 60:02d}")

    def _on_work_done(self, _result: object) -> None:
        self.run_finished.emit(True)

    def _on_work_error(self, error: ConsoleError) -> None:
        if not self.result_label.text():
            self.result_label.setText(f"✗ {error.user_text()}")
        self.retry_button.setVisible(self._retry is not None)
        if self._healer is not None and self._failed_step == BUILD_STEP:
            self._diagnose_task = self._tasks.start(
                self,
                self._healer.diagnose(self._project_id),
                key="repair",
                on_success=self._on_diagnosed,
            )
        self.run_finished.emit(False)

    def _on_diagnosed(self, diagnosis: BuildDiagnosis | None) -> None:
        if diagnosis is not None:
            self._show_problem(diagnosis.problem, diagnosis.remedy)

    @Slot()
    def _on_patch_clicked(self) -> None:
        if self._remedy is not None:
            PatchDialog(self._remedy, self).open()

    @Slot()
    def _on_fix_clicked(self) -> None:
        remedy = self._remedy
        if self._healer is None or remedy is None:
            return
        self.log_view.appendPlainText(f"── Fix: {remedy.rule_title}. {remedy.explanation}")
        self.repair_status.setText(f"Applying “{remedy.rule_title}”, then checking the build…")
        self.retry_button.setVisible(False)
        self.cancel_button.setEnabled(True)
        self._started = time.monotonic()
        self._elapsed_timer.start()
        self._repair_task = self._tasks.start(
            self,
            self._healer.fix_and_publish(self._project_id, remedy, self._on_repair_event),
            key="repair",
            busy=(self.fix_button,),
            on_success=self._on_repair_done,
            on_error=self._on_repair_error,
            on_done=self._on_repair_ended,
        )

    def _on_repair_event(self, event: ProgressEvent) -> None:
        """The fix's build check and push, in the log (their steps are not the run's)."""
        if isinstance(event, StepStarted):
            self._repair_step = event.title
            self.step_label.setText(f"Fix: {event.title}")
            self.log_view.appendPlainText(f"$ {event.title}")
        elif isinstance(event, StepProgress):
            self.log_view.appendPlainText(
                event.log_line if event.log_line is not None else event.message
            )
        elif isinstance(event, StepFinished):
            detail = f": {event.detail}" if event.detail else ""
            self.log_view.appendPlainText(f"✓ {self._repair_step}{detail}")
        elif isinstance(event, StepFailed):
            self.log_view.appendPlainText(f"✗ {event.error}")

    def _on_repair_done(self, report: CheckReport) -> None:
        if report.ok:
            self.log_view.appendPlainText("── Fixed, checked and published: deploying again.")
            self._on_retry_clicked()
            return
        self.retry_button.setVisible(self._retry is not None)
        # A check that failed without naming an error still says so, with the log to read.
        problem = report.problem or BuildProblem("other", report.headline, "build")
        self._show_problem(problem, report.remedy)
        self.repair_status.setText(
            "✗ The build check still fails after the fix, so nothing was published."
        )

    def _on_repair_error(self, error: ConsoleError) -> None:
        self.retry_button.setVisible(self._retry is not None)
        self.repair_status.setText(f"✗ {error.user_text()}")

    def _on_repair_ended(self, task: asyncio.Task[CheckReport]) -> None:
        self._tick()
        if self._task is None or self._task.done():  # no redeploy started
            self._elapsed_timer.stop()
            self.cancel_button.setEnabled(False)
        if task.cancelled():
            self.retry_button.setVisible(self._retry is not None)
            self.repair_status.setText("Fix canceled: nothing was deployed.")

    def _on_task_ended(self, task: asyncio.Task[Any]) -> None:
        self._tick()
        self._elapsed_timer.stop()
        self.cancel_button.setEnabled(False)
        if task.cancelled():
            self.result_label.setText("Canceled: what this run created was rolled back.")
            self.run_finished.emit(False)

    # ------------------------------------------------------------------ helpers

    def _setup_ui(self, title: str) -> None:
        self.resize(720, 560)
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        row = QHBoxLayout()
        self.step_label = QLabel("Starting…")
        self.elapsed_label = QLabel("Elapsed 0:00")
        row.addWidget(self.step_label, 1)
        row.addWidget(self.elapsed_label)
        layout.addLayout(row)
        body = QHBoxLayout()
        self.step_list = QListWidget()
        # A status list, not a choice: no selection highlight that reads as "current step".
        self.step_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.step_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for name, step_title in self._steps:
            item = QListWidgetItem(f"{_MARKS['pending']}  {step_title}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.step_list.addItem(item)
            self._items[name] = item
        bold = self.step_list.font()
        bold.setBold(True)
        widest = max(
            (QFontMetrics(bold).horizontalAdvance(i.text()) for i in self._items.values()),
            default=120,
        )
        self.step_list.setFixedWidth(widest + 32)  # the log gets the rest of the width
        body.addWidget(self.step_list)
        right = QVBoxLayout()
        states = QHBoxLayout()
        self._state_labels: dict[str, QLabel] = {}
        for state in (*READY_STATES, "ERROR", "CANCELED"):
            label = QLabel(state)
            label.setEnabled(False)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            states.addWidget(label)
            self._state_labels[state] = label
        right.addLayout(states)
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log_view.setMaximumBlockCount(5000)
        self.log_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        right.addWidget(self.log_view, 1)
        body.addLayout(right, 1)
        layout.addLayout(body, 1)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setOpenExternalLinks(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        layout.addWidget(self.result_label)
        layout.addWidget(self._setup_repair())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.retry_button = QPushButton("Retry from failed step")
        self.retry_button.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.close_button = QPushButton("Close")
        for button in (self.retry_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self._elapsed_timer = QTimer(self)
        self._elapsed_timer.setInterval(1000)

    def _setup_repair(self) -> QWidget:
        """The failed build's first error and advice (a banner), then the fix; hidden until then."""
        box = self.repair_box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        banner = QFrame()
        banner.setObjectName("ErrorBanner")
        banner_layout = QVBoxLayout(banner)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("ErrorTitle")
        self.advice_label = QLabel()
        # The fix is a proposal, not part of the error: plain text below the banner.
        self.remedy_label = QLabel()
        for label in (self.problem_label, self.advice_label, self.remedy_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        banner_layout.addWidget(self.problem_label)
        banner_layout.addWidget(self.advice_label)
        layout.addWidget(banner)
        layout.addWidget(self.remedy_label)
        row = QHBoxLayout()
        self.repair_status = QLabel()
        self.repair_status.setWordWrap(True)
        self.patch_button = QPushButton("Show the patch")
        self.fix_button = QPushButton("Fix, publish and deploy again")
        row.addWidget(self.repair_status, 1)
        row.addWidget(self.patch_button)
        row.addWidget(self.fix_button)
        layout.addLayout(row)
        box.setVisible(False)
        return box

    def _connect_signals(self) -> None:
        self.patch_button.clicked.connect(self._on_patch_clicked)
        self.fix_button.clicked.connect(self._on_fix_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.retry_button.clicked.connect(self._on_retry_clicked)
        self.close_button.clicked.connect(self.accept)
        self._elapsed_timer.timeout.connect(self._tick)

    def _show_problem(self, problem: BuildProblem, remedy: Remedy | None) -> None:
        self._remedy = remedy
        self.problem_label.setText(f"First error: {problem.headline()}")
        self.advice_label.setText(problem.advice())
        if remedy is not None:
            changed = len(remedy.diffs)
            self.remedy_label.setText(
                f"Fix with “{remedy.rule_title}”: {remedy.explanation} "
                f"({changed} file{'' if changed == 1 else 's'} change.)"
            )
        else:
            self.remedy_label.setText(
                "No compatibility rule fixes this one: fix it in the project, publish it, "
                "then retry."
            )
        self.repair_status.clear()
        self.patch_button.setVisible(remedy is not None)
        self.fix_button.setVisible(remedy is not None)
        # Enter applies the fix: the one thing to do next.
        self.fix_button.setDefault(remedy is not None)
        if self.repair_box.isHidden():
            self.repair_box.setVisible(True)
            # The panel takes its room from the dialog, not from the log that shows the error.
            room = self.screen().availableGeometry().height()
            grown = self.height() + self.repair_box.sizeHint().height()
            self.resize(self.width(), min(grown, room))
        self._reveal_in_log(problem)
        if remedy is not None:
            self.fix_button.setFocus()
        self.repair_shown.emit()

    def _reveal_in_log(self, problem: BuildProblem) -> None:
        """Select the error's latest line in the log, centred: its context explains it."""
        lines = problem.message.strip().splitlines()
        if not lines:
            return
        document = self.log_view.document()
        end = QTextCursor(document)
        end.movePosition(QTextCursor.MoveOperation.End)
        found = document.find(lines[0].strip(), end, QTextDocument.FindFlag.FindBackward)
        if found.isNull():
            return
        # The whole line, selected from its end back to its start: the view stays at the left.
        found.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        found.movePosition(QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor)
        self.log_view.setTextCursor(found)
        self.log_view.centerCursor()

    def _hide_repair(self) -> None:
        self._remedy = None
        self.fix_button.setDefault(False)
        self.repair_box.setVisible(False)

    def _set_status(self, name: str, status: str) -> None:
        self._status[name] = status
        item = self._items.get(name)
        if item is None:
            return
        title = next((t for n, t in self._steps if n == name), name)
        item.setText(f"{_MARKS[status]}  {title}")
        font = item.font()
        font.setBold(status == "running")
        item.setFont(font)

    def _show_ready_state(self, state: str) -> None:
        for name, label in self._state_labels.items():
            label.setEnabled(name == state or self._before(name, state))
            font = label.font()
            font.setBold(name == state)
            label.setFont(font)
            label.setText(f"[{name}]" if name == state else name)

    @staticmethod
    def _before(name: str, state: str) -> bool:
        if name not in READY_STATES or state not in READY_STATES:
            return False
        return READY_STATES.index(name) < READY_STATES.index(state)
