"""Child processes of the build check: started in their own session, read line by line,
ended as a whole process group.

Every tool the check runs (npm, pnpm, `next build`, later `next start`) goes
through `ManagedProcess`: its output (stdout and stderr merged) is read in
chunks and cut into lines here, so a line of several megabytes (bundlers print
them) never hits a StreamReader limit. Ending a process always ends its group:
TERM, a grace period, then KILL, so workers and postinstall scripts the tool
started go too. `run_streaming` runs one command to its end with a silence
watchdog and a deadline.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

logger = logging.getLogger(__name__)

#: Seconds a process group gets between TERM and KILL.
GRACE_SECONDS = 5.0
#: Lines kept of a process's output for its result.
TAIL_LINES = 200
#: Bytes read from the pipe at a time.
_CHUNK = 64 * 1024
#: A line longer than this is handed on in pieces (a memory bound, not a format rule).
_MAX_LINE_BYTES = 16 * 1024 * 1024
#: Colour and cursor escapes: with CI=1 some tools' loggers turn colours on.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")

LineSink = Callable[[str], None]


def strip_escapes(text: str) -> str:
    """`text` without terminal colour and cursor escapes."""
    return _ANSI.sub("", text)


def plain_text(raw: bytes | bytearray) -> str:
    """One output line as plain text: UTF-8 (lenient), no escapes, no trailing CR."""
    return strip_escapes(raw.decode("utf-8", "replace")).rstrip("\r")


@dataclass(frozen=True)
class ProcessResult:
    """How a command ended.

    Attributes:
        returncode: its exit status; negative when a signal ended it.
        seconds: wall time from its start to the end of its output.
        tail: its last output lines.
        timed_out: the deadline passed and the check ended it.
    """

    returncode: int
    seconds: float
    tail: tuple[str, ...]
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


class _OutputProtocol(asyncio.SubprocessProtocol):
    """Cuts the child's output into lines as it arrives; marks its exit and the output's end.

    The low-level protocol (rather than `Process.wait()`) because the child's
    exit must be seen even while a stray it left behind holds the output open:
    asyncio's `wait()` returns only once every pipe is closed.
    """

    def __init__(self, emit: Callable[[bytes | bytearray], None], loop: asyncio.AbstractEventLoop):
        self._emit = emit
        self._pending = bytearray()
        self.exited: asyncio.Future[None] = loop.create_future()
        self.output_closed: asyncio.Future[None] = loop.create_future()
        self.error: Exception | None = None
        self.on_error: Callable[[], object] = lambda: None
        self.last_output = time.monotonic()

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self.last_output = time.monotonic()
        self._pending += data
        *lines, rest = self._pending.split(b"\n")
        self._pending = bytearray(rest)
        for raw in lines:
            self._hand_over(raw)
        while len(self._pending) > _MAX_LINE_BYTES:
            self._hand_over(self._pending[:_MAX_LINE_BYTES])
            del self._pending[:_MAX_LINE_BYTES]

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if self._pending:
            self._hand_over(self._pending)
            self._pending = bytearray()
        if not self.output_closed.done():
            self.output_closed.set_result(None)

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)

    def _hand_over(self, raw: bytes | bytearray) -> None:
        if self.error is not None:
            return  # the receiver failed: nothing more goes to it
        try:
            self._emit(raw)
        except Exception as error:  # noqa: BLE001 - `wait()` raises it, traceback and all
            self.error = error
            self.on_error()


class ManagedProcess:
    """One child process in its own session, its output streamed line by line.

    The object that starts a process owns it and ends it with `stop()` (or
    uses it as an async context manager). `on_line` runs on the event loop for
    every line as it comes; if it raises, the process group is killed and
    `wait()` raises that error.

    Args:
        argv: the program and its arguments.
        cwd: working folder.
        env: the whole environment of the child.
        on_line: called with each output line (plain text, see `plain_text`).
        tail_lines: how many of the last lines to keep.
        grace: seconds between TERM and KILL when ending the group.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        on_line: LineSink,
        tail_lines: int = TAIL_LINES,
        grace: float = GRACE_SECONDS,
    ) -> None:
        self.argv = tuple(argv)
        self._cwd = cwd
        self._env = dict(env)
        self._on_line = on_line
        self._grace = grace
        self._tail: collections.deque[str] = collections.deque(maxlen=max(tail_lines, 1))
        self._transport: asyncio.SubprocessTransport | None = None
        self._protocol: _OutputProtocol | None = None
        self._pid: int | None = None
        self._returncode: int | None = None
        self._started_at = 0.0
        self._ended_at: float | None = None

    @property
    def pid(self) -> int | None:
        """The child's pid, which is also its process group id; None before `start()`."""
        return self._pid

    @property
    def returncode(self) -> int | None:
        """The exit status once the child exited, else None."""
        if self._returncode is None and self._transport is not None:
            self._returncode = self._transport.get_returncode()
        return self._returncode

    @property
    def tail(self) -> tuple[str, ...]:
        return tuple(self._tail)

    @property
    def started_at(self) -> float:
        """`time.monotonic()` at the start."""
        return self._started_at

    @property
    def last_output(self) -> float:
        """`time.monotonic()` of the last output, or of the start before any."""
        return self._protocol.last_output if self._protocol else self._started_at

    @property
    def seconds(self) -> float:
        end = self._ended_at if self._ended_at is not None else time.monotonic()
        return end - self._started_at

    async def start(self) -> None:
        """Start the child.

        Raises:
            OSError: the program cannot be started (missing, not executable).
            RuntimeError: it was started before.
        """
        if self._transport is not None:
            raise RuntimeError(f"{self.argv[0]} was started already")
        loop = asyncio.get_running_loop()
        self._started_at = time.monotonic()
        protocol = _OutputProtocol(self._emit, loop)
        transport, _ = await loop.subprocess_exec(
            lambda: protocol,
            *self.argv,
            cwd=str(self._cwd),
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Its own session, so its own process group: ended as one.
            start_new_session=True,
        )
        self._transport, self._protocol = transport, protocol
        self._pid = transport.get_pid()
        # Nobody takes the output any more: a child writing to it would block forever.
        protocol.on_error = lambda: self._signal_group(signal.SIGKILL)
        logger.debug("started pid %s: %s", self._pid, self.argv[0])

    async def wait_exited(self) -> int:
        """Wait until the child itself exits (output may still be coming from strays)."""
        _, protocol = self._started()
        await asyncio.shield(protocol.exited)
        return self.returncode if self.returncode is not None else -signal.SIGKILL

    async def wait(self) -> int:
        """Wait until the child exits and its output is read to the end.

        Whatever is still running in its group once it exited is a stray (a
        worker, a forgotten background job) and is ended with the group.

        Returns:
            The exit status (negative: ended by that signal).

        Raises:
            Exception: whatever `on_line` raised.
        """
        _, protocol = self._started()
        try:
            returncode = await self.wait_exited()
            if self._signal_group(signal.SIGTERM):
                await asyncio.wait({protocol.output_closed}, timeout=self._grace)
                self._signal_group(signal.SIGKILL)
            await self._close()
        except asyncio.CancelledError:
            await self.stop()
            raise
        if protocol.error is not None:
            raise protocol.error
        return returncode

    async def stop(self) -> int | None:
        """End the child's whole group: TERM, then KILL after the grace period.

        Safe at any time and more than once; returns once the child is reaped
        and its output read.

        Returns:
            The exit status, or None when it was never started.
        """
        if self._transport is None or self._protocol is None:
            return None
        protocol = self._protocol
        try:
            if self._signal_group(signal.SIGTERM):
                await asyncio.wait({protocol.exited, protocol.output_closed}, timeout=self._grace)
            if self._signal_group(signal.SIGKILL):
                logger.info("process group %s outlived TERM: killed", self._pid)
            await asyncio.shield(protocol.exited)
            await self._close()
        except asyncio.CancelledError:
            self._signal_group(signal.SIGKILL)
            await asyncio.shield(protocol.exited)
            await self._close()
            raise
        return self.returncode

    async def __aenter__(self) -> ManagedProcess:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ helpers
    def _started(self) -> tuple[asyncio.SubprocessTransport, _OutputProtocol]:
        if self._transport is None or self._protocol is None:
            raise RuntimeError("the process was not started")
        return self._transport, self._protocol

    async def _close(self) -> None:
        """Read the output to its end (giving up after the grace period), then release it.

        Only a process that left the group (its own `setsid`) can still hold
        the output once the group is gone; what it writes later is not read.
        """
        transport, protocol = self._started()
        if not protocol.output_closed.done():
            done, _ = await asyncio.wait({protocol.output_closed}, timeout=self._grace)
            if not done:
                logger.info("output of %s still open after its group ended", self.argv[0])
        if self._returncode is None:
            self._returncode = transport.get_returncode()
        transport.close()
        if self._ended_at is None:
            self._ended_at = time.monotonic()

    def _signal_group(self, sig: signal.Signals) -> bool:
        """Send `sig` to the child's group; False when no process of it is left."""
        if self._pid is None:
            return False
        try:
            os.killpg(self._pid, sig)
        except ProcessLookupError:
            return False
        except PermissionError:
            # A member changed its credentials (a setuid helper): not ours to end.
            logger.info("cannot signal process group %s", self._pid)
            return False
        return True

    def _emit(self, raw: bytes | bytearray) -> None:
        line = plain_text(raw)
        self._tail.append(line)
        self._on_line(line)


