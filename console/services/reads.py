"""What a view holds to read the local store: an opaque handle.

Views never open the store themselves: they pass this handle to the query
functions of the services (for example `console.services.deploy.queries`,
`console.services.conversations.thread_messages`), which return plain frozen
dataclasses, and run them off the UI thread (a ViewTask around
`asyncio.to_thread`) where a read can take long. Typed as the store so the
query functions need no adapter; views only pass it on.
"""

from __future__ import annotations

from console.store.db import Store as StoreHandle

__all__ = ["StoreHandle"]
