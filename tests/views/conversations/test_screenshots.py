"""Pictures of the inbox and a taken-over thread with sandbox data.

Saved to `$L4_SCREENSHOT_DIR` when set (to look at them), else to tmp_path.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console import resources
from console.views.conversations.page import ConversationsPage
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

        # Safe sending: the customer wrote while the reply was being typed.
        page.composer.clear()
        qtbot.keyClicks(page.composer, "Your new slot is Friday at 10:00.")
        sandbox.customer_writes(
            session_id, "Actually, could it be 11 instead?", agent_replies=False
        )
        qtbot.waitUntil(
            lambda: page.thread_model.messages()[-1].text.startswith("Actually"), timeout=5000
        )
        page.send()
        assert page.held_bar.isVisible()
        qtbot.wait(100)
        assert page.grab().save(str(out / "thread_held.png"))

        # WhatsApp after the 24-hour window: templates only.
        whatsapp = sandbox.start_conversation(channel="whatsapp")
        sandbox.customer_writes(whatsapp.id, "Is my order ready?", agent_replies=True)
        sandbox.set_last_customer_message_at(whatsapp.id, sandbox.clock() - timedelta(hours=30))
        qtbot.waitUntil(lambda: page.inbox_model.row_of(whatsapp.id) >= 0, timeout=5000)
        page.open_session(whatsapp.id)
        run_async(console.service.take_over(whatsapp.id))
        qtbot.waitUntil(lambda: page.template_combo.count() > 0, timeout=5000)
        qtbot.waitUntil(lambda: _inbox_row(page, whatsapp.id) == ("you", 0), timeout=5000)
        assert page.grab().save(str(out / "whatsapp_window.png"))
        page.thread_stack.setCurrentWidget(page.thread_empty)
        page.inbox_view.clearSelection()
        assert page.grab().save(str(out / "inbox.png"))
    finally:
        app.setStyleSheet(previous)
    assert (out / "thread.png").stat().st_size > 10_000


def _inbox_row(page: ConversationsPage, session_id: str) -> tuple[str, int] | None:
    row = page.inbox_model.row_at(page.inbox_model.row_of(session_id))
    return (row.label, row.unread) if row is not None else None
