"""The GitHub sandbox: a local server for the part of GitHub's REST API the console uses.

It serves the operations of ``tests/data/contracts/github.json`` (GitHub API
version 2022-11-28) over real git repositories (see `state`). Routes are
written with the contract's paths (``/user``, ``/repos/{owner}/{repo}/...``);
one shim, `StripPrefix`, serves them under ``/api/v3`` as GitHub Enterprise
does, which is where PyGithub sends a ``base_url`` with a path. The layers,
outermost first::

    StripPrefix("/api/v3")  ->  FaultInjector  ->  ExchangeRecorder  ->  Starlette app

so fault rules and recorded `Exchange.path`s both see the contract's paths.
Beside the API, `browse` serves what github.com shows of a repository under
``/_browse/`` (not recorded, never faulted).

Behaviour mirrored from GitHub, as the console must handle it:

- Bad token: 401 "Bad credentials". No token: 401 "Requires authentication"
  for /user and writes; public repositories stay readable.
- A classic token without the ``repo`` scope (``public_repo`` is enough for a
  public repository) gets **404 "Not Found"**, as GitHub answers it, with
  ``X-OAuth-Scopes`` (what the token has) and ``X-Accepted-OAuth-Scopes``
  (what the endpoint wants): compare the two to tell "missing scope" from
  "no such repository". A fine-grained token without the permission gets 403
  "Resource not accessible by personal access token" with
  ``X-Accepted-GitHub-Permissions``.
- Every Git Data call (blobs, trees, commits, refs) on a repository without
  any branch answers 409 "Git Repository is empty."; contents answer 404
  "This repository is empty.". Create repositories with ``auto_init``.
- Non-fast-forward ref update without ``force``: 422 "Update is not a fast forward".
- Exhausted rate limit (`GitHubSandbox.set_rate_limit`): 403 "API rate limit
  exceeded ..." with ``X-RateLimit-Remaining: 0``, as GitHub's primary limit.
- Secondary rate limit (`GitHubSandbox.limit_secondary`): 403 (or 429) "You
  have exceeded a secondary rate limit ...", beside the primary window's
  headers (requests remaining, its reset), with ``Retry-After`` only when told.
- Right after a create with ``auto_init``, GitHub may not show the initial
  commit yet: `GitHubSandbox.delay_initial_commit` makes the next repositories'
  first branch reads answer 409 "Git Repository is empty.".

One deliberate strictness: every API request must carry
``X-GitHub-Api-Version`` (400 otherwise). GitHub would answer a request
without it with its default version, which it may change; the console pins
the version its contract describes, and the sandbox checks that it does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.sandbox.faults import ASGIApp, FaultInjector, Receive, Scope, Send
from console.sandbox.github import payloads
from console.sandbox.github.browse import BrowsePages, WithBrowsePages
from console.sandbox.github.payloads import Urls
from console.sandbox.github.state import (
    CONTENTS_INLINE_LIMIT,
    EMPTY_REPOSITORY,
    REPO_OPTIONS,
    GitHubApiError,
    GitHubState,
    Identity,
    RepoRecord,
    TreeEntryInput,
    not_found,
)
from console.sandbox.host import ServedApp, serve
from console.sandbox.recording import ExchangeRecorder

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v3"
API_VERSION = "2022-11-28"
#: A classic personal access token in GitHub's format (ghp_ + 36 characters).
DEFAULT_TOKEN = "ghp_sandboxTokenForTheL4yercak3Console00"
DEFAULT_LOGIN = "sandbox-agency"
DEFAULT_ORGS: tuple[str, ...] = ("northwind-digital",)
DEFAULT_SCOPES: tuple[str, ...] = ("repo", "read:org", "workflow")
FINE_GRAINED_DEFAULT: Mapping[str, str] = {
    "metadata": "read",
    "contents": "write",
    "administration": "write",
}
RATE_LIMIT = 5000
ANONYMOUS_RATE_LIMIT = 60

_DOCS = "https://docs.github.com/rest"
_RATE_LIMIT_DOCS = f"{_DOCS}/overview/rate-limits-for-the-rest-api"
_SECONDARY_DOCS = f"{_RATE_LIMIT_DOCS}#about-secondary-rate-limits"
SECONDARY_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID {id}."
)

Access = Literal["read", "write"]
Handler = Callable[["_Call"], Awaitable[Response]]


@dataclass(frozen=True)
class TokenGrant:
    """What a token may do: OAuth scopes (classic) or permissions (fine-grained)."""

    scopes: tuple[str, ...] | None = DEFAULT_SCOPES
    permissions: Mapping[str, str] = field(default_factory=dict)

    @property
    def classic(self) -> bool:
        return self.scopes is not None


@dataclass
class _Bucket:
    limit: int
    remaining: int
    reset: int

    def spend(self, now: int) -> None:
        if now >= self.reset:
            self.remaining, self.reset = self.limit, now + 3600
        self.remaining = max(self.remaining - 1, 0) if self.remaining > 0 else -1

    @property
    def exhausted(self) -> bool:
        return self.remaining < 0


@dataclass
class _SecondaryLimit:
    """Requests still to refuse with a secondary rate limit."""

    times: int
    status: int
    retry_after: int | None


@dataclass
class _Call:
    """One request as a handler sees it."""

    request: Request
    token: str | None
    grant: TokenGrant | None
    urls: Urls
    headers: dict[str, str] = field(default_factory=dict)

    def param(self, name: str) -> str:
        value: str = self.request.path_params[name]
        return value


class StripPrefix:
    """Serve an app written with GitHub.com paths under a GitHub Enterprise prefix.

    ``/api/v3/repos/o/r`` reaches the inner app as ``/repos/o/r`` with
    ``root_path`` ``/api/v3`` (so URLs it builds keep the prefix). Paths without
    the prefix pass unchanged (``/_sandbox/faults``, or a client that uses
    GitHub.com's layout).
    """

    def __init__(self, app: ASGIApp, prefix: str = API_PREFIX) -> None:
        self.app = app
        self.prefix = prefix.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if path == self.prefix or path.startswith(self.prefix + "/"):
                scope = dict(scope)
                scope["path"] = path[len(self.prefix) :] or "/"
                raw: bytes | None = scope.get("raw_path")
                if raw is not None and raw.startswith(self.prefix.encode()):
                    scope["raw_path"] = raw[len(self.prefix) :] or b"/"
                scope["root_path"] = scope.get("root_path", "") + self.prefix
        await self.app(scope, receive, send)


class GitHubApp:
    """The Starlette app over a `GitHubState`, with GitHub's auth and headers."""

    def __init__(
        self,
        state: GitHubState,
        tokens: dict[str, TokenGrant],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = state
        self.tokens = tokens
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._secondary: _SecondaryLimit | None = None
        #: Reads of a new auto-init repository's branch that still find it empty.
        self.initial_commit_delay = 0
        self._hidden_initial: dict[str, int] = {}
        self._lock = threading.Lock()
        repo = "/repos/{owner}/{repo}"
        self.routes: list[tuple[str, str, str, Handler, str]] = [
            # method, path, doc anchor, handler, X-Accepted-OAuth-Scopes
            ("GET", "/user", "users/users#get-the-authenticated-user", self._get_user, ""),
            (
                "POST",
                "/user/repos",
                "repos/repos#create-a-repository-for-the-authenticated-user",
                self._create_user_repo,
                "public_repo, repo",
            ),
            (
                "POST",
                "/orgs/{org}/repos",
                "repos/repos#create-an-organization-repository",
                self._create_org_repo,
                "public_repo, repo",
            ),
            ("GET", repo, "repos/repos#get-a-repository", self._get_repo, "repo"),
            (
                "DELETE",
                repo,
                "repos/repos#delete-a-repository",
                self._delete_repo,
                "delete_repo",
            ),
            ("POST", f"{repo}/git/blobs", "git/blobs#create-a-blob", self._create_blob, "repo"),
            ("POST", f"{repo}/git/trees", "git/trees#create-a-tree", self._create_tree, "repo"),
            (
                "GET",
                f"{repo}/git/trees/{{tree_sha:path}}",
                "git/trees#get-a-tree",
                self._get_tree,
                "repo",
            ),
            (
                "POST",
                f"{repo}/git/commits",
                "git/commits#create-a-commit",
                self._create_commit,
                "repo",
            ),
            (
                "GET",
                f"{repo}/git/ref/{{ref:path}}",
                "git/refs#get-a-reference",
                self._get_ref,
                "repo",
            ),
            ("POST", f"{repo}/git/refs", "git/refs#create-a-reference", self._create_ref, "repo"),
            (
                "PATCH",
                f"{repo}/git/refs/{{ref:path}}",
                "git/refs#update-a-reference",
                self._update_ref,
                "repo",
            ),
            (
                "GET",
                f"{repo}/contents/{{path:path}}",
                "repos/contents#get-repository-content",
                self._get_contents,
                "repo",
            ),
            (
                "GET",
                f"{repo}/contents",
                "repos/contents#get-repository-content",
                self._get_contents,
                "repo",
            ),
        ]
        self.app = Starlette(
            routes=[
                Route(path, self._endpoint(handler, f"{_DOCS}/{doc}", scopes), methods=[method])
                for method, path, doc, handler, scopes in self.routes
            ],
            exception_handlers={404: self._no_route, 405: self._no_route},
        )

    # --- plumbing -------------------------------------------------------------
    def set_rate_limit(self, key: str, *, remaining: int, limit: int, reset_in: float) -> None:
        with self._lock:
            self._buckets[key] = _Bucket(limit, remaining, int(self.clock() + reset_in))

    def limit_secondary(self, *, times: int, status: int, retry_after: int | None) -> None:
        with self._lock:
            self._secondary = _SecondaryLimit(times, status, retry_after)

    def _bucket(self, key: str, limit: int) -> _Bucket:
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = _Bucket(limit, limit, int(self.clock()) + 3600)
                self._buckets[key] = bucket
            return bucket

    def _take_secondary(self) -> _SecondaryLimit | None:
        with self._lock:
            limit = self._secondary
            if limit is None or limit.times <= 0:
                return None
            limit.times -= 1
            return limit

    async def _no_route(self, request: Request, exc: Exception) -> Response:
        del exc
        return _json(404, {"message": "Not Found", "documentation_url": _DOCS, "status": "404"})

    def _endpoint(
        self, handler: Handler, doc_url: str, accepted_scopes: str
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            headers = {
                "X-GitHub-Media-Type": "github.v3; format=json",
                "X-GitHub-Api-Version-Selected": API_VERSION,
                "X-GitHub-Request-Id": uuid.uuid4().hex[:20].upper(),
                "X-Accepted-OAuth-Scopes": accepted_scopes,
            }
            try:
                call = self._call(request, headers)
                response = await handler(call)
            except GitHubApiError as exc:
                body: dict[str, Any] = {"message": exc.message}
                if exc.errors:
                    body["errors"] = exc.errors
                body["documentation_url"] = (
                    _RATE_LIMIT_DOCS
                    if exc.message.startswith("API rate limit")
                    else _SECONDARY_DOCS
                    if exc.message.startswith("You have exceeded a secondary rate limit")
                    else doc_url
                )
                body["status"] = str(exc.status)
                response = _json(exc.status, body)
            response.headers.update(headers)
            if request.method == "GET" and response.status_code == 200:
                digest = hashlib.md5(response.body, usedforsecurity=False).hexdigest()
                response.headers["ETag"] = f'W/"{digest}"'
            return response

        return endpoint

    def _call(self, request: Request, headers: dict[str, str]) -> _Call:
        host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
        web = f"{request.url.scheme}://{host}"
        urls = Urls(api=web + request.scope.get("root_path", ""), web=web)
        version = request.headers.get("x-github-api-version")
        if version is None:
            raise GitHubApiError(
                400,
                f"X-GitHub-Api-Version is required by the GitHub sandbox (it implements "
                f"{API_VERSION}); GitHub would pick its default version instead",
            )
        if version != API_VERSION:
            raise GitHubApiError(
                400, f"The GitHub sandbox implements API version {API_VERSION} only, not {version}"
            )
        token = _bearer(request.headers.get("authorization"))
        grant: TokenGrant | None = None
        if token is not None:
            grant = self.tokens.get(token)
            if grant is None:
                raise GitHubApiError(401, "Bad credentials")
            if grant.classic:
                headers["X-OAuth-Scopes"] = ", ".join(grant.scopes or ())
        key = f"token:{token}" if token else f"ip:{request.client.host if request.client else ''}"
        bucket = self._bucket(key, RATE_LIMIT if token else ANONYMOUS_RATE_LIMIT)
        with self._lock:
            bucket.spend(int(self.clock()))
            headers.update(
                {
                    "X-RateLimit-Limit": str(bucket.limit),
                    "X-RateLimit-Remaining": str(max(bucket.remaining, 0)),
                    "X-RateLimit-Reset": str(bucket.reset),
                    "X-RateLimit-Used": str(bucket.limit - max(bucket.remaining, 0)),
                    "X-RateLimit-Resource": "core",
                }
            )
            exhausted = bucket.exhausted
        if exhausted:
            who = f"user ID {self.state.user().id}" if token else "this address"
            raise GitHubApiError(
                403,
                f"API rate limit exceeded for {who}. If you reach out to GitHub Support for "
                "help, please include the request ID.",
            )
        secondary = self._take_secondary()
        if secondary is not None:
            if secondary.retry_after is not None:
                headers["Retry-After"] = str(secondary.retry_after)
            raise GitHubApiError(
                secondary.status,
                SECONDARY_LIMIT_MESSAGE.format(id=headers["X-GitHub-Request-Id"]),
            )
        return _Call(request, token, grant, urls, headers)

    def _require(
        self,
        call: _Call,
        *,
        access: Access,
        record: RepoRecord | None,
        private: bool,
        permission: str,
    ) -> None:
        """Refuse as GitHub does when the token may not do this.

        Args:
            access: read or write.
            record: the repository, None when creating one.
            private: whether the repository is (or will be) private.
            permission: the fine-grained permission involved (contents, administration...).
        """
        grant = call.grant
        if grant is None:
            if access == "write" or record is None:
                raise GitHubApiError(401, "Requires authentication")
            if private:
                raise not_found()
            return
        if grant.classic:
            scopes = set(grant.scopes or ())
            allowed = "repo" in scopes or (not private and "public_repo" in scopes)
            if access == "read" and not private:
                allowed = True
            if not allowed:
                raise not_found()
            return
        level = grant.permissions.get(permission)
        if level == "write" or (access == "read" and level == "read"):
            return
        if access == "read" and not private:
            return
        call.headers["X-Accepted-GitHub-Permissions"] = f"{permission}={access}"
        raise GitHubApiError(403, "Resource not accessible by personal access token")

    def _repo(self, call: _Call, access: Access, permission: str = "contents") -> RepoRecord:
        record = self.state.find_repo(call.param("owner"), call.param("repo"))
        if record is None:
            if call.grant is None and access == "write":
                raise GitHubApiError(401, "Requires authentication")
            raise not_found()
        self._require(
            call, access=access, record=record, private=record.private, permission=permission
        )
        return record

    def _identity(self) -> Identity:
        user = self.state.user()
        return Identity(user.name or user.login, user.email or user.noreply_email)

    def _location(self, response: Response, url: str) -> Response:
        response.headers["Location"] = url
        return response

    # --- users and repositories ---------------------------------------------------
    async def _get_user(self, call: _Call) -> Response:
        if call.grant is None:
            raise GitHubApiError(401, "Requires authentication")
        user = self.state.user()
        repos = self.state.owned_repos(user.login)
        size = sum(self.state.repo_size_kb(r) for r in repos)
        body = payloads.private_user(
            user,
            call.urls,
            public_repos=sum(1 for r in repos if not r.private),
            private_repos=sum(1 for r in repos if r.private),
            disk_usage=size,
        )
        return _json(200, body)

    async def _create_user_repo(self, call: _Call) -> Response:
        return await self._create_repo(call, self.state.login)

    async def _create_org_repo(self, call: _Call) -> Response:
        org = call.param("org")
        account = self.state.account(org)
        if (
            account is None
            or account.kind != "Organization"
            or account.login not in self.state.orgs
        ):
            # A token can also lack read:org; GitHub answers 404 either way.
            if call.grant is None:
                raise GitHubApiError(401, "Requires authentication")
            raise not_found()
        return await self._create_repo(call, account.login)

    async def _create_repo(self, call: _Call, owner: str) -> Response:
        body = await _body(call.request)
        name = _field(body, "name", "string", required=True)
        visibility = _field(body, "visibility", "string")
        if visibility is not None and visibility not in {"public", "private"}:
            shown = json.dumps(visibility)
            raise _invalid(f"For 'properties/visibility', {shown} is not one of public, private.")
        private = bool(_field(body, "private", "boolean")) or visibility == "private"
        self._require(
            call, access="write", record=None, private=private, permission="administration"
        )
        options = {k: v for k in REPO_OPTIONS if (v := _field(body, k, "boolean")) is not None}
        auto_init = bool(_field(body, "auto_init", "boolean"))
        record = self.state.create_repo(
            owner,
            name,
            private=private,
            description=_field(body, "description", "string"),
            homepage=_field(body, "homepage", "string"),
            auto_init=auto_init,
            options=options,
            author=self._identity(),
        )
        if auto_init and self.initial_commit_delay > 0:
            with self._lock:
                self._hidden_initial[record.full_name.lower()] = self.initial_commit_delay
        return self._location(self._repo_response(call, record, 201), call.urls.repo(record))

    async def _get_repo(self, call: _Call) -> Response:
        record = self._repo(call, "read", permission="metadata")
        return self._repo_response(call, record, 200)

    async def _delete_repo(self, call: _Call) -> Response:
        # GitHub wants the delete_repo scope (classic) or administration (fine-grained)
        # on top of access, and answers 403 "Must have admin rights" without it.
        record = self._repo(call, "write", permission="administration")
        grant = call.grant
        assert grant is not None  # _repo refused anonymous writes
        if grant.classic and "delete_repo" not in (grant.scopes or ()):
            raise GitHubApiError(403, "Must have admin rights to Repository.")
        self.state.delete_repo(record)
        return Response(status_code=204)

    def _repo_response(self, call: _Call, record: RepoRecord, status: int) -> Response:
        owner = self.state.account(record.owner)
        assert owner is not None
        permissions = None
        if call.grant is not None:
            can_write = self._may(call, record)
            permissions = {
                "admin": can_write,
                "maintain": can_write,
                "push": can_write,
                "triage": can_write,
                "pull": True,
            }
        body = payloads.full_repository(
            record,
            owner,
            call.urls,
            size_kb=self.state.repo_size_kb(record),
            permissions=permissions,
        )
        return _json(status, body)

    def _may(self, call: _Call, record: RepoRecord) -> bool:
        try:
            self._require(
                call, access="write", record=record, private=record.private, permission="contents"
            )
        except GitHubApiError:
            return False
        finally:
            call.headers.pop("X-Accepted-GitHub-Permissions", None)
        return True

    # --- git data -----------------------------------------------------------------
    async def _create_blob(self, call: _Call) -> Response:
        record = self._repo(call, "write")
        body = await _body(call.request)
        content = _field(body, "content", "string", required=True)
        encoding = _field(body, "encoding", "string") or "utf-8"
        if encoding.lower() in {"utf-8", "utf8"}:
            data = content.encode("utf-8")
        elif encoding.lower() == "base64":
            try:
                data = base64.b64decode(re.sub(r"\s+", "", content), validate=True)
            except binascii.Error as exc:
                raise GitHubApiError(422, "Invalid Base64 content") from exc
        else:
            raise GitHubApiError(
                422, f"encoding must be either 'utf-8' or 'base64', not {encoding!r}"
            )
        sha, _size = self.state.create_blob(record, data)
        response = _json(201, payloads.short_blob(record, sha, call.urls))
        return self._location(response, f"{call.urls.repo(record)}/git/blobs/{sha}")

    async def _create_tree(self, call: _Call) -> Response:
        record = self._repo(call, "write")
        body = await _body(call.request)
        raw_tree = _field(body, "tree", "array", required=True)
        base_tree = _field(body, "base_tree", "string")
        entries = [_tree_entry(item, i) for i, item in enumerate(raw_tree)]
        sha = self.state.create_tree(record, entries, base_tree)
        listing = self.state.read_tree(record, sha, recursive=False)
        response = _json(201, payloads.git_tree(record, listing, call.urls))
        return self._location(response, f"{call.urls.repo(record)}/git/trees/{sha}")

    async def _get_tree(self, call: _Call) -> Response:
        record = self._repo(call, "read")
        recursive = "recursive" in call.request.query_params  # any value, as GitHub
        listing = self.state.read_tree(record, call.param("tree_sha"), recursive=recursive)
        return _json(200, payloads.git_tree(record, listing, call.urls))

    async def _create_commit(self, call: _Call) -> Response:
        record = self._repo(call, "write")
        body = await _body(call.request)
        message = _field(body, "message", "string", required=True)
        tree = _field(body, "tree", "string", required=True)
        parents = _field(body, "parents", "array") or []
        if not all(isinstance(p, str) for p in parents):
            raise _invalid("For 'items', parents must be strings.")
        author = _person(_field(body, "author", "object"), "author") or self._identity()
        committer = _person(_field(body, "committer", "object"), "committer")
        info = self.state.create_commit(
            record, message=message, tree=tree, parents=parents, author=author, committer=committer
        )
        response = _json(201, payloads.git_commit(record, info, call.urls))
        return self._location(response, f"{call.urls.repo(record)}/git/commits/{info.sha}")

    async def _get_ref(self, call: _Call) -> Response:
        record = self._repo(call, "read")
        with self._lock:
            hidden = self._hidden_initial.get(record.full_name.lower(), 0)
            if hidden > 0:
                self._hidden_initial[record.full_name.lower()] = hidden - 1
        if hidden > 0:
            raise GitHubApiError(409, EMPTY_REPOSITORY)
        info = self.state.get_ref(record, call.param("ref"))
        return _json(200, payloads.git_ref(record, info, call.urls))

    async def _create_ref(self, call: _Call) -> Response:
        record = self._repo(call, "write")
        body = await _body(call.request)
        ref = _field(body, "ref", "string", required=True)
        sha = _field(body, "sha", "string", required=True)
        info = self.state.create_ref(record, ref, sha)
        response = _json(201, payloads.git_ref(record, info, call.urls))
        return self._location(response, f"{call.urls.repo(record)}/git/{info.ref}")

    async def _update_ref(self, call: _Call) -> Response:
        record = self._repo(call, "write")
        body = await _body(call.request)
        sha = _field(body, "sha", "string", required=True)
        force = bool(_field(body, "force", "boolean"))
        info = self.state.update_ref(record, call.param("ref"), sha, force=force)
        return _json(200, payloads.git_ref(record, info, call.urls))

    # --- contents -------------------------------------------------------------------
    async def _get_contents(self, call: _Call) -> Response:
        record = self._repo(call, "read")
        path = call.request.path_params.get("path", "")
        result = self.state.get_contents(record, path, call.request.query_params.get("ref"))
        if result.listing is not None:
            listing = payloads.content_listing(record, result.listing, result.ref, call.urls)
            return _json(200, listing)
        assert result.item is not None
        body = payloads.content_item(
            record, result.item, result.ref, call.urls, inline_limit=CONTENTS_INLINE_LIMIT
        )
        return _json(200, body)


# --- request parsing ----------------------------------------------------------

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _invalid(detail: str) -> GitHubApiError:
    return GitHubApiError(422, f"Invalid request.\n\n{detail}")


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw else None
    except ValueError as exc:
        raise GitHubApiError(400, "Problems parsing JSON") from exc
    if not isinstance(body, dict):
        raise GitHubApiError(400, "Body should be a JSON object")
    return body


def _field(
    body: Mapping[str, Any], key: str, kind: str, *, required: bool = False, where: str = ""
) -> Any:
    if key not in body or body[key] is None:
        if required:
            raise _invalid(f'"{key}" wasn\'t supplied.')
        return None
    value = body[key]
    if not isinstance(value, _JSON_TYPES[kind]):
        raise _invalid(f"For 'properties/{where}{key}', {json.dumps(value)} is not a {kind}.")
    return value


def _tree_entry(item: Any, index: int) -> TreeEntryInput:
    if not isinstance(item, dict):
        raise _invalid(f"For 'items', {json.dumps(item)} is not an object.")
    where = f"tree/{index}/"
    path = _field(item, "path", "string", required=True, where=where)
    mode = _field(item, "mode", "string", required=True, where=where)
    kind = _field(item, "type", "string", required=True, where=where)
    content = _field(item, "content", "string", where=where)
    has_sha = "sha" in item
    sha = _field(item, "sha", "string", where=where) if has_sha else None
    return TreeEntryInput(path, mode, kind, sha, has_sha=has_sha, content=content)


def _person(raw: Mapping[str, Any] | None, key: str) -> Identity | None:
    if raw is None:
        return None
    name = _field(raw, "name", "string", required=True, where=f"{key}/")
    email = _field(raw, "email", "string", required=True, where=f"{key}/")
    date = _field(raw, "date", "string", where=f"{key}/")
    when = None
    if date is not None:
        try:
            when = datetime.fromisoformat(date)
        except ValueError as exc:
            raise _invalid(f"For 'properties/{key}/date', {date!r} is not a date-time.") from exc
    return Identity(name, email, when)


def _bearer(header: str | None) -> str | None:
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() in {"token", "bearer"} and value.strip():
        return value.strip()
    return ""  # present but unusable: "Bad credentials"


def _json(status: int, payload: object) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json; charset=utf-8")


# --- the sandbox ----------------------------------------------------------------


class GitHubSandbox:
    """A local GitHub for the console and its tests.

    Args:
        root: Directory for state (``index.json`` and bare repositories).
            Reusing it restores every repository.
        token: A classic token of `login`, with `scopes`.
        login: The authenticated user.
        orgs: Organizations `login` belongs to (may create repositories in).
        scopes: OAuth scopes of `token`.
        clock: Seconds since the epoch, for the rate-limit windows (tests pass
            the clock their client's retry policy reads).

    Attributes:
        state: The repositories and accounts (`GitHubState`).
        recorder: Every exchange that reached the app (not injected faults).
        faults: Add `FaultRule`s here (paths are the contract's, no ``/api/v3``).
        asgi: The app to serve: ``StripPrefix(FaultInjector(ExchangeRecorder(app)))``,
            with the browse pages beside it.
    """

    def __init__(
        self,
        root: Path,
        *,
        token: str = DEFAULT_TOKEN,
        login: str = DEFAULT_LOGIN,
        orgs: Sequence[str] = DEFAULT_ORGS,
        scopes: Sequence[str] = DEFAULT_SCOPES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.state = GitHubState(root, login=login, orgs=orgs)
        self._tokens: dict[str, TokenGrant] = {token: TokenGrant(tuple(scopes))}
        self._github = GitHubApp(self.state, self._tokens, clock)
        self.app: ASGIApp = self._github.app
        self.recorder = ExchangeRecorder(self.app)
        self.faults = FaultInjector(self.recorder)
        self.asgi: ASGIApp = WithBrowsePages(
            BrowsePages(self.state), StripPrefix(self.faults, API_PREFIX)
        )
        self.served: ServedApp | None = None

    @property
    def login(self) -> str:
        return self.state.login

    @property
    def orgs(self) -> tuple[str, ...]:
        return self.state.orgs

    # --- serving ---------------------------------------------------------------
    def serve(self, *, port: int = 0) -> ServedApp:
        """Start serving on loopback; see `base_url`."""
        if self.served is None:
            self.served = serve("github", self.asgi, port=port)
        return self.served

    @property
    def base_url(self) -> str:
        """What to pass as PyGithub's ``base_url`` (``http://127.0.0.1:PORT/api/v3``)."""
        if self.served is None:
            raise RuntimeError("GitHubSandbox.serve() first")
        return self.served.url + API_PREFIX

    @property
    def web_url(self) -> str:
        """The sandbox's "github.com" (``http://127.0.0.1:PORT``): html_urls and browse pages."""
        if self.served is None:
            raise RuntimeError("GitHubSandbox.serve() first")
        return self.served.url

    def stop(self) -> None:
        if self.served is not None:
            self.served.stop()
            self.served = None
        self.state.close()

    # --- tokens and limits ---------------------------------------------------------
    def add_token(self, token: str, *, scopes: Sequence[str] = DEFAULT_SCOPES) -> None:
        """Accept a classic token of the same user with these OAuth scopes.

        A token without ``repo`` (``public_repo`` for public repositories) gets
        GitHub's 404 on writes and on private repositories.
        """
        self._tokens[token] = TokenGrant(tuple(scopes))

    def add_fine_grained_token(
        self, token: str, *, permissions: Mapping[str, str] = FINE_GRAINED_DEFAULT
    ) -> None:
        """Accept a fine-grained token (``github_pat_...``) with these permissions.

        Missing ``contents: write`` (or ``administration: write`` to create
        repositories) gets GitHub's 403 "Resource not accessible by personal
        access token".
        """
        self._tokens[token] = TokenGrant(None, dict(permissions))

    def revoke_token(self, token: str) -> None:
        """The token stops working: 401 "Bad credentials" from now on."""
        self._tokens.pop(token, None)

    def set_rate_limit(
        self,
        remaining: int,
        *,
        token: str | None = None,
        limit: int = RATE_LIMIT,
        reset_in: float = 3600.0,
    ) -> None:
        """Set the primary rate limit of `token` (default: the sandbox token).

        With ``remaining=0`` the next request gets GitHub's 403 "API rate limit
        exceeded" until `reset_in` seconds have passed.
        """
        self._github.set_rate_limit(
            f"token:{token or self.token}", remaining=remaining, limit=limit, reset_in=reset_in
        )

    def limit_secondary(
        self, *, times: int = 1, status: int = 403, retry_after: int | None = None
    ) -> None:
        """The next `times` API requests hit a secondary rate limit.

        GitHub answers 403 (or 429) "You have exceeded a secondary rate
        limit ...", with the primary window's ``X-RateLimit-*`` headers as
        usual (requests remaining), and ``Retry-After`` only if `retry_after`
        is given.
        """
        self._github.limit_secondary(times=times, status=status, retry_after=retry_after)

    def delay_initial_commit(self, reads: int) -> None:
        """Repositories created with ``auto_init`` from now on look empty for a while.

        The first `reads` reads of their branch (``GET .../git/ref/heads/...``)
        answer 409 "Git Repository is empty.", as GitHub can right after the
        create; 0 shows the commit at once again.
        """
        self._github.initial_commit_delay = reads

    # --- helpers for tests ---------------------------------------------------------
    def create_repo(
        self,
        owner: str,
        name: str,
        *,
        private: bool = False,
        auto_init: bool = False,
        description: str | None = None,
    ) -> None:
        """Create a repository directly (seeding), without an HTTP exchange."""
        self.state.create_repo(
            owner, name, private=private, auto_init=auto_init, description=description
        )

    def repo_path(self, owner: str, name: str) -> Path:
        """The bare git repository (``git clone <path>`` works)."""
        return self.state.repo_path(owner, name)

    def head(self, owner: str, name: str, branch: str = "main") -> str | None:
        return self.state.head(owner, name, branch)

    def files_at(self, owner: str, name: str, ref: str = "main") -> dict[str, bytes]:
        return self.state.files_at(owner, name, ref)

    def commit_count(self, owner: str, name: str, ref: str = "main") -> int:
        return self.state.commit_count(owner, name, ref)

    def commit_on_remote(
        self,
        owner: str,
        name: str,
        files: Mapping[str, bytes | str | None],
        message: str = "Update from github.com",
        *,
        branch: str = "main",
    ) -> str:
        """Someone edits on github.com: a commit on top of `branch` (None deletes a file)."""
        return self.state.commit_on_remote(owner, name, files, message, branch=branch)
