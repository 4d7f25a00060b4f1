"""VercelClient over MockTransport: request shapes, parsing, faults.

Requests and the canned responses are both checked against Vercel's contract.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from console.errors import (
    AuthError,
    Conflict,
    ContractError,
    NetworkError,
    NotFound,
    RateLimited,
    Unavailable,
    ValidationFailed,
)
from console.services.http import RetryPolicy, build_client
from console.services.vercel.client import VercelClient
from console.services.vercel.models import EnvVarInput, GitSource, ReadyState
from tests.contract_check import check_all, contract
from tests.services.conftest import Recorder, SleepLog, dropped_response, json_response
from tests.services.vercel import payloads

TOKEN = "vercel_tok_abcdefgh12345"


def make(
    handler: Callable[[httpx.Request], httpx.Response],
    policy: RetryPolicy,
    *,
    team: str | None = "team_1",
) -> tuple[VercelClient, Recorder]:
    rec = Recorder(handler)
    http = build_client("vercel", "https://api.vercel.test", TOKEN, transport=rec.transport())
    return VercelClient(http, team_id=team, policy=policy), rec


def routes(
    table: dict[tuple[str, str], httpx.Response],
) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        key = (request.method, request.url.path)
        if key not in table:
            return json_response(404, {"error": {"code": "not_found", "message": "no route"}})
        return table[key]

    return handler


def test_payloads_match_the_contract() -> None:
    """The canned bodies below are what Vercel's contract allows."""
    from console.sandbox.recording import Exchange

    def ok(method: str, path: str, body: object, status: int = 200) -> None:
        ex = Exchange(
            method,
            path,
            {},
            {},
            b"",
            status,
            {"content-type": "application/json"},
            json.dumps(body).encode(),
        )
        contract("vercel").check_response(ex)

    ok("POST", "/v11/projects", payloads.project())
    ok("POST", "/v13/deployments", payloads.deployment())
    ok("GET", "/v13/deployments/dpl_1", payloads.deployment(state="READY"))
    ok(
        "GET",
        "/v6/deployments",
        {
            "deployments": [payloads.deployment_row("dpl_1", "READY", 1)],
            "pagination": {"count": 1, "next": None, "prev": None},
        },
    )
    ok("GET", "/v3/deployments/dpl_1/events", payloads.events())
    ok("POST", "/v10/projects/prj_1/domains", payloads.domain())
    ok("GET", "/v6/domains/portal.acme.test/config", payloads.domain_config())
    ok("GET", "/v10/projects/prj_1/env", {"envs": [payloads.env_var("A", "env_1")]})
    ok(
        "POST",
        "/v10/projects/prj_1/env",
        {"created": [payloads.env_var("A", "env_1")], "failed": []},
        201,
    )


async def test_create_project_request_and_parse(policy: RetryPolicy) -> None:
    client, rec = make(lambda r: json_response(200, payloads.project()), policy)
    project = await client.create_project(
        "acme-portal",
        git_repo="acme/portal",
        env=[
            EnvVarInput(
                "L4_API_KEY", "l4k_secretvalue_123", type="sensitive", target=("production",)
            )
        ],
    )
    sent = rec.requests[0]
    assert sent.method == "POST"
    assert sent.url.path == "/v11/projects"
    assert sent.url.params["teamId"] == "team_1"
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert rec.body() == {
        "name": "acme-portal",
        "framework": "nextjs",
        "gitRepository": {"type": "github", "repo": "acme/portal"},
        "environmentVariables": [
            {
                "key": "L4_API_KEY",
                "value": "l4k_secretvalue_123",
                "type": "sensitive",
                "target": ["production"],
            }
        ],
    }
    assert project.id == "prj_1"
    assert project.link is not None
    assert project.link.repo == "portal"
    assert project.link.production_branch == "main"
    check_all("vercel", rec.exchanges())


async def test_env_var_value_never_in_repr() -> None:
    var = EnvVarInput("KEY", "supersecretvalue")
    assert "supersecretvalue" not in repr(var)


