"""New client provisioning: the 8-step resumable pipeline with a step log.

1. Create sub-org        the child organization on the platform (status provisioning)
2. Generate portal       a builder app in the child org; its files: the scaffold
                         (conversations, bookings, invoices, contacts) plus the
                         portal overlay in `templates/portal/` (dashboard, settings,
                         branding from the client's colour and logo); the badge
                         follows the agency's tier
3. Push to GitHub        a repository and one atomic commit
4. Create Vercel project linked to the repository        } the deploy pipeline's
5. Environment variables incl. the sensitive platform     } own steps, reused
                         key and the webhook's secret     }
6. Deploy                create the deployment and follow it to READY
7. Health check          the production URL answers with the portal
8. Mark active           production URL on the builder app, child active

What a run creates is in the ledger before each create call. A failure rolls
back what the run created (the repository, the builder app and its API key
and webhook, the Vercel project) and marks the child org failed with its
log; the child itself is kept for the retry. A failed health check keeps the
deployment and marks the client ``warning`` (the provisioning plan: manual
investigation); it can then be checked again or rolled back. Abandoning a
run removes everything it created, the child organization too. Platform
writes carry idempotency keys derived from the run, so a resumed or retried
run never creates a second sub-org.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from console.errors import NotFound, UserInputError
from console.paths import templates_dir
from console.services.deploy.deploy import DeployService, app_facts, repo_of, vercel_name
from console.services.deploy.events import Progress
from console.services.deploy.ledger import REMOVED, ResourceRemover
from console.services.deploy.pipeline import Pipeline, Step, StepContext
from console.services.github.client import GitHubClient
from console.services.platform.client import PlatformClient
from console.services.platform.models import CategoryId, ChildStatus
from console.services.scaffold.config import Category, PublishConfig, Tier
from console.services.scaffold.generator import render_scaffold
from console.services.scaffold.webhook import WEBHOOK_PATH
from console.store.db import Store
from console.store.models import Organization, Project

logger = logging.getLogger(__name__)

KIND = "provision"
PORTAL_CATEGORIES: tuple[CategoryId, ...] = ("crm", "invoices", "bookings", "conversations")
PORTAL_SECTIONS = (
    ("/chat", "Conversations"),
    ("/bookings", "Bookings"),
    ("/invoices", "Invoices"),
    ("/contacts", "Contacts"),
    ("/settings", "Settings"),
)
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class NewClient:
    """What the "New client" dialog collects."""

    name: str
    slug: str
    contact_email: str
    brand_color: str = "#4F46E5"
    logo_url: str | None = None

    def validate(self) -> None:
        if not self.name.strip():
            raise UserInputError("Enter the client's name.")
        if not _SLUG.match(self.slug):
            raise UserInputError("The slug takes lowercase letters, digits and dashes.")
        if "@" not in self.contact_email:
            raise UserInputError("Enter the client's contact email.")
        if not _COLOR.match(self.brand_color):
            raise UserInputError("The brand colour is a hex colour like #4F46E5.")


def portal_templates_dir() -> Path:
    return templates_dir() / "portal"


def portal_config(name: str, repo_name: str, org_id: str, tier: Tier) -> PublishConfig:
    """What a client's portal is generated from; `tier` is the agency's (badge)."""
    return PublishConfig(
        app_name=f"{name} portal",
        repo_name=repo_name,
        description=f"Client portal of {name}",
        categories=tuple(Category(c) for c in PORTAL_CATEGORIES),
        tier=tier,
        org_id=org_id,
    )


def render_portal(
    name: str,
    repo_name: str,
    org_id: str,
    brand_color: str,
    logo_url: str | None,
    tier: Tier,
) -> dict[str, bytes]:
    """The portal's files: the scaffold for its categories, then the portal overlay."""
    files = render_scaffold(portal_config(name, repo_name, org_id, tier))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(portal_templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # TypeScript, not HTML; values go through `tojson`
    )
    context: dict[str, Any] = {
        "client_name": name,
        "primary_color": brand_color,
        "logo_url": logo_url,
        "sections": [{"href": h, "title": t} for h, t in PORTAL_SECTIONS],
    }
    for template in sorted(env.list_templates(extensions=["j2"])):
        files[template.removesuffix(".j2")] = env.get_template(template).render(context).encode()
    return files


