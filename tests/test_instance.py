"""One console per data folder, with real consoles: hand-over, a crashed owner, two at once."""

from __future__ import annotations

import contextlib
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from console.crash import HardCrashFile
from console.instance import LOCK_NAME, HandOver, server_name
from console.views.main_window import MainWindow, Section
from tests.console_process import RunningConsole, run_console


@pytest.mark.subprocess
def test_instance_second_start_hands_over_and_exits(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with RunningConsole(data_dir) as first:
        first.wait_until("the folder claimed", (data_dir / LOCK_NAME).exists)

        second = run_console("--data-dir", str(data_dir), "--section", "conversations")

        assert second.returncode == 0, second.stderr
        assert (
            f"a console is already running for {data_dir} (process {first.pid}); "
            "its window was brought forward, on Conversations." in second.stdout
        )
        # The console is built and its sandbox runs: what follows is the whole shutdown.
        first.wait_for_log("embedded sandbox started")
        assert first.end(signal.SIGTERM) == 0
        log = first.log()
    assert "SIGTERM received: shutting down" in log
    assert "console stopped (exit code 0)" in log
    # It applied the hand-over and closed as a user closes it: the window
    # state says where it was.
    state = QSettings(str(data_dir / "window.ini"), QSettings.Format.IniFormat)
    assert state.value(MainWindow.SECTION_KEY) == str(int(Section.CONVERSATIONS))
    assert state.value(MainWindow.GEOMETRY_KEY) is not None
    # The folder is free again and no crash is left to report.
    assert not (data_dir / LOCK_NAME).exists()
    assert not (data_dir / "logs" / HardCrashFile.NAME).exists()


@pytest.mark.subprocess
def test_instance_socket_left_by_a_crashed_console_is_taken_over(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    logs = data_dir / "logs"
    with RunningConsole(data_dir) as crashed:
        crashed.wait_for_log("console starting")
        assert crashed.end(signal.SIGSEGV) == -signal.SIGSEGV
    # What a hard crash leaves: a socket nobody listens on, the lock file and
    # faulthandler's trace.
    socket_file = Path(tempfile.gettempdir()) / server_name(data_dir)
    assert stat.S_ISSOCK(socket_file.stat().st_mode)
    assert (data_dir / LOCK_NAME).exists()
    assert "Fatal Python error: Segmentation fault" in (logs / HardCrashFile.NAME).read_text()

    with RunningConsole(data_dir) as console:
        console.wait_for_log("console starting")
        third = run_console("--data-dir", str(data_dir), "--section", "credits")
        assert third.returncode == 0, third.stderr
        assert f"(process {console.pid}); its window was brought forward" in third.stdout
        assert console.end(signal.SIGINT) == 0
        log = console.log()

    kept = list(logs.glob("crash-*.log"))
    assert len(kept) == 1
    assert "Fatal Python error: Segmentation fault" in kept[0].read_text()
    assert f"the last session ended abruptly; its crash file: {kept[0]}" in log
    assert "console stopped (exit code 0)" in log
    assert not (logs / HardCrashFile.NAME).exists()
    assert not socket_file.exists()


@pytest.mark.subprocess
def test_instance_two_starts_at_once_make_one_console(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with RunningConsole(data_dir) as one, RunningConsole(data_dir) as other:
        deadline = time.monotonic() + 90
        while one.process.poll() is None and other.process.poll() is None:
            assert time.monotonic() < deadline, "neither start handed over"
            with contextlib.suppress(subprocess.TimeoutExpired):
                one.process.wait(0.05)
        handed, owner = (one, other) if one.process.returncode is not None else (other, one)
        assert handed.process.returncode == 0, handed.output()
        assert f"(process {owner.pid}); its window was brought forward" in handed.output()
        # Ended while it still checks its store and imports: it must not go on
        # to build a console nobody can see.
        owner.wait_for_log("console starting")
        assert owner.end() == 0


def test_instance_hand_over_round_trips() -> None:
    request = HandOver(section="credits")
    assert HandOver.decode(request.encode()) == request
    with pytest.raises(ValueError, match="protocol"):
        HandOver.decode(b'{"protocol": 99, "section": "credits"}\n')


def test_instance_server_name_is_per_folder(tmp_path: Path) -> None:
    assert server_name(tmp_path / "a") == server_name(tmp_path / "a" / ".." / "a")
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