async def test_no_team_id_when_not_configured(policy: RetryPolicy) -> None:
    client, rec = make(lambda r: json_response(200, payloads.project()), policy, team=None)
    await client.get_project("acme-portal")
    assert "teamId" not in rec.requests[0].url.params
    assert rec.requests[0].url.path == "/v9/projects/acme-portal"


async def test_env_batch_upsert(policy: RetryPolicy) -> None:
    body = {
        "created": [payloads.env_var("A", "env_1"), payloads.env_var("B", "env_2", ["preview"])],
        "failed": [{"error": {"code": "ENV_CONFLICT", "message": "exists", "key": "C"}}],
    }
    client, rec = make(lambda r: json_response(201, body), policy)
    result = await client.create_env(
        "prj_1", [EnvVarInput("A", "1"), EnvVarInput("B", "2", type="plain", target=("preview",))]
    )
    assert rec.requests[0].url.params["upsert"] == "true"
    assert rec.body() == [
        {"key": "A", "value": "1", "type": "encrypted", "target": ["production", "preview"]},
        {"key": "B", "value": "2", "type": "plain", "target": ["preview"]},
    ]
    assert [v.key for v in result.created] == ["A", "B"]
    assert result.created[1].target == ("preview",)
    assert result.failed[0].key == "C"
    assert result.failed[0].code == "ENV_CONFLICT"
    check_all("vercel", rec.exchanges())


async def test_env_upsert_is_retried(policy: RetryPolicy) -> None:
    answers = iter(
        [
            json_response(503, {}),
            json_response(201, {"created": payloads.env_var("A", "e"), "failed": []}),
        ]
    )
    client, rec = make(lambda r: next(answers), policy)
    result = await client.create_env("prj_1", [EnvVarInput("A", "1")])
    assert len(rec.requests) == 2
    assert result.created[0].id == "e"


async def test_list_env_hides_values(policy: RetryPolicy) -> None:
    client, rec = make(
        lambda r: json_response(200, {"envs": [payloads.env_var("A", "env_1")]}), policy
    )
    envs = await client.list_env("prj_1")
    assert envs[0].key == "A"
    assert "ENCRYPTED-BLOB" not in repr(envs)
    check_all("vercel", rec.exchanges())


async def test_create_deployment_from_git(policy: RetryPolicy) -> None:
    client, rec = make(lambda r: json_response(200, payloads.deployment()), policy)
    dep = await client.create_deployment(
        "acme-portal",
        project="prj_1",
        git_source=GitSource(org="acme", repo="portal", ref="main", sha="abc123"),
        meta={"l4Project": "app_1"},
    )
    assert rec.body() == {
        "name": "acme-portal",
        "gitSource": {
            "type": "github",
            "org": "acme",
            "repo": "portal",
            "ref": "main",
            "sha": "abc123",
        },
        "project": "prj_1",
        "target": "production",
        "meta": {"l4Project": "app_1"},
    }
    assert dep.ready_state is ReadyState.QUEUED
    assert not dep.ready_state.is_final
    assert dep.git_sha == "abc123"
    assert dep.creator_username == "staff"
    check_all("vercel", rec.exchanges())


async def test_blocked_is_a_known_non_final_state(policy: RetryPolicy) -> None:
    client, _ = make(lambda r: json_response(200, payloads.deployment(state="BLOCKED")), policy)
    dep = await client.get_deployment("dpl_1")
    assert dep.ready_state is ReadyState.BLOCKED
    assert not dep.ready_state.is_final


async def test_unknown_state_is_contract_error(policy: RetryPolicy) -> None:
    client, _ = make(lambda r: json_response(200, payloads.deployment(state="EXPLODED")), policy)
    with pytest.raises(ContractError):
        await client.get_deployment("dpl_1")


