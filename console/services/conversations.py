"""Conversations: the inbox, sending as a human, take over, hand back, close.

Sending never talks to the platform directly: the message is written to the
store as `pending` together with an outbox row (one transaction), shows at
once, and the sync engine delivers it exactly once, in order per
conversation, when the platform is reachable. A failed message can be edited
and resent (the outbox row is put back with the new text and a new key).

Safe sending: each queued reply records what its author had seen (the newest
customer message or staff reply shown, as the platform's id), and the send
carries it. If the customer wrote or staff replied after that, or someone
else took the conversation over, the platform refuses it and the reply is
*held*: nothing is sent and nothing is lost; the thread shows it with what
arrived meanwhile, and the author sends it anyway (with the newest message
now seen as the new precondition), edits it, or discards it. The view's own
check before queuing is a courtesy; the platform is the authority, also for
replies written offline and delivered later.

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
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Literal

from sqlalchemy import Select, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from console.errors import Conflict, ConsoleError, UserInputError
from console.services.platform.client import (
    UNSET,
    HandledByOther,
    PlatformClient,
    StaleContext,
    Unset,
)
from console.services.platform.models import Message as RemoteMessage
from console.services.platform.models import StaffRef, Template
from console.services.sync.apply import apply_conversations, apply_messages
from console.services.sync.outbox import Delivery, Handler, enqueue, reset_entry
from console.store.db import Store, Transaction
from console.store.models import Agent, Conversation, Message, Organization, OutboxEntry, Setting

logger = logging.getLogger(__name__)

POST_MESSAGE = "message.post"
MAX_MESSAGE_LENGTH = 4096
#: Outbox payload keys of a reply: what its author had seen (a platform message
#: id, or None: nothing; absent: no check), and why it is held.
SEEN_KEY = "last_seen_message_id"
HELD_KEY = "held"
#: A held reply lists at most this many of the messages that arrived meanwhile.
HELD_SHOWN = 20


STAFF_SETTING = "conversations.staff"
#: WhatsApp customer-care window: free text only this long after the customer wrote.
WHATSAPP_WINDOW = timedelta(hours=24)

Label = Literal["ai", "waiting", "you", "colleague", "closed"]
HeldReason = Literal["customer", "reply", "taken"]


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
class MessageItem:
    """A conversation message as views see it: plain data, detached from the store.

    The fields of the store's message row (`console.store.models.Message`);
    `delivery` is pending, sent, failed or held for messages typed here.
    """

    id: int
    session_id: str
    role: str  # customer | agent | human | system
    created_at: datetime
    remote_id: str | None = None
    author_name: str = ""
    text: str = ""
    credits: float = 0.0
    tool_calls: int = 0
    template_name: str | None = None
    delivery: str = "sent"
    error: str | None = None

    @classmethod
    def of(cls, row: Message) -> MessageItem:
        return cls(
            id=row.id,
            session_id=row.session_id,
            role=row.role,
            created_at=row.created_at,
            remote_id=row.remote_id,
            author_name=row.author_name,
            text=row.text,
            credits=row.credits,
            tool_calls=row.tool_calls,
            template_name=row.template_name,
            delivery=row.delivery,
            error=row.error,
        )


def _items(rows: Iterable[Message]) -> list[MessageItem]:
    return [MessageItem.of(row) for row in rows]


@dataclass(frozen=True)
class HeldReply:
    """A reply the platform did not send because the conversation moved on.

    Attributes:
        message: the reply (delivery ``held``).
        reason: ``customer`` (the customer wrote meanwhile), ``reply``
            (someone replied meanwhile) or ``taken`` (someone else took the
            conversation over).
        newer: the customer's messages and staff replies after what its
            author had seen, oldest first (the newest `HELD_SHOWN`).
        handler: for ``taken``, who has the conversation now.
    """

    message: MessageItem
    reason: HeldReason
    newer: tuple[MessageItem, ...]
    handler: str | None = None

    def headline(self) -> str:
        return _held_headline(self.reason, self.handler)


def _held_headline(reason: HeldReason, handler: str | None) -> str:
    if reason == "taken":
        return f"{handler or 'Someone else'} took over meanwhile."
    if reason == "reply":
        return "Someone replied meanwhile."
    return "The customer wrote meanwhile."


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
        seen_up_to: int | None = None,
        initiator: object | None = None,
    ) -> int:
        """Store a message typed by staff and queue it for delivery; returns its local id.

        Args:
            session_id: the conversation.
            text: the reply (ignored for a template).
            author_name: shown until the platform confirms the author.
            template_name: an approved template (WhatsApp) instead of text.
            template_params: the template's values.
            seen_up_to: safe sending: the highest local message id shown to
                the author when they sent it. The platform refuses the reply
                if the customer wrote or staff replied after that, and it is
                held (see `held_replies`). None: no such check (scripts).
            initiator: the ChangeSet's initiator.

        Raises:
            UserInputError: the message is empty or too long.
        """
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
            if seen_up_to is not None:
                payload[SEEN_KEY] = _newest_seen(tx.session, session_id, seen_up_to)
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

    def retry_message(
        self, message_id: int, text: str | None = None, *, seen_up_to: int | None = None
    ) -> None:
        """Send a failed or held reply again, optionally with edited text.

        Args:
            message_id: the reply's local id.
            text: the edited text; None keeps it.
            seen_up_to: the highest local message id shown to the author now
                (for a held reply: what arrived meanwhile is seen), the new
                precondition. None keeps the one recorded with the reply.

        Raises:
            UserInputError: the message is not failed or held, or the text is
                empty or too long.
        """
        # One transaction: a crash between resetting the message and its outbox
        # row would leave the message pending with nothing to send it.
        with self._store.write() as tx:
            message = tx.session.get(Message, message_id)
            entry = _unsent_entry(tx.session, message_id)
            if message is None or message.delivery not in ("failed", "held") or entry is None:
                raise UserInputError("Only a message that failed or is held can be sent again.")
            payload = dict(entry.payload)
            payload.pop(HELD_KEY, None)
            if seen_up_to is not None:
                payload[SEEN_KEY] = _newest_seen(tx.session, message.session_id, seen_up_to)
            if text is not None and message.template_name is None:
                payload["text"] = _checked_text(text)
            message.delivery = "pending"
            message.error = None
            message.created_at = datetime.now(UTC)
            if "text" in payload:
                message.text = payload["text"]
            reset_entry(tx, entry.id, payload)
        self._queued()

    def discard_message(self, message_id: int, *, initiator: object | None = None) -> None:
        """Drop a held or failed reply for good (the user confirmed); it was never sent.

        Raises:
            UserInputError: the reply is not held or failed (it may be on its way).
        """
        with self._store.write(initiator) as tx:
            message = tx.session.get(Message, message_id)
            entry = _unsent_entry(tx.session, message_id)
            if message is None or message.delivery not in ("failed", "held") or entry is None:
                raise UserInputError("Only a reply that was not sent can be discarded.")
            tx.session.delete(entry)
            tx.session.delete(message)
        logger.info("reply %s discarded unsent", message_id)

    def arrived_since(self, session_id: str, seen_up_to: int, me: str) -> list[MessageItem]:
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
            return _items(rows)

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
        session_id = payload["session_id"]
        seen: str | Unset | None = payload.get(SEEN_KEY, UNSET)
        try:
            return await self._platform.send_message(
                session_id,
                text=payload.get("text"),
                template_name=payload.get("template_name"),
                template_params=payload.get("template_params", ()),
                last_seen_message_id=seen,
                idempotency_key=delivery.idempotency_key,
            )
        except StaleContext as error:
            # The held reply shows with what arrived meanwhile at once, also
            # when this console is just back online and has not synced yet.
            await asyncio.to_thread(apply_messages, self._store, error.newer)
            raise
        except HandledByOther:
            await self._catch_up(session_id, None if isinstance(seen, Unset) else seen)
            raise

    async def _catch_up(self, session_id: str, after: str | None) -> None:
        """Bring in who has the session now and what they wrote (a reply was held)."""
        try:
            conversation = await self._platform.get_conversation(session_id)
            page = await self._platform.list_messages(session_id, after=after, limit=200)
        except ConsoleError as error:
            # The sync engine brings them later; the reply is held either way.
            logger.info("could not catch up on %s: %s", session_id, type(error).__name__)
            return
        await asyncio.to_thread(apply_conversations, self._store, [conversation])
        await asyncio.to_thread(apply_messages, self._store, page.items)


def _newest_seen(session: Session, session_id: str, seen_up_to: int) -> str | None:
    """The platform id of the newest customer message or staff reply shown (local id <= seen_up_to).

    Only those count for the platform's check; the author's own replies not
    yet sent have no platform id yet (see `_count_as_seen`).
    """
    return session.scalar(
        select(Message.remote_id)
        .where(
            Message.session_id == session_id,
            Message.id <= seen_up_to,
            Message.remote_id.is_not(None),
            Message.role.in_(("customer", "human")),
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )


def _checked_text(text: str) -> str:
    """An edited reply's text, stripped; `UserInputError` if empty or too long."""
    text = text.strip()
    if not text:
        raise UserInputError("The message is empty.")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise UserInputError(
            f"The message is {len(text)} characters long; the limit is {MAX_MESSAGE_LENGTH}."
        )
    return text


