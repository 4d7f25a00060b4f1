"""Self-heal: a failed build's problem -> the rule that fixes it, its diffs, applied in one step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.changes import ChangeSet
from console.services.buildcheck.diagnose import first_error
from console.services.buildcheck.problems import BuildProblem
from console.services.projects import ProjectService
from console.services.projects.heal import Remedy, remedy_for
from console.services.projects.rules.env import PLACEHOLDER_MARK
from console.store.db import Store
from console.store.models import PublishConfig
from tests.services.projects.conftest import V0
from tests.services.projects.rules.helpers import package

BUILDCHECK_OUTPUTS = Path(__file__).resolve().parents[2] / "data" / "buildcheck" / "outputs"
MONGO = """import { MongoClient } from "mongodb"

const uri = process.env.MONGODB_URI
if (!uri) {
  throw new Error('Invalid/Missing environment variable: "MONGODB_URI"')
}

export const client = new MongoClient(uri)
"""
LAYOUT = """import { Inter } from "next/font/google"
import "./globals.css"

const inter = Inter({ subsets: ["latin"], variable: "--font-inter" })

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return <html className={inter.variable}>{children}</html>
}
"""
NEXT15 = {"next": "15.5.10", "react": "^19", "react-dom": "^19"}
ERESOLVE = """npm error code ERESOLVE
npm error ERESOLVE unable to resolve dependency tree
npm error Found: react@19.1.0
npm error peer react@"^16.8 || ^17.0 || ^18.0" from odd-slider@1.2.0
"""


def _project(**texts: str) -> dict[str, str]:
    return {"package.json": package(dependencies=NEXT15), **texts}


def _paths(remedy: Remedy | None) -> dict[str, str]:
    assert remedy is not None
    return {d.path: d.kind for d in remedy.diffs}


def test_heal_env_at_build_turns_the_rule_on() -> None:
    texts = _project(**{"lib/mongodb.ts": MONGO})
    problem = BuildProblem(
        "env-at-build",
        'Error: Invalid/Missing environment variable: "MONGODB_URI"',
        "build",
        "lib/mongodb.ts",
        5,
        "MONGODB_URI",
    )
    remedy = remedy_for(problem, texts, (), frozenset({"env-checks"}), {})
    assert remedy is not None
    assert (remedy.rule_id, remedy.enable_rule, remedy.add_targets) == ("env-checks", True, ())
    assert _paths(remedy) == {"lib/mongodb.ts": "changed", ".env.example": "added"}
    patched = next(d for d in remedy.diffs if d.path == "lib/mongodb.ts")
    assert f"+// Build-time placeholders ({PLACEHOLDER_MARK})" in patched.diff
    assert '+    MONGODB_URI: "mongodb://build:build@localhost:27017/build",' in patched.diff
    assert "MONGODB_URI" in remedy.explanation
    assert remedy.rule_title == "Environment variables at build time"


def test_heal_env_at_build_targets_what_the_enabled_rule_missed() -> None:
    db = 'import { connect } from "./connect"\nexport const db = connect(process.env.DB_DSN)\n'
    texts = _project(**{"lib/db.ts": db, ".env.example": "DB_DSN=\n"})
    problem = BuildProblem("env-at-build", "Error: DB_DSN is required", "build", subject="DB_DSN")
    remedy = remedy_for(problem, texts, (), frozenset(), {})
    assert remedy is not None
    assert (remedy.enable_rule, remedy.add_targets) == (False, ("DB_DSN",))
    assert _paths(remedy) == {"lib/db.ts": "changed"}
    # Once targeted, there is nothing more this rule can do about it.
    assert remedy_for(problem, texts, (), frozenset(), {"env-checks": ("DB_DSN",)}) is None


def test_heal_font_fetch() -> None:
    texts = _project(**{"app/layout.tsx": LAYOUT, "app/globals.css": "body {}\n"})
    problem = BuildProblem(
        "font-fetch",
        "Failed to fetch `Inter` from Google Fonts.",
        "build",
        "app/layout.tsx",
        1,
        "Inter",
    )
    remedy = remedy_for(problem, texts, (), frozenset({"next-font-google"}), {})
    assert remedy is not None
    assert remedy.rule_id == "next-font-google"
    assert _paths(remedy) == {"app/layout.tsx": "changed", "package.json": "changed"}
    manifest = next(d for d in remedy.diffs if d.path == "package.json")
    assert json.loads(manifest.after or "")["dependencies"]["@fontsource-variable/inter"]


def test_heal_peer_conflict_enable_then_target() -> None:
    declared = {**NEXT15, "vaul": "^0.9.6", "odd-slider": "1.2.0"}
    texts = {"package.json": package(dependencies=declared)}
    problem = BuildProblem("peer-conflict", ERESOLVE, "install", subject="odd-slider")

    remedy = remedy_for(problem, texts, (), frozenset({"react19-peers"}), {})
    assert remedy is not None
    assert remedy.enable_rule  # turning it on resolves what it knows (vaul) ...
    after = json.loads(remedy.diffs[0].after or "")
    assert set(after["overrides"]) == {"vaul"}
    assert _paths(remedy) == {"package.json": "changed"}

    # ... and the rule, on, learns the package npm named.
    remedy = remedy_for(problem, texts, (), frozenset(), {})
    assert remedy is not None
    assert (remedy.enable_rule, remedy.add_targets) == (False, ("odd-slider>react",))
    after = json.loads(remedy.diffs[0].after or "")
    assert after["overrides"]["odd-slider"] == {"react": "$react"}
    assert {**after["dependencies"]} == declared  # nothing added


def test_heal_css_syntax_from_a_stray_postcss_config() -> None:
    texts = {
        "package.json": package(
            devDependencies={"tailwindcss": "^4.1.9", "@tailwindcss/postcss": "^4.1.9"}
        ),
        "postcss.config.js": "module.exports = { plugins: { tailwindcss: {} } }\n",
        "postcss.config.mjs": 'export default { plugins: { "@tailwindcss/postcss": {} } }\n',
        "app/globals.css": '@import "tailwindcss";\n',
    }
    problem = BuildProblem(
        "css-syntax",
        "It looks like you're trying to use `tailwindcss` directly as a PostCSS plugin.",
        "build",
        "app/globals.css",
    )
    remedy = remedy_for(problem, texts, (), frozenset({"duplicate-configs"}), {})
    assert remedy is not None
    assert remedy.rule_id == "duplicate-configs"
    assert _paths(remedy) == {"postcss.config.js": "deleted"}
    # With one config and the rule on, nothing justifies a change: show the error.
    alone = {k: v for k, v in texts.items() if k != "postcss.config.js"}
    assert remedy_for(problem, alone, (), frozenset(), {}) is None


def test_heal_browser_api_prerender_targets_the_route() -> None:
    texts = _project(
        **{
            "app/dashboard/page.tsx": (
                'import { Chart } from "@/components/chart"\n\n'
                "export default function Page() {\n  return <Chart />\n}\n"
            ),
            "components/chart.tsx": (
                '"use client"\n\nexport function Chart() {\n'
                "  const width = window.innerWidth\n  return <div>{width}</div>\n}\n"
            ),
            "app/page.tsx": "export default function Home() {\n  return null\n}\n",
        }
    )
    problem = BuildProblem(
        "browser-api-prerender",
        'Error occurred prerendering page "/dashboard". ReferenceError: window is not defined',
        "build",
        subject="/dashboard",
    )
    remedy = remedy_for(problem, texts, (), frozenset(), {})
    assert remedy is not None
    assert remedy.rule_id == "browser-globals"
    assert remedy.add_targets == ("app/dashboard/page.tsx", "components/chart.tsx")
    assert _paths(remedy) == {"components/chart.tsx": "changed"}
    assert '+  const width = typeof window !== "undefined" ? window.innerWidth : undefined' in (
        remedy.diffs[0].diff
    )


@pytest.mark.parametrize(
    ("subject", "rule_id", "changed"),
    [
        (
            "@/components/ui/badge",
            "shadcn-stubs",
            {"components/ui/badge.tsx": "added", "lib/utils.ts": "added"},  # badge needs cn()
        ),
        ("sonner", "missing-deps", {"package.json": "changed"}),
    ],
)
def test_heal_module_not_found(subject: str, rule_id: str, changed: dict[str, str]) -> None:
    page = (
        'import { Badge } from "@/components/ui/badge"\nimport { toast } from "sonner"\n\n'
        "export default function Page() {\n  return <Badge onClick={() => toast('hi')} />\n}\n"
    )
    texts = _project(**{"app/page.tsx": page})
    problem = BuildProblem(
        "module-not-found",
        f"Module not found: Can't resolve '{subject}'",
        "build",
        "app/page.tsx",
        1,
        subject,
    )
    both = frozenset({"shadcn-stubs", "missing-deps"})
    remedy = remedy_for(problem, texts, (), both, {})
    assert remedy is not None
    assert (remedy.rule_id, remedy.enable_rule) == (rule_id, True)
    assert _paths(remedy) == changed


def test_heal_nothing_to_offer() -> None:
    page = 'import { Widget } from "@acme/rare-widget"\nexport const P = () => <Widget />\n'
    texts = _project(**{"app/page.tsx": page})
    missing = BuildProblem(
        "module-not-found",
        "Module not found: Can't resolve '@acme/rare-widget'",
        "build",
        subject="@acme/rare-widget",
    )
    assert remedy_for(missing, texts, (), frozenset(), {}) is None  # no known version
    typed = BuildProblem(
        "type-error", "Type error: x is not assignable", "build", "app/page.tsx", 1
    )
    assert remedy_for(typed, texts, (), frozenset(), {}) is None


# --- through the service ---------------------------------------------------------------


def _compat(store: Store, project_id: int) -> dict[str, object]:
    with store.read() as session:
        row = session.get(PublishConfig, project_id)
        assert row is not None
        return dict(row.config["compat"])


async def test_service_apply_remedy_enables_the_rule(
    service: ProjectService, store: Store, changes: list[ChangeSet]
) -> None:
    project_id = await service.import_export(V0 / "booking-chat", name="Studio")
    await service.apply_compat(project_id, {"env-checks"})
    config = await service.read_file(project_id, "lib/config.ts")
    assert (config.origin, PLACEHOLDER_MARK in (config.text or "")) == ("v0", False)
    problem = BuildProblem(
        "env-at-build",
        "Error: NEXT_PUBLIC_STUDIO_ID is not set. Add it to .env.local",
        "build",
        "lib/config.ts",
        2,
        "NEXT_PUBLIC_STUDIO_ID",
    )

    remedy = await service.propose_remedy(project_id, problem)
    assert remedy is not None
    assert remedy.enable_rule
    changes.clear()
    report = await service.apply_remedy(project_id, remedy)

    assert len(changes) == 1  # one transaction
    assert report.rule("env-checks").enabled
    config = await service.read_file(project_id, "lib/config.ts")
    assert config.origin == "patch"
    assert "NEXT_PUBLIC_STUDIO_ID" in (config.text or "").split(PLACEHOLDER_MARK, 1)[1]
    assert {d.path: d.after for d in remedy.diffs}["lib/config.ts"] == config.text
    assert _compat(store, project_id)["disabled"] == []
    assert await service.propose_remedy(project_id, problem) is None  # healed


async def test_service_apply_remedy_stores_targets(service: ProjectService, store: Store) -> None:
    project_id = await service.import_export(V0 / "portal", name="Portal")
    remedy = Remedy(
        "env-checks", "Environment variables at build time", "", False, ("PORTAL_TOKEN",), ()
    )
    await service.apply_remedy(project_id, remedy)
    assert _compat(store, project_id)["targets"] == {"env-checks": ["PORTAL_TOKEN"]}
    await service.apply_compat(project_id, {"duplicate-configs"})  # targets stay
    compat = _compat(store, project_id)
    assert (compat["targets"], compat["disabled"]) == (
        {"env-checks": ["PORTAL_TOKEN"]},
        ["duplicate-configs"],
    )


def test_heal_from_a_real_npm_install_log() -> None:
    log = BUILDCHECK_OUTPUTS / "npm11-eresolve-vaul.txt"
    problem = first_error(log.read_text().splitlines(), "install")
    assert problem is not None
    texts = {"package.json": package(dependencies={**NEXT15, "vaul": "0.9.9"})}
    remedy = remedy_for(problem, texts, (), frozenset({"react19-peers"}), {})
    assert remedy is not None
    assert (remedy.rule_id, remedy.enable_rule) == ("react19-peers", True)
    overrides = json.loads(remedy.diffs[0].after or "")["overrides"]
    assert overrides == {"vaul": {"react": "$react", "react-dom": "$react-dom"}}


def test_heal_env_turns_the_rule_on_with_the_variable_the_build_named() -> None:
    db = 'import { connect } from "./connect"\nexport const db = connect(process.env.DB_DSN)\n'
    texts = _project(**{"lib/db.ts": db, "lib/stripe.ts": MONGO})
    problem = BuildProblem("env-at-build", "Error: DB_DSN is required", "build", subject="DB_DSN")
    remedy = remedy_for(problem, texts, (), frozenset({"env-checks"}), {})
    assert remedy is not None
    # On by itself the rule patches lib/stripe.ts only; DB_DSN needs the target too.
    assert (remedy.enable_rule, remedy.add_targets) == (True, ("DB_DSN",))
    assert {"lib/db.ts", "lib/stripe.ts"} <= set(_paths(remedy))
