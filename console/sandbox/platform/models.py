"""Typed objects of the platform sandbox, and their JSON (wire) form.

The same dataclasses back the HTTP API (`to_json()`, camelCase as in
platform.yaml) and the in-process test API of `PlatformSandbox`. Timestamps
are kept as the wire strings (ISO 8601 UTC, `Z`); credit amounts as floats.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from console import vocabulary
from console.vocabulary import Category as ApiCategory

logger = logging.getLogger(__name__)

JSON = dict[str, Any]

Tier = Literal["free", "pro", "agency", "enterprise"]
ChildStatus = Literal["provisioning", "active", "warning", "failed", "suspended"]
AppStatus = Literal["draft", "published", "deployed", "failed"]
DeploymentStatus = Literal["none", "deploying", "deployed", "failed"]
Channel = Literal["whatsapp", "webchat", "sms"]
ConversationStatus = Literal["active", "handed_off", "closed"]
Role = Literal["customer", "agent", "human", "system"]
TransactionKind = Literal["llm_message", "tool_call", "daily_grant", "monthly_grant", "purchase"]
AgentStatus = Literal["active", "paused", "unavailable"]
EventType = Literal[
    "conversation.message",
    "conversation.status",
    "credits.changed",
    "builder_app.updated",
    "organization.updated",
]

TIERS: tuple[Tier, ...] = ("free", "pro", "agency", "enterprise")
CHILD_STATUSES: tuple[ChildStatus, ...] = (
    "provisioning",
    "active",
    "warning",
    "failed",
    "suspended",
)
APP_STATUSES: tuple[AppStatus, ...] = ("draft", "published", "deployed", "failed")
CHANNELS: tuple[Channel, ...] = ("whatsapp", "webchat", "sms")
CONVERSATION_STATUSES: tuple[ConversationStatus, ...] = ("active", "handed_off", "closed")
# The shared vocabulary (`console.vocabulary` is the one definition).
Architecture = vocabulary.ArchitectureName
ARCHITECTURES = vocabulary.ARCHITECTURES
CATEGORY_IDS = vocabulary.CATEGORY_IDS
WEBHOOK_EVENTS = vocabulary.WEBHOOK_EVENTS
TRANSACTION_KINDS: tuple[TransactionKind, ...] = (
    "llm_message",
    "tool_call",
    "daily_grant",
    "monthly_grant",
    "purchase",
)


@dataclass(frozen=True)
class TierLimits:
    """One tier's limits (a row of `TIER_LIMITS`); None is unlimited."""

    builder_apps: int | None
    checkout_instances: int | None
    custom_domains: int | None
    monthly_credits: float | None
    badge_required: bool
    white_label: bool

    def to_json(self) -> JSON:
        return {
            "builderApps": self.builder_apps,
            "checkoutInstances": self.checkout_instances,
            "customDomains": self.custom_domains,
            "monthlyCredits": self.monthly_credits,
            "badgeRequired": self.badge_required,
            "whiteLabel": self.white_label,
        }


TIER_LIMITS: dict[Tier, TierLimits] = {
    "free": TierLimits(1, 1, 0, 0.0, True, False),
    "pro": TierLimits(10, 5, 0, 200.0, False, False),
    "agency": TierLimits(100, 100, 5, 2000.0, False, True),
    "enterprise": TierLimits(None, None, None, None, False, True),
}

DAILY_CREDITS = 5.0
LOW_CREDIT_RATIO = 0.2


@dataclass(frozen=True)
class Category:
    """One of the 10 API categories (ontology types)."""

    id: str
    name: str
    object_type: str

    @property
    def scopes(self) -> tuple[str, str]:
        return (f"{self.id}:read", f"{self.id}:write")

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "name": self.name,
            "objectType": self.object_type,
            "scopes": list(self.scopes),
        }


#: The catalog's name and object type of each category (`console.vocabulary` lists them).
_CATALOG: dict[ApiCategory, tuple[str, str]] = {
    ApiCategory.PRODUCTS: ("Products", "product"),
    ApiCategory.EVENTS: ("Events", "event"),
    ApiCategory.CRM: ("CRM contacts", "crm_contact"),
    ApiCategory.FORMS: ("Forms", "form"),
    ApiCategory.INVOICES: ("Invoices", "invoice"),
    ApiCategory.TICKETS: ("Tickets", "ticket"),
    ApiCategory.BOOKINGS: ("Bookings", "booking"),
    ApiCategory.WORKFLOWS: ("Workflows", "workflow"),
    ApiCategory.CHECKOUT: ("Checkout", "checkout_instance"),
    ApiCategory.CONVERSATIONS: ("Conversations (agent sessions)", "agent_session"),
}
CATEGORIES: tuple[Category, ...] = tuple(Category(c.value, *_CATALOG[c]) for c in ApiCategory)
OBJECT_TYPES: tuple[str, ...] = tuple(c.object_type for c in CATEGORIES)
SCOPES: tuple[str, ...] = tuple(s for c in CATEGORIES for s in c.scopes)


