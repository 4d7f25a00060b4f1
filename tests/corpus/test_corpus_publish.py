"""The whole corpus through the publish path, to the end of the chain (slow: npm, next build).

For every export of `tests/data/v0corpus`: import it as a user would (the
compatibility patches apply), compose the integration layer for the labelled
types, pass the build check (the project's own install and `next build`, as
Vercel runs them), then write exactly the pushed file set into a fresh
folder, install it with Vercel's frozen-lockfile command and `next build` it
with no project variables set. The check and the real build must agree.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from console.services.buildcheck import BuildSettings
from console.services.buildcheck.toolchain import find_toolchain
from console.services.projects import ProjectService
from console.services.publish import PublishService, fileset_hash
from console.services.publish.check import default_builder
from console.store.db import Store
from tests.corpus.support import (
    build_as_vercel,
    clean_environment,
    labels,
    matrix_slugs,
    publish_config,
    slugs,
    type_check_layer,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
logger = logging.getLogger(__name__)


@pytest.fixture(scope="module")
def settings() -> BuildSettings:
    return BuildSettings()  # the user cache (or L4_BUILDCHECK_CACHE): shared by the slow tests


#: Built on every CI run: Next 16 with Tailwind 4 and every page of the
#: integration layer (the scaffold's own matrix covers Next 15 with Tailwind
#: 3). The others, Next 14 among them, are `extended` (two to four minutes
#: each): CI has 30 minutes in all, cold caches included.
CI_SLUGS = ("contacts-crm",)


@pytest.mark.parametrize(
    "slug",
    [pytest.param(s, marks=() if s in CI_SLUGS else pytest.mark.extended) for s in slugs()],
)
def test_corpus_export_builds_as_pushed(slug: str, tmp_path: Path, settings: BuildSettings) -> None:
    if asyncio.run(find_toolchain()) is None:
        pytest.skip("needs Node.js and npm")
    asyncio.run(_publish_and_build(slug, tmp_path, settings))


async def _publish_and_build(slug: str, tmp_path: Path, settings: BuildSettings) -> None:
    store = Store(tmp_path / "db.sqlite3")
    try:
        projects = ProjectService(store, workspace_root=tmp_path / "work")
        publish = PublishService(
            store,
            None,
            workspace_root=tmp_path / "checks",
            builder=default_builder(settings),
            remedies=projects,
        )
        config = publish_config(slug)
        pid = await projects.import_export(Path("tests/data/v0corpus") / slug, name=slug)
        compat = await projects.compat_report(pid)
        clean_environment([e.name for e in compat.env])

        review = await publish.review(pid, config)
        assert review.problems == ()
        assert review.secrets == ()
        stored = {f.path for f in (await projects.detail(pid)).files}
        for change in review.changes:
            assert change.origin is not None
            if change.path in stored:
                assert change.origin.origin in ("project", "merged"), change.path

        report = await publish.check(pid, config)
        tail = "\n".join(report.outcome.steps[-1].tail[-40:]) if report.outcome else ""
        assert report.ok, f"{slug}: {report.headline}\n{tail}"

        composition = await publish.build_files(pid, config)
        pushed = composition.files
        assert fileset_hash(pushed) == report.files_hash
        assert report.env_names  # the layer's variables at least
        workdir = tmp_path / "checks" / f"project-{pid}"
        if slug in matrix_slugs():
            layer = [
                e.path
                for e in composition.entries
                if e.origin in ("layer", "moved") and e.path.endswith((".ts", ".tsx"))
            ]
            typed, errors = await type_check_layer(workdir, layer)
            assert typed, f"{slug}: the integration layer does not type-check\n" + "\n".join(
                errors[:40]
            )
        fresh = await build_as_vercel(
            pushed,
            tmp_path / "fresh",
            settings.tools_root,
            settings.pnpm_store,
            build_cache=workdir / ".next" / "cache",
        )
        output = "\n".join(fresh.output[-60:])
        assert fresh.install_ok, f"{slug}: `{fresh.install_command}` failed\n{output}"
        assert fresh.build_ok, f"{slug}: next build of the pushed files failed\n{output}"
        logger.info("%s (%s): check and pushed build agree", slug, labels()[slug]["generation"])
    finally:
        store.close()
