"""GitHub client around PyGithub 2.10: users, repositories, and the one-commit publish.

PyGithub is synchronous (requests), so every call, attribute reads included,
runs in `asyncio.to_thread`, and at most `max_concurrency` run at once.
PyGithub's own waiting is switched off (``retry=0``, no pause between
requests or writes); the console's `RetryPolicy` decides instead, through the
same loop as the httpx clients (`console.services.http.run_with_retry`):

- reads (GET) and the content-addressed Git Data writes (blobs, trees,
  commits: repeating one creates the same object, or an unreferenced one) are
  retried on 5xx, timeouts and dropped connections;
- a ref update is retried too (setting a ref to the same commit twice has one
  effect); a ref creation and a repository creation are not, except when the
  connection could not even be opened;
- 429 and rate-limit 403s wait as `console.services.http.rate_limit_wait`
  reads GitHub's headers: the primary limit (``x-ratelimit-remaining: 0``)
  until ``x-ratelimit-reset``; a secondary limit (a message saying so, the
  primary window's headers beside it) ``retry-after`` if sent, else a minute,
  then exponentially longer; beyond the policy's cap, `RateLimited` at once.

Every request carries ``X-GitHub-Api-Version: 2022-11-28``, the version the
contract describes: without it GitHub answers with its default version, which
is not ours to choose.

**Publishing** (`commit_files`) is one atomic commit through the Git Data API:
``GET ref``, a blob only per binary file, ONE tree with
inline text content listing every file (no ``base_tree``: the file set
replaces the tree, so removed files disappear), one commit, one ref update
that is never forced. A 200-file text scaffold takes 4 requests.

**Empty repositories**: GitHub answers 409 "Git Repository is empty." to
every Git Data call on a repository without a commit, and the contract has no
other way to write (``PUT contents`` is not in it). So the console creates
repositories with ``auto_init=True`` (`create_repo` returns the auto-init
commit as `Repo.head`), and the first publish goes on top of that commit.
GitHub may answer the branch read right after the create as if the
repository were still empty, so that read is repeated a few times, with a
short backoff, before the repository is taken as empty. Publishing to a
repository created empty elsewhere fails with a `ValidationFailed` that says so.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import requests
import urllib3.exceptions

from console import log as console_log
from console.errors import (
    AuthError,
    Conflict,
    NetworkError,
    NotFound,
    RateLimited,
    RemoteError,
    ValidationFailed,
)
from console.services.github.models import CommitResult, GitHubUser, Repo, Tree
from console.services.http import (
    USER_AGENT,
    Failure,
    Reader,
    RetryPolicy,
    contract_error,
    error_for_status,
    extract_error,
    parse_retry_after,
    rate_limit_wait,
    run_with_retry,
)

if TYPE_CHECKING:
    from github import Github
    from github.Repository import Repository

logger = logging.getLogger(__name__)

REMOTE = "github"
#: The REST API version the console is written against (and the contract describes).
API_VERSION = "2022-11-28"
T = TypeVar("T")

#: The message GitHub sends (409) for Git Data calls on a repository without commits.
EMPTY_REPO_MESSAGE = "Git Repository is empty."
SCOPE_HINT = "the token lacks the repo scope (or access to this repository)"


class GitHubClient:
    """Typed coroutines over GitHub, through PyGithub.

    Args:
        base_url: API root: ``https://api.github.com`` or the sandbox's
            ``http://127.0.0.1:PORT/api/v3``.
        token: a classic or fine-grained personal access token; registered
            with the log redactor, never logged.
        timeout: seconds for connect and for each read.
        policy: the retry policy; the default if None.
        max_concurrency: PyGithub calls running at once.
        user_agent: the User-Agent header.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 30.0,
        policy: RetryPolicy | None = None,
        max_concurrency: int = 4,
        user_agent: str = USER_AGENT,
    ) -> None:
        # Imported here: importing PyGithub takes ~0.6 s, too slow for startup.
        from github import Auth, Github

        console_log.register_secret(token)
        self.policy = policy or RetryPolicy()
        self._gate = asyncio.Semaphore(max_concurrency)
        self._count_lock = threading.Lock()
        self._requests = 0
        self._gh: Github = Github(
            base_url=base_url.rstrip("/"),
            auth=Auth.Token(token),
            # PyGithub insists on whole seconds; the connection hook below
            # sets the real (connect, read) timeouts on requests.
            timeout=max(1, math.ceil(timeout)),
            user_agent=user_agent,
            retry=0,  # our policy decides (0, not None: None means requests' default)
            seconds_between_requests=0,
            seconds_between_writes=0,
            lazy=True,  # objects fetch only when we ask: the request count stays exact
            api_version=API_VERSION,
        )
        self.counting = _install_connection_hook(
            self._gh, self._count_request, (min(timeout, 10.0), timeout)
        )

    # ------------------------------------------------------------------ counting

    def _count_request(self, method: str, url: str) -> None:
        with self._count_lock:
            self._requests += 1
        logger.debug("github request %s %s", method, url.split("?", 1)[0])

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far by this client (retries included)."""
        with self._count_lock:
            return self._requests

    def close(self) -> None:
        """Close PyGithub's connection pool."""
        self._gh.close()

    async def aclose(self) -> None:
        """`close()` from the loop (the pool is closed in a worker thread)."""
        await asyncio.to_thread(self._gh.close)

    # ------------------------------------------------------------------ plumbing

    async def _io(
        self,
        label: str,
        fn: Callable[[], T],
        *,
        retry: bool = True,
        not_found: Callable[[RemoteError], RemoteError] | None = None,
    ) -> T:
        """Run one blocking PyGithub step in a thread, through the retry policy."""

        async def attempt() -> T:
            async with self._gate:
                return await asyncio.to_thread(fn)

        def classify(exc: Exception) -> Failure | None:
            failure = _classify(exc, retryable=retry, now=self.policy.clock())
            if (
                failure is not None
                and not_found is not None
                and isinstance(failure.error, NotFound)
            ):
                return Failure(not_found(failure.error), retry=False)
            return failure

        return await run_with_retry(self.policy, attempt, classify, remote=REMOTE, label=label)

    def _repo(self, owner: str, name: str) -> Repository:
        return self._gh.get_repo(f"{owner}/{name}")  # lazy: no request

    # ------------------------------------------------------------------ users and repos

    async def get_user(self) -> GitHubUser:
        """The token's user (``GET /user``); checks that the token works."""

        def run() -> GitHubUser:
            user = self._gh.get_user()
            user.complete()
            return GitHubUser.parse(Reader(user.raw_data, remote=REMOTE))

        return await self._io("GET /user", run)

    async def get_repo(self, owner: str, name: str) -> Repo:
        """``GET /repos/{owner}/{repo}``."""

        def run() -> Repo:
            repo = self._repo(owner, name)
            repo.complete()
            return Repo.parse(Reader(repo.raw_data, remote=REMOTE))

        return await self._io(f"GET /repos/{owner}/{name}", run)

    async def create_repo(
        self,
        owner: str | None,
        name: str,
        private: bool = True,
        description: str | None = None,
    ) -> Repo:
        """Create a repository with an initial commit (``auto_init``).

        Args:
            owner: an organization login, or None for the token's user.
            name: repository name.
            private: visibility.
            description: shown on GitHub.

        Returns:
            The repository, with `head` = the auto-init commit (the parent of
            the first publish).

        Raises:
            ValidationFailed: the name exists (GitHub's 422 message).
            AuthError: the token may not create repositories there.
        """
        kwargs: dict[str, Any] = {"private": private, "auto_init": True}
        if description is not None:
            kwargs["description"] = description

        def run() -> dict[str, Any]:
            if owner:
                created = self._gh.get_organization(owner).create_repo(name, **kwargs)
            else:
                created = self._gh.get_user().create_repo(name, **kwargs)
            return created.raw_data

        where = f"/orgs/{owner}/repos" if owner else "/user/repos"
        raw = await self._io(
            f"POST {where}",
            run,
            retry=False,
            not_found=lambda e: AuthError(
                f"cannot create repositories in {owner or 'this account'}: {SCOPE_HINT}",
                remote=REMOTE,
                status=e.status,
                code=e.code,
            ),
        )
        repo = Repo.parse(Reader(raw, remote=REMOTE))
        head = await self._initial_head(repo)
        logger.info("github repository %s created (private=%s)", repo.full_name, repo.private)
        return Repo.parse(Reader(raw, remote=REMOTE), head=head)

    async def _initial_head(self, repo: Repo) -> str | None:
        """The auto-init commit of a repository created moments ago.

        GitHub creates it with the repository, but a read right after the
        create can still find the repository empty; the read is repeated with
        the policy's backoff (no jitter: this waits for GitHub, not for a
        crowd) before the repository is taken as empty.
        """
        attempts = max(1, self.policy.attempts)
        for number in range(1, attempts + 1):
            head = await self.get_head(repo.owner, repo.name, repo.default_branch)
            if head is not None or number == attempts:
                return head
            wait = self.policy.ceiling(number)
            logger.info(
                "github %s: initial commit not visible yet, read %d/%d again in %.2f s",
                repo.full_name,
                number + 1,
                attempts,
                wait,
            )
            await self.policy.sleep(wait)
        raise AssertionError("unreachable: the loop returns")  # pragma: no cover

    async def delete_repo(self, owner: str, name: str) -> None:
        """``DELETE /repos/{owner}/{repo}``: the token needs the ``delete_repo`` scope.

        Raises:
            AuthError: the token may not delete it (GitHub's 403 without ``delete_repo``).
            NotFound: no such repository.
        """

        def run() -> None:
            self._repo(owner, name).delete()

        try:
            await self._io(f"DELETE /repos/{owner}/{name}", run)
        except AuthError as exc:
            # The generic hint names the repo scope; deleting needs its own.
            raise AuthError(
                f"the token may not delete {owner}/{name}: it needs the delete_repo scope",
                remote=REMOTE,
                status=exc.status,
                code=exc.code,
            ) from exc
        logger.info("github repository %s/%s deleted", owner, name)

    # ------------------------------------------------------------------ git data

    async def get_head(self, owner: str, name: str, branch: str) -> str | None:
        """The commit `branch` points at, or None.

        None when the branch does not exist or the repository has no commit
        yet (GitHub's 409 "Git Repository is empty."). GitHub also answers 404
        for a repository that does not exist, so that reads as None too.

        Raises:
            AuthError: the token lacks the scope to read the repository.
        """

        def run() -> str | None:
            from github import GithubException

            ref = self._repo(owner, name).get_git_ref(f"heads/{branch}")
            try:
                ref.complete()
            except GithubException as exc:
                if exc.status == 404 and not _missing_scope(_lower(exc.headers)):
                    return None
                if exc.status == 409 and _is_empty_repo(exc):
                    return None
                raise
            return Reader(ref.raw_data, remote=REMOTE).obj("object").text("sha")

        return await self._io(f"GET /repos/{owner}/{name}/git/ref/heads/{branch}", run)

    async def list_tree(self, owner: str, name: str, sha: str) -> Tree:
        """The full file listing of a commit or tree (``GET .../git/trees/{sha}?recursive=1``)."""

        def run() -> Tree:
            tree = self._repo(owner, name).get_git_tree(sha, recursive=True)
            return Tree.parse(Reader(tree.raw_data, remote=REMOTE))

        return await self._io(f"GET /repos/{owner}/{name}/git/trees/{sha}", run)

    async def commit_files(
        self,
        owner: str,
        name: str,
        branch: str,
        files: Mapping[str, bytes],
        message: str,
        expected_parent: str | None,
        *,
        allow_diverged: bool = False,
        head_known: bool = False,
    ) -> CommitResult:
        """Publish `files` as ONE commit on `branch`: they become the whole tree.

        Args:
            owner: repository owner.
            name: repository name.
            branch: branch to move (created if missing).
            files: path -> content; UTF-8 files go inline in the tree, other
                files as base64 blobs. Content starting with ``#!`` is
                executable (mode 100755).
            message: commit message.
            expected_parent: the head the caller last published (or
                `Repo.head` after `create_repo`); None if it expects no branch yet.
            allow_diverged: commit on top of whatever the remote head is.
            head_known: `expected_parent` was read from GitHub moments ago
                (`create_repo`), so it is not read again; the ref update still
                refuses anything but a fast-forward, so nothing is overwritten.

        Returns:
            The commit, with `requests` = the HTTP requests it took.

        Raises:
            Conflict: the remote head is not `expected_parent` ("changed on
                GitHub since the last publish"), or moved during the publish.
            ValidationFailed: the repository has no commit at all, or GitHub
                refused the content.
        """
        from github import InputGitTreeElement
        from github.GitCommit import GitCommit
        from github.GitRef import GitRef
        from github.GitTree import GitTree

        if not files:
            raise ValidationFailed("nothing to publish: the file set is empty", remote=REMOTE)
        paths = {_clean_path(p): data for p, data in files.items()}
        start = self.request_count
        started = time.monotonic()
        repo_label = f"/repos/{owner}/{name}"

        head = expected_parent if head_known else await self.get_head(owner, name, branch)
        diverged = head != expected_parent
        if diverged and not allow_diverged:
            logger.info(
                "github %s/%s %s: head %s, expected %s", owner, name, branch, head, expected_parent
            )
            raise Conflict(
                f"{owner}/{name} changed on GitHub since the last publish "
                f"(branch {branch} is at {_short(head)}, expected {_short(expected_parent)})",
                remote=REMOTE,
                code="diverged",
            )

        repo = self._repo(owner, name)
        empty = functools.partial(_empty_repo_error, owner, name)

        # Binary files need a blob each; text goes inline in the tree.
        elements: list[Any] = []
        blobs = 0
        for path, data in sorted(paths.items()):
            mode = "100755" if data.startswith(b"#!") else "100644"
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                encoded = base64.b64encode(data).decode("ascii")
                blob_sha = await self._io(
                    f"POST {repo_label}/git/blobs",
                    functools.partial(_create_blob, repo, encoded),
                    not_found=_scope_or_missing(owner, name),
                )
                blobs += 1
                elements.append(InputGitTreeElement(path, mode, "blob", sha=blob_sha))
            else:
                elements.append(InputGitTreeElement(path, mode, "blob", content=text))

        def create_tree() -> dict[str, Any]:
            from github import GithubException

            try:
                return repo.create_git_tree(elements).raw_data
            except GithubException as exc:
                if exc.status == 409 and _is_empty_repo(exc):
                    raise empty() from exc
                raise

        tree_raw = await self._io(
            f"POST {repo_label}/git/trees", create_tree, not_found=_scope_or_missing(owner, name)
        )
        tree_sha = Reader(tree_raw, remote=REMOTE).text("sha")

        def create_commit() -> str:
            tree = self._gh.create_from_raw_data(GitTree, {"sha": tree_sha})
            parents = [self._gh.create_from_raw_data(GitCommit, {"sha": head})] if head else []
            commit = repo.create_git_commit(message, tree, parents)
            return Reader(commit.raw_data, remote=REMOTE).text("sha")

        commit_sha = await self._io(f"POST {repo_label}/git/commits", create_commit)

        ref_path = f"{repo.url}/git/refs/heads/{quote(branch, safe='/')}"

        def move_ref() -> None:
            if head is None:
                repo.create_git_ref(f"refs/heads/{branch}", commit_sha)
                return
            ref = self._gh.create_from_raw_data(
                GitRef, {"ref": f"refs/heads/{branch}", "url": ref_path}
            )
            ref.edit(commit_sha, force=False)

        try:
            await self._io(
                f"{'POST' if head is None else 'PATCH'} {repo_label}/git/refs",
                move_ref,
                retry=head is not None,
            )
        except ValidationFailed as exc:
            text = str(exc).lower()
            if "fast forward" in text or "already exists" in text:
                raise Conflict(
                    f"{owner}/{name} changed on GitHub during the publish "
                    f"(branch {branch} moved); nothing was overwritten",
                    remote=REMOTE,
                    status=exc.status,
                    code="diverged",
                ) from exc
            raise
        used = self.request_count - start
        logger.info(
            "github %s/%s %s: published %d files (%d blobs) as %s in %d requests, %.1f s",
            owner,
            name,
            branch,
            len(paths),
            blobs,
            commit_sha[:12],
            used,
            time.monotonic() - started,
        )
        return CommitResult(
            sha=commit_sha,
            tree_sha=tree_sha,
            parent=head,
            branch=branch,
            files=len(paths),
            blobs=blobs,
            diverged=diverged,
            requests=used,
        )


