"""Does the lockfile match package.json? Offline, the way the package managers compare them.

A frozen install (pnpm under CI, as on Vercel) refuses a lockfile that is out
of date with package.json, and `npm install` silently rewrites one: either
way the pushed lockfile is not what gets installed. `check_lockfile` tells
beforehand, without the registry; `regenerate_argv` is the command that
brings the lockfile up to date (that one needs the registry).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from console.services.buildcheck.toolchain import InstallPlan, ManagerTool

logger = logging.getLogger(__name__)

_DEPENDENCY_FIELDS = ("dependencies", "devDependencies", "optionalDependencies")
#: The lockfile each manager writes when there is none yet.
DEFAULT_LOCKFILE = {
    "npm": "package-lock.json",
    "pnpm": "pnpm-lock.yaml",
    "yarn": "yarn.lock",
    "bun": "bun.lock",
}


@dataclass(frozen=True)
class LockfileSync:
    """Whether the lockfile matches package.json.

    Attributes:
        in_sync: True, False, or None when this check cannot tell (Bun's
            lockfile, an unreadable file, a format it does not know).
        lockfile: the lockfile compared, None when there is none.
        reason: one line: what differs first, or why it cannot tell.
    """

    in_sync: bool | None
    lockfile: str | None
    reason: str


def check_lockfile(files: Mapping[str, bytes], plan: InstallPlan) -> LockfileSync:
    """Compare the plan's lockfile with package.json (pure, offline)."""
    lockfile = plan.lockfile
    if lockfile is None:
        return LockfileSync(False, None, "there is no lockfile")
    try:
        manifest = json.loads(files["package.json"])
    except (KeyError, ValueError):
        return LockfileSync(None, lockfile, "package.json is missing or not valid JSON")
    if not isinstance(manifest, dict):
        return LockfileSync(None, lockfile, "package.json is not a JSON object")
    content = files[lockfile]
    try:
        if lockfile == "pnpm-lock.yaml":
            difference = _pnpm_difference(manifest, _yaml(content), files)
        elif lockfile == "package-lock.json":
            difference = _npm_difference(manifest, json.loads(content))
        elif lockfile == "yarn.lock":
            difference = _yarn_difference(manifest, content.decode("utf-8", "replace"))
        else:
            return LockfileSync(None, lockfile, f"{lockfile} cannot be read by this check")
    except (ValueError, yaml.YAMLError) as error:
        return LockfileSync(None, lockfile, f"{lockfile} cannot be read: {error}")
    if difference is None:
        return LockfileSync(None, lockfile, f"{lockfile} has a format this check does not know")
    if difference:
        return LockfileSync(False, lockfile, f"{lockfile} is out of date: {difference}")
    return LockfileSync(True, lockfile, f"{lockfile} matches package.json")


def regenerate_argv(
    plan: InstallPlan, tool: ManagerTool, *, pnpm_store: Path, scratch: Path
) -> tuple[str, ...]:
    """The command that rewrites the lockfile to match package.json.

    It resolves versions and writes only the lockfile (no node_modules, no
    scripts); it needs the registry.

    Args:
        plan: the install plan (decides the manager).
        tool: the manager, ready to run.
        pnpm_store: pnpm's store folder (its metadata cache sits beside it).
        scratch: a folder Yarn 1 may fill and the caller deletes: Yarn 1 has
            no lockfile-only mode, so it installs there, without scripts.
    """
    if plan.manager == "pnpm":
        return (
            *tool.argv,
            "install",
            "--lockfile-only",
            # CI=1 makes pnpm frozen by default; updating the lockfile is the point here.
            "--no-frozen-lockfile",
            "--prefer-offline",
            "--store-dir",
            str(pnpm_store),
        )
    if plan.manager == "yarn" and plan.yarn_berry:
        return (*tool.argv, "install", "--mode=update-lockfile", "--no-immutable")
    if plan.manager == "yarn":
        return (
            *tool.argv,
            "install",
            "--ignore-scripts",
            "--non-interactive",
            "--modules-folder",
            str(scratch),
        )
    return (
        *tool.argv,
        "install",
        "--package-lock-only",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
    )


