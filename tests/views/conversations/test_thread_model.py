"""The thread model applies live re-reads: appends, delivery changes, reordering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.services.conversations import MessageItem
from console.views.models.conversations import ThreadListModel

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _message(local_id: int, minutes: int, text: str, delivery: str = "sent") -> MessageItem:
    return MessageItem(
        id=local_id,
        session_id="ses_1",
        role="customer" if delivery == "sent" else "human",
        author_name="",
        text=text,
        created_at=T0 + timedelta(minutes=minutes),
        delivery=delivery,
    )


def test_thread_model_merges_live_rows(qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    model = ThreadListModel()
    model.set_session("ses_1", [_message(1, 0, "hi"), _message(2, 1, "mine", "pending")])
    qtmodeltester.check(model)
    assert model.unsettled_ids() == {2}
    assert model.last_message_id() == 2

    # A new customer message: inserted at the end, nothing reset.
    with qtbot.waitSignal(model.rowsInserted), qtbot.assertNotEmitted(model.modelReset):
        model.update_messages(model.merged([_message(3, 2, "hello?")]))
    assert [m.text for m in model.messages()] == ["hi", "mine", "hello?"]

    # Ours is sent: the row changes in place.
    with qtbot.waitSignal(model.dataChanged), qtbot.assertNotEmitted(model.modelReset):
        model.update_messages(model.merged([_message(2, 1, "mine")]))
    assert model.unsettled_ids() == set()

    # The platform's time puts a row elsewhere: the order follows it.
    moved = _message(3, -1, "hello?")
    model.update_messages(model.merged([moved]))
    assert [m.id for m in model.messages()] == [3, 1, 2]
    qtmodeltester.check(model)
