"""Fixtures of the build check tests: no child process may outlive a test.

Every test here gets `no_stray_processes`: the children of the test process
(recursively) that were not there before the test must be gone after it.
Processes the check kills are given a short deadline to finish dying;
zombies (dead, waiting to be reaped) do not count.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import psutil
import pytest

#: Seconds a killed process may take to disappear.
_DYING_DEADLINE = 5.0
DATA = Path(__file__).resolve().parents[2] / "data" / "buildcheck"


def living_children() -> set[int]:
    """Pids of this process's descendants that are still running."""
    alive: set[int] = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                alive.add(child.pid)
        except psutil.NoSuchProcess:
            continue
    return alive


def living_in_group(pgid: int) -> list[int]:
    """Pids of running (not zombie) processes whose process group is `pgid`."""
    found: list[int] = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process.pid)
        except (psutil.NoSuchProcess, ProcessLookupError, PermissionError):
            continue
    return found


def wait_gone(
    check: Callable[[], Collection[int]], deadline: float = _DYING_DEADLINE
) -> Collection[int]:
    """Poll `check()` until it is empty or the deadline passes; answer its last value."""
    ends = time.monotonic() + deadline
    value = check()
    while value and time.monotonic() < ends:
        time.sleep(0.05)
        value = check()
    return value


@pytest.fixture(autouse=True)
def no_stray_processes() -> Iterator[None]:
    before = living_children()
    yield
    left = wait_gone(lambda: living_children() - before)
    if left:
        details = []
        for pid in sorted(left):
            try:
                details.append(f"{pid}: {' '.join(psutil.Process(pid).cmdline())}")
            except psutil.NoSuchProcess:
                continue
        if details:
            pytest.fail("child processes left behind:\n" + "\n".join(details))
