"""Data-need detection on the labelled corpus of v0 exports (tests/data/v0corpus).

Run: `.venv/bin/python -m bench.detection`, or through `bench.run_all`, which
calls `measure()`. Each export is read the way the console imports it and
analysed; its detections are compared with the types a careful person sees
(labels.json). Per type and in total (micro-averaged) it counts true and false
positives and false negatives twice: "reported" (the analyzer shows the type
at all) and "Create" (confidence >= CREATE_THRESHOLD, the default decision).

Targets: precision and recall >= 0.9 for both; as figures that must stay
under their target they are shown as 1 - precision and 1 - recall <= 0.10.
The analyzer's time over the whole corpus (it runs on the UI's worker
thread at import) must stay well under a second: <= 300 ms of CPU time,
the figure that does not depend on what else the shared machine runs (the
wall time is printed next to it).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.report import Figure, table
from console.services.projects.analyzer import CREATE_THRESHOLD, analyze
from console.services.projects.importer import read_export_blocking
from console.services.projects.models import CATEGORY_IDS, Detection

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "v0corpus"
RUNS = 5
TARGET_MISS = 0.10
TARGET_MS = 300.0


@dataclass
class Counts:
    """Confusion counts of one type (or of all, summed)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, expected: bool, detected: bool) -> None:
        if expected and detected:
            self.tp += 1
        elif detected:
            self.fp += 1
        elif expected:
            self.fn += 1


@dataclass
class Scores:
    """Counts per type for "reported" and "Create", with the misses named."""

    reported: dict[str, Counts] = field(default_factory=lambda: {c: Counts() for c in CATEGORY_IDS})
    create: dict[str, Counts] = field(default_factory=lambda: {c: Counts() for c in CATEGORY_IDS})
    support: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORY_IDS, 0))
    mistakes: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)

    @staticmethod
    def total(counts: dict[str, Counts]) -> Counts:
        return Counts(
            sum(c.tp for c in counts.values()),
            sum(c.fp for c in counts.values()),
            sum(c.fn for c in counts.values()),
        )


def load_corpus(root: Path = CORPUS) -> dict[str, tuple[dict[str, str], frozenset[str]]]:
    """slug -> (the export's text files as the console reads them, labelled types)."""
    labels = json.loads((root / "labels.json").read_text(encoding="utf-8"))
    return {
        slug: (read_export_blocking(root / slug).texts, frozenset(label["types"]))
        for slug, label in sorted(labels.items())
    }


def score(results: dict[str, tuple[tuple[Detection, ...], frozenset[str]]]) -> Scores:
    """Compare each export's detections with its labels."""
    scores = Scores()
    for slug, (detections, expected) in results.items():
        scores.projects.append(slug)
        found = {d.category: d.confidence for d in detections}
        for category in CATEGORY_IDS:
            wanted = category in expected
            scores.support[category] += wanted
            scores.reported[category].add(wanted, category in found)
            created = found.get(category, 0.0) >= CREATE_THRESHOLD
            scores.create[category].add(wanted, created)
            if wanted != created:
                what = "missed" if wanted else "false"
                confidence = f"{found[category]:.2f}" if category in found else "not reported"
                scores.mistakes.append(f"{slug}: {what} {category} ({confidence})")
    return scores


@dataclass(frozen=True)
class Timing:
    """Median milliseconds of analysing the whole corpus once."""

    cpu_ms: float
    wall_ms: float


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    cpu, wall = time.thread_time(), time.perf_counter()
    work()
    return (time.thread_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def run() -> tuple[Scores, Timing]:
    """Scores over the corpus and how long analysing all of it takes."""
    corpus = load_corpus()
    results = {slug: (analyze(texts), labels) for slug, (texts, labels) in corpus.items()}
    samples = [
        _timed(lambda: [analyze(texts) for texts, _ in corpus.values()]) for _ in range(RUNS)
    ]
    timing = Timing(
        statistics.median(cpu for cpu, _ in samples), statistics.median(w for _, w in samples)
    )
    return score(results), timing


def report(scores: Scores, timing: Timing) -> str:
    """Per-type table for both decisions, totals and the analyzer time."""
    header = (
        f"{'type':<14} {'support':>7} | {'reported: tp':>12} {'fp':>3} {'fn':>3} {'prec':>5}"
        f" {'rec':>5} | {'create: tp':>10} {'fp':>3} {'fn':>3} {'prec':>5} {'rec':>5}"
    )
    lines = [header, "-" * len(header)]

    def row(name: str, support: int, rep: Counts, cre: Counts) -> str:
        return (
            f"{name:<14} {support:>7} | {rep.tp:>12} {rep.fp:>3} {rep.fn:>3} {rep.precision:>5.2f}"
            f" {rep.recall:>5.2f} | {cre.tp:>10} {cre.fp:>3} {cre.fn:>3} {cre.precision:>5.2f}"
            f" {cre.recall:>5.2f}"
        )

    for category in CATEGORY_IDS:
        lines.append(
            row(
                category,
                scores.support[category],
                scores.reported[category],
                scores.create[category],
            )
        )
    lines.append("-" * len(header))
    lines.append(
        row(
            "total (micro)",
            sum(scores.support.values()),
            Scores.total(scores.reported),
            Scores.total(scores.create),
        )
    )
    lines.append(
        f"\nanalyze() over the whole corpus ({len(scores.projects)} exports): "
        f"{timing.cpu_ms:.0f} ms CPU, {timing.wall_ms:.0f} ms wall (medians of {RUNS})"
    )
    if scores.mistakes:
        lines.append("Create decisions that differ from the labels:")
        lines.extend(f"  {mistake}" for mistake in scores.mistakes)
    return "\n".join(lines)


def figures(scores: Scores, timing: Timing) -> list[Figure]:
    reported, create = Scores.total(scores.reported), Scores.total(scores.create)
    return [
        Figure("detection, reported: 1 - precision", 1 - reported.precision, "", TARGET_MISS),
        Figure("detection, reported: 1 - recall", 1 - reported.recall, "", TARGET_MISS),
        Figure("detection, default Create: 1 - precision", 1 - create.precision, "", TARGET_MISS),
        Figure("detection, default Create: 1 - recall", 1 - create.recall, "", TARGET_MISS),
        Figure("detection, analyze() over the whole corpus (CPU)", timing.cpu_ms, "ms", TARGET_MS),
    ]


def measure() -> list[Figure]:
    return figures(*run())


if __name__ == "__main__":
    measured = run()
    print(report(*measured))
    print()
    print(table(figures(*measured)))
