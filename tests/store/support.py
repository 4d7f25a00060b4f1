"""A store as a console leaves it (drafts, an unsent reply, a big cache) and ways to damage it."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from console.services.conversations import POST_MESSAGE
from console.services.sync.outbox import enqueue
from console.store.db import Store
from console.store.models import (
    Blob,
    Conversation,
    CreditTransaction,
    Message,
    Project,
    ProjectFile,
    PublishConfig,
    Setting,
)

PAGE = 4096
FILES = {
    "app/page.tsx": b"export default function Page() {\n  return <main>Acme</main>\n}\n",
    "package.json": b'{"name": "acme-landing", "private": true}\n',
    # Bigger than a page: its content spans a chain of overflow pages.
    "public/hero.svg": b"<svg>"
    + bytes(random.Random(7).randbytes(12_000).hex(), "ascii")
    + b"</svg>",
}
PROJECT = "Acme landing"
REPLY = "Thanks for waiting, I'll book you in for Tuesday."


def build_store(path: Path) -> dict[str, Any]:
    """A store as a console leaves it: drafts and an unsent reply first, then a large cache.

    The drafts and the reply are written first, so their pages come early in
    the file; the platform cache fills the pages after them.
    """
    store = Store(path)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with store.write() as tx:
        session = tx.session
        session.add(Setting(key="accounts", value={"platform_url": "https://platform.example"}))
        project = Project(name=PROJECT, status="draft", source="v0")
        session.add(project)
        session.flush()
        for file_path, data in FILES.items():
            sha = hashlib.sha256(data).hexdigest()
            session.merge(Blob(sha256=sha, size=len(data), data=data))
            session.add(ProjectFile(project_id=project.id, path=file_path, sha256=sha))
        session.add(PublishConfig(project_id=project.id, config={"framework": "nextjs"}))
        # Delivered before the damage: not to be sent again.
        sent = Message(session_id="s1", role="human", text="On it.", delivery="sent")
        session.add(sent)
        session.flush()
        done = enqueue(tx, "conversation:s1", POST_MESSAGE, {"message_id": sent.id})
        done.status = "done"
        session.flush()
        reply = Message(session_id="s1", role="human", text=REPLY, delivery="pending")
        session.add(reply)
        session.flush()
        entry = enqueue(
            tx,
            "conversation:s1",
            POST_MESSAGE,
            {"message_id": reply.id, "session_id": "s1", "text": REPLY},
            depends_on=done.id,
        )
        ids = {"project": project.id, "reply": reply.id, "key": entry.idempotency_key}
    with store.write() as tx:
        tx.session.execute(
            insert(Conversation),
            [
                {
                    "id": f"c{i}",
                    "org_id": "org_1",
                    "channel": "webchat",
                    "status": "active",
                    "customer_name": f"Customer {i}",
                }
                for i in range(1500)
            ],
        )
        tx.session.execute(
            insert(CreditTransaction),
            [
                {
                    "id": f"t{i}",
                    "org_id": "org_1",
                    "kind": "usage",
                    "amount": 1.5,
                    "description": f"agent reply {i}",
                    "created_at": start + timedelta(minutes=i),
                }
                for i in range(3000)
            ],
        )
    store.close()
    assert not path.with_name(path.name + "-wal").exists()
    return ids


def page_owner(path: Path, page: int) -> str:
    with sqlite3.connect(path) as connection:
        row = connection.execute("SELECT name FROM dbstat WHERE pageno = ?", (page,)).fetchone()
    return str(row[0])


def damage(path: Path, offset: int, length: int) -> bytes:
    with path.open("r+b") as file:
        file.seek(offset)
        file.write(random.Random(offset).randbytes(length))
    return path.read_bytes()
