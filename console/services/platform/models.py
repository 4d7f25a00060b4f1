"""Typed objects of the l4yercak3 platform API (`console/contracts/platform.yaml`).

Field names are the contract's, in snake_case; timestamps are aware UTC
datetimes; enums are `Literal`s checked at parse time. Secrets the API returns
once (an API key's `key`, a webhook's `secret`) are kept out of `repr()` and
registered with the log redactor as soon as they are parsed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Literal, TypeVar

from console import log as console_log
from console import vocabulary
from console.services.http import Reader

logger = logging.getLogger(__name__)

T = TypeVar("T")

Tier = Literal["free", "pro", "agency", "enterprise"]
TIERS: tuple[Tier, ...] = ("free", "pro", "agency", "enterprise")
ChildStatus = Literal["provisioning", "active", "warning", "failed", "suspended"]
CHILD_STATUSES: tuple[ChildStatus, ...] = (
    "provisioning",
    "active",
    "warning",
    "failed",
    "suspended",
)
# The shared vocabulary, under the names this module's importers use
# (`console.vocabulary` is the one definition).
CategoryId = vocabulary.CategoryId
CATEGORY_IDS = vocabulary.CATEGORY_IDS
Architecture = vocabulary.ArchitectureName
ARCHITECTURES = vocabulary.ARCHITECTURES
WebhookEvent = vocabulary.WebhookEventName
WEBHOOK_EVENTS = vocabulary.WEBHOOK_EVENTS
ObjectType = Literal[
    "product",
    "event",
    "crm_contact",
    "form",
    "invoice",
    "ticket",
    "booking",
    "workflow",
    "checkout_instance",
    "agent_session",
]
OBJECT_TYPES: tuple[ObjectType, ...] = (
    "product",
    "event",
    "crm_contact",
    "form",
    "invoice",
    "ticket",
    "booking",
    "workflow",
    "checkout_instance",
    "agent_session",
)
#: The object type of each API category (`linkBuilderAppObjects` takes object types).
OBJECT_TYPE_OF: dict[CategoryId, ObjectType] = dict(zip(CATEGORY_IDS, OBJECT_TYPES, strict=True))
BuilderAppStatus = Literal["draft", "published", "deployed", "failed"]
BUILDER_APP_STATUSES: tuple[BuilderAppStatus, ...] = ("draft", "published", "deployed", "failed")
DeploymentStatus = Literal["none", "deploying", "deployed", "failed"]
DEPLOYMENT_STATUSES: tuple[DeploymentStatus, ...] = ("none", "deploying", "deployed", "failed")
ConversationStatus = Literal["active", "handed_off", "closed"]
CONVERSATION_STATUSES: tuple[ConversationStatus, ...] = ("active", "handed_off", "closed")
Channel = Literal["whatsapp", "webchat", "sms"]
CHANNELS: tuple[Channel, ...] = ("whatsapp", "webchat", "sms")
MessageRole = Literal["customer", "agent", "human", "system"]
MESSAGE_ROLES: tuple[MessageRole, ...] = ("customer", "agent", "human", "system")
AgentStatus = Literal["active", "paused", "unavailable"]
AGENT_STATUSES: tuple[AgentStatus, ...] = ("active", "paused", "unavailable")
TransactionKind = Literal["llm_message", "tool_call", "daily_grant", "monthly_grant", "purchase"]
TRANSACTION_KINDS: tuple[TransactionKind, ...] = (
    "llm_message",
    "tool_call",
    "daily_grant",
    "monthly_grant",
    "purchase",
)
UsageGroup = Literal["day", "agent", "org"]
USAGE_GROUPS: tuple[UsageGroup, ...] = ("day", "agent", "org")
TemplateCategory = Literal["utility", "marketing", "authentication"]
TEMPLATE_CATEGORIES: tuple[TemplateCategory, ...] = ("utility", "marketing", "authentication")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list; pass `next_cursor` back as ``cursor`` (None: last page)."""

    items: tuple[T, ...]
    next_cursor: str | None


# --------------------------------------------------------------------------- organizations


@dataclass(frozen=True, slots=True)
class Limits:
    """A tier's limits; None means unlimited."""

    builder_apps: int | None
    checkout_instances: int | None
    custom_domains: int | None
    monthly_credits: float | None
    badge_required: bool
    white_label: bool

    @classmethod
    def parse(cls, r: Reader) -> Limits:
        return cls(
            builder_apps=r.opt_integer("builderApps"),
            checkout_instances=r.opt_integer("checkoutInstances"),
            custom_domains=r.opt_integer("customDomains"),
            monthly_credits=r.opt_number("monthlyCredits"),
            badge_required=r.flag("badgeRequired"),
            white_label=r.flag("whiteLabel"),
        )


