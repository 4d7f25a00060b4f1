"""SandboxLinks: github.com and vercel.app links become the sandbox's loopback pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from console.sandbox.github import GitHubSandbox
from console.sandbox.links import SandboxLinks

LOGIN = "sandbox-agency"
VERCEL = "http://127.0.0.1:4999"


@pytest.fixture
def github(tmp_path: Path) -> Iterator[GitHubSandbox]:
    sandbox = GitHubSandbox(tmp_path / "github")
    sandbox.serve()
    sandbox.create_repo(LOGIN, "shop", auto_init=True)
    yield sandbox
    sandbox.stop()


def test_links_before_the_sandbox_is_up_open_nothing() -> None:
    links = SandboxLinks()
    assert links("https://github.com/acme/shop") == ""
    assert links("https://shop.vercel.app/") == ""
    assert links("https://docs.l4yercak3.com/start") == "https://docs.l4yercak3.com/start"


def test_links_map_repositories_to_browse_pages(github: GitHubSandbox) -> None:
    links = SandboxLinks()
    links.attach(github, VERCEL)
    web = github.web_url
    assert links(f"https://github.com/{LOGIN}/shop") == f"{web}/_browse/{LOGIN}/shop"
    assert links(f"https://github.com/{LOGIN}/shop.git") == f"{web}/_browse/{LOGIN}/shop"
    assert (
        links(f"https://github.com/{LOGIN}/shop/blob/main/app/page.tsx")
        == f"{web}/_browse/{LOGIN}/shop/blob/main/app/page.tsx"
    )
    assert links(f"https://github.com/{LOGIN}/shop/commit/abc") == (
        f"{web}/_browse/{LOGIN}/shop/commits"
    )
    # The sandbox's own html_url, and one an earlier run recorded on another port.
    assert links(f"{web}/{LOGIN}/shop") == f"{web}/_browse/{LOGIN}/shop"
    assert links(f"http://127.0.0.1:1/{LOGIN}/shop") == f"{web}/_browse/{LOGIN}/shop"
    # Loopback URLs that are no repository of the sandbox stay as they are.
    for url in (f"http://127.0.0.1:1/{LOGIN}/other", f"{web}/_browse/{LOGIN}/shop", VERCEL):
        assert links(url) == url
    # Each answers on loopback: the page, or the sandbox's own 404.
    assert httpx.get(links(f"https://github.com/{LOGIN}/shop"), timeout=10).status_code == 200
    missing = httpx.get(links("https://github.com/acme/not-here"), timeout=10)
    assert missing.status_code == 404
    assert "GitHub sandbox" in missing.text


def test_links_map_vercel_sites_to_the_vercel_sandbox(github: GitHubSandbox) -> None:
    links = SandboxLinks()
    links.attach(github, VERCEL)
    assert links("https://shop.vercel.app") == f"{VERCEL}/_deployments/shop.vercel.app/"
    assert links("https://Shop.vercel.app/cart?x=1") == (
        f"{VERCEL}/_deployments/shop.vercel.app/cart?x=1"
    )
    assert links("https://shop.example.com/") == "https://shop.example.com/"
