"""The Projects page driven like a user: empty state, import, search, filters, actions."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox, QHeaderView, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.errors import UserInputError
from console.services.projects.models import ProjectState
from console.store.models import OutboxEntry, Project
from console.views.models.projects import Column, Role
from console.views.projects import ProjectsPage
from console.views.projects.dialogs import ImportDialog, ImportRequest, TemplateDialog
from tests.views.projects.conftest import V0, Env, fill_platform

MakePage = Callable[..., ProjectsPage]


def _visible_names(page: ProjectsPage) -> list[str]:
    model = page.model
    return [model.index(r, Column.NAME).data() for r in range(model.rowCount())]


def _outbox_kinds(env: Env) -> list[str]:
    with env.store.read() as session:
        return [e.kind for e in session.scalars(select(OutboxEntry).order_by(OutboxEntry.id))]


def test_page_empty_state_then_import_from_dialog(
    qtbot: QtBot, make_page: MakePage, env: Env
) -> None:
    page = make_page()
    assert page.stack.currentIndex() == page.VIEW_EMPTY
    assert "Import a v0 export" in page.empty_state.text_label.text()
    assert page.empty_import_button.isVisible()
    assert page.empty_template_button.isVisible()

    qtbot.mouseClick(page.empty_import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(page.dialog, ImportDialog))
    dialog = page.dialog
    assert isinstance(dialog, ImportDialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    qtbot.keyClicks(dialog.source_edit, str(V0 / "shop"))
    dialog.name_edit.setText("Crumb & Co. shop")
    with qtbot.waitSignal(page.detail.loaded, timeout=10000) as loaded:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    project_id = loaded.args[0]
    assert page.outer.currentWidget() is page.detail
    assert page.detail.title_label.text() == "Crumb & Co. shop"
    assert "Only on this computer" in page.detail.subtitle_label.text()
    qtbot.waitUntil(lambda: page.model.total() == 1)
    assert page.model.project(project_id) is not None
    assert _outbox_kinds(env) == ["builder_app.create"]
    page.show_list()
    assert page.stack.currentIndex() == page.VIEW_CARDS


def test_page_new_from_template(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page()
    qtbot.mouseClick(page.template_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(page.dialog, TemplateDialog))
    dialog = page.dialog
    assert isinstance(dialog, TemplateDialog)
    dialog.template_list.setCurrentRow(1)
    qtbot.keyClicks(dialog.name_edit, "Spring menu")
    with qtbot.waitSignal(page.detail.loaded, timeout=10000):
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    assert page.detail.title_label.text() == "Spring menu"
    assert page.detail.needs_model.rowCount() == 2  # the contact form: forms and contacts


def test_page_bad_import_shows_clear_error_and_changes_nothing(
    qtbot: QtBot, make_page: MakePage, env: Env, tmp_path: Path
) -> None:
    fill_platform(env.store)
    page = make_page()
    before = page.model.total()
    bad = tmp_path / "export.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("../../evil.sh", "rm -rf ~")

    with qtbot.waitSignal(env.messages.error_shown, timeout=10000) as shown:
        page.import_export(ImportRequest(bad, None, None))

    error = shown.args[0]
    assert isinstance(error, UserInputError)
    assert "escapes the project folder" in error.user_text()
    assert page.import_button.isEnabled()  # busy state restored
    assert page.model.total() == before
    assert _outbox_kinds(env) == []


def test_page_stats_search_and_filters(qtbot: QtBot, make_page: MakePage, env: Env) -> None:
    fill_platform(env.store)
    page = make_page()
    assert page.total_card.value_label.text() == "8"
    assert page.deployed_card.value_label.text() == "4"
    assert page.failing_card.value_label.text() == "2"
    assert page.drafts_card.value_label.text() == "1"
    assert page.clients_card.value_label.text() == "5"
    assert "8 projects · 5 clients" in page.count_label.text()

    qtbot.keyClicks(page.search_edit, "booking")
    assert page.model.visible_count() == 8  # debounced: not filtered on each key
    qtbot.waitUntil(lambda: page.model.visible_count() == 2)
    assert sorted(_visible_names(page)) == ["Appointment Booking", "Retreat Booking"]
    assert "Showing 2 of 8" in page.count_label.text()

    page.search_edit.clear()
    qtbot.waitUntil(lambda: page.model.visible_count() == 8)
    qtbot.mouseClick(page.failing_card, Qt.MouseButton.LeftButton)
    assert page.status_combo.currentData() == ProjectState.FAILING.value
    assert sorted(_visible_names(page)) == ["Appointment Booking", "Wholesale Portal"]
    qtbot.mouseClick(page.failing_card, Qt.MouseButton.LeftButton)  # again: off
    assert page.model.visible_count() == 8

    page.client_combo.setCurrentIndex(page.client_combo.findText("Green Leaf Florist"))
    assert sorted(_visible_names(page)) == ["Flower Shop", "Wedding Enquiries"]
    page.category_combo.setCurrentIndex(page.category_combo.findData("events"))
    assert _visible_names(page) == ["Flower Shop"]
    page.architecture_combo.setCurrentIndex(page.architecture_combo.findData("hybrid"))
    assert page.stack.currentIndex() == page.VIEW_NO_MATCH
    qtbot.mouseClick(page.clear_filters_button, Qt.MouseButton.LeftButton)
    assert page.model.visible_count() == 8
    assert page.stack.currentIndex() == page.VIEW_CARDS


def test_page_sort_and_view_modes(qtbot: QtBot, make_page: MakePage, env: Env) -> None:
    fill_platform(env.store)
    page = make_page()
    assert _visible_names(page)[0] == "Wedding Enquiries"  # most recently updated
    page.sort_combo.setCurrentIndex(1)  # Name
    assert _visible_names(page) == sorted(_visible_names(page), key=str.casefold)
    page.cards_view.setCurrentIndex(page.model.index(2, 0))
    chosen = page.selected_project()
    assert chosen is not None

    qtbot.mouseClick(page.table_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.table_view
    assert page.cards_view.model() is None  # only the visible view is attached
    assert page.selected_project() == chosen  # the selection carried over
    header = page.table_view.horizontalHeader()
    assert header.sortIndicatorSection() == Column.NAME
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(Column.STATUS) + 10, 5),
    )
    assert page.model.sort_column() is Column.STATUS
    assert page.model.index(0, Column.STATUS).data(Role.STATE) == ProjectState.FAILING
    assert page.sort_combo.currentText() == "Sort: Status (attention first)"


def test_page_actions_emit_signals_and_open_urls(
    qtbot: QtBot, make_page: MakePage, env: Env
) -> None:
    ids = fill_platform(env.store)
    page = make_page()
    row = page.model.row_of(ids["Online Shop"])
    with qtbot.waitSignal(page.detail.loaded, timeout=5000):
        page.cards_view.activated.emit(page.model.index(row, 0))
    detail = page.detail
    assert detail.project_id == ids["Online Shop"]
    assert detail.deploy_button.isEnabled()
    assert detail.live_button.isEnabled()
    assert not detail.delete_button.isVisible()  # on the platform: not deletable here
    assert not detail.open_editor_button.isEnabled()  # its files are in its repository
    assert "no deployment history" not in detail.overview_values["last"].text()
    assert detail.history_model.rowCount() == 1
    assert "READY" in detail.overview_values["last"].text().upper()

    with qtbot.waitSignal(page.publish_requested) as published:
        qtbot.mouseClick(detail.publish_button, Qt.MouseButton.LeftButton)
    assert published.args == [ids["Online Shop"]]
    with qtbot.waitSignal(page.deploy_requested) as deployed:
        qtbot.mouseClick(detail.deploy_button, Qt.MouseButton.LeftButton)
    assert deployed.args == [ids["Online Shop"]]
    qtbot.mouseClick(detail.live_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(detail.repo_button, Qt.MouseButton.LeftButton)
    assert [u.toString() for u in env.opened] == [
        "https://online-shop.vercel.app",
        "https://github.com/northwind/online-shop",
    ]
    qtbot.mouseClick(detail.back_button, Qt.MouseButton.LeftButton)
    assert page.outer.currentIndex() == 0


def test_page_context_menu_lists_actions(qtbot: QtBot, make_page: MakePage, env: Env) -> None:
    ids = fill_platform(env.store)
    page = make_page()
    row = page.model.row_of(ids["Member Portal"])
    rect = page.cards_view.visualRect(page.model.index(row, 0))
    page.cards_view.customContextMenuRequested.emit(rect.center())
    assert page.menu is not None
    actions = {a.text(): a.isEnabled() for a in page.menu.actions() if a.text()}
    assert actions["Open live site"] is False  # not deployed
    assert actions["Publish…"] is True
    assert "Delete draft…" not in actions  # a platform draft
    with qtbot.waitSignal(page.publish_requested) as published:
        next(a for a in page.menu.actions() if a.text() == "Publish…").trigger()
    assert published.args == [ids["Member Portal"]]
    page.menu.close()


def test_page_delete_local_draft_after_confirmation(
    qtbot: QtBot, make_page: MakePage, env: Env
) -> None:
    page = make_page()
    with qtbot.waitSignal(page.detail.loaded, timeout=10000) as loaded:
        page.import_export(ImportRequest(V0 / "portal", "Client portal", None))
    project_id = loaded.args[0]
    qtbot.waitUntil(lambda: page.model.total() == 1)
    assert page.detail.delete_button.isVisible()

    qtbot.mouseClick(page.detail.delete_button, Qt.MouseButton.LeftButton)
    box = page.confirm_box
    assert isinstance(box, QMessageBox)
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: page.confirm_box is None)
    assert page.model.project(project_id) is not None

    qtbot.mouseClick(page.detail.delete_button, Qt.MouseButton.LeftButton)
    box = page.confirm_box
    assert isinstance(box, QMessageBox)
    assert "Client portal" in box.text()
    with qtbot.waitSignal(env.messages.info_shown, timeout=5000):
        assert page.delete_confirm_button is not None
        page.delete_confirm_button.click()
    qtbot.waitUntil(lambda: page.model.total() == 0)
    assert page.outer.currentIndex() == 0
    assert page.stack.currentIndex() == page.VIEW_EMPTY
    assert _outbox_kinds(env) == []


def test_page_follows_store_changes_from_sync(qtbot: QtBot, make_page: MakePage, env: Env) -> None:
    ids = fill_platform(env.store)
    page = make_page()
    page.cards_view.setCurrentIndex(page.model.index(page.model.row_of(ids["Flower Shop"]), 0))

    with env.store.write() as tx:  # what the sync engine does when the platform reports changes
        shop = tx.session.get(Project, ids["Online Shop"])
        assert shop is not None
        shop.deployment_status = "failed"
        tx.session.add(Project(remote_id="app_new", org_id="org_leaf", name="Gift Vouchers"))

    qtbot.waitUntil(lambda: page.model.total() == 9)
    assert page.failing_card.value_label.text() == "3"
    assert page.selected_project() is not None
    assert page.selected_project().name == "Flower Shop"  # type: ignore[union-attr]


def test_page_edit_project_offline(qtbot: QtBot, make_page: MakePage, env: Env) -> None:
    page = make_page()
    with qtbot.waitSignal(page.detail.loaded, timeout=10000) as loaded:
        page.import_export(ImportRequest(V0 / "booking-chat", "Studio booking", None))
    project_id = loaded.args[0]
    # Every rule fixed what it found: nothing to look at, only what import left out.
    assert page.detail.overview_notes.text().startswith("Left out at import: .env.local")
    qtbot.mouseClick(page.detail.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.dialog is not None)
    dialog = page.dialog
    assert dialog is not None
    dialog.name_edit.setText("Studio Flow booking")  # type: ignore[attr-defined]
    with qtbot.waitSignal(page.detail.loaded, timeout=5000):
        dialog.accept()
    qtbot.waitUntil(lambda: page.detail.title_label.text() == "Studio Flow booking")
    # The list reloads from the store on its own (debounced) schedule.
    qtbot.waitUntil(
        lambda: getattr(page.model.project(project_id), "name", None) == "Studio Flow booking"
    )
    assert _outbox_kinds(env) == ["builder_app.create", "builder_app.update"]


def test_page_focus_search(qtbot: QtBot, make_page: MakePage, env: Env) -> None:
    fill_platform(env.store)
    page = make_page()
    page.activateWindow()
    page.focus_search()
    qtbot.waitUntil(page.search_edit.hasFocus)


def test_page_table_columns_keep_their_widths_across_view_modes(
    qtbot: QtBot, make_page: MakePage, env: Env
) -> None:
    fill_platform(env.store)
    page = make_page()
    page.set_view_mode(page.VIEW_TABLE)
    header = page.table_view.horizontalHeader()
    assert header.sectionSize(Column.NAME) == 260
    assert header.sectionResizeMode(Column.CATEGORIES) == QHeaderView.ResizeMode.Stretch
    assert sum(header.sectionSize(c) for c in Column) >= page.table_view.viewport().width() - 2

    header.resizeSection(Column.NAME, 320)  # the user widens a column
    page.set_view_mode(page.VIEW_CARDS)
    page.set_view_mode(page.VIEW_TABLE)
    assert header.sectionSize(Column.NAME) == 320
    assert header.sectionResizeMode(Column.CATEGORIES) == QHeaderView.ResizeMode.Stretch
    assert header.sortIndicatorSection() == page.model.sort_column()