def regenerated_lockfile(plan: InstallPlan) -> str:
    """The lockfile `regenerate_argv` writes."""
    return plan.lockfile or DEFAULT_LOCKFILE[plan.manager]


# ---------------------------------------------------------------------- pnpm
def _yaml(content: bytes) -> dict[str, Any]:
    # libyaml's loader, when PyYAML has it: a real lockfile has thousands of lines.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(content, Loader=loader)  # a safe loader either way
    if not isinstance(data, dict):
        raise ValueError("not a YAML mapping")
    return data


def _pnpm_difference(
    manifest: Mapping[str, Any], lock: Mapping[str, Any], files: Mapping[str, bytes]
) -> str | None:
    """The first way the pnpm lockfile differs from package.json; "" when none.

    The same comparisons pnpm makes before a frozen install: each dependency's
    name, field and specifier, the overrides, and the settings recorded in
    the lockfile.
    """
    importers = lock.get("importers")
    # Workspace-style lockfiles (6.x, 9.x) keep the root project under importers['.'];
    # older single-project ones keep it at the top level.
    importer = importers.get(".") if isinstance(importers, dict) else lock
    if not isinstance(importer, dict):
        return None
    v5_specifiers = importer.get("specifiers") or {}
    wanted = _pnpm_manifest_fields(manifest)
    for field in _DEPENDENCY_FIELDS:
        locked_raw = importer.get(field) or {}
        locked = {
            name: entry.get("specifier") if isinstance(entry, dict) else v5_specifiers.get(name)
            for name, entry in locked_raw.items()
        }
        difference = _dependency_difference(field, wanted[field], locked)
        if difference:
            return difference
    overrides = _pnpm_overrides(manifest, files)
    locked_overrides = {str(k): str(v) for k, v in (lock.get("overrides") or {}).items()}
    if overrides != locked_overrides:
        return _mapping_difference("override", overrides, locked_overrides)
    pnpm_field = manifest.get("pnpm") if isinstance(manifest.get("pnpm"), dict) else {}
    assert isinstance(pnpm_field, dict)  # for the type checker
    if bool(pnpm_field.get("packageExtensions")) != bool(lock.get("packageExtensionsChecksum")):
        return "pnpm.packageExtensions changed"
    patched = set((pnpm_field.get("patchedDependencies") or {}).keys())
    if patched != set((lock.get("patchedDependencies") or {}).keys()):
        return "pnpm.patchedDependencies changed"
    return _pnpm_settings_difference(lock, files)


