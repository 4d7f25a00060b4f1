"""HTTP plumbing shared by the httpx-based service clients (platform, Vercel).

What lives here:

- `build_client()`: one `httpx.AsyncClient` per remote (explicit timeouts,
  base_url, auth header, User-Agent, optional transport for tests). The
  composition root builds it, injects it into the client, and closes it.
- `RetryPolicy` and `HttpApi`: the ONE retry policy for interactive remote calls
  (the PyGithub and Stripe clients run their calls through `run_with_retry`
  too). Idempotent calls (GET/HEAD/OPTIONS/PUT/DELETE, or any call carrying an
  idempotency key) are retried on 5xx, timeouts, connection errors and dropped
  connections, with exponential backoff and full jitter. Two failures are
  retried for any method, because the remote did not act on the request: a
  refused or timed-out *connect* (nothing was sent) and a rate limit (the
  remote refused it).
- Outbox deliveries (`single_attempt()`): every call makes ONE attempt. The
  outbox's persisted backoff is then the only retry policy for queued work
  (no HTTP retries stacked under it, and a failing remote costs one request
  per due row, not four); a rate limit's wait travels up in
  `RateLimited.retry_after` for the outbox to honour. Interactive calls keep
  the `RetryPolicy`.
- Rate limits (`rate_limit_wait`): wait what the remote's headers name:
  ``Retry-After`` (seconds or HTTP date), else ``X-RateLimit-Reset`` (epoch
  seconds, Vercel's and GitHub's) when the window is exhausted
  (``X-RateLimit-Remaining: 0``, or no such header). A limit whose answer
  names no wait (GitHub's secondary limits) waits a minute, then twice as
  long each time it repeats. A wait beyond the policy's cap fails the call at
  once with `RateLimited(retry_after)`.
- Translation of HTTP failures into the typed errors of `console.errors`, and
  `Reader`, a small checked accessor that turns JSON into typed models and
  raises `ContractError` naming the field that did not fit.

Nothing here logs headers, bodies or query strings: only the remote, method,
path, status, attempt numbers and sizes.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any, NoReturn, TypeVar

import httpx

from console import log as console_log
from console.errors import (
    AuthError,
    Conflict,
    ContractError,
    NetworkError,
    NotFound,
    PaymentRequired,
    RateLimited,
    RemoteError,
    Unavailable,
    ValidationFailed,
)

logger = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
IDEMPOTENCY_HEADER = "Idempotency-Key"

T = TypeVar("T")
S = TypeVar("S", bound=str)


def _version() -> str:
    try:
        return metadata.version("l4yercak3-console")
    except metadata.PackageNotFoundError:
        return "0.1.0"


USER_AGENT = f"l4yercak3-console/{_version()} httpx/{httpx.__version__}"

#: Connect fast, allow slow reads (build logs, large lists), never wait forever.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)


def build_client(
    remote: str,
    base_url: str,
    token: str | None,
    *,
    timeout: httpx.Timeout | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    headers: Mapping[str, str] | None = None,
    auth_scheme: str = "Bearer",
    user_agent: str = USER_AGENT,
) -> httpx.AsyncClient:
    """Build the one `httpx.AsyncClient` a remote gets.

    Args:
        remote: name used in logs and errors ("platform", "vercel").
        base_url: API root, e.g. ``https://host/api/v1`` or ``https://api.vercel.com``.
        token: bearer token; None for an unauthenticated client. It is
            registered with the log redactor so it can never reach a log line.
        timeout: explicit timeouts; `DEFAULT_TIMEOUT` if None.
        transport: test transport (`httpx.MockTransport`, `respx`), or None.
        headers: extra default headers.
        auth_scheme: the word before the token in ``Authorization``.
        user_agent: the User-Agent header.

    Returns:
        The client; the caller owns it and must `aclose()` it.
    """
    all_headers: dict[str, str] = {"User-Agent": user_agent, "Accept": "application/json"}
    if token:
        console_log.register_secret(token)
        all_headers["Authorization"] = f"{auth_scheme} {token}"
    all_headers.update(headers or {})
    logger.debug("building http client for %s at %s", remote, base_url)
    return httpx.AsyncClient(
        base_url=base_url,
        headers=all_headers,
        timeout=timeout or DEFAULT_TIMEOUT,
        transport=transport,
        follow_redirects=False,
    )


# --------------------------------------------------------------------------- retry policy


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before trying a call again.

    Attributes:
        attempts: total tries, the first one included (1 disables retries).
        base: first backoff ceiling in seconds; doubles per retry.
        cap: largest backoff ceiling in seconds. The wait is uniform in
            ``[0, min(cap, base * 2**n)]`` ("full jitter").
        retry_after_cap: the longest rate-limit wait we wait for; a longer one
            fails the call at once with `RateLimited(retry_after)`.
        unnamed_limit_wait: the first wait of a rate limit whose answer names
            none (GitHub's secondary limits); it doubles each time the limit repeats.
        sleep: the coroutine that waits (tests pass a recorder).
        rng: the jitter source (tests pass a seeded one).
        clock: seconds since the epoch, to turn ``X-RateLimit-Reset`` and HTTP
            dates into waits (tests pass a fixed one).
    """

    attempts: int = 4
    base: float = 0.5
    cap: float = 8.0
    retry_after_cap: float = 60.0
    unnamed_limit_wait: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, compare=False)
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)
    clock: Callable[[], float] = field(default=time.time, compare=False)

    def ceiling(self, retry: int) -> float:
        """The exponential backoff ceiling of retry number `retry` (1-based), no jitter."""
        return max(0.0, min(self.cap, self.base * 2.0 ** (retry - 1)))

    def backoff(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1-based), full jitter."""
        return self.rng.uniform(0.0, self.ceiling(retry))

    def is_retryable_call(self, method: str, idempotency_key: str | None) -> bool:
        """Whether a call may be repeated without risking a double effect."""
        return method.upper() in IDEMPOTENT_METHODS or bool(idempotency_key)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """`Retry-After` as seconds from now: delta-seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        current = datetime.now(UTC).timestamp() if now is None else now
        seconds = when.timestamp() - current
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def rate_limit_wait(headers: Mapping[str, str], *, now: float) -> float | None:
    """The wait a rate-limited answer names, in seconds; None if it names none.

    ``Retry-After`` first. Else ``X-RateLimit-Reset`` (epoch seconds, as Vercel
    and GitHub send it), but only when the window it closes is the one that
    ran out: ``X-RateLimit-Remaining`` is 0, or absent. GitHub's secondary
    limits come with the primary window's headers (requests remaining, a reset
    up to an hour away), which say nothing about the secondary limit.

    Args:
        headers: the response headers (any case).
        now: seconds since the epoch.
    """
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    retry_after = parse_retry_after(lowered.get("retry-after"), now=now)
    if retry_after is not None:
        return retry_after
    remaining = lowered.get("x-ratelimit-remaining")
    reset = lowered.get("x-ratelimit-reset")
    if reset is None or (remaining is not None and remaining.strip() != "0"):
        return None
    try:
        return max(0.0, float(reset) - now)
    except ValueError:
        return None


