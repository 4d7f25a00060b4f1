"""Conversations: the inbox, sending as a human, take over, hand back, close.

Sending never talks to the platform directly: the message is written to the
store as `pending` together with an outbox row (one transaction), shows at
once, and the sync engine delivers it exactly once, in order per
conversation, when the platform is reachable. A failed message can be edited
and resent (the outbox row is put back with the new text and a new key).

Take over, hand back and close are immediate platform calls (they need to be
online: a takeover that "succeeds" offline would let the agent keep talking);
the conversation the platform returns is written to the store at once, so
the view does not wait for the event stream.

Inbox queries (ids in order, then rows by id) and thread reads are plain
functions over the store, so a view can run them in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Literal

from sqlalchemy import Select, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import aliased

from console.errors import Conflict, ConsoleError, UserInputError
from console.services.platform.client import PlatformClient
from console.services.platform.models import Message as RemoteMessage
from console.services.platform.models import StaffRef, Template
from console.services.sync.apply import apply_conversations
from console.services.sync.outbox import Delivery, Handler, OutboxProcessor, enqueue
from console.store.db import Store, Transaction
from console.store.models import Agent, Conversation, Message, Organization, OutboxEntry, Setting

logger = logging.getLogger(__name__)

POST_MESSAGE = "message.post"
MAX_MESSAGE_LENGTH = 4096


STAFF_SETTING = "conversations.staff"
#: WhatsApp customer-care window: free text only this long after the customer wrote.
WHATSAPP_WINDOW = timedelta(hours=24)

Label = Literal["ai", "waiting", "you", "colleague", "closed"]


class ConversationTaken(Conflict):
    """The platform refused a status change: a colleague has the session (or it closed).

    Attributes:
        handler: the colleague's name ("" when the session was closed).
    """

    action = "Their replies show in the thread; ask them to hand it back if you need it."

    def __init__(self, message: str, *, handler: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.handler = handler

    def user_text(self) -> str:
        return str(self)


@dataclass(frozen=True)
class CannedResponse:
    title: str
    text: str


DEFAULT_CANNED: tuple[CannedResponse, ...] = (
    CannedResponse("Greeting", "Hi, this is a member of the team. I'm taking over from here."),
    CannedResponse("One moment", "Thanks for your patience, I'm checking this for you now."),
    CannedResponse("Follow up", "I'll get back to you by email within one business day."),
    CannedResponse("Anything else", "Is there anything else I can help you with?"),
    CannedResponse("Goodbye", "Thanks for reaching out, have a great day!"),
)


def canned_key(org_id: str) -> str:
    return f"conversations.canned.{org_id}"


def conversation_label(
    status: str, handoff_requested: bool, handled_by_id: str | None, me_id: str | None
) -> Label:
    """The plain label every session carries: AI, waiting for a human, you, a colleague."""
    if status == "closed":
        return "closed"
    if status == "handed_off":
        return "you" if me_id is not None and handled_by_id == me_id else "colleague"
    return "waiting" if handoff_requested else "ai"


def window_closed(conversation: Conversation, now: datetime | None = None) -> bool:
    """WhatsApp: the 24-hour window is over, only approved templates can be sent."""
    if conversation.channel != "whatsapp":
        return False
    expires = conversation.reply_window_expires_at
    if expires is None and conversation.last_customer_message_at is not None:
        expires = _aware(conversation.last_customer_message_at) + WHATSAPP_WINDOW
    if expires is None:
        return True
    return _aware(expires) <= (now or datetime.now(UTC))


def _aware(moment: datetime) -> datetime:
    # SQLite hands datetimes back naive; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def conversation_target(session_id: str) -> str:
    """Outbox target: messages of one conversation are delivered in order."""
    return f"conversation:{session_id}"


class ConversationService:
    """Human actions on agent conversations (see module docstring).

    Args:
        store: the local store.
        platform: the platform client.
        on_queued: called after a message was queued (production: the sync
            engine's `outbox_changed`, so it is delivered at once if online).
    """

    def __init__(
        self,
        store: Store,
        platform: PlatformClient,
        *,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._platform = platform
        self._on_queued = on_queued
        self._staff: StaffRef | None = None
        self._locks: dict[str, asyncio.Lock] = {}

    def _queued(self) -> None:
        if self._on_queued is not None:
            self._on_queued()

    def queue_message(
        self,
        session_id: str,
        text: str,
        *,
        author_name: str = "",
        template_name: str | None = None,
        template_params: Sequence[str] = (),
        initiator: object | None = None,
    ) -> int:
        """Store a message typed by staff and queue it for delivery; returns its local id."""
        text = text.strip()
        if not text and template_name is None:
            raise UserInputError("The message is empty.")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise UserInputError(
                f"The message is {len(text)} characters long; the limit is {MAX_MESSAGE_LENGTH}."
            )
        with self._store.write(initiator) as tx:
            message = Message(
                session_id=session_id,
                role="human",
                author_name=author_name,
                text=text,
                template_name=template_name,
                created_at=datetime.now(UTC),
                delivery="pending",
            )
            tx.session.add(message)
            tx.session.flush()
            payload: dict[str, Any] = {"message_id": message.id, "session_id": session_id}
            if template_name is None:
                payload["text"] = text
            else:
                payload["template_name"] = template_name
                if template_params:
                    payload["template_params"] = list(template_params)
            enqueue(tx, conversation_target(session_id), POST_MESSAGE, payload)
            local_id = message.id
        self._queued()
        return local_id

    # --- who "you" are --------------------------------------------------------
    async def current_staff(self) -> StaffRef:
        """The staff member the platform key belongs to (``GET /organizations/me``)."""
        if self._staff is None:
            org = await self._platform.get_organization()
            self._staff = org.staff
            with self._store.write() as tx:
                tx.session.merge(Setting(key=STAFF_SETTING, value=[org.staff.id, org.staff.name]))
        return self._staff

    def cached_staff(self) -> StaffRef | None:
        """The staff identity learnt on an earlier run (works offline)."""
        if self._staff is not None:
            return self._staff
        with self._store.read() as session:
            row = session.get(Setting, STAFF_SETTING)
        if row is None or not isinstance(row.value, list) or len(row.value) != 2:
            return None
        return StaffRef(id=str(row.value[0]), name=str(row.value[1]))

    # --- status changes (online only) ------------------------------------------
    async def take_over(self, session_id: str) -> None:
        """Hand the session to "you": the platform mutes the agent.

        Raises:
            ConversationTaken: a colleague handles it already (the store then
                shows who).
            NetworkError, Unavailable: offline; nothing changed.
        """
        async with self._lock(session_id):
            try:
                conversation = await self._platform.take_over(session_id)
            except Conflict as error:
                await self._refresh_after_conflict(session_id, error)
                raise
            await asyncio.to_thread(apply_conversations, self._store, [conversation])
            await asyncio.to_thread(self.mark_read, session_id)

    async def hand_back(self, session_id: str, reason: str | None = None) -> None:
        """Give the session back to the AI agent, with an optional recorded reason."""
        async with self._lock(session_id):
            try:
                conversation = await self._platform.hand_back(session_id, reason=reason or None)
            except Conflict as error:
                await self._refresh_after_conflict(session_id, error)
                raise
            await asyncio.to_thread(apply_conversations, self._store, [conversation])

    async def close(self, session_id: str, reason: str | None = None) -> None:
        """Close the session (final)."""
        async with self._lock(session_id):
            try:
                conversation = await self._platform.close_conversation(
                    session_id, reason=reason or None
                )
            except Conflict as error:
                await self._refresh_after_conflict(session_id, error)
                raise
            await asyncio.to_thread(apply_conversations, self._store, [conversation])

    async def templates(self, session_id: str) -> tuple[Template, ...]:
        """Approved WhatsApp templates usable in this session."""
        return await self._platform.list_templates(session_id)

    async def _refresh_after_conflict(self, session_id: str, error: Conflict) -> None:
        # Show the current state (who has it, or that it is closed), then report.
        try:
            current = await self._platform.get_conversation(session_id)
        except ConsoleError:
            logger.info("could not refresh conversation %s after a conflict", session_id)
        else:
            await asyncio.to_thread(apply_conversations, self._store, [current])
            if current.handled_by is not None:
                raise ConversationTaken(
                    f"{current.handled_by.name} is already handling this conversation.",
                    handler=current.handled_by.name,
                    remote="platform",
                    status=409,
                ) from error
            if current.status == "closed":
                raise ConversationTaken(
                    "This conversation has been closed.", handler="", remote="platform", status=409
                ) from error

    def _lock(self, session_id: str) -> asyncio.Lock:
        return self._locks.setdefault(session_id, asyncio.Lock())

    # --- local state -----------------------------------------------------------
    def mark_read(self, session_id: str, *, initiator: object | None = None) -> None:
        """The user opened the session: its unread count goes to zero."""
        with self._store.write(initiator) as tx:
            result = tx.session.execute(
                update(Conversation)
                .where(Conversation.id == session_id, Conversation.unread != 0)
                .values(unread=0)
            )
            if result.rowcount:  # type: ignore[attr-defined]
                tx.touch("conversations", session_id)

    def retry_message(self, message_id: int, text: str | None = None) -> None:
        """Resend a failed message, optionally with edited text.

        Raises:
            UserInputError: the message is not failed, or the text is empty or too long.
        """
        with self._store.read() as session:
            message = session.get(Message, message_id)
            entry = session.scalars(
                select(OutboxEntry)
                .where(OutboxEntry.kind == POST_MESSAGE, OutboxEntry.status == "failed")
                .where(func.json_extract(OutboxEntry.payload, "$.message_id") == message_id)
                .order_by(OutboxEntry.id.desc())
            ).first()
        if message is None or message.delivery != "failed" or entry is None:
            raise UserInputError("Only a message that failed can be resent.")
        payload = dict(entry.payload)
        if text is not None and message.template_name is None:
            text = text.strip()
            if not text:
                raise UserInputError("The message is empty.")
            if len(text) > MAX_MESSAGE_LENGTH:
                raise UserInputError(
                    f"The message is {len(text)} characters long; "
                    f"the limit is {MAX_MESSAGE_LENGTH}."
                )
            payload["text"] = text
        with self._store.write() as tx:
            row = tx.session.get(Message, message_id)
            if row is not None:
                row.delivery = "pending"
                row.error = None
                row.created_at = datetime.now(UTC)
                if "text" in payload:
                    row.text = payload["text"]
        OutboxProcessor(self._store, self.outbox_handlers()).retry(entry.id, payload)
        self._queued()

    def arrived_since(self, session_id: str, seen_up_to: int, me: str) -> list[Message]:
        """Safe sending: customer messages and colleagues' replies the user has not seen.

        Args:
            seen_up_to: the highest local message id the thread showed when
                the user started typing. Local ids only grow as messages
                arrive (synced rows are upserted in place), so this needs no
                clock: the platform's timestamps and ours may disagree, and a
                message created earlier but delivered late was not seen either.
            me: the staff member's name (their own echoed replies do not count).
        """
        with self._store.read() as session:
            rows = session.scalars(
                select(Message)
                .where(Message.session_id == session_id, Message.id > seen_up_to)
                .where(
                    or_(
                        Message.role == "customer",
                        and_(Message.role == "human", Message.author_name != me),
                    )
                )
                .order_by(Message.created_at, Message.id)
            ).all()
        return list(rows)

    # --- canned responses ------------------------------------------------------
    def canned_responses(self, org_id: str) -> list[CannedResponse]:
        """The agency's canned responses (defaults until it saves its own)."""
        with self._store.read() as session:
            row = session.get(Setting, canned_key(org_id))
        if row is None or not isinstance(row.value, list):
            return list(DEFAULT_CANNED)
        return [
            CannedResponse(str(item.get("title", "")), str(item.get("text", "")))
            for item in row.value
            if isinstance(item, dict)
        ]

    def save_canned_responses(self, org_id: str, responses: Sequence[CannedResponse]) -> None:
        with self._store.write() as tx:
            tx.session.merge(
                Setting(
                    key=canned_key(org_id),
                    value=[{"title": r.title, "text": r.text} for r in responses],
                )
            )

    def outbox_handlers(self) -> dict[str, Handler]:
        return {
            POST_MESSAGE: Handler(
                self._deliver_message, delivered=_message_sent, rejected=_message_failed
            )
        }

    async def _deliver_message(self, delivery: Delivery) -> RemoteMessage:
        payload = delivery.payload
        return await self._platform.send_message(
            payload["session_id"],
            text=payload.get("text"),
            template_name=payload.get("template_name"),
            template_params=payload.get("template_params", ()),
            idempotency_key=delivery.idempotency_key,
        )


def _message_sent(tx: Transaction, delivery: Delivery, remote: RemoteMessage) -> None:
    local_id = delivery.payload["message_id"]
    # The platform's event for this message may have been applied first: keep
    # that row (same remote id) and drop the local copy, so it shows once.
    echoed = tx.session.scalar(select(Message.id).where(Message.remote_id == remote.id))
    if echoed is not None and echoed != local_id:
        tx.session.execute(delete(Message).where(Message.id == local_id))
        tx.touch("messages", local_id, echoed)
        return
    message = tx.session.get(Message, local_id)
    if message is None:
        return
    message.remote_id = remote.id
    message.delivery = "sent"
    message.error = None
    message.author_name = remote.author_name
    message.created_at = remote.created_at


def _message_failed(tx: Transaction, delivery: Delivery, error: ConsoleError) -> None:
    message = tx.session.get(Message, delivery.payload["message_id"])
    if message is not None:
        message.delivery = "failed"
        message.error = f"{error.user_text()} {error.user_action()}"


# --- inbox and thread queries (plain functions: views run them in a thread) ----
@dataclass(frozen=True)
class InboxFilter:
    """What the inbox shows. Empty values mean "any"."""

    status: str = ""
    channel: str = ""
    org_id: str = ""
    agent_id: str = ""
    since: datetime | None = None
    unread_only: bool = False
    needs_human: bool = False
    search: str = ""


@dataclass(frozen=True)
class InboxRow:
    """One inbox line, with everything the delegate paints precomputed."""

    id: str
    customer_name: str
    channel: str
    status: str
    org_id: str
    org_name: str
    agent_name: str
    handled_by: str | None
    handled_by_id: str | None
    handoff_requested: bool
    unread: int
    preview: str
    last_message_at: datetime | None
    credits_spent: float
    label: Label


@dataclass(frozen=True)
class InboxCounts:
    """Badge figures: sessions waiting for a human, and unread customer messages."""

    handoffs_waiting: int
    unread: int
    unread_sessions: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ThreadHeader:
    """The open session's header: who, where, which agent, the cost so far."""

    id: str
    customer_name: str
    customer_handle: str
    channel: str
    status: str
    org_id: str
    org_name: str
    agent_name: str
    handled_by: str | None
    handled_by_id: str | None
    handoff_requested: bool
    credits_spent: float
    window_closed: bool
    window_expires_at: datetime | None
    label: Label


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(query: Select[Any], flt: InboxFilter) -> Select[Any]:
    c = Conversation
    if flt.status:
        query = query.where(c.status == flt.status)
    if flt.channel:
        query = query.where(c.channel == flt.channel)
    if flt.org_id:
        query = query.where(c.org_id == flt.org_id)
    if flt.agent_id:
        query = query.where(c.agent_id == flt.agent_id)
    if flt.since is not None:
        query = query.where(c.last_message_at >= flt.since)
    if flt.unread_only:
        query = query.where(c.unread > 0)
    if flt.needs_human:
        query = query.where(c.status == "active", c.handoff_requested.is_(True))
    words = flt.search.strip()
    if words:
        pattern = f"%{_escape_like(words)}%"
        in_messages = (
            select(Message.session_id).where(Message.text.like(pattern, escape="\\")).distinct()
        )
        query = query.where(
            or_(
                c.customer_name.like(pattern, escape="\\"),
                c.customer_handle.like(pattern, escape="\\"),
                c.id.in_(in_messages),
            )
        )
    return query


def inbox_ids(store: Store, flt: InboxFilter) -> list[str]:
    """Ids of the matching sessions, newest activity first (cheap even for 10k)."""
    query = _filtered(select(Conversation.id), flt).order_by(
        Conversation.last_message_at.desc(), Conversation.id.desc()
    )
    with store.read() as session:
        return list(session.scalars(query))


@cache
def _inbox_rows_query() -> Select[*tuple[Any, ...]]:
    # Built once: constructing the statement cost more than running it
    # (about 2 of 6 ms per page of 48 rows while scrolling).
    c = Conversation
    org = aliased(Organization)
    return (
        select(
            c.id,
            c.customer_name,
            c.customer_handle,
            c.channel,
            c.status,
            c.org_id,
            org.name,
            Agent.name,
            c.handled_by,
            c.handled_by_id,
            c.handoff_requested,
            c.unread,
            c.preview,
            c.last_message_at,
            c.credits_spent,
        )
        .outerjoin(org, org.id == c.org_id)
        .outerjoin(Agent, Agent.id == c.agent_id)
        .where(c.id.in_(bindparam("ids", expanding=True)))
    )


def inbox_rows(store: Store, ids: Sequence[str], me_id: str | None) -> list[InboxRow]:
    """The rows of `ids`, in that order (ids that vanished are skipped).

    Plain columns, no ORM entities: this runs on the UI thread when the
    inbox fetches its next page while scrolling.
    """
    if not ids:
        return []
    query = _inbox_rows_query()
    rows: dict[str, InboxRow] = {}
    with store.read() as session:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            for (
                session_id,
                name,
                handle,
                channel,
                status,
                org_id,
                org_name,
                agent_name,
                handled_by,
                handled_by_id,
                handoff,
                unread,
                preview,
                last_at,
                credits,
            ) in session.execute(query, {"ids": chunk}):
                rows[session_id] = InboxRow(
                    id=session_id,
                    customer_name=name or handle or "Visitor",
                    channel=channel,
                    status=status,
                    org_id=org_id,
                    org_name=org_name or "",
                    agent_name=agent_name or "",
                    handled_by=handled_by,
                    handled_by_id=handled_by_id,
                    handoff_requested=bool(handoff),
                    unread=unread,
                    preview=" ".join(preview.split()),
                    last_message_at=_aware(last_at) if last_at else None,
                    credits_spent=credits,
                    label=conversation_label(status, bool(handoff), handled_by_id, me_id),
                )
    return [rows[i] for i in ids if i in rows]


def inbox_counts(store: Store, me_id: str | None) -> InboxCounts:
    """Handoffs waiting (active, a human asked for) and unread in sessions that are yours."""
    with store.read() as session:
        waiting = session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.status == "active", Conversation.handoff_requested.is_(True))
        )
        mine = session.execute(
            select(Conversation.id, Conversation.unread).where(
                Conversation.status == "handed_off",
                Conversation.handled_by_id == me_id,
                Conversation.unread > 0,
            )
        ).all()
    return InboxCounts(
        handoffs_waiting=int(waiting or 0),
        unread=sum(int(n) for _, n in mine),
        unread_sessions=frozenset(str(i) for i, _ in mine),
    )


