"""Child processes of the test run: which are alive, and waiting for them to go.

Every test gets `no_stray_processes` (tests/conftest.py): the children of the
test process (recursively) that were not there before the test must be gone
after it. Processes a test ends get a short deadline to finish dying; zombies
(dead, waiting to be reaped) do not count.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection

import psutil

#: Seconds a killed process may take to disappear.
_DYING_DEADLINE = 5.0


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
