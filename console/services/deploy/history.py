"""Deployment history per project: refresh from Vercel, roll back, build logs.

Redeploying is the deploy pipeline again (`DeployService.deploy`): it reuses
the Vercel project and the app's webhook, so a redeploy creates nothing new
but the deployment.

Rolling back pins production: Vercel stops giving production to new
deployments (``autoAssignCustomDomains`` off) until automatic production is
resumed. The store keeps that as notes on the deployments (`PINNED` on the
one production is pinned to, `RESUMED` when it is lifted), written from what
Vercel reports after each promote, resume and refresh, so the history says
what Vercel does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from console.errors import NotFound, UserInputError
from console.services.deploy.deploy import vercel_name
from console.services.platform.client import PlatformClient
from console.services.vercel.client import VercelClient
from console.services.vercel.models import Project as VercelProject
from console.services.vercel.models import ReadyState
from console.store.db import Store
from console.store.models import Deployment, DeploymentEvent, Project

logger = logging.getLogger(__name__)

#: DeploymentEvent.kind of the note "promoted to production".
PROMOTED = "promoted"
#: ... of the note on the deployment production is pinned to (a rollback).
PINNED = "pinned"
#: ... of the note "automatic production resumed", on the deployment serving then.
RESUMED = "resumed"
#: The console's own notes, kept when a build log is fetched again.
NOTES = (PROMOTED, PINNED, RESUMED)
#: What a pinned production means for the next deploys.
PINNED_TEXT = (
    "Production is pinned to this deployment; new deployments will not go live automatically"
)


@dataclass(frozen=True)
class ProductionPin:
    """Production pinned to one deployment (after a rollback)."""

    deployment_id: str
    commit_sha: str | None


@dataclass(frozen=True)
class ProjectRef:
    """What history needs to know about a local project."""

    id: int
    app_id: str
    name: str
    vercel_name: str


def _ms(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1000, UTC)


class HistoryService:
    """Every deployment of a project, production rollback and build logs.

    Args:
        store: the local store.
        vercel: the Vercel client.
        platform: the platform client (records the production deployment).
        staff_name: who acts (shown in history).
    """

    def __init__(
        self,
        store: Store,
        vercel: VercelClient,
        platform: PlatformClient,
        *,
        staff_name: str = "console",
    ) -> None:
        self.store = store
        self.vercel = vercel
        self.platform = platform
        self.staff_name = staff_name

    def project(self, project_id: int) -> ProjectRef:
        with self.store.read() as session:
            row = session.get(Project, project_id)
            if row is None or not row.remote_id:
                raise UserInputError("This project is not on the platform yet.")
            return ProjectRef(row.id, row.remote_id, row.name, vercel_name(row.slug or row.name))

    async def refresh(self, project_id: int) -> int:
        """Fetch all the project's deployments from Vercel into the store; returns how many.

        Every page of Vercel's history is read, and whether production is
        pinned is taken from the project as Vercel reports it.
        """
        ref = self.project(project_id)
        try:
            vercel_project = await self.vercel.get_project(ref.vercel_name)
        except NotFound:
            return 0
        deployments = await self.vercel.list_all_deployments(vercel_project.id)
        with self.store.write() as tx:
            for item in deployments:
                row = tx.session.get(Deployment, item.id)
                if row is None:
                    row = Deployment(id=item.id, project_id=project_id, trigger="git")
                    tx.session.add(row)
                row.vercel_project_id = item.project_id
                row.state = (item.ready_state or ReadyState.QUEUED).value
                row.target = item.target or "preview"
                row.url = item.url
                row.commit_sha = row.commit_sha or item.git_sha
                row.triggered_by = row.triggered_by or item.creator_username
                row.created_at = _ms(item.created_at) or row.created_at
                row.ready_at = _ms(item.ready_at)
                row.error = item.error_message
            tx.session.flush()
            self._note_pin(tx.session, project_id, vercel_project)
        logger.info("project %d: %d deployments refreshed", project_id, len(deployments))
        return len(deployments)

    async def roll_back(self, project_id: int, deployment_id: str) -> str:
        """Point production at an earlier READY deployment; returns the production URL.

        Vercel pins production to a deployment rolled back to; the store
        notes it (`production_pin`) as Vercel reports it afterwards.
        """
        ref = self.project(project_id)
        with self.store.read() as session:
            row = session.get(Deployment, deployment_id)
            if row is None or row.project_id != project_id:
                raise UserInputError("That deployment is not one of this project's.")
            vercel_project_id = row.vercel_project_id
        current = await self.vercel.get_deployment(deployment_id)
        if current.ready_state is not ReadyState.READY:
            raise UserInputError(
                f"Only a READY deployment can serve production ({current.ready_state.value})."
            )
        target = vercel_project_id or current.project_id or ref.vercel_name
        await self.vercel.promote_deployment(target, deployment_id)
        vercel_project = await self.vercel.get_project(target)
        production_url = f"https://{ref.vercel_name}.vercel.app"
        await self.platform.record_deployment(
            ref.app_id, "deployed", production_url=production_url, deployment_id=deployment_id
        )
        with self.store.write() as tx:
            tx.session.add(
                DeploymentEvent(
                    deployment_id=deployment_id,
                    kind=PROMOTED,
                    text=f"Promoted to production by {self.staff_name}",
                )
            )
            project = tx.session.get(Project, project_id)
            if project is not None:
                project.production_url = production_url
                project.deployment_status = "deployed"
            tx.session.flush()
            self._note_pin(tx.session, project_id, vercel_project)
        logger.info(
            "project %d: production rolled back to %s (pinned=%s)",
            project_id,
            deployment_id,
            vercel_project.production_pinned,
        )
        return production_url

    async def resume_production(self, project_id: int) -> str | None:
        """Let new production deployments go live again after a rollback pinned production.

        Vercel's unpause; production keeps serving the pinned deployment until
        the next production deployment is ready.

        Returns:
            The deployment production still serves, or None if none.
        """
        ref = self.project(project_id)
        pin = production_pin(self.store, project_id)
        with self.store.read() as session:
            row = session.get(Deployment, pin.deployment_id) if pin is not None else None
            vercel_project_id = row.vercel_project_id if row is not None else None
        target = vercel_project_id or ref.vercel_name
        await self.vercel.resume_production(target)
        vercel_project = await self.vercel.get_project(target)
        with self.store.write() as tx:
            self._note_pin(tx.session, project_id, vercel_project)
        logger.info("project %d: automatic production resumed", project_id)
        return vercel_project.production_deployment_id

    def _note_pin(self, session: Session, project_id: int, vercel_project: VercelProject) -> None:
        """Note in the store whether production is pinned, as Vercel reports it."""
        local = _pin(session, project_id)
        serving = vercel_project.production_deployment_id
        row = session.get(Deployment, serving) if serving is not None else None
        if row is None or row.project_id != project_id:
            return  # not in the history yet: the next refresh notes it
        if vercel_project.production_pinned:
            if local is None or local.deployment_id != serving:
                session.add(DeploymentEvent(deployment_id=serving, kind=PINNED, text=PINNED_TEXT))
        elif local is not None:
            session.add(
                DeploymentEvent(
                    deployment_id=serving,
                    kind=RESUMED,
                    text=f"Automatic production resumed by {self.staff_name}: the next "
                    "production deployment goes live when it is ready",
                )
            )

    async def fetch_logs(self, deployment_id: str) -> int:
        """Replace the stored build log of `deployment_id` with Vercel's; returns the lines."""
        events = await self.vercel.get_deployment_events(deployment_id)
        with self.store.write() as tx:
            tx.session.execute(
                delete(DeploymentEvent).where(
                    DeploymentEvent.deployment_id == deployment_id,
                    DeploymentEvent.kind.not_in(NOTES),
                )
            )
            tx.touch("deployment_events")
            for event in events:
                tx.session.add(
                    DeploymentEvent(
                        deployment_id=deployment_id,
                        kind=event.type,
                        text=event.text or "",
                        created_at=_ms(event.created) or datetime.now(UTC),
                    )
                )
        return len(events)


