"""Step 7 of the publish wizard also shows what the project's own code reads (read-only)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QWizard
from pytestqt.qtbot import QtBot

from console import resources
from console.services.projects import ProjectService
from console.services.publish import PublishService
from console.store.db import Store
from console.views.messages import MessageBridge
from console.views.publish import PublishWizard
from console.views.publish.models import CodeEnvColumn, EnvColumn
from console.views.tasks import TaskRunner
from tests.services.deploy.env_project import add_env_project

WAIT = 15_000
SHOTS = Path("/tmp/shots")


def code_rows(wizard: PublishWizard) -> dict[str, list[str]]:
    model = wizard.env_page.code_model
    return {
        model.index(r, CodeEnvColumn.NAME).data(): [
            model.index(r, c).data() for c in CodeEnvColumn if c is not CodeEnvColumn.NAME
        ]
        for r in range(model.rowCount())
    }


def editor_of(view: QAbstractItemView, index: QModelIndex) -> QLineEdit:
    editor = view.indexWidget(index)
    assert isinstance(editor, QLineEdit)
    return editor


def test_env_step_lists_the_variables_the_code_reads(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    tasks: TaskRunner,
    messages: MessageBridge,
    run_async: Callable[..., Any],
    tmp_path: Path,
) -> None:
    project_id = run_async(add_env_project(store, tmp_path / "export", app_id="app_1"))
    wizard = PublishWizard(
        PublishService(store, None),
        tasks,
        messages,
        project_id,
        compat=ProjectService(store, workspace_root=tmp_path / "workspaces"),
    )
    qtbot.addWidget(wizard)
    with qtbot.waitSignal(wizard.draft_loaded, timeout=WAIT):
        wizard.show()
    assert wizard.code_env_task is not None
    qtbot.waitUntil(wizard.code_env_task.done, timeout=WAIT)
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    while wizard.currentPage() is not wizard.env_page:
        qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)

    env = wizard.env_page
    scaffold = [
        env.scaffold_model.index(r, EnvColumn.NAME).data()
        for r in range(env.scaffold_model.rowCount())
    ]
    assert "SESSION_SECRET" in scaffold
    # The code's own variables; L4YERCAK3_API_KEY, which it reads too, is the console's.
    assert code_rows(wizard) == {
        "MONGODB_URI": ["lib/db.ts", "required: checked when a module loads", "secret"],
        "NEXT_PUBLIC_SITE_URL": ["app/page.tsx", "optional", ""],
    }
    assert env.code_view.isVisible()
    assert env.code_view.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert "the deploy asks for these too" in env.code_label.text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    wizard.setStyleSheet(resources.stylesheet(dark=False))
    wizard.grab().save(str(SHOTS / "wizard_env_step.png"))

    # Described as an own variable, MONGODB_URI moves up there.
    qtbot.mouseClick(env.add_button, Qt.MouseButton.LeftButton, pos=QPoint(8, 8))
    editor = editor_of(env.custom_view, env.custom_model.index(0, EnvColumn.NAME))
    qtbot.keyClicks(editor, "MONGODB_URI")
    with qtbot.waitSignal(editor.destroyed, timeout=WAIT):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert list(code_rows(wizard)) == ["NEXT_PUBLIC_SITE_URL"]
    assert env.problem_label.text() == ""
