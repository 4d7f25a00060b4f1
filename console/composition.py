"""Composition root: build the store, services and pages, and run until quit.

Only this module knows the concrete classes; everything else gets what it
needs through its constructor. Imported by `console.app` after the window
shell has painted.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from console import resources
from console.config import LaunchOptions
from console.errors import ConsoleError
from console.sandbox.embedded import EmbeddedSandbox, start_embedded
from console.sandbox.links import SandboxLinks
from console.sandbox.platform import TrafficConfig
from console.sandbox.vercel import BuildTiming, loopback_site_url
from console.services.accounts import Endpoint, Endpoints, Remotes, check_connection, open_remotes
from console.services.clients import ClientsService
from console.services.conversations import ConversationService
from console.services.credits import CreditsService
from console.services.deploy.deploy import DeployOptions, DeployService, identity_url
from console.services.deploy.domains import DomainService
from console.services.deploy.events import ProgressEvent, StepFailed, StepFinished, StepStarted
from console.services.deploy.heal import DeployHealer
from console.services.deploy.history import HistoryService
from console.services.deploy.ledger import Ledger, ResourceRemover, clean_up
from console.services.deploy.provisioning import ProvisioningService
from console.services.projects import ProjectService
from console.services.publish import KIND_LINK, KIND_PUBLISH, Builder, PublishService
from console.services.secrets import Account, SecretsService
from console.services.settings import SettingsService
from console.services.sync.engine import SyncEngine, SyncStatus
from console.services.sync.outbox import OutboxProcessor
from console.store.db import Store
from console.views.bridge import StoreBridge
from console.views.clients.page import ClientsPage
from console.views.conversations.page import ConversationsPage
from console.views.credits.banner import LowCreditBanner, LowCreditController
from console.views.credits.page import CreditsPage
from console.views.deploy.attention import AttentionRunsPanel, LeftBehindPanel
from console.views.deploy.new_client import NewClientDialog, resume_interrupted_clients
from console.views.deploy.page import DeploymentsPage
from console.views.links import ExternalUrl, same_url
from console.views.main_window import MainWindow, Section
from console.views.messages import MessageBridge
from console.views.projects.page import ProjectsPage
from console.views.publish import PublishWizard
from console.views.settings.diagnostics import DiagnosticsPanel, SyncFigures
from console.views.settings.page import SettingsPage
from console.views.tasks import TaskRunner
from console.views.widgets.empty_state import EmptyState

logger = logging.getLogger(__name__)

PLANNED: dict[Section, str] = {
    Section.CLIENTS: "Client sub-organizations will be listed here once they are synced.",
    Section.CONVERSATIONS: "Live agent conversations will appear here.",
    Section.DEPLOYMENTS: "Deployments of your published projects will appear here.",
    Section.CREDITS: "Your credit balance and usage will appear here.",
}


#: Live conversation traffic in the embedded sandbox: a customer message every few seconds.
SANDBOX_TRAFFIC = TrafficConfig(rate_per_second=0.3)


@dataclass(frozen=True)
class Tuning:
    """How long the console and its embedded sandbox take over things; tests make it fast.

    Attributes:
        build_timing: None builds sandbox Vercel deployments for real when Node.js
            is found (else simulates a build you can watch); a timing simulates them.
        deploy: deploy tunables; `triggered_by` is filled in from the signed-in staff.
        builder: runs the build check; None installs and runs `next build` for real.
    """

    build_timing: BuildTiming | None = None
    deploy: DeployOptions = field(default_factory=DeployOptions)
    builder: Builder | None = None


class Console:
    """Everything one running console owns, built in dependency order.

    The constructor builds what needs no network (store, settings); `start()`
    starts the embedded sandbox if it is used, opens the remotes, starts the
    sync engine and builds the pages that need them.
    """

    def __init__(
        self,
        app: QApplication,
        window: MainWindow,
        messages: MessageBridge,
        options: LaunchOptions,
        *,
        tuning: Tuning | None = None,
    ) -> None:
        self.app = app
        self.window = window
        self.messages = messages
        self.options = options
        self.tuning = tuning or Tuning()
        self.paths = options.paths.ensure()
        self.store = Store(self.paths.database)
        self.secrets = SecretsService()
        self.settings = SettingsService(self.store)
        self.store_bridge = StoreBridge(self.store)
        self.tasks = TaskRunner(self.messages)
        # Projects and publish drafts work offline: built before any network.
        self.projects = ProjectService(
            self.store, workspace_root=self.paths.workspaces, on_queued=self._on_outbox_queued
        )
        self.publish = PublishService(
            self.store, github=None, builder=self.tuning.builder, remedies=self.projects
        )
        self.online = False
        self.wizard: PublishWizard | None = None
        self.dark = resources.is_dark(app)
        self.sandbox = options.force_sandbox or not self._platform_configured()
        # Sandbox repositories and sites exist only on loopback: links open those pages.
        self.sandbox_links = SandboxLinks() if self.sandbox else None
        self.external_url: ExternalUrl = self.sandbox_links or same_url
        self.embedded: EmbeddedSandbox | None = None
        self.remotes: Remotes | None = None
        self.engine: SyncEngine | None = None
        self.health_http: httpx.AsyncClient | None = None
        self.synced = asyncio.Event()
        for section, page in self._build_pages().items():
            window.set_page(section, page)
        app.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)
        if self.sandbox:
            window.set_account("Sandbox", sandbox=True)
        else:
            window.set_account(f"Platform: {self.settings.accounts().platform_url}", sandbox=False)

    def _platform_configured(self) -> bool:
        return bool(self.settings.accounts().platform_url and self.secrets.get(Account.PLATFORM))

    def _build_pages(self) -> dict[Section, QWidget]:
        pages: dict[Section, QWidget] = {
            section: EmptyState(
                section.title, PLANNED[section], resources.icon(section.icon_name, self.dark)
            )
            for section in PLANNED
        }
        self.settings_page = SettingsPage(self.settings, self.secrets, self.tasks, check_connection)
        pages[Section.SETTINGS] = self.settings_page
        self.projects_page = ProjectsPage(
            self.projects,
            self.store_bridge,
            self.tasks,
            self.messages,
            dark=self.dark,
            external_url=self.external_url,
        )
        self.projects_page.publish_requested.connect(self._on_publish_requested)
        self.projects_page.deploy_requested.connect(self._on_deploy_requested)
        pages[Section.PROJECTS] = self.projects_page
        return pages

    async def start(self) -> None:
        """Connect: the sandbox (if used), the remotes, the sync engine."""
        if self.sandbox:
            self.window.set_sync_state("Starting the sandbox…")
            self.embedded = await asyncio.to_thread(
                start_embedded,
                self.paths.sandbox_dir,
                traffic=SANDBOX_TRAFFIC,
                build_timing=self.tuning.build_timing,
            )
            if self.sandbox_links is not None:
                self.sandbox_links.attach(self.embedded.github, self.embedded.vercel.base_url)
            endpoints = self._sandbox_endpoints(self.embedded)
        else:
            endpoints = Endpoints.from_settings(self.settings.accounts(), self.secrets)
        self.remotes = open_remotes(endpoints)
        platform = self.remotes.platform
        self.conversations = ConversationService(
            self.store, platform, on_queued=self._on_outbox_queued
        )
        self.clients = ClientsService(self.store, platform, on_queued=self._on_outbox_queued)
        self.credits = CreditsService(self.store, platform, self.remotes.stripe)
        self.publish.set_remotes(self.remotes.github, platform)
        self._open_deploy_services(endpoints)
        outbox = OutboxProcessor(
            self.store,
            {
                **self.conversations.outbox_handlers(),
                **self.clients.outbox_handlers(),
                **self.projects.outbox_handlers(platform),
                KIND_PUBLISH: self.publish.outbox_handler(progress=self._on_queued_publish),
                KIND_LINK: self.publish.link_handler(),
            },
        )
        self.engine = SyncEngine(self.store, platform, outbox, on_status=self._on_sync_status)
        self._build_connected_pages()
        self.engine.start()
        resume_interrupted_clients(
            self.tasks, self.provisioning, self.window, external_url=self.external_url
        )

    def _open_deploy_services(self, endpoints: Endpoints) -> None:
        assert self.remotes is not None
        remotes = self.remotes
        staff = self.conversations.cached_staff()
        who = staff.name if staff else "console"
        # Sandbox deployments answer on the Vercel sandbox, not on *.vercel.app.
        site_url = (
            functools.partial(loopback_site_url, endpoints.vercel.url)
            if endpoints.sandbox
            else identity_url
        )
        self.health_http = httpx.AsyncClient(timeout=10.0)
        self.deploy = DeployService(
            self.store,
            remotes.vercel,
            remotes.platform,
            self.health_http,
            site_url=site_url,
            options=replace(self.tuning.deploy, triggered_by=who),
            drafts=self.publish,
            compat=self.projects,
        )
        self.healer = DeployHealer(self.store, self.projects, self.publish)
        self.history = HistoryService(self.store, remotes.vercel, remotes.platform, staff_name=who)
        self.domains = DomainService(
            self.store,
            remotes.vercel,
            remotes.platform,
            health_http=self.health_http,
            site_url=site_url,
        )
        self.provisioning = ProvisioningService(
            self.store,
            remotes.platform,
            remotes.github,
            self.deploy,
            github_owner=endpoints.github_owner,
        )

    def _build_connected_pages(self) -> None:
        """The pages that need the remotes (built once `start()` opened them)."""
        controller = LowCreditController(self.store_bridge, self.credits.state)
        banner = LowCreditBanner()
        controller.attach(banner)
        banner.buy_requested.connect(self._on_buy_requested)
        self.window.add_banner(banner)
        self.settings_page.add_section(
            DiagnosticsPanel(
                self.messages,
                self._sync_figures,
                log_file=self.paths.log_file,
                data_dir=self.paths.data_dir,
            )
        )
        clients_page = ClientsPage(
            self.clients,
            self.store_bridge,
            self.tasks,
            self.messages,
            external_url=self.external_url,
        )
        clients_page.provision_requested.connect(self._on_provision_requested)
        # What rollbacks could not remove, at every vendor: one cleanup for all runs.
        assert self.remotes is not None
        remover = ResourceRemover(self.remotes.vercel, self.remotes.platform, self.remotes.github)
        cleanup = functools.partial(clean_up, Ledger(self.store), remover)
        provisioning = AttentionRunsPanel(
            self.tasks,
            self.store_bridge,
            self.provisioning.pipeline,
            title="Client provisioning that needs you",
        )
        provisioning.run_requested.connect(self._on_provision_run_requested)
        clients_page.add_panel(provisioning)
        clients_page.add_panel(
            LeftBehindPanel(self.tasks, self.store_bridge, Ledger(self.store), cleanup)
        )
        self.window.set_page(Section.CLIENTS, clients_page)
        self.deployments_page = DeploymentsPage(
            self.store,
            self.store_bridge,
            self.tasks,
            self.deploy,
            self.history,
            domains=self.domains,
            healer=self.healer,
            clean_up=cleanup,
            dark=self.dark,
            external_url=self.external_url,
        )
        self.window.set_page(Section.DEPLOYMENTS, self.deployments_page)
        self.conversations_page = ConversationsPage(
            self.store, self.store_bridge, self.conversations, self.tasks, self.messages
        )
        self.conversations_page.handoffs_waiting_changed.connect(
            functools.partial(self.window.set_badge, Section.CONVERSATIONS)
        )
        self.conversations_page.notification_clicked.connect(self._on_notification_clicked)
        self.window.set_page(Section.CONVERSATIONS, self.conversations_page)
        self.window.set_page(
            Section.CREDITS,
            CreditsPage(self.credits, self.store_bridge, self.tasks, self.messages, controller),
        )

    def _sync_figures(self) -> SyncFigures | None:
        if self.engine is None:
            return None
        status = self.engine.status
        return SyncFigures(status.describe(), status.online, status.pending, status.last_event_at)

    def _on_publish_requested(self, project_id: int) -> None:
        if self.wizard is not None:
            self.wizard.close()
        self.wizard = PublishWizard(
            self.publish,
            self.tasks,
            self.messages,
            project_id,
            self.window,
            compat=self.projects,
            external_url=self.external_url,
        )
        self.wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.wizard.destroyed.connect(self._on_wizard_destroyed)
        self.wizard.set_online(self.online)
        self.wizard.settings_requested.connect(
            functools.partial(self.window.show_section, Section.SETTINGS)
        )
        self.wizard.open()

    def _on_wizard_destroyed(self) -> None:
        self.wizard = None

    def _on_queued_publish(self, event: ProgressEvent) -> None:
        """A publish queued offline runs in the outbox: its steps go to the status bar."""
        if isinstance(event, StepStarted):
            self.messages.show_info(f"Queued publish: {event.title}…")
        elif isinstance(event, StepFinished) and event.step == "platform":
            self.messages.show_info("Queued publish done")
        elif isinstance(event, StepFailed):
            self.messages.show_info(f"Queued publish failed at {event.step}: {event.error}")

    def _on_provision_requested(self) -> None:
        NewClientDialog(
            self.tasks, self.provisioning, self.window, external_url=self.external_url
        ).open()

    def _on_provision_run_requested(self, run_id: int) -> None:
        dialog = NewClientDialog(
            self.tasks, self.provisioning, self.window, external_url=self.external_url
        )
        dialog.show()
        dialog.resume(run_id)

    def _on_deploy_requested(self, project_id: int) -> None:
        self.window.show_section(Section.DEPLOYMENTS)
        self.deployments_page.open_deploy(project_id)

    def _on_notification_clicked(self, _session_id: str) -> None:
        self.window.show_section(Section.CONVERSATIONS)
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def _on_buy_requested(self) -> None:
        self.window.show_section(Section.CREDITS)

    def _on_outbox_queued(self) -> None:
        if self.engine is not None:
            self.engine.outbox_changed()

    @staticmethod
    def _sandbox_endpoints(sandbox: EmbeddedSandbox) -> Endpoints:
        return Endpoints(
            platform=Endpoint(sandbox.platform_account.url, sandbox.platform_account.token),
            github=Endpoint(sandbox.github_account.url, sandbox.github_account.token),
            vercel=Endpoint(sandbox.vercel_account.url, sandbox.vercel_account.token),
            stripe=Endpoint(sandbox.stripe_account.url, sandbox.stripe_account.token),
            # The sandbox login is a user, not an organization: repositories go to
            # the token's own account, as the publish wizard's do.
            github_owner="",
            sandbox=True,
        )

    def _on_sync_status(self, status: SyncStatus) -> None:
        self.online = status.online
        if self.wizard is not None:
            self.wizard.set_online(status.online)
        if status.online:
            self.synced.set()
        self.window.set_online(status.online)
        self.window.set_sync_state(status.describe())

    def _on_color_scheme_changed(self) -> None:
        self.dark = resources.is_dark(self.app)
        self.app.setStyleSheet(resources.stylesheet(self.dark))

    async def shutdown(self) -> None:
        self.tasks.cancel_all()
        if self.engine is not None:
            await self.engine.stop()
        if self.remotes is not None:
            await self.remotes.aclose()
        if self.health_http is not None:
            await self.health_http.aclose()
        if self.embedded is not None:
            await asyncio.to_thread(self.embedded.stop)
        self.store_bridge.detach()
        self.store.close()


async def run_console(
    app: QApplication, window: MainWindow, messages: MessageBridge, options: LaunchOptions
) -> int:
    """Build the console behind the shown window and run until the window closes."""
    quit_event = asyncio.Event()
    app.aboutToQuit.connect(quit_event.set)
    app.lastWindowClosed.connect(quit_event.set)
    try:
        console = Console(app, window, messages, options)
    except ConsoleError as error:
        logger.error("console could not start: %s", error.user_text())
        sys.stderr.write(f"{error.user_text()}\n{error.user_action()}\n")
        return 1
    try:
        await console.start()
        if options.screenshot is not None:
            # A picture of the console as used: after the first sync, if it comes.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(console.synced.wait(), timeout=30)
            await save_screenshot(window, options.screenshot)
            return 0
        await quit_event.wait()
        return 0
    finally:
        await console.shutdown()


async def save_screenshot(window: QWidget, path: Path) -> None:
    # Let the window lay out and paint once more before grabbing it.
    painted = asyncio.get_running_loop().create_future()
    QTimer.singleShot(50, lambda: painted.set_result(None))
    await painted
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        raise ConsoleError(f"Could not write the screenshot to {path}")
    logger.info("screenshot saved to %s", path)
