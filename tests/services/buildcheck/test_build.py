"""build_project step by step, offline: a stand-in npm and a stand-in `next` (Python scripts).

The stand-ins behave like the real tools where the check depends on them:
npm writes package-lock.json (`--package-lock-only`) or node_modules with
`next` in it; `next build` prints its banner and fails the way webpack does
when a page imports what does not exist. The real tools run in
test_build_slow.py.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path

import pytest

from console.services.buildcheck import build
from console.services.buildcheck.build import (
    BuildSettings,
    build_project,
    install_key,
    next_build_flags,
)
from console.services.buildcheck.toolchain import ManagerTool, NodeToolchain, plan_install
from console.services.deploy.events import (
    ProgressEvent,
    StepFailed,
    StepFinished,
    StepProgress,
    StepStarted,
)

pytestmark = pytest.mark.subprocess

FAKE_NPM = r"""
import json, os, pathlib, sys, time
args = sys.argv[1:]
here = pathlib.Path.cwd()
manifest = json.loads((here / "package.json").read_text())
print("npm sees SITE_URL=" + os.environ.get("NEXT_PUBLIC_SITE_URL", "-"), flush=True)
if "zod" in manifest.get("dependencies", {}):
    print("npm error code ERESOLVE")
    print("npm error ERESOLVE unable to resolve dependency tree")
    print('npm error peer zod@"^3" from @hookform/resolvers@5.0.1')
    sys.exit(1)
if "slow-registry" in manifest.get("dependencies", {}):
    time.sleep(1.0)
if "--package-lock-only" in args:
    root = {k: manifest[k] for k in ("name", "version", "dependencies") if k in manifest}
    lock = {"name": manifest.get("name"), "lockfileVersion": 3, "requires": True,
            "packages": {"": root}}
    (here / "package-lock.json").write_text(json.dumps(lock, indent=2) + "\n")
    print("up to date in 0.1s")
    sys.exit(0)
bin_dir = here / "node_modules" / "next" / "dist" / "bin"
bin_dir.mkdir(parents=True, exist_ok=True)
(bin_dir / "next").write_text(pathlib.Path(os.environ["FAKE_NEXT"]).read_text())
counter = pathlib.Path(os.environ["FAKE_INSTALLS"])
counter.write_text(str(int(counter.read_text() or "0") + 1) if counter.exists() else "1")
print("added 1 package in 0.1s")
"""

FAKE_NEXT = r"""
import os, pathlib, sys, time
print("   \u25b2 Next.js 15.1.0 (stand-in)", flush=True)
print("build sees SITE_URL=" + os.environ.get("NEXT_PUBLIC_SITE_URL", "-"), flush=True)
print("next " + " ".join(sys.argv[1:]), flush=True)
page = pathlib.Path("app/page.tsx").read_text()
if "hang" in page:
    time.sleep(60)
if "slow" in page:
    time.sleep(1.0)
if "@/lib/missing" in page:
    print("Failed to compile.")
    print("")
    print("./app/page.tsx")
    print("Module not found: Can't resolve '@/lib/missing'")
    print("")
    print("> Build failed because of webpack errors")
    sys.exit(1)
print(" \u2713 Compiled successfully")
"""

PAGE = (
    b'import { greeting } from "@/lib/greeting"\nexport default function Page() { return null }\n'
)


def _files(**changes: bytes) -> dict[str, bytes]:
    manifest = {"name": "shop", "version": "0.1.0", "dependencies": {"next": "15.1.0"}}
    files = {
        "package.json": json.dumps(manifest).encode(),
        "app/page.tsx": PAGE,
        "lib/greeting.ts": b"export const greeting = 1\n",
    }
    files.update({k.replace("__", "/").replace("_", "."): v for k, v in changes.items()})
    return files


def _installs(counter: Path) -> int:
    """How many times the stand-in npm installed node_modules."""
    return int(counter.read_text()) if counter.exists() else 0


def _with_dependency(files: dict[str, bytes], name: str) -> dict[str, bytes]:
    manifest = json.loads(files["package.json"])
    manifest["dependencies"][name] = "1.0.0"
    return {**files, "package.json": json.dumps(manifest).encode()}


@pytest.fixture
def stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Stand-in node (this Python), npm and next; answers the install counter file."""
    tools = tmp_path / "stand-ins"
    npm_cli = tools / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    npm_cli.parent.mkdir(parents=True)
    npm_cli.write_text(FAKE_NPM)
    (tools / "next.py").write_text(FAKE_NEXT)
    counter = tmp_path / "installs"
    monkeypatch.setenv("FAKE_NEXT", str(tools / "next.py"))
    monkeypatch.setenv("FAKE_INSTALLS", str(counter))
    toolchain = NodeToolchain(Path(sys.executable), npm_cli, "24.19.0", "11.17.0")

    async def find() -> NodeToolchain:
        return toolchain

    monkeypatch.setattr(build, "find_toolchain", find)
    return counter


