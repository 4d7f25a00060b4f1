"""Provisioning resilience, measured: a fault at every one of the 8 steps, a console
process SIGKILLed in every step and restarted, and one SIGKILLed in every step and
then abandoned.

Each case provisions its own client (slug) against the same sandboxes. Every kind
of resource at every vendor is counted (GitHub repositories; Vercel projects,
variables and deployments; platform sub-orgs, builder apps, API keys, webhooks and
OAuth clients): after each rollback only the failed client's sub-org is left; at
the end each client that was completed has exactly one of each (one live API key
per app) and nothing else, and an abandoned client has nothing at all. Run with
``-s`` to print the figures:

    pytest -s tests/services/deploy/test_provisioning_figures.py
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from console.sandbox.faults import FaultRule
from console.sandbox.github import GitHubSandbox
from console.sandbox.vercel import BuildTiming
from console.services.deploy.pipeline import PipelineFailed
from console.services.deploy.provisioning import NewClient, ProvisioningService
from console.store.db import Store
from console.store.models import PipelineRun
from tests.services.deploy.census import Census, missing, surplus, take
from tests.services.deploy.conftest import Remotes
from tests.services.deploy.test_deploy_kill import spawn, wait_for_step
from tests.services.deploy.test_provisioning import FAULTS, STEPS

#: step -> a slow request that holds the kill inside that step (None: the step is slow itself)
HOLDS: dict[str, FaultRule | None] = {
    "suborg": FaultRule("slow", path=r"/organizations/children$", delay=1.0),
    "portal": FaultRule("slow", path=r"/builder-apps$", method="POST", delay=1.0),
    "push": FaultRule("slow", path=r"/git/commits$", method="POST", delay=1.0),
    "vercel": FaultRule("slow", path=r"^/v11/projects$", method="POST", delay=1.0),
    "env": FaultRule("slow", path=r"/env$", method="POST", delay=1.0),
    "deploy": None,
    "health": FaultRule("slow", path=r"^/_deployments/", delay=1.0),
    "activate": FaultRule("slow", path=r"/organizations/children/[^/]+$", delay=1.0),
}
HOLD_SANDBOX = {"push": "github", "vercel": "vercel", "env": "vercel", "health": "vercel"}


def client(slug: str) -> NewClient:
    return NewClient(slug.title(), slug, f"ops@{slug}.test", "#0E7490")


async def close(service: ProvisioningService) -> None:
    await service.deploy.vercel.aclose()
    await service.deploy.platform.aclose()
    await service.deploy.health_http.aclose()
    await service.github.aclose()


def run_of(store: Store, run_id: int) -> PipelineRun:
    with store.read() as session:
        row = session.get(PipelineRun, run_id)
        assert row is not None
        return row


def complete(slugs: list[str], found: Census) -> Census:
    """What completed clients must hold: one of everything (variables once each)."""
    portals = [f"{s}-portal" for s in slugs]
    return Census(
        repos=Counter(f"northwind-digital/{p}" for p in portals),
        projects=Counter(portals),
        env=Counter({k: 1 for k in found.env if k[0] in portals}),
        deployments=Counter(portals),
        children=Counter(slugs),
        apps=Counter(portals),
        keys=Counter(portals),
        webhooks=Counter(portals),
    )


#: The whole measurement (24 provisionings, 16 of them in killed subprocesses) takes
#: two to four minutes on two busy cores; it replaces one parametrized test per step
#: and kill point.
DEADLINE = 480.0


@pytest.mark.subprocess
def test_provisioning_resilience_figures(
    remotes: Remotes, store: Store, github: GitHubSandbox, tmp_path: Path
) -> None:
    asyncio.run(asyncio.wait_for(measure(remotes, store, github, tmp_path), DEADLINE))


async def kill_in(
    step: str, slug: str, remotes: Remotes, github: GitHubSandbox, tmp_path: Path
) -> Path:
    """A worker provisioning `slug`, SIGKILLed inside `step`; returns its store."""
    injectors = {"platform": remotes.platform.faults, "vercel": remotes.vercel.faults}
    injectors["github"] = github.faults
    hold = HOLDS[step]
    if hold is not None:
        injectors[HOLD_SANDBOX.get(step, "platform")].add(hold)
    db = tmp_path / f"{slug}.sqlite3"
    Store(db).close()
    worker = spawn(
        "provision_worker",
        str(db),
        remotes.vercel.base_url,
        remotes.platform_url,
        remotes.platform.api_key,
        github.base_url,
        github.token,
        slug,
    )
    try:
        wait_for_step(db, step, worker, creating="vercel_project" if step == "vercel" else "")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert worker.returncode == -signal.SIGKILL
    for box in injectors.values():
        box.clear()
    if hold is not None:
        await asyncio.sleep(hold.delay + 0.2)  # the held request lands after the kill
    return db


async def measure(remotes: Remotes, store: Store, github: GitHubSandbox, tmp_path: Path) -> None:
    started = time.monotonic()
    injectors = {"platform": remotes.platform.faults, "vercel": remotes.vercel.faults}
    injectors["github"] = github.faults
    done: list[str] = []
    failed_with_log = warned = completed = runs = 0
    left_after_rollback: Counter[str] = Counter()

    # 1. A fault at each step: the client is failed with its step log and only its
    #    sub-org (marked failed) is left; a retry completes it. A failed health check
    #    keeps the deployment and marks the client "warning"; checking again completes it.
    service = remotes.provisioning(store, github)
    try:
        for step in STEPS:
            slug = f"fault-{step}"
            where, rule = FAULTS[step]
            if where == "build":
                remotes.vercel.fail_next_build("Module not found: Can't resolve '@/lib/branding'")
            else:
                assert rule is not None
                injectors[where].add(FaultRule(**{**rule.__dict__, "hits": 0}))
            runs += 1
            if step == "health":
                run_id = service.start(client(slug))
                await service.run(run_id)
                child = next(c for c in remotes.platform.children() if c.slug == slug)
                row = run_of(store, run_id)
                if row.status == "warning" and child.status == "warning":
                    warned += any(e["text"].startswith("warning") for e in row.log)
            else:
                with pytest.raises(PipelineFailed) as caught:
                    await service.provision(client(slug), None)
                assert caught.value.step == step, f"fault at {step} failed {caught.value.step}"
                run_id = caught.value.run_id
                row = run_of(store, run_id)
                if row.status == "failed" and any(
                    e["step"] == step and e["text"].startswith("failed") for e in row.log
                ):
                    failed_with_log += 1
                kept = Census(children=Counter([slug]))
                left_after_rollback.update(
                    {k: n for k, n in surplus(take(remotes, github, [slug]), kept).items() if n}
                )
            for box in injectors.values():
                box.clear()
            await service.run(run_id)
            completed += run_of(store, run_id).status == "succeeded"
            done.append(slug)
    finally:
        await close(service)
    faults_time = time.monotonic() - started

    # 2. A console process SIGKILLed in each step, then a restart resumes it.
    remotes.vercel.set_timing(BuildTiming(queued=0.3, initializing=0.3, building=1.0))
    killed = resumed = 0
    kill_started = time.monotonic()
    for step in STEPS:
        slug = f"kill-{step}"
        db = await kill_in(step, slug, remotes, github, tmp_path)
        killed += 1
        runs += 1
        restarted = Store(db)
        service = remotes.provisioning(restarted, github)
        try:
            (run_id,) = service.unfinished()
            await service.run(run_id)
            resumed += run_of(restarted, run_id).status == "succeeded"
        finally:
            await close(service)
            restarted.close()
        done.append(slug)
    kill_time = time.monotonic() - kill_started

    # 3. A console process SIGKILLed in each step, then the restart abandons the run:
    #    nothing of the client may be left anywhere, not even its sub-org.
    abandoned_slugs: list[str] = []
    abandoned = 0
    abandon_started = time.monotonic()
    for step in STEPS:
        slug = f"gone-{step}"
        db = await kill_in(step, slug, remotes, github, tmp_path)
        runs += 1
        restarted = Store(db)
        service = remotes.provisioning(restarted, github)
        try:
            (run_id,) = service.unfinished()
            await service.abandon(run_id)
            abandoned += run_of(restarted, run_id).status == "abandoned"
        finally:
            await close(service)
            restarted.close()
        abandoned_slugs.append(slug)
    abandon_time = time.monotonic() - abandon_started

    # What the remotes hold afterwards, every kind at every vendor.
    found = take(remotes, github, done + abandoned_slugs)
    expected = complete(done, found)
    extra = surplus(found, expected)
    absent = missing(found, expected)
    duplicated_keys = sum(n - 1 for n in found.keys.values() if n > 1)
    active = {c.slug for c in remotes.platform.children() if c.status == "active"}
    not_active = [s for s in done if s not in active]
    width = max(len(k) for k in extra)
    table = "\n".join(
        f"    {kind:<{width}}  {sum(expected.kinds()[kind].values()):>4} expected"
        f"  {extra[kind]:>2} left behind or doubled  {absent[kind]:>2} missing"
        for kind in extra
    )
    print(
        "\nprovisioning resilience figures\n"
        f"  pipeline runs                {runs} ({len(STEPS)} faults, {killed} SIGKILLs resumed, "
        f"{len(STEPS)} SIGKILLs abandoned)\n"
        f"  failed with step log         {failed_with_log}/{len(STEPS) - 1}\n"
        f"  health: warning with log     {warned}/1\n"
        f"  completed on retry           {completed}/{len(STEPS)}\n"
        f"  completed on resume          {resumed}/{killed}\n"
        f"  abandoned after SIGKILL      {abandoned}/{len(STEPS)}\n"
        f"  left after rollbacks         {sum(left_after_rollback.values())} "
        f"(beyond the failed clients' sub-orgs)\n"
        f"  duplicated API keys          {duplicated_keys}\n"
        f"  clients not active           {len(not_active)}\n"
        f"  every resource at the end:\n{table}\n"
        f"  time: faults {faults_time:.1f} s, kills {kill_time:.1f} s, "
        f"abandons {abandon_time:.1f} s"
    )
    assert failed_with_log == len(STEPS) - 1
    assert warned == 1
    assert completed == len(STEPS)
    assert resumed == killed == len(STEPS)
    assert abandoned == len(STEPS)
    assert left_after_rollback == Counter()
    assert extra == dict.fromkeys(extra, 0)
    assert absent == dict.fromkeys(absent, 0)
    assert duplicated_keys == 0
    assert not_active == []