def _unsent_entry(session: Session, message_id: int) -> OutboxEntry | None:
    """The outbox row of a reply the platform refused (failed or held)."""
    return session.scalars(
        select(OutboxEntry)
        .where(OutboxEntry.kind == POST_MESSAGE, OutboxEntry.status == "failed")
        .where(func.json_extract(OutboxEntry.payload, "$.message_id") == message_id)
        .order_by(OutboxEntry.id.desc())
    ).first()


def _count_as_seen(tx: Transaction, delivery: Delivery, remote: RemoteMessage) -> None:
    """Replies queued before this one was sent had it in view: count it as seen.

    Otherwise the platform would hold the next of two quick replies as
    "someone replied meanwhile". Only rows never tried change: a tried row
    may have reached the platform, and its key must replay that request.
    A row whose author already saw something newer keeps it.
    """
    rows = tx.session.scalars(
        select(OutboxEntry).where(
            OutboxEntry.target == delivery.target,
            OutboxEntry.kind == POST_MESSAGE,
            OutboxEntry.status == "pending",
            OutboxEntry.attempts == 0,
            OutboxEntry.id != delivery.id,
        )
    )
    for entry in rows:
        if SEEN_KEY not in entry.payload:
            continue
        seen = entry.payload[SEEN_KEY]
        seen_at = (
            tx.session.scalar(select(Message.created_at).where(Message.remote_id == seen))
            if seen is not None
            else None
        )
        if seen_at is None or _aware(seen_at) <= remote.created_at:
            entry.payload = {**entry.payload, SEEN_KEY: remote.id}


