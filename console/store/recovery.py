"""Check the store file before it is opened; set a damaged one aside and salvage it.

`check_store()` runs at every start, in a worker thread, before the store is
opened. It reads the store's revision first (a newer console's store is
refused untouched, see `refuse_unknown_revision`), then `PRAGMA quick_check`
reads every page. SQLite's "file is not a database" and "database disk image
is malformed" (SQLITE_NOTADB, SQLITE_CORRUPT) mean damage; any other error
(locked, disk I/O, permissions) comes from the environment and is raised as
`KnownStoreError` with the file untouched.

A damaged store is recovered in a scratch folder beside it, so a recovery cut
short leaves the original in place and simply runs again at the next start:

1. the file and its -wal are copied to the scratch folder; the original is
   only ever read;
2. if SQLite cannot read the copy's schema, the copy's 100-byte header is
   rebuilt (the page size probed): a damaged header hides an intact file;
3. a fresh store is created at the damaged store's revision and the local
   state no sync brings back (`LOCAL_STATE`) is copied into it, row by row
   where needed, skipping what cannot be read; file contents are checked
   against their SHA-256, and a row whose parent was lost gets what its
   foreign key does on delete;
4. the damaged file, with its -wal and -shm, is moved to
   `<data>/damaged-<time>/` (never deleted) and the fresh store takes its
   place; the console then migrates it to the head as usual.

Everything else (conversations, deployments, credits, clients) is a cache of
the platform and comes back with the first sync.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sqlite3
import struct
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import NullPool

from console.errors import KnownStoreError
from console.store.db import (
    WRITTEN_BY_KEY,
    current_revision,
    migrate,
    refuse_unknown_revision,
    written_by,
)

logger = logging.getLogger(__name__)

Row = dict[str, Any]

#: SQLite's primary result codes for a damaged file; any other error is the environment's.
DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
#: The files beside a WAL-mode database that belong to it and move with it.
COMPANIONS = ("-wal", "-shm")
#: Scratch folders of a recovery; one left behind was cut short and is removed.
SCRATCH_PREFIX = ".recovery-"

#: How long a check waits for a lock another process holds on the store.
BUSY_TIMEOUT_S = 10.0
_BATCH = 256
_MIN_ROWID = -(2**63)
_MAX_ROWID = 2**63 - 1
# The database header (sqlite.org/fileformat.html, section 1.3), all big-endian.
_HEADER = struct.Struct(">16sH6B12I20sII")
_MAGIC = b"SQLite format 3\x00"
_PAGE_SIZES = (4096, 1024, 2048, 8192, 16384, 32768, 65536, 512)


def _always(_row: Row) -> bool:
    return True


def _intact_blob(row: Row) -> bool:
    data = row.get("data")
    return isinstance(data, bytes) and hashlib.sha256(data).hexdigest() == row.get("sha256")


@dataclass(frozen=True)
class Keep:
    """A table of local state, and which of its rows are kept.

    Attributes:
        table: the table.
        keep: whether a row is kept.
        carried_by: payload fields of the kept outbox rows naming the rows
            (by id) to keep; a row no unsent write carries would be stuck
            "pending" with nothing left to send it. Empty: no such condition.
    """

    table: str
    keep: Callable[[Row], bool] = _always
    carried_by: tuple[str, ...] = ()


#: The local state no sync brings back. Everything else is a platform cache.
LOCAL_STATE: tuple[Keep, ...] = (
    # Account URLs and canned replies; without the accounts a console with a
    # platform account would come back as a sandbox.
    Keep("settings", lambda row: row.get("key") != WRITTEN_BY_KEY),
    # Drafts: projects with their files and contents, and how they publish.
    Keep("projects"),
    Keep("blobs", _intact_blob),
    Keep("project_files"),
    Keep("publish_configs"),
    # Unsent writes: pending, or refused and waiting for the user to retry or discard.
    Keep("outbox", lambda row: row.get("status") != "done"),
    # What those carry: replies typed here, clients created or edited offline.
    Keep("messages", carried_by=("message_id",)),
    Keep("organizations", carried_by=("local_id", "client_id")),
    # Resumable runs and the ledger of what they created remotely: only the
    # store knows which repositories and projects a run made.
    Keep("pipeline_runs"),
    Keep("remote_resources"),
)

_WORDS = {
    "settings": "settings",
    "projects": "projects",
    "project_files": "project files",
    "publish_configs": "publish settings",
    "outbox": "changes waiting to be sent",
    "messages": "unsent replies",
    "organizations": "clients created offline",
    "pipeline_runs": "deploy and set-up runs",
    "remote_resources": "resources created by runs",
}


@dataclass(frozen=True)
class Recovery:
    """What a recovery did, for the start-up notice and the log.

    Attributes:
        damaged_dir: where the damaged file (with its -wal and -shm) now is.
        problem: what SQLite reported about it.
        kept: table -> rows in the new store.
        lost_files: project files whose content could not be read, as "path (project)".
        unreadable: local-state tables of which some rows could not be read.
    """

    damaged_dir: Path
    problem: str
    kept: Mapping[str, int]
    lost_files: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()

    def describe(self) -> str:
        """What was recovered and what was not, in the user's words."""
        kept = self.kept
        saved: list[str] = []
        if kept.get("projects"):
            files = _count(kept.get("project_files", 0), "file")
            text = f"{_count(kept['projects'], 'project')} with {files}"
            if kept.get("publish_configs"):
                text += " and their publish settings"
            saved.append(text)
        if kept.get("outbox"):
            text = f"{_count(kept['outbox'], 'change')} waiting to be sent"
            if kept.get("messages"):
                text += f", {_count(kept['messages'], 'reply', 'replies')} among them"
            saved.append(text)
        if kept.get("organizations"):
            saved.append(f"{_count(kept['organizations'], 'client')} created or edited offline")
        if kept.get("pipeline_runs"):
            saved.append(f"{_count(kept['pipeline_runs'], 'deploy or set-up run')}")
        if kept.get("settings"):
            saved.append("your settings")
        lines = [f"Recovered: {'; '.join(saved)}." if saved else "Nothing could be recovered."]
        if self.lost_files:
            shown = ", ".join(self.lost_files[:5])
            more = len(self.lost_files) - 5
            lines.append(f"Could not be read: {shown}{f' and {more} more' if more > 0 else ''}.")
        if self.unreadable:
            parts = ", ".join(_WORDS.get(table, table) for table in self.unreadable)
            lines.append(f"Some could not be read: {parts}.")
        lines.append(
            "\nConversations, deployments, clients and credits come back from the platform "
            "with the next sync."
        )
        return "\n".join(lines)


