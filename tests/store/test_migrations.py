"""The schema is Alembic's; old stores upgrade with their data."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from console.store.db import HEAD_REVISION, MIGRATIONS, Store, migrate, open_engine
from console.store.models import Base, Organization, OutboxEntry, Project


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


def test_migration_0005_keeps_synced_rows_without_a_remote_time(tmp_path: Path) -> None:
    """Rows synced before 0005 have no remote update time: the next synced version applies."""
    path = tmp_path / "0004.sqlite3"
    engine = open_engine(path)
    migrate(engine, "0004_remote_resources")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO projects (remote_id, name, slug, description, status, architecture,"
                " categories, repo_url, source, created_at, updated_at) VALUES ('app_1',"
                " 'Studio', 'studio', '', 'published', 'thin_client', '[]',"
                " 'https://github.com/agency/studio', 'platform', '2026-01-01 00:00:00',"
                " '2026-01-02 00:00:00')"
            )
        )
    engine.dispose()

    store = Store(path)
    with store.read() as session:
        project = session.scalars(select(Project)).one()
    assert (project.remote_id, project.repo_url) == ("app_1", "https://github.com/agency/studio")
    assert project.remote_updated_at is None
    with store.engine.connect() as connection:
        for table in ("organizations", "projects", "conversations"):
            columns = {row[1] for row in connection.execute(text(f"PRAGMA table_info({table})"))}
            assert "remote_updated_at" in columns, table
    store.close()


def test_migration_0005_downgrades(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.close()
    engine = open_engine(tmp_path / "db.sqlite3")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004_remote_resources")
    with engine.connect() as connection:
        columns = {row[1] for row in connection.execute(text("PRAGMA table_info(projects)"))}
    engine.dispose()
    assert "remote_updated_at" not in columns