@dataclass(frozen=True)
class StaffRef:
    """A staff member acting through an API key (the handler identity)."""

    id: str
    name: str

    def to_json(self) -> JSON:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Organization:
    """The agency (parent_id None) or one of its client sub-organizations."""

    id: str
    name: str
    slug: str
    tier: Tier
    parent_id: str | None
    contact_email: str
    brand_primary_color: str
    brand_logo_url: str | None
    status: ChildStatus
    portal_url: str | None
    created_at: str
    updated_at: str

    def to_child_json(self) -> JSON:
        return {
            "id": self.id,
            "parentId": self.parent_id,
            "name": self.name,
            "slug": self.slug,
            "contactEmail": self.contact_email,
            "brandPrimaryColor": self.brand_primary_color,
            "brandLogoUrl": self.brand_logo_url,
            "status": self.status,
            "portalUrl": self.portal_url,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }

    def to_summary_json(self) -> JSON:
        return {
            "id": self.id,
            "name": self.name,
            "slug": self.slug,
            "tier": self.tier,
            "parentId": self.parent_id,
        }


@dataclass(frozen=True)
class BuilderApp:
    id: str
    org_id: str
    name: str
    slug: str
    description: str
    status: AppStatus
    architecture: Architecture
    categories: tuple[str, ...]
    repo_url: str | None
    production_url: str | None
    deployment_status: DeploymentStatus
    created_at: str
    updated_at: str

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "orgId": self.org_id,
            "name": self.name,
            "slug": self.slug,
            "description": self.description,
            "status": self.status,
            "architecture": self.architecture,
            "categories": list(self.categories),
            "repoUrl": self.repo_url,
            "productionUrl": self.production_url,
            "deploymentStatus": self.deployment_status,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }


@dataclass(frozen=True)
class Agent:
    id: str
    org_id: str
    name: str
    model: str
    status: AgentStatus
    channels: tuple[Channel, ...]

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "orgId": self.org_id,
            "name": self.name,
            "model": self.model,
            "status": self.status,
            "channels": list(self.channels),
        }


@dataclass(frozen=True)
class Conversation:
    """An agent session."""

    id: str
    org_id: str
    agent_id: str
    channel: Channel
    status: ConversationStatus
    customer_name: str
    customer_handle: str
    handled_by: StaffRef | None
    handoff_requested: bool
    last_message_at: str
    last_customer_message_at: str | None
    reply_window_expires_at: str | None
    message_count: int
    credits_spent: float
    created_at: str
    updated_at: str

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "orgId": self.org_id,
            "agentId": self.agent_id,
            "channel": self.channel,
            "status": self.status,
            "customerName": self.customer_name,
            "customerHandle": self.customer_handle,
            "handledBy": None if self.handled_by is None else self.handled_by.to_json(),
            "handoffRequested": self.handoff_requested,
            "lastMessageAt": self.last_message_at,
            "lastCustomerMessageAt": self.last_customer_message_at,
            "replyWindowExpiresAt": self.reply_window_expires_at,
            "messageCount": self.message_count,
            "creditsSpent": self.credits_spent,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }


@dataclass(frozen=True)
class Message:
    id: str
    session_id: str
    role: Role
    author_name: str
    text: str
    template_name: str | None
    tool_calls: int
    credits: float
    created_at: str

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "sessionId": self.session_id,
            "role": self.role,
            "authorName": self.author_name,
            "text": self.text,
            "templateName": self.template_name,
            "toolCalls": self.tool_calls,
            "credits": self.credits,
            "createdAt": self.created_at,
        }


@dataclass(frozen=True)
class Template:
    """An approved WhatsApp message template."""

    name: str
    language: str
    category: str
    body: str
    param_count: int

    def render(self, params: list[str]) -> str:
        text = self.body
        for index, value in enumerate(params, start=1):
            text = text.replace("{{" + str(index) + "}}", value)
        return text

    def to_json(self) -> JSON:
        return {
            "name": self.name,
            "language": self.language,
            "category": self.category,
            "body": self.body,
            "paramCount": self.param_count,
            "status": "approved",
        }


