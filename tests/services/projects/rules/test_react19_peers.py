"""React19PeersRule: Next 14 back to React 18; peer-limited packages upgraded or allowed."""

from __future__ import annotations

from console.services.projects.rules import React19PeersRule
from tests.services.projects.rules.helpers import apply, deps, package


def test_react19_next14_moves_to_react18() -> None:
    files, ctx = apply(
        React19PeersRule(),
        {
            "package.json": package(
                dependencies={"next": "14.2.16", "react": "^19", "react-dom": "^19"},
                devDependencies={"@types/react": "^19"},
            )
        },
    )
    assert deps(files)["react"] == deps(files)["react-dom"] == "^18.3.1"
    assert deps(files)["@types/react"] == "^18.3.12"
    assert "Next 14" in ctx.findings[0].message


def test_react19_upgrades_known_packages_and_allows_the_rest() -> None:
    lock = (
        '{"packages": {"node_modules/some-calendar": {"version": "2.0.0",'
        ' "peerDependencies": {"react": "^16.8 || ^17 || ^18"}}}}'
    )
    files, ctx = apply(
        React19PeersRule(),
        {
            "package.json": package(
                dependencies={
                    "next": "15.2.4",
                    "react": "^19",
                    "vaul": "^0.9.6",
                    "react-day-picker": "8.10.1",
                    "some-calendar": "2.0.0",
                },
                devDependencies={"@types/react": "^18"},
            ),
            "package-lock.json": lock,
        },
    )
    assert deps(files)["vaul"] == "^1.1.2"
    assert deps(files)["@types/react"] == "^19"
    assert deps(files)["react-day-picker"] == "8.10.1"  # v9 needs code changes: allowed instead
    npmrc = files.read(".npmrc") or ""
    assert "legacy-peer-deps=true" in npmrc
    assert "react-day-picker" in npmrc
    assert "some-calendar" in npmrc
    assert (files.package_json() or {})["pnpm"]["peerDependencyRules"]["allowAny"] == [
        "react",
        "react-dom",
    ]
    assert {f.severity for f in ctx.findings} == {"info"}


def test_react19_nothing_to_do_for_compatible_projects() -> None:
    text = package(dependencies={"next": "15.2.4", "react": "^19", "react-dom": "^19"})
    files, ctx = apply(React19PeersRule(), {"package.json": text})
    assert files.read("package.json") == text
    assert not files.exists(".npmrc")
    assert ctx.findings == []