# ---------------------------------------------------------------------- helpers


def _create_blob(repo: Repository, encoded: str) -> str:
    blob = repo.create_git_blob(encoded, "base64")
    return Reader(blob.raw_data, remote=REMOTE).text("sha")


def _short(sha: str | None) -> str:
    return sha[:12] if sha else "no commit"


def _clean_path(path: str) -> str:
    clean = path.replace("\\", "/").removeprefix("./")
    parts = clean.split("/")
    if not clean or clean.startswith("/") or any(p in ("", ".", "..", ".git") for p in parts):
        raise ValidationFailed(f"invalid file path in the publish: {path!r}", remote=REMOTE)
    return clean


def _lower(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in (headers or {}).items()}


def _is_empty_repo(exc: Any) -> bool:
    _, message = extract_error(getattr(exc, "data", None))
    return bool(message) and "empty" in str(message).lower()


def _empty_repo_error(owner: str, name: str) -> ValidationFailed:
    return ValidationFailed(
        f"{owner}/{name} has no commit yet, and GitHub's Git Data API cannot write to an "
        "empty repository. Add a first commit on GitHub (e.g. a README) or let the console "
        "create the repository.",
        remote=REMOTE,
        status=409,
        code="repository_empty",
    )


def _scope_or_missing(owner: str, name: str) -> Callable[[RemoteError], RemoteError]:
    def convert(error: RemoteError) -> RemoteError:
        if SCOPE_HINT in str(error):
            return error
        return NotFound(
            f"{owner}/{name} not found, or {SCOPE_HINT}",
            remote=REMOTE,
            status=error.status,
            code=error.code,
        )

    return convert


