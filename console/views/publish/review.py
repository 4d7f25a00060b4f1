"""Step 8 of the publish wizard: review every file, check the build, push.

The file list and diffs come from `PublishService.review` (against the last
published commit, offline). The build check (`PublishService.preflight`)
streams its output here and can be cancelled; the push stays blocked until it
passed or the user ticks the explicit override. The push's step list is
rendered only from its progress events; a failure is shown inline with what
to do and, where it helps, Retry. Offline, "Publish when online" queues it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from console.errors import (
    AuthError,
    Conflict,
    ConsoleError,
    NetworkError,
    RateLimited,
    RemoteError,
)
from console.services.deploy.events import (
    ProgressEvent,
    StepFailed,
    StepFinished,
    StepProgress,
    StepStarted,
)
from console.services.publish import (
    STEPS,
    CustomEnvVar,
    PreflightReport,
    PublishResult,
    PublishService,
    RepoNameTaken,
    Review,
)
from console.services.scaffold import PublishConfig
from console.views.projects.highlight import PygmentsHighlighter
from console.views.publish.models import FileColumn, ReviewFilesModel
from console.views.tasks import TaskRunner
from console.views.widgets.error_banner import ErrorBanner

logger = logging.getLogger(__name__)

_MARKS = {"pending": "○", "running": "▶", "done": "✓", "failed": "✗"}
#: Enough build output to find an error, bounded so a chatty build cannot grow memory.
MAX_LOG_LINES = 5000


class ReviewPage(QWizardPage):
    """Review, build check and push.

    Signals:
        published(object): the push succeeded (a `PublishResult`).
        queued(int): the publish waits in the outbox (the project id).
        edit_requested(): the user wants to change the configuration (back to step 1).
        settings_requested(): the token needs fixing in Settings.
    """

    published = Signal(object)
    queued = Signal(int)
    edit_requested = Signal()
    settings_requested = Signal()

    def __init__(self, service: PublishService, tasks: TaskRunner, project_id: int) -> None:
        super().__init__()
        self.setTitle("Review and push")
        self.setSubTitle("Every file the push writes, compared with the last published commit.")
        self._service = service
        self._tasks = tasks
        self._project_id = project_id
        self._config: PublishConfig | None = None
        self._review: Review | None = None
        self._checked_files: dict[str, bytes] | None = None
        self._preflight_ok = False
        self._preflight_task: asyncio.Task[PreflightReport] | None = None
        self._push_task: asyncio.Task[PublishResult] | None = None
        self._done = False
        self._online = True
        self.files_model = ReviewFilesModel()
        self._setup_ui()
        self._connect_signals()

    # ------------------------------------------------------------------ public API

    @property
    def review(self) -> Review | None:
        return self._review

    @property
    def preflight_task(self) -> asyncio.Task[PreflightReport] | None:
        return self._preflight_task

    @property
    def push_task(self) -> asyncio.Task[PublishResult] | None:
        return self._push_task

    def refresh(
        self, config: PublishConfig, extra_env: tuple[CustomEnvVar, ...]
    ) -> asyncio.Task[Any]:
        """Save the draft, then list the files it writes (the review reads the saved draft)."""
        self._config = config
        self.summary_label.setText("Building the file list…")
        self._update_push_state()
        return self._tasks.start(
            self,
            self._service.save_draft(self._project_id, config, extra_env),
            key="review",
            on_success=self._on_draft_saved,
        )

    def set_online(self, online: bool) -> None:
        self._online = online
        self._update_push_state()

    def isComplete(self) -> bool:
        """Override QWizardPage.isComplete: Finish once pushed or queued."""
        return self._done

    # ------------------------------------------------------------------ slots

    def _on_draft_saved(self, _result: None) -> None:
        if self._config is not None:
            self._tasks.start(
                self,
                self._service.review(self._project_id, self._config),
                key="review",
                on_success=self._on_review_loaded,
            )

    def _on_review_loaded(self, review: Review) -> None:
        self._review = review
        self.files_model.set_rows(review.changes)
        counts = {s: sum(1 for c in review.changes if c.status == s) for s in _MARKS_ORDER}
        against = (
            f"compared with {review.last_published_sha[:7]}"
            if review.last_published_sha
            else "first publish"
        )
        self.summary_label.setText(
            f"{len(review.files)} files ({against}): {counts['added']} added, "
            f"{counts['modified']} changed, {counts['removed']} removed, "
            f"{counts['unchanged']} unchanged."
        )
        blockers = [*review.problems]
        blockers += [f"Secret in {hit}" for hit in review.secrets]
        notes = [
            f"⚠ {c.path}: the imported file replaces the generated one" for c in review.conflicts
        ]
        self.blockers_label.setText("\n".join(blockers))
        self.notes_label.setText("\n".join(notes[:10]))
        if self._checked_files is not None and self._checked_files != review.files:
            self._set_preflight_state("The files changed since the build check: run it again.")
            self._preflight_ok = False
            self._checked_files = None
        first = next((i for i, c in enumerate(review.changes) if c.status != "unchanged"), 0)
        if review.changes:
            self.files_view.selectRow(first)
        self._update_push_state()

    @Slot(QItemSelection, QItemSelection)
    def _on_files_selection_changed(self, _selected: QItemSelection, _old: QItemSelection) -> None:
        change = self.files_model.change(self.files_view.currentIndex().row())
        if change is None:
            self.diff_highlighter.set_source("", "changes.diff")
            return
        if change.status == "unchanged" and self._review is not None:
            text = self._review.files.get(change.path, b"").decode("utf-8", "replace")
            self.diff_highlighter.set_source(text, change.path)
            self.diff_title.setText(f"{change.path}: unchanged since the last publish")
            return
        self.diff_highlighter.set_source(change.diff, "changes.diff")
        self.diff_title.setText(f"{change.path}: {change.status}")

    @Slot()
    def _on_preflight_clicked(self) -> None:
        if self._review is None:
            return
        files = dict(self._review.files)
        self.preflight_log.clear()
        self._preflight_ok = False
        self._checked_files = None
        self._set_preflight_state("Running the build check…")
        self.preflight_button.setEnabled(False)
        self.cancel_preflight_button.setEnabled(True)
        self._preflight_task = self._tasks.start(
            self,
            self._service.preflight(self._project_id, files, progress=self._on_preflight_event),
            key="preflight",
            on_success=lambda report: self._on_preflight_done(report, files),
            on_error=self._on_preflight_error,
        )
        self._preflight_task.add_done_callback(self._on_preflight_ended)
        self._update_push_state()

    @Slot()
    def _on_cancel_preflight_clicked(self) -> None:
        if self._preflight_task is not None:
            self._preflight_task.cancel()

    def _on_preflight_event(self, event: ProgressEvent) -> None:
        if isinstance(event, StepStarted):
            self.preflight_log.appendPlainText(f"$ {event.title}")
            self._set_preflight_state(f"Step {event.index + 1} of {event.total}: {event.title}…")
        elif isinstance(event, StepProgress) and event.log_line is not None:
            self.preflight_log.appendPlainText(event.log_line)
        elif isinstance(event, StepFailed):
            self.preflight_log.appendPlainText(f"✗ {event.error}")

    def _on_preflight_done(self, report: PreflightReport, files: dict[str, bytes]) -> None:
        self._preflight_ok = report.ok
        self._checked_files = files
        if report.ok:
            self._set_preflight_state("✓ The app type-checks and builds.", ok=True)
        elif report.skipped:
            self._set_preflight_state(f"✗ Build check not run: {report.skipped}")
        else:
            failed = next((s for s in report.steps if not s.ok), None)
            what = " ".join(failed.command[-2:]) if failed else "a step"
            self._set_preflight_state(
                f"✗ The build check failed ({what}): see the output. The push stays "
                "blocked unless you tick the override."
            )
        self._update_push_state()

    def _on_preflight_error(self, error: ConsoleError) -> None:
        self._set_preflight_state(f"✗ {error.user_text()}")

    def _on_preflight_ended(self, task: asyncio.Task[PreflightReport]) -> None:
        if task.cancelled():
            self._set_preflight_state("Build check cancelled.")
            self.preflight_log.appendPlainText("Cancelled.")
        self.preflight_button.setEnabled(True)
        self.cancel_preflight_button.setEnabled(False)
        self._update_push_state()

    @Slot()
    def _on_push_clicked(self) -> None:
        self._start_push()

    @Slot()
    def _on_retry_requested(self) -> None:
        self._start_push()

    @Slot()
    def _on_queue_clicked(self) -> None:
        if self._config is None:
            return
        self._tasks.start(
            self,
            self._service.queue_publish(
                self._project_id, self._config, allow_diverged=self.diverged_check.isChecked()
            ),
            busy=(self.queue_button, self.push_button),
            on_success=self._on_queued,
        )

    def _on_queued(self, _entry_id: int) -> None:
        self.banner.hide()
        self.result_label.setObjectName("ResultOk")
        self.result_label.setText(
            "Queued: the console publishes it as soon as GitHub is reachable again. "
            "The draft is kept; you can close this wizard."
        )
        self._refresh_style(self.result_label)
        self._finish()
        self.queued.emit(self._project_id)

    def _on_push_event(self, event: ProgressEvent) -> None:
        if isinstance(event, StepStarted):
            self._set_step(event.step, "running")
        elif isinstance(event, StepFinished):
            self._set_step(event.step, "done", event.detail)
        elif isinstance(event, StepFailed):
            self._set_step(event.step, "failed")
        elif isinstance(event, StepProgress):
            self.push_notes.setText(event.message)

    def _on_published(self, result: PublishResult) -> None:
        self.banner.hide()
        self.result_label.setObjectName("ResultOk")
        self.result_label.setText(
            f"✓ Published {result.files} files to {result.repo_full_name} "
            f"as {result.sha[:7]}: <a href='{result.repo_url}'>{result.repo_url}</a>"
        )
        self._refresh_style(self.result_label)
        self._finish()
        self.published.emit(result)

    def _on_push_failed(self, error: ConsoleError) -> None:
        logger.info("publish of project %s failed: %s", self._project_id, type(error).__name__)
        retry = isinstance(error, RemoteError) and not isinstance(error, Conflict)
        action = error.user_action()
        if isinstance(error, Conflict):
            self.diverged_check.show()
            action = (
                "Tick “Publish on top of the changes made on GitHub” to keep them "
                "and add this publish after them, then push again."
            )
        if isinstance(error, RateLimited) and error.retry_after:
            action = f"GitHub's rate limit: wait {error.retry_after:.0f} s, then Retry."
        self.banner.show_message(
            error.user_text(),
            action + " Your choices are saved in the draft.",
            can_retry=retry,
            offer_settings=isinstance(error, AuthError),
        )
        self.edit_button.setVisible(isinstance(error, RepoNameTaken))
        self.queue_button.setVisible(isinstance(error, NetworkError) or not self._online)
        self._update_push_state()

    @Slot()
    def _on_push_gate_toggled(self) -> None:
        self._update_push_state()

    # ------------------------------------------------------------------ helpers

    def _start_push(self) -> None:
        if self._config is None:
            return
        self.banner.hide()
        self.edit_button.hide()
        self.push_notes.clear()
        for name, _title in STEPS:
            self._set_step(name, "pending")
        self._push_task = self._tasks.start(
            self,
            self._service.publish(
                self._project_id,
                self._config,
                allow_diverged=self.diverged_check.isChecked(),
                progress=self._on_push_event,
            ),
            key="push",
            busy=(self.push_button, self.preflight_button),
            on_success=self._on_published,
            on_error=self._on_push_failed,
        )

    def _finish(self) -> None:
        self._done = True
        self._update_push_state()
        self.completeChanged.emit()

    def _set_step(self, name: str, status: str, detail: str = "") -> None:
        item = self._step_items[name]
        title = dict(STEPS)[name]
        item.setText(f"{_MARKS[status]}  {title}" + (f" — {detail}" if detail else ""))
        item.setToolTip(item.text())
        item.setData(Qt.ItemDataRole.UserRole, status)

    def step_status(self, name: str) -> str:
        return str(self._step_items[name].data(Qt.ItemDataRole.UserRole) or "pending")

    def _set_preflight_state(self, text: str, *, ok: bool = False) -> None:
        self.preflight_state.setObjectName("ResultOk" if ok else "")
        self.preflight_state.setText(text)
        self._refresh_style(self.preflight_state)

    def _update_push_state(self) -> None:
        review = self._review
        running = self._preflight_task is not None and not self._preflight_task.done()
        pushing = self._push_task is not None and not self._push_task.done()
        why = ""
        if review is None:
            why = "Waiting for the file list."
        elif review.problems or review.secrets:
            why = "Fix what is listed above first (Back to the step it names)."
        elif running:
            why = "The build check is running."
        elif not self._preflight_ok and not self.override_check.isChecked():
            why = "Run the build check first, or tick the override to push without a passing one."
        blocked = bool(why) or pushing or self._done
        self.push_button.setEnabled(not blocked)
        self.queue_button.setEnabled(not blocked)
        if not self._online:
            self.queue_button.show()
        self.push_hint.setText("" if self._done else why)
        self.preflight_button.setEnabled(review is not None and not running and not pushing)

    @staticmethod
    def _refresh_style(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        self.summary_label = QLabel()
        self.blockers_label = QLabel()
        self.blockers_label.setObjectName("ResultError")
        self.blockers_label.setWordWrap(True)
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.blockers_label)
        layout.addWidget(self.notes_label)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.files_view = QTableView()
        self.files_view.setModel(self.files_model)
        self.files_view.verticalHeader().hide()
        self.files_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.files_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.files_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.files_view.horizontalHeader()
        header.setSectionResizeMode(FileColumn.STATUS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FileColumn.PATH, QHeaderView.ResizeMode.Stretch)
        diff_box = QWidget()
        diff_layout = QVBoxLayout(diff_box)
        diff_layout.setContentsMargins(0, 0, 0, 0)
        self.diff_title = QLabel()
        self.diff_view = QPlainTextEdit()
        self.diff_view.setReadOnly(True)
        self.diff_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.diff_view.setFont(fixed)
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        self.diff_highlighter = PygmentsHighlighter(self.diff_view.document(), dark=dark)
        diff_layout.addWidget(self.diff_title)
        diff_layout.addWidget(self.diff_view)
        splitter.addWidget(self.files_view)
        splitter.addWidget(diff_box)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout.addWidget(splitter, 3)

        checks = QHBoxLayout()
        preflight = QGroupBox("Build check (npm install, type-check, next build)")
        pre_layout = QVBoxLayout(preflight)
        pre_buttons = QHBoxLayout()
        self.preflight_button = QPushButton("Run build check")
        self.cancel_preflight_button = QPushButton("Cancel")
        self.cancel_preflight_button.setEnabled(False)
        self.preflight_state = QLabel("Not run yet.")
        self.preflight_state.setWordWrap(True)
        pre_buttons.addWidget(self.preflight_button)
        pre_buttons.addWidget(self.cancel_preflight_button)
        pre_buttons.addWidget(self.preflight_state, 1)
        self.preflight_log = QPlainTextEdit()
        self.preflight_log.setReadOnly(True)
        self.preflight_log.setFont(fixed)
        self.preflight_log.setMaximumBlockCount(MAX_LOG_LINES)
        self.preflight_log.setMaximumHeight(150)
        self.override_check = QCheckBox("Push even though the build check did not pass")
        pre_layout.addLayout(pre_buttons)
        pre_layout.addWidget(self.preflight_log)
        pre_layout.addWidget(self.override_check)

        push = QGroupBox("Push to GitHub")
        push_layout = QVBoxLayout(push)
        self.step_list = QListWidget()
        self.step_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.step_list.setMaximumHeight(130)
        self._step_items: dict[str, QListWidgetItem] = {}
        for name, _title in STEPS:
            self._step_items[name] = QListWidgetItem()
            self.step_list.addItem(self._step_items[name])
            self._set_step(name, "pending")
        self.push_notes = QLabel()
        self.push_notes.setWordWrap(True)
        self.diverged_check = QCheckBox("Publish on top of the changes made on GitHub")
        self.diverged_check.hide()
        push_buttons = QHBoxLayout()
        self.push_button = QPushButton("Push")
        self.push_button.setDefault(True)
        self.queue_button = QPushButton("Publish when online")
        self.queue_button.hide()
        self.edit_button = QPushButton("Change the repository name")
        self.edit_button.hide()
        push_buttons.addWidget(self.push_button)
        push_buttons.addWidget(self.queue_button)
        push_buttons.addWidget(self.edit_button)
        push_buttons.addStretch(1)
        self.push_hint = QLabel()
        self.push_hint.setWordWrap(True)
        push_layout.addWidget(self.step_list)
        push_layout.addWidget(self.push_notes)
        push_layout.addWidget(self.diverged_check)
        push_layout.addLayout(push_buttons)
        push_layout.addWidget(self.push_hint)
        checks.addWidget(preflight, 3)
        checks.addWidget(push, 2)
        layout.addLayout(checks)

        self.banner = ErrorBanner()
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setOpenExternalLinks(True)
        layout.addWidget(self.banner)
        layout.addWidget(self.result_label)

    def _connect_signals(self) -> None:
        self.files_view.selectionModel().selectionChanged.connect(self._on_files_selection_changed)
        self.preflight_button.clicked.connect(self._on_preflight_clicked)
        self.cancel_preflight_button.clicked.connect(self._on_cancel_preflight_clicked)
        self.override_check.toggled.connect(self._on_push_gate_toggled)
        self.diverged_check.toggled.connect(self._on_push_gate_toggled)
        self.push_button.clicked.connect(self._on_push_clicked)
        self.queue_button.clicked.connect(self._on_queue_clicked)
        self.edit_button.clicked.connect(self.edit_requested)
        self.banner.retry_requested.connect(self._on_retry_requested)
        self.banner.settings_requested.connect(self.settings_requested)


_MARKS_ORDER = ("added", "modified", "removed", "unchanged")
