"""Inbox and thread with 10,000 sessions / 100,000 messages in the store.

Fills a store directly (bulk SQL, the shape the sync writes), opens the
Conversations page offscreen at 1280x800 and measures the UI thread's work
per frame:

- scrolling the inbox: one wheel-sized step, then a synchronous repaint,
  over 6,000 rows (pages of rows load as it goes);
- opening a 1,000-message thread (every bubble measured once), then
  scrolling it the same way;
- filtering and searching: UI-loop lateness (a 5 ms timer probe) while the
  filters change and the queries run in a worker thread, plus the time the
  UI thread spends applying each result;
- peak RSS over all of it (the fill included, written in batches so the
  bench's own data does not set the peak).

Frames are timed twice: wall clock, and the UI thread's own CPU time (the
UI work itself, which other processes on a shared machine cannot inflate).

Run: `.venv/bin/python -m bench.inbox_scroll`. Targets: p99 < 16 ms per frame;
peak RSS at most 250 MB with the 100,000 messages cached.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtWidgets import QApplication
from sqlalchemy import insert

from bench.report import Figure, table
from console.app import configure_interpreter
from console.services.conversations import ConversationService
from console.services.platform.models import StaffRef
from console.store import models as m
from console.store.db import Store
from console.views.bridge import StoreBridge
from console.views.conversations.notify import RecordingNotifier
from console.views.conversations.page import ConversationsPage
from console.views.loop_probe import LoopProbe
from console.views.messages import MessageBridge
from console.views.tasks import TaskRunner

SESSIONS = 10_000
MESSAGES = 100_000
LONG_THREAD = 1_000
#: Messages per INSERT while filling the store.
FILL_BATCH = 5_000
WORDS = [
    "booking",
    "table",
    "order",
    "delivery",
    "refund",
    "invoice",
    "parking",
    "tomorrow",
    "friday",
    "price",
    "menu",
    "vegan",
    "appointment",
    "cancel",
    "change",
    "address",
    "opening",
    "hours",
    "thanks",
    "please",
    "card",
    "payment",
    "gift",
    "voucher",
]
NAMES = [
    "Ada",
    "Ben",
    "Chloe",
    "Dan",
    "Eva",
    "Finn",
    "Gia",
    "Hugo",
    "Isla",
    "Jon",
    "Kim",
    "Leo",
    "Mia",
    "Noah",
    "Olga",
    "Pia",
    "Quinn",
    "Rosa",
]


def fill_store(store: Store) -> str:
    """10k sessions, 100k messages; returns the id of the long thread."""
    rng = random.Random(3)
    now = datetime.now(UTC)
    orgs = [{"id": "org_agency", "parent_id": None, "name": "Northwind Digital"}] + [
        {"id": f"org_{n}", "parent_id": "org_agency", "name": f"Client {n}"} for n in range(12)
    ]
    agents = [
        {"id": f"agt_{n}", "org_id": orgs[n % len(orgs)]["id"], "name": f"Agent {n}"}
        for n in range(16)
    ]
    sessions: list[dict[str, Any]] = []
    for n in range(SESSIONS):
        last = now - timedelta(minutes=n * 7 + rng.randint(0, 5))
        status = rng.choices(["active", "handed_off", "closed"], [5, 1, 4])[0]
        sessions.append(
            {
                "id": f"ses_{n:05d}",
                "org_id": orgs[n % len(orgs)]["id"],
                "agent_id": agents[n % len(agents)]["id"],
                "channel": rng.choice(["whatsapp", "webchat", "sms"]),
                "status": status,
                "customer_name": f"{rng.choice(NAMES)} {rng.choice(NAMES)}son",
                "customer_handle": f"+44 7700 {n:06d}",
                "handled_by": "Sam Operator" if status == "handed_off" else None,
                "handled_by_id": "stf_me" if status == "handed_off" else None,
                "handoff_requested": status == "active" and rng.random() < 0.03,
                "last_message_at": last,
                "last_customer_message_at": last,
                "message_count": 10,
                "credits_spent": rng.randint(0, 40) / 2,
                "unread": rng.choice([0, 0, 0, 1, 2]),
                "preview": " ".join(rng.choices(WORDS, k=12)),
                "updated_at": last,
            }
        )
    long_id = str(sessions[0]["id"])
    with store.write() as tx:
        tx.session.execute(insert(m.Organization), orgs)
        tx.session.execute(insert(m.Agent), agents)
        tx.session.execute(insert(m.Conversation), sessions)
        # Written in batches as they are made: 100,000 message dicts held at
        # once would be the bench's memory (~55 MB), not the console's, and
        # the peak RSS figure is about the console.
        messages = _messages(rng, sessions)
        while batch := list(itertools.islice(messages, FILL_BATCH)):
            tx.session.execute(insert(m.Message), batch)
    return long_id


def _messages(rng: random.Random, sessions: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """MESSAGES messages: LONG_THREAD in the first session, the rest spread evenly."""
    per_session = (MESSAGES - LONG_THREAD) // (SESSIONS - 1)
    made = 0
    message: dict[str, Any] = {}
    for n, session in enumerate(sessions):
        count = LONG_THREAD if n == 0 else per_session
        for k in range(count):
            role = ("customer", "agent")[k % 2]
            message = {
                "remote_id": f"msg_{n:05d}_{k:04d}",
                "session_id": session["id"],
                "role": role,
                "author_name": session["customer_name"] if role == "customer" else "Agent",
                "text": " ".join(rng.choices(WORDS, k=rng.randint(4, 40))),
                "created_at": session["last_message_at"] - timedelta(seconds=(count - k) * 30),
                "delivery": "sent",
            }
            made += 1
            yield message
    # The division leaves a remainder: copies of the last message make up the count.
    for extra in range(made, MESSAGES):
        yield dict(message, remote_id=f"msg_extra_{extra}")


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _wait(task: asyncio.Task[Any] | None) -> None:
    while task is not None and not task.done():
        await asyncio.sleep(0.001)


async def _scroll_frames(view: Any, steps: int, step_px: int) -> tuple[list[float], list[float]]:
    """Per step: scroll (fetchMore runs inside) and a synchronous repaint; then
    the loop runs whatever the view deferred (the probe catches that part).

    Returns:
        (wall-clock ms, UI-thread CPU ms) per frame. The CPU figure is the UI
        work itself; on a shared machine the wall figure also holds the time
        other processes had the core.
    """
    bar = view.verticalScrollBar()
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(steps):
        wall, cpu = time.perf_counter(), time.thread_time()
        bar.setValue(bar.value() + step_px)
        view.viewport().repaint()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.thread_time() - cpu) * 1000)
        await asyncio.sleep(0.001)
    return walls, cpus


async def _measure(folder: Path) -> list[Figure]:
    configure_interpreter()
    store = Store(folder / "console.sqlite3")
    started = time.perf_counter()
    long_id = fill_store(store)
    fill_s = time.perf_counter() - started
    bridge = StoreBridge(store)
    messages = MessageBridge()
    tasks = TaskRunner(messages)
    service = ConversationService(store, None)  # type: ignore[arg-type]  # no remote calls here
    page = ConversationsPage(
        store,
        bridge,
        service,
        tasks,
        messages,
        staff=StaffRef("stf_me", "Sam Operator"),
        notifier=RecordingNotifier(),
    )
    page.resize(1280, 800)
    page.show()
    opened = time.perf_counter()
    await _wait(page.query_task)
    first_s = time.perf_counter() - opened
    view = page.inbox_view

    scroll_probe = LoopProbe()
    scroll_probe.start()
    inbox_frames, inbox_cpu = await _scroll_frames(view, 2000, 222)  # 3 rows a step, ~6,000 rows
    loaded = page.inbox_model.rowCount()
    opening = time.perf_counter()
    page.open_session(long_id)
    page.thread_view.viewport().repaint()
    open_ms = (time.perf_counter() - opening) * 1000
    page.thread_view.scrollToTop()
    thread_frames, thread_cpu = await _scroll_frames(page.thread_view, 600, 120)
    scroll_probe.stop()

    probe = LoopProbe()
    probe.start()
    apply_ms: list[float] = []
    for _ in range(3):
        for combo in (page.status_combo, page.channel_combo, page.client_combo, page.date_combo):
            for index in range(combo.count()):
                combo.setCurrentIndex(index)
                await _wait(page.query_task)
                await asyncio.sleep(0.02)
            combo.setCurrentIndex(0)
            await _wait(page.query_task)
        for checkbox in (page.unread_check, page.needs_human_check):
            checkbox.setChecked(True)
            await _wait(page.query_task)
            checkbox.setChecked(False)
            await _wait(page.query_task)
    for word in ("refund", "vegan gift", "parking", "zzz-no-match"):
        page.search_edit.setText(word)
        page.refresh(reset=True)
        await _wait(page.query_task)
        await asyncio.sleep(0.02)
    page.search_edit.setText("")
    probe.stop()
    # The UI thread's own share of a filter change: applying a result.
    for _ in range(20):
        task = page.refresh(reset=True)
        await _wait(task)
        result = task.result()
        t0 = time.perf_counter()
        page.inbox_model.set_result(result.ids, result.rows)
        view.viewport().repaint()
        apply_ms.append((time.perf_counter() - t0) * 1000)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    tasks.cancel_all()
    bridge.detach()
    page.close()
    store.close()
    p = _percentile
    return [
        Figure(f"fill store: {SESSIONS:,} sessions / {MESSAGES:,} messages", fill_s, "s", 60.0),
        Figure("inbox first page shown after opening", first_s * 1000, "ms", 250.0),
        Figure(f"inbox scroll frame p50 ({loaded:,} rows loaded)", p(inbox_frames, 50), "ms", 16.0),
        Figure("inbox scroll frame p99 (wall clock)", p(inbox_frames, 99), "ms", 16.0),
        Figure("inbox scroll frame p99 (UI-thread CPU)", p(inbox_cpu, 99), "ms", 16.0),
        Figure(
            f"thread scroll frame p99, {LONG_THREAD:,} messages (wall clock)",
            p(thread_frames, 99),
            "ms",
            16.0,
        ),
        Figure("thread scroll frame p99 (UI-thread CPU)", p(thread_cpu, 99), "ms", 16.0),
        # A one-off action, not a frame: a quarter second still feels immediate.
        Figure(f"open a {LONG_THREAD:,}-message thread, first time", open_ms, "ms", 250.0),
        Figure("while scrolling: UI loop lateness p99", scroll_probe.percentile(99), "ms", 16.0),
        Figure("filter/search: UI loop lateness p50", probe.median(), "ms", 16.0),
        Figure("filter/search: UI loop lateness p99", probe.percentile(99), "ms", 16.0),
        Figure("filter: apply a result on the UI thread p99", p(apply_ms, 99), "ms", 16.0),
        Figure("peak RSS", rss_mb, "MB", 250.0),
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