def _message_sent(tx: Transaction, delivery: Delivery, remote: RemoteMessage) -> None:
    _count_as_seen(tx, delivery, remote)
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
    if message is None:
        return
    if isinstance(error, StaleContext | HandledByOther):
        reason: HeldReason
        handler: str | None = None
        if isinstance(error, HandledByOther):
            reason, handler = "taken", error.handler.name
        elif any(m.role == "customer" for m in error.newer):
            reason = "customer"
        else:
            reason = "reply"
        entry = tx.session.get(OutboxEntry, delivery.id)
        if entry is not None:
            entry.payload = {**entry.payload, HELD_KEY: {"reason": reason, "handler": handler}}
        message.delivery = "held"
        message.error = _held_headline(reason, handler)
        return
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
    """Sessions needing a human now: handoff asked, a customer wrote in one of
    yours, or a reply of yours is held.

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
        # Two small queries, not a join: the outbox is small, the tables it
        # would be joined with are not, and the join is on a JSON field.
        held = [
            payload
            for payload in session.scalars(
                select(OutboxEntry.payload).where(
                    OutboxEntry.kind == POST_MESSAGE, OutboxEntry.status == "failed"
                )
            )
            if HELD_KEY in payload
        ]
        names: dict[str, str] = {
            session_id: name
            for session_id, name in session.execute(
                select(Conversation.id, Conversation.customer_name).where(
                    Conversation.id.in_({p["session_id"] for p in held})
                )
            )
        }
    result: dict[str, str] = {}
    for session_id, name, status, preview in rows:
        who = name or "A customer"
        if status == "active":
            result[session_id] = f"{who} asks for a human: {preview[:80]}"
        else:
            result[session_id] = f"{who}: {preview[:80]}"
    for payload in held:
        reason, handler = _held_reason(payload)
        name = names.get(payload["session_id"]) or "a customer"
        result[payload["session_id"]] = (
            f"Your reply to {name} is held: {_held_headline(reason, handler)}"
        )
    return result


def held_replies(store: Store, session_id: str) -> list[HeldReply]:
    """The session's held replies, oldest first, each with what arrived meanwhile."""
    with store.read() as session:
        payloads = {
            payload["message_id"]: payload
            for payload in session.scalars(
                select(OutboxEntry.payload).where(
                    OutboxEntry.target == conversation_target(session_id),
                    OutboxEntry.kind == POST_MESSAGE,
                    OutboxEntry.status == "failed",
                )
            )
            if HELD_KEY in payload
        }
        if not payloads:
            return []
        messages = session.scalars(
            select(Message)
            .where(Message.id.in_(payloads), Message.delivery == "held")
            .order_by(Message.created_at, Message.id)
        ).all()
        result: list[HeldReply] = []
        for message in messages:
            payload = payloads[message.id]
            reason, handler = _held_reason(payload)
            newer = _arrived_after(session, session_id, payload.get(SEEN_KEY))
            if reason == "reply" and any(m.role == "customer" for m in newer):
                reason = "customer"  # the customer wrote since, too
            result.append(HeldReply(MessageItem.of(message), reason, newer, handler))
    return result


