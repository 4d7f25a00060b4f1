"""The "New client" dialog: the client's details, then the 8-step provisioning log."""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from console.errors import UserInputError
from console.services.deploy.pipeline import WARNING
from console.services.deploy.provisioning import NewClient, ProvisioningService
from console.views.deploy.progress import DeployProgressDialog
from console.views.links import ExternalUrl, same_url
from console.views.tasks import TaskRunner

logger = logging.getLogger(__name__)


def slug_of(name: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in name.lower().strip())
    return "-".join(part for part in out.split("-") if part)[:63]


class NewClientDialog(QDialog):
    """Collects a NewClient, then runs provisioning in a progress dialog.

    Args:
        tasks: the TaskRunner.
        provisioning: the ProvisioningService.
        external_url: maps the portal's live URL to the one its link opens.

    Signals:
        provisioning_finished(int, bool): run id, succeeded.
    """

    provisioning_finished = Signal(int, bool)

    def __init__(
        self,
        tasks: TaskRunner,
        provisioning: ProvisioningService,
        parent: QWidget | None = None,
        *,
        external_url: ExternalUrl = same_url,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._provisioning = provisioning
        self._external_url = external_url
        self.progress_dialog: DeployProgressDialog | None = None
        self._run_id: int | None = None
        self._slug_edited = False
        self.setWindowTitle("New client")
        self._setup_ui()
        self._connect_signals()

    # ------------------------------------------------------------------ public API

    def collect(self) -> NewClient:
        return NewClient(
            name=self.name_edit.text().strip(),
            slug=self.slug_edit.text().strip(),
            contact_email=self.email_edit.text().strip(),
            brand_color=self.color_edit.text().strip() or "#4F46E5",
            logo_url=self.logo_edit.text().strip() or None,
        )

    def start(self) -> DeployProgressDialog | None:
        """Validate, start the run and show its step log; None if the input is wrong."""
        client = self.collect()
        try:
            run_id = self._provisioning.start(client)
        except UserInputError as exc:
            self.error_label.setText(exc.user_text())
            return None
        return self._open_progress(run_id, f"New client: {client.name}")

    def resume(self, run_id: int) -> DeployProgressDialog:
        """Resume a run a closed or killed console left unfinished (`unfinished()`)."""
        name = self._provisioning.pipeline.load(run_id).state.get("client_name", "client")
        self.buttons.setEnabled(False)
        return self._open_progress(run_id, f"Resuming new client: {name}")

    def _open_progress(self, run_id: int, title: str) -> DeployProgressDialog:
        self._run_id = run_id
        steps = [(s.name, s.title) for s in self._provisioning.pipeline.steps]
        dialog = DeployProgressDialog(
            self._tasks, title, steps, self, external_url=self._external_url
        )
        self.progress_dialog = dialog
        dialog.run_finished.connect(self._on_run_finished)
        dialog.open()
        dialog.start(
            lambda progress: self._provisioning.run(run_id, progress),
            retry=lambda progress: self._provisioning.run(run_id, progress),
        )
        return dialog

    # ------------------------------------------------------------------ slots

    @Slot()
    def _on_accepted(self) -> None:
        if self.start() is not None:
            self.buttons.setEnabled(False)

    @Slot(str)
    def _on_name_edited(self, text: str) -> None:
        if not self._slug_edited:
            self.slug_edit.setText(slug_of(text))

    @Slot(str)
    def _on_slug_edited(self, _text: str) -> None:
        self._slug_edited = True

    @Slot(bool)
    def _on_run_finished(self, ok: bool) -> None:
        if self._run_id is None:
            return
        row = self._provisioning.pipeline.load(self._run_id)
        warning = row.state.get("warning")
        if row.status == WARNING and isinstance(warning, dict) and self.progress_dialog:
            # A portal kept with a warning is not "live": say so where the dialog ends.
            self.progress_dialog.result_label.setText(
                f"⚠ The portal is deployed but kept with a warning: {warning['message']}\n"
                "The client is marked “warning”: check again once it answers, or roll it "
                "back (Clients, provisioning that needs you)."
            )
        self.provisioning_finished.emit(self._run_id, ok)

    # ------------------------------------------------------------------ helpers

    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.slug_edit = QLineEdit()
        self.email_edit = QLineEdit()
        self.color_edit = QLineEdit("#4F46E5")
        self.logo_edit = QLineEdit()
        self.logo_edit.setPlaceholderText("https://… (optional)")
        form.addRow("Client name", self.name_edit)
        form.addRow("Slug", self.slug_edit)
        form.addRow("Contact email", self.email_edit)
        form.addRow("Brand colour", self.color_edit)
        form.addRow("Logo URL", self.logo_edit)
        layout.addLayout(form)
        layout.addWidget(
            QLabel(
                "Creates the sub-organization, generates and publishes its portal, "
                "deploys it and marks the client active (or “warning” if the portal "
                "does not answer; it is kept for you to check). A failure rolls back "
                "what the run created."
            )
        )
        self.error_label = QLabel()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create client")
        layout.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self._on_accepted)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textEdited.connect(self._on_name_edited)
        self.slug_edit.textEdited.connect(self._on_slug_edited)


def resume_interrupted_clients(
    tasks: TaskRunner,
    provisioning: ProvisioningService,
    parent: QWidget | None = None,
    *,
    external_url: ExternalUrl = same_url,
) -> list[NewClientDialog]:
    """On start: resume every provisioning run a closed or killed console left unfinished.

    Each resumes in its own NewClientDialog showing the step log (the steps are
    repeatable and the platform writes idempotent, so resuming is safe).
    """
    dialogs: list[NewClientDialog] = []
    for run_id in provisioning.unfinished():
        dialog = NewClientDialog(tasks, provisioning, parent, external_url=external_url)
        dialog.show()
        dialog.resume(run_id)
        dialogs.append(dialog)
    return dialogs
