"""The deploy pipeline: a published builder app onto Vercel, live, checked and recorded.

Steps (DESIGN.md section 5): Vercel project (reuse or create, linked to the
GitHub repo), environment variables (the app's platform API key is created
here and goes only into Vercel's sensitive env), deployment, build (readyState
and build events followed live), health check of the production URL, record
the production URL on the builder app, register the app's webhook.

A Vercel project this run did not create is never deleted: the project step
decides "ours or pre-existing" *before* creating, and checkpoints that choice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from console.errors import ConsoleError, NotFound, RemoteError, UserInputError
from console.services.deploy.env import CompatSource, DeployEnv, DraftSource, project_env
from console.services.deploy.events import Progress
from console.services.deploy.pipeline import Pipeline, Step, StepContext
from console.services.platform.client import PlatformClient
from console.services.platform.models import WebhookEvent
from console.services.vercel.client import VercelClient
from console.services.vercel.models import (
    Deployment as VercelDeployment,
)
from console.services.vercel.models import (
    EnvVarInput,
    GitSource,
    ReadyState,
)
from console.store.db import Store
from console.store.models import Deployment, DeploymentEvent, Project, Webhook

logger = logging.getLogger(__name__)

KIND = "deploy"

#: Webhook events an app needs, by API category.
EVENTS_BY_CATEGORY: dict[str, tuple[WebhookEvent, ...]] = {
    "forms": ("form.submitted",),
    "checkout": ("payment.completed",),
    "invoices": ("payment.completed",),
    "products": ("payment.completed",),
    "crm": ("contact.created",),
    "conversations": (
        "conversation.started",
        "conversation.closed",
        "conversation.handed_off",
        "message.received",
    ),
}


class BuildFailed(ConsoleError):
    """The Vercel build ended in ERROR or CANCELED, or never finished."""

    action = "Open the build log, fix the cause, then retry."


class HealthCheckFailed(ConsoleError):
    """The production URL did not answer 200 with the app's page."""

    action = "Open the site and the build log; retry once it answers."


