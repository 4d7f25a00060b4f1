"""The scaffold generator: `PublishConfig` -> the files of a Next.js app.

One jinja2 environment over `templates/` renders the files that
`FILE_RULES` selects. The table is the only place that decides which file
exists for which option; templates only decide what goes inside a file.
`compose` (compose.py) lays these files over an imported project.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from console.paths import templates_dir
from console.services.scaffold import catalog, typemap, versions
from console.services.scaffold.catalog import CATALOG, PAYMENT_ENTITY, Entity
from console.services.scaffold.config import (
    PRIVATE_CATEGORIES,
    AuthProvider,
    Backend,
    Category,
    PublishConfig,
    env_vars,
    webhook_events,
)
from console.services.scaffold.webhook import SIGNATURE_HEADER, TOLERANCE_SECONDS, WEBHOOK_PATH

logger = logging.getLogger(__name__)


# --- conditions of the file table ---------------------------------------------------------
@dataclass(frozen=True)
class When:
    """A condition on the config, composable with `&`, `|` and `~`."""

    test: Callable[[PublishConfig], bool]
    label: str

    def __call__(self, config: PublishConfig) -> bool:
        return self.test(config)

    def __and__(self, other: When) -> When:
        return When(lambda c: self(c) and other(c), f"({self.label} and {other.label})")

    def __or__(self, other: When) -> When:
        return When(lambda c: self(c) or other(c), f"({self.label} or {other.label})")

    def __invert__(self) -> When:
        return When(lambda c: not self(c), f"not {self.label}")


ALWAYS = When(lambda c: True, "always")
STRIPE = When(lambda c: c.stripe, "stripe")
INVOICING = When(lambda c: c.invoicing, "invoicing")
SIGNED_IN = When(lambda c: c.signed_in, "signed_in")
DATABASE = When(lambda c: c.database, "database")
BADGE = When(lambda c: c.badge_required, "badge")


def has(category: Category) -> When:
    return When(lambda c: c.has(category), category.value)


def page(category: Category) -> When:
    """Pages of a category: private ones (PRIVATE_CATEGORIES) only behind sign-in."""
    if category in PRIVATE_CATEGORIES:
        return has(category) & SIGNED_IN
    return has(category)


def backend(b: Backend) -> When:
    return When(lambda c: c.backend is b, b.value)


def auth(a: AuthProvider) -> When:
    return When(lambda c: c.auth is a, a.value)


@dataclass(frozen=True)
class FileRule:
    """Render `template` to `output` when `when(config)`.

    With `each_entity`, render once per stored entity (full stack), `output`
    formatted with `{table}`, the template seeing `entity`.
    """

    template: str
    output: str
    when: When = ALWAYS
    each_entity: bool = False


P, E, CRM, F, INV, T, B, W, CO, CH = (
    Category.PRODUCTS,
    Category.EVENTS,
    Category.CRM,
    Category.FORMS,
    Category.INVOICES,
    Category.TICKETS,
    Category.BOOKINGS,
    Category.WORKFLOWS,
    Category.CHECKOUT,
    Category.CONVERSATIONS,
)


def _same(prefix: str, paths: Iterable[str], when: When) -> list[FileRule]:
    """Rules whose output path equals the template path under `prefix` (minus `.j2`)."""
    return [FileRule(f"{prefix}/{p}.j2", p, when) for p in paths]


FILE_RULES: tuple[FileRule, ...] = (
    # Always: project files, platform client, webhook, layout.
    FileRule("base/package.json.j2", "package.json"),
    FileRule("base/gitignore.j2", ".gitignore"),
    FileRule("base/env.example.j2", ".env.example"),
    *_same(
        "base",
        [
            "README.md",
            "tsconfig.json",
            "next.config.mjs",
            "next-env.d.ts",
            "tailwind.config.ts",
            "postcss.config.mjs",
            "middleware.ts",
            "app/layout.tsx",
            "app/page.tsx",
            "app/not-found.tsx",
            "app/globals.css",
            "app/api/webhook/route.ts",
            "components/providers.tsx",
            "components/site-header.tsx",
            "lib/layercake.ts",
            "lib/api.ts",
            "lib/data.ts",
            "lib/format.ts",
            "lib/url.ts",
            "lib/webhook.ts",
            "lib/webhook-handlers.ts",
            "types/index.ts",
        ],
        ALWAYS,
    ),
    FileRule("base/components/powered-by-badge.tsx.j2", "components/powered-by-badge.tsx", BADGE),
    # Categories: pages and helpers.
    *_same(
        "categories/products",
        [
            "app/products/page.tsx",
            "app/products/[productId]/page.tsx",
            "app/cart/page.tsx",
            "components/cart/cart-provider.tsx",
            "components/cart/add-to-cart-button.tsx",
            "components/cart/cart-view.tsx",
            "lib/commerce.ts",
        ],
        has(P),
    ),
    *_same(
        "categories/checkout",
        [
            "app/checkout/page.tsx",
            "app/checkout/actions.ts",
            "app/checkout/success/page.tsx",
            "components/checkout/checkout-panel.tsx",
        ],
        has(P) | has(CO),
    ),
    FileRule("categories/checkout/lib/checkout.ts.j2", "lib/checkout.ts", has(CO)),
    *_same(
        "categories/events",
        [
            "app/events/page.tsx",
            "app/events/[eventId]/page.tsx",
            "app/events/[eventId]/actions.ts",
            "components/events/registration-form.tsx",
        ],
        page(E),
    ),
    FileRule("categories/events/lib/events.ts.j2", "lib/events.ts", has(E)),
    *_same(
        "categories/forms",
        [
            "app/forms/page.tsx",
            "app/forms/[formId]/page.tsx",
            "app/forms/[formId]/actions.ts",
            "components/forms/form-renderer.tsx",
        ],
        page(F),
    ),
    FileRule("categories/forms/lib/forms.ts.j2", "lib/forms.ts", has(F)),
    *_same(
        "categories/crm",
        ["app/contacts/page.tsx", "app/contacts/new/page.tsx", "app/contacts/actions.ts"],
        page(CRM),
    ),
    FileRule(
        "categories/crm/components/contacts/contact-form.tsx.j2",
        "components/contacts/contact-form.tsx",
        page(CRM),
    ),
    FileRule("categories/crm/lib/contacts.ts.j2", "lib/contacts.ts", has(CRM)),
    *_same(
        "categories/invoices",
        ["app/invoices/page.tsx", "app/invoices/[invoiceId]/page.tsx"],
        page(INV),
    ),
    FileRule("categories/invoices/lib/invoicing.ts.j2", "lib/invoicing.ts", has(INV)),
    *_same(
        "categories/tickets",
        ["app/tickets/page.tsx", "app/tickets/[ticketId]/page.tsx"],
        page(T),
    ),
    FileRule("categories/tickets/lib/tickets.ts.j2", "lib/tickets.ts", has(T)),
    *_same(
        "categories/bookings",
        [
            "app/bookings/page.tsx",
            "app/bookings/new/page.tsx",
            "app/bookings/new/actions.ts",
            "components/bookings/booking-form.tsx",
        ],
        page(B),
    ),
    FileRule("categories/bookings/lib/bookings.ts.j2", "lib/bookings.ts", has(B)),
    *_same(
        "categories/workflows",
        ["app/workflows/page.tsx", "app/workflows/actions.ts"],
        page(W),
    ),
    FileRule("categories/workflows/lib/workflows.ts.j2", "lib/workflows.ts", has(W)),
    *_same(
        "categories/conversations",
        ["app/chat/page.tsx", "app/chat/actions.ts", "components/chat/chat-window.tsx"],
        page(CH),
    ),
    FileRule("categories/conversations/lib/chat.ts.j2", "lib/chat.ts", has(CH)),
    # Own database (full stack, hybrid): schema, client, repository, sync.
    *_same(
        "backends/convex",
        [
            "convex/schema.ts",
            "convex/sync.ts",
            "convex/_generated/api.d.ts",
            "convex/_generated/api.js",
            "convex/_generated/server.d.ts",
            "convex/_generated/server.js",
            "convex/_generated/dataModel.d.ts",
            "lib/convex.ts",
            "lib/repository.ts",
        ],
        backend(Backend.CONVEX),
    ),
    FileRule(
        "backends/convex/convex/table.ts.j2",
        "convex/{table}.ts",
        backend(Backend.CONVEX),
        each_entity=True,
    ),
    *_same(
        "backends/supabase",
        [
            "lib/supabase.ts",
            "lib/repository.ts",
            "types/supabase.ts",
            "supabase/migrations/0001_init.sql",
        ],
        backend(Backend.SUPABASE),
    ),
    *_same(
        "backends/neon_drizzle",
        ["db/schema.ts", "db/index.ts", "drizzle.config.ts", "lib/repository.ts"],
        backend(Backend.NEON_DRIZZLE),
    ),
    *_same("database", ["lib/sync.ts", "app/api/sync/route.ts", "vercel.json"], DATABASE),
    # Sign-in: one uniform lib/auth.ts per provider, plus its routes.
    *_same(
        "auth/l4yercak3_oauth",
        [
            "lib/auth.ts",
            "lib/session.ts",
            "lib/pkce.ts",
            "app/api/auth/login/route.ts",
            "app/api/auth/callback/route.ts",
            "app/api/auth/logout/route.ts",
            "app/login/page.tsx",
        ],
        auth(AuthProvider.L4YERCAK3_OAUTH),
    ),
    *_same(
        "auth/nextauth",
        [
            "lib/auth.ts",
            "app/api/auth/[...nextauth]/route.ts",
            "app/login/page.tsx",
            "components/auth/sign-in-button.tsx",
        ],
        auth(AuthProvider.NEXTAUTH),
    ),
    *_same(
        "auth/clerk",
        ["lib/auth.ts", "components/auth-provider.tsx", "app/sign-in/[[...sign-in]]/page.tsx"],
        auth(AuthProvider.CLERK),
    ),
    *_same(
        "auth/supabase_auth",
        [
            "lib/auth.ts",
            "lib/supabase-auth.ts",
            "app/auth/callback/route.ts",
            "app/auth/signout/route.ts",
            "app/login/page.tsx",
            "app/login/actions.ts",
            "components/auth/magic-link-form.tsx",
        ],
        auth(AuthProvider.SUPABASE_AUTH),
    ),
    FileRule("auth/common/app/account/page.tsx.j2", "app/account/page.tsx", SIGNED_IN),
    FileRule("auth/common/lib/admin.ts.j2", "lib/admin.ts", SIGNED_IN & (has(CRM) | has(W))),
    # Payments.
    *_same(
        "payments/stripe",
        [
            "lib/stripe.ts",
            "lib/stripe-client.ts",
            "app/api/stripe/checkout/route.ts",
            "app/api/stripe/webhook/route.ts",
            "components/checkout-button.tsx",
        ],
        STRIPE,
    ),
    FileRule(
        "payments/stripe/app/api/stripe/portal/route.ts.j2",
        "app/api/stripe/portal/route.ts",
        STRIPE & SIGNED_IN,
    ),
)


# --- rendering ---------------------------------------------------------------------------
def _npm_name(repo: str) -> str:
    name = re.sub(r"[^a-z0-9._-]+", "-", repo.lower()).strip("._-")
    return name[:214] or "app"


def _plural(entity: Entity) -> str:
    """`Products` of `listProducts`: the data layer's name for a list of them."""
    return entity.list_fn[len("list") :] if entity.list_fn else entity.type_name + "s"


