"""All rules over the v0 fixtures: what the patched projects look like."""

from __future__ import annotations

import json
import re

import pytest

from console.services.projects.importer import read_export_blocking
from console.services.projects.jsscan import imports
from console.services.projects.rules import ALL_RULES, RULE_IDS, PipelineResult, run_rules
from console.services.projects.rules.deps import FLOATING
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
    result = patched(fixture)
    texts = result.texts
    pkg = json.loads(texts["package.json"])
    declared = {**pkg.get("dependencies", {}), **pkg.get("devDependencies", {})}
    assert not [n for n, v in declared.items() if v.strip() in FLOATING], "latest left"
    assert declared["tailwindcss"].startswith("^3")
    assert "@tailwindcss/postcss" not in declared
    for path, text in texts.items():
        if path.endswith(".css"):
            assert '@import "tailwindcss"' not in text, path
            assert "@theme" not in text, path
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
    assert "pnpm-lock.yaml" not in texts
    assert "package-lock.json" in texts
    assert texts["components/newsletter.tsx"].startswith('"use client"')
    assert "sk_test_build_placeholder" in texts["lib/stripe.ts"]
    assert {e.name for e in result.env} == {"STRIPE_SECRET_KEY", "NEXT_PUBLIC_SITE_URL"}
    assert "components/ui/badge.tsx" in texts
    assert "components/ui/sheet.tsx" in texts
    changed = {r.rule_id: [d.path for d in r.diffs] for r in result.reports}
    assert "components/ui/button.tsx" in changed["tailwind-v4-to-v3"]  # shadow-xs and friends


def test_pipeline_event_site() -> None:
    texts = patched("event-site").texts
    pkg = json.loads(texts["package.json"])
    assert pkg["dependencies"]["react"] == "^18.3.1"  # Next 14
    assert pkg["dependencies"]["date-fns"] == "4.1.0"  # pinned from package-lock.json
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
    assert pkg["dependencies"]["next"] == "15.3.4"  # pinned from pnpm-lock.yaml
    assert pkg["dependencies"]["sonner"] == "^1.7.1"  # imported, never declared
    assert "legacy-peer-deps=true" in texts[".npmrc"]  # react-day-picker 8 with React 19
    assert "reactCompiler" not in texts["next.config.ts"]
    assert "components/ui/calendar.tsx" in texts
    assert "hooks/use-mobile.tsx" in texts
    assert ".container-narrow" in texts["app/globals.css"]


def test_pipeline_portal() -> None:
    texts = patched("portal").texts
    assert "next.config.ts" not in texts
    assert "next.config.mjs" in texts
    assert "yarn.lock" in texts
    assert "package-lock.json" not in texts
    for page in ("app/dashboard/page.tsx", "app/invoices/page.tsx"):
        assert 'export const dynamic = "force-dynamic";' in texts[page]
    assert "postgresql://build:build@localhost:5432/build" in texts["lib/db.ts"]
    assert "twMerge" in texts["lib/utils.ts"]


def test_pipeline_disabled_rule_leaves_its_files() -> None:
    export = read_export_blocking(V0 / "shop")
    texts = patched("shop", disabled=("tailwind-v4-to-v3",)).texts
    assert texts["app/globals.css"] == export.texts["app/globals.css"]
    assert "tailwind.config.ts" not in texts


def test_pipeline_is_idempotent() -> None:
    once = patched("booking-chat").texts
    again = run_rules(once, (), ALL_RULES)
    assert again.texts == once
