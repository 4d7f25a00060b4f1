"""Screenshots of the Credits and Clients sections with real sandbox data.

Saved under `$L4_SCREENSHOT_DIR` when set (e.g. /tmp), else the test's tmp dir.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from console import resources
from console.services.clients import ClientsService
from console.services.credits import CreditsService
from console.views.bridge import StoreBridge
from console.views.clients.page import ClientsPage
from console.views.credits.banner import LowCreditBanner, LowCreditController
from console.views.credits.page import CreditsPage
from console.views.messages import MessageBridge
from console.views.tasks import TaskRunner
from tests.views.credits.support import close_clients, initial_sync, remotes

RunAsync = Callable[..., Any]


@pytest.fixture
def styled(qapp: QApplication) -> Iterator[None]:
    previous = qapp.styleSheet()
    qapp.setStyleSheet(resources.stylesheet(False))
    yield
    qapp.setStyleSheet(previous)


def _out(tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("L4_SCREENSHOT_DIR") or tmp_path)
    return folder / name


def test_credits_and_clients_screenshots(
    tmp_path: Path, qtbot: QtBot, run_async: RunAsync, styled: None
) -> None:
    with remotes(tmp_path, conversations=300) as r:
        run_async(initial_sync(r))
        bridge = StoreBridge(r.store)
        messages = MessageBridge()
        tasks = TaskRunner(messages)
        credits = CreditsService(r.store, r.client, r.billing)
        controller = LowCreditController(bridge, credits.state)
        page = CreditsPage(credits, bridge, tasks, messages, controller, open_url=lambda _u: True)
        run_async(credits.refresh())
        page.load_catalog()
        qtbot.waitUntil(lambda: page.pack_button(500) is not None, timeout=10000)
        page.reload()
        # As the main window shows it: the banner slot above the page.
        frame = QWidget()
        column = QVBoxLayout(frame)
        banner = LowCreditBanner()
        controller.attach(banner)
        column.addWidget(banner)
        column.addWidget(page, 1)
        qtbot.addWidget(frame)
        frame.resize(1280, 1060)
        frame.show()
        qtbot.waitExposed(frame)
        qtbot.waitUntil(page.refresh_button.isEnabled, timeout=10000)
        assert sum(d.total for d in page.chart.days) > 0
        credits_png = _out(tmp_path, "credits.png")
        assert frame.grab().save(str(credits_png))

        r.platform.set_balance(daily=0, monthly=0, purchased=0)
        run_async(credits.refresh())
        qtbot.waitUntil(lambda: not page.wall.isHidden(), timeout=5000)
        qtbot.waitUntil(lambda: not banner.isHidden(), timeout=5000)
        assert frame.grab().save(str(_out(tmp_path, "credits-wall.png")))

        clients = ClientsService(r.store, r.client)
        clients_page = ClientsPage(clients, bridge, tasks, messages)
        qtbot.addWidget(clients_page)
        clients_page.resize(1280, 760)
        clients_page.show()
        clients_page.select_client(clients.summaries()[0].id)
        qtbot.waitExposed(clients_page)
        clients_png = _out(tmp_path, "clients.png")
        assert clients_page.grab().save(str(clients_png))
        clients_page.attention_button.setChecked(True)
        assert clients_page.grab().save(str(_out(tmp_path, "clients-attention.png")))
        assert credits_png.stat().st_size > 10_000
        tasks.cancel_all()
        bridge.detach()
        run_async(close_clients(r))
