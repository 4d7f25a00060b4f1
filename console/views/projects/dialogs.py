"""Dialogs of the projects section: import a v0 export, new from template, edit.

Each dialog only collects input (`collect()` returns a typed request); the
page runs the service call. They are opened with `open()`, never `exec()`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.services.projects.models import (
    ARCHITECTURE_LABELS,
    Architecture,
    OrgOption,
    ProjectEdit,
    ProjectRow,
    TemplateInfo,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportRequest:
    source: Path
    name: str | None
    org_id: str | None


@dataclass(frozen=True)
class TemplateRequest:
    template_id: str
    name: str
    description: str
    org_id: str | None


def fill_clients(combo: QComboBox, orgs: Sequence[OrgOption], selected: str | None = None) -> None:
    """The agency first ("own projects"), then its clients; data = org id or None."""
    combo.clear()
    if not any(o.is_agency for o in orgs):
        combo.addItem("Agency (own projects)", None)
    for org in orgs:
        combo.addItem(f"{org.name} (agency)" if org.is_agency else org.name, org.id)
    at = combo.findData(selected) if selected is not None else 0
    combo.setCurrentIndex(max(at, 0))


class ImportDialog(QDialog):
    """Choose a v0 export (a .zip or an unpacked folder), a name and a client."""

    def __init__(self, orgs: Sequence[OrgOption], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import a v0 export")
        self.setMinimumWidth(520)
        self._setup_ui(orgs)
        self._connect_signals()
        self._on_source_changed("")

    def collect(self) -> ImportRequest:
        name = self.name_edit.text().strip()
        return ImportRequest(
            Path(self.source_edit.text().strip()).expanduser(),
            name or None,
            self.client_combo.currentData(),
        )

    def set_source(self, path: Path) -> None:
        self.source_edit.setText(str(path))

    @Slot(str)
    def _on_source_changed(self, text: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(text.strip()))

    @Slot()
    def _on_zip_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a v0 export", str(Path.home()), "Zip archives (*.zip);;All files (*)"
        )
        if path:
            self.set_source(Path(path))

    @Slot()
    def _on_folder_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, "Choose an unpacked v0 export", str(Path.home())
        )
        if path:
            self.set_source(Path(path))

    def _setup_ui(self, orgs: Sequence[OrgOption]) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(
            'Download the project from v0 ("Download ZIP") and choose the .zip or the unpacked '
            "folder. Everything stays on this computer until you publish; the files are "
            "analysed and made to build offline."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        row = QHBoxLayout()
        self.source_edit = QLineEdit()
        self.source_edit.setPlaceholderText("~/Downloads/my-v0-project.zip")
        self.zip_button = QPushButton("Zip…")
        self.folder_button = QPushButton("Folder…")
        row.addWidget(self.source_edit, 1)
        row.addWidget(self.zip_button)
        row.addWidget(self.folder_button)
        form.addRow("Export", row)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("From the file name")
        form.addRow("Project name", self.name_edit)
        self.client_combo = QComboBox()
        fill_clients(self.client_combo, orgs)
        form.addRow("Client", self.client_combo)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        layout.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.source_edit.textChanged.connect(self._on_source_changed)
        self.zip_button.clicked.connect(self._on_zip_clicked)
        self.folder_button.clicked.connect(self._on_folder_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)


class TemplateDialog(QDialog):
    """Start a project from one of the console's templates."""

    def __init__(
        self,
        templates: Sequence[TemplateInfo],
        orgs: Sequence[OrgOption],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New project from a template")
        self.setMinimumWidth(520)
        self._setup_ui(templates, orgs)
        self._connect_signals()
        self._on_name_changed("")

    def collect(self) -> TemplateRequest:
        item = self.template_list.currentItem()
        return TemplateRequest(
            str(item.data(Qt.ItemDataRole.UserRole)) if item else "",
            self.name_edit.text().strip(),
            self.description_edit.toPlainText().strip(),
            self.client_combo.currentData(),
        )

    @Slot(str)
    def _on_name_changed(self, text: str) -> None:
        ok = bool(text.strip()) and self.template_list.currentItem() is not None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def _setup_ui(self, templates: Sequence[TemplateInfo], orgs: Sequence[OrgOption]) -> None:
        layout = QVBoxLayout(self)
        # A fixed list of templates shipped with the console: an item widget is fine here.
        self.template_list = QListWidget()
        for template in templates:
            item = QListWidgetItem(f"{template.title}\n{template.description}")
            item.setData(Qt.ItemDataRole.UserRole, template.id)
            self.template_list.addItem(item)
        self.template_list.setCurrentRow(0)
        self.template_list.setMaximumHeight(120)
        layout.addWidget(self.template_list)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Crumb & Co. spring menu")
        form.addRow("Project name", self.name_edit)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setPlaceholderText("What the app is for (optional)")
        self.description_edit.setMaximumHeight(70)
        form.addRow("Description", self.description_edit)
        self.client_combo = QComboBox()
        fill_clients(self.client_combo, orgs)
        form.addRow("Client", self.client_combo)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        layout.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.name_edit.textChanged.connect(self._on_name_changed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)


class EditProjectDialog(QDialog):
    """Name, description, architecture and (before it reaches the platform) client."""

    def __init__(
        self, row: ProjectRow, orgs: Sequence[OrgOption], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._row = row
        self.setWindowTitle(f"Edit {row.name}")
        self.setMinimumWidth(480)
        self._setup_ui(orgs)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._on_name_changed)

    def collect(self) -> ProjectEdit:
        architecture: Architecture | None = self.architecture_combo.currentData()
        org_id = self.client_combo.currentData() if self.client_combo.isEnabled() else None
        return ProjectEdit(
            name=self.name_edit.text(),
            description=self.description_edit.toPlainText(),
            architecture=architecture,
            org_id=org_id if org_id != self._row.org_id else None,
        )

    @Slot(str)
    def _on_name_changed(self, text: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(bool(text.strip()))

    def _setup_ui(self, orgs: Sequence[OrgOption]) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit(self._row.name)
        form.addRow("Name", self.name_edit)
        self.description_edit = QPlainTextEdit(self._row.description)
        self.description_edit.setMaximumHeight(90)
        form.addRow("Description", self.description_edit)
        self.architecture_combo = QComboBox()
        for key, label in ARCHITECTURE_LABELS.items():
            self.architecture_combo.addItem(label, key)
        self.architecture_combo.setCurrentIndex(
            max(self.architecture_combo.findData(self._row.architecture), 0)
        )
        form.addRow("Architecture", self.architecture_combo)
        self.client_combo = QComboBox()
        fill_clients(self.client_combo, orgs, self._row.org_id)
        self.client_combo.setEnabled(self._row.remote_id is None)
        if self._row.remote_id is not None:
            self.client_combo.setToolTip("Projects on the platform stay with their client.")
        form.addRow("Client", self.client_combo)
        layout.addLayout(form)
        note = QLabel(
            "Saved here at once; the platform gets the change when the console is online."
        )
        note.setObjectName("EmptyText")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout.addWidget(self.buttons)
