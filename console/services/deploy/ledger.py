"""The ledger of remote resources pipeline runs create, and their removal.

Every remote resource a deploy or provisioning run creates (a GitHub
repository, a Vercel project, its variables and deployments, a platform
sub-organization, builder app, API key, webhook or OAuth client) is a
`RemoteResource` row, written *before* the create call (``creating``) and
completed with the remote id as soon as the answer is in (``created``). A
console killed at any instant therefore still knows what its run may have
made, and rollback and abandon remove exactly that (`ResourceRemover`):

- a removal the remote confirms (or answers 404: already gone) is ``removed``;
- a removal the remote refuses (a GitHub token without ``delete_repo``) or
  that cannot reach it is ``left_behind`` with the reason: the console lists
  those and `clean_up` retries them once the right is granted;
- what is not the run's to remove stays ``kept``: a deployment in the
  history of a Vercel project that existed before the run, a variable the
  run added to such a project (Vercel removes variables with their project).

Rows also say which credential's secret went into which Vercel project
(``detail["env"]``), so a redeploy reuses the app's live API key, webhook and
OAuth client instead of making new ones. Secrets never reach this table.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import select

from console.errors import ConsoleError, NotFound
from console.services.github.client import GitHubClient
from console.services.platform.client import PlatformClient
from console.services.vercel.client import VercelClient
from console.store.db import Store
from console.store.models import RemoteResource

logger = logging.getLogger(__name__)

Vendor = Literal["github", "vercel", "platform"]
Kind = Literal[
    "repository",
    "vercel_project",
    "env_var",
    "deployment",
    "webhook",
    "api_key",
    "oauth_client",
    "builder_app",
    "sub_org",
]

CREATING = "creating"
CREATED = "created"
REMOVED = "removed"
KEPT = "kept"
LEFT_BEHIND = "left_behind"
#: Statuses of a resource that (may) exist and is the run's to remove.
OWNED = (CREATING, CREATED, LEFT_BEHIND)

#: Resources that live inside a Vercel project and go when it goes.
CONTAINED: frozenset[str] = frozenset({"env_var", "deployment"})

KIND_LABELS: dict[str, str] = {
    "repository": "GitHub repository",
    "vercel_project": "Vercel project",
    "env_var": "Vercel variable",
    "deployment": "Vercel deployment",
    "webhook": "platform webhook",
    "api_key": "platform API key",
    "oauth_client": "platform OAuth client",
    "builder_app": "platform builder app",
    "sub_org": "platform sub-organization",
}


@dataclass(frozen=True)
class Resource:
    """One ledger row, detached from the session."""

    id: int
    run_id: int | None
    step: str
    vendor: str
    kind: str
    remote_id: str | None
    name: str
    parent_id: str | None
    org_id: str | None
    status: str
    problem: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None

    @property
    def label(self) -> str:
        """What it is, for people: "GitHub repository northwind-digital/plastimed-portal"."""
        return f"{KIND_LABELS.get(self.kind, self.kind)} {self.name}"

    @classmethod
    def of(cls, row: RemoteResource) -> Resource:
        return cls(
            row.id,
            row.run_id,
            row.step,
            row.vendor,
            row.kind,
            row.remote_id,
            row.name,
            row.parent_id,
            row.org_id,
            row.status,
            row.problem,
            dict(row.detail or {}),
            row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC),
        )


class Ledger:
    """Reads and writes `RemoteResource` rows (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def intend(
        self,
        run_id: int,
        step: str,
        vendor: Vendor,
        kind: Kind,
        name: str,
        *,
        parent_id: str | None = None,
        org_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> int:
        """Record a resource about to be created (before the call); returns the row id."""
        with self.store.write() as tx:
            row = RemoteResource(
                run_id=run_id,
                step=step,
                vendor=vendor,
                kind=kind,
                name=name,
                parent_id=parent_id,
                org_id=org_id,
                status=CREATING,
                detail=dict(detail or {}),
            )
            tx.session.add(row)
            tx.session.flush()
            return int(row.id)

    def created(self, entry_id: int, remote_id: str, **detail: Any) -> None:
        """The remote confirmed: keep its id (and facts such as a key's scopes)."""
        self._update(entry_id, status=CREATED, remote_id=remote_id, problem=None, **detail)

    def set_detail(self, entry_id: int, **detail: Any) -> None:
        self._update(entry_id, **detail)

    def mark(self, entry_id: int, status: str, problem: str | None = None) -> None:
        self._update(entry_id, status=status, problem=problem)

    def mark_remote(self, kind: Kind, remote_id: str, status: str) -> None:
        """Set the status of every row of `kind` with `remote_id` (e.g. a revoked key)."""
        with self.store.write() as tx:
            for row in tx.session.scalars(
                select(RemoteResource).where(
                    RemoteResource.kind == kind, RemoteResource.remote_id == remote_id
                )
            ):
                row.status = status
                row.updated_at = datetime.now(UTC)

    def get(self, entry_id: int) -> Resource:
        with self.store.read() as session:
            row = session.get(RemoteResource, entry_id)
            if row is None:
                raise KeyError(entry_id)
            return Resource.of(row)

    def of_run(
        self, run_id: int, *, step: str | None = None, statuses: Iterable[str] = OWNED
    ) -> list[Resource]:
        """A run's resources in creation order (of one step, with these statuses)."""
        query = select(RemoteResource).where(
            RemoteResource.run_id == run_id, RemoteResource.status.in_(tuple(statuses))
        )
        if step is not None:
            query = query.where(RemoteResource.step == step)
        with self.store.read() as session:
            return [Resource.of(r) for r in session.scalars(query.order_by(RemoteResource.id))]

    def owned(self, run_id: int, kind: Kind, name: str) -> Resource | None:
        """The run's newest row of `kind` named `name` that may exist (creating or later)."""
        rows = [r for r in self.of_run(run_id) if r.kind == kind and r.name == name]
        return rows[-1] if rows else None

    def bound(self, kind: Kind, app_id: str, vercel_project_id: str) -> Resource | None:
        """The credential of `app_id` whose secret was last written into that Vercel project.

        Whatever its status: a revoked one means the project's variable holds
        a dead secret.
        """
        with self.store.read() as session:
            rows = session.scalars(
                select(RemoteResource)
                .where(RemoteResource.kind == kind, RemoteResource.parent_id == app_id)
                .order_by(RemoteResource.id.desc())
            )
            for row in rows:
                if (row.detail or {}).get("env") == vercel_project_id:
                    return Resource.of(row)
        return None

    def known_ids(self, kind: Kind) -> set[str]:
        """Remote ids of `kind` any run recorded."""
        with self.store.read() as session:
            ids = session.scalars(
                select(RemoteResource.remote_id).where(
                    RemoteResource.kind == kind, RemoteResource.remote_id.is_not(None)
                )
            )
            return {str(i) for i in ids}

    def left_behind(self) -> list[Resource]:
        """What rollbacks could not remove, oldest first (the cleanup list)."""
        with self.store.read() as session:
            rows = session.scalars(
                select(RemoteResource)
                .where(RemoteResource.status == LEFT_BEHIND)
                .order_by(RemoteResource.id)
            )
            return [Resource.of(r) for r in rows]

    def _update(self, entry_id: int, **values: Any) -> None:
        with self.store.write() as tx:
            row = tx.session.get(RemoteResource, entry_id)
            if row is None:
                raise KeyError(entry_id)
            for key in ("status", "remote_id", "problem"):
                if key in values:
                    setattr(row, key, values.pop(key))
            if values:
                row.detail = {**dict(row.detail or {}), **values}
            row.updated_at = datetime.now(UTC)


@dataclass(frozen=True)
class Outcome:
    """What a removal did: the new status and a note for the step log."""

    status: str
    note: str


class ResourceRemover:
    """Removes ledger resources at their vendor.

    Args:
        vercel: the Vercel client.
        platform: the platform client.
        github: the GitHub client (None where no run creates repositories).
    """

    def __init__(
        self,
        vercel: VercelClient,
        platform: PlatformClient,
        github: GitHubClient | None = None,
    ) -> None:
        self.vercel = vercel
        self.platform = platform
        self.github = github

    async def remove(self, resource: Resource, *, container_removed: bool = False) -> Outcome:
        """Remove one resource; never raises for a refusal (that is `LEFT_BEHIND`).

        Args:
            resource: the ledger row.
            container_removed: its Vercel project was removed by the same
                rollback (variables and deployments went with it).
        """
        if resource.kind in CONTAINED and container_removed:
            return Outcome(REMOVED, f"{resource.label} went with its Vercel project")
        remote_id = resource.remote_id or await self.locate(resource)
        if remote_id is None:
            return Outcome(REMOVED, f"{resource.label} was never created")
        try:
            return await self._remove(resource, remote_id)
        except NotFound:
            return Outcome(REMOVED, f"{resource.label} was already gone")
        except ConsoleError as exc:
            logger.info("%s %s not removed: %s", resource.kind, remote_id, type(exc).__name__)
            return Outcome(LEFT_BEHIND, exc.user_text())

    async def _remove(self, r: Resource, remote_id: str) -> Outcome:
        removed = Outcome(REMOVED, f"removed {r.label}")
        if r.kind == "repository":
            if self.github is None:
                return Outcome(LEFT_BEHIND, "No GitHub connection to remove it with.")
            owner, _, name = remote_id.partition("/")
            await self.github.delete_repo(owner, name)
        elif r.kind == "vercel_project":
            await self.vercel.delete_project(remote_id)
        elif r.kind == "deployment":
            current = await self.vercel.get_deployment(remote_id)
            if current.ready_state.is_final:
                return Outcome(KEPT, f"{r.label} stays in the project's history")
            await self.vercel.cancel_deployment(remote_id)
            return Outcome(KEPT, f"canceled {r.label} (it stays in the project's history)")
        elif r.kind == "env_var":
            # The Vercel client removes variables only with their project.
            return Outcome(KEPT, f"{r.label} stays on the Vercel project, which existed before")
        elif r.kind == "webhook":
            await self.platform.delete_webhook(remote_id, org_id=r.org_id)
        elif r.kind == "api_key":
            await self.platform.revoke_api_key(remote_id, org_id=r.org_id)
            removed = Outcome(REMOVED, f"revoked {r.label}")
        elif r.kind == "oauth_client":
            await self.platform.delete_oauth_client(remote_id, org_id=r.org_id)
        elif r.kind == "builder_app":
            await self.platform.delete_builder_app(remote_id, org_id=r.org_id)
        elif r.kind == "sub_org":
            await self.platform.delete_child(remote_id)
        else:
            raise ValueError(f"unknown resource kind {r.kind!r}")
        return removed

    async def locate(self, r: Resource) -> str | None:
        """The id of a resource whose create answer was lost (a kill, a dropped
        connection), found by what the ledger knows of it; None if it does not exist."""
        with contextlib.suppress(NotFound):
            if r.kind == "repository" and self.github is not None:
                owner, _, name = r.name.partition("/")
                return (await self.github.get_repo(owner, name)).full_name
            if r.kind == "vercel_project":
                return (await self.vercel.get_project(r.name)).id
            if r.kind == "sub_org":
                return await self._find_child(r.name)
            if r.kind == "builder_app":
                return await self._find_app(r)
            if r.kind == "deployment" and r.parent_id and r.created_at is not None:
                since = int(r.created_at.timestamp() * 1000)
                page = await self.vercel.list_deployments(project_id=r.parent_id, since=since)
                return page.deployments[-1].id if page.deployments else None
            if r.kind in ("api_key", "webhook", "oauth_client") and r.parent_id:
                if "known" not in r.detail:
                    return None  # the run never listed them: nothing to tell ours apart
                return await self._find_credential(r)
        return None

    async def _find_child(self, slug: str) -> str | None:
        cursor: str | None = None
        while True:
            page = await self.platform.list_children(cursor=cursor, limit=100)
            for child in page.items:
                if child.slug == slug:
                    return child.id
            cursor = page.next_cursor
            if cursor is None:
                return None

    async def _find_app(self, r: Resource) -> str | None:
        cursor: str | None = None
        while True:
            page = await self.platform.list_builder_apps(
                filter_org=r.org_id, cursor=cursor, limit=100
            )
            for app in page.items:
                if app.slug == r.name:
                    return app.id
            cursor = page.next_cursor
            if cursor is None:
                return None

    async def _find_credential(self, r: Resource) -> str | None:
        """The app's newest credential of this kind that was not there when the run
        meant to create it (``detail["known"]``): the one whose answer was lost."""
        assert r.parent_id is not None
        items: Sequence[Any]
        if r.kind == "api_key":
            items = (await self.platform.list_api_keys(app_id=r.parent_id, org_id=r.org_id)).items
        elif r.kind == "webhook":
            items = (await self.platform.list_webhooks(app_id=r.parent_id, org_id=r.org_id)).items
        else:
            items = (
                await self.platform.list_oauth_clients(app_id=r.parent_id, org_id=r.org_id)
            ).items
        known = set(r.detail.get("known") or ())
        return next((str(item.id) for item in items if item.id not in known), None)


@dataclass(frozen=True)
class CleanupResult:
    """What `clean_up` did."""

    removed: tuple[str, ...]
    still_left: tuple[Resource, ...]


async def clean_up(ledger: Ledger, remover: ResourceRemover) -> CleanupResult:
    """Try again to remove everything left behind (e.g. once the token may delete repos)."""
    removed: list[str] = []
    still: list[Resource] = []
    for resource in ledger.left_behind():
        outcome = await remover.remove(resource)
        left = outcome.status == LEFT_BEHIND
        ledger.mark(resource.id, outcome.status, outcome.note if left else None)
        if left:
            still.append(ledger.get(resource.id))
        else:
            removed.append(outcome.note)
    logger.info("cleanup: %d removed, %d still left behind", len(removed), len(still))
    return CleanupResult(tuple(removed), tuple(still))
