"""VercelClient against the Vercel sandbox on loopback (manual clock).

The exchanges are validated against Vercel's contract (`tests.contract_check`),
except promote and cancel, which the contract subset does not have.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

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
from console.sandbox.faults import FaultRule
from console.sandbox.recording import Exchange
from console.sandbox.vercel import DEFAULT_TOKEN, BuildTiming, VercelSandbox, is_sandbox_extension
from console.services.accounts import check_connection
from console.services.http import RetryPolicy, build_client
from console.services.secrets import Account
from console.services.settings import AccountSettings
from console.services.vercel.client import GitAccessMissing, VercelClient
from console.services.vercel.models import EnvVarInput, GitSource, ReadyState
from tests.contract_check import check_all
from tests.services.conftest import SleepLog


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def vercel(tmp_path: Path, clock: Clock) -> Iterator[VercelSandbox]:
    sandbox = VercelSandbox(tmp_path / "vercel", clock=clock, timing=BuildTiming())
    sandbox.serve()
    yield sandbox
    sandbox.stop()


def make(
    vercel: VercelSandbox,
    policy: RetryPolicy,
    *,
    token: str = DEFAULT_TOKEN,
    timeout: httpx.Timeout | None = None,
) -> VercelClient:
    http = build_client("vercel", vercel.base_url, token, timeout=timeout)
    return VercelClient(http, team_id="team_sandbox", policy=policy)


def check_contract(vercel: VercelSandbox) -> int:
    return check_all("vercel", vercel.recorder.exchanges, extension=is_sandbox_extension)


async def test_project_env_deploy_domains(
    vercel: VercelSandbox, clock: Clock, policy: RetryPolicy
) -> None:
    client = make(vercel, policy)
    project = await client.create_project("acme-portal", git_repo="acme/portal")
    assert project.link is not None
    assert (await client.get_project("acme-portal")).id == project.id
    result = await client.create_env(
        project.id,
        [
            EnvVarInput("NEXT_PUBLIC_API_URL", "https://api.l4yercak3.test", type="plain"),
            EnvVarInput("L4_API_KEY", "l4k_app_secret_value_123", type="sensitive"),
        ],
    )
    assert [v.key for v in result.created] == ["NEXT_PUBLIC_API_URL", "L4_API_KEY"]
    assert {v.key for v in await client.list_env(project.id)} == {
        "NEXT_PUBLIC_API_URL",
        "L4_API_KEY",
    }

    deployment = await client.create_deployment(
        "acme-portal",
        project=project.id,
        git_source=GitSource(org="acme", repo="portal", ref="main", sha="a" * 40),
    )
    assert deployment.ready_state is ReadyState.QUEUED
    clock.now += 10
    ready = await client.get_deployment(deployment.id)
    assert ready.ready_state is ReadyState.READY
    assert ready.git_sha == "a" * 40
    events = await client.get_deployment_events(deployment.id)
    assert events
    assert any(e.text for e in events)
    page = await client.list_deployments(project_id=project.id)
    assert [d.id for d in page.deployments] == [deployment.id]
    assert page.deployments[0].ready_state is ReadyState.READY

    domain = await client.add_domain(project.id, "portal.acme.test")
    assert not domain.verified
    config = await client.get_domain_config("portal.acme.test", project=project.id)
    assert config.recommended_ipv4 or config.recommended_cname
    with pytest.raises(ValidationFailed):
        await client.verify_domain(project.id, "portal.acme.test")
    vercel.mark_domain_verified("portal.acme.test")
    assert (await client.verify_domain(project.id, "portal.acme.test")).verified
    assert (await client.get_domain(project.id, "portal.acme.test")).verified
    assert [d.name for d in (await client.list_domains(project.id)).domains] == ["portal.acme.test"]
    assert check_contract(vercel) > 10


async def test_failed_build_cancel_promote_delete(
    vercel: VercelSandbox, clock: Clock, policy: RetryPolicy
) -> None:
    client = make(vercel, policy)
    project = await client.create_project("shop")
    git = GitSource(org="acme", repo="shop", ref="main")
    good = await client.create_deployment("shop", project=project.id, git_source=git)
    clock.now += 10
    vercel.fail_next_build("Type error in app/page.tsx")
    bad = await client.create_deployment("shop", project=project.id, git_source=git)
    clock.now += 10
    failed = await client.get_deployment(bad.id)
    assert failed.ready_state is ReadyState.ERROR
    assert failed.ready_state.is_final
    third = await client.create_deployment("shop", project=project.id, git_source=git)
    canceled = await client.cancel_deployment(third.id)
    assert canceled.ready_state is ReadyState.CANCELED
    await client.promote_deployment(project.id, good.id)
    await client.delete_project(project.id)
    with pytest.raises(NotFound):
        await client.get_project(project.id)
    check_contract(vercel)


async def test_name_taken_is_conflict(vercel: VercelSandbox, policy: RetryPolicy) -> None:
    client = make(vercel, policy)
    await client.create_project("twice")
    with pytest.raises(Conflict):
        await client.create_project("twice")


async def test_bad_token(vercel: VercelSandbox, policy: RetryPolicy) -> None:
    client = make(vercel, policy, token="not-a-token")
    with pytest.raises(AuthError):
        await client.get_project("x")


async def test_5xx_then_success_and_forever(vercel: VercelSandbox, policy: RetryPolicy) -> None:
    client = make(vercel, policy)
    await client.create_project("flaky")
    rule = vercel.faults.add(FaultRule("status", path="^/v9/projects/", status=502, times=2))
    assert (await client.get_project("flaky")).name == "flaky"
    assert rule.hits == 2
    rule = vercel.faults.add(FaultRule("status", path="^/v9/projects/", status=500, times=None))
    with pytest.raises(Unavailable):
        await client.get_project("flaky")
    assert rule.hits == policy.attempts


async def test_429(vercel: VercelSandbox, policy: RetryPolicy, sleeps: SleepLog) -> None:
    client = make(vercel, policy)
    vercel.faults.add(FaultRule("rate_limit", path="^/v6/deployments$", retry_after=3))
    await client.list_deployments()
    assert sleeps.waits == [3.0]
    vercel.faults.add(FaultRule("rate_limit", path="^/v6/deployments$", retry_after=600))
    with pytest.raises(RateLimited):
        await client.list_deployments()


async def test_timeout_malformed_drop(vercel: VercelSandbox, policy: RetryPolicy) -> None:
    fast = make(
        vercel,
        RetryPolicy(attempts=2, base=0.001, cap=0.002, rng=random.Random(2)),
        timeout=httpx.Timeout(0.2),
    )
    vercel.faults.add(FaultRule("timeout", path="^/v6/deployments$", delay=1.0, times=None))
    with pytest.raises(NetworkError, match="timed out"):
        await fast.list_deployments()
    vercel.faults.clear()
    client = make(vercel, policy)
    vercel.faults.add(FaultRule("malformed", path="^/v6/deployments$"))
    with pytest.raises(ContractError):
        await client.list_deployments()
    vercel.faults.add(FaultRule("drop", path="^/v6/deployments$"))
    await client.list_deployments()
    rule = vercel.faults.add(FaultRule("drop", path="^/v11/projects$", method="POST"))
    with pytest.raises(NetworkError, match="dropped"):
        await client.create_project("dropped")
    assert rule.hits == 1


# ------------------------------------------------------------------ reads Vercel cuts up


def _events_reads(vercel: VercelSandbox) -> list[Exchange]:
    return [e for e in vercel.recorder.exchanges if e.path.endswith("/events")]


async def test_build_log_is_read_to_the_end(
    vercel: VercelSandbox, clock: Clock, policy: RetryPolicy
) -> None:
    client = make(vercel, policy)
    project = await client.create_project("logs")
    git = GitSource(org="acme", repo="logs", ref="main")
    deployment = await client.create_deployment("logs", project=project.id, git_source=git)
    clock.now += 10
    vercel.recorder.clear()
    events = await client.get_deployment_events(deployment.id, page_size=10)
    _row, every = vercel.events(deployment.id)
    assert [e.text for e in events] == [e.text for e in every]
    assert len(events) > 30
    reads = _events_reads(vercel)
    answered = [json.loads(r.response_body) for r in reads]
    assert [len(a) for a in answered[:-1]] == [10] * (len(reads) - 1)
    assert len(answered[-1]) < 10  # a short read ends the log
    assert all(r.query["limit"] == ["10"] and r.query["direction"] == ["forward"] for r in reads)
    # Each follow-up read starts at the last event the one before returned.
    assert "since" not in reads[0].query
    assert [int(r.query["since"][0]) for r in reads[1:]] == [
        a[-1]["created"] for a in answered[:-1]
    ]
    assert check_contract(vercel) == len(reads)


async def test_build_log_past_a_crowded_millisecond(tmp_path: Path, policy: RetryPolicy) -> None:
    # 250 lines at the same instant: `since` cannot page through them, `limit=-1` can.
    crowded = "\n".join(f"notice line {n}" for n in range(250))
    sandbox = VercelSandbox(tmp_path / "crowded", timing=BuildTiming(), simulation_notice=crowded)
    sandbox.serve()
    try:
        client = make(sandbox, policy)
        project = await client.create_project("crowded")
        git = GitSource(org="acme", repo="crowded", ref="main")
        deployment = await client.create_deployment("crowded", project=project.id, git_source=git)
        events = await client.get_deployment_events(deployment.id, page_size=100)
        texts = [e.text for e in events]
        assert texts[:250] == [f"notice line {n}" for n in range(250)]
        assert len(set(e.key for e in events)) == len(events)
        assert [r.query["limit"] for r in _events_reads(sandbox)] == [["100"], ["100"], ["-1"]]
        check_contract(sandbox)
    finally:
        sandbox.stop()


async def test_history_follows_pagination(
    vercel: VercelSandbox, clock: Clock, policy: RetryPolicy
) -> None:
    client = make(vercel, policy)
    project = await client.create_project("busy")
    git = GitSource(org="acme", repo="busy", ref="main")
    created = [
        (await client.create_deployment("busy", project=project.id, git_source=git)).id
        for _ in range(45)
    ]  # the clock stands still: Vercel's millisecond timestamps still tell them apart
    vercel.recorder.clear()
    every = await client.list_all_deployments(project.id, page_size=20)
    assert [d.id for d in every] == created[::-1]
    pages = [e for e in vercel.recorder.exchanges if e.path == "/v6/deployments"]
    assert [q.query.get("limit") for q in pages] == [["20"], ["20"], ["20"]]
    assert "until" not in pages[0].query
    assert [int(p.query["until"][0]) for p in pages[1:]] == [
        every[19].created_at,
        every[39].created_at,
    ]
    assert check_contract(vercel) == 3


async def test_429_without_retry_after_waits_for_vercels_reset(
    vercel: VercelSandbox, clock: Clock, sleeps: SleepLog
) -> None:
    policy = RetryPolicy(attempts=3, retry_after_cap=30.0, sleep=sleeps, clock=clock)
    client = make(vercel, policy)
    vercel.limit_rate("^/v6/deployments$", reset_in=12)
    await client.list_deployments()
    assert sleeps.waits == [12.0]
    limited, answered = vercel.recorder.exchanges
    assert limited.status == 429
    assert "retry-after" not in limited.response_headers
    assert limited.response_headers["x-ratelimit-remaining"] == "0"
    assert int(limited.response_headers["x-ratelimit-reset"]) == int(clock.now) + 12
    assert answered.status == 200
    vercel.limit_rate("^/v6/deployments$", reset_in=600)
    with pytest.raises(RateLimited) as info:
        await client.list_deployments()
    assert info.value.retry_after == 600
    check_contract(vercel)


# ------------------------------------------------------------------ production pinning


async def test_rollback_pins_production_until_resumed(
    vercel: VercelSandbox, clock: Clock, policy: RetryPolicy
) -> None:
    client = make(vercel, policy)
    project = await client.create_project("pin")
    git = GitSource(org="acme", repo="pin", ref="main")
    first = await client.create_deployment("pin", project=project.id, git_source=git)
    clock.now += 10
    second = await client.create_deployment("pin", project=project.id, git_source=git)
    clock.now += 10
    assert not (await client.get_project(project.id)).production_pinned
    await client.promote_deployment(project.id, first.id)
    pinned = await client.get_project(project.id)
    assert (pinned.production_deployment_id, pinned.production_pinned) == (first.id, True)
    third = await client.create_deployment("pin", project=project.id, git_source=git)
    clock.now += 10
    assert (await client.get_project(project.id)).production_deployment_id == first.id

    vercel.recorder.clear()
    await client.resume_production(project.id)
    (unpause,) = vercel.recorder.exchanges[:1]
    assert (unpause.method, unpause.path, unpause.status) == (
        "POST",
        f"/v1/projects/{project.id}/unpause",
        200,
    )
    assert unpause.query["teamId"] == ["team_sandbox"]
    resumed = await client.get_project(project.id)
    assert (resumed.production_deployment_id, resumed.production_pinned) == (first.id, False)
    fourth = await client.create_deployment("pin", project=project.id, git_source=git)
    clock.now += 10
    live = await client.get_project(project.id)
    assert live.production_deployment_id == fourth.id
    assert {second.id, third.id}.isdisjoint({live.production_deployment_id})
    check_contract(vercel)


# ------------------------------------------------------------------ the GitHub integration


@pytest.fixture
def restricted(tmp_path: Path, clock: Clock) -> Iterator[VercelSandbox]:
    sandbox = VercelSandbox(
        tmp_path / "restricted",
        clock=clock,
        timing=BuildTiming(),
        git_access={"acme": None, "northwind-digital": ["portal"]},
    )
    sandbox.serve()
    yield sandbox
    sandbox.stop()


async def test_git_namespaces_and_repositories_vercel_cannot_see(
    restricted: VercelSandbox, policy: RetryPolicy
) -> None:
    client = make(restricted, policy)
    namespaces = await client.list_git_namespaces()
    assert sorted(n.slug for n in namespaces) == ["acme", "northwind-digital"]
    assert all(n.provider == "github" for n in namespaces)
    assert (await client.create_project("seen", git_repo="acme/seen")).link is not None
    assert (await client.create_project("portal", git_repo="northwind-digital/portal")).link
    for repo in ("elsewhere/shop", "northwind-digital/secret"):
        with pytest.raises(GitAccessMissing) as info:
            await client.create_project("refused", git_repo=repo)
        assert repo in str(info.value)
        assert "https://github.com/apps/vercel" in info.value.user_action()
        assert info.value.status == 400
    refused = [e for e in restricted.recorder.exchanges if e.status == 400]
    assert len(refused) == 2
    assert restricted.store.find_project("refused") is None
    check_contract(restricted)


async def test_check_connection_names_the_owner_vercel_cannot_see(
    restricted: VercelSandbox,
) -> None:
    settings = AccountSettings(vercel_url=restricted.base_url, github_owner="globex")
    with pytest.raises(GitAccessMissing) as info:
        await check_connection(Account.VERCEL, settings, DEFAULT_TOKEN)
    assert "not installed on globex" in str(info.value)
    assert "acme, northwind-digital" in str(info.value)
    assert "https://github.com/apps/vercel" in info.value.user_action()
    restricted.grant_git_access("globex", owner_type="team")
    said = await check_connection(Account.VERCEL, settings, DEFAULT_TOKEN)
    assert said == "Vercel answered; its GitHub app can see globex."
    asked = [e.path for e in restricted.recorder.exchanges]
    assert asked.count("/v1/integrations/git-namespaces") == 2
