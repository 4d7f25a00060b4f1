"""Two consoles on one platform: a reply written on stale context is held at delivery.

Staff A and staff B each have a console (own store, sync engine and page) on
one sandbox. A replies; B's reply, written without having seen what A saw,
is not sent: the platform refuses it and B's console holds it, showing why
and what arrived meanwhile, to send anyway, edit or discard. Online (B's
console had not synced yet) and offline (B wrote it offline). Each reply
reaches the platform at most once and none is dropped unless B discards it.

A and B share a staff key here (one account on two desks: the platform
treats them as one handler), except in the takeover test, where B is Sam
and A is Alex, who takes the conversation over while B is offline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from console.services.conversations import MessageItem
from console.services.sync.outbox import pending_count
from console.views.conversations.page import ConversationsPage
from tests.views.conversations.conftest import (
    Console,
    ConsoleNetwork,
    Platform,
    Shots,
    make_client,
)
from tests.views.conversations.test_takeover import _start


def _texts(page: ConversationsPage) -> list[str]:
    return [m.text for m in page.thread_model.messages()]


def _mine(page: ConversationsPage, text: str) -> MessageItem:
    return next(m for m in page.thread_model.messages() if m.role == "human" and m.text == text)


def _shows_replies(page: ConversationsPage, expected: list[str]) -> Callable[[], bool]:
    return lambda: [m.text for m in page.thread_model.messages() if m.role == "human"] == expected


def _human_on_platform(platform: Platform, session_id: str) -> list[str]:
    sandbox, _ = platform
    return [m.text for m in sandbox.messages(session_id) if m.role == "human"]


def _reply(qtbot: QtBot, page: ConversationsPage, text: str) -> None:
    page.composer.setFocus()
    qtbot.keyClicks(page.composer, text)
    qtbot.keyClick(page.composer, Qt.Key.Key_Return)
    assert not page.held_bar.isVisible()  # nothing new on this console: no early hold


def _discard(qtbot: QtBot, page: ConversationsPage) -> None:
    qtbot.mouseClick(page.discard_held_button, Qt.MouseButton.LeftButton)
    box = page.discard_dialog
    assert box is not None
    assert box.isVisible()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)


def _both_on(
    qtbot: QtBot, run_async: Any, session_id: str, a: Console, b: Console, taker: Console
) -> None:
    """Both consoles synced with the session open; `taker` takes it over."""
    for console in (a, b):
        _start(console, run_async, qtbot)
        console.page.open_session(session_id)
    qtbot.mouseClick(taker.page.take_over_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: taker.page.label_pill.text() == "You", timeout=5000)


def test_two_consoles_online_stale_reply_is_held_then_sent_anyway_or_discarded(
    qtbot: QtBot,
    console_factory: Callable[..., Console],
    platform: Platform,
    run_async: Any,
    tmp_path: Path,
    shots: Shots,
) -> None:
    sandbox, _ = platform
    conv = sandbox.start_conversation(channel="webchat")
    sandbox.customer_writes(conv.id, "My parcel arrived damaged.", agent_replies=False)
    b_network = ConsoleNetwork()
    a = console_factory(tmp_path / "a.sqlite3")
    b = console_factory(tmp_path / "b.sqlite3", network=b_network)
    _both_on(qtbot, run_async, conv.id, a, b, taker=a)
    # The same account: B's console shows the conversation as B's too.
    qtbot.waitUntil(lambda: b.page.label_pill.text() == "You", timeout=5000)
    # From here B's console does not see what happens: its sync lags behind.
    b_network.follows = False
    # Its sync loop has failed once: no poll from before the cut is still on its way.
    qtbot.waitUntil(lambda: not b.engine.status.online, timeout=5000)

    # The customer adds something; A sees it and answers.
    sandbox.customer_writes(conv.id, "Also, the box was open.", agent_replies=False)
    qtbot.waitUntil(lambda: "Also, the box was open." in _texts(a.page), timeout=5000)
    _reply(qtbot, a.page, "So sorry! A replacement ships today.")
    qtbot.waitUntil(
        lambda: _human_on_platform(platform, conv.id) == ["So sorry! A replacement ships today."],
        timeout=5000,
    )

    # B answers the context B saw: the platform refuses it, B's console holds it.
    _reply(qtbot, b.page, "Could you send a photo of the damage?")
    qtbot.waitUntil(b.page.held_bar.isVisible, timeout=5000)
    held = _mine(b.page, "Could you send a photo of the damage?")
    assert held.delivery == "held"
    text = b.page.held_label.text()
    assert "is held. The customer wrote meanwhile." in text
    assert "Also, the box was open." in text
    assert "So sorry! A replacement ships today." in text
    # What arrived shows in B's thread although B's sync is still behind.
    assert _texts(b.page)[-3:] == [
        "Also, the box was open.",
        "So sorry! A replacement ships today.",
        "Could you send a photo of the damage?",
    ]
    assert b.page.send_anyway_button.isEnabled()
    assert _human_on_platform(platform, conv.id) == ["So sorry! A replacement ships today."]
    shots(b.page, "held_customer_wrote")

    # Send anyway: now with the newest message B has seen, it goes, once.
    qtbot.mouseClick(b.page.send_anyway_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: _mine(b.page, "Could you send a photo of the damage?").delivery == "sent",
        timeout=5000,
    )
    assert not b.page.held_bar.isVisible()
    assert _texts(b.page)[-1] == "Could you send a photo of the damage?"

    # Only A replies next (having seen B's reply): B's next one is held as "someone replied".
    qtbot.waitUntil(lambda: "Could you send a photo of the damage?" in _texts(a.page), timeout=5000)
    _reply(qtbot, a.page, "I've refunded the shipping too.")
    qtbot.waitUntil(
        lambda: _human_on_platform(platform, conv.id)[-1] == "I've refunded the shipping too.",
        timeout=5000,
    )
    _reply(qtbot, b.page, "Is there anything else?")
    qtbot.waitUntil(b.page.held_bar.isVisible, timeout=5000)
    assert "is held. Someone replied meanwhile." in b.page.held_label.text()
    assert "Sam Operator: I've refunded the shipping too." in b.page.held_label.text()
    shots(b.page, "held_someone_replied")
    _discard(qtbot, b.page)
    qtbot.waitUntil(lambda: "Is there anything else?" not in _texts(b.page), timeout=5000)
    assert not b.page.held_bar.isVisible()

    # B catches up: every reply on the platform once, the discarded one never.
    b_network.follows = True
    expected = [
        "So sorry! A replacement ships today.",
        "Could you send a photo of the damage?",
        "I've refunded the shipping too.",
    ]
    assert _human_on_platform(platform, conv.id) == expected
    for console in (a, b):
        qtbot.waitUntil(_shows_replies(console.page, expected), timeout=5000)
        assert pending_count(console.store) == 0
        assert console.errors == []


def test_two_consoles_reply_written_offline_is_held_at_delivery_and_edited(
    qtbot: QtBot,
    console_factory: Callable[..., Console],
    platform: Platform,
    run_async: Any,
    tmp_path: Path,
    shots: Shots,
) -> None:
    sandbox, _ = platform
    conv = sandbox.start_conversation(channel="sms")
    sandbox.customer_writes(conv.id, "I was charged twice.", agent_replies=False)
    b_network = ConsoleNetwork()
    a = console_factory(tmp_path / "a.sqlite3")
    b = console_factory(tmp_path / "b.sqlite3", network=b_network)
    _both_on(qtbot, run_async, conv.id, a, b, taker=a)
    qtbot.waitUntil(lambda: b.page.label_pill.text() == "You", timeout=5000)

    # B goes offline and writes a reply: kept, shown as sending.
    b_network.online = False
    qtbot.waitUntil(lambda: not b.engine.status.online, timeout=5000)
    _reply(qtbot, b.page, "I'll refund the second charge today.")
    assert _mine(b.page, "I'll refund the second charge today.").delivery == "pending"
    # Meanwhile the customer writes and A answers.
    sandbox.customer_writes(conv.id, "Actually, just cancel the order.", agent_replies=False)
    qtbot.waitUntil(lambda: "Actually, just cancel the order." in _texts(a.page), timeout=5000)
    _reply(qtbot, a.page, "Done: the order is cancelled and both charges refunded.")
    qtbot.waitUntil(lambda: len(_human_on_platform(platform, conv.id)) == 1, timeout=5000)

    # B is back: at delivery the platform refuses it, and B sees why.
    b_network.online = True
    qtbot.waitUntil(b.page.held_bar.isVisible, timeout=10000)
    assert _mine(b.page, "I'll refund the second charge today.").delivery == "held"
    assert "The customer wrote meanwhile." in b.page.held_label.text()
    assert "Actually, just cancel the order." in b.page.held_label.text()
    assert _human_on_platform(platform, conv.id) == [
        "Done: the order is cancelled and both charges refunded."
    ]
    shots(b.page, "held_written_offline")

    # Edit it in the light of what arrived; it goes once, edited.
    qtbot.mouseClick(b.page.edit_held_button, Qt.MouseButton.LeftButton)
    assert b.page.composer.toPlainText() == "I'll refund the second charge today."
    assert not b.page.held_bar.isVisible()
    b.page.composer.clear()
    qtbot.keyClicks(b.page.composer, "Sorry for the trouble, and thanks for your patience.")
    qtbot.keyClick(b.page.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: len(_human_on_platform(platform, conv.id)) == 2,
        timeout=5000,
    )
    assert _human_on_platform(platform, conv.id) == [
        "Done: the order is cancelled and both charges refunded.",
        "Sorry for the trouble, and thanks for your patience.",
    ]
    qtbot.waitUntil(
        lambda: (
            _mine(b.page, "Sorry for the trouble, and thanks for your patience.").delivery == "sent"
        ),
        timeout=5000,
    )
    assert "I'll refund the second charge today." not in _texts(b.page)
    assert not b.page.held_bar.isVisible()
    assert b.errors == []


def test_two_consoles_taken_over_while_offline_is_held_naming_the_colleague(
    qtbot: QtBot,
    console_factory: Callable[..., Console],
    platform: Platform,
    run_async: Any,
    tmp_path: Path,
    shots: Shots,
) -> None:
    sandbox, served = platform
    conv = sandbox.start_conversation(channel="webchat")
    sandbox.customer_writes(conv.id, "Can I change my delivery address?", agent_replies=False)
    b_network = ConsoleNetwork()
    alex = console_factory(tmp_path / "alex.sqlite3", colleague=True)
    sam = console_factory(tmp_path / "sam.sqlite3", network=b_network)
    _both_on(qtbot, run_async, conv.id, alex, sam, taker=sam)
    qtbot.waitUntil(lambda: alex.page.label_pill.text() == "Sam Operator", timeout=5000)

    b_network.online = False
    qtbot.waitUntil(lambda: not sam.engine.status.online, timeout=5000)
    _reply(qtbot, sam.page, "Sure, what is the new address?")
    # Sam hands the conversation back from another desk; Alex takes it and answers.
    elsewhere = make_client(served.url, sandbox.api_key)
    run_async(elsewhere.hand_back(conv.id, reason="Alex takes address changes"))
    run_async(elsewhere.aclose())
    qtbot.waitUntil(alex.page.take_over_button.isEnabled, timeout=5000)
    qtbot.mouseClick(alex.page.take_over_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: alex.page.label_pill.text() == "You", timeout=5000)
    _reply(qtbot, alex.page, "Alex here: I've updated the address for you.")
    qtbot.waitUntil(lambda: len(_human_on_platform(platform, conv.id)) == 1, timeout=5000)

    b_network.online = True
    qtbot.waitUntil(sam.page.held_bar.isVisible, timeout=10000)
    text = sam.page.held_label.text()
    assert "is held. Alex Colleague took over meanwhile." in text
    assert "Alex Colleague: Alex here: I've updated the address for you." in text
    assert "Ask Alex Colleague to hand it back to send it, or discard it." in text
    assert not sam.page.send_anyway_button.isEnabled()
    assert not sam.page.edit_held_button.isEnabled()
    qtbot.waitUntil(lambda: sam.page.label_pill.text() == "Alex Colleague", timeout=5000)
    shots(sam.page, "held_taken_over")

    _discard(qtbot, sam.page)
    qtbot.waitUntil(lambda: not sam.page.held_bar.isVisible(), timeout=5000)
    assert "Sure, what is the new address?" not in _texts(sam.page)
    assert _human_on_platform(platform, conv.id) == ["Alex here: I've updated the address for you."]
    assert sam.errors == []
    assert alex.errors == []
