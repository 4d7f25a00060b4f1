"""A new agency employee's first day, in one console process against the embedded sandboxes.

Import a v0 export with the platform down, fix it, publish it through the wizard,
come online and push, deploy, create a client with its portal, take over a live
conversation and hand it back, buy credits. Each step asserts what the user sees
and what the remote sandbox holds, and saves a screenshot (folder: $JOURNEY_SHOTS,
else the test's tmp_path).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWizard
from pytestqt.qtbot import QtBot

from console.app import build_shell, parse_args
from console.composition import Console, Tuning
from console.sandbox.embedded import EmbeddedSandbox
from console.sandbox.faults import FaultRule
from console.sandbox.stripe import StripeSandbox
from console.sandbox.vercel import BuildTiming, loopback_site_url
from console.services.credits import PurchaseResult
from console.services.deploy.deploy import DeployOptions
from console.services.publish import STEPS
from console.services.sync.apply import get_cursor
from console.services.sync.engine import EVENTS_CURSOR
from console.store.models import Project
from console.views.clients.page import ClientsPage
from console.views.conversations.page import ConversationsPage
from console.views.credits.page import CreditsPage
from console.views.deploy.new_client import NewClientDialog
from console.views.main_window import Section
from console.views.projects.detail import ProjectDetailView
from console.views.projects.dialogs import ImportDialog
from console.views.publish import PublishWizard
from tests.fakes.builds import FakeBuilder
from tests.views.projects.conftest import V0
from tests.views.publish.test_publish_wizard import click, go_next, retype

RunAsync = Callable[..., Any]
WAIT = 20_000

#: Sandbox builds and deploy polling in tenths of a second instead of the demo's
#: watchable ~12 s; the build check goes through the publish service's builder
#: seam (as the publish view tests do), since a real install and next build per
#: run would take minutes. The real build is covered by the slow tests.
FAST = Tuning(
    build_timing=BuildTiming(queued=0.15, initializing=0.15, building=0.3),
    deploy=DeployOptions(
        poll_interval=0.05, build_timeout=15.0, health_attempts=3, health_interval=0.1
    ),
    builder=FakeBuilder(),
)


class Shots:
    """One numbered screenshot of the whole window per step."""

    def __init__(self, folder: Path, console: Console) -> None:
        self.folder = folder
        self.console = console
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        QApplication.processEvents()
        assert self.console.window.grab().save(str(path)), path
        return path

    def widget(self, widget: Any, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        assert widget.grab().save(str(path)), path
        return path


class PayingBrowser(QObject):
    """Stands in for the web browser: opens the Stripe checkout and pays it."""

    def __init__(self, stripe: StripeSandbox) -> None:
        super().__init__()
        self.stripe = stripe
        self.urls: list[str] = []
        self.payments: list[asyncio.Future[Any]] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())
        if "/_checkout/" in url.path():
            session_id = url.path().rsplit("/", 1)[-1]
            self.payments.append(
                asyncio.ensure_future(asyncio.to_thread(self.stripe.complete_checkout, session_id))
            )


@pytest.fixture
def shots_dir(tmp_path: Path) -> Path:
    return Path(os.environ.get("JOURNEY_SHOTS") or tmp_path / "shots")


@pytest.fixture
def console(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_async: RunAsync,
) -> Iterator[Console]:
    # The build check's folders live in the build cache: keep them in tmp.
    monkeypatch.setenv("L4_BUILDCHECK_CACHE", str(tmp_path / "build-cache"))
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    options = parse_args(["--data-dir", str(data_dir), "--sandbox"])
    window, messages = build_shell(app, options.paths.ensure())
    made = Console(app, window, messages, options, tuning=FAST)
    qtbot.addWidget(window)
    window.resize(1280, 820)
    window.show()
    qtbot.waitExposed(window)
    yield made
    run_async(made.shutdown(), timeout=30)


def test_new_employee_journey(
    qtbot: QtBot, console: Console, run_async: RunAsync, shots_dir: Path
) -> None:
    shots = Shots(shots_dir, console)
    sandbox = _start_with_platform_down(qtbot, console, run_async)
    shots("offline-start")

    project_id = _import_offline(qtbot, console, sandbox, shots)
    _fix_compatibility(qtbot, console, shots)
    wizard = _publish_wizard_offline(qtbot, console, shots)
    app_id = _come_online_and_push(qtbot, console, sandbox, wizard, project_id, shots)
    _deploy(qtbot, console, sandbox, project_id, app_id, run_async, shots)
    _new_client(qtbot, console, sandbox, shots)
    _take_over_and_hand_back(qtbot, console, sandbox, shots)
    _buy_credits(qtbot, console, sandbox, shots)


# ------------------------------------------------------------------ steps


def _caught_up(qtbot: QtBot, console: Console, sandbox: EmbeddedSandbox) -> None:
    """Wait until the console has applied every platform change made so far.

    Change events carry the builder app as it was then: until the last one is
    applied, an older one can briefly undo the publish's repository link locally.
    """
    head = sandbox.platform.head()
    qtbot.waitUntil(
        lambda: int(get_cursor(console.store, EVENTS_CURSOR) or 0) >= head, timeout=WAIT
    )


def _start_with_platform_down(
    qtbot: QtBot, console: Console, run_async: RunAsync
) -> EmbeddedSandbox:
    async def start() -> EmbeddedSandbox:
        await console.start()
        assert console.embedded is not None
        # Down before the sync engine's first request: nothing ever reached it.
        console.embedded.platform.faults.add(FaultRule("status", status=503, times=None))
        return console.embedded

    sandbox: EmbeddedSandbox = run_async(start(), timeout=30)
    assert console.engine is not None
    engine = console.engine
    qtbot.waitUntil(lambda: engine.status.mode == "offline", timeout=WAIT)
    assert not console.online
    return sandbox


def _import_offline(qtbot: QtBot, console: Console, sandbox: EmbeddedSandbox, shots: Shots) -> int:
    before = {app.id for app in sandbox.platform.builder_apps()}
    window, page = console.window, console.projects_page
    window.show_section(Section.PROJECTS)
    click(qtbot, page.import_button)
    qtbot.waitUntil(lambda: isinstance(page.dialog, ImportDialog))
    dialog = page.dialog
    assert isinstance(dialog, ImportDialog)
    qtbot.keyClicks(dialog.source_edit, str(V0 / "booking-chat"))
    retype(qtbot, dialog.name_edit, "Studio booking")
    shots.widget(dialog, "import-dialog")
    with qtbot.waitSignal(page.detail.loaded, timeout=WAIT) as loaded:
        click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    project_id: int = loaded.args[0]
    qtbot.waitUntil(
        lambda: "Only on this computer" in page.detail.subtitle_label.text(), timeout=WAIT
    )
    shots("imported-offline")
    # The create waits in the outbox: the platform has not seen the app.
    assert console.engine is not None
    assert console.engine.status.pending >= 1
    assert {app.id for app in sandbox.platform.builder_apps()} == before
    assert not [a for a in sandbox.platform.builder_apps() if a.name == "Studio booking"]
    return project_id


def _fix_compatibility(qtbot: QtBot, console: Console, shots: Shots) -> None:
    """Import applied the v0 patches; turn one off and back on from the detail."""
    detail: ProjectDetailView = console.projects_page.detail
    detail.show_tab(detail.TAB_COMPAT)
    rules = detail.rules_model
    qtbot.waitUntil(lambda: rules.rowCount() > 0, timeout=WAIT)
    # A file only one rule changes, so turning that rule off restores it.
    changed_by: dict[str, list[int]] = {}
    for r in range(rules.rowCount()):
        for diff in rules.report(r).diffs:
            changed_by.setdefault(diff.path, []).append(r)
    path, (row,) = next((p, rows) for p, rows in changed_by.items() if len(rows) == 1)
    detail.rules_table.selectRow(row)
    assert detail.diff_view.toPlainText()
    shots("compatibility")

    def origin() -> Any:
        index = detail.files_model.index_of(path)
        return detail.files_model.index(index.row(), 1, index.parent()).data()

    assert origin() == "patched"
    rules.set_enabled(row, False)
    click(qtbot, detail.apply_button)
    qtbot.waitUntil(lambda: not rules.dirty and not rules.report(row).enabled, timeout=WAIT)
    qtbot.waitUntil(lambda: origin() != "patched", timeout=WAIT)
    rules.set_enabled(row, True)
    assert "not applied yet" in detail.compat_note.text()
    click(qtbot, detail.apply_button)
    qtbot.waitUntil(lambda: not rules.dirty and rules.report(row).enabled, timeout=WAIT)
    qtbot.waitUntil(lambda: origin() == "patched", timeout=WAIT)
    shots("compatibility-applied")


def _publish_wizard_offline(qtbot: QtBot, console: Console, shots: Shots) -> PublishWizard:
    detail = console.projects_page.detail
    click(qtbot, detail.publish_button)
    wizard = console.wizard
    assert wizard is not None
    qtbot.waitUntil(lambda: wizard.config is not None, timeout=WAIT)

    app = wizard.app_page
    retype(qtbot, app.repo_edit, "studio booking")
    assert "only letters, digits" in app.repo_error.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    retype(qtbot, app.repo_edit, "studio-booking")
    retype(qtbot, app.description_edit, "Reformer classes and a chat with the studio")
    shots.widget(wizard, "wizard-1-app")
    steps = 1
    while wizard.currentPage() is not wizard.review_page:
        go_next(qtbot, wizard)
        steps += 1
        shots.widget(wizard, f"wizard-{steps}")
    assert steps == 8
    review = wizard.review_page
    qtbot.waitUntil(lambda: review.review is not None, timeout=WAIT)
    assert "First publish" in review.summary_label.text()
    assert not review.push_button.isEnabled()
    assert "Run the build check on these files first" in review.push_hint.text()

    click(qtbot, review.check_panel.run_button)
    qtbot.waitUntil(lambda: "✓" in review.check_panel.state_label.text(), timeout=WAIT)
    assert "Compiled successfully" in review.check_panel.log.toPlainText()
    # Offline, the wizard also offers to publish once the platform is back.
    assert review.queue_button.isVisible()
    shots.widget(wizard, "wizard-check-offline")
    return wizard


def _come_online_and_push(
    qtbot: QtBot,
    console: Console,
    sandbox: EmbeddedSandbox,
    wizard: PublishWizard,
    project_id: int,
    shots: Shots,
) -> str:
    before = len(sandbox.platform.builder_apps())
    sandbox.platform.faults.clear()
    qtbot.waitUntil(lambda: console.online, timeout=WAIT)
    detail = console.projects_page.detail
    qtbot.waitUntil(
        lambda: "Up to date with the platform" in detail.subtitle_label.text(), timeout=WAIT
    )
    review = wizard.review_page
    # Synced now: the organization is on the Agency plan, not the free tier assumed
    # offline, so the badge comes off and the files changed: check them again.
    qtbot.waitUntil(
        lambda: wizard.app_page.plan_label.text().startswith("Agency plan"), timeout=WAIT
    )
    qtbot.waitUntil(lambda: not review.push_button.isEnabled(), timeout=WAIT)
    shots.widget(wizard, "wizard-online-plan-changed")
    click(qtbot, review.check_panel.run_button)
    qtbot.waitUntil(lambda: review.review is not None and review.review.check_matches, timeout=WAIT)
    qtbot.waitUntil(review.push_button.isEnabled, timeout=WAIT)
    shots.widget(wizard, "wizard-online")

    with qtbot.waitSignal(wizard.published, timeout=WAIT):
        click(qtbot, review.push_button)
        assert review.push_task is not None
    assert "✓ Published" in review.result_label.text()
    assert all(review.step_status(step) == "done" for step, _ in STEPS)
    shots.widget(wizard, "wizard-pushed")
    config = wizard.config
    assert config is not None
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))

    # GitHub holds exactly the files the wizard reviewed.
    login = sandbox.github.login
    expected = console.publish.build_files_blocking(project_id, config).files
    assert sandbox.github.files_at(login, "studio-booking") == expected
    assert "package.json" in expected
    # The builder app is on the platform exactly once, linked to the repository.
    mine = [a for a in sandbox.platform.builder_apps() if a.name == "Studio booking"]
    assert len(mine) == 1
    assert len(sandbox.platform.builder_apps()) == before + 1
    app = mine[0]
    assert app.repo_url is not None
    assert app.repo_url.endswith(f"/{login}/studio-booking")
    assert app.status == "published"
    with console.store.read() as session:
        row = session.get(Project, project_id)
        assert row is not None
        assert row.remote_id == app.id
    shots("published")
    return app.id


def _deploy(
    qtbot: QtBot,
    console: Console,
    sandbox: EmbeddedSandbox,
    project_id: int,
    app_id: str,
    run_async: RunAsync,
    shots: Shots,
) -> None:
    _caught_up(qtbot, console, sandbox)
    detail = console.projects_page.detail
    qtbot.waitUntil(detail.deploy_button.isEnabled, timeout=WAIT)
    click(qtbot, detail.deploy_button)
    assert console.window.current_section() is Section.DEPLOYMENTS
    page = console.deployments_page
    setup = page.setup_dialog
    assert setup is not None
    assert setup.isVisible()
    # It lists the variables the app needs; the required ones are typed in.
    qtbot.waitUntil(lambda: not setup.is_loading, timeout=WAIT)
    for name in setup.missing():
        retype(qtbot, setup.value_edits[name], f"journey-{name.lower()}")
    assert setup.deploy_button.isEnabled()
    shots.widget(setup, "deploy-setup")
    with qtbot.waitSignal(page.deploy_finished, timeout=WAIT) as finished:
        click(qtbot, setup.buttons.button(QDialogButtonBox.StandardButton.Ok))
    assert finished.args == [project_id, True]
    dialog = page.progress_dialog
    assert dialog is not None
    assert dialog.task is not None
    qtbot.waitUntil(dialog.task.done, timeout=WAIT)
    assert "[READY]" in dialog._state_labels["READY"].text()
    app = next(a for a in sandbox.platform.builder_apps() if a.id == app_id)
    assert app.production_url is not None
    assert app.deployment_status == "deployed"
    assert app.production_url.removeprefix("https://") in dialog.result_label.text()
    shots.widget(dialog, "deploy-ready")
    dialog.close()

    name = app.production_url.removeprefix("https://").split(".")[0]
    project = sandbox.vercel.store.find_project(name)
    assert project is not None
    _views, production = sandbox.vercel.project_views(project)
    assert production is not None
    assert production.state == "READY"

    production_url = app.production_url

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(timeout=5.0) as http:
            return await http.get(loopback_site_url(sandbox.vercel.base_url, production_url))

    assert run_async(fetch()).status_code == 200  # the healthy URL answers
    qtbot.waitUntil(lambda: page.model.rowCount() >= 1, timeout=WAIT)
    shots("deployments")


def _new_client(qtbot: QtBot, console: Console, sandbox: EmbeddedSandbox, shots: Shots) -> None:
    window = console.window
    window.show_section(Section.CLIENTS)
    page = window.page(Section.CLIENTS)
    assert isinstance(page, ClientsPage)
    before = {c.id for c in sandbox.platform.children()}
    click(qtbot, page.provision_button)
    qtbot.waitUntil(lambda: bool(window.findChildren(NewClientDialog)), timeout=WAIT)
    (dialog,) = window.findChildren(NewClientDialog)
    qtbot.keyClicks(dialog.name_edit, "Harbour Physio")
    assert dialog.slug_edit.text() == "harbour-physio"
    qtbot.keyClicks(dialog.email_edit, "front-desk@harbourphysio.test")
    shots.widget(dialog, "new-client")
    with qtbot.waitSignal(dialog.provisioning_finished, timeout=30_000) as done:
        click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    assert dialog.progress_dialog is not None
    assert done.args[1] is True, dialog.progress_dialog.result_label.text()
    progress = dialog.progress_dialog
    assert progress is not None
    assert all(progress.step_status(n) == "done" for n, _t in progress._steps)
    assert "harbour-physio-portal" in progress.result_label.text()
    shots.widget(progress, "new-client-done")
    progress.close()

    (child,) = [c for c in sandbox.platform.children() if c.id not in before]
    assert (child.slug, child.status) == ("harbour-physio", "active")
    assert sandbox.vercel.store.find_project("harbour-physio-portal") is not None
    assert "package.json" in sandbox.github.files_at(sandbox.github.login, "harbour-physio-portal")
    qtbot.waitUntil(lambda: page.model.rowCount() > len(before), timeout=WAIT)
    shots("clients")


def _take_over_and_hand_back(
    qtbot: QtBot, console: Console, sandbox: EmbeddedSandbox, shots: Shots
) -> None:
    window = console.window
    window.show_section(Section.CONVERSATIONS)
    page = window.page(Section.CONVERSATIONS)
    assert isinstance(page, ConversationsPage)
    platform = sandbox.platform
    session_id = next(
        c.id
        for c in platform.conversations(status="active")
        if c.handled_by is None and not c.handoff_requested and c.channel == "webchat"
    )
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() > 0, timeout=WAIT)
    page.open_session(session_id)
    assert page.label_pill.text() == "AI"
    click(qtbot, page.take_over_button)
    qtbot.waitUntil(lambda: page.label_pill.text() == "You", timeout=WAIT)
    assert platform.conversation(session_id).status == "handed_off"
    taken_at = len(platform.messages(session_id))

    reply = "Hi, this is the studio team. I'll book that class for you."
    page.composer.setFocus()
    qtbot.keyClicks(page.composer, reply)
    qtbot.keyClick(page.composer, Qt.Key.Key_Return)
    if page.held_bar.isVisible():  # the customer wrote while we typed
        click(qtbot, page.send_anyway_button)
    # Delivered at once: queuing the reply wakes the outbox, which otherwise
    # waits for its next round (5 s).
    qtbot.waitUntil(
        lambda: any(m.text == reply for m in platform.messages(session_id)), timeout=1500
    )
    for _ in range(3):  # the customer writes on; the agent stays silent
        assert platform.tick(session_id).turn.agent_message is None
    after = platform.messages(session_id)[taken_at:]
    assert [m.role for m in after if m.text == reply] == ["human"]
    assert {m.role for m in after} <= {"customer", "human"}
    qtbot.waitUntil(lambda: page.thread_model.messages()[-1].text == after[-1].text, timeout=WAIT)
    shots("conversation-taken-over")

    click(qtbot, page.hand_back_button)
    dialog = page.hand_back_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.reason_edit, "class booked")
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: page.label_pill.text() == "AI", timeout=WAIT)
    assert platform.conversation(session_id).status == "active"
    shots("conversation-handed-back")


def _buy_credits(qtbot: QtBot, console: Console, sandbox: EmbeddedSandbox, shots: Shots) -> None:
    browser = PayingBrowser(sandbox.stripe)
    # PySide6 takes the slot name as str at run time; its stubs say bytes.
    QDesktopServices.setUrlHandler("http", browser, "open")  # type: ignore[arg-type]
    try:
        window = console.window
        window.show_section(Section.CREDITS)
        page = window.page(Section.CREDITS)
        assert isinstance(page, CreditsPage)
        qtbot.waitUntil(lambda: page.pack_button(500) is not None, timeout=WAIT)
        before = sandbox.platform.balance()
        qtbot.waitUntil(lambda: page.total_label.text() == f"{before.total:,.0f}", timeout=WAIT)
        shots("credits-before")
        button = page.pack_button(500)
        assert button is not None
        with qtbot.waitSignal(page.purchase_finished, timeout=30_000) as finished:
            click(qtbot, button)
        result = finished.args[0]
        assert isinstance(result, PurchaseResult)
        assert len(browser.urls) == 1
        qtbot.waitUntil(browser.payments[0].done, timeout=WAIT)
        assert all(d.ok for d in browser.payments[0].result().deliveries)
        assert result.session.paid
        assert result.granted
        after = sandbox.platform.balance()
        assert after.purchased == pytest.approx(before.purchased + 500)
        qtbot.waitUntil(lambda: page.total_label.text() == f"{after.total:,.0f}", timeout=WAIT)
        assert "added" in page.checkout_label.text()
        shots("credits-after")
    finally:
        QDesktopServices.unsetUrlHandler("http")
