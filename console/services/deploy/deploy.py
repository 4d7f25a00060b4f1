"""The deploy pipeline: a published builder app onto Vercel, live, checked and recorded.

Steps: Vercel project (reuse or create, linked to the
GitHub repo), environment variables, the app's webhook, deployment, build
(readyState and build events followed live), health check of the production
URL, record the production URL on the builder app.

Every variable the generated app declares as provided by the console is set
*before* the deployment is created, so the deployment runs with it: the
platform URL, app and organization ids, the app's scoped API key, its OAuth
client (when it signs users in with l4yercak3) and its webhook's signing
secret. Secrets go only into Vercel's sensitive env. Each app has one live
credential of each kind: a redeploy reuses the one whose secret the Vercel
project holds (the ledger says which), a new one is made only when the
project lacks it, and the replaced ones are revoked once the new deployment
is healthy (so production keeps working until then).

What a run creates is in the ledger before the create call, so a rollback
removes that and only that; a Vercel project this run did not create is
never deleted. A failed health check keeps the deployment: the run ends as a
warning, the project is marked ``warning`` and can be rolled back (`abandon`)
or checked again (`run`).

While production is pinned to another deployment (a rollback, until automatic
production is resumed), the new deployment is built and checked at its own
URL but does not serve production: the run succeeds without a live URL and
its end warns so (`PipelineCompleted.warning`); the builder app keeps
production where it is and the replaced credentials stay.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import delete

from console.errors import ConsoleError, NotFound, UserInputError
from console.services.deploy.env import CompatSource, DeployEnv, DraftSource, project_env
from console.services.deploy.events import Progress
from console.services.deploy.ledger import (
    CREATED,
    KIND_LABELS,
    REMOVED,
    Kind,
    ResourceRemover,
)
from console.services.deploy.pipeline import Pipeline, Step, StepContext
from console.services.platform.client import PlatformClient
from console.services.platform.models import Page
from console.services.publish import published_config
from console.services.scaffold import AuthProvider, Category, PublishConfig, api_scopes
from console.services.scaffold import webhook_events as scaffold_events
from console.services.scaffold.webhook import WEBHOOK_PATH
from console.services.vercel.client import VercelClient
from console.services.vercel.models import (
    Deployment as VercelDeployment,
)
from console.services.vercel.models import (
    EnvTarget,
    EnvVarInput,
    GitSource,
    ReadyState,
)
from console.store.db import Store
from console.store.models import Deployment, DeploymentEvent, Project, Webhook

logger = logging.getLogger(__name__)

Lister = Callable[..., Awaitable[Page[Any]]]
Remove = Callable[..., Awaitable[None]]

KIND = "deploy"
#: Where the generated app's l4yercak3 OAuth callback lives (templates/auth/l4yercak3_oauth).
OAUTH_CALLBACK_PATH = "/api/auth/callback"
API_KEY_VAR = "L4YERCAK3_API_KEY"
WEBHOOK_SECRET_VAR = "L4YERCAK3_WEBHOOK_SECRET"
OAUTH_ID_VAR = "L4YERCAK3_OAUTH_CLIENT_ID"
OAUTH_SECRET_VAR = "L4YERCAK3_OAUTH_CLIENT_SECRET"
#: Credentials go to production only: previews must not act as the live app.
SECRET_TARGET: tuple[EnvTarget, ...] = ("production",)


class BuildFailed(ConsoleError):
    """The Vercel build ended in ERROR or CANCELED, or never finished."""

    action = "Open the build log, fix the cause, then retry."


class HealthCheckFailed(ConsoleError):
    """The checked URL (production's, or the deployment's own while pinned) did not answer 200."""

    action = "Open the site and the build log; check again once it answers, or roll back."


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


def identity_url(url: str) -> str:
    return url


def app_facts(config: PublishConfig, webhook_path: str) -> dict[str, Any]:
    """What a deploy provides for an app generated from `config` (pipeline state).

    The webhook is registered even when no chosen category emits events (for
    form submissions): the scaffold declares its signing secret for every app.
    """
    return {
        "scopes": api_scopes(config),
        "events": scaffold_events(config) or ["form.submitted"],
        "webhook_path": webhook_path,
        "oauth": config.auth is AuthProvider.L4YERCAK3_OAUTH,
    }


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
                Step("project", "Vercel project", self._project),
                Step("env", "Environment variables", self._env),
                Step("webhook", "Register webhook", self._webhook),
                Step("deploy", "Start deployment", self._deploy, self._undo_deploy),
                Step("build", "Build", self._build),
                Step("health", "Health check", self._health, soft=True),
                Step("record", "Record production URL", self._record),
            ],
            remover=ResourceRemover(vercel, platform),
            on_failed=self._mark_failed,
            on_abandoned=self._mark_abandoned,
            result_url=lambda s: None if s.get("pinned_to") else s.get("production_url"),
            result_warning=_not_live,
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

        What the app needs (its API scopes, webhook events and path, OAuth) is
        taken from the configuration it was last published with; a project
        published elsewhere is deployed with its categories' scopes.

        Args:
            project_id: the local project.
            env: extra variables (values kept in memory only, until Vercel has them).
            region: Vercel function region of a project this run creates (e.g. fra1).
        """
        published = published_config(self.store, project_id)
        with self.store.read() as session:
            project = session.get(Project, project_id)
            if project is None:
                raise UserInputError(f"No project {project_id}.")
            if not project.remote_id or not project.repo_url:
                raise UserInputError(f"{project.name} is not published yet: publish it first.")
            owner, repo = repo_of(project.repo_url)
            config, webhook_path = published or (
                PublishConfig(
                    project.name,
                    repo,
                    categories=tuple(Category(c) for c in project.categories or ()),
                ),
                WEBHOOK_PATH,
            )
            name = vercel_name(project.slug or project.name)
            state: dict[str, Any] = {
                "project_id": project.id,
                "app_id": project.remote_id,
                "org_id": project.org_id,
                "app_name": project.name,
                "vercel_name": name,
                "site_url": f"https://{name}.vercel.app",
                "repo": f"{owner}/{repo}",
                **app_facts(config, webhook_path),
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
        """Run, resume or retry a deploy run; on a warning run, check again (`Pipeline.run`)."""
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
        """Roll a run back for good: remove what it created, point production back.

        Returns:
            What was undone (notes) and in which steps.
        """
        return await self.pipeline.abandon(run_id, progress)

    # ------------------------------------------------------------------ steps

    async def _project(self, ctx: StepContext) -> None:
        s = ctx.state
        name = s["vercel_name"]
        mine = ctx.owned("vercel_project", name)
        try:
            existing = await self.vercel.get_project(name)
        except NotFound:
            existing = None
        if existing is not None:
            if mine is not None:  # we sent the create before a restart
                ctx.ledger.created(mine.id, existing.id)
                ctx.emit(f"Vercel project {name} found (created by this run)")
            else:
                ctx.emit(f"Reusing Vercel project {name}")
            s["vercel_project_id"] = existing.id
            return
        entry = mine.id if mine is not None else ctx.intend("vercel", "vercel_project", name)
        created = await self.vercel.create_project(
            name, framework="nextjs", git_repo=s["repo"], region=s.get("region")
        )
        ctx.ledger.created(entry, created.id)
        s["vercel_project_id"] = created.id
        ctx.emit(f"Created Vercel project {name}, linked to {s['repo']}")

    async def _env(self, ctx: StepContext) -> None:
        s = ctx.state
        project = s["vercel_project_id"]
        present = await self._present(project)
        variables = [
            EnvVarInput("NEXT_PUBLIC_L4YERCAK3_URL", self.options.platform_url, type="plain"),
            EnvVarInput("L4YERCAK3_APP_ID", s["app_id"], type="plain"),
        ]
        if s.get("org_id"):
            variables.append(EnvVarInput("L4YERCAK3_ORG_ID", s["org_id"], type="plain"))
        # The secrets exist only in these frames and in Vercel's sensitive env.
        secrets, binds = await self._api_key(ctx, present)
        if s.get("oauth"):
            more, bound = await self._oauth_client(ctx, present)
            secrets += more
            binds += bound
        extra = self._extra_env.get(ctx.run_id)
        if extra is None and s.get("extra_env_keys"):
            missing = [k for k in s["extra_env_keys"] if k not in present]
            if missing:
                raise UserInputError(
                    "The console restarted before these variables reached Vercel: "
                    + ", ".join(missing)
                    + ". Start a new deploy and enter them again."
                )
        await self._set_env(ctx, [*variables, *secrets, *(extra or ())], present)
        for entry in binds:
            ctx.ledger.set_detail(entry, env=project)
        ctx.emit(
            f"{len(variables) + len(secrets) + len(extra or ())} variables set "
            f"({', '.join(v.key for v in [*variables, *secrets, *(extra or ())])})"
        )

    async def _api_key(
        self, ctx: StepContext, present: frozenset[str]
    ) -> tuple[list[EnvVarInput], list[int]]:
        """The app's API key: reuse the live one the project holds, else make one."""
        s = ctx.state
        app, org = s["app_id"], s.get("org_id")
        scopes = sorted(s["scopes"])
        live = {k.id: k for k in await _all(self.platform.list_api_keys, app_id=app, org_id=org)}
        bound = ctx.ledger.bound("api_key", app, s["vercel_project_id"])
        if (
            bound is not None
            and bound.status == CREATED
            and bound.remote_id in live
            and API_KEY_VAR in present
            and sorted(live[bound.remote_id].scopes) == scopes
        ):
            s["api_key_id"] = bound.remote_id
            ctx.emit(f"Reusing the app's API key {live[bound.remote_id].key_prefix}…")
            return [], []
        entry = self._entry(ctx, "api_key", known=list(live), scopes=scopes)
        key = await self.platform.create_api_key(
            app,
            scopes,
            idempotency_key=ctx.idempotency_key(f"api-key-{entry}", per_attempt=False),
            org_id=org,
        )
        ctx.ledger.created(entry, key.id)
        s["api_key_id"] = key.id
        ctx.emit(f"Created API key {key.key_prefix}… ({', '.join(scopes) or 'no scopes'})")
        return [EnvVarInput(API_KEY_VAR, key.key, type="sensitive", target=SECRET_TARGET)], [entry]

    async def _oauth_client(
        self, ctx: StepContext, present: frozenset[str]
    ) -> tuple[list[EnvVarInput], list[int]]:
        """The app's OAuth client (l4yercak3 sign-in): reuse the live one, else make one."""
        s = ctx.state
        app, org = s["app_id"], s.get("org_id")
        live = {c.id for c in await _all(self.platform.list_oauth_clients, app_id=app, org_id=org)}
        bound = ctx.ledger.bound("oauth_client", app, s["vercel_project_id"])
        if (
            bound is not None
            and bound.status == CREATED
            and bound.remote_id in live
            and {OAUTH_ID_VAR, OAUTH_SECRET_VAR} <= present
        ):
            s["oauth_client_id"] = bound.remote_id
            ctx.emit(f"Reusing the app's OAuth client {bound.remote_id}")
            return [], []
        entry = self._entry(ctx, "oauth_client", known=sorted(live))
        created = await self.platform.create_oauth_client(
            app,
            [s["site_url"] + OAUTH_CALLBACK_PATH],
            idempotency_key=ctx.idempotency_key(f"oauth-{entry}", per_attempt=False),
            org_id=org,
        )
        ctx.ledger.created(entry, created.client.id)
        s["oauth_client_id"] = created.client.id
        ctx.emit(f"Created OAuth client {created.client.id} for {s['site_url']}")
        return [
            EnvVarInput(OAUTH_ID_VAR, created.client.id, type="encrypted", target=SECRET_TARGET),
            EnvVarInput(OAUTH_SECRET_VAR, created.secret, type="sensitive", target=SECRET_TARGET),
        ], [entry]

    async def _webhook(self, ctx: StepContext) -> None:
        """Register the app's webhook and set its secret before the deployment exists."""
        s = ctx.state
        app, org, project = s["app_id"], s.get("org_id"), s["vercel_project_id"]
        events = list(s["events"])
        url = s["site_url"] + s["webhook_path"]
        live = {w.id: w for w in await _all(self.platform.list_webhooks, app_id=app, org_id=org)}
        bound = ctx.ledger.bound("webhook", app, project)
        same = live.get(bound.remote_id or "") if bound is not None else None
        present = await self._present(project)
        if (
            bound is not None
            and bound.status == CREATED
            and same is not None
            and same.url == url
            and set(same.events) >= set(events)
            and WEBHOOK_SECRET_VAR in present
        ):
            s["webhook_id"] = same.id
            ctx.emit(f"Webhook {same.id} already registered; its secret is on Vercel")
            return
        entry = self._entry(ctx, "webhook", known=sorted(live), url=url)
        registered = await self.platform.register_webhook(
            url=url,
            events=events,
            app_id=app,
            idempotency_key=ctx.idempotency_key(f"webhook-{entry}", per_attempt=False),
            org_id=org,
        )
        ctx.ledger.created(entry, registered.webhook.id)
        s["webhook_id"] = registered.webhook.id
        # The signing secret goes where the app reads it, and nowhere else.
        secret = EnvVarInput(
            WEBHOOK_SECRET_VAR, registered.secret, type="sensitive", target=SECRET_TARGET
        )
        await self._set_env(ctx, [secret], present)
        ctx.ledger.set_detail(entry, env=project)
        with self.store.write() as tx:
            tx.session.merge(
                Webhook(
                    id=registered.webhook.id,
                    project_id=s["project_id"],
                    url=url,
                    events=events,
                )
            )
        ctx.emit(f"Webhook {registered.webhook.id} registered for {', '.join(events)}")

    async def _deploy(self, ctx: StepContext) -> None:
        s = ctx.state
        if s.get("deployment_id"):
            ctx.emit(f"Following deployment {s['deployment_id']}")
            return
        project = s["vercel_project_id"]
        if "previous_production" not in s:  # what a rollback restores
            current = await self.vercel.get_project(project)
            s["previous_production"] = current.production_deployment_id
            # A pinned production (after a history rollback) does not move to new deployments.
            s["pinned"] = current.production_pinned
            ctx.checkpoint()
        mine = ctx.owned("deployment", s["vercel_name"])
        found = mine.remote_id if mine is not None else None
        if mine is not None and found is None:  # created before a kill, answer lost?
            found = await self.pipeline.remover.locate(mine)
            if found is not None:
                ctx.ledger.created(mine.id, found)
        if found is not None:
            deployment = await self.vercel.get_deployment(found)
            ctx.emit(f"Following deployment {found} (created by this run)")
        else:
            entry = (
                mine.id
                if mine is not None
                else ctx.intend("vercel", "deployment", s["vercel_name"], parent_id=project)
            )
            owner, repo = s["repo"].split("/")
            deployment = await self.vercel.create_deployment(
                s["vercel_name"],
                project=project,
                git_source=GitSource(org=owner, repo=repo, ref="main"),
                target="production",
                meta={"l4RunId": str(ctx.run_id)},
            )
            ctx.ledger.created(entry, deployment.id)
            ctx.emit(
                f"Deployment {deployment.id} created", ready_state=deployment.ready_state.value
            )
        s["deployment_id"] = deployment.id
        s["deployment_url"] = deployment.url
        self._store_deployment(s, deployment)

    async def _undo_deploy(self, ctx: StepContext) -> str | None:
        """Point production back at what served it before this run (the ledger
        cancels or keeps the deployment itself)."""
        s = ctx.state
        s.pop("deployment_id", None)
        s.pop("events_since", None)
        previous = s.pop("previous_production", None)
        pinned = s.pop("pinned", False)
        project = s.get("vercel_project_id")
        if not previous or pinned or not project or ctx.owned("vercel_project", s["vercel_name"]):
            return None  # production never left `previous`, or the project goes
        await self.vercel.promote_deployment(project, previous)
        # Promoting pins production on Vercel; before this run it was not pinned.
        await self.vercel.resume_production(project)
        s["restored"] = previous
        with self.store.write() as tx:
            row = tx.session.get(Project, s["project_id"])
            if row is not None:
                row.production_url = s["site_url"]
        return f"production serves {previous} again"

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
        s["production_url"] = f"https://{host}" if host else s["site_url"]

    async def _health(self, ctx: StepContext) -> None:
        """Check production, or this deployment's own URL while production is pinned elsewhere.

        Pinned is read again here (not kept from the start): a resume or a
        rollback during the build changes which deployment production serves.
        """
        s = ctx.state
        project = await self.vercel.get_project(s["vercel_project_id"])
        if project.production_pinned and project.production_deployment_id != s["deployment_id"]:
            s["pinned_to"] = project.production_deployment_id
            checked = f"https://{s['deployment_url']}"
            ctx.emit(f"Production is pinned to {s['pinned_to']}: checking {checked}")
        else:
            s.pop("pinned_to", None)
            checked = s["production_url"]
        url = self.site_url(checked)
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
                ctx.emit(f"{checked} answers 200")
                return
            problem = f"HTTP {response.status_code}"
            ctx.emit(f"{checked}: {problem}")
        raise HealthCheckFailed(f"{checked} is not healthy: {problem}")

    async def _record(self, ctx: StepContext) -> None:
        """The production URL on the builder app; replaced credentials revoked once healthy."""
        s = ctx.state
        pinned = s.get("pinned_to")
        await self.platform.record_deployment(
            s["app_id"],
            "deployed",
            production_url=s["production_url"],
            deployment_id=pinned or s["deployment_id"],  # what serves production
            idempotency_key=ctx.idempotency_key("record"),
            org_id=s.get("org_id"),
        )
        status = "warning" if ctx.warning else "deployed"
        with self.store.write() as tx:
            row = tx.session.get(Project, s["project_id"])
            if row is not None:
                row.production_url = s["production_url"]
                row.deployment_status = status
                row.updated_at = datetime.now(UTC)
        if pinned:
            # Production still serves the pinned deployment, with its credentials.
            ctx.emit(
                f"Builder app {s['app_id']}: production stays on {pinned}; "
                "the replaced credentials stay until it serves this deployment"
            )
            return
        ctx.emit(f"Builder app {s['app_id']}: deployed at {s['production_url']}")
        if ctx.warning:
            # A rollback to the previous deployment needs its credentials: keep them.
            ctx.emit("Marked warning: the replaced credentials stay until the site is healthy")
            return
        await self._retire(ctx)

    async def _retire(self, ctx: StepContext) -> None:
        """Revoke the app's credentials other than the ones its Vercel project holds."""
        s = ctx.state
        app, org = s["app_id"], s.get("org_id")
        p = self.platform
        kinds: list[tuple[Kind, str, Lister, Remove]] = [
            ("api_key", "api_key_id", p.list_api_keys, p.revoke_api_key),
            ("webhook", "webhook_id", p.list_webhooks, p.delete_webhook),
        ]
        if s.get("oauth"):
            kinds.append(
                ("oauth_client", "oauth_client_id", p.list_oauth_clients, p.delete_oauth_client)
            )
        for kind, current, lister, remove in kinds:
            items = await _all(lister, app_id=app, org_id=org)
            for item in items:
                if item.id == s.get(current):
                    continue
                try:
                    await remove(item.id, org_id=org)
                except NotFound:
                    logger.info("%s %s was already gone", kind, item.id)
                ctx.ledger.mark_remote(kind, item.id, REMOVED)
                ctx.emit(f"Removed the replaced {KIND_LABELS[kind]} {item.id}")
                if kind == "webhook":
                    with self.store.write() as tx:
                        tx.session.execute(delete(Webhook).where(Webhook.id == item.id))
                        tx.touch("webhooks", item.id)

    async def _mark_failed(self, ctx: StepContext, step: str) -> None:
        s = ctx.state
        with self.store.write() as tx:
            row = tx.session.get(Project, s["project_id"])
            if row is not None:
                row.deployment_status = "failed"
        await self.platform.record_deployment(
            s["app_id"],
            "failed",
            idempotency_key=ctx.idempotency_key(f"failed-{step}"),
            org_id=s.get("org_id"),
        )

    async def _mark_abandoned(self, ctx: StepContext, step: str) -> None:
        """After a rollback for good: production is what served before, or nothing."""
        s = ctx.state
        if not s.get("restored"):
            await self._mark_failed(ctx, step)
            return
        with self.store.write() as tx:
            row = tx.session.get(Project, s["project_id"])
            if row is not None:
                row.deployment_status = "deployed"
        await self.platform.record_deployment(
            s["app_id"],
            "deployed",
            production_url=s["site_url"],
            deployment_id=s["restored"],
            idempotency_key=ctx.idempotency_key(f"restored-{step}"),
            org_id=s.get("org_id"),
        )

    # ------------------------------------------------------------------ helpers

    def _entry(self, ctx: StepContext, kind: Kind, **detail: Any) -> int:
        """This run's ledger row for a credential of the app it is making (a resumed
        run goes on with its own: the same idempotency key replays the create)."""
        s = ctx.state
        mine = ctx.owned(kind, s["app_name"])
        if mine is not None and mine.detail.get("env") is None:
            return mine.id
        return ctx.intend(
            "platform", kind, s["app_name"], parent_id=s["app_id"], org_id=s.get("org_id"), **detail
        )

    async def _present(self, project: str) -> frozenset[str]:
        """Names the Vercel project holds for production."""
        return frozenset(
            v.key for v in await self.vercel.list_env(project) if "production" in v.target
        )

    async def _set_env(
        self, ctx: StepContext, variables: Sequence[EnvVarInput], present: frozenset[str]
    ) -> None:
        """Upsert `variables`; those the project did not hold yet go into the ledger first."""
        project = ctx.state["vercel_project_id"]
        entries = {
            v.key: ctx.intend("vercel", "env_var", v.key, parent_id=project)
            for v in variables
            if v.key not in present
        }
        result = await self.vercel.create_env(project, variables)
        if result.failed:
            raise BuildFailed(
                "Vercel refused: " + ", ".join(f"{f.key} ({f.message})" for f in result.failed)
            )
        ids = {v.key: v.id for v in result.created}
        for key, entry in entries.items():
            ctx.ledger.created(entry, ids.get(key) or key)

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


def _not_live(s: dict[str, Any]) -> str | None:
    """What a run that ended well must still say: production does not serve its deployment."""
    pinned = s.get("pinned_to")
    if not pinned:
        return None
    return (
        f"Built and ready at https://{s['deployment_url']}, but production stays on the pinned "
        f"deployment {pinned}; resume automatic production and deploy again, "
        "or promote this one"
    )


async def _all(lister: Lister, **query: Any) -> list[Any]:
    """Every item of a paged platform list (`query`: its filters)."""
    items: list[Any] = []
    cursor: str | None = None
    while True:
        page = await lister(cursor=cursor, limit=100, **query)
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return items
