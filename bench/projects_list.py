"""The project list with 100,000 projects: filter and sort inside the model.

Run: `.venv/bin/python -m bench.projects_list` (offscreen), or through
`bench.run_all`, which calls `measure()`. Each figure is the
median of several runs, compared with a baseline measured in the same run: a
plain Python `list.sort` over the same 100,000 keys, which is the least a
sort can cost in Python. Targets: every filter and sort under 50 ms, and the
model's cached sort no slower than that baseline.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QHeaderView, QTableView

from bench.report import Figure, table
from console.services.projects.models import CATEGORY_IDS, ProjectRow, ProjectState
from console.views.models.projects import Column, ProjectFilter, ProjectTableModel
from console.views.projects.cards import CardGridView, ProjectCardDelegate

ROWS = 100_000
RUNS = 7
TARGET_MS = 50.0
NOW = datetime(2026, 6, 1, tzinfo=UTC)
CLIENTS = [
    (f"org_{i:03d}", name)
    for i, name in enumerate(
        (
            "Crumb & Co. Bakery",
            "Green Leaf Florist",
            "Harbour Jazz",
            "Lotus Flow Yoga",
            "Brightsmile Dental",
            "Peak Motion Physio",
            "Schmidt Sanitär",
            "Salon Bella",
            "Hartley & Price",
            "Northwind Digital",
        )
    )
]
WORDS = (
    "Booking",
    "Shop",
    "Portal",
    "Landing",
    "Events",
    "Menu",
    "Quote",
    "Intake",
    "Gift Vouchers",
    "Dashboard",
    "Members",
    "Newsletter",
    "Support",
    "Tickets",
)
STATUSES = ("draft", "published", "deployed", "failed")
DEPLOYMENTS = (None, "none", "deploying", "deployed", "failed")


def make_rows(n: int, seed: int = 7) -> list[ProjectRow]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        org_id, client = rng.choice(CLIENTS)
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}"
        status = rng.choice(STATUSES)
        updated = NOW - timedelta(minutes=rng.randrange(0, 60 * 24 * 400))
        rows.append(
            ProjectRow(
                id=i + 1,
                remote_id=None if status == "draft" and rng.random() < 0.3 else f"app_{i:06x}",
                name=name,
                slug=name.lower().replace(" ", "-"),
                description=f"{name} for {client}.",
                org_id=org_id,
                client_name=client,
                is_agency=client == "Northwind Digital",
                status=status,
                deployment_status=rng.choice(DEPLOYMENTS),
                architecture=rng.choice(("thin_client", "full_stack", "hybrid")),
                categories=tuple(rng.sample(CATEGORY_IDS, k=rng.randint(0, 4))),
                repo_url=None,
                production_url=f"https://{name.lower().replace(' ', '-')}.vercel.app"
                if status == "deployed"
                else None,
                source="platform",
                created_at=updated - timedelta(days=30),
                updated_at=updated,
            )
        )
    return rows


def median_ms(action: Callable[[], object], before: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(RUNS):
        if before is not None:
            before()
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure_view(app: QApplication, rows: list[ProjectRow], view: str) -> list[Figure]:
    """Every figure with the model shown in one view ("cards" or "list"), as the page does."""
    model = ProjectTableModel(clock=lambda: NOW)
    widget: QAbstractItemView
    if view == "list":
        widget = QTableView()  # set up as ProjectsPage sets up its table
        widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        widget.verticalHeader().setVisible(False)
        widget.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        widget.verticalHeader().setDefaultSectionSize(30)
    else:
        widget = CardGridView()
        widget.setItemDelegate(ProjectCardDelegate(TOKENS, widget))
    widget.setModel(model)
    widget.resize(1200, 800)
    widget.show()
    app.processEvents()

    def settle() -> None:
        app.processEvents()

    start = time.perf_counter()
    model.set_rows(rows)
    settle()
    figures = [
        Figure(f"[{view}] load 100,000 rows", (time.perf_counter() - start) * 1000, "ms", 1500.0)
    ]
    widget.setCurrentIndex(model.index(3, 0))  # a selection to carry through every change

    def sort(column: Column, order: Qt.SortOrder) -> Callable[[], object]:
        def run() -> None:
            model.sort(int(column), order)
            settle()

        return run

    def reset_sort() -> None:
        model.sort(int(Column.UPDATED), Qt.SortOrder.DescendingOrder)
        settle()

    def forget_orders() -> None:
        reset_sort()
        model._orders.clear()
        model._ranks.clear()
        model._cols.keys.pop(Column.NAME, None)
        model._cols.keys.pop(Column.STATUS, None)

    def apply(flt: ProjectFilter) -> Callable[[], object]:
        def run() -> None:
            model.set_filter(flt)
            settle()

        return run

    def clear() -> None:
        model.set_filter(ProjectFilter())
        settle()

    figures += [
        Figure(
            f"[{view}] sort by name, first time (keys + order)",
            median_ms(sort(Column.NAME, Qt.SortOrder.AscendingOrder), before=forget_orders),
            "ms",
            TARGET_MS * 2,
        ),
        Figure(
            f"[{view}] sort by status, first time (keys + order)",
            median_ms(sort(Column.STATUS, Qt.SortOrder.AscendingOrder), before=forget_orders),
            "ms",
            TARGET_MS * 2,
        ),
        Figure(
            f"[{view}] sort by name",
            median_ms(sort(Column.NAME, Qt.SortOrder.AscendingOrder), before=reset_sort),
            "ms",
            TARGET_MS,
        ),
        Figure(
            f"[{view}] sort by client, descending",
            median_ms(sort(Column.CLIENT, Qt.SortOrder.DescendingOrder), before=reset_sort),
            "ms",
            TARGET_MS,
        ),
        Figure(
            f"[{view}] sort by status",
            median_ms(sort(Column.STATUS, Qt.SortOrder.AscendingOrder), before=reset_sort),
            "ms",
            TARGET_MS,
        ),
    ]
    for label, flt in FILTERS:
        figures.append(
            Figure(
                f"[{view}] filter: {label}", median_ms(apply(flt), before=clear), "ms", TARGET_MS
            )
        )
    figures.append(
        Figure(
            f"[{view}] filter: clear (all 100,000 back)",
            median_ms(clear, before=apply(FILTERS[0][1])),
            "ms",
            TARGET_MS,
        )
    )
    model.sort(int(Column.NAME), Qt.SortOrder.AscendingOrder)
    figures.append(
        Figure(
            f"[{view}] filter 'booking' while sorted by name",
            median_ms(apply(FILTERS[0][1]), before=clear),
            "ms",
            TARGET_MS,
        )
    )
    changed = [rows[i] for i in range(0, len(rows), len(rows) // 50)]

    def upsert() -> None:
        model.upsert(changed)
        settle()

    figures.append(
        Figure(
            f"[{view}] store change: 50 rows replaced",
            median_ms(upsert),
            "ms",
            TARGET_MS,
        )
    )
    widget.close()
    return figures


TOKENS = {k: "#888888" for k in ("accent", "muted", "border", "ok", "error_fg", "sandbox_fg")}
FILTERS = (
    ("search 'booking'", ProjectFilter(text="booking")),
    ("search two words 'gift crumb'", ProjectFilter(text="gift crumb")),
    ("search matching nothing", ProjectFilter(text="zzzz")),
    ("client", ProjectFilter(client="org_003")),
    ("status failing", ProjectFilter(states=frozenset({ProjectState.FAILING}))),
    (
        "client + architecture + category",
        ProjectFilter(client="org_001", architecture="hybrid", category="bookings"),
    ),
)


def measure() -> list[Figure]:
    """Every figure, for `bench.run_all` (needs no display: offscreen)."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    rows = make_rows(ROWS)
    names = [row.name.casefold() for row in rows]
    baseline = median_ms(lambda: sorted(names))
    figures = [Figure("baseline: list.sort of the 100,000 name keys", baseline, "ms", TARGET_MS)]
    for view in ("cards", "list"):
        measured = measure_view(app, rows, view)
        figures += measured
        warm = next(f for f in measured if f.name == f"[{view}] sort by name")
        figures.append(
            Figure(f"[{view}] sort by name vs list.sort baseline", warm.value, "ms", 1.0, baseline)
        )
    return figures


def main() -> int:
    figures = measure()
    print(f"{ROWS:,} projects, median of {RUNS} runs, the model shown in one view\n")
    print(table(figures))
    return 0 if all(f.passed for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
