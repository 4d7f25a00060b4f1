"""Composer behaviour: safe sending, the WhatsApp window, canned responses, shortcuts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.services.conversations import MAX_MESSAGE_LENGTH, CannedResponse
from console.services.sync.outbox import pending_count
from console.store.models import Message
from tests.views.conversations.conftest import Console, Platform
from tests.views.conversations.test_takeover import _free_session, _start


def _taken_over(qtbot: QtBot, console: Console, run_async: Any, session_id: str) -> None:
    page = console.page
    page.open_session(session_id)
    qtbot.mouseClick(page.take_over_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.label_pill.text() == "You", timeout=5000)


def test_composer_holds_send_when_customer_wrote_meanwhile(
    qtbot: QtBot, console_factory: Callable[..., Console], platform: Platform, run_async: Any
) -> None:
    sandbox, _ = platform
    conv = sandbox.start_conversation(channel="webchat")
    sandbox.customer_writes(conv.id, "My order never arrived")
    console = console_factory()
    page = console.page
    _start(console, run_async, qtbot)
    _taken_over(qtbot, console, run_async, conv.id)
    qtbot.keyClicks(page.composer, "So sorry, I'll resend it today")
    sandbox.customer_writes(conv.id, "Actually it just arrived!")
    qtbot.waitUntil(
        lambda: page.thread_model.messages()[-1].text == "Actually it just arrived!", timeout=5000
    )
    qtbot.keyClick(page.composer, Qt.Key.Key_Return)
    assert page.held_bar.isVisible()
    assert "Actually it just arrived!" in page.held_label.text()
    assert page.composer.toPlainText() == "So sorry, I'll resend it today"  # kept
    assert not any(m.role == "human" for m in page.thread_model.messages())

    # Edit: the text stays; then the customer's news is acknowledged and sent.
    qtbot.mouseClick(page.edit_held_button, Qt.MouseButton.LeftButton)
    assert not page.held_bar.isVisible()
    page.composer.setPlainText("Great news, enjoy!")
    qtbot.keyClick(page.composer, Qt.Key.Key_Return)
    assert not page.held_bar.isVisible()
    qtbot.waitUntil(
        lambda: (
            [m.text for m in sandbox.messages(conv.id) if m.role == "human"]
            == ["Great news, enjoy!"]
        ),
        timeout=5000,
    )

    # Send anyway.
    qtbot.keyClicks(page.composer, "Anything else?")
    sandbox.customer_writes(conv.id, "Thanks!")
    qtbot.waitUntil(lambda: page.thread_model.messages()[-1].text == "Thanks!", timeout=5000)
    qtbot.keyClick(page.composer, Qt.Key.Key_Return)
    assert page.held_bar.isVisible()
    qtbot.mouseClick(page.send_anyway_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            [m.text for m in sandbox.messages(conv.id) if m.role == "human"][-1] == "Anything else?"
        ),
        timeout=5000,
    )


def test_composer_whatsapp_window_closed_offers_templates(
    qtbot: QtBot, console_factory: Callable[..., Console], platform: Platform, run_async: Any
) -> None:
    sandbox, _ = platform
    conv = sandbox.start_conversation(channel="whatsapp")
    sandbox.customer_writes(conv.id, "Hello?")
    sandbox.set_last_customer_message_at(conv.id, sandbox.clock() - timedelta(hours=25))
    templates = sandbox.templates(conv.id)
    assert templates
    console = console_factory()
    page = console.page
    _start(console, run_async, qtbot)
    _taken_over(qtbot, console, run_async, conv.id)
    assert page.template_bar.isVisible()
    assert "24-hour window closed" in page.window_label.text()
    assert not page.composer.isEnabled()
    assert not page.send_button.isEnabled()
    qtbot.waitUntil(lambda: page.template_combo.count() == len(templates), timeout=5000)
    template = templates[0]
    page.template_combo.setCurrentIndex(0)
    page.template_params_edit.setText(", ".join(f"value{n}" for n in range(template.param_count)))
    qtbot.mouseClick(page.send_template_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: any(m.template_name == template.name for m in sandbox.messages(conv.id)),
        timeout=5000,
    )
    assert console.errors == []


def test_composer_canned_responses_and_shortcuts(
    qtbot: QtBot, console_factory: Callable[..., Console], platform: Platform, run_async: Any
) -> None:
    sandbox, _ = platform
    console = console_factory()
    page = console.page
    _start(console, run_async, qtbot)
    console.service.save_canned_responses(
        sandbox.agency_id, [CannedResponse("Hours", "We're open 9 to 5.")]
    )
    session_id = _free_session(platform, channel="webchat")
    _taken_over(qtbot, console, run_async, session_id)

    page.composer.setFocus()
    qtbot.keyClick(page.composer, Qt.Key.Key_Period, Qt.KeyboardModifier.ControlModifier)
    menu = page.canned_menu
    assert menu is not None
    assert [a.text() for a in menu.actions()] == ["&1  Hours"]
    menu.actions()[0].trigger()
    assert page.composer.toPlainText() == "We're open 9 to 5."

    qtbot.keyClick(page.composer, Qt.Key.Key_F1)
    assert page.cheat_sheet is not None
    assert page.cheat_sheet.isVisible()
    assert "Take over" in page.cheat_sheet.table.text()
    page.cheat_sheet.close()

    page.inbox_view.setFocus()
    row = page.inbox_view.currentIndex().row()
    qtbot.keyClick(page.inbox_view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert page.inbox_view.currentIndex().row() == row + 1
    assert page.open_session_id != session_id
    # The draft stays with its session.
    qtbot.keyClick(page.inbox_view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert page.open_session_id == session_id
    assert page.composer.toPlainText() == "We're open 9 to 5."

    qtbot.keyClick(page.inbox_view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is page.composer
    qtbot.keyClick(
        page.composer,
        Qt.Key.Key_H,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert page.hand_back_dialog is not None
    assert page.hand_back_dialog.isVisible()
    page.hand_back_dialog.reject()
    # Canned responses live in the store, per agency.
    with console.store.read() as session:
        assert session.query(Message).count() > 0
    assert console.service.canned_responses(sandbox.agency_id) == [
        CannedResponse("Hours", "We're open 9 to 5.")
    ]


def test_composer_bad_input_keeps_the_text(
    qtbot: QtBot, console_factory: Callable[..., Console], platform: Platform, run_async: Any
) -> None:
    sandbox, _ = platform
    console = console_factory()
    page = console.page
    _start(console, run_async, qtbot)
    session_id = _free_session(platform, channel="webchat")
    _taken_over(qtbot, console, run_async, session_id)
    before = len(page.thread_model.messages())

    qtbot.keyClicks(page.composer, "   ")
    qtbot.keyClick(page.composer, Qt.Key.Key_Return)  # blank: nothing happens
    assert len(page.thread_model.messages()) == before
    assert console.errors == []

    too_long = "x" * (MAX_MESSAGE_LENGTH + 1)
    page.composer.setPlainText(too_long)
    qtbot.keyClick(page.composer, Qt.Key.Key_Return)
    assert len(console.errors) == 1
    assert f"the limit is {MAX_MESSAGE_LENGTH}" in console.errors[0].user_text()
    assert page.composer.toPlainText() == too_long  # nothing lost: shorten and resend
    assert len(page.thread_model.messages()) == before
    assert pending_count(console.store) == 0
    assert not any(m.role == "human" for m in sandbox.messages(session_id))
