"""Qt's model tester on every item model of the views (tracker issue 14).

Each model is filled the way its view fills it (the same plain rows, through
the model's own public API) and checked empty, with a few rows, and after
each update, removal, filter or reset it supports. `qtmodeltester.check`
runs Qt's `QAbstractItemModelTester`, which also stays attached and checks
every signal the model emits afterwards; its findings are Qt warnings, which
fail the test (`qt_log_level_fail`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.services.clients import (
    AttentionItem,
    ClientDetail,
    ConversationLine,
    DeploymentLine,
    ProjectLine,
)
from console.services.conversations import InboxRow, MessageItem
from console.services.credits import TransactionRow, UsageRow
from console.services.deploy.env import user_env
from console.services.deploy.ledger import Resource
from console.services.deploy.pipeline import RunAttention
from console.services.deploy.queries import DeploymentItem, DomainItem
from console.services.projects.models import (
    DataNeed,
    Decision,
    DeploymentInfo,
    Detection,
    Evidence,
    FileDiff,
    FileInfo,
    Finding,
    ProjectState,
    RuleReport,
)
from console.services.projects.models import EnvVar as CodeEnvVar
from console.services.publish.model import CustomEnvVar, FileChange
from console.services.scaffold.compose import ComposedFile
from console.services.scaffold.config import (
    AuthProvider,
    Backend,
    Payments,
    PublishConfig,
    env_vars,
)
from console.services.stripe.models import Invoice
from console.views.clients.page import ClientDetailPanel
from console.views.models.clients import (
    AttentionTableModel,
    ClientColumn,
    ClientsProxy,
    ClientsTableModel,
)
from console.views.models.conversations import InboxListModel, ThreadListModel
from console.views.models.credits import (
    InvoiceTableModel,
    TransactionColumn,
    TransactionsProxy,
    TransactionsTableModel,
    UsageTableModel,
)
from console.views.models.deployments import (
    Column as DeploymentColumn,
)
from console.views.models.deployments import DeploymentsTableModel, DomainsTableModel
from console.views.models.deployments import (
    Role as DeploymentRole,
)
from console.views.models.projects import Column as ProjectColumn
from console.views.models.projects import ProjectFilter, ProjectTableModel
from console.views.models.runs import AttentionRunsModel, LeftBehindModel
from console.views.projects.detail_models import (
    DataNeedsModel,
    FileTreeModel,
    RowsModel,
    RulesModel,
    deployments_model,
    env_model,
    evidence_model,
    findings_model,
)
from console.views.publish.models import (
    CodeEnvModel,
    CustomEnvModel,
    EnvColumn,
    FileFilter,
    ReviewFilesModel,
    ScaffoldEnvModel,
)
from console.vocabulary import Architecture, Category
from tests.views.clients.test_clients_models import _client
from tests.views.projects.test_model import row as _project

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CHECKED = Qt.CheckState.Checked.value
UNCHECKED = Qt.CheckState.Unchecked.value
EDIT = Qt.ItemDataRole.EditRole
CHECK = Qt.ItemDataRole.CheckStateRole


@pytest.fixture
def tester(qapp: Any, qtmodeltester: ModelTester) -> ModelTester:
    """The model tester, with a QApplication (models that paint icons ask for its style)."""
    return qtmodeltester


# --- Clients -----------------------------------------------------------------------------


CLIENTS = [
    _client("Alpha"),
    _client(
        "Beta",
        handoffs_waiting=2,
        attention=("2 handoffs waiting",),
        brand_color="",
        credits_this_month=0.0,
    ),
    _client("Gamma", pending=True, portal_url="", status="paused", projects=0),
    _client("Delta", failing_deployments=1, attention=("1 failing deployment", "low credits")),
]


def test_clients_table_and_proxy(tester: ModelTester) -> None:
    model = ClientsTableModel()
    proxy = ClientsProxy()
    proxy.setSourceModel(model)
    tester.check(model)
    tester.check(proxy)

    model.set_rows(CLIENTS)
    tester.check(model)
    tester.check(proxy)
    proxy.sort(int(ClientColumn.NAME), Qt.SortOrder.AscendingOrder)
    tester.check(proxy)
    proxy.set_attention_only(True)
    assert proxy.rowCount() == 2
    tester.check(proxy)
    proxy.set_text("del")
    assert proxy.rowCount() == 1
    proxy.set_text("nobody")
    assert proxy.rowCount() == 0
    tester.check(proxy)
    proxy.set_text("")
    proxy.set_attention_only(False)
    proxy.sort(int(ClientColumn.CREDITS), Qt.SortOrder.DescendingOrder)
    tester.check(proxy)

    # A refresh: one client changed, one gone (the page re-reads every summary).
    model.set_rows([replace(CLIENTS[0], handoffs_waiting=1), *CLIENTS[2:]])
    assert proxy.rowCount() == 3
    tester.check(proxy)
    tester.check(model)
    model.set_rows([])
    tester.check(model)


def test_attention_table(tester: ModelTester) -> None:
    model = AttentionTableModel(describe_time=lambda moment: moment.strftime("%H:%M"))
    tester.check(model)
    items = [
        AttentionItem("org_a", "Alpha", "failing_deployment", "Shop", "failed: build", NOW),
        AttentionItem("org_b", "Beta", "handoff_waiting", "Ann", "whatsapp: hi", None),
        AttentionItem("org_b", "Beta", "low_credits", "Shared credit pool", "12 used"),
    ]
    model.set_rows(items)
    tester.check(model)
    model.set_rows(items[1:2])
    tester.check(model)
    model.set_rows([])
    tester.check(model)


def test_client_detail_line_models(qtbot: QtBot, tester: ModelTester) -> None:
    """The drill-down tabs' models (`_LinesModel`), filled by the panel itself."""
    panel = ClientDetailPanel()
    qtbot.addWidget(panel)
    models = (
        panel.projects_model,
        panel.conversations_model,
        panel.deployments_model,
        panel.usage_model,
    )
    for model in models:
        tester.check(model)
    detail = ClientDetail(
        summary=CLIENTS[1],
        projects=(
            ProjectLine("Shop", "deployed", "deployed", "https://shop.vercel.app"),
            ProjectLine("Portal", "draft", "none", ""),
        ),
        conversations=(
            ConversationLine("Ann", "whatsapp", "open", "Bella", True, NOW, 1.5),
            ConversationLine("Bob", "web", "closed", "", False, None, 0.0),
        ),
        deployments=(
            DeploymentLine("Shop", "READY", "https://shop-abc.vercel.app", NOW, ""),
            DeploymentLine("Shop", "ERROR", "", None, "Build failed"),
        ),
        usage_by_day=((NOW - timedelta(days=1), 3.0, 1.25), (NOW, 0.0, 0.0)),
    )
    panel.show_detail(detail)
    for model in models:
        assert model.rowCount() == 2
        tester.check(model)
    panel.show_detail(ClientDetail(CLIENTS[2], (), (), ()))
    for model in models:
        assert model.rowCount() == 0
        tester.check(model)