# --------------------------------------------------------------------------- error mapping


def extract_error(payload: object) -> tuple[str | None, str | None]:
    """(code, message) from any of our remotes' error bodies.

    Shapes: platform/Vercel ``{"error": {"code", "message"}}``, Stripe
    ``{"error": {"type", "code", "message"}}``, GitHub ``{"message", "errors"}``,
    and the plain ``{"error": "text"}`` / ``{"detail": "text"}``.
    """
    if not isinstance(payload, Mapping):
        return None, None
    err = payload.get("error")
    if isinstance(err, Mapping):
        err_code = err.get("code") or err.get("type")
        err_message = err.get("message")
        return (
            str(err_code) if err_code else None,
            str(err_message) if err_message else None,
        )
    if isinstance(err, str):
        return None, err
    message = payload.get("message") or payload.get("detail")
    text = str(message) if isinstance(message, str | int | float) and message != "" else None
    details = payload.get("errors")
    code: str | None = None
    if isinstance(details, list) and details:
        parts: list[str] = []
        for item in details:
            if isinstance(item, Mapping):
                if code is None and isinstance(item.get("code"), str):
                    code = item["code"]
                if item.get("message"):
                    parts.append(str(item["message"]))
                else:
                    where = ".".join(
                        str(item[k]) for k in ("resource", "field") if item.get(k) is not None
                    )
                    what = item.get("code")
                    parts.append(" ".join(str(p) for p in (where, what) if p))
            elif isinstance(item, str):
                parts.append(item)
        joined = "; ".join(p for p in parts if p)
        if joined:
            text = f"{text.rstrip('.')}: {joined}" if text else joined
    return code, text