def _single(entity: Entity) -> str:
    """`Event` of `getEvent`: the data layer's name for one of them."""
    return entity.get_fn[len("get") :] if entity.get_fn else entity.type_name


@cache
def _environment(root: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(root),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the console; nothing edits them while it runs.
        auto_reload=False,
    )
    env.filters.update(typemap.FILTERS)
    env.filters["snake"] = catalog.snake
    env.filters["plural"] = _plural
    env.filters["single"] = _single
    env.filters["json"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False)
    env.filters["jsx"] = lambda v: "{" + typemap.ts_string(str(v)) + "}"
    env.filters["type_names"] = lambda endpoints: typemap.type_names(
        [t for ep in endpoints for t in (ep.returns, ep.body, ep.query) if t]
    )
    return env


def environment() -> jinja2.Environment:
    """The (cached) jinja2 environment over `templates_dir()`, with the scaffold's filters."""
    return _environment(str(templates_dir()))


def clear_template_cache() -> None:
    """Drop the environment and its compiled templates (benchmarks, template edits in dev)."""
    _environment.cache_clear()


@dataclass(frozen=True)
class Scaffold:
    """The derived facts templates see (besides `config`), computed once per render."""

    config: PublishConfig
    cats: frozenset[str]
    specs: tuple[catalog.CategorySpec, ...]
    api_entities: tuple[Entity, ...]
    stored_entities: tuple[Entity, ...]
    endpoints: tuple[catalog.Endpoint, ...]
    nav: tuple[catalog.NavLink, ...]
    protected: tuple[str, ...]
    events: tuple[str, ...]
    env: tuple[Any, ...]
    package_json: Mapping[str, Any]
    payment_entity: Entity = PAYMENT_ENTITY


