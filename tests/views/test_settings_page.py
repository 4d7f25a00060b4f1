"""Settings as a user edits them; secrets land only in the keyring."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console import log
from console.errors import AuthError
from console.services.secrets import SERVICE, Account, SecretsService
from console.services.settings import AccountSettings, SettingsService
from console.store.db import Store
from console.views.messages import MessageBridge
from console.views.settings.page import SettingsPage
from console.views.tasks import TaskRunner
from tests.conftest import MemoryKeyring

TOKEN = "ghp_SandboxSecretToken0123456789abcdef"


async def _tester(account: Account, accounts: AccountSettings, token: str) -> str:
    if token != TOKEN:
        raise AuthError("Bad credentials", remote=account.value, status=401)
    return f"Signed in as sandbox-agency on {accounts.github_url}"


def _page(qtbot: QtBot, store: Store) -> SettingsPage:
    page = SettingsPage(
        SettingsService(store), SecretsService(), TaskRunner(MessageBridge()), _tester
    )
    qtbot.addWidget(page)
    return page


def test_settings_page_saves_and_reloads(qtbot: QtBot, tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    page = _page(qtbot, store)
    page.url_edits["github_owner"].clear()
    qtbot.keyClicks(page.url_edits["github_owner"], "northwind-digital")
    page.url_edits["platform_url"].clear()
    qtbot.keyClicks(page.url_edits["platform_url"], "http://127.0.0.1:9/api/v1")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.status_label.text() == "Saved."

    reloaded = _page(qtbot, store)
    assert reloaded.url_edits["github_owner"].text() == "northwind-digital"
    assert reloaded.url_edits["platform_url"].text() == "http://127.0.0.1:9/api/v1"


def test_settings_secret_only_in_keyring(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    log_file = tmp_path / "logs" / "console.log"
    log.setup(log_file, to_stderr=False)
    try:
        store = Store(tmp_path / "db.sqlite3")
        page = _page(qtbot, store)
        qtbot.keyClicks(page.token_edits[Account.GITHUB], TOKEN)
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        # Something that logs the token by mistake still must not write it.
        logging.getLogger("console.test").info("token was %s", TOKEN)
        store.close()
    finally:
        log.shutdown()

    assert memory_keyring.entries[(SERVICE, "github")] == TOKEN
    assert page.token_edits[Account.GITHUB].text() == ""  # never shown again
    secret = TOKEN.encode()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), f"token found in {path}"
    assert b"[redacted]" in log_file.read_bytes()


def test_settings_test_connection_shows_result(qtbot: QtBot, qloop: object, tmp_path: Path) -> None:
    page = _page(qtbot, Store(tmp_path / "db.sqlite3"))
    qtbot.mouseClick(page.test_buttons[Account.GITHUB], Qt.MouseButton.LeftButton)
    label = page.result_labels[Account.GITHUB]
    qtbot.waitUntil(lambda: label.text().startswith("✗"))
    assert "Bad credentials" in label.text()
    assert "Settings" in label.text()  # says what to do

    qtbot.keyClicks(page.token_edits[Account.GITHUB], TOKEN)
    qtbot.mouseClick(page.test_buttons[Account.GITHUB], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: label.text().startswith("✓"))
    assert "sandbox-agency" in label.text()


def test_settings_without_keyring_says_so(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring, caplog: object
) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    page = _page(qtbot, Store(tmp_path / "db.sqlite3"))
    qtbot.keyClicks(page.token_edits[Account.VERCEL], "vercel_token_value_123")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "no usable OS keyring" in page.status_label.text()
    assert page.url_edits["platform_url"].text() == ""
