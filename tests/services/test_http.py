"""The shared retry policy, error mapping and typed parsing (MockTransport)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

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
from console.services.http import (
    USER_AGENT,
    Failure,
    HttpApi,
    Reader,
    RetryPolicy,
    build_client,
    extract_error,
    parse_retry_after,
    rate_limit_wait,
    run_with_retry,
    single_attempt,
)
from tests.services.conftest import Recorder, SleepLog, dropped_response, json_response


def _api(recorder: Recorder, policy: RetryPolicy) -> HttpApi:
    client = build_client(
        "test", "https://remote.test/api", "tok_secret_123", transport=recorder.transport()
    )
    return HttpApi(client, remote="test", policy=policy)


def _script(*responses: httpx.Response | Exception) -> Recorder:
    queue: Iterator[httpx.Response | Exception] = iter(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = next(queue)
        if isinstance(item, Exception):
            raise item
        return item

    return Recorder(handler)


async def test_client_headers_timeout_and_base_url() -> None:
    rec = Recorder(lambda r: json_response(200, {"ok": True}))
    client = build_client(
        "test",
        "https://remote.test/api/v1",
        "tok_abcdef",
        transport=rec.transport(),
        timeout=httpx.Timeout(3.0),
    )
    assert client.timeout == httpx.Timeout(3.0)
    await client.get("/things")
    sent = rec.requests[0]
    assert sent.url == "https://remote.test/api/v1/things"
    assert sent.headers["Authorization"] == "Bearer tok_abcdef"
    assert sent.headers["User-Agent"] == USER_AGENT
    await client.aclose()


def test_backoff_is_full_jitter_and_capped() -> None:
    policy = RetryPolicy(base=1.0, cap=4.0, rng=random.Random(1))
    for retry in range(1, 8):
        ceiling = min(4.0, 2 ** (retry - 1))
        for _ in range(50):
            assert 0.0 <= policy.backoff(retry) <= ceiling


def test_parse_retry_after_seconds_and_date() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    when = datetime.now(UTC) + timedelta(seconds=30)
    parsed = parse_retry_after(format_datetime(when, usegmt=True))
    assert parsed is not None
    assert 25 <= parsed <= 31
    past = datetime.now(UTC) - timedelta(seconds=30)
    assert parse_retry_after(format_datetime(past, usegmt=True)) == 0.0


async def test_5xx_then_success_is_retried(policy: RetryPolicy, sleeps: SleepLog) -> None:
    rec = _script(json_response(503, {}), json_response(502, {}), json_response(200, {"id": "a"}))
    data = await _api(rec, policy).request_json("GET", "/things/a")
    assert data == {"id": "a"}
    assert len(rec.requests) == 3
    assert len(sleeps.waits) == 2
    assert all(0 <= w <= policy.cap for w in sleeps.waits)


async def test_5xx_forever_is_unavailable_after_attempts(policy: RetryPolicy) -> None:
    rec = Recorder(lambda r: json_response(500, {"error": {"code": "boom", "message": "down"}}))
    with pytest.raises(Unavailable) as info:
        await _api(rec, policy).send("GET", "/x")
    assert len(rec.requests) == policy.attempts
    assert info.value.status == 500
    assert "down" in str(info.value)
    assert info.value.code == "boom"


async def test_post_without_key_is_not_retried_on_5xx(policy: RetryPolicy) -> None:
    rec = Recorder(lambda r: json_response(503, {}))
    with pytest.raises(Unavailable):
        await _api(rec, policy).send("POST", "/x", json_body={"a": 1})
    assert len(rec.requests) == 1


async def test_post_with_key_is_retried_and_keeps_the_key(policy: RetryPolicy) -> None:
    rec = _script(json_response(503, {}), json_response(201, {"ok": 1}))
    await _api(rec, policy).send("POST", "/x", json_body={"a": 1}, idempotency_key="k-1")
    assert [r.headers["Idempotency-Key"] for r in rec.requests] == ["k-1", "k-1"]


async def test_429_waits_retry_after_then_succeeds(policy: RetryPolicy, sleeps: SleepLog) -> None:
    rec = _script(
        json_response(429, {"error": {"code": "rate_limited"}}, **{"Retry-After": "2"}),
        json_response(200, {"ok": 1}),
    )
    await _api(rec, policy).send("GET", "/x")
    assert sleeps.waits == [2.0]


async def test_429_with_http_date(policy: RetryPolicy, sleeps: SleepLog) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)
    rec = _script(json_response(429, {}, **{"Retry-After": when}), json_response(200, {}))
    await _api(rec, policy).send("GET", "/x")
    assert len(sleeps.waits) == 1
    assert 1.0 <= sleeps.waits[0] <= 3.0


async def test_429_is_retried_even_for_plain_post(policy: RetryPolicy) -> None:
    rec = _script(json_response(429, {}, **{"Retry-After": "0"}), json_response(201, {}))
    await _api(rec, policy).send("POST", "/x", json_body={})
    assert len(rec.requests) == 2


async def test_huge_retry_after_raises_rate_limited(policy: RetryPolicy, sleeps: SleepLog) -> None:
    rec = Recorder(
        lambda r: json_response(429, {"error": {"message": "slow"}}, **{"Retry-After": "3600"})
    )
    with pytest.raises(RateLimited) as info:
        await _api(rec, policy).send("GET", "/x")
    assert info.value.retry_after == 3600.0
    assert len(rec.requests) == 1
    assert sleeps.waits == []


async def test_429_forever_raises_rate_limited(policy: RetryPolicy) -> None:
    rec = Recorder(lambda r: json_response(429, {}, **{"Retry-After": "1"}))
    with pytest.raises(RateLimited) as info:
        await _api(rec, policy).send("GET", "/x")
    assert info.value.retry_after == 1.0
    assert len(rec.requests) == policy.attempts


async def test_single_attempt_tries_once_and_leaves_the_wait_to_the_caller(
    policy: RetryPolicy, sleeps: SleepLog
) -> None:
    """Outbox deliveries: one request per attempt; the outbox's backoff is the policy."""
    down = Recorder(lambda r: json_response(503, {}))
    with single_attempt(), pytest.raises(Unavailable):
        await _api(down, policy).send("GET", "/x")
    assert len(down.requests) == 1
    limited = Recorder(lambda r: json_response(429, {}, **{"Retry-After": "2"}))
    with single_attempt(), pytest.raises(RateLimited) as info:
        await _api(limited, policy).send("GET", "/x")
    assert info.value.retry_after == 2.0  # the outbox postpones by it
    assert len(limited.requests) == 1
    assert sleeps.waits == []
    interactive = Recorder(lambda r: json_response(503, {}))
    with pytest.raises(Unavailable):  # interactive calls keep the policy's retries
        await _api(interactive, policy).send("GET", "/x")
    assert len(interactive.requests) == policy.attempts


