"""The Deployments section: per-project history, deploy, redeploy, roll back, logs.

Everything shown comes from the store (deployments, their events, projects);
actions run service coroutines through the TaskRunner, and the StoreBridge
refreshes the table when they write.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from console.services.deploy.deploy import DeployService, vercel_name
from console.services.deploy.domains import DomainService
from console.services.deploy.history import HistoryService
from console.services.vercel.models import EnvTarget, EnvType, EnvVarInput
from console.store.db import ChangeSet, Store
from console.store.models import DeploymentEvent, Project
from console.views.bridge import StoreBridge
from console.views.deploy.domains import DomainsPanel
from console.views.deploy.progress import DeployProgressDialog
from console.views.models.deployments import (
    Column,
    DeploymentItem,
    DeploymentsTableModel,
    Role,
    load_deployments,
)
from console.views.tasks import TaskRunner
from console.views.widgets.empty_state import EmptyState

logger = logging.getLogger(__name__)


#: Vercel function regions offered for a new project (code, where).
REGIONS = (
    ("fra1", "Frankfurt"),
    ("cdg1", "Paris"),
    ("lhr1", "London"),
    ("arn1", "Stockholm"),
    ("iad1", "Washington, D.C."),
    ("sfo1", "San Francisco"),
)


def deploy_steps(service: DeployService) -> list[tuple[str, str]]:
    return [(s.name, s.title) for s in service.pipeline.steps]


class DeploySetupDialog(QDialog):
    """The deploy wizard's one form: Vercel project, framework, env vars per target.

    Values typed here go to Vercel only (never to the store); "Sensitive"
    variables are created as Vercel sensitive env.
    """

    def __init__(self, project_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Deploy {project_name}")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.project_edit = QLineEdit(vercel_name(project_name))
        self.project_edit.setReadOnly(True)
        form.addRow("Vercel project", self.project_edit)
        form.addRow("Framework", QLabel("Next.js"))
        self.region_combo = QComboBox()
        for code, label in REGIONS:
            self.region_combo.addItem(f"{label} ({code})", code)
        form.addRow("Region (new project)", self.region_combo)
        form.addRow(
            "Platform key",
            QLabel("Created now, scoped to the app, stored only as Vercel sensitive env"),
        )
        layout.addLayout(form)
        self.env_table = QTableWidget(0, 5)
        self.env_table.setHorizontalHeaderLabels(
            ["Key", "Value", "Production", "Preview", "Sensitive"]
        )
        self.env_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.env_table)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add variable")
        self.remove_button = QPushButton("Remove")
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Deploy")
        layout.addWidget(self.buttons)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def add_variable(
        self, key: str, value: str, *, production: bool = True, preview: bool = True
    ) -> None:
        row = self.env_table.rowCount()
        self.env_table.insertRow(row)
        self.env_table.setItem(row, 0, QTableWidgetItem(key))
        self.env_table.setItem(row, 1, QTableWidgetItem(value))
        for column, checked in ((2, production), (3, preview), (4, False)):
            box = QCheckBox()
            box.setChecked(checked)
            self.env_table.setCellWidget(row, column, box)

    def region(self) -> str:
        return str(self.region_combo.currentData())

    def collect(self) -> list[EnvVarInput]:
        """The variables to set (rows without a key or a target are skipped)."""
        out: list[EnvVarInput] = []
        for row in range(self.env_table.rowCount()):
            key_item, value_item = self.env_table.item(row, 0), self.env_table.item(row, 1)
            key = key_item.text().strip() if key_item else ""
            value = value_item.text() if value_item else ""
            flags = [self._checked(row, c) for c in (2, 3, 4)]
            choices: tuple[EnvTarget, EnvTarget] = ("production", "preview")
            targets = tuple(t for t, on in zip(choices, flags[:2], strict=True) if on)
            if key and targets:
                kind: EnvType = "sensitive" if flags[2] else "encrypted"
                out.append(EnvVarInput(key, value, type=kind, target=targets))
        return out

    @Slot()
    def _on_add_clicked(self) -> None:
        self.add_variable("", "")

    @Slot()
    def _on_remove_clicked(self) -> None:
        row = self.env_table.currentRow()
        if row >= 0:
            self.env_table.removeRow(row)

    def _checked(self, row: int, column: int) -> bool:
        widget = self.env_table.cellWidget(row, column)
        return isinstance(widget, QCheckBox) and widget.isChecked()


class LogsDialog(QDialog):
    """A deployment's build log, from the store (fetched from Vercel on open)."""

    def __init__(
        self,
        store: Store,
        tasks: TaskRunner,
        history: HistoryService,
        deployment_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._deployment_id = deployment_id
        self.setWindowTitle(f"Build log: {deployment_id}")
        self.resize(760, 480)
        layout = QVBoxLayout(self)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        layout.addWidget(self.text)
        self.reload()
        self.fetch_task = tasks.start(
            self, history.fetch_logs(deployment_id), on_success=self._on_fetched
        )

    def reload(self) -> None:
        with self._store.read() as session:
            events = session.scalars(
                select(DeploymentEvent)
                .where(DeploymentEvent.deployment_id == self._deployment_id)
                .order_by(DeploymentEvent.created_at, DeploymentEvent.id)
            )
            lines = [f"[{e.kind}] {e.text}" for e in events]
        self.text.setPlainText("\n".join(lines))

    def _on_fetched(self, _count: int) -> None:
        self.reload()


class DeploymentsPage(QWidget):
    """The Deployments section.

    Args:
        store: the local store.
        bridge: the StoreBridge (refreshes on deployments/projects writes).
        tasks: the TaskRunner.
        deploy: the DeployService.
        history: the HistoryService.
        domains: the DomainService (None: no domains panel).
        domain_poll_interval: seconds between domain verification checks.
        dark: the theme.

    Signals:
        deploy_finished(int, bool): a deploy of project id ended (succeeded?).
    """

    deploy_finished = Signal(int, bool)

    def __init__(
        self,
        store: Store,
        bridge: StoreBridge,
        tasks: TaskRunner,
        deploy: DeployService,
        history: HistoryService,
        *,
        domains: DomainService | None = None,
        domain_poll_interval: float = 10.0,
        dark: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.domains_panel = (
            DomainsPanel(store, bridge, tasks, domains, poll_interval=domain_poll_interval)
            if domains
            else None
        )
        self._store = store
        self._bridge = bridge
        self._tasks = tasks
        self._deploy = deploy
        self._history = history
        self.model = DeploymentsTableModel(self, dark=dark)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(int(Role.SORT))
        self.progress_dialog: DeployProgressDialog | None = None
        self.setup_dialog: DeploySetupDialog | None = None
        self.logs_dialog: LogsDialog | None = None
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(150)
        self._setup_ui()
        self._connect_signals()
        self.reload_projects()
        self.check_interrupted()

    # ------------------------------------------------------------------ public API

    def project_id(self) -> int | None:
        value = self.project_combo.currentData()
        return int(value) if value is not None else None

    def select_project(self, project_id: int) -> None:
        index = self.project_combo.findData(project_id)
        if index >= 0:
            self.project_combo.setCurrentIndex(index)

    def reload_projects(self) -> None:
        current = self.project_id()
        with self._store.read() as session:
            rows = session.execute(
                select(Project.id, Project.name)
                .where(Project.remote_id.is_not(None), Project.repo_url.is_not(None))
                .order_by(Project.name)
            ).all()
        self.project_combo.blockSignals(True)
        self.project_combo.clear()
        for project_id, name in rows:
            self.project_combo.addItem(name, project_id)
        self.project_combo.blockSignals(False)
        if current is not None:
            self.select_project(current)
        self.reload()

    def reload(self) -> None:
        project_id = self.project_id()
        previous = self.selected()
        items = [] if project_id is None else load_deployments(self._store, project_id)
        self.model.set_rows(items)
        self.table.sortByColumn(int(Column.CREATED), Qt.SortOrder.DescendingOrder)
        self.table.resizeColumnsToContents()
        if previous is not None and (row := self.model.row_of(previous.id)) >= 0:
            self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
        self._show_project(project_id)
        self._show_empty_state(project_id, bool(items))
        self._update_buttons()

    def _show_empty_state(self, project_id: int | None, has_rows: bool) -> None:
        if has_rows:
            self.history_stack.setCurrentWidget(self.table)
            return
        if project_id is None:
            self.empty.title_label.setText("No published projects yet")
            self.empty.text_label.setText(
                "Publish a project from Projects (Ctrl+1); you can deploy it from here."
            )
        else:
            self.empty.title_label.setText(f"{self.project_combo.currentText()}: no deployments")
            self.empty.text_label.setText(
                "“Deploy…” creates the first one; “Refresh” reads its history from Vercel."
            )
        self.history_stack.setCurrentWidget(self.empty)
        if self.domains_panel is not None:
            self.domains_panel.set_project(project_id)

    def selected(self) -> DeploymentItem | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = rows[0].data(int(Role.OBJECT))
        return item if isinstance(item, DeploymentItem) else None

    def start_deploy(
        self, env: Sequence[EnvVarInput] = (), region: str | None = None
    ) -> DeployProgressDialog | None:
        """Deploy the current project with `env`, in a progress dialog."""
        project_id = self.project_id()
        if project_id is None:
            return None
        run_id = self._deploy.start(project_id, env=env, region=region)
        title = f"Deploying {self.project_combo.currentText()}"
        return self._open_progress(project_id, run_id, title)

    def open_deploy(self, project_id: int) -> DeploySetupDialog | None:
        """The deploy flow for `project_id` (e.g. from ProjectsPage.deploy_requested).

        Selects the project and opens the setup form; "Deploy" there starts the
        run in a progress dialog. None if the project is not published yet.
        """
        self.reload_projects()
        if self.project_combo.findData(project_id) < 0:
            self.production_label.setText("That project is not published yet: publish it first.")
            return None
        self.select_project(project_id)
        dialog = DeploySetupDialog(self.project_combo.currentText(), self)
        self.setup_dialog = dialog
        dialog.finished.connect(lambda code: self._on_setup_finished(dialog, code))
        dialog.open()
        return dialog

    def check_interrupted(self) -> list[int]:
        """Offer to resume or roll back deploys a closed or killed console left unfinished."""
        pending = self._deploy.unfinished()
        self.interrupted.setVisible(bool(pending))
        if pending:
            row = self._deploy.pipeline.load(pending[0])
            name = row.state.get("app_name", row.subject)
            self.interrupted_label.setText(
                f"A deploy of {name} was interrupted in step '{row.step}'."
            )
        return pending

    def resume(self, run_id: int) -> DeployProgressDialog:
        """Resume an unfinished run (after a restart) in a progress dialog."""
        row = self._deploy.pipeline.load(run_id)
        return self._open_progress(int(row.subject), run_id, "Resuming deploy")

    # ------------------------------------------------------------------ slots

    @Slot()
    def _on_deploy_clicked(self) -> None:
        project_id = self.project_id()
        if project_id is not None:
            self.open_deploy(project_id)

    def _on_setup_finished(self, dialog: DeploySetupDialog, code: int) -> None:
        if code == QDialog.DialogCode.Accepted:
            self.start_deploy(dialog.collect(), dialog.region())
        dialog.deleteLater()

    @Slot()
    def _on_resume_clicked(self) -> None:
        pending = self._deploy.unfinished()
        if pending:
            self.interrupted.setVisible(False)
            dialog = self.resume(pending[0])
            dialog.run_finished.connect(self._on_interrupted_handled)

    @Slot()
    def _on_abandon_clicked(self) -> None:
        pending = self._deploy.unfinished()
        if pending:
            self.interrupted.setVisible(False)
            self.abandon_task = self._tasks.start(
                self,
                self._deploy.abandon(pending[0]),
                on_success=self._on_interrupted_handled,
            )

    def _on_interrupted_handled(self, _result: object) -> None:
        self.check_interrupted()

    @Slot()
    def _on_redeploy_clicked(self) -> None:
        self.start_deploy()

    @Slot()
    def _on_refresh_clicked(self) -> None:
        project_id = self.project_id()
        if project_id is not None:
            self._tasks.start(
                self, self._history.refresh(project_id), key="refresh", busy=[self.refresh_button]
            )

    @Slot()
    def _on_rollback_clicked(self) -> None:
        item, project_id = self.selected(), self.project_id()
        if item is None or project_id is None or not item.rollback_candidate:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Roll back production",
            f"Serve production from {item.id} ({(item.commit_sha or '')[:7]})?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.finished.connect(lambda code: self._on_rollback_confirmed(box, item, code))
        box.open()

    def _on_rollback_confirmed(self, box: QMessageBox, item: DeploymentItem, code: int) -> None:
        box.deleteLater()
        project_id = self.project_id()
        if code != QMessageBox.StandardButton.Yes or project_id is None:
            return
        self.rollback_task = self._tasks.start(
            self, self._history.roll_back(project_id, item.id), busy=[self.rollback_button]
        )

    @Slot()
    def _on_logs_clicked(self) -> None:
        item = self.selected()
        if item is None:
            return
        self.logs_dialog = LogsDialog(self._store, self._tasks, self._history, item.id, self)
        self.logs_dialog.open()

    @Slot(object)
    def _on_bridge_changed(self, changes: ChangeSet) -> None:
        if changes.touches("projects"):
            QTimer.singleShot(0, self.reload_projects)
        elif changes.touches("deployments", "deployment_events"):
            self._reload_timer.start()

    @Slot(int)
    def _on_project_changed(self, _index: int) -> None:
        self.reload()
        self._on_refresh_clicked()

    @Slot()
    def _on_selection_changed(self) -> None:
        self._update_buttons()

    # ------------------------------------------------------------------ helpers

    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Project"))
        self.project_combo = QComboBox()
        self.project_combo.setMinimumWidth(220)
        top.addWidget(self.project_combo)
        self.production_label = QLabel()
        self.production_label.setOpenExternalLinks(True)
        top.addWidget(self.production_label, 1)
        layout.addLayout(top)
        buttons = QHBoxLayout()
        self.deploy_button = QPushButton("Deploy…")
        self.redeploy_button = QPushButton("Redeploy")
        self.rollback_button = QPushButton("Roll back to selected")
        self.logs_button = QPushButton("Build log")
        self.refresh_button = QPushButton("Refresh")
        for button in (
            self.deploy_button,
            self.redeploy_button,
            self.rollback_button,
            self.logs_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        layout.addLayout(buttons)
        self.interrupted = QWidget()
        banner = QHBoxLayout(self.interrupted)
        banner.setContentsMargins(0, 0, 0, 0)
        self.interrupted_label = QLabel()
        self.resume_button = QPushButton("Resume")
        self.abandon_button = QPushButton("Roll back")
        banner.addWidget(self.interrupted_label, 1)
        banner.addWidget(self.resume_button)
        banner.addWidget(self.abandon_button)
        self.interrupted.setVisible(False)
        layout.addWidget(self.interrupted)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.empty = EmptyState("No deployments yet", "")
        self.history_stack = QStackedWidget()
        self.history_stack.addWidget(self.table)
        self.history_stack.addWidget(self.empty)
        layout.addWidget(self.history_stack, 1)
        if self.domains_panel is not None:
            layout.addWidget(self.domains_panel)

    def _connect_signals(self) -> None:
        self._bridge.changed.connect(self._on_bridge_changed)
        self._reload_timer.timeout.connect(self.reload)
        self.project_combo.currentIndexChanged.connect(self._on_project_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.deploy_button.clicked.connect(self._on_deploy_clicked)
        self.redeploy_button.clicked.connect(self._on_redeploy_clicked)
        self.rollback_button.clicked.connect(self._on_rollback_clicked)
        self.logs_button.clicked.connect(self._on_logs_clicked)
        self.refresh_button.clicked.connect(self._on_refresh_clicked)
        self.resume_button.clicked.connect(self._on_resume_clicked)
        self.abandon_button.clicked.connect(self._on_abandon_clicked)

    def _show_project(self, project_id: int | None) -> None:
        if project_id is None:
            self.production_label.setText("No published project yet: publish one first.")
            return
        with self._store.read() as session:
            project = session.get(Project, project_id)
        if project is None:
            return
        url = project.production_url
        status = project.deployment_status or "not deployed"
        link = f"<a href='{url}'>{url}</a>" if url else ""
        self.production_label.setText(f"Production: {link} ({status})")

    def _update_buttons(self) -> None:
        has_project = self.project_id() is not None
        item = self.selected()
        self.deploy_button.setEnabled(has_project)
        self.redeploy_button.setEnabled(has_project and self.model.rowCount() > 0)
        self.rollback_button.setEnabled(item is not None and item.rollback_candidate)
        self.logs_button.setEnabled(item is not None)

    def _open_progress(self, project_id: int, run_id: int, title: str) -> DeployProgressDialog:
        dialog = DeployProgressDialog(self._tasks, title, deploy_steps(self._deploy), self)
        self.progress_dialog = dialog
        dialog.run_finished.connect(lambda ok: self.deploy_finished.emit(project_id, ok))
        dialog.open()
        dialog.start(
            lambda progress: self._deploy.run(run_id, progress),
            retry=lambda progress: self._deploy.run(run_id, progress),
        )
        return dialog
