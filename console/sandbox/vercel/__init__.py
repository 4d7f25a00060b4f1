"""Vercel sandbox: a local server speaking the subset of Vercel's REST API the console uses.

Start one with::

    sandbox = VercelSandbox(root, timing=BuildTiming(2, 2, 6))
    sandbox.serve()
    sandbox.base_url               # http://127.0.0.1:<port>, instead of https://api.vercel.com
    sandbox.site_url(deployment)   # where https://{deployment["url"]}/ is served
    ...
    sandbox.stop()

`sandbox.asgi` is the served ASGI app (`FaultInjector(ExchangeRecorder(app))`)
for in-process use (respx.ASGIHandler / httpx.ASGITransport).

Deployments go QUEUED -> INITIALIZING -> BUILDING -> READY (or ERROR, or
CANCELED), computed from the clock (`BuildTiming`, `DEMO_TIMING`). The sandbox
never answers `BLOCKED`, which real Vercel now can (it is newer than the
contract); the console must still handle it.
"""

from __future__ import annotations

from console.sandbox.vercel.app import is_sandbox_extension
from console.sandbox.vercel.builds import DEMO_TIMING, BuildTiming
from console.sandbox.vercel.errors import VercelApiError
from console.sandbox.vercel.payloads import Account, production_alias
from console.sandbox.vercel.sandbox import (
    DEFAULT_TOKEN,
    SiteResponse,
    VercelSandbox,
    loopback_site_url,
)

__all__ = [
    "DEFAULT_TOKEN",
    "DEMO_TIMING",
    "Account",
    "BuildTiming",
    "SiteResponse",
    "VercelApiError",
    "VercelSandbox",
    "is_sandbox_extension",
    "loopback_site_url",
    "production_alias",
]
