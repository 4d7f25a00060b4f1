"""Injected faults reach the client; the test controls work over HTTP too."""

from __future__ import annotations

import httpx
import pytest

from console.sandbox.faults import FaultRule
from console.sandbox.vercel import VercelSandbox
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
