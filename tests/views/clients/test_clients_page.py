"""The Clients page driven like a user, against a served platform sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.sandbox.faults import FaultRule
from console.services.clients import CREATE_CLIENT, UPDATE_CLIENT, ClientsService
from console.services.sync import apply
from console.services.sync.outbox import DrainResult, OutboxProcessor
from console.store.models import Organization, OutboxEntry
from console.views.bridge import StoreBridge
from console.views.clients.dialog import ClientDialog
from console.views.clients.page import ClientsPage
from console.views.messages import MessageBridge
from console.views.models.clients import ClientColumn, Role
from console.views.tasks import TaskRunner
from tests.views.credits.support import Remotes, close_clients, initial_sync, remotes

RunAsync = Callable[..., Any]


@dataclass
class Delivery:
    """Stands in for the sync engine: drains the outbox whenever something is queued."""

    processor: OutboxProcessor | None = None
    runs: list[asyncio.Future[DrainResult]] = field(default_factory=list)

    def __call__(self) -> None:
        assert self.processor is not None
        self.runs.append(asyncio.ensure_future(self.processor.drain()))


@dataclass
class Env:
    r: Remotes
    page: ClientsPage
    service: ClientsService
    delivery: Delivery
    messages: MessageBridge
    colors: list[QColor]


@pytest.fixture
def env(tmp_path: Path, qtbot: QtBot, run_async: RunAsync) -> Iterator[Env]:
    with remotes(tmp_path) as r:
        run_async(initial_sync(r))
        delivery = Delivery()
        service = ClientsService(r.store, r.client, on_queued=delivery)
        delivery.processor = OutboxProcessor(r.store, service.outbox_handlers(), backoff_base=0.0)
        bridge = StoreBridge(r.store)
        messages = MessageBridge()
        tasks = TaskRunner(messages)
        colors: list[QColor] = []

        def pick_color(
            _initial: QColor, _parent: QWidget, chosen: Callable[[QColor], None]
        ) -> None:
            if colors:
                chosen(colors.pop(0))

        page = ClientsPage(service, bridge, tasks, messages, pick_color=pick_color)
        qtbot.addWidget(page)
        page.resize(1280, 800)
        page.show()
        yield Env(r, page, service, delivery, messages, colors)
        for run in delivery.runs:
            qtbot.waitUntil(run.done, timeout=10000)
        tasks.cancel_all()
        bridge.detach()
        run_async(close_clients(r))


def _fill(qtbot: QtBot, dialog: ClientDialog, **fields: str) -> None:
    edits = {
        "name": dialog.name_edit,
        "slug": dialog.slug_edit,
        "email": dialog.email_edit,
        "color": dialog.color_edit,
        "logo": dialog.logo_edit,
    }
    for name, text in fields.items():
        edit = edits[name]
        edit.selectAll()
        edit.del_()
        qtbot.keyClicks(edit, text)


def _row_of(page: ClientsPage, name: str) -> int:
    for row in range(page.proxy.rowCount()):
        if page.proxy.index(row, ClientColumn.NAME).data() == name:
            return row
    return -1


def test_clients_page_create_and_edit_reach_the_platform(env: Env, qtbot: QtBot) -> None:
    page, r = env.page, env.r
    before = len(r.platform.children())
    assert page.model.rowCount() == before

    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None
    assert dialog.isVisible()
    _fill(qtbot, dialog, name="Nordlicht Cafe", email="hallo@nordlicht.test")
    assert dialog.slug_edit.text() == "nordlicht-cafe"  # suggested from the name
    _fill(qtbot, dialog, slug="nordlicht-cafe", logo="https://nordlicht.test/logo.svg")
    env.colors.append(QColor("#0e7490"))
    qtbot.mouseClick(dialog.pick_button, Qt.MouseButton.LeftButton)
    assert dialog.color_edit.text() == "#0e7490"
    with qtbot.waitSignal(page.client_saved) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    local_id = saved.args[0]
    assert local_id.startswith("local-")
    # Shown at once, marked as waiting to sync.
    row = _row_of(page, "Nordlicht Cafe")
    assert row >= 0
    assert "syncing" in page.proxy.index(row, ClientColumn.STATUS).data()

    # Delivered: on the platform, and the row now carries the platform's id.
    qtbot.waitUntil(
        lambda: any(c.slug == "nordlicht-cafe" for c in r.platform.children()), timeout=10000
    )
    child = next(c for c in r.platform.children() if c.slug == "nordlicht-cafe")
    assert child.name == "Nordlicht Cafe"
    assert child.contact_email == "hallo@nordlicht.test"
    assert child.brand_primary_color.lower() == "#0e7490"
    assert child.brand_logo_url == "https://nordlicht.test/logo.svg"
    qtbot.waitUntil(lambda: page.model.index_of(child.id).isValid(), timeout=5000)
    assert not page.model.index_of(local_id).isValid()

    # Edit it: select, Edit…, change name and colour, save.
    page.select_client(child.id)
    assert page.detail.client_id == child.id
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None
    assert dialog.slug_edit.isReadOnly()
    _fill(qtbot, dialog, name="Nordlicht Cafe & Bar", color="#be123c")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            next(c for c in r.platform.children() if c.id == child.id).name
            == "Nordlicht Cafe & Bar"
        ),
        timeout=10000,
    )
    edited = next(c for c in r.platform.children() if c.id == child.id)
    assert edited.brand_primary_color.lower() == "#be123c"
    assert edited.slug == "nordlicht-cafe"
    qtbot.waitUntil(lambda: "& Bar" in page.detail.name_label.text(), timeout=5000)
    qtbot.waitUntil(lambda: all(run.done() for run in env.delivery.runs), timeout=5000)
    with r.store.read() as session:
        kinds = [e.kind for e in session.scalars(select(OutboxEntry))]
        statuses = {e.status for e in session.scalars(select(OutboxEntry))}
    assert kinds == [CREATE_CLIENT, UPDATE_CLIENT]
    assert statuses == {"done"}
    assert len(r.platform.children()) == before + 1


def test_clients_page_validation_blocks_bad_input(env: Env, qtbot: QtBot) -> None:
    page = env.page
    dialog = page.open_create_dialog()
    taken = page.model.row_at(0).slug
    _fill(qtbot, dialog, name="X", slug="Bad Slug!", email="nope", color="#12", logo="ftp:/x")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    for name in ("slug", "contact_email", "brand_color", "logo_url"):
        assert dialog.error_text(name), name
    assert not dialog.error_text("name")
    _fill(qtbot, dialog, slug=taken, email="ok@client.test", color="", logo="")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "already uses" in dialog.error_text("slug")
    with env.r.store.read() as session:
        assert session.scalars(select(OutboxEntry)).first() is None


def test_clients_page_offline_create_waits_in_outbox(env: Env, qtbot: QtBot) -> None:
    page, r = env.page, env.r
    rule = r.platform.faults.add(
        FaultRule("status", path="/organizations/children$", method="POST", status=503, times=None)
    )
    dialog = page.open_create_dialog()
    _fill(qtbot, dialog, name="Offline Optics", email="eyes@offline.test")
    with qtbot.waitSignal(page.client_saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(run.done() for run in env.delivery.runs), timeout=10000)
    assert env.delivery.runs[-1].result().pending == 1
    assert rule.hits >= 1
    assert not any(c.slug == "offline-optics" for c in r.platform.children())
    with r.store.read() as session:
        local = session.scalars(select(Organization).where(Organization.slug == "offline-optics"))
        assert next(iter(local)).pending

    r.platform.faults.clear()
    with r.store.write() as tx:  # back online: the engine would retry now
        for entry in tx.session.scalars(select(OutboxEntry)):
            entry.next_attempt_at = None
    env.delivery()
    qtbot.waitUntil(
        lambda: any(c.slug == "offline-optics" for c in r.platform.children()), timeout=10000
    )


def test_clients_page_needs_attention_across_clients(
    env: Env, qtbot: QtBot, run_async: RunAsync
) -> None:
    page, r = env.page, env.r
    failing = [a for a in r.platform.builder_apps() if a.deployment_status == "failed"]
    assert failing
    qtbot.mouseClick(page.attention_button, Qt.MouseButton.LeftButton)
    assert page.attention_box.isVisible()
    kinds = {page.attention_model.row_at(i).kind for i in range(page.attention_model.rowCount())}
    assert "failing_deployment" in kinds
    assert "low_credits" not in kinds
    for row in range(page.proxy.rowCount()):
        assert page.proxy.index(row, 0).data(Role.ATTENTION)
    assert page.proxy.rowCount() < page.model.rowCount()

    # The shared pool drops below 20%: every active client now needs attention.
    r.platform.set_balance(daily=0, monthly=100, purchased=0)
    balance = run_async(r.client.get_credit_balance())
    apply.apply_balance(r.store, balance)
    qtbot.waitUntil(
        lambda: any(
            page.attention_model.row_at(i).kind == "low_credits"
            for i in range(page.attention_model.rowCount())
        ),
        timeout=3000,
    )
    assert "Needs attention (" in page.attention_button.text()

    # Drill-down from an attention row.
    first = page.attention_model.row_at(0)
    page.attention_table.clicked.emit(page.attention_model.index(0, 1))
    assert page.detail.client_id == first.client_id
    assert page.detail.projects_model.rowCount() >= 1
