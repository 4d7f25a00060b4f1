"""The outbox: local writes that must reach a remote, delivered exactly once.

A service records its local change and an outbox row in ONE store
transaction (`enqueue`). `OutboxProcessor.drain()` delivers pending rows in
`id` order per target through the handler registered for their kind:

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
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from console.errors import (
    AuthError,
    ConsoleError,
    NetworkError,
    RateLimited,
    RemoteError,
    Unavailable,
)
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
    delivered: int
    failed: int
    pending: int
    blocked_by: ConsoleError | None = None


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

    async def drain(self, *, limit: int | None = None) -> DrainResult:
        """Deliver what is due now; stop a target at its first retryable failure."""
        delivered = failed = 0
        blocked: ConsoleError | None = None
        blocked_targets: set[str] = set()
        while limit is None or delivered + failed < limit:
            entry = self._next_due(blocked_targets)
            if entry is None:
                break
            handler = self._handlers.get(entry.kind)
            if handler is None:
                logger.error("no outbox handler for kind %s (row %s)", entry.kind, entry.id)
                blocked_targets.add(entry.target)
                continue
            try:
                result = await handler.deliver(entry)
            except RETRYABLE as error:
                self._postpone(entry, error)
                blocked_targets.add(entry.target)
                blocked = error
                continue
            except ConsoleError as error:
                self._reject(entry, handler, error)
                failed += 1
                continue
            self._complete(entry, handler, result)
            delivered += 1
        return DrainResult(delivered, failed, pending_count(self._store), blocked)

    def retry(self, entry_id: int, payload: dict[str, Any] | None = None) -> None:
        """Put a failed row back in the queue (edited payload, new key)."""
        with self._store.write() as tx:
            entry = tx.session.get(OutboxEntry, entry_id)
            if entry is None or entry.status != "failed":
                return
            if payload is not None:
                entry.payload = payload
            # A new key: the remote must not replay the rejection of the old content.
            entry.idempotency_key = f"l4c-{uuid.uuid4()}"
            entry.status = "pending"
            entry.last_error = None
            entry.next_attempt_at = None

    # --- helpers ----------------------------------------------------------
    def _next_due(self, skip_targets: set[str]) -> Delivery | None:
        """The oldest pending row of the first target that is not blocked or waiting."""
        now = self._clock()
        heads = (
            select(func.min(OutboxEntry.id))
            .where(OutboxEntry.status == "pending")
            .group_by(OutboxEntry.target)
        )
        with self._store.read() as session:
            query = select(OutboxEntry).where(OutboxEntry.id.in_(heads)).order_by(OutboxEntry.id)
            for entry in session.scalars(query):
                if entry.target in skip_targets:
                    continue
                if entry.depends_on is not None:
                    before = session.get(OutboxEntry, entry.depends_on)
                    if before is not None and before.status != "done":
                        # Not a failure: the next call sees it again once `before` is done.
                        continue
                due = entry.next_attempt_at
                if due is not None and _aware(due) > now:
                    # The oldest row of this target waits; later ones must too.
                    skip_targets.add(entry.target)
                    continue
                return Delivery(
                    entry.id,
                    entry.target,
                    entry.kind,
                    dict(entry.payload),
                    entry.idempotency_key,
                    entry.attempts,
                )
        return None

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


def _aware(moment: datetime) -> datetime:
    # SQLite hands datetimes back naive; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _describe(error: ConsoleError) -> str:
    text = error.user_text()
    if isinstance(error, RemoteError) and error.status:
        text = f"{text} (HTTP {error.status})"
    return text