@dataclass(frozen=True, slots=True)
class StaffRef:
    id: str
    name: str

    @classmethod
    def parse(cls, r: Reader) -> StaffRef:
        return cls(id=r.text("id"), name=r.text("name"))


@dataclass(frozen=True, slots=True)
class Organization:
    """The acting organization (``GET /organizations/me``) and the calling staff member."""

    id: str
    name: str
    slug: str
    tier: Tier
    parent_id: str | None
    limits: Limits
    staff: StaffRef
    created_at: datetime

    @classmethod
    def parse(cls, r: Reader) -> Organization:
        return cls(
            id=r.text("id"),
            name=r.text("name"),
            slug=r.text("slug"),
            tier=r.literal("tier", TIERS),
            parent_id=r.opt_text("parentId"),
            limits=Limits.parse(r.obj("limits")),
            staff=StaffRef.parse(r.obj("staff")),
            created_at=r.instant("createdAt"),
        )


@dataclass(frozen=True, slots=True)
class OrganizationSummary:
    """An organization as the change log reports a tier change."""

    id: str
    name: str
    slug: str
    tier: Tier
    parent_id: str | None

    @classmethod
    def parse(cls, r: Reader) -> OrganizationSummary:
        return cls(
            id=r.text("id"),
            name=r.text("name"),
            slug=r.text("slug"),
            tier=r.literal("tier", TIERS),
            parent_id=r.opt_text("parentId"),
        )


@dataclass(frozen=True, slots=True)
class ChildOrganization:
    """A client sub-organization."""

    id: str
    parent_id: str
    name: str
    slug: str
    contact_email: str
    brand_primary_color: str
    brand_logo_url: str | None
    status: ChildStatus
    portal_url: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def parse(cls, r: Reader) -> ChildOrganization:
        return cls(
            id=r.text("id"),
            parent_id=r.text("parentId"),
            name=r.text("name"),
            slug=r.text("slug"),
            contact_email=r.text("contactEmail"),
            brand_primary_color=r.text("brandPrimaryColor"),
            brand_logo_url=r.opt_text("brandLogoUrl"),
            status=r.literal("status", CHILD_STATUSES),
            portal_url=r.opt_text("portalUrl"),
            created_at=r.instant("createdAt"),
            updated_at=r.instant("updatedAt"),
        )


# --------------------------------------------------------------------------- builder apps


@dataclass(frozen=True, slots=True)
class BuilderApp:
    """A project (builder app)."""

    id: str
    org_id: str
    name: str
    slug: str
    description: str
    status: BuilderAppStatus
    architecture: Architecture
    categories: tuple[CategoryId, ...]
    repo_url: str | None
    production_url: str | None
    deployment_status: DeploymentStatus
    created_at: datetime
    updated_at: datetime

    @classmethod
    def parse(cls, r: Reader) -> BuilderApp:
        return cls(
            id=r.text("id"),
            org_id=r.text("orgId"),
            name=r.text("name"),
            slug=r.text("slug"),
            description=r.text("description"),
            status=r.literal("status", BUILDER_APP_STATUSES),
            architecture=r.literal("architecture", ARCHITECTURES),
            categories=r.literals("categories", CATEGORY_IDS),
            repo_url=r.opt_text("repoUrl"),
            production_url=r.opt_text("productionUrl"),
            deployment_status=r.literal("deploymentStatus", DEPLOYMENT_STATUSES),
            created_at=r.instant("createdAt"),
            updated_at=r.instant("updatedAt"),
        )


@dataclass(frozen=True, slots=True)
class LinkSet:
    object_type: ObjectType
    object_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BuilderAppLinks:
    """All records linked to an app, per object type."""

    app_id: str
    links: tuple[LinkSet, ...]

    def ids(self, object_type: ObjectType) -> tuple[str, ...]:
        for link in self.links:
            if link.object_type == object_type:
                return link.object_ids
        return ()

    @classmethod
    def parse(cls, r: Reader) -> BuilderAppLinks:
        return cls(
            app_id=r.text("appId"),
            links=tuple(
                LinkSet(
                    object_type=x.literal("objectType", OBJECT_TYPES),
                    object_ids=x.texts("objectIds", required=True),
                )
                for x in r.items("links")
            ),
        )