def vercel_name(name: str) -> str:
    """A valid Vercel project name for a builder app name."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return (slug or "app")[:90]


def repo_of(repo_url: str) -> tuple[str, str]:
    """``owner``, ``name`` of a GitHub URL or ``owner/name``."""
    path = re.sub(r"^https?://[^/]+/", "", repo_url.strip()).removesuffix(".git").strip("/")
    parts = path.split("/")
    if len(parts) != 2 or not all(parts):
        raise UserInputError(f"Not a GitHub repository: {repo_url}")
    return parts[0], parts[1]


def webhook_events(categories: Sequence[str]) -> list[WebhookEvent]:
    events: list[WebhookEvent] = []
    for category in categories:
        for event in EVENTS_BY_CATEGORY.get(category, ()):
            if event not in events:
                events.append(event)
    return events or ["form.submitted"]


def identity_url(url: str) -> str:
    return url


@dataclass(frozen=True)
class DeployOptions:
    """Tunables (tests make them small).

    Attributes:
        poll_interval: seconds between readyState/event polls.
        build_timeout: seconds before a build that does not finish is canceled.
        health_attempts: tries of the health check (aliases can lag a little).
        health_interval: seconds between health check tries.
        platform_url: what the app calls (``NEXT_PUBLIC_L4YERCAK3_URL``).
        triggered_by: who is deploying (history).
    """

    poll_interval: float = 2.0
    build_timeout: float = 900.0
    health_attempts: int = 5
    health_interval: float = 2.0
    platform_url: str = "https://app.l4yercak3.com"
    triggered_by: str = "console"


class DeployService:
    """Deploys builder apps (the deploy pipeline) and resumes interrupted deploys.

    Args:
        store: the local store.
        vercel: the Vercel client.
        platform: the platform client.
        health_http: the client used for the health check (no base_url).
        site_url: maps a production URL to the URL to fetch; identity in
            production, `loopback_site_url(vercel_base, ...)` on the sandbox.
        options: tunables.
        drafts: the publish drafts (`PublishService`), for `env_requirements`.
        compat: the projects' compatibility reports (`ProjectService`), for
            `env_requirements`. Without both, no variables are asked for.
    """

    def __init__(
        self,
        store: Store,
        vercel: VercelClient,
        platform: PlatformClient,
        health_http: httpx.AsyncClient,
        *,
        site_url: Callable[[str], str] = identity_url,
        options: DeployOptions | None = None,
        drafts: DraftSource | None = None,
        compat: CompatSource | None = None,
    ) -> None:
        self.store = store
        self.vercel = vercel
        self.platform = platform
        self.health_http = health_http
        self.site_url = site_url
        self.options = options or DeployOptions()
        self._drafts = drafts
        self._compat = compat
        self._extra_env: dict[int, tuple[EnvVarInput, ...]] = {}
        self.pipeline = Pipeline(
            store,
            KIND,
            [
                Step("project", "Vercel project", self._project, self._undo_project),
                Step("env", "Environment variables", self._env),
                Step("deploy", "Start deployment", self._deploy, self._undo_deploy),
                Step("build", "Build", self._build),
                Step("health", "Health check", self._health),
                Step("record", "Record production URL", self._record),
                Step("webhook", "Register webhook", self._webhook, self._undo_webhook),
            ],
            on_failed=self._mark_failed,
            result_url=lambda s: s.get("production_url"),
        )

    # ------------------------------------------------------------------ public API

    async def env_requirements(self, project_id: int) -> DeployEnv:
        """The variables the user sets for a deploy of `project_id` (see `deploy.env`).

        Also names those the project's Vercel project already holds for
        production (a redeploy keeps them when left empty).

        Raises:
            UserInputError: no such project.
            RemoteError: Vercel could not list the variables.
        """
        with self.store.read() as session:
            project = session.get(Project, project_id)
            if project is None:
                raise UserInputError(f"No project {project_id}.")
            name = vercel_name(project.slug or project.name)
        variables = (
            await project_env(project_id, self._drafts, self._compat)
            if self._drafts is not None and self._compat is not None
            else ()
        )
        try:
            present = await self.vercel.list_env(name)
        except NotFound:  # first deploy: no Vercel project yet
            present = ()
        on_vercel = frozenset(v.key for v in present if "production" in v.target)
        return DeployEnv(variables, on_vercel)

    def start(
        self, project_id: int, *, env: Sequence[EnvVarInput] = (), region: str | None = None
    ) -> int:
        """Create a deploy run for local project `project_id` (must be published).

        Args:
            project_id: the local project.
            env: extra variables (values kept in memory only, until Vercel has them).
            region: Vercel function region of a project this run creates (e.g. fra1).
        """
        with self.store.read() as session:
            project = session.get(Project, project_id)
            if project is None:
                raise UserInputError(f"No project {project_id}.")
            if not project.remote_id or not project.repo_url:
                raise UserInputError(f"{project.name} is not published yet: publish it first.")
            owner, repo = repo_of(project.repo_url)
            state: dict[str, Any] = {
                "project_id": project.id,
                "app_id": project.remote_id,
                "org_id": project.org_id,
                "app_name": project.name,
                "vercel_name": vercel_name(project.slug or project.name),
                "repo": f"{owner}/{repo}",
                "categories": list(project.categories),
                # Names only: the values live in memory until Vercel has them.
                "extra_env_keys": [v.key for v in env],
                "region": region,
            }
        run_id = self.pipeline.create(str(project_id), state)
        self._extra_env[run_id] = tuple(env)
        with self.store.write() as tx:
            row = tx.session.get(Project, project_id)
            if row is not None:
                row.deployment_status = "deploying"
        return run_id

    async def run(self, run_id: int, progress: Progress | None = None) -> dict[str, Any]:
        """Run, resume or retry a deploy run (see `Pipeline.run`)."""
        return await self.pipeline.run(run_id, progress)

    async def deploy(
        self,
        project_id: int,
        progress: Progress | None = None,
        *,
        env: Sequence[EnvVarInput] = (),
        region: str | None = None,
    ) -> dict[str, Any]:
        """`start` then `run`: the whole deploy."""
        return await self.run(self.start(project_id, env=env, region=region), progress)

    def unfinished(self) -> list[int]:
        """Deploy runs a restart left unfinished."""
        return self.pipeline.unfinished()

    async def abandon(
        self, run_id: int, progress: Progress | None = None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Roll back an unfinished run instead of resuming it (notes, steps undone)."""
        return await self.pipeline.abandon(run_id, progress)

    # ------------------------------------------------------------------ steps

    async def _project(self, ctx: StepContext) -> None:
        s = ctx.state
        name = s["vercel_name"]
        try:
            existing = await self.vercel.get_project(name)
        except NotFound:
            existing = None
        if existing is not None:
            if s.get("project_creating"):  # we sent the create before a restart
                s["project_created"] = True
                ctx.emit(f"Vercel project {name} found (created by this run)")
            else:
                ctx.emit(f"Reusing Vercel project {name}")
            s["vercel_project_id"] = existing.id
            return
        s["project_creating"] = True
        ctx.checkpoint("creating Vercel project")
        created = await self.vercel.create_project(
            name, framework="nextjs", git_repo=s["repo"], region=s.get("region")
        )
        s["vercel_project_id"] = created.id
        s["project_created"] = True
        ctx.emit(f"Created Vercel project {name}, linked to {s['repo']}")

    async def _undo_project(self, ctx: StepContext) -> str | None:
        s = ctx.state
        if not s.get("project_creating"):
            return None
        with contextlib.suppress(NotFound):
            await self.vercel.delete_project(s.get("vercel_project_id") or s["vercel_name"])
        s.pop("project_creating", None)
        s.pop("project_created", None)
        s.pop("vercel_project_id", None)
        return f"deleted Vercel project {s['vercel_name']}"

    async def _env(self, ctx: StepContext) -> None:
        s = ctx.state
        scopes = [f"{c}:{m}" for c in s["categories"] for m in ("read", "write")]
        variables = [
            EnvVarInput("NEXT_PUBLIC_L4YERCAK3_URL", self.options.platform_url, type="plain"),
            EnvVarInput("L4YERCAK3_APP_ID", s["app_id"], type="plain"),
        ]
        if s.get("org_id"):
            variables.append(EnvVarInput("L4YERCAK3_ORG_ID", s["org_id"], type="plain"))
        if scopes:
            # The secret exists only in this frame and in Vercel's sensitive env.
            key = await self.platform.create_api_key(
                s["app_id"], scopes, idempotency_key=ctx.idempotency_key("api-key")
            )
            variables.append(
                EnvVarInput("L4YERCAK3_API_KEY", key.key, type="sensitive", target=("production",))
            )
            s["api_key_id"] = key.id
        extra = self._extra_env.get(ctx.run_id)
        if extra is None and s.get("extra_env_keys"):
            await self._require_env_on_vercel(s)
        variables.extend(extra or ())
        result = await self.vercel.create_env(s["vercel_project_id"], variables)
        if result.failed:
            raise BuildFailed(
                "Vercel refused: " + ", ".join(f"{f.key} ({f.message})" for f in result.failed)
            )
        ctx.emit(f"{len(result.created)} variables set ({', '.join(v.key for v in variables)})")

    async def _require_env_on_vercel(self, s: dict[str, Any]) -> None:
        """After a restart the typed values are gone: go on only if Vercel has them all."""
        present = {v.key for v in await self.vercel.list_env(s["vercel_project_id"])}
        missing = [k for k in s["extra_env_keys"] if k not in present]
        if missing:
            raise UserInputError(
                "The console restarted before these variables reached Vercel: "
                + ", ".join(missing)
                + ". Start a new deploy and enter them again."
            )

    async def _deploy(self, ctx: StepContext) -> None:
        s = ctx.state
        if s.get("deployment_id"):
            ctx.emit(f"Following deployment {s['deployment_id']}")
            return
        owner, repo = s["repo"].split("/")
        deployment = await self.vercel.create_deployment(
            s["vercel_name"],
            project=s["vercel_project_id"],
            git_source=GitSource(org=owner, repo=repo, ref="main"),
            target="production",
            meta={"l4RunId": str(ctx.run_id)},
        )
        s["deployment_id"] = deployment.id
        s["deployment_url"] = deployment.url
        self._store_deployment(s, deployment)
        ctx.emit(f"Deployment {deployment.id} created", ready_state=deployment.ready_state.value)

    async def _undo_deploy(self, ctx: StepContext) -> str | None:
        s = ctx.state
        deployment_id = s.pop("deployment_id", None)
        s.pop("events_since", None)
        if not deployment_id:
            return None
        if s.get("project_created"):
            return f"dropped deployment {deployment_id}"  # deleted with its project
        try:
            current = await self.vercel.get_deployment(deployment_id)
            if not current.ready_state.is_final:
                current = await self.vercel.cancel_deployment(deployment_id)
                self._store_deployment(s, current)
                return f"canceled deployment {deployment_id}"
        except RemoteError as exc:
            logger.info("deployment %s not canceled: %s", deployment_id, exc)
        return f"dropped deployment {deployment_id}"

    async def _build(self, ctx: StepContext) -> None:
        s = ctx.state
        deployment_id = s["deployment_id"]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.build_timeout
        since: int | None = s.get("events_since")
        last_state = ""
        while True:
            deployment = await self.vercel.get_deployment(deployment_id)
            events = await self.vercel.get_deployment_events(deployment_id, since=since)
            fresh = [e for e in events if since is None or e.created > since]
            if fresh:
                since = fresh[-1].created
                self._store_events(deployment_id, [(e.type, e.text or "") for e in fresh])
                for event in fresh:
                    if event.text:
                        ctx.emit(event.text, log_line=event.text)
            if deployment.ready_state.value != last_state:
                last_state = deployment.ready_state.value
                self._store_deployment(s, deployment)
                ctx.emit(f"Deployment {last_state}", ready_state=last_state)
            if deployment.ready_state.is_final:
                break
            if loop.time() > deadline:
                await self.vercel.cancel_deployment(deployment_id)
                raise BuildFailed(
                    f"The build did not finish within {self.options.build_timeout:.0f} s; "
                    "it was canceled."
                )
            await asyncio.sleep(self.options.poll_interval)
        s["events_since"] = since
        if deployment.ready_state is not ReadyState.READY:
            reason = deployment.error_message or deployment.ready_state.value
            raise BuildFailed(f"Build {deployment.ready_state.value.lower()}: {reason}")
        host = next((a for a in deployment.alias if a.endswith(".vercel.app")), None)
        s["production_url"] = f"https://{host or s['vercel_name'] + '.vercel.app'}"

    async def _health(self, ctx: StepContext) -> None:
        s = ctx.state
        url = self.site_url(s["production_url"])
        problem = ""
        for attempt in range(self.options.health_attempts):
            if attempt:
                await asyncio.sleep(self.options.health_interval)
            try:
                response = await self.health_http.get(url, follow_redirects=True)
            except httpx.HTTPError as exc:
                problem = f"no answer ({type(exc).__name__})"
                continue
            # An imported app's page need not name the app: a 200 from its URL is health.
            if response.status_code == 200:
                ctx.emit(f"{s['production_url']} answers 200")
                return
            problem = f"HTTP {response.status_code}"
            ctx.emit(f"{s['production_url']}: {problem}")
        raise HealthCheckFailed(f"{s['production_url']} is not healthy: {problem}")

    async def _record(self, ctx: StepContext) -> None:
        s = ctx.state
        await self.platform.record_deployment(
            s["app_id"],
            "deployed",
            production_url=s["production_url"],
            deployment_id=s["deployment_id"],
            idempotency_key=ctx.idempotency_key("record"),
        )
        with self.store.write() as tx:
            row = tx.session.get(Project, s["project_id"])
            if row is not None:
                row.production_url = s["production_url"]
                row.deployment_status = "deployed"
                row.updated_at = datetime.now(UTC)
        ctx.emit(f"Builder app {s['app_id']}: deployed at {s['production_url']}")

    async def _webhook(self, ctx: StepContext) -> None:
        s = ctx.state
        events = webhook_events(s["categories"])
        url = s["production_url"] + "/api/webhook"
        existing = await self.platform.list_webhooks(app_id=s["app_id"])
        same = next((w for w in existing.items if w.url == url), None)
        if same is not None and set(same.events) >= set(events):
            # A redeploy: the app already has its webhook (and its secret in Vercel).
            s["webhook_reused"] = same.id
            ctx.emit(f"Webhook {same.id} already registered")
            return
        registered = await self.platform.register_webhook(
            url=url,
            events=events,
            app_id=s["app_id"],
            idempotency_key=ctx.idempotency_key("webhook"),
        )
        s["webhook_id"] = registered.webhook.id
        ctx.checkpoint("webhook registered")
        # The signing secret goes where the app reads it, and nowhere else.
        await self.vercel.create_env(
            s["vercel_project_id"],
            [
                EnvVarInput(
                    "L4YERCAK3_WEBHOOK_SECRET",
                    registered.secret,
                    type="sensitive",
                    target=("production",),
                )
            ],
        )

        with self.store.write() as tx:
            tx.session.merge(
                Webhook(
                    id=registered.webhook.id,
                    project_id=s["project_id"],
                    url=s["production_url"] + "/api/webhook",
                    events=list(events),
                )
            )
        ctx.emit(f"Webhook {registered.webhook.id} registered for {', '.join(events)}")

    async def _undo_webhook(self, ctx: StepContext) -> str | None:
        webhook_id = ctx.state.pop("webhook_id", None)
        if not webhook_id:
            return None
        with contextlib.suppress(NotFound):
            await self.platform.delete_webhook(webhook_id)
        return f"removed webhook {webhook_id}"

    async def _mark_failed(self, ctx: StepContext, step: str) -> None:
        s = ctx.state
        with self.store.write() as tx:
            row = tx.session.get(Project, s["project_id"])
            if row is not None:
                row.deployment_status = "failed"
        await self.platform.record_deployment(
            s["app_id"], "failed", idempotency_key=ctx.idempotency_key(f"failed-{step}")
        )

    # ------------------------------------------------------------------ store

    def _store_deployment(self, s: dict[str, Any], d: VercelDeployment) -> None:
        with self.store.write() as tx:
            row = tx.session.get(Deployment, d.id)
            if row is None:
                row = Deployment(
                    id=d.id,
                    project_id=s["project_id"],
                    created_at=datetime.fromtimestamp(d.created_at / 1000, UTC),
                )
                tx.session.add(row)
            row.vercel_project_id = d.project_id or s.get("vercel_project_id")
            row.state = d.ready_state.value
            row.target = d.target or "production"
            row.url = d.url
            row.commit_sha = d.git_sha
            row.trigger = "console"
            row.triggered_by = self.options.triggered_by
            if d.ready_at:
                row.ready_at = datetime.fromtimestamp(d.ready_at / 1000, UTC)
            row.error = d.error_message

    def _store_events(self, deployment_id: str, events: list[tuple[str, str]]) -> None:
        with self.store.write() as tx:
            for kind, text in events:
                tx.session.add(DeploymentEvent(deployment_id=deployment_id, kind=kind, text=text))
