"""Create or edit a client: name, slug, contact email, brand colour, logo URL."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.services.clients import ClientDraft, slugify, validate_draft

logger = logging.getLogger(__name__)

#: Asks the user for a colour: (initial, parent, chosen callback); the callback
#: is called only when the user picks one. Tests inject an immediate picker.
ColorPicker = Callable[[QColor, QWidget, Callable[[QColor], None]], None]


def qt_color_picker(initial: QColor, parent: QWidget, chosen: Callable[[QColor], None]) -> None:
    """A window-modal QColorDialog opened with `open()` (no nested event loop)."""
    dialog = QColorDialog(initial, parent)
    dialog.setWindowTitle("Brand colour")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.colorSelected.connect(chosen)
    dialog.open()


FIELDS = ("name", "slug", "contact_email", "brand_color", "logo_url")


class ClientDialog(QDialog):
    """The client form. `draft()` returns what is entered; accept() only when valid.

    Args:
        draft: the client to edit, or None for a new one.
        taken_slugs: slugs of other clients (a new slug must be unique).
        editing: the slug cannot change once the platform created the client.
        pick_color: the colour picker.

    Signals:
        draft_accepted(ClientDraft): the user saved valid values.
    """

    draft_accepted = Signal(object)

    def __init__(
        self,
        draft: ClientDraft | None = None,
        *,
        taken_slugs: frozenset[str] = frozenset(),
        slug_locked: bool = False,
        pick_color: ColorPicker = qt_color_picker,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._taken = taken_slugs
        self._pick_color = pick_color
        self._slug_locked = slug_locked
        self._slug_touched = draft is not None
        self.setWindowTitle("Edit client" if draft else "New client")
        self.setMinimumWidth(460)
        self._setup_ui()
        self._connect_signals()
        if draft is not None:
            self.load(draft)
        self._update_swatch()

    # --- public API -------------------------------------------------------------
    def load(self, draft: ClientDraft) -> None:
        self.name_edit.setText(draft.name)
        self.slug_edit.setText(draft.slug)
        self.email_edit.setText(draft.contact_email)
        self.color_edit.setText(draft.brand_color)
        self.logo_edit.setText(draft.logo_url)
        self._slug_touched = True

    def draft(self) -> ClientDraft:
        return ClientDraft(
            name=self.name_edit.text(),
            slug=self.slug_edit.text(),
            contact_email=self.email_edit.text(),
            brand_color=self.color_edit.text(),
            logo_url=self.logo_edit.text(),
        ).normalized()

    def errors(self) -> dict[str, str]:
        errors = validate_draft(self.draft(), taken_slugs=self._taken)
        if self._slug_locked:
            errors.pop("slug", None)
        return errors

    def accept(self) -> None:
        """Override QDialog.accept: only with valid values; errors show per field."""
        errors = self.errors()
        for name in FIELDS:
            label = self._error_labels[name]
            label.setText(errors.get(name, ""))
            label.setVisible(name in errors)
        if errors:
            first = next(n for n in FIELDS if n in errors)
            self._edits[first].setFocus()
            return
        self.draft_accepted.emit(self.draft())
        super().accept()

    # --- slots --------------------------------------------------------------------
    @Slot(str)
    def _on_name_text_edited(self, text: str) -> None:
        if not self._slug_touched and not self._slug_locked:
            self.slug_edit.setText(slugify(text))

    @Slot(str)
    def _on_slug_text_edited(self, _text: str) -> None:
        self._slug_touched = True

    @Slot()
    def _on_pick_clicked(self) -> None:
        current = QColor(self.color_edit.text() or "#4f46e5")
        self._pick_color(current, self, self._on_color_picked)

    @Slot(QColor)
    def _on_color_picked(self, color: QColor) -> None:
        if color.isValid():
            self.color_edit.setText(color.name())

    @Slot()
    def _on_color_changed(self) -> None:
        self._update_swatch()

    # --- helpers ------------------------------------------------------------------
    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Crumb & Co. Bakery")
        self.slug_edit = QLineEdit()
        self.slug_edit.setPlaceholderText("crumb-and-co")
        self.slug_edit.setReadOnly(self._slug_locked)
        if self._slug_locked:
            self.slug_edit.setToolTip("The slug is fixed once the client exists on the platform.")
        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText("owner@client.example")
        self.color_edit = QLineEdit()
        self.color_edit.setPlaceholderText("#1f6feb")
        self.color_edit.setMaxLength(7)
        self.swatch = QFrame()
        self.swatch.setFixedSize(26, 26)
        self.swatch.setFrameShape(QFrame.Shape.Box)
        self.swatch.setAutoFillBackground(True)
        self.pick_button = QPushButton("Pick…")
        color_row = QHBoxLayout()
        color_row.addWidget(self.swatch)
        color_row.addWidget(self.color_edit, 1)
        color_row.addWidget(self.pick_button)
        self.logo_edit = QLineEdit()
        self.logo_edit.setPlaceholderText("https://client.example/logo.svg")
        self._edits: dict[str, QLineEdit] = {
            "name": self.name_edit,
            "slug": self.slug_edit,
            "contact_email": self.email_edit,
            "brand_color": self.color_edit,
            "logo_url": self.logo_edit,
        }
        self._error_labels: dict[str, QLabel] = {}
        rows: list[tuple[str, str, QWidget | QHBoxLayout]] = [
            ("name", "Name", self.name_edit),
            ("slug", "Slug", self.slug_edit),
            ("contact_email", "Contact email", self.email_edit),
            ("brand_color", "Brand colour", color_row),
            ("logo_url", "Logo URL", self.logo_edit),
        ]
        for name, title, field in rows:
            box = QVBoxLayout()
            box.setSpacing(2)
            if isinstance(field, QHBoxLayout):
                box.addLayout(field)
            else:
                box.addWidget(field)
            error = QLabel()
            error.setObjectName("ResultError")
            error.setWordWrap(True)
            error.hide()
            self._error_labels[name] = error
            box.addWidget(error)
            form.addRow(title, box)
        layout.addLayout(form)
        hint = QLabel("Saved here first; sent to the platform as soon as it is reachable.")
        hint.setObjectName("EmptyText")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        layout.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.name_edit.textEdited.connect(self._on_name_text_edited)
        self.slug_edit.textEdited.connect(self._on_slug_text_edited)
        self.pick_button.clicked.connect(self._on_pick_clicked)
        self.color_edit.textChanged.connect(self._on_color_changed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def error_text(self, name: str) -> str:
        label = self._error_labels[name]
        return label.text() if not label.isHidden() else ""

    def _update_swatch(self) -> None:
        color = QColor(self.color_edit.text())
        palette = self.swatch.palette()
        palette.setColor(
            QPalette.ColorRole.Window,
            color if color.isValid() and len(self.color_edit.text()) == 7 else QColor(0, 0, 0, 0),
        )
        self.swatch.setPalette(palette)
