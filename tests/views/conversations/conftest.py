"""A served platform sandbox, a store, a sync engine and the Conversations page.

`console_factory(path)` builds one "console" (store on `path`, platform
client, service, outbox, engine, page) and `Console.kill()` drops it the way
a crash would: tasks cancelled, nothing flushed or finished. Several consoles
can share one sandbox, each with its own `ConsoleNetwork` (take one console
offline, or stall its sync, while the platform stays up for the others).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from console import resources
from console.sandbox.host import ServedApp, serve
from console.sandbox.platform import PlatformSandbox, SeedScale, TrafficConfig
from console.services.conversations import ConversationService
from console.services.http import RetryPolicy, build_client
from console.services.platform.client import PlatformClient, api_base_url
from console.services.platform.models import StaffRef
from console.services.sync.engine import SyncEngine
from console.services.sync.outbox import OutboxProcessor
from console.store.db import Store
from console.views.bridge import StoreBridge
from console.views.conversations.notify import RecordingNotifier
from console.views.conversations.page import ConversationsPage
from console.views.messages import MessageBridge
from console.views.tasks import TaskRunner

Platform = tuple[PlatformSandbox, ServedApp]


@pytest.fixture
def traffic() -> TrafficConfig | None:
    """Live traffic in the served sandbox; a test module overrides this to turn it on."""
    return None


@pytest.fixture
def platform(tmp_path: Path, traffic: TrafficConfig | None) -> Iterator[Platform]:
    sandbox = PlatformSandbox(
        tmp_path / "platform.sqlite3",
        scale=SeedScale(conversations=40, builder_apps=4),
        traffic=traffic,
    )
    served = serve("platform", sandbox.asgi)
    yield sandbox, served
    served.stop()
    sandbox.close()


class ConsoleNetwork(httpx.AsyncBaseTransport):
    """One console's connection to the platform, which a test can cut.

    Attributes:
        online: False: every request fails to connect (this console is offline).
        follows: False: only the change log is unreachable, so the console
            has not seen what happened on the platform since (a slow sync).
    """

    def __init__(self) -> None:
        self.online = True
        self.follows = True
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Override httpx.AsyncBaseTransport.handle_async_request."""
        events = request.url.path.endswith(("/events", "/events/stream"))
        if not self.online or (events and not self.follows):
            raise httpx.ConnectError("the test cut this console's network", request=request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Override httpx.AsyncBaseTransport.aclose."""
        await self._inner.aclose()


def make_client(url: str, key: str, network: ConsoleNetwork | None = None) -> PlatformClient:
    http = build_client("platform", api_base_url(url), key, transport=network)
    return PlatformClient(http, policy=RetryPolicy(attempts=2, base=0.01, cap=0.05))


@dataclass
class Console:
    store: Store
    client: PlatformClient
    service: ConversationService
    engine: SyncEngine
    bridge: StoreBridge
    messages: MessageBridge
    tasks: TaskRunner
    notifier: RecordingNotifier
    page: ConversationsPage
    errors: list[Any] = field(default_factory=list)

    def kill(self) -> None:
        """Drop everything without a clean shutdown (the engine's tasks just stop)."""
        self.tasks.cancel_all()
        for task in self.engine._tasks:
            task.cancel()
        self.bridge.detach()
        self.page.close()


@pytest.fixture
def console_factory(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, platform: Platform, tmp_path: Path
) -> Iterator[Callable[..., Console]]:
    sandbox, served = platform
    made: list[Console] = []

    def make(
        db: Path | None = None,
        *,
        use_stream: bool = False,
        repeat_seconds: float = 30.0,
        learn_staff: bool = False,
        colleague: bool = False,
        network: ConsoleNetwork | None = None,
    ) -> Console:
        """One console; `colleague`: signed in as Alex Colleague instead of Sam Operator."""
        store = Store(db or tmp_path / "console.sqlite3")
        key = sandbox.colleague_api_key if colleague else sandbox.api_key
        staff = (
            StaffRef(sandbox.colleague_staff_id, "Alex Colleague")
            if colleague
            else StaffRef(sandbox.staff_id, "Sam Operator")
        )
        client = make_client(served.url, key, network)
        # Queued replies wake the engine's outbox, as in the console.
        service = ConversationService(store, client, on_queued=lambda: engine.outbox_changed())
        outbox = OutboxProcessor(
            store, service.outbox_handlers(), backoff_base=0.0, backoff_cap=0.2
        )
        engine = SyncEngine(
            store,
            client,
            outbox,
            poll_interval=0.05,
            outbox_interval=0.2,
            use_stream=use_stream,
        )
        bridge = StoreBridge(store)
        messages = MessageBridge()
        tasks = TaskRunner(messages)
        notifier = RecordingNotifier()
        page = ConversationsPage(
            store,
            bridge,
            service,
            tasks,
            messages,
            staff=None if learn_staff else staff,
            notifier=notifier,
            repeat_seconds=repeat_seconds,
        )
        qtbot.addWidget(page)
        page.resize(1200, 760)
        page.show()
        console = Console(store, client, service, engine, bridge, messages, tasks, notifier, page)
        messages.error_shown.connect(console.errors.append)
        made.append(console)
        return console

    yield make
    for console in made:
        console.tasks.cancel_all()
        task = asyncio.ensure_future(console.engine.stop())
        qtbot.waitUntil(task.done, timeout=5000)
        close = asyncio.ensure_future(console.client.aclose())
        qtbot.waitUntil(close.done, timeout=5000)
        console.bridge.detach()
        console.store.close()


Shots = Callable[[QWidget, str], None]


@pytest.fixture
def shots(qapp: QApplication, tmp_path: Path) -> Iterator[Shots]:
    """Save a widget as `<name>.png`, painted with the console's style sheet.

    To `$L4_SCREENSHOT_DIR` when set (to look at them), else to tmp_path.
    """
    out = Path(os.environ.get("L4_SCREENSHOT_DIR") or tmp_path)
    previous = qapp.styleSheet()
    qapp.setStyleSheet(resources.stylesheet(False))

    def shoot(widget: QWidget, name: str) -> None:
        path = out / f"{name}.png"
        assert widget.grab().save(str(path))
        assert path.stat().st_size > 10_000

    yield shoot
    qapp.setStyleSheet(previous)