# --- Deploy: runs that need a person, what rollbacks left behind ------------------------------
def test_attention_runs_model(tester: ModelTester) -> None:
    model = AttentionRunsModel()
    tester.check(model)
    runs = [
        RunAttention(1, "Acme Shop", "failed", "Create the repository", "GitHub said 422"),
        RunAttention(2, "Crumb & Co.", "canceled", "Deploy", "Canceled by you"),
        RunAttention(3, "Lotus Flow", "warning", "Health check", "HTTP 503"),
        RunAttention(4, "Other", "something-new", "Step", ""),
    ]
    model.set_rows(runs)
    tester.check(model)
    model.set_rows(runs[2:])
    tester.check(model)
    model.set_rows([])
    tester.check(model)


def test_left_behind_model(tester: ModelTester) -> None:
    model = LeftBehindModel()
    tester.check(model)
    resources = [
        Resource(
            1,
            7,
            "repo",
            "github",
            "repository",
            "r1",
            "acme/shop",
            None,
            "org_a",
            "left",
            problem="GitHub said 403",
        ),
        Resource(2, 7, "project", "vercel", "project", "p1", "acme-shop", None, None, "left"),
    ]
    model.set_rows(resources)
    tester.check(model)
    model.set_rows(resources[:1])
    tester.check(model)
    model.set_rows([])
    tester.check(model)


