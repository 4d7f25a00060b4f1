"""Pictures of the inbox and a taken-over thread with sandbox data.

Saved to `$L4_SCREENSHOT_DIR` when set (to look at them), else to tmp_path.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console import resources
from tests.views.conversations.conftest import Console, Platform
from tests.views.conversations.test_takeover import _free_session, _start


def test_screenshots_inbox_and_thread(
    qtbot: QtBot,
    console_factory: Callable[..., Console],
    platform: Platform,
    run_async: Any,
    tmp_path: Path,
) -> None:
    sandbox, _ = platform
    out = Path(os.environ.get("L4_SCREENSHOT_DIR") or tmp_path)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    previous = app.styleSheet()
    app.setStyleSheet(resources.stylesheet(False))
    try:
        console = console_factory()
        page = console.page
        page.resize(1280, 800)
        _start(console, run_async, qtbot)
        session_id = _free_session(platform)
        for _ in range(3):
            sandbox.tick()
        page.open_session(session_id)
        run_async(console.service.take_over(session_id))
        qtbot.waitUntil(lambda: page.label_pill.text() == "You", timeout=5000)
        sandbox.customer_writes(session_id, "Can I still change my booking to Friday?")
        qtbot.waitUntil(lambda: page.thread_model.messages()[-1].role == "customer", timeout=5000)
        page.composer.setPlainText("Hi, Sam here! Yes, Friday works. Moving it now.")
        page.send()
        qtbot.waitUntil(lambda: page.thread_model.messages()[-1].delivery == "sent", timeout=5000)
        page.composer.setPlainText("Anything else I can help with?")
        qtbot.wait(300)
        assert page.grab().save(str(out / "thread.png"))
        page.thread_stack.setCurrentWidget(page.thread_empty)
        page.inbox_view.clearSelection()
        assert page.grab().save(str(out / "inbox.png"))
    finally:
        app.setStyleSheet(previous)
    assert (out / "thread.png").stat().st_size > 10_000
