"""Stand-ins for the real builds' collaborators: pushed commits and `build_project`.

`FakeBuilder` has `build_project`'s signature: it says a few Vercel-like lines
through `progress`, can be held until the test releases it, fails when the
commit holds `FAIL_FILE`, and on success leaves what `next build` would
(`.next/BUILD_ID`) plus a `next` that is a tiny node HTTP server, so serving
works without Next.js.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from console.services.buildcheck import (
    BuildOutcome,
    BuildProblem,
    BuildSettings,
    StepResult,
    plan_install,
)
from console.services.deploy.events import (
    Progress,
    StepFailed,
    StepFinished,
    StepProgress,
    StepStarted,
)

#: A commit holding this file fails its fake build; the file's text is the first error.
FAIL_FILE = "fake-build-error.txt"
PNPM_LOCK = b"lockfileVersion: '9.0'\n"
#: `next start` as a few lines of node: answers every path with its build id.
FAKE_NEXT = b"""
const fs = require("fs");
const http = require("http");
const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
const build = fs.readFileSync(".next/BUILD_ID", "utf8");
http.createServer((req, res) => res.end(`fake app ${build} ${req.url}`)).listen(port, "127.0.0.1");
"""


def app_files(page: str = "Hello") -> dict[str, bytes]:
    """A small pnpm project's files."""
    return {
        "package.json": b'{"name": "shop", "scripts": {"build": "next build"}}',
        "pnpm-lock.yaml": PNPM_LOCK,
        "app/page.tsx": f"export default () => <h1>{page}</h1>\n".encode(),
    }


class FakeCommits:
    """Pushed commits in memory (`CommitSource`)."""

    def __init__(self) -> None:
        self._commits: dict[tuple[str, str, str], dict[str, bytes]] = {}
        self._heads: dict[tuple[str, str], str] = {}

    def push(self, owner: str, repo: str, files: Mapping[str, bytes]) -> str:
        """A new commit on main; answers its sha."""
        sha = hashlib.sha1(repr(sorted(files.items())).encode() + repo.encode()).hexdigest()
        self._commits[(owner, repo, sha)] = dict(files)
        self._heads[(owner, repo)] = sha
        return sha

    def resolve(self, owner: str, repo: str, ref: str) -> str | None:
        if (owner, repo, ref) in self._commits:
            return ref
        return self._heads.get((owner, repo)) if ref == "main" else None

    def files(self, owner: str, repo: str, sha: str) -> dict[str, bytes]:
        try:
            return dict(self._commits[(owner, repo, sha)])
        except KeyError:
            raise LookupError(f"no commit {sha}") from None


@dataclass
class BuildCall:
    """One call of the fake builder."""

    files: dict[str, bytes]
    workdir: Path
    env: dict[str, str]
    regenerate_stale_lockfile: bool
    canceled: bool = False
    finished: bool = False


@dataclass
class FakeBuilder:
    """`build_project` without npm or next; see the module docstring.

    Attributes:
        hold: builds wait for `release()` after their output (set it before deploying).
        calls: every build, in order.
        most_at_once: the most builds that ran at the same time.
    """

    hold: bool = False
    calls: list[BuildCall] = field(default_factory=list)
    most_at_once: int = 0
    _running: int = 0
    _gates: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def __call__(
        self,
        files: Mapping[str, bytes],
        workdir: Path,
        settings: BuildSettings,
        *,
        env: Mapping[str, str],
        regenerate_stale_lockfile: bool,
        progress: Progress,
    ) -> BuildOutcome:
        call = BuildCall(dict(files), workdir, dict(env), regenerate_stale_lockfile)
        self.calls.append(call)
        self._running += 1
        self.most_at_once = max(self.most_at_once, self._running)
        try:
            return await self._build(call, progress)
        except asyncio.CancelledError:
            call.canceled = True
            raise
        finally:
            self._running -= 1

    def release(self) -> None:
        """Let every held build go on (from any thread)."""
        with self._lock:
            gates, self._gates = self._gates, []
        for loop, gate in gates:
            loop.call_soon_threadsafe(gate.set)

    @property
    def waiting(self) -> int:
        """Builds held right now."""
        with self._lock:
            return len(self._gates)

    async def _build(self, call: BuildCall, progress: Progress) -> BuildOutcome:
        plan = plan_install(call.files)
        progress(StepStarted("tools", "Node.js and package manager", 0, 4))
        progress(StepProgress("tools", plan.reason))
        progress(StepFinished("tools", "node 24.19.0, pnpm 10.18.0"))
        progress(StepStarted("install", "Install dependencies", 2, 4))
        progress(StepProgress("install", "output", log_line="Packages: +3"))
        progress(StepFinished("install", f"{plan.command} in 1 s"))
        progress(StepStarted("build", "next build", 3, 4))
        progress(StepProgress("build", "output", log_line="   \u25b2 Next.js 15.5.29"))
        progress(StepProgress("build", "output", log_line="   Creating an optimized build ..."))
        if self.hold:
            gate = (asyncio.get_running_loop(), asyncio.Event())
            with self._lock:
                self._gates.append(gate)
            try:
                await gate[1].wait()
            finally:
                with self._lock:
                    if gate in self._gates:
                        self._gates.remove(gate)
        steps = (
            StepResult("tools", True, 0.1),
            StepResult("install", True, 1.0, command=plan.command),
        )
        error = call.files.get(FAIL_FILE)
        call.finished = True
        if error is not None:
            message = error.decode()
            progress(StepProgress("build", "output", log_line="Failed to compile."))
            progress(StepFailed("build", message))
            problem = BuildProblem("module-not-found", message, "build", file="app/page.tsx")
            failed = StepResult("build", False, 2.0, command="next build", detail=message)
            return BuildOutcome(False, plan, (*steps, failed), problem, None, 3.1)
        _leave_build_output(call.workdir)
        progress(StepProgress("build", "output", log_line="Route (app)  Size"))
        progress(StepFinished("build", "built in 2 s"))
        built = StepResult("build", True, 2.0, command="next build")
        return BuildOutcome(True, plan, (*steps, built), None, None, 3.1)


def _leave_build_output(workdir: Path) -> None:
    build_id = workdir / ".next" / "BUILD_ID"
    build_id.parent.mkdir(parents=True, exist_ok=True)
    build_id.write_text(secrets.token_hex(6))
    (workdir / ".next" / "cache").mkdir(exist_ok=True)
    next_bin = workdir / "node_modules" / "next" / "dist" / "bin" / "next"
    next_bin.parent.mkdir(parents=True, exist_ok=True)
    next_bin.write_bytes(FAKE_NEXT)
