"""Dependency rules: pin `latest`, resolve peer-dependency conflicts, add missing imports."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from console.services.projects.jsscan import imports
from console.services.projects.rules.base import (
    DEP_SECTIONS,
    ProjectFiles,
    Rule,
    RuleContext,
    dependency,
    major_of,
    set_dependency,
    version_tuple,
)

logger = logging.getLogger(__name__)

#: Version specs that mean "whatever is newest at install time".
FLOATING = frozenset({"latest", "*", "", "x", "X"})

#: Versions known to build together offline (Next 15 + React 19), used when a
#: floating dependency has no lockfile entry (Tailwind: see `pinned_version`).
KNOWN_GOOD: dict[str, str] = {
    "next": "15.2.4",
    "react": "^19",
    "react-dom": "^19",
    "typescript": "^5",
    "@types/node": "^22",
    "@types/react": "^19",
    "@types/react-dom": "^19",
    "tailwindcss": "^3.4.17",
    "@tailwindcss/postcss": "^4.1.9",
    "tw-animate-css": "^1.3.3",
    "postcss": "^8.5",
    "autoprefixer": "^10.4.20",
    "tailwindcss-animate": "^1.0.7",
    "tailwind-merge": "^2.5.5",
    "clsx": "^2.1.1",
    "class-variance-authority": "^0.7.1",
    "lucide-react": "^0.454.0",
    "geist": "^1.3.1",
    "next-themes": "^0.4.4",
    "sonner": "^1.7.1",
    "zod": "^3.24.1",
    "react-hook-form": "^7.54.1",
    "@hookform/resolvers": "^3.9.1",
    "date-fns": "4.1.0",
    "recharts": "2.15.0",
    "cmdk": "1.0.4",
    "embla-carousel-react": "8.5.1",
    "input-otp": "1.4.1",
    "react-day-picker": "8.10.1",
    "react-resizable-panels": "^2.1.7",
    "vaul": "^1.1.2",
    "framer-motion": "^11.15.0",
    "@vercel/analytics": "^1.4.1",
    "@vercel/postgres": "^0.10.0",
    "@neondatabase/serverless": "^0.10.4",
    "stripe": "^17.5.0",
    "@stripe/stripe-js": "^5.4.0",
    "@radix-ui/react-accordion": "1.2.2",
    "@radix-ui/react-alert-dialog": "1.1.4",
    "@radix-ui/react-aspect-ratio": "1.1.1",
    "@radix-ui/react-avatar": "1.1.2",
    "@radix-ui/react-checkbox": "1.1.3",
    "@radix-ui/react-collapsible": "1.1.2",
    "@radix-ui/react-context-menu": "2.2.4",
    "@radix-ui/react-dialog": "1.1.4",
    "@radix-ui/react-dropdown-menu": "2.1.4",
    "@radix-ui/react-hover-card": "1.1.4",
    "@radix-ui/react-label": "2.1.1",
    "@radix-ui/react-menubar": "1.1.4",
    "@radix-ui/react-navigation-menu": "1.2.3",
    "@radix-ui/react-popover": "1.1.4",
    "@radix-ui/react-progress": "1.1.1",
    "@radix-ui/react-radio-group": "1.2.2",
    "@radix-ui/react-scroll-area": "1.2.2",
    "@radix-ui/react-select": "2.1.4",
    "@radix-ui/react-separator": "1.1.1",
    "@radix-ui/react-slider": "1.2.2",
    "@radix-ui/react-slot": "1.1.1",
    "@radix-ui/react-switch": "1.1.2",
    "@radix-ui/react-tabs": "1.1.2",
    "@radix-ui/react-toast": "1.2.4",
    "@radix-ui/react-toggle": "1.1.1",
    "@radix-ui/react-toggle-group": "1.1.1",
    "@radix-ui/react-tooltip": "1.1.6",
    "ai": "^4.3.16",
    "@ai-sdk/openai": "^1.3.22",
    "@ai-sdk/react": "^1.2.12",
    "swr": "^2.3.0",
    "zustand": "^5.0.2",
    "uuid": "^11.0.3",
    "@supabase/supabase-js": "^2.47.10",
    "drizzle-orm": "^0.38.3",
}

#: Node's own modules: imported without being dependencies.
NODE_BUILTINS = frozenset(
    {
        "assert",
        "buffer",
        "child_process",
        "crypto",
        "dns",
        "events",
        "fs",
        "http",
        "https",
        "net",
        "os",
        "path",
        "perf_hooks",
        "querystring",
        "readline",
        "stream",
        "string_decoder",
        "timers",
        "tls",
        "url",
        "util",
        "worker_threads",
        "zlib",
    }
)

#: Package manager -> its lockfile, in the order the first present one is kept.
#: In the order Vercel goes by when a project has several (the build check's order too).
LOCKFILES = {"yarn": "yarn.lock", "pnpm": "pnpm-lock.yaml", "npm": "package-lock.json"}


@dataclass(frozen=True)
class PeerLimit:
    """Peer ranges of a package's older versions (from `npm view <pkg>@<v> peerDependencies`).

    Attributes:
        fixed_in: the first version whose ranges admit current React (None: none does).
        peers: peer -> range, for versions before `fixed_in`.
    """

    fixed_in: tuple[int, int, int] | None
    peers: Mapping[str, str]


_REACT_18 = {"react": "^18.0.0", "react-dom": "^18.0.0"}
#: Common v0 dependencies whose older versions reject React 19 (or date-fns 4).
KNOWN_PEER_LIMITS: dict[str, PeerLimit] = {
    "vaul": PeerLimit(
        (1, 1, 1),
        {"react": "^16.8 || ^17.0 || ^18.0", "react-dom": "^16.8 || ^17.0 || ^18.0"},
    ),
    "react-day-picker": PeerLimit(
        (9, 0, 0), {"react": "^16.8.0 || ^17.0.0 || ^18.0.0", "date-fns": "^2.28.0 || ^3.0.0"}
    ),
    "cmdk": PeerLimit((1, 0, 1), _REACT_18),
    "framer-motion": PeerLimit((11, 14, 0), _REACT_18),
    "@testing-library/react": PeerLimit((16, 1, 0), _REACT_18),
    "@tremor/react": PeerLimit(None, {"react": "^18.0.0"}),
    "react-beautiful-dnd": PeerLimit(
        None,
        {
            "react": "^16.8.5 || ^17.0.0 || ^18.0.0",
            "react-dom": "^16.8.5 || ^17.0.0 || ^18.0.0",
        },
    ),
}


@dataclass(frozen=True)
class PeerConflict:
    """A declared package whose peer range excludes the version the project declares."""

    package: str
    version: str
    peer: str
    peer_range: str
    peer_version: str

    @property
    def key(self) -> str:
        """`package>peer`, how pnpm names it (and how heal targets name it)."""
        return f"{self.package}>{self.peer}"


class PinLatestRule(Rule):
    id = "pin-latest"
    title = "Pin `latest` dependencies"
    description = (
        "Dependencies declared as `latest` (or `*`) install whatever is newest and drift "
        "from what v0 tested. Those the export's lockfile already pins are left alone (the "
        "frozen install is deterministic and package.json stays in step with the lockfile); "
        "the others are pinned to a known-good version."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        pkg = files.package_json()
        if pkg is None:
            return
        locked = lock_versions(files)
        changed = False
        for section in DEP_SECTIONS:
            deps = pkg.get(section)
            if not isinstance(deps, dict):
                continue
            for name, spec in list(deps.items()):
                if str(spec).strip() not in FLOATING or name in locked:
                    continue
                version = pinned_version(files, pkg, name)
                if version is None:
                    ctx.flag(
                        "package.json",
                        line_of_key(files.read("package.json") or "", name),
                        f"{name} is `{spec}` and neither a lockfile nor the known-good table "
                        "has a version for it: npm installs whatever is newest.",
                    )
                    continue
                deps[name] = version
                changed = True
        if changed:
            files.write_package_json(pkg)


class React19PeersRule(Rule):
    """See `description`.

    Targets: `package>peer` pairs a failed install named (ERESOLVE), handled
    like the conflicts the rule finds by itself.
    """

    id = "react19-peers"
    title = "Resolve peer dependency conflicts"
    description = (
        "npm refuses to install (ERESOLVE) when a package's peer range excludes the version "
        "the project declares (React 19 for vaul 0.9 or react-day-picker 8, date-fns 4 for "
        "react-day-picker 8). npm projects get `overrides` that let those packages use the "
        "project's version; pnpm only fails with strict-peer-dependencies, and then gets "
        "`peerDependencyRules.allowedVersions`. Nothing is added to the dependencies. "
        "Next 14 with React 19 moves to React 18 (Next 14 supports React 18 only)."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        pkg = files.package_json()
        if pkg is None or dependency(pkg, "react") is None:
            return
        react_major = major_of(installed_version(files, pkg, "react"))
        next_major = major_of(installed_version(files, pkg, "next"))
        if react_major is not None and react_major >= 19 and next_major and next_major <= 14:
            self._to_react_18(files, pkg, next_major, ctx)
            return
        manager = package_manager(files, pkg)
        if manager == "yarn" or (manager == "npm" and legacy_peers(files)):
            return  # they warn about peer ranges and install anyway
        if manager == "pnpm" and not strict_peers(files):
            return  # pnpm 8+ only warns unless strict-peer-dependencies is set
        conflicts = peer_conflicts(files, pkg, ctx.targets_of(self.id))
        if not conflicts:
            return
        if manager == "npm":
            _override(pkg, conflicts)
            how = "overrides let it use the project's"
        else:
            _allow(pkg, conflicts)
            how = "pnpm.peerDependencyRules.allowedVersions accepts the project's"
        files.write_package_json(pkg)
        text = files.read("package.json") or ""
        for conflict in conflicts:
            problem = (
                f"{conflict.package}@{conflict.version} wants {conflict.peer} "
                f"{conflict.peer_range}; the project has {conflict.peer_version}"
            )
            ctx.fixed(
                "package.json",
                line_of_key(text, conflict.package),
                f"{problem}: {how} {conflict.peer}.",
                f"{problem}: {manager} refuses to install (peer dependency conflict).",
            )

    @staticmethod
    def _to_react_18(
        files: ProjectFiles, pkg: dict[str, Any], next_major: int, ctx: RuleContext
    ) -> None:
        for name, version in (
            ("react", "^18.3.1"),
            ("react-dom", "^18.3.1"),
            ("@types/react", "^18.3.12"),
            ("@types/react-dom", "^18.3.1"),
        ):
            if name in ("react", "react-dom") or dependency(pkg, name):
                set_dependency(pkg, name, version)
        files.write_package_json(pkg)
        ctx.fixed(
            "package.json",
            line_of_key(files.read("package.json") or "", "react"),
            f"Next {next_major} supports React 18 only: react and react-dom moved to 18.3.",
            f"Next {next_major} supports React 18 only and the project declares React 19: "
            "the build fails.",
        )


def pinned_version(files: ProjectFiles, pkg: Mapping[str, Any], name: str) -> str | None:
    """The known-good version for a floating dependency, in the project's own stack.

    `tailwindcss: latest` installs Tailwind 4, so a project set up for it (the
    v4 PostCSS plugin, or `@import "tailwindcss"` in a stylesheet) keeps 4.
    """
    if name == "tailwindcss" and (
        dependency(pkg, "@tailwindcss/postcss") is not None
        or any(
            re.search(r"""@import\s+['"]tailwindcss['"]""", files.read(path) or "")
            for path in files.paths()
            if path.endswith(".css")
        )
    ):
        return KNOWN_GOOD["@tailwindcss/postcss"]
    return KNOWN_GOOD.get(name)