@dataclass(frozen=True, slots=True)
class Category:
    """One of the 10 API categories."""

    id: CategoryId
    name: str
    object_type: ObjectType
    scopes: tuple[str, ...]

    @classmethod
    def parse(cls, r: Reader) -> Category:
        return cls(
            id=r.literal("id", CATEGORY_IDS),
            name=r.text("name"),
            object_type=r.literal("objectType", OBJECT_TYPES),
            scopes=r.texts("scopes", required=True),
        )


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A scoped key for one app. `key` is the secret, returned only at creation."""

    id: str
    app_id: str
    org_id: str
    key: str = field(repr=False)
    key_prefix: str
    scopes: tuple[str, ...]
    created_at: datetime

    @classmethod
    def parse(cls, r: Reader) -> ApiKey:
        secret = r.text("key")
        console_log.register_secret(secret)
        return cls(
            id=r.text("id"),
            app_id=r.text("appId"),
            org_id=r.text("orgId"),
            key=secret,
            key_prefix=r.text("keyPrefix"),
            scopes=r.texts("scopes", required=True),
            created_at=r.instant("createdAt"),
        )


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """A live API key as listed (its secret is never listed)."""

    id: str
    app_id: str
    org_id: str
    key_prefix: str
    scopes: tuple[str, ...]
    created_at: datetime

    @classmethod
    def parse(cls, r: Reader) -> ApiKeyInfo:
        return cls(
            id=r.text("id"),
            app_id=r.text("appId"),
            org_id=r.text("orgId"),
            key_prefix=r.text("keyPrefix"),
            scopes=r.texts("scopes", required=True),
            created_at=r.instant("createdAt"),
        )


@dataclass(frozen=True, slots=True)
class OAuthClient:
    """An app's OAuth client; `id` is the public client id."""

    id: str
    app_id: str
    org_id: str
    redirect_uris: tuple[str, ...]
    created_at: datetime

    @classmethod
    def parse(cls, r: Reader) -> OAuthClient:
        return cls(
            id=r.text("id"),
            app_id=r.text("appId"),
            org_id=r.text("orgId"),
            redirect_uris=r.texts("redirectUris", required=True),
            created_at=r.instant("createdAt"),
        )


@dataclass(frozen=True, slots=True)
class CreatedOAuthClient:
    """A new OAuth client and its secret (shown only at creation)."""

    client: OAuthClient
    secret: str = field(repr=False)

    @classmethod
    def parse(cls, r: Reader) -> CreatedOAuthClient:
        secret = r.text("clientSecret")
        console_log.register_secret(secret)
        return cls(client=OAuthClient.parse(r), secret=secret)


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    app_id: str
    org_id: str
    url: str
    events: tuple[WebhookEvent, ...]
    created_at: datetime

    @classmethod
    def parse(cls, r: Reader) -> Webhook:
        return cls(
            id=r.text("id"),
            app_id=r.text("appId"),
            org_id=r.text("orgId"),
            url=r.text("url"),
            events=r.literals("events", WEBHOOK_EVENTS),
            created_at=r.instant("createdAt"),
        )


@dataclass(frozen=True, slots=True)
class RegisteredWebhook:
    """A new webhook and its signing secret (shown only at registration)."""

    webhook: Webhook
    secret: str = field(repr=False)

    @classmethod
    def parse(cls, r: Reader) -> RegisteredWebhook:
        secret = r.text("secret")
        console_log.register_secret(secret)
        return cls(webhook=Webhook.parse(r), secret=secret)


# --------------------------------------------------------------------------- conversations


@dataclass(frozen=True, slots=True)
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
    last_message_at: datetime
    last_customer_message_at: datetime | None
    reply_window_expires_at: datetime | None
    message_count: int
    credits_spent: float
    created_at: datetime
    updated_at: datetime

    @classmethod
    def parse(cls, r: Reader) -> Conversation:
        handler = r.opt_obj("handledBy")
        return cls(
            id=r.text("id"),
            org_id=r.text("orgId"),
            agent_id=r.text("agentId"),
            channel=r.literal("channel", CHANNELS),
            status=r.literal("status", CONVERSATION_STATUSES),
            customer_name=r.text("customerName"),
            customer_handle=r.text("customerHandle"),
            handled_by=StaffRef.parse(handler) if handler is not None else None,
            handoff_requested=r.flag("handoffRequested"),
            last_message_at=r.instant("lastMessageAt"),
            last_customer_message_at=r.opt_instant("lastCustomerMessageAt"),
            reply_window_expires_at=r.opt_instant("replyWindowExpiresAt"),
            message_count=r.integer("messageCount"),
            credits_spent=r.number("creditsSpent"),
            created_at=r.instant("createdAt"),
            updated_at=r.instant("updatedAt"),
        )


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    session_id: str
    role: MessageRole
    author_name: str
    text: str
    template_name: str | None
    tool_calls: int
    credits: float
    created_at: datetime

    @classmethod
    def parse(cls, r: Reader) -> Message:
        return cls(
            id=r.text("id"),
            session_id=r.text("sessionId"),
            role=r.literal("role", MESSAGE_ROLES),
            author_name=r.text("authorName"),
            text=r.text("text"),
            template_name=r.opt_text("templateName"),
            tool_calls=r.integer("toolCalls"),
            credits=r.number("credits"),
            created_at=r.instant("createdAt"),
        )