def waiting_sessions(store: Store, me_id: str | None) -> dict[str, str]:
    """Sessions needing a human now: handoff asked, or a customer wrote in one of yours.

    Returns:
        session id -> a one-line reason for the notification.
    """
    with store.read() as session:
        rows = session.execute(
            select(
                Conversation.id,
                Conversation.customer_name,
                Conversation.status,
                Conversation.preview,
            ).where(
                or_(
                    and_(Conversation.status == "active", Conversation.handoff_requested.is_(True)),
                    and_(
                        Conversation.status == "handed_off",
                        Conversation.handled_by_id == me_id,
                        Conversation.unread > 0,
                    ),
                )
            )
        ).all()
    result: dict[str, str] = {}
    for session_id, name, status, preview in rows:
        who = name or "A customer"
        if status == "active":
            result[session_id] = f"{who} asks for a human: {preview[:80]}"
        else:
            result[session_id] = f"{who}: {preview[:80]}"
    return result


def thread_messages(store: Store, session_id: str) -> list[Message]:
    """All messages of a session, oldest first (detached rows)."""
    with store.read() as session:
        return list(
            session.scalars(
                select(Message)
                .where(Message.session_id == session_id)
                .order_by(Message.created_at, Message.id)
            )
        )


def thread_messages_after(
    store: Store, session_id: str, after_id: int, also: Collection[int] = ()
) -> list[Message]:
    """A session's messages with a local id above `after_id`, plus the rows `also`.

    What an open thread re-reads on a live change: local ids only grow as
    messages arrive (synced rows are upserted in place), and `also` names the
    rows still changing (ours, pending or failed). Oldest first.
    """
    with store.read() as session:
        return list(
            session.scalars(
                select(Message)
                .where(
                    Message.session_id == session_id,
                    or_(Message.id > after_id, Message.id.in_(list(also))),
                )
                .order_by(Message.created_at, Message.id)
            )
        )


