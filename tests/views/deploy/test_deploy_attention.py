"""What a run leaves for a person: a deploy kept with a warning (check again, roll back)
and what a rollback could not remove (listed, cleaned up once the right is granted).

Real runs against the sandboxes; the sandboxes' state is asserted after each click.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from console.sandbox.faults import FaultRule
from console.sandbox.github import DEFAULT_SCOPES, GitHubSandbox
from console.services.clients import ClientsService
from console.services.deploy.ledger import Ledger, clean_up
from console.services.deploy.pipeline import PipelineFailed
from console.services.deploy.provisioning import NewClient
from console.store.db import Store
from console.store.models import Project
from console.views.clients.page import ClientsPage
from console.views.deploy.attention import AttentionRunsPanel, LeftBehindPanel
from console.views.models.runs import LeftColumn, RunColumn
from tests.services.deploy.conftest import Remotes, add_project
from tests.views.deploy.test_deploy_views import SHOTS, Wiring, finish, make_page

RunAsync = Callable[..., Any]
UNHEALTHY = FaultRule("status", path=r"^/_deployments/", status=503, times=None)


@pytest.fixture
def wiring(
    remotes: Remotes, store: Store, qloop: asyncio.AbstractEventLoop, run_async: RunAsync
) -> Iterator[Wiring]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    wired = Wiring(remotes, store)
    yield wired
    wired.bridge.detach()
    run_async(wired.aclose())


def test_a_deploy_kept_with_a_warning_offers_check_again_and_roll_back(
    qtbot: QtBot, remotes: Remotes, store: Store, wiring: Wiring, run_async: RunAsync
) -> None:
    run_async(add_project(store, remotes))
    page = make_page(qtbot, store, wiring)
    assert not page.attention.isVisibleTo(page)
    remotes.vercel.faults.add(FaultRule(**{**UNHEALTHY.__dict__, "hits": 0}))
    dialog = page.start_deploy()
    finish(qtbot, dialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: "kept with a warning" in dialog.result_label.text())
    assert "HTTP 503" in dialog.result_label.text()
    dialog.grab().save(str(SHOTS / "deploy_warning_dialog.png"))
    dialog.close()

    # The page offers what the run allows: the deployment is kept, not live.
    qtbot.waitUntil(lambda: page.attention.isVisibleTo(page))
    model = page.attention.model
    assert model.rowCount() == 1
    assert model.index(0, RunColumn.STATUS).data() == "Deployed, with a warning"
    assert "(warning)" in page.production_label.text()
    page.attention.table.selectRow(0)
    assert page.attention.run_button.text() == "Check again"
    page.grab().save(str(SHOTS / "deploy_warning_page.png"))
    assert remotes.vercel_projects() == ["acme-shop"]

    page.attention.roll_back_button.click()
    box = page.attention.confirm_box
    assert box is not None
    box.done(QMessageBox.StandardButton.Yes)
    qtbot.waitUntil(lambda: page.attention.roll_back_task.done(), timeout=20_000)
    # Rolled back for good: the project this first deploy made, its key and webhook.
    assert remotes.vercel_projects() == []
    app_id = app_of(store)
    assert remotes.platform.api_keys(app_id) == []
    assert [w for w in remotes.platform.webhooks() if w.app_id == app_id] == []
    qtbot.waitUntil(lambda: not page.attention.isVisibleTo(page))


def app_of(store: Store) -> str:
    with store.read() as session:
        project = session.query(Project).one()
        assert project.remote_id is not None
        return project.remote_id


def test_left_behind_repository_is_listed_and_cleaned_up_once_allowed(
    qtbot: QtBot,
    remotes: Remotes,
    store: Store,
    qloop: asyncio.AbstractEventLoop,
    run_async: RunAsync,
    tmp_path: Path,
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    github = GitHubSandbox(tmp_path / "github-no-delete")  # the token lacks delete_repo
    github.serve()
    service = remotes.provisioning(store, github)
    wiring = Wiring(remotes, store)
    remotes.vercel.faults.add(
        FaultRule("status", path=r"^/v11/projects$", method="POST", status=400)
    )
    try:
        with pytest.raises(PipelineFailed):
            run_async(service.provision(NewClient("Plastimed", "plastimed", "ops@p.test")))
        ledger = Ledger(store)
        clients = ClientsPage(
            ClientsService(store, service.platform), wiring.bridge, wiring.tasks, wiring.messages
        )
        qtbot.addWidget(clients)
        runs = AttentionRunsPanel(
            wiring.tasks,
            wiring.bridge,
            service.pipeline,
            title="Client provisioning that needs you",
        )
        left = LeftBehindPanel(
            wiring.tasks, wiring.bridge, ledger, lambda: clean_up(ledger, service.pipeline.remover)
        )
        clients.add_panel(runs)
        clients.add_panel(left)
        clients.resize(1100, 620)
        clients.show()
        assert runs.isVisibleTo(clients)
        assert runs.model.index(0, RunColumn.STATUS).data() == "Failed, rolled back"
        assert left.isVisibleTo(clients)
        what = left.model.index(0, LeftColumn.WHAT).data()
        assert what == "GitHub repository northwind-digital/plastimed-portal"
        assert "delete_repo scope" in left.model.index(0, LeftColumn.WHY).data()
        clients.grab().save(str(SHOTS / "clients_left_behind.png"))

        left.clean_up_button.click()  # the right is still missing
        qtbot.waitUntil(lambda: left.clean_up_task.done(), timeout=20_000)
        assert "still there" in left.result_label.text()
        assert github.state.find_repo("northwind-digital", "plastimed-portal") is not None

        github.add_token(github.token, scopes=(*DEFAULT_SCOPES, "delete_repo"))
        left.clean_up_button.click()
        qtbot.waitUntil(lambda: left.clean_up_task.done(), timeout=20_000)
        assert left.result_label.text() == "Cleaned up: 1 removed."
        assert github.state.find_repo("northwind-digital", "plastimed-portal") is None
        qtbot.waitUntil(lambda: not left.isVisibleTo(clients))
    finally:
        wiring.bridge.detach()
        run_async(wiring.aclose())
        run_async(service.github.aclose())
        run_async(service.deploy.vercel.aclose())
        run_async(service.deploy.platform.aclose())
        run_async(service.deploy.health_http.aclose())
        github.stop()
