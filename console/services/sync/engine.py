"""The sync engine: remote changes into the store, the outbox out to the remotes.

- Initial sync: take the change log's head first, then pull everything
  (organization, clients, builder apps, agents, conversations, all messages
  through the bulk export, credits), then follow the log from that head;
  events are full objects, so what changed during the pull is applied again
  harmlessly.
- Following: the server-sent event stream; when it is unavailable, polling
  `GET /events` with the same cursor, trying the stream again now and then.
- The outbox is delivered one task per lane (target): whenever something is
  queued, the platform answers again, or on a timer, each lane with a due row
  that has no task yet gets one, so a long publish or a failing remote never
  holds up a chat reply.
- Online/offline is what the last exchange with the platform said; it is
  reported through `on_status` and never blocks anything.

Store writes run in a worker thread (`asyncio.to_thread`): a 100k-message
sync must not stall the UI's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from console.errors import AuthError, ConsoleError, NetworkError, RateLimited, Unavailable
from console.services.platform.client import REMOTE as PLATFORM
from console.services.platform.client import EventCursorInvalid, PlatformClient
from console.services.platform.models import (
    BuilderAppUpdatedEvent,
    ConversationMessageEvent,
    ConversationStatusEvent,
    CreditsChangedEvent,
    OrganizationUpdatedEvent,
    PlatformEvent,
)
from console.services.sync import apply
from console.services.sync.outbox import OutboxProcessor, pending_count
from console.store.db import Store

logger = logging.getLogger(__name__)

EVENTS_CURSOR = "platform.events"
SYNCED_AT = "platform.initial_sync_at"
#: How much credit history the initial sync keeps locally.
TRANSACTIONS_WINDOW = timedelta(days=31)
#: Errors meaning "the platform is not reachable right now" (retry later).
OFFLINE_ERRORS = (NetworkError, Unavailable, RateLimited)

Mode = Literal["starting", "syncing", "stream", "polling", "offline"]


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar and Diagnostics show about synchronisation."""

    online: bool
    mode: Mode
    pending: int
    last_event_at: datetime | None = None
    error: str | None = None

    def describe(self) -> str:
        if self.mode == "syncing":
            return "Syncing…"
        if not self.online:
            waiting = f", {self.pending} waiting to send" if self.pending else ""
            return f"Offline{waiting}"
        if self.pending:
            return f"Sending {self.pending}…"
        return "Live" if self.mode == "stream" else "Up to date (polling)"


@dataclass(frozen=True)
class SyncProgress:
    step: str
    done: int


