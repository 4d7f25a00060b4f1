"""Settings: the four accounts (platform, GitHub, Vercel, Stripe).

URLs, owners and teams are saved in the store; tokens go to the OS keyring
through the secrets service and are never shown again once saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from console.errors import ConsoleError
from console.services.secrets import Account, SecretsService
from console.services.settings import AccountSettings, SettingsService
from console.views.tasks import TaskRunner

logger = logging.getLogger(__name__)

#: Checks one account with the given settings and token; returns what it saw
#: ("Signed in as ...") or raises a ConsoleError.
ConnectionTester = Callable[[Account, AccountSettings, str], Coroutine[Any, Any, str]]


@dataclass(frozen=True)
class _AccountForm:
    account: Account
    title: str
    fields: tuple[tuple[str, str], ...]  # (AccountSettings field, label)
    token_label: str


_FORMS = (
    _AccountForm(Account.PLATFORM, "l4yercak3 platform", (("platform_url", "URL"),), "API key"),
    _AccountForm(
        Account.GITHUB,
        "GitHub",
        (("github_url", "API URL"), ("github_owner", "Default owner or org")),
        "Token",
    ),
    _AccountForm(
        Account.VERCEL, "Vercel", (("vercel_url", "API URL"), ("vercel_team", "Team")), "Token"
    ),
    _AccountForm(Account.STRIPE, "Stripe", (("stripe_url", "API URL"),), "Secret key"),
)


class SettingsPage(QWidget):
    """Accounts form with save and per-account connection tests.

    Signals:
        saved(): settings and secrets were written.
    """

    saved = Signal()

    def __init__(
        self,
        settings: SettingsService,
        secrets: SecretsService,
        tasks: TaskRunner,
        tester: ConnectionTester,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._secrets = secrets
        self._tasks = tasks
        self._tester = tester
        self.url_edits: dict[str, QLineEdit] = {}
        self.token_edits: dict[Account, QLineEdit] = {}
        self.test_buttons: dict[Account, QPushButton] = {}
        self.result_labels: dict[Account, QLabel] = {}
        self._setup_ui()
        self._connect_signals()
        self.load()

    # --- public API -------------------------------------------------------
    def load(self) -> None:
        accounts = self._settings.accounts()
        for name, edit in self.url_edits.items():
            edit.setText(getattr(accounts, name))
        for account, edit in self.token_edits.items():
            edit.clear()
            has_secret = self._secrets.get(account) is not None
            edit.setPlaceholderText(
                "Saved in the OS keyring; type to replace" if has_secret else "Not set"
            )
        self.mode_label.setText(
            "No platform account: the console runs against the local sandbox."
            if not self._secrets.get(Account.PLATFORM) or not accounts.platform_url
            else "Using the platform account below."
        )

    def add_section(self, widget: QWidget) -> None:
        """Append a panel below the accounts (e.g. Diagnostics)."""
        self._body.insertWidget(self._body.count() - 1, widget)

    def collect(self) -> AccountSettings:
        values = {name: edit.text().strip() for name, edit in self.url_edits.items()}
        return replace(self._settings.accounts(), **values)

    def save(self) -> None:
        """Write settings to the store and typed tokens to the keyring."""
        try:
            for account, edit in self.token_edits.items():
                if edit.text().strip():
                    self._secrets.set(account, edit.text())
        except ConsoleError as error:
            self.status_label.setText(error.user_text())
            self.status_label.setObjectName("ResultError")
            self._restyle(self.status_label)
            raise
        self._settings.save_accounts(self.collect(), initiator=self)
        self.status_label.setText("Saved.")
        self.status_label.setObjectName("ResultOk")
        self._restyle(self.status_label)
        self.load()
        self.saved.emit()

    # --- slots ------------------------------------------------------------
    @Slot()
    def _on_save_clicked(self) -> None:
        try:
            self.save()
        except ConsoleError as error:
            logger.info("settings not saved: %s", type(error).__name__)

    @Slot()
    def _on_test_clicked(self) -> None:
        account = next(a for a, b in self.test_buttons.items() if b is self.sender())
        button = self.test_buttons[account]
        token = self.token_edits[account].text().strip() or self._secrets.get(account) or ""
        label = self.result_labels[account]
        label.setObjectName("")
        label.setText("Testing…")
        self._restyle(label)

        def succeeded(text: str) -> None:
            label.setObjectName("ResultOk")
            label.setText(f"✓ {text}")
            self._restyle(label)

        def failed(error: ConsoleError) -> None:
            label.setObjectName("ResultError")
            label.setText(f"✗ {error.user_text()} {error.user_action()}")
            self._restyle(label)

        self._tasks.start(
            self,
            self._tester(account, self.collect(), token),
            key=f"test-{account.value}",
            busy=[button],
            on_success=succeeded,
            on_error=failed,
        )

    # --- helpers ----------------------------------------------------------
    def _setup_ui(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Settings")
        title.setObjectName("PageTitle")
        outer.addWidget(title)
        self.mode_label = QLabel()
        self.mode_label.setObjectName("EmptyText")
        outer.addWidget(self.mode_label)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        column = QVBoxLayout(body)
        self._body = column
        for spec in _FORMS:
            box = QGroupBox(spec.title)
            form = QFormLayout(box)
            for name, label in spec.fields:
                edit = QLineEdit()
                edit.setObjectName(f"edit_{name}")
                self.url_edits[name] = edit
                form.addRow(label, edit)
            token = QLineEdit()
            token.setEchoMode(QLineEdit.EchoMode.Password)
            token.setObjectName(f"token_{spec.account.value}")
            self.token_edits[spec.account] = token
            form.addRow(spec.token_label, token)
            row = QHBoxLayout()
            button = QPushButton("Test connection")
            self.test_buttons[spec.account] = button
            result = QLabel()
            result.setWordWrap(True)
            self.result_labels[spec.account] = result
            row.addWidget(button)
            row.addWidget(result, 1)
            form.addRow(row)
            column.addWidget(box)
        column.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        footer = QHBoxLayout()
        self.status_label = QLabel()
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        footer.addWidget(self.status_label, 1)
        footer.addWidget(self.save_button)
        outer.addLayout(footer)

    def _connect_signals(self) -> None:
        self.save_button.clicked.connect(self._on_save_clicked)
        for button in self.test_buttons.values():
            button.clicked.connect(self._on_test_clicked)

    @staticmethod
    def _restyle(widget: QWidget) -> None:
        # Object-name selectors apply only after a re-polish.
        widget.style().unpolish(widget)
        widget.style().polish(widget)