async def test_list_deployments_paging(policy: RetryPolicy) -> None:
    body = {
        "deployments": [
            payloads.deployment_row("dpl_2", "READY", 2000),
            payloads.deployment_row("dpl_1", "ERROR", 1000),
        ],
        "pagination": {"count": 2, "next": 999, "prev": None},
    }
    client, rec = make(lambda r: json_response(200, body), policy)
    page = await client.list_deployments(
        project_id="prj_1", limit=2, until=5000, rollback_candidate=True
    )
    params = rec.requests[0].url.params
    assert dict(params) == {
        "projectId": "prj_1",
        "limit": "2",
        "until": "5000",
        "rollbackCandidate": "true",
        "teamId": "team_1",
    }
    assert [d.id for d in page.deployments] == ["dpl_2", "dpl_1"]
    assert page.deployments[0].ready_state is ReadyState.READY
    assert page.deployments[0].duration_ms == 29_000
    assert page.page.next == 999
    check_all("vercel", rec.exchanges())


async def test_deployment_events_both_shapes(policy: RetryPolicy) -> None:
    client, rec = make(lambda r: json_response(200, payloads.events()), policy)
    events = await client.get_deployment_events("dpl_1", since=1000, page_size=100)
    assert len(rec.requests) == 1  # a short read: the log is complete
    assert dict(rec.requests[0].url.params) == {
        "since": "1000",
        "limit": "100",
        "direction": "forward",
        "teamId": "team_1",
    }
    assert [e.text for e in events] == ["Running build", "warn: something"]
    assert events[1].level == "warning"
    assert events[1].ready_state == "BUILDING"
    check_all("vercel", rec.exchanges())


async def test_domains(policy: RetryPolicy) -> None:
    table = {
        ("POST", "/v10/projects/prj_1/domains"): json_response(200, payloads.domain()),
        ("GET", "/v9/projects/prj_1/domains/portal.acme.test"): json_response(
            200, payloads.domain()
        ),
        ("POST", "/v9/projects/prj_1/domains/portal.acme.test/verify"): json_response(
            200, payloads.domain(verified=True)
        ),
        ("GET", "/v6/domains/portal.acme.test/config"): json_response(
            200, payloads.domain_config()
        ),
        ("GET", "/v9/projects/prj_1/domains"): json_response(
            200,
            {
                "domains": [payloads.domain()],
                "pagination": {"count": 1, "next": None, "prev": None},
            },
        ),
    }
    client, rec = make(routes(table), policy)
    added = await client.add_domain("prj_1", "portal.acme.test")
    assert not added.verified
    assert added.verification[0].type == "TXT"
    assert (await client.get_domain("prj_1", "portal.acme.test")).apex_name == "acme.test"
    assert (await client.verify_domain("prj_1", "portal.acme.test")).verified
    config = await client.get_domain_config("portal.acme.test", project="prj_1")
    assert config.misconfigured
    assert config.recommended_ipv4[0].values == ("76.76.21.21",)
    assert config.recommended_cname[0].values == ("cname.vercel-dns.com.",)
    listed = await client.list_domains("prj_1")
    assert [d.name for d in listed.domains] == ["portal.acme.test"]
    assert rec.requests[3].url.params["projectIdOrName"] == "prj_1"
    check_all("vercel", rec.exchanges())


async def test_delete_project_204(policy: RetryPolicy) -> None:
    client, rec = make(lambda r: httpx.Response(204), policy)
    await client.delete_project("prj_1")
    assert rec.requests[0].method == "DELETE"
    check_all("vercel", rec.exchanges())


async def test_promote_and_cancel(policy: RetryPolicy) -> None:
    table = {
        ("POST", "/v10/projects/prj_1/promote/dpl_1"): httpx.Response(201),
        ("PATCH", "/v12/deployments/dpl_2/cancel"): json_response(
            200, payloads.deployment("dpl_2", "CANCELED")
        ),
    }
    client, _ = make(routes(table), policy)
    await client.promote_deployment("prj_1", "dpl_1")
    canceled = await client.cancel_deployment("dpl_2")
    assert canceled.ready_state is ReadyState.CANCELED
    assert canceled.ready_state.is_final


# ------------------------------------------------------------------ faults


