"""Write typed platform objects into the store (upserts, one transaction per batch).

Used by the initial sync and by live events alike, so a change looks the same
in the store whichever way it arrived; applying the same object twice is
harmless. Objects that carry the platform's `updatedAt` (clients, builder apps,
conversations) change a stored row only when they are newer than it: pages and
events overlap and arrive out of order, and an older one must not put back
what a newer one already set.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects.sqlite import insert

from console.services.platform.models import (
    Agent,
    BuilderApp,
    ChildOrganization,
    Conversation,
    CreditBalance,
    CreditTransaction,
    Message,
    Organization,
)
from console.store import models as m
from console.store.db import Store, Transaction

logger = logging.getLogger(__name__)


def _upsert(
    store: Store,
    table: Any,
    rows: Sequence[dict[str, Any]],
    key: str,
    *,
    initiator: object | None = None,
) -> None:
    if not rows:
        return
    with store.write(initiator) as tx:
        tx.session.execute(_upsert_statement(table, rows[0], key), rows)
        tx.touch(table.__tablename__, *(row[key] for row in rows))


def _upsert_statement(table: Any, sample: dict[str, Any], key: str) -> Any:
    """INSERT .. ON CONFLICT DO UPDATE, executed once per row list (executemany)."""
    stmt = insert(table)
    columns = {c: stmt.excluded[c] for c in sample if c != key}
    return stmt.on_conflict_do_update(index_elements=[key], set_=columns)


def _upsert_newer(tx: Transaction, table: Any, rows: Sequence[dict[str, Any]], key: str) -> None:
    """Upsert `rows` by `key`, never changing a stored row to an older version.

    The comparison is on `remote_updated_at` inside the statement itself, so
    a write that lands between a read and this upsert cannot be undone by it.
    An equal time is applied: the platform's times have millisecond
    resolution, and of two changes in one millisecond the change log brings
    the later one last. Older rows are left out (logged at debug) and only the
    rows written are touched: an empty id set would mean "many rows".
    """
    t = cast(Table, table.__table__)
    stmt = insert(t)
    newer = t.c.remote_updated_at.is_(None) | (
        stmt.excluded.remote_updated_at >= t.c.remote_updated_at
    )
    upsert = stmt.on_conflict_do_update(
        index_elements=[key],
        set_={c: stmt.excluded[c] for c in rows[0] if c != key},
        where=newer,
    ).returning(t.c.id, t.c[key])
    written = tx.session.execute(upsert, list(rows)).all()
    ignored = {row[key] for row in rows} - {k for _, k in written}
    if ignored:
        logger.debug("%s older than stored, ignored: %s", t.name, sorted(ignored))
    if written:
        tx.touch(t.name, *(row_id for row_id, _ in written))


def _remote_time(moment: datetime) -> datetime:
    """In UTC: the store keeps times as text, so only one offset compares in order."""
    return moment.astimezone(UTC)


def apply_organization(store: Store, org: Organization) -> None:
    _upsert(
        store,
        m.Organization,
        [
            {
                "id": org.id,
                "parent_id": org.parent_id,
                "name": org.name,
                "slug": org.slug,
                "tier": org.tier,
                "status": "active",
                "limits": {
                    "builder_apps": org.limits.builder_apps,
                    "checkout_instances": org.limits.checkout_instances,
                    "custom_domains": org.limits.custom_domains,
                    "monthly_credits": org.limits.monthly_credits,
                    "badge_required": org.limits.badge_required,
                    "white_label": org.limits.white_label,
                },
                "pending": False,
                "updated_at": datetime.now(UTC),
            }
        ],
        "id",
    )


def apply_children(store: Store, children: Sequence[ChildOrganization]) -> None:
    """Clients take the agency's plan, as stored (a child's own payload carries none)."""
    if not children:
        return
    with store.read() as session:
        tier = session.scalar(select(m.Organization.tier).where(m.Organization.parent_id.is_(None)))
    rows: list[dict[str, Any]] = [
        {
            "id": c.id,
            "parent_id": c.parent_id,
            "name": c.name,
            "slug": c.slug,
            "tier": tier or "free",
            "status": c.status,
            "contact_email": c.contact_email,
            "brand_color": c.brand_primary_color,
            "logo_url": c.brand_logo_url,
            "portal_url": c.portal_url,
            "limits": {},
            "pending": False,
            "updated_at": c.updated_at,
            "remote_updated_at": _remote_time(c.updated_at),
        }
        for c in children
    ]
    with store.write() as tx:
        _upsert_newer(tx, m.Organization, rows, "id")


def apply_builder_apps(store: Store, apps: Sequence[BuilderApp]) -> None:
    """Upsert by remote id; a local draft that was created remotely keeps its row.

    One INSERT .. ON CONFLICT, not read-then-insert: the outbox gives a local
    draft its remote id as soon as the platform created it, which can happen
    between such a read and the insert (the app this event is about). An app
    not newer than the stored row is ignored (a stale event must not put back
    the repository URL a publish set).
    """
    if not apps:
        return
    rows = [
        {
            "remote_id": app.id,
            "org_id": app.org_id,
            "name": app.name,
            "slug": app.slug,
            "description": app.description,
            "status": app.status,
            "architecture": app.architecture,
            "categories": list(app.categories),
            "repo_url": app.repo_url,
            "production_url": app.production_url,
            "deployment_status": app.deployment_status,
            "source": "platform",
            "created_at": app.created_at,
            "updated_at": app.updated_at,
            "remote_updated_at": _remote_time(app.updated_at),
        }
        for app in apps
    ]
    with store.write() as tx:
        _upsert_newer(tx, m.Project, rows, "remote_id")


def apply_agents(store: Store, agents: Sequence[Agent]) -> None:
    _upsert(
        store,
        m.Agent,
        [
            {"id": a.id, "org_id": a.org_id, "name": a.name, "model": a.model, "status": a.status}
            for a in agents
        ],
        "id",
    )


def _conversation_row(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.id,
        "org_id": c.org_id,
        "agent_id": c.agent_id,
        "channel": c.channel,
        "status": c.status,
        "customer_name": c.customer_name,
        "customer_handle": c.customer_handle,
        "handled_by": c.handled_by.name if c.handled_by else None,
        "handled_by_id": c.handled_by.id if c.handled_by else None,
        "handoff_requested": c.handoff_requested,
        "last_message_at": c.last_message_at,
        "last_customer_message_at": c.last_customer_message_at,
        "reply_window_expires_at": c.reply_window_expires_at,
        "message_count": c.message_count,
        "credits_spent": c.credits_spent,
        "updated_at": c.updated_at,
        "remote_updated_at": _remote_time(c.updated_at),
    }


def apply_conversations(store: Store, conversations: Sequence[Conversation]) -> None:
    if not conversations:
        return
    rows = [_conversation_row(c) for c in conversations]
    with store.write() as tx:
        _upsert_newer(tx, m.Conversation, rows, "id")


def _message_row(msg: Message) -> dict[str, Any]:
    return {
        "remote_id": msg.id,
        "session_id": msg.session_id,
        "role": msg.role,
        "author_name": msg.author_name,
        "text": msg.text,
        "created_at": msg.created_at,
        "credits": msg.credits,
        "tool_calls": msg.tool_calls,
        "template_name": msg.template_name,
        "delivery": "sent",
    }


def apply_messages(store: Store, messages: Sequence[Message], *, initial: bool = False) -> None:
    """Upsert messages by remote id and keep each conversation's preview current.

    Live (not `initial`) customer messages also raise the conversation's
    unread count; the initial sync starts every conversation as read.
    """
    if not messages:
        return
    rows = [_message_row(msg) for msg in messages]
    latest: dict[str, Message] = {}
    for msg in messages:
        if msg.session_id not in latest or msg.created_at >= latest[msg.session_id].created_at:
            latest[msg.session_id] = msg
    with store.write() as tx:
        new_ids: set[str] = set()
        if not initial:
            existing = set(
                tx.session.scalars(
                    select(m.Message.remote_id).where(
                        m.Message.remote_id.in_([r["remote_id"] for r in rows])
                    )
                )
            )
            new_ids = {r["remote_id"] for r in rows} - existing
        tx.session.execute(_upsert_statement(m.Message, rows[0], "remote_id"), rows)
        conversations = cast(Table, m.Conversation.__table__)
        tx.session.execute(
            update(conversations)
            .where(conversations.c.id == bindparam("session"))
            .values(preview=bindparam("preview")),
            [{"session": sid, "preview": msg.text[:140]} for sid, msg in latest.items()],
        )
        unread = Counter(
            msg.session_id for msg in messages if msg.id in new_ids and msg.role == "customer"
        )
        if unread:
            tx.session.execute(
                update(conversations)
                .where(conversations.c.id == bindparam("session"))
                .values(unread=conversations.c.unread + bindparam("added")),
                [{"session": sid, "added": n} for sid, n in unread.items()],
            )
        tx.touch("messages", *(r["remote_id"] for r in rows))
        tx.touch("conversations", *latest)


def apply_balance(store: Store, balance: CreditBalance) -> None:
    with store.write() as tx:
        tx.session.add(
            m.CreditBalance(
                org_id=balance.org_id,
                daily=balance.daily,
                monthly=balance.monthly,
                purchased=balance.purchased,
                monthly_allocation=balance.monthly_allocation or 0.0,
                taken_at=balance.updated_at,
            )
        )


def apply_transactions(store: Store, transactions: Sequence[CreditTransaction]) -> None:
    _upsert(
        store,
        m.CreditTransaction,
        [
            {
                "id": t.id,
                "org_id": t.org_id,
                "agent_id": t.agent_id,
                "session_id": t.session_id,
                "kind": t.kind,
                "amount": t.amount,
                "description": t.description,
                "created_at": t.created_at,
            }
            for t in transactions
        ],
        "id",
    )


def get_cursor(store: Store, name: str) -> str | None:
    with store.read() as session:
        row = session.get(m.SyncCursor, name)
        return row.value if row else None


def set_cursor(store: Store, name: str, value: str) -> None:
    with store.write() as tx:
        tx.session.merge(m.SyncCursor(name=name, value=value, updated_at=datetime.now(UTC)))
