"""Clients: the agency's sub-organizations, their figures, and offline create/edit.

Reading is store-only: summaries, the "needs attention" list and the
per-client drill-down are computed from what sync put in the store. Writing
is local first: a new or edited client is written to the store and queued in
the outbox in one transaction (kinds `CREATE_CLIENT`, `UPDATE_CLIENT`), and
the sync engine delivers it to the platform when it is reachable.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import delete, select

from console.errors import ConsoleError, UserInputError
from console.services.platform.client import PlatformClient
from console.services.platform.models import ChildOrganization
from console.services.sync.outbox import Delivery, Handler, enqueue
from console.store.db import Store, Transaction
from console.store.models import (
    Conversation,
    CreditBalance,
    CreditTransaction,
    Deployment,
    Organization,
    OutboxEntry,
    Project,
)

logger = logging.getLogger(__name__)

#: Outbox kinds this service delivers (register `ClientsService.outbox_handlers()`).
CREATE_CLIENT = "client.create"
UPDATE_CLIENT = "client.update"
#: Creates and edits of clients go out in order, one queue.
OUTBOX_TARGET = "platform:clients"
#: Ids of clients created offline, until the platform assigns the real one.
LOCAL_PREFIX = "local-"
#: Below this share of the monthly allocation the pool counts as low.
LOW_CREDIT_FRACTION = 0.2
USAGE_KINDS = ("llm_message", "tool_call")

SLUG_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$")

AttentionKind = Literal["failing_deployment", "handoff_waiting", "low_credits"]


@dataclass(frozen=True)
class ClientDraft:
    """What the create/edit dialog collects. Empty strings mean "not set"."""

    name: str
    slug: str
    contact_email: str
    brand_color: str = ""
    logo_url: str = ""

    def normalized(self) -> ClientDraft:
        return ClientDraft(
            name=self.name.strip(),
            slug=self.slug.strip(),
            contact_email=self.contact_email.strip(),
            brand_color=self.brand_color.strip().lower(),
            logo_url=self.logo_url.strip(),
        )


def slugify(name: str) -> str:
    """A slug suggestion for a client name ("Crumb & Co." -> "crumb-co")."""
    replaced = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    replaced = replaced.replace("ß", "ss")
    slug = re.sub(r"[^a-z0-9]+", "-", replaced).strip("-")
    return slug[:63].strip("-")


def validate_draft(
    draft: ClientDraft, *, taken_slugs: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Field name -> what is wrong with it; empty when the draft can be saved."""
    d = draft.normalized()
    errors: dict[str, str] = {}
    if not d.name:
        errors["name"] = "Enter the client's name."
    elif len(d.name) > 120:
        errors["name"] = "At most 120 characters."
    if not d.slug:
        errors["slug"] = "Enter a slug (lowercase letters, digits and dashes)."
    elif not SLUG_RE.match(d.slug):
        errors["slug"] = "Only a-z, 0-9 and dashes; no dash at the start or end; at most 63."
    elif d.slug in taken_slugs:
        errors["slug"] = "Another client already uses this slug."
    if not d.contact_email:
        errors["contact_email"] = "Enter a contact email."
    elif not EMAIL_RE.match(d.contact_email) or len(d.contact_email) > 254:
        errors["contact_email"] = "This is not an email address."
    if d.brand_color and not COLOR_RE.match(d.brand_color):
        errors["brand_color"] = "Use the #rrggbb form, e.g. #1f6feb."
    if d.logo_url and (not URL_RE.match(d.logo_url) or len(d.logo_url) > 2048):
        errors["logo_url"] = "Enter a full http(s):// address."
    return errors


@dataclass(frozen=True)
class ClientSummary:
    """One row of the clients list."""

    id: str
    name: str
    slug: str
    status: str
    pending: bool
    contact_email: str
    brand_color: str
    logo_url: str
    portal_url: str
    projects: int
    live_sites: int
    open_conversations: int
    handoffs_waiting: int
    failing_deployments: int
    credits_this_month: float
    low_credits: bool
    #: Short reasons this client needs attention ("2 failing deployments").
    attention: tuple[str, ...] = ()

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention)

    def draft(self) -> ClientDraft:
        return ClientDraft(
            self.name, self.slug, self.contact_email, self.brand_color, self.logo_url
        )


