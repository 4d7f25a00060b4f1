"""The Clients section: clients with their figures, "needs attention", create/edit, drill-down."""

from __future__ import annotations

import html
import logging
from datetime import datetime
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.changes import ChangeSet
from console.errors import ConsoleError
from console.services.clients import (
    LOCAL_PREFIX,
    ClientDetail,
    ClientDraft,
    ClientsService,
    ConversationLine,
    DeploymentLine,
    ProjectLine,
)
from console.views.bridge import StoreBridge
from console.views.clients.dialog import ClientDialog, ColorPicker, qt_color_picker
from console.views.links import ExternalUrl, same_url
from console.views.messages import MessageBridge
from console.views.models.clients import (
    AttentionTableModel,
    ClientColumn,
    ClientsProxy,
    ClientsTableModel,
    Role,
    RowTableModel,
)
from console.views.tasks import TaskRunner
from console.views.timefmt import relative_time
from console.views.widgets.tables import record_table

logger = logging.getLogger(__name__)

#: Tables whose changes can alter a client's figures.
WATCHED = (
    "organizations",
    "projects",
    "conversations",
    "deployments",
    "credit_transactions",
    "credit_balance",
)
REFRESH_DELAY_MS = 150


def describe_time(moment: datetime) -> str:
    return relative_time(moment)


