"""Offline preparation through the page: work with the platform down, then see it arrive once.

Also the bad uploads the issue names, each through the page: a clear message and
the store unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.errors import NetworkError, UserInputError
from console.sandbox.host import free_port, serve
from console.sandbox.platform import PlatformSandbox, SeedScale
from console.services.http import RetryPolicy, build_client
from console.services.platform.client import PlatformClient, api_base_url
from console.services.projects import KIND_CREATE, KIND_UPDATE
from console.services.sync.outbox import DrainResult, OutboxProcessor
from console.store.models import OutboxEntry
from console.views.models.projects import Role
from console.views.projects import ProjectsPage
from console.views.projects.dialogs import EditProjectDialog, ImportDialog, ImportRequest
from tests.services.projects.conftest import snapshot
from tests.services.projects.test_import import (
    _binary_junk,
    _huge_upload,
    _invalid_utf8,
    _not_a_zip,
    _zip_slip,
)
from tests.views.projects.conftest import V0, Env

MakePage = Callable[..., ProjectsPage]


def _drain(qtbot: QtBot, page: ProjectsPage, env: Env, processor: OutboxProcessor) -> DrainResult:
    task: asyncio.Task[DrainResult] = env.tasks.start(page, processor.drain())
    qtbot.waitUntil(task.done, timeout=10000)
    return task.result()


def test_offline_work_reaches_the_sandbox_once_when_it_is_up(
    qtbot: QtBot, make_page: MakePage, env: Env, tmp_path: Path
) -> None:
    sandbox = PlatformSandbox(
        tmp_path / "platform.db", scale=SeedScale(conversations=3, builder_apps=2)
    )
    port = free_port()  # nothing listens there yet: the platform is down
    http = build_client("platform", api_base_url(f"http://127.0.0.1:{port}"), sandbox.api_key)
    client = PlatformClient(http, policy=RetryPolicy(attempts=1, base=0.0, cap=0.0))
    handlers = env.service.outbox_handlers(client)
    assert set(handlers) == {KIND_CREATE, KIND_UPDATE}
    processor = OutboxProcessor(env.store, handlers, backoff_base=0.0)
    before = {app.id for app in sandbox.builder_apps()}
    page = make_page()
    try:
        # Import through the dialog, as a user does.
        qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: isinstance(page.dialog, ImportDialog))
        dialog = page.dialog
        assert isinstance(dialog, ImportDialog)
        qtbot.keyClicks(dialog.source_edit, str(V0 / "booking-chat"))
        dialog.name_edit.setText("Studio booking")
        with qtbot.waitSignal(page.detail.loaded, timeout=10000) as loaded:
            qtbot.mouseClick(
                dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                Qt.MouseButton.LeftButton,
            )
        project_id = loaded.args[0]

        # Edit it offline.
        qtbot.mouseClick(page.detail.edit_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: isinstance(page.dialog, EditProjectDialog))
        edit = page.dialog
        assert isinstance(edit, EditProjectDialog)
        edit.name_edit.setText("Studio Flow booking")
        edit.description_edit.setPlainText("Reformer classes and a chat with the studio")
        edit.accept()
        qtbot.waitUntil(lambda: page.detail.title_label.text() == "Studio Flow booking")

        down = _drain(qtbot, page, env, processor)
        assert (down.delivered, down.pending) == (0, 2)
        assert isinstance(down.blocked_by, NetworkError)
        qtbot.waitUntil(lambda: "Only on this computer" in page.detail.subtitle_label.text())
        assert {app.id for app in sandbox.builder_apps()} == before

        served = serve("platform", sandbox.asgi, port=port)
        try:
            up = _drain(qtbot, page, env, processor)
            again = _drain(qtbot, page, env, processor)
        finally:
            served.stop()
        assert (up.delivered, up.pending, again.delivered) == (2, 0, 0)

        qtbot.waitUntil(lambda: "Up to date with the platform" in page.detail.subtitle_label.text())
        mine = [a for a in sandbox.builder_apps() if a.id not in before]
        assert len(mine) == 1  # exactly once, despite two drains
        app = mine[0]
        assert (app.name, app.description) == (
            "Studio Flow booking",
            "Reformer classes and a chat with the studio",
        )
        assert {"bookings", "conversations"} <= set(app.categories)
        # The list follows the store (its reload is coalesced): the draft is now that app.
        qtbot.waitUntil(lambda: _remote_id(page, project_id) == app.id)
        assert page.model.total() == 1
        with env.store.read() as session:
            states = set(session.scalars(select(OutboxEntry.status)))
        assert states == {"done"}
    finally:
        closing = env.tasks.start(page, http.aclose())
        qtbot.waitUntil(closing.done)
        sandbox.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_not_a_zip, "is not a zip archive"),
        (_zip_slip, "escapes the project folder"),
        (_binary_junk, "is not a zip archive"),
        (_huge_upload, "200.0 MB; a v0 export can be at most 50 MB"),
        (_invalid_utf8, "app/page.tsx is not valid UTF-8 text"),
    ],
    ids=["not a zip", "zip slip", "binary junk", "200 MB upload", "invalid UTF-8"],
)
def test_offline_bad_upload_shows_a_clear_message_and_stores_nothing(
    qtbot: QtBot,
    make_page: MakePage,
    env: Env,
    tmp_path: Path,
    make: Callable[[Path], Path],
    message: str,
) -> None:
    page = make_page()
    with qtbot.waitSignal(page.detail.loaded, timeout=10000):
        page.import_export(ImportRequest(V0 / "shop", "Crumb shop", None))
    qtbot.waitUntil(lambda: page.model.total() == 1)
    before = snapshot(env.store)
    bad = make(tmp_path)

    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(page.dialog, ImportDialog))
    dialog = page.dialog
    assert isinstance(dialog, ImportDialog)
    qtbot.keyClicks(dialog.source_edit, str(bad))
    dialog.name_edit.setText("Bad upload")
    with qtbot.waitSignal(env.messages.error_shown, timeout=10000) as shown:
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )

    error = shown.args[0]
    assert isinstance(error, UserInputError)
    assert message in error.user_text()
    qtbot.waitUntil(page.import_button.isEnabled)  # the busy state is restored
    assert snapshot(env.store) == before
    assert page.model.total() == 1
    assert [r.name for r in (page.model.project(i) for i in _ids(page)) if r] == ["Crumb shop"]


def _remote_id(page: ProjectsPage, project_id: int) -> str | None:
    row = page.model.project(project_id)
    return row.remote_id if row else None


def _ids(page: ProjectsPage) -> list[int]:
    return [page.model.index(r, 0).data(Role.ID) for r in range(page.model.rowCount())]
