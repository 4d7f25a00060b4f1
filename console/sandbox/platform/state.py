"""The platform sandbox's state and rules, on SQLite.

`PlatformState` is synchronous and thread-safe: one connection, one
re-entrant lock, explicit transactions (`tx()`). The HTTP layer (app.py), the
traffic simulation and the in-process test API all go through it. Every
change appends to the change log (`events` table); listeners are told after
the commit, outside the lock.
"""

from __future__ import annotations

import json
import logging
import random
import re
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

from console.sandbox.platform import content
from console.sandbox.platform.db import centi, connect, credits
from console.sandbox.platform.errors import (
    ApiError,
    conflict,
    forbidden,
    not_found,
    reply_refused,
    validation_failed,
)
from console.sandbox.platform.models import (
    APP_STATUSES,
    ARCHITECTURES,
    CATEGORIES,
    CATEGORY_IDS,
    CHILD_STATUSES,
    CONVERSATION_STATUSES,
    DAILY_CREDITS,
    JSON,
    OBJECT_TYPES,
    SCOPES,
    TIER_LIMITS,
    TIERS,
    WEBHOOK_EVENTS,
    Agent,
    ApiKeyInfo,
    ApiKeyRecord,
    BuilderApp,
    Conversation,
    CreditBalance,
    CreditTransaction,
    Event,
    EventType,
    Message,
    OAuthClient,
    Organization,
    StaffRef,
    Template,
    TickResult,
    Tier,
    Turn,
    Webhook,
)
from console.sandbox.platform.seed import SeedIds, SeedScale, hash_key, read_ids, seed_database
from console.sandbox.platform.timeutil import Clock, iso, parse_iso
from console.sandbox.platform.validation import (
    COLOR,
    SLUG,
    Body,
    decode_cursor,
    encode_cursor,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: A `stale_context` refusal lists at most this many newer messages (platform.yaml).
STALE_CONTEXT_SHOWN = 20

WHATSAPP_WINDOW = timedelta(hours=24)
#: Stripe events that carry a Checkout Session whose money may have arrived.
GRANTING_STRIPE_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
)
TOOLS = (
    "check_availability",
    "create_booking",
    "lookup_order",
    "get_price_list",
    "search_knowledge_base",
    "send_confirmation",
)


@dataclass(frozen=True)
class Caller:
    """Who is calling and in which organization they act."""

    staff: StaffRef
    key_org_id: str
    acting_org_id: str
    scope: tuple[str, ...]
    pool_org_id: str


@dataclass(frozen=True)
class TrafficConfig:
    """Live traffic: customers writing in, the agent answering, credits spent.

    Attributes:
        rate_per_second: traffic steps per second (background task in the app's lifespan).
        new_conversation_probability: chance that a step starts a new conversation.
        handoff_probability: chance that a customer asks for a human.
        close_probability: chance that the agent closes a conversation as resolved.
        tool_call_probability: chance that an agent answer makes tool calls (1-2).
        llm_message_cost: credits per agent LLM message.
        tool_call_cost_range: credits per tool call (min, max; multiples of 0.5).
    """

    rate_per_second: float = 0.5
    new_conversation_probability: float = 0.1
    handoff_probability: float = 0.05
    close_probability: float = 0.03
    tool_call_probability: float = 0.35
    llm_message_cost: float = 1.0
    tool_call_cost_range: tuple[float, float] = (0.5, 2.0)


