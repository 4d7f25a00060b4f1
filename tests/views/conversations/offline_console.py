"""A console process for the offline kill test: sync, lose the platform, type replies.

Run as `python -m tests.views.conversations.offline_console DB URL KEY STAFF_ID
SESSION...`. It builds the Conversations page on the store `DB` with the real
sync engine, syncs while online and prints `synced`; once the engine reports
the platform offline (the test makes it answer 503) it opens each session,
types 10 replies into the composer with Enter, prints `queued <pending
shown>`, and keeps running (its engine retrying) until the test SIGKILLs it.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from console.services.conversations import ConversationService
from console.services.platform.models import StaffRef
from console.services.sync.engine import SyncEngine
from console.services.sync.outbox import OutboxProcessor
from console.store.db import Store
from console.views.bridge import StoreBridge
from console.views.conversations.notify import RecordingNotifier
from console.views.conversations.page import ConversationsPage
from console.views.messages import MessageBridge
from console.views.tasks import TaskRunner
from tests.views.conversations.conftest import make_client

REPLIES_PER_SESSION = 10


def reply_text(session_index: int, n: int) -> str:
    return f"offline reply {session_index}.{n}"


async def run(db: Path, url: str, key: str, staff_id: str, sessions: list[str]) -> None:
    store = Store(db)
    client = make_client(url, key)
    service = ConversationService(store, client, on_queued=lambda: engine.outbox_changed())
    outbox = OutboxProcessor(store, service.outbox_handlers(), backoff_base=0.0, backoff_cap=0.2)
    # Polling, so the outage shows at the next poll: an event stream opened
    # before the outage would stay up (faults hit new requests only).
    engine = SyncEngine(
        store, client, outbox, poll_interval=0.05, outbox_interval=0.2, use_stream=False
    )
    messages = MessageBridge()
    page = ConversationsPage(
        store,
        StoreBridge(store),
        service,
        TaskRunner(messages),
        messages,
        staff=StaffRef(staff_id, "Sam Operator"),
        notifier=RecordingNotifier(),
    )
    page.resize(1200, 760)
    page.show()
    await engine.initial_sync()
    engine.start()
    print("synced", flush=True)
    while engine.status.mode != "offline":
        await asyncio.sleep(0.02)
    pending_shown = 0
    for index, session_id in enumerate(sessions):
        page.open_session(session_id)
        if not page.composer.isEnabled():
            raise RuntimeError(f"cannot reply in {session_id}: {page.label_pill.text()}")
        for n in range(REPLIES_PER_SESSION):
            QTest.keyClicks(page.composer, reply_text(index, n))
            QTest.keyClick(page.composer, Qt.Key.Key_Return)
        await asyncio.sleep(0)
        pending_shown += sum(
            1 for m in page.thread_model.messages() if m.role == "human" and m.delivery == "pending"
        )
    print(f"queued {pending_shown}", flush=True)
    await asyncio.Event().wait()  # until SIGKILL


def main() -> None:
    db, url, key, staff_id, *sessions = sys.argv[1:]
    app = QApplication([])
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(run(Path(db), url, key, staff_id, sessions))


if __name__ == "__main__":
    main()