class _LinesModel(RowTableModel[Any]):
    """Rows of a drill-down tab (projects, conversations, deployments, usage)."""

    def __init__(self, headers: tuple[str, ...], cells: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = headers
        self._make = cells

    def cells(self, row: Any) -> list[tuple[str, Any]]:
        result: list[tuple[str, Any]] = self._make(row)
        return result


def _when(moment: datetime | None) -> tuple[str, float]:
    if moment is None:
        return ("", 0.0)
    return (describe_time(moment), moment.timestamp())


class ClientDetailPanel(QFrame):
    """The drill-down of one client: header, figures, and tabs of its records.

    Args:
        external_url: maps the portal's URL to the one its link opens.

    Signals:
        edit_requested(str): the user wants to edit this client (its id).
    """

    edit_requested = Signal(str)

    def __init__(
        self, parent: QWidget | None = None, *, external_url: ExternalUrl = same_url
    ) -> None:
        super().__init__(parent)
        self._external_url = external_url
        self._client_id = ""
        self._setup_ui()
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.show_detail(None)

    def show_detail(self, detail: ClientDetail | None) -> None:
        self.content.setVisible(detail is not None)
        if detail is None:
            self._client_id = ""
            return
        s = detail.summary
        self._client_id = s.id
        self.name_label.setText(s.name)
        palette = self.swatch.palette()
        palette.setColor(
            QPalette.ColorRole.Window,
            QColor(s.brand_color) if s.brand_color else QColor(0, 0, 0, 0),
        )
        self.swatch.setPalette(palette)
        status = f"{s.status} · waiting to sync" if s.pending else s.status
        self.meta_label.setText(f"{s.slug} · {s.contact_email} · {status}")
        if s.portal_url:
            href = html.escape(self._external_url(s.portal_url), quote=True)
            self.portal_label.setText(f'Portal: <a href="{href}">{html.escape(s.portal_url)}</a>')
        else:
            self.portal_label.setText("Portal: not deployed yet")
        for key, value in (
            ("projects", str(s.projects)),
            ("live", str(s.live_sites)),
            ("open", str(s.open_conversations)),
            ("handoffs", str(s.handoffs_waiting)),
            ("failing", str(s.failing_deployments)),
            ("credits", f"{s.credits_this_month:,.1f}"),
        ):
            self._figures[key].setText(value)
        self.attention_label.setText(
            "Needs attention: " + ", ".join(s.attention) if s.attention else ""
        )
        self.attention_label.setVisible(bool(s.attention))
        self.projects_model.set_rows(detail.projects)
        self.conversations_model.set_rows(detail.conversations)
        self.deployments_model.set_rows(detail.deployments)
        self.usage_model.set_rows(detail.usage_by_day)
        self.tabs.setTabText(0, f"Projects ({len(detail.projects)})")
        self.tabs.setTabText(1, f"Conversations ({len(detail.conversations)})")
        self.tabs.setTabText(2, f"Deployments ({len(detail.deployments)})")
        self.edit_button.setEnabled(True)

    @property
    def client_id(self) -> str:
        return self._client_id

    @Slot()
    def _on_edit_clicked(self) -> None:
        if self._client_id:
            self.edit_requested.emit(self._client_id)

    def _setup_ui(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 0, 0, 0)
        self.content = QWidget()
        outer.addWidget(self.content, 1)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.swatch = QFrame()
        self.swatch.setFixedSize(18, 18)
        self.swatch.setAutoFillBackground(True)
        self.name_label = QLabel()
        font = QFont(self.name_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.name_label.setFont(font)
        self.edit_button = QPushButton("Edit…")
        top.addWidget(self.swatch)
        top.addWidget(self.name_label, 1)
        top.addWidget(self.edit_button)
        layout.addLayout(top)
        self.meta_label = QLabel()
        self.meta_label.setObjectName("EmptyText")
        self.portal_label = QLabel()
        self.portal_label.setOpenExternalLinks(True)
        self.portal_label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.meta_label)
        layout.addWidget(self.portal_label)
        grid = QGridLayout()
        self._figures: dict[str, QLabel] = {}
        big = QFont(self.name_label.font())
        for i, (key, title) in enumerate(
            (
                ("projects", "Projects"),
                ("live", "Live sites"),
                ("open", "Open conversations"),
                ("handoffs", "Handoffs waiting"),
                ("failing", "Failing deploys"),
                ("credits", "Credits this month"),
            )
        ):
            value = QLabel("–")
            value.setFont(big)
            caption = QLabel(title)
            caption.setObjectName("EmptyText")
            grid.addWidget(value, (i // 3) * 2, i % 3)
            grid.addWidget(caption, (i // 3) * 2 + 1, i % 3)
            self._figures[key] = value
        layout.addLayout(grid)
        self.attention_label = QLabel()
        self.attention_label.setObjectName("ResultError")
        self.attention_label.setWordWrap(True)
        layout.addWidget(self.attention_label)

        def project_cells(p: ProjectLine) -> list[tuple[str, Any]]:
            return [
                (p.name, p.name.lower()),
                (p.status, p.status),
                (p.deployment_status, p.deployment_status),
                (p.production_url, p.production_url),
            ]

        def conversation_cells(c: ConversationLine) -> list[tuple[str, Any]]:
            status = "handoff waiting" if c.handoff_waiting else c.status
            return [
                (c.customer, c.customer.lower()),
                (c.channel, c.channel),
                (status, status),
                (c.handled_by, c.handled_by),
                _when(c.last_message_at),
            ]

        def deployment_cells(d: DeploymentLine) -> list[tuple[str, Any]]:
            return [
                (d.project, d.project.lower()),
                (d.state, d.state),
                _when(d.created_at),
                (d.error or d.url, d.error or d.url),
            ]

        def usage_cells(u: tuple[datetime, float, float]) -> list[tuple[str, Any]]:
            day, llm, tools = u
            return [
                (day.strftime("%a %d %b"), day.timestamp()),
                (f"{llm:,.1f}", llm),
                (f"{tools:,.1f}", tools),
                (f"{llm + tools:,.1f}", llm + tools),
            ]

        self.projects_model = _LinesModel(("Project", "Status", "Deploy", "URL"), project_cells)
        self.conversations_model = _LinesModel(
            ("Customer", "Channel", "Status", "Handled by", "Last message"), conversation_cells
        )
        self.deployments_model = _LinesModel(
            ("Project", "State", "When", "URL / error"), deployment_cells
        )
        self.usage_model = _LinesModel(("Day", "LLM messages", "Tool calls", "Total"), usage_cells)
        self.tabs = QTabWidget()
        self.tabs.addTab(record_table(self.projects_model, stretch=3), "Projects")
        self.tabs.addTab(record_table(self.conversations_model, stretch=0), "Conversations")
        self.tabs.addTab(record_table(self.deployments_model, stretch=3), "Deployments")
        self.tabs.addTab(record_table(self.usage_model, stretch=0), "Usage (month)")
        layout.addWidget(self.tabs, 1)


class ClientsPage(QWidget):
    """All clients, the cross-client attention list, create/edit and drill-down.

    Args:
        service: the clients service (store reads, queued writes).
        bridge: store change notifications.
        tasks: the ViewTask runner (unused for now: every action here is a
            local store write; delivery runs in the sync engine).
        messages: where input errors are reported.
        pick_color: the colour picker of the client dialog.
        external_url: maps a portal's URL to the one its link opens.

    Signals:
        client_selected(str): the selected client changed ("" for none).
        client_saved(str): a client was created or edited locally (its id).
        provision_requested(): "New client with portal…" was clicked; the
            composition root runs the provisioning pipeline.
    """

    client_selected = Signal(str)
    client_saved = Signal(str)
    provision_requested = Signal()

    def __init__(
        self,
        service: ClientsService,
        bridge: StoreBridge,
        tasks: TaskRunner,
        messages: MessageBridge,
        *,
        pick_color: ColorPicker = qt_color_picker,
        external_url: ExternalUrl = same_url,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._external_url = external_url
        self._service = service
        self._bridge = bridge
        self._tasks = tasks
        self._messages = messages
        self._pick_color = pick_color
        self._selected = ""
        self.dialog: ClientDialog | None = None
        self._editing: str | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._setup_ui()
        self._connect_signals()
        self.reload()

    # --- public API -------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the clients from the store (keeps the selection)."""
        self.model.set_rows(self._service.summaries())
        items = self._service.attention_items()
        self.attention_model.set_rows(items)
        self.attention_button.setText(f"Needs attention ({len(items)})")
        count = self.model.rowCount()
        hint = " · select one for details"
        self.count_label.setText(
            f"{count} client{'s' if count != 1 else ''}{hint if count else ''}"
        )
        self.empty_label.setVisible(count == 0)
        if self._selected:
            self.select_client(self._selected)

    def select_client(self, client_id: str) -> None:
        source = self.model.index_of(client_id)
        index = self.proxy.mapFromSource(source)
        if index.isValid():
            self.table.selectRow(index.row())
            self._show_detail(client_id)

    def add_panel(self, panel: QWidget) -> None:
        """Show `panel` above the clients (e.g. provisioning runs that need a person)."""
        self._panels.addWidget(panel)

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def open_create_dialog(self) -> ClientDialog:
        """Open the empty client form (non-modal; `draft_accepted` saves)."""
        return self._open_dialog(None)

    def open_edit_dialog(self, client_id: str) -> ClientDialog | None:
        summary = next((r for r in self.model.rows() if r.id == client_id), None)
        if summary is None:
            return None
        return self._open_dialog(client_id, summary.draft())

    # --- slots ------------------------------------------------------------------
    @Slot(object)
    def _on_bridge_changed(self, changes: ChangeSet) -> None:
        if changes.touches(*WATCHED) and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        self.reload()

    @Slot(str)
    def _on_search_text_changed(self, text: str) -> None:
        self.proxy.set_text(text)

    @Slot(bool)
    def _on_attention_toggled(self, on: bool) -> None:
        self.proxy.set_attention_only(on)
        self.attention_box.setVisible(on)

    @Slot()
    def _on_new_clicked(self) -> None:
        self.open_create_dialog()

    @Slot()
    def _on_edit_clicked(self) -> None:
        if self._selected:
            self.open_edit_dialog(self._selected)

    @Slot(str)
    def _on_detail_edit_requested(self, client_id: str) -> None:
        self.open_edit_dialog(client_id)

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _selected: QItemSelection, _old: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        client_id = str(rows[0].data(Role.ID)) if rows else ""
        if client_id != self._selected:
            self._show_detail(client_id)
            self.client_selected.emit(client_id)

    @Slot(QModelIndex)
    def _on_attention_activated(self, index: QModelIndex) -> None:
        client_id = index.data(Role.ID)
        if isinstance(client_id, str):
            self.select_client(client_id)

    @Slot(object)
    def _on_dialog_draft_accepted(self, draft: ClientDraft) -> None:
        try:
            if self._editing is None:
                client_id = self._service.queue_create(draft, initiator=self)
            else:
                client_id = self._editing
                self._service.queue_update(client_id, draft, initiator=self)
        except ConsoleError as error:
            self._messages.show_error(error)
            return
        self._selected = client_id
        self.reload()
        self._messages.show_info(f"Client “{draft.name}” saved; sending to the platform.")
        self.client_saved.emit(client_id)

    # --- helpers ----------------------------------------------------------------
    def _open_dialog(self, client_id: str | None, draft: ClientDraft | None = None) -> ClientDialog:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self._editing = client_id
        locked = client_id is not None and not client_id.startswith(LOCAL_PREFIX)
        self.dialog = ClientDialog(
            draft,
            taken_slugs=self._service.taken_slugs(except_id=client_id),
            slug_locked=locked,
            pick_color=self._pick_color,
            parent=self,
        )
        self.dialog.draft_accepted.connect(self._on_dialog_draft_accepted)
        self.dialog.open()
        return self.dialog

    def _show_detail(self, client_id: str) -> None:
        self._selected = client_id
        self.edit_button.setEnabled(bool(client_id))
        self.detail.show_detail(self._service.detail(client_id) if client_id else None)
        # The table needs the width until a client is selected.
        self.detail.setVisible(bool(client_id))

    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        title = QLabel("Clients")
        title.setObjectName("PageTitle")
        self.count_label = QLabel()
        self.count_label.setObjectName("EmptyText")
        header.addWidget(title)
        header.addWidget(self.count_label)
        header.addStretch(1)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search clients…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setFixedWidth(220)
        self.attention_button = QPushButton("Needs attention")
        self.attention_button.setCheckable(True)
        self.attention_button.setToolTip(
            "Failing deployments, handoffs waiting for a human and low credits, across all clients"
        )
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setEnabled(False)
        self.new_button = QPushButton("New client…")
        self.new_button.setDefault(True)
        self.provision_button = QPushButton("New client with portal…")
        self.provision_button.setToolTip(
            "Create the client on the platform, generate, publish and deploy its portal "
            "and mark it active, step by step (needs the platform, GitHub and Vercel)"
        )
        for widget in (
            self.search_edit,
            self.attention_button,
            self.edit_button,
            self.new_button,
            self.provision_button,
        ):
            header.addWidget(widget)
        layout.addLayout(header)

        self.attention_model = AttentionTableModel(self, describe_time=describe_time)
        self.attention_box = QWidget()
        box = QVBoxLayout(self.attention_box)
        box.setContentsMargins(0, 0, 0, 6)
        caption = QLabel("Across all clients: what needs a human now")
        caption.setObjectName("EmptyTitle")
        box.addWidget(caption)
        self.attention_table = record_table(self.attention_model, stretch=3)
        self.attention_table.setSortingEnabled(False)
        self.attention_table.setMaximumHeight(190)
        box.addWidget(self.attention_table)
        self.attention_box.hide()
        layout.addWidget(self.attention_box)
        self._panels = QVBoxLayout()
        layout.addLayout(self._panels)

        self.model = ClientsTableModel(self)
        self.proxy = ClientsProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = record_table(self.proxy, stretch=-1)
        table_header = self.table.horizontalHeader()
        for column in (
            ClientColumn.PROJECTS,
            ClientColumn.LIVE,
            ClientColumn.OPEN,
            ClientColumn.HANDOFFS,
            ClientColumn.CREDITS,
        ):
            table_header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            table_header.resizeSection(column, 80 if column == ClientColumn.CREDITS else 64)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(ClientColumn.NAME, Qt.SortOrder.AscendingOrder)
        self.empty_label = QLabel(
            "No clients yet. Create one with “New client…”; it is saved here first and "
            "sent to the platform when online."
        )
        self.empty_label.setObjectName("EmptyText")
        self.empty_label.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.empty_label)
        self.detail = ClientDetailPanel(external_url=self._external_url)
        self.detail.hide()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        # The table carries the most columns; the detail needs a narrow column.
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([960, 340])
        layout.addWidget(self.splitter, 1)

    def _connect_signals(self) -> None:
        self._bridge.changed.connect(self._on_bridge_changed)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)
        self.search_edit.textChanged.connect(self._on_search_text_changed)
        self.attention_button.toggled.connect(self._on_attention_toggled)
        self.new_button.clicked.connect(self._on_new_clicked)
        self.provision_button.clicked.connect(self.provision_requested)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.detail.edit_requested.connect(self._on_detail_edit_requested)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.attention_table.activated.connect(self._on_attention_activated)
        self.attention_table.clicked.connect(self._on_attention_activated)