def production_pin(store: Store, project_id: int) -> ProductionPin | None:
    """The deployment production is pinned to, or None when new deployments go live."""
    with store.read() as session:
        return _pin(session, project_id)


def _pin(session: Session, project_id: int) -> ProductionPin | None:
    latest = session.execute(
        select(DeploymentEvent.deployment_id, DeploymentEvent.kind, Deployment.commit_sha)
        .join(Deployment, Deployment.id == DeploymentEvent.deployment_id)
        .where(
            Deployment.project_id == project_id,
            DeploymentEvent.kind.in_((PINNED, RESUMED)),
        )
        .order_by(DeploymentEvent.id.desc())
    ).first()
    if latest is None or latest[1] != PINNED:
        return None
    return ProductionPin(str(latest[0]), latest[2])


def production_deployment(store: Store, project_id: int) -> str | None:
    """The deployment serving production.

    The pinned one while production is pinned; else the newest READY
    production deployment that got ready after the last promote (or resume),
    else the one promoted (or serving at the resume); without either, the
    newest READY one.
    """
    with store.read() as session:
        pin = _pin(session, project_id)
        if pin is not None:
            return pin.deployment_id
        promoted = session.execute(
            select(DeploymentEvent.deployment_id, DeploymentEvent.id)
            .join(Deployment, Deployment.id == DeploymentEvent.deployment_id)
            .where(
                Deployment.project_id == project_id,
                DeploymentEvent.kind.in_((PROMOTED, RESUMED)),
            )
            .order_by(DeploymentEvent.id.desc())
        ).first()
        newest = session.execute(
            select(Deployment.id, Deployment.ready_at)
            .where(
                Deployment.project_id == project_id,
                Deployment.state == "READY",
                Deployment.target == "production",
            )
            .order_by(Deployment.ready_at.desc())
        ).first()
        if promoted is None:
            return None if newest is None else str(newest[0])
        if newest is None:
            return str(promoted[0])
        promoted_row = session.get(Deployment, promoted[0])
        # A newer READY production deployment than the promoted one takes over.
        if promoted_row is not None and newest[0] != promoted[0]:
            event = session.get(DeploymentEvent, promoted[1])
            if event is not None and newest[1] is not None and newest[1] > event.created_at:
                return str(newest[0])
        return str(promoted[0])
