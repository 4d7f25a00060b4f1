"""run_streaming and ManagedProcess with tiny sh/python children."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from console.services.buildcheck.process import ManagedProcess, run_streaming
from tests.processes import living_in_group, wait_gone

pytestmark = pytest.mark.subprocess

ENV = dict(os.environ)


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


async def test_run_streaming_hands_over_lines_in_order(tmp_path: Path) -> None:
    seen: list[str] = []
    code = (
        "for i in range(500):\n"
        "    print(f'line {i}', flush=i % 7 == 0)\n"
        "print('no newline', end='')"
    )
    result = await run_streaming(_python(code), cwd=tmp_path, env=ENV, on_line=seen.append)
    assert result.ok
    assert seen == [f"line {i}" for i in range(500)] + ["no newline"]
    assert result.tail[-1] == "no newline"
    assert len(result.tail) == 200


async def test_run_streaming_reads_lines_of_several_megabytes(tmp_path: Path) -> None:
    seen: list[str] = []
    code = "import sys\nsys.stdout.write('x' * 5_000_000 + '\\n')\nprint('after')"
    result = await run_streaming(_python(code), cwd=tmp_path, env=ENV, on_line=seen.append)
    assert result.ok
    assert [len(line) for line in seen] == [5_000_000, 5]


async def test_run_streaming_merges_stderr_and_strips_colours(tmp_path: Path) -> None:
    seen: list[str] = []
    code = (
        "import sys\n"
        "print('\\x1b[31mred\\x1b[39m out', flush=True)\n"
        "print('err\\r', file=sys.stderr, flush=True)\n"
        "sys.exit(3)"
    )
    result = await run_streaming(_python(code), cwd=tmp_path, env=ENV, on_line=seen.append)
    assert seen == ["red out", "err"]
    assert result.returncode == 3
    assert not result.ok


async def test_run_streaming_reports_each_silence_period(tmp_path: Path) -> None:
    seen: list[str] = []
    silences: list[float] = []
    result = await run_streaming(
        ["sh", "-c", "echo start; sleep 1.2; echo end"],
        cwd=tmp_path,
        env=ENV,
        on_line=seen.append,
        silence_after=0.3,
        on_silence=silences.append,
    )
    assert result.ok
    assert seen == ["start", "end"]
    # One report per 0.3 s period of the 1.2 s silence, each later than the last.
    assert 2 <= len(silences) <= 4
    assert silences == sorted(silences)
    assert silences[0] >= 0.3


async def test_run_streaming_stays_quiet_while_output_flows(tmp_path: Path) -> None:
    silences: list[float] = []
    code = "import time\nfor i in range(8):\n    print(i, flush=True)\n    time.sleep(0.1)"
    result = await run_streaming(
        _python(code),
        cwd=tmp_path,
        env=ENV,
        on_line=lambda _line: None,
        silence_after=0.6,
        on_silence=silences.append,
    )
    assert result.ok
    assert silences == []


async def test_run_streaming_deadline_ends_the_group(tmp_path: Path) -> None:
    pids: list[str] = []
    result = await run_streaming(
        ["sh", "-c", "echo $$; sleep 30 & echo $!; wait"],
        cwd=tmp_path,
        env=ENV,
        on_line=pids.append,
        deadline=0.5,
        grace=1.0,
    )
    assert result.timed_out
    assert not result.ok
    assert result.returncode < 0
    assert result.seconds < 5
    assert wait_gone(lambda: living_in_group(int(pids[0]))) == []


async def test_cancel_ends_child_and_grandchild(tmp_path: Path) -> None:
    pids: list[int] = []
    both_running = asyncio.Event()

    def on_line(line: str) -> None:
        pids.append(int(line))
        if len(pids) == 2:
            both_running.set()

    task = asyncio.create_task(
        run_streaming(
            ["sh", "-c", "echo $$; sleep 60 & echo $!; sleep 60"],
            cwd=tmp_path,
            env=ENV,
            on_line=on_line,
        )
    )
    await asyncio.wait_for(both_running.wait(), 10)
    shell, grandchild = pids
    assert os.getpgid(grandchild) == shell  # the grandchild is in the shell's group
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert wait_gone(lambda: living_in_group(shell)) == []


async def test_cancel_kills_a_group_that_ignores_term(tmp_path: Path) -> None:
    started = asyncio.Event()
    pids: list[int] = []

    def on_line(line: str) -> None:
        pids.append(int(line))
        started.set()

    task = asyncio.create_task(
        run_streaming(
            ["sh", "-c", "trap '' TERM; echo $$; sleep 60"],
            cwd=tmp_path,
            env=ENV,
            on_line=on_line,
            grace=0.5,
        )
    )
    await asyncio.wait_for(started.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert wait_gone(lambda: living_in_group(pids[0])) == []


async def test_strays_holding_the_output_are_ended_when_the_command_exits(
    tmp_path: Path,
) -> None:
    seen: list[str] = []
    # The shell exits at once; its background sleep keeps the output pipe open.
    result = await run_streaming(
        ["sh", "-c", "echo $$; sleep 60 & echo done"],
        cwd=tmp_path,
        env=ENV,
        on_line=seen.append,
        grace=1.0,
    )
    assert result.ok
    assert seen[1] == "done"
    assert result.seconds < 5
    assert wait_gone(lambda: living_in_group(int(seen[0]))) == []


async def test_an_error_in_on_line_ends_the_process_and_is_raised(tmp_path: Path) -> None:
    def on_line(line: str) -> None:
        raise RuntimeError(f"view gone: {line}")

    with pytest.raises(RuntimeError, match="view gone: first"):
        await run_streaming(
            ["sh", "-c", "echo first; sleep 60"], cwd=tmp_path, env=ENV, on_line=on_line
        )


async def test_run_streaming_raises_when_the_program_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        await run_streaming([str(tmp_path / "no-such-tool")], cwd=tmp_path, env=ENV, on_line=print)


async def test_managed_process_stop_ends_a_long_running_child(tmp_path: Path) -> None:
    ready = asyncio.Event()

    def on_line(line: str) -> None:
        if line == "listening":
            ready.set()

    server = ManagedProcess(
        _python("import time\nprint('listening', flush=True)\ntime.sleep(60)"),
        cwd=tmp_path,
        env=ENV,
        on_line=on_line,
    )
    async with server:
        await asyncio.wait_for(ready.wait(), 10)
        pid = server.pid
        running_status = server.returncode
    assert pid is not None
    assert running_status is None
    assert server.returncode == -signal.SIGTERM
    assert server.tail == ("listening",)
    assert await server.stop() == -signal.SIGTERM  # stopping twice is harmless
    assert wait_gone(lambda: living_in_group(pid)) == []


async def test_managed_process_wait_answers_the_exit_status(tmp_path: Path) -> None:
    process = ManagedProcess(
        _python("print('bye'); raise SystemExit(4)"), cwd=tmp_path, env=ENV, on_line=print
    )
    await process.start()
    assert await process.wait() == 4
    assert process.tail == ("bye",)
    with pytest.raises(RuntimeError):
        await process.start()
