"""The Vercel sandbox end to end over HTTP, checked against Vercel's contract."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from console.sandbox.recording import Exchange
from console.sandbox.vercel import DEFAULT_TOKEN, VercelSandbox
from tests.sandbox.vercel.conftest import ManualClock
from tests.sandbox.vercel.contract import check_vercel, operations_hit, vercel_contract

REPO = {"type": "github", "repo": "acme-agency/client-shop"}
GIT_SOURCE = {"type": "github", "org": "acme-agency", "repo": "client-shop", "ref": "main"}


@dataclass
class Journey:
    exchanges: list[Exchange]


def _run_journey(sandbox: VercelSandbox, clock: ManualClock, http: httpx.Client) -> None:
    """Everything the console does with Vercel, in order, with its expected answers."""
    # Project linked to the GitHub repo.
    created = http.post(
        "/v11/projects", json={"name": "client-shop", "framework": "nextjs", "gitRepository": REPO}
    )
    assert created.status_code == 200
    project = created.json()
    assert project["framework"] == "nextjs"
    assert project["link"]["org"] == "acme-agency"
    assert project["link"]["repo"] == "client-shop"
    project_id = project["id"]
    assert http.get(f"/v9/projects/{project_id}").json()["name"] == "client-shop"
    assert http.get("/v9/projects/client-shop", params={"teamId": "team_x"}).status_code == 200

    # Env vars: one plain, then a batch with a sensitive platform key.
    single = http.post(
        f"/v10/projects/{project_id}/env",
        json={"key": "NEXT_PUBLIC_APP", "value": "shop", "type": "plain", "target": ["production"]},
    )
    assert single.status_code == 201
    assert single.json()["created"]["key"] == "NEXT_PUBLIC_APP"
    batch = http.post(
        f"/v10/projects/{project_id}/env",
        json=[
            {
                "key": "L4_API_KEY",
                "value": "sk_live_platform_secret",
                "type": "sensitive",
                "target": ["production", "preview"],
            },
            {
                "key": "DATABASE_URL",
                "value": "postgres://db",
                "type": "encrypted",
                "target": ["production"],
            },
        ],
    )
    assert batch.status_code == 201
    assert [e["key"] for e in batch.json()["created"]] == ["L4_API_KEY", "DATABASE_URL"]
    assert "sk_live_platform_secret" not in batch.text
    upserted = http.post(
        f"/v10/projects/{project_id}/env",
        params={"upsert": "true"},
        json={
            "key": "NEXT_PUBLIC_APP",
            "value": "shop2",
            "type": "plain",
            "target": ["production"],
        },
    )
    assert upserted.status_code == 201
    envs = {e["key"]: e for e in http.get(f"/v10/projects/{project_id}/env").json()["envs"]}
    assert envs["NEXT_PUBLIC_APP"]["value"] == "shop2"
    assert envs["L4_API_KEY"]["value"] == ""
    assert envs["DATABASE_URL"]["value"] != "postgres://db"
    decrypted = http.get(f"/v10/projects/{project_id}/env", params={"decrypt": "true"})
    by_key = {e["key"]: e for e in decrypted.json()["envs"]}
    assert by_key["DATABASE_URL"]["value"] == "postgres://db"
    assert by_key["L4_API_KEY"]["value"] == ""  # sensitive: never readable again
    assert "sk_live_platform_secret" not in decrypted.text

    # A production deployment that moves through its states over time.
    deployment = http.post(
        "/v13/deployments",
        json={
            "name": "client-shop",
            "project": project_id,
            "target": "production",
            "gitSource": GIT_SOURCE,
        },
    ).json()
    assert deployment["readyState"] == "QUEUED"
    assert deployment["url"].endswith(".vercel.app")
    deployment_id = deployment["id"]
    seen = []
    for _ in range(4):
        state = http.get(f"/v13/deployments/{deployment_id}").json()["readyState"]
        seen.append(state)
        events = http.get(f"/v3/deployments/{deployment_id}/events").json()
        clock.advance(0.2)
    assert seen == ["QUEUED", "INITIALIZING", "BUILDING", "READY"]
    ready = http.get(f"/v13/deployments/{deployment['url']}").json()
    assert ready["alias"] == ["client-shop.vercel.app"]
    assert ready["aliasAssigned"] is True
    texts = [e["payload"]["text"] for e in events]
    types = {e["type"] for e in events}
    assert {"command", "stdout", "exit", "deployment-state"} <= types
    assert "> next build" in texts
    assert any("Compiled successfully" in t for t in texts)
    assert events[-1]["payload"]["info"]["readyState"] == "READY"
    backward = http.get(
        f"/v3/deployments/{deployment_id}/events",
        params={"direction": "backward", "limit": 2, "follow": 0},
    ).json()
    assert [e["payload"]["text"] for e in backward] == ["READY", "exit code 0"]
    with http.stream("GET", f"/v3/deployments/{deployment_id}/events?follow=1") as stream:
        assert stream.headers["content-type"].startswith("application/stream+json")
        assert sum(1 for line in stream.iter_lines() if line) == len(events)

    # The production URL answers the health check.
    site = httpx.get(sandbox.production_url("client-shop"))
    assert site.status_code == 200
    assert "client-shop" in site.text
    assert httpx.get(sandbox.site_url(ready)).status_code == 200

    # Custom domain: added unverified with its TXT record, verified once DNS is set.
    added = http.post(
        f"/v10/projects/{project_id}/domains", json={"name": "shop.acme-client.com"}
    ).json()
    assert added["verified"] is False
    assert added["apexName"] == "acme-client.com"
    assert added["verification"][0]["type"] == "TXT"
    assert added["verification"][0]["domain"] == "_vercel.acme-client.com"
    config = http.get("/v6/domains/shop.acme-client.com/config").json()
    assert config["misconfigured"] is True
    assert config["configuredBy"] is None
    refused = http.post(f"/v9/projects/{project_id}/domains/shop.acme-client.com/verify")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "missing_txt_record"
    sandbox.set_domain_dns("shop.acme-client.com", txt=True, configured=True)
    verified = http.post(f"/v9/projects/{project_id}/domains/shop.acme-client.com/verify")
    assert verified.status_code == 200
    assert verified.json()["verified"] is True
    got = http.get(f"/v9/projects/{project_id}/domains/shop.acme-client.com").json()
    assert got["verified"] is True
    assert "verification" not in got
    config = http.get(
        "/v6/domains/shop.acme-client.com/config", params={"projectIdOrName": project_id}
    ).json()
    assert config == {
        "configuredBy": "CNAME",
        "acceptedChallenges": ["dns-01", "http-01"],
        "recommendedIPv4": [{"rank": 1, "value": ["76.76.21.21"]}],
        "recommendedCNAME": [{"rank": 1, "value": "cname.vercel-dns.com."}],
        "misconfigured": False,
    }
    listed = http.get(f"/v9/projects/{project_id}/domains").json()
    assert [d["name"] for d in listed["domains"]] == ["shop.acme-client.com"]
    assert httpx.get(sandbox.site_url("shop.acme-client.com")).status_code == 200
    assert "shop.acme-client.com" in http.get(f"/v13/deployments/{deployment_id}").json()["alias"]

    # History.
    history = http.get("/v6/deployments", params={"projectId": project_id, "limit": 10}).json()
    assert [d["uid"] for d in history["deployments"]] == [deployment_id]
    assert history["deployments"][0]["state"] == "READY"
    assert history["pagination"]["next"] is None

    # Delete: the project, its deployments and its sites are gone.
    assert http.delete(f"/v9/projects/{project_id}").status_code == 204
    assert http.get(f"/v13/deployments/{deployment_id}").status_code == 404
    assert httpx.get(sandbox.site_url(ready)).status_code == 404


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    clock = ManualClock()
    sandbox = VercelSandbox(tmp_path_factory.mktemp("vercel"), clock=clock)
    sandbox.serve()
    try:
        with httpx.Client(
            base_url=sandbox.base_url, headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"}
        ) as http:
            _run_journey(sandbox, clock, http)
        yield Journey(sandbox.recorder.exchanges)
    finally:
        sandbox.stop()


def test_vercel_journey_exchanges_match_contract(journey: Journey) -> None:
    assert check_vercel(journey.exchanges) >= 30


def test_vercel_journey_exercises_every_contract_operation(journey: Journey) -> None:
    hit = operations_hit(journey.exchanges)
    for operation in vercel_contract().operations:
        operation_id = operation.spec["operationId"]
        assert operation_id in hit, f"{operation.method} {operation.template} never exercised"


def test_vercel_errors_use_vercel_shape_and_match_contract(
    vercel: VercelSandbox, client: httpx.Client, tmp_path: Path
) -> None:
    anonymous = httpx.get(f"{vercel.base_url}/v9/projects/anything")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthorized"
    revoked = httpx.get(
        f"{vercel.base_url}/v9/projects/anything", headers={"Authorization": "Bearer nope"}
    )
    assert revoked.status_code == 403
    assert revoked.json()["error"] == {
        "code": "forbidden",
        "message": "Not authorized",
        "invalidToken": True,
    }
    missing = client.get("/v13/deployments/dpl_missing")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert client.post("/v11/projects", json={"name": "taken"}).status_code == 200
    taken = client.post("/v11/projects", json={"name": "taken"})
    assert taken.status_code == 409
    assert (
        taken.json()["error"]["message"] == 'Project "taken" already exists, please use a new name.'
    )
    assert client.post("/v11/projects", json={"name": "Bad Name"}).status_code == 400
    env = {"key": "K", "value": "v", "type": "plain", "target": ["preview"]}
    assert client.post("/v10/projects/taken/env", json=env).status_code == 201
    conflict = client.post("/v10/projects/taken/env", json=env)
    assert conflict.status_code == 400
    assert conflict.json()["error"]["code"] == "ENV_CONFLICT"
    partial = client.post("/v10/projects/taken/env", json=[env, {**env, "key": "K2"}])
    assert partial.status_code == 201
    assert [f["error"]["key"] for f in partial.json()["failed"]] == ["K"]
    no_project = client.post("/v10/projects/nope/env", json=env)
    assert no_project.status_code == 404
    assert client.post("/v10/projects/taken/domains", json={"name": "a.example.com"}).is_success
    assert client.post("/v11/projects", json={"name": "other"}).status_code == 200
    in_use = client.post("/v10/projects/other/domains", json={"name": "a.example.com"})
    assert in_use.status_code == 409
    assert in_use.json()["error"]["code"] == "domain_already_in_use"
    assert client.post("/v10/projects/other/domains", json={"name": "no"}).status_code == 400
    assert check_vercel(vercel.recorder.exchanges) == len(vercel.recorder.exchanges)
    assert client.get("/v2/unknown").json()["error"]["code"] == "not_found"


def test_vercel_get_project_404_is_outside_the_contract(
    vercel: VercelSandbox, client: httpx.Client
) -> None:
    # Vercel answers 404 for an unknown project, but vercel.json lists no 404
    # (nor 4XX/default) for getProject or deleteProject: not contract-checkable.
    assert client.get("/v9/projects/ghost").status_code == 404
    assert client.delete("/v9/projects/ghost").status_code == 404
