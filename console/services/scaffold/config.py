"""The publish configuration of one generated app (publish wizard steps 1-7).

`PublishConfig` is what the publish wizard collects and what the scaffold
generator renders from. It is frozen, typed, JSON-able (`to_dict`/`from_dict`,
stored in the store's `publish_configs.config` column) and free of Qt and I/O.
`validate()` lists every problem at once so the wizard can show them inline.
`env_vars()` names every environment variable the generated app reads.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import Any, Literal
from urllib.parse import urlsplit

from console.errors import UserInputError
from console.vocabulary import WEBHOOK_EVENTS, Architecture, Category, WebhookEvent

logger = logging.getLogger(__name__)

#: Version of the `to_dict()` layout; `from_dict` reads older ones too.
CONFIG_VERSION = 1
DEFAULT_PLATFORM_URL = "https://app.l4yercak3.com"


class Backend(StrEnum):
    CONVEX = "convex"
    SUPABASE = "supabase"
    NEON_DRIZZLE = "neon_drizzle"
    NONE = "none"


class AuthProvider(StrEnum):
    NONE = "none"
    L4YERCAK3_OAUTH = "l4yercak3_oauth"
    NEXTAUTH = "nextauth"
    CLERK = "clerk"
    SUPABASE_AUTH = "supabase_auth"


class Payments(StrEnum):
    STRIPE = "stripe"
    INVOICING = "invoicing"
    BOTH = "both"
    NONE = "none"


class Tier(StrEnum):
    """The publisher's licence tier; decides the "Powered by l4yercak3" badge."""

    FREE = "free"
    PRO = "pro"
    AGENCY = "agency"
    ENTERPRISE = "enterprise"


#: Categories whose generated pages show the organization's own records
#: (contacts, invoices, tickets, workflows). They are only generated behind sign-in.
PRIVATE_CATEGORIES: frozenset[Category] = frozenset(
    {Category.CRM, Category.INVOICES, Category.TICKETS, Category.WORKFLOWS}
)