def _install_connection_hook(
    gh: Github, on_request: Callable[[str, str], None], timeout: tuple[float, float]
) -> bool:
    """Count every HTTP request this PyGithub instance sends, and set real timeouts.

    PyGithub has neither a request hook nor sub-second timeouts, so the
    requester's connection class (one per `Github` instance) is swapped for
    a subclass that reports each request and hands requests a
    ``(connect, read)`` timeout. Returns False (nothing counted, whole-second
    timeouts) if PyGithub's internals moved.
    """
    requester = gh.requester
    attribute = "_Requester__connectionClass"
    base = getattr(requester, attribute, None)
    if base is None or not hasattr(base, "getresponse"):
        logger.debug("PyGithub request counting unavailable")
        return False

    class CountingConnection(base):  # type: ignore[valid-type, misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.timeout = timeout

        def getresponse(self) -> Any:
            on_request(self.verb, self.url)
            return super().getresponse()

    setattr(requester, attribute, CountingConnection)
    return True


def _classify(exc: Exception, *, retryable: bool, now: float) -> Failure | None:
    """Judge a PyGithub / requests failure (see the module docstring)."""
    from github import BadAttributeException, GithubException, RateLimitExceededException

    if isinstance(exc, RemoteError):  # raised by our own step code
        return Failure(exc, retry=False)
    if isinstance(exc, RateLimitExceededException):
        return _rate_limited(exc, now=now)
    if isinstance(exc, GithubException):
        return _classify_status(exc, retryable=retryable, now=now)
    if isinstance(exc, BadAttributeException):
        return Failure(contract_error(REMOTE, f"a field has the wrong type ({exc})"), retry=False)
    if isinstance(exc, ValueError):  # json.JSONDecodeError from PyGithub's parser
        return Failure(contract_error(REMOTE, "the body is not JSON"), retry=False)
    if isinstance(exc, requests.exceptions.RequestException | urllib3.exceptions.HTTPError):
        return _classify_transport(exc, retryable=retryable)
    return None