class PlatformState:
    """All platform data and rules (see module docstring)."""

    def __init__(
        self,
        db_path: Path | str,
        *,
        seed: int,
        scale: SeedScale | None,
        clock: Clock,
    ) -> None:
        self.clock = clock
        self._conn = connect(db_path)
        self._lock = threading.RLock()
        self._depth = 0
        self._pending_notify = False
        self._listeners: list[Callable[[], None]] = []
        self._listeners_lock = threading.Lock()
        with self._lock:
            ids = read_ids(self._conn)
            if ids is None:
                ids = seed_database(self._conn, seed=seed, scale=scale or SeedScale(), now=clock())
            # Ids of new rows come from a seeded generator, so a fresh sandbox replays
            # identically; the boot count keeps them unique across restarts.
            boots = (
                self._scalar(
                    "SELECT coalesce(max(CAST(value AS INTEGER)), 0) FROM meta WHERE key = 'boots'"
                )
                + 1
            )
            self._conn.execute("INSERT OR REPLACE INTO meta VALUES ('boots', ?)", (str(boots),))
        self.ids: SeedIds = ids
        self._id_rng = random.Random(f"platform-ids:{seed}:{boots}")
        self.traffic_rng = random.Random(seed * 1_000_003 + 7)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- transactions and notifications -------------------------------------------------

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One (re-entrant) write transaction; listeners run after the outer commit."""
        notify = False
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self._conn
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                    self._pending_notify = False
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")
                notify, self._pending_notify = self._pending_notify, False
        if notify:
            self._notify()

    def add_listener(self, callback: Callable[[], None]) -> None:
        """Call `callback` (from any thread) after each commit that appended events."""
        with self._listeners_lock:
            self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[], None]) -> None:
        with self._listeners_lock:
            if callback in self._listeners:
                self._listeners.remove(callback)

    def _notify(self) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for callback in listeners:
            try:
                callback()
            except RuntimeError:
                # A listener whose event loop has gone away; it unregisters itself later.
                logger.debug("event listener failed", exc_info=True)

    def _one(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
        return row

    def _all(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        return self._conn.execute(sql, params).fetchall()

    def _now(self) -> datetime:
        return self.clock()

    # -- identity -----------------------------------------------------------------------

    def authenticate(
        self, authorization: str | None, org_header: str | None, staff_name: str | None
    ) -> Caller:
        """Resolve the caller, grant due daily/monthly credits.

        Raises:
            ApiError: 401 for a missing or unknown key, 403 for an org out of scope.
        """
        token = None
        if authorization:
            scheme, _, value = authorization.partition(" ")
            if scheme.lower() == "bearer" and value.strip():
                token = value.strip()
        if token is None:
            raise ApiError(401, "unauthorized", "missing bearer API key")
        with self.tx():
            row = self._one("SELECT * FROM staff WHERE key_hash = ?", (hash_key(token),))
            if row is None:
                raise ApiError(401, "unauthorized", "unknown API key")
            key_org = cast(str, row["org_id"])
            acting = (org_header or "").strip() or key_org
            if acting != key_org:
                child = self._one(
                    "SELECT id FROM orgs WHERE id = ? AND parent_id = ?", (acting, key_org)
                )
                if child is None:
                    raise forbidden(
                        "X-Organization-Id must be your organization or one of its children"
                    )
            scope = (acting, *self._child_ids(acting))
            name = (staff_name or "").strip()[:100] or cast(str, row["name"])
            pool = self._pool_of(acting)
            self._ensure_grants(pool)
        return Caller(StaffRef(cast(str, row["id"]), name), key_org, acting, scope, pool)

    def caller_for_staff(self, staff_id: str, org_id: str | None = None) -> Caller:
        """A Caller for in-process use (tests), without a key."""
        with self.tx():
            row = self._one("SELECT * FROM staff WHERE id = ?", (staff_id,))
            if row is None:
                raise not_found("staff member")
            acting = org_id or cast(str, row["org_id"])
            scope = (acting, *self._child_ids(acting))
            return Caller(
                StaffRef(staff_id, cast(str, row["name"])),
                cast(str, row["org_id"]),
                acting,
                scope,
                self._pool_of(acting),
            )

    def _child_ids(self, org_id: str) -> list[str]:
        rows = self._all("SELECT id FROM orgs WHERE parent_id = ? ORDER BY id", (org_id,))
        return [cast(str, r["id"]) for r in rows]

    def _pool_of(self, org_id: str) -> str:
        current = org_id
        for _ in range(8):
            row = self._one("SELECT parent_id FROM orgs WHERE id = ?", (current,))
            if row is None or row["parent_id"] is None:
                return current
            current = cast(str, row["parent_id"])
        return current

    def _scope_filter(self, caller: Caller, org_id: str | None) -> tuple[str, ...]:
        if org_id is None or org_id == "":
            return caller.scope
        if org_id not in caller.scope:
            raise forbidden("orgId is outside your organization's scope")
        return (org_id,)

    # -- credits ------------------------------------------------------------------------

    def _tier(self, pool_id: str) -> Tier:
        row = self._one("SELECT tier FROM orgs WHERE id = ?", (pool_id,))
        tier = cast(str, row["tier"]) if row is not None else "free"
        return tier if tier in TIERS else "free"

    def _ensure_grants(self, pool_id: str) -> None:
        now = self._now()
        today, month = now.date().isoformat(), now.strftime("%Y-%m")
        pool = self._one("SELECT * FROM pools WHERE org_id = ?", (pool_id,))
        if pool is None:
            return
        changed = False
        if pool["last_monthly_grant"] != month:
            tier = self._tier(pool_id)
            allocation = TIER_LIMITS[tier].monthly_credits
            amount = centi(allocation or 0.0)
            self._conn.execute(
                "UPDATE pools SET monthly = ?, last_monthly_grant = ? WHERE org_id = ?",
                (amount, month, pool_id),
            )
            self._add_tx(
                pool_id,
                pool_id,
                None,
                None,
                "monthly_grant",
                amount,
                f"Monthly allocation ({tier.capitalize()})",
            )
            changed = True
        if pool["last_daily_grant"] != today:
            self._conn.execute(
                "UPDATE pools SET daily = ?, last_daily_grant = ? WHERE org_id = ?",
                (centi(DAILY_CREDITS), today, pool_id),
            )
            self._add_tx(
                pool_id,
                pool_id,
                None,
                None,
                "daily_grant",
                centi(DAILY_CREDITS),
                "Daily login credits",
            )
            changed = True
        if changed:
            self._touch_pool(pool_id)

    def _add_tx(
        self,
        pool_id: str,
        org_id: str,
        agent_id: str | None,
        session_id: str | None,
        kind: str,
        amount: int,
        description: str,
    ) -> str:
        """Record a transaction; returns its id."""
        tx_id = self._new_id("ctx")
        self._conn.execute(
            "INSERT INTO credit_tx (id, pool_org_id, org_id, agent_id, session_id, kind, amount,"
            " description, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                tx_id,
                pool_id,
                org_id,
                agent_id,
                session_id,
                kind,
                amount,
                description,
                iso(self._now()),
            ),
        )
        return tx_id

    def _touch_pool(self, pool_id: str) -> None:
        self._conn.execute(
            "UPDATE pools SET updated_at = ? WHERE org_id = ?", (iso(self._now()), pool_id)
        )
        self._emit("credits.changed", pool_id, self._balance(pool_id).to_json())

    def _balance(self, pool_id: str) -> CreditBalance:
        row = self._one("SELECT * FROM pools WHERE org_id = ?", (pool_id,))
        if row is None:
            raise not_found("credit pool")
        tier = self._tier(pool_id)
        return CreditBalance(
            org_id=pool_id,
            tier=tier,
            daily=credits(row["daily"]),
            monthly=credits(row["monthly"]),
            purchased=credits(row["purchased"]),
            monthly_allocation=TIER_LIMITS[tier].monthly_credits,
            updated_at=cast(str, row["updated_at"]),
        )

    def _spend(
        self,
        pool_id: str,
        org_id: str,
        agent_id: str,
        session_id: str,
        items: list[tuple[str, int, str]],
    ) -> int:
        """Charge items (kind, centi, description) daily-first; return centi charged."""
        row = self._one("SELECT daily, monthly, purchased FROM pools WHERE org_id = ?", (pool_id,))
        if row is None:
            return 0
        parts = [int(row["daily"]), int(row["monthly"]), int(row["purchased"])]
        unlimited = TIER_LIMITS[self._tier(pool_id)].monthly_credits is None
        charged = 0
        for kind, cost, description in items:
            amount = cost if unlimited else min(cost, sum(parts))
            if amount <= 0:
                continue
            remaining = amount
            for index in range(3):
                if unlimited:
                    break
                take = min(parts[index], remaining)
                parts[index] -= take
                remaining -= take
            charged += amount
            self._add_tx(pool_id, org_id, agent_id, session_id, kind, -amount, description)
        if charged:
            self._conn.execute(
                "UPDATE pools SET daily = ?, monthly = ?, purchased = ? WHERE org_id = ?",
                (*parts, pool_id),
            )
            self._touch_pool(pool_id)
        return charged

    def _pool_empty(self, pool_id: str) -> bool:
        balance = self._balance(pool_id)
        return balance.monthly_allocation is not None and balance.total <= 0

    def balance(self, caller: Caller) -> CreditBalance:
        with self.tx():
            return self._balance(caller.pool_org_id)

    def set_balance(
        self,
        pool_id: str,
        *,
        daily: float | None = None,
        monthly: float | None = None,
        purchased: float | None = None,
    ) -> CreditBalance:
        with self.tx():
            for column, value in (("daily", daily), ("monthly", monthly), ("purchased", purchased)):
                if value is not None:
                    self._conn.execute(
                        f"UPDATE pools SET {column} = ? WHERE org_id = ?", (centi(value), pool_id)
                    )
            self._touch_pool(pool_id)
            return self._balance(pool_id)

    def set_tier(self, org_id: str, tier: Tier) -> None:
        with self.tx():
            self._conn.execute(
                "UPDATE orgs SET tier = ?, updated_at = ? WHERE id = ?",
                (tier, iso(self._now()), org_id),
            )
            org = self._org(org_id)
            if org is not None:
                self._emit("organization.updated", org_id, org.to_summary_json())

    def list_transactions(
        self,
        caller: Caller,
        *,
        agent_id: str | None = None,
        org_id: str | None = None,
        session_id: str | None = None,
        checkout_session_id: str | None = None,
        kind: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[CreditTransaction], str | None]:
        with self.tx():
            orgs = self._scope_filter(caller, org_id)
            sql = (
                "SELECT * FROM credit_tx LEFT JOIN stripe_grants ON tx_id = id"
                f" WHERE pool_org_id = ? AND org_id IN ({_marks(orgs)})"
            )
            params: list[object] = [caller.pool_org_id, *orgs]
            for column, value in (
                ("agent_id", agent_id),
                ("session_id", session_id),
                ("checkout_session_id", checkout_session_id),
                ("kind", kind),
            ):
                if value:
                    sql += f" AND {column} = ?"
                    params.append(value)
            if since is not None:
                sql += " AND created_at >= ?"
                params.append(iso(since))
            if until is not None:
                sql += " AND created_at < ?"
                params.append(iso(until))
            return self._page(sql, params, "created_at", cursor, limit, True, _tx_from_row)

    def usage(
        self, caller: Caller, group_by: str, since: datetime | None, until: datetime | None
    ) -> JSON:
        now = self._now()
        until = until or now
        since = since or (until - timedelta(days=30))
        key_sql = {
            "day": "substr(t.created_at, 1, 10)",
            "agent": "coalesce(t.agent_id, '')",
            "org": "t.org_id",
        }[group_by]
        label_sql = {
            "day": "substr(t.created_at, 1, 10)",
            "agent": "coalesce(a.name, 'No agent')",
            "org": "coalesce(o.name, t.org_id)",
        }[group_by]
        with self.tx():
            rows = self._all(
                f"SELECT {key_sql} AS k, max({label_sql}) AS label,"
                " sum(CASE WHEN t.kind = 'llm_message' THEN -t.amount ELSE 0 END) AS llm,"
                " sum(CASE WHEN t.kind = 'tool_call' THEN -t.amount ELSE 0 END) AS tools,"
                " sum(CASE WHEN t.kind = 'llm_message' THEN 1 ELSE 0 END) AS llm_n,"
                " sum(CASE WHEN t.kind = 'tool_call' THEN 1 ELSE 0 END) AS tools_n"
                " FROM credit_tx t LEFT JOIN agents a ON a.id = t.agent_id"
                " LEFT JOIN orgs o ON o.id = t.org_id"
                f" WHERE t.pool_org_id = ? AND t.org_id IN ({_marks(caller.scope)})"
                " AND t.kind IN ('llm_message', 'tool_call')"
                " AND t.created_at >= ? AND t.created_at < ?"
                " GROUP BY k ORDER BY k",
                (caller.pool_org_id, *caller.scope, iso(since), iso(until)),
            )
        data = [
            {
                "key": r["k"],
                "label": r["label"],
                "llmMessages": credits(r["llm"]),
                "toolCalls": credits(r["tools"]),
                "total": credits(r["llm"] + r["tools"]),
                "llmMessageCount": r["llm_n"],
                "toolCallCount": r["tools_n"],
            }
            for r in rows
        ]
        return {"groupBy": group_by, "since": iso(since), "until": iso(until), "data": data}

    # -- organizations ------------------------------------------------------------------

    def _org(self, org_id: str) -> Organization | None:
        row = self._one("SELECT * FROM orgs WHERE id = ?", (org_id,))
        return None if row is None else _org_from_row(row)

    def organization(self, org_id: str) -> Organization:
        with self.tx():
            org = self._org(org_id)
            if org is None:
                raise not_found("organization")
            return org

    def me(self, caller: Caller) -> JSON:
        with self.tx():
            org = self._org(caller.acting_org_id)
            if org is None:
                raise not_found("organization")
            tier = self._tier(caller.pool_org_id)
        return {
            "id": org.id,
            "name": org.name,
            "slug": org.slug,
            "tier": tier,
            "parentId": org.parent_id,
            "limits": TIER_LIMITS[tier].to_json(),
            "staff": caller.staff.to_json(),
            "createdAt": org.created_at,
        }

    def list_children(
        self,
        caller: Caller,
        *,
        status: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[Organization], str | None]:
        with self.tx():
            sql = "SELECT * FROM orgs WHERE parent_id = ?"
            params: list[object] = [caller.acting_org_id]
            if status:
                sql += " AND status = ?"
                params.append(status)
            return self._page(sql, params, "created_at", cursor, limit, True, _org_from_row)

    def _child(self, caller: Caller, child_id: str) -> Organization:
        row = self._one(
            "SELECT * FROM orgs WHERE id = ? AND parent_id = ?", (child_id, caller.acting_org_id)
        )
        if row is None:
            raise not_found("child organization")
        return _org_from_row(row)

    def get_child(self, caller: Caller, child_id: str) -> Organization:
        with self.tx():
            return self._child(caller, child_id)

    def create_child(self, caller: Caller, raw: object) -> Organization:
        body = Body(raw)
        name = cast(str, body.string("name", required=True, min_len=1, max_len=120))
        slug = cast(str, body.string("slug", required=True, max_len=63, pattern=SLUG))
        email = cast(str, body.string("contactEmail", required=True, max_len=254, fmt="email"))
        color = body.string("brandPrimaryColor", pattern=COLOR) or "#475569"
        logo = body.string("brandLogoUrl", max_len=2048, fmt="uri")
        with self.tx():
            parent = self._org(caller.acting_org_id)
            if parent is None or parent.parent_id is not None:
                raise forbidden("only a top-level organization can create child organizations")
            if self._one("SELECT 1 FROM orgs WHERE slug = ?", (slug,)) is not None:
                raise conflict(f"the slug {slug!r} is already taken")
            org_id, now = self._new_id("org"), iso(self._now())
            self._conn.execute(
                "INSERT INTO orgs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    org_id,
                    parent.id,
                    name,
                    slug,
                    parent.tier,
                    "generic",
                    email,
                    color,
                    logo,
                    "provisioning",
                    None,
                    now,
                    now,
                ),
            )
            self._conn.executemany(
                "INSERT INTO templates VALUES (?,?,?,?,?,?)",
                [
                    (
                        org_id,
                        t_name,
                        "en",
                        category,
                        content.fill(t_body, business=name, order_word="order"),
                        params,
                    )
                    for t_name, category, t_body, params in content.TEMPLATES
                ],
            )
            child = self._child(caller, org_id)
            self._emit("organization.updated", org_id, child.to_child_json())
            return child

    def update_child(self, caller: Caller, child_id: str, raw: object) -> Organization:
        body = Body(raw)
        body.require_any()
        changes: dict[str, object] = {}
        if body.has("name"):
            changes["name"] = body.string("name", min_len=1, max_len=120)
        if body.has("contactEmail"):
            changes["contact_email"] = body.string("contactEmail", max_len=254, fmt="email")
        if body.has("brandPrimaryColor"):
            changes["brand_primary_color"] = body.string("brandPrimaryColor", pattern=COLOR)
        if body.has("brandLogoUrl"):
            changes["brand_logo_url"] = body.string(
                "brandLogoUrl", max_len=2048, fmt="uri", nullable=True
            )
        if body.has("status"):
            changes["status"] = body.enum("status", CHILD_STATUSES)
        if body.has("portalUrl"):
            changes["portal_url"] = body.string("portalUrl", max_len=2048, fmt="uri", nullable=True)
        with self.tx():
            self._child(caller, child_id)
            if changes:
                self._update("orgs", child_id, changes)
            child = self._child(caller, child_id)
            self._emit("organization.updated", child_id, child.to_child_json())
            return child

    def delete_child(self, caller: Caller, child_id: str) -> None:
        """Delete a child organization that holds no builder apps (409 otherwise)."""
        with self.tx():
            child = self._child(caller, child_id)
            if self._count_apps((child_id,)):
                raise conflict(
                    f"{child.name} still has builder apps: delete them before the organization"
                )
            self._conn.execute("DELETE FROM templates WHERE org_id = ?", (child_id,))
            self._conn.execute("DELETE FROM orgs WHERE id = ?", (child_id,))

    def _update(self, table: str, row_id: str, changes: dict[str, object]) -> None:
        changes = dict(changes, updated_at=iso(self._now()))
        assignments = ", ".join(f"{column} = ?" for column in changes)
        self._conn.execute(
            f"UPDATE {table} SET {assignments} WHERE id = ?", (*changes.values(), row_id)
        )

    # -- builder apps -------------------------------------------------------------------

    def _app(self, caller: Caller | None, app_id: str) -> BuilderApp:
        row = self._one("SELECT * FROM builder_apps WHERE id = ?", (app_id,))
        if row is None or (caller is not None and row["org_id"] not in caller.scope):
            raise not_found("builder app")
        return _app_from_row(row)

    def get_app(self, caller: Caller, app_id: str) -> BuilderApp:
        with self.tx():
            return self._app(caller, app_id)

    def list_apps(
        self,
        caller: Caller | None,
        *,
        org_id: str | None = None,
        status: str | None = None,
        updated_since: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[BuilderApp], str | None]:
        with self.tx():
            if caller is None:
                orgs: tuple[str, ...] = (
                    tuple(r["id"] for r in self._all("SELECT id FROM orgs"))
                    if org_id is None
                    else (org_id,)
                )
            else:
                orgs = self._scope_filter(caller, org_id)
            sql = f"SELECT * FROM builder_apps WHERE org_id IN ({_marks(orgs)})"
            params: list[object] = list(orgs)
            if status:
                sql += " AND status = ?"
                params.append(status)
            if updated_since is not None:
                sql += " AND updated_at >= ?"
                params.append(iso(updated_since))
            return self._page(sql, params, "updated_at", cursor, limit, True, _app_from_row)

    def create_app(self, caller: Caller, raw: object) -> BuilderApp:
        body = Body(raw)
        name = cast(str, body.string("name", required=True, min_len=1, max_len=120))
        slug = body.string("slug", max_len=63, pattern=SLUG)
        description = body.string("description", max_len=2000) or ""
        org_id = body.string("orgId") or caller.acting_org_id
        architecture = body.enum("architecture", ARCHITECTURES) or "thin_client"
        categories = (
            body.string_list("categories", max_items=10, unique=True, values=CATEGORY_IDS) or []
        )
        repo_url = body.string("repoUrl", max_len=2048, fmt="uri")
        if org_id not in caller.scope:
            raise forbidden("orgId is outside your organization's scope")
        with self.tx():
            tier = self._tier(caller.pool_org_id)
            limit = TIER_LIMITS[tier].builder_apps
            family = (caller.pool_org_id, *self._child_ids(caller.pool_org_id))
            used = self._count_apps(family)
            if limit is not None and used >= limit:
                pool = self._org(caller.pool_org_id)
                raise ApiError(
                    402,
                    "limit_exceeded",
                    f"Builder app limit reached: the {tier.capitalize()} tier allows {limit} "
                    f"builder app{'s' if limit != 1 else ''} ({used} in use across "
                    f"{pool.name if pool else 'your organization'} and its client "
                    "organizations). Upgrade the plan or delete an app.",
                )
            if slug is not None:
                if self._one(
                    "SELECT 1 FROM builder_apps WHERE org_id = ? AND slug = ?", (org_id, slug)
                ):
                    raise conflict(f"this organization already has an app with slug {slug!r}")
            else:
                slug = self._free_slug(org_id, _slugify(name) or "app")
            app_id, now = self._new_id("app"), iso(self._now())
            self._conn.execute(
                "INSERT INTO builder_apps VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    app_id,
                    org_id,
                    name,
                    slug,
                    description,
                    "draft",
                    architecture,
                    json.dumps(categories),
                    repo_url,
                    None,
                    "none",
                    now,
                    now,
                ),
            )
            app = self._app(None, app_id)
            self._emit("builder_app.updated", org_id, app.to_json())
            return app

    def _count_apps(self, orgs: Sequence[str]) -> int:
        row = self._one(
            f"SELECT count(*) AS n FROM builder_apps WHERE org_id IN ({_marks(orgs)})", list(orgs)
        )
        return int(row["n"]) if row is not None else 0

    def _free_slug(self, org_id: str, base: str) -> str:
        slug, n = base[:63].strip("-") or "app", 2
        while self._one("SELECT 1 FROM builder_apps WHERE org_id = ? AND slug = ?", (org_id, slug)):
            suffix = f"-{n}"
            slug = base[: 63 - len(suffix)].strip("-") + suffix
            n += 1
        return slug

    def update_app(self, caller: Caller, app_id: str, raw: object) -> BuilderApp:
        body = Body(raw)
        body.require_any()
        changes: dict[str, object] = {}
        if body.has("name"):
            changes["name"] = body.string("name", min_len=1, max_len=120)
        if body.has("description"):
            changes["description"] = body.string("description", max_len=2000)
        if body.has("status"):
            changes["status"] = body.enum("status", APP_STATUSES)
        if body.has("architecture"):
            changes["architecture"] = body.enum("architecture", ARCHITECTURES)
        if body.has("categories"):
            categories = body.string_list(
                "categories", max_items=10, unique=True, values=CATEGORY_IDS
            )
            changes["categories"] = json.dumps(categories)
        if body.has("repoUrl"):
            changes["repo_url"] = body.string("repoUrl", max_len=2048, fmt="uri", nullable=True)
        with self.tx():
            self._app(caller, app_id)
            self._update("builder_apps", app_id, changes)
            app = self._app(caller, app_id)
            self._emit("builder_app.updated", app.org_id, app.to_json())
            return app

    def delete_app(self, caller: Caller, app_id: str) -> None:
        """Delete a builder app with its keys, webhooks, OAuth clients and links."""
        with self.tx():
            self._app(caller, app_id)
            for table in ("api_keys", "webhooks", "oauth_clients", "app_links"):
                self._conn.execute(f"DELETE FROM {table} WHERE app_id = ?", (app_id,))
            self._conn.execute("DELETE FROM builder_apps WHERE id = ?", (app_id,))

    def record_deployment(self, caller: Caller, app_id: str, raw: object) -> BuilderApp:
        body = Body(raw)
        status = body.enum("status", ("deploying", "deployed", "failed"), required=True)
        url = body.string("productionUrl", max_len=2048, fmt="uri")
        body.string("deploymentId", max_len=200)
        if status == "deployed" and url is None:
            raise validation_failed("productionUrl is required when status is deployed")
        with self.tx():
            app = self._app(caller, app_id)
            changes: dict[str, object] = {"deployment_status": status}
            if status == "deployed":
                changes.update(status="deployed", production_url=url)
            elif status == "failed" and app.production_url is None:
                changes["status"] = "failed"
            if url is not None and status != "deployed":
                changes["production_url"] = url
            self._update("builder_apps", app_id, changes)
            app = self._app(caller, app_id)
            self._emit("builder_app.updated", app.org_id, app.to_json())
            return app

    def link_objects(self, caller: Caller, app_id: str, raw: object) -> JSON:
        body = Body(raw)
        object_type = body.enum("objectType", OBJECT_TYPES, required=True)
        ids = body.string_list(
            "objectIds", required=True, min_items=1, max_items=500, item_min=1, item_max=200
        )
        with self.tx():
            self._app(caller, app_id)
            self._conn.executemany(
                "INSERT OR IGNORE INTO app_links VALUES (?,?,?)",
                [(app_id, object_type, object_id) for object_id in ids or []],
            )
            return self._links(app_id)

    def _links(self, app_id: str) -> JSON:
        grouped: dict[str, list[str]] = {}
        for row in self._all(
            "SELECT object_type, object_id FROM app_links WHERE app_id = ?"
            " ORDER BY object_type, object_id",
            (app_id,),
        ):
            grouped.setdefault(row["object_type"], []).append(row["object_id"])
        return {
            "appId": app_id,
            "links": [{"objectType": k, "objectIds": v} for k, v in grouped.items()],
        }

    # -- catalog, api keys, webhooks ----------------------------------------------------

    @staticmethod
    def categories() -> JSON:
        return {"data": [c.to_json() for c in CATEGORIES], "nextCursor": None}

    def create_api_key(self, caller: Caller, raw: object) -> ApiKeyRecord:
        body = Body(raw)
        app_id = cast(str, body.string("appId", required=True))
        scopes = body.string_list("scopes", required=True, unique=True, values=SCOPES)
        with self.tx():
            app = self._app(caller, app_id)
            key = f"l4k_app_{secrets.token_hex(24)}"
            record = ApiKeyRecord(
                self._new_id("key"), app.id, app.org_id, key, tuple(scopes or ()), iso(self._now())
            )
            self._conn.execute(
                "INSERT INTO api_keys VALUES (?,?,?,?,?,?,?)",
                (
                    record.id,
                    record.org_id,
                    record.app_id,
                    hash_key(key),
                    json.dumps(list(record.scopes)),
                    record.created_at,
                    key[:12],
                ),
            )
            return record

    def list_api_keys(
        self,
        caller: Caller | None,
        *,
        app_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[ApiKeyInfo], str | None]:
        """Live keys (revoked ones are gone), newest first."""
        with self.tx():
            sql, params = "SELECT * FROM api_keys WHERE 1 = 1", list[object]()
            if caller is not None:
                sql += f" AND org_id IN ({_marks(caller.scope)})"
                params.extend(caller.scope)
            if app_id:
                sql += " AND app_id = ?"
                params.append(app_id)
            return self._page(sql, params, "created_at", cursor, limit, True, _key_from_row)

    def live_key_id(self, secret: str) -> str | None:
        """The id of the live API key whose secret is `secret` (tests)."""
        with self.tx():
            row = self._one("SELECT id FROM api_keys WHERE key_hash = ?", (hash_key(secret),))
            return None if row is None else cast(str, row["id"])

    def oauth_client_id(self, secret: str) -> str | None:
        """The id of the OAuth client whose secret is `secret` (tests)."""
        with self.tx():
            row = self._one(
                "SELECT id FROM oauth_clients WHERE secret_hash = ?", (hash_key(secret),)
            )
            return None if row is None else cast(str, row["id"])

    def revoke_api_key(self, caller: Caller, key_id: str) -> None:
        with self.tx():
            revoked = self._conn.execute(
                f"DELETE FROM api_keys WHERE id = ? AND org_id IN ({_marks(caller.scope)})",
                (key_id, *caller.scope),
            ).rowcount
            if not revoked:
                raise not_found("API key")

    # -- OAuth clients ------------------------------------------------------------------

    def create_oauth_client(self, caller: Caller, raw: object) -> OAuthClient:
        body = Body(raw)
        app_id = cast(str, body.string("appId", required=True))
        uris = body.string_list(
            "redirectUris", required=True, min_items=1, max_items=10, unique=True, item_max=2048
        )
        for uri in uris or ():
            if not uri.startswith(("https://", "http://")):
                raise validation_failed("redirectUris must be http(s) URLs")
        with self.tx():
            app = self._app(caller, app_id)
            secret = f"l4cs_{secrets.token_hex(24)}"
            client = OAuthClient(
                self._new_id("l4c"),
                app.id,
                app.org_id,
                tuple(uris or ()),
                iso(self._now()),
                secret,
            )
            self._conn.execute(
                "INSERT INTO oauth_clients VALUES (?,?,?,?,?,?)",
                (
                    client.id,
                    client.org_id,
                    client.app_id,
                    hash_key(secret),
                    json.dumps(list(client.redirect_uris)),
                    client.created_at,
                ),
            )
            return client

    def list_oauth_clients(
        self,
        caller: Caller | None,
        *,
        app_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[OAuthClient], str | None]:
        with self.tx():
            sql, params = "SELECT * FROM oauth_clients WHERE 1 = 1", list[object]()
            if caller is not None:
                sql += f" AND org_id IN ({_marks(caller.scope)})"
                params.extend(caller.scope)
            if app_id:
                sql += " AND app_id = ?"
                params.append(app_id)
            return self._page(sql, params, "created_at", cursor, limit, True, _oauth_from_row)

    def delete_oauth_client(self, caller: Caller, client_id: str) -> None:
        with self.tx():
            deleted = self._conn.execute(
                f"DELETE FROM oauth_clients WHERE id = ? AND org_id IN ({_marks(caller.scope)})",
                (client_id, *caller.scope),
            ).rowcount
            if not deleted:
                raise not_found("OAuth client")

    def register_webhook(self, caller: Caller, raw: object) -> Webhook:
        body = Body(raw)
        url = cast(str, body.string("url", required=True, max_len=2048, fmt="http"))
        events = body.string_list(
            "events", required=True, min_items=1, unique=True, values=WEBHOOK_EVENTS
        )
        app_id = cast(str, body.string("appId", required=True))
        with self.tx():
            app = self._app(caller, app_id)
            hook = Webhook(
                self._new_id("whk"),
                app.id,
                app.org_id,
                url,
                tuple(events or ()),
                f"whsec_{secrets.token_hex(24)}",
                iso(self._now()),
            )
            self._conn.execute(
                "INSERT INTO webhooks VALUES (?,?,?,?,?,?,?)",
                (
                    hook.id,
                    hook.org_id,
                    hook.app_id,
                    hook.url,
                    json.dumps(list(hook.events)),
                    hook.secret,
                    hook.created_at,
                ),
            )
            return hook

    def list_webhooks(
        self,
        caller: Caller | None,
        *,
        app_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[Webhook], str | None]:
        with self.tx():
            sql, params = "SELECT * FROM webhooks WHERE 1 = 1", list[object]()
            if caller is not None:
                sql += f" AND org_id IN ({_marks(caller.scope)})"
                params.extend(caller.scope)
            if app_id:
                sql += " AND app_id = ?"
                params.append(app_id)
            return self._page(sql, params, "created_at", cursor, limit, True, _webhook_from_row)

    def delete_webhook(self, caller: Caller, webhook_id: str) -> None:
        with self.tx():
            deleted = self._conn.execute(
                f"DELETE FROM webhooks WHERE id = ? AND org_id IN ({_marks(caller.scope)})",
                (webhook_id, *caller.scope),
            ).rowcount
            if not deleted:
                raise not_found("webhook")

    # -- agents -------------------------------------------------------------------------

    def list_agents(
        self,
        caller: Caller | None,
        *,
        org_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[Agent], str | None]:
        with self.tx():
            sql, params = "SELECT * FROM agents WHERE 1 = 1", list[object]()
            if caller is not None:
                orgs = self._scope_filter(caller, org_id)
                sql += f" AND org_id IN ({_marks(orgs)})"
                params.extend(orgs)
            elif org_id:
                sql += " AND org_id = ?"
                params.append(org_id)
            agents, next_cursor = self._page(
                sql, params, "name", cursor, limit, False, _agent_from_row
            )
            empty = {
                pool: self._pool_empty(pool) for pool in {self._pool_of(a.org_id) for a in agents}
            }
            agents = [
                Agent(a.id, a.org_id, a.name, a.model, "unavailable", a.channels)
                if a.status == "active" and empty[self._pool_of(a.org_id)]
                else a
                for a in agents
            ]
            return agents, next_cursor

    # -- conversations ------------------------------------------------------------------

    def _conversation_row(self, caller: Caller | None, session_id: str) -> sqlite3.Row:
        row = self._one("SELECT * FROM conversations WHERE id = ?", (session_id,))
        if row is None or (caller is not None and row["org_id"] not in caller.scope):
            raise not_found("conversation")
        return row

    def _conversation(self, caller: Caller | None, session_id: str) -> Conversation:
        return _conversation_from_row(self._conversation_row(caller, session_id))

    def get_conversation(self, caller: Caller | None, session_id: str) -> Conversation:
        with self.tx():
            return self._conversation(caller, session_id)

    def list_conversations(
        self,
        caller: Caller | None,
        *,
        status: str | None = None,
        channel: str | None = None,
        org_id: str | None = None,
        agent_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        updated_since: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[Conversation], str | None]:
        with self.tx():
            sql, params = "SELECT * FROM conversations WHERE 1 = 1", list[object]()
            if caller is not None:
                orgs = self._scope_filter(caller, org_id)
                sql += f" AND org_id IN ({_marks(orgs)})"
                params.extend(orgs)
            elif org_id:
                sql += " AND org_id = ?"
                params.append(org_id)
            for column, value in (("status", status), ("channel", channel), ("agent_id", agent_id)):
                if value:
                    sql += f" AND {column} = ?"
                    params.append(value)
            if since is not None:
                sql += " AND created_at >= ?"
                params.append(iso(since))
            if until is not None:
                sql += " AND created_at < ?"
                params.append(iso(until))
            if updated_since is not None:
                sql += " AND updated_at >= ?"
                params.append(iso(updated_since))
            return self._page(
                sql, params, "updated_at", cursor, limit, True, _conversation_from_row
            )

    def list_messages(
        self, caller: Caller | None, session_id: str, *, after: str | None = None, limit: int = 50
    ) -> tuple[list[Message], str | None]:
        with self.tx():
            self._conversation_row(caller, session_id)
            seq = 0
            if after:
                row = self._one(
                    "SELECT seq FROM messages WHERE id = ? AND session_id = ?", (after, session_id)
                )
                if row is None:
                    raise validation_failed("after is not a message of this conversation")
                seq = int(row["seq"])
            rows = self._all(
                "SELECT * FROM messages WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                (session_id, seq, limit + 1),
            )
            messages = [_message_from_row(r) for r in rows[:limit]]
            more = len(rows) > limit
            return messages, (messages[-1].id if more and messages else None)

    def export_messages(
        self,
        caller: Caller,
        *,
        org_id: str | None = None,
        after: str | None = None,
        limit: int = 500,
    ) -> tuple[list[Message], str | None]:
        """Messages of every conversation in scope, oldest first (bulk sync)."""
        with self.tx():
            orgs = self._scope_filter(caller, org_id)
            seq = 0
            if after:
                row = self._one("SELECT seq FROM messages WHERE id = ?", (after,))
                if row is None:
                    raise validation_failed("after is not a known message")
                seq = int(row["seq"])
            rows = self._all(
                "SELECT m.* FROM messages m JOIN conversations c ON c.id = m.session_id"
                f" WHERE m.seq > ? AND c.org_id IN ({_marks(orgs)}) ORDER BY m.seq LIMIT ?",
                (seq, *orgs, limit + 1),
            )
            messages = [_message_from_row(r) for r in rows[:limit]]
            more = len(rows) > limit
            return messages, (messages[-1].id if more and messages else None)

    def templates(self, caller: Caller | None, session_id: str) -> list[Template]:
        with self.tx():
            row = self._conversation_row(caller, session_id)
            if row["channel"] != "whatsapp":
                return []
            return self._templates(cast(str, row["org_id"]))

    def _templates(self, org_id: str) -> list[Template]:
        return [
            Template(r["name"], r["language"], r["category"], r["body"], r["param_count"])
            for r in self._all("SELECT * FROM templates WHERE org_id = ? ORDER BY name", (org_id,))
        ]

    def update_conversation(self, caller: Caller, session_id: str, raw: object) -> Conversation:
        body = Body(raw)
        status = body.enum("status", CONVERSATION_STATUSES, required=True)
        reason = body.string("reason", max_len=500)
        with self.tx():
            conv = self._conversation(caller, session_id)
            me = caller.staff
            other = conv.handled_by is not None and conv.handled_by != me
            if conv.status == "closed":
                if status == "closed":
                    return conv
                raise conflict("the conversation is closed")
            if other and conv.handled_by is not None:
                raise conflict(f"{conv.handled_by.name} is already handling this conversation")
            if status == conv.status and (status != "handed_off" or conv.handled_by == me):
                return conv
            now = iso(self._now())
            agent_name = self._agent_name(conv.agent_id)
            if status == "handed_off":
                self._update(
                    "conversations",
                    session_id,
                    {
                        "status": status,
                        "handled_by_id": me.id,
                        "handled_by_name": me.name,
                        "handoff_requested": 0,
                    },
                )
                text = f"{me.name} took over the conversation"
            elif status == "active":
                self._update(
                    "conversations",
                    session_id,
                    {"status": status, "handled_by_id": None, "handled_by_name": None},
                )
                text = f"{me.name} handed the conversation back to {agent_name}"
            else:
                self._update(
                    "conversations",
                    session_id,
                    {
                        "status": status,
                        "handled_by_id": None,
                        "handled_by_name": None,
                        "handoff_requested": 0,
                    },
                )
                text = f"Conversation closed by {me.name}"
            if reason:
                text += f": {reason}"
            self._add_message(session_id, "system", "System", text, created_at=now)
            conv = self._conversation(caller, session_id)
            self._emit("conversation.status", conv.org_id, conv.to_json())
            return conv

    def send_message(self, caller: Caller, session_id: str, raw: object) -> Message:
        body = Body(raw)
        has_text, has_template = body.has("text"), body.has("templateName")
        fields = {"text", "templateName", "templateParams", "lastSeenMessageId"}
        if has_text == has_template or set(body.data) - fields:
            raise validation_failed("send either {text} or {templateName, templateParams}")
        if has_text and body.has("templateParams"):
            raise validation_failed("templateParams goes with templateName")
        text = body.string("text", min_len=1, max_len=4096)
        template_name = body.string("templateName", min_len=1, max_len=100)
        params = body.string_list("templateParams", max_items=10, item_max=500) or []
        checks_context = body.has("lastSeenMessageId")
        last_seen = body.string("lastSeenMessageId", min_len=1, max_len=100, nullable=True)
        with self.tx():
            conv = self._conversation(caller, session_id)
            if conv.status == "closed":
                raise reply_refused("conversation_closed", "the conversation is closed")
            if conv.status != "handed_off" or conv.handled_by is None:
                raise reply_refused("not_handed_off", "take the conversation over before replying")
            if conv.handled_by != caller.staff:
                raise reply_refused(
                    "handled_by_other",
                    f"{conv.handled_by.name} is handling this conversation",
                    handledBy=conv.handled_by.to_json(),
                )
            if checks_context:
                self._check_context(session_id, last_seen)
            template: Template | None = None
            if template_name is not None:
                template = next(
                    (t for t in self._templates(conv.org_id) if t.name == template_name), None
                )
                if template is None or conv.channel != "whatsapp":
                    raise validation_failed(f"no approved template {template_name!r} here")
                if len(params) != template.param_count:
                    raise validation_failed(
                        f"template {template.name!r} takes {template.param_count} parameters"
                    )
                text = template.render(params)
            elif conv.channel == "whatsapp" and not self._window_open(conv):
                raise ApiError(
                    422,
                    "whatsapp_window_closed",
                    "The WhatsApp 24-hour window is closed (last customer message "
                    f"{conv.last_customer_message_at or 'never'}); send an approved template",
                )
            message = self._add_message(
                session_id,
                "human",
                caller.staff.name,
                cast(str, text),
                template_name=template.name if template else None,
            )
            return message

    def _check_context(self, session_id: str, last_seen: str | None) -> None:
        """Refuse a reply written before the customer wrote or staff replied (safe sending)."""
        seq = 0
        if last_seen is not None:
            row = self._one(
                "SELECT seq FROM messages WHERE id = ? AND session_id = ?", (last_seen, session_id)
            )
            if row is None:
                raise validation_failed("lastSeenMessageId is not a message of this conversation")
            seq = int(row["seq"])
        rows = self._all(
            "SELECT * FROM messages WHERE session_id = ? AND seq > ?"
            " AND role IN ('customer', 'human') ORDER BY seq DESC LIMIT ?",
            (session_id, seq, STALE_CONTEXT_SHOWN + 1),
        )
        if not rows:
            return
        newer = [_message_from_row(r) for r in reversed(rows[:STALE_CONTEXT_SHOWN])]
        customer = sum(1 for m in newer if m.role == "customer")
        if customer:
            what = f"the customer wrote {customer} message{'s' if customer != 1 else ''}"
        else:
            what = f"{newer[-1].author_name or 'someone'} replied"
        more = " (and more)" if len(rows) > STALE_CONTEXT_SHOWN else ""
        raise reply_refused(
            "stale_context",
            f"{what}{more} after lastSeenMessageId; show it and send again to send anyway",
            newerMessages=[m.to_json() for m in newer],
        )

    def _window_open(self, conv: Conversation) -> bool:
        if conv.last_customer_message_at is None:
            return False
        return self._now() <= parse_iso(conv.last_customer_message_at) + WHATSAPP_WINDOW

    def _business(self, org_id: str) -> content.Business:
        row = self._one("SELECT kind FROM orgs WHERE id = ?", (org_id,))
        return content.business_for(cast(str, row["kind"]) if row is not None else "generic")

    def _agent_name(self, agent_id: str) -> str:
        row = self._one("SELECT name FROM agents WHERE id = ?", (agent_id,))
        return cast(str, row["name"]) if row is not None else "the agent"

    def _add_message(
        self,
        session_id: str,
        role: str,
        author: str,
        text: str,
        *,
        template_name: str | None = None,
        tool_calls: int = 0,
        cost: int = 0,
        created_at: str | None = None,
    ) -> Message:
        """Append a message, update its conversation, emit `conversation.message`."""
        now = created_at or iso(self._now())
        message_id = self._new_id("msg")
        self._conn.execute(
            "INSERT INTO messages (id, session_id, role, author_name, text, template_name,"
            " tool_calls, credits, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (message_id, session_id, role, author, text, template_name, tool_calls, cost, now),
        )
        extra = ", last_customer_message_at = ?" if role == "customer" else ""
        params: list[object] = [now, cost, now]
        if role == "customer":
            params.append(now)
        self._conn.execute(
            "UPDATE conversations SET last_message_at = ?, message_count = message_count + 1,"
            f" credits_spent = credits_spent + ?, updated_at = ?{extra} WHERE id = ?",
            (*params, session_id),
        )
        row = self._one("SELECT * FROM messages WHERE id = ?", (message_id,))
        assert row is not None
        message = _message_from_row(row)
        conv = self._conversation(None, session_id)
        self._emit(
            "conversation.message",
            conv.org_id,
            {"message": message.to_json(), "conversation": conv.to_json()},
        )
        return message

    def set_last_customer_message_at(self, session_id: str, when: datetime) -> Conversation:
        with self.tx():
            self._conn.execute(
                "UPDATE conversations SET last_customer_message_at = ? WHERE id = ?",
                (iso(when), session_id),
            )
            return self._conversation(None, session_id)

    # -- traffic ------------------------------------------------------------------------

    def customer_writes(
        self,
        session_id: str,
        text: str,
        *,
        agent_replies: bool = True,
        config: TrafficConfig | None = None,
        rng: random.Random | None = None,
    ) -> Turn:
        """A customer message; the agent answers unless the session is handed off or closed."""
        config = config or TrafficConfig()
        rng = rng or self.traffic_rng
        with self.tx():
            conv = self._conversation(None, session_id)
            customer = self._add_message(session_id, "customer", conv.customer_name, text)
            reply, spent = None, 0
            if agent_replies:
                reply, spent = self._agent_answer(conv, text, config, rng)
            return Turn(session_id, customer, reply, credits(spent))

    def _agent_answer(
        self, conv: Conversation, text: str, config: TrafficConfig, rng: random.Random
    ) -> tuple[Message | None, int]:
        current = self._conversation(None, conv.id)
        if current.status != "active":
            return None, 0  # handed off or closed: the agent stays silent
        agent = self._one("SELECT * FROM agents WHERE id = ?", (current.agent_id,))
        if agent is None or agent["status"] != "active":
            return None, 0
        org = self._org(current.org_id)
        business = self._business(current.org_id)
        business_name = org.name if org is not None else business.name
        pool = self._pool_of(current.org_id)
        if self._pool_empty(pool):
            message = self._add_message(
                conv.id,
                "agent",
                agent["name"],
                content.fill(content.UNAVAILABLE, business=business_name),
            )
            return message, 0
        values = {
            "customer": current.customer_name.split()[0] if current.customer_name else "there",
            "business": business_name,
            "agent": cast(str, agent["name"]),
            "order_word": business.order_word,
        }
        topic = content.answer_for(business, text, rng)
        if topic is not None:
            answer, tools = topic.answer, list(topic.tools)
        else:
            answer, tools = content.fill(rng.choice(content.AGENT_FALLBACK), **values), []
        if rng.random() < config.tool_call_probability:
            tools = tools or [rng.choice(TOOLS)]
            if rng.random() < 0.3:
                tools.append(rng.choice(TOOLS))
        else:
            tools = tools[:1] if topic is not None and rng.random() < 0.5 else []
        low, high = config.tool_call_cost_range
        steps = max(0, round((high - low) / 0.5))
        items = [("llm_message", centi(config.llm_message_cost), f"LLM message - {agent['name']}")]
        items += [
            ("tool_call", centi(low + 0.5 * rng.randint(0, steps)), f"Tool call: {tool}")
            for tool in tools
        ]
        spent = self._spend(pool, current.org_id, current.agent_id, conv.id, items)
        message = self._add_message(
            conv.id, "agent", agent["name"], answer, tool_calls=len(tools), cost=spent
        )
        return message, spent

    def tick(self, config: TrafficConfig, *, session_id: str | None = None) -> TickResult:
        """One traffic step (deterministic for a given seed and call sequence)."""
        rng = self.traffic_rng
        with self.tx():
            head = self._head()
            new = session_id is None and rng.random() < config.new_conversation_probability
            if session_id is None and not new:
                rows = self._all(
                    "SELECT id FROM conversations WHERE status != 'closed'"
                    " ORDER BY updated_at DESC, id DESC LIMIT 40"
                )
                if rows:
                    session_id = cast(str, rng.choice(rows)["id"])
                else:
                    new = True
            if new or session_id is None:
                session_id = self._start_conversation(rng)
            conv = self._conversation(None, session_id)
            business = self._business(conv.org_id)
            handoff = conv.status == "active" and rng.random() < config.handoff_probability
            first = conv.message_count == 0
            if handoff:
                text = content.fill(
                    rng.choice(content.HANDOFF_ASKS), order_word=business.order_word
                )
            elif first or rng.random() < 0.6:
                topic = rng.choice(list(business.topics) + list(content.GENERIC_TOPICS))
                text = topic.question
                if first and rng.random() < 0.4:
                    text = f"{rng.choice(content.GREETINGS)} {text}"
            else:
                text = rng.choice(content.THANKS + content.CUSTOMER_FOLLOWUPS)
            customer = self._add_message(session_id, "customer", conv.customer_name, text)
            reply, spent = None, 0
            closed = False
            if handoff:
                self._update("conversations", session_id, {"handoff_requested": 1})
                updated = self._conversation(None, session_id)
                self._emit("conversation.status", updated.org_id, updated.to_json())
                reply, spent = self._agent_handoff_reply(updated)
            else:
                reply, spent = self._agent_answer(conv, text, config, rng)
                if (
                    reply is not None
                    and not first
                    and rng.random() < config.close_probability
                    and self._conversation(None, session_id).status == "active"
                ):
                    closed = True
                    agent_name = self._agent_name(conv.agent_id)
                    self._update(
                        "conversations", session_id, {"status": "closed", "handoff_requested": 0}
                    )
                    self._add_message(
                        session_id,
                        "system",
                        "System",
                        f"Conversation closed by {agent_name}: resolved",
                    )
                    updated = self._conversation(None, session_id)
                    self._emit("conversation.status", updated.org_id, updated.to_json())
            turn = Turn(
                session_id,
                customer,
                reply,
                credits(spent),
                new_conversation=first,
                handoff_requested=handoff,
                closed=closed,
            )
            events = self._events_after(None, head, 1000)
        return TickResult(turn=turn, events=events)

    def _agent_handoff_reply(self, conv: Conversation) -> tuple[Message | None, int]:
        agent = self._one("SELECT * FROM agents WHERE id = ?", (conv.agent_id,))
        if agent is None or conv.status != "active":
            return None, 0
        org = self._org(conv.org_id)
        pool = self._pool_of(conv.org_id)
        name = org.name if org is not None else "the team"
        if self._pool_empty(pool):
            text = content.fill(content.UNAVAILABLE, business=name)
            return self._add_message(conv.id, "agent", agent["name"], text), 0
        text = content.fill(content.AGENT_HANDOFF[0], business=name)
        cost = centi(TrafficConfig().llm_message_cost)
        spent = self._spend(
            pool,
            conv.org_id,
            conv.agent_id,
            conv.id,
            [("llm_message", cost, f"LLM message - {agent['name']}")],
        )
        return self._add_message(conv.id, "agent", agent["name"], text, cost=spent), spent

    def _start_conversation(self, rng: random.Random) -> str:
        agents = self._all(
            "SELECT a.* FROM agents a JOIN orgs o ON o.id = a.org_id"
            " WHERE a.status = 'active' ORDER BY a.id"
        )
        if not agents:
            raise not_found("agent")
        agent = rng.choice(agents)
        kind_row = self._one("SELECT kind FROM orgs WHERE id = ?", (agent["org_id"],))
        business = content.business_for(cast(str, kind_row["kind"]) if kind_row else "generic")
        channel = rng.choice(json.loads(agent["channels"]) or ["webchat"])
        session_id, now = self._new_id("ses"), iso(self._now())
        self._conn.execute(
            "INSERT INTO conversations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                session_id,
                agent["org_id"],
                agent["id"],
                channel,
                "active",
                content.customer_name(rng),
                content.customer_handle(rng, business, channel),
                None,
                None,
                0,
                now,
                None,
                0,
                0,
                now,
                now,
            ),
        )
        conv = self._conversation(None, session_id)
        self._emit("conversation.status", conv.org_id, conv.to_json())
        return session_id

    def start_conversation(
        self, *, org_id: str | None = None, channel: str | None = None
    ) -> Conversation:
        """Create an empty active conversation (tests); a customer must write first."""
        with self.tx():
            rng = self.traffic_rng
            if org_id is None and channel is None:
                return self._conversation(None, self._start_conversation(rng))
            agents = [
                a
                for a in self._all("SELECT * FROM agents WHERE status = 'active' ORDER BY id")
                if (org_id is None or a["org_id"] == org_id)
                and (channel is None or channel in json.loads(a["channels"]))
            ]
            if not agents:
                raise not_found("agent for that organization and channel")
            agent = agents[0]
            session_id, now = self._new_id("ses"), iso(self._now())
            business = content.business_for("generic")
            chosen = channel or json.loads(agent["channels"])[0]
            self._conn.execute(
                "INSERT INTO conversations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    session_id,
                    agent["org_id"],
                    agent["id"],
                    chosen,
                    "active",
                    content.customer_name(rng),
                    content.customer_handle(rng, business, chosen),
                    None,
                    None,
                    0,
                    now,
                    None,
                    0,
                    0,
                    now,
                    now,
                ),
            )
            conv = self._conversation(None, session_id)
            self._emit("conversation.status", conv.org_id, conv.to_json())
            return conv

    # -- events -------------------------------------------------------------------------

    def _emit(self, type_: EventType, org_id: str, data: JSON) -> None:
        root = self._pool_of(org_id)
        self._conn.execute(
            "INSERT INTO events (root_id, org_id, type, data, created_at) VALUES (?,?,?,?,?)",
            (root, org_id, type_, json.dumps(data, separators=(",", ":")), iso(self._now())),
        )
        self._pending_notify = True

    def _head(self) -> int:
        row = self._one("SELECT coalesce(max(id), 0) AS head FROM events")
        return int(row["head"]) if row is not None else 0

    def head(self) -> int:
        with self.tx():
            return self._head()

    def _events_after(self, caller: Caller | None, after: int, limit: int) -> list[Event]:
        if caller is None:
            rows = self._all(
                "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?", (after, limit)
            )
        else:
            rows = self._all(
                "SELECT * FROM events WHERE root_id = ? AND id > ?"
                f" AND (org_id IN ({_marks(caller.scope)}) OR type = 'credits.changed')"
                " ORDER BY id LIMIT ?",
                (caller.pool_org_id, after, *caller.scope, limit),
            )
        return [
            Event(
                int(r["id"]),
                cast(EventType, r["type"]),
                cast(str, r["org_id"]),
                cast(JSON, json.loads(r["data"])),
                cast(str, r["created_at"]),
            )
            for r in rows
        ]

    def events_after(self, caller: Caller | None, after: int, limit: int = 100) -> list[Event]:
        """Events visible to `caller` (all if None) with id > after, oldest first.

        Raises:
            ApiError: 410 cursor_invalid when `after` is beyond the head.
        """
        with self.tx():
            if after > self._head():
                raise ApiError(
                    410,
                    "cursor_invalid",
                    "the event cursor is ahead of the change log (it was reset); resync and "
                    "restart from after=head",
                )
            return self._events_after(caller, after, limit)

    def poll_events(self, caller: Caller, after: int | None, limit: int) -> JSON:
        """`GET /events`; `after` None means `head`."""
        with self.tx():
            head = self._head()
            if after is None:
                return {"data": [], "nextCursor": str(head), "hasMore": False}
            events = self.events_after(caller, after, limit + 1)
            more = len(events) > limit
            events = events[:limit]
            # Without more, everything visible up to the head was delivered: skip the rest.
            cursor = events[-1].id if more else max(head, after)
            return {
                "data": [e.to_json() for e in events],
                "nextCursor": str(cursor),
                "hasMore": more,
            }

    # -- idempotency --------------------------------------------------------------------

    def run_idempotent(
        self,
        org_id: str,
        key: str | None,
        fingerprint: str,
        work: Callable[[], tuple[int, bytes]],
    ) -> tuple[int, bytes, bool]:
        """Run `work` once per (org, key); replay its recorded answer afterwards.

        The work and the record commit in one transaction, so a crash never
        leaves work done without its record, or the reverse.

        Returns:
            (status, body, replayed)
        """
        with self.tx():
            if key is not None:
                hit = self._one(
                    "SELECT * FROM idempotency WHERE org_id = ? AND key = ?", (org_id, key)
                )
                if hit is not None:
                    if hit["fingerprint"] != fingerprint:
                        raise ApiError(
                            422,
                            "idempotency_key_reused",
                            "this Idempotency-Key was used for a different request",
                        )
                    return int(hit["status"]), bytes(hit["body"]), True
            self._conn.execute("SAVEPOINT work")
            try:
                status, body = work()
            except ApiError as exc:
                self._conn.execute("ROLLBACK TO work")
                status, body = exc.status, _dumps(exc.payload())
            self._conn.execute("RELEASE work")
            if key is not None and status != 401 and status < 500:
                self._conn.execute(
                    "INSERT INTO idempotency VALUES (?,?,?,?,?,?)",
                    (org_id, key, fingerprint, status, body, iso(self._now())),
                )
            return status, body, False

    # -- Stripe -------------------------------------------------------------------------

    def handle_stripe_event(self, event: JSON) -> JSON:
        """Apply a verified Stripe event once per event id, and grant once per checkout."""
        event_id = str(event.get("id", ""))
        event_type = str(event.get("type", ""))
        with self.tx():
            if self._one("SELECT 1 FROM stripe_events WHERE id = ?", (event_id,)) is not None:
                return {"received": True, "handled": False, "duplicate": True}
            handled = False
            # One purchase sends several events carrying the same metadata
            # (payment_intent.succeeded, ...); only the session's own events
            # grant, and only for a paid session: a delayed method (SEPA
            # Direct Debit) completes it unpaid, and its money is there only
            # with checkout.session.async_payment_succeeded (never with
            # ..._failed).
            if event_type in GRANTING_STRIPE_EVENTS:
                handled = self._grant_checkout(event_id, event.get("data"))
            self._conn.execute(
                "INSERT INTO stripe_events VALUES (?,?,?,?)",
                (event_id, event_type, int(handled), iso(self._now())),
            )
            return {"received": True, "handled": handled, "duplicate": False}

    def _grant_checkout(self, event_id: str, data: object) -> bool:
        session = data.get("object") if isinstance(data, dict) else None
        if not isinstance(session, dict):
            return False
        session_id = session.get("id")
        if not isinstance(session_id, str) or not session_id:
            return False
        if session.get("payment_status") not in ("paid", "no_payment_required"):
            logger.info("stripe checkout %s is not paid yet; nothing granted", session_id)
            return False
        granted = self._one(
            "SELECT 1 FROM stripe_grants WHERE checkout_session_id = ?", (session_id,)
        )
        if granted is not None:
            return False
        tx_id = self._apply_checkout(session.get("metadata"))
        if tx_id is None:
            return False
        self._conn.execute(
            "INSERT INTO stripe_grants VALUES (?,?,?,?)",
            (session_id, tx_id, event_id, iso(self._now())),
        )
        return True

    def _apply_checkout(self, metadata: object) -> str | None:
        """Grant what a paid checkout bought; the transaction's id, None if nothing."""
        if not isinstance(metadata, dict):
            return None
        org_id = metadata.get("orgId")
        if not isinstance(org_id, str) or self._org(org_id) is None:
            return None
        pool = self._pool_of(org_id)
        kind = metadata.get("type")
        if kind == "credit-pack":
            try:
                amount = float(str(metadata.get("credits", "")))
            except ValueError:
                return None
            if not 0 < amount <= 1_000_000:
                return None
            self._conn.execute(
                "UPDATE pools SET purchased = purchased + ? WHERE org_id = ?", (centi(amount), pool)
            )
            label = f"{amount:g}"
            tx_id = self._add_tx(
                pool, org_id, None, None, "purchase", centi(amount), f"Credit pack: {label} credits"
            )
            self._touch_pool(pool)
            return tx_id
        if kind == "subscription":
            tier = metadata.get("tier")
            if tier not in ("pro", "agency"):
                return None
            self._conn.execute(
                "UPDATE orgs SET tier = ?, updated_at = ? WHERE id = ?",
                (tier, iso(self._now()), pool),
            )
            allocation = centi(TIER_LIMITS[cast(Tier, tier)].monthly_credits or 0.0)
            self._conn.execute(
                "UPDATE pools SET monthly = ?, last_monthly_grant = ? WHERE org_id = ?",
                (allocation, self._now().strftime("%Y-%m"), pool),
            )
            tx_id = self._add_tx(
                pool,
                pool,
                None,
                None,
                "monthly_grant",
                allocation,
                f"Monthly allocation ({str(tier).capitalize()})",
            )
            org = self._org(pool)
            if org is not None:
                self._emit("organization.updated", pool, org.to_summary_json())
            self._touch_pool(pool)
            return tx_id
        return None

    # -- licensing ----------------------------------------------------------------------

    def licensing(self, caller: Caller) -> JSON:
        with self.tx():
            pool = caller.pool_org_id
            tier = self._tier(pool)
            limits = TIER_LIMITS[tier]
            family = (pool, *self._child_ids(pool))
            marks = _marks(family)
            apps = self._count_apps(family)
            checkout = self._one(
                "SELECT count(DISTINCT l.object_id) AS n FROM app_links l JOIN builder_apps a"
                f" ON a.id = l.app_id WHERE a.org_id IN ({marks})"
                " AND l.object_type = 'checkout_instance'",
                family,
            )
            domains = self._one(
                "SELECT count(*) AS n FROM builder_apps WHERE production_url IS NOT NULL"
                f" AND production_url NOT LIKE '%.vercel.app%' AND org_id IN ({marks})",
                family,
            )
        return {
            "tier": tier,
            "builderApps": {"used": apps, "limit": limits.builder_apps},
            "checkoutInstances": {
                "used": int(checkout["n"]) if checkout else 0,
                "limit": limits.checkout_instances,
            },
            "customDomains": {
                "used": int(domains["n"]) if domains else 0,
                "limit": limits.custom_domains,
            },
            "monthlyCredits": limits.monthly_credits,
            "badgeRequired": limits.badge_required,
            "whiteLabel": limits.white_label,
        }

    def stats(self) -> dict[str, int]:
        """Row counts (benchmarks and tests)."""
        tables = (
            "orgs",
            "builder_apps",
            "agents",
            "conversations",
            "messages",
            "credit_tx",
            "events",
            "webhooks",
        )
        with self.tx():
            counts = {t: self._scalar(f"SELECT count(*) FROM {t}") for t in tables}
            counts["messages_by_conversation"] = self._scalar(
                "SELECT coalesce(sum(message_count), 0) FROM conversations"
            )
            return counts

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{self._id_rng.getrandbits(64):016x}"

    def _scalar(self, sql: str) -> int:
        value = self._conn.execute(sql).fetchone()[0]
        return int(value)

    # -- paging -------------------------------------------------------------------------

    def _page(
        self,
        sql: str,
        params: list[object],
        sort_column: str,
        cursor: str | None,
        limit: int,
        descending: bool,
        convert: Callable[[sqlite3.Row], T],
    ) -> tuple[list[T], str | None]:
        if cursor:
            sort_value, row_id = decode_cursor(cursor)
            op = "<" if descending else ">"
            sql += f" AND ({sort_column} {op} ? OR ({sort_column} = ? AND id {op} ?))"
            params = [*params, sort_value, sort_value, row_id]
        order = "DESC" if descending else "ASC"
        rows = self._all(
            f"{sql} ORDER BY {sort_column} {order}, id {order} LIMIT ?", [*params, limit + 1]
        )
        page = rows[:limit]
        next_cursor = None
        if len(rows) > limit and page:
            next_cursor = encode_cursor(str(page[-1][sort_column]), str(page[-1]["id"]))
        return [convert(r) for r in page], next_cursor


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values)) or "NULL"


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:63].strip("-")


