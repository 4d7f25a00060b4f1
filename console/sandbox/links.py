"""The links the console shows, pointed at the embedded sandbox's loopback pages.

In sandbox mode nothing the user clicks may reach the real github.com or
vercel.app: the repositories and sites only exist on this machine.
`SandboxLinks` maps

- a repository on github.com, or on the GitHub sandbox (of this run, or of an
  earlier one whose port is gone), to the GitHub sandbox's browse page
  (`console.sandbox.github.browse`);
- a site on ``*.vercel.app`` to where the Vercel sandbox serves that host
  (`loopback_site_url`);

and leaves every other URL alone. Views get it as their ``external_url``.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from console.sandbox.github import GitHubSandbox
from console.sandbox.github.browse import BROWSE_PREFIX, browse_url
from console.sandbox.vercel import loopback_site_url

logger = logging.getLogger(__name__)

GITHUB_HOSTS = frozenset({"github.com", "www.github.com"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_OWNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_REPO = re.compile(r"[A-Za-z0-9._-]+")


class SandboxLinks:
    """Maps github.com and ``*.vercel.app`` links to the embedded sandbox's pages.

    Built before the sandbox starts (pages exist from the first paint);
    `attach` tells it where the sandbox listens. Until then such links map to
    "" (an invalid URL: opening it does nothing), never to the real site.
    """

    def __init__(self) -> None:
        self._github: GitHubSandbox | None = None
        self._vercel_url: str | None = None

    def attach(self, github: GitHubSandbox, vercel_url: str) -> None:
        """The sandbox is up: the served GitHub sandbox and the Vercel sandbox's base URL."""
        self._github = github
        self._vercel_url = vercel_url

    def __call__(self, url: str) -> str:
        """The URL to open (or link to) for `url`."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host.endswith(".vercel.app"):
            if self._vercel_url is None:
                return ""
            query = f"?{parts.query}" if parts.query else ""
            return loopback_site_url(self._vercel_url, host, parts.path or "/") + query
        if host in GITHUB_HOSTS:
            return self._browse(parts.path)
        if host in LOOPBACK_HOSTS and self._is_sandbox_repo(parts.path):
            # A repository URL recorded by an earlier run: its port has changed since.
            return self._browse(parts.path)
        return url

    def _browse(self, path: str) -> str:
        if self._github is None:
            return ""
        web = self._github.web_url
        segments = [s for s in path.split("/") if s]
        if len(segments) < 2 or not _OWNER.fullmatch(segments[0]):
            return f"{web}{BROWSE_PREFIX}/{'/'.join(segments)}"  # the sandbox's "not found"
        owner, repo, rest = segments[0], segments[1].removesuffix(".git"), segments[2:]
        if rest[:1] in (["blob"], ["tree"]) and len(rest) >= 3:
            return browse_url(web, owner, repo, "blob", rest[1], "/".join(rest[2:]))
        if rest[:1] in (["commits"], ["commit"]):
            return browse_url(web, owner, repo, "commits")
        return browse_url(web, owner, repo)

    def _is_sandbox_repo(self, path: str) -> bool:
        segments = [s for s in path.split("/") if s]
        if self._github is None or len(segments) < 2:
            return False
        owner, repo = segments[0], segments[1].removesuffix(".git")
        if not (_OWNER.fullmatch(owner) and _REPO.fullmatch(repo)):
            return False
        return self._github.state.find_repo(owner, repo) is not None
