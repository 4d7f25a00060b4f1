"""The embedded sandbox: all four remote systems on loopback, wired together.

`python main.py` with no account configured (or `--sandbox`) starts this and
points the console at it, so the whole journey works on a machine with no
accounts and no internet. State lives under the console's data folder, so
work survives a restart like it would against the real services.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from console.sandbox.github import GitHubSandbox
from console.sandbox.host import ServedApp, serve
from console.sandbox.platform import PlatformSandbox, TrafficConfig
from console.sandbox.stripe import StripeSandbox
from console.sandbox.vercel import DEMO_TIMING, BuildTiming, VercelSandbox

logger = logging.getLogger(__name__)

PLATFORM_WEBHOOK_SECRET = "whsec_embedded_sandbox_platform"


@dataclass(frozen=True)
class SandboxAccount:
    """Where one sandboxed remote listens and the (sandbox-only) token it accepts."""

    url: str
    token: str


@dataclass
class EmbeddedSandbox:
    """The four sandboxes, served; `stop()` shuts them down."""

    platform: PlatformSandbox
    github: GitHubSandbox
    vercel: VercelSandbox
    stripe: StripeSandbox
    platform_server: ServedApp

    @property
    def platform_account(self) -> SandboxAccount:
        return SandboxAccount(self.platform_server.url, self.platform.api_key)

    @property
    def github_account(self) -> SandboxAccount:
        return SandboxAccount(self.github.base_url, self.github.token)

    @property
    def vercel_account(self) -> SandboxAccount:
        return SandboxAccount(self.vercel.base_url, next(iter(self.vercel.tokens)))

    @property
    def stripe_account(self) -> SandboxAccount:
        return SandboxAccount(self.stripe.base_url, next(iter(self.stripe.api_keys)))

    def stop(self) -> None:
        self.platform_server.stop()
        self.github.stop()
        self.vercel.stop()
        self.stripe.stop()
        self.platform.close()


def start_embedded(
    root: Path,
    *,
    traffic: TrafficConfig | None = None,
    build_timing: BuildTiming = DEMO_TIMING,
    record: bool = False,
) -> EmbeddedSandbox:
    """Start the sandboxes under `root` (blocking: call it in a worker thread).

    Args:
        root: folder for their state (created).
        traffic: live conversation traffic on the platform; None for none.
        build_timing: how long sandbox Vercel builds take.
        record: keep every exchange (tests); off for long-running demos.
    """
    root.mkdir(parents=True, exist_ok=True)
    platform = PlatformSandbox(
        root / "platform.sqlite3", traffic=traffic, stripe_webhook_secret=PLATFORM_WEBHOOK_SECRET
    )
    platform_server = serve("platform", platform.asgi)
    github = GitHubSandbox(root / "github")
    github.serve()
    vercel = VercelSandbox(root / "vercel", timing=build_timing, record=record)
    vercel.serve()
    stripe = StripeSandbox(root / "stripe", record=record)
    stripe.serve()
    # Stripe tells the platform about completed checkouts, as in production.
    # Ports change between runs: endpoints of earlier runs point nowhere.
    for endpoint in stripe.webhook_endpoints():
        stripe.remove_webhook_endpoint(endpoint.id)
    stripe.add_webhook_endpoint(
        f"{platform_server.url}/api/v1/stripe/webhook", secret=PLATFORM_WEBHOOK_SECRET
    )
    logger.info("embedded sandbox started under %s", root)
    return EmbeddedSandbox(platform, github, vercel, stripe, platform_server)
