"""The project detail: files with highlighting, data-need decisions, rules, working folder."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.services.projects.models import Decision
from console.store.models import Deployment, Project
from console.views.projects import ProjectsPage
from console.views.projects.detail import RELOAD_DELAY_MS, DecisionDelegate, ProjectDetailView
from console.views.projects.detail_models import DataNeedsModel
from console.views.projects.dialogs import ImportRequest
from console.views.projects.highlight import PygmentsHighlighter
from tests.views.projects.conftest import V0, Env, fill_platform

MakePage = Callable[..., ProjectsPage]


def _open(qtbot: QtBot, page: ProjectsPage, fixture: str, name: str) -> ProjectDetailView:
    with qtbot.waitSignal(page.detail.loaded, timeout=10000):
        page.import_export(ImportRequest(V0 / fixture, name, None))
    detail = page.detail
    qtbot.waitUntil(lambda: detail.rules_model.rowCount() > 0, timeout=10000)
    return detail


def _categories(env: Env, project_id: int) -> tuple[str, ...]:
    rows = env.service.list_rows_blocking([project_id])
    return rows[0].categories


def test_detail_files_tree_and_highlighted_viewer(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page()
    detail = _open(qtbot, page, "shop", "Crumb shop")
    detail.show_tab(detail.TAB_FILES)
    index = detail.files_model.index_of("app/layout.tsx")
    assert index.isValid()
    assert detail.files_model.index(index.row(), 1, index.parent()).data() == "patched"
    detail.file_tree.setCurrentIndex(index)
    qtbot.waitUntil(lambda: "app/layout.tsx" in detail.viewer_title.text())
    assert "patched by a compatibility rule" in detail.viewer_title.text()
    text = detail.viewer.toPlainText()
    assert 'import { GeistSans } from "geist/font/sans"\n' in text
    assert detail.highlighter.language == "TSX"
    spans = detail.highlighter.formats_of_line(0)
    assert spans  # "import" and the module string are coloured
    assert spans[0][0] == 0
    assert spans[0][1] == len("import")

    binary = detail.files_model.index_of("public/logo.png")
    detail.file_tree.setCurrentIndex(binary)
    qtbot.waitUntil(lambda: detail.viewer.toPlainText().startswith("Binary file"))


def test_detail_data_needs_confirmed_and_saved(qtbot: QtBot, make_page: MakePage, env: Env) -> None:
    page = make_page()
    detail = _open(qtbot, page, "portal", "Client portal")
    project_id = detail.project_id
    assert project_id is not None
    detail.show_tab(detail.TAB_NEEDS)
    model = detail.needs_model
    labels = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert labels[:5] == ["Invoices", "Contacts (CRM)", "Tickets", "Workflows", "Forms"]
    assert model.index(0, DataNeedsModel.Column.DECISION).data() == "Create (suggested)"

    # The decision column edits with a combo box, as a user would.
    forms = labels.index("Forms")
    cell = model.index(forms, DataNeedsModel.Column.DECISION)
    detail.needs_table.setCurrentIndex(cell)
    detail.needs_table.edit(cell)
    editor = detail.needs_table.indexWidget(cell) or detail.needs_table.focusWidget()
    delegate = detail.needs_table.itemDelegateForColumn(DataNeedsModel.Column.DECISION)
    assert isinstance(delegate, DecisionDelegate)
    from PySide6.QtWidgets import QComboBox

    assert isinstance(editor, QComboBox)
    editor.setCurrentIndex(editor.findData(Decision.SKIP.value))
    delegate.setModelData(editor, model, cell)
    model.setData(model.index(labels.index("Contacts (CRM)"), DataNeedsModel.Column.LINK), "crm_9")

    with qtbot.waitSignal(env.messages.info_shown, timeout=5000):
        qtbot.mouseClick(detail.save_needs_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Forms" not in detail.overview_values["needs"].text())
    assert _categories(env, project_id) == ("crm", "invoices", "tickets", "workflows")
    assert "Contacts (CRM) → crm_9" in detail.overview_values["linked"].text()
    assert not model.dirty


def test_detail_link_without_id_is_refused(qtbot: QtBot, make_page: MakePage, env: Env) -> None:
    page = make_page()
    detail = _open(qtbot, page, "shop", "Shop")
    detail.needs_model.set_decision(0, Decision.LINK)
    with qtbot.waitSignal(env.messages.error_shown, timeout=5000) as shown:
        qtbot.mouseClick(detail.save_needs_button, Qt.MouseButton.LeftButton)
    assert "enter the id of the existing record" in shown.args[0].user_text()


def test_detail_evidence_opens_file_at_line(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page()
    detail = _open(qtbot, page, "booking-chat", "Studio")
    detail.show_tab(detail.TAB_NEEDS)
    chat = next(
        r
        for r in range(detail.needs_model.rowCount())
        if detail.needs_model.need(r).category == "conversations"
    )
    detail.needs_table.selectRow(chat)
    evidence = detail.evidence_model.rows()
    at = next(n for n, e in enumerate(evidence) if e.path == "components/chat-widget.tsx")
    first = evidence[at]
    detail.evidence_table.activated.emit(detail.evidence_model.index(at, 0))
    assert detail.tabs.currentIndex() == detail.TAB_FILES
    qtbot.waitUntil(lambda: first.path in detail.viewer_title.text())
    qtbot.waitUntil(
        lambda: detail.viewer.textCursor().blockNumber() == first.line - 1, timeout=3000
    )
    assert first.excerpt in detail.viewer.textCursor().selectedText()


def test_detail_rule_turned_off_and_applied(qtbot: QtBot, make_page: MakePage, env: Env) -> None:
    page = make_page()
    detail = _open(qtbot, page, "shop", "Shop")
    project_id = detail.project_id
    assert project_id is not None
    detail.show_tab(detail.TAB_COMPAT)
    rules = detail.rules_model
    row = next(r for r in range(rules.rowCount()) if rules.report(r).rule_id == "next-font-google")
    detail.rules_table.selectRow(row)
    assert "next/font/google" in detail.diff_view.toPlainText()
    assert detail.diff_highlighter.language == "Diff"
    assert not detail.apply_button.isEnabled()

    rules.set_enabled(row, False)
    assert detail.apply_button.isEnabled()
    assert "not applied yet" in detail.compat_note.text()
    qtbot.mouseClick(detail.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not detail.rules_model.dirty and detail.rules_model.rowCount() > 0)
    assert not detail.rules_model.report(row).enabled
    assert "off" in detail.rules_model.index(row, 1).data()
    layout = env.service._read_file_blocking(project_id, "app/layout.tsx")
    assert layout.origin == "v0"
    assert layout.text is not None
    assert 'from "next/font/google"' in layout.text


def test_detail_open_in_editor_and_pick_up(qtbot: QtBot, make_page: MakePage, env: Env) -> None:
    page = make_page()
    detail = _open(qtbot, page, "event-site", "Harbour Jazz")
    detail._watch_interval = 0.05
    project_id = detail.project_id
    assert project_id is not None
    detail.show_tab(detail.TAB_FILES)
    qtbot.mouseClick(detail.open_editor_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(env.opened) == 1, timeout=5000)
    folder = env.opened[0].toLocalFile()
    assert folder.endswith(f"{project_id}-harbour-jazz")
    assert "Working folder" in detail.workdir_label.text()

    page_file = os.path.join(folder, "app", "page.tsx")
    with open(page_file, encoding="utf-8") as handle:
        text = handle.read()
    with open(page_file, "w", encoding="utf-8") as handle:
        handle.write(text.replace("Forty concerts", "Fifty concerts"))
    later = time.time() + 3
    os.utime(page_file, (later, later))

    qtbot.waitUntil(lambda: "Picked up 1 changed" in detail.pickup_label.text(), timeout=8000)
    content = env.service._read_file_blocking(project_id, "app/page.tsx")
    assert content.origin == "user"
    assert content.text is not None
    assert "Fifty concerts" in content.text
    qtbot.waitUntil(
        lambda: (
            detail.files_model.index(
                detail.files_model.index_of("app/page.tsx").row(),
                1,
                detail.files_model.index_of("app/page.tsx").parent(),
            ).data()
            == "edited"
        ),
        timeout=5000,
    )


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("a.tsx", "TSX"),
        ("b.css", "CSS"),
        ("package.json", "JSON"),
        ("x.diff", "Diff"),
        (".npmrc", "INI"),
    ],
)
def test_detail_highlighter_languages(qapp: object, path: str, language: str) -> None:
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    highlighter = PygmentsHighlighter(document)
    highlighter.set_source("key = 1\n", path)
    assert highlighter.language == language
    assert document.toPlainText() == "key = 1\n"


@pytest.mark.parametrize("away", [False, True], ids=["watched", "away_on_deployments"])
def test_detail_follows_a_deploy_without_reopening(
    qtbot: QtBot, make_page: MakePage, env: Env, away: bool
) -> None:
    """A deploy's writes show in the open detail, also when they land while it is hidden
    (starting a deploy moves the window to Deployments)."""
    ids = fill_platform(env.store)
    page = make_page()
    project_id = ids["Member Portal"]
    with qtbot.waitSignal(page.detail.loaded, timeout=10000):
        page.open_project(project_id)
    overview = page.detail.overview_values
    assert (overview["url"].text(), overview["last"].text()) == ("Not deployed", "None yet")

    if away:
        page.hide()
    _write_deploy(env, project_id, "https://member-portal.vercel.app")
    if away:
        qtbot.wait(RELOAD_DELAY_MS * 2)
        assert overview["last"].text() == "None yet"  # hidden: nothing reloads yet
        page.show()

    qtbot.waitUntil(lambda: "member-portal.vercel.app" in overview["url"].text(), timeout=5000)
    assert overview["last"].text().startswith("Ready")
    assert page.detail.history_model.rowCount() == 1


def _write_deploy(env: Env, project_id: int, url: str) -> None:
    """The rows a successful deploy writes: its deployment, then the project's production URL."""
    now = datetime.now(UTC)
    with env.store.write() as tx:
        tx.session.add(
            Deployment(
                id="dpl_member",
                project_id=project_id,
                state="READY",
                url="member-portal-abc.vercel.app",
                created_at=now,
                ready_at=now,
            )
        )
    with env.store.write() as tx:
        project = tx.session.get(Project, project_id)
        assert project is not None
        project.production_url = url
        project.deployment_status = "deployed"
        project.updated_at = now
