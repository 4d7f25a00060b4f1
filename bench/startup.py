"""Cold start to the first rows of data on screen, against a bare PySide6 window.

Both sides are timed from spawning the process to the first paint of an item
view that shows rows (bench/startup_child.py says exactly what counts):

- the console, on a data folder as a long-used console has it: 10,000
  conversations with 100,000 cached messages, and PROJECTS projects of the
  agency and its clients. It opens on Projects, whose rows come from the
  store's cache, read while the embedded sandbox is still starting (no
  account is configured); the run checks that the rows painted are the
  cached ones, not the sandbox's after a sync;
- the baseline: a bare QMainWindow holding a QTableView over a 50-row
  QStandardItemModel, first rows painted. A bare window's first paint would
  leave out what any PySide6 application pays to paint a table (QtWidgets'
  item views, the style's first item paint), so the ratio would blame the
  console for Qt itself; with the same event on both sides the ratio is what
  the console adds: its imports, the store, the query and its pages.

The console's first paint of its window (the shell, before the store opens)
is reported too, against the same baseline, to show where its time goes.
Runs alternate bare and console, so load on a shared machine falls on both.

Run: `.venv/bin/python -m bench.startup` (offscreen). Target: first rows
within 1.5x the bare window's.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.report import Figure, table

ROOT = Path(__file__).resolve().parents[1]
CHILD = ROOT / "bench" / "startup_child.py"
RUNS = 9
CONVERSATIONS = 10_000
MESSAGES = 100_000
PROJECTS = 240
CLIENTS = 8
#: Every project the store holds is named so; the sandbox's are not.
PROJECT_NAME = "Cached project"
CHILD_TIMEOUT_S = 120


@dataclass(frozen=True)
class Start:
    """One start, in seconds from spawning the child (timed here, with perf_counter).

    The child's own clock (/proc ticks) has a 10 ms resolution, a tenth of a
    bare window's start, so the parent times the lines as they arrive.
    """

    window: float
    rows: float
    view: str
    row_count: int
    first_row: str


def _start(*args: str) -> Start:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, str(CHILD), *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,  # a file: chatter cannot fill a pipe and stall the child
            text=True,
        )
        window: float | None = None
        try:
            assert child.stdout is not None
            for line in child.stdout:
                elapsed = time.perf_counter() - started
                if line.startswith("window ") and window is None:
                    window = elapsed
                elif line.startswith("rows "):
                    _, _, view, count, *first = line.rstrip("\n").split(" ")
                    return Start(window or elapsed, elapsed, view, int(count), " ".join(first))
            errors.seek(0)
            raise RuntimeError(f"{args[0]}: no rows painted: {errors.read()[-2000:]}")
        finally:
            child.kill()
            child.wait(CHILD_TIMEOUT_S)


def fill_store(
    data_dir: Path,
    conversations: int = CONVERSATIONS,
    messages: int = MESSAGES,
    projects: int = PROJECTS,
) -> None:
    """Write a store as a long-used console has it: organizations, projects, conversations."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from console.store.db import Store
    from console.store.models import Conversation, Message, Organization, Project

    store = Store(data_dir / "console.sqlite3")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    orgs = [{"id": "org_agency", "parent_id": None, "name": "Northwind Digital"}] + [
        {"id": f"org_{i}", "parent_id": "org_agency", "name": f"Client {i}"} for i in range(CLIENTS)
    ]
    with store.write() as tx:
        tx.session.execute(insert(Organization), orgs)
        tx.session.execute(
            insert(Project),
            [
                {
                    "remote_id": f"app_{i}",
                    "org_id": orgs[i % len(orgs)]["id"],
                    "name": f"{PROJECT_NAME} {i}",
                    "slug": f"cached-project-{i}",
                    "description": f"A cached builder app, number {i}.",
                    "status": ("draft", "published", "deployed")[i % 3],
                    "categories": ["booking"] if i % 2 else [],
                    "source": "platform",
                    "created_at": start + timedelta(hours=i),
                    "updated_at": start + timedelta(hours=i, minutes=5),
                }
                for i in range(projects)
            ],
        )
        tx.session.execute(
            insert(Conversation),
            [
                {
                    "id": f"s{i}",
                    "org_id": f"org_{i % CLIENTS}",
                    "channel": ("whatsapp", "webchat", "sms")[i % 3],
                    "status": "active",
                    "customer_name": f"Customer {i}",
                    "last_message_at": start + timedelta(minutes=i),
                }
                for i in range(conversations)
            ],
        )
        tx.session.execute(
            insert(Message),
            [
                {
                    "remote_id": f"m{i}",
                    "session_id": f"s{i % conversations}",
                    "role": ("customer", "agent")[i % 2],
                    "text": f"Message number {i} about a booking next Tuesday at 10am.",
                    "created_at": start + timedelta(seconds=i),
                }
                for i in range(messages)
            ],
        )
    store.close()


def _start_console(data_dir: Path) -> Start:
    """A console start; the crash file its `os._exit` leaves is removed, as a clean exit does.

    Left in place, the next start would present it as a crash of the last
    session (a dialog, and work no real start does after a clean exit).
    """
    from console.config import Paths
    from console.crash import HardCrashFile

    try:
        return _start("console", str(data_dir))
    finally:
        (Paths.resolve(data_dir).log_dir / HardCrashFile.NAME).unlink(missing_ok=True)


def _check_cached(start: Start) -> None:
    """The console's first rows must be the store's projects, not the sandbox's."""
    if start.row_count != PROJECTS or not start.first_row.startswith(PROJECT_NAME):
        raise RuntimeError(
            f"the console's first rows are not the cached projects: {start.row_count} rows "
            f"in {start.view}, first {start.first_row!r}"
        )


def measure() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        fill_store(data_dir)
        _start("bare")  # warm the page cache for both
        _check_cached(_start_console(data_dir))
        bare: list[Start] = []
        console: list[Start] = []
        for _ in range(RUNS):
            bare.append(_start("bare"))
            console.append(_start_console(data_dir))
    for run in console:
        _check_cached(run)
    bare_rows = statistics.median(run.rows for run in bare)
    return [
        Figure(
            f"cold start to first rows on screen, {MESSAGES // 1000}k cached messages",
            statistics.median(run.rows for run in console),
            "s",
            1.5,
            bare_rows,
        ),
        Figure(
            "  of which: console window's first paint (shell)",
            statistics.median(run.window for run in console),
            "s",
            1.5,
            bare_rows,
        ),
    ]


if __name__ == "__main__":
    print(table(measure()))
