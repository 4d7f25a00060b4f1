"""Dependency rules: pin `latest`, and resolve React 19 peer-dependency conflicts."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any, ClassVar

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

#: Versions known to build together offline (Next 15 + React 19 + Tailwind 3),
#: used when a floating dependency has no lockfile entry.
KNOWN_GOOD: dict[str, str] = {
    "next": "15.2.4",
    "react": "^19",
    "react-dom": "^19",
    "typescript": "^5",
    "@types/node": "^22",
    "@types/react": "^19",
    "@types/react-dom": "^19",
    "tailwindcss": "^3.4.17",
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

LOCKFILES = ("package-lock.json", "pnpm-lock.yaml", "yarn.lock")
#: Required peers of common v0 dependencies (lockfiles tell more when present).
KNOWN_PEERS: dict[str, tuple[str, ...]] = {
    "ai": ("zod",),
    "@ai-sdk/openai": ("zod",),
    "@ai-sdk/anthropic": ("zod",),
    "@ai-sdk/react": ("zod",),
    "@hookform/resolvers": ("react-hook-form",),
    "recharts": ("react-is",),
    "react-day-picker": ("date-fns",),
}


class PinLatestRule(Rule):
    id = "pin-latest"
    title = "Pin `latest` dependencies"
    description = (
        "Dependencies declared as `latest` (or `*`) install whatever is newest and drift "
        "from what v0 tested. They are pinned to the version in the export's lockfile, "
        "else to a known-good version."
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
                if str(spec).strip() not in FLOATING:
                    continue
                version = locked.get(name) or KNOWN_GOOD.get(name)
                if version is None:
                    ctx.flag(
                        "package.json",
                        _line_of_key(files.read("package.json") or "", name),
                        f"{name} is `{spec}` and neither a lockfile nor the known-good table "
                        "has a version for it: npm installs whatever is newest.",
                    )
                    continue
                deps[name] = version
                changed = True
        if changed:
            files.write_package_json(pkg)


class React19PeersRule(Rule):
    id = "react19-peers"
    title = "Resolve React 19 peer conflicts"
    description = (
        "npm refuses to install (ERESOLVE) when a package's peer range excludes the "
        "project's React. Next 14 is moved to React 18; with React 19, packages with a "
        "fixed successor are upgraded, and the rest are allowed through .npmrc."
    )

    #: package -> (first major that accepts React 19, version to use)
    UPGRADES: ClassVar[dict[str, tuple[int, str]]] = {
        "vaul": (1, "^1.1.2"),
        "@types/react": (19, "^19"),
        "@types/react-dom": (19, "^19"),
        "framer-motion": (11, "^11.15.0"),
        "@testing-library/react": (16, "^16.1.0"),
        "react-helmet-async": (2, "^2.0.5"),
    }
    #: Packages whose React 19 support needs a code change: allowed, not upgraded.
    PEER_LIMITED: ClassVar[dict[str, int]] = {
        "react-day-picker": 9,
        "react-beautiful-dnd": 99,
        "@tremor/react": 4,
    }

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        pkg = files.package_json()
        if pkg is None:
            return
        react = dependency(pkg, "react")
        if react is None:
            return
        react_major = 19 if react[1].strip() in FLOATING else major_of(react[1])
        next_dep = dependency(pkg, "next")
        next_major = major_of(next_dep[1]) if next_dep else None
        changed = False
        if react_major is not None and react_major >= 19 and next_major and next_major <= 14:
            for name, version in (
                ("react", "^18.3.1"),
                ("react-dom", "^18.3.1"),
                ("@types/react", "^18.3.12"),
                ("@types/react-dom", "^18.3.1"),
            ):
                if name in ("react", "react-dom") or dependency(pkg, name):
                    set_dependency(pkg, name, version)
            ctx.flag(
                "package.json",
                _line_of_key(files.read("package.json") or "", "react"),
                f"Next {next_major} supports React 18 only: react and react-dom moved to 18.3.",
                "info",
            )
            files.write_package_json(pkg)
            return
        if react_major is None or react_major < 19:
            return
        for name, (first_ok, version) in self.UPGRADES.items():
            found = dependency(pkg, name)
            major = major_of(found[1]) if found else None
            if major is not None and major < first_ok:
                set_dependency(pkg, name, version)
                changed = True
        blocked = self._peer_blocked(pkg, files)
        if blocked:
            if not files.exists(".npmrc") or "legacy-peer-deps" not in (files.read(".npmrc") or ""):
                npmrc = files.read(".npmrc") or ""
                if npmrc and not npmrc.endswith("\n"):
                    npmrc += "\n"
                files.write(
                    ".npmrc",
                    npmrc
                    + "# React 19: these packages declare React <= 18 as peer but work with it:\n"
                    + f"# {', '.join(sorted(blocked))}\nlegacy-peer-deps=true\n",
                )
            pnpm = pkg.setdefault("pnpm", {})
            if isinstance(pnpm, dict):
                rules = pnpm.setdefault("peerDependencyRules", {})
                if isinstance(rules, dict):
                    allow = rules.setdefault("allowAny", [])
                    if isinstance(allow, list):
                        for name in ("react", "react-dom"):
                            if name not in allow:
                                allow.append(name)
                                changed = True
            for name in sorted(blocked):
                ctx.flag(
                    "package.json",
                    _line_of_key(files.read("package.json") or "", name),
                    f"{name} declares a React peer range without React 19; installed with "
                    "legacy peer dependencies.",
                    "info",
                )
        if legacy_peers(files):
            changed |= declare_peers(pkg, files, ctx)
        if changed:
            files.write_package_json(pkg)

    def _peer_blocked(self, pkg: Mapping[str, Any], files: ProjectFiles) -> set[str]:
        blocked = set()
        for name, first_ok in self.PEER_LIMITED.items():
            found = dependency(pkg, name)
            major = major_of(found[1]) if found else None
            if major is not None and major < first_ok:
                blocked.add(name)
        for name, peer_range in lock_react_peers(files).items():
            if dependency(pkg, name) and not range_allows(peer_range, 19):
                blocked.add(name)
        return blocked


def legacy_peers(files: ProjectFiles) -> bool:
    """Whether npm runs with legacy peer dependencies (and so installs no peers)."""
    return "legacy-peer-deps=true" in (files.read(".npmrc") or "").replace(" ", "")


def declare_peers(pkg: dict[str, Any], files: ProjectFiles, ctx: RuleContext) -> bool:
    """With legacy peer deps npm installs no peers: declare the ones packages need."""
    declared = {
        name
        for section in DEP_SECTIONS
        if isinstance(pkg.get(section), dict)
        for name in pkg[section]
    }
    locked = lock_versions(files)
    peers = lock_peers(files)
    react = dependency(pkg, "react")
    react_major = major_of(react[1]) if react else None
    added = False
    for name in sorted(declared):
        wanted = dict.fromkeys(KNOWN_PEERS.get(name, ()), "")
        wanted.update(peers.get(name, {}))
        for peer, version in sorted(wanted.items()):
            if peer in declared or peer in ("react", "react-dom"):
                continue
            if peer == "react-is":
                version = f"^{react_major or 19}"
            version = version or locked.get(peer, "") or KNOWN_GOOD.get(peer, "")
            if not version:
                ctx.flag(
                    "package.json",
                    0,
                    f"{name} needs {peer} (a peer dependency npm skips with legacy peer "
                    "dependencies); add it to package.json.",
                )
                continue
            set_dependency(pkg, peer, version)
            declared.add(peer)
            added = True
            ctx.flag(
                "package.json",
                0,
                f"Added {peer}@{version}: {name} needs it and legacy peer dependencies do "
                "not install peers.",
                "info",
            )
    return added


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
                if version is None:
                    flagged.add(name)
                    ctx.flag(
                        source.path,
                        line,
                        f"Imports {name}, which package.json does not declare; add it before "
                        "building.",
                        "error",
                    )
                    continue
                set_dependency(pkg, name, version)
                changed = True
                ctx.flag(source.path, line, f"Added {name}@{version} to package.json.", "info")
        if changed and legacy_peers(files):
            declare_peers(pkg, files, ctx)
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


def lock_versions(files: ProjectFiles) -> dict[str, str]:
    """Top-level dependency versions from the export's lockfiles (npm, then pnpm, then yarn)."""
    versions: dict[str, str] = {}
    for reader, path in (
        (_yarn_versions, "yarn.lock"),
        (_pnpm_versions, "pnpm-lock.yaml"),
        (_npm_versions, "package-lock.json"),
    ):
        text = files.read(path)
        if text is None:
            continue
        try:
            versions.update(reader(text))
        except (ValueError, yaml.YAMLError, AttributeError, TypeError) as error:
            logger.info("unreadable %s: %s", path, error)
    return versions


