"""Provisioning resilience, measured: a fault at every one of the 8 steps, and a
console process SIGKILLed in every step and restarted.

Each case provisions its own client (slug) against the same sandboxes; at the
end the remotes must hold exactly one active sub-org and one Vercel project per
client, and nothing else. Run with ``-s`` to print the figures:

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


#: The whole measurement (16 provisionings, 8 of them in killed subprocesses) takes
#: about a minute; it replaces one parametrized test per step and kill point.
DEADLINE = 240.0


@pytest.mark.subprocess
def test_provisioning_resilience_figures(
    remotes: Remotes, store: Store, github: GitHubSandbox, tmp_path: Path
) -> None:
    asyncio.run(asyncio.wait_for(measure(remotes, store, github, tmp_path), DEADLINE))


async def measure(remotes: Remotes, store: Store, github: GitHubSandbox, tmp_path: Path) -> None:
    started = time.monotonic()
    injectors = {"platform": remotes.platform.faults, "vercel": remotes.vercel.faults}
    injectors["github"] = github.faults
    slugs: list[str] = []
    failed_with_log = completed = runs = 0

    # 1. A fault at each step: the client is failed with its step log, nothing is
    #    left behind; a retry completes it.
    service = remotes.provisioning(store, github)
    try:
        for step in STEPS:
            slug = f"fault-{step}"
            slugs.append(slug)
            where, rule = FAULTS[step]
            if where == "build":
                remotes.vercel.fail_next_build("Module not found: Can't resolve '@/lib/branding'")
            else:
                assert rule is not None
                injectors[where].add(FaultRule(**{**rule.__dict__, "hits": 0}))
            runs += 1
            with pytest.raises(PipelineFailed) as caught:
                await service.provision(client(slug), None)
            assert caught.value.step == step, f"fault at {step} failed {caught.value.step}"
            assert f"{slug}-portal" not in remotes.vercel_projects(), f"orphan after {step}"
            row = run_of(store, caught.value.run_id)
            if row.status == "failed" and any(
                e["step"] == step and e["text"].startswith("failed") for e in row.log
            ):
                failed_with_log += 1
            for box in injectors.values():
                box.clear()
            await service.run(caught.value.run_id)
            completed += run_of(store, caught.value.run_id).status == "succeeded"
    finally:
        await close(service)
    faults_time = time.monotonic() - started

    # 2. A console process SIGKILLed in each step, then a restart resumes it.
    remotes.vercel.set_timing(BuildTiming(queued=0.3, initializing=0.3, building=1.0))
    killed = resumed = 0
    kill_started = time.monotonic()
    for step in STEPS:
        slug = f"kill-{step}"
        slugs.append(slug)
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
            wait_for_step(
                db, step, worker, creating_key="project_creating" if step == "vercel" else ""
            )
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        assert worker.returncode == -signal.SIGKILL
        killed += 1
        runs += 1
        for box in injectors.values():
            box.clear()
        if hold is not None:
            await asyncio.sleep(hold.delay + 0.2)  # the held request lands after the kill
        restarted = Store(db)
        service = remotes.provisioning(restarted, github)
        try:
            (run_id,) = service.unfinished()
            await service.run(run_id)
            resumed += run_of(restarted, run_id).status == "succeeded"
        finally:
            await close(service)
            restarted.close()
    kill_time = time.monotonic() - kill_started

    # What the remotes hold afterwards.
    children = Counter(c.slug for c in remotes.platform.children() if c.slug in slugs)
    active = {c.slug for c in remotes.platform.children() if c.status == "active"}
    projects = remotes.vercel_projects()
    expected = sorted(f"{s}-portal" for s in slugs)
    orphans = [p for p in projects if p not in expected]
    duplicates = sum(n - 1 for n in children.values())
    missing = [s for s in slugs if s not in active]
    print(
        "\nprovisioning resilience figures\n"
        f"  pipeline runs              {runs} ({len(STEPS)} faults, {killed} SIGKILLs)\n"
        f"  failed with step log       {failed_with_log}/{len(STEPS)}\n"
        f"  completed on retry         {completed}/{len(STEPS)}\n"
        f"  completed on resume        {resumed}/{killed}\n"
        f"  orphan Vercel projects     {len(orphans)}\n"
        f"  duplicate sub-orgs         {duplicates}\n"
        f"  clients not active         {len(missing)}\n"
        f"  time: faults {faults_time:.1f} s, kills {kill_time:.1f} s"
    )
    assert failed_with_log == len(STEPS)
    assert completed == len(STEPS)
    assert resumed == killed == len(STEPS)
    assert orphans == []
    assert sorted(projects) == expected
    assert duplicates == 0
    assert missing == []
