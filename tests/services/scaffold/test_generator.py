"""render_scaffold: the file table, determinism, secrets, env var coverage, JSON files."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from pathlib import Path

import pytest

from console.paths import templates_dir
from console.services.scaffold import catalog, versions, webhook
from console.services.scaffold.config import (
    Architecture,
    AuthProvider,
    Backend,
    Category,
    Payments,
    PublishConfig,
    Tier,
    env_vars,
)
from console.services.scaffold.generator import (
    FILE_RULES,
    render_scaffold,
    selected_rules,
)
from tests.services.scaffold.matrix import MATRIX

THIN = PublishConfig(app_name="Demo", repo_name="demo", categories=(Category.FORMS,))

BASE_FILES = {
    "package.json",
    ".gitignore",
    ".env.example",
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
}


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, bytes]]:
    return {name: render_scaffold(config) for name, config in MATRIX.items()}


def _text(files: dict[str, bytes], path: str) -> str:
    return files[path].decode("utf-8")


# --- the table ----------------------------------------------------------------------------
def test_generator_thin_client_files() -> None:
    files = render_scaffold(THIN)
    forms = {
        "app/forms/page.tsx",
        "app/forms/[formId]/page.tsx",
        "app/forms/[formId]/actions.ts",
        "components/forms/form-renderer.tsx",
        "lib/forms.ts",
    }
    assert set(files) == BASE_FILES | forms | {"components/powered-by-badge.tsx"}


def test_generator_badge_only_on_the_free_tier() -> None:
    for tier in Tier:
        files = render_scaffold(THIN.with_changes(tier=tier))
        has_badge = "components/powered-by-badge.tsx" in files
        assert has_badge == (tier is Tier.FREE)
        assert ("<PoweredByBadge />" in _text(files, "app/layout.tsx")) == has_badge


CATEGORY_FILES: dict[Category, set[str]] = {
    Category.PRODUCTS: {
        "app/products/page.tsx",
        "app/products/[productId]/page.tsx",
        "app/cart/page.tsx",
        "components/cart/cart-provider.tsx",
        "lib/commerce.ts",
        "app/checkout/page.tsx",
    },
    Category.EVENTS: {"app/events/page.tsx", "app/events/[eventId]/page.tsx", "lib/events.ts"},
    Category.CRM: {"app/contacts/page.tsx", "app/contacts/new/page.tsx", "lib/contacts.ts"},
    Category.FORMS: {"app/forms/page.tsx", "lib/forms.ts"},
    Category.INVOICES: {"app/invoices/page.tsx", "app/invoices/[invoiceId]/page.tsx"},
    Category.TICKETS: {"app/tickets/page.tsx", "lib/tickets.ts"},
    Category.BOOKINGS: {"app/bookings/page.tsx", "app/bookings/new/page.tsx", "lib/bookings.ts"},
    Category.WORKFLOWS: {"app/workflows/page.tsx", "lib/workflows.ts"},
    Category.CHECKOUT: {"app/checkout/page.tsx", "lib/checkout.ts"},
    Category.CONVERSATIONS: {"app/chat/page.tsx", "components/chat/chat-window.tsx", "lib/chat.ts"},
}


@pytest.mark.parametrize("category", list(Category))
def test_generator_category_files_appear_only_when_selected(category: Category) -> None:
    signed_in = THIN.with_changes(categories=(category,), auth=AuthProvider.CLERK)
    if category is Category.PRODUCTS:
        signed_in = signed_in.with_changes(payments=Payments.STRIPE)
    files = render_scaffold(signed_in)
    assert CATEGORY_FILES[category] <= set(files)
    others = render_scaffold(
        THIN.with_changes(categories=tuple(c for c in Category if c is not category))
    )
    own = CATEGORY_FILES[category] - set().union(
        *(v for k, v in CATEGORY_FILES.items() if k is not category)
    )
    assert not own & set(others)


def test_generator_private_pages_need_sign_in() -> None:
    config = THIN.with_changes(categories=(Category.CRM, Category.INVOICES, Category.TICKETS))
    anonymous = render_scaffold(config)
    assert not [
        p for p in anonymous if p.startswith(("app/contacts", "app/invoices", "app/tickets"))
    ]
    # Their API helpers and types are still generated.
    assert {"lib/contacts.ts", "lib/invoicing.ts", "lib/tickets.ts"} <= set(anonymous)
    assert "export function listInvoices(" in _text(anonymous, "lib/api.ts")
    signed_in = render_scaffold(config.with_changes(auth=AuthProvider.L4YERCAK3_OAUTH))
    assert {"app/contacts/page.tsx", "app/invoices/page.tsx", "app/tickets/page.tsx"} <= set(
        signed_in
    )
    middleware = _text(signed_in, "middleware.ts")
    assert '"/account", "/contacts", "/invoices", "/tickets"' in middleware


@pytest.mark.parametrize(
    ("backend", "expected", "absent"),
    [
        (
            Backend.CONVEX,
            {"convex/schema.ts", "convex/forms.ts", "convex/form_submissions.ts", "lib/convex.ts"},
            {"db/schema.ts", "lib/supabase.ts"},
        ),
        (
            Backend.SUPABASE,
            {"lib/supabase.ts", "supabase/migrations/0001_init.sql", "types/supabase.ts"},
            {"convex/schema.ts", "db/schema.ts"},
        ),
        (
            Backend.NEON_DRIZZLE,
            {"db/schema.ts", "db/index.ts", "drizzle.config.ts"},
            {"convex/schema.ts", "lib/supabase.ts"},
        ),
    ],
)
def test_generator_backend_files(backend: Backend, expected: set[str], absent: set[str]) -> None:
    config = THIN.with_changes(architecture=Architecture.FULL_STACK, backend=backend)
    files = render_scaffold(config)
    common = {"lib/repository.ts", "lib/sync.ts", "app/api/sync/route.ts", "vercel.json"}
    assert expected | common <= set(files)
    assert not absent & set(files)
    assert not {p for p in render_scaffold(THIN) if p in common}


@pytest.mark.parametrize(
    ("auth", "backend", "expected"),
    [
        (
            AuthProvider.L4YERCAK3_OAUTH,
            Backend.NONE,
            {
                "app/api/auth/login/route.ts",
                "app/api/auth/callback/route.ts",
                "app/api/auth/logout/route.ts",
                "lib/session.ts",
                "lib/pkce.ts",
            },
        ),
        (AuthProvider.NEXTAUTH, Backend.NONE, {"app/api/auth/[...nextauth]/route.ts"}),
        (AuthProvider.CLERK, Backend.NONE, {"app/sign-in/[[...sign-in]]/page.tsx"}),
        (
            AuthProvider.SUPABASE_AUTH,
            Backend.SUPABASE,
            {"lib/supabase-auth.ts", "app/auth/callback/route.ts", "app/login/actions.ts"},
        ),
    ],
)
def test_generator_auth_files(auth: AuthProvider, backend: Backend, expected: set[str]) -> None:
    arch = Architecture.THIN_CLIENT if backend is Backend.NONE else Architecture.FULL_STACK
    files = render_scaffold(THIN.with_changes(auth=auth, backend=backend, architecture=arch))
    assert expected | {"lib/auth.ts", "app/account/page.tsx"} <= set(files)
    assert "export async function getCurrentUser(): Promise<AppUser | null>" in _text(
        files, "lib/auth.ts"
    )


def test_generator_no_auth_has_no_auth_files() -> None:
    files = set(render_scaffold(THIN))
    assert not {p for p in files if "auth" in p or p in ("lib/session.ts", "app/account/page.tsx")}


def test_generator_stripe_files() -> None:
    stripe = {
        "lib/stripe.ts",
        "app/api/stripe/checkout/route.ts",
        "app/api/stripe/webhook/route.ts",
        "components/checkout-button.tsx",
    }
    files = render_scaffold(THIN.with_changes(payments=Payments.STRIPE))
    assert stripe <= set(files)
    assert "app/api/stripe/portal/route.ts" not in files, "portal needs a signed-in user"
    with_auth = render_scaffold(
        THIN.with_changes(payments=Payments.STRIPE, auth=AuthProvider.NEXTAUTH)
    )
    assert "app/api/stripe/portal/route.ts" in with_auth
    assert "constructEvent(payload, signature, secret)" in _text(
        files, "app/api/stripe/webhook/route.ts"
    )
    assert not stripe & set(render_scaffold(THIN))


def test_generator_every_template_is_used_and_every_rule_has_a_template() -> None:
    root = templates_dir()
    used = {rule.template for rule in FILE_RULES}
    for rule in FILE_RULES:
        assert (root / rule.template).is_file(), rule.template
    # Folders the generator renders from; other folders (portal/: the provisioning
    # overlay) belong to other services.
    folders = {Path(rule.template).parts[0] for rule in FILE_RULES}
    unused = {
        rel
        for p in root.rglob("*.j2")
        if (rel := p.relative_to(root).as_posix()) not in used and Path(rel).parts[0] in folders
    }
    # Partials: the per-category types included by base/types/index.ts.j2.
    unused = {p for p in unused if not re.fullmatch(r"categories/[a-z]+/types\.ts\.j2", p)}
    assert unused == set(), "templates no rule renders"
    for patch in ("layout-imports.tsx.j2", "layout-children.tsx.j2"):
        assert (root / "_patch" / patch).is_file()


def test_generator_selected_rules_follow_the_conditions() -> None:
    labels = {rule.output: rule.when.label for rule in selected_rules(MATRIX["hybrid-convex"])}
    assert labels["convex/{table}.ts"] == "convex"
    assert labels["app/api/stripe/portal/route.ts"] == "(stripe and signed_in)"


def test_generator_rejects_invalid_configs() -> None:
    with pytest.raises(ValueError, match="Supabase Auth needs the Supabase backend"):
        render_scaffold(THIN.with_changes(auth=AuthProvider.SUPABASE_AUTH))


# --- content -------------------------------------------------------------------------------
def test_generator_render_is_deterministic() -> None:
    config = MATRIX["hybrid-supabase-all"]
    first = render_scaffold(config)
    shuffled = config.with_changes(categories=tuple(reversed(config.categories)))
    second = render_scaffold(shuffled)
    assert list(first) == list(second)
    assert first == second


def test_generator_files_are_utf8_text_with_final_newline(
    rendered: dict[str, dict[str, bytes]],
) -> None:
    for name, files in rendered.items():
        for path, content in files.items():
            text = content.decode("utf-8")
            assert text.endswith("\n"), (name, path)
            assert "\t" not in text or path.endswith(".md"), (name, path)
            assert "{{" not in text, (name, path)
            assert "{%" not in text, (name, path)


#: Shapes of real credentials; none may ever appear in a generated file.
SECRET_PATTERNS = [
    re.compile(r"sk_(live|test)_[A-Za-z0-9]{6,}"),
    re.compile(r"rk_(live|test)_[A-Za-z0-9]{6,}"),
    re.compile(r"whsec_[A-Za-z0-9]{6,}"),
    re.compile(r"gh[pousr]_[A-Za-z0-9]{20,}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    re.compile(r"(?i)(api[_-]?key|secret|token|password)\s*[:=]\s*[\"'][A-Za-z0-9_\-]{12,}[\"']"),
    re.compile(r"postgres(ql)?://[^\s\"'`]+:[^\s\"'`@]+@"),
]


def test_generator_never_writes_secrets(rendered: dict[str, dict[str, bytes]]) -> None:
    for name, files in rendered.items():
        for path, content in files.items():
            text = content.decode("utf-8")
            for pattern in SECRET_PATTERNS:
                assert not pattern.search(text), (name, path, pattern.pattern)


def test_generator_env_example_lists_every_variable_without_secret_values(
    rendered: dict[str, dict[str, bytes]],
) -> None:
    for name, files in rendered.items():
        lines = _text(files, ".env.example").splitlines()
        assignments = dict(
            line.split("=", 1) for line in lines if line and not line.startswith("#")
        )
        variables = env_vars(MATRIX[name])
        assert list(assignments) == [v.name for v in variables]
        for var in variables:
            assert assignments[var.name] == ("" if var.secret else var.example), (name, var)


#: Read by libraries, not by generated code.
LIBRARY_READ = {"NEXTAUTH_URL", "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", "CLERK_SECRET_KEY"}
_ENV_READ = re.compile(r"process\.env\.([A-Z][A-Z0-9_]*)|requireEnv\(\"([A-Z][A-Z0-9_]*)\"\)")


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_generator_declares_exactly_the_env_vars_the_code_reads(
    name: str, rendered: dict[str, dict[str, bytes]]
) -> None:
    files = rendered[name]
    read: set[str] = set()
    for path, content in files.items():
        if path.endswith((".ts", ".tsx", ".mjs")):
            for match in _ENV_READ.finditer(content.decode("utf-8")):
                read.add(match.group(1) or match.group(2))
    declared = {v.name for v in env_vars(MATRIX[name])}
    assert read - {"NODE_ENV"} <= declared, "code reads an undeclared variable"
    assert declared - read <= LIBRARY_READ, "a declared variable is never read"


def test_generator_package_json_pins_exact_versions(
    rendered: dict[str, dict[str, bytes]],
) -> None:
    for name, files in rendered.items():
        package = json.loads(files["package.json"])
        assert package["name"] == f"matrix-{name}"
        assert package["private"] is True
        for section in ("dependencies", "devDependencies"):
            for dep, version in package[section].items():
                assert re.fullmatch(r"\d+\.\d+\.\d+", version), (name, dep, version)
        assert {"next", "react", "react-dom", "geist"} <= set(package["dependencies"])
        json.loads(files["tsconfig.json"])
        assert json.loads(files["tsconfig.json"])["compilerOptions"]["strict"] is True
        if "vercel.json" in files:
            json.loads(files["vercel.json"])


def test_generator_dependencies_follow_the_options(
    rendered: dict[str, dict[str, bytes]],
) -> None:
    def deps(name: str) -> set[str]:
        package = json.loads(rendered[name]["package.json"])
        return set(package["dependencies"]) | set(package["devDependencies"])

    assert "stripe" in deps("thin-shop-stripe")
    assert "stripe" not in deps("thin-forms-free")
    assert {"convex"} <= deps("full-convex-plain")
    assert {"@supabase/supabase-js", "@supabase/ssr"} <= deps("full-supabase-auth")
    assert "@supabase/ssr" not in deps("hybrid-supabase-all")
    assert {"drizzle-orm", "@neondatabase/serverless", "drizzle-kit"} <= deps("full-neon-shop")
    assert "next-auth" in deps("thin-nextauth-both")
    assert "@clerk/nextjs" in deps("thin-clerk-events")
    union = set().union(*(deps(n) for n in MATRIX))
    assert union == set(versions.all_packages()), "the matrix covers every package"


def test_generator_layout_uses_the_geist_package_not_google_fonts(
    rendered: dict[str, dict[str, bytes]],
) -> None:
    for files in rendered.values():
        layout = _text(files, "app/layout.tsx")
        assert 'from "geist/font/sans"' in layout
        assert "next/font/google" not in "".join(c.decode() for c in files.values())


def test_generator_api_has_a_function_per_endpoint(
    rendered: dict[str, dict[str, bytes]],
) -> None:
    files = rendered["thin-all-noauth"]
    api = _text(files, "lib/api.ts")
    for spec in catalog.CATALOG.values():
        for endpoint in spec.endpoints:
            assert f"export function {endpoint.fn}(" in api
    assert "export function getAvailability(query: AvailabilityQuery)" in api
    assert "`/events/${encodeURIComponent(eventId)}/registrations`" in api
    types = _text(files, "types/index.ts")
    for spec in catalog.CATALOG.values():
        for entity in spec.entities:
            assert f"export interface {entity.type_name} {{" in types


def test_generator_layercake_client_keeps_the_key_server_side(
    rendered: dict[str, dict[str, bytes]],
) -> None:
    files = rendered["thin-forms-free"]
    client = _text(files, "lib/layercake.ts")
    assert client.startswith('import "server-only";')
    assert 'Authorization: `Bearer ${requireEnv("L4YERCAK3_API_KEY")}`' in client
    assert 'headers.set("X-Organization-Id", orgId)' in client
    for path, content in files.items():
        text = content.decode()
        if text.startswith('"use client"'):
            assert "L4YERCAK3_API_KEY" not in text, path
            assert "@/lib/api" not in text, path
            assert "@/lib/layercake" not in text, path


def test_generator_webhook_route_checks_the_platform_signature(
    rendered: dict[str, dict[str, bytes]],
) -> None:
    files = rendered["thin-forms-free"]
    verify = _text(files, "lib/webhook.ts")
    assert 'SIGNATURE_HEADER = "x-l4yercak3-signature"' in verify
    assert f"TOLERANCE_SECONDS = {webhook.TOLERANCE_SECONDS}" in verify
    assert "timingSafeEqual" in verify
    route = _text(files, "app/api/webhook/route.ts")
    assert "problem(401, " in route
    assert webhook.WEBHOOK_PATH == "/api/webhook"


def test_webhook_sign_matches_the_documented_scheme() -> None:
    body = b'{"id":"evt_1"}'
    header = webhook.sign(body, "whsec_x", timestamp=1_700_000_000)
    expected = hmac.new(b"whsec_x", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_generator_full_stack_schema_has_every_stored_table(
    rendered: dict[str, dict[str, bytes]],
) -> None:
    sql = _text(rendered["full-supabase-nextauth-all"], "supabase/migrations/0001_init.sql")
    for table in ("products", "events", "contacts", "form_submissions", "payments", "messages"):
        assert f"create table if not exists public.{table} (" in sql
    assert "price_amount bigint not null" in sql
    assert "check (status in ('active', 'draft', 'archived'))" in sql
    assert sql.count("enable row level security") == sql.count("create table")
    drizzle = _text(rendered["full-neon-oauth-all"], "db/schema.ts")
    assert 'export const formSubmissions = pgTable(\n  "form_submissions",' in drizzle
    convex = _text(rendered["full-convex-clerk-all"], "convex/schema.ts")
    assert 'status: v.union(v.literal("active"), v.literal("draft"), v.literal("archived")),' in (
        convex
    )


def test_templates_readme_lists_every_template_folder() -> None:
    readme = (templates_dir() / "README.md").read_text(encoding="utf-8")
    for folder in sorted({Path(rule.template).parts[0] for rule in FILE_RULES}):
        assert f"`{folder}/`" in readme, folder
