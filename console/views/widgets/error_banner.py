"""An inline banner for a failed operation: what failed, why, what to do."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class ErrorBanner(QFrame):
    """Hidden until `show_message`; offers Retry and Settings when they apply.

    Signals:
        retry_requested(): the user pressed Retry.
        settings_requested(): the user pressed Open settings.
    """

    retry_requested = Signal()
    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ErrorBanner")
        self._setup_ui()
        self._connect_signals()
        self.hide()

    def show_message(
        self, text: str, action: str, *, can_retry: bool = False, offer_settings: bool = False
    ) -> None:
        self.message_label.setText(text)
        self.action_label.setText(action)
        self.retry_button.setVisible(can_retry)
        self.settings_button.setVisible(offer_settings)
        self.show()

    def _setup_ui(self) -> None:
        layout = QHBoxLayout(self)
        texts = QVBoxLayout()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setObjectName("ErrorTitle")
        self.action_label = QLabel()
        self.action_label.setWordWrap(True)
        texts.addWidget(self.message_label)
        texts.addWidget(self.action_label)
        layout.addLayout(texts, 1)
        self.retry_button = QPushButton("Retry")
        self.settings_button = QPushButton("Open settings")
        self.dismiss_button = QPushButton("Dismiss")
        for button in (self.retry_button, self.settings_button, self.dismiss_button):
            layout.addWidget(button)

    def _connect_signals(self) -> None:
        self.retry_button.clicked.connect(self._on_retry_clicked)
        self.settings_button.clicked.connect(self.settings_requested)
        self.dismiss_button.clicked.connect(self.hide)

    @Slot()
    def _on_retry_clicked(self) -> None:
        self.hide()
        self.retry_requested.emit()
