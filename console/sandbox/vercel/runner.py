"""Real builds: a deployment checks out the pushed commit, installs and runs `next build`.

A deployment of a sandbox with `RealBuilds` is created QUEUED. `BuildRunner`
builds one at a time, oldest first, as a task in the server's loop:

    QUEUED -> INITIALIZING  (checkout of the commit from `CommitSource`)
           -> BUILDING      (`build_project`: install as Vercel would, `next build`)
           -> READY | ERROR (CANCELED at any point through the cancel endpoint)

Every step and output line is stored as a build event as it comes, so the
events endpoint shows the real log live. Each project builds in one folder
(`builds/<project name>/`) kept between deployments, so installs and Next's
cache are reused. A successful build's output moves to
`outputs/<deployment id>/`, where `next start` serves it (`serving.AppServers`);
the newest few per project are kept. A build the sandbox stopped in the middle
of is marked ERROR when the sandbox opens its state again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from console.sandbox.vercel.builds import BuildEvent, EventType, ReadyState
from console.sandbox.vercel.regions import build_location_line
from console.sandbox.vercel.serving import AppServers
from console.sandbox.vercel.store import DeploymentRow, VercelStore
from console.services.buildcheck import BuildOutcome, BuildSettings, build_project, plan_install
from console.services.buildcheck.build import next_build_flags
from console.services.buildcheck.workspace import write_files
from console.services.deploy.events import (
    Progress,
    ProgressEvent,
    StepFinished,
    StepProgress,
    StepStarted,
)

if TYPE_CHECKING:
    from console.sandbox.vercel.sandbox import VercelSandbox

logger = logging.getLogger(__name__)

#: What a sandbox that cannot build says first in every build log.
NODE_MISSING_NOTICE = (
    "Node.js was not found on this machine: this build is simulated; "
    "nothing was installed or built."
)
#: READY outputs kept per project (besides the production one): older ones are deleted.
KEEP_OUTPUTS = 3


class CommitSource(Protocol):
    """Where real builds find the pushed commits (the GitHub sandbox, embedded)."""

    def resolve(self, owner: str, repo: str, ref: str) -> str | None:
        """The sha of the commit `ref` (a branch or a sha) names; None when there is none."""
        ...

    def files(self, owner: str, repo: str, sha: str) -> dict[str, bytes]:
        """Every file of commit `sha`, by path.

        Raises:
            LookupError: the repository or the commit is gone.
        """
        ...


class ProjectBuilder(Protocol):
    """`console.services.buildcheck.build_project`, or a test's stand-in with its signature."""

    def __call__(
        self,
        files: Mapping[str, bytes],
        workdir: Path,
        settings: BuildSettings,
        *,
        env: Mapping[str, str],
        regenerate_stale_lockfile: bool,
        progress: Progress,
    ) -> Awaitable[BuildOutcome]: ...


@dataclass(frozen=True)
class RealBuilds:
    """What a sandbox that builds for real needs.

    Attributes:
        source: the pushed commits.
        settings: the build check's cache, deadlines and silence reports.
        build: runs one build (`build_project`; tests pass a fake).
        max_servers: `next start` processes kept running at once.
    """

    source: CommitSource
    settings: BuildSettings = field(default_factory=BuildSettings)
    build: ProjectBuilder = build_project
    max_servers: int = 3


def interrupt_unfinished(store: VercelStore, now: int) -> None:
    """Mark the real builds a stopped sandbox left unfinished as ERROR."""
    interrupted = []
    for row in store.unfinished_builds():
        offset = now - row.created_at
        events = [
            BuildEvent(
                offset,
                "stderr",
                "The build was interrupted: the sandbox stopped before it finished.",
                level="error",
            ),
            BuildEvent(offset, "exit", "exit code 1", level="error"),
            BuildEvent(offset, "deployment-state", "ERROR", ready_state="ERROR"),
        ]
        if store.advance(row.id, "ERROR", now, events, error_message="The build was interrupted"):
            interrupted.append(row.id)
    if interrupted:
        logger.info("vercel sandbox: builds interrupted by a stop: %s", ", ".join(interrupted))


def place_output_blocking(files: Mapping[str, bytes], workdir: Path, output: Path) -> None:
    """Set a successful build apart so that its deployment keeps serving it.

    `.next` moves from the project's folder to `output`, its cache moves back
    (the next build reuses it), the source files are written beside it and
    node_modules is linked, not copied.
    """
    write_files(files, output)
    built = workdir / ".next"
    built.rename(output / ".next")
    cache = output / ".next" / "cache"
    if cache.is_dir():
        built.mkdir()
        cache.rename(built / "cache")
    (output / "node_modules").symlink_to(
        (workdir / "node_modules").absolute(), target_is_directory=True
    )


