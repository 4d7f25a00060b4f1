"""The Deployments section: per-project history, deploy, redeploy, roll back, logs.

Everything shown comes from the store, through the query functions of
`console.services.deploy.queries` (plain frozen data): the build log and the
domains are read in a worker thread; the history, the project list and
production's state on the UI thread (indexed reads of tens of rows, so the
page is complete once built). Actions run service coroutines through the
TaskRunner, and the StoreBridge refreshes the table when they write. Rolling
back to an older deployment pins production on Vercel; while it is pinned a
banner says so and offers to resume automatic production.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.changes import ChangeSet
from console.errors import ConsoleError
from console.services.deploy.deploy import DeployService, vercel_name
from console.services.deploy.domains import DomainService
from console.services.deploy.env import DeployEnv, EnvRequirement
from console.services.deploy.heal import DeployHealer
from console.services.deploy.history import HistoryService, production_pin
from console.services.deploy.ledger import CleanupResult
from console.services.deploy.pipeline import WARNING
from console.services.deploy.queries import (
    build_log,
    load_deployments,
    production_state,
    published_projects,
)
from console.services.reads import StoreHandle
from console.services.vercel.models import EnvTarget, EnvType, EnvVarInput
from console.views.bridge import StoreBridge
from console.views.deploy.attention import AttentionRunsPanel, LeftBehindPanel
from console.views.deploy.domains import DomainsPanel
from console.views.deploy.progress import DeployProgressDialog
from console.views.links import ExternalUrl, same_url
from console.views.models.deployments import (
    Column,
    DeploymentItem,
    DeploymentsTableModel,
    Role,
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


#: Height of the app's variables in the deploy form before it scrolls.
MAX_VARIABLES_HEIGHT = 420


def deploy_steps(service: DeployService) -> list[tuple[str, str]]:
    return [(s.name, s.title) for s in service.pipeline.steps]


class DeploySetupDialog(QDialog):
    """The deploy wizard's one form: Vercel project, region, the app's variables, others.

    The variables the app needs (`DeployService.env_requirements`) arrive after
    the dialog opens (`set_requirements`); until then Deploy waits. A required
    variable left empty blocks Deploy unless the user ticks "Deploy without
    them". Values typed here go to Vercel only, never to the store; secrets
    are masked and created as Vercel sensitive env.

    Signals:
        requirements_shown(): the app's variables are listed (or could not be
            read); the form is ready.
    """

    requirements_shown = Signal()

    def __init__(self, project_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Deploy {project_name}")
        self._project_name = project_name
        self._env: DeployEnv | None = None
        self._loading = True
        self._acknowledged: frozenset[str] = frozenset()
        self.value_edits: dict[str, QLineEdit] = {}
        self.load_task: asyncio.Task[DeployEnv] | None = None
        self._setup_ui()
        self._connect_signals()
        self._update_deploy_button()

    # ------------------------------------------------------------------ public API

    @property
    def is_loading(self) -> bool:
        """Whether the app's variables are still being read (Deploy waits for them)."""
        return self._loading

    def set_requirements(self, env: DeployEnv) -> None:
        """List the variables the app needs, one value field each."""
        self._env = env
        self._loading = False
        for var in env.variables:
            self._add_requirement_row(var, set_on_vercel=var.name in env.on_vercel)
        if env.variables:
            required = sum(1 for v in env.variables if v.required)
            self.requirements_label.setText(
                f"{_count(len(env.variables), 'variable')} for {self._project_name}, "
                f"{required} required. Secrets are hidden and go to Vercel's sensitive env."
            )
            self.requirements_area.setVisible(True)
            # Measured once the new rows are polished and laid out (styles change their size).
            QTimer.singleShot(0, self._fit_requirements)
        else:
            self.requirements_label.setText(f"{self._project_name} needs no variables from you.")
        self._update_deploy_button()
        self.requirements_shown.emit()

    def show_requirements_error(self, error: ConsoleError) -> None:
        """The variables could not be read: say so; Deploy sends only the other variables."""
        self._loading = False
        self.requirements_label.setText(
            f"Could not read the variables {self._project_name} needs: {error.user_text()} "
            "Deploying sends only the variables listed below."
        )
        self.requirements_label.setObjectName("ResultError")
        self.requirements_label.style().polish(self.requirements_label)
        self._update_deploy_button()
        self.requirements_shown.emit()

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

    def values(self) -> dict[str, str]:
        """What is typed for each of the app's variables (name -> value)."""
        return {name: edit.text() for name, edit in self.value_edits.items()}

    def missing(self) -> list[str]:
        """Required variables that stay unset with what is typed now."""
        return self._env.missing(self.values()) if self._env is not None else []

    def collect(self) -> list[EnvVarInput]:
        """The variables to set: the app's (those typed) and the other rows.

        Other rows without a key or a target are skipped.
        """
        out = self._env.inputs(self.values()) if self._env is not None else []
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

    # ------------------------------------------------------------------ slots

    @Slot()
    def _on_add_clicked(self) -> None:
        self.add_variable("", "")

    @Slot()
    def _on_remove_clicked(self) -> None:
        row = self.env_table.currentRow()
        if row >= 0:
            self.env_table.removeRow(row)

    @Slot()
    def _on_value_edited(self) -> None:
        self._update_deploy_button()

    @Slot(bool)
    def _on_override_toggled(self, checked: bool) -> None:
        # The tick covers the variables it named; emptying another one takes it back.
        self._acknowledged = frozenset(self.missing()) if checked else frozenset()
        self._update_deploy_button()

    # ------------------------------------------------------------------ helpers

    def _setup_ui(self) -> None:
        self.setMinimumWidth(720)
        layout = self._layout = QVBoxLayout(self)
        form = QFormLayout()
        self.project_edit = QLineEdit(vercel_name(self._project_name))
        self.project_edit.setReadOnly(True)
        form.addRow("Vercel project", self.project_edit)
        form.addRow("Framework", QLabel("Next.js"))
        self.region_combo = QComboBox()
        for code, label in REGIONS:
            self.region_combo.addItem(f"{label} ({code})", code)
        form.addRow("Region (new project)", self.region_combo)
        form.addRow(
            "Platform key",
            QLabel(
                "The app's one key: reused, or made for its scopes (the old one is revoked "
                "once the new deployment is healthy); only in Vercel's sensitive env"
            ),
        )
        layout.addLayout(form)

        needed = QGroupBox("Variables this app needs")
        needed_layout = QVBoxLayout(needed)
        self.requirements_label = QLabel("Reading the variables this app needs…")
        self.requirements_label.setWordWrap(True)
        needed_layout.addWidget(self.requirements_label)
        self.requirements_area = QScrollArea()
        self.requirements_area.setWidgetResizable(True)
        self.requirements_area.setFrameShape(QFrame.Shape.NoFrame)
        body = self._requirements_body = QWidget()
        rows = QVBoxLayout(body)
        rows.setContentsMargins(0, 0, 0, 0)
        self.requirements_grid = QGridLayout()
        self.requirements_grid.setColumnStretch(1, 1)
        self.requirements_grid.setVerticalSpacing(2)
        rows.addLayout(self.requirements_grid)
        rows.addStretch(1)  # few variables stay at the top instead of spreading out
        self.requirements_area.setWidget(body)
        self.requirements_area.setVisible(False)
        needed_layout.addWidget(self.requirements_area, 1)
        layout.addWidget(needed, 1)

        others = QGroupBox("Other variables")
        others_layout = QVBoxLayout(others)
        self.env_table = QTableWidget(0, 5)
        self.env_table.setHorizontalHeaderLabels(
            ["Key", "Value", "Production", "Preview", "Sensitive"]
        )
        self.env_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.env_table.verticalHeader().setVisible(False)
        self.env_table.setMaximumHeight(120)  # rarely used: room for three rows
        others_layout.addWidget(self.env_table)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add variable")
        self.remove_button = QPushButton("Remove")
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        others_layout.addLayout(row)
        layout.addWidget(others)

        self.missing_label = QLabel()
        self.missing_label.setObjectName("ResultError")
        self.missing_label.setWordWrap(True)
        self.missing_label.setVisible(False)
        layout.addWidget(self.missing_label)
        self.override_box = QCheckBox()
        self.override_box.setVisible(False)
        layout.addWidget(self.override_box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.deploy_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.deploy_button.setText("Deploy")
        layout.addWidget(self.buttons)
        self.resize(760, 560)

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.override_box.toggled.connect(self._on_override_toggled)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    @Slot()
    def _fit_requirements(self) -> None:
        """Show every variable without scrolling, up to a height that still fits a laptop."""
        body = self._requirements_body
        body.ensurePolished()
        # Measured at the width the rows get: their hints wrap.
        wanted = body.heightForWidth(self.requirements_area.viewport().width())
        if wanted <= 0:
            wanted = body.sizeHint().height()
        wanted = min(wanted, MAX_VARIABLES_HEIGHT)
        grow = wanted - self.requirements_area.height()
        self.requirements_area.setMinimumHeight(wanted)
        if grow > 0:
            self.resize(self.width(), self.height() + grow)

    def _add_requirement_row(self, var: EnvRequirement, *, set_on_vercel: bool) -> None:
        row = self.requirements_grid.rowCount()
        name = QLabel(var.name)
        font = name.font()
        font.setBold(True)
        name.setFont(font)
        name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        edit = QLineEdit()
        if var.secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        if set_on_vercel:
            edit.setPlaceholderText("Set on Vercel: leave empty to keep it")
        elif var.example:
            edit.setPlaceholderText(f"e.g. {var.example}")
        elif var.secret:
            edit.setPlaceholderText("Secret: sent only to Vercel")
        hint = QLabel(_requirement_hint(var))
        hint.setObjectName("EmptyText")
        hint.setWordWrap(True)
        name.setBuddy(edit)
        self.requirements_grid.addWidget(name, row, 0)
        self.requirements_grid.addWidget(edit, row, 1)
        self.requirements_grid.addWidget(hint, row + 1, 1)
        self.requirements_grid.setRowMinimumHeight(row + 2, 8)
        self.value_edits[var.name] = edit
        edit.textChanged.connect(self._on_value_edited)

    def _update_deploy_button(self) -> None:
        if self._loading:
            self.deploy_button.setEnabled(False)
            self.deploy_button.setToolTip("Reading the variables this app needs…")
            return
        missing = self.missing()
        if self.override_box.isChecked() and not set(missing) <= self._acknowledged:
            self.override_box.setChecked(False)  # re-enters through _on_override_toggled
            return
        if missing:
            reason = (
                f"{_count(len(missing), 'required variable')} "
                f"{'is' if len(missing) == 1 else 'are'} empty: {', '.join(missing)}"
            )
            self.missing_label.setText(reason)
            self.override_box.setText(
                f"Deploy without {_joined(missing)} (the app will fail where it reads "
                f"{'it' if len(missing) == 1 else 'them'})"
            )
        else:
            reason = ""
            self.missing_label.clear()
        self.missing_label.setVisible(bool(missing))
        self.override_box.setVisible(bool(missing))
        allowed = not missing or self.override_box.isChecked()
        self.deploy_button.setEnabled(allowed)
        self.deploy_button.setToolTip("" if allowed else reason)

    def _checked(self, row: int, column: int) -> bool:
        widget = self.env_table.cellWidget(row, column)
        return isinstance(widget, QCheckBox) and widget.isChecked()


def _requirement_hint(var: EnvRequirement) -> str:
    """One line under a variable's field: what it is, who asks for it, whether it is required."""
    if var.source == "code":
        first, more = (var.files[0], len(var.files) - 1) if var.files else ("its files", 0)
        where = first + (f" and {_count(more, 'more file')}" if more > 0 else "")
        origin = f"Read by the project's code in {where}"
    elif var.source == "wizard":
        origin = "Added in the publish wizard"
    else:
        origin = "Needed by the generated app"
        if var.files:
            origin += f", also read in {var.files[0]}"
    need = "required" if var.required else "optional"
    parts = [var.description.rstrip("."), origin, need] if var.description else [origin, need]
    return " · ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _joined(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


class LogsDialog(QDialog):
    """A deployment's build log, from the store (fetched from Vercel on open).

    The stored log shows at once (read in a worker thread); `fetch_task` fetches
    it from Vercel, reads it again and shows it before it is done.
    """

    def __init__(
        self,
        store: StoreHandle,
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
        self._history = history
        self._fetched = False
        self.read_task = tasks.start(
            self, asyncio.to_thread(build_log, store, deployment_id), on_success=self._on_read
        )
        self.fetch_task = tasks.start(self, self._fetch_and_read(), on_success=self._on_fetched)

    async def _fetch_and_read(self) -> list[str]:
        await self._history.fetch_logs(self._deployment_id)
        return await asyncio.to_thread(build_log, self._store, self._deployment_id)

    def _on_read(self, lines: list[str]) -> None:
        if not self._fetched:  # the fetched log has the last word
            self._show(lines)

    def _on_fetched(self, lines: list[str]) -> None:
        self._fetched = True
        self.read_task.cancel()
        self._show(lines)

    def _show(self, lines: list[str]) -> None:
        self.text.setPlainText("\n".join(lines))


class DeploymentsPage(QWidget):
    """The Deployments section.

    Args:
        store: the local store.
        bridge: the StoreBridge (refreshes on deployments/projects writes).
        tasks: the TaskRunner.
        deploy: the DeployService.
        history: the HistoryService.
        domains: the DomainService (None: no domains panel).
        healer: repairs a failed build from the progress dialog (None: no repair).
        clean_up: removes what rollbacks left behind (None: the list is not shown).
        domain_poll_interval: seconds between domain verification checks.
        dark: the theme.
        external_url: maps a production URL to the one its link opens.

    Signals:
        deploy_finished(int, bool): a deploy of project id ended (succeeded?).
    """

    deploy_finished = Signal(int, bool)

    def __init__(
        self,
        store: StoreHandle,
        bridge: StoreBridge,
        tasks: TaskRunner,
        deploy: DeployService,
        history: HistoryService,
        *,
        domains: DomainService | None = None,
        healer: DeployHealer | None = None,
        clean_up: Callable[[], Coroutine[Any, Any, CleanupResult]] | None = None,
        domain_poll_interval: float = 10.0,
        dark: bool = False,
        external_url: ExternalUrl = same_url,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._external_url = external_url
        self._healer = healer
        self.attention = AttentionRunsPanel(
            tasks, bridge, deploy.pipeline, title="Deploys that need you"
        )
        self.left_behind = (
            LeftBehindPanel(tasks, bridge, deploy.pipeline.ledger, clean_up) if clean_up else None
        )
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
        projects = published_projects(self._store)
        self.project_combo.blockSignals(True)
        self.project_combo.clear()
        for project in projects:
            self.project_combo.addItem(project.name, project.id)
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
        self._show_pin(project_id, items)
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

        Selects the project and opens the setup form, which then lists the
        variables the app needs; "Deploy" there starts the run in a progress
        dialog. None if the project is not published yet.
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
        dialog.load_task = self._tasks.start(
            dialog,
            self._deploy.env_requirements(project_id),
            on_success=dialog.set_requirements,
            on_error=dialog.show_requirements_error,
        )
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

    @Slot(int)
    def _on_attention_run_requested(self, run_id: int) -> None:
        row = self._deploy.pipeline.load(run_id)
        name = row.state.get("app_name", row.subject)
        title = f"Checking {name} again" if row.status == WARNING else f"Retrying deploy of {name}"
        self._open_progress(int(row.subject), run_id, title)

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
        if self._pins_production(item):
            consequence = (
                "It is older than the newest production deployment, so Vercel pins "
                "production to it: new deployments will not go live automatically until "
                "you choose “Resume automatic production”."
            )
        else:
            consequence = "New production deployments keep going live automatically."
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Roll back production",
            f"Serve production from {item.id} ({(item.commit_sha or '')[:7]})?\n\n{consequence}",
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
        self.notice_label.clear()
        self.rollback_task = self._tasks.start(
            self,
            self._history.roll_back(project_id, item.id),
            busy=[self.rollback_button],
            on_success=lambda _url: self._on_rolled_back(item),
        )

    def _on_rolled_back(self, item: DeploymentItem) -> None:
        project_id = self.project_id()
        pin = production_pin(self._store, project_id) if project_id is not None else None
        # The banner above says the rest while production is pinned.
        after = "" if pin is not None else " New production deployments go live automatically."
        self.notice_label.setText(f"Production now serves {item.id}.{after}")

    @Slot()
    def _on_resume_production_clicked(self) -> None:
        project_id = self.project_id()
        if project_id is None:
            return
        self.notice_label.clear()
        self.resume_production_task = self._tasks.start(
            self,
            self._history.resume_production(project_id),
            busy=[self.resume_production_button],
            on_success=self._on_production_resumed,
        )

    def _on_production_resumed(self, serving: str | None) -> None:
        until = f"; production serves {serving} until then" if serving else ""
        self.notice_label.setText(
            "Automatic production resumed: the next production deployment goes live when "
            f"it is ready{until}."
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
        layout.addWidget(self.attention)
        self.pinned = QFrame()
        self.pinned.setObjectName("ErrorBanner")
        pinned_row = QHBoxLayout(self.pinned)
        self.pinned_label = QLabel()
        self.pinned_label.setWordWrap(True)
        self.resume_production_button = QPushButton("Resume automatic production")
        pinned_row.addWidget(self.pinned_label, 1)
        pinned_row.addWidget(self.resume_production_button)
        self.pinned.setVisible(False)
        layout.addWidget(self.pinned)
        self.notice_label = QLabel()
        self.notice_label.setObjectName("ResultOk")
        self.notice_label.setWordWrap(True)
        layout.addWidget(self.notice_label)
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
        if self.left_behind is not None:
            layout.addWidget(self.left_behind)
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
        self.attention.run_requested.connect(self._on_attention_run_requested)
        self.resume_production_button.clicked.connect(self._on_resume_production_clicked)

    def _show_project(self, project_id: int | None) -> None:
        if project_id is None:
            self.production_label.setText("No published project yet: publish one first.")
            return
        production = production_state(self._store, project_id)
        if production is None:
            return
        url = production.url
        status = production.deployment_status or "not deployed"
        href = html.escape(self._external_url(url), quote=True) if url else ""
        link = f"<a href='{href}'>{html.escape(url)}</a>" if url else ""
        self.production_label.setText(f"Production: {link} ({status})")

    def _show_pin(self, project_id: int | None, items: Sequence[DeploymentItem]) -> None:
        pin = production_pin(self._store, project_id) if project_id is not None else None
        self.pinned.setVisible(pin is not None)
        if pin is None:
            return
        commit = f" ({pin.commit_sha[:7]})" if pin.commit_sha else ""
        pinned = next((i for i in items if i.pinned), None)
        waiting = [
            i
            for i in items
            if pinned is not None
            and i.state == "READY"
            and i.target == "production"
            and i.created_at > pinned.created_at
        ]
        held = (
            f" {_count(len(waiting), 'newer ready deployment')} "
            f"{'is' if len(waiting) == 1 else 'are'} not live."
            if waiting
            else ""
        )
        self.pinned_label.setText(
            f"Production is pinned to {pin.deployment_id}{commit}; new deployments will not "
            f"go live automatically.{held}"
        )

    def _pins_production(self, item: DeploymentItem) -> bool:
        """Whether promoting `item` is a rollback: older than the newest production deployment."""
        ready = [
            row
            for row in (self.model.item(r) for r in range(self.model.rowCount()))
            if row.state == "READY" and row.target == "production"
        ]
        return any(item.created_at < row.created_at for row in ready)

    def _show_warning(self, dialog: DeployProgressDialog, run_id: int) -> None:
        """A run kept with a warning is not "live": say so where the dialog ends.

        A deploy production stayed pinned away from reads the history again, so
        the pinned banner and its resume show even for a pin made on Vercel.
        """
        row = self._deploy.pipeline.load(run_id)
        warning = row.state.get("warning")
        if row.status == WARNING and isinstance(warning, dict):
            dialog.result_label.setText(
                f"⚠ Deployed, but kept with a warning: {warning['message']}\n"
                "Check again once it answers, or roll it back (Deploys that need you)."
            )
        if row.state.get("pinned_to"):
            self._on_refresh_clicked()

    def _update_buttons(self) -> None:
        has_project = self.project_id() is not None
        item = self.selected()
        self.deploy_button.setEnabled(has_project)
        self.redeploy_button.setEnabled(has_project and self.model.rowCount() > 0)
        self.rollback_button.setEnabled(item is not None and item.rollback_candidate)
        self.logs_button.setEnabled(item is not None)

    def _open_progress(self, project_id: int, run_id: int, title: str) -> DeployProgressDialog:
        dialog = DeployProgressDialog(
            self._tasks,
            title,
            deploy_steps(self._deploy),
            self,
            external_url=self._external_url,
        )
        self.progress_dialog = dialog
        dialog.run_finished.connect(lambda ok: self.deploy_finished.emit(project_id, ok))
        dialog.run_finished.connect(lambda _ok: self._show_warning(dialog, run_id))
        if self._healer is not None:
            dialog.offer_repair(self._healer, project_id)
        dialog.open()
        dialog.start(
            lambda progress: self._deploy.run(run_id, progress),
            retry=lambda progress: self._deploy.run(run_id, progress),
        )
        return dialog
