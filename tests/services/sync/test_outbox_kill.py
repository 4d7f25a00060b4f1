"""1,000 queued writes, a platform failing 30% of requests, a sync process
SIGKILLed at random moments: every write arrives exactly once, in order."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from console.sandbox.faults import FaultRule
from console.sandbox.host import ServedApp
from console.sandbox.platform import PlatformSandbox
from console.services.conversations import ConversationService
from console.services.sync.outbox import pending_count
from console.store.db import Store
from tests.services.sync.conftest import make_client

ROOT = Path(__file__).resolve().parents[3]
WRITES = 1000
SESSIONS = 5


@pytest.mark.subprocess
def test_outbox_survives_kills_and_faults_exactly_once(
    tmp_path: Path, platform: tuple[PlatformSandbox, ServedApp]
) -> None:
    sandbox, served = platform
    sessions = [c.id for c in sandbox.conversations(status="active")[:SESSIONS]]
    client = make_client(served.url, sandbox.api_key)

    async def take_over_all() -> None:
        for session_id in sessions:
            await client.take_over(session_id)

    asyncio.run(take_over_all())
    before = {s: len(sandbox.messages(s)) for s in sessions}

    db = tmp_path / "console.sqlite3"
    store = Store(db)
    service = ConversationService(store, client)
    expected: dict[str, list[str]] = {s: [] for s in sessions}
    for n in range(WRITES):
        session_id = sessions[n % SESSIONS]
        text = f"reply {n:04d}"
        service.queue_message(session_id, text)
        expected[session_id].append(text)
    store.close()

    # 30% of message posts fail: half before the platform acts (503), half
    # after it acted but before the answer reached us (lost response).
    path = r"/api/v1/conversations/[^/]+/messages$"
    sandbox.faults.add(FaultRule("status", path=path, method="POST", times=None, probability=0.15))
    sandbox.faults.add(
        FaultRule("lost_response", path=path, method="POST", times=None, probability=0.15)
    )

    rng = random.Random(20261123)
    kills = 0
    max_kills = 25  # then let it finish: enough to hit every phase of delivery
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    while True:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.services.sync.outbox_worker",
                str(db),
                served.url,
                sandbox.api_key,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            worker.wait(timeout=rng.uniform(0.8, 2.5) if kills < max_kills else 240)
        except subprocess.TimeoutExpired:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            kills += 1
            continue
        assert worker.stdout is not None
        if "drained" in worker.stdout.read():
            break
        assert time.monotonic() - started < 240, "the outbox never drained"
    elapsed = time.monotonic() - started
    sandbox.faults.clear()

    delivered = {
        s: [m.text for m in sandbox.messages(s)[before[s] :] if m.role == "human"] for s in sessions
    }
    all_texts = [t for texts in delivered.values() for t in texts]
    duplicates = [t for t, n in Counter(all_texts).items() if n > 1]
    lost = sorted(set(t for ts in expected.values() for t in ts) - set(all_texts))
    print(
        f"\noutbox kill test: {WRITES} writes, {kills} SIGKILLs, 30% faults, "
        f"{elapsed:.1f} s, lost {len(lost)}, duplicated {len(duplicates)}"
    )
    assert kills >= 3
    assert lost == []
    assert duplicates == []
    assert delivered == expected  # in order per conversation
    assert pending_count(Store(db)) == 0
