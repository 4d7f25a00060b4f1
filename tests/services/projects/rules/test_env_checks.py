"""EnvChecksRule: variables listed with placeholders; import-time checks pass `next build`."""

from __future__ import annotations

from console.services.projects.rules import EnvChecksRule
from console.services.projects.rules.env import placeholder
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


def test_env_checks_placeholders_before_import_time_check() -> None:
    files, ctx = apply(EnvChecksRule(), {"lib/stripe.ts": STRIPE})
    text = files.read("lib/stripe.ts") or ""
    guard = text.index('if (process.env.NEXT_PHASE === "phase-production-build")')
    check = text.index("if (!process.env.STRIPE_SECRET_KEY)")
    assert guard < check  # the original check (and TypeScript's narrowing) is untouched
    assert 'STRIPE_SECRET_KEY: "sk_test_build_placeholder"' in text
    assert "NEXT_PUBLIC_SITE_URL:" not in text[guard:check]  # only read on use
    env = {e.name: e for e in ctx.env.values()}
    assert env["STRIPE_SECRET_KEY"].checked_at_import
    assert not env["NEXT_PUBLIC_SITE_URL"].checked_at_import
    assert env["NEXT_PUBLIC_SITE_URL"].files == ("lib/stripe.ts",)
    assert {(f.line, f.severity) for f in ctx.findings} == {(3, "warning"), (7, "info")}
    assert files.read(".env.example") == (
        "# Environment variables this app reads. Set the real values in the\n"
        "# deployment (the publish wizard asks for them); never commit them.\n"
        "NEXT_PUBLIC_SITE_URL=\nSTRIPE_SECRET_KEY=\n"
    )


def test_env_checks_idempotent_and_keeps_existing_example() -> None:
    files, _ = apply(EnvChecksRule(), {"lib/stripe.ts": STRIPE, ".env.example": "X=\n"})
    once = files.read("lib/stripe.ts") or ""
    again, _ = apply(EnvChecksRule(), files.snapshot())
    assert again.read("lib/stripe.ts") == once
    assert again.read(".env.example") == "X=\n"


def test_env_placeholders_look_right() -> None:
    assert placeholder("DATABASE_URL").startswith("postgresql://")
    assert placeholder("STRIPE_PUBLISHABLE_KEY").startswith("pk_test_")
    assert placeholder("NEXT_PUBLIC_API_URL") == "http://localhost:3000"
    assert not placeholder("STRIPE_SECRET_KEY").startswith("sk_live")
