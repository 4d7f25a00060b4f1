"""New-client provisioning against the platform, GitHub and Vercel sandboxes.

The fault at each of the 8 steps (and the SIGKILL in each) is measured in
`test_provisioning_figures.py`; FAULTS here says how each step is made to fail.
"""

from __future__ import annotations

from console.sandbox.faults import FaultRule
from console.sandbox.github import GitHubSandbox
from console.services.deploy.events import ProgressEvent, StepStarted
from console.services.deploy.provisioning import NewClient, ProvisioningService, render_portal
from console.store.db import Store
from console.store.models import Organization
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
    files = render_portal("Plastimed", "plastimed-portal", "org_1", "#0E7490", None)
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
