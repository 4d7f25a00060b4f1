"""PublishService against the GitHub sandbox: drafts, review, secrets, limits, push, faults."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.errors import AuthError, Conflict, NetworkError, RateLimited
from console.sandbox.faults import FaultRule
from console.sandbox.github import GitHubSandbox
from console.services.buildcheck.problems import BuildProblem
from console.services.deploy.events import (
    ProgressEvent,
    StepFailed,
    StepFinished,
    StepProgress,
)
from console.services.github.client import GitHubClient
from console.services.http import RetryPolicy
from console.services.projects.heal import Remedy
from console.services.publish import (
    KIND_PUBLISH,
    CheckRequired,
    CustomEnvVar,
    PublishResult,
    PublishService,
    RepoNameTaken,
    SecretsFound,
    TierLimitReached,
    custom_env_problems,
    scan_secrets,
)
from console.services.scaffold import (
    Architecture,
    AuthProvider,
    Backend,
    Category,
    InvalidPublishConfig,
    Payments,
    PublishConfig,
)
from console.services.sync.outbox import OutboxProcessor
from console.store.db import Store
from console.store.models import OutboxEntry, Project
from console.store.models import PublishConfig as PublishConfigRow
from tests.contract_check import check_all
from tests.fakes.builds import FakeBuilder, env_problem
from tests.services.publish.support import (
    LOGIN,
    V0_FILES,
    FakePlatform,
    add_file,
    add_project,
    padding_to,
)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[GitHubSandbox]:
    box = GitHubSandbox(tmp_path / "github")
    box.serve()
    yield box
    box.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "db.sqlite3")
    yield s
    s.close()


def make(
    store: Store,
    sandbox: GitHubSandbox,
    policy: RetryPolicy,
    platform: FakePlatform | None = None,
    token: str | None = None,
) -> tuple[PublishService, GitHubClient]:
    gh = GitHubClient(sandbox.base_url, token or sandbox.token, policy=policy, timeout=10.0)
    return PublishService(store, gh, platform, builder=FakeBuilder()), gh


async def checked(
    service: PublishService, pid: int, cfg: PublishConfig, **options: Any
) -> PublishResult:
    """A publish as the wizard makes it: the build check passes, then the push."""
    report = await service.check(pid, cfg)
    assert report.ok
    return await service.publish(pid, cfg, **options)


def config(**changes: object) -> PublishConfig:
    base = PublishConfig(
        app_name="Flower Shop",
        repo_name="flower-shop",
        description="Bouquets",
        categories=(Category.PRODUCTS, Category.FORMS),
    )
    return base.with_changes(**changes) if changes else base


def paths(sandbox: GitHubSandbox, start: int = 0) -> list[str]:
    return [f"{e.method} {e.path}" for e in sandbox.recorder.exchanges[start:]]


# ------------------------------------------------------------------ drafts


def test_draft_prefilled_from_project_and_detection(store: Store) -> None:
    pid = add_project(store, categories=("forms", "products"))
    service = PublishService(store, None)
    draft = service.load_draft_blocking(pid)
    assert draft.config.app_name == "Flower Shop"
    assert draft.config.repo_name == "flower-shop"
    assert draft.config.categories == (Category.PRODUCTS, Category.FORMS)
    assert draft.detected == (Category.PRODUCTS, Category.FORMS)
    assert draft.last_published_sha is None


def test_draft_saved_and_invalid_drafts_kept(store: Store) -> None:
    pid = add_project(store)
    service = PublishService(store, None)
    bad = config(repo_name="bad name!", categories=(Category.EVENTS,), payments=Payments.STRIPE)
    service.save_draft_blocking(pid, bad)
    again = service.load_draft_blocking(pid)
    assert again.config == bad
    assert again.config.errors()  # kept though invalid: nothing typed is lost
    with store.read() as session:
        row = session.get(PublishConfigRow, pid)
        assert row is not None
        assert row.config["repo_name"] == "bad name!"


# ------------------------------------------------------------------ secrets


def test_scan_names_file_and_line() -> None:
    files = {
        "lib/pay.ts": b"const a = 1;\nconst key = 'sk_live_51Habcdefghijklmnop';\n",
        "lib/ok.ts": b"const k = 'sk_test_51Habcdefghijklmnop';\n",
        ".env.local": b"# comment\nEMPTY=\nSTRIPE_SECRET_KEY=abc\n",
        ".env.example": b"STRIPE_SECRET_KEY=sk_test_xxx\n",
        "certs/key.pem": b"-----BEGIN RSA PRIVATE KEY-----\nMII\n",
        "scripts/gh.sh": b"#!/bin/sh\nTOKEN=ghp_" + b"a" * 36 + b"\n",
        "vercel.json": b'{"VERCEL_TOKEN": "abcdefghijklmnopqrstuvwx"}\n',
        "logo.png": b"\x89PNG\x00\xff sk_live_51Habcdefghijklmnop",
    }
    hits = [str(h) for h in scan_secrets(files)]
    assert hits == [
        ".env.local:3: .env value of STRIPE_SECRET_KEY",
        "certs/key.pem:1: private key",
        "lib/pay.ts:2: live Stripe secret key",
        "scripts/gh.sh:2: GitHub token",
        "vercel.json:1: Vercel token",
    ]


async def test_secret_blocks_before_any_request(
    store: Store, sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    files = {**V0_FILES, "lib/stripe.ts": b"export const key = 'sk_live_51HabcdefghijKLMNOP';\n"}
    pid = add_project(store, files)
    service, gh = make(store, sandbox, policy)
    events: list[ProgressEvent] = []
    with pytest.raises(SecretsFound) as info:
        await service.publish(pid, config(), progress=events.append)
    assert "lib/stripe.ts:1" in info.value.user_text()
    assert gh.request_count == 0
    assert events[-1] == StepFailed("secrets", info.value.user_text())


# ------------------------------------------------------------------ push


async def test_first_publish_200_files_in_5_requests(
    store: Store, sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    cfg = config(
        categories=tuple(Category),
        architecture=Architecture.FULL_STACK,
        backend=Backend.SUPABASE,
        auth=AuthProvider.SUPABASE_AUTH,
        payments=Payments.BOTH,
    )
    pid = add_project(store, padding_to(cfg, 200), remote_id="app_1")
    platform = FakePlatform()
    service, gh = make(store, sandbox, policy, platform)
    expected = (await service.build_files(pid, cfg)).files
    assert len(expected) == 200
    events: list[ProgressEvent] = []
    result = await checked(service, pid, cfg, progress=events.append)

    # Creating the repository takes 2 requests (POST /user/repos, its auto-init
    # head); that head is the parent, so the atomic commit itself takes 3.
    assert result.requests == 3
    assert gh.request_count == 5
    assert paths(sandbox) == [
        "POST /user/repos",
        f"GET /repos/{LOGIN}/flower-shop/git/ref/heads/main",
        f"POST /repos/{LOGIN}/flower-shop/git/trees",
        f"POST /repos/{LOGIN}/flower-shop/git/commits",
        f"PATCH /repos/{LOGIN}/flower-shop/git/refs/heads/main",
    ]
    assert sandbox.files_at(LOGIN, "flower-shop") == expected
    assert check_all("github", sandbox.recorder.exchanges) == 5
    assert [e.step for e in events if isinstance(e, StepFinished)] == [
        "files",
        "secrets",
        "check",
        "limits",
        "repo",
        "commit",
        "platform",
    ]
    with store.read() as session:
        project = session.get(Project, pid)
        row = session.get(PublishConfigRow, pid)
        assert project is not None
        assert row is not None
        assert project.repo_url == f"https://github.com/{LOGIN}/flower-shop" or (
            project.repo_url and project.repo_url.endswith(f"/{LOGIN}/flower-shop")
        )
        assert project.status == "published"
        assert row.last_published_sha == result.sha == sandbox.head(LOGIN, "flower-shop")
    assert platform.updates == [
        ("app_1", {"repo_url": result.repo_url, "org_id": "org_agency", "status": "published"})
    ]


async def test_republish_adds_a_commit_and_review_diffs(
    store: Store, sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    pid = add_project(store)
    service, _ = make(store, sandbox, policy)
    first = await checked(service, pid, config())
    review = await service.review(pid, config(description="New words"))
    changed = {c.path: c for c in review.changes if c.status != "unchanged"}
    assert review.last_published_sha == first.sha
    assert "README.md" in changed or "package.json" in changed
    assert all(c.diff.startswith("--- a/") for c in changed.values())
    start = len(sandbox.recorder.exchanges)
    second = await checked(service, pid, config(description="New words"))
    assert not second.created_repo
    assert len(sandbox.recorder.exchanges) - start == 4
    assert sandbox.commit_count(LOGIN, "flower-shop") == 3  # auto-init + 2 publishes
    assert check_all("github", sandbox.recorder.exchanges) > 0
    unchanged = await service.review(pid, config(description="New words"))
    assert {c.status for c in unchanged.changes} == {"unchanged"}


async def test_changed_on_github_refused_unless_confirmed(
    store: Store, sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    pid = add_project(store)
    service, _ = make(store, sandbox, policy)
    await checked(service, pid, config())
    sandbox.commit_on_remote(LOGIN, "flower-shop", {"NOTES.md": b"edited on github\n"})
    with pytest.raises(Conflict, match="changed on GitHub"):
        await checked(service, pid, config())
    result = await checked(service, pid, config(), allow_diverged=True)
    assert result.diverged
    assert sandbox.commit_count(LOGIN, "flower-shop") == 4


# ------------------------------------------------------------------ rules and faults


async def test_invalid_config_refused(
    store: Store, sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    pid = add_project(store)
    service, gh = make(store, sandbox, policy)
    with pytest.raises(InvalidPublishConfig):
        await checked(service, pid, config(repo_name="-bad name-"))
    assert gh.request_count == 0


async def test_tier_limit_blocks_with_upgrade_message(
    store: Store, sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    pid = add_project(store)
    platform = FakePlatform(tier="free", used=1, limit=1)
    service, gh = make(store, sandbox, policy, platform)
    with pytest.raises(TierLimitReached) as info:
        await checked(service, pid, config())
    text = info.value.user_text()
    assert "Free plan allows 1 builder app" in text
    assert "Upgrade to Pro" in text
    assert gh.request_count == 0


async def test_name_taken(store: Store, sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    sandbox.create_repo(LOGIN, "flower-shop", auto_init=True)
    pid = add_project(store)
    service, _ = make(store, sandbox, policy)
    with pytest.raises(RepoNameTaken, match="already exists"):
        await checked(service, pid, config())
    draft = service.load_draft_blocking(pid)
    assert draft.config == config()
    assert draft.pending_repo is None
    assert check_all("github", sandbox.recorder.exchanges) == 1  # the refused POST /user/repos


async def test_token_without_repo_scope(
    store: Store, sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    sandbox.add_token("ghp_" + "n" * 36, scopes=["read:user"])
    pid = add_project(store)
    service, _ = make(store, sandbox, policy, token="ghp_" + "n" * 36)
    with pytest.raises(AuthError):
        await checked(service, pid, config())
    assert service.load_draft_blocking(pid).repo_url is None


async def test_rate_limited(store: Store, sandbox: GitHubSandbox, policy: RetryPolicy) -> None:
    sandbox.set_rate_limit(0, reset_in=1800)
    pid = add_project(store)
    service, _ = make(store, sandbox, policy)
    with pytest.raises(RateLimited) as info:
        await checked(service, pid, config())
    assert info.value.retry_after is not None


async def test_network_drop_mid_push_is_reported_and_retry_reuses_repo(
    store: Store, sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    pid = add_project(store)
    service, _ = make(store, sandbox, policy)
    sandbox.faults.add(FaultRule("drop", path="/git/trees$", method="POST", times=None))
    events: list[ProgressEvent] = []
    await service.check(pid, config())
    with pytest.raises(NetworkError):
        await service.publish(pid, config(), progress=events.append)
    assert any("holds no published commit" in getattr(e, "message", "") for e in events)
    draft = service.load_draft_blocking(pid)
    assert draft.pending_repo == f"{LOGIN}/flower-shop"
    assert draft.config == config()
    sandbox.faults.clear()
    start = len(sandbox.recorder.exchanges)
    result = await checked(service, pid, config())
    assert not result.created_repo
    assert "POST /user/repos" not in paths(sandbox, start)
    assert sandbox.commit_count(LOGIN, "flower-shop") == 2
    assert service.load_draft_blocking(pid).pending_repo is None


async def test_offline_publish_queued_and_delivered(
    store: Store, sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    pid = add_project(store)
    service, _ = make(store, sandbox, policy)
    await service.check(pid, config())
    await service.queue_publish(pid, config())
    processor = OutboxProcessor(store, {KIND_PUBLISH: service.outbox_handler()})
    rule = sandbox.faults.add(FaultRule("drop", path="^/user/repos$", method="POST", times=1))
    first = await processor.drain()
    assert first.pending == 1
    assert isinstance(first.blocked_by, NetworkError)
    assert rule.hits == 1
    with store.write() as tx:  # "later": the backoff is over
        for entry in tx.session.query(OutboxEntry):
            entry.next_attempt_at = None
    second = await processor.drain()
    assert second.delivered == 1
    assert second.pending == 0
    assert sandbox.files_at(LOGIN, "flower-shop")
    with store.read() as session:
        row = session.get(PublishConfigRow, pid)
        assert row is not None
        assert row.config["publish_state"]["queued"] is False


# ------------------------------------------------------------------ added variables


def test_custom_env_listed_in_env_example_and_checked(store: Store) -> None:
    pid = add_project(store)
    service = PublishService(store, None)
    extra = [CustomEnvVar("SHOP_API_URL", "Where the shop API lives", secret=True)]
    service.save_draft_blocking(pid, config(), extra)
    assert service.load_draft_blocking(pid).extra_env == tuple(extra)
    example = service.build_files_blocking(pid, config()).files[".env.example"].decode()
    assert example.endswith(
        "# Added in the publish wizard\n"
        "# Where the shop API lives (secret, set it in the deployment)\nSHOP_API_URL=\n"
    )
    service.save_draft_blocking(pid, config())  # None keeps the added variables
    assert service.load_draft_blocking(pid).extra_env == tuple(extra)
    bad = [CustomEnvVar("shop url"), CustomEnvVar("L4YERCAK3_API_KEY"), CustomEnvVar("")]
    bad += [CustomEnvVar("A_B"), CustomEnvVar("A_B")]
    assert custom_env_problems(config(), bad) == [
        "Variable 1: “shop url” is not a valid name: use capital letters, digits and '_', "
        "starting with a letter (e.g. MY_API_URL).",
        "Variable 2: L4YERCAK3_API_KEY is already set by the scaffold.",
        "Variable 3: give it a name.",
        "Variable 5: A_B is listed twice.",
    ]
    service.save_draft_blocking(pid, config(), bad)
    assert "Variable 3: give it a name." in service.review_blocking(pid, config()).problems


async def test_publish_refuses_invalid_added_variables(
    store: Store, sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    pid = add_project(store)
    service, gh = make(store, sandbox, policy)
    await service.save_draft(pid, config(), [CustomEnvVar("bad name")])
    with pytest.raises(InvalidPublishConfig, match="not a valid name"):
        await checked(service, pid, config())
    assert gh.request_count == 0


# ------------------------------------------------------------------ build check


async def test_check_builds_exactly_the_pushed_set_with_placeholders(store: Store) -> None:
    pid = add_project(store)
    with store.write() as tx:  # what the compatibility rules recorded at import
        row = tx.session.get(PublishConfigRow, pid) or PublishConfigRow(project_id=pid, config={})
        row.config = {"compat": {"env": [{"name": "MONGODB_URI", "placeholder": "mongodb://x"}]}}
        tx.session.merge(row)
    builder = FakeBuilder()
    service = PublishService(store, None, builder=builder)
    cfg = config(auth=AuthProvider.L4YERCAK3_OAUTH)
    events: list[ProgressEvent] = []
    report = await service.check(pid, cfg, progress=events.append)
    files = (await service.build_files(pid, cfg)).files
    assert report.ok
    assert builder.calls[0].files == files
    env = builder.calls[0].env
    assert env["MONGODB_URI"] == "mongodb://x"
    assert {"L4YERCAK3_API_KEY", "SESSION_SECRET"} <= set(env)
    assert [e.log_line for e in events if isinstance(e, StepProgress) and e.log_line][-1].endswith(
        "(5/5)"
    )
    # The placeholders exist only in the build's environment, never in the files.
    assert not any(b"mongodb://x" in content for content in files.values())
    review = await service.review(pid, cfg)
    assert review.check_matches
    assert review.check is not None
    assert review.check.ok


async def test_push_needs_a_passing_check_of_these_exact_files(
    store: Store, sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    pid = add_project(store)
    service, gh = make(store, sandbox, policy)
    with pytest.raises(CheckRequired, match="has not run"):
        await service.publish(pid, config())
    await service.check(pid, config())
    changed = config(description="Changed after the check")
    with pytest.raises(CheckRequired, match="changed since the last build check"):
        await service.publish(pid, changed)
    assert gh.request_count == 0
    events: list[ProgressEvent] = []
    result = await service.publish(pid, changed, override_check=True, progress=events.append)
    assert result.sha == sandbox.head(LOGIN, "flower-shop")
    assert StepFinished("check", "overridden: pushed without a passing build check") in events


async def test_failed_check_blocks_the_push_and_names_the_first_error(
    store: Store, sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    pid = add_project(store)
    service, gh = make(store, sandbox, policy)
    problem = env_problem("MONGODB_URI")
    service = PublishService(store, gh, builder=FakeBuilder([problem]))
    report = await service.check(pid, config())
    assert not report.ok
    assert report.problem == problem
    assert report.headline == "lib/db.ts:3: Error: Missing environment variable MONGODB_URI"
    with pytest.raises(CheckRequired, match="Missing environment variable MONGODB_URI"):
        await service.publish(pid, config())
    assert gh.request_count == 0


async def test_regenerated_lockfile_is_pushed_and_kept_for_the_next_check(
    store: Store, sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    package = {"name": "shop", "dependencies": {"next": "15.5.4"}}
    files = {
        **V0_FILES,
        "package.json": json.dumps(package).encode(),
        "pnpm-lock.yaml": b"lockfileVersion: '9.0'\nimporters: {}\n",
    }
    pid = add_project(store, files)
    service, _ = make(store, sandbox, policy)
    fresh = b"lockfileVersion: '9.0'\n# regenerated\n"
    builder = FakeBuilder(lockfile_update=("pnpm-lock.yaml", fresh))
    service = PublishService(store, service._github, builder=builder)
    report = await service.check(pid, config())
    assert report.lockfile_updated == "pnpm-lock.yaml"
    composition = await service.build_files(pid, config())
    assert composition.files["pnpm-lock.yaml"] == fresh
    entry = composition.entry("pnpm-lock.yaml")
    assert entry is not None
    assert "regenerated by the build check" in entry.note
    assert (await service.review(pid, config())).check_matches
    await service.publish(pid, config())
    assert sandbox.files_at(LOGIN, "flower-shop")["pnpm-lock.yaml"] == fresh


async def test_queued_publish_is_refused_at_delivery_when_the_files_changed(
    store: Store, sandbox: GitHubSandbox, policy: RetryPolicy
) -> None:
    pid = add_project(store)
    service, _ = make(store, sandbox, policy)
    await service.check(pid, config())
    await service.queue_publish(pid, config())
    # The project changes while the publish waits in the outbox.
    add_file(store, pid, "components/late.tsx", b"export const late = 1\n")
    processor = OutboxProcessor(store, {KIND_PUBLISH: service.outbox_handler()})
    result = await processor.drain()
    assert result.delivered == 0
    assert paths(sandbox) == []
    draft = service.load_draft_blocking(pid)
    assert draft.last_error is not None
    assert "files changed since the last build check" in draft.last_error


class FakeRemedies:
    """Implements `Remedies`: the env rule targeted at whatever variable failed, recorded."""

    def __init__(self) -> None:
        self.applied: list[str] = []

    async def propose_remedy(self, project_id: int, problem: BuildProblem) -> Remedy:
        return Remedy("env-checks", "Env", f"fix {problem.subject}", False, (problem.subject,), ())

    async def apply_remedy(self, project_id: int, remedy: Remedy) -> None:
        self.applied.append(remedy.explanation)


async def test_heal_applies_fixes_and_checks_again_up_to_three_times(store: Store) -> None:
    pid = add_project(store)
    remedies = FakeRemedies()
    fails = [env_problem("A"), env_problem("B"), env_problem("C"), env_problem("D")]
    builder = FakeBuilder([*fails, None])
    service = PublishService(store, None, builder=builder, remedies=remedies)
    first = await service.check(pid, config())
    assert first.remedy is not None
    assert first.remedy.explanation == "fix A"
    last = await service.heal(pid, config(), first.remedy)
    assert remedies.applied == ["fix A", "fix B", "fix C"]
    assert not last.ok
    assert last.remedy is not None  # three rounds done: the next fix is offered, not applied
    assert last.remedy.explanation == "fix D"
    healed = await service.heal(pid, config(), last.remedy)
    assert healed.ok
    assert remedies.applied[-1] == "fix D"


async def test_check_cancel_ends_the_build(store: Store) -> None:
    pid = add_project(store)
    gate = asyncio.Event()
    builder = FakeBuilder(gate=gate)
    service = PublishService(store, None, builder=builder)
    started = asyncio.Event()

    def progress(event: ProgressEvent) -> None:
        if isinstance(event, StepProgress) or getattr(event, "step", "") == "build":
            started.set()

    task = asyncio.ensure_future(service.check(pid, config(), progress=progress))
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert service.review_blocking(pid, config()).check is None
