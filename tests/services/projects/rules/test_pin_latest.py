"""PinLatestRule: `latest` pinned from the lockfile, else from the known-good table."""

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


def test_pin_latest_from_pnpm_lockfile() -> None:
    files, ctx = apply(
        PinLatestRule(),
        {
            "package.json": package(dependencies={"next": "latest", "zod": "*"}),
            "pnpm-lock.yaml": PNPM_V9,
        },
    )
    assert deps(files) == {"next": "15.3.4", "zod": "3.25.67"}
    assert ctx.findings == []


def test_pin_latest_package_lock_wins_over_yarn() -> None:
    npm = (
        '{"lockfileVersion": 3, "packages": '
        '{"node_modules/@neondatabase/serverless": {"version": "0.9.5"}}}'
    )
    files, _ = apply(
        PinLatestRule(),
        {
            "package.json": package(dependencies={"@neondatabase/serverless": "latest"}),
            "yarn.lock": YARN_V1,
            "package-lock.json": npm,
        },
    )
    assert deps(files) == {"@neondatabase/serverless": "0.9.5"}


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