def check_store(path: Path) -> Recovery | None:
    """Check the store file at `path` before it is opened; recover it if it is damaged.

    Blocking (reads the whole file): call it in a worker thread.

    Returns:
        None if the store is sound or does not exist yet; else what the recovery did.

    Raises:
        StoreFromNewerConsole: a newer console wrote it; it was left untouched.
        KnownStoreError: it could not be checked (locked, unreadable), or the
            damaged file could not be set aside.
    """
    _remove_leftovers(path.parent)
    if not path.exists():
        return None
    problem = _problem(path)
    if problem is None:
        return None
    logger.warning("the local store %s is damaged: %s", path, problem)
    recovery = _recover(path, problem)
    logger.warning(
        "store recovered; damaged file kept in %s; kept %s; lost files %s; partly unreadable %s",
        recovery.damaged_dir,
        dict(recovery.kept),
        list(recovery.lost_files),
        list(recovery.unreadable),
    )
    return recovery


# --- checking ---------------------------------------------------------------------


def _engine(path: Path) -> Engine:
    # No pool: every connection is closed when its block ends, so the file
    # can be rewritten or moved right after.
    return create_engine(
        f"sqlite:///{path}", poolclass=NullPool, connect_args={"timeout": BUSY_TIMEOUT_S}
    )