@dataclass(frozen=True)
class AttentionItem:
    """One thing across all clients that wants a human."""

    client_id: str
    client_name: str
    kind: AttentionKind
    subject: str
    detail: str
    since: datetime | None = None

    @property
    def kind_label(self) -> str:
        return {
            "failing_deployment": "Failing deployment",
            "handoff_waiting": "Handoff waiting",
            "low_credits": "Low credits",
        }[self.kind]


@dataclass(frozen=True)
class ProjectLine:
    name: str
    status: str
    deployment_status: str
    production_url: str


@dataclass(frozen=True)
class ConversationLine:
    customer: str
    channel: str
    status: str
    handled_by: str
    handoff_waiting: bool
    last_message_at: datetime | None
    credits: float


@dataclass(frozen=True)
class DeploymentLine:
    project: str
    state: str
    url: str
    created_at: datetime | None
    error: str


@dataclass(frozen=True)
class ClientDetail:
    """The drill-down of one client."""

    summary: ClientSummary
    projects: tuple[ProjectLine, ...]
    conversations: tuple[ConversationLine, ...]
    deployments: tuple[DeploymentLine, ...]
    #: Credits spent per day this month, (day, llm messages, tool calls).
    usage_by_day: tuple[tuple[datetime, float, float], ...] = field(default=())


def month_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _handoff_waiting(c: Conversation) -> bool:
    if c.status == "closed":
        return False
    return c.handled_by is None and (c.handoff_requested or c.status == "handed_off")


def pool_is_low(store: Store) -> bool:
    """The agency's shared pool is below the low-credit level (or empty)."""
    with store.read() as session:
        latest = session.scalars(
            select(CreditBalance).order_by(CreditBalance.taken_at.desc(), CreditBalance.id.desc())
        ).first()
    if latest is None:
        return False
    total = latest.daily + latest.monthly + latest.purchased
    return total <= 0 or total < LOW_CREDIT_FRACTION * latest.monthly_allocation