def thread_header(
    store: Store, session_id: str, me_id: str | None, now: datetime | None = None
) -> ThreadHeader | None:
    with store.read() as session:
        found = session.execute(
            select(Conversation, Organization.name, Agent.name)
            .outerjoin(Organization, Organization.id == Conversation.org_id)
            .outerjoin(Agent, Agent.id == Conversation.agent_id)
            .where(Conversation.id == session_id)
        ).first()
    if found is None:
        return None
    conv, org_name, agent_name = found
    expires = conv.reply_window_expires_at
    if expires is None and conv.last_customer_message_at is not None:
        expires = _aware(conv.last_customer_message_at) + WHATSAPP_WINDOW
    return ThreadHeader(
        id=conv.id,
        customer_name=conv.customer_name or conv.customer_handle or "Visitor",
        customer_handle=conv.customer_handle,
        channel=conv.channel,
        status=conv.status,
        org_id=conv.org_id,
        org_name=org_name or "",
        agent_name=agent_name or "",
        handled_by=conv.handled_by,
        handled_by_id=conv.handled_by_id,
        handoff_requested=bool(conv.handoff_requested),
        credits_spent=conv.credits_spent,
        window_closed=window_closed(conv, now),
        window_expires_at=_aware(expires) if expires else None,
        label=conversation_label(
            conv.status, bool(conv.handoff_requested), conv.handled_by_id, me_id
        ),
    )


def filter_options(store: Store) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(clients, agents) as (id, name) pairs for the filter menus."""
    with store.read() as session:
        orgs = session.execute(
            select(Organization.id, Organization.name).order_by(
                Organization.parent_id.is_not(None), Organization.name
            )
        ).all()
        agents = session.execute(select(Agent.id, Agent.name).order_by(Agent.name)).all()
    return [(str(i), str(n)) for i, n in orgs], [(str(i), str(n)) for i, n in agents]
