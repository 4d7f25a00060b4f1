"""A build check builder that builds nothing: it streams a short log and passes or fails.

The real builder (npm/pnpm install and `next build`) is covered by the slow
tests; view and service tests use this one so they run in milliseconds while
seeing the same step events, outcome type and problem shapes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from console.services.buildcheck import BuildOutcome, plan_install
from console.services.buildcheck.build import STEP_TITLES, STEPS, StepResult
from console.services.buildcheck.problems import BuildProblem
from console.services.deploy.events import (
    Progress,
    StepFailed,
    StepFinished,
    StepProgress,
    StepStarted,
)

LOG: dict[str, tuple[str, ...]] = {
    "tools": ("node v24.19.0, pnpm 10.34.9",),
    "lockfile": ("pnpm-lock.yaml is up to date with package.json",),
    "install": ("Packages: +412", "Done in 4.2s using pnpm v10.34.9"),
    "build": (
        "   ▲ Next.js 15.5.4",
        "   Creating an optimized production build ...",
        " ✓ Compiled successfully in 9.2s",
        " ✓ Generating static pages (5/5)",
    ),
}


@dataclass(frozen=True)
class BuildCall:
    files: dict[str, bytes]
    workdir: Path
    env: dict[str, str]


@dataclass
class FakeBuilder:
    """Implements `console.services.publish.Builder`.

    Attributes:
        results: what successive builds end with: None passes, a problem
            fails at its step; the last one repeats.
        lockfile_update: returned by every build (a regenerated lockfile).
        gate: when set, each build waits for it at the build step (tests
            cancel there, or watch the progress while it runs).
        silence: a notice the build step reports before waiting at `gate`,
            as the real builder does when a tool prints nothing for a while.
        calls: every build asked for, in order.
    """

    results: Sequence[BuildProblem | None] = (None,)
    lockfile_update: tuple[str, bytes] | None = None
    gate: asyncio.Event | None = None
    silence: str = ""
    calls: list[BuildCall] = field(default_factory=list)

    async def __call__(
        self,
        files: Mapping[str, bytes],
        workdir: Path,
        env: Mapping[str, str],
        progress: Progress,
    ) -> BuildOutcome:
        started = time.monotonic()
        index = min(len(self.calls), len(self.results) - 1)
        self.calls.append(BuildCall(dict(files), workdir, dict(env)))
        problem = self.results[index]
        steps: list[StepResult] = []
        for number, name in enumerate(STEPS):
            progress(StepStarted(name, STEP_TITLES[name], number, len(STEPS)))
            if name == "build" and self.silence:
                progress(StepProgress(name, self.silence))
            if name == "build" and self.gate is not None:
                await self.gate.wait()
            for line in LOG[name]:
                progress(StepProgress(name, "output", log_line=line))
            await asyncio.sleep(0)
            failed = problem is not None and problem.step == name
            if failed:
                assert problem is not None
                progress(StepProgress(name, "output", log_line=problem.message))
                progress(StepFailed(name, problem.headline()))
            else:
                progress(StepFinished(name, "0.1 s"))
            steps.append(StepResult(name, not failed, 0.1, tail=LOG[name]))
            if failed:
                break
        return BuildOutcome(
            ok=problem is None,
            plan=plan_install(files),
            steps=tuple(steps),
            problem=problem,
            lockfile_update=self.lockfile_update,
            seconds=time.monotonic() - started,
        )


def env_problem(variable: str, file: str = "lib/db.ts") -> BuildProblem:
    """The failure `next build` reports for a variable checked while a module loads."""
    return BuildProblem(
        "env-at-build",
        f"Error: Missing environment variable {variable}",
        "build",
        file=file,
        line=3,
        subject=variable,
    )