# --- Credits ------------------------------------------------------------------------------
def test_transactions_table_and_proxy(tester: ModelTester) -> None:
    now = datetime.now(UTC)  # the proxy's period filter counts back from the real clock
    rows = [
        TransactionRow("t1", now, "llm_message", -1.0, "org_a", "Alpha", "Bella", "s1", "Reply"),
        TransactionRow(
            "t2", now - timedelta(days=40), "purchase", 500.0, "org_x", "Agency", "", "", "Pack"
        ),
        TransactionRow("t3", now, "tool_call", -0.5, "org_b", "Beta", "Petal", "s2", "Lookup"),
        TransactionRow(
            "t4",
            now - timedelta(days=2),
            "daily_grant",
            20.0,
            "org_a",
            "Alpha",
            "",
            "",
            "Daily grant",
        ),
        TransactionRow("t5", now, "something_else", 0.0, "org_b", "Beta", "", "", ""),
    ]
    model = TransactionsTableModel()
    proxy = TransactionsProxy()
    proxy.setSourceModel(model)
    tester.check(model)
    tester.check(proxy)
    model.set_rows(rows)
    tester.check(model)
    tester.check(proxy)
    proxy.sort(int(TransactionColumn.DATE), Qt.SortOrder.DescendingOrder)
    tester.check(proxy)
    for filters in (
        {"kind": "tool_call"},
        {"org_id": "org_a"},
        {"days": 30},
        {"text": "pack"},
        {"kind": "purchase", "days": 7},
        {},
    ):
        proxy.set_filters(**filters)
        tester.check(proxy)
    proxy.sort(int(TransactionColumn.AMOUNT), Qt.SortOrder.AscendingOrder)
    model.set_rows(rows[:2])
    tester.check(proxy)
    model.set_rows([])
    tester.check(proxy)
    tester.check(model)


@pytest.mark.parametrize("first_header", ["Agent", "Client"])
def test_usage_table(tester: ModelTester, first_header: str) -> None:
    model = UsageTableModel(first_header)
    tester.check(model)
    rows = [
        UsageRow("a", "Bella", 3.0, 1.5, 4),
        UsageRow("b", "Petal", 0.0, 0.25, 1),
        UsageRow("c", "Rose", 1234.5, 0.0, 1500),
    ]
    model.set_rows(rows)
    tester.check(model)
    model.set_rows(rows[1:])
    tester.check(model)
    model.set_rows([])
    tester.check(model)


def test_invoice_table(tester: ModelTester) -> None:
    model = InvoiceTableModel()
    tester.check(model)
    created = int(NOW.timestamp())
    invoices = [
        Invoice(
            "in_1",
            "A-0001",
            "paid",
            "eur",
            4900,
            4900,
            4900,
            created,
            "https://invoice.stripe.test/1",
            None,
            "sub_1",
        ),
        Invoice("in_2", None, None, "usd", 1000, 0, 1000, created - 86_400, None, None, None),
    ]
    model.set_rows(invoices)
    tester.check(model)
    model.set_rows(invoices[:1])
    tester.check(model)
    model.set_rows([])
    tester.check(model)


# --- Deploy: history and domains --------------------------------------------------------------
def _deployment(n: int, state: str, **kw: Any) -> DeploymentItem:
    values: dict[str, Any] = {
        "id": f"dpl_{n}",
        "state": state,
        "created_at": NOW - timedelta(hours=n),
        "ready_at": NOW - timedelta(hours=n) + timedelta(seconds=75) if state == "READY" else None,
        "commit_sha": f"{n:040x}",
        "trigger": "console",
        "triggered_by": "ann@agency.test",
        "url": f"https://acme-shop-{n}.vercel.app",
        "error": None,
        "production": False,
    }
    values.update(kw)
    return DeploymentItem(**values)


DEPLOYMENTS = [
    _deployment(1, "BUILDING", commit_sha=None, triggered_by=None, url=None),
    _deployment(2, "READY", production=True, pinned=True),
    _deployment(3, "ERROR", error="Build failed: npm ERR!"),
    _deployment(4, "READY", target="preview"),
    _deployment(5, "CANCELED", trigger="git"),
]


