"""The reply box, the hand-back dialog and the shortcut cheat sheet."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

logger = logging.getLogger(__name__)


class Composer(QPlainTextEdit):
    """Enter sends, Shift+Enter starts a new line.

    Signals:
        submitted(): the user pressed Enter.
        typing_started(): the box went from empty to non-empty.
    """

    submitted = Signal()
    typing_started = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._was_empty = True
        self.setTabChangesFocus(True)
        self.textChanged.connect(self._on_self_text_changed)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Override QWidget.keyPressEvent: Enter submits, Shift+Enter is a newline."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
            else:
                self.submitted.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def _on_self_text_changed(self) -> None:
        empty = not self.toPlainText().strip()
        if self._was_empty and not empty:
            self.typing_started.emit()
        self._was_empty = empty


class HandBackDialog(QDialog):
    """Asks for an optional reason, recorded in the conversation."""

    def __init__(self, customer: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Hand back to the agent")
        layout = QVBoxLayout(self)
        text = QLabel(f"The AI agent answers {customer} again. Reason (optional):")
        text.setWordWrap(True)
        layout.addWidget(text)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("e.g. refund done, agent can continue")
        self.reason_edit.setMaxLength(500)
        layout.addWidget(self.reason_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Hand back")
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def reason(self) -> str:
        return self.reason_edit.text().strip()


class CheatSheet(QDialog):
    """The keyboard shortcuts of the Conversations section."""

    def __init__(self, shortcuts: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        rows = "".join(
            f"<tr><td style='padding:3px 18px 3px 0'><b>{keys}</b></td><td>{what}</td></tr>"
            for keys, what in shortcuts
        )
        self.table = QLabel(f"<table>{rows}</table>")
        self.table.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
