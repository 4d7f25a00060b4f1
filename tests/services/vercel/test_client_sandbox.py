"""VercelClient against the Vercel sandbox on loopback (manual clock).

The exchanges are validated against Vercel's contract (`tests.contract_check`),
except promote and cancel, which the contract subset does not have.
"""

from __future__ import annotations

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
from console.sandbox.vercel import DEFAULT_TOKEN, BuildTiming, VercelSandbox, is_sandbox_extension
from console.services.http import RetryPolicy, build_client
from console.services.vercel.client import VercelClient
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
