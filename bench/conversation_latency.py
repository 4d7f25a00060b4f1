"""Live latency: the sandbox creates a customer message -> the open thread shows it.

A served platform sandbox, the real SyncEngine (event stream, then polling),
the store, StoreBridge and the Conversations page with the session open. For
each of 200 messages the clock starts just before the sandbox writes the
message and stops when the thread view's model inserts its row.

Run: `.venv/bin/python -m bench.conversation_latency` (offscreen).
Targets: p95 < 250 ms with the stream; <= poll interval + 100 ms polling.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QApplication

from bench.report import Figure, table
from console.app import configure_interpreter
from console.sandbox.host import serve
from console.sandbox.platform import PlatformSandbox, SeedScale
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

MESSAGES = 200
POLL_INTERVAL = 0.25


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _run(folder: Path, *, stream: bool) -> list[float]:
    sandbox = PlatformSandbox(
        folder / f"platform-{stream}.sqlite3", scale=SeedScale(conversations=60, builder_apps=4)
    )
    served = serve("platform", sandbox.asgi)
    store = Store(folder / f"console-{stream}.sqlite3")
    http = build_client("platform", api_base_url(served.url), sandbox.api_key)
    client = PlatformClient(http, policy=RetryPolicy(attempts=2, base=0.01, cap=0.05))
    service = ConversationService(store, client)
    engine = SyncEngine(
        store,
        client,
        OutboxProcessor(store, service.outbox_handlers()),
        poll_interval=POLL_INTERVAL,
        use_stream=stream,
    )
    bridge = StoreBridge(store)
    messages = MessageBridge()
    tasks = TaskRunner(messages)
    page = ConversationsPage(
        store,
        bridge,
        service,
        tasks,
        messages,
        staff=StaffRef(sandbox.staff_id, "Sam Operator"),
        notifier=RecordingNotifier(),
    )
    page.resize(1200, 800)
    page.show()
    try:
        await engine.initial_sync()
        engine.start()
        deadline = time.monotonic() + 10
        while engine.status.mode != ("stream" if stream else "polling"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"engine did not reach its mode: {engine.status}")
            await asyncio.sleep(0.02)
        conv = sandbox.start_conversation(channel="webchat")
        await asyncio.sleep(0.5)
        page.open_session(conv.id)
        model = page.thread_model
        arrived: dict[str, float] = {}

        def _on_rows_inserted(_parent: QModelIndex, first: int, last: int) -> None:
            now = time.perf_counter()
            for row in range(first, last + 1):
                message = model.message_at(row)
                if message is not None:
                    arrived.setdefault(message.text, now)

        model.rowsInserted.connect(_on_rows_inserted)

        def _on_model_reset() -> None:
            if model.rowCount():
                _on_rows_inserted(QModelIndex(), 0, model.rowCount() - 1)

        model.modelReset.connect(_on_model_reset)
        latencies: list[float] = []
        rng = random.Random(7)
        for n in range(MESSAGES):
            text = f"latency probe {n}"
            started = time.perf_counter()
            await asyncio.to_thread(sandbox.customer_writes, conv.id, text, agent_replies=False)
            while text not in arrived:
                if time.perf_counter() - started > 5:
                    raise RuntimeError(f"message {n} never showed")
                await asyncio.sleep(0.002)
            latencies.append((arrived[text] - started) * 1000)
            # Spread arrivals over the poll cycle, like real customers.
            await asyncio.sleep(rng.uniform(0.0, POLL_INTERVAL))
        return latencies
    finally:
        await engine.stop()
        tasks.cancel_all()
        await client.aclose()
        bridge.detach()
        page.close()
        store.close()
        served.stop()
        sandbox.close()


async def _measure(folder: Path) -> list[Figure]:
    configure_interpreter()
    stream = await _run(folder, stream=True)
    polling = await _run(folder, stream=False)
    poll_ms = POLL_INTERVAL * 1000
    return [
        Figure(f"stream: p50 latency, {MESSAGES} messages", statistics.median(stream), "ms", 250.0),
        Figure(f"stream: p95 latency, {MESSAGES} messages", _percentile(stream, 95), "ms", 250.0),
        Figure(
            f"polling every {poll_ms:.0f} ms: p50 latency",
            statistics.median(polling),
            "ms",
            poll_ms + 100,
        ),
        Figure(
            f"polling every {poll_ms:.0f} ms: p95 latency",
            _percentile(polling, 95),
            "ms",
            poll_ms + 100,
        ),
    ]


def measure() -> list[Figure]:
    """Run the benchmark; the figures as data (`bench.run_all` collects them)."""
    with tempfile.TemporaryDirectory() as tmp:
        app = QApplication.instance() or QApplication([])
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            return runner.run(_measure(Path(tmp)))


def main() -> None:
    """Print the figures as a table."""
    print(table(measure()))


if __name__ == "__main__":
    main()