@dataclass(frozen=True, slots=True)
class Template:
    """An approved WhatsApp template (usable outside the 24-hour window)."""

    name: str
    language: str
    category: TemplateCategory
    body: str
    param_count: int

    @classmethod
    def parse(cls, r: Reader) -> Template:
        return cls(
            name=r.text("name"),
            language=r.text("language"),
            category=r.literal("category", TEMPLATE_CATEGORIES),
            body=r.text("body"),
            param_count=r.integer("paramCount"),
        )


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    org_id: str
    name: str
    model: str
    status: AgentStatus
    channels: tuple[Channel, ...]

    @classmethod
    def parse(cls, r: Reader) -> Agent:
        return cls(
            id=r.text("id"),
            org_id=r.text("orgId"),
            name=r.text("name"),
            model=r.text("model"),
            status=r.literal("status", AGENT_STATUSES),
            channels=r.literals("channels", CHANNELS),
        )


# --------------------------------------------------------------------------- credits and licensing


@dataclass(frozen=True, slots=True)
class CreditBalance:
    """The pool the acting organization draws from (its `org_id` is the pool owner)."""

    org_id: str
    tier: Tier
    daily: float
    monthly: float
    purchased: float
    total: float
    monthly_allocation: float | None
    low_credit_threshold: float | None
    is_low: bool
    updated_at: datetime

    @classmethod
    def parse(cls, r: Reader) -> CreditBalance:
        return cls(
            org_id=r.text("orgId"),
            tier=r.literal("tier", TIERS),
            daily=r.number("daily"),
            monthly=r.number("monthly"),
            purchased=r.number("purchased"),
            total=r.number("total"),
            monthly_allocation=r.opt_number("monthlyAllocation"),
            low_credit_threshold=r.opt_number("lowCreditThreshold"),
            is_low=r.flag("isLow"),
            updated_at=r.instant("updatedAt"),
        )


@dataclass(frozen=True, slots=True)
class CreditTransaction:
    id: str
    org_id: str
    agent_id: str | None
    session_id: str | None
    kind: TransactionKind
    amount: float
    description: str
    created_at: datetime
    #: The Stripe Checkout Session this grant was made for, else None.
    checkout_session_id: str | None = None

    @classmethod
    def parse(cls, r: Reader) -> CreditTransaction:
        return cls(
            id=r.text("id"),
            org_id=r.text("orgId"),
            agent_id=r.opt_text("agentId"),
            session_id=r.opt_text("sessionId"),
            kind=r.literal("kind", TRANSACTION_KINDS),
            amount=r.number("amount"),
            description=r.text("description") if r.has("description") else "",
            created_at=r.instant("createdAt"),
            checkout_session_id=r.opt_text("checkoutSessionId"),
        )


@dataclass(frozen=True, slots=True)
class CreditUsageRow:
    key: str
    label: str
    llm_messages: float
    tool_calls: float
    total: float
    llm_message_count: int
    tool_call_count: int

    @classmethod
    def parse(cls, r: Reader) -> CreditUsageRow:
        return cls(
            key=r.text("key"),
            label=r.text("label"),
            llm_messages=r.number("llmMessages"),
            tool_calls=r.number("toolCalls"),
            total=r.number("total"),
            llm_message_count=r.integer("llmMessageCount"),
            tool_call_count=r.integer("toolCallCount"),
        )


@dataclass(frozen=True, slots=True)
class CreditUsage:
    group_by: UsageGroup
    since: datetime
    until: datetime
    rows: tuple[CreditUsageRow, ...]

    @classmethod
    def parse(cls, r: Reader) -> CreditUsage:
        return cls(
            group_by=r.literal("groupBy", USAGE_GROUPS),
            since=r.instant("since"),
            until=r.instant("until"),
            rows=tuple(CreditUsageRow.parse(x) for x in r.items("data")),
        )


@dataclass(frozen=True, slots=True)
class UsageLimit:
    used: int
    limit: int | None

    @property
    def reached(self) -> bool:
        return self.limit is not None and self.used >= self.limit

    @classmethod
    def parse(cls, r: Reader) -> UsageLimit:
        return cls(used=r.integer("used"), limit=r.opt_integer("limit"))


