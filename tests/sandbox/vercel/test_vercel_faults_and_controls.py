"""Injected faults reach the client; the test controls work over HTTP too."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from console.sandbox.faults import FaultRule
from console.sandbox.vercel import DEFAULT_TOKEN, BuildTiming, VercelSandbox
from console.sandbox.vercel.app import DEFAULT_EVENTS_LIMIT
from tests.sandbox.vercel.conftest import ManualClock
from tests.sandbox.vercel.contract import check_vercel


def test_injected_faults_reach_the_client(vercel: VercelSandbox, client: httpx.Client) -> None:
    vercel.faults.add(FaultRule("status", path=r"^/v11/projects$", status=503))
    assert client.post("/v11/projects", json={"name": "shop"}).status_code == 503
    assert client.post("/v11/projects", json={"name": "shop"}).status_code == 200  # times=1

    vercel.faults.add(FaultRule("rate_limit", path=r"^/v9/projects/", retry_after=7))
    limited = client.get("/v9/projects/shop")
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "7"

    vercel.faults.add(FaultRule("drop", path=r"^/v9/projects/"))
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/v9/projects/shop")
    assert client.get("/v9/projects/shop").status_code == 200
    # Injected faults never reach the recorder, so what it holds is contract-valid.
    check_vercel(vercel.recorder.exchanges)


def test_faults_can_be_injected_over_http(vercel: VercelSandbox, client: httpx.Client) -> None:
    added = httpx.post(
        f"{vercel.base_url}/_sandbox/faults",
        json={"kind": "status", "path": "^/v13/deployments", "status": 502},
    )
    assert added.status_code == 201
    assert client.get("/v13/deployments/dpl_x").status_code == 502


def test_controls_over_http(
    vercel: VercelSandbox, client: httpx.Client, clock: ManualClock
) -> None:
    control = f"{vercel.base_url}/_sandbox/vercel"
    assert client.post("/v11/projects", json={"name": "shop"}).status_code == 200
    git = {"type": "github", "org": "acme", "repo": "shop", "ref": "main"}
    deploy = {"name": "shop", "target": "production", "gitSource": git}

    assert httpx.post(f"{control}/builds/next", json={"outcome": "error"}).status_code == 200
    failing = client.post("/v13/deployments", json=deploy).json()
    assert httpx.post(f"{control}/builds/next", json={"outcome": "hang"}).status_code == 200
    hanging = client.post("/v13/deployments", json=deploy).json()
    fine = client.post("/v13/deployments", json=deploy).json()
    changed = httpx.post(f"{control}/deployments/{fine['id']}/outcome", json={"outcome": "error"})
    assert changed.status_code == 200
    clock.advance(60)
    states = [
        client.get(f"/v13/deployments/{d['id']}").json()["readyState"]
        for d in (failing, hanging, fine)
    ]
    assert states == ["ERROR", "BUILDING", "ERROR"]

    vercel.set_build_outcome(fine["id"], "ready")
    assert httpx.get(vercel.production_url("shop")).status_code == 200
    assert httpx.post(f"{control}/projects/shop/health", json={"status": 503}).is_success
    assert httpx.get(vercel.production_url("shop")).status_code == 503
    assert httpx.post(f"{control}/projects/shop/health", json={"status": 200}).is_success
    assert httpx.get(vercel.production_url("shop")).status_code == 200

    client.post("/v10/projects/shop/domains", json={"name": "shop.example.org"})
    assert httpx.post(f"{control}/domains/shop.example.org/verified").is_success
    assert client.get("/v9/projects/shop/domains/shop.example.org").json()["verified"] is True
    assert not client.get("/v6/domains/shop.example.org/config").json()["misconfigured"]

    timing = {"queued": 1, "initializing": 1, "building": 1}
    assert httpx.put(f"{control}/timing", json=timing).is_success
    slow = client.post("/v13/deployments", json=deploy).json()
    clock.advance(2.5)
    assert client.get(f"/v13/deployments/{slow['id']}").json()["readyState"] == "BUILDING"

    assert httpx.post(f"{control}/nope").status_code == 404
    assert httpx.put(f"{control}/timing", json={"bogus": 1}).status_code == 400
    check_vercel(vercel.recorder.exchanges)


def test_rate_limit_answers_as_vercel_over_http(
    vercel: VercelSandbox, client: httpx.Client, clock: ManualClock
) -> None:
    control = f"{vercel.base_url}/_sandbox/vercel/rate-limit"
    assert httpx.post(control, json={"path": "^/v6/", "reset_in": 20}).status_code == 200
    limited = client.get("/v6/deployments")
    assert limited.status_code == 429
    assert "retry-after" not in limited.headers
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert limited.headers["x-ratelimit-reset"] == str(int(clock.now) + 20)
    assert limited.json()["error"]["code"] == "rate_limited"
    assert limited.json()["error"]["limit"]["reset"] == int(clock.now) + 20
    assert client.get("/v6/deployments").status_code == 200  # times=1
    check_vercel(vercel.recorder.exchanges)


def test_git_integration_access_over_http(vercel: VercelSandbox, client: httpx.Client) -> None:
    control = f"{vercel.base_url}/_sandbox/vercel/git"
    body = {"name": "shop", "gitRepository": {"type": "github", "repo": "acme/shop"}}
    # No access given: Vercel's GitHub app sees every repository (the default).
    assert client.post("/v11/projects", json=body).status_code == 200
    assert [n["slug"] for n in client.get("/v1/integrations/git-namespaces").json()] == ["acme"]

    assert httpx.post(f"{control}/northwind", json={"repos": ["portal"]}).status_code == 200
    namespaces = client.get("/v1/integrations/git-namespaces", params={"provider": "github"})
    assert [(n["slug"], n["provider"], n["ownerType"]) for n in namespaces.json()] == [
        ("northwind", "github", "user")
    ]
    assert isinstance(namespaces.json()[0]["id"], int)
    refused = client.post("/v11/projects", json={**body, "name": "other"})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["message"] == (
        "To link a GitHub repository, you need to install the GitHub integration first."
    )
    assert (error["link"], error["repo"]) == ("https://github.com/apps/vercel", "acme/shop")
    portal = {"name": "portal", "gitRepository": {"type": "github", "repo": "Northwind/Portal"}}
    assert client.post("/v11/projects", json=portal).status_code == 200
    secret = {"name": "secret", "gitRepository": {"type": "github", "repo": "northwind/secret"}}
    assert client.post("/v11/projects", json=secret).status_code == 400

    assert httpx.delete(f"{control}/northwind").status_code == 200
    assert client.get("/v1/integrations/git-namespaces").json() == []
    assert client.post("/v11/projects", json={**portal, "name": "again"}).status_code == 400
    check_vercel(vercel.recorder.exchanges)


def test_build_log_is_cut_without_limit(tmp_path: Path, clock: ManualClock) -> None:
    notice = "\n".join(f"line {n}" for n in range(150))
    sandbox = VercelSandbox(
        tmp_path / "long", clock=clock, timing=BuildTiming(), simulation_notice=notice
    )
    sandbox.serve()
    try:
        auth = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
        with httpx.Client(base_url=sandbox.base_url, headers=auth) as http:
            assert http.post("/v11/projects", json={"name": "long"}).status_code == 200
            git = {"type": "github", "org": "acme", "repo": "long", "ref": "main"}
            created = http.post("/v13/deployments", json={"name": "long", "gitSource": git})
            clock.advance(5)
            url = f"/v3/deployments/{created.json()['id']}/events"
            _row, every = sandbox.events(created.json()["id"])
            assert len(every) > DEFAULT_EVENTS_LIMIT
            assert len(http.get(url).json()) == DEFAULT_EVENTS_LIMIT
            assert len(http.get(url, params={"limit": -1}).json()) == len(every)
            assert len(http.get(url, params={"limit": 7}).json()) == 7
            # The notice lines share one instant; `since` a later one leaves them out.
            since = every[-1].offset + created.json()["createdAt"]
            later = http.get(url, params={"since": since, "limit": -1}).json()
            assert later
            assert all(e["created"] >= since for e in later)
            assert not any(e["payload"]["text"].startswith("line ") for e in later)
        check_vercel(sandbox.recorder.exchanges)
    finally:
        sandbox.stop()
