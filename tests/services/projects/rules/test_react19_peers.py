"""React19PeersRule: peer conflicts resolved with the package manager's own settings."""

from __future__ import annotations

import json

from console.services.projects.rules import ProjectFiles, React19PeersRule, RuleContext
from tests.services.projects.rules.helpers import apply, deps, package

V0_DEPS = {
    "next": "15.2.4",
    "react": "^19",
    "react-dom": "^19",
    "vaul": "^0.9.6",
    "react-day-picker": "8.10.1",
    "date-fns": "4.1.0",
    "cmdk": "1.0.4",
}
PNPM_LOCK = """lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      react:
        specifier: latest
        version: 18.3.1
      next:
        specifier: 14.2.16
        version: 14.2.16(react@18.3.1)
"""


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
    assert ctx.findings[0].unfixed().severity == "blocker"


def test_react19_next14_left_alone_when_the_lockfile_pins_react18() -> None:
    text = package(dependencies={"next": "14.2.16", "react": "latest", "react-dom": "latest"})
    files, ctx = apply(React19PeersRule(), {"package.json": text, "pnpm-lock.yaml": PNPM_LOCK})
    assert files.read("package.json") == text
    assert ctx.findings == []


def test_react19_npm_overrides_and_nothing_added() -> None:
    files, ctx = apply(React19PeersRule(), {"package.json": package(dependencies=V0_DEPS)})
    pkg = files.package_json() or {}
    assert pkg["overrides"] == {
        "react-day-picker": {"react": "$react", "date-fns": "$date-fns"},
        "vaul": {"react": "$react", "react-dom": "$react-dom"},
    }
    assert deps(files) == V0_DEPS  # the project's own versions, no new packages
    assert not files.exists(".npmrc")
    assert {f.severity for f in ctx.findings} == {"info"}
    assert any("date-fns" in f.message and "4.1.0" in f.message for f in ctx.findings)


def test_react19_lockfile_peer_ranges_skip_optional_peers() -> None:
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "node_modules/some-calendar": {
                "version": "2.0.0",
                "peerDependencies": {"react": "^16.8 || ^17 || ^18", "react-native": "*"},
                "peerDependenciesMeta": {"react-native": {"optional": True}},
            },
            "node_modules/ws": {
                "version": "8.18.0",
                "peerDependencies": {"bufferutil": "^4.0.1"},
                "peerDependenciesMeta": {"bufferutil": {"optional": True}},
            },
        },
    }
    declared = {"next": "15.2.4", "react": "^19", "some-calendar": "2.0.0", "ws": "^8"}
    files, _ = apply(
        React19PeersRule(),
        {"package.json": package(dependencies=declared), "package-lock.json": json.dumps(lock)},
    )
    assert (files.package_json() or {})["overrides"] == {"some-calendar": {"react": "$react"}}
    assert deps(files) == declared  # react-native, bufferutil: never added


def test_react19_pnpm_only_when_strict() -> None:
    lenient = {
        "package.json": package(dependencies=V0_DEPS),
        "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
    }
    files, ctx = apply(React19PeersRule(), lenient)
    assert files.read("package.json") == lenient["package.json"]  # pnpm only warns
    assert ctx.findings == []

    files, _ = apply(React19PeersRule(), {**lenient, ".npmrc": "strict-peer-dependencies=true\n"})
    pkg = files.package_json() or {}
    assert pkg["pnpm"]["peerDependencyRules"]["allowedVersions"] == {
        "react-day-picker>date-fns": "4",
        "react-day-picker>react": "19",
        "vaul>react": "19",
        "vaul>react-dom": "19",
    }
    assert "overrides" not in pkg


def test_react19_targets_from_a_failed_install() -> None:
    text = package(dependencies={"next": "15.2.4", "react": "^19", "odd-slider": "1.2.0"})
    files = ProjectFiles({"package.json": text})
    ctx = RuleContext(current_rule="react19-peers", targets={"react19-peers": ["odd-slider>react"]})
    React19PeersRule().apply(files, ctx)
    assert (files.package_json() or {})["overrides"] == {"odd-slider": {"react": "$react"}}


def test_react19_nothing_to_do_for_compatible_projects() -> None:
    text = package(dependencies={**V0_DEPS, "vaul": "^1.1.2", "react-day-picker": "9.4.0"})
    files, ctx = apply(React19PeersRule(), {"package.json": text})
    assert files.read("package.json") == text
    assert not files.exists(".npmrc")
    assert ctx.findings == []