_DEFAULT_TEXT = {
    400: "the request was rejected",
    401: "the credentials were refused",
    402: "payment required",
    403: "permission denied",
    404: "not found",
    409: "conflict with the current state",
    422: "the request was rejected",
    429: "too many requests",
}


def error_for_status(
    remote: str,
    status: int,
    *,
    code: str | None = None,
    message: str | None = None,
    retry_after: float | None = None,
) -> RemoteError:
    """The typed error for an HTTP failure status, carrying the remote's code/message."""
    text = message or _DEFAULT_TEXT.get(status) or f"HTTP {status}"
    if code and code not in text:
        text = f"{text} ({code})"
    kw: dict[str, Any] = {"remote": remote, "status": status, "code": code}
    if status in (401, 403):
        return AuthError(text, **kw)
    if status == 402:
        return PaymentRequired(text, **kw)
    if status == 404:
        return NotFound(text, **kw)
    if status == 409:
        return Conflict(text, **kw)
    if status in (400, 422):
        return ValidationFailed(text, **kw)
    if status == 429:
        return RateLimited(text, retry_after=retry_after, **kw)
    if status >= 500:
        return Unavailable(text, **kw)
    return RemoteError(text, **kw)


def error_from_response(
    remote: str, response: httpx.Response, *, retry_after: float | None = None
) -> RemoteError:
    """Translate a read, failed response into a typed error."""
    payload: object = None
    try:
        payload = json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        payload = None
    code, message = extract_error(payload)
    if retry_after is None and response.status_code == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
    return error_for_status(
        remote, response.status_code, code=code, message=message, retry_after=retry_after
    )


def contract_error(remote: str, what: str, *, status: int | None = None) -> ContractError:
    return ContractError(f"unexpected response: {what}", remote=remote, status=status)


