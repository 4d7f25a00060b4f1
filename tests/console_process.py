"""The console as a user starts it: `main.py` in a process of its own, offscreen.

Each console runs in its own session, so what it starts ends with it: leaving
the `with` block kills the whole process group if anything is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[1]


def console_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.pop("QT_QPA_PLATFORM", None)
    env.update(overrides)
    return env


def run_console(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `main.py` to its end (a second start, a screenshot) and return what it said."""
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        env=console_env(QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=timeout,
        start_new_session=True,
    )


class RunningConsole:
    """A console left running in the background on `data_dir`.

    `log()` reads only what this console wrote to the (shared) log file.
    """

    def __init__(self, data_dir: Path, *args: str) -> None:
        self.data_dir = data_dir
        self.log_file = data_dir / "logs" / "console.log"
        self._log_start = self.log_file.stat().st_size if self.log_file.exists() else 0
        self._output = data_dir.parent / f"console-{time.monotonic_ns()}.out"
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        with self._output.open("w") as output:
            self.process = subprocess.Popen(
                [sys.executable, "main.py", "--data-dir", str(data_dir), *args],
                cwd=ROOT,
                env=console_env(QT_QPA_PLATFORM="offscreen"),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self._output.read_text(errors="replace")

    def log(self) -> str:
        if not self.log_file.exists():
            return ""
        with self.log_file.open("rb") as file:
            file.seek(self._log_start)
            return file.read().decode(errors="replace")

    def wait_until(self, what: str, ready: Callable[[], bool], timeout: float = 90) -> None:
        """Wait for `ready()` to be true, while the console keeps running."""
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} within {timeout} s:\n{self.output()[-3000:]}")
            # Waiting on the process paces the loop and notices an early end.
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self.process.wait(0.05)
                raise AssertionError(f"the console ended ({code}) before {what}:\n{self.output()}")

    def wait_for_log(self, text: str, timeout: float = 90) -> None:
        self.wait_until(f"log line {text!r}", lambda: text in self.log(), timeout)

    def end(self, signum: int = signal.SIGTERM, timeout: float = 90) -> int:
        """Send `signum` to the console (not its children) and wait for it to exit."""
        self.process.send_signal(signum)
        return self.process.wait(timeout)

    def __enter__(self) -> RunningConsole:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
