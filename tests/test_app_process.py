"""main.py as a user runs it: a screenshot offscreen, a clear word without a display,
a damaged or newer store at start, an error before the window exists."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from sqlalchemy import select

from console.store.db import Store
from console.store.models import OutboxEntry, Project, ProjectFile
from console.store.recovery import LOCAL_STATE
from tests.console_process import ROOT, console_env, run_console
from tests.store.support import FILES, PAGE, PROJECT, build_store, damage, page_owner


def test_app_screenshot_renders_main_window(tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    result = run_console("--data-dir", str(tmp_path / "d"), "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert image.width() >= 800
    assert image.height() >= 500
    # Not a blank canvas: the sidebar and the page differ in colour.
    assert image.pixelColor(20, 300) != image.pixelColor(700, 300)


def test_app_without_display_explains_instead_of_aborting(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "main.py", "--data-dir", str(tmp_path / "d")],
        cwd=ROOT,
        env=console_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no display" in result.stderr
    assert "xvfb-run" in result.stderr


def test_app_error_before_the_window_prints_its_traceback_and_fails(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder should be")

    result = run_console("--data-dir", str(not_a_folder), timeout=60)

    assert result.returncode == 1
    assert result.stderr.startswith("Traceback (most recent call last)")
    assert "FileExistsError" in result.stderr


@pytest.mark.subprocess
def test_app_starts_on_a_damaged_store_and_reports_the_recovery(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    store_path = data_dir / "console.sqlite3"
    ids = build_store(store_path)
    page = store_path.stat().st_size // PAGE // 2
    assert page_owner(store_path, page) not in {keep.table for keep in LOCAL_STATE}
    damaged = damage(store_path, (page - 1) * PAGE, PAGE)

    result = run_console("--data-dir", str(data_dir), "--screenshot", str(tmp_path / "shot.png"))

    assert result.returncode == 0, result.stderr
    log = (data_dir / "logs" / "console.log").read_text()
    assert f"the local store {store_path} is damaged" in log
    assert "store recovered; damaged file kept in" in log
    (damaged_dir,) = data_dir.glob("damaged-*")
    assert (damaged_dir / "console.sqlite3").read_bytes() == damaged
    store = Store(store_path)
    try:
        with store.read() as session:
            project = session.get(Project, ids["project"])
            assert project is not None
            assert project.name == PROJECT
            paths = session.scalars(
                select(ProjectFile.path).where(ProjectFile.project_id == project.id)
            ).all()
            assert sorted(paths) == sorted(FILES)
            keys = session.scalars(select(OutboxEntry.idempotency_key)).all()
            assert ids["key"] in keys
    finally:
        store.close()


@pytest.mark.subprocess
def test_app_refuses_a_store_from_a_newer_console(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    store_path = data_dir / "console.sqlite3"
    Store(store_path).close()
    with sqlite3.connect(store_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    connection.close()
    before = store_path.read_bytes()

    result = run_console("--data-dir", str(data_dir), "--screenshot", str(tmp_path / "shot.png"))

    assert result.returncode == 1
    assert "(store version 0099_from_the_future)" in result.stderr
    assert "was not opened or changed" in result.stderr
    assert "--data-dir" in result.stderr
    assert store_path.read_bytes() == before
    assert not (tmp_path / "shot.png").exists()
