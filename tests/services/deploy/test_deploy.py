"""The deploy pipeline against the Vercel and platform sandboxes: success, faults, cancel."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from console.sandbox.faults import FaultRule
from console.services.deploy.deploy import DeployOptions, DeployService
from console.services.deploy.events import (
    PipelineCompleted,
    ProgressEvent,
    StepFailed,
    StepProgress,
    StepStarted,
)
from console.services.deploy.pipeline import PipelineFailed
from console.services.vercel.models import EnvVarInput
from console.store.db import Store
from console.store.models import Deployment, DeploymentEvent, PipelineRun, Project
from tests.services.deploy.conftest import Remotes, add_project


async def close(service: DeployService) -> None:
    await service.vercel.aclose()
    await service.platform.aclose()
    await service.health_http.aclose()


async def vercel_projects(remotes: Remotes) -> list[str]:
    return remotes.vercel_projects()


def store_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.glob("console.sqlite3*"))


def run_row(store: Store, run_id: int) -> PipelineRun:
    with store.read() as session:
        row = session.get(PipelineRun, run_id)
        assert row is not None
        return row


async def test_deploy_end_to_end(
    remotes: Remotes, store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    project_id = await add_project(store, remotes)
    service = remotes.service(store)
    events: list[ProgressEvent] = []
    try:
        state = await service.deploy(project_id, events.append)
    finally:
        await close(service)

    # Vercel: the project linked to the repo, env vars, a READY production deployment.
    vercel = remotes.vercel
    project = vercel.store.find_project("acme-shop")
    assert project is not None
    envs = {e.key: e for e in vercel.store.list_envs(project.id)}
    assert set(envs) >= {
        "NEXT_PUBLIC_L4YERCAK3_URL",
        "L4YERCAK3_APP_ID",
        "L4YERCAK3_API_KEY",
        "L4YERCAK3_WEBHOOK_SECRET",
    }
    assert envs["L4YERCAK3_API_KEY"].type == "sensitive"
    assert envs["L4YERCAK3_WEBHOOK_SECRET"].type == "sensitive"
    view = vercel.deployment_view(state["deployment_id"])
    assert view.state == "READY"
    # The platform: builder app deployed at the production URL, webhook registered.
    app = next(a for a in remotes.platform.builder_apps() if a.id == state["app_id"])
    assert app.production_url == "https://acme-shop.vercel.app"
    assert app.deployment_status == "deployed"
    hooks = [w for w in remotes.platform.webhooks() if w.app_id == state["app_id"]]
    assert len(hooks) == 1
    assert hooks[0].url == "https://acme-shop.vercel.app/api/webhook"
    assert set(hooks[0].events) == {"form.submitted", "contact.created"}
    # The store: project deployed, deployment READY with its build log.
    with store.read() as session:
        row = session.get(Project, project_id)
        assert row is not None
        assert row.deployment_status == "deployed"
        assert row.production_url == "https://acme-shop.vercel.app"
        deployment = session.get(Deployment, state["deployment_id"])
        assert deployment is not None
        assert deployment.state == "READY"
        assert session.query(DeploymentEvent).count() > 3
    # Progress: every step started, readyStates seen live, log lines streamed.
    started = [e.step for e in events if isinstance(e, StepStarted)]
    assert started == ["project", "env", "webhook", "deploy", "build", "health", "record"]
    states = [e.ready_state for e in events if isinstance(e, StepProgress) and e.ready_state]
    assert states[-1] == "READY"
    assert "BUILDING" in states
    assert any(isinstance(e, StepProgress) and e.log_line for e in events)
    assert isinstance(events[-1], PipelineCompleted)
    assert events[-1].url == "https://acme-shop.vercel.app"
    assert run_row(store, events[-1].run_id).status == "succeeded"
    # Every request to Vercel matched the contract.
    assert remotes.check_vercel_contract() > 10
    # The secrets never reached the store.
    store.close()
    raw = store_bytes(tmp_path)
    assert b"l4k_app_" not in raw
    assert b"whsec_" not in raw
    # ... nor the logs.
    assert "l4k_app_" not in caplog.text
    assert "whsec_" not in caplog.text


#: step -> how to make it fail (on which sandbox, which rule or control)
FAULTS = {
    "project": ("vercel", FaultRule("status", path=r"^/v11/projects$", method="POST", status=400)),
    "env": ("vercel", FaultRule("status", path=r"/env$", method="POST", status=400, times=None)),
    "deploy": (
        "vercel",
        FaultRule("status", path=r"^/v13/deployments$", method="POST", status=400),
    ),
    "build": ("build", None),
    "record": ("platform", FaultRule("status", path=r"/deployment$", method="POST", status=400)),
    "webhook": ("platform", FaultRule("status", path=r"/webhooks/register$", status=400)),
}


@pytest.mark.parametrize("step", list(FAULTS))
async def test_fault_at_each_step_rolls_back(remotes: Remotes, store: Store, step: str) -> None:
    project_id = await add_project(store, remotes)
    where, rule = FAULTS[step]
    if where == "build":
        remotes.vercel.fail_next_build("Type error in app/page.tsx")
    elif where == "vercel":
        assert rule is not None
        remotes.vercel.faults.add(rule)
    else:
        assert rule is not None
        remotes.platform.faults.add(rule)
    service = remotes.service(store)
    events: list[ProgressEvent] = []
    try:
        with pytest.raises(PipelineFailed) as caught:
            await service.deploy(project_id, events.append)
    finally:
        await close(service)
    assert caught.value.step == step
    assert await vercel_projects(remotes) == []  # no orphan
    failed = [e for e in events if isinstance(e, StepFailed)]
    assert [e.step for e in failed] == [step]
    row = run_row(store, caught.value.run_id)
    assert row.status == "failed"
    assert any(entry["text"].startswith("failed:") for entry in row.log)
    with store.read() as session:
        project = session.get(Project, project_id)
        assert project is not None
        assert project.deployment_status == "failed"
    app = next(a for a in remotes.platform.builder_apps() if a.id == row.state["app_id"])
    assert app.deployment_status == "failed"
    assert [w for w in remotes.platform.webhooks() if w.app_id == app.id] == []


async def test_existing_vercel_project_is_never_deleted(remotes: Remotes, store: Store) -> None:
    project_id = await add_project(store, remotes)
    service = remotes.service(store)
    try:
        await service.vercel.create_project("acme-shop", git_repo="acme/acme-shop")
        remotes.vercel.fail_next_build()
        with pytest.raises(PipelineFailed) as caught:
            await service.deploy(project_id)
        assert await vercel_projects(remotes) == ["acme-shop"]
        # The rollback revoked the key and removed the webhook this run made on the
        # existing project: the retry makes them again; the project step stays done.
        events: list[ProgressEvent] = []
        await service.run(caught.value.run_id, events.append)
    finally:
        await close(service)
    started = [e.step for e in events if isinstance(e, StepStarted)]
    assert started == ["env", "webhook", "deploy", "build", "health", "record"]
    assert await vercel_projects(remotes) == ["acme-shop"]
    app_id = run_row(store, caught.value.run_id).state["app_id"]
    assert len(remotes.platform.api_keys(app_id)) == 1


async def test_failed_health_check_keeps_the_deployment_as_a_warning(
    remotes: Remotes, store: Store
) -> None:
    project_id = await add_project(store, remotes)
    unhealthy = FaultRule("status", path=r"^/_deployments/", status=503, times=None)
    remotes.vercel.faults.add(unhealthy)
    service = remotes.service(store)
    events: list[ProgressEvent] = []
    try:
        state = await service.deploy(project_id, events.append)
        run_id = next(e.run_id for e in events if isinstance(e, PipelineCompleted))
        assert run_row(store, run_id).status == "warning"
        # Kept: the project, its READY deployment, the app recorded as deployed.
        assert remotes.vercel_projects() == ["acme-shop"]
        assert remotes.vercel.deployment_view(state["deployment_id"]).state == "READY"
        app = next(a for a in remotes.platform.builder_apps() if a.id == state["app_id"])
        assert app.deployment_status == "deployed"
        with store.read() as session:
            row = session.get(Project, project_id)
            assert row is not None
            assert row.deployment_status == "warning"
        completed = events[-1]
        assert isinstance(completed, PipelineCompleted)
        assert completed.warning is not None
        assert "HTTP 503" in completed.warning
        # Checking again once the site answers ends the run well.
        remotes.vercel.faults.clear()
        again: list[ProgressEvent] = []
        await service.run(run_id, again.append)
    finally:
        await close(service)
    assert [e.step for e in again if isinstance(e, StepStarted)] == ["health", "record"]
    assert run_row(store, run_id).status == "succeeded"
    with store.read() as session:
        row = session.get(Project, project_id)
        assert row is not None
        assert row.deployment_status == "deployed"


async def test_rolling_back_a_warning_redeploy_restores_production(
    remotes: Remotes, store: Store
) -> None:
    project_id = await add_project(store, remotes)
    service = remotes.service(store)
    try:
        first = await service.deploy(project_id)
        remotes.vercel.fail_health_check("acme-shop", 503)
        run_id = service.start(project_id)
        second = await service.run(run_id)
        assert run_row(store, run_id).status == "warning"
        notes, _steps = await service.abandon(run_id)
    finally:
        await close(service)
    assert run_row(store, run_id).status == "abandoned"
    assert f"production serves {first['deployment_id']} again" in notes
    project = remotes.vercel.store.find_project("acme-shop")
    assert project is not None
    served = remotes.vercel.list_deployments(
        project="acme-shop", limit=5, until=None, since=None, target="production", states=None
    )[0]
    assert remotes.vercel_projects() == ["acme-shop"]  # existed before the run: kept
    assert second["deployment_id"] != first["deployment_id"]
    assert served  # the history keeps both deployments
    app = next(a for a in remotes.platform.builder_apps() if a.id == first["app_id"])
    assert app.deployment_status == "deployed"
    # The redeploy reused the app's credentials: still exactly one of each, live.
    assert [k.id for k in remotes.platform.api_keys(first["app_id"])] == [first["api_key_id"]]
    hooks = [w.id for w in remotes.platform.webhooks() if w.app_id == first["app_id"]]
    assert hooks == [first["webhook_id"]]


async def test_retry_after_rollback_redoes_undone_steps(remotes: Remotes, store: Store) -> None:
    project_id = await add_project(store, remotes)
    record_refused = FaultRule("status", path=r"/deployment$", method="POST", status=400)
    remotes.platform.faults.add(record_refused)
    service = remotes.service(store)
    events: list[ProgressEvent] = []
    try:
        with pytest.raises(PipelineFailed) as caught:
            await service.deploy(project_id)
        remotes.platform.faults.clear()
        await service.run(caught.value.run_id, events.append)
    finally:
        await close(service)
    started = [e.step for e in events if isinstance(e, StepStarted)]
    assert started[0] == "project"  # the project was deleted by the rollback
    assert await vercel_projects(remotes) == ["acme-shop"]
    assert run_row(store, caught.value.run_id).status == "succeeded"


async def test_cancel_during_build_rolls_back(remotes: Remotes, store: Store) -> None:
    project_id = await add_project(store, remotes)
    remotes.vercel.hang_next_build()
    service = remotes.service(store)
    building = asyncio.Event()

    def progress(event: ProgressEvent) -> None:
        if isinstance(event, StepProgress) and event.ready_state == "BUILDING":
            building.set()

    try:
        task = asyncio.ensure_future(service.deploy(project_id, progress))
        await asyncio.wait_for(building.wait(), 10)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        await close(service)
    assert task.cancelled()
    assert await vercel_projects(remotes) == []
    with store.read() as session:
        run = session.query(PipelineRun).one()
        assert run.status == "canceled"


async def test_build_timeout_cancels_and_fails(remotes: Remotes, store: Store) -> None:
    project_id = await add_project(store, remotes)
    remotes.vercel.hang_next_build()
    options = DeployOptions(poll_interval=0.05, build_timeout=1.0, health_attempts=1)
    service = remotes.service(store, options)
    try:
        with pytest.raises(PipelineFailed) as caught:
            await service.deploy(project_id)
    finally:
        await close(service)
    assert caught.value.step == "build"
    assert "did not finish" in caught.value.user_text()
    assert await vercel_projects(remotes) == []


async def test_resume_without_the_typed_env_values_fails_clearly(
    remotes: Remotes, store: Store
) -> None:
    project_id = await add_project(store, remotes)
    before = remotes.service(store)
    run_id = before.start(project_id, env=[EnvVarInput("STRIPE_SECRET_KEY", "sk_test_1")])
    await close(before)
    assert "sk_test_1" not in str(run_row(store, run_id).state)  # names only
    restarted = remotes.service(store)  # the values were only in the dead console's memory
    try:
        with pytest.raises(PipelineFailed) as caught:
            await restarted.run(run_id)
    finally:
        await close(restarted)
    assert caught.value.step == "env"
    assert "STRIPE_SECRET_KEY" in caught.value.user_text()
    assert remotes.vercel_projects() == []  # this run's project was rolled back