def installed_version(files: ProjectFiles, pkg: Mapping[str, Any], name: str) -> str | None:
    """The version a frozen install gets: the lockfile's, else the declared spec.

    A floating spec (`latest`) with no lockfile entry is None, except for
    React, whose newest major is 19.
    """
    locked = lock_versions(files).get(name)
    if locked:
        return locked
    found = dependency(pkg, name)
    if found is None:
        return None
    if found[1].strip() in FLOATING:
        return "19.0.0" if name in ("react", "react-dom") else None
    return found[1]


def package_manager(files: ProjectFiles, pkg: Mapping[str, Any]) -> str:
    """The package manager: packageManager, else the kept lockfile's ("npm" without one)."""
    declared = str(pkg.get("packageManager", "")).split("@", 1)[0]
    if declared in LOCKFILES:
        return declared
    lockfile = kept_lockfile(files)
    return next((m for m, path in LOCKFILES.items() if path == lockfile), "npm")


def legacy_peers(files: ProjectFiles) -> bool:
    """Whether npm runs with legacy peer dependencies (and so ignores peer ranges)."""
    return "legacy-peer-deps=true" in (files.read(".npmrc") or "").replace(" ", "")


def strict_peers(files: ProjectFiles) -> bool:
    """Whether pnpm fails on peer ranges (`strict-peer-dependencies=true`)."""
    settings = (files.read(".npmrc") or "").replace(" ", "")
    workspace = (files.read("pnpm-workspace.yaml") or "").replace(" ", "")
    return "strict-peer-dependencies=true" in settings or "strictPeerDependencies:true" in workspace


