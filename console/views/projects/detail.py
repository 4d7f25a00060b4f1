"""One project: overview, files, data needs, compatibility, publish configuration, history.

Everything shown comes from `ProjectService.detail()` (and `compat_report()`,
`read_file()`), reloaded when the store reports a change to this project.
Actions that belong to the whole section (edit, delete, publish, deploy,
open the live site or repository) are signals; the page handles them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeySequence,
    QShortcut,
    QShowEvent,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from console import resources
from console.changes import ChangeSet
from console.services.projects.models import (
    CATEGORY_LABELS,
    CompatReport,
    Decision,
    FileContent,
    PickupResult,
    ProjectDetail,
    SyncState,
)
from console.services.projects.service import ProjectService
from console.views.bridge import StoreBridge
from console.views.links import ExternalUrl, same_url
from console.views.messages import MessageBridge
from console.views.projects.detail_models import (
    DataNeedsModel,
    FileTreeModel,
    RowsModel,
    RulesModel,
    deployments_model,
    env_model,
    evidence_model,
    findings_model,
    human_size,
)
from console.views.projects.highlight import PygmentsHighlighter
from console.views.tasks import TaskRunner
from console.views.widgets.tables import record_table

logger = logging.getLogger(__name__)

RELOAD_DELAY_MS = 150
SYNC_TEXT = {
    SyncState.LOCAL: "Only on this computer: the platform gets it when the console is online.",
    SyncState.PENDING: "Changes waiting to reach the platform.",
    SyncState.SYNCED: "Up to date with the platform.",
    SyncState.FAILED: "The platform refused a change",
}
_CATEGORIES: dict[str, str] = {str(k): v for k, v in CATEGORY_LABELS.items()}


class DecisionDelegate(QStyledItemDelegate):
    """A combo box to choose Create / Link to existing / Skip."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        """Override QStyledItemDelegate.createEditor."""
        combo = QComboBox(parent)
        for decision in Decision:
            combo.addItem(decision.label, decision.value)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        """Override QStyledItemDelegate.setEditorData."""
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(index.data(Qt.ItemDataRole.EditRole)), 0))

    def setModelData(
        self,
        editor: QWidget,
        model: Any,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Override QStyledItemDelegate.setModelData."""
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


def _value_label() -> QLabel:
    label = QLabel("—")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("EmptyText")
    label.setWordWrap(True)
    return label


def _header_button(text: str) -> QToolButton:
    # Tool buttons size to their text (push buttons are at least 80 px wide),
    # so the whole action row fits a small window.
    button = QToolButton()
    button.setText(text)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


