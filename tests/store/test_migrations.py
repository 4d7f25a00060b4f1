"""The schema is Alembic's; old stores upgrade with their data."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from console.store.db import HEAD_REVISION, MIGRATIONS, Store, migrate, open_engine
from console.store.models import Base, Organization, OutboxEntry


def test_migrations_head_constant_matches_scripts() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_migrations_match_models(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_migrations_upgrade_keeps_rows_of_first_release(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = open_engine(path)
    migrate(engine, "0001_initial")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organizations (id, parent_id, name, slug, tier, status, limits,"
                " pending, updated_at) VALUES ('org_1', NULL, 'Northwind', 'northwind',"
                " 'agency', 'active', '{}', 0, '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO outbox (target, kind, payload, idempotency_key, status, attempts,"
                " created_at) VALUES ('platform', 'message.post', '{\"text\": \"hi\"}',"
                " 'key-1', 'pending', 0, '2026-01-01 00:00:00')"
            )
        )
        tables = {
            row[0]
            for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        }
    engine.dispose()
    assert "pipeline_runs" not in tables

    store = Store(path)  # upgrades to head on open
    with store.read() as session:
        org = session.scalars(select(Organization)).one()
        entry = session.scalars(select(OutboxEntry)).one()
        revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert (org.id, org.name, org.tier) == ("org_1", "Northwind", "agency")
    assert (entry.idempotency_key, entry.payload) == ("key-1", {"text": "hi"})
    assert revision == HEAD_REVISION
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