def parse_json(remote: str, response: httpx.Response) -> object:
    """The JSON body of a successful response, or `ContractError`."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        logger.info(
            "%s %s %s: body of %d bytes is not JSON",
            remote,
            response.request.method,
            response.request.url.path,
            len(response.content),
        )
        raise contract_error(remote, "the body is not JSON", status=response.status_code) from exc


# --------------------------------------------------------------------------- the retry loop

_single_attempt: ContextVar[bool] = ContextVar("single_attempt", default=False)


@contextlib.contextmanager
def single_attempt() -> Iterator[None]:
    """Calls made inside (this task, its child tasks and threads) try once only.

    The outbox delivers inside it: its own backoff decides when to try again,
    so retrying here too would multiply the requests and hold the lane.
    """
    token = _single_attempt.set(True)
    try:
        yield
    finally:
        _single_attempt.reset(token)


@dataclass(frozen=True)
class Failure:
    """How one failed attempt is judged.

    Attributes:
        error: the typed error to raise if we stop here.
        retry: whether trying again is safe and may help.
        wait: the wait the remote named (`rate_limit_wait`), else None for backoff.
        unnamed_limit: a rate limit whose answer names no wait: the policy's
            `unnamed_limit_wait`, doubled each time it repeats, instead of backoff.
    """

    error: RemoteError
    retry: bool
    wait: float | None = None
    unnamed_limit: bool = False


async def run_with_retry(
    policy: RetryPolicy,
    attempt: Callable[[], Awaitable[T]],
    classify: Callable[[Exception], Failure | None],
    *,
    remote: str,
    label: str,
) -> T:
    """Run `attempt` until it succeeds or the policy gives up; the one retry loop.

    Args:
        policy: backoff, attempts and the Retry-After cap.
        attempt: one try; raises on failure.
        classify: judges an exception; None lets it propagate unchanged.
        remote: name for logs.
        label: what is being done, for logs (method and path; never secrets).

    Inside `single_attempt()` the policy's `attempts` is ignored: one try.

    Raises:
        RemoteError: the last attempt's typed error, or `RateLimited` at once
            when the wait a rate limit needs is longer than `policy.retry_after_cap`.
    """
    attempts = 1 if _single_attempt.get() else max(1, policy.attempts)
    unnamed_limits = 0
    for number in range(1, attempts + 1):
        try:
            return await attempt()
        except Exception as exc:
            failure = classify(exc)
            if failure is None:
                raise
            error = failure.error
            limit_wait = failure.wait
            if failure.unnamed_limit and limit_wait is None:
                # GitHub's rule for a secondary rate limit without retry-after or an
                # exhausted window: "wait for at least one minute before retrying. If
                # your request continues to fail due to a secondary rate limit, wait
                # for an exponentially increasing amount of time between retries"
                # (docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api).
                unnamed_limits += 1
                limit_wait = policy.unnamed_limit_wait * 2.0 ** (unnamed_limits - 1)
            if isinstance(error, RateLimited) and limit_wait is not None:
                error.retry_after = limit_wait
                if limit_wait > policy.retry_after_cap:
                    logger.info(
                        "%s %s: rate limited for %.0f s (over the %.0f s cap)",
                        remote,
                        label,
                        limit_wait,
                        policy.retry_after_cap,
                    )
                    raise error from exc
            if not failure.retry or number == attempts:
                logger.info(
                    "%s %s: gave up after %d attempt(s): %s",
                    remote,
                    label,
                    number,
                    type(error).__name__,
                )
                raise error from exc
            wait = limit_wait if limit_wait is not None else policy.backoff(number)
            logger.info(
                "%s %s: %s, retry %d/%d in %.2f s",
                remote,
                label,
                type(error).__name__ if error.status is None else f"HTTP {error.status}",
                number,
                attempts - 1,
                wait,
            )
            await policy.sleep(wait)
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


# --------------------------------------------------------------------------- the httpx caller


#: Transport failures where the request certainly never reached the remote.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)
#: Transport failures after which the remote may or may not have acted.
_MAYBE_SENT = (
    httpx.TimeoutException,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
    httpx.CloseError,
)


class HttpStatusFailure(Exception):
    """An answer with status >= 400, before `HttpApi.classify` turns it into a typed error."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def network_error(remote: str, exc: Exception) -> NetworkError:
    """A `NetworkError` naming what went wrong (never the URL's query or headers)."""
    if isinstance(exc, httpx.TimeoutException):
        kind = "timed out"
    elif isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        kind = "connection dropped"
    else:
        kind = "connection failed"
    return NetworkError(f"{kind} ({type(exc).__name__})", remote=remote)