@pytest.fixture
def settings(tmp_path: Path) -> BuildSettings:
    return BuildSettings(cache_root=tmp_path / "cache", silence_after=0.3, build_deadline=20)


def _outline(events: list[ProgressEvent]) -> list[tuple[str, str]]:
    """Started/finished/failed events as (type, step), in order."""
    return [
        (type(e).__name__, e.step)
        for e in events
        if isinstance(e, StepStarted | StepFinished | StepFailed)
    ]


async def test_build_regenerates_a_missing_lockfile_installs_and_builds(
    stand_ins: Path, settings: BuildSettings, tmp_path: Path
) -> None:
    events: list[ProgressEvent] = []
    work = tmp_path / "work"
    outcome = await build_project(
        _files(), work, settings, regenerate_stale_lockfile=True, progress=events.append
    )
    assert outcome.ok, outcome.problem
    assert outcome.problem is None
    assert _outline(events) == [
        ("StepStarted", "tools"),
        ("StepFinished", "tools"),
        ("StepStarted", "lockfile"),
        ("StepFinished", "lockfile"),
        ("StepStarted", "install"),
        ("StepFinished", "install"),
        ("StepStarted", "build"),
        ("StepFinished", "build"),
    ]
    assert [s.name for s in outcome.steps] == ["tools", "lockfile", "install", "build"]
    assert outcome.lockfile_update is not None
    path, content = outcome.lockfile_update
    assert path == "package-lock.json"
    assert content == (work / "package-lock.json").read_bytes()
    assert json.loads(content)["packages"][""]["dependencies"] == {"next": "15.1.0"}
    assert outcome.plan.lockfile == "package-lock.json"
    assert _installs(stand_ins) == 1
    logs = [e.log_line for e in events if isinstance(e, StepProgress) and e.log_line]
    assert "   ▲ Next.js 15.1.0 (stand-in)" in logs
    build_step = outcome.step("build")
    assert build_step is not None
    assert build_step.tail[-1] == " ✓ Compiled successfully"


