"""Outbox handlers that bring projects prepared offline to the platform.

Two kinds, both on the per-project target `builder_app:<local id>` so a
project's create is always delivered before its updates:

- `builder_app.create` (POST /builder-apps): on success the local draft gets
  the platform's id (`remote_id`), slug and status.
- `builder_app.update` (PATCH /builder-apps/{appId}): the changed fields; the
  app id is read from the store when the row is delivered, because the create
  may have been delivered after the update was queued.

The composition root registers them with the OutboxProcessor through
`ProjectService.outbox_handlers(platform_client)`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select

from console.errors import ConsoleError, NotFound
from console.services.platform.models import (
    ARCHITECTURES,
    CATEGORY_IDS,
    Architecture,
    BuilderApp,
    CategoryId,
)
from console.services.sync.outbox import Delivery, Handler
from console.store.db import Store, Transaction
from console.store.models import Project, PublishConfig

logger = logging.getLogger(__name__)

KIND_CREATE = "builder_app.create"
KIND_UPDATE = "builder_app.update"


def target_for(project_id: int) -> str:
    """The outbox target of one project: its rows are delivered in order."""
    return f"builder_app:{project_id}"


class BuilderAppsApi(Protocol):
    """What the handlers need of the platform client (`PlatformClient` has it)."""

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
    ) -> BuilderApp: ...

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
    ) -> BuilderApp: ...


class NotOnPlatform(ConsoleError):
    """An update for a project whose create never succeeded."""

    action = "Retry creating the project on the platform first (Projects > Details)."


def builder_app_handlers(client: BuilderAppsApi, store: Store) -> dict[str, Handler]:
    """Both handlers, by outbox kind."""
    return {KIND_CREATE: create_handler(client), KIND_UPDATE: update_handler(client, store)}


def create_handler(client: BuilderAppsApi) -> Handler:
    """POST /builder-apps for a draft created offline."""

    async def deliver(delivery: Delivery) -> BuilderApp:
        p = delivery.payload
        org_id = p.get("org_id") or None
        return await client.create_builder_app(
            name=str(p["name"]),
            description=str(p.get("description") or "") or None,
            architecture=_architecture(p.get("architecture")),
            categories=_categories(p.get("categories")),
            idempotency_key=delivery.idempotency_key,
            org_id=org_id,
        )

    return Handler(deliver, delivered=_created, rejected=_rejected)


def update_handler(client: BuilderAppsApi, store: Store) -> Handler:
    """PATCH /builder-apps/{appId} with the fields changed offline."""

    async def deliver(delivery: Delivery) -> BuilderApp | None:
        p = delivery.payload
        project_id = int(p["project_id"])
        with store.read() as session:
            project = session.get(Project, project_id)
            remote_id = project.remote_id if project else None
            org_id = (project.org_id if project else None) or p.get("org_id") or None
        if project is None:
            logger.info("outbox update for deleted project %s dropped", project_id)
            return None
        if remote_id is None:
            raise NotOnPlatform(
                f"{project.name} is not on the platform yet, so its changes cannot be sent."
            )
        changes: dict[str, Any] = p.get("changes", {})
        fields: dict[str, Any] = {}
        if "name" in changes:
            fields["name"] = str(changes["name"])
        if "description" in changes:
            fields["description"] = str(changes["description"])
        if "architecture" in changes:
            fields["architecture"] = _architecture(changes["architecture"])
        if "categories" in changes:
            fields["categories"] = _categories(changes["categories"])
        if not fields:
            return None  # e.g. only the client changed before creation: nothing to send
        return await client.update_builder_app(
            remote_id, idempotency_key=delivery.idempotency_key, org_id=org_id, **fields
        )

    return Handler(deliver, delivered=_updated, rejected=_rejected)


def _created(tx: Transaction, delivery: Delivery, app: BuilderApp) -> None:
    project_id = int(delivery.payload["project_id"])
    project = tx.session.get(Project, project_id)
    if project is None:
        logger.info("builder app %s created for project %s, deleted meanwhile", app.id, project_id)
        return
    # A sync may have pulled the new app in before this transaction: keep our
    # row (files, config) and drop the duplicate.
    for twin in tx.session.scalars(
        select(Project).where(Project.remote_id == app.id, Project.id != project_id)
    ):
        tx.session.delete(twin)
    tx.session.flush()
    project.remote_id = app.id
    project.org_id = app.org_id
    project.slug = app.slug
    project.status = app.status
    project.updated_at = datetime.now(UTC)
    _set_sync(tx, project_id, "synced", None)
    logger.info("project %s is builder app %s", project_id, app.id)


def _updated(tx: Transaction, delivery: Delivery, app: BuilderApp | None) -> None:
    project_id = int(delivery.payload["project_id"])
    if app is None or tx.session.get(Project, project_id) is None:
        return
    _set_sync(tx, project_id, "synced", None)


def _rejected(tx: Transaction, delivery: Delivery, error: ConsoleError) -> None:
    project_id = int(delivery.payload["project_id"])
    if isinstance(error, NotFound) and delivery.kind == KIND_UPDATE:
        logger.info("builder app of project %s is gone on the platform", project_id)
    _set_sync(tx, project_id, "failed", error.user_text())


def _set_sync(tx: Transaction, project_id: int, state: str, error: str | None) -> None:
    config = tx.session.get(PublishConfig, project_id)
    if config is None:
        return
    merged = dict(config.config or {})
    merged["sync"] = {"state": state, "error": error}
    config.config = merged


def _architecture(value: object) -> Architecture | None:
    for known in ARCHITECTURES:
        if value == known:
            return known
    return None


def _categories(value: object) -> list[CategoryId] | None:
    if not isinstance(value, list):
        return None
    return [c for c in CATEGORY_IDS if c in value]
