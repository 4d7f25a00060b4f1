"""Every benchmark of the project, one table.

Run: `.venv/bin/python -m bench.run_all` (add `--only startup,push_requests`
to run some). Each benchmark runs in its own process, so one's Qt
application, threads and memory cannot colour another's figures; a
benchmark that crashes is a FAIL row, not a lost report.

Every benchmark module exposes `measure() -> list[Figure]`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench.report import Figure, table

ROOT = Path(__file__).resolve().parents[1]

BENCHMARKS = (
    "startup",
    "projects_list",
    "sync_initial",
    "conversation_latency",
    "inbox_scroll",
    "scaffold_render",
    "push_requests",
    "detection",
    "build_check",
)
#: The child prints its figures on one line after this marker, below any chatter.
MARKER = "BENCH-FIGURES "
TIMEOUT_S = 900


def run_child(name: str) -> None:
    module = __import__(f"bench.{name}", fromlist=["measure"])
    figures: list[Figure] = module.measure()
    print(MARKER + json.dumps([asdict(figure) for figure in figures]), flush=True)


def run_one(name: str) -> tuple[list[Figure], float]:
    """The figures of one benchmark, measured in a fresh process, and its wall time."""
    env = {**os.environ}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.run_all", "--child", name],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [_failed(name, f"timed out after {TIMEOUT_S} s")], time.monotonic() - started
    elapsed = time.monotonic() - started
    for line in done.stdout.splitlines():
        if line.startswith(MARKER):
            return [Figure(**raw) for raw in json.loads(line[len(MARKER) :])], elapsed
    last = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return [_failed(name, f"exit {done.returncode}: {last}")], elapsed


def _failed(name: str, why: str) -> Figure:
    # An infinite value fails any target, so the table shows the row as FAIL.
    print(f"{name}: {why}", file=sys.stderr)
    return Figure(f"{name}: did not finish", float("inf"), "", 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated benchmark names", default="")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args.child)
        return 0
    names = [name for name in args.only.split(",") if name] or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    figures: list[Figure] = []
    for name in names:
        print(f"running {name}…", file=sys.stderr, flush=True)
        measured, elapsed = run_one(name)
        print(f"  {name}: {elapsed:.0f} s", file=sys.stderr, flush=True)
        figures.extend(measured)
    print(table(figures))
    failed = sum(not figure.passed for figure in figures)
    print(f"\n{len(figures) - failed} of {len(figures)} figures within target")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
