"""The Vercel sandbox: state, rules and test controls behind the HTTP app.

`VercelSandbox` owns the SQLite store and answers what the HTTP routes in
`console.sandbox.vercel.app` ask; tests drive it directly through the typed
control methods (`fail_next_build`, `hang_next_build`, `fail_health_check`,
`mark_domain_verified`, ...) or over HTTP under `/_sandbox/vercel/...`.

Production follows Vercel's rules: the newest READY production deployment
serves it, unless a deployment was promoted since; promoting an older one (a
rollback) pins production there (``autoAssignCustomDomains`` off) until
`resume_production` (Vercel's unpauseProject), and only a production
deployment ready after that takes over again.

Vercel's GitHub app sees only the owners (and repositories) it was given
(`git_access`, `grant_git_access`); linking a project to any other repository
answers Vercel's 400 "To link a GitHub repository, you need to install the
GitHub integration first.".

Builds are simulated (a timeline computed from the clock, `builds`) unless
the sandbox is given `RealBuilds`: then each deployment checks out the pushed
commit, installs and runs `next build` for real (`runner`), while served, and
a READY one is served by `next start` (`serving`).

Production URLs on loopback: Vercel's `url` and `alias` fields are bare hosts
(`shop-ab12cd34e-l4yercak3-sandbox.vercel.app`, `shop.vercel.app`), exactly as
the contract wants. The sandbox serves every such host under
`{sandbox_url}/_deployments/{host}/`; `site_url()` (or the module-level
`loopback_site_url()`) does the mapping. A deployment host serves that
deployment; the production alias and verified custom domains serve the
project's current production deployment. A really built deployment's
host answers with a redirect to its `next start` on another loopback port,
so the app's absolute URLs (`/_next/static/...`) work as on Vercel.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import string
import threading
import time
from collections.abc import AsyncIterator, Callable, Collection, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from console.sandbox.faults import ASGIApp, FaultInjector
from console.sandbox.host import ServedApp, serve
from console.sandbox.recording import ExchangeRecorder
from console.sandbox.vercel.app import build_app
from console.sandbox.vercel.builds import (
    FINAL_STATES,
    BuildEvent,
    BuildTiming,
    Outcome,
    visible_events,
)
from console.sandbox.vercel.errors import VercelApiError
from console.sandbox.vercel.payloads import (
    Account,
    DeploymentView,
    is_rollback_candidate,
    production_alias,
)
from console.sandbox.vercel.regions import DEFAULT_REGION, REGION_NAMES
from console.sandbox.vercel.runner import BuildRunner, RealBuilds, interrupt_unfinished
from console.sandbox.vercel.serving import AppServers
from console.sandbox.vercel.store import (
    DeploymentRow,
    DomainRow,
    EnvRow,
    ProjectRow,
    VercelStore,
)

logger = logging.getLogger(__name__)

DEFAULT_TOKEN = "vercel_sandbox_token"
ENV_TYPES = frozenset({"system", "secret", "encrypted", "plain", "sensitive"})
ENV_TARGETS = frozenset({"production", "preview", "development"})
_PROJECT_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,98}[a-z0-9])?$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits
#: Seconds `stop()` waits for the server to end: a build and each `next start`
#: get a TERM, then a KILL after a grace period.
STOP_TIMEOUT = 30.0
#: What Vercel answers when its GitHub app cannot see the repository to link.
GIT_INTEGRATION_MISSING = (
    "To link a GitHub repository, you need to install the GitHub integration first."
)
VERCEL_GITHUB_APP = "https://github.com/apps/vercel"


def _random_id(prefix: str, length: int = 28, alphabet: str = _ALNUM) -> str:
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def loopback_site_url(sandbox_url: str, host: str, path: str = "/") -> str:
    """Where a deployed app's `https://{host}{path}` is served on loopback."""
    host = host.removeprefix("https://").removeprefix("http://").strip("/")
    return f"{sandbox_url.rstrip('/')}/_deployments/{host}/{path.lstrip('/')}"


def apex_of(domain: str) -> str:
    """The registrable name (naively the last two labels, e.g. example.com)."""
    return ".".join(domain.split(".")[-2:])