def _rate_limited(exc: Any, *, now: float) -> Failure:
    """A 403/429 rate limit, primary or secondary: the wait GitHub's headers name, if any.

    A secondary limit that names none (no ``retry-after``, the primary window
    not exhausted) is an unnamed limit: the policy's minute, then longer.
    """
    code, message = extract_error(exc.data)
    wait = rate_limit_wait(_lower(exc.headers), now=now)
    error = RateLimited(
        message or "API rate limit exceeded",
        retry_after=wait,
        remote=REMOTE,
        status=exc.status,
        code=code,
    )
    return Failure(error, retry=True, wait=wait, unnamed_limit=wait is None)


def _classify_status(exc: Any, *, retryable: bool, now: float) -> Failure:
    status: int = exc.status
    headers = _lower(exc.headers)
    code, message = extract_error(exc.data)
    if status in (403, 429) and (
        str(headers.get("x-ratelimit-remaining")) == "0"
        or "retry-after" in headers
        or (message and "rate limit" in message.lower())
    ):
        return _rate_limited(exc, now=now)
    if status == 403 and (message is None or "bad credentials" not in message.lower()):
        return Failure(
            AuthError(
                f"{message or 'permission denied'}: {SCOPE_HINT}",
                remote=REMOTE,
                status=status,
                code=code,
            ),
            retry=False,
        )
    if status == 404 and _missing_scope(headers):
        return Failure(
            AuthError(f"{message or 'Not Found'}: {SCOPE_HINT}", remote=REMOTE, status=404),
            retry=False,
        )
    error = error_for_status(REMOTE, status, code=code, message=message)
    if status >= 500:
        wait = parse_retry_after(headers.get("retry-after"), now=now)
        return Failure(error, retry=retryable, wait=wait)
    return Failure(error, retry=False)


def _classify_transport(exc: Exception, *, retryable: bool) -> Failure:
    if isinstance(exc, requests.exceptions.Timeout):
        kind = "timed out"
    elif isinstance(
        exc, requests.exceptions.ChunkedEncodingError | urllib3.exceptions.ProtocolError
    ):
        kind = "connection dropped"
    else:
        kind = "connection failed"
    error = NetworkError(f"{kind} ({type(exc).__name__})", remote=REMOTE)
    return Failure(error, retry=retryable or _never_sent(exc))


def _never_sent(exc: Exception) -> bool:
    """Whether the request certainly did not reach GitHub (connect failed)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason: object = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)
        return isinstance(
            reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError
        )
    return False


def _missing_scope(headers: Mapping[str, Any]) -> bool:
    """A classic token whose scopes lack what the endpoint accepts (GitHub answers 404)."""
    if "x-oauth-scopes" not in headers or "x-accepted-oauth-scopes" not in headers:
        return False
    have = {s.strip() for s in str(headers["x-oauth-scopes"]).split(",") if s.strip()}
    accepted = {s.strip() for s in str(headers["x-accepted-oauth-scopes"]).split(",") if s.strip()}
    return bool(accepted) and not (have & accepted)