def peer_conflicts(
    files: ProjectFiles, pkg: Mapping[str, Any], named: Sequence[str] = ()
) -> list[PeerConflict]:
    """Declared packages whose peer range excludes the project's version of that peer.

    Ranges come from the lockfile, else from `KNOWN_PEER_LIMITS`; `named` adds
    `package>peer` pairs a failed install reported (with an unknown range).
    """
    ranges = lock_peer_ranges(files)
    conflicts: dict[str, PeerConflict] = {}
    for name, limit in KNOWN_PEER_LIMITS.items():
        version = installed_version(files, pkg, name)
        found = version_tuple(version)
        if found is None or name in ranges:
            continue
        if limit.fixed_in is None or found < limit.fixed_in:
            ranges[name] = dict(limit.peers)
    for pair in named:
        name, _, peer = pair.partition(">")
        if name and peer:
            ranges.setdefault(name, {}).setdefault(peer, "")
    for name, peers in sorted(ranges.items()):
        version = installed_version(files, pkg, name)
        if version is None:
            continue
        for peer, peer_range in sorted(peers.items()):
            peer_version = installed_version(files, pkg, peer)
            peer_major = major_of(peer_version)
            if peer_version is None or peer_major is None:
                continue  # not declared: not the project's choice, nothing to override
            if peer_range and range_allows(peer_range, peer_major):
                continue
            conflict = PeerConflict(name, version, peer, peer_range or "(a range)", peer_version)
            conflicts[conflict.key] = conflict
    return list(conflicts.values())


