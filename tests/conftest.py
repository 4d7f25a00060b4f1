"""Fixtures every test gets: offscreen Qt, a fake keyring, a socket guard, log hygiene.

GUI tests add `qloop` (a qasync loop on pytest-qt's QApplication) and, for
the whole app, `console_factory`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import socket
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

# Before any QApplication exists: with no display and no platform set, Qt aborts.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NEXT_TELEMETRY_DISABLED", "1")

import keyring
import keyring.backend
import psutil
import pytest

from tests.processes import living_children, wait_gone

T = TypeVar("T")


# --- keyring -----------------------------------------------------------------
class MemoryKeyring(keyring.backend.KeyringBackend):
    """In-memory keyring backend; the real OS keyring is never touched by tests."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        import keyring.errors

        if (service, username) not in self.entries:
            raise keyring.errors.PasswordDeleteError(username)
        del self.entries[(service, username)]


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


# --- network guard -----------------------------------------------------------
_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise ConnectionRefusedError(f"tests may only connect to loopback, not {host}")
    _real_connect(self, address)


@pytest.fixture(autouse=True)
def socket_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


# --- processes -------------------------------------------------------------------
@pytest.fixture(autouse=True)
def no_stray_processes() -> Iterator[None]:
    """A test that leaves a child process running fails (subprocesses end as a tree)."""
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


# --- log hygiene ---------------------------------------------------------------
def _expected(record: logging.LogRecord) -> bool:
    # Faults the sandbox injects on purpose make uvicorn log the aborted response.
    if record.exc_info and "sandbox fault" in str(record.exc_info[1]):
        return True
    return "sandbox fault" in record.getMessage()


@pytest.fixture(autouse=True)
def fail_on_unexpected_warnings(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A WARNING or worse that a test did not expect fails it.

    A test that expects one asserts on `caplog` and then calls `caplog.clear()`.
    """
    caplog.set_level(logging.INFO)
    yield
    bad = [
        r for r in caplog.get_records("call") if r.levelno >= logging.WARNING and not _expected(r)
    ]
    if bad:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in bad)
        pytest.fail(f"unexpected log records:\n{lines}")


# --- data dir --------------------------------------------------------------------
@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("L4_CONSOLE_DATA_DIR", str(path))
    return path


# --- asyncio on Qt -------------------------------------------------------------------
@pytest.fixture
def qloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on pytest-qt's QApplication; tasks advance during qtbot waits.

    Torn down without `loop.stop()` (it would quit the QApplication for every
    later test).
    """
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    # Our own executor, so teardown can shut it down without closing the loop
    # (closing a loop created "already running" raises; a live executor at
    # exit aborts the process).
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-loop")
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    # A cancelled task may still have cleanup to run on the loop (closing an
    # HTTP stream takes several steps); a coroutine left half-closed is
    # finalized later without a loop and fails some unrelated test.
    deadline = time.monotonic() + 5.0
    while any(not t.done() for t in pending) and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.001)
    executor.shutdown(wait=True, cancel_futures=True)
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


@pytest.fixture
def run_async(qtbot: Any, qloop: asyncio.AbstractEventLoop) -> Callable[..., Any]:
    """Run a coroutine to completion on the qasync loop while Qt keeps processing."""

    def run(coro: Coroutine[Any, Any, T], timeout: float = 20.0) -> T:
        task = asyncio.ensure_future(coro)
        qtbot.waitUntil(task.done, timeout=int(timeout * 1000))
        return task.result()

    return run
