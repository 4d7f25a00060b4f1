"""Projects prepared offline reach the platform through the outbox, exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from console.errors import NetworkError, PaymentRequired
from console.sandbox.host import free_port, serve
from console.sandbox.platform import PlatformSandbox, SeedScale
from console.services.http import RetryPolicy, build_client
from console.services.platform.client import PlatformClient, api_base_url
from console.services.platform.models import Architecture, BuilderApp, CategoryId
from console.services.projects import (
    BuilderAppsApi,
    ProjectService,
    builder_app_handlers,
)
from console.services.projects.models import Decision, ProjectEdit, SyncState
from console.services.sync.outbox import OutboxProcessor
from console.store.db import Store
from console.store.models import OutboxEntry
from tests.services.projects.conftest import V0


@dataclass
class FakePlatform:
    """Implements `BuilderAppsApi`; replays by idempotency key like the platform."""

    apps: dict[str, BuilderApp] = field(default_factory=dict)
    seen_keys: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[str, str | None, dict[str, object]]] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)

    async def create_builder_app(
        self,
        *,
        name: str,
        description: str | None = None,
        owner_org_id: str | None = None,
        architecture: Architecture | None = None,
        categories: Sequence[CategoryId] | None = None,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> BuilderApp:
        self.calls.append(("create", org_id, {"name": name, "categories": list(categories or [])}))
        if self.failures:
            raise self.failures.pop(0)
        if idempotency_key in self.seen_keys:
            return self.apps[self.seen_keys[idempotency_key]]
        app_id = f"app_{len(self.apps) + 1}"
        now = datetime.now(UTC)
        app = BuilderApp(
            id=app_id,
            org_id=org_id or "org_agency",
            name=name,
            slug=name.lower().replace(" ", "-"),
            description=description or "",
            status="draft",
            architecture=architecture or "thin_client",
            categories=tuple(categories or ()),
            repo_url=None,
            production_url=None,
            deployment_status="none",
            created_at=now,
            updated_at=now,
        )
        self.apps[app_id] = app
        if idempotency_key:
            self.seen_keys[idempotency_key] = app_id
        return app

    async def update_builder_app(
        self,
        app_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        architecture: Architecture | None = None,
        categories: Sequence[CategoryId] | None = None,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> BuilderApp:
        fields: dict[str, object] = {
            k: v
            for k, v in (
                ("name", name),
                ("description", description),
                ("architecture", architecture),
            )
            if v is not None
        }
        if categories is not None:
            fields["categories"] = list(categories)
        self.calls.append(("update", app_id, fields))
        app = self.apps[app_id]
        for key, value in fields.items():
            object.__setattr__(app, key, tuple(value) if isinstance(value, list) else value)
        return app


def _processor(store: Store, client: BuilderAppsApi) -> OutboxProcessor:
    return OutboxProcessor(store, builder_app_handlers(client, store), backoff_base=0.0)


def test_sync_service_exposes_both_handlers(service: ProjectService) -> None:
    handlers = service.outbox_handlers(FakePlatform())
    assert sorted(handlers) == ["builder_app.create", "builder_app.update"]


def _rows(store: Store) -> list[tuple[str, str]]:
    with store.read() as session:
        return [
            (e.kind, e.status)
            for e in session.scalars(select(OutboxEntry).order_by(OutboxEntry.id))
        ]


def test_sync_fake_platform_satisfies_protocol() -> None:
    fake: BuilderAppsApi = FakePlatform()
    assert fake is not None


async def test_sync_create_then_updates_in_order(service: ProjectService, store: Store) -> None:
    remote = FakePlatform()
    project_id = await service.import_export(V0 / "shop", name="Crumb shop", org_id="org_crumb")
    await service.update_project(project_id, ProjectEdit(name="Crumb & Co. shop"))

    result = await _processor(store, remote).drain()

    assert (result.delivered, result.failed, result.pending) == (2, 0, 0)
    assert [c[0] for c in remote.calls] == ["create", "update"]
    assert remote.calls[0][1] == "org_crumb"  # acts in the client's organization
    assert remote.calls[1] == ("update", "app_1", {"name": "Crumb & Co. shop"})
    (row,) = await service.list_rows()
    assert (row.remote_id, row.org_id, row.status) == ("app_1", "org_crumb", "draft")
    detail = await service.detail(project_id)
    assert detail.sync_state is SyncState.SYNCED
    assert remote.apps["app_1"].name == "Crumb & Co. shop"


async def test_sync_offline_then_online_delivers_once(
    service: ProjectService, store: Store
) -> None:
    remote = FakePlatform(failures=[NetworkError("no route to host", remote="platform")])
    project_id = await service.import_export(V0 / "event-site", name="Harbour Jazz")
    processor = _processor(store, remote)

    offline = await processor.drain()
    assert (offline.delivered, offline.pending) == (0, 1)
    assert isinstance(offline.blocked_by, NetworkError)
    assert (await service.detail(project_id)).sync_state is SyncState.LOCAL

    online = await processor.drain()
    again = await processor.drain()
    assert (online.delivered, again.delivered) == (1, 0)
    assert len(remote.apps) == 1


async def test_sync_rejected_create_is_shown(service: ProjectService, store: Store) -> None:
    remote = FakePlatform(
        failures=[
            PaymentRequired("Builder app limit of your plan reached", remote="platform", status=402)
        ]
    )
    project_id = await service.import_export(V0 / "portal", name="Portal")
    await service.update_project(project_id, ProjectEdit(description="Client portal"))

    result = await _processor(store, remote).drain()

    assert result.failed == 2  # the update cannot go before its app exists
    detail = await service.detail(project_id)
    assert detail.sync_state is SyncState.FAILED
    assert detail.sync_error is not None
    assert _rows(store) == [("builder_app.create", "failed"), ("builder_app.update", "failed")]


async def test_sync_sandbox_down_then_up_builder_app_appears_once(
    service: ProjectService, store: Store, tmp_path: Path
) -> None:
    sandbox = PlatformSandbox(
        tmp_path / "platform.db", scale=SeedScale(conversations=5, builder_apps=3)
    )
    port = free_port()
    http = build_client("platform", api_base_url(f"http://127.0.0.1:{port}"), sandbox.api_key)
    client = PlatformClient(http, policy=RetryPolicy(attempts=1, base=0.0, cap=0.0))
    processor = _processor(store, client)
    try:
        # Prepared with the platform unreachable: created, edited, data needs confirmed.
        project_id = await service.import_export(V0 / "booking-chat", name="Studio Flow booking")
        await service.update_project(project_id, ProjectEdit(description="Reformer classes"))
        needs = (await service.detail(project_id)).data_needs
        await service.save_data_needs(
            project_id,
            [replace(n, decision=Decision.SKIP) if n.category == "forms" else n for n in needs],
        )
        down = await processor.drain()
        assert (down.delivered, down.pending) == (0, 3)
        assert isinstance(down.blocked_by, NetworkError)

        served = serve("platform", sandbox.asgi, port=port)
        try:
            up = await processor.drain()
            await processor.drain()
        finally:
            served.stop()
        assert (up.delivered, up.pending) == (3, 0)
        mine = [a for a in sandbox.builder_apps() if a.name == "Studio Flow booking"]
        assert len(mine) == 1
        app = mine[0]
        assert app.description == "Reformer classes"
        assert set(app.categories) == {"bookings", "conversations"}
        (row,) = await service.list_rows()
        assert row.remote_id == app.id
        assert row.org_id == sandbox.agency_id
        assert (await service.detail(project_id)).sync_state is SyncState.SYNCED
    finally:
        await http.aclose()
        sandbox.close()
