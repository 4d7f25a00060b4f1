"""Deployment history against the sandboxes: every page, every log line, pinned production.

What the page says is checked against what the Vercel sandbox saw and holds.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.sandbox.vercel.regions import REGION_NAMES
from console.services.deploy.history import PINNED_TEXT, production_pin
from console.services.vercel.models import GitSource
from console.store.db import Store
from console.store.models import DeploymentEvent, PipelineRun
from console.views.deploy.page import DeploymentsPage
from tests.services.deploy.conftest import Remotes, add_project
from tests.views.deploy.test_deploy_views import Wiring, finish, make_page

RunAsync = Any
SHOTS = Path("/tmp/shots")


@pytest.fixture
def wired(
    remotes: Remotes, store: Store, qloop: asyncio.AbstractEventLoop, run_async: RunAsync
) -> Iterator[Wiring]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    wiring = Wiring(remotes, store)
    yield wiring
    wiring.bridge.detach()
    run_async(wiring.aclose())


def select_row(page: DeploymentsPage, deployment_id: str) -> None:
    row = page.model.row_of(deployment_id)
    assert row >= 0
    page.table.selectRow(page.proxy.mapFromSource(page.model.index(row, 0)).row())


def vercel_production(remotes: Remotes) -> tuple[str | None, bool]:
    """What the Vercel sandbox serves in production, and whether new deployments take over."""
    project = remotes.vercel.store.find_project("acme-shop")
    assert project is not None
    _views, production = remotes.vercel.project_views(project)
    return (None if production is None else production.row.id), project.auto_assign


def test_rollback_pins_production_says_so_and_resumes(
    qtbot: QtBot, remotes: Remotes, store: Store, wired: Wiring, run_async: RunAsync
) -> None:
    project_id = run_async(add_project(store, remotes))
    first = run_async(wired.deploy.deploy(project_id))["deployment_id"]
    second = run_async(wired.deploy.deploy(project_id))["deployment_id"]
    page = make_page(qtbot, store, wired)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert not page.pinned.isVisible()

    select_row(page, first)
    page.rollback_button.click()
    box = page.findChild(QMessageBox)
    assert box is not None
    assert "pins production" in box.text()
    assert "Resume automatic production" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: page.rollback_task.done(), timeout=10_000)
    assert page.rollback_task.exception() is None
    assert vercel_production(remotes) == (first, False)
    qtbot.waitUntil(page.pinned.isVisible)
    assert page.pinned_label.text().startswith(f"Production is pinned to {first} (")
    assert "new deployments will not go live automatically" in page.pinned_label.text()
    assert page.pinned_label.text().endswith("1 newer ready deployment is not live.")
    assert page.notice_label.text() == f"Production now serves {first}."
    assert page.model.item(page.model.row_of(first)).production
    assert page.model.data(page.model.index(page.model.row_of(first), 0)).endswith(
        "(production, pinned)"
    )

    pin = production_pin(store, project_id)
    assert pin is not None
    assert pin.deployment_id == first
    with store.read() as session:
        notes = session.scalars(
            select(DeploymentEvent.text).where(
                DeploymentEvent.deployment_id == first, DeploymentEvent.kind == "pinned"
            )
        ).all()
    assert notes == [PINNED_TEXT]

    # A deploy while pinned builds, but production stays where it was pinned.
    third = run_async(wired.deploy.deploy(project_id))["deployment_id"]
    assert vercel_production(remotes) == (first, False)
    page.refresh_button.click()
    qtbot.waitUntil(lambda: "2 newer ready deployments are not live" in page.pinned_label.text())
    assert not page.model.item(page.model.row_of(third)).production
    page.grab().save(str(SHOTS / "deploy_pinned.png"))

    start = len(remotes.vercel.recorder.exchanges)
    page.resume_production_button.click()
    qtbot.waitUntil(lambda: page.resume_production_task.done(), timeout=10_000)
    assert page.resume_production_task.exception() is None
    seen = [(e.method, e.path) for e in remotes.vercel.recorder.exchanges[start:]]
    project = remotes.vercel.store.find_project("acme-shop")
    assert project is not None
    assert ("POST", f"/v1/projects/{project.id}/unpause") in seen
    assert vercel_production(remotes) == (first, True)
    qtbot.waitUntil(lambda: not page.pinned.isVisible())
    assert page.notice_label.text() == (
        "Automatic production resumed: the next production deployment goes live when it is "
        f"ready; production serves {first} until then."
    )
    page.grab().save(str(SHOTS / "deploy_resumed.png"))

    fourth = run_async(wired.deploy.deploy(project_id))["deployment_id"]
    assert vercel_production(remotes) == (fourth, True)
    qtbot.waitUntil(lambda: page.model.row_of(fourth) >= 0)
    qtbot.waitUntil(lambda: page.model.item(page.model.row_of(fourth)).production)
    assert second != fourth
    assert remotes.check_vercel_contract() > 10


def test_redeploy_while_pinned_is_ready_but_says_production_stays(
    qtbot: QtBot, remotes: Remotes, store: Store, wired: Wiring, run_async: RunAsync
) -> None:
    project_id = run_async(add_project(store, remotes))
    first = run_async(wired.deploy.deploy(project_id))["deployment_id"]
    run_async(wired.deploy.deploy(project_id))
    # Rolled back on Vercel itself: the console does not know production is pinned.
    vercel_project = remotes.vercel.store.find_project("acme-shop")
    assert vercel_project is not None
    remotes.vercel.promote(vercel_project.id, first)
    assert vercel_production(remotes) == (first, False)
    page = make_page(qtbot, store, wired)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert not page.pinned.isVisible()

    start = len(remotes.vercel.recorder.exchanges)
    with qtbot.waitSignal(page.deploy_finished, timeout=20_000) as finished:
        page.redeploy_button.click()
    assert finished.args == [project_id, True]
    dialog = page.progress_dialog
    finish(qtbot, dialog)
    assert dialog is not None
    with store.read() as session:
        run = session.scalars(select(PipelineRun).order_by(PipelineRun.id.desc())).first()
        assert run is not None
        assert run.status == "succeeded"
        third, host = run.state["deployment_id"], run.state["deployment_url"]
    assert all(dialog.step_status(n) == "done" for n, _t in dialog._steps)
    assert dialog.result_label.text() == (
        f"⚠ Built and ready at https://{host}, but production stays on the pinned deployment "
        f"{first}; resume automatic production and deploy again, or promote this one"
    )
    assert "Live at" not in dialog.result_label.text()
    log = dialog.log_view.toPlainText()
    assert f"Production is pinned to {first}: checking https://{host}" in log
    assert f"production stays on {first}" in log
    qtbot.wait(100)  # let the layout take the wrapped text's height before the screenshot
    dialog.grab().save(str(SHOTS / "deploy_while_pinned_dialog.png"))
    dialog.close()

    # Vercel: the new deployment is READY, production stays pinned to the first one; the
    # health check asked the new deployment's own URL, never the production alias.
    assert remotes.vercel.deployment_view(third).state == "READY"
    assert vercel_production(remotes) == (first, False)
    sites = [
        e.path
        for e in remotes.vercel.recorder.exchanges[start:]
        if e.path.startswith("/_deployments/")
    ]
    assert sites
    assert all(p.startswith(f"/_deployments/{host}/") for p in sites)
    # The page reads the pin from Vercel and offers the way back.
    qtbot.waitUntil(page.pinned.isVisible, timeout=10_000)
    assert page.pinned_label.text().startswith(f"Production is pinned to {first} (")
    assert page.pinned_label.text().endswith("2 newer ready deployments are not live.")
    assert page.resume_production_button.isEnabled()
    qtbot.waitUntil(lambda: page.model.row_of(third) >= 0)
    assert not page.model.item(page.model.row_of(third)).production
    assert "(deployed)" in page.production_label.text()
    qtbot.wait(100)
    page.grab().save(str(SHOTS / "deploy_while_pinned_page.png"))

    page.resume_production_button.click()
    qtbot.waitUntil(lambda: page.resume_production_task.done(), timeout=10_000)
    assert page.resume_production_task.exception() is None
    assert vercel_production(remotes) == (first, True)
    qtbot.waitUntil(lambda: not page.pinned.isVisible())
    # ... and promoting this one puts it live.
    select_row(page, third)
    page.rollback_button.click()
    box = page.findChild(QMessageBox)
    assert box is not None
    assert "keep going live automatically" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: page.rollback_task.done(), timeout=10_000)
    assert page.rollback_task.exception() is None
    assert vercel_production(remotes) == (third, True)
    qtbot.waitUntil(lambda: page.model.item(page.model.row_of(third)).production)
    assert remotes.check_vercel_contract() > 10


def test_history_shows_every_page(
    qtbot: QtBot, remotes: Remotes, store: Store, wired: Wiring, run_async: RunAsync
) -> None:
    project_id = run_async(add_project(store, remotes))
    run_async(wired.deploy.deploy(project_id))
    vercel = remotes.vercel_client()
    git = GitSource(org="acme", repo="acme-shop", ref="main")

    async def many() -> None:
        try:
            for _ in range(130):
                await vercel.create_deployment("acme-shop", project="acme-shop", git_source=git)
        finally:
            await vercel.aclose()

    run_async(many())
    page = make_page(qtbot, store, wired)
    start = len(remotes.vercel.recorder.exchanges)
    page.refresh_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 131, timeout=15_000)
    pages = [e for e in remotes.vercel.recorder.exchanges[start:] if e.path == "/v6/deployments"]
    assert [p.query["limit"] for p in pages] == [["100"], ["100"]]
    assert "until" not in pages[0].query
    assert "until" in pages[1].query
    assert remotes.check_vercel_contract() > 10


def test_build_log_shows_every_line(
    qtbot: QtBot, remotes: Remotes, store: Store, wired: Wiring, run_async: RunAsync
) -> None:
    remotes.vercel.simulation_notice = "\n".join(f"notice {n}" for n in range(260))
    project_id = run_async(add_project(store, remotes))
    deployment = run_async(wired.deploy.deploy(project_id))["deployment_id"]
    page = make_page(qtbot, store, wired)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    select_row(page, deployment)
    start = len(remotes.vercel.recorder.exchanges)
    page.logs_button.click()
    dialog = page.logs_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.fetch_task.done, timeout=10_000)
    _row, every = remotes.vercel.events(deployment)
    assert len(every) > 260
    shown = dialog.text.toPlainText().splitlines()
    assert shown == [f"[{e.type}] {e.text}" for e in every]
    reads = [e for e in remotes.vercel.recorder.exchanges[start:] if e.path.endswith("/events")]
    assert reads
    assert all("limit" in e.query for e in reads)


def test_region_chosen_is_the_region_used(
    qtbot: QtBot, remotes: Remotes, store: Store, wired: Wiring, run_async: RunAsync
) -> None:
    project_id = run_async(add_project(store, remotes))
    page = make_page(qtbot, store, wired)
    page.deploy_button.click()
    setup = page.setup_dialog
    assert setup is not None
    qtbot.waitUntil(lambda: not setup.is_loading)
    setup.region_combo.setCurrentIndex(setup.region_combo.findData("cdg1"))
    with qtbot.waitSignal(page.deploy_finished, timeout=20_000) as finished:
        setup.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert finished.args == [project_id, True]
    dialog = page.progress_dialog
    finish(qtbot, dialog)
    assert dialog is not None
    where = f"Running build in {REGION_NAMES['cdg1']} \u2013 cdg1"
    assert where in dialog.log_view.toPlainText()

    # Where Vercel keeps and runs it, and what it reports back to the console.
    project = remotes.vercel.store.find_project("acme-shop")
    assert project is not None
    assert project.region == "cdg1"
    vercel = remotes.vercel_client()

    async def reported() -> tuple[str, ...]:
        try:
            return (await vercel.get_project("acme-shop")).regions
        finally:
            await vercel.aclose()

    assert run_async(reported()) == ("cdg1",)
    created = [
        json.loads(e.response_body)
        for e in remotes.vercel.recorder.exchanges
        if (e.method, e.path) == ("POST", "/v13/deployments")
    ]
    assert [(d["createdIn"], d["regions"]) for d in created] == [("cdg1", ["cdg1"])]

    # A redeploy keeps the project's region.
    with qtbot.waitSignal(page.deploy_finished, timeout=20_000):
        page.redeploy_button.click()
    assert [d.region for d in remotes.vercel.store.list_deployments(project.id)] == ["cdg1"] * 2
    assert remotes.check_vercel_contract() > 10
