"""The publish wizard: eight steps from a project's draft to one commit on GitHub.

The wizard loads the draft, keeps the pages' problems current as the user
types (`PublishConfig.validate` and the added variables' checks), and saves
the draft shortly after every edit and at every step, so closing it, a
failed push or a crash loses nothing typed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from console.errors import ConsoleError
from console.services.deploy.env import CompatSource
from console.services.projects.models import CompatReport
from console.services.publish import Draft, PublishService
from console.services.scaffold import PublishConfig
from console.views.links import ExternalUrl, same_url
from console.views.messages import MessageBridge
from console.views.publish.pages import (
    AppInfoPage,
    CapabilitiesPage,
    ConfigPage,
    EnvironmentPage,
    architecture_page,
    auth_page,
    backend_page,
    payments_page,
)
from console.views.publish.review import ReviewPage
from console.views.tasks import TaskRunner

logger = logging.getLogger(__name__)

#: Typing pauses this long before the draft is saved (every step change saves at once).
SAVE_DELAY_MS = 400


class PublishWizard(QWizard):
    """Publish one project: app info, capabilities, architecture, backend, auth,
    payments, environment variables, review and push.

    Args:
        service: the publish service.
        tasks: runs the service coroutines.
        messages: where errors outside a step (loading the draft) are shown.
        project_id: the project to publish.
        compat: the projects' compatibility reports (`ProjectService`): step 7
            lists the variables the project's code reads. None: not listed.
        external_url: maps the published repository's link to the URL it opens.

    Signals:
        draft_loaded(): the pages show the saved draft; the user can edit.
        draft_saved(): the draft in the store matches the pages.
        published(object): the push succeeded (a `PublishResult`).
        queued(int): the publish waits for the connection (the project id).
        settings_requested(): the user wants to fix the GitHub token.
    """

    draft_loaded = Signal()
    draft_saved = Signal()
    published = Signal(object)
    queued = Signal(int)
    settings_requested = Signal()

    def __init__(
        self,
        service: PublishService,
        tasks: TaskRunner,
        messages: MessageBridge,
        project_id: int,
        parent: QWidget | None = None,
        *,
        compat: CompatSource | None = None,
        external_url: ExternalUrl = same_url,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._tasks = tasks
        self._messages = messages
        self._project_id = project_id
        self._draft: Draft | None = None
        self._config: PublishConfig | None = None
        self.setWindowTitle("Publish")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Close")
        self.app_page = AppInfoPage()
        self.capabilities_page = CapabilitiesPage()
        self.architecture_page = architecture_page()
        self.backend_page = backend_page()
        self.auth_page = auth_page()
        self.payments_page = payments_page()
        self.env_page = EnvironmentPage()
        self.review_page = ReviewPage(service, tasks, project_id, external_url=external_url)
        self.config_pages: list[ConfigPage] = [
            self.app_page,
            self.capabilities_page,
            self.architecture_page,
            self.backend_page,
            self.auth_page,
            self.payments_page,
            self.env_page,
        ]
        for page in self.config_pages:
            self.addPage(page)
        self.addPage(self.review_page)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._setup_side()
        self._connect_signals()
        self.setEnabled(False)
        self.resize(1100, 760)
        self.load_task = tasks.start(
            self,
            service.load_draft(project_id),
            on_success=self._on_draft_loaded,
            on_error=self._on_load_failed,
        )
        self.code_env_task = (
            tasks.start(
                self,
                compat.compat_report(project_id),
                on_success=self._on_compat_loaded,
                on_error=self._on_compat_failed,
            )
            if compat is not None
            else None
        )

    # ------------------------------------------------------------------ public API

    @property
    def project_id(self) -> int:
        return self._project_id

    @property
    def config(self) -> PublishConfig | None:
        """What the pages show now (None until the draft is loaded)."""
        return self._config

    def set_online(self, online: bool) -> None:
        """Offline, the last step offers "Publish when online" (the sync engine's status).

        Online, the organization's plan is read again: a sync may have changed it,
        and with it the badge, so the files to check and push.
        """
        self.review_page.set_online(online)
        if online and self._draft is not None:
            self._tasks.start(
                self,
                self._service.load_draft(self._project_id),
                key="plan",
                on_success=self._on_plan_loaded,
            )

    def save_now(self) -> asyncio.Task[None] | None:
        """Save the draft at once (also done on every step change and after typing)."""
        self._save_timer.stop()
        if self._config is None:
            return None
        return self._tasks.start(
            self,
            self._service.save_draft(self._project_id, self._config, self.env_page.extra_env()),
            key="save-draft",
            on_success=self._on_draft_saved,
        )

    def done(self, result: int) -> None:
        """Override QWizard.done: closing right after typing still saves the draft.

        The save is owned by the task runner, not this wizard, so closing (and
        deleting) the wizard does not cancel it.
        """
        if self._save_timer.isActive() and self._config is not None:
            self._save_timer.stop()
            self._tasks.start(
                self._tasks,
                self._service.save_draft(self._project_id, self._config, self.env_page.extra_env()),
            )
        super().done(result)

    # ------------------------------------------------------------------ slots

    def _on_draft_loaded(self, draft: Draft) -> None:
        self._draft = draft
        for page in self.config_pages:
            page.blockSignals(True)  # no `changed` while the pages are half loaded
            page.load(draft)
            page.blockSignals(False)
        self._config = draft.config
        self._revalidate()
        self.setEnabled(True)
        if draft.pending_repo:
            self.saved_label.setText(
                f"{draft.pending_repo} was created by an earlier attempt but holds no "
                "published commit yet; the next push goes into it."
            )
        elif draft.queued:
            self.saved_label.setText("A publish of this draft is queued for when online.")
        elif draft.last_error:
            self.saved_label.setText(f"The queued publish failed: {draft.last_error}")
        self.draft_loaded.emit()

    def _on_plan_loaded(self, draft: Draft) -> None:
        if self._draft is None or draft.plan == self._draft.plan:
            return
        tier = draft.plan.tier
        self._draft = replace(
            self._draft, plan=draft.plan, config=self._draft.config.with_changes(tier=tier)
        )
        self.app_page.show_plan(draft.plan)
        self._revalidate()
        if self.currentPage() is self.review_page and self._config is not None:
            self.review_page.refresh(self._config, self.env_page.extra_env())

    def _on_compat_loaded(self, report: CompatReport) -> None:
        self.env_page.set_code_env(report.env)

    def _on_compat_failed(self, error: ConsoleError) -> None:
        self.env_page.show_code_env_error(error.user_text())

    def _on_load_failed(self, error: ConsoleError) -> None:
        self._messages.show_error(error)
        self.reject()

    @Slot()
    def _on_page_changed(self) -> None:
        self._revalidate()
        self._save_timer.start()

    @Slot(int)
    def _on_current_id_changed(self, page_id: int) -> None:
        self.steps_list.setCurrentRow(max(page_id, 0))
        if self._config is None:
            return
        if self.page(page_id) is self.review_page:
            self._save_timer.stop()
            self.review_page.refresh(self._config, self.env_page.extra_env())
        else:
            self.save_now()

    def _on_draft_saved(self, _result: None) -> None:
        self.saved_label.setText(f"Draft saved at {datetime.now():%H:%M:%S}")
        self.draft_saved.emit()

    @Slot()
    def _on_save_timer_timeout(self) -> None:
        self.save_now()

    @Slot()
    def _on_edit_requested(self) -> None:
        self.restart()
        self.app_page.repo_edit.setFocus()
        self.app_page.repo_edit.selectAll()

    @Slot(object)
    def _on_review_published(self, result: object) -> None:
        self.published.emit(result)

    # ------------------------------------------------------------------ helpers

    def _revalidate(self) -> None:
        if self._draft is None:
            return
        config = self._draft.config
        for page in self.config_pages:
            config = page.collect(config)
        self._config = config
        problems = config.validate()
        for page in self.config_pages:
            page.show_problems(problems)
        self.env_page.set_config(config)

    def _setup_side(self) -> None:
        side = QWidget()
        layout = QVBoxLayout(side)
        self.steps_list = QListWidget()
        self.steps_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for number, page in enumerate([*self.config_pages, self.review_page], start=1):
            self.steps_list.addItem(f"{number}. {page.title()}")
        self.steps_list.setEnabled(False)
        self.steps_list.setFixedWidth(190)
        self.saved_label = QLabel()
        layout.addWidget(self.steps_list, 1)
        layout.addWidget(self.saved_label)
        # WORKAROUND: PySide6 does not hand the side widget's ownership to the wizard;
        # without a reference kept here it is deleted and show() crashes.
        self._side = side
        self.setSideWidget(side)

    def _connect_signals(self) -> None:
        for page in self.config_pages:
            page.changed.connect(self._on_page_changed)
        self.currentIdChanged.connect(self._on_current_id_changed)
        self._save_timer.timeout.connect(self._on_save_timer_timeout)
        self.review_page.published.connect(self._on_review_published)
        self.review_page.queued.connect(self.queued)
        self.review_page.edit_requested.connect(self._on_edit_requested)
        self.review_page.settings_requested.connect(self.settings_requested)