@pytest.mark.parametrize("dark", [False, True])
def test_deployments_table_and_page_proxy(tester: ModelTester, dark: bool) -> None:
    model = DeploymentsTableModel(dark=dark)
    # The deploy page's proxy: sorts on the model's sort role, newest first.
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(int(DeploymentRole.SORT))
    tester.check(model)
    tester.check(proxy)
    model.set_rows(DEPLOYMENTS)
    tester.check(model)
    proxy.sort(int(DeploymentColumn.CREATED), Qt.SortOrder.DescendingOrder)
    tester.check(proxy)
    for column in DeploymentColumn:
        proxy.sort(int(column), Qt.SortOrder.AscendingOrder)
    tester.check(proxy)
    # A redeploy: a new row on top, production moved to it, the oldest gone.
    model.set_rows(
        [
            _deployment(0, "READY", production=True),
            replace(DEPLOYMENTS[1], production=False, pinned=False),
            *DEPLOYMENTS[2:4],
        ]
    )
    tester.check(proxy)
    tester.check(model)
    model.set_rows([])  # another project, never deployed
    tester.check(model)


def test_domains_table(tester: ModelTester) -> None:
    model = DomainsTableModel()
    tester.check(model)
    domains = [
        DomainItem("acme.test", True, ()),
        DomainItem(
            "shop.acme.test",
            False,
            (
                ("CNAME", "shop", "cname.vercel-dns.com", "routing"),
                ("TXT", "_vercel", "vc-domain-verify=shop.acme.test,abc", "ownership"),
            ),
        ),
    ]
    model.set_rows(domains)
    tester.check(model)
    model.set_rows([replace(domains[1], verified=True, records=())])
    tester.check(model)
    model.set_rows([])
    tester.check(model)


# --- Conversations -----------------------------------------------------------------------
def _inbox_row(n: int, **kw: Any) -> InboxRow:
    values: dict[str, Any] = {
        "id": f"ses_{n:03d}",
        "customer_name": f"Customer {n}",
        "channel": "whatsapp" if n % 2 else "web",
        "status": "open",
        "org_id": "org_a",
        "org_name": "Alpha",
        "agent_name": "Bella",
        "handled_by": None,
        "handled_by_id": None,
        "handoff_requested": n % 5 == 0,
        "unread": n % 3,
        "preview": f"message {n}",
        "last_message_at": NOW - timedelta(minutes=n) if n % 7 else None,
        "credits_spent": n / 4,
        "label": "ai",
    }
    values.update(kw)
    return InboxRow(**values)


def _inbox_store(n: int) -> dict[str, InboxRow]:
    return {f"ses_{i:03d}": _inbox_row(i) for i in range(n)}


def _loader(store: dict[str, InboxRow]) -> Callable[[list[str]], list[InboxRow]]:
    """The page's `load_rows`: the rows of those ids that still exist, in order."""

    def load_rows(ids: list[str]) -> list[InboxRow]:
        return [store[i] for i in ids if i in store]

    return load_rows


def _inbox_tester(model: InboxListModel) -> QAbstractItemModelTester:
    """Qt's tester, not fetching more on each signal: the test fetches, as the view does.

    `qtmodeltester` fetches more inside every signal the model emits, which
    re-enters `fetchMore` (see `test_inbox_fetch_more_is_not_reentrant`) and,
    inside a reset, trips the tester's own in-flight check.
    """
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    tester.setUseFetchMore(False)
    return tester


def test_inbox_model_first_page_fetched_by_the_tester(tester: ModelTester) -> None:
    store = _inbox_store(120)
    model = InboxListModel(_loader(store))
    ids = list(store)
    model.set_result(ids, [store[i] for i in ids[:20]])
    assert model.canFetchMore(QModelIndex())
    tester.check(model)  # fetches pages itself
    loaded = model.loaded_ids()
    assert len(loaded) > 20
    assert loaded == ids[: len(loaded)]


