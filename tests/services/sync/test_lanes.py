"""Outbox lanes against the sandboxes: a failing GitHub never holds up a chat reply."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from console.sandbox.faults import FaultRule
from console.sandbox.github import GitHubSandbox
from console.sandbox.host import ServedApp
from console.sandbox.platform import PlatformSandbox
from console.services.conversations import ConversationService
from console.services.github.client import GitHubClient
from console.services.publish import KIND_PUBLISH, PublishService
from console.services.scaffold import Category, PublishConfig
from console.services.sync.engine import SyncEngine
from console.services.sync.outbox import OutboxProcessor
from console.store.db import Store
from console.store.models import OutboxEntry
from tests.fakes.builds import FakeBuilder
from tests.services.publish.support import LOGIN, add_project
from tests.services.sync.conftest import make_client

Platform = tuple[PlatformSandbox, ServedApp]


@pytest.fixture
def github(tmp_path: Path) -> Iterator[GitHubSandbox]:
    box = GitHubSandbox(tmp_path / "github")
    box.serve()
    yield box
    box.stop()


async def _until(predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(20.0):
        while not predicate():
            await asyncio.sleep(0.02)


def config() -> PublishConfig:
    return PublishConfig(
        app_name="Flower Shop", repo_name="flower-shop", categories=(Category.PRODUCTS,)
    )


def _row(store: Store, kind: str) -> OutboxEntry:
    with store.read() as session:
        entry = session.query(OutboxEntry).filter(OutboxEntry.kind == kind).one()
        session.expunge(entry)
        return entry


async def test_a_chat_reply_is_delivered_while_a_publish_to_a_failing_github_retries(
    tmp_path: Path, platform: Platform, github: GitHubSandbox
) -> None:
    sandbox, served = platform
    store = Store(tmp_path / "db.sqlite3")
    client = make_client(served.url, sandbox.api_key)
    conversations = ConversationService(store, client)
    # The interactive policy would try 4 times; queued work must try once per attempt.
    gh = GitHubClient(github.base_url, github.token, timeout=10.0)
    publish = PublishService(store, gh, None, builder=FakeBuilder())
    outbox = OutboxProcessor(
        store,
        {**conversations.outbox_handlers(), KIND_PUBLISH: publish.outbox_handler()},
        backoff_base=0.05,
        backoff_cap=0.2,
    )
    engine = SyncEngine(
        store, client, outbox, poll_interval=0.05, outbox_interval=0.1, use_stream=False
    )
    await engine.initial_sync()
    session_id = sandbox.conversations(status="active")[0].id
    await client.take_over(session_id)
    pid = add_project(store)
    assert (await publish.check(pid, config())).ok
    outage = github.faults.add(FaultRule("status", status=503, times=None))
    await publish.queue_publish(pid, config())
    engine.start()
    try:
        engine.outbox_changed()
        await _until(lambda: _row(store, KIND_PUBLISH).attempts >= 1)

        conversations.queue_message(session_id, "Your table is booked")
        engine.outbox_changed()
        await _until(lambda: _sent(sandbox, session_id, "Your table is booked") == 1)
        waiting = _row(store, KIND_PUBLISH)
        assert waiting.status == "pending"  # still retrying behind its own lane
        assert "503" in (waiting.last_error or "")
        assert engine.status.online  # a GitHub outage is not the platform's

        github.faults.clear()
        await _until(lambda: _row(store, KIND_PUBLISH).status == "done")
        delivered = _row(store, KIND_PUBLISH)
    finally:
        await engine.stop()
        await gh.aclose()
        await client.aclose()
    # One request per failed attempt: no HTTP retries stacked under the outbox's.
    assert outage.hits == delivered.attempts - 1
    assert _sent(sandbox, session_id, "Your table is booked") == 1
    assert github.commit_count(LOGIN, "flower-shop") == 2  # auto-init, then one publish
    store.close()


def _sent(sandbox: PlatformSandbox, session_id: str, text: str) -> int:
    return sum(1 for m in sandbox.messages(session_id) if m.role == "human" and m.text == text)
