"""New-client provisioning against the platform, GitHub and Vercel sandboxes.

The fault at each of the 8 steps (and the SIGKILL in each) is measured in
`test_provisioning_figures.py`; FAULTS here says how each step is made to fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.sandbox.faults import FaultRule
from console.sandbox.github import DEFAULT_SCOPES, GitHubSandbox
from console.sandbox.platform.models import Tier as PlatformTier
from console.services.deploy.events import ProgressEvent, StepStarted
from console.services.deploy.ledger import Ledger, clean_up
from console.services.deploy.pipeline import PipelineFailed
from console.services.deploy.provisioning import NewClient, ProvisioningService, render_portal
from console.services.scaffold import Tier
from console.store.db import Store
from console.store.models import Organization, PipelineRun, Project
from tests.services.deploy.census import take
from tests.services.deploy.conftest import Remotes

CLIENT = NewClient(
    name="Plastimed",
    slug="plastimed",
    contact_email="ops@plastimed.test",
    brand_color="#0E7490",
    logo_url="https://plastimed.test/logo.png",
)
STEPS = ["suborg", "portal", "push", "vercel", "env", "deploy", "health", "activate"]


def make_service(remotes: Remotes, store: Store, github: GitHubSandbox) -> ProvisioningService:
    return remotes.provisioning(store, github)


async def close(service: ProvisioningService) -> None:
    await service.deploy.vercel.aclose()
    await service.deploy.platform.aclose()
    await service.deploy.health_http.aclose()
    await service.github.aclose()


def children(remotes: Remotes) -> list[tuple[str, str]]:
    return [(c.slug, c.status) for c in remotes.platform.children() if c.slug == CLIENT.slug]


def test_portal_files_have_branding() -> None:
    files = render_portal("Plastimed", "plastimed-portal", "org_1", "#0E7490", None, Tier.AGENCY)
    assert b'"#0E7490"' in files["lib/branding.ts"]
    assert b"Conversations" in files["app/dashboard/page.tsx"]
    assert "app/settings/page.tsx" in files
    assert "app/api/webhook/route.ts" in files  # from the scaffold


async def test_provision_end_to_end(remotes: Remotes, store: Store, github: GitHubSandbox) -> None:
    service = make_service(remotes, store, github)
    events: list[ProgressEvent] = []
    try:
        state = await service.provision(CLIENT, events.append)
    finally:
        await close(service)
    assert [e.step for e in events if isinstance(e, StepStarted)] == STEPS
    assert children(remotes) == [("plastimed", "active")]
    child = next(c for c in remotes.platform.children() if c.slug == "plastimed")
    assert child.portal_url == "https://plastimed-portal.vercel.app"
    assert remotes.vercel_projects() == ["plastimed-portal"]
    app = next(a for a in remotes.platform.builder_apps() if a.id == state["app_id"])
    assert app.org_id == child.id
    assert app.deployment_status == "deployed"
    assert app.repo_url == "https://github.com/northwind-digital/plastimed-portal"
    assert [w.app_id for w in remotes.platform.webhooks()].count(app.id) == 1
    with store.read() as session:
        org = session.get(Organization, child.id)
        assert org is not None
        assert org.status == "active"
    assert remotes.check_vercel_contract() > 10


#: step -> (sandbox, rule) making it fail
FAULTS: dict[str, tuple[str, FaultRule | None]] = {
    "suborg": ("platform", FaultRule("status", path=r"/organizations/children$", status=400)),
    "portal": ("platform", FaultRule("status", path=r"/builder-apps$", status=400)),
    "push": ("github", FaultRule("status", path=r"/git/commits$", method="POST", status=422)),
    "vercel": ("vercel", FaultRule("status", path=r"^/v11/projects$", method="POST", status=400)),
    "env": ("vercel", FaultRule("status", path=r"/env$", method="POST", status=400, times=None)),
    "deploy": ("build", None),
    "health": ("vercel", FaultRule("status", path=r"^/_deployments/", status=500, times=None)),
    "activate": (
        "platform",
        FaultRule("status", path=r"/organizations/children/[^/]+$", method="PATCH", status=400),
    ),
}


def fault(step: str) -> FaultRule:
    """A fresh copy of the rule that makes `step` fail (rules count their hits)."""
    rule = FAULTS[step][1]
    assert rule is not None
    return FaultRule(**{**rule.__dict__, "hits": 0})


def holds_nothing_of(remotes: Remotes, github: GitHubSandbox, slug: str) -> dict[str, int]:
    """Every kind of resource of client `slug` still on a vendor (all zero: nothing left)."""
    found = take(remotes, github, [slug])
    return {kind: sum(counts.values()) for kind, counts in found.kinds().items()}


async def test_abandon_removes_everything_the_run_created(
    remotes: Remotes, store: Store, github: GitHubSandbox
) -> None:
    service = make_service(remotes, store, github)
    remotes.platform.faults.add(fault("activate"))
    try:
        with pytest.raises(PipelineFailed) as caught:
            await service.provision(CLIENT)
        # The rollback kept the client's sub-org, marked failed, for a retry ...
        assert children(remotes) == [("plastimed", "failed")]
        assert holds_nothing_of(remotes, github, "plastimed")["platform sub-orgs"] == 1
        # ... giving the client up removes it too: nothing of the run is left anywhere.
        notes, _steps = await service.abandon(caught.value.run_id)
    finally:
        await close(service)
    assert set(holds_nothing_of(remotes, github, "plastimed").values()) == {0}
    assert any("sub-organization plastimed" in n for n in notes)
    with store.read() as session:
        run = session.get(PipelineRun, caught.value.run_id)
        assert run is not None
        assert run.status == "abandoned"
        assert session.query(Organization).filter_by(slug="plastimed").count() == 0
        assert session.query(Project).filter_by(source="portal").count() == 0


async def test_abandon_after_a_warning_removes_the_deployed_portal(
    remotes: Remotes, store: Store, github: GitHubSandbox
) -> None:
    service = make_service(remotes, store, github)
    remotes.vercel.faults.add(fault("health"))
    try:
        run_id = service.start(CLIENT)
        state = await service.run(run_id)
        assert children(remotes) == [("plastimed", "warning")]
        assert remotes.vercel_projects() == ["plastimed-portal"]  # kept for a person to look at
        assert state["production_url"] == "https://plastimed-portal.vercel.app"
        remotes.vercel.faults.clear()
        await service.abandon(run_id)
    finally:
        await close(service)
    assert set(holds_nothing_of(remotes, github, "plastimed").values()) == {0}


async def test_a_repository_the_token_may_not_delete_is_listed_and_cleaned_up_later(
    remotes: Remotes, store: Store, tmp_path: Path
) -> None:
    github = GitHubSandbox(tmp_path / "github-no-delete")  # a token without delete_repo
    github.serve()
    service = remotes.provisioning(store, github)
    ledger = Ledger(store)
    remotes.vercel.faults.add(fault("vercel"))
    try:
        with pytest.raises(PipelineFailed) as caught:
            await service.provision(CLIENT)
        (left,) = ledger.left_behind()
        assert left.label == "GitHub repository northwind-digital/plastimed-portal"
        assert left.problem is not None
        assert "delete_repo" in left.problem
        assert github.state.find_repo("northwind-digital", "plastimed-portal") is not None
        # Everything else of the run is gone.
        found = holds_nothing_of(remotes, github, "plastimed")
        assert found["platform builder apps"] == found["Vercel projects"] == 0

        still = await clean_up(ledger, service.pipeline.remover)
        assert len(still.still_left) == 1  # the right is still missing
        github.add_token(github.token, scopes=(*DEFAULT_SCOPES, "delete_repo"))  # granted
        done = await clean_up(ledger, service.pipeline.remover)
    finally:
        await close(service)
        github.stop()
    assert done.still_left == ()
    assert done.removed == ("removed GitHub repository northwind-digital/plastimed-portal",)
    assert github.state.find_repo("northwind-digital", "plastimed-portal") is None
    assert ledger.left_behind() == []
    assert caught.value.step == "vercel"


async def test_a_retry_takes_back_a_repository_left_behind(
    remotes: Remotes, store: Store, tmp_path: Path
) -> None:
    github = GitHubSandbox(tmp_path / "github-no-delete")
    github.serve()
    service = remotes.provisioning(store, github)
    remotes.vercel.faults.add(fault("vercel"))
    try:
        with pytest.raises(PipelineFailed) as caught:
            await service.provision(CLIENT)
        assert len(Ledger(store).left_behind()) == 1
        remotes.vercel.faults.clear()
        await service.run(caught.value.run_id)
    finally:
        await close(service)
        github.stop()
    # In use again: no longer listed for cleanup (a cleanup would delete the live portal).
    assert Ledger(store).left_behind() == []
    assert children(remotes) == [("plastimed", "active")]


@pytest.mark.parametrize("tier", ["enterprise", "free"])
async def test_portal_follows_the_agency_plan(
    tier: PlatformTier, remotes: Remotes, store: Store, github: GitHubSandbox
) -> None:
    remotes.platform.set_tier(tier)
    service = make_service(remotes, store, github)
    try:
        if tier == "free":  # one builder app on Free, and the agency has 30
            with pytest.raises(PipelineFailed, match="limit") as caught:
                await service.provision(CLIENT)
            assert caught.value.step == "portal"
            assert remotes.vercel_projects() == []
            return
        await service.provision(CLIENT)
    finally:
        await close(service)
    files = github.files_at("northwind-digital", "plastimed-portal")
    assert not any(path.endswith("powered-by-badge.tsx") for path in files)