def _override(pkg: dict[str, Any], conflicts: Sequence[PeerConflict]) -> None:
    # `"$react"` means "the version the root declares": verified with npm 11
    # (`npm install --package-lock-only`) to clear ERESOLVE for vaul 0.9.9 and
    # react-day-picker 8.10.1 with React 19 and date-fns 4, without installing
    # anything the project does not declare.
    overrides = pkg.setdefault("overrides", {})
    if not isinstance(overrides, dict):
        return
    for conflict in conflicts:
        entry = overrides.setdefault(conflict.package, {})
        if isinstance(entry, dict):
            entry[conflict.peer] = f"${conflict.peer}"


def _allow(pkg: dict[str, Any], conflicts: Sequence[PeerConflict]) -> None:
    # Verified with pnpm 10: strict-peer-dependencies plus these rules installs
    # with a frozen lockfile made before them (they do not make it stale).
    pnpm = pkg.setdefault("pnpm", {})
    rules = pnpm.setdefault("peerDependencyRules", {}) if isinstance(pnpm, dict) else None
    allowed = rules.setdefault("allowedVersions", {}) if isinstance(rules, dict) else None
    if not isinstance(allowed, dict):
        return
    for conflict in conflicts:
        allowed[conflict.key] = str(major_of(conflict.peer_version))


