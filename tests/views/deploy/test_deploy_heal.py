"""Repairing a failed deploy from the progress dialog, against the sandboxes.

The Vercel sandbox here simulates builds (`fail_next_build` makes one fail with
a chosen error); the fix's build check uses the fake builder, so a repair
takes well under a second. Real builds: tests/services/deploy/test_heal_slow.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.sandbox.faults import FaultRule
from console.sandbox.github import GitHubSandbox
from console.services.buildcheck.problems import BuildProblem
from console.services.deploy.heal import DeployHealer
from console.services.github.client import GitHubClient
from console.services.projects import ProjectService
from console.services.publish import PublishService
from console.services.scaffold import Category, PublishConfig
from console.store.db import Store
from console.store.models import Deployment
from console.views.deploy.page import DeploymentsPage
from console.views.deploy.progress import DeployProgressDialog
from console.views.projects.patch import PatchDialog
from tests.fakes.builds import FakeBuilder
from tests.services.deploy.conftest import Remotes, fast_policy
from tests.services.deploy.heal_project import import_helpdesk, mark_published
from tests.views.deploy.test_deploy_views import SHOTS, Wiring, wiring

__all__ = ["wiring"]

RunAsync = Callable[..., Any]
#: What lib/mongodb.ts throws while `next build` collects the page data of /api/users.
MONGO_ERROR = 'Error: Invalid/Missing environment variable: "MONGODB_URI"'
TYPE_ERROR = BuildProblem(
    "type-error",
    "Type error: Type 'string' is not assignable to type 'number'.",
    "build",
    file="app/page.tsx",
    line=2,
)


@dataclass
class Helpdesk:
    """The published helpdesk, the services a repair uses, and the remotes it touches."""

    project_id: int
    owner: str
    first_sha: str
    builder: FakeBuilder
    healer: DeployHealer
    github: GitHubSandbox


@pytest.fixture
def helpdesk(
    tmp_path: Path,
    store: Store,
    remotes: Remotes,
    github: GitHubSandbox,
    run_async: RunAsync,
) -> Iterator[Helpdesk]:
    """Imported with the env rule off, pushed without a passing check, linked on Vercel."""
    projects = ProjectService(store, workspace_root=tmp_path / "work")
    builder = FakeBuilder()  # every check passes unless a test says otherwise
    client = GitHubClient(github.base_url, github.token, policy=fast_policy(), timeout=10.0)
    publish = PublishService(store, client, builder=builder, remedies=projects)
    project_id = run_async(import_helpdesk(projects, tmp_path))
    config = PublishConfig(app_name="Helpdesk", repo_name="helpdesk", categories=(Category.FORMS,))
    pushed = run_async(publish.publish(project_id, config, override_check=True))
    mark_published(store, project_id, run_async(remotes.builder_app("Helpdesk", ["forms"])))
    owner = github.state.login
    # The agency linked the repository on Vercel before: a failed deploy keeps its deployment.
    remotes.vercel.create_project(
        {"name": "helpdesk", "gitRepository": {"type": "github", "repo": f"{owner}/helpdesk"}}
    )
    yield Helpdesk(
        project_id, owner, pushed.sha, builder, DeployHealer(store, projects, publish), github
    )
    run_async(client.aclose())


def make_page(qtbot: QtBot, store: Store, wiring: Wiring, healer: DeployHealer) -> DeploymentsPage:
    page = DeploymentsPage(
        store, wiring.bridge, wiring.tasks, wiring.deploy, wiring.history, healer=healer
    )
    qtbot.addWidget(page)
    page.show()
    return page


def failed_deploy(qtbot: QtBot, page: DeploymentsPage) -> DeployProgressDialog:
    """Deploy the page's project; wait until the build failed and its log was read."""
    with qtbot.waitSignal(page.deploy_finished, timeout=20_000) as finished:
        dialog = page.start_deploy()
    assert finished.args[1] is False
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.diagnose_task is not None and dialog.diagnose_task.done())
    return dialog