def scaffold_facts(config: PublishConfig) -> Scaffold:
    specs = tuple(CATALOG[c] for c in config.categories)
    events = tuple(webhook_events(config))
    api_entities = tuple(e for s in specs for e in s.entities)
    stored = api_entities + ((PAYMENT_ENTITY,) if "payment.completed" in events else ())
    nav = tuple(
        link
        for s in specs
        for link in s.nav
        if (not link.private or config.signed_in)
        and (s.category not in PRIVATE_CATEGORIES or config.signed_in)
    )
    protected = tuple(
        sorted(
            {link.href for link in nav if link.private}
            | ({"/account"} if config.signed_in else set())
        )
    )
    deps, dev = versions.dependencies(config)
    scripts = {"dev": "next dev", "build": "next build", "start": "next start"}
    scripts["typecheck"] = "tsc --noEmit"
    if config.backend is Backend.NEON_DRIZZLE:
        scripts["db:push"] = "drizzle-kit push"
    package_json = {
        "name": _npm_name(config.repo_name),
        "version": "0.1.0",
        "private": True,
        "description": config.description,
        "scripts": scripts,
        "engines": {"node": versions.NODE_ENGINES},
        "dependencies": deps,
        "devDependencies": dev,
    }
    return Scaffold(
        config=config,
        cats=frozenset(c.value for c in config.categories),
        specs=specs,
        api_entities=api_entities,
        stored_entities=stored if config.database else (),
        endpoints=tuple(ep for s in specs for ep in s.endpoints),
        nav=nav,
        protected=protected,
        events=events,
        env=tuple(env_vars(config)),
        package_json=package_json,
    )