def _org_from_row(r: sqlite3.Row) -> Organization:
    return Organization(
        id=r["id"],
        name=r["name"],
        slug=r["slug"],
        tier=r["tier"],
        parent_id=r["parent_id"],
        contact_email=r["contact_email"],
        brand_primary_color=r["brand_primary_color"],
        brand_logo_url=r["brand_logo_url"],
        status=r["status"],
        portal_url=r["portal_url"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


def _app_from_row(r: sqlite3.Row) -> BuilderApp:
    return BuilderApp(
        id=r["id"],
        org_id=r["org_id"],
        name=r["name"],
        slug=r["slug"],
        description=r["description"],
        status=r["status"],
        architecture=r["architecture"],
        categories=tuple(json.loads(r["categories"])),
        repo_url=r["repo_url"],
        production_url=r["production_url"],
        deployment_status=r["deployment_status"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


def _agent_from_row(r: sqlite3.Row) -> Agent:
    return Agent(
        id=r["id"],
        org_id=r["org_id"],
        name=r["name"],
        model=r["model"],
        status=r["status"],
        channels=tuple(json.loads(r["channels"])),
    )


def _conversation_from_row(r: sqlite3.Row) -> Conversation:
    last_customer = cast(str | None, r["last_customer_message_at"])
    window = None
    if r["channel"] == "whatsapp" and last_customer is not None:
        window = iso(parse_iso(last_customer) + WHATSAPP_WINDOW)
    handler = None
    if r["handled_by_id"] is not None:
        handler = StaffRef(r["handled_by_id"], r["handled_by_name"] or "")
    return Conversation(
        id=r["id"],
        org_id=r["org_id"],
        agent_id=r["agent_id"],
        channel=r["channel"],
        status=r["status"],
        customer_name=r["customer_name"],
        customer_handle=r["customer_handle"],
        handled_by=handler,
        handoff_requested=bool(r["handoff_requested"]),
        last_message_at=r["last_message_at"],
        last_customer_message_at=last_customer,
        reply_window_expires_at=window,
        message_count=r["message_count"],
        credits_spent=credits(r["credits_spent"]),
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


def _message_from_row(r: sqlite3.Row) -> Message:
    return Message(
        id=r["id"],
        session_id=r["session_id"],
        role=r["role"],
        author_name=r["author_name"],
        text=r["text"],
        template_name=r["template_name"],
        tool_calls=r["tool_calls"],
        credits=credits(r["credits"]),
        created_at=r["created_at"],
    )


def _key_from_row(r: sqlite3.Row) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=r["id"],
        app_id=r["app_id"],
        org_id=r["org_id"],
        key_prefix=r["key_prefix"],
        scopes=tuple(json.loads(r["scopes"])),
        created_at=r["created_at"],
    )


def _oauth_from_row(r: sqlite3.Row) -> OAuthClient:
    return OAuthClient(
        id=r["id"],
        app_id=r["app_id"],
        org_id=r["org_id"],
        redirect_uris=tuple(json.loads(r["redirect_uris"])),
        created_at=r["created_at"],
    )


def _webhook_from_row(r: sqlite3.Row) -> Webhook:
    return Webhook(
        id=r["id"],
        app_id=r["app_id"],
        org_id=r["org_id"],
        url=r["url"],
        events=tuple(json.loads(r["events"])),
        secret=r["secret"],
        created_at=r["created_at"],
    )


def _tx_from_row(r: sqlite3.Row) -> CreditTransaction:
    return CreditTransaction(
        id=r["id"],
        org_id=r["org_id"],
        agent_id=r["agent_id"],
        session_id=r["session_id"],
        kind=r["kind"],
        amount=credits(r["amount"]),
        description=r["description"],
        created_at=r["created_at"],
        checkout_session_id=r["checkout_session_id"],
    )
