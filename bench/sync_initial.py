"""Initial sync of 10,000 conversations / 100,000 messages into the store.

The platform sandbox runs in its own process (so its work does not compete
with ours for the GIL, as a real remote would not); this process runs a
QApplication with the qasync loop, the real SyncEngine and a timer probe
that records how late the UI loop gets while the sync runs.

Run: `.venv/bin/python -m bench.sync_initial` (offscreen). Targets: UI loop
lag p99 < 16 ms; time and peak RSS are reported.
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtWidgets import QApplication

from bench.report import Figure, table
from console.app import configure_interpreter
from console.sandbox.host import free_port
from console.services.accounts import Endpoint, platform_client
from console.services.sync.engine import SyncEngine
from console.services.sync.outbox import OutboxProcessor
from console.store.db import Store
from console.views.loop_probe import LoopProbe

CONVERSATIONS = 10_000
MESSAGES = 100_000


def _start_sandbox(folder: Path) -> tuple[subprocess.Popen[str], str, str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "console.sandbox.platform", "--db", str(folder / "p.sqlite3"),
            "--port", str(port), "--traffic", "0", "--conversations", str(CONVERSATIONS),
            "--messages", str(MESSAGES),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"on (http://\S+)/api/v1\s+\(API key: (\S+)\)", line)
        if found:
            return process, found.group(1), found.group(2)
    raise RuntimeError("the platform sandbox did not start")


async def _measure(url: str, key: str, folder: Path) -> list[Figure]:
    configure_interpreter()
    probe = LoopProbe()
    # Baseline: the same probe while the loop has nothing else to do.
    probe.start()
    await asyncio.sleep(2.0)
    probe.stop()
    idle_p99 = probe.percentile(99)

    store = Store(folder / "console.sqlite3")
    client = platform_client(Endpoint(url, key))
    engine = SyncEngine(store, client, OutboxProcessor(store, {}))
    probe.start()
    started = time.perf_counter()
    await engine.initial_sync()
    elapsed = time.perf_counter() - started
    probe.stop()
    await client.aclose()
    with store.read() as session:
        from sqlalchemy import func, select

        from console.store.models import Message

        count = session.scalar(select(func.count()).select_from(Message))
    assert count == MESSAGES, count
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        Figure("initial sync 10k conversations / 100k messages", elapsed, "s", 120.0),
        Figure("UI loop lag p50 during the sync", probe.median(), "ms", 16.0),
        Figure("UI loop lag p99 during the sync", probe.percentile(99), "ms", 16.0),
        Figure("UI loop lag p99 idle (baseline)", idle_p99, "ms", 16.0),
        Figure("peak RSS of the console process after the sync", peak_mb, "MB", 1024.0),
    ]


def measure() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        process, url, key = _start_sandbox(folder)
        try:
            app = QApplication.instance() or QApplication([])
            with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
                return runner.run(_measure(url, key, folder))
        finally:
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    print(table(measure()))