_REPO_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_ORG_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _ordered(categories: Iterable[Category | str]) -> tuple[Category, ...]:
    chosen = {Category(c) for c in categories}
    return tuple(c for c in Category if c in chosen)


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a `PublishConfig`.

    Attributes:
        field: the `PublishConfig` field the wizard should highlight.
        message: what is wrong and how to fix it, for the user.
        severity: "error" blocks publishing; "warning" is shown but allowed.
    """

    field: str
    message: str
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class PublishConfig:
    """What to generate for one app (wizard steps 1-6).

    `categories` is normalised to the canonical order of `Category`, so equal
    selections compare (and render) equal whatever order they were picked in.
    """

    app_name: str
    repo_name: str
    description: str = ""
    private: bool = True
    categories: tuple[Category, ...] = ()
    architecture: Architecture = Architecture.THIN_CLIENT
    backend: Backend = Backend.NONE
    auth: AuthProvider = AuthProvider.NONE
    payments: Payments = Payments.NONE
    tier: Tier = Tier.FREE
    platform_url: str = DEFAULT_PLATFORM_URL
    org_id: str = ""

    def __post_init__(self) -> None:
        # Frozen, so normalise through object.__setattr__ (dataclasses docs' idiom).
        object.__setattr__(self, "categories", _ordered(self.categories))
        for name, kind in (
            ("architecture", Architecture),
            ("backend", Backend),
            ("auth", AuthProvider),
            ("payments", Payments),
            ("tier", Tier),
        ):
            object.__setattr__(self, name, kind(getattr(self, name)))

    # --- derived facts the generator and the wizard share ---------------------
    def has(self, category: Category) -> bool:
        return category in self.categories

    @property
    def stripe(self) -> bool:
        return self.payments in (Payments.STRIPE, Payments.BOTH)

    @property
    def invoicing(self) -> bool:
        return self.payments in (Payments.INVOICING, Payments.BOTH)

    @property
    def signed_in(self) -> bool:
        """Whether the app has user sign-in at all."""
        return self.auth is not AuthProvider.NONE

    @property
    def database(self) -> bool:
        """Whether the app has its own database."""
        return self.backend is not Backend.NONE

    @property
    def badge_required(self) -> bool:
        """The free tier must show "Powered by l4yercak3"."""
        return self.tier is Tier.FREE

    def with_changes(self, **changes: Any) -> PublishConfig:
        return replace(self, **changes)

    # --- validation -------------------------------------------------------------
    def validate(self) -> list[ConfigProblem]:
        """Every problem with this configuration, errors and warnings, in wizard order."""
        problems: list[ConfigProblem] = []
        add = problems.append

        name = self.app_name.strip()
        if not name:
            add(ConfigProblem("app_name", "Give the app a name."))
        elif len(name) > 100:
            add(ConfigProblem("app_name", "The app name is longer than 100 characters."))
        if any(ord(ch) < 32 for ch in self.app_name + self.description):
            add(
                ConfigProblem("app_name", "Name and description cannot contain control characters.")
            )
        if len(self.description) > 350:
            add(
                ConfigProblem("description", "GitHub allows at most 350 characters of description.")
            )
        problems.extend(_repo_name_problems(self.repo_name))

        if not self.categories:
            add(
                ConfigProblem(
                    "categories",
                    "No API category selected: the app will only have a home page.",
                    "warning",
                )
            )

        if self.architecture is Architecture.THIN_CLIENT and self.backend is not Backend.NONE:
            add(
                ConfigProblem(
                    "backend",
                    "A thin client keeps all data in l4yercak3: set the backend to none, "
                    "or choose Full stack or Hybrid for an own database.",
                )
            )
        if self.architecture is Architecture.FULL_STACK and self.backend is Backend.NONE:
            add(
                ConfigProblem(
                    "backend",
                    "Full stack means an own database: pick Convex, Supabase or Neon + "
                    "Drizzle, or choose Thin client.",
                )
            )
        if (
            self.architecture is Architecture.HYBRID
            and self.auth is not AuthProvider.L4YERCAK3_OAUTH
        ):
            add(
                ConfigProblem(
                    "auth",
                    "Hybrid apps sign users in with l4yercak3 OAuth (identity and CRM "
                    "stay in l4yercak3): choose l4yercak3 OAuth.",
                )
            )
        if self.auth is AuthProvider.SUPABASE_AUTH and self.backend is not Backend.SUPABASE:
            add(ConfigProblem("auth", "Supabase Auth needs the Supabase backend."))

        if self.invoicing and not self.has(Category.INVOICES):
            add(
                ConfigProblem(
                    "payments",
                    "l4yercak3 invoicing uses the Invoices API: add the Invoices category.",
                )
            )
        if (
            self.has(Category.PRODUCTS)
            and not self.stripe
            and not self.invoicing
            and not self.has(Category.CHECKOUT)
        ):
            add(
                ConfigProblem(
                    "payments",
                    "Products are selected but nothing takes payment: add Stripe, "
                    "invoicing or the Checkout category, or the cart cannot be paid.",
                    "warning",
                )
            )
        private = [c.value for c in self.categories if c in PRIVATE_CATEGORIES]
        if private and not self.signed_in:
            add(
                ConfigProblem(
                    "auth",
                    f"Without sign-in the pages of {', '.join(private)} are left out "
                    "(they would show the organization's records to every visitor); "
                    "only their API helpers are generated.",
                    "warning",
                )
            )

        problems.extend(_platform_url_problems(self.platform_url))
        if self.org_id and not _ORG_ID.match(self.org_id):
            add(
                ConfigProblem(
                    "org_id",
                    "An organization id is 1-64 letters, digits, '-' or '_'.",
                )
            )
        return problems

    def errors(self) -> list[ConfigProblem]:
        return [p for p in self.validate() if p.severity == "error"]

    @property
    def is_valid(self) -> bool:
        return not self.errors()

    # --- persistence --------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, for `publish_configs.config`."""
        out: dict[str, Any] = {"version": CONFIG_VERSION}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "categories":
                out[f.name] = [c.value for c in value]
            elif isinstance(value, StrEnum):
                out[f.name] = value.value
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PublishConfig:
        """Rebuild from `to_dict()` output; unknown keys are ignored, missing ones default.

        Raises:
            InvalidPublishConfig: a known key has a value of the wrong type or
                an unknown enum value.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known - {"version"})
        if unknown:
            logger.info("publish config: ignoring unknown keys %s", unknown)
        kwargs: dict[str, Any] = {}
        for key in known & set(data):
            kwargs[key] = data[key]
        for key in ("app_name", "repo_name"):
            kwargs.setdefault(key, "")
        try:
            for key in ("app_name", "repo_name", "description", "platform_url", "org_id"):
                if key in kwargs and not isinstance(kwargs[key], str):
                    raise TypeError(f"{key} must be a string")
            if "private" in kwargs and not isinstance(kwargs["private"], bool):
                raise TypeError("private must be true or false")
            if "categories" in kwargs:
                cats = kwargs["categories"]
                if not isinstance(cats, list | tuple):
                    raise TypeError("categories must be a list")
                kwargs["categories"] = tuple(Category(c) for c in cats)
            return cls(**kwargs)
        except (TypeError, ValueError) as exc:
            raise InvalidPublishConfig(f"Stored publish configuration is invalid: {exc}") from exc


class InvalidPublishConfig(UserInputError):
    """A stored or imported publish configuration cannot be read."""


def _repo_name_problems(repo: str) -> list[ConfigProblem]:
    if not repo:
        return [ConfigProblem("repo_name", "Give the repository a name.")]
    if len(repo) > 100:
        return [ConfigProblem("repo_name", "A GitHub repository name has at most 100 characters.")]
    if not _REPO_NAME.match(repo):
        return [
            ConfigProblem(
                "repo_name",
                "A GitHub repository name uses only letters, digits, '.', '-' and '_'.",
            )
        ]
    if repo in (".", ".."):
        return [ConfigProblem("repo_name", "'.' and '..' are not valid repository names.")]
    if repo.lower().endswith(".git"):
        return [ConfigProblem("repo_name", "A repository name cannot end in '.git'.")]
    return []


def _platform_url_problems(url: str) -> list[ConfigProblem]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [ConfigProblem("platform_url", "The platform URL must be an http(s) URL.")]
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        return [
            ConfigProblem(
                "platform_url",
                "The platform URL must use https (plain http only for a local sandbox).",
            )
        ]
    if parts.query or parts.fragment or parts.username or parts.password:
        return [
            ConfigProblem(
                "platform_url",
                "The platform URL is the bare origin, without query, fragment or credentials.",
            )
        ]
    return []


# --- environment variables ----------------------------------------------------------------
ENV_VAR_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclass(frozen=True)
class EnvVar:
    """One environment variable the generated app reads.

    Attributes:
        name: matches `ENV_VAR_NAME`.
        description: one line for the wizard and `.env.example`.
        secret: set as a sensitive value; never written into a file.
        example: a harmless example value ("" for every secret).
        required: the app fails (at the feature that reads it) without it.
        provided_by: "console" when the console fills it in at deploy time
            (platform URL, org id, the app's API key, its webhook secret, OAuth
            client); "user" when the publisher must supply it.
    """

    name: str
    description: str
    secret: bool
    example: str = ""
    required: bool = True
    provided_by: Literal["console", "user"] = "user"

    def __post_init__(self) -> None:
        if not ENV_VAR_NAME.match(self.name):
            raise ValueError(f"invalid environment variable name {self.name!r}")
        if self.secret and self.example:
            raise ValueError(f"secret {self.name} must not carry an example value")


def env_vars(config: PublishConfig) -> list[EnvVar]:
    """Every environment variable the app generated from `config` reads, in `.env.example` order."""
    out: list[EnvVar] = [
        EnvVar(
            "NEXT_PUBLIC_L4YERCAK3_URL",
            "Base URL of the l4yercak3 platform (the API lives under /api/v1).",
            False,
            config.platform_url,
            provided_by="console",
        ),
        EnvVar(
            "L4YERCAK3_API_KEY",
            "Scoped API key of this app; server-side only, created at deploy time.",
            True,
            provided_by="console",
        ),
        EnvVar(
            "L4YERCAK3_ORG_ID",
            "Organization the app acts in (sent as X-Organization-Id).",
            False,
            config.org_id or "org_123",
            provided_by="console",
        ),
        EnvVar(
            "L4YERCAK3_WEBHOOK_SECRET",
            "Signing secret of the platform webhook (verifies X-L4yercak3-Signature).",
            True,
            provided_by="console",
        ),
    ]
    if config.has(Category.CONVERSATIONS):
        out.append(
            EnvVar(
                "L4YERCAK3_AGENT_ID",
                "The AI agent that answers the web chat.",
                False,
                "agent_123",
                provided_by="user",
            )
        )
    if config.signed_in and (config.has(Category.CRM) or config.has(Category.WORKFLOWS)):
        out.append(
            EnvVar(
                "APP_ADMIN_EMAILS",
                "Comma-separated emails allowed on staff pages (contacts, workflows).",
                False,
                "owner@example.com",
            )
        )

    if config.backend is Backend.CONVEX:
        out += [
            EnvVar(
                "CONVEX_URL", "URL of the Convex deployment.", False, "https://example.convex.cloud"
            ),
            EnvVar(
                "CONVEX_SYNC_SECRET",
                "Shared secret the app's server passes to its Convex functions (they refuse "
                "calls without it); set the same value in the Convex dashboard.",
                True,
            ),
        ]
    elif config.backend is Backend.SUPABASE:
        out += [
            EnvVar(
                "NEXT_PUBLIC_SUPABASE_URL",
                "URL of the Supabase project.",
                False,
                "https://example.supabase.co",
            ),
            EnvVar(
                "SUPABASE_SERVICE_ROLE_KEY",
                "Supabase service role key; server-side only (page data, sync, webhooks).",
                True,
            ),
        ]
        if config.auth is AuthProvider.SUPABASE_AUTH:
            out.append(
                EnvVar(
                    "NEXT_PUBLIC_SUPABASE_ANON_KEY",
                    "Supabase anon (public) key, for sign-in; row level security keeps the "
                    "tables closed to it.",
                    False,
                    "public-anon-key",
                )
            )
    elif config.backend is Backend.NEON_DRIZZLE:
        out.append(EnvVar("DATABASE_URL", "Postgres connection string of the Neon database.", True))
    if config.database:
        out.append(
            EnvVar(
                "CRON_SECRET",
                "Protects /api/sync (Vercel Cron sends it as a bearer token).",
                True,
            )
        )

    if config.auth is AuthProvider.L4YERCAK3_OAUTH:
        out += [
            EnvVar(
                "L4YERCAK3_OAUTH_CLIENT_ID",
                "OAuth client id of this app on l4yercak3.",
                False,
                "client_123",
                provided_by="console",
            ),
            EnvVar(
                "L4YERCAK3_OAUTH_CLIENT_SECRET",
                "OAuth client secret of this app on l4yercak3.",
                True,
                provided_by="console",
            ),
            EnvVar(
                "SESSION_SECRET",
                "At least 32 random characters; encrypts the session cookie.",
                True,
            ),
        ]
    elif config.auth is AuthProvider.NEXTAUTH:
        out += [
            EnvVar("NEXTAUTH_URL", "Public URL of the app.", False, "https://my-app.vercel.app"),
            EnvVar("NEXTAUTH_SECRET", "Random secret that signs NextAuth sessions.", True),
            EnvVar(
                "AUTH_OIDC_ISSUER",
                "Issuer URL of the OpenID Connect provider users sign in with.",
                False,
                "https://accounts.google.com",
            ),
            EnvVar("AUTH_OIDC_CLIENT_ID", "OpenID Connect client id.", False, "my-client-id"),
            EnvVar("AUTH_OIDC_CLIENT_SECRET", "OpenID Connect client secret.", True),
        ]
    elif config.auth is AuthProvider.CLERK:
        out += [
            EnvVar(
                "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY",
                "Clerk publishable key (pk_...).",
                False,
                "pk_test_example",
            ),
            EnvVar("CLERK_SECRET_KEY", "Clerk secret key; server-side only.", True),
        ]

    if config.stripe:
        out += [
            EnvVar("STRIPE_SECRET_KEY", "Stripe secret key; server-side only.", True),
            EnvVar(
                "STRIPE_WEBHOOK_SECRET",
                "Signing secret of the Stripe webhook endpoint /api/stripe/webhook.",
                True,
            ),
            EnvVar(
                "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
                "Stripe publishable key, for Stripe.js in the browser.",
                False,
                "pk_test_example",
            ),
        ]
    return out


# --- what the deploy step registers -----------------------------------------------------
_EVENTS_BY_CATEGORY: dict[Category, tuple[WebhookEvent, ...]] = {
    Category.FORMS: (WebhookEvent.FORM_SUBMITTED,),
    Category.CRM: (WebhookEvent.CONTACT_CREATED,),
    Category.PRODUCTS: (WebhookEvent.PAYMENT_COMPLETED,),
    Category.INVOICES: (WebhookEvent.PAYMENT_COMPLETED,),
    Category.CHECKOUT: (WebhookEvent.PAYMENT_COMPLETED,),
    Category.CONVERSATIONS: (
        WebhookEvent.CONVERSATION_STARTED,
        WebhookEvent.CONVERSATION_CLOSED,
        WebhookEvent.CONVERSATION_HANDED_OFF,
        WebhookEvent.MESSAGE_RECEIVED,
    ),
}


def webhook_events(config: PublishConfig) -> list[str]:
    """Webhook events the generated app handles, for `POST /webhooks/register`.

    Empty when no selected category emits events: then register nothing.
    """
    wanted = {e for c in config.categories for e in _EVENTS_BY_CATEGORY.get(c, ())}
    return [e for e in WEBHOOK_EVENTS if e in wanted]


_WRITE_CATEGORIES = frozenset(
    {
        Category.EVENTS,
        Category.CRM,
        Category.FORMS,
        Category.INVOICES,
        Category.BOOKINGS,
        Category.WORKFLOWS,
        Category.CHECKOUT,
        Category.CONVERSATIONS,
    }
)


def api_scopes(config: PublishConfig) -> list[str]:
    """Scopes of the app's API key (`POST /api-keys`): read, plus write where the app writes."""
    scopes: list[str] = []
    for c in config.categories:
        scopes.append(f"{c.value}:read")
        if c in _WRITE_CATEGORIES:
            scopes.append(f"{c.value}:write")
    return scopes


__all__ = [
    "CONFIG_VERSION",
    "ENV_VAR_NAME",
    "PRIVATE_CATEGORIES",
    "WEBHOOK_EVENTS",
    "Architecture",
    "AuthProvider",
    "Backend",
    "Category",
    "ConfigProblem",
    "EnvVar",
    "InvalidPublishConfig",
    "Payments",
    "PublishConfig",
    "Tier",
    "api_scopes",
    "env_vars",
    "webhook_events",
]
