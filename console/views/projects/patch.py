"""What a compatibility fix changes, file by file, shown before the user applies it.

Opened from the build check's fix (publish review) and from a failed deploy's
repair (deploy progress): both offer the same `Remedy`.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from console.services.projects.heal import Remedy
from console.views.projects.highlight import PygmentsHighlighter

logger = logging.getLogger(__name__)


class PatchDialog(QDialog):
    """What a fix changes, file by file, before the user applies it."""

    def __init__(self, remedy: Remedy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Patch: {remedy.rule_title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(820, 560)
        layout = QVBoxLayout(self)
        intro = QLabel(remedy.explanation)
        intro.setWordWrap(True)
        self.view = QPlainTextEdit()
        self.view.setReadOnly(True)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        self._highlighter = PygmentsHighlighter(self.view.document(), dark=dark)
        text = "".join(d.diff for d in remedy.diffs) or "No file changes."
        self._highlighter.set_source(text, "patch.diff")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
