"""PinLatestRule: `latest` left alone where the lockfile pins it, else pinned known-good."""

from __future__ import annotations

from console.services.projects.rules import PinLatestRule
from tests.services.projects.rules.helpers import apply, deps, package

PNPM_V9 = """lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      next:
        specifier: latest
        version: 15.3.4(react-dom@19.1.0(react@19.1.0))(react@19.1.0)
      zod:
        specifier: latest
        version: 3.25.67
"""
YARN_V1 = """"@neondatabase/serverless@latest":
  version "0.10.4"
"""


def test_pin_latest_left_alone_where_the_lockfile_pins_it() -> None:
    text = package(dependencies={"next": "latest", "zod": "*", "lucide-react": "latest"})
    files, ctx = apply(PinLatestRule(), {"package.json": text, "pnpm-lock.yaml": PNPM_V9})
    # The frozen install is deterministic for next and zod; pinning them would
    # only make the lockfile stale. lucide-react is in no lockfile: pinned.
    assert deps(files) == {"next": "latest", "zod": "*", "lucide-react": "^0.454.0"}
    assert ctx.findings == []


def test_pin_latest_reads_only_the_lockfile_that_is_kept() -> None:
    npm = (
        '{"lockfileVersion": 3, "packages": '
        '{"node_modules/@neondatabase/serverless": {"version": "0.9.5"}}}'
    )
    text = package(dependencies={"@neondatabase/serverless": "latest", "zod": "latest"})
    files, _ = apply(
        PinLatestRule(),
        {"package.json": text, "yarn.lock": YARN_V1, "package-lock.json": npm},
    )
    # package-lock.json is kept (yarn.lock goes): it pins the driver, which stays
    # `latest`; zod is in no kept lockfile, so it is pinned.
    assert deps(files) == {"@neondatabase/serverless": "latest", "zod": "^3.24.1"}


def test_pin_latest_falls_back_to_known_good_and_flags_unknown() -> None:
    files, ctx = apply(
        PinLatestRule(),
        {
            "package.json": package(
                dependencies={"lucide-react": "latest", "left-pad-2000": "latest"}
            )
        },
    )
    assert deps(files)["lucide-react"] == "^0.454.0"
    assert deps(files)["left-pad-2000"] == "latest"
    assert [f.message for f in ctx.findings if "left-pad-2000" in f.message]
    assert ctx.findings[0].line == 6  # the line of that dependency in package.json


def test_pin_latest_leaves_ranges_alone() -> None:
    text = package(dependencies={"react": "^19", "next": "15.2.4"})
    files, _ = apply(PinLatestRule(), {"package.json": text})
    assert files.read("package.json") == text


def test_pin_latest_keeps_the_projects_tailwind_major() -> None:
    v4 = package(devDependencies={"tailwindcss": "latest", "@tailwindcss/postcss": "latest"})
    files, _ = apply(PinLatestRule(), {"package.json": v4, "app/globals.css": "@import 'x';\n"})
    assert deps(files) == {"tailwindcss": "^4.1.9", "@tailwindcss/postcss": "^4.1.9"}
    v3 = package(devDependencies={"tailwindcss": "latest"})
    files, _ = apply(PinLatestRule(), {"package.json": v3, "app/globals.css": "@tailwind base;\n"})
    assert deps(files) == {"tailwindcss": "^3.4.17"}
    css_only = {"package.json": v3, "app/globals.css": '@import "tailwindcss";\n'}
    files, _ = apply(PinLatestRule(), css_only)
    assert deps(files) == {"tailwindcss": "^4.1.9"}