class SyncEngine:
    """Keeps the store in step with the platform and delivers the outbox.

    Args:
        store: the local store.
        platform: the platform client.
        outbox: delivers pending outbox rows (its handlers are registered by
            the domain services).
        on_status: called on the loop thread whenever the status changes.
        poll_interval: seconds between polls when the stream is unavailable.
        retry_stream_every: seconds of polling before trying the stream again.
        use_stream: False forces polling (benchmarks, tests).
    """

    def __init__(
        self,
        store: Store,
        platform: PlatformClient,
        outbox: OutboxProcessor,
        *,
        on_status: Callable[[SyncStatus], None] | None = None,
        poll_interval: float = 2.0,
        retry_stream_every: float = 30.0,
        outbox_interval: float = 5.0,
        use_stream: bool = True,
    ) -> None:
        self._store = store
        self._platform = platform
        self._outbox = outbox
        self._on_status = on_status
        self._poll_interval = poll_interval
        self._retry_stream_every = retry_stream_every
        self._outbox_interval = outbox_interval
        self._use_stream = use_stream
        self._status = SyncStatus(online=False, mode="starting", pending=pending_count(store))
        self._outbox_wakeup = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._lanes: dict[str, asyncio.Task[None]] = {}

    @property
    def status(self) -> SyncStatus:
        return self._status

    # --- lifecycle ----------------------------------------------------------
    def start(self) -> None:
        """Run following and outbox delivery in the background until `stop()`."""
        self._tasks = [
            asyncio.ensure_future(self._follow_forever()),
            asyncio.ensure_future(self._deliver_forever()),
        ]

    async def stop(self) -> None:
        tasks = [*self._tasks, *self._lanes.values()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._lanes.clear()

    def outbox_changed(self) -> None:
        """A service queued something: deliver it now if online."""
        self._set_status(pending=pending_count(self._store))
        self._outbox_wakeup.set()

    # --- initial sync ---------------------------------------------------------
    async def initial_sync(self, progress: Callable[[SyncProgress], None] | None = None) -> None:
        """Pull everything the console shows; follow the log from before the pull."""
        self._set_status(mode="syncing")
        report = progress or (lambda _p: None)
        head = (await self._platform.poll_events("head")).next_cursor
        org = await self._platform.get_organization()
        await asyncio.to_thread(apply.apply_organization, self._store, org)
        children = await self._all_pages(self._platform.list_children)
        await asyncio.to_thread(apply.apply_children, self._store, children)
        report(SyncProgress("clients", len(children)))
        apps = await self._all_pages(self._platform.list_builder_apps)
        await asyncio.to_thread(apply.apply_builder_apps, self._store, apps)
        report(SyncProgress("projects", len(apps)))
        agents = await self._all_pages(self._platform.list_agents)
        await asyncio.to_thread(apply.apply_agents, self._store, agents)
        conversations = await self._all_pages(self._platform.list_conversations, limit=200)
        await asyncio.to_thread(apply.apply_conversations, self._store, conversations)
        report(SyncProgress("conversations", len(conversations)))
        await self._export_messages(report)
        balance = await self._platform.get_credit_balance()
        await asyncio.to_thread(apply.apply_balance, self._store, balance)
        # Recent history only: usage charts come aggregated from /credits/usage,
        # and a busy agency's full history is tens of thousands of rows.
        transactions = await self._all_pages(
            self._platform.list_credit_transactions,
            limit=200,
            since=datetime.now(UTC) - TRANSACTIONS_WINDOW,
        )
        await asyncio.to_thread(apply.apply_transactions, self._store, transactions)
        report(SyncProgress("credits", len(transactions)))
        await asyncio.to_thread(apply.set_cursor, self._store, EVENTS_CURSOR, head)
        await asyncio.to_thread(
            apply.set_cursor, self._store, SYNCED_AT, datetime.now(UTC).isoformat()
        )
        self._set_status(online=True, mode="polling", error=None)

    async def _export_messages(self, report: Callable[[SyncProgress], None]) -> None:
        after: str | None = None
        total = 0
        pending_write: asyncio.Task[None] | None = None
        while True:
            page = await self._platform.export_messages(after=after, limit=1000)
            # Write the previous page while the next one is fetched.
            if pending_write is not None:
                await pending_write
            pending_write = asyncio.ensure_future(
                asyncio.to_thread(apply.apply_messages, self._store, page.items, initial=True)
            )
            total += len(page.items)
            report(SyncProgress("messages", total))
            if page.next_cursor is None:
                break
            after = page.next_cursor
        if pending_write is not None:
            await pending_write

    async def _all_pages(self, fetch: Callable[..., Any], **params: object) -> list[Any]:
        items: list[Any] = []
        cursor: str | None = None
        while True:
            page = await fetch(cursor=cursor, **params)
            items.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                return items

    # --- following ------------------------------------------------------------
    async def apply_events(self, events: Sequence[PlatformEvent]) -> None:
        """Apply events in order and advance the cursor past them."""
        if not events:
            return
        await asyncio.to_thread(self._apply_events_blocking, list(events))
        self._set_status(online=True, last_event_at=datetime.now(UTC), error=None)

    def _apply_events_blocking(self, events: list[PlatformEvent]) -> None:
        messages = []
        for event in events:
            if isinstance(event, ConversationMessageEvent):
                apply.apply_conversations(self._store, [event.conversation])
                messages.append(event.message)
            elif isinstance(event, ConversationStatusEvent):
                apply.apply_conversations(self._store, [event.conversation])
            elif isinstance(event, CreditsChangedEvent):
                apply.apply_balance(self._store, event.balance)
            elif isinstance(event, BuilderAppUpdatedEvent):
                apply.apply_builder_apps(self._store, [event.app])
            elif isinstance(event, OrganizationUpdatedEvent) and event.child is not None:
                apply.apply_children(self._store, [event.child])
        apply.apply_messages(self._store, messages)
        apply.set_cursor(self._store, EVENTS_CURSOR, str(events[-1].id))

    async def poll_once(self) -> int:
        """One poll of the change log; returns how many events were applied."""
        cursor = apply.get_cursor(self._store, EVENTS_CURSOR)
        applied = 0
        while True:
            page = await self._platform.poll_events(int(cursor) if cursor else None, limit=500)
            await self.apply_events(page.events)
            applied += len(page.events)
            cursor = page.next_cursor
            if not page.events:
                apply.set_cursor(self._store, EVENTS_CURSOR, cursor)
            if not page.has_more:
                return applied

    async def _stream(self) -> None:
        cursor = apply.get_cursor(self._store, EVENTS_CURSOR)
        self._set_status(online=True, mode="stream", error=None)
        batch: list[PlatformEvent] = []
        async with contextlib.aclosing(
            self._platform.stream_events(last_event_id=int(cursor) if cursor else None)  # type: ignore[type-var]
        ) as events:
            async for event in events:
                batch.append(event)
                await self.apply_events(batch)
                batch.clear()

    async def _follow_forever(self) -> None:
        while True:
            try:
                if not apply.get_cursor(self._store, EVENTS_CURSOR):
                    await self.initial_sync()
                    self._outbox_wakeup.set()
                if self._use_stream:
                    try:
                        await self._stream()
                    except (*OFFLINE_ERRORS, AuthError) as error:
                        logger.info("event stream unavailable (%s); polling", type(error).__name__)
                await self._poll_for(self._retry_stream_every if self._use_stream else None)
            except EventCursorInvalid:
                logger.warning("platform change log was reset; resyncing")
                await asyncio.to_thread(apply.set_cursor, self._store, EVENTS_CURSOR, "")
                await self.initial_sync()
            except OFFLINE_ERRORS as error:
                self._set_status(online=False, mode="offline", error=error.user_text())
                await asyncio.sleep(self._poll_interval)
            except ConsoleError as error:
                self._set_status(online=False, mode="offline", error=error.user_text())
                logger.warning("sync stopped on %s; retrying", type(error).__name__)
                await asyncio.sleep(max(self._poll_interval, 5.0))
            except Exception:
                # A bug must not end syncing for the rest of the session: say so
                # (Diagnostics shows it), then carry on from the saved cursor.
                logger.exception("sync failed unexpectedly; retrying")
                self._set_status(
                    online=False, mode="offline", error="Sync failed unexpectedly; retrying."
                )
                await asyncio.sleep(max(self._poll_interval, 5.0))

    async def _poll_for(self, seconds: float | None) -> None:
        loop = asyncio.get_running_loop()
        until = None if seconds is None else loop.time() + seconds
        while until is None or loop.time() < until:
            was_offline = not self._status.online
            await self.poll_once()
            self._set_status(online=True, mode="polling", error=None)
            if was_offline:
                self._outbox_wakeup.set()
            await asyncio.sleep(self._poll_interval)

    # --- outbox ---------------------------------------------------------------
    async def _deliver_forever(self) -> None:
        while True:
            # WORKAROUND(https://github.com/python/cpython/issues/86296): not
            # `wait_for`, which on 3.11 loses a cancel that lands just as the
            # wakeup is set (the outbox's `stop()` then waits forever).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._outbox_interval):
                    await self._outbox_wakeup.wait()
            self._outbox_wakeup.clear()
            try:
                self._start_lanes()
            except Exception:
                logger.exception("outbox lanes could not be read; retrying")

    def _start_lanes(self) -> None:
        """One task for each lane with a row due now, unless it has one already."""
        for target in self._outbox.due_targets():
            if target not in self._lanes:
                self._lanes[target] = asyncio.ensure_future(self._run_lane(target))

    async def _run_lane(self, target: str) -> None:
        """Deliver one lane until it is empty or stalled, then give up its place.

        A row queued while this runs is picked up by it; one queued after its
        last look at the queue finds the lane free (`drain_lane` returns
        without awaiting after that look), and the wakeup starts a new task.
        """
        try:
            result = await self._outbox.drain_lane(target)
        except ConsoleError as stopped:
            logger.info("outbox lane %s stopped: %s", target, type(stopped).__name__)
            return
        except Exception:
            logger.exception("outbox lane %s failed unexpectedly; retrying later", target)
            return
        finally:
            self._lanes.pop(target, None)
        error = result.blocked_by
        if isinstance(error, OFFLINE_ERRORS) and error.remote == PLATFORM:
            # Only the platform's answer says online or offline; a GitHub outage does not.
            self._set_status(online=False, mode="offline", error=error.user_text())
        elif result.delivered:
            self._set_status(online=True)
        self._set_status(pending=result.pending)

    # --- status ---------------------------------------------------------------
    def _set_status(self, **changes: object) -> None:
        status = replace(self._status, **changes)  # type: ignore[arg-type]
        if status != self._status:
            self._status = status
            if self._on_status is not None:
                self._on_status(status)