def lock_react_peers(files: ProjectFiles) -> dict[str, str]:
    """package -> its declared React peer range, from package-lock.json."""
    text = files.read("package-lock.json")
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return {}
    peers: dict[str, str] = {}
    packages = data.get("packages") if isinstance(data, dict) else None
    if not isinstance(packages, dict):
        return {}
    for key, entry in packages.items():
        if not key.startswith("node_modules/") or "/node_modules/" in key[13:]:
            continue
        if isinstance(entry, dict):
            peer = entry.get("peerDependencies")
            if isinstance(peer, dict) and "react" in peer:
                peers[key[13:]] = str(peer["react"])
    return peers


def lock_peers(files: ProjectFiles) -> dict[str, dict[str, str]]:
    """package -> {required peer: version or ""}, from package-lock.json and pnpm-lock.yaml."""
    peers: dict[str, dict[str, str]] = {}
    text = files.read("package-lock.json")
    if text is not None:
        try:
            packages = json.loads(text).get("packages", {})
        except (json.JSONDecodeError, AttributeError):
            packages = {}
        for key, entry in packages.items() if isinstance(packages, dict) else ():
            if not key.startswith("node_modules/") or "/node_modules/" in key[13:]:
                continue
            if not isinstance(entry, dict) or not isinstance(entry.get("peerDependencies"), dict):
                continue
            optional = entry.get("peerDependenciesMeta") or {}
            peers[key[13:]] = {
                peer: ""
                for peer in entry["peerDependencies"]
                if not (isinstance(optional.get(peer), dict) and optional[peer].get("optional"))
            }
    text = files.read("pnpm-lock.yaml")
    if text is not None:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            data = None
        importers = data.get("importers") if isinstance(data, dict) else None
        root = importers.get(".") if isinstance(importers, dict) else None
        for block in (root or {}).values() if isinstance(root, dict) else ():
            if not isinstance(block, dict):
                continue
            for name, entry in block.items():
                raw = entry.get("version") if isinstance(entry, dict) else entry
                found = _pnpm_peers(str(raw or ""))
                if found:
                    peers.setdefault(str(name), {}).update(found)
    return peers


def _pnpm_peers(version: str) -> dict[str, str]:
    """The peers pnpm resolved for one entry: "4.3.16(react@19.1.0)(zod@3.25.67)"."""
    found: dict[str, str] = {}
    depth = 0
    start = 0
    for i, ch in enumerate(version):
        if ch == "(":
            depth += 1
            if depth == 1:
                start = i + 1
        elif ch == ")":
            if depth == 1:
                group = version[start:i].split("(", 1)[0]
                name, _, peer_version = group.rpartition("@")
                if name:
                    found[name] = peer_version
            depth -= 1
    return found


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


def _line_of_key(text: str, key: str) -> int:
    needle = f'"{key}"'
    for index, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return index
    return 0
