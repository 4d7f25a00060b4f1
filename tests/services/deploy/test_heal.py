"""DeployHealer: a failed deploy's stored build log to the rule that fixes it, then fix and push."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from console.services.buildcheck.problems import BuildProblem
from console.services.deploy.events import Progress, ProgressEvent, StepFinished
from console.services.deploy.heal import DeployHealer
from console.services.projects import ProjectService
from console.services.projects.heal import Remedy
from console.services.publish import CheckReport, Draft, PublishResult, PublishService
from console.services.scaffold import PublishConfig
from console.store.db import Store
from tests.fakes.builds import env_problem
from tests.services.deploy.heal_project import import_helpdesk, store_deployment, vercel_log

EARLIER = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def healer(store: Store, projects: ProjectService) -> DeployHealer:
    return DeployHealer(store, projects, PublishService(store, None, remedies=projects))


async def test_healer_diagnoses_a_failed_build_and_names_the_rule(
    store: Store, tmp_path: Path
) -> None:
    projects = ProjectService(store, workspace_root=tmp_path / "work")
    project_id = await import_helpdesk(projects, tmp_path)
    events = vercel_log("next15-webpack-env-mongodb.txt")
    store_deployment(store, project_id, "dpl_failed", "ERROR", events, EARLIER)

    diagnosis = await healer(store, projects).diagnose(project_id)

    assert diagnosis is not None
    assert diagnosis.deployment_id == "dpl_failed"
    problem = diagnosis.problem
    assert (problem.kind, problem.subject) == ("env-at-build", "MONGODB_URI")
    assert problem.headline() == 'Error: Invalid/Missing environment variable: "MONGODB_URI"'
    remedy = diagnosis.remedy
    assert remedy is not None
    assert (remedy.rule_id, remedy.enable_rule) == ("env-checks", True)
    patched = {d.path: d for d in remedy.diffs}
    assert "lib/mongodb.ts" in patched
    after = patched["lib/mongodb.ts"].after
    assert after is not None
    assert "MONGODB_URI" in after.split("console env-checks", 1)[1]


async def test_healer_says_a_problem_no_rule_fixes_plainly(store: Store, tmp_path: Path) -> None:
    projects = ProjectService(store, workspace_root=tmp_path / "work")
    project_id = await import_helpdesk(projects, tmp_path)
    events = vercel_log("next15-webpack-type-error.txt")
    store_deployment(store, project_id, "dpl_typed", "ERROR", events, EARLIER)

    diagnosis = await healer(store, projects).diagnose(project_id)

    assert diagnosis is not None
    assert diagnosis.remedy is None
    assert diagnosis.problem.kind == "type-error"
    assert diagnosis.problem.headline() == (
        "app/page.tsx:2: Type error: Type 'string' is not assignable to type 'number'."
    )


async def test_healer_finds_nothing_to_fix_unless_the_newest_build_failed_recognisably(
    store: Store, tmp_path: Path
) -> None:
    projects = ProjectService(store, workspace_root=tmp_path / "work")
    project_id = await import_helpdesk(projects, tmp_path)
    heal = healer(store, projects)
    assert await heal.diagnose(project_id) is None  # never deployed

    # Only the state changed to ERROR (the build was interrupted): no error line to read.
    interrupted = [("stdout", "Cloning completed: 412.000ms"), ("deployment-state", "ERROR")]
    store_deployment(store, project_id, "dpl_interrupted", "ERROR", interrupted, EARLIER)
    assert await heal.diagnose(project_id) is None

    # A later build that went through supersedes an older failure.
    failed = vercel_log("next15-webpack-env-mongodb.txt")
    store_deployment(
        store, project_id, "dpl_failed", "ERROR", failed, EARLIER + timedelta(minutes=1)
    )
    assert await heal.diagnose(project_id) is not None
    store_deployment(store, project_id, "dpl_ready", "READY", [], EARLIER + timedelta(minutes=2))
    assert await heal.diagnose(project_id) is None


@dataclass
class FakePublish:
    """Implements the healer's `Publisher`: checks end with `reports` in turn; calls recorded."""

    reports: list[CheckReport]
    calls: list[str] = field(default_factory=list)

    async def load_draft(self, project_id: int) -> Draft:
        self.calls.append(f"load_draft {project_id}")
        config = PublishConfig(app_name="Helpdesk", repo_name="helpdesk")
        return Draft(project_id, config, (), "https://github.com/acme/helpdesk", "4c1e2d9", None)

    async def heal(
        self, project_id: int, config: PublishConfig, remedy: Remedy, progress: Progress
    ) -> CheckReport:
        self.calls.append(f"heal {config.repo_name} {remedy.rule_id}")
        progress(StepFinished("build", "built in 1 s"))
        return self.reports.pop(0)

    async def publish(
        self, project_id: int, config: PublishConfig, *, progress: Progress
    ) -> PublishResult:
        self.calls.append(f"publish {config.repo_name}")
        progress(StepFinished("commit", "9f8e7d6, 12 files, 5 requests"))
        return PublishResult(
            "acme/helpdesk",
            "https://github.com/acme/helpdesk",
            "9f8e7d6",
            12,
            5,
            False,
            False,
            True,
        )


class NoRemedies:
    """Implements `RemedySource`: fix_and_publish must not ask it."""

    async def propose_remedy(self, project_id: int, problem: BuildProblem) -> Remedy | None:
        raise AssertionError("fix_and_publish proposes nothing itself")


ENV_REMEDY = Remedy("env-checks", "Environment variables at build time", "fix", True, (), ())


async def test_healer_fixes_checks_then_publishes_in_that_order(store: Store) -> None:
    publish = FakePublish([CheckReport(True, "abc", None)])
    events: list[ProgressEvent] = []

    report = await DeployHealer(store, NoRemedies(), publish).fix_and_publish(
        7, ENV_REMEDY, events.append
    )

    assert report.ok
    assert publish.calls == ["load_draft 7", "heal helpdesk env-checks", "publish helpdesk"]
    assert events == [
        StepFinished("build", "built in 1 s"),
        StepFinished("commit", "9f8e7d6, 12 files, 5 requests"),
    ]


async def test_healer_publishes_nothing_when_the_fixed_build_still_fails(store: Store) -> None:
    still = env_problem("REDIS_URL")
    publish = FakePublish([CheckReport(False, "abc", None, still)])

    report = await DeployHealer(store, NoRemedies(), publish).fix_and_publish(7, ENV_REMEDY)

    assert not report.ok
    assert report.problem == still
    assert publish.calls == ["load_draft 7", "heal helpdesk env-checks"]