def test_inbox_model_pages(qapp: Any) -> None:
    store = _inbox_store(120)
    model = InboxListModel(_loader(store))
    checker = _inbox_tester(model)
    ids = list(store)
    model.set_result(ids, [store[i] for i in ids[:20]])
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())  # the view, scrolling
    assert model.loaded_ids() == ids
    # A refresh keeps only the first page: rows vanish, a reset.
    model.update_result(ids, [store[i] for i in ids[:20]])
    assert model.rowCount() == 20
    # Opening a session further down loads the pages up to it.
    assert model.row_of("ses_100") == 100
    # Ids whose rows vanished before their page was fetched.
    model.set_result(["ses_001", "gone_1", "gone_2"], [store["ses_001"]])
    assert model.row_of("gone_2") == -1
    assert not model.canFetchMore(QModelIndex())
    model.set_result([], [])
    del checker


def test_inbox_model_live_updates(tester: ModelTester) -> None:
    store = _inbox_store(6)
    model = InboxListModel(_loader(store))
    tester.check(model)
    ids = list(store)[:5]
    model.set_result(ids, [store[i] for i in ids])
    tester.check(model)

    # Rows changing in place (same order): dataChanged.
    kept = QPersistentModelIndex(model.index(3))
    changed = [replace(store[i], unread=9) if i == "ses_002" else store[i] for i in ids]
    model.update_result(ids, changed)
    tester.check(model)

    # The same rows in a new order: a layout change; persistent indexes follow.
    reordered = list(reversed(ids))
    model.update_result(reordered, [store[i] for i in reordered])
    assert kept.row() == 1
    tester.check(model)

    # The same count, another session in: layout change, the gone one's index invalid.
    swapped = ["ses_005", *reordered[1:]]
    gone = QPersistentModelIndex(model.index(0))
    model.update_result(swapped, [store[i] for i in swapped])
    assert not gone.isValid()
    tester.check(model)

    # A row vanished: a reset.
    model.update_result(swapped[1:], [store[i] for i in swapped[1:]])
    assert model.rowCount() == 4
    tester.check(model)
    model.set_result([], [])
    tester.check(model)


def test_inbox_fetch_more_asked_again_meanwhile_loads_each_page_once(qapp: Any) -> None:
    store = _inbox_store(120)
    model = InboxListModel(_loader(store))
    ids = list(store)
    model.set_result(ids, [store[i] for i in ids[:20]])
    depth = [0]

    def fetch_again(*_: Any) -> None:
        if depth[0] == 0:
            depth[0] += 1
            model.fetchMore(QModelIndex())
            depth[0] -= 1

    model.rowsAboutToBeInserted.connect(fetch_again)
    model.fetchMore(QModelIndex())
    loaded = model.loaded_ids()
    assert len(loaded) == len(set(loaded))
    assert model.rowCount() <= model.total


def _message(local_id: int, minutes: int, text: str, **kw: Any) -> MessageItem:
    return MessageItem(
        id=local_id,
        session_id=kw.pop("session_id", "ses_1"),
        role=kw.pop("role", "customer"),
        author_name="",
        text=text,
        created_at=NOW + timedelta(minutes=minutes),
        delivery=kw.pop("delivery", "sent"),
        **kw,
    )


def test_thread_model_sessions_and_live_rows(tester: ModelTester) -> None:
    model = ThreadListModel()
    tester.check(model)
    model.set_session(None, [])
    tester.check(model)
    model.set_session(
        "ses_1",
        [
            _message(1, 0, "hi"),
            _message(2, 1, "mine", role="human", delivery="pending"),
            _message(3, 2, "failed", role="human", delivery="failed", error="24 h window closed"),
        ],
    )
    tester.check(model)
    # New message at the end, and one changed in place, in one re-read.
    model.update_messages(
        model.merged([_message(2, 1, "mine", role="human"), _message(4, 3, "hello?")])
    )
    assert model.rowCount() == 4
    tester.check(model)
    # The platform's time moves a row: the order changes, a reset.
    model.update_messages(model.merged([_message(4, -1, "hello?")]))
    assert [m.id for m in model.messages()] == [4, 1, 2, 3]
    tester.check(model)
    # A re-read where a row is gone.
    model.update_messages(model.messages()[1:])
    tester.check(model)
    # Another session, then none.
    model.set_session("ses_2", [_message(9, 0, "other", session_id="ses_2")])
    tester.check(model)
    model.set_session(None, [])
    tester.check(model)


