"""The build check: the exact file set a push would commit, built the way Vercel builds it.

The check installs the project's own dependencies with the command Vercel
would choose from the lockfile that is pushed (frozen), and runs `next build`
with the project's own settings and a placeholder for every variable the app
reads (placeholders live in the build's environment only, never in files).
Its result is bound to `fileset_hash` of what it built: a push of any other
set needs the check again or an explicit override.

A lockfile out of date with the pushed `package.json` (the integration adds
packages; a rule pins one) would fail Vercel's frozen install, so the check
regenerates it and the regenerated lockfile becomes part of the pushed set.
It is kept per `lockfile_key` (the inputs it was generated from), so an
unchanged project needs no regeneration, and no network, the next time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from console.services.buildcheck import BuildOutcome, BuildSettings, build_project
from console.services.buildcheck.problems import BuildProblem
from console.services.deploy.events import Progress
from console.services.projects.heal import Remedy

logger = logging.getLogger(__name__)

#: What decides a lockfile's content besides the lockfile itself.
LOCK_INPUTS = ("package.json", ".npmrc", "pnpm-workspace.yaml", ".yarnrc.yml")
LOCKFILES = ("pnpm-lock.yaml", "package-lock.json", "yarn.lock", "bun.lock", "bun.lockb")

#: Builds `files` in `workdir` with the build-time environment `env`, streaming `progress`.
Builder = Callable[
    [Mapping[str, bytes], Path, Mapping[str, str], Progress], Awaitable[BuildOutcome]
]


def fileset_hash(files: Mapping[str, bytes]) -> str:
    """A hash of a file set: its paths and their contents, order-independent."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(files[path]).digest())
    return digest.hexdigest()


def lockfile_key(files: Mapping[str, bytes]) -> str:
    """What a regenerated lockfile was made from: the manifest, npm config and old lockfile."""
    inputs = {path: files[path] for path in (*LOCK_INPUTS, *LOCKFILES) if path in files}
    return fileset_hash(inputs)


def default_builder(settings: BuildSettings) -> Builder:
    """The real build: install as Vercel would, regenerating a stale lockfile, then `next build`."""

    async def build(
        files: Mapping[str, bytes], workdir: Path, env: Mapping[str, str], progress: Progress
    ) -> BuildOutcome:
        return await build_project(
            files, workdir, settings, env=env, regenerate_stale_lockfile=True, progress=progress
        )

    return build


@dataclass(frozen=True)
class CheckReport:
    """What one build check found.

    Attributes:
        ok: the set built.
        files_hash: `fileset_hash` of the set it built (with a regenerated lockfile).
        outcome: the build's steps and timings; None when it could not start.
        problem: the first real error of a failed check.
        lockfile_updated: the lockfile the check regenerated and the push will carry.
        remedy: the compatibility rule that fixes `problem`, when one does.
        env_names: the variables the build got placeholders for.
    """

    ok: bool
    files_hash: str
    outcome: BuildOutcome | None
    problem: BuildProblem | None = None
    lockfile_updated: str | None = None
    remedy: Remedy | None = None
    env_names: tuple[str, ...] = ()

    @property
    def headline(self) -> str:
        if self.ok:
            return "The app builds as Vercel will build it."
        if self.problem is not None:
            return self.problem.headline()
        return "The build check failed."


def placeholders(names: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Build-time environment: each (name, placeholder) pair, the first one for a name winning."""
    env: dict[str, str] = {}
    for name, value in names:
        env.setdefault(name, value)
    return env
