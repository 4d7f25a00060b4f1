"""EnvChecksRule: variables listed with placeholders; what a module needs while it loads."""

from __future__ import annotations

import pytest

from console.services.projects.rules import EnvChecksRule, ProjectFiles, RuleContext
from console.services.projects.rules.env import PLACEHOLDER_MARK, placeholder
from tests.services.projects.rules.helpers import apply

STRIPE = """import Stripe from "stripe"

if (!process.env.STRIPE_SECRET_KEY) {
  throw new Error("Missing STRIPE_SECRET_KEY")
}

export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY)
export function url() {
  return process.env.NEXT_PUBLIC_SITE_URL
}
"""
MONGO = """import { MongoClient } from "mongodb"

const uri = process.env.MONGODB_URI ?? ""
const options = {}

if (!uri) {
  console.error("MONGODB_URI is not set")
  process.exit(1)
}

export const client = new MongoClient(uri, options)
"""
SUPABASE = """"use client"
import { createClient } from "@supabase/supabase-js"

export const supabase = createClient(
  process.env.NEXT_PUBLIC_SUPABASE_URL!,
  process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!
)
"""
LAZY = """import { neon } from "@neondatabase/serverless"

export const getDb = () => neon(process.env.DATABASE_URL!)
export function requireKey() {
  if (!process.env.API_KEY) throw new Error("no key")
  return process.env.API_KEY
}
"""


def _placeholders(text: str) -> str:
    """The placeholder block of a patched module."""
    start = text.index(PLACEHOLDER_MARK)
    return text[start : text.index("\n}\n", start)]


def test_env_checks_placeholders_before_import_time_check() -> None:
    files, ctx = apply(EnvChecksRule(), {"lib/stripe.ts": STRIPE})
    text = files.read("lib/stripe.ts") or ""
    guard = text.index('if (process.env.NEXT_PHASE === "phase-production-build")')
    check = text.index("if (!process.env.STRIPE_SECRET_KEY)")
    assert text.index('import Stripe from "stripe"') < guard < check  # the check is untouched
    assert 'STRIPE_SECRET_KEY: "sk_test_build_placeholder"' in text
    assert "NEXT_PUBLIC_SITE_URL" not in _placeholders(text)  # only read on use
    env = {e.name: e for e in ctx.env.values()}
    assert env["STRIPE_SECRET_KEY"].checked_at_import
    assert not env["NEXT_PUBLIC_SITE_URL"].checked_at_import
    assert env["NEXT_PUBLIC_SITE_URL"].files == ("lib/stripe.ts",)
    assert {(f.line, f.severity) for f in ctx.findings} == {(3, "info"), (7, "info")}
    assert all("fails without it" in f.unfixed().message for f in ctx.findings)
    assert {f.unfixed().severity for f in ctx.findings} == {"blocker"}
    assert files.read(".env.example") == (
        "# Environment variables this app reads. Set the real values in the\n"
        "# deployment (the deploy dialog asks for them); never commit them.\n"
        "NEXT_PUBLIC_SITE_URL=\nSTRIPE_SECRET_KEY=\n"
    )


def test_env_checks_copy_checked_with_process_exit() -> None:
    files, ctx = apply(EnvChecksRule(), {"lib/mongodb.ts": MONGO})
    text = files.read("lib/mongodb.ts") or ""
    assert 'MONGODB_URI: "mongodb://build:build@localhost:27017/build"' in _placeholders(text)
    assert text.index(PLACEHOLDER_MARK) < text.index("const uri")
    assert ctx.env["MONGODB_URI"].checked_at_import
    assert [f.line for f in ctx.findings] == [6, 11]  # the check, then the client built from it


def test_env_checks_multiline_client_after_use_client() -> None:
    files, ctx = apply(EnvChecksRule(), {"lib/supabase.ts": SUPABASE})
    text = files.read("lib/supabase.ts") or ""
    assert text.startswith('"use client"\nimport { createClient }')  # the directive stays first
    block = _placeholders(text)
    assert 'NEXT_PUBLIC_SUPABASE_URL: "http://localhost:3000"' in block
    assert "NEXT_PUBLIC_SUPABASE_ANON_KEY" in block
    assert [f.line for f in ctx.findings] == [4]


def test_env_checks_function_bodies_run_later() -> None:
    files, ctx = apply(EnvChecksRule(), {"lib/db.ts": LAZY})
    assert files.read("lib/db.ts") == LAZY
    assert ctx.findings == []
    assert {e.name for e in ctx.env.values()} == {"DATABASE_URL", "API_KEY"}
    assert not any(e.checked_at_import for e in ctx.env.values())


@pytest.mark.parametrize(
    ("source", "needed"),
    [
        ('const { DATABASE_URL } = process.env\nassert(DATABASE_URL, "db")\n', {"DATABASE_URL"}),
        (
            "export const key = process.env.OPENAI_KEY || (() => {\n"
            '  throw new Error("OPENAI_KEY")\n})()\n',
            {"OPENAI_KEY"},
        ),
        (
            'import { z } from "zod"\nconst schema = z.object({\n  DATABASE_URL: z.string(),\n'
            "  AUTH_SECRET: z.string(),\n})\nexport const env = schema.parse(process.env)\n",
            {"DATABASE_URL", "AUTH_SECRET"},
        ),
        ('const token = process.env.TOKEN\ninvariant(token, "TOKEN")\n', {"TOKEN"}),
    ],
)
def test_env_checks_module_scope_shapes(source: str, needed: set[str]) -> None:
    files, ctx = apply(EnvChecksRule(), {"lib/env.mjs": source})
    text = files.read("lib/env.mjs") or ""
    block = _placeholders(text)
    assert {name for name in needed if f"    {name}: " in block} == needed
    assert {n for n, e in ctx.env.items() if e.checked_at_import} == needed


