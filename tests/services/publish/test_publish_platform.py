"""What a publish does on the platform: the organization's plan, record links, the
order of offline work (the builder app exists before its repository is linked).

Against the platform and GitHub sandboxes on loopback; what the sandboxes hold is
asserted, not what the console thinks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.errors import NetworkError, Unavailable
from console.sandbox.faults import FaultRule
from console.sandbox.github import GitHubSandbox
from console.sandbox.host import ServedApp, serve
from console.sandbox.platform import PlatformSandbox
from console.services.deploy.domains import DomainLimitReached, DomainService
from console.services.github.client import GitHubClient
from console.services.http import RetryPolicy, build_client
from console.services.platform.client import PlatformClient, api_base_url
from console.services.projects import ProjectService
from console.services.projects.models import DataNeed, Decision, Detection
from console.services.publish import (
    KIND_LINK,
    KIND_PUBLISH,
    CheckRequired,
    PublishService,
    TierLimitReached,
)
from console.services.scaffold import Category, PublishConfig, Tier
from console.services.sync import apply
from console.services.sync.outbox import OutboxProcessor
from console.services.vercel.client import VercelClient
from console.store.db import Store
from console.store.models import OutboxEntry, Project
from tests.fakes.builds import FakeBuilder
from tests.services.publish.support import LOGIN, add_project

BADGE = "powered-by-badge.tsx"
TIERS = ("free", "pro", "agency", "enterprise")


class Platform:
    """The platform sandbox served on loopback, and a client of it.

    The client's connections belong to the test's event loop: each test closes it.
    """

    def __init__(self, root: Path, policy: RetryPolicy) -> None:
        self.sandbox = PlatformSandbox(root / "platform.db", keepalive_seconds=0.2)
        self.served: ServedApp = serve("platform", self.sandbox.asgi)
        http = build_client("platform", api_base_url(self.served.url), self.sandbox.api_key)
        self.client = PlatformClient(http, policy=policy)

    async def sync_organization(self, store: Store) -> None:
        """What the sync engine does at start: the organization, its tier and limits."""
        apply.apply_organization(store, await self.client.get_organization())


@pytest.fixture
def platform(tmp_path: Path, policy: RetryPolicy) -> Iterator[Platform]:
    box = Platform(tmp_path, policy)
    yield box
    box.served.stop(timeout=3.0)
    box.sandbox.close()


@pytest.fixture
def github(tmp_path: Path) -> Iterator[GitHubSandbox]:
    box = GitHubSandbox(tmp_path / "github")
    box.serve()
    yield box
    box.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "console.sqlite3")
    yield s
    s.close()


@pytest.fixture
def gh(github: GitHubSandbox, policy: RetryPolicy) -> Iterator[GitHubClient]:
    client = GitHubClient(github.base_url, github.token, policy=policy, timeout=10.0)
    yield client
    client.close()


def config(name: str = "flower-shop", **changes: object) -> PublishConfig:
    return PublishConfig(
        app_name=name.replace("-", " ").title(),
        repo_name=name,
        categories=(Category.PRODUCTS, Category.FORMS),
    ).with_changes(**changes)


def on_platform(store: Store, platform: Platform) -> int:
    """A stored project that is one of the demo agency's builder apps."""
    app = platform.sandbox.builder_apps(platform.sandbox.agency_id)[0]
    return add_project(store, remote_id=app.id, org_id=app.org_id)


def has_badge(files: dict[str, bytes]) -> bool:
    return any(path.endswith(BADGE) for path in files)


# ------------------------------------------------------------------ the plan


