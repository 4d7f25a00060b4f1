"""The embedded sandbox: all four remote systems on loopback, wired together.

`python main.py` with no account configured (or `--sandbox`) starts this and
points the console at it, so the whole journey works on a machine with no
accounts and no internet. State lives under the console's data folder, so
work survives a restart like it would against the real services.

Vercel deployments build for real when Node.js is found: the Vercel sandbox
checks out what was pushed to the GitHub sandbox (`PushedCommits`), installs
and runs `next build`, and serves the result with `next start`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from console.sandbox.github import GitHubSandbox, GitHubState
from console.sandbox.github.state import is_sha
from console.sandbox.host import ServedApp, serve
from console.sandbox.platform import PlatformSandbox, TrafficConfig
from console.sandbox.stripe import StripeSandbox
from console.sandbox.vercel import (
    DEMO_TIMING,
    NODE_MISSING_NOTICE,
    BuildTiming,
    RealBuilds,
    VercelSandbox,
)
from console.services.buildcheck.toolchain import find_toolchain

logger = logging.getLogger(__name__)

PLATFORM_WEBHOOK_SECRET = "whsec_embedded_sandbox_platform"


class PushedCommits:
    """The GitHub sandbox's commits, as the Vercel sandbox checks them out (`CommitSource`)."""

    def __init__(self, state: GitHubState) -> None:
        self._state = state

    def resolve(self, owner: str, repo: str, ref: str) -> str | None:
        record = self._state.find_repo(owner, repo)
        if record is None:
            return None
        if is_sha(ref):
            commit = self._state.get_commit(record, ref)
            return None if commit is None else commit.sha
        return self._state.head(owner, repo, ref)

    def files(self, owner: str, repo: str, sha: str) -> dict[str, bytes]:
        if self._state.find_repo(owner, repo) is None:
            raise LookupError(f"the repository {owner}/{repo} is gone")
        files = self._state.files_at(owner, repo, sha)
        if not files:
            raise LookupError(f"commit {sha[:7]} is not in {owner}/{repo}")
        return files


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
        # Vercel first: a build in progress may still be reading from GitHub.
        self.vercel.stop()
        self.github.stop()
        self.stripe.stop()
        self.platform.close()


def start_embedded(
    root: Path,
    *,
    traffic: TrafficConfig | None = None,
    build_timing: BuildTiming | None = None,
    record: bool = False,
) -> EmbeddedSandbox:
    """Start the sandboxes under `root` (blocking: call it in a worker thread).

    Args:
        root: folder for their state (created).
        traffic: live conversation traffic on the platform; None for none.
        build_timing: None builds Vercel deployments for real when Node.js is
            found, and otherwise simulates them (`DEMO_TIMING`), saying so in
            their logs; a timing simulates them at that pace.
        record: keep every exchange (tests); off for long-running demos.
    """
    root.mkdir(parents=True, exist_ok=True)
    platform = PlatformSandbox(
        root / "platform.sqlite3", traffic=traffic, stripe_webhook_secret=PLATFORM_WEBHOOK_SECRET
    )
    platform_server = serve("platform", platform.asgi)
    github = GitHubSandbox(root / "github")
    github.serve()
    vercel = _vercel(root / "vercel", github, build_timing, record=record)
    # Vercel's GitHub app is installed on the sandbox's GitHub owners, as the agency's would be.
    vercel.grant_git_access(github.login)
    for org in github.orgs:
        vercel.grant_git_access(org, owner_type="team")
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


def _vercel(
    root: Path, github: GitHubSandbox, build_timing: BuildTiming | None, *, record: bool
) -> VercelSandbox:
    """Vercel's sandbox: real builds, unless a timing is given or Node.js is missing."""
    if build_timing is not None:
        return VercelSandbox(root, timing=build_timing, record=record)
    if asyncio.run(find_toolchain()) is None:
        logger.info("Node.js not found: sandbox Vercel builds are simulated")
        return VercelSandbox(
            root, timing=DEMO_TIMING, record=record, simulation_notice=NODE_MISSING_NOTICE
        )
    return VercelSandbox(root, record=record, builds=RealBuilds(PushedCommits(github.state)))
