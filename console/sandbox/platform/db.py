"""SQLite schema of the platform sandbox (stdlib sqlite3, WAL).

Credit amounts are stored as integer hundredths of a credit ("centi"), so
sums never drift; the API shows them as decimal numbers.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

logger = logging.getLogger(__name__)

SCHEMA_VERSION = "1"

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS orgs (
    id TEXT PRIMARY KEY,
    parent_id TEXT REFERENCES orgs(id),
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    tier TEXT NOT NULL,
    kind TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    brand_primary_color TEXT NOT NULL,
    brand_logo_url TEXT,
    status TEXT NOT NULL,
    portal_url TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orgs_parent ON orgs(parent_id, created_at);

CREATE TABLE IF NOT EXISTS staff (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS pools (
    org_id TEXT PRIMARY KEY REFERENCES orgs(id),
    daily INTEGER NOT NULL,
    monthly INTEGER NOT NULL,
    purchased INTEGER NOT NULL,
    last_daily_grant TEXT NOT NULL,
    last_monthly_grant TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS builder_apps (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    architecture TEXT NOT NULL,
    categories TEXT NOT NULL,
    repo_url TEXT,
    production_url TEXT,
    deployment_status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, slug)
);
CREATE INDEX IF NOT EXISTS apps_updated ON builder_apps(updated_at, id);

CREATE TABLE IF NOT EXISTS app_links (
    app_id TEXT NOT NULL REFERENCES builder_apps(id),
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    PRIMARY KEY (app_id, object_type, object_id)
);

CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    key_prefix TEXT NOT NULL DEFAULT 'l4k_app_'
);

CREATE TABLE IF NOT EXISTS oauth_clients (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS agents (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    model TEXT NOT NULL,
    status TEXT NOT NULL,
    channels TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS templates (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    category TEXT NOT NULL,
    body TEXT NOT NULL,
    param_count INTEGER NOT NULL,
    PRIMARY KEY (org_id, name)
);

CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    customer_handle TEXT NOT NULL,
    handled_by_id TEXT,
    handled_by_name TEXT,
    handoff_requested INTEGER NOT NULL,
    last_message_at TEXT NOT NULL,
    last_customer_message_at TEXT,
    message_count INTEGER NOT NULL,
    credits_spent INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conv_updated ON conversations(updated_at, id);
CREATE INDEX IF NOT EXISTS conv_status ON conversations(status, updated_at);

CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL,
    role TEXT NOT NULL,
    author_name TEXT NOT NULL,
    text TEXT NOT NULL,
    template_name TEXT,
    tool_calls INTEGER NOT NULL,
    credits INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_session ON messages(session_id, seq);

CREATE TABLE IF NOT EXISTS credit_tx (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    pool_org_id TEXT NOT NULL,
    org_id TEXT NOT NULL,
    agent_id TEXT,
    session_id TEXT,
    kind TEXT NOT NULL,
    amount INTEGER NOT NULL,
    description TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tx_pool_time ON credit_tx(pool_org_id, created_at, id);
CREATE INDEX IF NOT EXISTS tx_session ON credit_tx(session_id);

CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    root_id TEXT NOT NULL,
    org_id TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_root ON events(root_id, id);

CREATE TABLE IF NOT EXISTS idempotency (
    org_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, key)
);

CREATE TABLE IF NOT EXISTS stripe_events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    handled INTEGER NOT NULL,
    received_at TEXT NOT NULL
);

-- One grant per paid Stripe Checkout Session: the transaction it made, so the
-- console recognises its purchase by the session (`checkoutSessionId`).
CREATE TABLE IF NOT EXISTS stripe_grants (
    checkout_session_id TEXT PRIMARY KEY,
    tx_id TEXT NOT NULL UNIQUE,
    event_id TEXT NOT NULL,
    granted_at TEXT NOT NULL
);
"""


def connect(path: Path | str) -> sqlite3.Connection:
    """Open the database in autocommit mode (transactions are explicit), WAL on files."""
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    if str(path) != ":memory:":
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.executescript(DDL)
    _add_missing_columns(conn)
    return conn


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Columns added after a sandbox file was first made (CREATE IF NOT EXISTS skips them)."""
    have = {row["name"] for row in conn.execute("PRAGMA table_info(api_keys)")}
    if "key_prefix" not in have:
        conn.execute("ALTER TABLE api_keys ADD COLUMN key_prefix TEXT NOT NULL DEFAULT 'l4k_app_'")


def centi(credits: float) -> int:
    return round(credits * 100)


def credits(centi_value: int) -> float:
    return round(centi_value / 100, 2)
