"""The Deployments page and the progress dialog, driving real deploys against the sandboxes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from console.sandbox.faults import FaultRule
from console.sandbox.github import GitHubSandbox
from console.services.deploy.deploy import DeployService
from console.services.deploy.domains import DomainService
from console.services.deploy.events import StepFailed, StepFinished, StepProgress, StepStarted
from console.services.deploy.history import HistoryService
from console.services.deploy.provisioning import NewClient
from console.services.vercel.models import EnvVarInput
from console.store.db import Store
from console.store.models import Project
from console.views.bridge import StoreBridge
from console.views.deploy.new_client import NewClientDialog, resume_interrupted_clients
from console.views.deploy.page import DeploymentsPage, DeploySetupDialog, deploy_steps
from console.views.deploy.progress import DeployProgressDialog
from console.views.messages import MessageBridge
from console.views.models.deployments import Column, DeploymentsTableModel, Role, load_deployments
from console.views.tasks import TaskRunner
from tests.services.deploy.conftest import Remotes, add_project

RunAsync = Callable[..., Any]
SHOTS = Path("/tmp/shots")


class Wiring:
    def __init__(self, remotes: Remotes, store: Store) -> None:
        self.messages = MessageBridge()
        self.tasks = TaskRunner(self.messages)
        self.bridge = StoreBridge(store)
        self.deploy: DeployService = remotes.service(store)
        self.history = HistoryService(
            store, remotes.vercel_client(), remotes.platform_client(), staff_name="Sam Operator"
        )
        self.domains = DomainService(
            store,
            remotes.vercel_client(),
            remotes.platform_client(),
            health_http=self.deploy.health_http,
            site_url=self.deploy.site_url,
        )

    async def aclose(self) -> None:
        for client in (self.deploy.vercel, self.deploy.platform):
            await client.aclose()
        await self.history.vercel.aclose()
        await self.history.platform.aclose()
        await self.domains.vercel.aclose()
        await self.domains.platform.aclose()
        await self.deploy.health_http.aclose()


@pytest.fixture
def wiring(
    remotes: Remotes, store: Store, qloop: asyncio.AbstractEventLoop, run_async: RunAsync
) -> Iterator[Wiring]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    wired = Wiring(remotes, store)
    yield wired
    wired.bridge.detach()
    run_async(wired.aclose())


def make_page(qtbot: QtBot, store: Store, wiring: Wiring) -> DeploymentsPage:
    page = DeploymentsPage(
        store,
        wiring.bridge,
        wiring.tasks,
        wiring.deploy,
        wiring.history,
        domains=wiring.domains,
        domain_poll_interval=0.1,
    )
    qtbot.addWidget(page)
    page.resize(1100, 620)
    page.show()
    return page


def finish(qtbot: QtBot, dialog: DeployProgressDialog | None, timeout: int = 20_000) -> None:
    assert dialog is not None
    assert dialog.task is not None
    task = dialog.task
    qtbot.waitUntil(task.done, timeout=timeout)


def test_deploy_end_to_end_from_the_page(
    qtbot: QtBot, remotes: Remotes, store: Store, wiring: Wiring, run_async: RunAsync
) -> None:
    project_id = run_async(add_project(store, remotes))
    page = make_page(qtbot, store, wiring)
    assert page.project_id() == project_id
    assert page.history_stack.currentWidget() is page.empty
    assert page.empty.title_label.text() == "Acme Shop: no deployments"

    page.deploy_button.click()
    setup = page.setup_dialog
    assert setup is not None
    assert setup.project_edit.text() == "acme-shop"
    assert not setup.deploy_button.isEnabled()  # until it knows what the app needs
    qtbot.waitUntil(lambda: not setup.is_loading)
    assert setup.deploy_button.isEnabled()
    assert "needs no variables" in setup.requirements_label.text()
    setup.region_combo.setCurrentIndex(setup.region_combo.findData("fra1"))
    setup.add_variable("NEXT_PUBLIC_BRAND", "acme", preview=False)
    setup.add_variable("STRIPE_SECRET_KEY", "sk_test_123")
    sensitive = setup.env_table.cellWidget(1, 4)
    assert isinstance(sensitive, QCheckBox)
    sensitive.click()
    assert [(v.key, v.type, v.target) for v in setup.collect()] == [
        ("NEXT_PUBLIC_BRAND", "encrypted", ("production",)),
        ("STRIPE_SECRET_KEY", "sensitive", ("production", "preview")),
    ]
    with qtbot.waitSignal(page.deploy_finished, timeout=20_000) as finished:
        setup.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert finished.args == [project_id, True]
    dialog = page.progress_dialog
    finish(qtbot, dialog)
    assert dialog is not None
    assert all(dialog.step_status(n) == "done" for n, _t in dialog._steps)
    assert "acme-shop.vercel.app" in dialog.result_label.text()
    assert "[READY]" in dialog._state_labels["READY"].text()
    assert "next build" in dialog.log_view.toPlainText()
    dialog.grab().save(str(SHOTS / "deploy_progress.png"))
    qtbot.waitUntil(lambda: page.history_stack.currentWidget() is page.table)

    # What each remote holds afterwards.
    project = remotes.vercel.store.find_project("acme-shop")
    assert project is not None
    assert project.link is not None
    (create,) = [
        json.loads(ex.request_body)
        for ex in remotes.vercel.recorder.exchanges
        if ex.method == "POST" and ex.path == "/v11/projects"
    ]
    assert create["serverlessFunctionRegion"] == "fra1"
    assert create["gitRepository"] == {"type": "github", "repo": "acme/acme-shop"}
    envs = {e.key: e.type for e in remotes.vercel.store.list_envs(project.id)}
    assert envs["L4YERCAK3_API_KEY"] == "sensitive"
    assert envs["STRIPE_SECRET_KEY"] == "sensitive"
    assert envs["NEXT_PUBLIC_BRAND"] == "encrypted"
    _views, production = remotes.vercel.project_views(project)
    assert production is not None
    assert production.state == "READY"
    with store.read() as session:
        row = session.get(Project, project_id)
        assert row is not None
        app_id = row.remote_id
    app = next(a for a in remotes.platform.builder_apps() if a.id == app_id)
    assert app.production_url == "https://acme-shop.vercel.app"
    assert app.deployment_status == "deployed"
    assert len([w for w in remotes.platform.webhooks() if w.app_id == app_id]) == 1
    assert remotes.check_vercel_contract() > 10

    # History: a redeploy and a failed build, then the table and a rollback.
    with qtbot.waitSignal(page.deploy_finished, timeout=20_000):
        page.redeploy_button.click()
    remotes.vercel.fail_next_build("Type error: Property 'title' does not exist on type '{}'.")
    with qtbot.waitSignal(page.deploy_finished, timeout=20_000) as failed:
        page.redeploy_button.click()
    assert failed.args == [project_id, False]
    assert page.progress_dialog is not None
    assert page.progress_dialog.retry_button.isVisibleTo(page.progress_dialog)
    page.progress_dialog.close()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    states = sorted(page.model.item(r).state for r in range(3))
    assert states == ["ERROR", "READY", "READY"]

    oldest = max(range(3), key=lambda r: -page.model.item(r).created_at.timestamp())
    first = page.model.item(oldest).id
    page.table.selectRow(page.proxy.mapFromSource(page.model.index(oldest, 0)).row())
    selected = page.selected()
    assert selected is not None
    assert selected.id == first
    assert page.rollback_button.isEnabled()
    page.rollback_button.click()
    box = page.findChild(QMessageBox)
    assert box is not None
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: page.rollback_task.done(), timeout=10_000)
    assert page.rollback_task.exception() is None
    qtbot.waitUntil(lambda: page.model.item(page.model.row_of(first)).production)
    project = remotes.vercel.store.find_project("acme-shop")  # re-read: promoted now
    assert project is not None
    _views, production = remotes.vercel.project_views(project)
    assert production is not None
    assert production.row.id == first
    # Custom domains: records shown, verification polled.
    panel = page.domains_panel
    assert panel is not None
    qtbot.waitUntil(lambda: "5 custom domains" in panel.allowance_label.text())
    qtbot.keyClicks(panel.domain_edit, "shop.acme.test")
    panel.add_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
    domain = panel.model.item(0)
    assert not domain.verified
    assert "CNAME shop.acme.test" in domain.records_text
    assert "TXT" in domain.records_text
    qtbot.waitUntil(lambda: "shop.acme.test" in panel.polls)
    qtbot.waitUntil(lambda: "1 of 5 custom domains" in panel.allowance_label.text())
    assert panel.model.item(0).status == "Waiting for DNS / SSL"
    page.grab().save(str(SHOTS / "deploy_history.png"))
    remotes.vercel.mark_domain_verified("shop.acme.test")
    qtbot.waitUntil(lambda: panel.model.item(0).verified, timeout=10_000)
    qtbot.waitUntil(lambda: panel.polls == {})  # the poll ends once it saw the domain verified
    assert panel.model.item(0).status == "Active: verified, HTTPS answers"

    page.logs_button.click()
    logs = page.logs_dialog
    assert logs is not None
    qtbot.waitUntil(lambda: logs.fetch_task.done(), timeout=10_000)
    assert "promoted" in logs.text.toPlainText()
    assert "next build" in logs.text.toPlainText()
    logs.close()

    # Remove the domain: gone from Vercel and from the table.
    panel.table.selectRow(0)
    assert panel.remove_button.isEnabled()
    panel.remove_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=10_000)
    assert panel.remove_task.exception() is None
    assert remotes.vercel.list_domains("acme-shop") == []
    qtbot.waitUntil(lambda: "0 of 5 custom domains" in panel.allowance_label.text())
    assert remotes.check_vercel_contract() > 10


def test_cancel_from_the_dialog_rolls_back(
    qtbot: QtBot, remotes: Remotes, store: Store, wiring: Wiring, run_async: RunAsync
) -> None:
    run_async(add_project(store, remotes))
    remotes.vercel.hang_next_build()
    page = make_page(qtbot, store, wiring)
    dialog = page.start_deploy()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.step_status("build") == "running", timeout=10_000)
    qtbot.waitUntil(lambda: "[BUILDING]" in dialog._state_labels["BUILDING"].text())
    qtbot.waitUntil(lambda: "next build" in dialog.log_view.toPlainText(), timeout=5_000)
    dialog.grab().save(str(SHOTS / "deploy_progress_building.png"))
    with qtbot.waitSignal(dialog.run_finished, timeout=10_000) as ended:
        dialog.cancel_button.click()
    assert ended.args == [False]
    assert dialog.task is not None
    assert dialog.task.cancelled()
    assert "Canceled" in dialog.result_label.text()
    assert remotes.vercel_projects() == []
    dialog.close()


def test_dialog_renders_only_from_events(qtbot: QtBot, wiring: Wiring) -> None:
    dialog = DeployProgressDialog(wiring.tasks, "Deploying", [("a", "Step A"), ("b", "Step B")])
    qtbot.addWidget(dialog)
    dialog.handle(StepStarted("a", "Step A", 0, 2))
    assert dialog.step_status("a") == "running"
    assert dialog.step_label.text() == "Step 1 of 2: Step A"
    dialog.handle(StepProgress("a", "x", ready_state="BUILDING", log_line="npm run build"))
    assert "npm run build" in dialog.log_view.toPlainText()
    dialog.handle(StepFinished("a"))
    dialog.handle(StepStarted("b", "Step B", 1, 2))
    dialog.handle(StepFailed("b", "boom", ("deleted Vercel project x",), ("a",)))
    assert dialog.step_status("a") == "undone"
    assert dialog.step_status("b") == "failed"
    assert "boom" in dialog.result_label.text()


def test_dialog_shows_the_warning_a_run_ends_with(
    qtbot: QtBot, remotes: Remotes, store: Store, wiring: Wiring, run_async: RunAsync
) -> None:
    project_id = run_async(add_project(store, remotes))
    remotes.vercel.faults.add(FaultRule("status", path=r"^/_deployments/", status=503, times=None))
    dialog = DeployProgressDialog(wiring.tasks, "Deploying Acme Shop", deploy_steps(wiring.deploy))
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.run_finished, timeout=20_000) as ended:
        dialog.start(lambda progress: wiring.deploy.deploy(project_id, progress))
    assert ended.args == [True]
    finish(qtbot, dialog)
    assert dialog.result_label.text() == (
        "⚠ Health check failed: https://acme-shop.vercel.app is not healthy: HTTP 503"
    )
    assert "Live at" not in dialog.result_label.text()
    assert dialog.step_status("record") == "done"
    # Kept on Vercel, READY; the project is marked warning.
    (deployment,) = remotes.vercel.list_deployments(
        project="acme-shop", limit=5, until=None, since=None, target="production", states=None
    )[0]
    assert deployment.state == "READY"
    with store.read() as session:
        row = session.get(Project, project_id)
        assert row is not None
        assert row.deployment_status == "warning"


def test_model_contract(qtmodeltester: Any, remotes: Remotes, store: Store) -> None:
    model = DeploymentsTableModel()
    model.set_rows(load_deployments(store, 1))
    assert model.rowCount() == 0
    qtmodeltester.check(model)
    assert model.headerData(int(Column.COMMIT), _horizontal()) == "Commit"
    assert int(Role.SORT) > int(Role.OBJECT)


def _horizontal() -> Any:
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def test_deploy_setup_dialog_ignores_incomplete_rows(qtbot: QtBot) -> None:
    dialog = DeploySetupDialog("Acme")
    qtbot.addWidget(dialog)
    dialog.add_variable("", "value")
    dialog.add_variable("ONLY_PREVIEW", "v", production=False, preview=True)
    dialog.add_variable("NOWHERE", "v", production=False, preview=False)
    assert dialog.collect() == [EnvVarInput("ONLY_PREVIEW", "v", target=("preview",))]


def test_new_client_dialog_provisions_with_step_log(
    qtbot: QtBot,
    remotes: Remotes,
    store: Store,
    github: GitHubSandbox,
    wiring: Wiring,
    run_async: RunAsync,
) -> None:
    provisioning = remotes.provisioning(store, github)
    dialog = NewClientDialog(wiring.tasks, provisioning)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name_edit, "Plastimed Clinics")
    assert dialog.slug_edit.text() == "plastimed-clinics"
    dialog.email_edit.setText("not-an-email")
    create = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    create.click()
    assert "email" in dialog.error_label.text()
    assert all(c.slug != "plastimed-clinics" for c in remotes.platform.children())
    dialog.email_edit.setText("ops@plastimed.test")
    dialog.color_edit.setText("#0E7490")
    with qtbot.waitSignal(dialog.provisioning_finished, timeout=30_000) as done:
        create.click()
    assert done.args[1] is True
    progress = dialog.progress_dialog
    assert progress is not None
    assert [progress.step_status(n) for n, _t in progress._steps] == ["done"] * 8
    assert "plastimed-clinics-portal.vercel.app" in progress.result_label.text()
    progress.grab().save(str(SHOTS / "provisioning_progress.png"))
    child = next(c for c in remotes.platform.children() if c.slug == "plastimed-clinics")
    assert child.status == "active"
    assert remotes.vercel_projects() == ["plastimed-clinics-portal"]
    run_async(provisioning.github.aclose())


def test_new_client_dialog_resumes_an_unfinished_run(
    qtbot: QtBot,
    remotes: Remotes,
    store: Store,
    github: GitHubSandbox,
    wiring: Wiring,
    run_async: RunAsync,
) -> None:
    provisioning = remotes.provisioning(store, github)
    run_id = provisioning.start(NewClient("Acme", "acme", "ops@acme.test"))  # then "killed"
    assert provisioning.unfinished() == [run_id]
    (dialog,) = resume_interrupted_clients(wiring.tasks, provisioning)  # the start-up call
    qtbot.addWidget(dialog)
    assert dialog.progress_dialog is not None
    with qtbot.waitSignal(dialog.provisioning_finished, timeout=30_000) as done:
        pass
    assert done.args == [run_id, True]
    assert [dialog.progress_dialog.step_status(n) for n, _t in dialog.progress_dialog._steps] == [
        "done"
    ] * 8
    assert provisioning.unfinished() == []
    assert remotes.vercel_projects() == ["acme-portal"]
    run_async(provisioning.github.aclose())


def test_interrupted_deploy_banner_rolls_back(
    qtbot: QtBot, remotes: Remotes, store: Store, wiring: Wiring, run_async: RunAsync
) -> None:
    project_id = run_async(add_project(store, remotes))
    run_id = wiring.deploy.start(project_id)  # as if the console died before running it
    page = make_page(qtbot, store, wiring)
    assert page.interrupted.isVisible()
    assert "interrupted" in page.interrupted_label.text()
    page.abandon_button.click()
    qtbot.waitUntil(lambda: page.abandon_task.done(), timeout=10_000)
    assert not page.interrupted.isVisible()
    assert wiring.deploy.pipeline.load(run_id).status == "abandoned"  # given up for good
    assert remotes.vercel_projects() == []


def test_open_deploy_from_projects_page_signal(
    qtbot: QtBot, remotes: Remotes, store: Store, wiring: Wiring, run_async: RunAsync
) -> None:
    published = run_async(add_project(store, remotes, "Acme Shop"))
    other = run_async(add_project(store, remotes, "Beta Blog"))
    with store.write() as tx:
        draft = Project(name="Draft", slug="draft", status="draft", categories=[])
        tx.session.add(draft)
        tx.session.flush()
        draft_id = draft.id
    page = make_page(qtbot, store, wiring)
    assert page.open_deploy(draft_id) is None
    assert "not published" in page.production_label.text()
    dialog = page.open_deploy(other)
    assert dialog is not None
    assert page.project_id() == other
    assert dialog.project_edit.text() == "beta-blog"
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert page.progress_dialog is None  # canceled: nothing started
    assert wiring.deploy.unfinished() == []
    assert published != other


def test_custom_domains_are_tier_gated(
    qtbot: QtBot, remotes: Remotes, store: Store, wiring: Wiring, run_async: RunAsync
) -> None:
    run_async(add_project(store, remotes))
    remotes.platform.set_tier("pro")
    page = make_page(qtbot, store, wiring)
    panel = page.domains_panel
    assert panel is not None
    qtbot.waitUntil(lambda: "Agency" in panel.allowance_label.text(), timeout=10_000)
    assert not panel.add_button.isEnabled()
