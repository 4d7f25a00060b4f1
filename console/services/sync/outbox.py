"""The outbox: local writes that must reach a remote, delivered exactly once.

A service records its local change and an outbox row in ONE store
transaction (`enqueue`). Each target is a lane: its rows are delivered in
`id` order, and lanes run concurrently (`drain_lane`, one task per lane), so
a chat reply never waits behind a queued publish or a failing remote. Rows
go through the handler registered for their kind:

- a row is marked `done` only after its handler returned, i.e. the remote
  confirmed; a crash before that re-sends it with the same idempotency key,
  which the remote answers by replaying its first response (no duplicate);
- a retryable failure (no network, 5xx, 429) leaves the row pending with a
  backoff and stops that target, so later rows never overtake it;
- a permanent failure (the remote refused the content) marks the row
  `failed` with the reason and calls the handler's `rejected` so the service
  can show it (a message "failed, edit and resend"); the target goes on;
- a row may depend on another row (of any target, `enqueue(depends_on=)`):
  it is not sent, and its target waits behind it, until that row is `done`
  (a publish waits for its builder app's create). A dependency that failed
  keeps it waiting until the dependency is retried and delivered.

Retries: the backoff here is the one retry policy of queued work. Handlers
run inside `http.single_attempt()`, so each remote call is tried once and a
failure comes straight back to be postponed (a rate limit's wait included).
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.errors import (
    AuthError,
    ConsoleError,
    NetworkError,
    RateLimited,
    RemoteError,
    Unavailable,
)
from console.services.http import single_attempt
from console.store.db import Store, Transaction
from console.store.models import OutboxEntry

logger = logging.getLogger(__name__)

#: Errors after which the same request may succeed later. AuthError counts:
#: a token fixed in Settings should not lose the queued work.
RETRYABLE = (NetworkError, Unavailable, RateLimited, AuthError)


@dataclass(frozen=True)
class Delivery:
    """An outbox row as handed to a handler (detached from the session)."""

    id: int
    target: str
    kind: str
    payload: dict[str, Any]
    idempotency_key: str
    attempts: int


@dataclass(frozen=True)
class Handler:
    """Delivers one kind of outbox row.

    Attributes:
        deliver: sends it; returns once the remote confirmed; raises a
            `ConsoleError` otherwise.
        delivered: called after the row is marked done, in the same store
            transaction (e.g. mark the local message `sent`).
        rejected: called when the remote refused it for good, in the same
            transaction that marks the row failed.
    """

    deliver: Callable[[Delivery], Awaitable[Any]]
    delivered: Callable[[Transaction, Delivery, Any], None] | None = None
    rejected: Callable[[Transaction, Delivery, ConsoleError], None] | None = None


@dataclass(frozen=True)
class DrainResult:
    """What a drain did.

    Attributes:
        pending: rows still pending in the whole outbox afterwards.
        blocked_by: the error that stopped a lane (the first one, by row id).
        stalled: the lanes stopped at a row that cannot go now (postponed, or
            no handler for its kind).
    """

    delivered: int
    failed: int
    pending: int
    blocked_by: ConsoleError | None = None
    stalled: frozenset[str] = frozenset()


def enqueue(
    tx: Transaction,
    target: str,
    kind: str,
    payload: dict[str, Any],
    *,
    idempotency_key: str | None = None,
    depends_on: int | None = None,
) -> OutboxEntry:
    """Add an outbox row inside the caller's transaction (with its local change).

    Args:
        depends_on: the id of a row that must be delivered first.
    """
    entry = OutboxEntry(
        target=target,
        kind=kind,
        payload=payload,
        idempotency_key=idempotency_key or f"l4c-{uuid.uuid4()}",
        status="pending",
        depends_on=depends_on,
    )
    tx.session.add(entry)
    return entry


def pending_count(store: Store) -> int:
    with store.read() as session:
        count = session.scalar(
            select(func.count()).select_from(OutboxEntry).where(OutboxEntry.status == "pending")
        )
        return int(count or 0)


class OutboxProcessor:
    """Delivers pending outbox rows through their kind's handler."""

    def __init__(
        self,
        store: Store,
        handlers: Mapping[str, Handler],
        *,
        backoff_base: float = 1.0,
        backoff_cap: float = 300.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._handlers = dict(handlers)
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._clock = clock

    def register(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    async def drain(self) -> DrainResult:
        """Deliver what is due now, every lane concurrently, until only stalled lanes are left.

        A lane whose row was waiting for a row of another lane runs again once
        that one is done, within the same drain.
        """
        delivered = failed = 0
        blocked: ConsoleError | None = None
        stalled: set[str] = set()
        while targets := [t for t in self.due_targets() if t not in stalled]:
            # Every lane finishes its delivery before a bug in one is raised.
            lanes = await asyncio.gather(
                *(self.drain_lane(t) for t in targets), return_exceptions=True
            )
            for lane in lanes:
                if isinstance(lane, BaseException):
                    raise lane
                delivered += lane.delivered
                failed += lane.failed
                blocked = blocked or lane.blocked_by
                stalled |= lane.stalled
        pending = pending_count(self._store)
        return DrainResult(delivered, failed, pending, blocked, frozenset(stalled))

    async def drain_lane(self, target: str) -> DrainResult:
        """Deliver one target's due rows in order; stop at its first retryable failure.

        Returns without awaiting anything after its last look at the queue:
        a caller that runs one task per lane may start a new task for a row
        queued later as soon as this one is done.
        """
        delivered = failed = 0
        while (entry := self._next_due(target)) is not None:
            handler = self._handlers.get(entry.kind)
            if handler is None:
                logger.error("no outbox handler for kind %s (row %s)", entry.kind, entry.id)
                return self._lane_result(target, delivered, failed, stalled=True)
            try:
                with single_attempt():
                    result = await handler.deliver(entry)
            except RETRYABLE as error:
                self._postpone(entry, error)
                return self._lane_result(target, delivered, failed, stalled=True, error=error)
            except ConsoleError as error:
                self._reject(entry, handler, error)
                failed += 1
                continue
            self._complete(entry, handler, result)
            delivered += 1
        return self._lane_result(target, delivered, failed)

    def due_targets(self) -> list[str]:
        """The lanes whose oldest pending row may be sent now, the oldest row first."""
        now = self._clock()
        heads = (
            select(func.min(OutboxEntry.id))
            .where(OutboxEntry.status == "pending")
            .group_by(OutboxEntry.target)
        )
        with self._store.read() as session:
            query = select(OutboxEntry).where(OutboxEntry.id.in_(heads)).order_by(OutboxEntry.id)
            return [e.target for e in session.scalars(query) if _is_due(session, e, now)]

    def retry(self, entry_id: int, payload: dict[str, Any] | None = None) -> None:
        """Put a failed row back in the queue (edited payload, new key)."""
        with self._store.write() as tx:
            reset_entry(tx, entry_id, payload)

    # --- helpers ----------------------------------------------------------
    def _next_due(self, target: str) -> Delivery | None:
        """The lane's oldest pending row, if it may be sent now."""
        query = (
            select(OutboxEntry)
            .where(OutboxEntry.target == target, OutboxEntry.status == "pending")
            .order_by(OutboxEntry.id)
            .limit(1)
        )
        with self._store.read() as session:
            entry = session.scalars(query).first()
            if entry is None or not _is_due(session, entry, self._clock()):
                return None
            return Delivery(
                entry.id,
                entry.target,
                entry.kind,
                dict(entry.payload),
                entry.idempotency_key,
                entry.attempts,
            )

    def _lane_result(
        self,
        target: str,
        delivered: int,
        failed: int,
        *,
        stalled: bool = False,
        error: ConsoleError | None = None,
    ) -> DrainResult:
        lanes = frozenset({target}) if stalled else frozenset()
        return DrainResult(delivered, failed, pending_count(self._store), error, lanes)

    def _postpone(self, entry: Delivery, error: ConsoleError) -> None:
        attempts = entry.attempts + 1
        if isinstance(error, RateLimited) and error.retry_after:
            delay = error.retry_after
        else:
            delay = random.uniform(0, min(self._backoff_cap, self._backoff_base * 2**attempts))
        with self._store.write() as tx:
            row = tx.session.get(OutboxEntry, entry.id)
            if row is None:
                return
            row.attempts = attempts
            row.next_attempt_at = self._clock() + timedelta(seconds=delay)
            row.last_error = _describe(error)
        logger.info(
            "outbox row %s (%s) postponed %.1f s: %s", entry.id, entry.kind, delay, type(error)
        )

    def _reject(self, entry: Delivery, handler: Handler, error: ConsoleError) -> None:
        with self._store.write() as tx:
            row = tx.session.get(OutboxEntry, entry.id)
            if row is None:
                return
            row.status = "failed"
            row.attempts = entry.attempts + 1
            row.last_error = _describe(error)
            if handler.rejected is not None:
                handler.rejected(tx, entry, error)
        logger.info("outbox row %s (%s) rejected: %s", entry.id, entry.kind, type(error).__name__)

    def _complete(self, entry: Delivery, handler: Handler, result: Any) -> None:
        with self._store.write() as tx:
            row = tx.session.get(OutboxEntry, entry.id)
            if row is None:
                return
            row.status = "done"
            row.attempts = entry.attempts + 1
            row.done_at = self._clock()
            row.last_error = None
            if handler.delivered is not None:
                handler.delivered(tx, entry, result)


def reset_entry(tx: Transaction, entry_id: int, payload: dict[str, Any] | None = None) -> bool:
    """Put a failed row back in the queue inside the caller's transaction.

    With the local change that goes with it (the message shown as pending
    again) in the same transaction, a crash can never leave one without the
    other. Returns False when the row is gone or not failed.
    """
    entry = tx.session.get(OutboxEntry, entry_id)
    if entry is None or entry.status != "failed":
        return False
    if payload is not None:
        entry.payload = payload
    # A new key: the remote must not replay the rejection of the old content.
    entry.idempotency_key = f"l4c-{uuid.uuid4()}"
    entry.status = "pending"
    entry.last_error = None
    entry.next_attempt_at = None
    return True


def _is_due(session: Session, entry: OutboxEntry, now: datetime) -> bool:
    """Whether a lane's oldest pending row may be sent at `now`."""
    if entry.depends_on is not None:
        before = session.get(OutboxEntry, entry.depends_on)
        if before is not None and before.status != "done":
            # Not a failure: it is due again once `before` is done.
            return False
    due = entry.next_attempt_at
    # A row in backoff holds its lane: later rows must not overtake it.
    return due is None or _aware(due) <= now


def _aware(moment: datetime) -> datetime:
    # SQLite hands datetimes back naive; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _describe(error: ConsoleError) -> str:
    text = error.user_text()
    if isinstance(error, RemoteError) and error.status:
        text = f"{text} (HTTP {error.status})"
    return text