@pytest.mark.parametrize(
    ("path", "source", "needed"),
    [
        ("lib/ai.ts", 'import OpenAI from "openai"\nconst ai = new OpenAI()\n', {"OPENAI_API_KEY"}),
        (
            "app/api/mail/route.ts",
            'import { Resend } from "resend"\nexport const runtime = "edge"\n'
            "const resend = new Resend()\n",
            {"RESEND_API_KEY"},
        ),
        (
            "lib/redis.ts",
            'import { Redis } from "@upstash/redis"\nexport const redis = Redis.fromEnv()\n',
            {"UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"},
        ),
        (
            "app/layout.tsx",
            'import { ClerkProvider } from "@clerk/nextjs"\n'
            "export default function L({ children }: { children: React.ReactNode }) {\n"
            "  return <ClerkProvider>{children}</ClerkProvider>\n}\n",
            {"NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", "CLERK_SECRET_KEY"},
        ),
    ],
)
def test_env_checks_libraries_that_read_their_own_variables(
    path: str, source: str, needed: set[str]
) -> None:
    files, ctx = apply(EnvChecksRule(), {path: source})
    block = _placeholders(files.read(path) or "")
    assert {name for name in needed if f"    {name}: " in block} == needed
    assert {n for n, e in ctx.env.items() if e.checked_at_import} == needed


def test_env_checks_library_read_on_first_use_is_only_recorded() -> None:
    route = 'import { openai } from "@ai-sdk/openai"\nexport const model = openai("gpt-4o")\n'
    files, ctx = apply(EnvChecksRule(), {"app/api/chat/route.ts": route})
    assert files.read("app/api/chat/route.ts") == route
    assert not ctx.env["OPENAI_API_KEY"].checked_at_import


def test_env_checks_firebase_admin_cert_is_a_blocker() -> None:
    source = (
        'import admin from "firebase-admin"\n'
        "admin.initializeApp({\n  credential: admin.credential.cert({\n"
        "    privateKey: process.env.FIREBASE_PRIVATE_KEY,\n  }),\n})\n"
    )
    files, ctx = apply(EnvChecksRule(), {"lib/firebase-admin.ts": source})
    assert files.read("lib/firebase-admin.ts") == source  # no placeholder passes cert()
    assert [(f.line, f.severity) for f in ctx.findings] == [(2, "blocker")]


def test_env_checks_targets_patch_what_no_shape_caught() -> None:
    source = 'import { connect } from "./connect"\nexport const db = connect(process.env.DB_DSN)\n'
    files = ProjectFiles({"lib/db.ts": source})
    ctx = RuleContext(current_rule="env-checks", targets={"env-checks": ["DB_DSN"]})
    EnvChecksRule().apply(files, ctx)
    text = files.read("lib/db.ts") or ""
    assert 'DB_DSN: "build-placeholder"' in _placeholders(text)
    assert ctx.env["DB_DSN"].checked_at_import


def test_env_checks_idempotent_and_keeps_any_env_template() -> None:
    files, _ = apply(EnvChecksRule(), {"lib/stripe.ts": STRIPE, ".env.local.example": "X=\n"})
    once = files.read("lib/stripe.ts") or ""
    again, _ = apply(EnvChecksRule(), files.snapshot())
    assert again.read("lib/stripe.ts") == once
    assert not again.exists(".env.example")  # the export's own template is enough
    assert once.count(PLACEHOLDER_MARK) == 1


def test_env_placeholders_look_right() -> None:
    assert placeholder("DATABASE_URL").startswith("postgresql://")
    assert "-pooler." in placeholder("POSTGRES_URL")  # @vercel/postgres's pooled check
    assert placeholder("MONGODB_URI").startswith("mongodb://")
    assert placeholder("STRIPE_PUBLISHABLE_KEY").startswith("pk_test_")
    assert placeholder("NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY").startswith("pk_test_")
    assert placeholder("TWILIO_ACCOUNT_SID").startswith("AC")
    assert placeholder("NEXT_PUBLIC_API_URL") == "http://localhost:3000"
    assert not placeholder("STRIPE_SECRET_KEY").startswith("sk_live")


def test_env_checks_client_built_from_an_imported_config() -> None:
    config = (
        "export const msalConfig = {\n  auth: {\n"
        "    clientId: process.env.NEXT_PUBLIC_AZURE_CLIENT_ID as string,\n  },\n}\n"
    )
    providers = (
        "'use client'\n\nimport { PublicClientApplication } from '@azure/msal-browser'\n"
        "import { msalConfig } from '@/lib/msal-config'\n\n"
        "const msalInstance = new PublicClientApplication(msalConfig)\n"
    )
    files, ctx = apply(
        EnvChecksRule(),
        {"lib/msal-config.ts": config, "components/providers.tsx": providers},
    )
    # ES modules run their imports first: the placeholder belongs in the config module.
    assert "NEXT_PUBLIC_AZURE_CLIENT_ID" in _placeholders(files.read("lib/msal-config.ts") or "")
    assert files.read("components/providers.tsx") == providers
    (finding,) = ctx.findings
    assert (finding.path, finding.line) == ("components/providers.tsx", 6)
    assert "lib/msal-config.ts" in finding.message
    assert ctx.env["NEXT_PUBLIC_AZURE_CLIENT_ID"].checked_at_import
