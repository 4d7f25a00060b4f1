"""The project list model: Qt's model contract, roles, in-model filter and sort, live updates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt
from pytestqt.modeltest import ModelTester

from console.services.projects.models import (
    DataNeed,
    Decision,
    Detection,
    Evidence,
    FileInfo,
    Finding,
    ProjectRow,
    ProjectState,
    RuleReport,
)
from console.views.models.projects import (
    Column,
    ProjectFilter,
    ProjectItem,
    ProjectStats,
    ProjectTableModel,
    Role,
)
from console.views.projects.detail_models import (
    DataNeedsModel,
    FileTreeModel,
    RulesModel,
    deployments_model,
    findings_model,
)
from console.views.timefmt import relative_time

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def row(i: int, name: str, client: str = "Crumb & Co.", **kw: Any) -> ProjectRow:
    base = ProjectRow(
        id=i,
        remote_id=f"app_{i}",
        name=name,
        slug=name.lower().replace(" ", "-"),
        description=f"{name} for {client}",
        org_id=f"org_{client[:4].lower()}",
        client_name=client,
        is_agency=False,
        status="deployed",
        deployment_status="deployed",
        architecture="thin_client",
        categories=("products",),
        repo_url=None,
        production_url=f"https://{name.lower().replace(' ', '-')}.vercel.app",
        source="platform",
        created_at=NOW - timedelta(days=90),
        updated_at=NOW - timedelta(days=i),
    )
    return replace(base, **kw)


ROWS = [
    row(1, "Online Shop"),
    row(
        2, "Wholesale Portal", status="failed", deployment_status="failed", categories=("tickets",)
    ),
    row(
        3, "Flower Shop", "Green Leaf", architecture="full_stack", categories=("products", "events")
    ),
    row(
        4,
        "Booking Site",
        "Green Leaf",
        status="draft",
        deployment_status="none",
        remote_id=None,
        production_url=None,
        categories=(),
    ),
    row(
        5,
        "Retreat Booking",
        "Lotus Flow",
        status="published",
        deployment_status="deploying",
        production_url=None,
        categories=("bookings", "conversations"),
    ),
]


@pytest.fixture
def model(qapp: Any) -> ProjectTableModel:
    model = ProjectTableModel(clock=lambda: NOW)
    model.set_rows(ROWS)
    return model


def names(model: ProjectTableModel) -> list[str]:
    return [model.index(r, Column.NAME).data() for r in range(model.rowCount())]


def test_model_passes_qt_model_tester(qtmodeltester: ModelTester, model: ProjectTableModel) -> None:
    qtmodeltester.check(model)
    model.set_filter(ProjectFilter(text="shop"))
    model.sort(int(Column.NAME), Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model)


def test_model_data_per_column_and_role(model: ProjectTableModel) -> None:
    model.sort(int(Column.NAME), Qt.SortOrder.AscendingOrder)
    r = names(model).index("Retreat Booking")
    cells = [model.index(r, c).data() for c in Column]
    assert cells == [
        "Retreat Booking",
        "Lotus Flow",
        "Deploying",
        "Thin client",
        "Bookings, Conversations",
        "5 days ago",
    ]
    index = model.index(r, Column.STATUS)
    assert index.data(Role.STATE) == ProjectState.DEPLOYING  # a StrEnum arrives as str
    assert index.data(Role.OBJECT) == ROWS[4]
    assert index.data(Role.ID) == 5
    assert isinstance(index.data(Role.ITEM), ProjectItem)
    assert index.data(Role.ITEM).subtitle == "Lotus Flow · not deployed"
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(r, Column.NAME).data(Qt.ItemDataRole.DecorationRole) is None
    assert model.index(r, Column.NAME).data(Qt.ItemDataRole.ToolTipRole).startswith("Retreat")
    keys = [model.index(n, Column.UPDATED).data(Role.SORT) for n in range(model.rowCount())]
    assert all(isinstance(k, float) for k in keys)
    assert model.headerData(Column.CATEGORIES, Qt.Orientation.Horizontal) == "Data needs"


def test_model_sorts_inside_the_model(model: ProjectTableModel) -> None:
    assert names(model)[0] == "Online Shop"  # default: most recently updated first
    model.sort(int(Column.NAME), Qt.SortOrder.AscendingOrder)
    assert names(model) == sorted(names(model), key=str.casefold)
    model.sort(int(Column.NAME), Qt.SortOrder.DescendingOrder)
    assert names(model) == sorted(names(model), key=str.casefold, reverse=True)
    model.sort(int(Column.STATUS), Qt.SortOrder.AscendingOrder)
    assert names(model)[:2] == ["Wholesale Portal", "Retreat Booking"]  # failing, deploying
    model.sort(int(Column.CLIENT), Qt.SortOrder.AscendingOrder)
    assert next(model.index(n, Column.CLIENT).data() for n in range(5)) == "Crumb & Co."
    model.sort(int(Column.CATEGORIES), Qt.SortOrder.DescendingOrder)
    assert names(model)[-1] == "Booking Site"  # no data needs


def test_model_filters(model: ProjectTableModel) -> None:
    model.set_filter(ProjectFilter(text="shop"))
    assert sorted(names(model)) == ["Flower Shop", "Online Shop"]
    model.set_filter(ProjectFilter(text="green booking"))  # every word must match
    assert names(model) == ["Booking Site"]
    model.set_filter(ProjectFilter(text="VERCEL.APP lotus"))
    assert names(model) == []
    model.set_filter(ProjectFilter(client="org_gree"))
    assert sorted(names(model)) == ["Booking Site", "Flower Shop"]
    model.set_filter(ProjectFilter(states=frozenset({ProjectState.FAILING, ProjectState.DRAFT})))
    assert sorted(names(model)) == ["Booking Site", "Wholesale Portal"]
    model.set_filter(ProjectFilter(architecture="full_stack"))
    assert names(model) == ["Flower Shop"]
    model.set_filter(ProjectFilter(category="products"))
    assert sorted(names(model)) == ["Flower Shop", "Online Shop"]
    model.set_filter(ProjectFilter(category="events", client="org_gree", text="flower"))
    assert names(model) == ["Flower Shop"]
    model.set_filter(ProjectFilter())
    assert len(names(model)) == 5


def test_model_selection_follows_its_project(model: ProjectTableModel) -> None:
    kept = QPersistentModelIndex(model.index(names(model).index("Flower Shop"), Column.CLIENT))
    model.sort(int(Column.NAME), Qt.SortOrder.AscendingOrder)
    assert kept.data() == "Green Leaf"
    assert model.index(kept.row(), Column.NAME).data() == "Flower Shop"
    model.set_filter(ProjectFilter(text="shop"))
    assert model.index(kept.row(), Column.NAME).data() == "Flower Shop"
    model.set_filter(ProjectFilter(text="booking"))
    assert not kept.isValid()  # filtered out


def test_model_upsert_and_remove(qtmodeltester: ModelTester, model: ProjectTableModel) -> None:
    model.sort(int(Column.NAME), Qt.SortOrder.AscendingOrder)
    stats: list[ProjectStats] = []
    model.stats_changed.connect(stats.append)
    kept = QPersistentModelIndex(model.index(names(model).index("Online Shop"), 0))

    model.upsert(
        [
            replace(ROWS[1], name="Apple Portal", status="deployed", deployment_status="deployed"),
            row(9, "Zebra Tickets", "Lotus Flow"),
        ],
        removed=[4],
    )

    assert names(model) == [
        "Apple Portal",
        "Flower Shop",
        "Online Shop",
        "Retreat Booking",
        "Zebra Tickets",
    ]
    assert model.index(kept.row(), 0).data() == "Online Shop"
    assert stats[-1].failing == 0
    assert stats[-1].drafts == 0
    assert stats[-1].total == 5
    model.remove([9, 3])
    assert names(model) == ["Apple Portal", "Online Shop", "Retreat Booking"]
    assert model.row_of(3) == -1
    assert model.project(1) == ROWS[0]
    qtmodeltester.check(model)


def test_model_stats(model: ProjectTableModel) -> None:
    stats = model.stats()
    assert (stats.total, stats.deployed, stats.failing, stats.drafts, stats.deploying) == (
        5,
        2,
        1,
        1,
        1,
    )
    assert stats.by_client[0] == ("org_crum", "Crumb & Co.", 2)
    assert stats.clients == 3
    assert model.clients()[0] == ("org_crum", "Crumb & Co.")


def test_model_relative_time() -> None:
    assert relative_time(NOW - timedelta(seconds=20), NOW) == "just now"
    assert relative_time(NOW - timedelta(minutes=5), NOW) == "5 min ago"
    assert relative_time(NOW - timedelta(hours=3), NOW) == "3 h ago"
    assert relative_time(NOW - timedelta(days=1, hours=2), NOW) == "yesterday"
    assert relative_time(NOW - timedelta(days=12), NOW) == "12 days ago"
    assert relative_time(datetime(2025, 3, 14, tzinfo=UTC), NOW) == "14 Mar 2025"


def test_detail_models_pass_qt_model_tester(qtmodeltester: ModelTester) -> None:
    detection = Detection(
        "forms", 0.8, ("form element",), (Evidence("a.tsx", 3, "form element", "<form>"),)
    )
    needs = DataNeedsModel()
    needs.set_needs([DataNeed(detection, Decision.CREATE)])
    qtmodeltester.check(needs)
    needs.set_decision(0, Decision.LINK)
    assert needs.need(0).decision is Decision.LINK
    assert needs.dirty
    assert needs.setData(needs.index(0, DataNeedsModel.Column.LINK), "form_12")
    assert needs.need(0).link_id == "form_12"
    assert needs.need(0).confirmed

    rules = RulesModel()
    rules.set_reports([RuleReport("a", "Rule A", "does a", True, (), ())])
    qtmodeltester.check(rules)
    rules.set_enabled(0, False)
    assert rules.disabled() == {"a"}
    assert rules.dirty

    tree = FileTreeModel()
    tree.set_files(
        [
            FileInfo("app/page.tsx", "x", 10, "v0"),
            FileInfo("app/ui/b.tsx", "y", 5, "patch"),
            FileInfo("package.json", "z", 3, "v0"),
        ]
    )
    qtmodeltester.check(tree)
    assert tree.index(0, 0).data() == "app"  # folders first
    assert tree.file_at(tree.index_of("app/ui/b.tsx")).origin == "patch"  # type: ignore[union-attr]

    qtmodeltester.check(deployments_model())


def test_findings_model_labels_blockers() -> None:
    model = findings_model()
    model.set_rows(
        [
            Finding("env-checks", "lib/db.ts", 3, "Checks DATABASE_URL", "blocker"),
            Finding("pin-latest", "package.json", 0, "zod is latest", "warning"),
            Finding("use-client", "app/page.tsx", 1, 'marked "use client"', "info"),
        ]
    )
    labels = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert labels == ["Blocker", "Warning", "Note"]
