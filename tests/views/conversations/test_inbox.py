"""The inbox: order, filters, search, unread, badge count and notifications."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.services.conversations import ConversationService, InboxRow
from tests.views.conversations.conftest import Console, Platform
from tests.views.conversations.test_takeover import _start


def _rows(console: Console) -> list[InboxRow]:
    model = console.page.inbox_model
    return [r for r in (model.row_at(n) for n in range(model.rowCount())) if r is not None]


def _applied(qtbot: QtBot, console: Console) -> None:
    """Wait until the page has applied its latest inbox query, not only run it.

    A task is done before its done callbacks run, and the TaskRunner hands the
    result to the page in one: under load a test could read the inbox in
    between and still see the previous query (an opened session still
    unread). Callbacks run in the order they were added, so ours runs after
    the runner's; a query replaced meanwhile (latest wins) is followed to
    the one that replaced it.
    """
    applied: dict[asyncio.Task[Any], bool] = {}

    def latest_applied() -> bool:
        task = console.page.query_task
        assert task is not None
        if task not in applied:
            applied[task] = False
            task.add_done_callback(lambda done: applied.__setitem__(done, not done.cancelled()))
        return applied[task]

    qtbot.waitUntil(latest_applied, timeout=5000)


def _refreshed(qtbot: QtBot, console: Console) -> None:
    console.page.refresh(reset=True)
    _applied(qtbot, console)


def _queried(qtbot: QtBot, console: Console) -> None:
    """Wait for the query a filter change started."""
    _applied(qtbot, console)


def test_inbox_order_filters_and_search(
    qtbot: QtBot,
    console_factory: Callable[..., Console],
    platform: Platform,
    run_async: Any,
    qtmodeltester: ModelTester,
) -> None:
    sandbox, _ = platform
    console = console_factory()
    page = console.page
    _start(console, run_async, qtbot)
    qtmodeltester.check(page.inbox_model)
    rows = _rows(console)
    assert len(rows) == len(sandbox.conversations())
    stamps = [r.last_message_at for r in rows if r.last_message_at is not None]
    assert stamps == sorted(stamps, reverse=True)  # newest activity first
    assert page.count_label.text() == f"{len(rows)} conversations"

    page.status_combo.setCurrentIndex(page.status_combo.findData("closed"))
    qtbot.waitUntil(lambda: {r.status for r in _rows(console)} == {"closed"}, timeout=5000)
    assert len(_rows(console)) == len(sandbox.conversations(status="closed"))
    page.status_combo.setCurrentIndex(0)
    page.channel_combo.setCurrentIndex(page.channel_combo.findData("sms"))
    qtbot.waitUntil(lambda: {r.channel for r in _rows(console)} == {"sms"}, timeout=5000)
    page.channel_combo.setCurrentIndex(0)
    client = sandbox.children()[0]
    page.client_combo.setCurrentIndex(page.client_combo.findData(client.id))
    qtbot.waitUntil(lambda: {r.org_id for r in _rows(console)} == {client.id}, timeout=5000)
    page.client_combo.setCurrentIndex(0)

    # Search over message text (typed: debounced, then in SQL).
    conv = sandbox.start_conversation(channel="webchat")
    sandbox.customer_writes(conv.id, "Do you deliver zanzibar-lilies?", agent_replies=False)
    qtbot.waitUntil(lambda: conv.id in page.inbox_model.loaded_ids(), timeout=5000)
    qtbot.keyClicks(page.search_edit, "zanzibar")
    qtbot.waitUntil(lambda: [r.id for r in _rows(console)] == [conv.id], timeout=5000)
    assert page.count_label.text() == "1 conversation"
    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, "no such words anywhere")
    qtbot.waitUntil(lambda: page.inbox_model.total == 0, timeout=5000)
    assert page.inbox_stack.currentWidget() is page.inbox_empty
    page.search_edit.clear()
    _refreshed(qtbot, console)

    # Unread: the live customer message counts until the session is opened.
    page.unread_check.setChecked(True)
    _queried(qtbot, console)
    assert conv.id in [r.id for r in _rows(console)]
    assert all(r.unread > 0 for r in _rows(console))
    page.open_session(conv.id)
    page.unread_check.setChecked(False)
    _refreshed(qtbot, console)
    opened = next(r for r in _rows(console) if r.id == conv.id)
    assert opened.unread == 0
    qtmodeltester.check(page.inbox_model)


def test_inbox_handoff_badge_and_repeated_notification(
    qtbot: QtBot, console_factory: Callable[..., Console], platform: Platform, run_async: Any
) -> None:
    sandbox, _ = platform
    console = console_factory(repeat_seconds=0.2)
    page = console.page
    counts: list[int] = []
    page.handoffs_waiting_changed.connect(counts.append)
    _start(console, run_async, qtbot)
    qtbot.waitUntil(lambda: bool(counts), timeout=5000)
    before = counts[-1]
    conv = sandbox.start_conversation(channel="webchat")
    sandbox.customer_writes(conv.id, "Hi")
    # A traffic step that asks for a human.
    sandbox.state.tick(_handoff_config(), session_id=conv.id)
    assert sandbox.conversation(conv.id).handoff_requested
    qtbot.waitUntil(lambda: counts[-1] == before + 1, timeout=5000)
    page.needs_human_check.setChecked(True)
    _queried(qtbot, console)
    assert conv.id in [r.id for r in _rows(console)]
    assert {r.label for r in _rows(console)} == {"waiting"}

    shown = console.notifier.shown
    qtbot.waitUntil(lambda: len([n for n in shown if n.session_id == conv.id]) >= 3, timeout=5000)
    # Clicking the notification opens the thread; the reminders stop.
    with qtbot.waitSignal(page.notification_clicked):
        console.notifier.activated.emit(conv.id)
    assert page.open_session_id == conv.id
    count = len(shown)
    qtbot.wait(500)
    assert [n for n in shown[count:] if n.session_id == conv.id] == []
    assert console.notifier.waiting == counts[-1]


def _handoff_config() -> Any:
    from console.sandbox.platform.state import TrafficConfig

    return TrafficConfig(handoff_probability=1.0, close_probability=0.0)


def test_inbox_learns_who_you_are_and_keeps_it(
    qtbot: QtBot, console_factory: Callable[..., Console], platform: Platform, run_async: Any
) -> None:
    sandbox, _ = platform
    console = console_factory(learn_staff=True)
    qtbot.waitUntil(lambda: console.page.staff is not None, timeout=5000)
    assert console.page.staff is not None
    assert (console.page.staff.id, console.page.staff.name) == (sandbox.staff_id, "Sam Operator")
    # Known offline on the next start (kept in the store).
    again = ConversationService(console.store, console.client)
    assert again.cached_staff() == console.page.staff
