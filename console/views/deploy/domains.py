"""The custom domains panel of the Deployments page: add, DNS records, verification, remove."""

from __future__ import annotations

import asyncio
import functools
import logging

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.changes import ChangeSet
from console.errors import ConsoleError
from console.services.deploy.domains import DnsRecord, DomainService
from console.services.deploy.queries import DomainItem, load_domains
from console.services.reads import StoreHandle
from console.views.bridge import StoreBridge
from console.views.models.deployments import DomainsTableModel
from console.views.tasks import TaskRunner

logger = logging.getLogger(__name__)


class DomainsPanel(QWidget):
    """Custom domains of one project; unverified ones are polled while shown.

    Args:
        store: the local store.
        bridge: the StoreBridge.
        tasks: the TaskRunner.
        domains: the DomainService.
        poll_interval: seconds between verification checks.
    """

    def __init__(
        self,
        store: StoreHandle,
        bridge: StoreBridge,
        tasks: TaskRunner,
        domains: DomainService,
        *,
        poll_interval: float = 10.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._bridge = bridge
        self._tasks = tasks
        self._domains = domains
        self._poll_interval = poll_interval
        self._project_id: int | None = None
        self.polls: dict[str, asyncio.Task[None]] = {}
        self._allowance_shown: tuple[int | None, tuple[str, ...]] | None = None
        self.reload_task: asyncio.Task[list[DomainItem]] | None = None
        self.model = DomainsTableModel(self)
        self._setup_ui()
        self._connect_signals()

    # ------------------------------------------------------------------ public API

    def set_project(self, project_id: int | None) -> None:
        if project_id == self._project_id:
            return
        for task in self.polls.values():
            task.cancel()
        self.polls.clear()
        self._project_id = project_id
        self.reload()

    def reload(self) -> asyncio.Task[list[DomainItem]]:
        """Read the project's domains in a worker thread, then show them (latest wins)."""
        self.reload_task = self._tasks.start(
            self, _read_domains(self._store, self._project_id), key="reload", on_success=self._show
        )
        return self.reload_task

    def _show(self, items: list[DomainItem]) -> None:
        selected = self._selected_name()
        self.model.set_rows(items)
        names = [item.name for item in items]
        if selected in names:  # polls rewrite rows every few seconds: keep the user's pick
            self.table.selectRow(names.index(selected))
        self.remove_button.setEnabled(self._selected_name() is not None)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)
        self.table.resizeRowsToContents()
        # Only a changed set of domains changes the allowance (not every poll's write).
        shown = (self._project_id, tuple(names))
        if self._project_id is not None and shown != self._allowance_shown:
            self._allowance_shown = shown
            self.allowance_task = self._tasks.start(
                self, self._domains.allowance(), key="allowance", on_success=self._on_allowance
            )
        for item in items:
            if not item.verified:
                self._start_poll(item.name)

    def add_domain(self, name: str) -> asyncio.Task[list[DnsRecord]] | None:
        if self._project_id is None or not name.strip():
            return None
        self.message_label.clear()
        self.add_task = self._tasks.start(
            self,
            self._domains.add(self._project_id, name),
            busy=[self.add_button],
            on_error=self._on_add_failed,
        )
        return self.add_task

    def remove_selected(self) -> asyncio.Task[None] | None:
        name = self._selected_name()
        if self._project_id is None or name is None:
            return None
        poll = self.polls.pop(name, None)
        if poll is not None:
            poll.cancel()
        self.message_label.clear()
        self.remove_button.setEnabled(False)
        self.remove_task = self._tasks.start(
            self, self._domains.remove(self._project_id, name), on_error=self._on_add_failed
        )
        return self.remove_task

    # ------------------------------------------------------------------ slots

    @Slot()
    def _on_remove_clicked(self) -> None:
        self.remove_selected()

    @Slot()
    def _on_selection_changed(self) -> None:
        self.remove_button.setEnabled(self.table.selectionModel().hasSelection())

    @Slot()
    def _on_add_clicked(self) -> None:
        if self.add_domain(self.domain_edit.text()) is not None:
            self.domain_edit.clear()

    @Slot(object)
    def _on_bridge_changed(self, changes: ChangeSet) -> None:
        if changes.touches("domains"):
            self.reload()

    def _on_allowance(self, allowance: tuple[int, int | None]) -> None:
        used, limit = allowance
        if limit == 0:
            self.allowance_label.setText("Custom domains need the Agency or Enterprise tier.")
            self.add_button.setEnabled(False)
        else:
            cap = "unlimited" if limit is None else str(limit)
            self.allowance_label.setText(f"{used} of {cap} custom domains in use")
            self.add_button.setEnabled(limit is None or used < limit)

    def _on_poll_ended(self, name: str, _task: asyncio.Task[None]) -> None:
        self.polls.pop(name, None)

    def _on_add_failed(self, error: ConsoleError) -> None:
        self.message_label.setText(f"{error.user_text()} {error.user_action()}")

    # ------------------------------------------------------------------ helpers

    def _selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.item(rows[0].row()).name if rows else None

    def _start_poll(self, name: str) -> None:
        if self._project_id is None or name in self.polls:
            return
        task = self._tasks.start(
            self,
            self._domains.poll(self._project_id, name, interval=self._poll_interval),
            key=f"poll:{name}",
            on_error=self._on_add_failed,
            on_done=functools.partial(self._on_poll_ended, name),
        )
        self.polls[name] = task

    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Custom domains"))
        self.allowance_label = QLabel()
        row.addWidget(self.allowance_label, 1)
        self.domain_edit = QLineEdit()
        self.domain_edit.setPlaceholderText("portal.client.com")
        self.add_button = QPushButton("Add domain")
        self.remove_button = QPushButton("Remove domain")
        self.remove_button.setEnabled(False)
        row.addWidget(self.domain_edit)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout.addLayout(row)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(160)
        layout.addWidget(self.table)

    def _connect_signals(self) -> None:
        self._bridge.changed.connect(self._on_bridge_changed)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.domain_edit.returnPressed.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)


async def _read_domains(store: StoreHandle, project_id: int | None) -> list[DomainItem]:
    return [] if project_id is None else await asyncio.to_thread(load_domains, store, project_id)
