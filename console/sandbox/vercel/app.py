"""HTTP face of the Vercel sandbox (Starlette).

Contract operations (tests/data/contracts/vercel.json): createProject,
getProject, deleteProject, createProjectEnv, filterProjectEnvs,
createDeployment, getDeployment, getDeploymentEvents (JSON array, or
`?follow=1` as an `application/stream+json` stream of one JSON object per
line), addProjectDomain, getProjectDomain, verifyProjectDomain,
getDomainConfig, getProjectDomains and getDeployments.

getDeploymentEvents answers at most `DEFAULT_EVENTS_LIMIT` events when asked
without ``limit``, as Vercel cuts a long log; ``limit=-1`` answers all of
them. getDeployments pages by creation time (``limit``, ``until``,
``pagination.next``).

Extensions the console needs but the contract does not hold (kept minimal,
listed by `is_sandbox_extension`):
- `POST /v10/projects/{projectId}/promote/{deploymentId}`: Vercel's promote
  endpoint; points production at a READY deployment (also how the console
  rolls back; an older one pins production). Answers 201 with no body.
- `POST /v1/projects/{projectId}/unpause`: Vercel's unpauseProject; new
  production deployments go live again after a rollback. 200, no body.
- `GET /v1/integrations/git-namespaces`: Vercel's listGitNamespaces; the
  GitHub owners Vercel's GitHub app is installed on.
- `PATCH /v12/deployments/{id}/cancel`: Vercel's cancel; answers the deployment.
- `DELETE /v9/projects/{idOrName}/domains/{domain}`: Vercel's removeProjectDomain;
  answers `{}`.
- `GET /_deployments/{host}/...`: the deployed apps (health checks). A really
  built deployment answers with a redirect to its `next start`.
- `GET /_inspect/{id}`: a small HTML build log (the deployment's inspectorUrl).
- `/_sandbox/vercel/...`: test controls (see `control_routes`).

Auth: `Authorization: Bearer <token>`. No or malformed header: 401; unknown
token: 403 with `invalidToken: true` (what Vercel answers for a revoked token).
The `teamId`/`slug` query parameters are accepted and ignored. A rate limit
(`VercelSandbox.limit_rate`) answers 429 with Vercel's ``X-RateLimit-*``
headers and no ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from console.sandbox.vercel.builds import FINAL_STATES, BuildTiming, Outcome
from console.sandbox.vercel.errors import VercelApiError
from console.sandbox.vercel.payloads import (
    JSON,
    deployment_list_item,
    deployment_payload,
    domain_config_payload,
    domain_payload,
    env_payload,
    error_body,
    event_payload,
    git_namespace_payload,
    project_payload,
    rate_limit_body,
)
from console.sandbox.vercel.serving import AppUnavailable

if TYPE_CHECKING:
    from console.sandbox.vercel.sandbox import VercelSandbox

logger = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]

_EXTENSIONS = (
    re.compile(r"^/v10/projects/[^/]+/promote/[^/]+$"),
    re.compile(r"^/v1/projects/[^/]+/unpause$"),
    re.compile(r"^/v1/integrations/git-namespaces$"),
    re.compile(r"^/v12/deployments/[^/]+/cancel$"),
    re.compile(r"^/_(deployments|inspect|sandbox)(/.*)?$"),
)
STREAM_POLL_SECONDS = 0.05
#: Events getDeploymentEvents answers without ``limit``. Vercel cuts a long log
#: without saying where; the sandbox cuts here so a client that does not ask
#: for the rest loses it, as it would on Vercel.
DEFAULT_EVENTS_LIMIT = 100
#: The request budget Vercel's rate-limit headers report.
RATE_LIMIT_TOTAL = 100


#: Extensions that share a path with a contract operation (told apart by method).
_METHOD_EXTENSIONS = (("DELETE", re.compile(r"^/v9/projects/[^/]+/domains/[^/]+$")),)


def is_sandbox_extension(path: str, method: str = "GET") -> bool:
    """True for routes outside the vendor contract (extensions, sites, controls)."""
    if any(method.upper() == m and pattern.match(path) for m, pattern in _METHOD_EXTENSIONS):
        return True
    return any(pattern.match(path) for pattern in _EXTENSIONS)


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(error_body(code, message, **extra), status_code=status)


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw or b"null")
    except ValueError as exc:
        raise VercelApiError(400, "bad_request", "Invalid JSON body") from exc


def _number(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except ValueError as exc:
        raise VercelApiError(400, "bad_request", f"Invalid query parameter {name}") from exc


class VercelApi:
    """Route handlers bound to one sandbox."""

    def __init__(self, sandbox: VercelSandbox) -> None:
        self.sandbox = sandbox

    def guarded(self, handler: Endpoint) -> Endpoint:
        """Check the bearer token and render `VercelApiError`s."""

        async def endpoint(request: Request) -> Response:
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return _error(
                    401, "unauthorized", "Missing or malformed bearer token", missingToken=True
                )
            if token.strip() not in self.sandbox.tokens:
                return _error(403, "forbidden", "Not authorized", invalidToken=True)
            reset = self.sandbox.take_rate_limit(request.url.path)
            if reset is not None:
                return JSONResponse(
                    rate_limit_body(reset, RATE_LIMIT_TOTAL),
                    status_code=429,
                    headers={
                        "X-RateLimit-Limit": str(RATE_LIMIT_TOTAL),
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset": str(reset),
                    },
                )
            try:
                return await handler(request)
            except VercelApiError as exc:
                return _error(exc.status, exc.code, exc.message, **exc.extra)

        return endpoint

    @staticmethod
    def _base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    def _project_json(self, id_or_name: str) -> JSON:
        project = self.sandbox.get_project(id_or_name)
        views, production = self.sandbox.project_views(project)
        return project_payload(project, self.sandbox.account, views[:5], production)

    # --- projects ---------------------------------------------------------
    async def create_project(self, request: Request) -> Response:
        body = await _json_body(request)
        if not isinstance(body, dict):
            return _error(400, "bad_request", "Body must be a JSON object")
        project = self.sandbox.create_project(body)
        return JSONResponse(self._project_json(project.id))

    async def get_project(self, request: Request) -> Response:
        return JSONResponse(self._project_json(request.path_params["idOrName"]))

    async def delete_project(self, request: Request) -> Response:
        self.sandbox.delete_project(request.path_params["idOrName"])
        return Response(status_code=204)

    # --- env --------------------------------------------------------------
    async def create_env(self, request: Request) -> Response:
        body = await _json_body(request)
        single = isinstance(body, dict)
        items = [body] if single else body
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            return _error(400, "bad_request", "Body must be an env object or an array of them")
        upsert = request.query_params.get("upsert") == "true"
        created, failed = self.sandbox.create_envs(
            request.path_params["idOrName"], items, upsert=upsert
        )
        if single and failed:
            error = failed[0]["error"]
            raise VercelApiError(400, error["code"], error["message"], key=error["key"])
        payloads = [env_payload(env, decrypt=False) for env in created]
        return JSONResponse(
            {"created": payloads[0] if single else payloads, "failed": failed}, status_code=201
        )

    async def list_envs(self, request: Request) -> Response:
        decrypt = request.query_params.get("decrypt") == "true"
        branch = request.query_params.get("gitBranch")
        envs = [
            env_payload(env, decrypt=decrypt)
            for env in self.sandbox.list_envs(request.path_params["idOrName"])
            if branch is None or env.git_branch in {None, branch}
        ]
        return JSONResponse({"envs": envs})

    # --- deployments ------------------------------------------------------
    async def create_deployment(self, request: Request) -> Response:
        body = await _json_body(request)
        if not isinstance(body, dict):
            return _error(400, "bad_request", "Body must be a JSON object")
        row = self.sandbox.create_deployment(body)
        return self._deployment_response(request, row.id)

    def _deployment_response(self, request: Request, id_or_url: str) -> JSONResponse:
        view = self.sandbox.deployment_view(id_or_url)
        project = self.sandbox.get_project(view.row.project_id)
        return JSONResponse(
            deployment_payload(view, project, self.sandbox.account, self._base(request))
        )

    async def get_deployment(self, request: Request) -> Response:
        return self._deployment_response(request, request.path_params["idOrUrl"])

    async def cancel_deployment(self, request: Request) -> Response:
        view = self.sandbox.cancel_deployment(request.path_params["id"])
        return self._deployment_response(request, view.row.id)

    async def promote(self, request: Request) -> Response:
        self.sandbox.promote(request.path_params["projectId"], request.path_params["deploymentId"])
        return Response(status_code=201)

    async def unpause(self, request: Request) -> Response:
        self.sandbox.resume_production(request.path_params["projectId"])
        return Response(status_code=200)

    async def git_namespaces(self, request: Request) -> Response:
        provider = request.query_params.get("provider", "github")
        if provider not in {"github", "github-limited"}:
            return JSONResponse([])
        return JSONResponse(
            [
                git_namespace_payload(owner.slug, owner.id, owner.owner_type)
                for owner in self.sandbox.git_namespaces()
            ]
        )

    async def list_deployments(self, request: Request) -> Response:
        query = request.query_params
        limit = max(1, min(_number(request, "limit") or 20, 100))
        states = (
            {s.strip().upper() for s in query["state"].split(",")} if "state" in query else None
        )
        until = _number(request, "until")
        page, has_more = self.sandbox.list_deployments(
            project=query.get("projectId") or query.get("app"),
            limit=limit,
            until=until,
            since=_number(request, "since"),
            target=query.get("target"),
            states=states,
            rollback_candidate=(
                None
                if "rollbackCandidate" not in query
                else query["rollbackCandidate"] in {"true", "1"}
            ),
        )
        base = self._base(request)
        return JSONResponse(
            {
                "pagination": {
                    "count": len(page),
                    "next": page[-1].row.created_at if has_more and page else None,
                    "prev": page[0].row.created_at if page and until is not None else None,
                },
                "deployments": [deployment_list_item(v, self.sandbox.account, base) for v in page],
            }
        )

    async def events(self, request: Request) -> Response:
        id_or_url = request.path_params["idOrUrl"]
        row, events = self.sandbox.events(id_or_url)
        if request.query_params.get("follow") == "1":
            return StreamingResponse(self._follow(row.id), media_type="application/stream+json")
        items = [event_payload(row, e, i) for i, e in enumerate(events)]
        since, until = _number(request, "since"), _number(request, "until")
        items = [
            item
            for item in items
            if (since is None or item["created"] >= since)
            and (until is None or item["created"] <= until)
        ]
        if request.query_params.get("direction") == "backward":
            items.reverse()
        limit = _number(request, "limit")
        if limit is None:
            limit = DEFAULT_EVENTS_LIMIT
        if limit >= 0:
            items = items[:limit]
        return JSONResponse(items)

    async def _follow(self, deployment_id: str) -> AsyncIterator[bytes]:
        """Stream events as the build produces them, until the deployment is final."""
        sent = 0
        while True:
            try:
                # The state first: events read after a final state include its last ones.
                state = self.sandbox.deployment_view(deployment_id).state
                row, events = self.sandbox.events(deployment_id, start=sent)
            except VercelApiError:
                return  # deleted while streaming
            for index, event in enumerate(events, start=sent):
                yield json.dumps(event_payload(row, event, index)).encode() + b"\n"
            sent += len(events)
            if state in FINAL_STATES:
                return
            await asyncio.sleep(STREAM_POLL_SECONDS)

    # --- domains ----------------------------------------------------------
    async def add_domain(self, request: Request) -> Response:
        body = await _json_body(request)
        if not isinstance(body, dict):
            return _error(400, "bad_request", "Body must be a JSON object")
        domain = self.sandbox.add_domain(request.path_params["idOrName"], body)
        return JSONResponse(domain_payload(domain))

    async def get_domain(self, request: Request) -> Response:
        domain = self.sandbox.get_domain(
            request.path_params["idOrName"], request.path_params["domain"]
        )
        return JSONResponse(domain_payload(domain))

    async def verify_domain(self, request: Request) -> Response:
        domain = self.sandbox.verify_domain(
            request.path_params["idOrName"], request.path_params["domain"]
        )
        payload = domain_payload(domain)
        payload.pop("verification", None)
        return JSONResponse(payload)

    async def remove_domain(self, request: Request) -> Response:
        self.sandbox.remove_domain(request.path_params["idOrName"], request.path_params["domain"])
        return JSONResponse({})

    async def list_domains(self, request: Request) -> Response:
        verified = request.query_params.get("verified")
        domains = [
            domain_payload(d)
            for d in self.sandbox.list_domains(request.path_params["idOrName"])
            if verified is None or d.verified == (verified == "true")
        ]
        return JSONResponse(
            {"domains": domains, "pagination": {"count": len(domains), "next": None, "prev": None}}
        )

    async def domain_config(self, request: Request) -> Response:
        name = request.path_params["domain"].lower()
        return JSONResponse(domain_config_payload(name, self.sandbox.store.find_domain(name)))

    # --- deployed sites and inspector (no auth) ---------------------------
    async def site(self, request: Request) -> Response:
        answer = self.sandbox.site(request.path_params["host"])
        if answer.status == 404 or answer.project is None:
            return HTMLResponse(
                "<!doctype html><title>404: NOT_FOUND</title>"
                "<p>404: NOT_FOUND</p><p>Code: DEPLOYMENT_NOT_FOUND</p>",
                status_code=404,
            )
        name = html.escape(answer.project)
        if answer.status != 200:
            return HTMLResponse(
                f"<!doctype html><title>{answer.status}: INTERNAL_SERVER_ERROR</title>"
                f"<p>{answer.status}: INTERNAL_SERVER_ERROR</p>"
                "<p>Code: FUNCTION_INVOCATION_FAILED</p>",
                status_code=answer.status,
            )
        try:
            app_url = await self.sandbox.app_url(answer.deployment_id or "")
        except AppUnavailable as unavailable:
            return HTMLResponse(
                f"<!doctype html><title>{unavailable.status}: {name}</title>"
                f"<p>{unavailable.status}: the sandbox cannot serve this deployment.</p>"
                f"<pre>{html.escape(unavailable.message)}</pre>",
                status_code=unavailable.status,
            )
        if app_url is not None:
            # A redirect, not a proxy under /_deployments/{host}/: the app's absolute
            # URLs (/_next/static/...) must resolve against its own origin.
            path = request.path_params.get("path", "")
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(f"{app_url}/{path}{query}", status_code=307)
        return HTMLResponse(
            f"<!doctype html><html><head><title>{name}</title></head><body><main>"
            f"<h1>{name}</h1><p>Deployed on the l4yercak3 Vercel sandbox"
            f" (deployment {html.escape(answer.deployment_id or '')}).</p></main></body></html>"
        )

    async def inspect(self, request: Request) -> Response:
        try:
            row, events = self.sandbox.events(request.path_params["id"])
            state = self.sandbox.deployment_view(row.id).state
        except VercelApiError:
            return HTMLResponse("<p>Deployment not found</p>", status_code=404)
        lines = "\n".join(html.escape(f"[{e.type}] {e.text}") for e in events)
        return HTMLResponse(
            f"<!doctype html><title>{html.escape(row.url)}</title>"
            f"<h1>{html.escape(row.name)}: {state}</h1><pre>{lines}</pre>"
        )

    # --- test controls ------------------------------------------------------
    async def control(self, request: Request) -> Response:
        """`/_sandbox/vercel/...`: the test controls over HTTP (subprocess tests).

        - `POST builds/next` `{"outcome": "error"|"hang", "message"?}`
        - `POST deployments/{id}/outcome` `{"outcome": ..., "message"?}`
        - `POST projects/{idOrName}/health` `{"status": 500}` (200 restores)
        - `POST domains/{domain}/dns` `{"txt": true, "configured": true}`
        - `POST domains/{domain}/verified`
        - `PUT timing` `{"queued": s, "initializing": s, "building": s}`
        - `POST rate-limit` `{"path": regex, "reset_in": s, "times": n}`
        - `POST git/{owner}` `{"repos": [...] | null, "owner_type": "user"|"team"}`:
          Vercel's GitHub app sees `owner` (all repositories when `repos` is null)
        - `DELETE git/{owner}`: it no longer does
        """
        parts = request.path_params["rest"].strip("/").split("/")
        body = await _json_body(request) if request.method in {"POST", "PUT"} else None
        args = body if isinstance(body, dict) else {}
        try:
            match (request.method, parts):
                case ("POST", ["builds", "next"]):
                    if args.get("outcome") == "hang":
                        self.sandbox.hang_next_build()
                    else:
                        self.sandbox.fail_next_build(args.get("message"))
                case ("POST", ["deployments", deployment_id, "outcome"]):
                    outcome = cast(Outcome, args.get("outcome", "error"))
                    if outcome not in {"ready", "error", "hang"}:
                        return _error(400, "bad_request", f"bad outcome {outcome!r}")
                    self.sandbox.set_build_outcome(deployment_id, outcome, args.get("message"))
                case ("POST", ["projects", project, "health"]):
                    self.sandbox.fail_health_check(project, int(args.get("status", 500)))
                case ("POST", ["domains", domain, "dns"]):
                    self.sandbox.set_domain_dns(
                        domain,
                        txt=bool(args.get("txt", True)),
                        configured=bool(args.get("configured", True)),
                    )
                case ("POST", ["domains", domain, "verified"]):
                    self.sandbox.mark_domain_verified(domain)
                case ("PUT", ["timing"]):
                    self.sandbox.set_timing(BuildTiming(**args))
                case ("POST", ["rate-limit"]):
                    self.sandbox.limit_rate(
                        str(args.get("path", ".*")),
                        reset_in=float(args.get("reset_in", 30.0)),
                        times=int(args.get("times", 1)),
                    )
                case ("POST", ["git", owner]):
                    repos = args.get("repos")
                    self.sandbox.grant_git_access(
                        owner,
                        repos=None if repos is None else [str(r) for r in repos],
                        owner_type=str(args.get("owner_type", "user")),
                    )
                case ("DELETE", ["git", owner]):
                    self.sandbox.revoke_git_access(owner)
                case _:
                    return _error(404, "not_found", "Unknown sandbox control")
        except VercelApiError as exc:
            return _error(exc.status, exc.code, exc.message)
        except (TypeError, ValueError) as exc:
            return _error(400, "bad_request", str(exc))
        return JSONResponse({"ok": True})


async def _not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 405:
        return _error(405, "method_not_allowed", "Method not allowed")
    return _error(404, "not_found", "The requested API endpoint was not found.")


def build_app(sandbox: VercelSandbox) -> Starlette:
    """The Starlette app serving `sandbox` (without fault injection or recording)."""
    api = VercelApi(sandbox)
    g = api.guarded
    routes = [
        Route("/v11/projects", g(api.create_project), methods=["POST"]),
        Route("/v9/projects/{idOrName}", g(api.get_project), methods=["GET"]),
        Route("/v9/projects/{idOrName}", g(api.delete_project), methods=["DELETE"]),
        Route("/v10/projects/{idOrName}/env", g(api.create_env), methods=["POST"]),
        Route("/v10/projects/{idOrName}/env", g(api.list_envs), methods=["GET"]),
        Route("/v13/deployments", g(api.create_deployment), methods=["POST"]),
        Route("/v13/deployments/{idOrUrl}", g(api.get_deployment), methods=["GET"]),
        Route("/v3/deployments/{idOrUrl}/events", g(api.events), methods=["GET"]),
        Route("/v6/deployments", g(api.list_deployments), methods=["GET"]),
        Route("/v10/projects/{idOrName}/domains", g(api.add_domain), methods=["POST"]),
        Route("/v9/projects/{idOrName}/domains", g(api.list_domains), methods=["GET"]),
        Route("/v9/projects/{idOrName}/domains/{domain}", g(api.get_domain), methods=["GET"]),
        Route(
            "/v9/projects/{idOrName}/domains/{domain}/verify",
            g(api.verify_domain),
            methods=["POST"],
        ),
        Route("/v6/domains/{domain}/config", g(api.domain_config), methods=["GET"]),
        # Extensions (not in the contract).
        Route("/v10/projects/{projectId}/promote/{deploymentId}", g(api.promote), methods=["POST"]),
        Route("/v1/projects/{projectId}/unpause", g(api.unpause), methods=["POST"]),
        Route("/v1/integrations/git-namespaces", g(api.git_namespaces), methods=["GET"]),
        Route("/v12/deployments/{id}/cancel", g(api.cancel_deployment), methods=["PATCH"]),
        Route("/v9/projects/{idOrName}/domains/{domain}", g(api.remove_domain), methods=["DELETE"]),
        Route("/_deployments/{host}", api.site, methods=["GET", "HEAD"]),
        Route("/_deployments/{host}/{path:path}", api.site, methods=["GET", "HEAD"]),
        Route("/_inspect/{id}", api.inspect, methods=["GET"]),
        Route(
            "/_sandbox/vercel/{rest:path}", api.control, methods=["GET", "POST", "PUT", "DELETE"]
        ),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={404: _not_found, 405: _not_found},
        lifespan=sandbox.lifespan,
    )
