"""In sandbox mode the links the console opens are the sandbox's loopback pages.

One console started with ``--sandbox``: a project published to the GitHub
sandbox (its builder app on the platform sandbox names the repository), its
repository link opened from the project detail, then deployed, and the
progress dialog's "Live at" link. Both must point at loopback and answer 200.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.app import build_shell, parse_args
from console.composition import Console, Tuning
from console.sandbox.vercel import BuildTiming
from console.services.deploy.deploy import DeployOptions
from console.services.sync.apply import get_cursor
from console.services.sync.engine import EVENTS_CURSOR
from console.store.models import Project

RunAsync = Callable[..., Any]
WAIT = 20_000
FAST = Tuning(
    build_timing=BuildTiming(queued=0.1, initializing=0.1, building=0.2),
    deploy=DeployOptions(
        poll_interval=0.05, build_timeout=15.0, health_attempts=3, health_interval=0.1
    ),
)


class Browser(QObject):
    """Stands in for the web browser: remembers what the console asked it to open."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


@pytest.fixture
def browser() -> Iterator[Browser]:
    opened = Browser()
    for scheme in ("http", "https"):
        QDesktopServices.setUrlHandler(scheme, opened, "open")  # type: ignore[arg-type]
    yield opened
    for scheme in ("http", "https"):
        QDesktopServices.unsetUrlHandler(scheme)


@pytest.fixture
def console(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, data_dir: Path, run_async: RunAsync
) -> Iterator[Console]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    options = parse_args(["--data-dir", str(data_dir), "--sandbox"])
    window, messages = build_shell(app, options.paths.ensure())
    made = Console(app, window, messages, options, tuning=FAST)
    qtbot.addWidget(window)
    window.show()
    run_async(made.start(), timeout=30)
    yield made
    run_async(made.shutdown(), timeout=30)


def fetch(run_async: RunAsync, url: str) -> httpx.Response:
    async def get() -> httpx.Response:
        async with httpx.AsyncClient(timeout=10.0) as http:
            return await http.get(url)

    response: httpx.Response = run_async(get())
    return response


def test_sandbox_links_open_local_pages(
    qtbot: QtBot, console: Console, browser: Browser, run_async: RunAsync
) -> None:
    sandbox = console.embedded
    remotes = console.remotes
    assert sandbox is not None
    assert remotes is not None
    github, login = sandbox.github, sandbox.github.login
    github.create_repo(login, "links-shop", private=True, auto_init=True)
    github.commit_on_remote(login, "links-shop", {"app/page.tsx": "export {}\n"}, "Add the app")
    repo_url = f"{github.web_url}/{login}/links-shop"  # the html_url a publish records

    async def publish() -> str:
        app = await remotes.platform.create_builder_app(name="Links Shop", categories=["forms"])
        await remotes.platform.update_builder_app(app.id, status="published", repo_url=repo_url)
        return app.id

    app_id = run_async(publish())

    def synced() -> int | None:
        with console.store.read() as session:
            for row in session.query(Project).filter(Project.remote_id == app_id):
                if row.repo_url == repo_url:
                    return row.id
        return None

    # Every change event applied: an older one would briefly drop the repository link.
    head = sandbox.platform.head()
    qtbot.waitUntil(
        lambda: int(get_cursor(console.store, EVENTS_CURSOR) or 0) >= head, timeout=WAIT
    )
    project_id = synced()
    assert project_id is not None

    # The repository, from the project detail: the button and the link.
    page = console.projects_page
    detail = page.detail
    with qtbot.waitSignal(detail.loaded, timeout=WAIT):
        page.open_project(project_id)
    qtbot.waitUntil(detail.repo_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(detail.repo_button, Qt.MouseButton.LeftButton)
    browse = f"{github.web_url}/_browse/{login}/links-shop"
    assert browser.urls == [browse]
    link = detail.overview_values["repo"]
    (href,) = re.findall(r'href="([^"]+)"', link.text())
    link.linkActivated.emit(href)
    assert browser.urls == [browse, browse]
    shown = fetch(run_async, browse)
    assert shown.status_code == 200
    assert "Add the app" in shown.text
    assert "page.tsx" in shown.text

    # Deploy it: "Live at" links to where the Vercel sandbox serves the site.
    qtbot.waitUntil(detail.deploy_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(detail.deploy_button, Qt.MouseButton.LeftButton)
    setup = console.deployments_page.setup_dialog
    assert setup is not None
    qtbot.waitUntil(lambda: not setup.is_loading, timeout=WAIT)
    assert setup.deploy_button.isEnabled()
    with qtbot.waitSignal(console.deployments_page.deploy_finished, timeout=WAIT) as finished:
        qtbot.mouseClick(setup.deploy_button, Qt.MouseButton.LeftButton)
    assert finished.args == [project_id, True]
    progress = console.deployments_page.progress_dialog
    assert progress is not None
    result = progress.result_label.text()
    assert ">https://links-shop.vercel.app<" in result  # the URL as it is in production
    (live,) = re.findall(r"href='([^']+)'", result)
    assert live == f"{sandbox.vercel.base_url}/_deployments/links-shop.vercel.app/"
    site = fetch(run_async, live)
    assert site.status_code == 200
    assert "links-shop" in site.text
    # The page's production link too (once the platform's copy caught up).
    production = console.deployments_page.production_label
    qtbot.waitUntil(lambda: f"href='{live}'" in production.text(), timeout=WAIT)