async def run_streaming(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    on_line: LineSink,
    silence_after: float = 60.0,
    on_silence: Callable[[float], None] | None = None,
    deadline: float | None = None,
    tail_lines: int = TAIL_LINES,
    grace: float = GRACE_SECONDS,
) -> ProcessResult:
    """Run a command to its end, each output line handed to `on_line` as it comes.

    Args:
        argv: the program and its arguments.
        cwd: working folder.
        env: the whole environment of the child.
        on_line: called with each output line.
        silence_after: seconds without output after which `on_silence` is called.
        on_silence: called with the seconds of silence so far, once per
            `silence_after` period without output.
        deadline: seconds the command may run; then its group is ended and the
            result says `timed_out`.
        tail_lines: how many of the last lines the result keeps.
        grace: seconds between TERM and KILL when ending the group.

    Returns:
        The exit status, duration and output tail.

    Raises:
        OSError: the program cannot be started.
        asyncio.CancelledError: the caller cancelled; the whole group was ended
            and reaped first.
        Exception: whatever `on_line` or `on_silence` raised (the group was ended).
    """
    process = ManagedProcess(
        argv, cwd=cwd, env=env, on_line=on_line, tail_lines=tail_lines, grace=grace
    )
    await process.start()
    try:
        timed_out = await _watch(process, silence_after, on_silence, deadline)
        if timed_out:
            logger.info("%s passed its %.0f s deadline: ended", argv[0], deadline or 0.0)
            returncode = await process.stop()
        else:
            returncode = await process.wait()
    except BaseException:
        await process.stop()
        raise
    return ProcessResult(
        # stop() answers None only for a process never started; this one was.
        returncode=-signal.SIGKILL if returncode is None else returncode,
        seconds=process.seconds,
        tail=process.tail,
        timed_out=timed_out,
    )


async def _watch(
    process: ManagedProcess,
    silence_after: float,
    on_silence: Callable[[float], None] | None,
    deadline: float | None,
) -> bool:
    """Wait for the child to exit, reporting silences; True when the deadline passed."""
    exited = asyncio.ensure_future(process.wait_exited())
    ends_at = None if deadline is None else process.started_at + deadline
    quiet_since = process.last_output
    reported = 0  # silence periods reported since `quiet_since`
    try:
        while True:
            if process.last_output != quiet_since:
                quiet_since, reported = process.last_output, 0
            next_report = quiet_since + (reported + 1) * silence_after
            wake = next_report if ends_at is None else min(next_report, ends_at)
            done, _ = await asyncio.wait({exited}, timeout=max(wake - time.monotonic(), 0.0))
            if done:
                return False
            now = time.monotonic()
            if ends_at is not None and now >= ends_at:
                return True
            if process.last_output == quiet_since and now >= next_report:
                reported += 1
                if on_silence is not None:
                    on_silence(now - quiet_since)
    finally:
        exited.cancel()