class HttpApi:
    """Sends requests for one remote through the retry policy and error mapping.

    Args:
        client: the remote's `httpx.AsyncClient` (owned by the caller).
        remote: name for logs and errors.
        policy: the retry policy; the default one if None.
    """

    def __init__(
        self, client: httpx.AsyncClient, *, remote: str, policy: RetryPolicy | None = None
    ) -> None:
        self.client = client
        self.remote = remote
        self.policy = policy or RetryPolicy()

    def classify(self, exc: Exception, *, retryable: bool) -> Failure | None:
        """Judge one failed attempt (see the module docstring for the rules)."""
        if isinstance(exc, HttpStatusFailure):
            response = exc.response
            status = response.status_code
            now = self.policy.clock()
            if status == 429:
                wait = rate_limit_wait(response.headers, now=now)
                error = error_from_response(self.remote, response, retry_after=wait)
                # The remote refused to act: safe to repeat whatever the method.
                return Failure(error, retry=True, wait=wait)
            error = error_from_response(self.remote, response)
            if status >= 500:
                wait = parse_retry_after(response.headers.get("Retry-After"), now=now)
                if wait is not None and wait > self.policy.retry_after_cap:
                    wait = None
                return Failure(error, retry=retryable, wait=wait)
            return Failure(error, retry=False)
        if isinstance(exc, _NOT_SENT):
            return Failure(network_error(self.remote, exc), retry=True)
        if isinstance(exc, _MAYBE_SENT):
            return Failure(network_error(self.remote, exc), retry=retryable)
        if isinstance(exc, httpx.TransportError):  # proxy, unsupported protocol: no use
            return Failure(network_error(self.remote, exc), retry=False)
        return None

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: object = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send one call (retrying as the policy allows) and return its 2xx response.

        Args:
            method: HTTP method.
            url: path relative to the client's base_url.
            params: query parameters; None values are left out.
            json_body: JSON body, or None for no body.
            headers: extra headers for this call.
            idempotency_key: sent as ``Idempotency-Key``; makes the call retryable.
            idempotent: override the method-based rule, for calls the remote
                treats as repeatable (an upsert, a verification check).

        Raises:
            AuthError, NotFound, Conflict, ValidationFailed, PaymentRequired,
            RateLimited, Unavailable, RemoteError: the remote answered with an error.
            NetworkError: no (complete) answer.
        """
        method = method.upper()
        all_headers = dict(headers or {})
        if idempotency_key:
            all_headers[IDEMPOTENCY_HEADER] = idempotency_key
        clean_params = (
            {k: v for k, v in params.items() if v is not None} if params is not None else None
        )
        retryable = (
            idempotent
            if idempotent is not None
            else self.policy.is_retryable_call(method, idempotency_key)
        )
        path = url.split("?", 1)[0]

        async def attempt() -> httpx.Response:
            started = time.monotonic()
            response = await self.client.request(
                method, url, params=clean_params, json=json_body, headers=all_headers
            )
            logger.debug(
                "%s %s %s -> %d (%d bytes, %.0f ms)",
                self.remote,
                method,
                path,
                response.status_code,
                len(response.content),
                (time.monotonic() - started) * 1000,
            )
            if response.status_code >= 400:
                raise HttpStatusFailure(response)
            return response

        return await run_with_retry(
            self.policy,
            attempt,
            lambda exc: self.classify(exc, retryable=retryable),
            remote=self.remote,
            label=f"{method} {path}",
        )

    async def request_json(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: object = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        idempotent: bool | None = None,
    ) -> object:
        """`send()` and return the parsed JSON body (`ContractError` if it is not JSON)."""
        response = await self.send(
            method,
            url,
            params=params,
            json_body=json_body,
            headers=headers,
            idempotency_key=idempotency_key,
            idempotent=idempotent,
        )
        return parse_json(self.remote, response)

    async def request_reader(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: object = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        idempotent: bool | None = None,
    ) -> Reader:
        """`request_json()` wrapped in a `Reader` for typed parsing."""
        data = await self.request_json(
            method,
            url,
            params=params,
            json_body=json_body,
            headers=headers,
            idempotency_key=idempotency_key,
            idempotent=idempotent,
        )
        return Reader(data, remote=self.remote)


# --------------------------------------------------------------------------- typed parsing


class Reader:
    """Checked access to one JSON value; every mismatch is a `ContractError`.

    Models parse with it (``r.text("id")``, ``r.items("deployments")``) so a
    missing or mistyped field names its path, e.g. ``$.deployments[2].uid``.
    """

    __slots__ = ("data", "path", "remote")

    def __init__(self, data: object, *, remote: str, path: str = "$") -> None:
        self.data = data
        self.remote = remote
        self.path = path

    # -- failures
    def fail(self, what: str) -> NoReturn:
        raise contract_error(self.remote, f"{what} at {self.path}")

    def _mapping(self) -> Mapping[str, object]:
        if not isinstance(self.data, Mapping):
            self.fail(f"expected an object, got {_kind(self.data)}")
        return self.data

    def _get(self, key: str) -> object:
        return self._mapping().get(key)

    def has(self, key: str) -> bool:
        return self._get(key) is not None

    def _typed(self, key: str, types: type | tuple[type, ...], label: str, required: bool) -> Any:
        value = self._get(key)
        if value is None:
            if required:
                self.fail(f"missing {label} field {key!r}")
            return None
        accepted = types if isinstance(types, tuple) else (types,)
        if isinstance(value, bool) and bool not in accepted:
            self.fail(f"field {key!r} should be {label}, got a boolean")
        if not isinstance(value, types):
            self.fail(f"field {key!r} should be {label}, got {_kind(value)}")
        return value

    # -- scalars
    def text(self, key: str) -> str:
        value: str = self._typed(key, str, "a string", True)
        return value

    def opt_text(self, key: str) -> str | None:
        value: str | None = self._typed(key, str, "a string", False)
        return value

    def integer(self, key: str) -> int:
        value: int | float = self._typed(key, (int, float), "an integer", True)
        return self._as_int(key, value)

    def opt_integer(self, key: str) -> int | None:
        value: int | float | None = self._typed(key, (int, float), "an integer", False)
        return None if value is None else self._as_int(key, value)

    def _as_int(self, key: str, value: float) -> int:
        if isinstance(value, float) and not value.is_integer():
            self.fail(f"field {key!r} should be an integer, got {value}")
        return int(value)

    def number(self, key: str) -> float:
        value: int | float = self._typed(key, (int, float), "a number", True)
        return float(value)

    def opt_number(self, key: str) -> float | None:
        value: int | float | None = self._typed(key, (int, float), "a number", False)
        return None if value is None else float(value)

    def flag(self, key: str, default: bool | None = None) -> bool:
        """A boolean; required unless a `default` is given."""
        value: bool | None = self._typed(key, bool, "a boolean", default is None)
        if value is None:
            return bool(default)
        return value

    def opt_flag(self, key: str) -> bool | None:
        value: bool | None = self._typed(key, bool, "a boolean", False)
        return value

    def instant(self, key: str) -> datetime:
        """An ISO 8601 timestamp as an aware datetime (naive ones are read as UTC)."""
        return self._as_instant(key, self.text(key))

    def opt_instant(self, key: str) -> datetime | None:
        value = self.opt_text(key)
        return None if value is None else self._as_instant(key, value)

    def _as_instant(self, key: str, value: str) -> datetime:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"field {key!r} is not an ISO 8601 timestamp: {value[:40]!r}")
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)

    def literal(self, key: str, allowed: Sequence[S]) -> S:
        """A string that must be one of `allowed`, typed as their Literal."""
        value = self.text(key)
        for option in allowed:
            if value == option:
                return option
        self.fail(f"field {key!r} is {value!r}, not one of {', '.join(allowed)}")

    def opt_literal(self, key: str, allowed: Sequence[S]) -> S | None:
        return self.literal(key, allowed) if self.has(key) else None

    def literals(self, key: str, allowed: Sequence[S]) -> tuple[S, ...]:
        """A required list of strings, each one of `allowed`."""
        out: list[S] = []
        for i, value in enumerate(self.texts(key, required=True)):
            for option in allowed:
                if value == option:
                    out.append(option)
                    break
            else:
                self.fail(f"{key}[{i}] is {value!r}, not one of {', '.join(allowed)}")
        return tuple(out)

    def choice(self, key: str, allowed: Sequence[str]) -> str:
        value = self.text(key)
        if value not in allowed:
            self.fail(f"field {key!r} is {value!r}, not one of {', '.join(allowed)}")
        return value

    # -- containers
    def obj(self, key: str) -> Reader:
        value = self._typed(key, Mapping, "an object", True)
        return Reader(value, remote=self.remote, path=f"{self.path}.{key}")

    def opt_obj(self, key: str) -> Reader | None:
        value = self._typed(key, Mapping, "an object", False)
        if value is None:
            return None
        return Reader(value, remote=self.remote, path=f"{self.path}.{key}")

    def items(self, key: str, *, required: bool = True) -> list[Reader]:
        value = self._typed(key, list, "a list", required)
        if value is None:
            return []
        return [
            Reader(item, remote=self.remote, path=f"{self.path}.{key}[{i}]")
            for i, item in enumerate(value)
        ]

    def texts(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        value = self._typed(key, list, "a list", required)
        if value is None:
            return ()
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.fail(f"field {key}[{i}] should be a string, got {_kind(item)}")
        return tuple(value)

    def string_map(self, key: str) -> dict[str, str]:
        """An object of string values (metadata); non-string values are stringified."""
        value = self._typed(key, Mapping, "an object", False)
        if value is None:
            return {}
        return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}

    def raw(self, key: str) -> object:
        return self._get(key)

    def elements(self) -> list[Reader]:
        """This value as a list."""
        if not isinstance(self.data, list):
            self.fail(f"expected a list, got {_kind(self.data)}")
        return [
            Reader(item, remote=self.remote, path=f"{self.path}[{i}]")
            for i, item in enumerate(self.data)
        ]

    def parse(self, parser: Callable[[Reader], T]) -> T:
        """Run a model parser on this value (helper for readability)."""
        return parser(self)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
