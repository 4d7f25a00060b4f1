"""first_error on captured install and build outputs.

The next15-webpack-*, next16-turbopack-*, npm11-* and pnpm10-* samples were
captured from real runs (Next 15.5 with webpack, Next 16.5 with Turbopack,
npm 11, pnpm 10) with the build folder renamed; the next14-*, next15-turbopack-*,
yarn* and tsc-* samples are written after those tools' wording. Colour codes
are left in, as the tools print them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from console.services.buildcheck.diagnose import first_error, locate_import
from console.services.buildcheck.problems import BuildProblem, ProblemKind
from tests.services.buildcheck.conftest import DATA

OUTPUTS = DATA / "outputs"
WORKDIR = "/home/ana/.cache/l4yercak3-console/builds/project-12"


@dataclass(frozen=True)
class Expected:
    kind: ProblemKind
    file: str | None = None
    line: int | None = None
    subject: str = ""
    says: str = ""  # a part of the message


CASES: dict[str, Expected] = {
    # type errors
    "next15-webpack-type-error": Expected(
        "type-error", "app/page.tsx", 2, says="Type 'string' is not assignable to type 'number'"
    ),
    "next16-turbopack-type-error": Expected(
        "type-error", "app/page.tsx", 2, says="error TS2322: Type 'string' is not assignable"
    ),
    "next14-webpack-type-error-then-generic": Expected(
        "type-error",
        "components/dashboard/stats-card.tsx",
        27,
        says="Property 'trend' does not exist on type 'StatsCardProps'",
    ),
    "tsc-pretty-false-generic": Expected("type-error", "components/pricing.tsx", 41, says="TS2322"),
    # missing modules
    "next15-webpack-module-not-found": Expected(
        "module-not-found", "app/page.tsx", None, "@/lib/greetings"
    ),
    "next16-turbopack-module-not-found": Expected(
        "module-not-found", "app/page.tsx", 1, "@/lib/greetings"
    ),
    "next14-webpack-two-missing-modules": Expected(
        "module-not-found", "app/dashboard/page.tsx", None, "@/components/ui/chart"
    ),
    # variables read at build time
    "next15-webpack-env-mongodb": Expected(
        "env-at-build", subject="MONGODB_URI", says="while building /api/users"
    ),
    "next16-turbopack-env-mongodb": Expected(
        "env-at-build", "app/api/users/route.ts", 2, "MONGODB_URI", "Invalid/Missing"
    ),
    "next15-webpack-missing-env-plain": Expected(
        "env-at-build", subject="MONGODB_URI", says="Missing environment variable MONGODB_URI"
    ),
    "next14-webpack-stripe-collect": Expected(
        "env-at-build", subject="STRIPE_SECRET_KEY", says="while building /api/checkout"
    ),
    "next14-webpack-supabase-prerender": Expected(
        "env-at-build", says="URL and Key are required to create a Supabase client"
    ),
    "next15-webpack-openai-collect": Expected(
        "env-at-build", subject="OPENAI_API_KEY", says="while building /api/chat"
    ),
    "next15-webpack-resend-collect": Expected(
        "env-at-build", says="Missing API key. Pass it to the constructor"
    ),
    "next15-webpack-exit-collecting": Expected("env-at-build", subject="DATABASE_URL"),
    "next16-turbopack-exit-collecting": Expected("env-at-build", subject="DATABASE_URL"),
    "next14-webpack-silent-exit-collecting": Expected(
        "env-at-build", says="stopped while collecting page data"
    ),
    # fonts
    "next15-webpack-font-fetch": Expected(
        "font-fetch", "app/layout.tsx", None, "Inter", "Failed to fetch `Inter`"
    ),
    "next16-turbopack-font-fetch": Expected(
        "font-fetch", "app/layout.tsx", None, "Inter", "Failed to fetch Inter"
    ),
    "next15-turbopack-font-geist": Expected("font-fetch", subject="Geist"),
    # CSS
    "next15-webpack-css-unknown-word": Expected(
        "css-syntax", "app/globals.css", 2, says="Unknown word"
    ),
    "next16-turbopack-css-parse": Expected(
        "css-syntax", "app/globals.css", 2, says='Unexpected token Ident("system-ui")'
    ),
    "next14-webpack-tailwind-border-border": Expected(
        "css-syntax", "app/globals.css", 1, says="defined within a `@layer` directive"
    ),
    "next15-webpack-tailwind4-unknown-utility": Expected(
        "css-syntax", "app/globals.css", says="Cannot apply unknown utility class"
    ),
    # browser APIs while prerendering
    "next15-webpack-window-prerender": Expected(
        "browser-api-prerender", subject="/about", says="window is not defined"
    ),
    "next16-turbopack-window-prerender": Expected(
        "browser-api-prerender", "app/about/page.tsx", 2, "/about", "window is not defined"
    ),
    "next14-webpack-localstorage-prerender": Expected(
        "browser-api-prerender", subject="/cart", says="localStorage is not defined"
    ),
    # installs
    "npm11-eresolve-vaul": Expected(
        "peer-conflict", subject="vaul", says='peer react@"^16.8 || ^17.0 || ^18.0"'
    ),
    "pnpm10-peer-dep-issues": Expected("peer-conflict", subject="vaul", says="vaul 0.9.9"),
    "pnpm10-outdated-lockfile": Expected(
        "lockfile-outdated", "pnpm-lock.yaml", says="ERR_PNPM_OUTDATED_LOCKFILE"
    ),
    "npm11-ci-not-in-sync": Expected("lockfile-outdated", "package-lock.json", says="are in sync"),
    "yarn4-immutable": Expected("lockfile-outdated", "yarn.lock", says="YN0028"),
    "pnpm10-meta-fetch-fail": Expected(
        "network", subject="127.0.0.1:9", says="ERR_PNPM_META_FETCH_FAIL"
    ),
    "npm11-econnrefused": Expected("network", subject="127.0.0.1:9", says="ECONNREFUSED"),
    "yarn1-network": Expected(
        "network", subject="registry.yarnpkg.com", says="getaddrinfo ENOTFOUND"
    ),
    # anything else
    "next14-webpack-eslint-error": Expected(
        "other", "app/page.tsx", 12, says="'unused' is assigned a value but never used"
    ),
    "next15-webpack-swc-syntax": Expected(
        "other", "components/hero.tsx", 14, says="Expected ',', got 'className'"
    ),
}


def _diagnose(name: str) -> BuildProblem | None:
    step = "install" if name.startswith(("npm", "pnpm", "yarn")) else "build"
    lines = (OUTPUTS / f"{name}.txt").read_text().splitlines()
    return first_error(lines, step, workdir=WORKDIR)


def test_every_sample_has_a_case() -> None:
    assert sorted(p.stem for p in OUTPUTS.glob("*.txt")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_first_error(name: str) -> None:
    expected = CASES[name]
    problem = _diagnose(name)
    assert problem is not None
    assert (problem.kind, problem.file, problem.line, problem.subject) == (
        expected.kind,
        expected.file,
        expected.line,
        expected.subject,
    )
    assert expected.says in problem.message
    # Never the generic trailer, never the build folder, never colour codes.
    for generic in ("exited with", "Build failed because", "ELIFECYCLE", "--pretty false"):
        assert generic not in problem.message
    assert WORKDIR not in problem.message
    assert "\x1b[" not in problem.message


def test_first_of_several_errors_wins() -> None:
    problem = _diagnose("next14-webpack-two-missing-modules")
    assert problem is not None
    assert "@/hooks/use-mobile" not in problem.message


def test_a_known_shape_wins_over_the_network_lines_before_it() -> None:
    # The font fetch prints ENOTFOUND three times before naming the font.
    lines = (OUTPUTS / "next15-webpack-font-fetch.txt").read_text().splitlines()
    assert any("ENOTFOUND" in line for line in lines[: lines.index("Failed to compile.")])
    problem = first_error(lines, "build")
    assert problem is not None
    assert problem.kind == "font-fetch"


def test_step_and_headline() -> None:
    problem = _diagnose("next15-webpack-type-error")
    assert problem is not None
    assert problem.step == "build"
    assert problem.headline() == (
        "app/page.tsx:2: Type error: Type 'string' is not assignable to type 'number'."
    )


def test_warnings_are_not_errors() -> None:
    lines = [
        "npm warn ERESOLVE overriding peer dependency",
        " WARN  GET https://registry.npmjs.org/next error (ETIMEDOUT). Will retry in 10 seconds.",
        "⚠ Compiled with warnings",
        "Error: Something else broke",
    ]
    problem = first_error(lines, "build")
    assert problem is not None
    assert (problem.kind, problem.message) == ("other", "Error: Something else broke")


@pytest.mark.parametrize(
    "lines",
    [
        [],
        ["  ▲ Next.js 15.1.0", "   Creating an optimized production build ..."],
        ["Next.js build worker exited with code: 1 and signal: null"],
        [
            " ELIFECYCLE  Command failed with exit code 1.",
            'Error: Command "npm run build" exited with 1',
        ],
    ],
)
def test_nothing_but_generic_lines_is_no_error(lines: list[str]) -> None:
    assert first_error(lines, "build") is None


def test_only_a_failed_route_is_reported_as_other() -> None:
    lines = [
        "   Generating static pages (2/6)",
        'Error occurred prerendering page "/pricing". Read more: https://nextjs.org/docs/messages/prerender-error',
        "Export encountered an error on /pricing/page: /pricing, exiting the build.",
    ]
    problem = first_error(lines, "build")
    assert problem is not None
    assert problem.kind == "other"
    assert '"/pricing"' in problem.message


def test_node_cannot_find_a_package() -> None:
    lines = [
        "Error: Cannot find module '/srv/p/node_modules/@radix-ui/react-dialog/dist/index.js'",
        "Require stack:",
        "- /srv/p/.next/server/chunks/411.js",
    ]
    problem = first_error(lines, "build", workdir="/srv/p")
    assert problem is not None
    assert (problem.kind, problem.subject) == ("module-not-found", "@radix-ui/react-dialog")


def test_type_error_that_is_a_missing_module() -> None:
    lines = [
        "./components/nav.tsx:3:22",
        "Type error: Cannot find module '@/components/ui/sheet' or its corresponding type "
        "declarations.",
    ]
    problem = first_error(lines, "build")
    assert problem is not None
    assert (problem.kind, problem.file, problem.line, problem.subject) == (
        "module-not-found",
        "components/nav.tsx",
        3,
        "@/components/ui/sheet",
    )


# ---------------------------------------------------------------------- locate_import
PAGE = b"""import { Card } from "@/components/ui/card"
import { greeting } from "@/lib/greetings"

