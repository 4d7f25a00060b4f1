"""The sync engine against the platform sandbox: pull, follow live, go offline, catch up."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.sandbox.faults import FaultRule
from console.sandbox.host import ServedApp
from console.sandbox.platform import PlatformSandbox
from console.services.conversations import ConversationService
from console.services.sync.engine import SyncEngine, SyncStatus
from console.services.sync.outbox import OutboxProcessor
from console.store.db import Store
from console.store.models import Agent, Conversation, Message, Organization, Project
from tests.services.sync.conftest import make_client

Platform = tuple[PlatformSandbox, ServedApp]


def _count(store: Store, model: type) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _engine(
    store: Store, platform: Platform, statuses: list[SyncStatus] | None = None, **kw: object
) -> tuple[SyncEngine, ConversationService]:
    sandbox, served = platform
    client = make_client(served.url, sandbox.api_key)
    service = ConversationService(store, client)
    outbox = OutboxProcessor(store, service.outbox_handlers(), backoff_base=0.0)
    on_status: Callable[[SyncStatus], None] | None = (
        statuses.append if statuses is not None else None
    )
    engine = SyncEngine(store, client, outbox, on_status=on_status, poll_interval=0.05, **kw)  # type: ignore[arg-type]
    return engine, service


async def _until(predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(10.0):
        while not predicate():
            await asyncio.sleep(0.02)


async def test_sync_initial_pulls_everything(tmp_path: Path, platform: Platform) -> None:
    sandbox, _ = platform
    store = Store(tmp_path / "db.sqlite3")
    engine, _ = _engine(store, platform)
    await engine.initial_sync()
    conversations = sandbox.conversations()
    assert _count(store, Conversation) == len(conversations)
    assert _count(store, Message) == sum(len(sandbox.messages(c.id)) for c in conversations)
    assert _count(store, Organization) == 1 + len(sandbox.children())
    assert _count(store, Project) == len(sandbox.builder_apps())
    assert _count(store, Agent) == len(sandbox.agents())
    assert engine.status.online


async def test_sync_follows_live_changes_by_polling(tmp_path: Path, platform: Platform) -> None:
    sandbox, _ = platform
    store = Store(tmp_path / "db.sqlite3")
    engine, _ = _engine(store, platform, use_stream=False)
    await engine.initial_sync()
    session_id = sandbox.conversations(status="active")[0].id
    turn = sandbox.customer_writes(session_id, "Do you have a table for four tonight?")
    engine.start()
    try:
        await _until(lambda: _has_text(store, "Do you have a table for four tonight?"))
        if turn.agent_message is not None:  # the agent's answer arrives too
            await _until(lambda: _has_text(store, turn.agent_message.text))  # type: ignore[union-attr]
        with store.read() as session:
            conversation = session.get(Conversation, session_id)
            assert conversation is not None
            assert conversation.unread >= 1
    finally:
        await engine.stop()


async def test_sync_follows_live_changes_by_stream(tmp_path: Path, platform: Platform) -> None:
    sandbox, _ = platform
    store = Store(tmp_path / "db.sqlite3")
    statuses: list[SyncStatus] = []
    engine, _ = _engine(store, platform, statuses)
    await engine.initial_sync()
    engine.start()
    try:
        await _until(lambda: engine.status.mode == "stream")
        session_id = sandbox.conversations(status="active")[1].id
        sandbox.customer_writes(session_id, "Is parking included?")
        await _until(lambda: _has_text(store, "Is parking included?"))
    finally:
        await engine.stop()


async def test_sync_offline_queues_and_catches_up(tmp_path: Path, platform: Platform) -> None:
    sandbox, served = platform
    store = Store(tmp_path / "db.sqlite3")
    statuses: list[SyncStatus] = []
    engine, service = _engine(store, platform, statuses, use_stream=False)
    await engine.initial_sync()
    session_id = sandbox.conversations(status="active")[2].id
    await make_client(served.url, sandbox.api_key).take_over(session_id)
    outage = sandbox.faults.add(FaultRule(kind="status", status=503, times=None))
    engine.start()
    try:
        await _until(lambda: not engine.status.online)
        for n in range(3):
            service.queue_message(session_id, f"Offline reply {n}")
            engine.outbox_changed()
        await asyncio.sleep(0.3)
        assert engine.status.pending == 3
        assert engine.status.describe() == "Offline, 3 waiting to send"
        sandbox.faults.clear()
        await _until(lambda: engine.status.pending == 0 and engine.status.online)
    finally:
        await engine.stop()
    assert outage.hits > 0
    texts = [m.text for m in sandbox.messages(session_id) if m.role == "human"]
    assert texts == ["Offline reply 0", "Offline reply 1", "Offline reply 2"]
    with store.read() as session:
        mine = session.scalars(select(Message).where(Message.role == "human")).all()
    assert sorted(m.text for m in mine) == texts  # shown once each, none left pending
    assert {m.delivery for m in mine} == {"sent"}


def _has_text(store: Store, text: str) -> bool:
    with store.read() as session:
        return session.scalar(select(Message.id).where(Message.text == text)) is not None


async def test_sync_carries_on_after_an_unexpected_error(
    tmp_path: Path, platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug in one poll must not end syncing for the rest of the session."""
    sandbox, _ = platform
    store = Store(tmp_path / "db.sqlite3")
    statuses: list[SyncStatus] = []
    engine, _ = _engine(store, platform, statuses, use_stream=False)
    await engine.initial_sync()
    real_poll = engine.poll_once
    calls = 0

    async def poll_once_with_a_bug() -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug")
        return await real_poll()

    engine.poll_once = poll_once_with_a_bug  # type: ignore[method-assign]
    engine.start()
    try:
        await _until(lambda: calls >= 1)
        await _until(lambda: engine.status.error == "Sync failed unexpectedly; retrying.")
        session_id = sandbox.conversations(status="active")[0].id
        sandbox.customer_writes(session_id, "Still there after the bug?")
        async with asyncio.timeout(15.0):
            while not _has_text(store, "Still there after the bug?"):
                await asyncio.sleep(0.05)
        assert engine.status.online
    finally:
        await engine.stop()
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        "sync failed unexpectedly; retrying"
    ]
    caplog.clear()


