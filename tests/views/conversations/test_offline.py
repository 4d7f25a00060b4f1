"""Offline: 50 replies in 5 sessions, the console process SIGKILLed, restarted, online.

Each message reaches the platform exactly once, in order; failed ones can be
edited and resent.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.sandbox.faults import FaultRule
from console.services.sync.outbox import pending_count
from console.store.models import Message
from tests.views.conversations.conftest import Console, Platform, make_client
from tests.views.conversations.offline_console import REPLIES_PER_SESSION, reply_text
from tests.views.conversations.test_takeover import _start

ROOT = Path(__file__).resolve().parents[3]


def _read_line(process: subprocess.Popen[str], prefix: str, timeout: float = 30.0) -> str:
    """The child's next stdout line starting with `prefix` (fails on exit or timeout)."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=deadline - time.monotonic()):
                line = process.stdout.readline()
                if not line:
                    break
                if line.startswith(prefix):
                    return line.strip()
    process.kill()
    _, errors = process.communicate()
    raise AssertionError(f"the console process never printed {prefix!r}: {errors[-3000:]}")


@pytest.mark.subprocess
def test_offline_replies_delivered_once_in_order_after_kill(
    qtbot: QtBot,
    console_factory: Callable[..., Console],
    platform: Platform,
    run_async: Any,
    tmp_path: Path,
) -> None:
    sandbox, served = platform
    db = tmp_path / "console.sqlite3"
    sessions = []
    for channel in ("webchat", "sms", "webchat", "sms", "webchat"):
        conv = sandbox.start_conversation(channel=channel)
        sandbox.customer_writes(conv.id, "Hello, is anyone there?")
        sessions.append(conv.id)
    staff = make_client(served.url, sandbox.api_key)
    for session_id in sessions:
        run_async(staff.take_over(session_id))
    run_async(staff.aclose())

    # The console runs in its own process: synced, then the platform goes
    # away, the user types 50 replies, and the process is SIGKILLed.
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.views.conversations.offline_console",
            str(db),
            served.url,
            sandbox.api_key,
            sandbox.staff_id,
            *sessions,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _read_line(worker, "synced")
        outage = sandbox.faults.add(FaultRule(kind="status", status=503, times=None))
        queued = _read_line(worker, "queued ")
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        assert worker.stdout is not None
        assert worker.stderr is not None
        worker.stdout.close()
        worker.stderr.close()
    total = len(sessions) * REPLIES_PER_SESSION
    assert queued == f"queued {total}"  # each shown at once as pending
    assert outage.hits > 0  # it did try, and failed, while offline
    assert all(
        not any(m.text.startswith("offline reply") for m in sandbox.messages(s)) for s in sessions
    )

    # Restart on the same store: the replies are still there, pending.
    console = console_factory(db)
    assert pending_count(console.store) == total
    page = console.page
    page.open_session(sessions[0])
    shown = [m for m in page.thread_model.messages() if m.role == "human"]
    assert [m.text for m in shown] == [reply_text(0, n) for n in range(REPLIES_PER_SESSION)]
    assert {m.delivery for m in shown} == {"pending"}

    # Back online.
    sandbox.faults.clear()
    console.engine.start()
    qtbot.waitUntil(lambda: pending_count(console.store) == 0, timeout=20000)
    qtbot.waitUntil(
        lambda: {m.delivery for m in page.thread_model.messages() if m.role == "human"} == {"sent"},
        timeout=5000,
    )
    for index, session_id in enumerate(sessions):
        on_platform = [m.text for m in sandbox.messages(session_id) if m.role == "human"]
        assert on_platform == [reply_text(index, n) for n in range(REPLIES_PER_SESSION)]
    with console.store.read() as session:
        mine = session.scalars(select(Message).where(Message.text.like("offline reply%"))).all()
    assert len(mine) == total  # each shown once
    assert {m.delivery for m in mine} == {"sent"}


def test_offline_failed_message_edit_and_resend(
    qtbot: QtBot, console_factory: Callable[..., Console], platform: Platform, run_async: Any
) -> None:
    sandbox, served = platform
    session_id = next(
        c.id
        for c in sandbox.conversations(status="active")
        if c.handled_by is None and c.channel != "whatsapp"
    )
    staff = make_client(served.url, sandbox.api_key)
    run_async(staff.take_over(session_id))
    run_async(staff.aclose())
    console = console_factory()
    page = console.page
    _start(console, run_async, qtbot)
    page.open_session(session_id)
    rejected = sandbox.faults.add(
        FaultRule(kind="status", status=422, method="POST", path="/messages$", times=1)
    )
    qtbot.keyClicks(page.composer, "Your refund is on its way")
    qtbot.keyClick(page.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.thread_model.messages()[-1].delivery == "failed", timeout=5000)
    assert rejected.hits == 1
    failed = page.thread_model.messages()[-1]
    assert failed.error
    page.thread_view.setCurrentIndex(page.thread_model.index(page.thread_model.rowCount() - 1))
    assert page.failed_bar.isVisible()
    qtbot.mouseClick(page.edit_resend_button, Qt.MouseButton.LeftButton)
    assert page.composer.toPlainText() == "Your refund is on its way"
    qtbot.keyClicks(page.composer, " (3-5 days).")
    qtbot.keyClick(page.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.thread_model.messages()[-1].delivery == "sent", timeout=5000)
    texts = [m.text for m in sandbox.messages(session_id) if m.role == "human"]
    assert texts == ["Your refund is on its way (3-5 days)."]
    assert [m.text for m in page.thread_model.messages() if m.role == "human"] == texts
