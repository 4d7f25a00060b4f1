"""A real subprocess deploying, SIGKILLed mid-pipeline, then resumed or rolled back.

Afterwards: no orphan Vercel project, exactly one webhook, the run succeeded
(resume) or every Vercel project this run created is gone (abandon).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from console.sandbox.faults import FaultRule
from console.sandbox.vercel import BuildTiming
from console.store.db import Store
from console.store.models import PipelineRun, RemoteResource
from tests.services.deploy.conftest import Remotes, add_project

ROOT = Path(__file__).resolve().parents[3]


def wait_for_step(
    db: Path,
    step: str,
    worker: subprocess.Popen[str],
    timeout: float = 20,
    *,
    creating: str | None = None,
) -> str:
    """Poll the store until the run is in `step` and, if `creating` (a ledger kind)
    is given, has written the ledger row of the resource it is creating (default:
    the Vercel project in the step "project")."""
    kind = ("vercel_project" if step == "project" else "") if creating is None else creating
    store = Store(db)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            assert worker.poll() is None, "the worker ended before the kill point"
            with store.read() as session:
                run = session.query(PipelineRun).one_or_none()
                intent = (
                    session.query(RemoteResource)
                    .filter_by(kind=kind, status="creating")
                    .one_or_none()
                    if kind
                    else None
                )
                if run is not None and run.step == step and (not kind or intent is not None):
                    return run.step
            time.sleep(0.01)
    finally:
        store.close()
    raise AssertionError(f"never reached step {step}")


def spawn(module: str, *args: str) -> subprocess.Popen[str]:
    """A worker process (`python -m tests.services.deploy.<module> ARGS`)."""
    return subprocess.Popen(
        [sys.executable, "-m", f"tests.services.deploy.{module}", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


@pytest.mark.subprocess
@pytest.mark.parametrize(
    ("kill_at", "then"),
    [
        ("project", "resume"),
        ("env", "resume"),
        ("build", "resume"),
        ("webhook", "resume"),
        ("build", "abandon"),
    ],
)
async def test_sigkill_mid_deploy_then_restart(
    remotes: Remotes, tmp_path: Path, kill_at: str, then: str
) -> None:
    remotes.vercel.set_timing(BuildTiming(queued=0.3, initializing=0.3, building=1.0))
    if kill_at == "webhook":  # the step is quick: hold the request so the kill lands in it
        remotes.platform.faults.add(
            FaultRule("slow", path=r"/webhooks/register$", delay=3.0, times=1)
        )
    if kill_at == "env":
        remotes.vercel.faults.add(FaultRule("slow", path=r"/env$", delay=3.0, times=1))
    db = tmp_path / "console.sqlite3"
    store = Store(db)
    project_id = await add_project(store, remotes)
    store.close()

    worker = spawn(
        "deploy_worker",
        str(db),
        remotes.vercel.base_url,
        remotes.platform_url,
        remotes.platform.api_key,
        str(project_id),
    )
    try:
        wait_for_step(db, kill_at, worker)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert worker.returncode == -signal.SIGKILL
    remotes.platform.faults.clear()
    remotes.vercel.faults.clear()

    # The restart: a fresh store and service find the unfinished run.
    store = Store(db)
    service = remotes.service(store)
    try:
        pending = service.unfinished()
        assert len(pending) == 1
        if then == "resume":
            state = await service.run(pending[0])
            assert remotes.vercel_projects() == ["acme-shop"]
            hooks = [w for w in remotes.platform.webhooks() if w.app_id == state["app_id"]]
            assert len(hooks) == 1
            app = next(a for a in remotes.platform.builder_apps() if a.id == state["app_id"])
            assert app.deployment_status == "deployed"
        else:
            await service.abandon(pending[0])
            assert remotes.vercel_projects() == []  # no orphan
        assert service.unfinished() == []
    finally:
        await service.vercel.aclose()
        await service.platform.aclose()
        await service.health_http.aclose()
        store.close()
    print(f"\nkill at {kill_at}, then {then}: vercel projects {remotes.vercel_projects()}")