class ClientsService:
    """Figures, attention list, drill-down and offline create/edit of clients.

    Args:
        store: the local store.
        platform: the platform client (used only by the outbox handlers).
        on_queued: called after something was queued (production: the sync
            engine's `outbox_changed`, so it is delivered at once if online).
        clock: "now", for "this month".
    """

    def __init__(
        self,
        store: Store,
        platform: PlatformClient,
        *,
        on_queued: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._platform = platform
        self._on_queued = on_queued
        self._clock = clock

    # --- reading ----------------------------------------------------------------
    def summaries(self) -> list[ClientSummary]:
        """Every client of the agency, by name, with its figures."""
        since = month_start(self._clock())
        low = pool_is_low(self._store)
        with self._store.read() as session:
            orgs = list(
                session.scalars(
                    select(Organization)
                    .where(Organization.parent_id.is_not(None))
                    .order_by(Organization.name)
                )
            )
            projects = list(session.scalars(select(Project)))
            conversations = list(
                session.scalars(select(Conversation).where(Conversation.status != "closed"))
            )
            failing = self._failing_projects(session)
            spent: dict[str, float] = {}
            rows = session.execute(
                select(CreditTransaction.org_id, CreditTransaction.amount).where(
                    CreditTransaction.kind.in_(USAGE_KINDS),
                    CreditTransaction.created_at >= since,
                )
            )
            for org_id, amount in rows:
                spent[org_id] = spent.get(org_id, 0.0) - amount
        by_org_projects: dict[str, list[Project]] = {}
        for p in projects:
            by_org_projects.setdefault(p.org_id or "", []).append(p)
        open_count: Counter[str] = Counter(c.org_id for c in conversations)
        waiting: Counter[str] = Counter(c.org_id for c in conversations if _handoff_waiting(c))
        failing_count: Counter[str] = Counter(p.org_id or "" for p in failing)
        result = []
        for org in orgs:
            own = by_org_projects.get(org.id, [])
            live = sum(1 for p in own if p.production_url and p.deployment_status == "deployed")
            used = round(spent.get(org.id, 0.0), 2)
            client_low = low and org.status != "suspended"
            reasons = []
            if failing_count[org.id]:
                n = failing_count[org.id]
                reasons.append(f"{n} failing deployment{'s' if n > 1 else ''}")
            if waiting[org.id]:
                n = waiting[org.id]
                reasons.append(f"{n} handoff{'s' if n > 1 else ''} waiting")
            if client_low:
                reasons.append("low credits")
            result.append(
                ClientSummary(
                    id=org.id,
                    name=org.name,
                    slug=org.slug,
                    status=org.status,
                    pending=org.pending,
                    contact_email=org.contact_email or "",
                    brand_color=org.brand_color or "",
                    logo_url=org.logo_url or "",
                    portal_url=org.portal_url or "",
                    projects=len(own),
                    live_sites=live,
                    open_conversations=open_count[org.id],
                    handoffs_waiting=waiting[org.id],
                    failing_deployments=failing_count[org.id],
                    credits_this_month=used,
                    low_credits=client_low,
                    attention=tuple(reasons),
                )
            )
        return result

    def attention_items(self) -> list[AttentionItem]:
        """Across all clients: failing deployments, handoffs waiting, low credits."""
        names = {s.id: s.name for s in self.summaries()}
        items: list[AttentionItem] = []
        with self._store.read() as session:
            for p in self._failing_projects(session):
                if p.org_id in names:
                    items.append(
                        AttentionItem(
                            p.org_id or "",
                            names[p.org_id or ""],
                            "failing_deployment",
                            p.name,
                            p.production_url or "deployment failed",
                            _aware(p.updated_at),
                        )
                    )
            for c in session.scalars(select(Conversation).where(Conversation.status != "closed")):
                if c.org_id in names and _handoff_waiting(c):
                    who = c.customer_name or c.customer_handle or c.id
                    items.append(
                        AttentionItem(
                            c.org_id,
                            names[c.org_id],
                            "handoff_waiting",
                            who,
                            f"{c.channel}: {c.preview}" if c.preview else c.channel,
                            _aware(c.last_customer_message_at or c.last_message_at),
                        )
                    )
        if pool_is_low(self._store):
            for s in self.summaries():
                if s.low_credits:
                    items.append(
                        AttentionItem(
                            s.id,
                            s.name,
                            "low_credits",
                            "Shared credit pool",
                            f"{s.credits_this_month:g} credits used this month",
                        )
                    )
        order = {"failing_deployment": 0, "handoff_waiting": 1, "low_credits": 2}
        items.sort(key=lambda i: (order[i.kind], i.client_name.lower()))
        return items

    def detail(self, client_id: str) -> ClientDetail | None:
        """The drill-down of one client, or None when it is gone."""
        summary = next((s for s in self.summaries() if s.id == client_id), None)
        if summary is None:
            return None
        since = month_start(self._clock())
        with self._store.read() as session:
            projects = list(
                session.scalars(
                    select(Project).where(Project.org_id == client_id).order_by(Project.name)
                )
            )
            names = {p.id: p.name for p in projects}
            conversations = list(
                session.scalars(
                    select(Conversation)
                    .where(Conversation.org_id == client_id)
                    .order_by(Conversation.last_message_at.desc())
                    .limit(200)
                )
            )
            deployments = list(
                session.scalars(
                    select(Deployment)
                    .where(Deployment.project_id.in_(list(names)))
                    .order_by(Deployment.created_at.desc())
                    .limit(100)
                )
            )
            per_day: dict[datetime, list[float]] = {}
            for kind, amount, at in session.execute(
                select(
                    CreditTransaction.kind, CreditTransaction.amount, CreditTransaction.created_at
                ).where(
                    CreditTransaction.org_id == client_id,
                    CreditTransaction.kind.in_(USAGE_KINDS),
                    CreditTransaction.created_at >= since,
                )
            ):
                moment = _aware(at) or since
                day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
                bucket = per_day.setdefault(day, [0.0, 0.0])
                bucket[0 if kind == "llm_message" else 1] += -amount
        return ClientDetail(
            summary=summary,
            projects=tuple(
                ProjectLine(p.name, p.status, p.deployment_status or "none", p.production_url or "")
                for p in projects
            ),
            conversations=tuple(
                ConversationLine(
                    c.customer_name or c.customer_handle,
                    c.channel,
                    c.status,
                    c.handled_by or "",
                    _handoff_waiting(c),
                    _aware(c.last_message_at),
                    c.credits_spent,
                )
                for c in conversations
            ),
            deployments=tuple(
                DeploymentLine(
                    names.get(d.project_id or -1, ""),
                    d.state,
                    d.url or "",
                    _aware(d.created_at),
                    d.error or "",
                )
                for d in deployments
            ),
            usage_by_day=tuple(
                (day, round(v[0], 2), round(v[1], 2)) for day, v in sorted(per_day.items())
            ),
        )

    def taken_slugs(self, *, except_id: str | None = None) -> frozenset[str]:
        with self._store.read() as session:
            rows = session.execute(select(Organization.id, Organization.slug)).all()
        return frozenset(slug for org_id, slug in rows if org_id != except_id and slug)

    # --- writing ----------------------------------------------------------------
    def queue_create(self, draft: ClientDraft, *, initiator: object | None = None) -> str:
        """Store a new client (pending) and queue it for the platform; returns its local id.

        Raises:
            UserInputError: the draft is not valid (the message names the fields).
        """
        d = self._checked(draft, except_id=None)
        local_id = f"{LOCAL_PREFIX}{uuid.uuid4().hex[:12]}"
        with self._store.write(initiator) as tx:
            parent = tx.session.scalar(
                select(Organization.id).where(Organization.parent_id.is_(None))
            )
            tx.session.add(
                Organization(
                    id=local_id,
                    parent_id=parent or "",
                    name=d.name,
                    slug=d.slug,
                    status="provisioning",
                    contact_email=d.contact_email,
                    brand_color=d.brand_color or None,
                    logo_url=d.logo_url or None,
                    pending=True,
                    updated_at=datetime.now(UTC),
                )
            )
            enqueue(tx, OUTBOX_TARGET, CREATE_CLIENT, {"local_id": local_id, **_body(d)})
        logger.info("client %s queued for creation", local_id)
        self._queued()
        return local_id

    def queue_update(
        self, client_id: str, draft: ClientDraft, *, initiator: object | None = None
    ) -> None:
        """Store an edit and queue it (the slug cannot change once created).

        A client still waiting to be created has its queued creation updated
        instead, so the platform sees one create with the final values.
        """
        d = self._checked(draft, except_id=client_id)
        with self._store.write(initiator) as tx:
            org = tx.session.get(Organization, client_id)
            if org is None:
                raise UserInputError("This client no longer exists.")
            org.name = d.name
            org.contact_email = d.contact_email
            org.brand_color = d.brand_color or None
            org.logo_url = d.logo_url or None
            org.updated_at = datetime.now(UTC)
            rewritten = False
            if client_id.startswith(LOCAL_PREFIX):
                org.slug = d.slug
                rewritten = self._rewrite_pending_create(tx, client_id, d)
            if not rewritten:
                org.pending = True
                payload: dict[str, Any] = {"client_id": client_id, **_body(d)}
                payload.pop("slug", None)
                enqueue(tx, OUTBOX_TARGET, UPDATE_CLIENT, payload)
        logger.info("client %s edit queued", client_id)
        self._queued()

    def outbox_handlers(self) -> dict[str, Handler]:
        """Register these with the OutboxProcessor."""
        return {
            CREATE_CLIENT: Handler(self._deliver_create, _created, _create_rejected),
            UPDATE_CLIENT: Handler(self._deliver_update, _updated, _update_rejected),
        }

    # --- delivery ---------------------------------------------------------------
    async def _deliver_create(self, delivery: Delivery) -> ChildOrganization:
        p = delivery.payload
        return await self._platform.create_child(
            name=p["name"],
            slug=p["slug"],
            contact_email=p["contactEmail"],
            brand_primary_color=p.get("brandPrimaryColor"),
            brand_logo_url=p.get("brandLogoUrl"),
            idempotency_key=delivery.idempotency_key,
        )

    async def _deliver_update(self, delivery: Delivery) -> ChildOrganization:
        p = delivery.payload
        return await self._platform.update_child(
            p["client_id"],
            name=p["name"],
            contact_email=p["contactEmail"],
            brand_primary_color=p.get("brandPrimaryColor"),
            brand_logo_url=p.get("brandLogoUrl"),
            idempotency_key=delivery.idempotency_key,
        )

    # --- helpers ----------------------------------------------------------------
    def _checked(self, draft: ClientDraft, *, except_id: str | None) -> ClientDraft:
        d = draft.normalized()
        errors = validate_draft(d, taken_slugs=self.taken_slugs(except_id=except_id))
        if except_id is not None and not except_id.startswith(LOCAL_PREFIX):
            errors.pop("slug", None)  # fixed after creation; not sent
        if errors:
            raise UserInputError(" ".join(errors.values()))
        return d

    def _rewrite_pending_create(self, tx: Transaction, local_id: str, d: ClientDraft) -> bool:
        for entry in tx.session.scalars(
            select(OutboxEntry).where(
                OutboxEntry.kind == CREATE_CLIENT, OutboxEntry.status != "done"
            )
        ):
            if entry.payload.get("local_id") == local_id:
                entry.payload = {"local_id": local_id, **_body(d)}
                entry.status = "pending"
                entry.last_error = None
                return True
        return False

    def _queued(self) -> None:
        if self._on_queued is not None:
            self._on_queued()

    @staticmethod
    def failing_deployments(store: Store) -> int:
        with store.read() as session:
            return len(ClientsService._failing_projects(session))

    @staticmethod
    def _failing_projects(session: Any) -> list[Project]:
        """Projects whose last deployment failed (platform status or Vercel state)."""
        failing = {
            p.id: p
            for p in session.scalars(select(Project).where(Project.deployment_status == "failed"))
        }
        latest: dict[int, Deployment] = {}
        for d in session.scalars(select(Deployment).order_by(Deployment.created_at)):
            if d.project_id is not None:
                latest[d.project_id] = d
        for project_id, d in latest.items():
            if d.state == "ERROR" and project_id not in failing:
                project = session.get(Project, project_id)
                if project is not None:
                    failing[project_id] = project
        return list(failing.values())


def _body(d: ClientDraft) -> dict[str, Any]:
    body: dict[str, Any] = {"name": d.name, "slug": d.slug, "contactEmail": d.contact_email}
    if d.brand_color:
        body["brandPrimaryColor"] = d.brand_color
    if d.logo_url:
        body["brandLogoUrl"] = d.logo_url
    return body


def _child_values(child: ChildOrganization) -> dict[str, Any]:
    return {
        "parent_id": child.parent_id,
        "name": child.name,
        "slug": child.slug,
        "status": child.status,
        "contact_email": child.contact_email,
        "brand_color": child.brand_primary_color,
        "logo_url": child.brand_logo_url,
        "portal_url": child.portal_url,
        "pending": False,
        "updated_at": child.updated_at,
        "remote_updated_at": child.updated_at.astimezone(UTC),  # sync compares it as text
    }


def _created(tx: Transaction, delivery: Delivery, child: ChildOrganization) -> None:
    """Swap the local placeholder for the platform's client (its real id)."""
    local_id = delivery.payload["local_id"]
    tx.session.execute(delete(Organization).where(Organization.id == local_id))
    tx.touch("organizations", local_id)
    existing = tx.session.get(Organization, child.id)
    values = _child_values(child)
    if existing is None:
        tier = tx.session.scalar(select(Organization.tier).where(Organization.parent_id.is_(None)))
        tx.session.add(Organization(id=child.id, tier=tier or "free", limits={}, **values))
    else:
        for key, value in values.items():
            setattr(existing, key, value)
    tx.touch("organizations", child.id)
    logger.info("client %s created on the platform as %s", local_id, child.id)


def _create_rejected(tx: Transaction, delivery: Delivery, error: ConsoleError) -> None:
    org = tx.session.get(Organization, delivery.payload["local_id"])
    if org is not None:
        org.status = "failed"
        org.pending = False


def _updated(tx: Transaction, delivery: Delivery, child: ChildOrganization) -> None:
    org = tx.session.get(Organization, child.id)
    if org is None:
        return
    for key, value in _child_values(child).items():
        setattr(org, key, value)


def _update_rejected(tx: Transaction, delivery: Delivery, error: ConsoleError) -> None:
    org = tx.session.get(Organization, delivery.payload["client_id"])
    if org is not None:
        org.pending = False
    logger.info("client %s edit rejected: %s", delivery.payload["client_id"], type(error).__name__)