class MissingDependenciesRule(Rule):
    id = "missing-deps"
    title = "Add imported packages missing from package.json"
    description = (
        "v0's preview resolves any package a file imports; `next build` only finds the ones "
        'in package.json ("Module not found"). Imported packages that are not declared are '
        "added with a known-good version; unknown ones are flagged."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        pkg = files.package_json()
        if pkg is None:
            return
        changed = False
        flagged: set[str] = set()
        for source in files.sources((".tsx", ".ts", ".jsx", ".js", ".mjs")):
            if source.path.endswith(".d.ts"):
                continue
            for module, clause, offset in imports(source.text):
                name = package_name(module)
                if name is None or dependency(pkg, name) is not None or name in flagged:
                    continue
                if re.match(r"\s*type\b", clause) and dependency(pkg, f"@types/{name}"):
                    continue
                version = KNOWN_GOOD.get(name)
                line = source.line_of(offset)
                problem = f"Imports {name}, which package.json does not declare: `next build` fails"
                if version is None:
                    flagged.add(name)
                    ctx.flag(
                        source.path,
                        line,
                        f"{problem} (Module not found); add it with the version the code "
                        "was written for.",
                        "blocker",
                    )
                    continue
                set_dependency(pkg, name, version)
                changed = True
                ctx.fixed(
                    source.path,
                    line,
                    f"Added {name}@{version} to package.json.",
                    f"{problem} (Module not found).",
                )
        if changed:
            files.write_package_json(pkg)


def package_name(module: str) -> str | None:
    """The npm package a bare import names, None for relative, aliased or built-in ones."""
    if module.startswith((".", "/", "@/", "~/", "node:", "#")) or not module:
        return None
    parts = module.split("/")
    name = "/".join(parts[:2]) if module.startswith("@") else parts[0]
    if name in NODE_BUILTINS or name.startswith("@types/"):
        return None
    return name


# --- lockfiles ---------------------------------------------------------------------


def kept_lockfile(files: ProjectFiles) -> str | None:
    """The lockfile the install uses: packageManager's, else the one Vercel picks.

    DuplicateConfigsRule removes the others, so every rule reads this one only.
    """
    present = [path for path in LOCKFILES.values() if files.exists(path)]
    if not present:
        return None
    declared = str((files.package_json() or {}).get("packageManager", "")).split("@", 1)[0]
    wanted = LOCKFILES.get(declared)
    return wanted if wanted in present else present[0]


def lock_versions(files: ProjectFiles) -> dict[str, str]:
    """Top-level dependency versions from the lockfile the install uses."""
    path = kept_lockfile(files)
    text = files.read(path) if path else None
    if path is None or text is None:
        return {}
    reader = {
        "package-lock.json": _npm_versions,
        "pnpm-lock.yaml": _pnpm_versions,
        "yarn.lock": _yarn_versions,
    }[path]
    try:
        return reader(text)
    except (ValueError, yaml.YAMLError, AttributeError, TypeError) as error:
        logger.info("unreadable %s: %s", path, error)
        return {}


def lock_peer_ranges(files: ProjectFiles) -> dict[str, dict[str, str]]:
    """package -> {required peer: range} of the locked top-level packages (npm and pnpm)."""
    locked = lock_versions(files)
    ranges: dict[str, dict[str, str]] = {}
    entries: list[tuple[str, Any]] = []
    lockfile = kept_lockfile(files)
    text = files.read("package-lock.json") if lockfile == "package-lock.json" else None
    if text is not None:
        try:
            packages = json.loads(text).get("packages", {})
        except (json.JSONDecodeError, AttributeError):
            packages = {}
        if isinstance(packages, dict):
            entries += [
                (key[13:], entry)
                for key, entry in packages.items()
                if key.startswith("node_modules/") and "/node_modules/" not in key[13:]
            ]
    text = files.read("pnpm-lock.yaml") if lockfile == "pnpm-lock.yaml" else None
    if text is not None:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            data = None
        packages = data.get("packages") if isinstance(data, dict) else None
        if isinstance(packages, dict):
            for key, entry in packages.items():
                # "vaul@0.9.9" (v9) or "/vaul@0.9.9(react@19.1.0)" (v6)
                name, _, version = str(key).lstrip("/").split("(", 1)[0].rpartition("@")
                if name and locked.get(name) == version:
                    entries.append((name, entry))
    for name, entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("peerDependencies"), dict):
            continue
        optional = entry.get("peerDependenciesMeta") or {}
        ranges[name] = {
            str(peer): str(peer_range)
            for peer, peer_range in entry["peerDependencies"].items()
            if not (isinstance(optional.get(peer), dict) and optional[peer].get("optional"))
        }
    return ranges