def test_failed_build_is_fixed_published_and_deployed_again(
    qtbot: QtBot, store: Store, remotes: Remotes, wiring: Wiring, helpdesk: Helpdesk
) -> None:
    page = make_page(qtbot, store, wiring, helpdesk.healer)
    remotes.vercel.fail_next_build(MONGO_ERROR)
    dialog = failed_deploy(qtbot, page)

    assert dialog.step_status("build") == "failed"
    assert dialog.repair_box.isVisible()
    assert dialog.problem_label.text() == f"First error: {MONGO_ERROR}"
    assert "checks MONGODB_URI while `next build` loads it" in dialog.advice_label.text()
    assert dialog.remedy_label.text().startswith(
        "Fix with “Environment variables at build time”: The build failed:"
    )
    assert dialog.fix_button.isDefault()
    assert dialog.retry_button.isVisible()
    dialog.grab().save(str(SHOTS / "deploy_repair.png"))

    dialog.patch_button.click()
    patch = dialog.findChild(PatchDialog)
    assert patch is not None
    assert patch.isVisible()
    diff = patch.view.toPlainText()
    assert "+++ b/lib/mongodb.ts" in diff
    assert "MONGODB_URI" in diff
    patch.close()

    with qtbot.waitSignal(dialog.run_finished, timeout=20_000) as redeployed:
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # the fix is the default button
    assert redeployed.args == [True]
    repair = dialog.repair_task
    assert repair is not None
    assert repair.result().ok
    assert not dialog.repair_box.isVisible()
    assert "Live at" in dialog.result_label.text()
    dialog.grab().save(str(SHOTS / "deploy_repaired.png"))
    log = dialog.log_view.toPlainText()
    assert "── Fix: Environment variables at build time." in log
    assert "$ Push one commit" in log

    # GitHub holds one new commit: the checked files, with the placeholder.
    owner = helpdesk.owner
    head = helpdesk.github.head(owner, "helpdesk")
    assert head is not None
    assert head != helpdesk.first_sha
    pushed = helpdesk.github.files_at(owner, "helpdesk")
    module = pushed["lib/mongodb.ts"].decode()
    assert "MONGODB_URI" in module.split("console env-checks", 1)[1]
    assert helpdesk.builder.calls[-1].files == pushed
    # Vercel holds the failed deployment and a second one of main (the new commit), READY.
    project = remotes.vercel.store.find_project("helpdesk")
    assert project is not None
    views, production = remotes.vercel.project_views(project)
    assert [v.state for v in views] == ["READY", "ERROR"]
    assert production is not None
    assert production.row.id == views[0].row.id
    assert views[0].row.meta["githubCommitRef"] == "main"
    assert views[0].row.created_at > views[1].row.created_at
    with store.read() as session:
        states = sorted(session.scalars(select(Deployment.state)))
    assert states == ["ERROR", "READY"]


def test_a_fix_that_leaves_another_error_says_it_plainly(
    qtbot: QtBot, store: Store, remotes: Remotes, wiring: Wiring, helpdesk: Helpdesk
) -> None:
    helpdesk.builder.results = (TYPE_ERROR,)
    page = make_page(qtbot, store, wiring, helpdesk.healer)
    remotes.vercel.fail_next_build(MONGO_ERROR)
    dialog = failed_deploy(qtbot, page)

    with qtbot.waitSignal(dialog.repair_shown, timeout=20_000):
        dialog.fix_button.click()
    repair = dialog.repair_task
    assert repair is not None
    assert not repair.result().ok
    assert dialog.problem_label.text() == f"First error: {TYPE_ERROR.headline()}"
    assert dialog.repair_status.text() == (
        "✗ The build check still fails after the fix, so nothing was published."
    )
    assert dialog.log_view.textCursor().selectedText().endswith(TYPE_ERROR.message)
    assert dialog.remedy_label.text().startswith("No compatibility rule fixes this one")
    assert not dialog.fix_button.isVisibleTo(dialog)
    assert not dialog.fix_button.isDefault()
    assert dialog.retry_button.isVisible()
    dialog.grab().save(str(SHOTS / "deploy_repair_still_failing.png"))
    # Nothing was pushed and nothing deployed again.
    assert helpdesk.github.head(helpdesk.owner, "helpdesk") == helpdesk.first_sha
    project = remotes.vercel.store.find_project("helpdesk")
    assert project is not None
    assert [v.state for v in remotes.vercel.project_views(project)[0]] == ["ERROR"]


def test_no_repair_without_a_healer_or_a_failed_build(
    qtbot: QtBot, store: Store, remotes: Remotes, wiring: Wiring, helpdesk: Helpdesk
) -> None:
    remotes.vercel.fail_next_build(MONGO_ERROR)
    plain = DeploymentsPage(store, wiring.bridge, wiring.tasks, wiring.deploy, wiring.history)
    qtbot.addWidget(plain)
    with qtbot.waitSignal(plain.deploy_finished, timeout=20_000):
        dialog = plain.start_deploy()
    assert dialog is not None
    assert dialog.step_status("build") == "failed"
    assert dialog.diagnose_task is None
    assert not dialog.repair_box.isVisibleTo(dialog)
    dialog.close()

    # Vercel refuses the next deployment: no build ran, so the failed one above is not the cause.
    remotes.vercel.faults.add(
        FaultRule("status", path=r"^/v13/deployments$", method="POST", status=400)
    )
    page = make_page(qtbot, store, wiring, helpdesk.healer)
    with qtbot.waitSignal(page.deploy_finished, timeout=20_000):
        dialog = page.start_deploy()
    assert dialog is not None
    assert dialog.step_status("deploy") == "failed"
    assert dialog.diagnose_task is None
    assert not dialog.repair_box.isVisibleTo(dialog)