class ProjectDetailView(QWidget):
    """The detail of one project.

    Signals:
        back_requested(): return to the list.
        edit_requested(int): edit the project's name, description, client.
        delete_requested(int): delete this local draft (the page confirms).
        publish_requested(int): open the publish wizard for it.
        deploy_requested(int): deploy it.
        live_site_requested(int): open its production URL.
        repository_requested(int): open its repository.
        loaded(int): a project's detail was shown (tests wait for it).
    """

    back_requested = Signal()
    edit_requested = Signal(int)
    delete_requested = Signal(int)
    publish_requested = Signal(int)
    deploy_requested = Signal(int)
    live_site_requested = Signal(int)
    repository_requested = Signal(int)
    loaded = Signal(int)

    TAB_OVERVIEW, TAB_FILES, TAB_NEEDS, TAB_COMPAT, TAB_PUBLISH, TAB_HISTORY = range(6)

    def __init__(
        self,
        service: ProjectService,
        store_bridge: StoreBridge,
        tasks: TaskRunner,
        messages: MessageBridge,
        *,
        open_url: Callable[[QUrl], object],
        external_url: ExternalUrl = same_url,
        dark: bool = False,
        watch_interval: float = 1.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._bridge = store_bridge
        self._tasks = tasks
        self._messages = messages
        self._open_url = open_url
        self._external_url = external_url
        self._dark = dark
        self._tokens = resources.theme_tokens(dark)
        self._watch_interval = watch_interval
        self._project_id: int | None = None
        self._detail: ProjectDetail | None = None
        self._pending_line: int | None = None
        self._watch: asyncio.Task[None] | None = None
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        #: A change concerned the project while hidden: reload when shown again.
        self._stale = False
        self._setup_ui()
        self._connect_signals()

    # --- public API ---------------------------------------------------------
    @property
    def project_id(self) -> int | None:
        return self._project_id

    @property
    def detail(self) -> ProjectDetail | None:
        return self._detail

    def show_project(self, project_id: int) -> asyncio.Task[ProjectDetail]:
        """Load and show a project (the tabs keep their position)."""
        if project_id != self._project_id:
            self._stop_watch()
            self._detail = None
            self.viewer.clear()
            self.viewer_title.setText("Choose a file")
            self.rules_model.set_reports(())
            self.diff_view.clear()
        self._project_id = project_id
        task = self.reload()
        self._load_compat()
        return task

    def reload(self) -> asyncio.Task[ProjectDetail]:
        assert self._project_id is not None
        self._stale = False
        return self._tasks.start(
            self,
            self._service.detail(self._project_id),
            key="detail",
            on_success=self._on_detail_loaded,
        )

    def close_project(self) -> None:
        """Stop following the working folder (the page goes back to the list)."""
        self._stop_watch()

    def show_tab(self, tab: int) -> None:
        self.tabs.setCurrentIndex(tab)

    def showEvent(self, event: QShowEvent) -> None:
        """Override QWidget.showEvent: catch up on what changed while hidden.

        A deploy started here moves the window to Deployments, so the run's
        writes arrive while this view is hidden.
        """
        super().showEvent(event)
        if self._stale and self._project_id is not None:
            self._reload_timer.start()

    # --- slots --------------------------------------------------------------
    @Slot(object)
    def _on_store_changed(self, changes: ChangeSet) -> None:
        pid = self._project_id
        if pid is None or not _concerns(changes, pid):
            return
        if self.isVisible():
            self._reload_timer.start()
        else:
            self._stale = True

    @Slot()
    def _on_reload_timer_timeout(self) -> None:
        if self._project_id is not None:
            self.reload()

    def _on_detail_loaded(self, detail: ProjectDetail) -> None:
        first = self._detail is None or self._detail.row.id != detail.row.id
        self._detail = detail
        self._render_header(detail)
        self._render_overview(detail)
        selected = self._selected_path()
        self.files_model.set_files(detail.files)
        self.file_tree.expandToDepth(0)
        if selected:
            self._select_path(selected)
        if not self.needs_model.dirty:
            self.needs_model.set_needs(detail.data_needs)
            if detail.data_needs:
                self.needs_table.selectRow(0)
            else:
                self.evidence_model.set_rows(())
        self.needs_empty.setVisible(not detail.data_needs)
        self._render_publish(detail)
        self.history_model.set_rows(detail.deployments)
        self.history_empty.setVisible(not detail.deployments)
        self.workdir_label.setText(
            f"Working folder: {detail.workdir}"
            if detail.workdir
            else "Not opened in an editor yet."
        )
        if first and detail.workdir and self._watch is None:
            self._start_watch()
        self.loaded.emit(detail.row.id)

    @Slot()
    def _on_back_clicked(self) -> None:
        self.back_requested.emit()

    @Slot()
    def _on_edit_clicked(self) -> None:
        if self._project_id is not None:
            self.edit_requested.emit(self._project_id)

    @Slot()
    def _on_delete_clicked(self) -> None:
        if self._project_id is not None:
            self.delete_requested.emit(self._project_id)

    @Slot()
    def _on_publish_clicked(self) -> None:
        if self._project_id is not None:
            self.publish_requested.emit(self._project_id)

    @Slot()
    def _on_deploy_clicked(self) -> None:
        if self._project_id is not None:
            self.deploy_requested.emit(self._project_id)

    @Slot()
    def _on_live_clicked(self) -> None:
        if self._project_id is not None:
            self.live_site_requested.emit(self._project_id)

    @Slot()
    def _on_repo_clicked(self) -> None:
        if self._project_id is not None:
            self.repository_requested.emit(self._project_id)

    @Slot()
    def _on_open_editor_clicked(self) -> None:
        if self._project_id is None:
            return
        self._tasks.start(
            self,
            self._service.open_workdir(self._project_id),
            key="workdir",
            busy=(self.open_editor_button,),
            on_success=self._on_workdir_opened,
        )

    def _on_workdir_opened(self, path: Any) -> None:
        self.workdir_label.setText(f"Working folder: {path}")
        self._open_url(QUrl.fromLocalFile(str(path)))
        self._messages.show_info(f"Files written to {path}; edits there are picked up.")
        if self._watch is None:
            self._start_watch()

    @Slot()
    def _on_pickup_clicked(self) -> None:
        if self._project_id is None:
            return
        self._tasks.start(
            self,
            self._service.pick_up_changes(self._project_id),
            key="pickup",
            busy=(self.pickup_button,),
            on_success=self._on_picked_up,
        )

    def _on_picked_up(self, result: PickupResult) -> None:
        parts = []
        for count, word in (
            (len(result.changed), "changed"),
            (len(result.added), "added"),
            (len(result.deleted), "deleted"),
        ):
            if count:
                parts.append(f"{count} {word}")
        text = ("Picked up " + ", ".join(parts) + ".") if parts else "No changes in the folder."
        if result.rejected:
            text += " Not picked up: " + "; ".join(result.rejected)
        self.pickup_label.setText(text)
        if result:
            path = self._selected_path()
            if path and (path in result.changed or path in result.added):
                self._load_file(path)

    @Slot(QModelIndex, QModelIndex)
    def _on_file_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        info = self.files_model.file_at(current)
        if info is not None:
            self._load_file(info.path)

    def _on_file_loaded(self, content: FileContent) -> None:
        origin = {"patch": "patched by a compatibility rule", "user": "edited in your editor"}.get(
            content.origin, f"from {content.origin}"
        )
        self.viewer_title.setText(f"{content.path} · {origin} · {human_size(content.size)}")
        if content.text is None:
            self.highlighter.set_source(
                f"Binary file ({human_size(content.size)}); it is published as is.", "x.txt"
            )
        else:
            self.highlighter.set_source(content.text, content.path)
        if self._pending_line is not None:
            self._goto_line(self._pending_line)
            self._pending_line = None

    @Slot(QModelIndex, QModelIndex)
    def _on_need_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.evidence_model.set_rows(self.needs_model.need(current.row()).detection.evidence)

    @Slot(QModelIndex)
    def _on_evidence_activated(self, index: QModelIndex) -> None:
        evidence = self.evidence_model.row_object(index.row())
        self._pending_line = evidence.line
        self.tabs.setCurrentIndex(self.TAB_FILES)
        if self._selected_path() == evidence.path:
            self._goto_line(evidence.line)
            self._pending_line = None
        else:
            self._select_path(evidence.path)

    @Slot()
    def _on_save_needs_clicked(self) -> None:
        if self._project_id is None:
            return
        self._tasks.start(
            self,
            self._service.save_data_needs(
                self._project_id, self.needs_model.needs(), initiator=self
            ),
            key="needs",
            busy=(self.save_needs_button,),
            on_success=self._on_needs_saved,
        )

    def _on_needs_saved(self, _result: None) -> None:
        self.needs_model.set_needs([replace(n, confirmed=True) for n in self.needs_model.needs()])
        self._messages.show_info("Data needs saved; the publish wizard uses them.")
        self.reload()

    @Slot()
    def _on_analyze_clicked(self) -> None:
        if self._project_id is None:
            return
        self._tasks.start(
            self,
            self._service.analyze(self._project_id),
            key="needs",
            busy=(self.analyze_button,),
            on_success=self._on_analyzed,
        )

    def _on_analyzed(self, needs: Any) -> None:
        self.needs_model.set_needs(needs)
        self.needs_empty.setVisible(not needs)

    @Slot(QModelIndex, QModelIndex)
    def _on_rule_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._show_rule(current.row())

    @Slot()
    def _on_rules_changed(self) -> None:
        dirty = self.rules_model.dirty
        self.apply_button.setEnabled(dirty)
        self.compat_note.setText(
            "Turned on/off but not applied yet: Apply rewrites the patched files."
            if dirty
            else "Patched files are stored beside the originals; turning a rule off and "
            "applying restores what it changed."
        )

    @Slot()
    def _on_apply_clicked(self) -> None:
        if self._project_id is None:
            return
        self._tasks.start(
            self,
            self._service.apply_compat(
                self._project_id, self.rules_model.disabled(), initiator=self
            ),
            key="compat",
            busy=(self.apply_button,),
            on_success=self._on_compat_loaded,
        )

    def _on_compat_loaded(self, report: CompatReport) -> None:
        row = max(self.rules_table.currentIndex().row(), 0)
        self.rules_model.set_reports(report.rules)
        if report.rules:
            self.rules_table.selectRow(min(row, len(report.rules) - 1))
            self._show_rule(min(row, len(report.rules) - 1))
        self._on_rules_changed()

    # --- helpers --------------------------------------------------------------
    def _load_compat(self) -> None:
        assert self._project_id is not None
        self._tasks.start(
            self,
            self._service.compat_report(self._project_id),
            key="compat",
            on_success=self._on_compat_loaded,
        )

    def _load_file(self, path: str) -> None:
        assert self._project_id is not None
        self._tasks.start(
            self,
            self._service.read_file(self._project_id, path),
            key="file",
            on_success=self._on_file_loaded,
        )

    def _selected_path(self) -> str | None:
        info = self.files_model.file_at(self.file_tree.currentIndex())
        return info.path if info else None

    def _select_path(self, path: str) -> None:
        index = self.files_model.index_of(path)
        if index.isValid():
            self.file_tree.setCurrentIndex(index)
            self.file_tree.scrollTo(index)

    def _goto_line(self, line: int) -> None:
        block = self.viewer.document().findBlockByNumber(max(line - 1, 0))
        cursor = QTextCursor(block)
        cursor.select(QTextCursor.SelectionType.LineUnderCursor)
        self.viewer.setTextCursor(cursor)
        self.viewer.centerCursor()

    def _show_rule(self, row: int) -> None:
        report = self.rules_model.report(row)
        state = "" if report.enabled else " (off: what it would change)"
        self.rule_title.setText(f"{report.title}{state}")
        self.rule_description.setText(report.description)
        diff = (
            "\n".join(d.diff for d in report.diffs) or "This rule changes nothing in this project."
        )
        self.diff_highlighter.set_source(diff, "changes.diff")
        self.findings_model.set_rows(report.findings)
        self.findings_table.setVisible(bool(report.findings))

    def _start_watch(self) -> None:
        if self._project_id is None:
            return
        self._watch = self._tasks.start(
            self,
            self._service.follow(
                self._project_id, self._on_picked_up, interval=self._watch_interval
            ),
            key="watch",
        )

    def _stop_watch(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None

    def _render_header(self, detail: ProjectDetail) -> None:
        row = detail.row
        self.title_label.setText(row.name)
        self.state_label.setText(row.state.label)
        sync = SYNC_TEXT[detail.sync_state]
        if detail.sync_state is SyncState.FAILED and detail.sync_error:
            sync += f": {detail.sync_error}"
        self.subtitle_label.setText(f"{row.client_name} · {sync}")
        self.live_button.setEnabled(bool(row.production_url))
        self.repo_button.setEnabled(bool(row.repo_url))
        # A project synced from the platform has its files in its repository, not here.
        self.open_editor_button.setEnabled(bool(detail.files))
        self.delete_button.setVisible(row.is_local_draft)
        self.deploy_button.setEnabled(row.remote_id is not None and bool(row.repo_url))
        self.deploy_button.setToolTip(
            "Deploy to Vercel" if self.deploy_button.isEnabled() else "Publish it first"
        )

    def _render_overview(self, detail: ProjectDetail) -> None:
        row = detail.row
        last = detail.last_deployment
        values = {
            "client": row.client_name,
            "status": f"{row.state.label} (platform status: {row.status})"
            if row.remote_id
            else "Local draft, not on the platform yet",
            "sync": SYNC_TEXT[detail.sync_state]
            + (f" ({detail.queued_changes} queued)" if detail.queued_changes else "")
            + (f": {detail.sync_error}" if detail.sync_error else ""),
            "url": f'<a href="{row.production_url}">{row.production_url}</a>'
            if row.production_url
            else "Not deployed",
            "repo": f'<a href="{row.repo_url}">{row.repo_url}</a>'
            if row.repo_url
            else "Not published",
            "last": (
                f"{last.state.capitalize()} · {last.created_at.astimezone():%d %b %Y %H:%M}"
                + (f" · {last.url}" if last.url else "")
            )
            if last
            else _no_history(row.deployment_status),
            "linked": ", ".join(f"{n.detection.label} → {n.link_id}" for n in detail.linked_records)
            or "None",
            "needs": ", ".join(_CATEGORIES.get(c, c) for c in row.categories) or "None confirmed",
            "source": {"v0": "v0 export", "template": "Template", "platform": "Platform"}.get(
                row.source, row.source
            ),
            "files": (
                f"{_count(len(detail.files), 'file')}, {human_size(detail.total_size)}"
                + (
                    f" · {sum(1 for f in detail.files if f.origin == 'patch')} patched"
                    if any(f.origin == "patch" for f in detail.files)
                    else ""
                )
            )
            if detail.files
            else "None on this computer"
            + (": they are in the repository." if row.repo_url else "."),
            "dates": f"created {row.created_at.astimezone():%d %b %Y}, "
            f"updated {row.updated_at.astimezone():%d %b %Y %H:%M}",
            "description": row.description or "No description.",
        }
        for key, label in self.overview_values.items():
            label.setText(values[key])
        blockers = [f for f in detail.findings if f.severity == "blocker"]
        errors = [f for f in detail.findings if f.severity == "error"]
        warnings = [f for f in detail.findings if f.severity == "warning"]
        notes = []
        if blockers or errors or warnings:
            found = " and ".join(
                _count(n, word)
                for n, word in (
                    (len(blockers), "build blocker"),
                    (len(errors), "problem"),
                    (len(warnings), "warning"),
                )
                if n
            )
            notes.append(f"{found} to look at before publishing: see Compatibility.")
        if detail.import_notes:
            notes.append("Left out at import: " + "; ".join(detail.import_notes))
        self.overview_notes.setText("\n".join(notes))
        self.overview_notes.setVisible(bool(notes))

    def _render_publish(self, detail: ProjectDetail) -> None:
        publish = detail.publish
        while self.publish_form.rowCount():
            self.publish_form.removeRow(0)
        if not publish.configured:
            self.publish_form.addRow(
                _hint(
                    "Not configured yet. Publish… opens the wizard; it starts from the data "
                    "needs and environment variables below."
                )
            )
        for label, value in publish.fields:
            field = _value_label()
            field.setText(value)
            self.publish_form.addRow(label, field)
        categories = _value_label()
        categories.setText(
            ", ".join(_CATEGORIES.get(c, c) for c in publish.categories) or "None confirmed"
        )
        self.publish_form.addRow("API categories", categories)
        if publish.last_published_at:
            published = _value_label()
            published.setText(
                f"{publish.last_published_at.astimezone():%d %b %Y %H:%M}"
                f" · {(publish.last_published_sha or '')[:7]}"
            )
            self.publish_form.addRow("Last published", published)
        self.env_model.set_rows(publish.env)

    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        top = QHBoxLayout()
        top.setSpacing(4)
        # Short labels (details in tooltips) so the header fits a small window.
        self.back_button = _header_button("← Projects")
        self.back_button.setToolTip("Back to all projects (Esc)")
        self.back_button.setAutoRaise(True)
        top.addWidget(self.back_button)
        top.addStretch(1)
        self.edit_button = _header_button("Edit…")
        self.open_editor_button = _header_button("Editor")
        self.open_editor_button.setToolTip("Open the project's files in your editor")
        self.live_button = _header_button("Live site")
        self.live_button.setToolTip("Open the production URL in the browser")
        self.repo_button = _header_button("Repository")
        self.repo_button.setToolTip("Open the GitHub repository in the browser")
        self.deploy_button = _header_button("Deploy")
        self.publish_button = QPushButton("Publish…")
        self.publish_button.setDefault(True)
        self.delete_button = _header_button("Delete…")
        self.delete_button.setToolTip("Delete this draft from this computer (asks first)")
        for button in (
            self.edit_button,
            self.open_editor_button,
            self.live_button,
            self.repo_button,
            self.delete_button,
            self.deploy_button,
            self.publish_button,
        ):
            top.addWidget(button)
        layout.addLayout(top)

        heading = QHBoxLayout()
        self.title_label = QLabel()
        self.title_label.setObjectName("PageTitle")
        self.state_label = QLabel()
        self.state_label.setObjectName("StatusPill")
        heading.addWidget(self.title_label)
        heading.addWidget(self.state_label)
        heading.addStretch(1)
        layout.addLayout(heading)
        self.subtitle_label = QLabel()
        self.subtitle_label.setObjectName("EmptyText")
        layout.addWidget(self.subtitle_label)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._overview_tab(), "Overview")
        self.tabs.addTab(self._files_tab(), "Files")
        self.tabs.addTab(self._needs_tab(), "Data needs")
        self.tabs.addTab(self._compat_tab(), "Compatibility")
        self.tabs.addTab(self._publish_tab(), "Publish configuration")
        self.tabs.addTab(self._history_tab(), "Deployments")
        layout.addWidget(self.tabs, 1)

    def _overview_tab(self) -> QWidget:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        form = QFormLayout(body)
        form.setContentsMargins(4, 12, 4, 4)
        form.setVerticalSpacing(10)
        self.overview_values: dict[str, QLabel] = {}
        for key, caption in (
            ("client", "Client"),
            ("status", "Status"),
            ("sync", "Platform"),
            ("url", "Production URL"),
            ("repo", "Repository"),
            ("last", "Last deployment"),
            ("needs", "Data needs"),
            ("linked", "Linked records"),
            ("source", "Source"),
            ("files", "Files"),
            ("dates", "Dates"),
            ("description", "Description"),
        ):
            label = _value_label()
            if key in ("url", "repo"):
                label.setTextFormat(Qt.TextFormat.RichText)
                label.setOpenExternalLinks(False)
                label.linkActivated.connect(self._on_link_activated)
            self.overview_values[key] = label
            form.addRow(caption, label)
        self.overview_notes = _hint("")
        self.overview_notes.setVisible(False)
        form.addRow(self.overview_notes)
        area.setWidget(body)
        return area

    @Slot(str)
    def _on_link_activated(self, link: str) -> None:
        # The shown links are the recorded URLs; mapped when opened (sandbox: local pages).
        self._open_url(QUrl(self._external_url(link)))

    def _files_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        bar = QHBoxLayout()
        self.workdir_label = _hint("Not opened in an editor yet.")
        self.pickup_button = QPushButton("Pick up changes")
        bar.addWidget(self.workdir_label, 1)
        bar.addWidget(self.pickup_button)
        layout.addLayout(bar)
        self.pickup_label = _hint("")
        layout.addWidget(self.pickup_label)
        splitter = QSplitter()
        self.files_model = FileTreeModel(self)
        self.files_model.set_origin_colors(
            {"patch": QColor(self._tokens["accent"]), "user": QColor(self._tokens["ok"])}
        )
        self.file_tree = QTreeView()
        self.file_tree.setModel(self.files_model)
        self.file_tree.setUniformRowHeights(True)
        self.file_tree.header().setStretchLastSection(False)
        self.file_tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.file_tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        splitter.addWidget(self.file_tree)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.viewer_title = QLabel("Choose a file")
        self.viewer = QPlainTextEdit()
        self.viewer.setReadOnly(True)
        self.viewer.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.viewer.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = PygmentsHighlighter(self.viewer.document(), dark=self._dark)
        right_layout.addWidget(self.viewer_title)
        right_layout.addWidget(self.viewer, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([260, 700])
        layout.addWidget(splitter, 1)
        return page

    def _needs_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            _hint(
                "What the app's code shows it needs, with the evidence. Confirm each: Create "
                "(the publish wizard sets up that API category), Link to an existing record "
                "(its id), or Skip. Saved decisions feed the publish wizard."
            )
        )
        self.needs_model = DataNeedsModel(self)
        self.needs_table = record_table(self.needs_model, stretch=DataNeedsModel.Column.SIGNALS)
        self.needs_table.setItemDelegateForColumn(
            DataNeedsModel.Column.DECISION, DecisionDelegate(self.needs_table)
        )
        self.needs_table.setEditTriggers(
            QAbstractItemView.EditTrigger.AllEditTriggers
            & ~QAbstractItemView.EditTrigger.CurrentChanged
        )
        self.needs_empty = _hint(
            "No data needs detected: the code shows no forms, products, events, bookings, chat "
            "or other platform data. Analyze again after editing."
        )
        self.needs_empty.setVisible(False)
        layout.addWidget(self.needs_table, 2)
        layout.addWidget(self.needs_empty)
        layout.addWidget(QLabel("Evidence (double-click to open the file at that line)"))
        self.evidence_model = evidence_model(self)
        self.evidence_table = record_table(self.evidence_model, stretch=3)
        layout.addWidget(self.evidence_table, 2)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.analyze_button = QPushButton("Analyze again")
        self.save_needs_button = QPushButton("Save decisions")
        self.save_needs_button.setDefault(True)
        buttons.addWidget(self.analyze_button)
        buttons.addWidget(self.save_needs_button)
        layout.addLayout(buttons)
        return page

    def _compat_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.compat_note = _hint("")
        layout.addWidget(self.compat_note)
        splitter = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.rules_model = RulesModel(self)
        self.rules_table = record_table(self.rules_model, stretch=1)
        left_layout.addWidget(self.rules_table, 1)
        apply_row = QHBoxLayout()
        apply_row.addStretch(1)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setEnabled(False)
        apply_row.addWidget(self.apply_button)
        left_layout.addLayout(apply_row)
        splitter.addWidget(left)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.rule_title = QLabel()
        title_font = QFont(self.rule_title.font())
        title_font.setWeight(QFont.Weight.DemiBold)
        self.rule_title.setFont(title_font)
        self.rule_description = _hint("")
        self.diff_view = QPlainTextEdit()
        self.diff_view.setReadOnly(True)
        self.diff_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.diff_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.diff_highlighter = PygmentsHighlighter(self.diff_view.document(), dark=self._dark)
        self.findings_model = findings_model(self)
        self.findings_table = record_table(self.findings_model, stretch=2)
        self.findings_table.setMaximumHeight(150)
        right_layout.addWidget(self.rule_title)
        right_layout.addWidget(self.rule_description)
        right_layout.addWidget(self.diff_view, 3)
        right_layout.addWidget(self.findings_table, 1)
        splitter.addWidget(right)
        splitter.setSizes([380, 620])
        layout.addWidget(splitter, 1)
        self._on_rules_changed()
        return page

    def _publish_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.publish_form = QFormLayout()
        layout.addLayout(self.publish_form)
        layout.addWidget(QLabel("Environment variables the app reads"))
        self.env_model = env_model(self)
        self.env_table = record_table(self.env_model, stretch=3)
        layout.addWidget(self.env_table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.wizard_button = QPushButton("Open publish wizard…")
        row.addWidget(self.wizard_button)
        layout.addLayout(row)
        return page

    def _history_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.history_model: RowsModel = deployments_model(self)
        self.history_table = record_table(self.history_model, stretch=5)
        self.history_empty = _hint(
            "Not deployed yet. Publish, then Deploy, to see its history here."
        )
        layout.addWidget(self.history_empty)
        layout.addWidget(self.history_table, 1)
        return page

    def _connect_signals(self) -> None:
        self._bridge.changed.connect(self._on_store_changed)
        self._reload_timer.timeout.connect(self._on_reload_timer_timeout)
        self.back_button.clicked.connect(self._on_back_clicked)
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back.activated.connect(self.back_button.click)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.publish_button.clicked.connect(self._on_publish_clicked)
        self.wizard_button.clicked.connect(self._on_publish_clicked)
        self.deploy_button.clicked.connect(self._on_deploy_clicked)
        self.live_button.clicked.connect(self._on_live_clicked)
        self.repo_button.clicked.connect(self._on_repo_clicked)
        self.open_editor_button.clicked.connect(self._on_open_editor_clicked)
        self.pickup_button.clicked.connect(self._on_pickup_clicked)
        self.file_tree.selectionModel().currentChanged.connect(self._on_file_current_changed)
        self.needs_table.selectionModel().currentChanged.connect(self._on_need_current_changed)
        self.evidence_table.activated.connect(self._on_evidence_activated)
        self.save_needs_button.clicked.connect(self._on_save_needs_clicked)
        self.analyze_button.clicked.connect(self._on_analyze_clicked)
        self.rules_table.selectionModel().currentChanged.connect(self._on_rule_current_changed)
        self.rules_model.dataChanged.connect(self._on_rules_changed)
        self.apply_button.clicked.connect(self._on_apply_clicked)


def _concerns(changes: ChangeSet, project_id: int) -> bool:
    """Whether `changes` may alter what the detail of `project_id` shows.

    Deployment rows are keyed by their Vercel id, so any deployment write
    counts; a projects write without ids ("many rows") counts too.
    """
    return (
        project_id in changes.ids("projects")
        or project_id in changes.ids("publish_configs")
        or changes.touches("project_files", "deployments", "outbox")
        or (changes.touches("projects") and not changes.ids("projects"))
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _no_history(deployment_status: str | None) -> str:
    """What the overview says when this computer holds no deployment of the project."""
    if deployment_status in (None, "", "none"):
        return "None yet"
    return f"{deployment_status.capitalize()} (no deployment history on this computer yet)"


__all__ = ["DecisionDelegate", "ProjectDetailView"]