class ProvisioningService:
    """Runs the new-client pipeline.

    Args:
        store: the local store.
        platform: the platform client.
        github: the GitHub client.
        deploy: the DeployService (its Vercel/env/webhook/deploy/health/record steps).
        github_owner: organization to create repositories in ("" = the token's user).
    """

    def __init__(
        self,
        store: Store,
        platform: PlatformClient,
        github: GitHubClient,
        deploy: DeployService,
        *,
        github_owner: str = "",
    ) -> None:
        self.store = store
        self.platform = platform
        self.github = github
        self.deploy = deploy
        self.github_owner = github_owner
        steps = {s.name: s for s in deploy.pipeline.steps}
        self.pipeline = Pipeline(
            store,
            KIND,
            [
                Step("suborg", "Create sub-org", self._suborg),
                Step("portal", "Generate portal project", self._portal),
                Step("push", "Push to GitHub", self._push),
                Step("vercel", "Create Vercel project", steps["project"].run),
                Step("env", "Environment variables", self._env),
                Step("deploy", "Deploy", self._deploy, steps["deploy"].undo),
                Step("health", "Health check", steps["health"].run, soft=True),
                Step("activate", "Mark active", self._activate),
            ],
            remover=ResourceRemover(deploy.vercel, platform, github),
            on_failed=self._mark_failed,
            on_abandoned=self._mark_abandoned,
            # The child is the client's record: failed, with its log, until retried.
            keep_on_failure=frozenset({"sub_org"}),
            result_url=lambda s: s.get("production_url"),
        )
        self._steps = steps

    # ------------------------------------------------------------------ public API

    def start(self, client: NewClient) -> int:
        """A new provisioning run for `client` (validated)."""
        client.validate()
        name = vercel_name(f"{client.slug}-portal")
        facts = app_facts(portal_config(client.name, name, "", Tier.FREE), WEBHOOK_PATH)
        state: dict[str, Any] = {
            "client_name": client.name,
            "slug": client.slug,
            "contact_email": client.contact_email,
            "brand_color": client.brand_color,
            "logo_url": client.logo_url,
            "vercel_name": name,
            "site_url": f"https://{name}.vercel.app",
            "categories": list(PORTAL_CATEGORIES),
            **facts,
        }
        return self.pipeline.create(client.slug, state)

    async def run(self, run_id: int, progress: Progress | None = None) -> dict[str, Any]:
        """Run, resume or retry a provisioning run; on a warning run, check again."""
        return await self.pipeline.run(run_id, progress)

    async def provision(
        self, client: NewClient, progress: Progress | None = None
    ) -> dict[str, Any]:
        return await self.run(self.start(client), progress)

    def unfinished(self) -> list[int]:
        return self.pipeline.unfinished()

    async def abandon(
        self, run_id: int, progress: Progress | None = None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Give the client up: remove everything the run created, the sub-org too."""
        return await self.pipeline.abandon(run_id, progress)

    # ------------------------------------------------------------------ steps

    async def _suborg(self, ctx: StepContext) -> None:
        s = ctx.state
        mine = ctx.owned("sub_org", s["slug"])
        entry = mine.id if mine is not None else ctx.intend("platform", "sub_org", s["slug"])
        child = await self.platform.create_child(
            name=s["client_name"],
            slug=s["slug"],
            contact_email=s["contact_email"],
            brand_primary_color=s["brand_color"],
            brand_logo_url=s["logo_url"],
            idempotency_key=ctx.idempotency_key("child", per_attempt=False),
        )
        ctx.ledger.created(entry, child.id)
        s["org_id"] = child.id
        with self.store.write() as tx:
            tx.session.merge(
                Organization(
                    id=child.id,
                    parent_id=child.parent_id,
                    name=child.name,
                    slug=child.slug,
                    status=child.status,
                    contact_email=child.contact_email,
                    brand_color=child.brand_primary_color,
                    logo_url=child.brand_logo_url,
                )
            )
        ctx.emit(f"Sub-organization {child.name} ({child.id}) created")

    async def _portal(self, ctx: StepContext) -> None:
        s = ctx.state
        if "tier" not in s:  # the agency's plan decides the portal's badge
            s["tier"] = (await self.platform.get_organization()).tier
            ctx.checkpoint()
        slug = f"{s['slug']}-portal"
        mine = ctx.owned("builder_app", slug)
        entry = (
            mine.id
            if mine is not None
            else ctx.intend("platform", "builder_app", slug, org_id=s["org_id"])
        )
        app = await self.platform.create_builder_app(
            name=f"{s['client_name']} portal",
            slug=slug,
            owner_org_id=s["org_id"],
            architecture="thin_client",
            categories=list(PORTAL_CATEGORIES),
            # One key per intent: a retry after a rollback deleted the app makes a new one.
            idempotency_key=ctx.idempotency_key(f"portal-app-{entry}", per_attempt=False),
        )
        ctx.ledger.created(entry, app.id)
        s["app_id"] = app.id
        s["app_name"] = app.name
        files = self._render(s)
        with self.store.write() as tx:
            project = tx.session.query(Project).filter_by(remote_id=app.id).one_or_none()
            if project is None:
                project = Project(remote_id=app.id)
                tx.session.add(project)
            project.org_id = s["org_id"]
            project.name = app.name
            project.slug = app.slug
            project.status = "draft"
            project.categories = list(PORTAL_CATEGORIES)
            project.source = "portal"
            tx.session.flush()
            s["project_id"] = project.id
        ctx.emit(f"Portal app {app.id}: {len(files)} files, {s['tier'].capitalize()} plan")

    async def _push(self, ctx: StepContext) -> None:
        s = ctx.state
        name = f"{s['slug']}-portal"
        owner = self.github_owner or await self._login()
        full = f"{owner}/{name}"
        mine = ctx.owned("repository", full)
        try:
            repo = await self.github.get_repo(owner, name)
        except NotFound:
            entry = mine.id if mine is not None else ctx.intend("github", "repository", full)
            repo = await self.github.create_repo(self.github_owner or None, name, private=True)
            ctx.ledger.created(entry, repo.full_name)
            head = repo.head
        else:
            if mine is None:
                raise UserInputError(
                    f"GitHub already has a repository {full}, which this provisioning did not "
                    "create: remove it, or provision the client with another slug."
                )
            ctx.ledger.created(mine.id, repo.full_name)  # a resumed run's, or one left behind
            head = await self.github.get_head(repo.owner, repo.name, repo.default_branch)
        commit = await self.github.commit_files(
            repo.owner,
            repo.name,
            repo.default_branch,
            self._render(s),
            f"Portal for {s['client_name']} (console provisioning)",
            head,
            allow_diverged=True,
        )
        s["repo"] = f"{repo.owner}/{repo.name}"
        repo_url = f"https://github.com/{repo.owner}/{repo.name}"
        await self.platform.update_builder_app(
            s["app_id"],
            repo_url=repo_url,
            status="published",
            idempotency_key=ctx.idempotency_key(f"published-{s['app_id']}"),
        )
        with self.store.write() as tx:
            project = tx.session.get(Project, s["project_id"])
            if project is not None:
                project.repo_url = repo_url
                project.status = "published"
        ctx.emit(f"Pushed {commit.sha[:7]} to {s['repo']}")

    async def _env(self, ctx: StepContext) -> None:
        # The webhook's secret too: the deployment must start with every variable.
        await self._steps["env"].run(ctx)
        await self._steps["webhook"].run(ctx)

    async def _deploy(self, ctx: StepContext) -> None:
        await self._steps["deploy"].run(ctx)
        await self._steps["build"].run(ctx)

    async def _activate(self, ctx: StepContext) -> None:
        s = ctx.state
        await self._steps["record"].run(ctx)
        status: ChildStatus = "warning" if ctx.warning else "active"
        await self.platform.update_child(
            s["org_id"],
            status=status,
            portal_url=s["production_url"],
            idempotency_key=ctx.idempotency_key(f"mark-{status}"),
        )
        with self.store.write() as tx:
            org = tx.session.get(Organization, s["org_id"])
            if org is not None:
                org.status = status
                org.portal_url = s["production_url"]
                org.updated_at = datetime.now(UTC)
        if ctx.warning:
            ctx.emit(f"{s['client_name']}: portal at {s['production_url']} marked warning")
        else:
            ctx.emit(f"{s['client_name']} is live at {s['production_url']}")

    async def _mark_failed(self, ctx: StepContext, step: str) -> None:
        s = ctx.state
        app_gone = self._forget_removed_app(ctx)
        if not s.get("org_id"):
            return  # nothing was created on the platform
        await self.platform.update_child(
            s["org_id"], status="failed", idempotency_key=ctx.idempotency_key(f"failed-{step}")
        )
        with self.store.write() as tx:
            org = tx.session.get(Organization, s["org_id"])
            if org is not None:
                org.status = "failed"
        if s.get("app_id") and not app_gone:
            await self.platform.record_deployment(
                s["app_id"], "failed", idempotency_key=ctx.idempotency_key(f"app-failed-{step}")
            )

    async def _mark_abandoned(self, ctx: StepContext, step: str) -> None:
        """The client is given up: what the platform no longer has leaves the store too."""
        s = ctx.state
        self._forget_removed_app(ctx)
        child = ctx.ledger.owned(ctx.run_id, "sub_org", s["slug"])
        if s.get("org_id") and child is None:  # removed (not left behind)
            with self.store.write() as tx:
                org = tx.session.get(Organization, s["org_id"])
                if org is not None:
                    tx.session.delete(org)

    # ------------------------------------------------------------------ helpers

    def _forget_removed_app(self, ctx: StepContext) -> bool:
        """Drop the local project of a portal app the rollback removed; whether it was."""
        s = ctx.state
        removed = [
            r for r in ctx.ledger.of_run(ctx.run_id, statuses=(REMOVED,)) if r.kind == "builder_app"
        ]
        if not removed or s.get("project_id") is None:
            return False
        with self.store.write() as tx:
            project = tx.session.get(Project, s["project_id"])
            if project is not None and project.remote_id in {r.remote_id for r in removed}:
                tx.session.delete(project)
        s.pop("project_id", None)
        return True

    def _render(self, s: dict[str, Any]) -> dict[str, bytes]:
        return render_portal(
            s["client_name"],
            f"{s['slug']}-portal",
            s["org_id"],
            s["brand_color"],
            s["logo_url"],
            Tier(s["tier"]),
        )

    async def _login(self) -> str:
        user = await self.github.get_user()
        return user.login


__all__ = ["NewClient", "ProvisioningService", "render_portal", "repo_of"]