export default function Page() {
  return <Card>{greeting("x")}</Card>
}
"""


def test_locate_import_finds_the_line_in_the_named_file() -> None:
    problem = _diagnose("next15-webpack-module-not-found")
    assert problem is not None
    located = locate_import(problem, {"app/page.tsx": PAGE})
    assert (located.file, located.line) == ("app/page.tsx", 2)


def test_locate_import_finds_the_only_importer() -> None:
    problem = BuildProblem(
        "module-not-found", "Module not found", "build", subject="@/lib/greetings"
    )
    files = {"app/page.tsx": PAGE, "app/layout.tsx": b'import "./globals.css"\n', "README.md": b""}
    located = locate_import(problem, files)
    assert (located.file, located.line) == ("app/page.tsx", 2)


def test_locate_import_leaves_an_ambiguous_import_alone() -> None:
    problem = BuildProblem(
        "module-not-found", "Module not found", "build", subject="@/lib/greetings"
    )
    files = {"app/page.tsx": PAGE, "app/about/page.tsx": PAGE}
    assert locate_import(problem, files) == problem


def test_locate_import_ignores_other_kinds() -> None:
    problem = BuildProblem("type-error", "Type error", "build", file="app/page.tsx")
    assert locate_import(problem, {"app/page.tsx": PAGE}) == problem
