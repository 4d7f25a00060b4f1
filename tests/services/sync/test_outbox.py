"""Outbox delivery: order per target, retries, rejections, exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from console.errors import NetworkError, RateLimited, ValidationFailed
from console.services.sync.outbox import (
    Delivery,
    Handler,
    OutboxProcessor,
    enqueue,
    pending_count,
)
from console.store.db import Store, Transaction
from console.store.models import Message, OutboxEntry


class FakeRemote:
    """Remembers what it accepted, per idempotency key, like the platform does."""

    def __init__(self) -> None:
        self.accepted: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.failures: list[Exception] = []

    async def deliver(self, delivery: Delivery) -> str:
        await asyncio.sleep(0)
        if self.failures:
            raise self.failures.pop(0)
        if delivery.idempotency_key not in self.accepted:
            self.accepted[delivery.idempotency_key] = delivery.payload
            self.order.append(delivery.payload["text"])
        return f"remote-{delivery.idempotency_key}"


def _queue(store: Store, texts: list[str], target: str = "conversation:s1") -> None:
    for text in texts:
        with store.write() as tx:
            message = Message(session_id="s1", role="human", text=text, delivery="pending")
            tx.session.add(message)
            tx.session.flush()
            enqueue(tx, target, "message.post", {"text": text, "message_id": message.id})


def _mark_sent(tx: Transaction, delivery: Delivery, remote_id: Any) -> None:
    message = tx.session.get(Message, delivery.payload["message_id"])
    assert message is not None
    message.delivery = "sent"
    message.remote_id = str(remote_id)


def _mark_failed(tx: Transaction, delivery: Delivery, error: Exception) -> None:
    message = tx.session.get(Message, delivery.payload["message_id"])
    assert message is not None
    message.delivery = "failed"
    message.error = str(error)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "db.sqlite3")


def _processor(store: Store, remote: FakeRemote, **kw: Any) -> OutboxProcessor:
    handler = Handler(remote.deliver, delivered=_mark_sent, rejected=_mark_failed)
    return OutboxProcessor(store, {"message.post": handler}, backoff_base=0.0, **kw)


def test_outbox_delivers_in_order_and_marks_done(store: Store) -> None:
    remote = FakeRemote()
    _queue(store, ["one", "two", "three"])
    result = asyncio.run(_processor(store, remote).drain())
    assert (result.delivered, result.pending) == (3, 0)
    assert remote.order == ["one", "two", "three"]
    with store.read() as session:
        assert {m.delivery for m in session.scalars(select(Message))} == {"sent"}
        assert {e.status for e in session.scalars(select(OutboxEntry))} == {"done"}


def test_outbox_retryable_failure_blocks_target_keeps_order(store: Store) -> None:
    remote = FakeRemote()
    remote.failures = [NetworkError("offline")]
    _queue(store, ["a1", "a2"], target="conversation:a")
    _queue(store, ["b1"], target="conversation:b")
    processor = _processor(store, remote)
    first = asyncio.run(processor.drain())
    # a1 failed and waits; a2 must not overtake it; b goes on.
    assert remote.order == ["b1"]
    assert first.pending == 2
    assert isinstance(first.blocked_by, NetworkError)
    second = asyncio.run(processor.drain())
    assert second.pending == 0
    assert remote.order == ["b1", "a1", "a2"]


def test_outbox_waits_for_retry_after(store: Store) -> None:
    remote = FakeRemote()
    remote.failures = [RateLimited("slow down", retry_after=60)]
    _queue(store, ["x"])
    now = datetime.now(UTC)
    processor = _processor(store, remote, clock=lambda: now)
    asyncio.run(processor.drain())
    assert asyncio.run(processor.drain()).delivered == 0  # not due yet
    later = _processor(store, remote, clock=lambda: now + timedelta(seconds=61))
    assert asyncio.run(later.drain()).delivered == 1


def test_outbox_rejection_marks_failed_and_retry_resends(store: Store) -> None:
    remote = FakeRemote()
    remote.failures = [ValidationFailed("WhatsApp window closed", status=422)]
    _queue(store, ["late reply", "next"])
    processor = _processor(store, remote)
    result = asyncio.run(processor.drain())
    assert (result.delivered, result.failed) == (1, 1)
    with store.read() as session:
        failed = session.scalars(select(Message).where(Message.delivery == "failed")).one()
        entry = session.scalars(select(OutboxEntry).where(OutboxEntry.status == "failed")).one()
        old_key = entry.idempotency_key
    assert "WhatsApp window closed" in (failed.error or "")
    processor.retry(entry.id, {"text": "late reply (edited)", "message_id": failed.id})
    assert asyncio.run(processor.drain()).delivered == 1
    assert remote.order == ["next", "late reply (edited)"]
    with store.read() as session:
        assert session.get(OutboxEntry, entry.id).idempotency_key != old_key  # type: ignore[union-attr]


def test_outbox_redelivery_after_crash_is_not_duplicated(store: Store) -> None:
    """Killed after the remote accepted but before `done`: same key, no duplicate."""
    remote = FakeRemote()
    _queue(store, ["only once"])
    with store.read() as session:
        entry = session.scalars(select(OutboxEntry)).one()
        key = entry.idempotency_key
    # The remote saw it, then the console died before marking it done.
    remote.accepted[key] = {"text": "only once"}
    remote.order.append("only once")
    asyncio.run(_processor(store, remote).drain())
    assert remote.order == ["only once"]
    assert pending_count(store) == 0


def _queue_one(store: Store, target: str, text: str, depends_on: int | None = None) -> int:
    with store.write() as tx:
        message = Message(session_id="s1", role="human", text=text, delivery="pending")
        tx.session.add(message)
        tx.session.flush()
        entry = enqueue(
            tx,
            target,
            "message.post",
            {"text": text, "message_id": message.id},
            depends_on=depends_on,
        )
        tx.session.flush()
        return int(entry.id)


def test_a_row_waits_for_the_row_it_depends_on(store: Store) -> None:
    remote = FakeRemote()
    # On its own target, the publish would go ahead while the create waits.
    create = _queue_one(store, "builder_app:1", "create")
    publish = _queue_one(store, "publish:1", "publish", depends_on=create)
    processor = _processor(store, remote)

    remote.failures = [NetworkError("platform down")]  # the create cannot reach it yet
    first = asyncio.run(processor.drain())
    assert (first.delivered, first.pending) == (0, 2)
    assert remote.order == []  # the publish did not overtake its create

    with store.write() as tx:  # "later": the backoff is over
        tx.session.get(OutboxEntry, create).next_attempt_at = None  # type: ignore[union-attr]
    second = asyncio.run(processor.drain())
    assert (second.delivered, second.pending) == (2, 0)
    assert remote.order == ["create", "publish"]
    with store.read() as session:
        assert session.get(OutboxEntry, publish).status == "done"  # type: ignore[union-attr]


def test_a_row_whose_dependency_was_refused_waits_for_its_retry(store: Store) -> None:
    remote = FakeRemote()
    create = _queue_one(store, "builder_app:1", "create")
    _queue_one(store, "publish:1", "publish", depends_on=create)
    processor = _processor(store, remote)
    remote.failures = [ValidationFailed("limit reached")]
    first = asyncio.run(processor.drain())
    assert (first.delivered, first.failed, first.pending) == (0, 1, 1)
    assert remote.order == []

    processor.retry(create)  # the user fixed the cause and retried the create
    second = asyncio.run(processor.drain())
    assert (second.delivered, second.pending) == (2, 0)
    assert remote.order == ["create", "publish"]


def test_a_slow_lane_does_not_hold_up_the_others(store: Store) -> None:
    """A publish in flight (queued first) must not delay a chat reply of another lane."""
    order: list[str] = []

    async def run() -> None:
        released = asyncio.Event()

        async def slow_publish(delivery: Delivery) -> str:
            await released.wait()
            order.append("publish")
            return "pushed"

        async def reply(delivery: Delivery) -> str:
            order.append("reply")
            released.set()
            return "sent"

        _queue_one(store, "publish:1", "publish")
        _queue_one(store, "conversation:s1", "reply")
        with store.write() as tx:
            tx.session.query(OutboxEntry).filter(OutboxEntry.target == "publish:1").update(
                {"kind": "project.publish"}
            )
        processor = OutboxProcessor(
            store,
            {"project.publish": Handler(slow_publish), "message.post": Handler(reply)},
        )
        async with asyncio.timeout(5.0):  # one lane after the other would never end
            result = await processor.drain()
        assert (result.delivered, result.pending) == (2, 0)

    asyncio.run(run())
    assert order == ["reply", "publish"]
