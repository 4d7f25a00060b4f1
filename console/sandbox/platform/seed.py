"""Deterministic demo data for the platform sandbox.

One agency ("Northwind Digital", Agency tier) with client sub-organizations,
builder apps in every status, agents, conversations with multi-turn messages
over 90 days, and the matching credit history. Everything derives from
`seed`; only timestamps are relative to the clock's "now". Rows are written
with `executemany`, so 100,000 messages take a couple of seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from console.sandbox.platform import content
from console.sandbox.platform.content import Business
from console.sandbox.platform.db import SCHEMA_VERSION, centi
from console.sandbox.platform.models import ARCHITECTURES, CATEGORY_IDS, TIER_LIMITS
from console.sandbox.platform.timeutil import iso

logger = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SeedScale:
    """How much demo data to create.

    Attributes:
        conversations: number of conversations.
        messages: total number of messages (exact); default 6 per conversation.
        builder_apps: number of builder apps across the agency and its clients.
        history_days: how far back conversations and credit history go.
    """

    conversations: int = 300
    messages: int | None = None
    builder_apps: int = 30
    history_days: int = 90


@dataclass(frozen=True)
class SeedIds:
    """Well-known identities of a seeded database."""

    agency_id: str
    staff_id: str
    colleague_staff_id: str
    api_key: str
    colleague_api_key: str


def staff_api_key(seed: int, who: str) -> str:
    """The deterministic API key of a seeded staff member."""
    digest = hashlib.sha256(f"l4yercak3-platform-sandbox:{seed}:{who}".encode()).hexdigest()
    return f"l4k_sandbox_{digest[:40]}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _rid(rng: random.Random, prefix: str) -> str:
    return f"{prefix}_{rng.getrandbits(64):016x}"


def _ms(dt: datetime) -> int:
    return (dt - _EPOCH) // timedelta(milliseconds=1)


def _iso_ms(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def read_ids(conn: sqlite3.Connection) -> SeedIds | None:
    """The identities of an already seeded database, or None if it is empty."""
    rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if rows.get("seeded") != "1":
        return None
    return SeedIds(
        agency_id=rows["agency_id"],
        staff_id=rows["staff_id"],
        colleague_staff_id=rows["colleague_staff_id"],
        api_key=rows["api_key"],
        colleague_api_key=rows["colleague_api_key"],
    )


def seed_database(
    conn: sqlite3.Connection, *, seed: int, scale: SeedScale, now: datetime
) -> SeedIds:
    """Fill an empty database. Runs in one transaction."""
    rng = random.Random(seed)
    writer = _Writer(conn, rng, scale, now)
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("BEGIN IMMEDIATE")
    try:
        ids = writer.run(seed)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    logger.info(
        "seeded platform sandbox: %d conversations, %d messages",
        writer.conversation_count,
        writer.message_count,
    )
    return ids


class _Writer:
    def __init__(
        self, conn: sqlite3.Connection, rng: random.Random, scale: SeedScale, now: datetime
    ) -> None:
        self.conn = conn
        self.rng = rng
        self.scale = scale
        self.now = now
        self.now_ms = _ms(now)
        self.conversation_count = 0
        self.message_count = 0

    def run(self, seed: int) -> SeedIds:
        rng, now = self.rng, self.now
        agency_id = _rid(rng, "org")
        staff_id, colleague_id = _rid(rng, "stf"), _rid(rng, "stf")
        api_key, colleague_key = staff_api_key(seed, "sam"), staff_api_key(seed, "alex")
        created = iso(now - timedelta(days=420))
        orgs: list[tuple[object, ...]] = [
            (
                agency_id,
                None,
                content.AGENCY_NAME,
                content.AGENCY_SLUG,
                "agency",
                "agency",
                "hello@northwind-digital.example",
                "#2563eb",
                None,
                "active",
                None,
                created,
                created,
            )
        ]
        children: list[tuple[str, Business]] = []
        for index, business in enumerate(content.BUSINESSES):
            org_id = _rid(rng, "org")
            children.append((org_id, business))
            created_at = iso(now - timedelta(days=380 - index * 40, hours=rng.randrange(24)))
            status = "provisioning" if index == len(content.BUSINESSES) - 1 else "active"
            portal = (
                None if status == "provisioning" else f"https://{business.slug}-portal.vercel.app"
            )
            orgs.append(
                (
                    org_id,
                    agency_id,
                    business.name,
                    business.slug,
                    "agency",
                    business.kind,
                    f"hello@{business.slug}.example",
                    business.color,
                    f"https://cdn.northwind-digital.example/logos/{business.slug}.svg",
                    status,
                    portal,
                    created_at,
                    created_at,
                )
            )
        self.conn.executemany("INSERT INTO orgs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", orgs)
        self.conn.executemany(
            "INSERT INTO staff VALUES (?,?,?,?)",
            [
                (staff_id, agency_id, content.STAFF_SAM, hash_key(api_key)),
                (colleague_id, agency_id, content.STAFF_ALEX, hash_key(colleague_key)),
            ],
        )
        agents = self._agents(children)
        self._templates(children)
        self._apps(agency_id, children)
        spent_this_month = self._conversations(
            children, agents, [(staff_id, content.STAFF_SAM), (colleague_id, content.STAFF_ALEX)]
        )
        self._grants(agency_id)
        allocation = TIER_LIMITS["agency"].monthly_credits or 0.0
        monthly = max(centi(allocation) - spent_this_month, centi(152.5))
        yesterday = (now - timedelta(days=1)).date().isoformat()
        self.conn.execute(
            "INSERT INTO pools VALUES (?,?,?,?,?,?,?)",
            (agency_id, 0, monthly, centi(500), yesterday, now.strftime("%Y-%m"), iso(now)),
        )
        meta = {
            "seeded": "1",
            "schema_version": SCHEMA_VERSION,
            "seed": str(seed),
            "agency_id": agency_id,
            "staff_id": staff_id,
            "colleague_staff_id": colleague_id,
            "api_key": api_key,
            "colleague_api_key": colleague_key,
        }
        self.conn.executemany("INSERT OR REPLACE INTO meta VALUES (?,?)", list(meta.items()))
        return SeedIds(agency_id, staff_id, colleague_id, api_key, colleague_key)

    def _agents(
        self, children: list[tuple[str, Business]]
    ) -> dict[str, list[tuple[str, str, tuple[str, ...]]]]:
        rng = self.rng
        rows: list[tuple[object, ...]] = []
        by_org: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
        for org_id, business in children:
            for spec in business.agents:
                agent_id = _rid(rng, "agt")
                created = iso(self.now - timedelta(days=rng.randrange(100, 300)))
                rows.append(
                    (
                        agent_id,
                        org_id,
                        spec.name,
                        rng.choice(content.MODELS),
                        "active",
                        json.dumps(list(spec.channels)),
                        created,
                    )
                )
                by_org.setdefault(org_id, []).append((agent_id, spec.name, spec.channels))
        self.conn.executemany("INSERT INTO agents VALUES (?,?,?,?,?,?,?)", rows)
        return by_org

    def _templates(self, children: list[tuple[str, Business]]) -> None:
        rows = [
            (
                org_id,
                name,
                "en",
                category,
                content.fill(body, business=business.name, order_word=business.order_word),
                params,
            )
            for org_id, business in children
            for name, category, body, params in content.TEMPLATES
        ]
        self.conn.executemany("INSERT INTO templates VALUES (?,?,?,?,?,?)", rows)

    def _apps(self, agency_id: str, children: list[tuple[str, Business]]) -> None:
        rng = self.rng
        names: list[tuple[str, str, str]] = [
            (agency_id, name, "northwind") for name in content.AGENCY_APPS
        ]
        for round_index in range(4):
            for org_id, business in children:
                if round_index < len(business.apps):
                    names.append((org_id, business.apps[round_index], business.slug))
        statuses = ("deployed", "deployed", "published", "draft", "deployed", "failed", "draft")
        rows: list[tuple[object, ...]] = []
        seen: set[tuple[str, str]] = set()
        for index in range(self.scale.builder_apps):
            org_id, name, org_slug = names[index % len(names)]
            if index >= len(names):
                name = f"{name} v{index // len(names) + 1}"
            slug = _slugify(f"{org_slug}-{name}")
            while (org_id, slug) in seen:
                slug = f"{slug}-{rng.randrange(10, 99)}"
            seen.add((org_id, slug))
            status = statuses[index % len(statuses)]
            deployment = {"deployed": "deployed", "failed": "failed"}.get(status, "none")
            if status == "published" and rng.random() < 0.5:
                deployment = "deploying"
            created = self.now - timedelta(days=rng.randrange(5, 300), minutes=rng.randrange(1440))
            updated = min(created + timedelta(days=rng.randrange(0, 40)), self.now)
            categories = rng.sample(CATEGORY_IDS, k=rng.randint(1, 4))
            rows.append(
                (
                    _rid(rng, "app"),
                    org_id,
                    name,
                    slug,
                    f"{name} built by Northwind Digital.",
                    status,
                    rng.choice(ARCHITECTURES),
                    json.dumps(categories),
                    None if status == "draft" else f"https://github.com/northwind-digital/{slug}",
                    f"https://{slug}.vercel.app" if status == "deployed" else None,
                    deployment,
                    iso(created),
                    iso(updated),
                )
            )
        self.conn.executemany("INSERT INTO builder_apps VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)

    def _message_counts(self) -> list[int]:
        rng, total_convs = self.rng, self.scale.conversations
        if total_convs <= 0:
            return []
        total = self.scale.messages if self.scale.messages is not None else total_convs * 6
        base = max(1, total // total_convs)
        counts = [max(1, base + rng.randint(-min(3, base - 1), 3)) for _ in range(total_convs)]
        diff = total - sum(counts)
        index = 0
        while diff != 0 and total >= total_convs:
            slot = index % total_convs
            if diff > 0:
                counts[slot] += 1
                diff -= 1
            elif counts[slot] > 1:
                counts[slot] -= 1
                diff += 1
            index += 1
        return counts

    def _conversations(
        self,
        children: list[tuple[str, Business]],
        agents: dict[str, list[tuple[str, str, tuple[str, ...]]]],
        staff: list[tuple[str, str]],
    ) -> int:
        """Write conversations, messages and spend; return centi spent this month."""
        rng, now_ms = self.rng, self.now_ms
        history_ms = self.scale.history_days * 86_400_000
        month_start_ms = _ms(self.now.replace(day=1, hour=0, minute=0, second=0, microsecond=0))
        weights = [3, 3, 2, 1, 3, 2, 2, 3][: len(children)] or [1]
        conv_rows: list[tuple[object, ...]] = []
        msg_rows: list[tuple[object, ...]] = []
        tx_rows: list[tuple[object, ...]] = []
        spent_this_month = 0
        pool_org = self.conn.execute("SELECT id FROM orgs WHERE parent_id IS NULL").fetchone()[0]
        randint, random_, choice, getrandbits = rng.randint, rng.random, rng.choice, rng.getrandbits
        for n in self._message_counts():
            org_id, business = rng.choices(children, weights=weights)[0]
            agent_id, agent_name, channels = choice(agents[org_id])
            channel = choice(channels)
            customer = content.customer_name(rng)
            handle = content.customer_handle(rng, business, channel)
            age_ms = int(history_ms * random_() ** 2) + 60_000
            recent = age_ms < 2 * 86_400_000
            roll = random_()
            if recent:
                status = "active" if roll < 0.7 else "handed_off" if roll < 0.85 else "closed"
            else:
                status = "closed" if roll < 0.85 else "active" if roll < 0.97 else "handed_off"
            handler = choice(staff) if status == "handed_off" else None
            handoff_requested = status == "active" and n >= 3 and random_() < 0.08
            script = _script(
                rng, business, agent_name, customer, status, handler, handoff_requested, n
            )
            session_id = f"ses_{getrandbits(64):016x}"
            t = now_ms - age_ms
            times: list[int] = []
            for role, *_ in script:
                t += (
                    randint(4_000, 25_000)
                    if role in ("agent", "system")
                    else randint(30_000, 1_200_000)
                )
                times.append(t)
            overshoot = times[-1] - (now_ms - 30_000)
            if overshoot > 0:
                times = [x - overshoot for x in times]
            last_customer: int | None = None
            conv_credits = 0
            for (role, author, text, tools), at in zip(script, times, strict=True):
                cost = 0
                if role == "agent":
                    cost = 100
                    created = _iso_ms(at)
                    tx_rows.append(
                        (
                            f"ctx_{getrandbits(64):016x}",
                            pool_org,
                            org_id,
                            agent_id,
                            session_id,
                            "llm_message",
                            -100,
                            f"LLM message - {agent_name}",
                            created,
                        )
                    )
                    for tool in tools:
                        tool_cost = 50 * randint(1, 4)
                        cost += tool_cost
                        tx_rows.append(
                            (
                                f"ctx_{getrandbits(64):016x}",
                                pool_org,
                                org_id,
                                agent_id,
                                session_id,
                                "tool_call",
                                -tool_cost,
                                f"Tool call: {tool}",
                                created,
                            )
                        )
                    if at >= month_start_ms:
                        spent_this_month += cost
                elif role == "customer":
                    last_customer = at
                conv_credits += cost
                msg_rows.append(
                    (
                        f"msg_{getrandbits(64):016x}",
                        session_id,
                        role,
                        author,
                        text,
                        None,
                        len(tools),
                        cost,
                        _iso_ms(at),
                    )
                )
            conv_rows.append(
                (
                    session_id,
                    org_id,
                    agent_id,
                    channel,
                    status,
                    customer,
                    handle,
                    handler[0] if handler else None,
                    handler[1] if handler else None,
                    int(handoff_requested),
                    _iso_ms(times[-1]),
                    None if last_customer is None else _iso_ms(last_customer),
                    len(script),
                    conv_credits,
                    _iso_ms(times[0]),
                    _iso_ms(times[-1]),
                )
            )
        self.conn.executemany(
            "INSERT INTO conversations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", conv_rows
        )
        self.conn.executemany(
            "INSERT INTO messages (id, session_id, role, author_name, text, template_name,"
            " tool_calls, credits, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
            msg_rows,
        )
        self.conn.executemany(
            "INSERT INTO credit_tx (id, pool_org_id, org_id, agent_id, session_id, kind, amount,"
            " description, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
            tx_rows,
        )
        self.conversation_count = len(conv_rows)
        self.message_count = len(msg_rows)
        return spent_this_month

    def _grants(self, agency_id: str) -> None:
        rng, now = self.rng, self.now
        rows: list[tuple[object, ...]] = []
        days = self.scale.history_days
        window_start = now - timedelta(days=days)
        allocation = centi(TIER_LIMITS["agency"].monthly_credits or 0.0)

        def grant(kind: str, amount: int, description: str, at: datetime) -> None:
            rows.append(
                (
                    _rid(rng, "ctx"),
                    agency_id,
                    agency_id,
                    None,
                    None,
                    kind,
                    amount,
                    description,
                    iso(at),
                )
            )

        # Daily grants up to yesterday: today's comes with the first request of the day.
        for back in range(days, 0, -1):
            day = (now - timedelta(days=back)).replace(hour=8, minute=0, second=0, microsecond=0)
            grant(
                "daily_grant",
                500,
                "Daily login credits",
                day + timedelta(minutes=rng.randrange(90)),
            )
        month = window_start.replace(day=1, hour=0, minute=5, second=0, microsecond=0)
        while month <= now:
            grant(
                "monthly_grant", allocation, "Monthly allocation (Agency)", max(month, window_start)
            )
            month = (month + timedelta(days=32)).replace(day=1)
        for back, pack in ((min(41, days), 500), (min(12, days), 2000)):
            at = now - timedelta(days=back, hours=rng.randrange(1, 10))
            grant("purchase", centi(pack), f"Credit pack: {pack} credits", at)
        self.conn.executemany(
            "INSERT INTO credit_tx (id, pool_org_id, org_id, agent_id, session_id, kind, amount,"
            " description, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
            rows,
        )


def _slugify(text: str) -> str:
    out: list[str] = []
    for char in text.lower():
        if char.isascii() and char.isalnum():
            out.append(char)
        elif out and out[-1] != "-":
            out.append("-")
    slug = "".join(out).strip("-")[:63].strip("-")
    return slug


Line = tuple[str, str, str, tuple[str, ...]]


def _script(
    rng: random.Random,
    business: Business,
    agent: str,
    customer: str,
    status: str,
    handler: tuple[str, str] | None,
    handoff_requested: bool,
    n: int,
) -> list[Line]:
    """`n` messages (role, author, text, tools) for one conversation."""
    first = customer.split()[0]
    values = {
        "customer": first,
        "business": business.name,
        "agent": agent,
        "order_word": business.order_word,
    }
    if status == "handed_off" and handler is not None:
        tail_len = min(n - 1, 3 + rng.randint(0, 2)) if n >= 4 else min(n - 1, 1)
    elif status == "closed":
        tail_len = 1 if n >= 3 else 0
    elif handoff_requested:
        tail_len = 2
    else:
        tail_len = 0
    bot: list[Line] = []
    topics = list(business.topics) + list(content.GENERIC_TOPICS)
    rng.shuffle(topics)
    topic_index = 0
    while len(bot) < n - tail_len:
        if bot and rng.random() < 0.35:
            bot.append(("customer", customer, rng.choice(content.THANKS), ()))
            answer = content.fill(rng.choice(content.AGENT_WELCOME), **values)
            bot.append(("agent", agent, answer, ()))
            continue
        topic = topics[topic_index % len(topics)]
        topic_index += 1
        question = topic.question
        if not bot and rng.random() < 0.4:
            question = f"{rng.choice(content.GREETINGS)} {question}"
        bot.append(("customer", customer, question, ()))
        tools = tuple(t for t in topic.tools if rng.random() < 0.8)
        bot.append(("agent", agent, topic.answer, tools))
    bot = bot[: n - tail_len]
    tail: list[Line] = []
    if status == "handed_off" and handler is not None:
        staff_name = handler[1]
        ask = content.fill(rng.choice(content.HANDOFF_ASKS), **values)
        candidates: list[Line] = [
            ("customer", customer, ask, ()),
            ("agent", agent, content.fill(rng.choice(content.AGENT_HANDOFF), **values), ()),
            ("system", "System", f"{staff_name} took over the conversation", ()),
        ]
        if tail_len < 3:
            candidates = candidates[2:]
        while len(candidates) < tail_len:
            if candidates[-1][0] == "human":
                text = rng.choice(content.CUSTOMER_FOLLOWUPS)
                candidates.append(("customer", customer, text, ()))
            else:
                human_values = dict(values, staff=staff_name.split()[0])
                text = content.fill(rng.choice(content.HUMAN_REPLIES), **human_values)
                candidates.append(("human", staff_name, text, ()))
        tail = candidates[:tail_len]
    elif status == "closed" and tail_len:
        tail = [("system", "System", f"Conversation closed by {agent}: resolved", ())]
    elif handoff_requested:
        ask = content.fill(rng.choice(content.HANDOFF_ASKS), **values)
        handoff = content.fill(rng.choice(content.AGENT_HANDOFF), **values)
        tail = [("customer", customer, ask, ()), ("agent", agent, handoff, ())]
    script = bot + tail
    assert len(script) == n, (len(script), n)
    return script
