"""A sync process for the kill test: deliver the store's outbox, then exit.

Run as `python -m tests.services.sync.outbox_worker DB URL KEY`; prints
`drained` when nothing is pending. The test SIGKILLs it at random moments.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from console.services.conversations import ConversationService
from console.services.sync.outbox import OutboxProcessor, pending_count
from console.store.db import Store
from tests.services.sync.conftest import make_client


async def drain(db: Path, url: str, key: str) -> None:
    store = Store(db)
    client = make_client(url, key, attempts=1)
    service = ConversationService(store, client)
    outbox = OutboxProcessor(store, service.outbox_handlers(), backoff_base=0.0, backoff_cap=0.0)
    while pending_count(store):
        await outbox.drain()
    print("drained", flush=True)


if __name__ == "__main__":
    asyncio.run(drain(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