NOW = 1_790_000_000.0


def test_rate_limit_wait_reads_the_vendors_headers() -> None:
    assert rate_limit_wait({"Retry-After": "7", "X-RateLimit-Reset": str(NOW + 99)}, now=NOW) == 7
    # Vercel's 429: no Retry-After, the window's reset in epoch seconds.
    vercel = {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0"}
    assert rate_limit_wait({**vercel, "X-RateLimit-Reset": str(int(NOW) + 42)}, now=NOW) == 42
    assert rate_limit_wait({"x-ratelimit-reset": str(int(NOW) + 5)}, now=NOW) == 5
    assert rate_limit_wait({**vercel, "X-RateLimit-Reset": str(int(NOW) - 5)}, now=NOW) == 0
    # GitHub's secondary limit: the primary window is not exhausted, its reset says nothing.
    secondary = {"x-ratelimit-remaining": "4987", "x-ratelimit-reset": str(int(NOW) + 3000)}
    assert rate_limit_wait(secondary, now=NOW) is None
    assert rate_limit_wait({}, now=NOW) is None
    assert rate_limit_wait({"X-RateLimit-Reset": "soon"}, now=NOW) is None


async def test_429_without_retry_after_waits_for_x_ratelimit_reset(sleeps: SleepLog) -> None:
    policy = RetryPolicy(attempts=3, retry_after_cap=60.0, sleep=sleeps, clock=lambda: NOW)
    limited = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 12)}
    rec = _script(
        json_response(429, {"error": {"code": "rate_limited"}}, **limited),
        json_response(200, {"ok": 1}),
    )
    await _api(rec, policy).send("GET", "/x")
    assert sleeps.waits == [12.0]
    assert len(rec.requests) == 2
    far = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 900)}
    rec = Recorder(lambda r: json_response(429, {"error": {"code": "rate_limited"}}, **far))
    with pytest.raises(RateLimited) as info:
        await _api(rec, policy).send("GET", "/x")
    assert info.value.retry_after == 900.0
    assert len(rec.requests) == 1


async def test_unnamed_limit_waits_a_minute_then_twice_as_long(sleeps: SleepLog) -> None:
    calls: list[int] = []

    async def limited_twice() -> str:
        calls.append(1)
        if len(calls) <= 2:
            raise RuntimeError("secondary rate limit")
        return "done"

    def classify(exc: Exception) -> Failure:
        return Failure(RateLimited("secondary", remote="test"), retry=True, unnamed_limit=True)

    patient = RetryPolicy(attempts=4, retry_after_cap=300.0, sleep=sleeps)
    assert await run_with_retry(patient, limited_twice, classify, remote="t", label="x") == "done"
    assert sleeps.waits == [60.0, 120.0]

    calls.clear()
    sleeps.waits.clear()
    hasty = RetryPolicy(attempts=4, retry_after_cap=90.0, sleep=sleeps)
    with pytest.raises(RateLimited) as info:
        await run_with_retry(hasty, limited_twice, classify, remote="t", label="x")
    assert info.value.retry_after == 120.0  # what the user is told to wait
    assert sleeps.waits == [60.0]
    assert len(calls) == 2