def _pnpm_manifest_fields(manifest: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """package.json's dependencies per field, as pnpm files them.

    A name listed in several fields is kept in one, optionalDependencies
    first, then dependencies, then devDependencies (pnpm's order).
    """
    sections = {f: _string_map(manifest.get(f)) for f in _DEPENDENCY_FIELDS}
    optional = sections["optionalDependencies"]
    prod = {k: v for k, v in sections["dependencies"].items() if k not in optional}
    dev = {
        k: v for k, v in sections["devDependencies"].items() if k not in optional and k not in prod
    }
    return {"dependencies": prod, "devDependencies": dev, "optionalDependencies": optional}


def _pnpm_overrides(manifest: Mapping[str, Any], files: Mapping[str, bytes]) -> dict[str, str]:
    """The overrides pnpm applies: `resolutions`, `pnpm.overrides`, then pnpm-workspace.yaml's.

    A `$name` value stands for the project's own specifier of `name`.
    """
    pnpm_field = manifest.get("pnpm")
    merged = {
        **_string_map(manifest.get("resolutions")),
        **_string_map(pnpm_field.get("overrides") if isinstance(pnpm_field, dict) else None),
        **_string_map(_workspace(files).get("overrides")),
    }
    direct = {
        **_string_map(manifest.get("devDependencies")),
        **_string_map(manifest.get("optionalDependencies")),
        **_string_map(manifest.get("dependencies")),
    }
    return {
        key: direct.get(value[1:], value) if value.startswith("$") else value
        for key, value in merged.items()
    }


def _pnpm_settings_difference(lock: Mapping[str, Any], files: Mapping[str, bytes]) -> str:
    """Settings pnpm records in the lockfile and refuses to install against when changed."""
    recorded = lock.get("settings") or {}
    if not isinstance(recorded, dict):
        return ""
    npmrc = _npmrc(files)
    workspace = _workspace(files)
    for key, rc_key, default in (
        ("autoInstallPeers", "auto-install-peers", True),
        ("excludeLinksFromLockfile", "exclude-links-from-lockfile", False),
    ):
        if key not in recorded:
            continue
        configured: Any = workspace.get(key, npmrc.get(rc_key, default))
        if isinstance(configured, str):
            configured = configured.strip().lower() == "true"
        if bool(configured) != bool(recorded[key]):
            return (
                f"the setting {key} is {configured} "
                f"but the lockfile was written with {recorded[key]}"
            )
    return ""


def _workspace(files: Mapping[str, bytes]) -> dict[str, Any]:
    try:
        data = yaml.safe_load(files.get("pnpm-workspace.yaml", b"")) or {}
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _npmrc(files: Mapping[str, bytes]) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in files.get(".npmrc", b"").decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith(("#", ";")):
            values[key.strip()] = value.strip()
    return values


# ---------------------------------------------------------------------- npm
def _npm_difference(manifest: Mapping[str, Any], lock: Any) -> str | None:
    """Compare package.json with the root entry (`packages[""]`) of package-lock.json.

    npm records no overrides in the lockfile (its root entry holds only the
    dependency fields), so a changed override is not seen here.
    """
    if not isinstance(lock, dict):
        return None
    root = (lock.get("packages") or {}).get("")
    if not isinstance(root, dict):
        return None  # lockfileVersion 1 keeps no specifiers of the project itself
    for field in (*_DEPENDENCY_FIELDS, "peerDependencies"):
        difference = _dependency_difference(
            field, _string_map(manifest.get(field)), _string_map(root.get(field))
        )
        if difference:
            return difference
    return ""


# ---------------------------------------------------------------------- yarn
def _yarn_difference(manifest: Mapping[str, Any], content: str) -> str:
    """Every `name@range` package.json asks for must head an entry of yarn.lock.

    Yarn 1 keys entries by `name@range` (several, comma-separated); Yarn 2+
    writes `name@npm:range` for registry ranges.
    """
    descriptors: set[str] = set()
    for line in content.splitlines():
        if line.startswith((" ", "#")) or not line.strip():
            continue
        if line.rstrip().endswith(":"):
            keys = line.rstrip()[:-1].split(",")
            descriptors.update(key.strip().strip('"') for key in keys)
    for field in _DEPENDENCY_FIELDS:
        for name, spec in _string_map(manifest.get(field)).items():
            if f"{name}@{spec}" not in descriptors and f"{name}@npm:{spec}" not in descriptors:
                return f"{name}@{spec} ({field}) has no entry"
    return ""


# ---------------------------------------------------------------------- shared
def _dependency_difference(field: str, wanted: Mapping[str, str], locked: Mapping[str, Any]) -> str:
    for name, spec in wanted.items():
        if name not in locked:
            return f"{name} ({field}) is in package.json but not in the lockfile"
        if locked[name] != spec:
            return f"{name} ({field}) is {spec} in package.json but {locked[name]} in the lockfile"
    for name in locked:
        if name not in wanted:
            return f"{name} ({field}) is in the lockfile but no longer in package.json"
    return ""


def _mapping_difference(what: str, wanted: Mapping[str, str], locked: Mapping[str, str]) -> str:
    for key in sorted(set(wanted) | set(locked)):
        if wanted.get(key) != locked.get(key):
            return (
                f"{what} {key} is {wanted.get(key, 'absent')} in package.json "
                f"but {locked.get(key, 'absent')} in the lockfile"
            )
    return ""


def _string_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}
