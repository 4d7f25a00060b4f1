"""Keyboard work: every action of the section from its shortcut, listed in the cheat sheet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from console import resources
from console.views.conversations.notify import Notification, TrayNotifier
from console.views.conversations.page import EXTRA_KEYS, SHORTCUTS
from tests.views.conversations.conftest import Console, Platform
from tests.views.conversations.test_takeover import _free_session, _start

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_keyboard_take_over_reply_close_and_cheat_sheet(
    qtbot: QtBot, console_factory: Callable[..., Console], platform: Platform, run_async: Any
) -> None:
    sandbox, _ = platform
    console = console_factory()
    page = console.page
    _start(console, run_async, qtbot)
    view = page.inbox_view

    # Alt+Down moves through the inbox, opening each conversation.
    assert page.thread_stack.currentWidget() is page.thread_empty  # nothing open yet
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    current = page.inbox_model.row_at(view.currentIndex().row())
    assert current is not None
    assert page.open_session_id == current.id
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    below = page.inbox_model.row_at(view.currentIndex().row())
    assert below is not None
    assert page.open_session_id == below.id != current.id

    session_id = _free_session(platform)
    page.open_session(session_id)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_T, CTRL_SHIFT)
    qtbot.waitUntil(lambda: page.label_pill.text() == "You", timeout=5000)
    assert sandbox.conversation(session_id).status == "handed_off"

    # Ready to reply.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.composer, timeout=5000)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is page.composer
    qtbot.keyClicks(page.composer, "Typed without the mouse")
    qtbot.keyClick(page.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: any(m.text == "Typed without the mouse" for m in sandbox.messages(session_id)),
        timeout=5000,
    )

    # Close asks first; cancelling changes nothing.
    qtbot.keyClick(page.composer, Qt.Key.Key_X, CTRL_SHIFT)
    box = page.close_dialog
    assert box is not None
    assert box.isVisible()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert sandbox.conversation(session_id).status == "handed_off"
    qtbot.keyClick(page.composer, Qt.Key.Key_X, CTRL_SHIFT)
    box = page.close_dialog
    assert box is not None
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.label_pill.text() == "Closed", timeout=5000)
    assert sandbox.conversation(session_id).status == "closed"
    assert not page.composer.isEnabled()
    assert console.errors == []

    # Ctrl+/ (the other key of F1) lists every shortcut.
    page.activateWindow()  # back from the confirmation box
    qtbot.waitUntil(page.isActiveWindow, timeout=5000)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    sheet = page.cheat_sheet
    assert sheet is not None
    assert sheet.isVisible()
    listed = sheet.table.text()
    for keys, what in [(k, w) for _, k, w in SHORTCUTS] + list(EXTRA_KEYS):
        assert f"<b>{keys}</b>" in listed
        assert what in listed
    sheet.close()


# Offscreen Qt has no tray: creating the icon warns once, harmlessly.
@pytest.mark.qt_log_ignore("systemTrayWindowChanged")
def test_tray_notifier_click_opens_its_session(qtbot: QtBot) -> None:
    notifier = TrayNotifier(resources.icon("conversations"), sound=True)
    notifier.notify(Notification("ses_1", "A customer needs a human", "Ada: refund?"))
    notifier.notify(Notification("ses_2", "A customer needs a human", "Ben: hello"))
    notifier.set_waiting(2)
    assert notifier.waiting == 2
    with qtbot.waitSignal(notifier.activated) as clicked:
        notifier.tray.messageClicked.emit()
    assert clicked.args == ["ses_2"]  # the balloon on screen is the latest one
