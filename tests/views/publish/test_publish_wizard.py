"""The publish wizard driven like a user: typing, clicks, a push into the GitHub sandbox."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLineEdit, QWidget, QWizard
from pytestqt.qtbot import QtBot

from console import resources
from console.sandbox.faults import FaultRule
from console.sandbox.github import GitHubSandbox
from console.services.buildcheck.problems import BuildProblem
from console.services.github.client import GitHubClient
from console.services.http import RetryPolicy
from console.services.publish import KIND_PUBLISH, STEPS, CustomEnvVar, PublishService
from console.services.scaffold import (
    Architecture,
    AuthProvider,
    Backend,
    Category,
    Payments,
    PublishConfig,
)
from console.services.sync.outbox import OutboxProcessor
from console.store.db import Store
from console.store.models import Organization, OutboxEntry
from console.views.messages import MessageBridge
from console.views.publish import PublishWizard
from console.views.publish.models import EnvColumn, FileColumn
from console.views.tasks import TaskRunner
from tests.contract_check import check_all
from tests.fakes.builds import FakeBuilder
from tests.services.publish.support import LOGIN, V0_FILES, add_project, padding_to

LEFT = Qt.MouseButton.LeftButton
WAIT = 15_000
#: Set to a folder to save screenshots of the pages while the tests drive them.
SHOTS = os.environ.get("PUBLISH_WIZARD_SHOTS")
#: Where the deploy and plan views' screenshots go (looked at by hand).
DEPLOY_SHOTS = Path("/tmp/shots")

DRAFT = PublishConfig(
    app_name="Flower Shop",
    repo_name="flower-shop",
    description="Bouquets to order",
    categories=(Category.PRODUCTS, Category.FORMS),
    org_id="org_agency",
)


# ------------------------------------------------------------------ helpers


def shot(widget: QWidget, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.setStyleSheet(resources.stylesheet(dark=False))  # as the app shows it
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    """Click where a user would: on the indicator of a check or radio box."""
    assert button.isVisible(), button.text()
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, LEFT, pos=QPoint(8, button.height() // 2))


def retype(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def editor_of(view: QAbstractItemView, index: QModelIndex) -> QLineEdit:
    """The open editor of a cell (the one the user types into)."""
    editor = view.indexWidget(index)
    assert isinstance(editor, QLineEdit)
    return editor


def close_editor(qtbot: QtBot, editor: QLineEdit) -> None:
    """Enter, as a user ends an edit; the view deletes the editor in the event loop."""
    with qtbot.waitSignal(editor.destroyed, timeout=WAIT):
        qtbot.keyClick(editor, Qt.Key.Key_Return)


def next_button(wizard: PublishWizard) -> QAbstractButton:
    return wizard.button(QWizard.WizardButton.NextButton)


def go_next(qtbot: QtBot, wizard: PublishWizard) -> None:
    before = wizard.currentId()
    click(qtbot, next_button(wizard))
    assert wizard.currentId() == before + 1


def open_wizard(
    qtbot: QtBot, service: PublishService, tasks: TaskRunner, messages: MessageBridge, pid: int
) -> PublishWizard:
    wizard = PublishWizard(service, tasks, messages, pid)
    qtbot.addWidget(wizard)
    with qtbot.waitSignal(wizard.draft_loaded, timeout=WAIT):
        wizard.show()
    return wizard


def to_review(qtbot: QtBot, wizard: PublishWizard) -> None:
    """Go to the review step and wait for the file list of the current choices."""
    shown = wizard.review_page.review
    while wizard.currentPage() is not wizard.review_page:
        go_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.review_page.review not in (None, shown), timeout=WAIT)


def run_checks(qtbot: QtBot, wizard: PublishWizard) -> None:
    """Run the build check and wait until the review knows it passed for these files."""
    page = wizard.review_page
    click(qtbot, page.check_panel.run_button)
    qtbot.waitUntil(lambda: "✓" in page.check_panel.state_label.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: page.review is not None and page.review.check_matches, timeout=WAIT)


def push(qtbot: QtBot, wizard: PublishWizard) -> None:
    page = wizard.review_page
    click(qtbot, page.push_button)
    assert page.push_task is not None
    qtbot.waitUntil(page.push_task.done, timeout=WAIT)


def clone(sandbox: GitHubSandbox, name: str, dest: Path) -> dict[str, bytes]:
    """Check the pushed repository out like a user would, and read its files."""
    subprocess.run(
        ["git", "clone", "--quiet", str(sandbox.repo_path(LOGIN, name)), str(dest)],
        check=True,
        capture_output=True,
    )
    return {
        path.relative_to(dest).as_posix(): path.read_bytes()
        for path in dest.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(dest).parts
    }


# ------------------------------------------------------------------ the whole way


def test_wizard_drives_a_200_file_push_into_the_sandbox(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    sandbox: GitHubSandbox,
    service: PublishService,
    github: GitHubClient,
    tasks: TaskRunner,
    messages: MessageBridge,
    builder: FakeBuilder,
    tmp_path: Path,
) -> None:
    final = DRAFT.with_changes(
        repo_name="flower-shop-web",
        categories=tuple(Category),
        architecture=Architecture.FULL_STACK,
        backend=Backend.SUPABASE,
        auth=AuthProvider.SUPABASE_AUTH,
        payments=Payments.BOTH,
    )
    pid = add_project(store, padding_to(final, 200))
    wizard = open_wizard(qtbot, service, tasks, messages, pid)
    assert wizard.config == DRAFT

    # 1. App info: a name GitHub refuses is explained while typing and blocks Next.
    app = wizard.app_page
    retype(qtbot, app.repo_edit, "flower shop")
    assert "only letters, digits" in app.repo_error.text()
    assert not next_button(wizard).isEnabled()
    shot(wizard, "1-app-info-invalid")
    retype(qtbot, app.repo_edit, "flower-shop-web")
    assert app.repo_error.text() == ""
    go_next(qtbot, wizard)

    # 2. Capabilities: prefilled from detection, the rest ticked by hand.
    caps = wizard.capabilities_page
    assert caps.boxes[Category.PRODUCTS].isChecked()
    assert "(detected)" in caps.boxes[Category.FORMS].text()
    assert "(detected)" not in caps.boxes[Category.EVENTS].text()
    for box in caps.boxes.values():
        if not box.isChecked():
            click(qtbot, box)
    shot(wizard, "2-capabilities")
    go_next(qtbot, wizard)

    # 3-6. Conflicting choices are named on the step that can fix them.
    click(qtbot, wizard.architecture_page.buttons["full_stack"])
    go_next(qtbot, wizard)
    backend = wizard.backend_page
    assert "Full stack means an own database" in backend.problem_label.text()
    assert not next_button(wizard).isEnabled()
    click(qtbot, backend.buttons["convex"])
    assert next_button(wizard).isEnabled()
    go_next(qtbot, wizard)
    auth = wizard.auth_page
    click(qtbot, auth.buttons["supabase_auth"])
    assert "Supabase Auth needs the Supabase backend" in auth.problem_label.text()
    assert not next_button(wizard).isEnabled()
    click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    click(qtbot, backend.buttons["supabase"])
    go_next(qtbot, wizard)
    assert auth.problem_label.text() == ""
    go_next(qtbot, wizard)
    click(qtbot, wizard.payments_page.buttons["both"])
    go_next(qtbot, wizard)

    # 7. Environment: the scaffold's variables, and one of our own typed in place.
    env = wizard.env_page
    names = [
        env.scaffold_model.index(r, EnvColumn.NAME).data()
        for r in range(env.scaffold_model.rowCount())
    ]
    assert "NEXT_PUBLIC_SUPABASE_ANON_KEY" in names
    assert "SUPABASE_SERVICE_ROLE_KEY" in names
    click(qtbot, env.add_button)
    editor = editor_of(env.custom_view, env.custom_model.index(0, EnvColumn.NAME))
    qtbot.keyClicks(editor, "shop api")
    assert "“shop api” is not a valid name" in env.problem_label.text()
    assert not next_button(wizard).isEnabled()
    retype(qtbot, editor, "SUPABASE_SERVICE_ROLE_KEY")
    assert "already set by the scaffold" in env.problem_label.text()
    retype(qtbot, editor, "SHOP_API_URL")
    close_editor(qtbot, editor)
    assert env.problem_label.text() == ""
    description = env.custom_view.visualRect(env.custom_model.index(0, EnvColumn.DESCRIPTION))
    qtbot.mouseClick(env.custom_view.viewport(), LEFT, pos=description.center())
    editor = editor_of(env.custom_view, env.custom_model.index(0, EnvColumn.DESCRIPTION))
    qtbot.keyClicks(editor, "Where the shop API lives")
    close_editor(qtbot, editor)
    secret = env.custom_view.visualRect(env.custom_model.index(0, EnvColumn.SECRET))
    qtbot.mouseClick(env.custom_view.viewport(), LEFT, pos=secret.center())
    qtbot.keyClick(env.custom_view, Qt.Key.Key_Space)
    added = CustomEnvVar("SHOP_API_URL", "Where the shop API lives", True)
    assert env.extra_env() == (added,)
    shot(wizard, "7-environment")

    # 8. Review: every file, with its diff; the push waits for the build check.
    go_next(qtbot, wizard)
    page = wizard.review_page
    qtbot.waitUntil(lambda: page.review is not None, timeout=WAIT)
    assert wizard.config == final
    assert page.files_model.rowCount() == 200
    assert (
        "200 files: 108 from the project, 92 added by the integration" in page.summary_label.text()
    )
    assert "First publish: 200 added" in page.summary_label.text()
    assert service.load_draft_blocking(pid).extra_env == (added,)
    row = page.files_model.row_of(".env.example")
    page.files_view.scrollTo(page.files_model.index(row, FileColumn.PATH))
    cell = page.files_view.visualRect(page.files_model.index(row, FileColumn.PATH))
    qtbot.mouseClick(page.files_view.viewport(), LEFT, pos=cell.center())
    assert "+SHOP_API_URL=" in page.diff_view.toPlainText()
    assert page.diff_title.text().startswith(".env.example: added; added by the l4yercak3")
    assert not page.push_button.isEnabled()
    assert "Run the build check on these files first" in page.push_hint.text()

    run_checks(qtbot, wizard)
    log = page.check_panel.log.toPlainText()
    assert "$ Install dependencies" in log
    assert "Compiled successfully" in log
    assert builder.calls[0].files == page.review.files  # type: ignore[union-attr]
    shot(wizard, "8-review")

    with qtbot.waitSignal(wizard.published, timeout=WAIT) as published:
        push(qtbot, wizard)
    result = published.args[0]
    assert "✓ Published 200 files" in page.result_label.text()
    assert all(page.step_status(step) == "done" for step, _ in STEPS)
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    shot(wizard, "8-review-pushed")

    # The repository on "GitHub" holds exactly the file set, in one commit.
    expected = service.build_files_blocking(pid, final).files
    assert clone(sandbox, "flower-shop-web", tmp_path / "checkout") == expected
    assert b"SHOP_API_URL=" in expected[".env.example"]
    assert sandbox.commit_count(LOGIN, "flower-shop-web") == 2  # GitHub's auto-init + ours
    exchanges = sandbox.recorder.exchanges
    calls = [f"{e.method} {e.path}" for e in exchanges]
    assert calls[:2] == [
        "POST /user/repos",
        f"GET /repos/{LOGIN}/flower-shop-web/git/ref/heads/main",
    ]
    # The head create_repo just read is the parent: the push itself is tree, commit, ref.
    push_calls = calls[2:]
    assert push_calls == [
        f"POST /repos/{LOGIN}/flower-shop-web/git/trees",
        f"POST /repos/{LOGIN}/flower-shop-web/git/commits",
        f"PATCH /repos/{LOGIN}/flower-shop-web/git/refs/heads/main",
    ]
    assert result.requests == 3
    assert check_all("github", exchanges) == len(exchanges) == 5


# ------------------------------------------------------------------ validation while typing


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("my shop", "only letters, digits"),
        ("shop/web", "only letters, digits"),
        ("", "Give the repository a name"),
        ("x" * 101, "at most 100 characters"),
        ("shop.git", "cannot end in '.git'"),
        ("..", "not valid repository names"),
    ],
)
def test_invalid_repo_names_explained_and_kept_in_the_draft(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    service: PublishService,
    tasks: TaskRunner,
    messages: MessageBridge,
    name: str,
    message: str,
) -> None:
    pid = add_project(store)
    wizard = open_wizard(qtbot, service, tasks, messages, pid)
    with qtbot.waitSignal(wizard.draft_saved, timeout=WAIT):
        retype(qtbot, wizard.app_page.repo_edit, name)
    assert message in wizard.app_page.repo_error.text()
    assert not next_button(wizard).isEnabled()
    # Nothing typed is lost: the invalid name is in the stored draft.
    assert service.load_draft_blocking(pid).config.repo_name == name


def test_conflicting_choices_block_their_step(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    service: PublishService,
    tasks: TaskRunner,
    messages: MessageBridge,
) -> None:
    pid = add_project(store)
    wizard = open_wizard(qtbot, service, tasks, messages, pid)
    go_next(qtbot, wizard)
    go_next(qtbot, wizard)
    go_next(qtbot, wizard)  # thin client: a backend makes no sense
    click(qtbot, wizard.backend_page.buttons["neon_drizzle"])
    assert "A thin client keeps all data in l4yercak3" in wizard.backend_page.problem_label.text()
    assert not next_button(wizard).isEnabled()
    click(qtbot, wizard.backend_page.buttons["none"])
    go_next(qtbot, wizard)
    go_next(qtbot, wizard)
    click(qtbot, wizard.payments_page.buttons["invoicing"])
    assert "add the Invoices category" in wizard.payments_page.problem_label.text()
    assert not next_button(wizard).isEnabled()
    shot(wizard, "6-payments-conflict")


# ------------------------------------------------------------------ build check


def test_failed_build_check_names_the_first_error_and_blocks_push_until_override(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    sandbox: GitHubSandbox,
    service: PublishService,
    tasks: TaskRunner,
    messages: MessageBridge,
    builder: FakeBuilder,
) -> None:
    builder.results = [
        BuildProblem(
            "type-error",
            "Type error: Type 'string' is not assignable to type 'number'.",
            "build",
            file="app/page.tsx",
            line=3,
        )
    ]
    pid = add_project(store)
    wizard = open_wizard(qtbot, service, tasks, messages, pid)
    to_review(qtbot, wizard)
    page = wizard.review_page
    panel = page.check_panel
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: "failed" in panel.state_label.text(), timeout=WAIT)
    assert "at build" in panel.state_label.text()
    assert panel.problem_label.text() == (
        "app/page.tsx:3: Type error: Type 'string' is not assignable to type 'number'."
    )
    assert "ignoreBuildErrors" in panel.advice_label.text()
    assert not panel.remedy_row.isVisibleTo(panel)  # no rule fixes a type error
    assert not page.push_button.isEnabled()
    click(qtbot, panel.override_check)
    assert page.push_button.isEnabled()
    push(qtbot, wizard)
    assert sandbox.files_at(LOGIN, "flower-shop")
    assert page.step_status("check") == "done"


def test_build_check_streams_a_live_status_line_and_cancels(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    service: PublishService,
    tasks: TaskRunner,
    messages: MessageBridge,
    builder: FakeBuilder,
) -> None:
    builder.gate = asyncio.Event()  # the build step waits until the test cancels it
    pid = add_project(store)
    wizard = open_wizard(qtbot, service, tasks, messages, pid)
    to_review(qtbot, wizard)
    page = wizard.review_page
    panel = page.check_panel
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: "Step 4 of 4: next build" in panel.state_label.text(), timeout=WAIT)
    assert "Done in 4.2s" in panel.log.toPlainText()  # the install's lines, as they came
    assert panel.progress_bar.isVisibleTo(panel)
    assert panel.task is not None
    assert not panel.task.done()
    assert not panel.run_button.isEnabled()
    click(qtbot, panel.cancel_button)
    qtbot.waitUntil(panel.task.done, timeout=5000)
    assert panel.task.cancelled()
    assert panel.state_label.text() == "Build check cancelled; nothing is left running."
    assert panel.run_button.isEnabled()
    assert not page.push_button.isEnabled()


def test_silence_is_said_plainly_in_the_status_line(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    service: PublishService,
    tasks: TaskRunner,
    messages: MessageBridge,
    builder: FakeBuilder,
) -> None:
    notice = "No output for 60 s from `next build`: check the registry and proxy (HTTPS_PROXY)"
    builder.gate = asyncio.Event()
    builder.silence = notice
    pid = add_project(store)
    wizard = open_wizard(qtbot, service, tasks, messages, pid)
    to_review(qtbot, wizard)
    panel = wizard.review_page.check_panel
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: notice in panel.state_label.text(), timeout=WAIT)
    assert f"⚠ {notice}" in panel.state_label.text()
    assert panel.state_label.objectName() == "ResultWarning"
    assert f"⚠ {notice}" in panel.log.toPlainText()
    builder.gate.set()
    qtbot.waitUntil(lambda: "✓" in panel.state_label.text(), timeout=WAIT)


# ------------------------------------------------------------------ remote faults


def test_name_taken_then_renamed_and_pushed(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    sandbox: GitHubSandbox,
    service: PublishService,
    tasks: TaskRunner,
    messages: MessageBridge,
) -> None:
    sandbox.create_repo(LOGIN, "flower-shop", auto_init=True)
    pid = add_project(store)
    wizard = open_wizard(qtbot, service, tasks, messages, pid)
    to_review(qtbot, wizard)
    page = wizard.review_page
    run_checks(qtbot, wizard)
    push(qtbot, wizard)
    assert "A repository named “flower-shop” already exists" in page.banner.message_label.text()
    assert "Choose another repository name" in page.banner.action_label.text()
    assert page.step_status("repo") == "failed"
    shot(wizard, "8-review-name-taken")
    assert service.load_draft_blocking(pid).config == DRAFT
    click(qtbot, page.edit_button)
    assert wizard.currentPage() is wizard.app_page
    retype(qtbot, wizard.app_page.repo_edit, "flower-shop-2")
    to_review(qtbot, wizard)
    run_checks(qtbot, wizard)
    push(qtbot, wizard)
    assert "✓ Published" in page.result_label.text()
    assert sandbox.files_at(LOGIN, "flower-shop-2")
    assert sandbox.commit_count(LOGIN, "flower-shop") == 1  # the taken one is untouched


def test_token_without_repo_scope_then_retry_with_a_good_one(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    sandbox: GitHubSandbox,
    service: PublishService,
    github: GitHubClient,
    policy: RetryPolicy,
    tasks: TaskRunner,
    messages: MessageBridge,
) -> None:
    weak = "ghp_" + "n" * 36
    sandbox.add_token(weak, scopes=["read:user"])
    service.set_remotes(GitHubClient(sandbox.base_url, weak, policy=policy, timeout=10.0))
    pid = add_project(store)
    wizard = open_wizard(qtbot, service, tasks, messages, pid)
    to_review(qtbot, wizard)
    page = wizard.review_page
    click(qtbot, page.check_panel.override_check)
    push(qtbot, wizard)
    assert "repo" in page.banner.message_label.text()
    assert "token" in page.banner.action_label.text()
    assert page.banner.settings_button.isVisible()
    assert page.banner.retry_button.isVisible()
    with qtbot.waitSignal(wizard.settings_requested):
        click(qtbot, page.banner.settings_button)
    assert service.load_draft_blocking(pid).repo_url is None  # nothing half-made
    service.set_remotes(github)  # the user fixed the token in Settings
    click(qtbot, page.banner.retry_button)
    assert page.push_task is not None
    qtbot.waitUntil(page.push_task.done, timeout=WAIT)
    assert "✓ Published" in page.result_label.text()
    assert check_all("github", sandbox.recorder.exchanges) > 0


@pytest.mark.parametrize("kind", ["429", "403 primary"])
def test_rate_limited_then_retry(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    sandbox: GitHubSandbox,
    service: PublishService,
    tasks: TaskRunner,
    messages: MessageBridge,
    kind: str,
) -> None:
    if kind == "429":
        sandbox.faults.add(FaultRule("rate_limit", retry_after=1800, times=None))
    else:
        sandbox.set_rate_limit(0, reset_in=1800)
    pid = add_project(store)
    wizard = open_wizard(qtbot, service, tasks, messages, pid)
    to_review(qtbot, wizard)
    page = wizard.review_page
    run_checks(qtbot, wizard)
    push(qtbot, wizard)
    assert "rate limit: wait" in page.banner.action_label.text()
    assert "saved in the draft" in page.banner.action_label.text()
    assert page.banner.retry_button.isVisible()
    sandbox.faults.clear()
    sandbox.set_rate_limit(5000)
    click(qtbot, page.banner.retry_button)
    assert page.push_task is not None
    qtbot.waitUntil(page.push_task.done, timeout=WAIT)
    assert "✓ Published" in page.result_label.text()


def test_drop_mid_push_reported_and_retry_completes(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    sandbox: GitHubSandbox,
    service: PublishService,
    tasks: TaskRunner,
    messages: MessageBridge,
) -> None:
    sandbox.faults.add(FaultRule("drop", path="/git/trees$", method="POST", times=None))
    pid = add_project(store)
    wizard = open_wizard(qtbot, service, tasks, messages, pid)
    to_review(qtbot, wizard)
    page = wizard.review_page
    run_checks(qtbot, wizard)
    push(qtbot, wizard)
    assert page.step_status("repo") == "done"
    assert page.step_status("commit") == "failed"
    assert "Check your connection" in page.banner.action_label.text()
    assert "holds no published commit yet" in page.push_notes.text()
    assert page.queue_button.isVisible()
    shot(wizard, "8-review-dropped")
    draft = service.load_draft_blocking(pid)
    assert draft.pending_repo == f"{LOGIN}/flower-shop"
    assert draft.config == DRAFT
    sandbox.faults.clear()
    start = len(sandbox.recorder.exchanges)
    click(qtbot, page.banner.retry_button)
    assert page.push_task is not None
    qtbot.waitUntil(page.push_task.done, timeout=WAIT)
    assert "✓ Published" in page.result_label.text()
    calls = [f"{e.method} {e.path}" for e in sandbox.recorder.exchanges[start:]]
    assert "POST /user/repos" not in calls
    assert sandbox.commit_count(LOGIN, "flower-shop") == 2
    assert service.load_draft_blocking(pid).pending_repo is None


def test_offline_publish_is_queued_and_delivered_later(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    sandbox: GitHubSandbox,
    service: PublishService,
    tasks: TaskRunner,
    messages: MessageBridge,
) -> None:
    pid = add_project(store)
    wizard = open_wizard(qtbot, service, tasks, messages, pid)
    wizard.set_online(False)
    to_review(qtbot, wizard)
    page = wizard.review_page
    run_checks(qtbot, wizard)
    with qtbot.waitSignal(wizard.queued, timeout=WAIT):
        click(qtbot, page.queue_button)
    assert "Queued" in page.result_label.text()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert sandbox.recorder.exchanges == []
    with store.read() as session:
        kinds = [e.kind for e in session.query(OutboxEntry)]
    assert kinds == [KIND_PUBLISH]
    assert service.load_draft_blocking(pid).queued

    processor = OutboxProcessor(store, {KIND_PUBLISH: service.outbox_handler()})
    drained = asyncio.ensure_future(processor.drain())
    qtbot.waitUntil(drained.done, timeout=WAIT)
    assert drained.result().delivered == 1
    assert sandbox.files_at(LOGIN, "flower-shop") == service.build_files_blocking(pid, DRAFT).files
    assert not service.load_draft_blocking(pid).queued


def test_reopened_wizard_shows_the_saved_draft(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    service: PublishService,
    tasks: TaskRunner,
    messages: MessageBridge,
) -> None:
    pid = add_project(store, V0_FILES)
    wizard = open_wizard(qtbot, service, tasks, messages, pid)
    retype(qtbot, wizard.app_page.description_edit, "Fresh flowers daily")
    go_next(qtbot, wizard)
    click(qtbot, wizard.capabilities_page.boxes[Category.EVENTS])
    # Closed (and deleted) at once, before the typing pause has saved: still saved.
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    deleted: list[bool] = []
    wizard.destroyed.connect(lambda: deleted.append(True))
    click(qtbot, wizard.button(QWizard.WizardButton.CancelButton))
    qtbot.waitUntil(lambda: bool(deleted), timeout=WAIT)
    qtbot.waitUntil(
        lambda: Category.EVENTS in service.load_draft_blocking(pid).config.categories,
        timeout=WAIT,
    )
    again = open_wizard(qtbot, service, tasks, messages, pid)
    assert again.app_page.description_edit.text() == "Fresh flowers daily"
    assert again.capabilities_page.boxes[Category.EVENTS].isChecked()
    assert again.config == DRAFT.with_changes(
        description="Fresh flowers daily",
        categories=(Category.PRODUCTS, Category.EVENTS, Category.FORMS),
    )


def test_changes_on_github_need_an_explicit_confirmation(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    sandbox: GitHubSandbox,
    service: PublishService,
    tasks: TaskRunner,
    messages: MessageBridge,
) -> None:
    pid = add_project(store)
    wizard = open_wizard(qtbot, service, tasks, messages, pid)
    to_review(qtbot, wizard)
    run_checks(qtbot, wizard)
    push(qtbot, wizard)
    wizard.close()
    sandbox.commit_on_remote(LOGIN, "flower-shop", {"NOTES.md": b"edited on github\n"})

    again = open_wizard(qtbot, service, tasks, messages, pid)
    retype(qtbot, again.app_page.description_edit, "Now with delivery")
    to_review(qtbot, again)
    page = again.review_page
    assert "Compared with" in page.summary_label.text()
    assert "0 added, 3 changed, 0 removed, 39 unchanged" in page.summary_label.text()
    run_checks(qtbot, again)
    push(qtbot, again)
    assert "changed on GitHub since the last publish" in page.banner.message_label.text()
    assert not page.banner.retry_button.isVisible()
    assert sandbox.files_at(LOGIN, "flower-shop")["NOTES.md"] == b"edited on github\n"
    click(qtbot, page.diverged_check)
    push(qtbot, again)
    assert "✓ Published" in page.result_label.text()
    assert sandbox.commit_count(LOGIN, "flower-shop") == 4  # auto-init, ours, theirs, ours


@pytest.mark.parametrize(
    ("tier", "text"),
    [
        ("free", "Free plan: the app shows the “Powered by l4yercak3” badge"),
        ("pro", "Pro plan: no badge"),
        ("agency", "Agency plan: white label, no l4yercak3 badge"),
        ("enterprise", "Enterprise plan: white label, no l4yercak3 badge"),
    ],
)
def test_the_plan_is_the_organizations_and_says_what_it_means_for_the_badge(
    qtbot: QtBot,
    store: Store,
    service: PublishService,
    tasks: TaskRunner,
    messages: MessageBridge,
    qloop: asyncio.AbstractEventLoop,
    tier: str,
    text: str,
) -> None:
    with store.write() as tx:  # the organization as the sync engine stored it
        tx.session.add(
            Organization(
                id="org_agency",
                name="Northwind Digital",
                tier=tier,
                limits={
                    "badge_required": tier == "free",
                    "white_label": tier in ("agency", "enterprise"),
                },
            )
        )
    pid = add_project(store)
    wizard = open_wizard(qtbot, service, tasks, messages, pid)
    assert wizard.app_page.plan_label.text() == text
    config = wizard.config
    assert config is not None
    assert config.tier.value == tier
    if tier == "agency":
        wizard.resize(900, 560)
        DEPLOY_SHOTS.mkdir(parents=True, exist_ok=True)
        wizard.grab().save(str(DEPLOY_SHOTS / "publish_wizard_plan.png"))
