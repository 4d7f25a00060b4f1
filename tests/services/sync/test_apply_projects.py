"""Builder apps from the platform land on the right local row, however the writes interleave."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from console.services.platform.models import BuilderApp
from console.services.sync.apply import apply_builder_apps
from console.store.db import ChangeSet, Store
from console.store.models import Project


def _app(app_id: str, name: str) -> BuilderApp:
    now = datetime.now(UTC)
    return BuilderApp(
        id=app_id,
        org_id="org_agency",
        name=name,
        slug=name.lower().replace(" ", "-"),
        description="",
        status="published",
        architecture="thin_client",
        categories=("bookings",),
        repo_url="https://github.com/agency/studio",
        production_url=None,
        deployment_status="none",
        created_at=now,
        updated_at=now,
    )


def _rows(store: Store) -> list[tuple[int, str | None, str]]:
    with store.read() as session:
        return [
            (p.id, p.remote_id, p.name)
            for p in session.scalars(select(Project).order_by(Project.id))
        ]


def test_app_created_from_a_local_draft_updates_that_draft(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    with store.write() as tx:
        draft = Project(name="Studio", slug="studio", status="draft", categories=[])
        tx.session.add(draft)
        tx.session.flush()
        draft_id = draft.id
    # The outbox created the app and recorded its id on the draft, then the
    # platform's event about that app arrives (twice: poll and stream overlap).
    with store.write() as tx:
        row = tx.session.get(Project, draft_id)
        assert row is not None
        row.remote_id = "app_7"
    apply_builder_apps(store, [_app("app_7", "Studio booking")])
    apply_builder_apps(store, [_app("app_7", "Studio booking"), _app("app_8", "Other")])

    rows = _rows(store)
    assert rows[0] == (draft_id, "app_7", "Studio booking")
    assert [remote for _, remote, _ in rows] == ["app_7", "app_8"]
    store.close()


def test_applied_apps_are_announced_to_the_views(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    changes: list[ChangeSet] = []
    store.subscribe(changes.append)

    apply_builder_apps(store, [_app("app_1", "Flower shop")])

    ((project_id, _, _),) = _rows(store)
    assert any(change.ids("projects") == frozenset({project_id}) for change in changes)
    store.close()
