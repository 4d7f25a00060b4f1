"""Each committed write is one ChangeSet naming its tables, rows and initiator."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.changes import ChangeSet
from console.store.db import Store
from console.store.models import Conversation, Organization


def test_store_write_publishes_changeset(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    seen: list[ChangeSet] = []
    store.subscribe(seen.append)
    marker = object()
    with store.write(initiator=marker) as tx:
        tx.session.add(Organization(id="org_1", name="Northwind"))
        tx.session.add(Conversation(id="s1", org_id="org_1", channel="sms", status="active"))
    assert len(seen) == 1
    assert seen[0].initiator is marker
    assert seen[0].ids("organizations") == {"org_1"}
    assert seen[0].ids("conversations") == {"s1"}


def test_store_failed_write_publishes_nothing_and_keeps_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    seen: list[ChangeSet] = []
    store.subscribe(seen.append)

    def failing_write() -> None:
        with store.write() as tx:
            tx.session.add(Organization(id="org_1", name="Northwind"))
            tx.session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_write()
    assert seen == []
    with store.read() as session:
        assert session.get(Organization, "org_1") is None
