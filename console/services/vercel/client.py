"""Vercel REST client (httpx): projects, env vars, deployments, domains.

Every operation is one coroutine returning typed objects from `models.py`.
Paths and versions are those of the contract (`tests/data/contracts/vercel.json`).
`team_id`, when configured, is sent as the ``teamId`` query parameter on every
call. Vercel has no idempotency keys: POSTs are not retried after a send that
may have reached Vercel, except the ones that are safe to repeat (an env
upsert, a domain verification check).

Reads that Vercel cuts into pieces are read whole: a build log
(getDeploymentEvents answers a limited number of events) is read again from
its last event until a read comes back short, and a project's history
(getDeployments) is followed page by page through ``pagination.next``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import quote

import httpx

from console.errors import ValidationFailed
from console.services.http import HttpApi, Reader, RetryPolicy
from console.services.vercel.models import (
    Deployment,
    DeploymentEvent,
    DeploymentList,
    DeploymentSummary,
    DomainConfig,
    EnvCreateResult,
    EnvVar,
    EnvVarInput,
    GitNamespace,
    GitSource,
    Project,
    ProjectDomain,
    ProjectDomainList,
    parse_env_list,
)

logger = logging.getLogger(__name__)

REMOTE = "vercel"
#: Events asked for per read of a build log.
EVENTS_PAGE_SIZE = 500
#: Deployments asked for per page of a project's history (getDeployments' largest page).
DEPLOYMENTS_PAGE_SIZE = 100
#: Where the Vercel GitHub app is installed and given access to repositories.
VERCEL_GITHUB_APP = "https://github.com/apps/vercel"
#: Vercel's 400 when its GitHub app cannot see the repository a project links to.
_GIT_ACCESS_MESSAGE = "install the github integration"


class GitAccessMissing(ValidationFailed):
    """Vercel's GitHub app cannot see a GitHub owner or repository the console uses."""

    action = (
        f"On GitHub, open {VERCEL_GITHUB_APP} → Configure, pick the owner and give Vercel "
        "access to its repositories (All repositories: the console creates new ones), "
        "then try again."
    )


def _seg(value: str) -> str:
    """One path segment, escaped (ids, names and domains never carry a slash)."""
    return quote(value, safe="")