async def test_5xx_then_success(policy: RetryPolicy) -> None:
    answers = iter([json_response(502, {}), json_response(200, payloads.project())])
    client, rec = make(lambda r: next(answers), policy)
    assert (await client.get_project("prj_1")).id == "prj_1"
    assert len(rec.requests) == 2


async def test_5xx_forever(policy: RetryPolicy) -> None:
    client, rec = make(
        lambda r: json_response(500, {"error": {"code": "internal", "message": "oops"}}), policy
    )
    with pytest.raises(Unavailable, match="oops"):
        await client.get_deployment("dpl_1")
    assert len(rec.requests) == policy.attempts


async def test_create_deployment_not_retried_on_5xx(policy: RetryPolicy) -> None:
    client, rec = make(lambda r: json_response(500, {}), policy)
    with pytest.raises(Unavailable):
        await client.create_deployment("x", git_source=GitSource("a", "b", "main"))
    assert len(rec.requests) == 1


async def test_429_retry_after(policy: RetryPolicy, sleeps: SleepLog) -> None:
    answers = iter(
        [json_response(429, {}, **{"Retry-After": "1"}), json_response(200, payloads.project())]
    )
    client, _ = make(lambda r: next(answers), policy)
    await client.get_project("prj_1")
    assert sleeps.waits == [1.0]


async def test_429_huge_retry_after(policy: RetryPolicy) -> None:
    client, _ = make(lambda r: json_response(429, {}, **{"Retry-After": "900"}), policy)
    with pytest.raises(RateLimited) as info:
        await client.get_project("prj_1")
    assert info.value.retry_after == 900


async def test_timeout(policy: RetryPolicy) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client, rec = make(handler, policy)
    with pytest.raises(NetworkError):
        await client.get_project("prj_1")
    assert len(rec.requests) == policy.attempts


async def test_malformed_body(policy: RetryPolicy) -> None:
    client, _ = make(lambda r: httpx.Response(200, content=b"<html>oops"), policy)
    with pytest.raises(ContractError):
        await client.get_project("prj_1")


async def test_body_not_fitting_the_model(policy: RetryPolicy) -> None:
    client, _ = make(lambda r: json_response(200, {"id": 5}), policy)
    with pytest.raises(ContractError, match="id"):
        await client.get_project("prj_1")


async def test_dropped_connection(policy: RetryPolicy) -> None:
    answers = iter([dropped_response(), json_response(200, payloads.deployment())])
    client, rec = make(lambda r: next(answers), policy)
    await client.get_deployment("dpl_1")
    assert len(rec.requests) == 2
    client, rec = make(lambda r: dropped_response(), policy)
    with pytest.raises(NetworkError):
        await client.create_deployment("x", git_source=GitSource("a", "b", "main"))
    assert len(rec.requests) == 1


async def test_401_auth(policy: RetryPolicy) -> None:
    body = {"error": {"code": "forbidden", "message": "Not authorized", "invalidToken": True}}
    client, _ = make(lambda r: json_response(401, body), policy)
    with pytest.raises(AuthError, match="Not authorized"):
        await client.get_project("prj_1")


async def test_409_conflict(policy: RetryPolicy) -> None:
    body = {
        "error": {
            "code": "conflict",
            "message": "A project with the name acme-portal already exists.",
        }
    }
    client, _ = make(lambda r: json_response(409, body), policy)
    with pytest.raises(Conflict, match="already exists") as info:
        await client.create_project("acme-portal")
    assert info.value.code == "conflict"


async def test_400_and_404(policy: RetryPolicy) -> None:
    body = {"error": {"code": "missing_txt_record", "message": "Domain is not verified yet"}}
    client, _ = make(lambda r: json_response(400, body), policy)
    with pytest.raises(ValidationFailed, match="not verified"):
        await client.verify_domain("prj_1", "portal.acme.test")
    client, _ = make(
        lambda r: json_response(
            404, {"error": {"code": "not_found", "message": "Project not found"}}
        ),
        policy,
    )
    with pytest.raises(NotFound):
        await client.delete_project("gone")