# --- Projects ----------------------------------------------------------------------------


PROJECTS = [
    _project(1, "Online Shop"),
    _project(2, "Wholesale Portal", status="failed", deployment_status="failed"),
    _project(3, "Flower Shop", "Green Leaf", architecture="full_stack", categories=("events",)),
    _project(
        4,
        "Booking Site",
        "Green Leaf",
        status="draft",
        deployment_status="none",
        remote_id=None,
        production_url=None,
        categories=(),
    ),
    _project(
        5,
        "Retreat Booking",
        "Lotus Flow",
        status="published",
        deployment_status="deploying",
        production_url=None,
        categories=("bookings", "conversations"),
    ),
    _project(
        6,
        "Agency Site",
        "Agency",
        is_agency=True,
        org_id=None,
        architecture="hybrid",
        deployment_status=None,
    ),
]


def test_project_table_every_state(tester: ModelTester) -> None:
    model = ProjectTableModel(clock=lambda: NOW)
    tester.check(model)
    model.set_rows([])
    tester.check(model)
    model.set_rows(PROJECTS)
    tester.check(model)
    model.set_state_colors({ProjectState.FAILING: QColor("#DC2626")})
    for column in ProjectColumn:
        for order in Qt.SortOrder:
            model.sort(int(column), order)
    tester.check(model)
    for flt in (
        ProjectFilter(text="shop"),
        ProjectFilter(client="org_gree"),
        ProjectFilter(states=frozenset({ProjectState.DRAFT, ProjectState.FAILING})),
        ProjectFilter(architecture="full_stack"),
        ProjectFilter(category="bookings"),
        ProjectFilter(text="no such project"),
        ProjectFilter(),
    ):
        model.set_filter(flt)
        tester.check(model)

    # Live store changes: a changed row, a new one, a removed one (tombstones).
    model.sort(int(ProjectColumn.NAME), Qt.SortOrder.AscendingOrder)
    model.upsert([replace(PROJECTS[1], name="Apple Portal"), _project(9, "Zebra Tickets")], [4])
    tester.check(model)
    model.set_filter(ProjectFilter(text="shop"))
    model.upsert([_project(10, "Bakery Shop")], [3])
    tester.check(model)
    model.set_filter(ProjectFilter())
    # Removing most rows compacts the tombstones (a reload that keeps the selection).
    model.remove([1, 2, 5, 6])
    assert model.total() == 2
    tester.check(model)
    model.remove([9, 10])
    assert model.rowCount() == 0
    tester.check(model)
    model.upsert([PROJECTS[0]])
    tester.check(model)
    model.set_rows([])
    tester.check(model)


# --- Project detail ---------------------------------------------------------------------------
EVIDENCE = (
    Evidence("app/contact/page.tsx", 12, "form element", "<form onSubmit={send}>"),
    Evidence("lib/api.ts", 3, "fetch POST", "fetch('/api/contact', {method: 'POST'})"),
)
FINDINGS = (
    Finding("env-checks", "lib/db.ts", 3, "Checks DATABASE_URL when a module loads", "blocker"),
    Finding("pin-latest", "package.json", 0, "zod is pinned to latest", "warning"),
    Finding("use-client", "app/page.tsx", 1, 'marked "use client"', "info", blocker="x"),
    Finding("types", "app/x.ts", 9, "does not type-check", "error"),
)


def _info(n: int, state: str, **kw: Any) -> DeploymentInfo:
    values: dict[str, Any] = {
        "id": f"dpl_{n}",
        "state": state,
        "target": "production",
        "url": f"https://shop-{n}.vercel.app",
        "commit_sha": f"{n:040x}",
        "trigger": "console",
        "triggered_by": "ann@agency.test",
        "created_at": NOW - timedelta(hours=n),
        "ready_at": NOW - timedelta(hours=n) + timedelta(seconds=30 + 60 * n),
        "error": None,
    }
    values.update(kw)
    return DeploymentInfo(**values)