@dataclass(frozen=True, slots=True)
class LicensingLimits:
    tier: Tier
    builder_apps: UsageLimit
    checkout_instances: UsageLimit
    custom_domains: UsageLimit
    monthly_credits: float | None
    badge_required: bool
    white_label: bool

    @classmethod
    def parse(cls, r: Reader) -> LicensingLimits:
        return cls(
            tier=r.literal("tier", TIERS),
            builder_apps=UsageLimit.parse(r.obj("builderApps")),
            checkout_instances=UsageLimit.parse(r.obj("checkoutInstances")),
            custom_domains=UsageLimit.parse(r.obj("customDomains")),
            monthly_credits=r.opt_number("monthlyCredits"),
            badge_required=r.flag("badgeRequired"),
            white_label=r.flag("whiteLabel"),
        )


# --------------------------------------------------------------------------- change log


@dataclass(frozen=True, slots=True)
class ConversationMessageEvent:
    id: int
    created_at: datetime | None
    message: Message
    conversation: Conversation
    type: Literal["conversation.message"] = "conversation.message"


@dataclass(frozen=True, slots=True)
class ConversationStatusEvent:
    id: int
    created_at: datetime | None
    conversation: Conversation
    type: Literal["conversation.status"] = "conversation.status"


@dataclass(frozen=True, slots=True)
class CreditsChangedEvent:
    id: int
    created_at: datetime | None
    balance: CreditBalance
    type: Literal["credits.changed"] = "credits.changed"


@dataclass(frozen=True, slots=True)
class BuilderAppUpdatedEvent:
    id: int
    created_at: datetime | None
    app: BuilderApp
    type: Literal["builder_app.updated"] = "builder_app.updated"


@dataclass(frozen=True, slots=True)
class OrganizationUpdatedEvent:
    """A child organization was created or changed (`child`), or a tier changed (`summary`)."""

    id: int
    created_at: datetime | None
    child: ChildOrganization | None
    summary: OrganizationSummary | None
    type: Literal["organization.updated"] = "organization.updated"


@dataclass(frozen=True, slots=True)
class UnknownEvent:
    """An event type newer than this console: skipped, but its id advances the cursor."""

    id: int
    created_at: datetime | None
    type: str


PlatformEvent = (
    ConversationMessageEvent
    | ConversationStatusEvent
    | CreditsChangedEvent
    | BuilderAppUpdatedEvent
    | OrganizationUpdatedEvent
    | UnknownEvent
)


def parse_event(
    event_id: int, event_type: str, data: Reader, created_at: datetime | None
) -> PlatformEvent:
    """One change-log event from its id, type and `data` object."""
    if event_type == "conversation.message":
        return ConversationMessageEvent(
            id=event_id,
            created_at=created_at,
            message=Message.parse(data.obj("message")),
            conversation=Conversation.parse(data.obj("conversation")),
        )
    if event_type == "conversation.status":
        return ConversationStatusEvent(
            id=event_id, created_at=created_at, conversation=Conversation.parse(data)
        )
    if event_type == "credits.changed":
        return CreditsChangedEvent(
            id=event_id, created_at=created_at, balance=CreditBalance.parse(data)
        )
    if event_type == "builder_app.updated":
        return BuilderAppUpdatedEvent(
            id=event_id, created_at=created_at, app=BuilderApp.parse(data)
        )
    if event_type == "organization.updated":
        # ChildOrganization carries contactEmail; the summary (tier change) does not.
        if data.has("contactEmail"):
            return OrganizationUpdatedEvent(
                id=event_id,
                created_at=created_at,
                child=ChildOrganization.parse(data),
                summary=None,
            )
        return OrganizationUpdatedEvent(
            id=event_id,
            created_at=created_at,
            child=None,
            summary=OrganizationSummary.parse(data),
        )
    logger.info("platform event %d has an unknown type %r; skipped", event_id, event_type)
    return UnknownEvent(id=event_id, created_at=created_at, type=event_type)


@dataclass(frozen=True, slots=True)
class EventPage:
    """A batch of the change log; `next_cursor` is the next ``after``."""

    events: tuple[PlatformEvent, ...]
    next_cursor: str
    has_more: bool

    @classmethod
    def parse(cls, r: Reader) -> EventPage:
        events = tuple(
            parse_event(x.integer("id"), x.text("type"), x.obj("data"), x.opt_instant("createdAt"))
            for x in r.items("data")
        )
        return cls(events=events, next_cursor=r.text("nextCursor"), has_more=r.flag("hasMore"))
