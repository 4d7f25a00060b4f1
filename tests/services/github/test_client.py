"""GitHubClient (PyGithub in threads) against the GitHub sandbox on loopback.

Covers the operations, the one-commit publish (request count included), the
error mapping, and the sandbox's injected faults (5xx, 429 with Retry-After,
timeouts, malformed bodies, dropped connections). Successful exchanges are
validated against GitHub's contract.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.errors import (
    AuthError,
    Conflict,
    ContractError,
    NetworkError,
    RateLimited,
    Unavailable,
    ValidationFailed,
)
from console.sandbox.faults import FaultRule
from console.sandbox.github import GitHubSandbox
from console.services.github.client import GitHubClient
from console.services.http import RetryPolicy
from tests.contract_check import check_all
from tests.services.conftest import SleepLog

LOGIN = "sandbox-agency"
ORG = "northwind-digital"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[GitHubSandbox]:
    box = GitHubSandbox(tmp_path / "github")
    box.serve()
    yield box
    box.stop()


def make_client(
    sandbox: GitHubSandbox,
    policy: RetryPolicy,
    *,
    token: str | None = None,
    timeout: float = 10.0,
) -> GitHubClient:
    return GitHubClient(sandbox.base_url, token or sandbox.token, policy=policy, timeout=timeout)


def scaffold(count: int = 200) -> dict[str, bytes]:
    files = {
        f"app/section-{i % 10}/item-{i:03d}.tsx": (
            f"export default function Item{i}() {{\n  return <p>Item {i} · ü</p>;\n}}\n"
        ).encode()
        for i in range(count - 2)
    }
    files["package.json"] = b'{"name": "northwind-site", "private": true}\n'
    files["scripts/build.sh"] = b"#!/bin/sh\nnext build\n"
    return files


def api_exchanges(sandbox: GitHubSandbox, start: int = 0) -> list[str]:
    return [f"{e.method} {e.path}" for e in sandbox.recorder.exchanges[start:]]


# ------------------------------------------------------------------ operations


async def test_user_and_repositories(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    gh = make_client(sandbox, policy)
    user = await gh.get_user()
    assert user.login == LOGIN
    mine = await gh.create_repo(None, "northwind-site", private=True, description="Built by us")
    assert mine.full_name == f"{LOGIN}/northwind-site"
    assert mine.private
    assert mine.default_branch == "main"
    assert mine.head is not None
    assert mine.head == sandbox.head(LOGIN, "northwind-site")
    org_repo = await gh.create_repo(ORG, "client-portal", private=False)
    assert org_repo.owner == ORG
    fetched = await gh.get_repo(ORG, "client-portal")
    assert fetched.id == org_repo.id
    assert fetched.description is None
    assert check_all("github", sandbox.recorder.exchanges) > 0


async def test_create_repo_name_taken(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    gh = make_client(sandbox, policy)
    await gh.create_repo(None, "taken")
    with pytest.raises(ValidationFailed) as info:
        await gh.create_repo(None, "taken")
    assert "name already exists" in str(info.value)
    assert info.value.status == 422


async def test_publish_200_files_in_at_most_5_requests(
    sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    gh = make_client(sandbox, policy)
    repo = await gh.create_repo(None, "site")
    files = scaffold(200)
    start = len(sandbox.recorder.exchanges)
    before = gh.request_count
    result = await gh.commit_files(
        LOGIN, "site", "main", files, "Publish from L4YERCAK3", expected_parent=repo.head
    )
    path = f"/repos/{LOGIN}/site"
    assert api_exchanges(sandbox, start) == [
        f"GET {path}/git/ref/heads/main",
        f"POST {path}/git/trees",
        f"POST {path}/git/commits",
        f"PATCH {path}/git/refs/heads/main",
    ]
    assert result.requests == 4
    assert gh.request_count - before == 4
    assert gh.counting
    assert result.files == 200
    assert result.blobs == 0
    assert result.parent == repo.head
    assert not result.diverged
    assert sandbox.head(LOGIN, "site") == result.sha
    assert sandbox.files_at(LOGIN, "site") == files  # the auto-init README is gone
    listing = await gh.list_tree(LOGIN, "site", result.sha)
    modes = {e.path: e.mode for e in listing.files}
    assert modes["scripts/build.sh"] == "100755"
    assert modes["package.json"] == "100644"
    assert len(listing.files) == 200
    assert check_all("github", sandbox.recorder.exchanges) > 0


async def test_republish_on_top_with_binary_and_deletion(
    sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    gh = make_client(sandbox, policy)
    repo = await gh.create_repo(ORG, "portal")
    first = await gh.commit_files(
        ORG, "portal", "main", {"a.txt": b"a\n", "b.txt": b"b\n"}, "one", repo.head
    )
    second = await gh.commit_files(
        ORG, "portal", "main", {"a.txt": b"A\n", "public/logo.png": PNG}, "two", first.sha
    )
    assert second.parent == first.sha
    assert second.blobs == 1
    assert sandbox.files_at(ORG, "portal") == {"a.txt": b"A\n", "public/logo.png": PNG}
    assert sandbox.commit_count(ORG, "portal") == 3
    assert check_all("github", sandbox.recorder.exchanges) > 0


async def test_diverged_remote_is_a_conflict_unless_allowed(
    sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    gh = make_client(sandbox, policy)
    repo = await gh.create_repo(None, "edited")
    published = await gh.commit_files(LOGIN, "edited", "main", {"x": b"1\n"}, "one", repo.head)
    online = sandbox.commit_on_remote(LOGIN, "edited", {"README.md": "# edited online\n"})
    with pytest.raises(Conflict, match="changed on GitHub since the last publish"):
        await gh.commit_files(LOGIN, "edited", "main", {"x": b"2\n"}, "two", published.sha)
    assert sandbox.head(LOGIN, "edited") == online
    on_top = await gh.commit_files(
        LOGIN, "edited", "main", {"x": b"2\n"}, "two", published.sha, allow_diverged=True
    )
    assert on_top.parent == online
    assert on_top.diverged
    assert sandbox.head(LOGIN, "edited") == on_top.sha


async def test_first_publish_needs_the_auto_init_head(
    sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    gh = make_client(sandbox, policy)
    await gh.create_repo(None, "fresh")
    with pytest.raises(Conflict):
        await gh.commit_files(LOGIN, "fresh", "main", {"x": b"1\n"}, "one", expected_parent=None)


async def test_new_branch_is_created(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    gh = make_client(sandbox, policy)
    await gh.create_repo(None, "branches")
    assert await gh.get_head(LOGIN, "branches", "preview") is None
    result = await gh.commit_files(LOGIN, "branches", "preview", {"x": b"1\n"}, "p", None)
    assert result.parent is None
    assert sandbox.head(LOGIN, "branches", "preview") == result.sha
    assert check_all("github", sandbox.recorder.exchanges) > 0


async def test_empty_repository(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    sandbox.create_repo(LOGIN, "empty", auto_init=False)
    gh = make_client(sandbox, policy)
    assert await gh.get_head(LOGIN, "empty", "main") is None
    with pytest.raises(ValidationFailed) as info:
        await gh.commit_files(LOGIN, "empty", "main", {"x": b"1\n"}, "first", None)
    assert info.value.code == "repository_empty"


async def test_invalid_paths_are_refused(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    gh = make_client(sandbox, policy)
    for bad in ("../x", "/abs", "a//b", ".git/config"):
        with pytest.raises(ValidationFailed):
            await gh.commit_files(LOGIN, "r", "main", {bad: b"x"}, "m", None)
    assert gh.request_count == 0


# ------------------------------------------------------------------ auth and scopes


async def test_bad_token(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    gh = make_client(sandbox, policy, token="ghp_notAValidTokenAtAll000000000000000")
    with pytest.raises(AuthError) as info:
        await gh.get_user()
    assert info.value.status == 401
    assert "Bad credentials" in str(info.value)


async def test_classic_token_without_repo_scope(
    sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    token = "ghp_readOnlyTokenWithoutRepoScope0000000"
    sandbox.add_token(token, scopes=["read:user"])
    sandbox.create_repo(LOGIN, "private-one", private=True, auto_init=True)
    gh = make_client(sandbox, policy, token=token)
    with pytest.raises(AuthError, match="token lacks the repo scope"):
        await gh.create_repo(None, "nope", private=True)
    with pytest.raises(AuthError, match="token lacks the repo scope"):
        await gh.get_head(LOGIN, "private-one", "main")


async def test_fine_grained_token_without_contents_write(
    sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    token = "github_pat_readonly_0123456789abcdefghij"
    sandbox.add_fine_grained_token(token, permissions={"metadata": "read", "contents": "read"})
    sandbox.create_repo(LOGIN, "ro", private=True, auto_init=True)
    gh = make_client(sandbox, policy, token=token)
    head = await gh.get_head(LOGIN, "ro", "main")
    with pytest.raises(AuthError, match="token lacks the repo scope") as info:
        await gh.commit_files(LOGIN, "ro", "main", {"x": b"1\n"}, "m", head)
    assert info.value.status == 403


async def test_token_never_logged(
    sandbox: GitHubSandbox, policy: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    gh = make_client(sandbox, policy)
    repo = await gh.create_repo(None, "quiet")
    await gh.commit_files(LOGIN, "quiet", "main", {"x": b"1\n"}, "m", repo.head)
    assert sandbox.token not in caplog.text


# ------------------------------------------------------------------ faults


async def test_5xx_then_success(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    rule = sandbox.faults.add(FaultRule("status", path="^/user$", status=502, times=2))
    gh = make_client(sandbox, policy)
    assert (await gh.get_user()).login == LOGIN
    assert rule.hits == 2
    assert gh.request_count == 3


async def test_5xx_forever(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    rule = sandbox.faults.add(FaultRule("status", path="^/user$", status=503, times=None))
    gh = make_client(sandbox, policy)
    with pytest.raises(Unavailable) as info:
        await gh.get_user()
    assert info.value.status == 503
    assert rule.hits == policy.attempts


async def test_publish_steps_are_retried(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    gh = make_client(sandbox, policy)
    repo = await gh.create_repo(None, "flaky")
    sandbox.faults.add(FaultRule("status", path="/git/trees$", method="POST", status=500))
    sandbox.faults.add(FaultRule("drop", path="/git/commits$", method="POST"))
    sandbox.faults.add(FaultRule("status", path="/git/refs/", method="PATCH", status=502))
    result = await gh.commit_files(LOGIN, "flaky", "main", {"x": b"1\n"}, "m", repo.head)
    assert sandbox.head(LOGIN, "flaky") == result.sha
    assert result.requests == 4 + 3


async def test_create_repo_not_retried_after_drop(
    sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    rule = sandbox.faults.add(FaultRule("drop", path="^/user/repos$", method="POST", times=None))
    gh = make_client(sandbox, policy)
    with pytest.raises(NetworkError, match="dropped"):
        await gh.create_repo(None, "once")
    assert rule.hits == 1


async def test_dropped_read_is_retried(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    rule = sandbox.faults.add(FaultRule("drop", path="^/user$"))
    gh = make_client(sandbox, policy)
    assert (await gh.get_user()).login == LOGIN
    assert rule.hits == 1


async def test_429_retry_after(
    sandbox: GitHubSandbox, policy: RetryPolicy, sleeps: SleepLog
) -> None:
    sandbox.faults.add(FaultRule("rate_limit", path="^/user$", retry_after=2))
    gh = make_client(sandbox, policy)
    assert (await gh.get_user()).login == LOGIN
    assert sleeps.waits == [2.0]


async def test_429_huge_retry_after(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    rule = sandbox.faults.add(FaultRule("rate_limit", path="^/user$", retry_after=3600))
    gh = make_client(sandbox, policy)
    with pytest.raises(RateLimited) as info:
        await gh.get_user()
    assert info.value.retry_after == 3600
    assert rule.hits == 1


async def test_primary_rate_limit(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    sandbox.set_rate_limit(0, reset_in=1800)
    gh = make_client(sandbox, policy)
    with pytest.raises(RateLimited) as info:
        await gh.get_user()
    assert info.value.retry_after is not None
    assert 1700 < info.value.retry_after <= 1800


async def test_timeout_is_bounded(sandbox: GitHubSandbox) -> None:
    sandbox.faults.add(FaultRule("timeout", path="^/user$", delay=1.5, times=None))
    policy = RetryPolicy(attempts=2, base=0.001, cap=0.002, rng=random.Random(1))
    gh = make_client(sandbox, policy, timeout=0.3)
    with pytest.raises(NetworkError, match="timed out"):
        await gh.get_user()
    assert gh.request_count == 2


async def test_malformed_body(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    sandbox.faults.add(FaultRule("malformed", path="^/user$"))
    gh = make_client(sandbox, policy)
    with pytest.raises(ContractError):
        await gh.get_user()


async def test_409_conflict(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    sandbox.faults.add(FaultRule("status", path="^/repos/", status=409))
    gh = make_client(sandbox, policy)
    with pytest.raises(Conflict):
        await gh.get_repo(LOGIN, "anything")


async def test_401_injected(sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    sandbox.faults.add(FaultRule("status", path="^/user$", status=401))
    gh = make_client(sandbox, policy)
    with pytest.raises(AuthError):
        await gh.get_user()


async def test_connection_refused(policy: RetryPolicy) -> None:
    from console.sandbox.host import free_port

    gh = GitHubClient(f"http://127.0.0.1:{free_port()}/api/v3", "ghp_x", policy=policy, timeout=1)
    with pytest.raises(NetworkError, match="connection failed"):
        await gh.get_user()
    assert gh.request_count == policy.attempts


# ------------------------------------------------------------------ API version, rate limits


async def test_every_request_pins_the_api_version(
    sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    gh = make_client(sandbox, policy)
    await gh.get_user()
    repo = await gh.create_repo(ORG, "pinned")
    await gh.commit_files(ORG, "pinned", "main", {"a.png": PNG, "b.txt": b"b\n"}, "m", repo.head)
    exchanges = sandbox.recorder.exchanges
    assert len(exchanges) == 8  # user, create, ref, then ref, blob, tree, commit, ref update
    assert {e.request_headers.get("x-github-api-version") for e in exchanges} == {"2022-11-28"}
    assert check_all("github", exchanges) == len(exchanges)


class FakeTime:
    """A clock both the sandbox and the client read; waiting moves it (no real sleep)."""

    def __init__(self) -> None:
        self.now = 1_790_000_000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def timed(tmp_path: Path) -> Iterator[tuple[GitHubSandbox, FakeTime]]:
    clock = FakeTime()
    box = GitHubSandbox(tmp_path / "github-timed", clock=clock)
    box.serve()
    yield box, clock
    box.stop()


def patient(clock: FakeTime, cap: float = 300.0) -> RetryPolicy:
    return RetryPolicy(
        attempts=4, base=0.01, cap=0.05, retry_after_cap=cap, sleep=clock.sleep, clock=clock
    )


async def test_primary_limit_waits_until_the_reset(
    timed: tuple[GitHubSandbox, FakeTime],
) -> None:
    sandbox, clock = timed
    sandbox.set_rate_limit(0, reset_in=45)
    gh = make_client(sandbox, patient(clock))
    assert (await gh.get_user()).login == LOGIN
    assert clock.waits == [45.0]
    refused, answered = sandbox.recorder.exchanges
    assert (refused.status, refused.response_headers["x-ratelimit-remaining"]) == (403, "0")
    assert answered.status == 200


async def test_secondary_limit_waits_a_minute_then_longer_not_for_the_reset(
    timed: tuple[GitHubSandbox, FakeTime],
) -> None:
    sandbox, clock = timed
    sandbox.limit_secondary(times=2)
    gh = make_client(sandbox, patient(clock))
    assert (await gh.get_user()).login == LOGIN
    # At least a minute, then twice as long: never the primary window's reset (an hour).
    assert clock.waits == [60.0, 120.0]
    first = sandbox.recorder.exchanges[0]
    assert first.status == 403
    assert "retry-after" not in first.response_headers
    assert first.response_headers["x-ratelimit-remaining"] != "0"
    assert int(first.response_headers["x-ratelimit-reset"]) - clock.now > 3000
    assert [e.status for e in sandbox.recorder.exchanges] == [403, 403, 200]


async def test_secondary_limit_honours_retry_after_and_the_cap(
    timed: tuple[GitHubSandbox, FakeTime],
) -> None:
    sandbox, clock = timed
    sandbox.limit_secondary(status=429, retry_after=9)
    gh = make_client(sandbox, patient(clock))
    assert (await gh.get_user()).login == LOGIN
    assert clock.waits == [9.0]
    sandbox.limit_secondary(times=5)
    hasty = make_client(sandbox, patient(clock, cap=30.0))
    with pytest.raises(RateLimited) as info:
        await hasty.get_user()
    assert info.value.retry_after == 60.0
    assert "secondary rate limit" in str(info.value)


async def test_head_after_auto_init_waits_until_github_shows_it(
    sandbox: GitHubSandbox, policy: RetryPolicy, sleeps: SleepLog
) -> None:
    sandbox.delay_initial_commit(2)
    gh = make_client(sandbox, policy)
    repo = await gh.create_repo(None, "late")
    assert repo.head is not None
    assert repo.head == sandbox.head(LOGIN, "late")
    reads = [e.status for e in sandbox.recorder.exchanges if e.path.endswith("/git/ref/heads/main")]
    assert reads == [409, 409, 200]
    assert sleeps.waits == [policy.ceiling(1), policy.ceiling(2)]
    result = await gh.commit_files(LOGIN, "late", "main", {"x": b"1\n"}, "m", repo.head)
    assert result.parent == repo.head


async def test_head_never_shown_is_taken_as_empty(
    sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    sandbox.delay_initial_commit(policy.attempts)
    gh = make_client(sandbox, policy)
    repo = await gh.create_repo(None, "slow")
    assert repo.head is None
    reads = [e for e in sandbox.recorder.exchanges if e.path.endswith("/git/ref/heads/main")]
    assert len(reads) == policy.attempts
