"""Open the local SQLite store, migrate it, and publish a ChangeSet per write.

Every write goes through `Store.write()`; when its transaction commits, the
tables and row ids it touched are sent to subscribers as one `ChangeSet`
(the Qt StoreBridge is one subscriber). Reads use `Store.read()`.

A store stamped with a revision this console does not know was written by a
newer console: it is refused as it is (`StoreFromNewerConsole`), never
migrated. Damage is checked for before the store is opened, by
`console.store.recovery.check_store`.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from console.changes import ChangeSet, Subscriber
from console.errors import KnownStoreError, StoreFromNewerConsole
from console.store.models import Base
from console.version import console_version

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest migration. Checked against Alembic's script directory by a test,
#: so start-up can skip importing Alembic (about 0.9 s) when nothing is pending.
HEAD_REVISION = "0005_remote_updated_at"
#: Settings row naming the console version that last opened the store, so an
#: older console can say which version a store it cannot read comes from.
WRITTEN_BY_KEY = "store.written_by"


@dataclass
class Transaction:
    """A write in progress: the ORM session and what it has touched so far."""

    session: Session
    initiator: object | None
    touched: dict[str, set[Any]] = field(default_factory=dict)

    def touch(self, table: str, *ids: Any) -> None:
        """Record rows written outside the ORM unit of work (bulk statements)."""
        self.touched.setdefault(table, set()).update(ids)


class Store:
    """The console's SQLite database (WAL, foreign keys on)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.engine = open_engine(self.path)
        migrate(self.engine)
        _stamp_writer(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback` after every committed write; returns an unsubscribe function."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def write(self, initiator: object | None = None) -> Iterator[Transaction]:
        """One transaction; commits on success, rolls back on error, then publishes."""
        session = self._sessions()
        tx = Transaction(session, initiator)

        @event.listens_for(session, "after_flush")
        def _collect(sess: Session, _ctx: object) -> None:
            for obj in [*sess.new, *sess.dirty, *sess.deleted]:
                key = inspect(obj).mapper.primary_key_from_instance(obj)
                tx.touch(obj.__table__.name, key[0] if len(key) == 1 else tuple(key))

        try:
            yield tx
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise KnownStoreError(f"The local store could not be written: {exc.orig}") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        if tx.touched:
            self._publish(
                ChangeSet({t: frozenset(ids) for t, ids in tx.touched.items()}, initiator)
            )

    def _publish(self, changes: ChangeSet) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            callback(changes)

    def close(self) -> None:
        self.engine.dispose()


def open_engine(path: Path) -> Engine:
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def current_revision(connection: Connection) -> str | None:
    try:
        row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    except SQLAlchemyError:
        return None
    return str(row[0]) if row else None


def written_by(connection: Connection) -> str | None:
    """The console version that last opened the store, if it recorded one."""
    try:
        raw = connection.execute(
            text("SELECT value FROM settings WHERE key = :key"), {"key": WRITTEN_BY_KEY}
        ).scalar()
    except SQLAlchemyError:
        return None
    try:
        value = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def refuse_unknown_revision(path: Path, revision: str | None, writer: str | None) -> None:
    """Raise `StoreFromNewerConsole` if `revision` is not one of this console's migrations.

    Only a revision other than the head costs the Alembic import, and then a
    migration is pending anyway.
    """
    if revision is None or revision == HEAD_REVISION:
        return
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        ScriptDirectory(str(MIGRATIONS)).get_revision(revision)
    except CommandError:
        raise StoreFromNewerConsole(str(path), revision, writer, HEAD_REVISION) from None


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`, keeping the data (Alembic).

    Raises:
        StoreFromNewerConsole: the store is at a revision this console does not know.
        KnownStoreError: the migration failed.
    """
    with engine.connect() as connection:
        current = current_revision(connection)
        if revision == "head" and current == HEAD_REVISION:
            return
        if current is not None:
            path = Path(str(engine.url.database))
            refuse_unknown_revision(path, current, written_by(connection))
    # Imported here: Alembic costs about 0.9 s, and most starts need no migration.
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        raise KnownStoreError(f"The local store could not be upgraded: {exc}") from exc
    logger.info("store migrated to %s", revision)


def _stamp_writer(engine: Engine) -> None:
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO settings (key, value) VALUES (:key, :value)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                ),
                {"key": WRITTEN_BY_KEY, "value": json.dumps(console_version())},
            )
    except OperationalError as exc:
        raise KnownStoreError(f"The local store could not be written: {exc.orig}") from exc


__all__ = [
    "HEAD_REVISION",
    "WRITTEN_BY_KEY",
    "Base",
    "Store",
    "Transaction",
    "migrate",
    "refuse_unknown_revision",
]
