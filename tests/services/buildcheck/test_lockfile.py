"""check_lockfile on real pnpm 10 / npm 11 lockfile excerpts, and the regeneration commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from console.services.buildcheck.lockfile import (
    check_lockfile,
    regenerate_argv,
    regenerated_lockfile,
)
from console.services.buildcheck.toolchain import ManagerTool, plan_install
from tests.services.buildcheck.conftest import DATA

LOCKFILES = DATA / "lockfiles"


def _project(folder: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (LOCKFILES / folder).iterdir()}


def _with_manifest(files: dict[str, bytes], change: Any) -> dict[str, bytes]:
    manifest = json.loads(files["package.json"])
    change(manifest)
    return {**files, "package.json": json.dumps(manifest, indent=2).encode()}


def _check(files: dict[str, bytes]) -> tuple[bool | None, str]:
    sync = check_lockfile(files, plan_install(files))
    return sync.in_sync, sync.reason


# ---------------------------------------------------------------------- pnpm 9.0 lockfile
def test_pnpm_lockfile_in_sync() -> None:
    assert _check(_project("pnpm9-overrides")) == (
        True,
        "pnpm-lock.yaml matches package.json",
    )


def test_pnpm_fixture_app_lockfile_in_sync() -> None:
    app = DATA / "next15-app"
    files = {name: (app / name).read_bytes() for name in ("package.json", "pnpm-lock.yaml")}
    assert _check(files)[0] is True


def test_pnpm_dependency_added() -> None:
    files = _with_manifest(
        _project("pnpm9-overrides"), lambda m: m["dependencies"].update({"zod": "^3.24.1"})
    )
    in_sync, reason = _check(files)
    assert in_sync is False
    assert reason == (
        "pnpm-lock.yaml is out of date: zod (dependencies) is in package.json "
        "but not in the lockfile"
    )


def test_pnpm_dependency_removed() -> None:
    files = _with_manifest(_project("pnpm9-overrides"), lambda m: m["dependencies"].pop("clsx"))
    in_sync, reason = _check(files)
    assert in_sync is False
    assert "clsx (dependencies) is in the lockfile but no longer in package.json" in reason


def test_pnpm_specifier_changed() -> None:
    files = _with_manifest(
        _project("pnpm9-overrides"), lambda m: m["dependencies"].update({"clsx": "2.1.1"})
    )
    in_sync, reason = _check(files)
    assert in_sync is False
    assert "clsx (dependencies) is 2.1.1 in package.json but ^2.1.1 in the lockfile" in reason


def test_pnpm_dependency_moved_to_dev() -> None:
    def move(manifest: dict[str, Any]) -> None:
        manifest["devDependencies"]["clsx"] = manifest["dependencies"].pop("clsx")

    in_sync, reason = _check(_with_manifest(_project("pnpm9-overrides"), move))
    assert in_sync is False
    assert "clsx (dependencies) is in the lockfile but no longer in package.json" in reason


def test_pnpm_listed_twice_is_filed_as_pnpm_does() -> None:
    # In dependencies and devDependencies: pnpm keeps it under dependencies only.
    files = _with_manifest(
        _project("pnpm9-overrides"), lambda m: m["devDependencies"].update({"clsx": "^2.1.1"})
    )
    assert _check(files)[0] is True


def test_pnpm_override_changed() -> None:
    files = _with_manifest(
        _project("pnpm9-overrides"),
        lambda m: m["pnpm"]["overrides"].update({"react-is": "^19.1.0"}),
    )
    in_sync, reason = _check(files)
    assert in_sync is False
    assert "override react-is is ^19.1.0 in package.json but ^19.0.0 in the lockfile" in reason


def test_pnpm_override_reference_resolves_to_the_projects_specifier() -> None:
    # "$@types/react" stands for the project's own "19.1.9"; the lockfile records it resolved.
    manifest = json.loads(_project("pnpm9-overrides")["package.json"])
    assert manifest["pnpm"]["overrides"]["@types/react"] == "$@types/react"
    changed = _with_manifest(
        _project("pnpm9-overrides"),
        lambda m: m["devDependencies"].update({"@types/react": "19.1.8"}),
    )
    in_sync, reason = _check(changed)
    assert in_sync is False
    assert "@types/react" in reason


def test_pnpm_overrides_from_resolutions_count_too() -> None:
    files = _with_manifest(
        _project("pnpm9-overrides"), lambda m: m.update({"resolutions": {"scheduler": "0.26.0"}})
    )
    in_sync, reason = _check(files)
    assert in_sync is False
    assert "override scheduler" in reason


def test_pnpm_setting_changed_in_npmrc() -> None:
    files = {**_project("pnpm9-overrides"), ".npmrc": b"auto-install-peers=false\n"}
    in_sync, reason = _check(files)
    assert in_sync is False
    assert "autoInstallPeers" in reason


def test_pnpm_package_extensions_added() -> None:
    files = _with_manifest(
        _project("pnpm9-overrides"),
        lambda m: m["pnpm"].update(
            {"packageExtensions": {"vaul": {"peerDependencies": {"react": "*"}}}}
        ),
    )
    assert _check(files) == (
        False,
        "pnpm-lock.yaml is out of date: pnpm.packageExtensions changed",
    )


PNPM6 = """\
lockfileVersion: '6.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