def range_allows(spec: str, major: int) -> bool:
    """Whether a semver range admits some version of `major` (rough, for peer ranges)."""
    for part in spec.split("||"):
        part = part.strip()
        if part in ("*", "x", "") or part.startswith("*"):
            return True
        lower = re.match(r">=?\s*v?(\d+)", part)
        if lower:
            upper = re.search(r"<=?\s*v?(\d+)", part[lower.end() :])
            if int(lower.group(1)) <= major and (upper is None or int(upper.group(1)) > major):
                return True
            continue
        found = version_tuple(part)
        if found and found[0] == major:
            return True
    return False


def _clean_version(raw: str) -> str:
    return re.split(r"[(_]", raw, maxsplit=1)[0].strip()


def _npm_versions(text: str) -> dict[str, str]:
    data = json.loads(text)
    out: dict[str, str] = {}
    packages = data.get("packages")
    if isinstance(packages, dict):
        for key, entry in packages.items():
            top_level = key.startswith("node_modules/") and "/node_modules/" not in key[13:]
            if top_level and isinstance(entry, dict) and isinstance(entry.get("version"), str):
                out[key[13:]] = entry["version"]
    deps = data.get("dependencies")
    if isinstance(deps, dict):
        for name, entry in deps.items():
            if isinstance(entry, dict) and isinstance(entry.get("version"), str):
                out.setdefault(name, entry["version"])
    return out


def _pnpm_versions(text: str) -> dict[str, str]:
    data = yaml.safe_load(text)
    out: dict[str, str] = {}
    if not isinstance(data, dict):
        return out
    blocks: list[Any] = []
    importers = data.get("importers")
    if isinstance(importers, dict) and isinstance(importers.get("."), dict):
        root = importers["."]
        blocks += [root.get("dependencies"), root.get("devDependencies")]
    blocks += [data.get("dependencies"), data.get("devDependencies")]
    for block in blocks:
        if not isinstance(block, dict):
            continue
        for name, entry in block.items():
            raw = entry.get("version") if isinstance(entry, dict) else entry
            if raw is not None:
                version = _clean_version(str(raw))
                if version_tuple(version):
                    out.setdefault(str(name), version)
    return out


_YARN_HEADER = re.compile(r"^(?P<names>[^\s#][^\n]*):\s*$")
_YARN_VERSION = re.compile(r'^\s+version:?\s+"?(?P<v>[^"\s]+)"?\s*$')


def _yarn_versions(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    current: list[str] = []
    for line in text.splitlines():
        header = _YARN_HEADER.match(line)
        if header:
            current = []
            for entry in header.group("names").split(","):
                entry = entry.strip().strip('"')
                name = (
                    entry.rsplit("@", 1)[0] if entry.count("@") > entry.startswith("@") else entry
                )
                if name:
                    current.append(name)
            continue
        version = _YARN_VERSION.match(line)
        if version and current:
            for name in current:
                out.setdefault(name, version.group("v"))
            current = []
    return out


def line_of_key(text: str, key: str) -> int:
    needle = f'"{key}"'
    for index, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return index
    return 0
