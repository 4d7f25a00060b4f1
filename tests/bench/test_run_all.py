"""The benchmark report collects figures from child processes and shows failures."""

from __future__ import annotations

import math

from bench import run_all
from bench.report import table


def test_figures_come_back_from_the_child_process() -> None:
    figures, _ = run_all.run_one("scaffold_render")

    names = [figure.name for figure in figures]
    assert any(name.startswith("full scaffold") for name in names)
    assert all(math.isfinite(figure.value) and figure.value > 0 for figure in figures)


def test_a_benchmark_that_crashes_is_a_failed_row() -> None:
    figures, _ = run_all.run_one("no_such_benchmark")

    assert [figure.name for figure in figures] == ["no_such_benchmark: did not finish"]
    assert not figures[0].passed
    assert "FAIL" in table(figures)
