"""ConversationService rules and the inbox queries over a store (no Qt, no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.changes import ChangeSet
from console.errors import UserInputError
from console.services import conversations
from console.services.conversations import (
    CannedResponse,
    ConversationService,
    InboxFilter,
    conversation_label,
    inbox_counts,
    inbox_ids,
    inbox_rows,
    waiting_sessions,
    window_closed,
)
from console.store.db import Store, Transaction
from console.store.models import Conversation, Message, OutboxEntry

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "db.sqlite3")
    with store.write() as tx:
        for n, (status, channel, unread, handoff, handler) in enumerate(
            [
                ("active", "webchat", 0, False, None),
                ("active", "whatsapp", 2, True, None),
                ("handed_off", "sms", 1, False, "stf_me"),
                ("handed_off", "webchat", 0, False, "stf_alex"),
                ("closed", "sms", 0, False, None),
            ]
        ):
            tx.session.add(
                Conversation(
                    id=f"ses_{n}",
                    org_id="org_a" if n % 2 else "org_b",
                    agent_id="agt_1",
                    channel=channel,
                    status=status,
                    customer_name=f"Customer {n}",
                    handled_by={"stf_me": "Sam Operator", "stf_alex": "Alex Colleague"}.get(
                        handler or ""
                    ),
                    handled_by_id=handler,
                    handoff_requested=handoff,
                    unread=unread,
                    preview=f"preview {n}",
                    last_message_at=NOW - timedelta(minutes=n),
                )
            )
            tx.session.add(
                Message(
                    remote_id=f"msg_{n}",
                    session_id=f"ses_{n}",
                    role="customer",
                    author_name=f"Customer {n}",
                    text="Can I bring my dog?" if n == 3 else "Hello 100% there_",
                    created_at=NOW - timedelta(minutes=n),
                )
            )
    return store


def test_service_inbox_filters_and_search(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert inbox_ids(store, InboxFilter()) == ["ses_0", "ses_1", "ses_2", "ses_3", "ses_4"]
    assert inbox_ids(store, InboxFilter(status="handed_off")) == ["ses_2", "ses_3"]
    assert inbox_ids(store, InboxFilter(channel="sms", org_id="org_b")) == ["ses_2", "ses_4"]
    assert inbox_ids(store, InboxFilter(unread_only=True)) == ["ses_1", "ses_2"]
    assert inbox_ids(store, InboxFilter(needs_human=True)) == ["ses_1"]
    assert inbox_ids(store, InboxFilter(search="dog")) == ["ses_3"]
    assert inbox_ids(store, InboxFilter(search="customer 4")) == ["ses_4"]
    assert inbox_ids(store, InboxFilter(search="100%")) == ["ses_0", "ses_1", "ses_2", "ses_4"]
    assert inbox_ids(store, InboxFilter(search="1_0")) == []  # LIKE wildcards escaped
    assert inbox_ids(store, InboxFilter(since=NOW - timedelta(minutes=1, seconds=30))) == [
        "ses_0",
        "ses_1",
    ]
    rows = inbox_rows(store, ["ses_3", "ses_2", "gone"], "stf_me")
    assert [(r.id, r.label, r.handled_by) for r in rows] == [
        ("ses_3", "colleague", "Alex Colleague"),
        ("ses_2", "you", "Sam Operator"),
    ]
    counts = inbox_counts(store, "stf_me")
    assert (counts.handoffs_waiting, counts.unread) == (1, 1)
    assert set(waiting_sessions(store, "stf_me")) == {"ses_1", "ses_2"}


def test_service_labels_and_whatsapp_window() -> None:
    assert conversation_label("active", False, None, "me") == "ai"
    assert conversation_label("active", True, None, "me") == "waiting"
    assert conversation_label("handed_off", False, "me", "me") == "you"
    assert conversation_label("handed_off", False, "alex", "me") == "colleague"
    assert conversation_label("closed", True, None, "me") == "closed"
    conv = Conversation(channel="whatsapp", last_customer_message_at=NOW - timedelta(hours=23))
    assert not window_closed(conv, NOW)
    assert window_closed(conv, NOW + timedelta(hours=2))
    assert not window_closed(Conversation(channel="sms"), NOW)


def test_service_mark_read_and_safe_send(tmp_path: Path) -> None:
    store = _store(tmp_path)
    service = ConversationService(store, None)  # type: ignore[arg-type]  # no remote calls
    changes: list[ChangeSet] = []
    store.subscribe(changes.append)
    service.mark_read("ses_1")
    service.mark_read("ses_1")  # already read: no write to show
    assert [c.ids("conversations") for c in changes] == [frozenset({"ses_1"})]
    with store.read() as session:
        seen = max(m.id for m in session.query(Message).filter_by(session_id="ses_3"))
    assert service.arrived_since("ses_3", seen, "Sam Operator") == []
    service.queue_message("ses_3", "On it", author_name="Sam Operator")
    assert service.arrived_since("ses_3", seen, "Sam Operator") == []  # my own reply
    with store.write() as tx:
        tx.session.add_all(
            [
                # Stamped earlier than what was seen (clocks differ), delivered later.
                Message(
                    remote_id="msg_late",
                    session_id="ses_3",
                    role="customer",
                    text="Never mind",
                    created_at=NOW - timedelta(hours=1),
                ),
                Message(
                    remote_id="msg_alex",
                    session_id="ses_3",
                    role="human",
                    author_name="Alex Colleague",
                    text="I'll take this one",
                    created_at=NOW,
                ),
                Message(remote_id="msg_other", session_id="ses_1", role="customer", text="Hi"),
            ]
        )
    arrived = service.arrived_since("ses_3", seen, "Sam Operator")
    assert [m.text for m in arrived] == ["Never mind", "I'll take this one"]
    assert service.arrived_since("ses_3", arrived[-1].id, "Sam Operator") == []


def test_service_canned_responses_per_agency(tmp_path: Path) -> None:
    store = _store(tmp_path)
    service = ConversationService(store, None)  # type: ignore[arg-type]
    assert service.canned_responses("org_a")  # defaults
    mine = [CannedResponse("Hours", "9 to 5"), CannedResponse("Bye", "Thanks!")]
    service.save_canned_responses("org_a", mine)
    assert service.canned_responses("org_a") == mine
    assert service.canned_responses("org_b") != mine


def test_service_retry_requeues_failed_message_with_new_text(tmp_path: Path) -> None:
    store = _store(tmp_path)
    woken: list[int] = []
    service = ConversationService(
        store,
        None,  # type: ignore[arg-type]
        on_queued=lambda: woken.append(1),
    )
    message_id = service.queue_message("ses_2", "Refund done", author_name="Sam Operator")
    with pytest.raises(UserInputError):
        service.retry_message(message_id, "again")  # not failed
    with store.write() as tx:
        row = tx.session.get(Message, message_id)
        assert row is not None
        row.delivery, row.error = "failed", "Rejected"
        entry = tx.session.query(OutboxEntry).one()
        entry.status = "failed"
        old_key = entry.idempotency_key
    with pytest.raises(UserInputError):
        service.retry_message(message_id, "   ")
    service.retry_message(message_id, "Refund done, 3-5 days")
    assert woken == [1, 1]
    with store.read() as session:
        entry = session.query(OutboxEntry).one()
        message = session.get(Message, message_id)
    assert entry.status == "pending"
    assert entry.idempotency_key != old_key
    assert entry.payload["text"] == "Refund done, 3-5 days"
    assert message is not None
    assert (message.delivery, message.text) == (
        "pending",
        "Refund done, 3-5 days",
    )


def test_service_retry_is_one_transaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash between resetting the message and its outbox row changes neither."""
    store = _store(tmp_path)
    service = ConversationService(store, None)  # type: ignore[arg-type]
    message_id = service.queue_message("ses_2", "Refund done", author_name="Sam Operator")
    with store.write() as tx:
        row = tx.session.get(Message, message_id)
        assert row is not None
        row.delivery, row.error = "failed", "Rejected"
        entry = tx.session.query(OutboxEntry).one()
        entry.status = "failed"
        old_key = entry.idempotency_key

    def killed(tx: Transaction, *_args: object) -> bool:
        tx.session.flush()  # the message's reset is written...
        raise RuntimeError("killed between the two writes")  # ...and the outbox row's is not

    monkeypatch.setattr(conversations, "reset_entry", killed)
    with pytest.raises(RuntimeError):
        service.retry_message(message_id, "Refund done, 3-5 days")
    with store.read() as session:
        entry = session.query(OutboxEntry).one()
        message = session.get(Message, message_id)
    assert (entry.status, entry.idempotency_key) == ("failed", old_key)
    assert message is not None
    assert (message.delivery, message.text, message.error) == ("failed", "Refund done", "Rejected")