def _is_damage(error: DBAPIError) -> bool:
    code = getattr(error.orig, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in DAMAGE_CODES


def _problem(path: Path) -> str | None:
    engine = _engine(path)
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
            if revision is not None:
                refuse_unknown_revision(path, revision, written_by(connection))
            found = [str(r[0]) for r in connection.exec_driver_sql("PRAGMA quick_check(3)")]
    except DBAPIError as error:
        if _is_damage(error):
            return _one_line(str(error.orig))
        raise KnownStoreError(f"The local store could not be checked: {error.orig}") from error
    finally:
        engine.dispose()
    return None if found == ["ok"] else _one_line("\n".join(found))


def _one_line(report: str) -> str:
    # quick_check prefixes its findings with "*** in database main ***".
    return "; ".join(line for line in report.splitlines() if line and not line.startswith("***"))


# --- recovering -------------------------------------------------------------------


@dataclass(frozen=True)
class _Salvage:
    kept: dict[str, int]
    lost_files: tuple[str, ...]
    unreadable: tuple[str, ...]


def _recover(path: Path, problem: str) -> Recovery:
    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=path.parent))
    try:
        copy = scratch / path.name
        shutil.copyfile(path, copy)
        wal = _companion(path, "-wal")
        if wal.exists():
            shutil.copyfile(wal, _companion(copy, "-wal"))
        fresh = scratch / "recovered.sqlite3"
        salvage = _salvage(copy, fresh, original=path)
        damaged_dir = _set_aside(path)
        os.replace(fresh, path)
    except OSError as error:
        raise KnownStoreError(
            f"The local store is damaged and could not be set aside: {error}"
        ) from error
    finally:
        _remove(scratch)
    return Recovery(damaged_dir, problem, salvage.kept, salvage.lost_files, salvage.unreadable)


def _salvage(source: Path, target: Path, *, original: Path) -> _Salvage:
    if not _schema_readable(source):
        _rebuild_header(source)
    reader_engine, writer_engine = _engine(source), _engine(target)
    try:
        with reader_engine.connect() as reader:
            revision = current_revision(reader)
            if revision is not None:
                refuse_unknown_revision(original, revision, written_by(reader))
            # The same revision as the damaged store, so every column has a
            # place; the normal start-up migration then takes it to the head.
            migrate(writer_engine, revision or "head")
            unreadable: list[str] = []
            with writer_engine.begin() as writer:
                for keep in LOCAL_STATE:
                    # Lost contents show as the files they belong to (lost_files).
                    if not _copy(reader, writer, keep) and keep.table != "blobs":
                        unreadable.append(keep.table)
                dropped = _apply_lost_parents(writer)
                kept = {
                    keep.table: _row_count(writer, keep.table)
                    for keep in LOCAL_STATE
                    if _columns(writer, keep.table)
                }
                lost_files = _describe_files(writer, dropped.get("project_files", []))
    finally:
        reader_engine.dispose()
        writer_engine.dispose()
    return _Salvage(kept, lost_files, tuple(unreadable))


