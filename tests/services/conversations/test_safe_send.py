"""Safe sending against the platform sandbox over HTTP: held replies, send anyway, discard.

Each reply records what its author had seen; the platform refuses it (409)
when the customer wrote, someone replied or someone else took over after
that, and the console holds it. Every exchange is checked against
platform.yaml.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.errors import UserInputError
from console.sandbox.faults import FaultRule
from console.sandbox.host import ServedApp, serve
from console.sandbox.platform import PlatformSandbox, SeedScale
from console.sandbox.recording import Exchange, ExchangeRecorder
from console.services.conversations import ConversationService, held_replies, waiting_sessions
from console.services.http import RetryPolicy, build_client
from console.services.platform.client import PlatformClient, api_base_url
from console.services.sync.apply import apply_messages
from console.services.sync.outbox import OutboxProcessor, pending_count
from console.store.db import Store
from console.store.models import Message, OutboxEntry
from tests.services.platform.contract import check_all

SAM = "Sam Operator"


@dataclass
class Setup:
    sandbox: PlatformSandbox
    served: ServedApp
    recorder: ExchangeRecorder
    store: Store

    def client(self, key: str | None = None) -> PlatformClient:
        http = build_client("platform", api_base_url(self.served.url), key or self.sandbox.api_key)
        return PlatformClient(http, policy=RetryPolicy(attempts=2, base=0.01, cap=0.05))

    def posts(self) -> list[Exchange]:
        return [
            e
            for e in self.recorder.exchanges
            if e.method == "POST" and e.path.endswith("/messages")
        ]


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    sandbox = PlatformSandbox(
        tmp_path / "platform.sqlite3", scale=SeedScale(conversations=12, builder_apps=2)
    )
    recorder = ExchangeRecorder(sandbox.app)
    sandbox.faults.app = recorder  # faults outside: the recorder sees what reached the app
    served = serve("platform", sandbox.asgi)
    store = Store(tmp_path / "console.sqlite3")
    yield Setup(sandbox, served, recorder, store)
    store.close()
    served.stop()
    sandbox.close()


async def _taken_conversation(setup: Setup, service: ConversationService) -> str:
    """A webchat conversation the customer wrote in, taken over by Sam, synced to the store."""
    conv = setup.sandbox.start_conversation(channel="webchat")
    setup.sandbox.customer_writes(conv.id, "Where is my order?", agent_replies=False)
    await service.take_over(conv.id)
    client = setup.client()
    try:
        page = await client.list_messages(conv.id, limit=200)
    finally:
        await client.aclose()
    apply_messages(setup.store, page.items)
    return conv.id


def _shown(store: Store, session_id: str) -> int:
    """The highest local message id: what a thread shows."""
    with store.read() as session:
        value = session.scalar(select(func.max(Message.id)).where(Message.session_id == session_id))
    return int(value or 0)


def _message(store: Store, message_id: int) -> Message | None:
    with store.read() as session:
        return session.get(Message, message_id)


def _human_texts(setup: Setup, session_id: str) -> list[str]:
    return [m.text for m in setup.sandbox.messages(session_id) if m.role == "human"]


def _body(exchange: Exchange) -> dict[str, object]:
    body = json.loads(exchange.request_body)
    assert isinstance(body, dict)
    return body


async def test_safe_send_stale_reply_is_409_and_held_with_what_arrived(setup: Setup) -> None:
    client = setup.client()
    service = ConversationService(setup.store, client)
    outbox = OutboxProcessor(setup.store, service.outbox_handlers(), backoff_base=0.0)
    try:
        session_id = await _taken_conversation(setup, service)
        seen = setup.sandbox.messages(session_id)[0]  # what Sam saw: the first question
        reply = service.queue_message(
            session_id, "It left today", author_name=SAM, seen_up_to=_shown(setup.store, session_id)
        )
        setup.sandbox.customer_writes(session_id, "Never mind, it came!", agent_replies=False)

        result = await outbox.drain()
    finally:
        await client.aclose()

    assert (result.delivered, result.failed) == (0, 1)
    assert _human_texts(setup, session_id) == []  # nothing sent
    held = _message(setup.store, reply)
    assert held is not None
    assert (held.delivery, held.error) == ("held", "The customer wrote meanwhile.")
    # What arrived is in the store already (from the 409), without any sync.
    [hold] = held_replies(setup.store, session_id)
    assert hold.message.id == reply
    assert hold.reason == "customer"
    assert [m.text for m in hold.newer] == ["Never mind, it came!"]
    name = setup.sandbox.conversation(session_id).customer_name
    reminder = waiting_sessions(setup.store, setup.sandbox.staff_id)[session_id]
    assert reminder == f"Your reply to {name} is held: The customer wrote meanwhile."
    [post] = setup.posts()
    assert _body(post) == {"text": "It left today", "lastSeenMessageId": seen.id}
    assert post.status == 409
    error = json.loads(post.response_body)["error"]
    assert error["code"] == "stale_context"
    assert [m["text"] for m in error["newerMessages"]] == ["Never mind, it came!"]
    assert check_all(setup.recorder.exchanges) == 3  # take over, read, send: per platform.yaml


async def test_safe_send_send_anyway_delivers_once_with_the_newest_seen(setup: Setup) -> None:
    client = setup.client()
    service = ConversationService(setup.store, client)
    outbox = OutboxProcessor(setup.store, service.outbox_handlers(), backoff_base=0.0)
    try:
        session_id = await _taken_conversation(setup, service)
        reply = service.queue_message(
            session_id, "It left today", author_name=SAM, seen_up_to=_shown(setup.store, session_id)
        )
        newer = setup.sandbox.customer_writes(session_id, "Is it tracked?", agent_replies=False)
        await outbox.drain()
        # The author has read what arrived: the newest message shown now is the precondition.
        service.retry_message(reply, seen_up_to=_shown(setup.store, session_id))
        result = await outbox.drain()
        again = await outbox.drain()
    finally:
        await client.aclose()

    assert (result.delivered, again.delivered) == (1, 0)
    assert _human_texts(setup, session_id) == ["It left today"]  # exactly once
    sent = _message(setup.store, reply)
    assert sent is not None
    assert sent.delivery == "sent"
    assert held_replies(setup.store, session_id) == []
    first, second = setup.posts()
    assert _body(second)["lastSeenMessageId"] == newer.customer_message.id
    assert second.status == 201
    assert second.request_headers["idempotency-key"] != first.request_headers["idempotency-key"]
    check_all(setup.recorder.exchanges)


async def test_safe_send_discard_drops_the_held_reply_unsent(setup: Setup) -> None:
    client = setup.client()
    service = ConversationService(setup.store, client)
    outbox = OutboxProcessor(setup.store, service.outbox_handlers(), backoff_base=0.0)
    try:
        session_id = await _taken_conversation(setup, service)
        reply = service.queue_message(
            session_id, "It left today", author_name=SAM, seen_up_to=_shown(setup.store, session_id)
        )
        setup.sandbox.customer_writes(session_id, "Cancel it please", agent_replies=False)
        await outbox.drain()
        pending = service.queue_message(session_id, "Cancelled.", author_name=SAM)
        with pytest.raises(UserInputError):
            service.discard_message(pending)  # on its way: not discardable

        service.discard_message(reply)
        with pytest.raises(UserInputError):
            service.discard_message(reply)
        await outbox.drain()
        # A reply the platform rejected (failed, not held) can be discarded too.
        setup.sandbox.faults.add(FaultRule(kind="status", status=422, method="POST"))
        rejected = service.queue_message(session_id, "Bad reply", author_name=SAM)
        await outbox.drain()
        failed = _message(setup.store, rejected)
        assert failed is not None
        assert failed.delivery == "failed"
        service.discard_message(rejected)
    finally:
        await client.aclose()

    assert _message(setup.store, reply) is None
    assert _message(setup.store, rejected) is None
    with setup.store.read() as session:
        payloads = [e.payload for e in session.scalars(select(OutboxEntry))]
    assert [p["message_id"] for p in payloads] == [pending]
    assert _human_texts(setup, session_id) == ["Cancelled."]  # the discarded ones never went
    assert held_replies(setup.store, session_id) == []
    assert pending_count(setup.store) == 0


async def test_safe_send_quick_replies_do_not_hold_each_other(setup: Setup) -> None:
    client = setup.client()
    service = ConversationService(setup.store, client)
    outbox = OutboxProcessor(setup.store, service.outbox_handlers(), backoff_base=0.0)
    try:
        session_id = await _taken_conversation(setup, service)
        shown = _shown(setup.store, session_id)
        texts = ["Hi, Sam here.", "Let me check.", "Found it."]
        for text in texts:  # typed while the first ones are still on their way
            service.queue_message(session_id, text, author_name=SAM, seen_up_to=shown)
        unchecked = service.queue_message(session_id, "Anything else?", author_name=SAM)
        result = await outbox.drain()
    finally:
        await client.aclose()

    assert (result.delivered, result.failed) == (4, 0)
    assert _human_texts(setup, session_id) == [*texts, "Anything else?"]
    platform_ids = [m.id for m in setup.sandbox.messages(session_id) if m.role == "human"]
    bodies = [_body(e) for e in setup.posts()]
    # Each reply counts the author's earlier ones as seen once they are sent.
    assert [b.get("lastSeenMessageId") for b in bodies[1:3]] == platform_ids[:2]
    assert "lastSeenMessageId" not in bodies[3]  # queued without a precondition: no check
    sent = _message(setup.store, unchecked)
    assert sent is not None
    assert sent.delivery == "sent"
    check_all(setup.recorder.exchanges)


async def test_safe_send_taken_over_meanwhile_is_held_naming_them(setup: Setup) -> None:
    client = setup.client()
    service = ConversationService(setup.store, client)
    outbox = OutboxProcessor(setup.store, service.outbox_handlers(), backoff_base=0.0)
    elsewhere = setup.client()  # Sam, on another console
    alex = setup.client(setup.sandbox.colleague_api_key)
    try:
        session_id = await _taken_conversation(setup, service)
        reply = service.queue_message(
            session_id, "Refund done", author_name=SAM, seen_up_to=_shown(setup.store, session_id)
        )
        await elsewhere.hand_back(session_id)
        await alex.take_over(session_id)
        await alex.send_message(session_id, text="Alex here, I'll handle the refund.")
        result = await outbox.drain()
    finally:
        for c in (client, elsewhere, alex):
            await c.aclose()

    assert result.failed == 1
    [hold] = held_replies(setup.store, session_id)
    assert hold.message.id == reply
    assert (hold.reason, hold.handler) == ("taken", "Alex Colleague")
    assert hold.headline() == "Alex Colleague took over meanwhile."
    assert [m.text for m in hold.newer] == ["Alex here, I'll handle the refund."]
    assert _human_texts(setup, session_id) == ["Alex here, I'll handle the refund."]
    post = setup.posts()[-1]
    assert post.status == 409
    error = json.loads(post.response_body)["error"]
    assert (error["code"], error["handledBy"]["name"]) == ("handled_by_other", "Alex Colleague")
    check_all(setup.recorder.exchanges)


async def test_safe_send_written_offline_is_checked_at_delivery(setup: Setup) -> None:
    client = setup.client()
    service = ConversationService(setup.store, client)
    outbox = OutboxProcessor(setup.store, service.outbox_handlers(), backoff_base=0.0)
    elsewhere = setup.client()  # the same staff member on another console
    try:
        session_id = await _taken_conversation(setup, service)
        outage = setup.sandbox.faults.add(FaultRule(kind="status", status=503, times=None))
        reply = service.queue_message(
            session_id, "Shipped!", author_name=SAM, seen_up_to=_shown(setup.store, session_id)
        )
        offline = await outbox.drain()
        setup.sandbox.faults.clear()
        answered = await elsewhere.send_message(session_id, text="It shipped this morning.")
        online = await outbox.drain()
    finally:
        await client.aclose()
        await elsewhere.aclose()

    assert outage.hits > 0
    assert offline.blocked_by is not None
    assert online.failed == 1
    [hold] = held_replies(setup.store, session_id)
    assert hold.message.id == reply
    assert hold.reason == "reply"
    assert hold.headline() == "Someone replied meanwhile."
    assert [m.id for m in hold.newer if m.remote_id == answered.id]
    assert _human_texts(setup, session_id) == ["It shipped this morning."]
    check_all([e for e in setup.recorder.exchanges if e.status != 503])