def _rows_model_states(tester: ModelTester, model: RowsModel, rows: list[Any]) -> None:
    tester.check(model)
    model.set_rows(rows)
    tester.check(model)
    model.set_rows(rows[1:])
    tester.check(model)
    model.set_rows(())
    tester.check(model)


def test_detail_rows_models(tester: ModelTester) -> None:
    _rows_model_states(tester, evidence_model(), list(EVIDENCE))
    _rows_model_states(tester, findings_model(), list(FINDINGS))
    _rows_model_states(
        tester,
        deployments_model(),
        [
            _info(1, "ready"),
            _info(2, "error", error="Build failed", ready_at=None, commit_sha=None, url=None),
            _info(3, "ready", target="preview", triggered_by=None, trigger="git"),
        ],
    )
    _rows_model_states(
        tester,
        env_model(),
        [
            CodeEnvVar("DATABASE_URL", "postgres://placeholder", ("lib/db.ts",), True),
            CodeEnvVar("NEXT_PUBLIC_X", "x", ("app/a.tsx", "app/b.tsx"), False),
            CodeEnvVar("EMPTY", "", (), False),
        ],
    )


def test_data_needs_model(tester: ModelTester) -> None:
    model = DataNeedsModel()
    tester.check(model)
    needs = [
        DataNeed(Detection("forms", 0.8, ("form", "fetch POST"), EVIDENCE), Decision.CREATE),
        DataNeed(Detection("products", 0.35, ("price",), ()), Decision.SKIP, confirmed=True),
        DataNeed(Detection("bookings", 1.0, (), ()), Decision.LINK, link_id="bk_1"),
    ]
    model.set_needs(needs)
    tester.check(model)
    model.set_decision(0, Decision.LINK)
    assert model.setData(model.index(1, DataNeedsModel.Column.LINK), " form_12 ", EDIT)
    assert not model.setData(model.index(2, DataNeedsModel.Column.DECISION), "nonsense", EDIT)
    assert not model.setData(model.index(2, DataNeedsModel.Column.TYPE), "x", EDIT)
    tester.check(model)
    # "Confirm all", then a re-detection with fewer needs.
    model.set_needs([replace(n, confirmed=True) for n in model.needs()])
    tester.check(model)
    model.set_needs(needs[:1])
    tester.check(model)
    model.set_needs([])
    tester.check(model)


def test_rules_model(tester: ModelTester) -> None:
    model = RulesModel()
    tester.check(model)
    reports = [
        RuleReport(
            "env-checks",
            "Defer env checks",
            "Moves checks into handlers",
            True,
            (FileDiff("lib/db.ts", "a", "b", "-a\n+b"),),
            (),
        ),
        RuleReport("pin-latest", "Pin versions", "Pins latest", False, (), FINDINGS[1:2]),
        RuleReport("noop", "Nothing to do", "Does nothing here", True, (), ()),
    ]
    model.set_reports(reports)
    tester.check(model)
    model.set_enabled(0, False)
    model.set_enabled(1, True)
    assert model.setData(model.index(2, 0), UNCHECKED, CHECK)
    assert not model.setData(model.index(2, 1), CHECKED, CHECK)
    assert model.dirty
    tester.check(model)
    model.set_reports(reports[1:])
    tester.check(model)
    model.set_reports(())
    tester.check(model)


def test_file_tree_model(tester: ModelTester) -> None:
    model = FileTreeModel()
    tester.check(model)
    files = [
        FileInfo("app/page.tsx", "a", 10, "v0"),
        FileInfo("app/ui/button.tsx", "b", 2048, "patch"),
        FileInfo("app/ui/forms/contact.tsx", "c", 3 * 1024 * 1024, "user"),
        FileInfo("lib/api.ts", "d", 5, "scaffold"),
        FileInfo("package.json", "e", 3, "template"),
        FileInfo("README", "f", 1, "odd-origin"),
    ]
    model.set_files(files)
    tester.check(model)
    model.set_origin_colors({"patch": QColor("#B45309"), "user": QColor("#15803D")})
    tester.check(model)
    # A re-read after edits: a folder emptied, a file added.
    model.set_files(
        [f for f in files if not f.path.startswith("app/ui/")]
        + [
            FileInfo("app/new/page.tsx", "g", 7, "user"),
        ]
    )
    tester.check(model)
    model.set_files([])
    tester.check(model)