def _copy(reader: Connection, writer: Connection, keep: Keep) -> bool:
    """Copy the kept rows of one table; False if some of it could not be read."""
    try:
        source_columns = _columns(reader, keep.table)
    except DBAPIError as error:
        logger.info("salvage: schema of %s unreadable: %s", keep.table, error.orig)
        return False
    target_columns = set(_columns(writer, keep.table))
    columns = [c for c in source_columns if c in target_columns]
    if not columns:
        return True  # not in this revision
    names = ", ".join(f'"{c}"' for c in columns)
    insert = (
        f'INSERT OR IGNORE INTO "{keep.table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    )
    carried = _carried(writer, keep.carried_by)
    scan = _TableScan(reader, keep.table, columns)
    complete = True
    for row in scan:
        if not keep.keep(row) or (keep.carried_by and row.get("id") not in carried):
            continue
        try:
            writer.exec_driver_sql(insert, tuple(row[c] for c in columns))
        except IntegrityError as error:
            # Only when the damaged store's revision was unreadable and its
            # columns differ from the head's.
            logger.info("salvage: a row of %s does not fit: %s", keep.table, error.orig)
            complete = False
    return complete and not scan.damaged


class _TableScan:
    """The readable rows of one table in rowid order, stepping over what cannot be read.

    Rows come in batches; when a batch fails, rows are read one at a time up
    to the unreadable one, then a search finds the first rowid from which
    reading works again (a damaged page holds a contiguous stretch of rowids).

    Attributes:
        damaged: some rows could not be read.
    """

    def __init__(self, connection: Connection, table: str, columns: Sequence[str]) -> None:
        self._connection = connection
        self._columns = list(columns)
        names = ", ".join(f'"{c}"' for c in columns)
        self._sql = (
            f'SELECT rowid, {names} FROM "{table}" NOT INDEXED'
            " WHERE rowid > ? ORDER BY rowid LIMIT ?"
        )
        self._table = table
        self.damaged = False

    def __iter__(self) -> Iterator[Row]:
        after = _MIN_ROWID
        careful = 0  # rows still to read one at a time after a batch failed
        while True:
            try:
                batch = self._fetch(after, 1 if careful else _BATCH)
            except DBAPIError as error:
                if not careful:
                    careful = _BATCH
                    continue
                if not self.damaged:
                    logger.info("salvage: %s partly unreadable: %s", self._table, error.orig)
                self.damaged = True
                resumed = self._past_damage(after)
                if resumed is None:
                    return
                after = resumed
                continue
            if not batch:
                return
            for values in batch:
                yield dict(zip(self._columns, values[1:], strict=True))
            after = int(batch[-1][0])
            careful = max(0, careful - len(batch))

    def _fetch(self, after: int, limit: int) -> Sequence[Any]:
        return self._connection.exec_driver_sql(self._sql, (after, limit)).fetchall()

    def _readable(self, after: int) -> bool:
        try:
            self._fetch(after, 1)
        except DBAPIError:
            return False
        return True

    def _past_damage(self, after: int) -> int | None:
        """The smallest bound from which the next row reads again, None if none does."""
        step = 1
        while True:
            bound = min(after + step, _MAX_ROWID)
            if self._readable(bound):
                break
            if bound == _MAX_ROWID:
                return None
            step *= 2
        low, high = after + step // 2, bound  # low fails (or is `after`), high reads
        while high - low > 1:
            middle = (low + high) // 2
            if self._readable(middle):
                high = middle
            else:
                low = middle
        return high


def _carried(writer: Connection, fields: Sequence[str]) -> set[Any]:
    """The values of `fields` in the payloads of the outbox rows copied so far."""
    return {
        value
        for field in fields
        for (value,) in writer.exec_driver_sql(
            "SELECT json_extract(payload, ?) FROM outbox", (f"$.{field}",)
        )
        if value is not None
    }


def _apply_lost_parents(writer: Connection) -> dict[str, list[Row]]:
    """Give each row whose parent was not recovered what its foreign key does on delete.

    Returns:
        The rows removed, per table.
    """
    removed: dict[str, list[Row]] = {}
    # A removal can orphan rows below it: repeat until nothing points nowhere.
    while violations := writer.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
        for table, rowid, _parent, key_id in violations:
            key = [
                k
                for k in writer.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")')
                if k[0] == key_id
            ]
            if key and key[0][6] == "SET NULL":
                assignments = ", ".join(f'"{k[3]}" = NULL' for k in key)
                writer.exec_driver_sql(
                    f'UPDATE "{table}" SET {assignments} WHERE rowid = ?', (rowid,)
                )
                continue
            found = writer.exec_driver_sql(f'SELECT * FROM "{table}" WHERE rowid = ?', (rowid,))
            row = found.mappings().first()
            if row is not None:
                removed.setdefault(table, []).append(dict(row))
                writer.exec_driver_sql(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
    return removed


def _describe_files(writer: Connection, rows: Sequence[Row]) -> tuple[str, ...]:
    names = {r[0]: r[1] for r in writer.exec_driver_sql("SELECT id, name FROM projects")}
    return tuple(
        f"{row['path']} ({names.get(row['project_id'], 'its project could not be read')})"
        for row in sorted(rows, key=lambda r: (r["project_id"], r["path"]))
    )


def _columns(connection: Connection, table: str) -> list[str]:
    return [str(r[1]) for r in connection.exec_driver_sql(f'PRAGMA table_info("{table}")')]


def _row_count(connection: Connection, table: str) -> int:
    return int(connection.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar_one())


# --- a damaged header -------------------------------------------------------------


def _schema_readable(path: Path) -> bool:
    engine = _engine(path)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT name FROM sqlite_master").fetchall()
    except DBAPIError:
        return False
    finally:
        engine.dispose()
    return True


def _rebuild_header(path: Path) -> None:
    """Write a standard header over a damaged one, probing the page size.

    The header holds no data of its own: with the page size right and the
    in-header size and free list left out (SQLite then takes the size from the
    file and ignores the free list), every page reads as before.
    """
    with path.open("r+b") as file:
        damaged = file.read(_HEADER.size)
    size = path.stat().st_size
    wal = _companion(path, "-wal").exists()
    for page_size in _page_sizes(damaged, size):
        with path.open("r+b") as file:
            file.write(_header(page_size, wal=wal))
        if _schema_readable(path):
            logger.info("salvage: header rebuilt with %d-byte pages", page_size)
            return
    with path.open("r+b") as file:
        file.write(damaged)
    logger.info("salvage: no page size makes the schema readable")


def _page_sizes(damaged: bytes, size: int) -> list[int]:
    declared = int.from_bytes(damaged[16:18], "big") if len(damaged) >= 18 else 0
    declared = 65536 if declared == 1 else declared
    candidates = [declared] if declared in _PAGE_SIZES else []
    candidates += [p for p in _PAGE_SIZES if p != declared]
    return [p for p in candidates if size % p == 0]


def _header(page_size: int, *, wal: bool) -> bytes:
    version = 2 if wal else 1  # 2: the pages may be in the -wal, read it
    return _HEADER.pack(
        _MAGIC,
        1 if page_size == 65536 else page_size,
        version,  # file format write version
        version,  # file format read version
        0,  # bytes reserved at the end of each page
        64,  # payload fractions: fixed values
        32,
        32,
        1,  # change counter
        0,  # size in pages: 0 makes SQLite use the file's size
        0,  # first free-list trunk page: the free list is left out
        0,  # free-list pages
        1,  # schema cookie
        4,  # schema format
        0,  # default page cache size
        0,  # largest root page (no auto-vacuum)
        1,  # text encoding: UTF-8
        0,  # user version
        0,  # incremental vacuum
        0,  # application id
        bytes(20),
        1,  # version-valid-for: equal to the change counter
        sqlite3.sqlite_version_info[0] * 1_000_000
        + sqlite3.sqlite_version_info[1] * 1_000
        + sqlite3.sqlite_version_info[2],
    )


# --- files ------------------------------------------------------------------------


def _companion(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _set_aside(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = path.parent / f"damaged-{stamp}"
    attempt = 1
    while folder.exists():
        attempt += 1
        folder = path.parent / f"damaged-{stamp}-{attempt}"
    folder.mkdir()
    for suffix in ("", *COMPANIONS):
        source = _companion(path, suffix)
        if source.exists():
            os.replace(source, folder / source.name)
    return folder


def _remove_leftovers(folder: Path) -> None:
    for leftover in folder.glob(f"{SCRATCH_PREFIX}*"):
        _remove(leftover)


def _remove(folder: Path) -> None:
    try:
        shutil.rmtree(folder)
    except OSError as error:
        logger.info("could not remove the recovery scratch folder %s: %s", folder, error)


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