dependencies:
  next:
    specifier: 14.2.16
    version: 14.2.16(react-dom@18.3.1)(react@18.3.1)
  react:
    specifier: ^18
    version: 18.3.1

devDependencies:
  typescript:
    specifier: ^5
    version: 5.6.3
"""

PNPM54 = """\
lockfileVersion: 5.4

specifiers:
  next: 13.4.19
  react: 18.2.0
  typescript: 5.1.6

dependencies:
  next: 13.4.19_react@18.2.0
  react: 18.2.0

devDependencies:
  typescript: 5.1.6
"""


@pytest.mark.parametrize("lockfile", [PNPM6, PNPM54])
def test_pnpm_older_formats(lockfile: str) -> None:
    lock = lockfile.encode()
    deps = (
        {"next": "14.2.16", "react": "^18"}
        if "6.0" in lockfile
        else {
            "next": "13.4.19",
            "react": "18.2.0",
        }
    )
    dev = {"typescript": "^5"} if "6.0" in lockfile else {"typescript": "5.1.6"}
    manifest = {"name": "x", "dependencies": deps, "devDependencies": dev}
    files = {"package.json": json.dumps(manifest).encode(), "pnpm-lock.yaml": lock}
    assert _check(files)[0] is True
    manifest["dependencies"] = {**deps, "react": "19.0.0"}
    files["package.json"] = json.dumps(manifest).encode()
    assert _check(files)[0] is False


def test_pnpm_unreadable_lockfile_cannot_tell() -> None:
    files = {"package.json": b"{}", "pnpm-lock.yaml": b"lockfileVersion: '9.0'\n: ["}
    in_sync, reason = _check(files)
    assert in_sync is None
    assert reason.startswith("pnpm-lock.yaml cannot be read")


# ---------------------------------------------------------------------- npm v3 lockfile
def test_npm_lockfile_in_sync() -> None:
    assert _check(_project("npm3")) == (True, "package-lock.json matches package.json")


def test_npm_dependency_added() -> None:
    files = _with_manifest(_project("npm3"), lambda m: m["dependencies"].update({"zod": "^3"}))
    assert _check(files)[0] is False


def test_npm_specifier_changed() -> None:
    files = _with_manifest(
        _project("npm3"), lambda m: m["devDependencies"].update({"typescript": "^5"})
    )
    in_sync, reason = _check(files)
    assert in_sync is False
    assert "typescript (devDependencies) is ^5 in package.json but 5.8.3" in reason


def test_npm_peer_dependencies_compared() -> None:
    files = _with_manifest(
        _project("npm3"), lambda m: m.update({"peerDependencies": {"react": ">=18"}})
    )
    assert _check(files)[0] is False


def test_npm_v1_lockfile_cannot_tell() -> None:
    lock = {"name": "x", "lockfileVersion": 1, "dependencies": {"next": {"version": "13.0.0"}}}
    files = {"package.json": b'{"name": "x"}', "package-lock.json": json.dumps(lock).encode()}
    assert _check(files)[0] is None


# ---------------------------------------------------------------------- yarn, bun, none
YARN1 = """\
# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@next/env@14.2.16":
  version "14.2.16"

next@14.2.16:
  version "14.2.16"

