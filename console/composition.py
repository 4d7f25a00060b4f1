"""Composition root: build the store, services and pages, and run until quit.

Only this module knows the concrete classes; everything else gets what it
needs through its constructor. Imported by `console.app` after the window
shell has painted.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from console import resources
from console.app import is_dark
from console.config import LaunchOptions
from console.errors import ConsoleError
from console.services.secrets import Account, SecretsService
from console.services.settings import AccountSettings, SettingsService
from console.store.db import Store
from console.views.bridge import StoreBridge
from console.views.main_window import MainWindow, Section
from console.views.messages import MessageBridge
from console.views.settings.page import SettingsPage
from console.views.tasks import TaskRunner
from console.views.widgets.empty_state import EmptyState

logger = logging.getLogger(__name__)

PLANNED: dict[Section, str] = {
    Section.PROJECTS: "Your client projects will be listed here once they are synced.",
    Section.CLIENTS: "Client sub-organizations will be listed here once they are synced.",
    Section.CONVERSATIONS: "Live agent conversations will appear here.",
    Section.DEPLOYMENTS: "Deployments of your published projects will appear here.",
    Section.CREDITS: "Your credit balance and usage will appear here.",
}


class Console:
    """Everything one running console owns, built in dependency order."""

    def __init__(
        self,
        app: QApplication,
        window: MainWindow,
        messages: MessageBridge,
        options: LaunchOptions,
    ) -> None:
        self.app = app
        self.window = window
        self.messages = messages
        self.options = options
        self.paths = options.paths.ensure()
        self.store = Store(self.paths.database)
        self.secrets = SecretsService()
        self.settings = SettingsService(self.store)
        self.store_bridge = StoreBridge(self.store)
        self.tasks = TaskRunner(self.messages)
        self.dark = is_dark(app)
        self.sandbox = options.force_sandbox or not self._platform_configured()
        for section, page in self._build_pages().items():
            window.set_page(section, page)
        app.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)
        if self.sandbox:
            window.set_account("Sandbox", sandbox=True)
        else:
            window.set_account(f"Platform: {self.settings.accounts().platform_url}", sandbox=False)

    def _platform_configured(self) -> bool:
        return bool(self.settings.accounts().platform_url and self.secrets.get(Account.PLATFORM))

    def _build_pages(self) -> dict[Section, QWidget]:
        pages: dict[Section, QWidget] = {
            section: EmptyState(
                section.title, PLANNED[section], resources.icon(section.icon_name, self.dark)
            )
            for section in PLANNED
        }
        pages[Section.SETTINGS] = SettingsPage(
            self.settings, self.secrets, self.tasks, self.test_connection
        )
        return pages

    async def test_connection(self, account: Account, accounts: AccountSettings, token: str) -> str:
        raise ConsoleError(f"Testing the {account.value} connection is not available yet.")

    def _on_color_scheme_changed(self) -> None:
        self.dark = is_dark(self.app)
        self.app.setStyleSheet(resources.stylesheet(self.dark))

    async def shutdown(self) -> None:
        self.tasks.cancel_all()
        self.store_bridge.detach()
        self.store.close()


async def run_console(
    app: QApplication, window: MainWindow, messages: MessageBridge, options: LaunchOptions
) -> int:
    """Build the console behind the shown window and run until the window closes."""
    quit_event = asyncio.Event()
    app.aboutToQuit.connect(quit_event.set)
    app.lastWindowClosed.connect(quit_event.set)
    try:
        console = Console(app, window, messages, options)
    except ConsoleError as error:
        logger.error("console could not start: %s", error.user_text())
        sys.stderr.write(f"{error.user_text()}\n{error.user_action()}\n")
        return 1
    try:
        if options.screenshot is not None:
            await save_screenshot(window, options.screenshot)
            return 0
        await quit_event.wait()
        return 0
    finally:
        await console.shutdown()


async def save_screenshot(window: QWidget, path: Path) -> None:
    # Let the window lay out and paint once more before grabbing it.
    painted = asyncio.get_running_loop().create_future()
    QTimer.singleShot(50, lambda: painted.set_result(None))
    await painted
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        raise ConsoleError(f"Could not write the screenshot to {path}")
    logger.info("screenshot saved to %s", path)
