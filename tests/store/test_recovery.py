"""A damaged store is set aside and what no sync brings back is salvaged; a newer one is refused."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from console.errors import KnownStoreError, StoreFromNewerConsole
from console.services.conversations import POST_MESSAGE
from console.services.sync.outbox import Delivery, Handler, OutboxProcessor
from console.store import recovery
from console.store.db import WRITTEN_BY_KEY, Store, Transaction
from console.store.models import (
    Blob,
    Conversation,
    CreditTransaction,
    Message,
    OutboxEntry,
    Project,
    ProjectFile,
    PublishConfig,
    Setting,
)
from console.store.recovery import LOCAL_STATE, check_store
from console.version import console_version
from tests.store.support import FILES, PAGE, REPLY, build_store, damage, page_owner

LOCAL_TABLES = {keep.table for keep in LOCAL_STATE}


class FakePlatform:
    """Accepts each idempotency key once, as the platform does."""

    def __init__(self) -> None:
        self.accepted: dict[str, dict[str, Any]] = {}

    async def deliver(self, delivery: Delivery) -> str:
        await asyncio.sleep(0)
        self.accepted.setdefault(delivery.idempotency_key, delivery.payload)
        return f"m-{len(self.accepted)}"


def _mark_sent(tx: Transaction, delivery: Delivery, remote_id: Any) -> None:
    message = tx.session.get(Message, delivery.payload["message_id"])
    if message is not None:
        message.delivery = "sent"
        message.remote_id = str(remote_id)


def _mark_failed(tx: Transaction, delivery: Delivery, error: Exception) -> None:
    raise AssertionError(f"delivery refused: {error}")


def _processor(store: Store, platform: FakePlatform) -> OutboxProcessor:
    handler = Handler(platform.deliver, delivered=_mark_sent, rejected=_mark_failed)
    return OutboxProcessor(store, {POST_MESSAGE: handler}, backoff_base=0.0)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    path = tmp_path_factory.mktemp("pristine") / "console.sqlite3"
    return path, build_store(path)


@pytest.fixture
def store_path(tmp_path: Path, pristine: tuple[Path, dict[str, Any]]) -> Path:
    path = tmp_path / "data" / "console.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(pristine[0], path)
    return path


def _expect_recovery_logged(caplog: pytest.LogCaptureFixture) -> None:
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("is damaged" in m for m in warnings)
    assert any(m.startswith("store recovered") for m in warnings)
    caplog.clear()


@pytest.mark.parametrize("where", ["header", "middle page", "last page"])
def test_recovery_keeps_drafts_and_delivers_the_unsent_reply_once(
    where: str,
    store_path: Path,
    pristine: tuple[Path, dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    ids = pristine[1]
    pages = store_path.stat().st_size // PAGE
    if where == "header":
        damaged = damage(store_path, 0, 100)
    else:
        page = pages // 2 if where == "middle page" else pages
        # What the test is about: damage in the cache must not cost the drafts.
        assert page_owner(store_path, page) not in LOCAL_TABLES
        damaged = damage(store_path, (page - 1) * PAGE, PAGE)

    found = check_store(store_path)

    assert found is not None
    _expect_recovery_logged(caplog)
    # The damaged file is kept, byte for byte, beside the data.
    assert found.damaged_dir.parent == store_path.parent
    assert found.damaged_dir.name.startswith("damaged-")
    assert (found.damaged_dir / store_path.name).read_bytes() == damaged
    assert dict(found.kept) == {
        "settings": 1,
        "projects": 1,
        "blobs": 3,
        "project_files": 3,
        "publish_configs": 1,
        "outbox": 1,
        "messages": 1,
        "organizations": 0,
        "pipeline_runs": 0,
        "remote_resources": 0,
    }
    assert found.lost_files == ()
    assert "1 project with 3 files and their publish settings" in found.describe()
    assert "1 change waiting to be sent, 1 reply among them" in found.describe()

    store = Store(store_path)
    try:
        with store.read() as session:
            project = session.get(Project, ids["project"])
            assert project is not None
            assert project.name == "Acme landing"
            files = session.scalars(
                select(ProjectFile).where(ProjectFile.project_id == project.id)
            ).all()
            contents = {f.path: session.get(Blob, f.sha256) for f in files}
            assert {path: blob.data for path, blob in contents.items() if blob} == FILES
            assert session.get(PublishConfig, project.id) is not None
            assert session.get(Setting, "accounts") is not None
            # The cache is not salvaged: the first sync brings it back.
            assert session.scalar(select(Conversation).limit(1)) is None
            assert session.scalar(select(CreditTransaction).limit(1)) is None
            entries = session.scalars(select(OutboxEntry)).all()
            assert [(e.idempotency_key, e.status, e.depends_on) for e in entries] == [
                (ids["key"], "pending", None)  # its dependency was delivered: not kept
            ]

        platform = FakePlatform()
        first = asyncio.run(_processor(store, platform).drain())
        again = asyncio.run(_processor(store, platform).drain())

        assert (first.delivered, again.delivered) == (1, 0)
        assert list(platform.accepted) == [ids["key"]]
        assert platform.accepted[ids["key"]]["text"] == REPLY
        with store.read() as session:
            reply = session.get(Message, ids["reply"])
            assert reply is not None
            assert (reply.text, reply.delivery) == (REPLY, "sent")
            assert session.scalars(select(Message)).all() == [reply]
    finally:
        store.close()


def test_recovery_names_a_file_whose_content_was_damaged_and_keeps_the_rest(
    store_path: Path, pristine: tuple[Path, dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    with sqlite3.connect(store_path) as connection:
        overflow = [
            page
            for (page,) in connection.execute(
                "SELECT pageno FROM dbstat WHERE name = 'blobs' AND pagetype = 'overflow'"
            )
        ]
    assert len(overflow) >= 2  # only the big file overflows
    damage(store_path, (overflow[len(overflow) // 2] - 1) * PAGE, PAGE)

    found = check_store(store_path)

    assert found is not None
    _expect_recovery_logged(caplog)
    assert found.lost_files == ("public/hero.svg (Acme landing)",)
    assert "Could not be read: public/hero.svg (Acme landing)." in found.describe()
    store = Store(store_path)
    try:
        with store.read() as session:
            kept = {
                f.path: session.get(Blob, f.sha256)
                for f in session.scalars(select(ProjectFile)).all()
            }
        assert {path: blob.data for path, blob in kept.items() if blob} == {
            path: data for path, data in FILES.items() if path != "public/hero.svg"
        }
    finally:
        store.close()


def test_recovery_leaves_a_sound_store_alone(store_path: Path) -> None:
    before = store_path.read_bytes()

    assert check_store(store_path) is None

    assert store_path.read_bytes() == before
    assert not list(store_path.parent.glob("damaged-*"))


def test_recovery_removes_what_an_interrupted_recovery_left(store_path: Path) -> None:
    leftover = store_path.parent / f"{recovery.SCRATCH_PREFIX}abc"
    leftover.mkdir()
    (leftover / "console.sqlite3").write_bytes(b"half a copy")

    assert check_store(store_path) is None
    assert not leftover.exists()


def test_recovery_does_not_take_a_locked_store_for_a_damaged_one(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recovery, "BUSY_TIMEOUT_S", 0.05)
    holder = sqlite3.connect(store_path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(KnownStoreError, match="locked"):
            check_store(store_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not list(store_path.parent.glob("damaged-*"))


def _stamp_newer(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
        connection.execute(
            "UPDATE settings SET value = '\"9.0.0\"' WHERE key = ?", (WRITTEN_BY_KEY,)
        )
    connection.close()


def test_recovery_refuses_a_store_from_a_newer_console_untouched(store_path: Path) -> None:
    _stamp_newer(store_path)
    before = store_path.read_bytes()

    with pytest.raises(StoreFromNewerConsole) as refused:
        check_store(store_path)
    with pytest.raises(StoreFromNewerConsole):
        Store(store_path)  # the store itself refuses it too, never migrates it

    message = refused.value.user_text()
    assert "written by console 9.0.0 (store version 0099_from_the_future)" in message
    assert "was not opened or changed" in message
    assert "--data-dir" in refused.value.user_action()
    assert store_path.read_bytes() == before
    assert not list(store_path.parent.glob("damaged-*"))


def test_recovery_does_not_repair_a_damaged_store_from_a_newer_console(
    store_path: Path,
) -> None:
    _stamp_newer(store_path)
    page = store_path.stat().st_size // PAGE // 2
    damaged = damage(store_path, (page - 1) * PAGE, PAGE)

    with pytest.raises(StoreFromNewerConsole):
        check_store(store_path)

    assert store_path.read_bytes() == damaged
    assert not list(store_path.parent.glob("damaged-*"))


def test_store_records_which_console_wrote_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "console.sqlite3")
    try:
        with store.engine.connect() as connection:
            value = connection.execute(
                text("SELECT value FROM settings WHERE key = :key"), {"key": WRITTEN_BY_KEY}
            ).scalar()
    finally:
        store.close()
    assert value == f'"{console_version()}"'