react@^18, react@^18.2.0:
  version "18.3.1"
"""


def test_yarn1_entries_cover_each_dependency() -> None:
    manifest = {"dependencies": {"next": "14.2.16", "react": "^18"}}
    files = {"package.json": json.dumps(manifest).encode(), "yarn.lock": YARN1.encode()}
    assert _check(files)[0] is True
    manifest["dependencies"]["clsx"] = "^2.1.1"
    files["package.json"] = json.dumps(manifest).encode()
    assert _check(files) == (
        False,
        "yarn.lock is out of date: clsx@^2.1.1 (dependencies) has no entry",
    )


def test_yarn_berry_descriptors() -> None:
    lock = '__metadata:\n  version: 8\n\n"react@npm:^18":\n  version: 18.3.1\n'
    files = {"package.json": b'{"dependencies": {"react": "^18"}}', "yarn.lock": lock.encode()}
    assert _check(files)[0] is True


def test_bun_cannot_tell() -> None:
    assert _check({"package.json": b"{}", "bun.lockb": b"\x00bun"})[0] is None


def test_no_lockfile_is_not_in_sync() -> None:
    assert _check({"package.json": b"{}"}) == (False, "there is no lockfile")


# ---------------------------------------------------------------------- regeneration
PNPM_TOOL = ManagerTool(
    "pnpm", ("node", "/tools/pnpm-10/node_modules/pnpm/bin/pnpm.cjs"), None, "10.4.1"
)
NPM_TOOL = ManagerTool("npm", ("node", "/usr/lib/node_modules/npm/bin/npm-cli.js"), None, "11.1.0")
YARN_TOOL = ManagerTool(
    "yarn", ("node", "/tools/yarn-1/node_modules/yarn/bin/yarn.js"), None, "1.22.22"
)


def test_regenerate_pnpm_writes_only_the_lockfile(tmp_path: Path) -> None:
    plan = plan_install(_project("pnpm9-overrides"))
    argv = regenerate_argv(plan, PNPM_TOOL, pnpm_store=tmp_path / "store", scratch=tmp_path)
    assert argv[:4] == (*PNPM_TOOL.argv, "install", "--lockfile-only")
    assert "--no-frozen-lockfile" in argv
    assert argv[argv.index("--store-dir") + 1] == str(tmp_path / "store")
    assert regenerated_lockfile(plan) == "pnpm-lock.yaml"


def test_regenerate_npm_without_lockfile_writes_package_lock(tmp_path: Path) -> None:
    plan = plan_install({"package.json": b"{}"})
    argv = regenerate_argv(plan, NPM_TOOL, pnpm_store=tmp_path, scratch=tmp_path)
    assert argv[2:5] == ("install", "--package-lock-only", "--ignore-scripts")
    assert regenerated_lockfile(plan) == "package-lock.json"


def test_regenerate_yarn1_installs_into_scratch_without_scripts(tmp_path: Path) -> None:
    plan = plan_install({"package.json": b"{}", "yarn.lock": YARN1.encode()})
    argv = regenerate_argv(plan, YARN_TOOL, pnpm_store=tmp_path, scratch=tmp_path / "scratch")
    assert "--ignore-scripts" in argv
    assert argv[argv.index("--modules-folder") + 1] == str(tmp_path / "scratch")


# ---------------------------------------------------------------------- the v0 corpus
CORPUS = DATA.parent / "v0corpus"


def _corpus_apps() -> list[str]:
    labels = CORPUS / "labels.json"
    return sorted(json.loads(labels.read_text())) if labels.is_file() else []


@pytest.mark.parametrize("app", _corpus_apps())
def test_corpus_lockfiles_as_labelled(app: str) -> None:
    label = json.loads((CORPUS / "labels.json").read_text())[app]
    if "manager" not in label or "lockfile_stale" not in label:
        pytest.skip(f"{app} is not labelled with its manager and lockfile state")
    folder = CORPUS / app
    files = {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }
    plan = plan_install(files)
    sync = check_lockfile(files, plan)
    if label["manager"] == "none":
        assert (plan.manager, plan.lockfile, sync.in_sync) == ("npm", None, False)
        return
    assert plan.manager == label["manager"]
    assert sync.in_sync is (not label["lockfile_stale"]), sync.reason