def _held_reason(payload: dict[str, Any]) -> tuple[HeldReason, str | None]:
    held = payload.get(HELD_KEY) or {}
    reason = held.get("reason")
    handler = held.get("handler")
    return (
        reason if reason in ("customer", "reply", "taken") else "customer",
        handler if isinstance(handler, str) else None,
    )


def _arrived_after(session: Session, session_id: str, seen: str | None) -> tuple[MessageItem, ...]:
    """Customer messages and staff replies after the platform message `seen`."""
    query = select(Message).where(
        Message.session_id == session_id,
        Message.remote_id.is_not(None),
        Message.role.in_(("customer", "human")),
    )
    mark = (
        session.execute(
            select(Message.created_at, Message.id).where(Message.remote_id == seen)
        ).first()
        if seen is not None
        else None
    )
    if mark is not None:
        at, local_id = mark
        query = query.where(
            or_(Message.created_at > at, and_(Message.created_at == at, Message.id > local_id))
        )
    newest = session.scalars(
        query.order_by(Message.created_at.desc(), Message.id.desc()).limit(HELD_SHOWN)
    ).all()
    return tuple(MessageItem.of(row) for row in reversed(newest))


def thread_messages(store: Store, session_id: str) -> list[MessageItem]:
    """All messages of a session, oldest first."""
    with store.read() as session:
        return _items(
            session.scalars(
                select(Message)
                .where(Message.session_id == session_id)
                .order_by(Message.created_at, Message.id)
            )
        )


def thread_messages_after(
    store: Store, session_id: str, after_id: int, also: Collection[int] = ()
) -> list[MessageItem]:
    """A session's messages with a local id above `after_id`, plus the rows `also`.

    What an open thread re-reads on a live change: local ids only grow as
    messages arrive (synced rows are upserted in place), and `also` names the
    rows still changing (ours, pending or failed). Oldest first.
    """
    with store.read() as session:
        return _items(
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
