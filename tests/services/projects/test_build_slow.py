"""The patched fixtures install, type-check and `next build` with no secrets set (slow: npm).

Run with `-m slow`. Needs node/npm and the npm registry (or a warm npm cache);
everything else is offline: no Google Fonts, no environment variables, no database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from console.services.projects.importer import read_export_blocking
from console.services.projects.rules import ALL_RULES, run_rules
from tests.services.projects.conftest import FIXTURES, V0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("npm") is None, reason="needs node and npm"),
    pytest.mark.timeout(900),
]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEXT_PUBLIC_", "STRIPE_", "DATABASE_", "OPENAI_"))
    }
    env["NEXT_TELEMETRY_DISABLED"] = "1"
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=800, check=False
    )


@pytest.mark.parametrize("fixture", FIXTURES)
def test_patched_fixture_type_checks_and_builds(fixture: str, tmp_path: Path) -> None:
    export = read_export_blocking(V0 / fixture)
    binaries = [p for p in export.files if p not in export.texts]
    result = run_rules(export.texts, binaries, ALL_RULES)
    for path, text in result.texts.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for path in binaries:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(export.files[path])
    # The fixtures' lockfiles are excerpts, not complete lockfiles: resolve afresh.
    for lockfile in ("package-lock.json", "pnpm-lock.yaml", "yarn.lock"):
        (tmp_path / lockfile).unlink(missing_ok=True)

    install = _run(["npm", "install", "--no-audit", "--no-fund"], tmp_path)
    assert install.returncode == 0, install.stderr[-3000:]
    types = _run(["npx", "tsc", "--noEmit"], tmp_path)
    assert types.returncode == 0, types.stdout[-3000:]
    build = _run(["npx", "next", "build"], tmp_path)
    assert build.returncode == 0, (build.stdout + build.stderr)[-4000:]
    assert "Generating static pages" in build.stdout
