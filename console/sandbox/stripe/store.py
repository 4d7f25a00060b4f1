"""SQLite state of the Stripe sandbox (stdlib sqlite3, one file, survives restarts).

Every Stripe object is one row (its public JSON, plus sandbox-only data such as
a checkout session's line items). Lists read rows of one type newest first.
One connection is shared by the server thread and the test thread behind a
re-entrant lock; `transaction()` nests.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

JSON = dict[str, Any]

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    created INTEGER NOT NULL,
    data TEXT NOT NULL,
    internal TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS objects_by_type ON objects(type, created);
CREATE TABLE IF NOT EXISTS idempotency (
    api_key TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    created INTEGER NOT NULL,
    PRIMARY KEY (api_key, key)
);
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    enabled_events TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    url TEXT NOT NULL,
    status INTEGER,
    error TEXT,
    attempted_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class WebhookEndpoint:
    """Where events are POSTed, and the `whsec_` secret that signs them."""

    id: str
    url: str
    secret: str
    enabled_events: tuple[str, ...]
    created: int

    def wants(self, event_type: str) -> bool:
        for pattern in self.enabled_events:
            if pattern in {"*", event_type}:
                return True
            if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
                return True
        return False


@dataclass(frozen=True)
class WebhookDelivery:
    """One attempt to deliver one event to one endpoint."""

    event_id: str
    event_type: str
    endpoint_id: str
    url: str
    status: int | None
    error: str | None
    attempted_at: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class StripeStore:
    """Typed access to the sandbox's SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One SQLite transaction under the lock; nested calls join the outer one."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self._conn
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

    # --- objects ----------------------------------------------------------
    def put(self, obj: JSON, internal: JSON | None = None) -> JSON:
        """Insert or replace an object (keeps its list position); returns it."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO objects (id, type, created, data, internal) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET data = excluded.data,"
                " internal = CASE WHEN ? THEN excluded.internal ELSE objects.internal END",
                (
                    obj["id"],
                    obj["object"],
                    int(obj.get("created", 0)),
                    json.dumps(obj),
                    json.dumps(internal or {}),
                    internal is not None,
                ),
            )
        return obj

    def insert_if_missing(self, obj: JSON, internal: JSON | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO objects (id, type, created, data, internal)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    obj["id"],
                    obj["object"],
                    int(obj.get("created", 0)),
                    json.dumps(obj),
                    json.dumps(internal or {}),
                ),
            )

    def get(self, object_id: str, kind: str | None = None) -> JSON | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT type, data FROM objects WHERE id = ?", (object_id,)
            ).fetchone()
        if row is None or (kind is not None and row["type"] != kind):
            return None
        data: JSON = json.loads(row["data"])
        return data

    def internal(self, object_id: str) -> JSON:
        with self._lock:
            row = self._conn.execute(
                "SELECT internal FROM objects WHERE id = ?", (object_id,)
            ).fetchone()
        data: JSON = {} if row is None else json.loads(row["internal"])
        return data

    def all(self, kind: str) -> list[JSON]:
        """Every object of a type, newest first (Stripe's list order)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT data FROM objects WHERE type = ? ORDER BY created DESC, seq DESC", (kind,)
            ).fetchall()
        return [json.loads(r["data"]) for r in rows]

    # --- idempotency --------------------------------------------------------
    def idempotent(self, api_key: str, key: str) -> tuple[str, int, bytes] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT fingerprint, status, body FROM idempotency WHERE api_key = ? AND key = ?",
                (api_key, key),
            ).fetchone()
        return None if row is None else (row["fingerprint"], row["status"], bytes(row["body"]))

    def remember(
        self, api_key: str, key: str, fingerprint: str, status: int, body: bytes, now: int
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO idempotency VALUES (?, ?, ?, ?, ?, ?)",
                (api_key, key, fingerprint, status, body, now),
            )
            # Stripe keeps keys for 24 hours.
            conn.execute("DELETE FROM idempotency WHERE created < ?", (now - 86_400,))

    # --- webhooks -----------------------------------------------------------
    def add_endpoint(self, endpoint: WebhookEndpoint) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO webhook_endpoints VALUES (?, ?, ?, ?, ?)",
                (
                    endpoint.id,
                    endpoint.url,
                    endpoint.secret,
                    json.dumps(list(endpoint.enabled_events)),
                    endpoint.created,
                ),
            )

    def remove_endpoint(self, endpoint_id: str) -> bool:
        with self.transaction() as conn:
            cursor = conn.execute("DELETE FROM webhook_endpoints WHERE id = ?", (endpoint_id,))
            return cursor.rowcount > 0

    def endpoints(self) -> list[WebhookEndpoint]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM webhook_endpoints ORDER BY created, id"
            ).fetchall()
        return [
            WebhookEndpoint(
                id=r["id"],
                url=r["url"],
                secret=r["secret"],
                enabled_events=tuple(json.loads(r["enabled_events"])),
                created=r["created"],
            )
            for r in rows
        ]

    def record_delivery(self, delivery: WebhookDelivery) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO deliveries (event_id, event_type, endpoint_id, url, status, error,"
                " attempted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    delivery.event_id,
                    delivery.event_type,
                    delivery.endpoint_id,
                    delivery.url,
                    delivery.status,
                    delivery.error,
                    delivery.attempted_at,
                ),
            )

    def deliveries(self, event_id: str | None = None) -> list[WebhookDelivery]:
        sql = "SELECT * FROM deliveries"
        params: tuple[Any, ...] = ()
        if event_id is not None:
            sql += " WHERE event_id = ?"
            params = (event_id,)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY seq", params).fetchall()
        return [
            WebhookDelivery(
                event_id=r["event_id"],
                event_type=r["event_type"],
                endpoint_id=r["endpoint_id"],
                url=r["url"],
                status=r["status"],
                error=r["error"],
                attempted_at=r["attempted_at"],
            )
            for r in rows
        ]
