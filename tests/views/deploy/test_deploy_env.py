"""The deploy dialog asks for every variable the app needs, and refuses required ones empty.

A project whose publish draft signs users in with l4yercak3 OAuth (so the app
needs SESSION_SECRET) and whose own code checks MONGODB_URI when it loads,
deployed from the Deployments page against the Vercel and platform sandboxes.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from console.sandbox.vercel import loopback_site_url
from console.services.deploy.deploy import DeployService
from console.services.deploy.history import HistoryService
from console.services.projects import ProjectService
from console.services.publish import PublishService
from console.store.db import Store
from console.views.bridge import StoreBridge
from console.views.deploy.page import DeploymentsPage, DeploySetupDialog
from console.views.messages import MessageBridge
from console.views.tasks import TaskRunner
from tests.services.deploy.conftest import FAST_OPTIONS, Remotes
from tests.services.deploy.env_project import add_env_project

RunAsync = Any
SHOTS = Path("/tmp/shots")
SECRET = "s3ssion-" + "x" * 32
MONGO = "mongodb://shop:pa55@db.example.test/shop"


class Wired:
    """The Deployments page over a DeployService that knows drafts and compatibility reports."""

    def __init__(self, remotes: Remotes, store: Store, workspaces: Path) -> None:
        self.tasks = TaskRunner(MessageBridge())
        self.bridge = StoreBridge(store)
        self.deploy = DeployService(
            store,
            remotes.vercel_client(),
            remotes.platform_client(),
            httpx.AsyncClient(timeout=5.0),
            site_url=functools.partial(loopback_site_url, remotes.vercel.base_url),
            options=FAST_OPTIONS,
            drafts=PublishService(store, None),
            compat=ProjectService(store, workspace_root=workspaces),
        )
        self.history = HistoryService(
            store, remotes.vercel_client(), remotes.platform_client(), staff_name="Sam"
        )

    async def aclose(self) -> None:
        for client in (self.deploy.vercel, self.history.vercel):
            await client.aclose()
        for platform in (self.deploy.platform, self.history.platform):
            await platform.aclose()
        await self.deploy.health_http.aclose()


@pytest.fixture
def wired(
    remotes: Remotes,
    store: Store,
    tmp_path: Path,
    qloop: asyncio.AbstractEventLoop,
    run_async: RunAsync,
) -> Iterator[Wired]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    made = Wired(remotes, store, tmp_path / "workspaces")
    yield made
    made.bridge.detach()
    run_async(made.aclose())


@pytest.fixture
def project_id(remotes: Remotes, store: Store, tmp_path: Path, run_async: RunAsync) -> int:
    app_id = run_async(remotes.builder_app("Mongo Shop", ["forms"]))
    result: int = run_async(add_env_project(store, tmp_path / "export", app_id=app_id))
    return result


def open_setup(
    qtbot: QtBot, store: Store, wired: Wired
) -> tuple[DeploymentsPage, DeploySetupDialog]:
    page = DeploymentsPage(store, wired.bridge, wired.tasks, wired.deploy, wired.history)
    qtbot.addWidget(page)
    page.resize(1100, 620)
    page.show()
    qtbot.mouseClick(page.deploy_button, Qt.MouseButton.LeftButton)
    setup = page.setup_dialog
    assert setup is not None
    assert not setup.deploy_button.isEnabled()  # while it reads what the app needs
    with qtbot.waitSignal(setup.requirements_shown, timeout=10_000):
        pass
    return page, setup


def hints(dialog: DeploySetupDialog) -> str:
    return "\n".join(label.text() for label in dialog.findChildren(QLabel))


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    qtbot.keyClicks(edit, text)


def vercel_env(remotes: Remotes) -> dict[str, Any]:
    project = remotes.vercel.store.find_project("mongo-shop")
    assert project is not None
    return {e.key: e for e in remotes.vercel.store.list_envs(project.id)}


def test_deploy_dialog_asks_for_the_apps_variables_and_deploys_them(
    qtbot: QtBot, remotes: Remotes, store: Store, wired: Wired, project_id: int, tmp_path: Path
) -> None:
    page, setup = open_setup(qtbot, store, wired)
    edits = setup.value_edits
    assert list(edits) == ["SESSION_SECRET", "MONGODB_URI", "NEXT_PUBLIC_SITE_URL"]
    assert edits["SESSION_SECRET"].echoMode() is QLineEdit.EchoMode.Password
    assert edits["MONGODB_URI"].echoMode() is QLineEdit.EchoMode.Password
    assert edits["NEXT_PUBLIC_SITE_URL"].echoMode() is QLineEdit.EchoMode.Normal
    shown = hints(setup)
    assert "encrypts the session cookie · Needed by the generated app · required" in shown
    assert "Read by the project's code in lib/db.ts · required" in shown
    assert "Read by the project's code in app/page.tsx · optional" in shown
    # The console's own variables are never asked for.
    assert "L4YERCAK3_API_KEY" not in edits

    empty = "2 required variables are empty: SESSION_SECRET, MONGODB_URI"
    assert not setup.deploy_button.isEnabled()
    assert setup.missing_label.text() == empty
    assert setup.deploy_button.toolTip() == empty
    assert setup.override_box.isVisibleTo(setup)
    assert setup.override_box.text() == (
        "Deploy without SESSION_SECRET and MONGODB_URI (the app will fail where it reads them)"
    )
    setup.grab().save(str(SHOTS / "deploy_setup_required.png"))

    type_into(qtbot, edits["SESSION_SECRET"], SECRET)
    assert setup.missing_label.text() == "1 required variable is empty: MONGODB_URI"
    type_into(qtbot, edits["MONGODB_URI"], MONGO)
    assert setup.deploy_button.isEnabled()
    assert not setup.missing_label.isVisibleTo(setup)
    assert not setup.override_box.isVisibleTo(setup)
    setup.grab().save(str(SHOTS / "deploy_setup_filled.png"))
    with qtbot.waitSignal(page.deploy_finished, timeout=20_000) as finished:
        qtbot.mouseClick(setup.deploy_button, Qt.MouseButton.LeftButton)
    assert finished.args == [project_id, True]

    env = vercel_env(remotes)
    assert (env["SESSION_SECRET"].type, env["SESSION_SECRET"].value) == ("sensitive", SECRET)
    assert (env["MONGODB_URI"].type, env["MONGODB_URI"].value) == ("sensitive", MONGO)
    assert "NEXT_PUBLIC_SITE_URL" not in env  # optional, left empty
    assert "L4YERCAK3_APP_ID" in env  # the console still sets its own
    # Typed values went to Vercel only: not into the store.
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("console.sqlite3*"))
    assert SECRET.encode() not in stored
    assert MONGO.encode() not in stored

    # A redeploy: what Vercel holds counts as set, and empty fields keep it.
    assert page.progress_dialog is not None
    page.progress_dialog.close()
    _page, again = open_setup(qtbot, store, wired)
    assert again.deploy_button.isEnabled()
    assert again.value_edits["MONGODB_URI"].placeholderText() == (
        "Set on Vercel: leave empty to keep it"
    )
    assert not again.missing_label.isVisibleTo(again)


def test_deploy_without_a_required_variable_needs_the_override(
    qtbot: QtBot, remotes: Remotes, store: Store, wired: Wired, project_id: int
) -> None:
    page, setup = open_setup(qtbot, store, wired)
    edits = setup.value_edits
    type_into(qtbot, edits["SESSION_SECRET"], SECRET)
    assert not setup.deploy_button.isEnabled()
    assert setup.override_box.text() == (
        "Deploy without MONGODB_URI (the app will fail where it reads it)"
    )
    setup.override_box.click()
    assert setup.deploy_button.isEnabled()
    # The tick named MONGODB_URI only: emptying the secret takes it back.
    edits["SESSION_SECRET"].clear()
    assert not setup.override_box.isChecked()
    assert not setup.deploy_button.isEnabled()
    assert setup.missing_label.text() == (
        "2 required variables are empty: SESSION_SECRET, MONGODB_URI"
    )
    type_into(qtbot, edits["SESSION_SECRET"], SECRET)
    assert not setup.deploy_button.isEnabled()
    setup.override_box.click()
    setup.grab().save(str(SHOTS / "deploy_setup_override.png"))
    with qtbot.waitSignal(page.deploy_finished, timeout=20_000) as finished:
        qtbot.mouseClick(setup.deploy_button, Qt.MouseButton.LeftButton)
    assert finished.args == [project_id, True]

    env = vercel_env(remotes)
    assert env["SESSION_SECRET"].type == "sensitive"
    assert "MONGODB_URI" not in env
