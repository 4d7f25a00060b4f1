"""The build check of a real export: cold (empty caches) and again on the unchanged project.

Run: `.venv/bin/python -m bench.build_check` (needs Node.js and the npm registry
for the cold run; a few minutes). One corpus export is imported and checked
through `PublishService.check` exactly as the wizard runs it, first with every
cache empty (tools, pnpm store, npm cache, the project's build folder), then
once more unchanged with the package registry and proxy pointed at a dead
port: the second check must pass without any network, its install taking no
time. Targets: the cached install is at most 2% of the cold one and the whole
cached check at most the cold one (the build itself runs again either way).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from bench.report import Figure, table
from console.services.buildcheck import BuildSettings
from console.services.projects import ProjectService
from console.services.publish import CheckReport, PublishService
from console.services.publish.check import default_builder
from console.services.scaffold import Category, PublishConfig
from console.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ROOT / "tests" / "data" / "v0corpus" / "tech-meetups"
CONFIG = PublishConfig(
    app_name="Tech Meetups",
    repo_name="tech-meetups",
    categories=(Category.EVENTS, Category.FORMS),
)
#: Where nothing listens: any attempt to reach a registry fails at once.
DEAD = "http://127.0.0.1:9/"


def _step_seconds(report: CheckReport, name: str) -> float:
    step = report.outcome.step(name) if report.outcome else None
    return step.seconds if step else float("inf")


async def _check_twice(root: Path) -> tuple[CheckReport, CheckReport]:
    store = Store(root / "db.sqlite3")
    try:
        projects = ProjectService(store, workspace_root=root / "work")
        publish = PublishService(
            store,
            None,
            workspace_root=root / "checks",
            builder=default_builder(BuildSettings(cache_root=root / "cache")),
        )
        project_id = await projects.import_export(EXPORT, name="Tech Meetups")
        cold = await publish.check(project_id, CONFIG)
        offline = {"NPM_CONFIG_REGISTRY": DEAD, "HTTPS_PROXY": DEAD, "HTTP_PROXY": DEAD}
        saved = {key: os.environ.get(key) for key in offline}
        os.environ.update(offline)
        try:
            cached = await publish.check(project_id, CONFIG)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        return cold, cached
    finally:
        store.close()


def measure() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-build-check-") as tmp:
        root = Path(tmp)
        # npm's own cache too: the cold run downloads every package.
        os.environ["NPM_CONFIG_CACHE"] = str(root / "npm-cache")
        cold, cached = asyncio.run(_check_twice(root))
    assert cold.ok, f"cold check failed: {cold.headline}"
    assert cached.ok, f"cached check failed without network: {cached.headline}"
    assert cold.outcome is not None
    assert cached.outcome is not None
    cold_install = _step_seconds(cold, "install")
    return [
        Figure("cold check: whole (empty caches)", cold.outcome.seconds, "s", 600.0),
        Figure("cold check: install", cold_install, "s", 300.0),
        Figure("cold check: next build", _step_seconds(cold, "build"), "s", 300.0),
        Figure(
            "cached check (registry unreachable): install",
            _step_seconds(cached, "install"),
            "s",
            0.02,
            baseline=cold_install,
        ),
        Figure(
            "cached check (registry unreachable): whole",
            cached.outcome.seconds,
            "s",
            1.0,
            baseline=cold.outcome.seconds,
        ),
    ]


if __name__ == "__main__":
    print(table(measure()))