def render_context(config: PublishConfig) -> dict[str, Any]:
    """What every template sees: the config, the derived facts and the shared constants."""
    facts = scaffold_facts(config)
    return {
        "config": config,
        "s": facts,
        "cats": facts.cats,
        "signature_header": SIGNATURE_HEADER,
        "webhook_path": WEBHOOK_PATH,
        "tolerance_seconds": TOLERANCE_SECONDS,
        "AuthProvider": AuthProvider,
        "Backend": Backend,
    }


def selected_rules(config: PublishConfig) -> list[FileRule]:
    """The rules of `FILE_RULES` that apply to `config`, in table order."""
    return [rule for rule in FILE_RULES if rule.when(config)]


def render_scaffold(config: PublishConfig) -> dict[str, bytes]:
    """Render the app for `config`: output path -> file content (UTF-8).

    Deterministic: the same config gives byte-identical files in the same order.
    Raises:
        ValueError: `config` has validation errors (see `PublishConfig.validate`).
    """
    errors = config.errors()
    if errors:
        raise ValueError("; ".join(p.message for p in errors))
    env = environment()
    context = render_context(config)
    facts: Scaffold = context["s"]
    files: dict[str, bytes] = {}
    for rule in selected_rules(config):
        template = env.get_template(rule.template)
        if rule.each_entity:
            for entity in facts.stored_entities:
                path = rule.output.format(table=entity.table)
                files[path] = _encode(template.render(context, entity=entity))
        else:
            files[rule.output] = _encode(template.render(context))
    logger.debug("rendered %d scaffold files for %s", len(files), config.repo_name)
    return files


def _encode(text: str) -> bytes:
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")