# --- Publish wizard -----------------------------------------------------------------------
CONFIG = PublishConfig(app_name="Acme Shop", repo_name="acme-shop")
FULL_CONFIG = PublishConfig(
    app_name="Acme Shop",
    repo_name="acme-shop",
    categories=(Category.PRODUCTS, Category.BOOKINGS, Category.CHECKOUT),
    architecture=Architecture.FULL_STACK,
    backend=Backend.SUPABASE,
    auth=AuthProvider.CLERK,
    payments=Payments.STRIPE,
)


def test_scaffold_env_model(tester: ModelTester) -> None:
    model = ScaffoldEnvModel()
    tester.check(model)
    model.set_rows(env_vars(CONFIG))
    tester.check(model)
    model.set_rows(env_vars(FULL_CONFIG))
    assert model.rowCount() >= len(env_vars(CONFIG))
    tester.check(model)
    model.set_rows([])
    tester.check(model)


def test_custom_env_model_flags_of_the_root(qapp: Any) -> None:
    # Qt's tester asks for the root's flags; raising there from C++ kills the process.
    assert CustomEnvModel().flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags


def test_custom_env_model(tester: ModelTester) -> None:
    model = CustomEnvModel()
    tester.check(model)
    model.set_rows([CustomEnvVar("SHOP_ID", "The shop's id"), CustomEnvVar("API_KEY", "", True)])
    tester.check(model)
    # The step's "Add" and typing in the new row.
    row = model.add_row()
    assert model.setData(model.index(row, EnvColumn.NAME), "NEW_VAR", EDIT)
    assert model.setData(model.index(row, EnvColumn.DESCRIPTION), "what it is", EDIT)
    assert model.setData(model.index(row, EnvColumn.SECRET), CHECKED, CHECK)
    assert not model.setData(model.index(row, EnvColumn.SECRET), "x", EDIT)
    assert model.rows()[row] == CustomEnvVar("NEW_VAR", "what it is", True)
    tester.check(model)
    # "Remove" of the first row, then of every row.
    model.remove_row(0)
    model.remove_row(99)  # no current row: nothing happens
    tester.check(model)
    while model.rowCount():
        model.remove_row(0)
    tester.check(model)


def test_code_env_model(tester: ModelTester) -> None:
    model = CodeEnvModel()
    tester.check(model)
    code = [
        CodeEnvVar("DATABASE_URL", "postgres://x", ("lib/db.ts", "lib/seed.ts"), True),
        CodeEnvVar("ANALYTICS_ID", "x", ("app/layout.tsx",), False),
        CodeEnvVar("STRIPE_SECRET_KEY", "sk", (), False),
    ]
    # Built the way the env step builds it: what only the code reads.
    rows = [v for v in user_env(CONFIG, (), code) if v.source == "code"]
    assert len(rows) == 3
    model.set_rows(rows)
    tester.check(model)
    model.set_rows(rows[:1])
    tester.check(model)
    model.set_rows([])
    tester.check(model)


def test_review_files_model(tester: ModelTester) -> None:
    model = ReviewFilesModel()
    tester.check(model)
    changes = [
        FileChange("app/page.tsx", "unchanged", "", ComposedFile("app/page.tsx", "project")),
        FileChange("lib/l4yercak3.ts", "added", "+x", ComposedFile("lib/l4yercak3.ts", "layer")),
        FileChange(
            "package.json",
            "modified",
            "-a\n+b",
            ComposedFile("package.json", "merged", "the project's versions win"),
        ),
        FileChange(
            "app/api/l4yercak3/route.ts",
            "added",
            "+y",
            ComposedFile("app/api/l4yercak3/route.ts", "moved", "app/api/route.ts taken"),
        ),
        FileChange("old.ts", "removed", "-z", None),
    ]
    model.set_rows(changes)
    tester.check(model)
    for kind in FileFilter:
        model.set_filter(kind)
        assert model.rowCount() == model.count(kind)
        tester.check(model)
    model.set_filter(FileFilter.ALL)
    model.set_rows(changes[2:])
    tester.check(model)
    model.set_rows([])
    tester.check(model)
