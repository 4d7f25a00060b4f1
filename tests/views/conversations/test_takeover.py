"""Taking over a live conversation, as a user does it, against the served sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from console.errors import ConsoleError
from console.sandbox.faults import FaultRule
from console.sandbox.platform import TrafficConfig
from console.services.conversations import ConversationTaken
from console.views.conversations.page import ConversationsPage
from tests.views.conversations.conftest import Console, Platform, make_client


@pytest.fixture
def traffic() -> TrafficConfig:
    """Customers write in and the agent answers all the time while these tests run."""
    return TrafficConfig(
        rate_per_second=8.0,
        new_conversation_probability=0.0,
        handoff_probability=0.0,
        close_probability=0.0,
    )


def _free_session(platform: Platform, channel: str | None = None) -> str:
    sandbox, _ = platform
    for conv in sandbox.conversations(status="active", channel=channel):
        if conv.handled_by is None and not conv.handoff_requested:
            return conv.id
    raise AssertionError("the seed has no free active conversation")


def _start(console: Console, run_async: Callable[..., Any], qtbot: QtBot) -> None:
    run_async(console.engine.initial_sync())
    console.engine.start()
    qtbot.waitUntil(lambda: console.page.inbox_model.rowCount() > 0, timeout=5000)


def _thread_texts(console: Console) -> list[str]:
    return [m.text for m in console.page.thread_model.messages()]


def _send_through_holds(
    qtbot: QtBot, platform: Platform, page: ConversationsPage, session_id: str, reply: str
) -> None:
    """Wait for `reply` to reach the platform, sending it anyway while the platform holds it.

    With live traffic the customer may write just before the reply leaves,
    before this console has synced it: the platform holds the reply (the
    customer wrote meanwhile) until the user has seen that and sends anyway.
    """
    sandbox, _ = platform

    def on_platform() -> int:
        return sum(1 for m in sandbox.messages(session_id) if m.text == reply)

    for _ in range(5):
        qtbot.waitUntil(lambda: on_platform() > 0 or page.held_bar.isVisible(), timeout=5000)
        if on_platform():
            assert on_platform() == 1  # once, however often it was held
            return
        assert "The customer wrote meanwhile." in page.held_label.text()
        qtbot.mouseClick(page.send_anyway_button, Qt.MouseButton.LeftButton)
    raise AssertionError("the reply stayed held")


# Polling: with the event stream, tearing the engine down sometimes leaves an
# httpcore close coroutine to the garbage collector (reported to the sync
# engine's owner); bench.conversation_latency drives the stream end to end.
def test_takeover_reply_hand_back_close(
    qtbot: QtBot, console_factory: Callable[..., Console], platform: Platform, run_async: Any
) -> None:
    sandbox, _ = platform
    console = console_factory()
    page = console.page
    _start(console, run_async, qtbot)
    session_id = _free_session(platform)
    page.open_session(session_id)
    assert page.open_session_id == session_id
    assert page.label_pill.text() == "AI"
    assert not page.composer.isEnabled()

    qtbot.mouseClick(page.take_over_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.label_pill.text() == "You", timeout=5000)
    conv = sandbox.conversation(session_id)
    assert conv.status == "handed_off"
    assert conv.handled_by is not None
    assert conv.handled_by.name == "Sam Operator"

    # Reply: Enter sends, Shift+Enter is a new line.
    page.composer.setFocus()
    qtbot.keyClicks(page.composer, "Hi, Sam here.")
    qtbot.keyClick(page.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(page.composer, "I'll sort this out.")
    qtbot.keyClick(page.composer, Qt.Key.Key_Return)
    reply = "Hi, Sam here.\nI'll sort this out."
    if page.held_bar.isVisible():
        # Live traffic: the customer wrote while we typed; the send waits for us.
        assert "arrived while you were typing" in page.held_label.text()
        qtbot.mouseClick(page.send_anyway_button, Qt.MouseButton.LeftButton)
    assert page.composer.toPlainText() == ""
    assert page.thread_model.messages()[-1].text == reply  # shown at once
    _send_through_holds(qtbot, platform, page, session_id, reply)
    qtbot.waitUntil(lambda: page.thread_model.messages()[-1].delivery == "sent", timeout=5000)

    # The agent stays silent while the customer writes in (the platform mutes it),
    # with live traffic running everywhere else.
    taken_at = len(sandbox.messages(session_id))
    for _ in range(4):
        turn = sandbox.tick(session_id).turn
        assert turn.agent_message is None
    qtbot.wait(500)  # live traffic goes on meanwhile
    after = sandbox.messages(session_id)[taken_at:]
    assert len(after) >= 4
    assert {m.role for m in after} <= {"customer", "human"}
    qtbot.waitUntil(lambda: after[-1].text in _thread_texts(console), timeout=5000)

    # Hand back with a reason: the agent answers again.
    qtbot.mouseClick(page.hand_back_button, Qt.MouseButton.LeftButton)
    dialog = page.hand_back_dialog
    assert dialog is not None
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.reason_edit, "refund issued")
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: page.label_pill.text() == "AI", timeout=5000)
    assert sandbox.conversation(session_id).status == "active"
    assert any(
        m.role == "system" and m.text.endswith(": refund issued")
        for m in sandbox.messages(session_id)
    )
    turn = sandbox.tick(session_id).turn
    assert turn.agent_message is not None
    answer = turn.agent_message.text
    qtbot.waitUntil(lambda: answer in _thread_texts(console), timeout=5000)

    # Close, after confirming.
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    box = page.close_dialog
    assert box is not None
    assert box.isVisible()
    assert sandbox.conversation(session_id).status == "active"  # nothing before confirming
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.label_pill.text() == "Closed", timeout=5000)
    assert sandbox.conversation(session_id).status == "closed"
    assert not page.close_button.isEnabled()
    assert console.errors == []


def test_takeover_conflict_names_the_colleague(
    qtbot: QtBot, console_factory: Callable[..., Console], platform: Platform, run_async: Any
) -> None:
    sandbox, served = platform
    console = console_factory()
    page = console.page
    _start(console, run_async, qtbot)
    session_id = _free_session(platform)
    page.open_session(session_id)
    colleague = make_client(served.url, sandbox.colleague_api_key)
    run_async(colleague.take_over(session_id))
    run_async(colleague.aclose())
    # Click before the event arrives: the platform answers 409.
    page.take_over_button.setEnabled(True)
    page.take_over()
    qtbot.waitUntil(lambda: bool(console.errors), timeout=5000)
    assert isinstance(console.errors[0], ConversationTaken)
    assert page.notice_label.text() == "Alex Colleague is already handling this conversation."
    qtbot.waitUntil(lambda: page.label_pill.text() == "Alex Colleague", timeout=5000)
    assert not page.take_over_button.isEnabled()
    assert not page.composer.isEnabled()
    assert "Alex Colleague is handling" in page.composer.placeholderText()
    assert sandbox.conversation(session_id).handled_by is not None


def test_takeover_offline_says_so_and_changes_nothing(
    qtbot: QtBot, console_factory: Callable[..., Console], platform: Platform, run_async: Any
) -> None:
    sandbox, _ = platform
    console = console_factory()
    page = console.page
    _start(console, run_async, qtbot)
    session_id = _free_session(platform)
    page.open_session(session_id)
    outage = sandbox.faults.add(
        FaultRule(kind="status", status=503, method="PATCH", path="/conversations/", times=None)
    )
    qtbot.mouseClick(page.take_over_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(console.errors), timeout=10000)
    assert outage.hits > 0
    error = console.errors[0]
    assert isinstance(error, ConsoleError)
    assert error.user_text()
    assert sandbox.conversation(session_id).status == "active"
    assert page.label_pill.text() == "AI"
    assert page.take_over_button.isEnabled()  # try again once the platform is back
    assert not page.composer.isEnabled()

    sandbox.faults.clear()
    qtbot.mouseClick(page.take_over_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.label_pill.text() == "You", timeout=5000)
    assert sandbox.conversation(session_id).status == "handed_off"
