"""NextSecurityRule: releases with critical advisories move to the patched release."""

from __future__ import annotations

import json

import pytest

from console.services.projects.rules import NextSecurityRule
from console.services.projects.rules.security import patched_release
from tests.services.projects.rules.helpers import apply, deps, package

PNPM_LOCK = """lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      next:
        specifier: latest
        version: 15.2.4(react-dom@19.0.0(react@19.0.0))(react@19.0.0)
"""


@pytest.mark.parametrize(
    ("version", "target"),
    [
        ("15.2.4", "15.2.9"),
        ("^15.2.4", "15.2.9"),
        ("15.5.4", "15.5.10"),
        ("16.0.0", "16.0.11"),
        ("15.2.9", None),
        ("15.6.0", None),
        ("14.2.16", "14.2.35"),
        ("14.2.35", None),
        ("14.1.4", None),
        ("15.3.0-canary.12", None),
    ],
)
def test_patched_release_of_the_same_line(version: str, target: str | None) -> None:
    assert patched_release(version) == target


def test_vulnerable_next_moves_and_the_rest_stays() -> None:
    files, ctx = apply(
        NextSecurityRule(),
        {"package.json": package(dependencies={"next": "15.2.4", "react": "^19", "zod": "latest"})},
    )
    assert deps(files) == {"next": "15.2.9", "react": "^19", "zod": "latest"}
    assert ctx.findings[0].severity == "info"
    assert "CVE-2025-66478" in (ctx.findings[0].blocker or "")


def test_the_lockfile_decides_what_latest_installs() -> None:
    files, _ = apply(
        NextSecurityRule(),
        {"package.json": package(dependencies={"next": "latest"}), "pnpm-lock.yaml": PNPM_LOCK},
    )
    assert json.loads(files.read("package.json") or "{}")["dependencies"]["next"] == "15.2.9"


def test_next14_before_the_middleware_fix_moves_and_says_why() -> None:
    files, ctx = apply(
        NextSecurityRule(), {"package.json": package(dependencies={"next": "14.2.16"})}
    )
    assert deps(files) == {"next": "14.2.35"}
    assert "CVE-2025-29927" in (ctx.findings[0].blocker or "")


def test_patched_and_unlisted_releases_are_left_alone() -> None:
    for version in ("14.1.4", "14.2.35", "15.5.10", "16.1.5"):
        text = package(dependencies={"next": version})
        files, ctx = apply(NextSecurityRule(), {"package.json": text})
        assert files.read("package.json") == text
        assert ctx.findings == []