class BuildRunner:
    """Builds the sandbox's queued deployments, one at a time, in the server's loop.

    Args:
        sandbox: the sandbox whose deployments it builds (store, clock, env).
        config: the commit source, the builder and its settings.
        servers: the `next start` processes of READY deployments.
        root: holds `builds/` (one folder per project) and `outputs/`.
    """

    def __init__(
        self, sandbox: VercelSandbox, config: RealBuilds, servers: AppServers, root: Path
    ) -> None:
        self._sandbox = sandbox
        self._store = sandbox.store
        self._config = config
        self.source = config.source
        self._servers = servers
        self.builds_root = root / "builds"
        self.outputs_root = root / "outputs"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._current: tuple[str, asyncio.Task[None]] | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Build while the server runs (its lifespan); a build in progress is ended after."""
        self._loop = asyncio.get_running_loop()
        worker = asyncio.create_task(self._work(), name="vercel-sandbox-builds")
        try:
            yield
        finally:
            self._loop = None
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    def wake(self) -> None:
        """A deployment was queued (callable from any thread)."""
        self._call_in_loop(self._wake.set)

    def cancel(self, deployment_id: str) -> None:
        """End the build of `deployment_id` if it is running (callable from any thread).

        The caller has already marked it CANCELED: the build's processes are
        ended and nothing more is written for it.
        """
        self._call_in_loop(self._cancel_current, deployment_id)

    def _call_in_loop(self, callback: Callable[..., object], *args: object) -> None:
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed in the meantime
                loop.call_soon_threadsafe(callback, *args)

    def _cancel_current(self, deployment_id: str) -> None:
        if self._current is not None and self._current[0] == deployment_id:
            self._current[1].cancel()

    async def _work(self) -> None:
        while True:
            self._wake.clear()
            row = self._store.next_queued()
            if row is None:
                await self._wake.wait()
                continue
            task = asyncio.create_task(self._build(row), name=f"vercel-build-{row.id}")
            self._current = (row.id, task)
            try:
                # Waiting rather than awaiting: a canceled build ends its task, not the worker.
                await asyncio.wait({task})
            finally:
                self._current = None
                if not task.done():  # the sandbox is stopping
                    task.cancel()
                    await asyncio.wait({task})

    # ------------------------------------------------------------------ one build
    async def _build(self, row: DeploymentRow) -> None:
        try:
            await self._checkout_and_build(row)
        except Exception:
            logger.exception("vercel sandbox: build of %s failed unexpectedly", row.id)
            self._fail(row, ["The sandbox failed while running this build (see its log)."])

    async def _checkout_and_build(self, row: DeploymentRow) -> None:
        owner, repo = row.meta.get("githubOrg", ""), row.meta.get("githubRepo", "")
        sha, ref = row.meta.get("githubCommitSha", ""), row.meta.get("githubCommitRef", "")
        opening = [
            build_location_line(row.region),
            f"Build machine configuration: this computer, {os.cpu_count() or 1} cores",
            f"Cloning github.com/{owner}/{repo} (Branch: {ref}, Commit: {sha[:7]})",
        ]
        if not self._store.advance(
            row.id,
            "INITIALIZING",
            self._sandbox.now_ms(),
            [self._state_event(row, "INITIALIZING")]
            + [self._event(row, "stdout", line) for line in opening],
        ):
            return  # canceled while queued
        clone_started = time.monotonic()
        try:
            files = await asyncio.to_thread(self.source.files, owner, repo, sha)
        except LookupError as error:
            self._fail(row, [f"Cloning github.com/{owner}/{repo} failed: {error}"])
            return
        clone_ms = 1000 * (time.monotonic() - clone_started)
        self._log(row, "stdout", f"Cloning completed: {clone_ms:.3f}ms")
        if not self._store.advance(
            row.id, "BUILDING", self._sandbox.now_ms(), [self._state_event(row, "BUILDING")]
        ):
            return
        project = self._store.find_project(row.project_id)
        if project is None:
            return  # deleted while building: nothing left to write to
        workdir = self.builds_root / project.name
        outcome = await self._config.build(
            files,
            workdir,
            self._config.settings,
            env=self._sandbox.production_env(project.id),
            regenerate_stale_lockfile=False,
            progress=_LogWriter(functools.partial(self._log, row), files),
        )
        if not outcome.ok:
            self._fail_build(row, outcome)
            return
        output = self.outputs_root / row.id
        try:
            await asyncio.to_thread(place_output_blocking, files, workdir, output)
        except OSError as error:
            self._fail(row, [f"Deploying outputs failed: {error}"])
            return
        at = self._sandbox.now_ms()
        done = [
            self._event(row, "stdout", "Deploying outputs..."),
            self._event(row, "stdout", "Deployment completed"),
            self._event(row, "exit", "exit code 0"),
            self._state_event(row, "READY"),
        ]
        if self._store.advance(row.id, "READY", at, done):
            logger.info("vercel sandbox: %s built in %.0f s", row.id, outcome.seconds)
            await self._remove_old_outputs()

    def _fail_build(self, row: DeploymentRow, outcome: BuildOutcome) -> None:
        """ERROR, with the build's first error and the command that failed, as Vercel says it."""
        problem = outcome.problem
        failed = next((step for step in outcome.steps if not step.ok), None)
        lines = []
        if problem is not None:
            if problem.location():
                lines.append(f"./{problem.location()}")
            lines += problem.message.strip().splitlines()
        summary = None
        if failed is not None and failed.command:
            summary = f'Command "{failed.command}" exited with 1'
            lines.append(f"Error: {summary}")
        self._fail(row, lines or ["The build failed"], summary)

    def _fail(self, row: DeploymentRow, lines: Sequence[str], summary: str | None = None) -> None:
        """ERROR with `lines` on stderr; `errorMessage` is `summary`, else the first line."""
        events = [self._event(row, "stderr", line, level="error") for line in lines]
        events.append(self._event(row, "exit", "exit code 1", level="error"))
        events.append(self._state_event(row, "ERROR"))
        summary = summary or lines[0]
        if self._store.advance(
            row.id, "ERROR", self._sandbox.now_ms(), events, error_message=summary
        ):
            logger.info("vercel sandbox: %s failed: %s", row.id, summary)

    def _log(self, row: DeploymentRow, kind: EventType, text: str) -> None:
        self._store.append_events(row.id, [self._event(row, kind, text)])

    def _event(
        self,
        row: DeploymentRow,
        kind: EventType,
        text: str,
        *,
        level: Literal["error", "warning"] | None = None,
    ) -> BuildEvent:
        return BuildEvent(self._sandbox.now_ms() - row.created_at, kind, text, level=level)

    def _state_event(self, row: DeploymentRow, state: ReadyState) -> BuildEvent:
        offset = self._sandbox.now_ms() - row.created_at
        return BuildEvent(offset, "deployment-state", state, ready_state=state)

    # ------------------------------------------------------------------ outputs
    async def _remove_old_outputs(self) -> None:
        """Delete outputs no deployment can be served from any more, or beyond the newest few."""
        for deployment_id in await asyncio.to_thread(self._outputs_to_remove_blocking):
            await self._servers.stop(deployment_id)
            await asyncio.to_thread(shutil.rmtree, self.outputs_root / deployment_id, True)
            logger.info("vercel sandbox: output of %s removed", deployment_id)

    def _outputs_to_remove_blocking(self) -> list[str]:
        if not self.outputs_root.is_dir():
            return []
        present = sorted(p.name for p in self.outputs_root.iterdir())
        keep: set[str] = set()
        for project_id in {
            row.project_id
            for row in (self._store.find_deployment(i) for i in present)
            if row is not None
        }:
            project = self._store.find_project(project_id)
            if project is None:
                continue
            views, production = self._sandbox.project_views(project)
            ready = [v.row.id for v in views if v.state == "READY" and v.row.mode == "real"]
            keep.update(ready[:KEEP_OUTPUTS])
            if production is not None:
                keep.add(production.row.id)
        return [deployment_id for deployment_id in present if deployment_id not in keep]


class _LogWriter:
    """Turns `build_project`'s progress into build log lines, Vercel's way of saying them."""

    def __init__(self, say: Callable[[EventType, str], None], files: Mapping[str, bytes]):
        self._say = say
        self._install = plan_install(files).command
        self._build = " ".join(("next", "build", *next_build_flags(files)[0]))
        self._last_message = ""

    def __call__(self, event: ProgressEvent) -> None:
        match event:
            case StepStarted(step="install"):
                self._say("command", f'Running "install" command: `{self._install}`...')
            case StepStarted(step="build"):
                self._say("command", f'Running "build" command: `{self._build}`...')
            case StepProgress(log_line=str() as line):
                self._say("stdout", line)
            case StepProgress(message=message):
                self._last_message = message
                self._say("stdout", message)
            # A step often ends saying what it just said ("pnpm-lock.yaml matches...").
            case StepFinished(detail=detail) if detail and detail != self._last_message:
                self._say("stdout", detail)
