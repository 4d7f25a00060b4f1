"""Builds over time: failures, hangs, cancel, promote/rollback, health checks, restarts."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx

from console.sandbox.vercel import DEFAULT_TOKEN, BuildTiming, VercelSandbox
from tests.sandbox.vercel.conftest import ManualClock
from tests.sandbox.vercel.contract import check_vercel

GIT = {"type": "github", "org": "acme", "repo": "shop", "ref": "main"}


def _project(client: httpx.Client, name: str = "shop") -> dict[str, Any]:
    response = client.post(
        "/v11/projects",
        json={"name": name, "gitRepository": {"type": "github", "repo": "acme/shop"}},
    )
    assert response.status_code == 200
    project: dict[str, Any] = response.json()
    return project


def _deploy(client: httpx.Client, name: str = "shop", **extra: Any) -> dict[str, Any]:
    body = {"name": name, "target": "production", "gitSource": GIT, **extra}
    body = {key: value for key, value in body.items() if value is not None}
    response = client.post("/v13/deployments", json=body)
    assert response.status_code == 200
    deployment: dict[str, Any] = response.json()
    return deployment


def _state(client: httpx.Client, deployment_id: str) -> str:
    state: str = client.get(f"/v13/deployments/{deployment_id}").json()["readyState"]
    return state


def test_failing_build_ends_in_error_with_error_events(
    vercel: VercelSandbox, client: httpx.Client, clock: ManualClock
) -> None:
    _project(client)
    good = _deploy(client)
    clock.advance(1)
    vercel.fail_next_build("Type error: Cannot find module '@/lib/credits'")
    bad = _deploy(client)
    clock.advance(0.45)
    assert _state(client, bad["id"]) == "BUILDING"
    clock.advance(0.2)
    failed = client.get(f"/v13/deployments/{bad['id']}").json()
    assert failed["readyState"] == "ERROR"
    assert failed["errorMessage"] == 'Command "npm run build" exited with 1'
    assert failed["alias"] == []
    events = client.get(f"/v3/deployments/{bad['id']}/events").json()
    stderr = [e["payload"]["text"] for e in events if e["type"] == "stderr"]
    assert "Type error: Cannot find module '@/lib/credits'" in stderr
    assert 'Error: Command "npm run build" exited with 1' in stderr
    assert [e["type"] for e in events[-2:]] == ["exit", "deployment-state"]
    assert events[-1]["payload"]["info"]["readyState"] == "ERROR"
    # Production still serves the last good deployment; the next build is fine again.
    assert client.get(f"/v13/deployments/{good['id']}").json()["alias"] == ["shop.vercel.app"]
    again = _deploy(client)
    clock.advance(1)
    assert _state(client, again["id"]) == "READY"
    errors = client.get("/v6/deployments", params={"projectId": "shop", "state": "ERROR"}).json()
    assert [d["uid"] for d in errors["deployments"]] == [bad["id"]]
    check_vercel(vercel.recorder.exchanges)


def test_hanging_build_stays_building(
    vercel: VercelSandbox, client: httpx.Client, clock: ManualClock
) -> None:
    _project(client)
    vercel.hang_next_build()
    deployment = _deploy(client)
    clock.advance(3600)
    assert _state(client, deployment["id"]) == "BUILDING"
    texts = [
        e["payload"]["text"]
        for e in client.get(f"/v3/deployments/{deployment['id']}/events").json()
    ]
    assert texts[-1] == "   Creating an optimized production build ..."
    # The console gives up and cancels it.
    canceled = client.patch(f"/v12/deployments/{deployment['id']}/cancel")
    assert canceled.status_code == 200
    assert canceled.json()["readyState"] == "CANCELED"
    events = client.get(f"/v3/deployments/{deployment['id']}/events").json()
    assert events[-1]["payload"]["info"]["readyState"] == "CANCELED"
    assert client.patch(f"/v12/deployments/{deployment['id']}/cancel").status_code == 400
    check_vercel(vercel.recorder.exchanges)


def test_promote_rolls_production_back_and_forth(
    vercel: VercelSandbox, client: httpx.Client, clock: ManualClock
) -> None:
    project = _project(client)
    assert project["autoAssignCustomDomains"] is True
    first = _deploy(client)
    clock.advance(1)
    second = _deploy(client)
    clock.advance(1)
    assert client.get(f"/v13/deployments/{second['id']}").json()["alias"] == ["shop.vercel.app"]
    assert vercel.site("shop.vercel.app").deployment_id == second["id"]

    # A rollback pins production: auto-assignment is off, as Vercel reports it.
    rollback = client.post(f"/v10/projects/{project['id']}/promote/{first['id']}")
    assert rollback.status_code == 201
    assert vercel.site("shop.vercel.app").deployment_id == first["id"]
    assert client.get(f"/v13/deployments/{second['id']}").json()["alias"] == []
    pinned = client.get("/v9/projects/shop").json()
    assert pinned["targets"]["production"]["id"] == first["id"]
    assert pinned["autoAssignCustomDomains"] is False
    assert pinned["lastAliasRequest"]["type"] == "rollback"
    assert pinned["lastAliasRequest"]["fromDeploymentId"] == second["id"]
    assert pinned["lastAliasRequest"]["toDeploymentId"] == first["id"]

    # While pinned, neither a preview nor a new production deployment takes production.
    preview = _deploy(client, target=None)
    clock.advance(1)
    assert "target" not in client.get(f"/v13/deployments/{preview['id']}").json()
    held = _deploy(client)
    clock.advance(1)
    assert _state(client, held["id"]) == "READY"
    assert vercel.site("shop.vercel.app").deployment_id == first["id"]
    assert client.get(f"/v13/deployments/{held['id']}").json()["alias"] == []

    # Resuming lets the next one go live; the one built while pinned stays out.
    resumed = client.post(f"/v1/projects/{project['id']}/unpause")
    assert resumed.status_code == 200
    assert client.get("/v9/projects/shop").json()["autoAssignCustomDomains"] is True
    assert vercel.site("shop.vercel.app").deployment_id == first["id"]
    third = _deploy(client)
    clock.advance(1)
    assert vercel.site("shop.vercel.app").deployment_id == third["id"]

    # Promoting the newest production deployment is no rollback: nothing is pinned.
    client.post(f"/v10/projects/{project['id']}/promote/{held['id']}")
    client.post(f"/v10/projects/{project['id']}/promote/{third['id']}")
    latest = client.get("/v9/projects/shop").json()
    assert (latest["autoAssignCustomDomains"], latest["lastAliasRequest"]["type"]) == (
        True,
        "promote",
    )

    candidates = client.get(
        "/v6/deployments", params={"projectId": "shop", "rollbackCandidate": "true"}
    ).json()["deployments"]
    assert [d["uid"] for d in candidates] == [third["id"], held["id"], second["id"], first["id"]]
    assert all(d["isRollbackCandidate"] for d in candidates)

    building = _deploy(client)
    refused = client.post(f"/v10/projects/{project['id']}/promote/{building['id']}")
    assert refused.status_code == 400
    assert client.post("/v1/projects/prj_unknown/unpause").status_code == 400
    check_vercel(vercel.recorder.exchanges)


def test_health_check_can_be_made_to_fail(
    vercel: VercelSandbox, client: httpx.Client, clock: ManualClock
) -> None:
    _project(client)
    deployment = _deploy(client)
    url = vercel.production_url("shop")
    assert url == f"{vercel.base_url}/_deployments/shop.vercel.app/"
    assert httpx.get(url).status_code == 404  # not READY yet
    clock.advance(1)
    page = httpx.get(url)
    assert page.status_code == 200
    assert "<title>shop</title>" in page.text
    vercel.fail_health_check("shop", 500)
    assert httpx.get(url).status_code == 500
    assert httpx.get(vercel.site_url(deployment, "/api/health")).status_code == 500
    vercel.restore_health_check("shop")
    assert httpx.get(url).status_code == 200
    assert httpx.get(vercel.site_url("nobody.vercel.app")).status_code == 404
    assert httpx.get(vercel.site_url("unverified.example.com")).status_code == 404


def test_list_deployments_pages_with_until(
    vercel: VercelSandbox, client: httpx.Client, clock: ManualClock
) -> None:
    _project(client)
    ids = []
    for _ in range(5):
        ids.append(_deploy(client)["id"])
        clock.advance(1)
    newest_first = list(reversed(ids))
    first = client.get("/v6/deployments", params={"projectId": "shop", "limit": 2}).json()
    assert [d["uid"] for d in first["deployments"]] == newest_first[:2]
    assert first["pagination"]["count"] == 2
    pages = [d["uid"] for d in first["deployments"]]
    cursor = first["pagination"]["next"]
    while cursor is not None:
        page = client.get(
            "/v6/deployments", params={"projectId": "shop", "limit": 2, "until": cursor}
        ).json()
        pages += [d["uid"] for d in page["deployments"]]
        cursor = page["pagination"]["next"]
    assert pages == newest_first
    production = client.get("/v6/deployments", params={"target": "production", "limit": 100})
    assert len(production.json()["deployments"]) == 5
    check_vercel(vercel.recorder.exchanges)


def test_state_survives_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    root = tmp_path / "vercel"
    first = VercelSandbox(root, clock=clock)
    first.serve()
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    with httpx.Client(base_url=first.base_url, headers=headers) as http:
        _project(http)
        deployment = _deploy(http)
        http.post("/v10/projects/shop/domains", json={"name": "www.shop.example"})
    first.stop()
    clock.advance(5)  # the build finishes while the sandbox is down
    second = VercelSandbox(root, clock=clock)
    second.serve()
    try:
        with httpx.Client(base_url=second.base_url, headers=headers) as http:
            again = http.get(f"/v13/deployments/{deployment['id']}").json()
            assert again["readyState"] == "READY"
            assert again["url"] == deployment["url"]
            domain = http.get("/v9/projects/shop/domains/www.shop.example").json()
            assert domain["verified"] is False
    finally:
        second.stop()


def test_builds_advance_on_the_wall_clock_and_stream_live(tmp_path: Path) -> None:
    sandbox = VercelSandbox(tmp_path / "vercel", timing=BuildTiming(0.1, 0.1, 0.3))
    sandbox.serve()
    try:
        headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
        with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=10) as http:
            _project(http)
            deployment = _deploy(http)
            started = time.monotonic()
            lines = []
            with http.stream(
                "GET", f"/v3/deployments/{deployment['id']}/events", params={"follow": 1}
            ) as stream:
                for line in stream.iter_lines():
                    if line:
                        lines.append((time.monotonic() - started, line))
            elapsed = time.monotonic() - started
            assert 0.4 <= elapsed < 3.0
            assert lines[0][0] < 0.2  # the first events come at once, the rest live
            assert '"READY"' in lines[-1][1]
            assert _state(http, deployment["id"]) == "READY"
        check_vercel(sandbox.recorder.exchanges)
    finally:
        sandbox.stop()


def test_state_of_an_older_sandbox_opens_with_the_new_columns(
    tmp_path: Path, clock: ManualClock
) -> None:
    root = tmp_path / "vercel"
    first = VercelSandbox(root, clock=clock)
    first.create_project({"name": "shop"})
    deployment = first.create_deployment({"name": "shop", "gitSource": GIT})
    first.stop()
    # What a console from before regions and real builds left behind.
    with sqlite3.connect(root / "vercel.sqlite3") as db:
        db.execute("ALTER TABLE projects DROP COLUMN region")
        for column in ("region", "mode", "state", "booted_at", "building_at", "ended_at", "notice"):
            db.execute(f"ALTER TABLE deployments DROP COLUMN {column}")
    clock.advance(5)
    second = VercelSandbox(root, clock=clock)
    try:
        view = second.deployment_view(deployment.id)
        assert (view.state, view.row.mode, view.row.region) == ("READY", "simulated", "iad1")
        assert second.get_project("shop").region == "iad1"
    finally:
        second.stop()