@dataclass(frozen=True)
class Webhook:
    id: str
    app_id: str
    org_id: str
    url: str
    events: tuple[str, ...]
    secret: str
    created_at: str

    def to_json(self, *, with_secret: bool = False) -> JSON:
        out: JSON = {
            "id": self.id,
            "appId": self.app_id,
            "orgId": self.org_id,
            "url": self.url,
            "events": list(self.events),
            "createdAt": self.created_at,
        }
        if with_secret:
            out["secret"] = self.secret
        return out


@dataclass(frozen=True)
class ApiKeyRecord:
    id: str
    app_id: str
    org_id: str
    key: str
    scopes: tuple[str, ...]
    created_at: str

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "appId": self.app_id,
            "orgId": self.org_id,
            "key": self.key,
            "keyPrefix": self.key[:12],
            "scopes": list(self.scopes),
            "createdAt": self.created_at,
        }


@dataclass(frozen=True)
class ApiKeyInfo:
    """A live API key as listed: never its secret."""

    id: str
    app_id: str
    org_id: str
    key_prefix: str
    scopes: tuple[str, ...]
    created_at: str

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "appId": self.app_id,
            "orgId": self.org_id,
            "keyPrefix": self.key_prefix,
            "scopes": list(self.scopes),
            "createdAt": self.created_at,
        }


@dataclass(frozen=True)
class OAuthClient:
    """An app's OAuth client; `secret` is set only on the create answer."""

    id: str
    app_id: str
    org_id: str
    redirect_uris: tuple[str, ...]
    created_at: str
    secret: str | None = field(default=None, repr=False)

    def to_json(self) -> JSON:
        out: JSON = {
            "id": self.id,
            "appId": self.app_id,
            "orgId": self.org_id,
            "redirectUris": list(self.redirect_uris),
            "createdAt": self.created_at,
        }
        if self.secret is not None:
            out["clientSecret"] = self.secret
        return out


@dataclass(frozen=True)
class CreditBalance:
    """The credit pool of a top-level organization (children draw from it)."""

    org_id: str
    tier: Tier
    daily: float
    monthly: float
    purchased: float
    monthly_allocation: float | None
    updated_at: str

    @property
    def total(self) -> float:
        return round(self.daily + self.monthly + self.purchased, 2)

    @property
    def low_credit_threshold(self) -> float | None:
        if self.monthly_allocation is None:
            return None
        return round(self.monthly_allocation * LOW_CREDIT_RATIO, 2)

    @property
    def is_low(self) -> bool:
        threshold = self.low_credit_threshold
        return threshold is not None and self.total < threshold

    def to_json(self) -> JSON:
        return {
            "orgId": self.org_id,
            "tier": self.tier,
            "daily": self.daily,
            "monthly": self.monthly,
            "purchased": self.purchased,
            "total": self.total,
            "monthlyAllocation": self.monthly_allocation,
            "lowCreditThreshold": self.low_credit_threshold,
            "isLow": self.is_low,
            "updatedAt": self.updated_at,
        }


@dataclass(frozen=True)
class CreditTransaction:
    id: str
    org_id: str
    agent_id: str | None
    session_id: str | None
    kind: TransactionKind
    amount: float
    description: str
    created_at: str
    checkout_session_id: str | None = None

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "orgId": self.org_id,
            "agentId": self.agent_id,
            "sessionId": self.session_id,
            "kind": self.kind,
            "amount": self.amount,
            "description": self.description,
            "createdAt": self.created_at,
            "checkoutSessionId": self.checkout_session_id,
        }


@dataclass(frozen=True)
class Event:
    """One entry of the change log (SSE and `GET /events`)."""

    id: int
    type: EventType
    org_id: str
    data: JSON
    created_at: str

    def to_json(self) -> JSON:
        return {"id": self.id, "type": self.type, "data": self.data, "createdAt": self.created_at}


@dataclass(frozen=True)
class Turn:
    """What one customer message caused: the message and the agent's answer, if any."""

    session_id: str
    customer_message: Message
    agent_message: Message | None
    credits_spent: float
    new_conversation: bool = False
    handoff_requested: bool = False
    closed: bool = False


@dataclass(frozen=True)
class TickResult:
    """One traffic step (`PlatformSandbox.tick()`)."""

    turn: Turn
    events: list[Event] = field(default_factory=list)
