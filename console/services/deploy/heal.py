"""Self-heal a failed deploy: from the build log Vercel kept to the rule that fixes it.

A deploy whose build failed leaves its deployment (state ERROR) and its build
log in the store (`DeployService`). `DeployHealer.diagnose` reads the log's
first real error with the build check's own reader (`first_error`) and asks
the projects for the compatibility rule that fixes it. `fix_and_publish` then
does what the build check's fix does (`PublishService.heal`: apply the rule,
check again, fix what the next check names, up to three fixes) and, once the
check passes, publishes the fixed files. The caller deploys again: the new
deployment builds the new commit.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select

from console.services.buildcheck.diagnose import first_error
from console.services.buildcheck.problems import BuildProblem
from console.services.deploy.events import Progress, no_progress
from console.services.projects.heal import Remedy
from console.services.publish import CheckReport, Draft, PublishResult
from console.services.scaffold import PublishConfig
from console.store.db import Store
from console.store.models import Deployment, DeploymentEvent

logger = logging.getLogger(__name__)

#: The deploy pipeline's step whose failure a build log explains.
BUILD_STEP = "build"
#: Where Vercel builds; stripped from the paths its log prints.
VERCEL_WORKDIR = "/vercel/path0"
#: Build log events that carry the tools' output (not state changes or notes).
_OUTPUT_KINDS = ("stdout", "stderr")


class RemedySource(Protocol):
    """What the healer needs of `ProjectService`."""

    async def propose_remedy(self, project_id: int, problem: BuildProblem) -> Remedy | None: ...


class Publisher(Protocol):
    """What the healer needs of `PublishService`."""

    async def load_draft(self, project_id: int) -> Draft: ...

    async def heal(
        self, project_id: int, config: PublishConfig, remedy: Remedy, progress: Progress
    ) -> CheckReport: ...

    async def publish(
        self, project_id: int, config: PublishConfig, *, progress: Progress
    ) -> PublishResult: ...


@dataclass(frozen=True)
class BuildDiagnosis:
    """Why a deployment's build failed, and what fixes it.

    Attributes:
        deployment_id: the failed deployment.
        problem: the first real error of its build log.
        remedy: the compatibility rule that fixes it; None when no rule does
            (the problem is then said plainly, with its advice).
    """

    deployment_id: str
    problem: BuildProblem
    remedy: Remedy | None


class DeployHealer:
    """Diagnoses a project's failed deploy build and fixes, checks and publishes it.

    Args:
        store: the local store (deployments and their build logs).
        remedies: proposes the rule that fixes a problem (`ProjectService`).
        publish: drafts, the build check's fix and the push (`PublishService`).
    """

    def __init__(self, store: Store, remedies: RemedySource, publish: Publisher) -> None:
        self._store = store
        self._remedies = remedies
        self._publish = publish

    async def diagnose(self, project_id: int) -> BuildDiagnosis | None:
        """What made the project's newest deployment fail to build, and the fix if one exists.

        Returns:
            None when the newest deployment did not fail (a later build
            supersedes an older failure) or its log shows no recognisable error.
        """
        found = await asyncio.to_thread(self._first_error_blocking, project_id)
        if found is None:
            return None
        deployment_id, problem = found
        remedy = await self._remedies.propose_remedy(project_id, problem)
        logger.info(
            "deployment %s failed with %s; remedy: %s",
            deployment_id,
            problem.kind,
            remedy.rule_id if remedy else "none",
        )
        return BuildDiagnosis(deployment_id, problem, remedy)

    async def fix_and_publish(
        self, project_id: int, remedy: Remedy, progress: Progress = no_progress
    ) -> CheckReport:
        """Apply `remedy`, check the build again (fixing what it names next), publish if it passes.

        Returns:
            The last build check's report: when it passed, its files were
            pushed and a new deployment builds them; when not, its problem
            (and the next remedy, if any) says what is left.

        Raises:
            ConsoleError: the fix or the push failed (see `PublishService.heal`
                and `PublishService.publish`).
        """
        draft = await self._publish.load_draft(project_id)
        report = await self._publish.heal(project_id, draft.config, remedy, progress)
        if not report.ok:
            logger.info(
                "project %s still fails after %s: %s", project_id, remedy.rule_id, report.headline
            )
            return report
        result = await self._publish.publish(project_id, draft.config, progress=progress)
        logger.info("project %s fixed with %s, pushed %s", project_id, remedy.rule_id, result.sha)
        return report

    def _first_error_blocking(self, project_id: int) -> tuple[str, BuildProblem] | None:
        with self._store.read() as session:
            newest = session.scalars(
                select(Deployment)
                .where(Deployment.project_id == project_id)
                .order_by(Deployment.created_at.desc())
                .limit(1)
            ).first()
            if newest is None or newest.state != "ERROR":
                return None
            lines = list(
                session.scalars(
                    select(DeploymentEvent.text)
                    .where(
                        DeploymentEvent.deployment_id == newest.id,
                        DeploymentEvent.kind.in_(_OUTPUT_KINDS),
                    )
                    .order_by(DeploymentEvent.created_at, DeploymentEvent.id)
                )
            )
            deployment_id = newest.id
        problem = first_error(lines, BUILD_STEP, workdir=VERCEL_WORKDIR)
        return None if problem is None else (deployment_id, problem)