async def test_second_run_installs_nothing(
    stand_ins: Path, settings: BuildSettings, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    first = await build_project(_files(), work, settings, regenerate_stale_lockfile=True)
    assert first.lockfile_update is not None
    files = _files(**{"package-lock_json": first.lockfile_update[1]})
    events: list[ProgressEvent] = []
    second = await build_project(
        files, work, settings, regenerate_stale_lockfile=True, progress=events.append
    )
    assert second.ok
    assert second.lockfile_update is None
    install = second.step("install")
    assert install is not None
    assert install.cached
    assert StepFinished("install", "cached, no network needed") in events
    assert _installs(stand_ins) == 1
    # A changed page needs no install; a changed package.json does.
    third = await build_project(
        {**files, "app/page.tsx": PAGE + b"// edited\n"},
        work,
        settings,
        regenerate_stale_lockfile=True,
    )
    assert third.step("install") is not None
    assert _installs(stand_ins) == 1


async def test_placeholders_reach_only_next_build(
    stand_ins: Path, settings: BuildSettings, tmp_path: Path
) -> None:
    events: list[ProgressEvent] = []
    await build_project(
        _files(),
        tmp_path / "work",
        settings,
        env={"NEXT_PUBLIC_SITE_URL": "https://placeholder.invalid"},
        regenerate_stale_lockfile=True,
        progress=events.append,
    )
    lines = {(e.step, e.log_line) for e in events if isinstance(e, StepProgress) and e.log_line}
    assert ("build", "build sees SITE_URL=https://placeholder.invalid") in lines
    assert ("install", "npm sees SITE_URL=-") in lines
    assert not any("placeholder" in p.read_text() for p in (tmp_path / "work").rglob("*.json"))


async def test_stale_lockfile_left_alone_without_regeneration(
    stand_ins: Path, settings: BuildSettings, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    first = await build_project(_files(), work, settings, regenerate_stale_lockfile=True)
    assert first.lockfile_update is not None
    stale = _with_dependency(_files(**{"package-lock_json": first.lockfile_update[1]}), "clsx")
    events: list[ProgressEvent] = []
    outcome = await build_project(
        stale, work, settings, regenerate_stale_lockfile=False, progress=events.append
    )
    assert outcome.lockfile_update is None
    finished = [e for e in events if isinstance(e, StepFinished) and e.step == "lockfile"]
    assert finished[0].detail == (
        "package-lock.json is out of date: clsx (dependencies) is in package.json but not "
        "in the lockfile; `npm install` will update it, as on Vercel"
    )
    # What was pushed is checked as it is: the stand-in npm does not rewrite it here.
    assert (work / "package-lock.json").read_bytes() == first.lockfile_update[1]


async def test_build_error_is_diagnosed_with_file_and_line(
    stand_ins: Path, settings: BuildSettings, tmp_path: Path
) -> None:
    page = b'import { x } from "@/components/x"\nimport { missing } from "@/lib/missing"\n'
    events: list[ProgressEvent] = []
    outcome = await build_project(
        _files(app__page_tsx=page),
        tmp_path / "work",
        settings,
        regenerate_stale_lockfile=True,
        progress=events.append,
    )
    assert not outcome.ok
    assert outcome.problem is not None
    assert (outcome.problem.kind, outcome.problem.file, outcome.problem.line) == (
        "module-not-found",
        "app/page.tsx",
        2,
    )
    assert outcome.problem.subject == "@/lib/missing"
    assert StepFailed("build", outcome.problem.headline()) in events
    build_step = outcome.step("build")
    assert build_step is not None
    assert not build_step.ok


async def test_install_error_stops_before_the_build(
    stand_ins: Path, settings: BuildSettings, tmp_path: Path
) -> None:
    outcome = await build_project(
        _with_dependency(_files(), "zod"),
        tmp_path / "work",
        settings,
        regenerate_stale_lockfile=False,
    )
    assert outcome.problem is not None
    assert (outcome.problem.kind, outcome.problem.step, outcome.problem.subject) == (
        "peer-conflict",
        "install",
        "@hookform/resolvers",
    )
    assert [s.name for s in outcome.steps] == ["tools", "lockfile", "install"]


async def test_silences_are_reported_with_what_to_check(
    stand_ins: Path, settings: BuildSettings, tmp_path: Path
) -> None:
    events: list[ProgressEvent] = []
    await build_project(
        _with_dependency(_files(app__page_tsx=b"// slow\n"), "slow-registry"),
        tmp_path / "work",
        settings,
        regenerate_stale_lockfile=False,
        progress=events.append,
    )
    said = {
        (e.step, re.sub(r"No output for [\d.]+ s", "No output for N s", e.message))
        for e in events
        if isinstance(e, StepProgress) and e.message.startswith("No output for")
    }
    assert (
        "install",
        "No output for N s from `npm install`: check that the package registry "
        "(https://registry.npmjs.org/ or your .npmrc registry) is reachable and the proxy "
        "settings (HTTPS_PROXY)",
    ) in said
    assert (
        "build",
        "No output for N s from `next build`: it is still running (type checks and "
        "prerendering can be quiet); a font or data fetched at build time may be waiting "
        "on the network",
    ) in said


async def test_cancel_during_the_build_ends_it(
    stand_ins: Path, settings: BuildSettings, tmp_path: Path
) -> None:
    building = asyncio.Event()

    def progress(event: ProgressEvent) -> None:
        if isinstance(event, StepProgress) and event.step == "build" and event.log_line:
            building.set()

    task = asyncio.create_task(
        build_project(
            _files(app__page_tsx=b"// hang\n"),
            tmp_path / "work",
            settings,
            regenerate_stale_lockfile=True,
            progress=progress,
        )
    )
    await asyncio.wait_for(building.wait(), 15)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_no_node_is_a_tooling_problem(
    monkeypatch: pytest.MonkeyPatch, settings: BuildSettings, tmp_path: Path
) -> None:
    async def find() -> None:
        return None

    monkeypatch.setattr(build, "find_toolchain", find)
    events: list[ProgressEvent] = []
    outcome = await build_project(
        _files(),
        tmp_path / "work",
        settings,
        regenerate_stale_lockfile=True,
        progress=events.append,
    )
    assert outcome.problem is not None
    assert (outcome.problem.kind, outcome.problem.step) == ("tooling", "tools")
    assert _outline(events) == [("StepStarted", "tools"), ("StepFailed", "tools")]


async def test_bun_lockfile_is_a_tooling_problem(
    stand_ins: Path, settings: BuildSettings, tmp_path: Path
) -> None:
    outcome = await build_project(
        _files(bun_lock=b'{"lockfileVersion": 1}'),
        tmp_path / "work",
        settings,
        regenerate_stale_lockfile=True,
    )
    assert outcome.problem is not None
    assert outcome.problem.kind == "tooling"
    assert "cannot install with Bun here" in outcome.problem.message
    assert outcome.plan.manager == "bun"


async def test_a_path_outside_the_folder_is_refused_before_anything_runs(
    stand_ins: Path, settings: BuildSettings, tmp_path: Path
) -> None:
    events: list[ProgressEvent] = []
    with pytest.raises(ValueError, match="refusing"):
        await build_project(
            {**_files(), "../x.ts": b""},
            tmp_path / "work",
            settings,
            regenerate_stale_lockfile=True,
            progress=events.append,
        )
    assert events == []


def test_install_key_follows_the_install_inputs_only() -> None:
    toolchain = NodeToolchain(Path("/n/node"), Path("/n/npm-cli.js"), "24.19.0", "11.17.0")
    tool = ManagerTool("npm", toolchain.npm, None, "11.17.0")
    files = _files(package__lock_json=b"{}")
    plan = plan_install(files)
    key = install_key(files, plan, tool, toolchain)
    assert install_key({**files, "app/page.tsx": b"changed"}, plan, tool, toolchain) == key
    for changed in (
        {**files, "package.json": b'{"name": "other"}'},
        {**files, ".npmrc": b"legacy-peer-deps=true\n"},
        {**files, "patches/next@15.1.0.patch": b"diff"},
    ):
        assert install_key(changed, plan, tool, toolchain) != key
    node22 = NodeToolchain(Path("/n/node"), Path("/n/npm-cli.js"), "22.11.0", "10.9.0")
    assert install_key(files, plan, tool, node22) != key
    newer_npm = ManagerTool("npm", toolchain.npm, None, "11.18.0")
    assert install_key(files, plan, newer_npm, toolchain) != key


@pytest.mark.parametrize(
    ("scripts", "flags", "note"),
    [
        (None, (), ""),
        ({"build": "next build"}, (), ""),
        ({"build": "next build --turbopack"}, ("--turbopack",), ""),
        ({"build": "next build", "vercel-build": "next build --no-lint"}, ("--no-lint",), ""),
        (
            {"build": "prisma generate && next build"},
            (),
            "Vercel runs the build script `prisma generate && next build`; "
            "this check runs `next build`",
        ),
    ],
)
def test_next_build_flags_follow_the_build_script(
    scripts: dict[str, str] | None, flags: tuple[str, ...], note: str
) -> None:
    manifest: dict[str, object] = {"name": "x"}
    if scripts is not None:
        manifest["scripts"] = scripts
    assert next_build_flags({"package.json": json.dumps(manifest).encode()}) == (flags, note)


async def test_build_runs_with_the_scripts_flags(
    stand_ins: Path, settings: BuildSettings, tmp_path: Path
) -> None:
    files = _files()
    manifest = json.loads(files["package.json"])
    manifest["scripts"] = {"build": "next build --turbopack"}
    events: list[ProgressEvent] = []
    outcome = await build_project(
        {**files, "package.json": json.dumps(manifest).encode()},
        tmp_path / "work",
        settings,
        regenerate_stale_lockfile=True,
        progress=events.append,
    )
    assert outcome.ok
    build_step = outcome.step("build")
    assert build_step is not None
    assert build_step.command == "next build --turbopack"
    assert StepProgress("build", "output", log_line="next build --turbopack") in [
        StepProgress(e.step, e.message, log_line=e.log_line)
        for e in events
        if isinstance(e, StepProgress)
    ]


def test_default_cache_root_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(build.CACHE_ENV, raising=False)
    assert build.default_cache_root().name == "buildcheck"
    monkeypatch.setenv(build.CACHE_ENV, str(tmp_path / "bc"))
    assert build.default_cache_root() == tmp_path / "bc"
