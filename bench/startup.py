"""Cold start to the first painted window, against a bare PySide6 window.

Run: `.venv/bin/python -m bench.startup` (offscreen). Target: <= 2.0x the bare
window, with 100,000 cached messages in the store.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import Figure, table

ROOT = Path(__file__).resolve().parents[1]
CHILD = ROOT / "bench" / "startup_child.py"
RUNS = 9


def _start_time(*args: str) -> float:
    """Seconds from spawning the child to its first painted frame.

    Timed here with perf_counter: the child's own clock (/proc ticks) has a
    10 ms resolution, a tenth of a bare window's start.
    """
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(CHILD), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("painted "):
                return time.perf_counter() - started
        errors = child.stderr.read() if child.stderr else ""
        raise RuntimeError(f"child did not paint: {errors[-2000:]}")
    finally:
        child.kill()
        child.wait(10)


def fill_store(data_dir: Path, conversations: int = 10_000, messages: int = 100_000) -> None:
    """Write a store holding `messages` cached messages, as a long-used console has."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from console.store.db import Store
    from console.store.models import Conversation, Message

    store = Store(data_dir / "console.sqlite3")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with store.write() as tx:
        tx.session.execute(
            insert(Conversation),
            [
                {
                    "id": f"s{i}",
                    "org_id": f"org_{i % 8}",
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


def measure() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        fill_store(data_dir)
        _start_time("bare")  # warm the page cache for both
        _start_time("console", str(data_dir))
        bare = statistics.median(_start_time("bare") for _ in range(RUNS))
        console = statistics.median(_start_time("console", str(data_dir)) for _ in range(RUNS))
    return [
        Figure("cold start to first paint, 100k cached messages", console, "s", 2.0, bare),
    ]


if __name__ == "__main__":
    print(table(measure()))
