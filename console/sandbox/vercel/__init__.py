"""Vercel sandbox: a local server speaking the subset of Vercel's REST API the console uses.

Start one with::

    sandbox = VercelSandbox(root, timing=BuildTiming(2, 2, 6))   # simulated builds
    sandbox = VercelSandbox(root, builds=RealBuilds(commits))    # or real ones
    sandbox.serve()
    sandbox.base_url               # http://127.0.0.1:<port>, instead of https://api.vercel.com
    sandbox.site_url(deployment)   # where https://{deployment["url"]}/ is served
    ...
    sandbox.stop()

`sandbox.asgi` is the served ASGI app (`FaultInjector(ExchangeRecorder(app))`)
for in-process use (respx.ASGIHandler / httpx.ASGITransport).

Deployments go QUEUED -> INITIALIZING -> BUILDING -> READY (or ERROR, or
CANCELED): simulated ones computed from the clock (`BuildTiming`,
`DEMO_TIMING`); real ones (`RealBuilds`) as the pushed commit installs and
builds, one at a time, their output lines streamed as build events, and a
READY one served by `next start`. The sandbox never answers `BLOCKED`, which
real Vercel now can (it is newer than the contract); the console must still
handle it.
"""

from __future__ import annotations

from console.sandbox.vercel.app import is_sandbox_extension
from console.sandbox.vercel.builds import DEMO_TIMING, BuildTiming
from console.sandbox.vercel.errors import VercelApiError
from console.sandbox.vercel.payloads import Account, production_alias
from console.sandbox.vercel.regions import DEFAULT_REGION, REGION_NAMES
from console.sandbox.vercel.runner import (
    NODE_MISSING_NOTICE,
    CommitSource,
    ProjectBuilder,
    RealBuilds,
)
from console.sandbox.vercel.sandbox import (
    DEFAULT_TOKEN,
    SiteResponse,
    VercelSandbox,
    loopback_site_url,
)
from console.sandbox.vercel.serving import AppUnavailable

__all__ = [
    "DEFAULT_REGION",
    "DEFAULT_TOKEN",
    "DEMO_TIMING",
    "NODE_MISSING_NOTICE",
    "REGION_NAMES",
    "Account",
    "AppUnavailable",
    "BuildTiming",
    "CommitSource",
    "ProjectBuilder",
    "RealBuilds",
    "SiteResponse",
    "VercelApiError",
    "VercelSandbox",
    "is_sandbox_extension",
    "loopback_site_url",
    "production_alias",
]
