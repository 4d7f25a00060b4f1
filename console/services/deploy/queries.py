"""What the Deployments section reads from the store, as plain frozen data.

Plain functions over the store (no ORM object leaves them), so a view can run
them in a worker thread: a project's deployments, its custom domains, the
published projects to choose from, a project's production state and a
deployment's build log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from console.services.deploy.history import production_deployment, production_pin
from console.store.db import Store
from console.store.models import Deployment, DeploymentEvent, Domain, Project


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class DeploymentItem:
    """One deployment as the history shows it."""

    id: str
    state: str
    created_at: datetime
    ready_at: datetime | None
    commit_sha: str | None
    trigger: str
    triggered_by: str | None
    url: str | None
    error: str | None
    production: bool
    target: str = "production"
    pinned: bool = False  # production is pinned to it (after a rollback)

    @property
    def duration(self) -> float | None:
        if self.ready_at is None:
            return None
        return max(0.0, (_aware(self.ready_at) - _aware(self.created_at)).total_seconds())

    @property
    def rollback_candidate(self) -> bool:
        return self.state == "READY" and not self.production


@dataclass(frozen=True)
class DomainItem:
    """One custom domain of a project and the DNS records to set for it."""

    name: str
    verified: bool
    records: tuple[tuple[str, str, str, str], ...]  # type, name, value, purpose

    @property
    def status(self) -> str:
        return "Active: verified, HTTPS answers" if self.verified else "Waiting for DNS / SSL"

    @property
    def records_text(self) -> str:
        return "\n".join(f"{t} {n} → {v}  ({p})" for t, n, v, p in self.records)


@dataclass(frozen=True)
class PublishedProject:
    """A project that can be deployed (on the platform, with a repository)."""

    id: int
    name: str


@dataclass(frozen=True)
class ProductionState:
    """Where a project's production is and how its last deploy went."""

    url: str | None
    deployment_status: str | None


def load_deployments(store: Store, project_id: int) -> list[DeploymentItem]:
    """The project's deployments from the store, newest first."""
    production = production_deployment(store, project_id)
    pin = production_pin(store, project_id)
    pinned = pin.deployment_id if pin is not None else None
    with store.read() as session:
        rows = session.scalars(
            select(Deployment)
            .where(Deployment.project_id == project_id)
            .order_by(Deployment.created_at.desc())
        )
        return [
            DeploymentItem(
                id=r.id,
                state=r.state,
                created_at=_aware(r.created_at),
                ready_at=_aware(r.ready_at) if r.ready_at else None,
                commit_sha=r.commit_sha,
                trigger=r.trigger,
                triggered_by=r.triggered_by,
                url=r.url,
                error=r.error,
                production=r.id == production,
                target=r.target,
                pinned=r.id == pinned,
            )
            for r in rows
        ]


def load_domains(store: Store, project_id: int) -> list[DomainItem]:
    """The project's custom domains, by name."""
    with store.read() as session:
        rows = session.scalars(
            select(Domain).where(Domain.project_id == project_id).order_by(Domain.name)
        )
        return [
            DomainItem(
                r.name,
                r.verified,
                tuple(
                    (str(x["type"]), str(x["name"]), str(x["value"]), str(x["purpose"]))
                    for x in r.records
                ),
            )
            for r in rows
        ]


def published_projects(store: Store) -> list[PublishedProject]:
    """Projects on the platform with a repository (what can be deployed), by name."""
    with store.read() as session:
        rows = session.execute(
            select(Project.id, Project.name)
            .where(Project.remote_id.is_not(None), Project.repo_url.is_not(None))
            .order_by(Project.name)
        ).all()
    return [PublishedProject(int(project_id), str(name)) for project_id, name in rows]


def production_state(store: Store, project_id: int) -> ProductionState | None:
    """The project's production URL and deployment status; None: no such project."""
    with store.read() as session:
        project = session.get(Project, project_id)
        if project is None:
            return None
        return ProductionState(project.production_url, project.deployment_status)


def build_log(store: Store, deployment_id: str) -> list[str]:
    """A deployment's stored build log and notes, one "[kind] text" line each, oldest first."""
    with store.read() as session:
        events = session.scalars(
            select(DeploymentEvent)
            .where(DeploymentEvent.deployment_id == deployment_id)
            .order_by(DeploymentEvent.created_at, DeploymentEvent.id)
        )
        return [f"[{e.kind}] {e.text}" for e in events]


__all__ = [
    "DeploymentItem",
    "DomainItem",
    "ProductionState",
    "PublishedProject",
    "build_log",
    "load_deployments",
    "load_domains",
    "production_pin",
    "production_state",
    "published_projects",
]
