"""The Projects section: every builder app of the agency and its clients.

Stats on top (clickable as filters), a search and filter bar, and the same
model shown as painted cards or as a table; the detail of one project
replaces the list. Data flows one way: the service writes the store, the
StoreBridge reports the change, and the page reloads only the rows that
changed (coalesced), so it stays smooth with 100,000 projects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QModelIndex, QPoint, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console import resources
from console.changes import ChangeSet
from console.services.projects.models import (
    ARCHITECTURE_LABELS,
    CATEGORY_LABELS,
    OrgOption,
    ProjectRow,
    ProjectState,
)
from console.services.projects.service import ProjectService
from console.views.bridge import StoreBridge
from console.views.links import ExternalUrl, same_url
from console.views.messages import MessageBridge
from console.views.models.projects import (
    Column,
    ProjectFilter,
    ProjectStats,
    ProjectTableModel,
    Role,
)
from console.views.projects.cards import (
    CardGridView,
    ProjectCardDelegate,
    StatCard,
    state_colors,
)
from console.views.projects.detail import ProjectDetailView
from console.views.projects.dialogs import (
    EditProjectDialog,
    ImportDialog,
    ImportRequest,
    TemplateDialog,
    TemplateRequest,
)
from console.views.tasks import TaskRunner
from console.views.widgets.empty_state import EmptyState

logger = logging.getLogger(__name__)

SEARCH_DELAY_MS = 200
RELOAD_DELAY_MS = 150
#: Above this many changed rows a full reload is cheaper than patching.
PARTIAL_RELOAD_LIMIT = 500
SORTS = (
    ("Recently updated", Column.UPDATED, Qt.SortOrder.DescendingOrder),
    ("Name", Column.NAME, Qt.SortOrder.AscendingOrder),
    ("Client", Column.CLIENT, Qt.SortOrder.AscendingOrder),
    ("Status (attention first)", Column.STATUS, Qt.SortOrder.AscendingOrder),
    ("Architecture", Column.ARCHITECTURE, Qt.SortOrder.AscendingOrder),
    ("Most data needs", Column.CATEGORIES, Qt.SortOrder.DescendingOrder),
)


class ProjectsPage(QWidget):
    """List, filter and open projects; import v0 exports and start from templates.

    Args:
        service: the projects service.
        store_bridge: store changes as a Qt signal.
        tasks: runs the service coroutines.
        messages: errors and notices for the main window.
        dark: use the dark theme's colours.
        open_url: opens a URL or folder outside the console (tests pass a recorder).
        external_url: maps a repository or live-site link to the URL to open.

    Signals:
        project_opened(int): the detail of a project was opened.
        publish_requested(int): the user asked to publish a project (publish wizard).
        deploy_requested(int): the user asked to deploy a project.
    """

    project_opened = Signal(int)
    publish_requested = Signal(int)
    deploy_requested = Signal(int)

    VIEW_CARDS, VIEW_TABLE, VIEW_EMPTY, VIEW_NO_MATCH = range(4)

    def __init__(
        self,
        service: ProjectService,
        store_bridge: StoreBridge,
        tasks: TaskRunner,
        messages: MessageBridge,
        *,
        dark: bool = False,
        open_url: Callable[[QUrl], object] = QDesktopServices.openUrl,
        external_url: ExternalUrl = same_url,
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
        self._loaded = False
        self._pending_ids: set[int] | None = set()
        self._loading_ids: set[int] = set()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        self.model = ProjectTableModel(self)
        self.model.set_state_colors(state_colors(self._tokens))
        self.dialog: QDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.delete_confirm_button: QPushButton | None = None
        self.menu: QMenu | None = None
        self._table_header_state: QByteArray | None = None
        self._setup_ui()
        self._connect_signals()
        self.refresh()

    # --- public API ---------------------------------------------------------
    def refresh(self) -> Any:
        """Reload every project from the store (returns the task)."""
        self._pending_ids = set()
        return self._tasks.start(
            self, self._service.list_rows(), key="reload", on_success=self._on_rows_loaded
        )

    @property
    def is_loaded(self) -> bool:
        """Whether the first load of the projects finished."""
        return self._loaded

    def focus_search(self) -> None:
        """Ctrl+F from the main window."""
        self.show_list()
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def show_list(self) -> None:
        self.detail.close_project()
        self.outer.setCurrentIndex(0)

    def open_project(self, project_id: int) -> Any:
        """Show a project's detail (returns the loading task)."""
        self.outer.setCurrentIndex(1)
        task = self.detail.show_project(project_id)
        self.project_opened.emit(project_id)
        return task

    def set_view_mode(self, mode: int) -> None:
        """VIEW_CARDS or VIEW_TABLE."""
        (self.cards_button if mode == self.VIEW_CARDS else self.table_button).setChecked(True)
        self._update_stack()

    def view_mode(self) -> int:
        return self.VIEW_CARDS if self.cards_button.isChecked() else self.VIEW_TABLE

    def current_filter(self) -> ProjectFilter:
        state = self.status_combo.currentData()
        return ProjectFilter(
            text=self.search_edit.text(),
            client=self.client_combo.currentData(),
            states=frozenset({ProjectState(state)}) if state else frozenset(),
            architecture=self.architecture_combo.currentData(),
            category=self.category_combo.currentData(),
        )

    def selected_project(self) -> ProjectRow | None:
        view = self.cards_view if self.cards_view.model() is self.model else self.table_view
        index = view.currentIndex()
        row = index.data(Role.OBJECT) if index.isValid() else None
        return row if isinstance(row, ProjectRow) else None

    def open_import_dialog(self) -> None:
        self._tasks.start(self, self._service.organizations(), on_success=self._show_import_dialog)

    def open_template_dialog(self) -> None:
        self._tasks.start(
            self, self._service.organizations(), on_success=self._show_template_dialog
        )

    def import_export(self, request: ImportRequest) -> Any:
        """Import a v0 export (what the dialog does on OK); returns the task."""
        return self._tasks.start(
            self,
            self._service.import_export(request.source, name=request.name, org_id=request.org_id),
            busy=(self.import_button, self.empty_import_button),
            on_success=self._on_project_created,
        )

    def create_from_template(self, request: TemplateRequest) -> Any:
        return self._tasks.start(
            self,
            self._service.create_from_template(
                request.template_id,
                name=request.name,
                description=request.description,
                org_id=request.org_id,
            ),
            busy=(self.template_button, self.empty_template_button),
            on_success=self._on_project_created,
        )

    def request_delete(self, project_id: int) -> None:
        """Ask for confirmation, then delete the local draft."""
        row = self.model.project(project_id) or (
            self.detail.detail.row if self.detail.detail else None
        )
        if row is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete draft",
            f"Delete the draft “{row.name}”?",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(
            "Its files, analysis and patches are removed from this computer, together with its "
            "working folder. It never reached the platform, so nothing changes there."
        )
        self.delete_confirm_button = box.addButton(
            "Delete draft", QMessageBox.ButtonRole.DestructiveRole
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setProperty("project_id", project_id)
        box.finished.connect(self._on_confirm_box_finished)
        self.confirm_box = box
        box.open()

    # --- slots --------------------------------------------------------------
    def _on_rows_loaded(self, rows: list[ProjectRow]) -> None:
        selected = self.selected_project()
        self.model.set_rows(rows)
        self._loaded = True
        self._fill_client_combo()
        if selected is not None:
            self._select(selected.id)
        self._update_stack()

    def _on_rows_patched(self, rows: list[ProjectRow]) -> None:
        ids = self._loading_ids
        self._loading_ids = set()
        found = {row.id for row in rows}
        self.model.upsert(rows, ids - found)
        self._fill_client_combo()
        self._update_stack()

    @Slot(object)
    def _on_store_changed(self, changes: ChangeSet) -> None:
        if changes.touches("organizations"):
            self._pending_ids = None
        elif changes.touches("projects"):
            ids = changes.ids("projects")
            if not ids or self._pending_ids is None:
                self._pending_ids = None
            else:
                self._pending_ids |= {i for i in ids if isinstance(i, int)}
        else:
            return
        self._reload_timer.start()

    @Slot()
    def _on_reload_timer_timeout(self) -> None:
        pending = self._pending_ids
        if pending is None or not self._loaded:
            self.refresh()
            return
        self._pending_ids = set()
        self._loading_ids |= pending
        if len(self._loading_ids) > PARTIAL_RELOAD_LIMIT:
            self._loading_ids = set()
            self.refresh()
            return
        self._tasks.start(
            self,
            self._service.list_rows(sorted(self._loading_ids)),
            key="reload",
            on_success=self._on_rows_patched,
        )

    @Slot(str)
    def _on_search_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    @Slot()
    def _on_filters_changed(self) -> None:
        self._search_timer.stop()
        self.model.set_filter(self.current_filter())
        self._update_stack()
        self._update_stat_highlight()

    @Slot(int)
    def _on_sort_combo_changed(self, index: int) -> None:
        if index < 0:
            return
        _label, column, order = SORTS[index]
        self.model.sort(int(column), order)
        self.table_view.horizontalHeader().setSortIndicator(int(column), order)

    @Slot(int, Qt.SortOrder)
    def _on_header_sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        self.model.sort(column, order)
        for n, (_label, sort_column, _order) in enumerate(SORTS):
            if sort_column == column:
                self.sort_combo.blockSignals(True)
                self.sort_combo.setCurrentIndex(n)
                self.sort_combo.blockSignals(False)
                break

    @Slot()
    def _on_view_toggled(self) -> None:
        current = self.selected_project()
        self._update_stack()
        if current is not None:
            self._select(current.id)

    @Slot(object)
    def _on_model_stats_changed(self, stats: ProjectStats) -> None:
        self.total_card.set_value(stats.total)
        self.deployed_card.set_value(
            stats.deployed, f"+ {stats.deploying} deploying" if stats.deploying else ""
        )
        self.failing_card.set_value(stats.failing)
        self.drafts_card.set_value(stats.drafts)
        top = [f"{name} · {count}" for _key, name, count in stats.by_client[:2]]
        self.clients_card.set_value(stats.clients, "\n".join(top))
        self._update_count()

    @Slot(int)
    def _on_model_visible_count_changed(self, _count: int) -> None:
        self._update_count()

    @Slot()
    def _on_stat_total_clicked(self) -> None:
        self._clear_filters()

    @Slot()
    def _on_stat_deployed_clicked(self) -> None:
        self._toggle_state(ProjectState.DEPLOYED)

    @Slot()
    def _on_stat_failing_clicked(self) -> None:
        self._toggle_state(ProjectState.FAILING)

    @Slot()
    def _on_stat_drafts_clicked(self) -> None:
        self._toggle_state(ProjectState.DRAFT)

    @Slot()
    def _on_stat_clients_clicked(self) -> None:
        self.client_combo.showPopup()

    @Slot(QModelIndex)
    def _on_view_activated(self, index: QModelIndex) -> None:
        project_id = index.data(Role.ID)
        if isinstance(project_id, int):
            self.open_project(project_id)

    @Slot(QPoint)
    def _on_context_menu_requested(self, point: QPoint) -> None:
        view = self.sender()
        if not isinstance(view, QAbstractItemView):
            return
        index = view.indexAt(point)
        if not index.isValid():
            return
        view.setCurrentIndex(index)
        row = index.data(Role.OBJECT)
        if isinstance(row, ProjectRow):
            self.menu = self._actions_menu(row)
            self.menu.popup(view.viewport().mapToGlobal(point))

    @Slot()
    def _on_back_requested(self) -> None:
        self.show_list()

    @Slot(int)
    def _on_publish_requested(self, project_id: int) -> None:
        self.publish_requested.emit(project_id)

    @Slot(int)
    def _on_deploy_requested(self, project_id: int) -> None:
        self.deploy_requested.emit(project_id)

    @Slot(int)
    def _on_live_site_requested(self, project_id: int) -> None:
        row = self._row(project_id)
        if row is not None and row.production_url:
            self._open_url(QUrl(self._external_url(row.production_url)))

    @Slot(int)
    def _on_repository_requested(self, project_id: int) -> None:
        row = self._row(project_id)
        if row is not None and row.repo_url:
            self._open_url(QUrl(self._external_url(row.repo_url)))

    @Slot(int)
    def _on_edit_requested(self, project_id: int) -> None:
        row = self._row(project_id)
        if row is None:
            return
        self._tasks.start(
            self,
            self._service.organizations(),
            on_success=lambda orgs: self._show_edit_dialog(row, orgs),
        )

    @Slot(int)
    def _on_delete_requested(self, project_id: int) -> None:
        self.request_delete(project_id)

    @Slot(int)
    def _on_confirm_box_finished(self, _result: int) -> None:
        box = self.confirm_box
        if box is None:
            return
        project_id = int(box.property("project_id"))
        confirmed = box.clickedButton() is self.delete_confirm_button
        self.confirm_box = None
        box.deleteLater()
        if not confirmed:
            return
        if self.detail.project_id == project_id:
            self.show_list()
        self._tasks.start(
            self,
            self._service.delete_draft(project_id, initiator=self),
            on_success=lambda _none: self._messages.show_info("Draft deleted."),
        )

    @Slot(int)
    def _on_dialog_finished(self, result: int) -> None:
        dialog = self.dialog
        self.dialog = None
        if dialog is None:
            return
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted:
            return
        if isinstance(dialog, ImportDialog):
            self.import_export(dialog.collect())
        elif isinstance(dialog, TemplateDialog):
            self.create_from_template(dialog.collect())
        elif isinstance(dialog, EditProjectDialog):
            project_id = int(dialog.property("project_id"))
            self._tasks.start(
                self,
                self._service.update_project(project_id, dialog.collect(), initiator=self),
                on_success=lambda _none: self._messages.show_info("Saved."),
            )

    def _on_project_created(self, project_id: int) -> None:
        self._messages.show_info("Project ready: analysed and patched to build offline.")
        self.open_project(project_id)

    # --- helpers --------------------------------------------------------------
    def _show_import_dialog(self, orgs: list[OrgOption]) -> None:
        self._open_dialog(ImportDialog(orgs, self))

    def _show_template_dialog(self, orgs: list[OrgOption]) -> None:
        self._open_dialog(TemplateDialog(self._service.templates(), orgs, self))

    def _show_edit_dialog(self, row: ProjectRow, orgs: list[OrgOption]) -> None:
        dialog = EditProjectDialog(row, orgs, self)
        dialog.setProperty("project_id", row.id)
        self._open_dialog(dialog)

    def _open_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(self._on_dialog_finished)
        dialog.open()

    def _row(self, project_id: int) -> ProjectRow | None:
        row = self.model.project(project_id)
        if row is None and self.detail.detail and self.detail.detail.row.id == project_id:
            row = self.detail.detail.row
        return row

    def _actions_menu(self, row: ProjectRow) -> QMenu:
        menu = QMenu(self)
        entries: list[tuple[str, Callable[[], object], bool]] = [
            ("Open", lambda: self.open_project(row.id), True),
            ("Publish…", lambda: self.publish_requested.emit(row.id), True),
            (
                "Deploy",
                lambda: self.deploy_requested.emit(row.id),
                row.remote_id is not None and bool(row.repo_url),
            ),
            (
                "Open live site",
                lambda: self._on_live_site_requested(row.id),
                bool(row.production_url),
            ),
            ("Open repository", lambda: self._on_repository_requested(row.id), bool(row.repo_url)),
            ("Edit…", lambda: self._on_edit_requested(row.id), True),
        ]
        for text, slot, enabled in entries:
            action = QAction(text, menu)
            action.setEnabled(enabled)
            action.triggered.connect(slot)
            menu.addAction(action)
        if row.is_local_draft:
            menu.addSeparator()
            delete = QAction("Delete draft…", menu)
            delete.triggered.connect(lambda: self.request_delete(row.id))
            menu.addAction(delete)
        return menu

    def _select(self, project_id: int) -> None:
        row = self.model.row_of(project_id)
        if row < 0:
            return
        for view in (self.cards_view, self.table_view):
            if view.model() is self.model:
                view.setCurrentIndex(self.model.index(row, 0))

    def _toggle_state(self, state: ProjectState) -> None:
        current = self.status_combo.currentData()
        target = "" if current == state.value else state.value
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(target), 0))

    def _clear_filters(self) -> None:
        for combo in (
            self.client_combo,
            self.status_combo,
            self.architecture_combo,
            self.category_combo,
        ):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self._on_filters_changed()

    def _fill_client_combo(self) -> None:
        current = self.client_combo.currentData()
        self.client_combo.blockSignals(True)
        self.client_combo.clear()
        self.client_combo.addItem("All clients", None)
        for key, name in self.model.clients():
            self.client_combo.addItem(name, key)
        at = self.client_combo.findData(current) if current is not None else 0
        self.client_combo.setCurrentIndex(max(at, 0))
        self.client_combo.blockSignals(False)
        if current is not None and at < 0:
            self._on_filters_changed()

    def _attach_views(self) -> None:
        """Only the visible view has the model: a hidden one would redo its layout too."""
        cards = self.view_mode() == self.VIEW_CARDS
        active, hidden = (
            (self.cards_view, self.table_view) if cards else (self.table_view, self.cards_view)
        )
        if hidden.model() is not None:
            if hidden is self.table_view:
                self._table_header_state = self.table_view.horizontalHeader().saveState()
            hidden.setModel(None)
        if active.model() is not self.model:
            active.setModel(self.model)
            if active is self.table_view:
                # A new model resets the header's sections: bring back the widths. The
                # saved sort indicator is stale (the model is the truth): no re-sort.
                header = self.table_view.horizontalHeader()
                header.blockSignals(True)
                if self._table_header_state is None or not header.restoreState(
                    self._table_header_state
                ):
                    self._size_table_columns()
                header.setSortIndicator(int(self.model.sort_column()), self.model.sort_order())
                header.blockSignals(False)

    def _size_table_columns(self) -> None:
        header = self.table_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in (
            (Column.NAME, 260),
            (Column.CLIENT, 200),
            (Column.STATUS, 120),
            (Column.ARCHITECTURE, 110),
            (Column.UPDATED, 130),
        ):
            header.resizeSection(int(column), width)
        header.setSectionResizeMode(int(Column.CATEGORIES), QHeaderView.ResizeMode.Stretch)

    def _update_stack(self) -> None:
        self._attach_views()
        if not self._loaded:
            self.stack.setCurrentIndex(self.VIEW_CARDS)
            return
        if self.model.total() == 0:
            self.stack.setCurrentIndex(self.VIEW_EMPTY)
        elif self.model.visible_count() == 0:
            self.stack.setCurrentIndex(self.VIEW_NO_MATCH)
        else:
            self.stack.setCurrentIndex(self.view_mode())
        self.filter_bar.setEnabled(self.model.total() > 0)

    def _update_count(self) -> None:
        stats = self.model.stats()
        text = (
            f"{stats.total:,} project{'s' if stats.total != 1 else ''} · "
            f"{stats.clients} client{'s' if stats.clients != 1 else ''}"
        )
        shown = self.model.visible_count()
        if shown != stats.total:
            text = f"Showing {shown:,} of {text}"
        self.count_label.setText(text)

    def _update_stat_highlight(self) -> None:
        state = self.status_combo.currentData()
        self.deployed_card.set_active(state == ProjectState.DEPLOYED.value)
        self.failing_card.set_active(state == ProjectState.FAILING.value)
        self.drafts_card.set_active(state == ProjectState.DRAFT.value)
        self.total_card.set_active(False)

    def _setup_ui(self) -> None:
        self.outer = QStackedWidget()
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.outer)

        list_page = QWidget()
        layout = QVBoxLayout(list_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)

        header = QHBoxLayout()
        title = QLabel("Projects")
        title.setObjectName("PageTitle")
        self.count_label = QLabel("")
        self.count_label.setObjectName("EmptyText")
        header.addWidget(title)
        header.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignBottom)
        header.addStretch(1)
        self.template_button = QPushButton("New from template…")
        self.import_button = QPushButton("Import v0 export…")
        self.import_button.setDefault(True)
        header.addWidget(self.template_button)
        header.addWidget(self.import_button)
        layout.addLayout(header)

        stats = QHBoxLayout()
        stats.setSpacing(10)
        self.total_card = StatCard("Projects", self._tokens)
        self.deployed_card = StatCard("Deployed", self._tokens, accent_token="ok")
        self.failing_card = StatCard("Failing", self._tokens, accent_token="error_fg")
        self.drafts_card = StatCard("Drafts", self._tokens)
        self.clients_card = StatCard("Clients", self._tokens, accent_token="accent")
        for card, tip in (
            (self.total_card, "All projects (clears the filters)"),
            (self.deployed_card, "Show deployed projects"),
            (self.failing_card, "Show projects whose status or last deployment failed"),
            (self.drafts_card, "Show drafts"),
            (self.clients_card, "Filter by client"),
        ):
            card.setToolTip(tip)
            stats.addWidget(card)
        layout.addLayout(stats)

        # Two rows (search, sort and view mode; then the filters) so the
        # section fits a small window.
        self.filter_bar = QWidget()
        rows = QVBoxLayout(self.filter_bar)
        rows.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        filters = QHBoxLayout()
        rows.addLayout(bar)
        rows.addLayout(filters)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search name, client, data needs, URL…  (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.addAction(
            resources.icon("search", self._dark), QLineEdit.ActionPosition.LeadingPosition
        )
        self.search_edit.setMinimumWidth(240)
        bar.addWidget(self.search_edit, 1)
        self.client_combo = QComboBox()
        self.client_combo.addItem("All clients", None)
        self.status_combo = QComboBox()
        self.status_combo.addItem("Any status", "")
        for state in ProjectState:
            self.status_combo.addItem(state.label, state.value)
        self.architecture_combo = QComboBox()
        self.architecture_combo.addItem("Any architecture", None)
        for arch, arch_label in ARCHITECTURE_LABELS.items():
            self.architecture_combo.addItem(arch_label, arch)
        self.category_combo = QComboBox()
        self.category_combo.addItem("Any data need", None)
        for category, category_label in CATEGORY_LABELS.items():
            self.category_combo.addItem(category_label, category)
        self.sort_combo = QComboBox()
        for label, _column, _order in SORTS:
            self.sort_combo.addItem(f"Sort: {label}")
        for combo in (
            self.client_combo,
            self.status_combo,
            self.architecture_combo,
            self.category_combo,
            self.sort_combo,
        ):
            # Shrink with the window (eliding) rather than forcing it wide.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
            if combo is self.sort_combo:
                bar.addWidget(combo)
            else:
                filters.addWidget(combo, 1)
        self.cards_button = QToolButton()
        self.cards_button.setText("Cards")
        self.table_button = QToolButton()
        self.table_button.setText("List")
        self.view_group = QButtonGroup(self)
        for button in (self.cards_button, self.table_button):
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.view_group.addButton(button)
            bar.addWidget(button)
        self.cards_button.setChecked(True)
        layout.addWidget(self.filter_bar)

        self.stack = QStackedWidget()
        self.cards_view = CardGridView()
        self.card_delegate = ProjectCardDelegate(self._tokens, self.cards_view)
        self.cards_view.setItemDelegate(self.card_delegate)
        self.table_view = QTableView()
        self.table_view.setModel(self.model)
        self.table_view.setSortingEnabled(True)
        self.table_view.horizontalHeader().setSortIndicator(
            int(Column.UPDATED), Qt.SortOrder.DescendingOrder
        )
        self.table_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table_view.setAlternatingRowColors(True)
        self.table_view.setShowGrid(False)
        self.table_view.setWordWrap(False)
        self.table_view.verticalHeader().setVisible(False)
        self.table_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table_view.verticalHeader().setDefaultSectionSize(30)
        header_view = self.table_view.horizontalHeader()
        header_view.setHighlightSections(False)
        header_view.setStretchLastSection(False)
        self._size_table_columns()
        for view in (self.cards_view, self.table_view):
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.stack.addWidget(self.cards_view)
        self.stack.addWidget(self.table_view)
        self.stack.addWidget(self._empty_page())
        self.stack.addWidget(self._no_match_page())
        layout.addWidget(self.stack, 1)
        self.outer.addWidget(list_page)

        self.detail = ProjectDetailView(
            self._service,
            self._bridge,
            self._tasks,
            self._messages,
            open_url=self._open_url,
            external_url=self._external_url,
            dark=self._dark,
        )
        self.outer.addWidget(self.detail)

    def _empty_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        self.empty_state = EmptyState(
            "No projects yet",
            "Import a v0 export (the zip from v0's “Download ZIP”, or its unpacked folder) or "
            "start from a template. Everything is prepared offline: analysed for the data it "
            "needs and patched to build. Your clients' projects on the platform appear here "
            "once the console has synced.",
            resources.icon("projects", self._dark),
        )
        layout.addWidget(self.empty_state)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.empty_import_button = QPushButton("Import v0 export…")
        self.empty_template_button = QPushButton("New from template…")
        buttons.addWidget(self.empty_import_button)
        buttons.addWidget(self.empty_template_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(2)
        return page

    def _no_match_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(
            EmptyState("No matching projects", "Nothing matches the search and filters.")
        )
        row = QHBoxLayout()
        row.addStretch(1)
        self.clear_filters_button = QPushButton("Clear filters")
        row.addWidget(self.clear_filters_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        return page

    def _connect_signals(self) -> None:
        self._bridge.changed.connect(self._on_store_changed)
        self._reload_timer.timeout.connect(self._on_reload_timer_timeout)
        self._search_timer.timeout.connect(self._on_filters_changed)
        self.search_edit.textChanged.connect(self._on_search_text_changed)
        self.search_edit.returnPressed.connect(self._on_filters_changed)
        for combo in (
            self.client_combo,
            self.status_combo,
            self.architecture_combo,
            self.category_combo,
        ):
            combo.currentIndexChanged.connect(self._on_filters_changed)
        self.sort_combo.currentIndexChanged.connect(self._on_sort_combo_changed)
        self.table_view.horizontalHeader().sortIndicatorChanged.connect(
            self._on_header_sort_changed
        )
        self.view_group.buttonToggled.connect(self._on_view_toggled)
        self.model.stats_changed.connect(self._on_model_stats_changed)
        self.model.visible_count_changed.connect(self._on_model_visible_count_changed)
        self.total_card.clicked.connect(self._on_stat_total_clicked)
        self.deployed_card.clicked.connect(self._on_stat_deployed_clicked)
        self.failing_card.clicked.connect(self._on_stat_failing_clicked)
        self.drafts_card.clicked.connect(self._on_stat_drafts_clicked)
        self.clients_card.clicked.connect(self._on_stat_clients_clicked)
        self.import_button.clicked.connect(self.open_import_dialog)
        self.empty_import_button.clicked.connect(self.open_import_dialog)
        self.template_button.clicked.connect(self.open_template_dialog)
        self.empty_template_button.clicked.connect(self.open_template_dialog)
        self.clear_filters_button.clicked.connect(self._clear_filters)
        for view in (self.cards_view, self.table_view):
            view.activated.connect(self._on_view_activated)
            view.customContextMenuRequested.connect(self._on_context_menu_requested)
        self.detail.back_requested.connect(self._on_back_requested)
        self.detail.publish_requested.connect(self._on_publish_requested)
        self.detail.deploy_requested.connect(self._on_deploy_requested)
        self.detail.live_site_requested.connect(self._on_live_site_requested)
        self.detail.repository_requested.connect(self._on_repository_requested)
        self.detail.edit_requested.connect(self._on_edit_requested)
        self.detail.delete_requested.connect(self._on_delete_requested)
