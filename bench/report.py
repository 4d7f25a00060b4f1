"""Benchmark results: one row per figure, printed as a table.

Every figure is compared with a baseline measured in the same run, so the
ratio means something on a noisy shared machine.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure.

    Attributes:
        name: what was measured.
        value: the figure, in `unit`.
        unit: "s", "ms", "MB", "requests"...
        target: the bound it must stay under (or at), in the same unit as the
            ratio when `baseline` is set, else in `unit`.
        baseline: the same run's reference figure, if the target is a ratio.
    """

    name: str
    value: float
    unit: str
    target: float
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

    @property
    def passed(self) -> bool:
        measured = self.ratio if self.ratio is not None else self.value
        return measured <= self.target


def table(figures: list[Figure]) -> str:
    header = f"{'figure':<58} {'value':>12} {'target':>10} {'baseline':>12} {'ratio':>7}  result"
    lines = [header, "-" * len(header)]
    for f in figures:
        baseline = f"{f.baseline:.3f} {f.unit}" if f.baseline is not None else "-"
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else "-"
        target = f"<= {f.target:g}{'x' if f.baseline is not None else ' ' + f.unit}"
        lines.append(
            f"{f.name:<58} {f.value:>9.3f} {f.unit:<2} {target:>10} {baseline:>12} {ratio:>7}  "
            f"{'pass' if f.passed else 'FAIL'}"
        )
    return "\n".join(lines)
