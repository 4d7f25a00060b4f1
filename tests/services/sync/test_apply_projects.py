"""Builder apps from the platform land on the right local row, however the writes interleave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from console.changes import ChangeSet
from console.services.platform.models import BuilderApp
from console.services.sync.apply import apply_builder_apps
from console.store.db import Store
from console.store.models import Project


def _app(
    app_id: str,
    name: str,
    *,
    repo_url: str | None = "https://github.com/agency/studio",
    updated_at: datetime | None = None,
) -> BuilderApp:
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
        repo_url=repo_url,
        production_url=None,
        deployment_status="none",
        created_at=now,
        updated_at=updated_at or now,
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


def _repo_url(store: Store, app_id: str) -> str | None:
    with store.read() as session:
        return session.scalars(select(Project.repo_url).where(Project.remote_id == app_id)).one()


def test_a_stale_app_never_puts_back_an_older_repository(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    changes: list[ChangeSet] = []
    store.subscribe(changes.append)
    t0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    apply_builder_apps(store, [_app("app_1", "Studio", repo_url=None, updated_at=t0)])
    # The publish linked the repository: the platform's answer is the newest version.
    published = "https://github.com/agency/studio-v2"
    apply_builder_apps(
        store, [_app("app_1", "Studio", repo_url=published, updated_at=t0 + timedelta(minutes=5))]
    )
    before = len(changes)

    # An event from before the publish, replayed, also given in another offset:
    # ignored, and no change set announces it.
    stale = t0 + timedelta(minutes=2)
    apply_builder_apps(store, [_app("app_1", "Studio", repo_url=None, updated_at=stale)])
    in_berlin = stale.astimezone(timezone(timedelta(hours=2)))
    apply_builder_apps(store, [_app("app_1", "Studio", repo_url=None, updated_at=in_berlin)])
    assert _repo_url(store, "app_1") == published
    assert len(changes) == before

    # Times have millisecond resolution: a change in the same millisecond arrives
    # later in the (ordered) change log, and is applied.
    same_moment = "https://github.com/agency/studio-v2b"
    apply_builder_apps(
        store,
        [_app("app_1", "Studio", repo_url=same_moment, updated_at=t0 + timedelta(minutes=5))],
    )
    assert _repo_url(store, "app_1") == same_moment
    before = len(changes)

    newer = "https://github.com/agency/studio-v3"
    apply_builder_apps(
        store, [_app("app_1", "Studio", repo_url=newer, updated_at=t0 + timedelta(minutes=6))]
    )
    assert _repo_url(store, "app_1") == newer
    assert len(changes) == before + 1
    store.close()


def test_a_draft_never_synced_takes_the_first_app(tmp_path: Path) -> None:
    """A row without a remote update time (a local draft, a store from before 0005) is older."""
    store = Store(tmp_path / "db.sqlite3")
    with store.write() as tx:
        tx.session.add(Project(remote_id="app_3", name="Old", slug="old", categories=[]))
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    apply_builder_apps(store, [_app("app_3", "Studio", updated_at=long_ago)])
    assert _rows(store)[0][2] == "Studio"
    store.close()
