"""Step 8 of the publish wizard: review every file, check the build, push.

The file list comes from `PublishService.review`: every file the push
commits, where it came from (the project, the integration layer, or both
merged) and its diff against the last published commit, offline. The build
check panel (`BuildCheckPanel`) builds exactly that set; the push stays
blocked until a check passed for these exact files, or the user ticks the
explicit override. The push's step list is rendered only from its progress
events; a failure is shown inline with what to do and, where it helps,
Retry. Offline, "Publish when online" queues it.
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
    QComboBox,
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
    CheckReport,
    CheckRequired,
    CustomEnvVar,
    PublishResult,
    PublishService,
    RepoNameTaken,
    Review,
)
from console.services.scaffold import PublishConfig
from console.views.links import ExternalUrl, same_url
from console.views.projects.highlight import PygmentsHighlighter
from console.views.publish.build_check import BuildCheckPanel
from console.views.publish.models import FileColumn, FileFilter, ReviewFilesModel
from console.views.tasks import TaskRunner
from console.views.widgets.error_banner import ErrorBanner

logger = logging.getLogger(__name__)

_MARKS = {"pending": "○", "running": "▶", "done": "✓", "failed": "✗"}
_ORIGIN_WORDS = {
    "project": "the project's own file",
    "layer": "added by the l4yercak3 integration",
    "merged": "the project's file, merged with the integration",
    "moved": "added by the integration at a namespaced path",
}


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

    def __init__(
        self,
        service: PublishService,
        tasks: TaskRunner,
        project_id: int,
        *,
        external_url: ExternalUrl = same_url,
    ) -> None:
        super().__init__()
        self.setTitle("Review and push")
        self.setSubTitle(
            "Every file the push commits: the project's own, the integration's, and where "
            "the two were merged."
        )
        self._service = service
        self._tasks = tasks
        self._project_id = project_id
        self._external_url = external_url
        self._config: PublishConfig | None = None
        self._review: Review | None = None
        self._push_task: asyncio.Task[PublishResult] | None = None
        self._done = False
        self._online = True
        self.files_model = ReviewFilesModel()
        self.check_panel = BuildCheckPanel(service, tasks, project_id)
        self._setup_ui()
        self._connect_signals()

    # ------------------------------------------------------------------ public API

    @property
    def review(self) -> Review | None:
        return self._review

    @property
    def check_task(self) -> asyncio.Task[CheckReport] | None:
        return self.check_panel.task

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

    def step_status(self, name: str) -> str:
        return str(self._step_items[name].data(Qt.ItemDataRole.UserRole) or "pending")

    # ------------------------------------------------------------------ slots

    def _on_draft_saved(self, _result: None) -> None:
        self._load_review()

    def _on_review_loaded(self, review: Review) -> None:
        selected = self._selected_path()
        self._review = review
        self.files_model.set_rows(review.changes)
        self._update_filter_counts()
        self.summary_label.setText(_summary(review))
        blockers = [*review.problems, *(f"Secret in {hit}" for hit in review.secrets)]
        self.blockers_label.setText("\n".join(blockers))
        self.blockers_label.setVisible(bool(blockers))
        self.conflicts_label.setText("\n".join(f"⚠ {conflict}" for conflict in review.conflicts))
        self.conflicts_label.setVisible(bool(review.conflicts))
        install = f"Vercel installs with {review.install}" if review.install else ""
        if review.lockfile_stale:
            install += (
                " The lockfile is out of date with package.json: the build check "
                "regenerates it and the push carries the new one."
            )
        self.install_label.setText(install)
        if self._config is not None:
            self.check_panel.set_review(self._config, review)
        row = self.files_model.row_of(selected) if selected else -1
        if row < 0:
            row = next(
                (i for i in range(self.files_model.rowCount()) if self._is_interesting(i)), 0
            )
        if self.files_model.rowCount():
            self.files_view.selectRow(row)
        self._update_push_state()

    @Slot(QItemSelection, QItemSelection)
    def _on_files_selection_changed(self, _selected: QItemSelection, _old: QItemSelection) -> None:
        change = self.files_model.change(self.files_view.currentIndex().row())
        if change is None:
            self.diff_highlighter.set_source("", "changes.diff")
            self.diff_title.setText("")
            return
        origin = change.origin
        where = _ORIGIN_WORDS.get(origin.origin, "") if origin else "removed by this push"
        note = f" ({origin.note})" if origin and origin.note else ""
        if change.status == "unchanged" and self._review is not None:
            text = self._review.files.get(change.path, b"").decode("utf-8", "replace")
            self.diff_highlighter.set_source(text, change.path)
            self.diff_title.setText(
                f"{change.path}: unchanged since the last publish; {where}{note}"
            )
            return
        self.diff_highlighter.set_source(change.diff, "changes.diff")
        self.diff_title.setText(f"{change.path}: {change.status}; {where}{note}")

    @Slot(int)
    def _on_filter_changed(self, index: int) -> None:
        self.files_model.set_filter(list(FileFilter)[index])
        if self.files_model.rowCount():
            self.files_view.selectRow(0)

    @Slot(object)
    def _on_check_finished(self, _report: CheckReport) -> None:
        self._load_review()  # the check binds to the set it built (maybe with a new lockfile)

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
                self._project_id,
                self._config,
                allow_diverged=self.diverged_check.isChecked(),
                override_check=self.check_panel.override,
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
            f"as {result.sha[:7]}: <a href='{self._external_url(result.repo_url)}'>"
            f"{result.repo_url}</a>"
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
        if isinstance(error, CheckRequired):
            self._load_review()
        self._update_push_state()

    @Slot()
    def _on_push_gate_toggled(self) -> None:
        self._update_push_state()

    # ------------------------------------------------------------------ helpers

    def _load_review(self) -> None:
        if self._config is not None:
            self._tasks.start(
                self,
                self._service.review(self._project_id, self._config),
                key="review",
                on_success=self._on_review_loaded,
            )

    def _selected_path(self) -> str | None:
        change = self.files_model.change(self.files_view.currentIndex().row())
        return change.path if change else None

    def _is_interesting(self, row: int) -> bool:
        change = self.files_model.change(row)
        return change is not None and (
            change.status != "unchanged"
            or (change.origin is not None and change.origin.origin != "project")
        )

    def _update_filter_counts(self) -> None:
        for index, kind in enumerate(FileFilter):
            self.filter_combo.setItemText(index, f"{kind.value} ({self.files_model.count(kind)})")

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
                override_check=self.check_panel.override,
                progress=self._on_push_event,
            ),
            key="push",
            busy=(self.push_button, self.check_panel.run_button),
            on_success=self._on_published,
            on_error=self._on_push_failed,
            on_done=lambda _task: self._update_push_state(),
        )

    def _finish(self) -> None:
        self._done = True
        self._update_push_state()
        self.completeChanged.emit()

    def _set_step(self, name: str, status: str, detail: str = "") -> None:
        item = self._step_items[name]
        title = dict(STEPS)[name]
        item.setText(f"{_MARKS[status]}  {title}" + (f": {detail}" if detail else ""))
        item.setToolTip(item.text())
        item.setData(Qt.ItemDataRole.UserRole, status)

    def _update_push_state(self) -> None:
        review = self._review
        pushing = self._push_task is not None and not self._push_task.done()
        why = ""
        if review is None:
            why = "Waiting for the file list."
        elif review.problems or review.secrets:
            why = "Fix what is listed above first (Back to the step it names)."
        elif self.check_panel.running:
            why = "The build check is running."
        elif not self._check_passed(review) and not self.check_panel.override:
            why = (
                "Run the build check on these files first, or tick the override to push "
                "without a passing one."
            )
        blocked = bool(why) or pushing or self._done
        self.push_button.setEnabled(not blocked)
        self.queue_button.setEnabled(not blocked)
        if not self._online:
            self.queue_button.show()
        self.push_hint.setText("" if self._done else why)

    @staticmethod
    def _check_passed(review: Review) -> bool:
        return review.check_matches and review.check is not None and review.check.ok

    @staticmethod
    def _refresh_style(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.blockers_label = QLabel()
        self.blockers_label.setObjectName("ResultError")
        self.blockers_label.setWordWrap(True)
        self.blockers_label.hide()
        self.conflicts_label = QLabel()
        self.conflicts_label.setObjectName("ResultWarning")
        self.conflicts_label.setWordWrap(True)
        self.conflicts_label.hide()
        self.install_label = QLabel()
        self.install_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.blockers_label)
        layout.addWidget(self.conflicts_label)
        layout.addWidget(self.install_label)

        files_box = QWidget()
        files_layout = QVBoxLayout(files_box)
        files_layout.setContentsMargins(0, 0, 0, 0)
        self.filter_combo = QComboBox()
        self.filter_combo.addItems([kind.value for kind in FileFilter])
        self.files_view = QTableView()
        self.files_view.setModel(self.files_model)
        self.files_view.verticalHeader().hide()
        self.files_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.files_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.files_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.files_view.setWordWrap(False)
        self.files_view.setTextElideMode(Qt.TextElideMode.ElideLeft)  # keep the file name
        rows = self.files_view.verticalHeader()
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.files_view.horizontalHeader()
        header.setSectionResizeMode(FileColumn.STATUS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FileColumn.ORIGIN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FileColumn.PATH, QHeaderView.ResizeMode.Stretch)
        files_layout.addWidget(self.filter_combo)
        files_layout.addWidget(self.files_view, 1)
        diff_box = QWidget()
        diff_layout = QVBoxLayout(diff_box)
        diff_layout.setContentsMargins(0, 0, 0, 0)
        self.diff_title = QLabel()
        self.diff_title.setWordWrap(True)
        self.diff_view = QPlainTextEdit()
        self.diff_view.setReadOnly(True)
        self.diff_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.diff_view.setFont(fixed)
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        self.diff_highlighter = PygmentsHighlighter(self.diff_view.document(), dark=dark)
        diff_layout.addWidget(self.diff_title)
        diff_layout.addWidget(self.diff_view, 1)
        files_split = QSplitter(Qt.Orientation.Horizontal)
        files_split.addWidget(files_box)
        files_split.addWidget(diff_box)
        files_split.setStretchFactor(0, 2)
        files_split.setStretchFactor(1, 3)

        push = QGroupBox("Push to GitHub")
        push_layout = QVBoxLayout(push)
        self.step_list = QListWidget()
        self.step_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
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
        push_layout.addWidget(self.step_list, 1)
        push_layout.addWidget(self.push_notes)
        push_layout.addWidget(self.diverged_check)
        push_layout.addLayout(push_buttons)
        push_layout.addWidget(self.push_hint)

        checks = QWidget()
        checks_layout = QHBoxLayout(checks)
        checks_layout.setContentsMargins(0, 0, 0, 0)
        checks_layout.addWidget(self.check_panel, 3)
        checks_layout.addWidget(push, 2)

        # The user decides how much room the files and the build output get.
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(files_split)
        split.addWidget(checks)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)

        self.banner = ErrorBanner()
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setOpenExternalLinks(True)
        layout.addWidget(self.banner)
        layout.addWidget(self.result_label)

    def _connect_signals(self) -> None:
        self.files_view.selectionModel().selectionChanged.connect(self._on_files_selection_changed)
        self.filter_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.check_panel.finished.connect(self._on_check_finished)
        self.check_panel.override_changed.connect(self._on_push_gate_toggled)
        self.diverged_check.toggled.connect(self._on_push_gate_toggled)
        self.push_button.clicked.connect(self._on_push_clicked)
        self.queue_button.clicked.connect(self._on_queue_clicked)
        self.edit_button.clicked.connect(self.edit_requested)
        self.banner.retry_requested.connect(self._on_retry_requested)
        self.banner.settings_requested.connect(self.settings_requested)


def _summary(review: Review) -> str:
    counts = review.origin_counts()
    changes = {s: sum(1 for c in review.changes if c.status == s) for s in _STATUSES}
    own = counts.get("project", 0) + counts.get("merged", 0)
    layer = counts.get("layer", 0) + counts.get("moved", 0)
    against = (
        f"compared with {review.last_published_sha[:7]}"
        if review.last_published_sha
        else "first publish"
    )
    merged = counts.get("merged", 0)
    return (
        f"{len(review.files)} files: {own} from the project"
        + (f" ({merged} merged with the integration)" if merged else "")
        + f", {layer} added by the integration. {against.capitalize()}: "
        + f"{changes['added']} added, {changes['modified']} changed, "
        + f"{changes['removed']} removed, {changes['unchanged']} unchanged."
    )


_STATUSES = ("added", "modified", "removed", "unchanged")