async def test_timeout_retried_then_network_error(policy: RetryPolicy) -> None:
    rec = Recorder(lambda r: (_ for _ in ()).throw(httpx.ReadTimeout("slow", request=r)))
    with pytest.raises(NetworkError) as info:
        await _api(rec, policy).send("GET", "/x")
    assert "timed out" in str(info.value)
    assert len(rec.requests) == policy.attempts


async def test_connect_error_is_retried_even_for_post(policy: RetryPolicy) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if len(rec.requests) == 1:
            raise httpx.ConnectError("refused", request=request)
        return json_response(201, {})

    rec = Recorder(handler)
    await _api(rec, policy).send("POST", "/x", json_body={})
    assert len(rec.requests) == 2


async def test_dropped_body_retried_for_get(policy: RetryPolicy) -> None:
    rec = _script(dropped_response(), json_response(200, {"ok": True}))
    assert await _api(rec, policy).request_json("GET", "/x") == {"ok": True}
    assert len(rec.requests) == 2


async def test_dropped_body_not_retried_for_plain_post(policy: RetryPolicy) -> None:
    rec = _script(dropped_response(), json_response(200, {"ok": True}))
    with pytest.raises(NetworkError) as info:
        await _api(rec, policy).send("POST", "/x", json_body={})
    assert "dropped" in str(info.value)
    assert len(rec.requests) == 1


async def test_idempotent_override(policy: RetryPolicy) -> None:
    rec = _script(json_response(503, {}), json_response(200, {}))
    await _api(rec, policy).send("POST", "/verify", idempotent=True)
    assert len(rec.requests) == 2
    rec = _script(json_response(503, {}), json_response(200, {}))
    with pytest.raises(Unavailable):
        await _api(rec, policy).send("GET", "/once", idempotent=False)


async def test_malformed_json_is_contract_error(policy: RetryPolicy) -> None:
    rec = Recorder(lambda r: httpx.Response(200, content=b'{"data": [unterminated'))
    with pytest.raises(ContractError):
        await _api(rec, policy).request_json("GET", "/x")


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, ValidationFailed),
        (401, AuthError),
        (402, PaymentRequired),
        (403, AuthError),
        (404, NotFound),
        (409, Conflict),
        (410, RemoteError),
        (422, ValidationFailed),
    ],
)
async def test_status_mapping(policy: RetryPolicy, status: int, error: type[RemoteError]) -> None:
    body = {"error": {"code": "some_code", "message": "Human text"}}
    rec = Recorder(lambda r: json_response(status, body))
    with pytest.raises(error) as info:
        await _api(rec, policy).send("GET", "/x")
    assert type(info.value) is error
    assert info.value.status == status
    assert info.value.code == "some_code"
    assert "Human text (some_code)" in str(info.value)
    assert info.value.user_text().startswith("test: ")
    assert len(rec.requests) == 1


def test_extract_error_shapes() -> None:
    assert extract_error({"error": {"code": "c", "message": "m"}}) == ("c", "m")
    assert extract_error({"error": {"type": "invalid_request_error", "message": "m"}}) == (
        "invalid_request_error",
        "m",
    )
    assert extract_error({"error": {"type": "card_error", "code": "card_declined"}}) == (
        "card_declined",
        None,
    )
    github = {
        "message": "Repository creation failed.",
        "errors": [
            {
                "resource": "Repository",
                "code": "custom",
                "field": "name",
                "message": "name already exists on this account",
            }
        ],
    }
    assert extract_error(github) == (
        "custom",
        "Repository creation failed: name already exists on this account",
    )
    assert extract_error(
        {
            "message": "Validation Failed",
            "errors": [{"resource": "Tree", "field": "sha", "code": "missing"}],
        }
    ) == (
        "missing",
        "Validation Failed: Tree.sha missing",
    )
    assert extract_error("nope") == (None, None)
    assert extract_error({"detail": "x"}) == (None, "x")


async def test_no_secret_in_logs(policy: RetryPolicy, caplog: pytest.LogCaptureFixture) -> None:
    rec = _script(json_response(503, {}), json_response(200, {}))
    await _api(rec, policy).send("GET", "/x?token=abc")
    assert "tok_secret_123" not in caplog.text
    assert "retry 1/2" in caplog.text


def test_reader_names_the_path() -> None:
    r = Reader({"items": [{"id": "a"}, {"id": 3}]}, remote="test")
    first, second = r.items("items")
    assert first.text("id") == "a"
    with pytest.raises(ContractError) as info:
        second.text("id")
    assert "$.items[1]" in str(info.value)
    with pytest.raises(ContractError):
        Reader([], remote="t").text("x")
    with pytest.raises(ContractError):
        Reader({"n": True}, remote="t").integer("n")
    with pytest.raises(ContractError):
        Reader({"n": 1.5}, remote="t").integer("n")
    assert Reader({"n": 2.0}, remote="t").integer("n") == 2
    assert Reader({}, remote="t").flag("f", False) is False
    with pytest.raises(ContractError):
        Reader({"s": "x"}, remote="t").choice("s", ["a", "b"])
