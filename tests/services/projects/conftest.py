"""Fixtures for the projects service: a fresh store, the service, the v0 export fixtures."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.changes import ChangeSet
from console.services.projects import ProjectService
from console.store.db import Store
from console.store.models import Blob, OutboxEntry, Project, ProjectFile, PublishConfig

V0 = Path(__file__).resolve().parents[2] / "data" / "v0"
FIXTURES = ("shop", "event-site", "booking-chat", "portal")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "db.sqlite3")
    yield store
    store.close()


@pytest.fixture
def service(store: Store, tmp_path: Path) -> ProjectService:
    return ProjectService(store, workspace_root=tmp_path / "workspaces")


def zip_folder(folder: Path, target: Path, *, prefix: str = "") -> Path:
    """Zip a fixture folder the way v0's "Download ZIP" does (optionally under a top folder)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return target


@pytest.fixture
def export_zip(tmp_path: Path) -> Callable[[str], Path]:
    def make(name: str) -> Path:
        return zip_folder(V0 / name, tmp_path / f"{name}.zip", prefix=f"{name}-v0/")

    return make


@dataclass(frozen=True)
class Snapshot:
    projects: int
    files: int
    blobs: int
    configs: int
    outbox: int


def snapshot(store: Store) -> Snapshot:
    with store.read() as session:

        def count(model: type) -> int:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

        return Snapshot(
            count(Project),
            count(ProjectFile),
            count(Blob),
            count(PublishConfig),
            count(OutboxEntry),
        )


@pytest.fixture
def changes(store: Store) -> Iterator[list[ChangeSet]]:
    """Every ChangeSet the store publishes during the test."""
    seen: list[ChangeSet] = []
    unsubscribe = store.subscribe(seen.append)
    yield seen
    unsubscribe()
