"""Build a Next.js project as Vercel would: install from its lockfile, then `next build`.

The check judges exactly what will be pushed: the project's own dependencies,
installed with the command Vercel would choose from the pushed lockfile, then
`next build` with the project's own settings. Plain async functions and
dataclasses (no Qt, no store), so the publish wizard and the local Vercel
sandbox drive the same code.

Modules: `build` (the whole run, `build_project`), `toolchain` (node, npm,
the install plan), `lockfile` (is it in sync), `diagnose` (the first real
error), `process` (child processes), `workspace` (the project folder),
`problems` (`BuildProblem`).
"""

import logging

from console.services.buildcheck.build import (
    BuildOutcome,
    BuildSettings,
    StepResult,
    build_project,
    default_cache_root,
)
from console.services.buildcheck.problems import BuildProblem, ProblemKind
from console.services.buildcheck.toolchain import InstallPlan, plan_install

logger = logging.getLogger(__name__)

__all__ = [
    "BuildOutcome",
    "BuildProblem",
    "BuildSettings",
    "InstallPlan",
    "ProblemKind",
    "StepResult",
    "build_project",
    "default_cache_root",
    "plan_install",
]