class VercelClient:
    """Typed coroutines over Vercel's REST API.

    Args:
        http: the Vercel `httpx.AsyncClient` (see `console.services.http.build_client`),
            base_url ``https://api.vercel.com`` or the sandbox's URL.
        team_id: the team to act in, or None for the personal account.
        policy: the retry policy; the default if None.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        team_id: str | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._http = http
        self._api = HttpApi(http, remote=REMOTE, policy=policy)
        self._team_id = team_id or None

    async def aclose(self) -> None:
        """Close the underlying HTTP client."""
        await self._http.aclose()

    def _params(self, **extra: Any) -> dict[str, Any]:
        params = {k: v for k, v in extra.items() if v is not None}
        if self._team_id:
            params["teamId"] = self._team_id
        return params

    async def _call(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: object = None,
        idempotent: bool | None = None,
    ) -> Reader:
        return await self._api.request_reader(
            method,
            url,
            params=self._params(**(params or {})),
            json_body=body,
            idempotent=idempotent,
        )

    # ------------------------------------------------------------------ projects

    async def create_project(
        self,
        name: str,
        *,
        framework: str | None = "nextjs",
        git_repo: str | None = None,
        git_type: Literal["github", "github-limited"] = "github",
        env: Sequence[EnvVarInput] = (),
        build_command: str | None = None,
        install_command: str | None = None,
        root_directory: str | None = None,
        region: str | None = None,
    ) -> Project:
        """createProject: ``POST /v11/projects``.

        Args:
            name: project name (unique in the team; 409 `Conflict` otherwise).
            framework: Vercel framework preset.
            git_repo: ``owner/name`` of the GitHub repository to link.
            git_type: the Git provider integration.
            env: variables to create with the project.
            build_command: override of the framework's build command.
            install_command: override of the install command.
            root_directory: subfolder holding the app.
            region: where its functions run (``serverlessFunctionRegion``, e.g. fra1).

        Raises:
            GitAccessMissing: Vercel's GitHub app cannot see `git_repo`.
        """
        body: dict[str, object] = {"name": name}
        if framework is not None:
            body["framework"] = framework
        if git_repo:
            body["gitRepository"] = {"type": git_type, "repo": git_repo}
        if env:
            body["environmentVariables"] = [_project_env(v) for v in env]
        for key, value in (
            ("buildCommand", build_command),
            ("installCommand", install_command),
            ("rootDirectory", root_directory),
            ("serverlessFunctionRegion", region),
        ):
            if value is not None:
                body[key] = value
        try:
            reader = await self._call("POST", "/v11/projects", body=body)
        except ValidationFailed as exc:
            if git_repo and _GIT_ACCESS_MESSAGE in str(exc).lower():
                owner = git_repo.partition("/")[0]
                raise GitAccessMissing(
                    f"Vercel's GitHub app cannot see {git_repo}, so Vercel cannot build it: "
                    f"give the app access to {owner}'s repositories on GitHub",
                    remote=REMOTE,
                    status=exc.status,
                    code=exc.code,
                ) from exc
            raise
        project = Project.parse(reader)
        logger.info("vercel project %s created (%d env vars)", project.id, len(env))
        return project

    async def get_project(self, id_or_name: str) -> Project:
        """getProject: ``GET /v9/projects/{idOrName}``."""
        return Project.parse(await self._call("GET", f"/v9/projects/{_seg(id_or_name)}"))

    async def delete_project(self, id_or_name: str) -> None:
        """deleteProject: ``DELETE /v9/projects/{idOrName}`` (204)."""
        await self._api.send("DELETE", f"/v9/projects/{_seg(id_or_name)}", params=self._params())
        logger.info("vercel project %s deleted", id_or_name)

    async def resume_production(self, project_id: str) -> None:
        """Let new production deployments go live again after a rollback pinned production.

        unpauseProject, ``POST /v1/projects/{projectId}/unpause`` (not in our
        contract subset): Vercel documents that it "enables auto assigning
        custom production domains and unblocks the active Production
        Deployment". Production keeps serving the pinned deployment until the
        next production deployment is ready. Answers 200 without a body;
        repeatable.
        """
        await self._api.send(
            "POST",
            f"/v1/projects/{_seg(project_id)}/unpause",
            params=self._params(),
            idempotent=True,
        )
        logger.info("vercel project %s: automatic production resumed", project_id)

    async def list_git_namespaces(self, provider: str = "github") -> tuple[GitNamespace, ...]:
        """The Git owners Vercel's Git integration can see (listGitNamespaces).

        ``GET /v1/integrations/git-namespaces`` (not in our contract subset).
        """
        reader = await self._call(
            "GET", "/v1/integrations/git-namespaces", params={"provider": provider}
        )
        return tuple(GitNamespace.parse(x) for x in reader.elements())

    # ------------------------------------------------------------------ env

    async def create_env(
        self, project: str, variables: Sequence[EnvVarInput], *, upsert: bool = True
    ) -> EnvCreateResult:
        """createProjectEnv: ``POST /v10/projects/{idOrName}/env`` (a batch).

        With `upsert` the call is repeatable, so it is retried like a GET.
        """
        if not variables:
            return EnvCreateResult(created=(), failed=())
        body = [v.to_json() for v in variables]
        result = EnvCreateResult.parse(
            await self._call(
                "POST",
                f"/v10/projects/{_seg(project)}/env",
                params={"upsert": "true" if upsert else None},
                body=body,
                idempotent=upsert,
            )
        )
        logger.info(
            "vercel project %s: %d env vars set, %d refused",
            project,
            len(result.created),
            len(result.failed),
        )
        return result

    async def list_env(self, project: str) -> tuple[EnvVar, ...]:
        """filterProjectEnvs: ``GET /v10/projects/{idOrName}/env`` (values not kept)."""
        return parse_env_list(await self._call("GET", f"/v10/projects/{_seg(project)}/env"))

    # ------------------------------------------------------------------ deployments

    async def create_deployment(
        self,
        name: str,
        *,
        git_source: GitSource,
        project: str | None = None,
        target: Literal["production", "staging"] | None = "production",
        meta: Mapping[str, str] | None = None,
    ) -> Deployment:
        """createDeployment: ``POST /v13/deployments`` from a GitHub commit.

        Not retried once sent: a repeat would start a second build.
        """
        body: dict[str, object] = {"name": name, "gitSource": git_source.to_json()}
        if project:
            body["project"] = project
        if target:
            body["target"] = target
        if meta:
            body["meta"] = dict(meta)
        deployment = Deployment.parse(await self._call("POST", "/v13/deployments", body=body))
        logger.info("vercel deployment %s created (%s)", deployment.id, deployment.ready_state)
        return deployment

    async def get_deployment(self, id_or_url: str) -> Deployment:
        """getDeployment: ``GET /v13/deployments/{idOrUrl}``."""
        return Deployment.parse(await self._call("GET", f"/v13/deployments/{_seg(id_or_url)}"))

    async def list_deployments(
        self,
        *,
        project_id: str | None = None,
        limit: int | None = 20,
        until: int | None = None,
        since: int | None = None,
        target: str | None = None,
        state: str | None = None,
        rollback_candidate: bool | None = None,
    ) -> DeploymentList:
        """getDeployments: ``GET /v6/deployments``, newest first: one page.

        Pass the previous page's ``page.next`` as `until` for older items
        (`list_all_deployments` does).
        """
        params: dict[str, Any] = {
            "projectId": project_id,
            "limit": limit,
            "until": until,
            "since": since,
            "target": target,
            "state": state,
        }
        if rollback_candidate is not None:
            params["rollbackCandidate"] = "true" if rollback_candidate else "false"
        return DeploymentList.parse(await self._call("GET", "/v6/deployments", params=params))

    async def list_all_deployments(
        self, project_id: str, *, page_size: int = DEPLOYMENTS_PAGE_SIZE
    ) -> tuple[DeploymentSummary, ...]:
        """Every deployment of a project, newest first: getDeployments page after page.

        Each page asks for `page_size` deployments ``until`` the previous
        page's ``pagination.next``, until Vercel sends no ``next``.
        """
        found: dict[str, DeploymentSummary] = {}
        until: int | None = None
        pages = 0
        while True:
            page = await self.list_deployments(project_id=project_id, limit=page_size, until=until)
            pages += 1
            for item in page.deployments:
                found.setdefault(item.id, item)
            following = page.page.next
            if following is None or not page.deployments:
                break
            if until is not None and following >= until:
                # A cursor that does not move back in time would loop forever.
                logger.info("vercel project %s: history cursor stuck at %d", project_id, until)
                break
            until = following
        logger.debug("vercel project %s: %d deployments in %d pages", project_id, len(found), pages)
        return tuple(found.values())

    async def get_deployment_events(
        self, id_or_url: str, *, since: int | None = None, page_size: int = EVENTS_PAGE_SIZE
    ) -> tuple[DeploymentEvent, ...]:
        """The whole build log (from `since`, if given): getDeploymentEvents, read to the end.

        ``GET /v3/deployments/{idOrUrl}/events``. Without ``limit`` Vercel
        answers only part of a long log, so each read asks for `page_size`
        events ``since`` the last one seen; a read that comes back short ends
        the log. A full read that does not get past one millisecond is
        followed by one ``limit=-1`` read ("all available logs", the
        contract says) from there. Poll with `since` = the last event's
        ``created`` to follow a build.
        """
        url = f"/v3/deployments/{_seg(id_or_url)}/events"
        events: list[DeploymentEvent] = []
        seen: set[tuple[object, ...]] = set()
        cursor, limit, reads = since, page_size, 0
        while True:
            reader = await self._call(
                "GET", url, params={"since": cursor, "limit": limit, "direction": "forward"}
            )
            reads += 1
            page = [DeploymentEvent.parse(x) for x in reader.elements()]
            for event in page:
                if event.key not in seen:
                    seen.add(event.key)
                    events.append(event)
            if limit == -1 or len(page) < limit:
                break
            if cursor is not None and page[-1].created <= cursor:
                limit = -1  # a whole page in one millisecond: `since` cannot get past it
            else:
                cursor = page[-1].created
        logger.debug("vercel deployment %s: %d events in %d reads", id_or_url, len(events), reads)
        return tuple(events)

    async def cancel_deployment(self, deployment_id: str) -> Deployment:
        """cancelDeployment: ``PATCH /v12/deployments/{id}/cancel``.

        Not in our contract subset (Vercel's public API has it); repeatable.
        """
        reader = await self._call(
            "PATCH", f"/v12/deployments/{_seg(deployment_id)}/cancel", idempotent=True
        )
        return Deployment.parse(reader)

    async def promote_deployment(self, project_id: str, deployment_id: str) -> None:
        """Point production at an existing deployment (redeploy / roll back).

        ``POST /v10/projects/{projectId}/promote/{deploymentId}``: not in our
        contract subset (Vercel's public API has it); answers 201/202 without
        a body we use. Repeatable: promoting twice has one effect.
        """
        await self._api.send(
            "POST",
            f"/v10/projects/{_seg(project_id)}/promote/{_seg(deployment_id)}",
            params=self._params(),
            idempotent=True,
        )
        logger.info("vercel project %s: promoted %s", project_id, deployment_id)

    # ------------------------------------------------------------------ domains

    async def add_domain(
        self,
        project: str,
        name: str,
        *,
        redirect: str | None = None,
        git_branch: str | None = None,
    ) -> ProjectDomain:
        """addProjectDomain: ``POST /v10/projects/{idOrName}/domains``."""
        body: dict[str, object] = {"name": name}
        if redirect:
            body["redirect"] = redirect
        if git_branch:
            body["gitBranch"] = git_branch
        domain = ProjectDomain.parse(
            await self._call("POST", f"/v10/projects/{_seg(project)}/domains", body=body)
        )
        logger.info("vercel project %s: domain added (verified=%s)", project, domain.verified)
        return domain

    async def get_domain(self, project: str, domain: str) -> ProjectDomain:
        """getProjectDomain: ``GET /v9/projects/{idOrName}/domains/{domain}``."""
        return ProjectDomain.parse(
            await self._call("GET", f"/v9/projects/{_seg(project)}/domains/{_seg(domain)}")
        )

    async def verify_domain(self, project: str, domain: str) -> ProjectDomain:
        """verifyProjectDomain: ``POST .../domains/{domain}/verify`` (a check; repeatable).

        Raises:
            ValidationFailed: Vercel could not verify yet (400 with its reason).
        """
        return ProjectDomain.parse(
            await self._call(
                "POST",
                f"/v9/projects/{_seg(project)}/domains/{_seg(domain)}/verify",
                idempotent=True,
            )
        )

    async def remove_domain(self, project: str, domain: str) -> None:
        """removeProjectDomain: ``DELETE /v9/projects/{idOrName}/domains/{domain}``.

        Not in the contract subset (the sandbox serves it as an extension).
        """
        await self._call(
            "DELETE", f"/v9/projects/{_seg(project)}/domains/{_seg(domain)}", idempotent=True
        )
        logger.info("vercel project %s: domain removed", project)

    async def list_domains(self, project: str, *, limit: int | None = None) -> ProjectDomainList:
        """getProjectDomains: ``GET /v9/projects/{idOrName}/domains``."""
        url = f"/v9/projects/{_seg(project)}/domains"
        return ProjectDomainList.parse(await self._call("GET", url, params={"limit": limit}))

    async def get_domain_config(self, domain: str, *, project: str | None = None) -> DomainConfig:
        """getDomainConfig: ``GET /v6/domains/{domain}/config`` (DNS records to set)."""
        return DomainConfig.parse(
            await self._call(
                "GET", f"/v6/domains/{_seg(domain)}/config", params={"projectIdOrName": project}
            )
        )


def _project_env(var: EnvVarInput) -> dict[str, object]:
    """createProject's inline env item (no comment field there)."""
    body = var.to_json()
    body.pop("comment", None)
    return body