@dataclass(frozen=True)
class GitOwner:
    """A GitHub owner Vercel's GitHub app is installed on.

    Attributes:
        slug: the owner's login.
        owner_type: "user" or "team" (an organization), as Vercel names them.
        repos: the repositories it may see, or None for all of them.
    """

    slug: str
    owner_type: str = "user"
    repos: frozenset[str] | None = None

    @property
    def id(self) -> int:
        """A stable stand-in for GitHub's account id."""
        return int.from_bytes(hashlib.sha256(self.slug.lower().encode()).digest()[:4], "big")

    def sees(self, repo: str) -> bool:
        return self.repos is None or repo.lower() in self.repos


@dataclass
class _RateLimit:
    path: re.Pattern[str]
    times: int
    reset_in: float


@dataclass(frozen=True)
class SiteResponse:
    """What a deployed app answers on its production URL."""

    status: int
    project: str | None
    deployment_id: str | None


class VercelSandbox:
    """A local Vercel: projects, env, deployments that build, domains.

    Args:
        root: directory for the SQLite file (`vercel.sqlite3`) and, with real
            builds, the project folders (`builds/`) and built outputs
            (`outputs/`); reopening the same root restores all state.
        tokens: bearer tokens the API accepts.
        timing: seconds per state of simulated builds.
        clock: seconds since the epoch; tests pass a controllable clock.
        record: keep every exchange that reaches the app in `recorder` (tests;
            the long-running demo passes False).
        account: the one user owning everything.
        builds: build deployments for real (while served) instead of
            simulating them.
        simulation_notice: what simulated build logs say first (why they are
            simulated), e.g. `NODE_MISSING_NOTICE`.
        git_access: the GitHub owners Vercel's GitHub app is installed on, each
            with the repositories it may see (None: all of them). None: it
            sees every repository (git-namespaces then lists the owners
            projects are linked to).

    Attributes:
        app: the bare Starlette app.
        recorder: the exchanges that reached the app (not injected faults).
        faults: add `FaultRule`s here.
        asgi: what is served: ``FaultInjector(ExchangeRecorder(app))``.
    """

    def __init__(
        self,
        root: Path,
        *,
        tokens: Collection[str] = (DEFAULT_TOKEN,),
        timing: BuildTiming | None = None,
        clock: Callable[[], float] = time.time,
        record: bool = True,
        account: Account | None = None,
        builds: RealBuilds | None = None,
        simulation_notice: str | None = None,
        git_access: Mapping[str, Collection[str] | None] | None = None,
    ) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._git: dict[str, GitOwner] | None = None
        if git_access is not None:
            self._git = {}
            for owner, repos in git_access.items():
                self.grant_git_access(owner, repos=repos)
        self._rate_limits: list[_RateLimit] = []
        self.store = VercelStore(self.root / "vercel.sqlite3")
        self.tokens = frozenset(tokens)
        self.token = next(iter(tokens), DEFAULT_TOKEN)
        self.timing = timing or BuildTiming()
        self.clock = clock
        self.account = account or Account()
        self.simulation_notice = simulation_notice
        interrupt_unfinished(self.store, self.now_ms())
        self._servers: AppServers | None = None
        self._runner: BuildRunner | None = None
        if builds is not None:
            self._servers = AppServers(
                self.root / "outputs", builds.settings, limit=builds.max_servers
            )
            self._runner = BuildRunner(self, builds, self._servers, self.root)
        self.app: ASGIApp = build_app(self)
        self.recorder = ExchangeRecorder(self.app)
        self.faults = FaultInjector(self.recorder if record else self.app)
        self.asgi: ASGIApp = self.faults
        self.served: ServedApp | None = None

    # --- serving ----------------------------------------------------------
    def serve(self, *, port: int = 0) -> ServedApp:
        """Start serving on loopback (own thread); see `base_url`."""
        if self.served is None:
            self.served = serve("vercel", self.asgi, port=port)
        return self.served

    @property
    def base_url(self) -> str:
        """The API base (``http://127.0.0.1:PORT``), as for ``https://api.vercel.com``."""
        if self.served is None:
            raise RuntimeError("VercelSandbox.serve() first")
        return self.served.url

    def stop(self) -> None:
        """Stop serving (ending a build in progress and every `next start`), close the store."""
        if self.served is not None:
            self.served.stop(STOP_TIMEOUT)
            self.served = None
        self.store.close()

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """While served: real builds run and built apps are served, in the server's loop."""
        if self._runner is None or self._servers is None:
            yield
            return
        try:
            async with self._runner.running():
                yield
        finally:
            await self._servers.close()

    def site_url(self, deployment: Mapping[str, Any] | str, path: str = "/") -> str:
        """The loopback URL serving a deployment (dict with `url`) or a bare host."""
        host = deployment if isinstance(deployment, str) else str(deployment["url"])
        return loopback_site_url(self.base_url, host, path)

    def production_url(self, project: str) -> str:
        """Loopback URL of the project's production alias (`<name>.vercel.app`)."""
        return self.site_url(production_alias(self._project(project).name))

    # --- time and views ---------------------------------------------------
    def now_ms(self) -> int:
        return round(self.clock() * 1000)

    def _project(self, id_or_name: str) -> ProjectRow:
        project = self.store.find_project(id_or_name)
        if project is None:
            raise VercelApiError(404, "not_found", "Project not found")
        return project

    def _views(self, project: ProjectRow, now: int) -> tuple[list[DeploymentView], str | None]:
        """All the project's deployments (newest first) and the production one's id."""
        rows = self.store.list_deployments(project.id)
        plain = [DeploymentView(r, r.phases(now), []) for r in rows]
        auto = max(
            (v for v in plain if v.row.target == "production" and v.ready_at is not None),
            key=lambda v: v.ready_at or 0,
            default=None,
        )
        production = auto
        promoted = next((v for v in plain if v.row.id == project.promoted_deployment_id), None)
        if promoted is not None and promoted.state == "READY":
            promoted_at = project.promoted_at or 0
            # Pinned (a rollback): nothing replaces it. Else a newer one ready since does.
            if not project.auto_assign or auto is None or (auto.ready_at or 0) <= promoted_at:
                production = promoted
        production_id = None if production is None else production.row.id
        aliases = [production_alias(project.name)] + [
            d.name for d in self.store.list_domains(project.id) if d.verified and not d.redirect
        ]
        views = [replace(v, aliases=aliases) if v.row.id == production_id else v for v in plain]
        return views, production_id

    def project_views(
        self, project: ProjectRow, now: int | None = None
    ) -> tuple[list[DeploymentView], DeploymentView | None]:
        views, production_id = self._views(project, self.now_ms() if now is None else now)
        production = next((v for v in views if v.row.id == production_id), None)
        return views, production

    def deployment_view(self, id_or_url: str, now: int | None = None) -> DeploymentView:
        row = self.store.find_deployment(id_or_url)
        if row is None:
            raise VercelApiError(404, "not_found", "The deployment was not found")
        project = self._project(row.project_id)
        views, _ = self._views(project, self.now_ms() if now is None else now)
        return next(v for v in views if v.row.id == row.id)

    def events(
        self, id_or_url: str, now: int | None = None, *, start: int = 0
    ) -> tuple[DeploymentRow, list[BuildEvent]]:
        """The deployment and its build events so far, from the `start`-th on."""
        view = self.deployment_view(id_or_url, now)
        if view.row.mode == "real":
            return view.row, self.store.build_events(view.row.id, start)
        moment = self.now_ms() if now is None else now
        return view.row, visible_events(view.row.timeline, view.row.source, moment)[start:]

    # --- projects ---------------------------------------------------------
    def create_project(self, body: Mapping[str, Any]) -> ProjectRow:
        name = body.get("name")
        if not isinstance(name, str) or not _PROJECT_NAME.match(name):
            raise VercelApiError(
                400,
                "bad_request",
                "Project names can be up to 100 characters long and must be lowercase. They can"
                " include letters, digits, and the following characters: '.', '_', '-'.",
            )
        if self.store.find_project(name) is not None:
            raise VercelApiError(
                409, "conflict", f'Project "{name}" already exists, please use a new name.'
            )
        now = self.now_ms()
        link = None
        repo = body.get("gitRepository")
        if isinstance(repo, Mapping):
            link = self._link(repo, now)
            full = f"{link['org']}/{link['repo']}"
            if not self.git_sees(link["org"], link["repo"]):
                raise VercelApiError(
                    400,
                    "bad_request",
                    GIT_INTEGRATION_MISSING,
                    action="Install GitHub App",
                    link=VERCEL_GITHUB_APP,
                    repo=full,
                )
        framework = body.get("framework", "nextjs")
        region = body.get("serverlessFunctionRegion") or DEFAULT_REGION
        if region not in REGION_NAMES:
            raise VercelApiError(
                400, "bad_request", f"Invalid region {region!r} for serverlessFunctionRegion"
            )
        project = ProjectRow(
            id=_random_id("prj_"),
            name=name,
            framework=framework if isinstance(framework, str) else None,
            link=link,
            created_at=now,
            updated_at=now,
            promoted_deployment_id=None,
            promoted_at=None,
            health_status=200,
            region=region,
        )
        self.store.insert_project(project)
        logger.info("vercel sandbox: project %s created (%s)", project.id, name)
        return project

    @staticmethod
    def _link(repo: Mapping[str, Any], now: int) -> dict[str, Any]:
        full = str(repo.get("repo", ""))
        org, _, name = full.rpartition("/")
        if repo.get("type") != "github" or not org or not name:
            raise VercelApiError(
                400, "bad_request", "gitRepository must be a GitHub repository 'owner/name'"
            )
        digest = hashlib.sha256(full.encode()).digest()
        return {
            "type": "github",
            "org": org,
            "repo": name,
            "repoId": int.from_bytes(digest[:4], "big"),
            "repoOwnerId": int.from_bytes(digest[4:8], "big"),
            "productionBranch": "main",
            "deployHooks": [],
            "gitCredentialId": "",
            "sourceless": True,
            "createdAt": now,
            "updatedAt": now,
        }

    def get_project(self, id_or_name: str) -> ProjectRow:
        return self._project(id_or_name)

    def delete_project(self, id_or_name: str) -> None:
        project = self._project(id_or_name)
        if self._runner is not None:
            for row in self.store.unfinished_builds():
                if row.project_id == project.id:
                    self._runner.cancel(row.id)
        self.store.delete_project(project.id)
        logger.info("vercel sandbox: project %s deleted", project.id)

    # --- env --------------------------------------------------------------
    def create_envs(
        self, id_or_name: str, items: list[Mapping[str, Any]], *, upsert: bool
    ) -> tuple[list[EnvRow], list[dict[str, Any]]]:
        """Create (or with `upsert` replace) env vars; returns (created, failed)."""
        project = self._project(id_or_name)
        created: list[EnvRow] = []
        failed: list[dict[str, Any]] = []
        for item in items:
            env = self._parse_env(project.id, item)
            existing = [
                e
                for e in self.store.list_envs(project.id)
                if e.key == env.key
                and e.git_branch == env.git_branch
                and set(e.targets) & set(env.targets)
            ]
            if existing and not upsert:
                target = sorted(set(existing[0].targets) & set(env.targets))
                failed.append(
                    {
                        "error": {
                            "code": "ENV_CONFLICT",
                            "message": f"A variable with the name `{env.key}` already exists"
                            f" for the target {', '.join(target)} on branch undefined",
                            "key": env.key,
                            "envVarKey": env.key,
                            "envVarId": existing[0].id,
                            "target": target,
                        }
                    }
                )
                continue
            if existing:
                env = replace(env, id=existing[0].id, created_at=existing[0].created_at)
            self.store.upsert_env(env)
            created.append(env)
        return created, failed

    def _parse_env(self, project_id: str, item: Mapping[str, Any]) -> EnvRow:
        key, value, kind = item.get("key"), item.get("value"), item.get("type")
        targets = item.get("target")
        if isinstance(targets, str):
            targets = [targets]
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise VercelApiError(400, "bad_request", f"Invalid env key {key!r}")
        if not isinstance(value, str):
            raise VercelApiError(400, "bad_request", f"Missing value for env {key}")
        if kind not in ENV_TYPES:
            raise VercelApiError(400, "bad_request", f"Invalid env type {kind!r}")
        if (
            not isinstance(targets, list)
            or not targets
            or not set(targets) <= ENV_TARGETS
            or (kind == "sensitive" and "development" in targets)
        ):
            raise VercelApiError(
                400,
                "bad_request",
                f"Invalid target {targets!r} (sensitive variables cannot target development)",
            )
        now = self.now_ms()
        branch = item.get("gitBranch")
        comment = item.get("comment")
        return EnvRow(
            id=_random_id("", 16),
            project_id=project_id,
            key=key,
            value=value,
            type=str(kind),
            targets=[str(t) for t in targets],
            git_branch=branch if isinstance(branch, str) else None,
            comment=comment if isinstance(comment, str) else None,
            created_at=now,
            updated_at=now,
        )

    def list_envs(self, id_or_name: str) -> list[EnvRow]:
        return self.store.list_envs(self._project(id_or_name).id)

    def production_env(self, project_id: str) -> dict[str, str]:
        """What a production build and its server read: every production value, sensitive too."""
        return {
            env.key: env.value
            for env in self.store.list_envs(project_id)
            if "production" in env.targets and env.git_branch is None
        }

    # --- deployments ------------------------------------------------------
    def create_deployment(self, body: Mapping[str, Any]) -> DeploymentRow:
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise VercelApiError(400, "bad_request", "Missing required property `name`")
        project_ref = body.get("project") or name
        project = self._project(str(project_ref))
        git = body.get("gitSource")
        if not isinstance(git, Mapping):
            raise VercelApiError(
                400,
                "missing_files",
                "The sandbox deploys from `gitSource` only (no file uploads).",
            )
        newest = next(iter(self.store.list_deployments(project.id)), None)
        # getDeployments pages by creation time: two deployments of one project in
        # the same millisecond would straddle a page boundary and one be skipped.
        now = max(self.now_ms(), newest.created_at + 1 if newest is not None else 0)
        link = project.link or {}
        org = str(git.get("org") or link.get("org") or "")
        repo = str(git.get("repo") or link.get("repo") or "")
        ref = str(git.get("ref") or link.get("productionBranch") or "main")
        runner = self._runner
        if runner is not None:
            sha = self._pushed_commit(runner, org, repo, str(git.get("sha") or ref))
        else:
            sha = str(
                git.get("sha") or hashlib.sha1(f"{org}/{repo}@{ref}@{now}".encode()).hexdigest()
            )
        meta = {
            "githubCommitSha": sha,
            "githubCommitRef": ref,
            "githubCommitMessage": "Deploy from the l4yercak3 console",
            "githubCommitAuthorName": self.account.username,
            "githubOrg": org,
            "githubRepo": repo,
            "githubDeployment": "1",
        }
        extra_meta = body.get("meta")
        if isinstance(extra_meta, Mapping):
            meta.update({str(k): str(v) for k, v in extra_meta.items()})
        # The test controls of simulated builds (fail/hang the next one) do not
        # apply to real ones: their files decide.
        override = None if runner is not None else self.store.pop_override()
        outcome: Outcome = "ready"
        message: str | None = None
        if override is not None:
            outcome, message = override
        target = body.get("target")
        suffix = _random_id("", 9, _LOWER_ALNUM)
        row = DeploymentRow(
            id=_random_id("dpl_"),
            project_id=project.id,
            name=project.name,
            url=f"{project.name}-{suffix}-{self.account.scope_slug}.vercel.app",
            target=target if target in {"production", "staging"} else None,
            created_at=now,
            queued_ms=int(self.timing.queued * 1000),
            init_ms=int(self.timing.initializing * 1000),
            build_ms=int(self.timing.building * 1000),
            outcome=outcome,
            error_message=message or "Type error: Property 'title' does not exist on type '{}'.",
            canceled_at=None,
            git_source=dict(git),
            meta=meta,
            build_id=_random_id("bld_", 9, _LOWER_ALNUM),
            region=project.region,
            notice=self.simulation_notice,
        )
        if runner is None:
            self.store.insert_deployment(row)
            logger.info(
                "vercel sandbox: deployment %s created (%s, simulated %s)",
                row.id,
                project.name,
                outcome,
            )
            return row
        row = replace(row, mode="real", state="QUEUED", notice=None)
        queued = BuildEvent(0, "deployment-state", "QUEUED", ready_state="QUEUED")
        self.store.insert_deployment(row, [queued])
        logger.info("vercel sandbox: deployment %s queued (%s @ %s)", row.id, project.name, sha)
        runner.wake()
        return row

    @staticmethod
    def _pushed_commit(runner: BuildRunner, owner: str, repo: str, ref: str) -> str:
        """The sha a real build checks out; 400 when the repository has no such ref."""
        sha = runner.source.resolve(owner, repo, ref)
        if sha is None:
            raise VercelApiError(
                400,
                "incorrect_git_source_info",
                f"The provided GitHub repository ({owner}/{repo}) does not contain the requested"
                f" branch or commit reference ({ref}). Please ensure the repository is not empty.",
            )
        return sha

    def cancel_deployment(self, id_or_url: str) -> DeploymentView:
        view = self.deployment_view(id_or_url)
        if view.state in FINAL_STATES:
            raise VercelApiError(
                400, "deployment_not_cancelable", f"Deployment is already {view.state}"
            )
        now = self.now_ms()
        if view.row.mode == "simulated":
            self.store.cancel_deployment(view.row.id, now)
            return self.deployment_view(view.row.id)
        offset = now - view.row.created_at
        canceled = [
            BuildEvent(offset, "stderr", "The build was canceled.", level="warning"),
            BuildEvent(offset, "deployment-state", "CANCELED", ready_state="CANCELED"),
        ]
        if not self.store.advance(view.row.id, "CANCELED", now, canceled):
            state = self.deployment_view(view.row.id).state
            raise VercelApiError(400, "deployment_not_cancelable", f"Deployment is already {state}")
        if self._runner is not None:
            self._runner.cancel(view.row.id)
        logger.info("vercel sandbox: build of %s canceled", view.row.id)
        return self.deployment_view(view.row.id)

    def promote(self, project_id: str, deployment_id: str) -> None:
        """Point production (alias and custom domains) at a READY deployment.

        Promoting a deployment older than the newest READY production one is
        a rollback: production is pinned to it (auto-assignment off) until
        `resume_production`. Promoting the newest one lifts a pin.
        """
        project = self._project(project_id)
        view = self.deployment_view(deployment_id)
        if view.row.project_id != project.id:
            raise VercelApiError(404, "not_found", "The deployment was not found in this project")
        if view.state != "READY":
            raise VercelApiError(
                400, "deployment_not_ready", "Only READY deployments can be promoted"
            )
        now = self.now_ms()
        views, production_id = self._views(project, now)
        newest = max(
            (v for v in views if v.row.target == "production" and v.state == "READY"),
            key=lambda v: (v.row.created_at, v.row.id),
            default=None,
        )
        rollback = newest is not None and view.row.created_at < newest.row.created_at
        self.store.set_promoted(
            project.id,
            view.row.id,
            now,
            auto_assign=not rollback,
            alias_request={
                "fromDeploymentId": production_id or view.row.id,
                "toDeploymentId": view.row.id,
                "jobStatus": "succeeded",
                "requestedAt": now,
                "type": "rollback" if rollback else "promote",
            },
        )
        logger.info(
            "vercel sandbox: %s promoted to production of %s (pinned=%s)",
            view.row.id,
            project.id,
            rollback,
        )

    def resume_production(self, project_id: str) -> None:
        """unpauseProject: auto-assignment on again; production stays until a newer one is ready.

        Raises:
            VercelApiError: 400 for an unknown project, as Vercel documents.
        """
        project = self.store.find_project(project_id)
        if project is None:
            raise VercelApiError(400, "bad_request", f"Project {project_id} does not exist")
        now = self.now_ms()
        _, production_id = self._views(project, now)
        if production_id is not None:
            # Re-anchored at now: deployments that got ready while pinned stay out.
            self.store.set_promoted(project.id, production_id, now, auto_assign=True)
        logger.info("vercel sandbox: automatic production resumed for %s", project.id)

    def list_deployments(
        self,
        *,
        project: str | None,
        limit: int,
        until: int | None,
        since: int | None,
        target: str | None,
        states: set[str] | None,
        rollback_candidate: bool | None = None,
    ) -> tuple[list[DeploymentView], bool]:
        """Newest first; returns (page, has_more).

        A rollback candidate is a READY production deployment (what the
        console may promote back to).
        """
        now = self.now_ms()
        if project is not None:
            projects = [self._project(project)]
        else:
            seen = {r.project_id for r in self.store.list_deployments()}
            projects = [p for p in (self.store.find_project(i) for i in seen) if p is not None]
        views = [v for p in projects for v in self._views(p, now)[0]]
        views.sort(key=lambda v: (v.row.created_at, v.row.id), reverse=True)
        picked = [
            v
            for v in views
            if (until is None or v.row.created_at < until)
            and (since is None or v.row.created_at > since)
            and (target is None or v.row.target == target)
            and (states is None or v.state in states)
            and (rollback_candidate is None or is_rollback_candidate(v) == rollback_candidate)
        ]
        return picked[:limit], len(picked) > limit

    # --- domains ----------------------------------------------------------
    def add_domain(self, id_or_name: str, body: Mapping[str, Any]) -> DomainRow:
        project = self._project(id_or_name)
        name = str(body.get("name", "")).lower().rstrip(".")
        if not _DOMAIN.match(name):
            raise VercelApiError(400, "invalid_domain", f"The domain {name!r} is not valid")
        if name.endswith(".vercel.app"):
            raise VercelApiError(
                400, "invalid_domain", "The sandbox only adds custom domains, not *.vercel.app"
            )
        existing = self.store.find_domain(name)
        if existing is not None:
            raise VercelApiError(
                409,
                "domain_already_in_use",
                f"The domain {name} is already in use by "
                + ("this project" if existing.project_id == project.id else "another project"),
                projectId=existing.project_id,
            )
        now = self.now_ms()
        redirect = body.get("redirect")
        status = body.get("redirectStatusCode")
        branch = body.get("gitBranch")
        domain = DomainRow(
            name=name,
            project_id=project.id,
            apex_name=apex_of(name),
            verified=False,
            txt_present=False,
            dns_configured=False,
            challenge=secrets.token_hex(10),
            redirect=redirect if isinstance(redirect, str) else None,
            redirect_status=status if isinstance(status, int) else None,
            git_branch=branch if isinstance(branch, str) else None,
            created_at=now,
            updated_at=now,
        )
        self.store.insert_domain(domain)
        return domain

    def get_domain(self, id_or_name: str, name: str) -> DomainRow:
        project = self._project(id_or_name)
        domain = self.store.find_domain(name)
        if domain is None or domain.project_id != project.id:
            raise VercelApiError(
                404, "not_found", f"The domain {name} is not assigned to the project"
            )
        return domain

    def verify_domain(self, id_or_name: str, name: str) -> DomainRow:
        domain = self.get_domain(id_or_name, name)
        if domain.verified:
            return domain
        if not domain.txt_present:
            raise VercelApiError(
                400,
                "missing_txt_record",
                f"Domain {name} was added to your project but could not be verified: no TXT"
                f" record at _vercel.{domain.apex_name}.",
            )
        self.store.update_domain(domain.name, self.now_ms(), verified=True)
        return self.get_domain(id_or_name, name)

    def list_domains(self, id_or_name: str) -> list[DomainRow]:
        return self.store.list_domains(self._project(id_or_name).id)

    def remove_domain(self, id_or_name: str, name: str) -> None:
        domain = self.get_domain(id_or_name, name)
        self.store.delete_domain(domain.name)
        logger.info("vercel sandbox: domain %s removed from %s", domain.name, domain.project_id)

    # --- the GitHub integration -------------------------------------------
    def git_sees(self, owner: str, repo: str) -> bool:
        """Whether Vercel's GitHub app can see `owner/repo`."""
        with self._lock:
            if self._git is None:
                return True
            installed = self._git.get(owner.lower())
        return installed is not None and installed.sees(repo)

    def git_namespaces(self) -> list[GitOwner]:
        """The owners Vercel's GitHub app is installed on (listGitNamespaces)."""
        with self._lock:
            if self._git is not None:
                return sorted(self._git.values(), key=lambda o: o.slug.lower())
        return [GitOwner(owner) for owner in self.store.linked_owners()]

    def grant_git_access(
        self, owner: str, *, repos: Collection[str] | None = None, owner_type: str = "user"
    ) -> None:
        """Install Vercel's GitHub app on `owner`: all repositories, or only `repos`.

        The first grant (or revoke) on a sandbox made without `git_access`
        ends its see-everything default: from then on only the owners granted
        are seen.
        """
        chosen = None if repos is None else frozenset(r.lower() for r in repos)
        with self._lock:
            if self._git is None:
                self._git = {}
            self._git[owner.lower()] = GitOwner(owner, owner_type, chosen)

    def revoke_git_access(self, owner: str) -> None:
        """Uninstall Vercel's GitHub app from `owner`."""
        with self._lock:
            if self._git is None:
                self._git = {}
            self._git.pop(owner.lower(), None)

    # --- rate limits (test controls) ---------------------------------------
    def limit_rate(self, path: str = ".*", *, reset_in: float = 30.0, times: int = 1) -> None:
        """The next `times` API requests whose path matches `path` answer 429.

        As Vercel does: ``X-RateLimit-Limit``, ``X-RateLimit-Remaining: 0`` and
        ``X-RateLimit-Reset`` (epoch seconds, `reset_in` from the sandbox's
        clock), and no ``Retry-After``.
        """
        with self._lock:
            self._rate_limits.append(_RateLimit(re.compile(path), times, reset_in))

    def take_rate_limit(self, path: str) -> int | None:
        """The reset (epoch seconds) if a request to `path` is rate limited now."""
        with self._lock:
            for limit in self._rate_limits:
                if limit.times > 0 and limit.path.search(path):
                    limit.times -= 1
                    return int(self.clock() + limit.reset_in)
        return None

    # --- deployed sites (health checks) -----------------------------------
    async def app_url(self, deployment_id: str) -> str | None:
        """Where the build of a READY, really built deployment is served (started on demand).

        None for a simulated deployment (the sandbox answers its page itself).
        Call it on the server's loop.

        Raises:
            AppUnavailable: the build cannot be served (the message says why).
        """
        row = self.store.find_deployment(deployment_id)
        if row is None or row.mode != "real" or self._servers is None:
            return None
        return await self._servers.url(row.id, self.production_env(row.project_id))

    def site(self, host: str) -> SiteResponse:
        """What `https://{host}/` answers: 200 when READY and healthy."""
        host = host.lower()
        now = self.now_ms()
        row = self.store.find_deployment(host)
        project: ProjectRow | None
        if row is not None:
            project = self.store.find_project(row.project_id)
            deployment_id: str | None = row.id
        else:
            domain = self.store.find_domain(host)
            if domain is not None and domain.verified:
                project = self.store.find_project(domain.project_id)
            elif host.endswith(".vercel.app"):
                project = self.store.find_project(host.removesuffix(".vercel.app"))
            else:
                project = None
            deployment_id = None
            if project is not None:
                deployment_id = self._views(project, now)[1]
        if project is None or deployment_id is None:
            return SiteResponse(404, None, None)
        if self.deployment_view(deployment_id, now).state != "READY":
            return SiteResponse(404, project.name, deployment_id)
        return SiteResponse(project.health_status, project.name, deployment_id)

    # --- test controls ----------------------------------------------------
    def fail_next_build(self, message: str | None = None) -> None:
        """The next created deployment ends in ERROR, with `message` in its stderr."""
        self.store.push_override("error", message)

    def hang_next_build(self) -> None:
        """The next created deployment stays BUILDING forever (timeout tests)."""
        self.store.push_override("hang", None)

    def set_build_outcome(
        self, deployment_id: str, outcome: Outcome, message: str | None = None
    ) -> None:
        """Change how an existing simulated deployment's build ends (from now on)."""
        view = self.deployment_view(deployment_id)
        if view.row.mode == "real":
            raise VercelApiError(400, "bad_request", "A real build's outcome is its own")
        self.store.set_outcome(view.row.id, outcome, message)

    def fail_health_check(self, project: str, status: int = 500) -> None:
        """The project's sites answer `status` (500, 404, ...) instead of the page."""
        self.store.set_health(self._project(project).id, status)

    def restore_health_check(self, project: str) -> None:
        self.store.set_health(self._project(project).id, 200)

    def set_domain_dns(self, domain: str, *, txt: bool = True, configured: bool = True) -> None:
        """Pretend the owner set DNS: the TXT challenge and/or the A/CNAME record."""
        row = self.store.find_domain(domain)
        if row is None:
            raise VercelApiError(404, "not_found", f"Unknown domain {domain}")
        self.store.update_domain(
            row.name, self.now_ms(), txt_present=txt, dns_configured=configured
        )

    def mark_domain_verified(self, domain: str) -> None:
        """DNS is set (TXT and A/CNAME) and Vercel has verified the domain."""
        self.set_domain_dns(domain, txt=True, configured=True)
        self.store.update_domain(domain, self.now_ms(), verified=True)

    def set_timing(self, timing: BuildTiming) -> None:
        """Durations for deployments created from now on."""
        self.timing = timing