async def test_sync_stops_when_cancelled_just_as_the_outbox_wakes(
    tmp_path: Path, platform: Platform
) -> None:
    """A cancel landing as a queued write wakes the outbox must still stop the engine.

    Python 3.11's `asyncio.wait_for` returned normally in that case, and the
    delivery loop went on for ever (seen as a hung teardown).
    """
    store = Store(tmp_path / "db.sqlite3")
    engine, _ = _engine(store, platform, use_stream=False)
    engine.start()
    await asyncio.sleep(0)  # both loops run: the delivery loop waits for a wakeup
    engine.outbox_changed()
    await asyncio.sleep(0)  # the wakeup is seen, the delivery loop not resumed yet
    # (With the bug, only this limit's own cancel, reaching the loop later, stops it.)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(2.0) as limit:
            await engine.stop()  # cancels at once, in this step
    store.close()
    assert not limit.expired()


async def test_a_client_changed_live_keeps_the_agencys_plan(
    tmp_path: Path, platform: Platform
) -> None:
    """An organization.updated event carries no plan: the stored one is not blanked."""
    sandbox, served = platform
    store = Store(tmp_path / "db.sqlite3")
    engine, _ = _engine(store, platform, use_stream=False)
    await engine.initial_sync()
    with store.read() as session:
        agency = session.scalar(select(Organization.tier).where(Organization.parent_id.is_(None)))
    child = sandbox.children()[0]
    assert agency
    assert _client(store, child.id) == (child.name, agency)
    colleague = make_client(served.url, sandbox.api_key)
    engine.start()
    try:
        await colleague.update_child(child.id, name="Renamed Client")
        await _until(lambda: _client(store, child.id)[0] == "Renamed Client")
        assert _client(store, child.id) == ("Renamed Client", agency)
    finally:
        await engine.stop()
        await colleague.aclose()


def _client(store: Store, org_id: str) -> tuple[str, str]:
    with store.read() as session:
        row = session.get(Organization, org_id)
        return (row.name, row.tier) if row is not None else ("", "")