@pytest.mark.parametrize("tier", TIERS)
async def test_tier_comes_from_the_organization(
    tier: str, platform: Platform, store: Store, github: GitHubSandbox, gh: GitHubClient
) -> None:
    platform.sandbox.set_tier(tier)  # type: ignore[arg-type]
    await platform.sync_organization(store)
    pid = on_platform(store, platform)
    service = PublishService(store, gh, platform.client, builder=FakeBuilder())

    # The draft takes the organization's plan; the wizard never picks it.
    draft = service.load_draft_blocking(pid)
    assert draft.config.tier is Tier(tier)
    assert draft.plan.synced
    assert draft.plan.badge_required == (tier == "free")
    assert draft.plan.white_label == (tier in ("agency", "enterprise"))
    # The badge is pushed exactly when the plan requires it.
    cfg = draft.config.with_changes(categories=(Category.PRODUCTS, Category.FORMS))
    assert (await service.check(pid, cfg)).ok
    await service.publish(pid, cfg)
    assert has_badge(github.files_at(LOGIN, "flower-shop")) == (tier == "free")

    # The builder-app limit is the plan's: 30 apps exist (Free allows 1, Pro 10).
    new = add_project(store, name="Second Shop", org_id=platform.sandbox.agency_id)
    second = service.load_draft_blocking(new).config.with_changes(repo_name="second-shop")
    assert (await service.check(new, second)).ok
    if tier in ("free", "pro"):
        with pytest.raises(TierLimitReached, match=tier.capitalize()):
            await service.publish(new, second)
        assert github.state.find_repo(LOGIN, "second-shop") is None
    else:
        await service.publish(new, second)
        assert github.state.find_repo(LOGIN, "second-shop") is not None

    # Custom domains are the plan's too (Free and Pro none, Agency 5, Enterprise any).
    domains = DomainService(
        store, VercelClient(build_client("vercel", "http://127.0.0.1:9", "unused")), platform.client
    )
    limit = {"free": 0, "pro": 0, "agency": 5, "enterprise": None}[tier]
    assert await domains.allowance() == (0, limit)
    if limit == 0:
        with pytest.raises(DomainLimitReached):
            await domains.add(pid, "shop.example.com")
    await domains.vercel.aclose()


async def test_publish_takes_the_plan_the_platform_has_now(
    platform: Platform, store: Store, github: GitHubSandbox, gh: GitHubClient
) -> None:
    await platform.sync_organization(store)  # Agency when the console last synced
    pid = on_platform(store, platform)
    service = PublishService(store, gh, platform.client, builder=FakeBuilder())
    agency = service.load_draft_blocking(pid).config
    assert agency.tier is Tier.AGENCY
    assert (await service.check(pid, agency)).ok
    platform.sandbox.set_tier("free")  # downgraded since: the badge is required again

    with pytest.raises(CheckRequired, match="plan is Free now"):
        await service.publish(pid, agency)
    assert github.state.find_repo(LOGIN, "flower-shop") is None
    free = agency.with_changes(tier=Tier.FREE)
    assert (await service.check(pid, free)).ok
    await service.publish(pid, agency)  # what the wizard still shows: corrected again
    assert has_badge(github.files_at(LOGIN, "flower-shop"))


async def test_plan_from_the_last_sync_when_the_platform_is_unreachable(
    platform: Platform, store: Store, github: GitHubSandbox, gh: GitHubClient
) -> None:
    platform.sandbox.set_tier("pro")
    await platform.sync_organization(store)
    pid = on_platform(store, platform)
    service = PublishService(store, gh, platform.client, builder=FakeBuilder())
    cfg = service.load_draft_blocking(pid).config
    assert (await service.check(pid, cfg)).ok
    platform.sandbox.faults.add(FaultRule("status", path=r"/licensing/limits$", status=503))
    result = await service.publish(pid, cfg)
    assert result.sha
    assert not has_badge(github.files_at(LOGIN, "flower-shop"))


# ------------------------------------------------------------------ record links


def link(category: str, ids: str) -> DataNeed:
    return DataNeed(Detection(category, 0.9, ("form",), ()), Decision.LINK, ids, confirmed=True)  # type: ignore[arg-type]


async def test_link_decisions_reach_the_platform_at_publish(
    platform: Platform, store: Store, gh: GitHubClient, tmp_path: Path
) -> None:
    await platform.sync_organization(store)
    pid = on_platform(store, platform)
    with store.read() as session:
        project = session.get(Project, pid)
        assert project is not None
    app = next(a for a in platform.sandbox.builder_apps() if a.id == project.remote_id)
    projects = ProjectService(store, workspace_root=tmp_path / "work")
    await projects.save_data_needs(
        pid, [link("forms", "form_contact, form_quote"), link("products", "prod_roses")]
    )
    service = PublishService(store, gh, platform.client, builder=FakeBuilder())
    cfg = service.load_draft_blocking(pid).config
    assert (await service.check(pid, cfg)).ok
    result = await service.publish(pid, cfg)

    assert result.platform_linked
    assert platform.sandbox.links(app.id) == {
        "form": ["form_contact", "form_quote"],
        "product": ["prod_roses"],
    }
    linked = next(a for a in platform.sandbox.builder_apps() if a.id == app.id)
    assert linked.repo_url == result.repo_url


