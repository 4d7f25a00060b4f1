"""All rules over the v0 fixtures: what the patched projects look like."""

from __future__ import annotations

import json
import re

import pytest

from console.services.projects.importer import read_export_blocking
from console.services.projects.jsscan import imports
from console.services.projects.rules import (
    ALL_RULES,
    RULE_IDS,
    PipelineResult,
    ProjectFiles,
    run_rules,
)
from console.services.projects.rules.deps import FLOATING, lock_versions
from tests.services.projects.conftest import FIXTURES, V0


def patched(fixture: str, disabled: tuple[str, ...] = ()) -> PipelineResult:
    export = read_export_blocking(V0 / fixture)
    binaries = [p for p in export.files if p not in export.texts]
    return run_rules(export.texts, binaries, ALL_RULES, disabled=disabled)


def _resolves(texts: dict[str, str], module: str) -> bool:
    base = module[2:]
    return any(base + s in texts for s in (".tsx", ".ts", ".jsx", ".js", "/index.tsx", "/index.ts"))


@pytest.mark.parametrize("fixture", FIXTURES)
def test_pipeline_fixture_builds_offline_invariants(fixture: str) -> None:
    export = read_export_blocking(V0 / fixture)
    original = json.loads(export.texts["package.json"])
    result = patched(fixture)
    texts = result.texts
    pkg = json.loads(texts["package.json"])
    declared = {**pkg.get("dependencies", {}), **pkg.get("devDependencies", {})}
    locked = lock_versions(ProjectFiles(texts))
    floating = [n for n, v in declared.items() if v.strip() in FLOATING and n not in locked]
    assert not floating, "latest left that no lockfile pins"
    before = {**original.get("dependencies", {}), **original.get("devDependencies", {})}
    # The project's own Tailwind (3 or 4), untouched.
    assert declared.get("tailwindcss") == before.get("tailwindcss")
    assert declared.get("@tailwindcss/postcss") == before.get("@tailwindcss/postcss")
    for path, text in texts.items():
        if path.endswith(".css") and path in export.texts:
            assert text.startswith(export.texts[path].rstrip("\n")), path  # only appended to
        if path.endswith((".ts", ".tsx", ".js", ".mjs")):
            assert "next/font/google" not in text, path
            assert not re.search(r"from ['\"]geist/font['\"]", text), path
            for module, _clause, _offset in imports(text):
                if module.startswith("@/"):
                    assert _resolves(texts, module), f"{path} imports missing {module}"
    lockfiles = [p for p in ("package-lock.json", "pnpm-lock.yaml", "yarn.lock") if p in texts]
    assert len(lockfiles) <= 1
    assert sum(p.startswith("next.config.") for p in texts) == 1
    assert sum(p.endswith("globals.css") for p in texts) == 1
    assert {r.rule_id for r in result.reports} == set(RULE_IDS)


def test_pipeline_shop() -> None:
    result = patched("shop")
    texts = result.texts
    assert "package-lock.json" not in texts  # Vercel installs from pnpm-lock.yaml
    assert "pnpm-lock.yaml" in texts
    assert texts["components/newsletter.tsx"].startswith('"use client"')
    assert "sk_test_build_placeholder" in texts["lib/stripe.ts"]
    assert {e.name for e in result.env} == {"STRIPE_SECRET_KEY", "NEXT_PUBLIC_SITE_URL"}
    assert "components/ui/badge.tsx" in texts
    assert "components/ui/sheet.tsx" in texts
    assert 'import { GeistSans } from "geist/font/sans"' in texts["app/layout.tsx"]
    pkg = json.loads(texts["package.json"])
    assert pkg["dependencies"]["tailwind-merge"] == "^3.3.1"  # Tailwind 4 project kept as is
    assert pkg["devDependencies"]["tailwindcss"] == "^4.1.9"


def test_pipeline_event_site() -> None:
    texts = patched("event-site").texts
    pkg = json.loads(texts["package.json"])
    assert pkg["dependencies"]["react"] == "^18.3.1"  # Next 14; the lockfile had React 19
    assert pkg["dependencies"]["date-fns"] == "latest"  # package-lock.json pins it
    assert "overrides" not in pkg  # vaul 0.9 accepts React 18
    layout = texts["app/layout.tsx"]
    assert "@fontsource-variable/inter/files/inter-latin-wght-normal.woff2" in layout
    assert 'variable: "--font-display"' in layout
    assert pkg["dependencies"]["@fontsource-variable/playfair-display"] == "^5.3.0"
    assert "ppr" not in texts["next.config.mjs"]
    assert texts["app/schedule/page.tsx"].startswith('"use client"')
    assert 'typeof window !== "undefined"' in texts["lib/analytics.ts"]
    assert "styles/globals.css" not in texts
    assert "tailwind.config.js" not in texts
    assert "postcss.config.js" not in texts
    assert "FormField" in texts["components/ui/form.tsx"]


def test_pipeline_booking_chat() -> None:
    texts = patched("booking-chat").texts
    pkg = json.loads(texts["package.json"])
    # pnpm-lock.yaml pins `latest` to a 15.3 release Vercel refuses: the patched one.
    assert pkg["dependencies"]["next"] == "15.3.9"
    assert pkg["dependencies"]["sonner"] == "^1.7.1"  # imported, never declared
    # react-day-picker 8 with React 19: pnpm only warns (no strict-peer-dependencies).
    assert ".npmrc" not in texts
    assert "overrides" not in pkg
    assert "pnpm" not in pkg
    assert 'NEXT_PUBLIC_STUDIO_ID: "build-placeholder"' in texts["lib/config.ts"]
    assert "reactCompiler" not in texts["next.config.ts"]
    assert "components/ui/calendar.tsx" in texts
    assert "hooks/use-mobile.tsx" in texts
    assert "@utility container-narrow" in texts["app/globals.css"]  # Tailwind 4 kept


def test_pipeline_portal() -> None:
    texts = patched("portal").texts
    assert "next.config.ts" not in texts
    assert "next.config.mjs" in texts
    assert "yarn.lock" in texts
    assert "package-lock.json" not in texts
    for page in ("app/dashboard/page.tsx", "app/invoices/page.tsx"):
        assert 'export const dynamic = "force-dynamic";' in texts[page]
    assert "postgresql://build:build@build-pooler.localhost:5432/build" in texts["lib/db.ts"]
    assert "twMerge" in texts["lib/utils.ts"]


def test_pipeline_disabled_rule_leaves_its_files() -> None:
    export = read_export_blocking(V0 / "shop")
    texts = patched("shop", disabled=("next-font-google",)).texts
    assert texts["app/layout.tsx"] == export.texts["app/layout.tsx"]
    assert "geist" not in json.loads(texts["package.json"])["dependencies"]


def test_pipeline_is_idempotent() -> None:
    once = patched("booking-chat").texts
    again = run_rules(once, (), ALL_RULES)
    assert again.texts == once