# ------------------------------------------------------------------ offline order


async def offline_project(
    store: Store, platform: Platform, tmp_path: Path
) -> tuple[ProjectService, int]:
    """A project made offline (the organization synced before): its builder-app
    create waits in the outbox."""
    await platform.sync_organization(store)
    projects = ProjectService(store, workspace_root=tmp_path / "work")
    pid = await projects.create_from_template("landing-contact", name="Harbour Cafe")
    await projects.save_data_needs(pid, [link("forms", "form_booking")])
    return projects, pid


def outbox(store: Store) -> list[tuple[str, str]]:
    with store.read() as session:
        return [(e.kind, e.status) for e in session.query(OutboxEntry).order_by(OutboxEntry.id)]


async def test_offline_publish_waits_for_its_builder_app_then_links_the_repository(
    platform: Platform, store: Store, github: GitHubSandbox, gh: GitHubClient, tmp_path: Path
) -> None:
    projects, pid = await offline_project(store, platform, tmp_path)
    service = PublishService(store, gh, platform.client, builder=FakeBuilder())
    cfg = service.load_draft_blocking(pid).config.with_changes(repo_name="harbour-cafe")
    assert (await service.check(pid, cfg)).ok
    await service.queue_publish(pid, cfg)
    processor = OutboxProcessor(
        store,
        {
            **projects.outbox_handlers(platform.client),
            KIND_PUBLISH: service.outbox_handler(),
            KIND_LINK: service.link_handler(),
        },
        backoff_base=0.0,
    )

    # Back online, but the platform refuses for now (GitHub answers): nothing may be
    # pushed before the app exists, or the app would never learn its repository.
    platform.sandbox.faults.add(
        FaultRule("status", path=r"/builder-apps$", method="POST", status=503, times=None)
    )
    first = await processor.drain()
    assert isinstance(first.blocked_by, Unavailable | NetworkError)
    assert github.state.find_repo(LOGIN, "harbour-cafe") is None
    assert ("project.publish", "pending") in outbox(store)

    platform.sandbox.faults.clear()
    with store.write() as tx:  # "later": the backoff is over
        for entry in tx.session.query(OutboxEntry):
            entry.next_attempt_at = None
    second = await processor.drain()
    assert second.pending == 0
    assert {status for _kind, status in outbox(store)} == {"done"}

    with store.read() as session:
        project = session.get(Project, pid)
        assert project is not None
    app = next(a for a in platform.sandbox.builder_apps() if a.id == project.remote_id)
    assert app.repo_url is not None
    assert app.repo_url == project.repo_url
    assert app.status == "published"
    assert platform.sandbox.links(app.id) == {"form": ["form_booking"]}
    assert github.state.find_repo(LOGIN, "harbour-cafe") is not None


async def test_publish_while_the_create_waits_links_once_the_app_exists(
    platform: Platform, store: Store, github: GitHubSandbox, gh: GitHubClient, tmp_path: Path
) -> None:
    projects, pid = await offline_project(store, platform, tmp_path)
    service = PublishService(store, gh, platform.client, builder=FakeBuilder())
    cfg = service.load_draft_blocking(pid).config.with_changes(repo_name="harbour-cafe")
    assert (await service.check(pid, cfg)).ok
    # Agency: room for the app; its create has not reached the platform yet.
    result = await service.publish(pid, cfg)
    assert not result.platform_linked
    assert github.state.find_repo(LOGIN, "harbour-cafe") is not None
    assert ("project.publish.link", "pending") in outbox(store)

    processor = OutboxProcessor(
        store,
        {**projects.outbox_handlers(platform.client), KIND_LINK: service.link_handler()},
    )
    await processor.drain()
    assert {status for _kind, status in outbox(store)} == {"done"}
    with store.read() as session:
        project = session.get(Project, pid)
        assert project is not None
    app = next(a for a in platform.sandbox.builder_apps() if a.id == project.remote_id)
    assert app.repo_url == result.repo_url
    assert platform.sandbox.links(app.id) == {"form": ["form_booking"]}
