"""The GitHub sandbox's browse pages, fetched over HTTP as a browser would."""

from __future__ import annotations

import re

import httpx

from console.sandbox.github import GitHubSandbox
from console.sandbox.github.browse import browse_url

LOGIN = "sandbox-agency"
HOSTILE = "<script>alert('x')</script> & \"quotes\"\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(40))


def _seed(sandbox: GitHubSandbox) -> tuple[str, str]:
    sandbox.create_repo(LOGIN, "shop", private=True, auto_init=True, description="Acme <shop>")
    first = sandbox.commit_on_remote(
        LOGIN,
        "shop",
        {"app/page.tsx": "export default function Page() {}\n", "lib/evil.ts": HOSTILE},
        "Add the app",
    )
    second = sandbox.commit_on_remote(
        LOGIN, "shop", {"public/logo.png": PNG}, "Add <the> logo\n\nWith a body."
    )
    return first, second


def _get(sandbox: GitHubSandbox, *path: str) -> httpx.Response:
    return httpx.get(browse_url(sandbox.web_url, *path), timeout=10.0)


def test_browse_repo_page_lists_the_head_tree(github_sandbox: GitHubSandbox) -> None:
    _first, head = _seed(github_sandbox)
    page = _get(github_sandbox, LOGIN, "shop")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert head[:7] in text
    assert f"title='{head}'" in text
    assert "Add &lt;the&gt; logo" in text  # the head's message, escaped
    assert "Acme &lt;shop&gt;" in text
    assert "Private" in text
    assert "3 commits" in text
    for name in ("README.md", "app/", "page.tsx", "lib/", "evil.ts", "logo.png"):
        assert name in text
    links = set(re.findall(r"href='([^']+)'", text))
    assert f"/_browse/{LOGIN}/shop/blob/main/lib/evil.ts" in links
    assert f"/_browse/{LOGIN}/shop/commits" in links
    # Every file link on the page opens.
    blobs = [link for link in links if "/blob/" in link]
    assert len(blobs) == 4
    for link in blobs:
        assert httpx.get(github_sandbox.web_url + link, timeout=10.0).status_code == 200


def test_browse_blob_shows_text_escaped_and_binary_size(github_sandbox: GitHubSandbox) -> None:
    _first, head = _seed(github_sandbox)
    evil = _get(github_sandbox, LOGIN, "shop", "blob", "main", "lib/evil.ts")
    assert evil.status_code == 200
    assert "<script>" not in evil.text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot;" in evil.text
    assert f"1 line · {len(HOSTILE)} bytes" in evil.text
    logo = _get(github_sandbox, LOGIN, "shop", "blob", head, "public/logo.png")
    assert logo.status_code == 200
    assert f"binary, {len(PNG)} bytes" in logo.text
    assert "PNG" not in logo.text.split("binary", 1)[1]  # no bytes of the file itself
    folder = _get(github_sandbox, LOGIN, "shop", "blob", "main", "app")
    assert folder.status_code == 200
    assert f"/_browse/{LOGIN}/shop/blob/main/app/page.tsx" in folder.text


def test_browse_commits_lists_history_newest_first(github_sandbox: GitHubSandbox) -> None:
    first, head = _seed(github_sandbox)
    page = _get(github_sandbox, LOGIN, "shop", "commits")
    assert page.status_code == 200
    text = page.text
    order = [text.index(sha[:7]) for sha in (head, first)]
    assert order == sorted(order)
    assert "Initial commit" in text
    assert text.index("Add the app") < text.index("Initial commit")
    older = httpx.get(
        browse_url(github_sandbox.web_url, LOGIN, "shop", "commits"),
        params={"ref": first},
        timeout=10.0,
    )
    assert older.status_code == 200
    assert head[:7] not in older.text
    assert first[:7] in older.text


def test_browse_unknown_repo_ref_or_path_is_404(github_sandbox: GitHubSandbox) -> None:
    _seed(github_sandbox)
    github_sandbox.create_repo(LOGIN, "empty")
    cases = [
        (LOGIN, "nope"),
        ("nobody", "shop"),
        (LOGIN, "shop", "blob", "main", "missing.ts"),
        (LOGIN, "shop", "blob", "no-such-branch", "README.md"),
        (LOGIN, "empty", "blob", "main", "README.md"),
    ]
    for case in cases:
        page = _get(github_sandbox, *case)
        assert page.status_code == 404, case
        assert "404" in page.text
    unknown_ref = httpx.get(
        browse_url(github_sandbox.web_url, LOGIN, "shop", "commits"),
        params={"ref": "<nope>"},
        timeout=10.0,
    )
    assert unknown_ref.status_code == 404
    assert "&lt;nope&gt;" in unknown_ref.text
    assert httpx.get(github_sandbox.web_url + "/_browse/x", timeout=10.0).status_code == 404
    # An empty repository is a page, not an error.
    empty = _get(github_sandbox, LOGIN, "empty")
    assert empty.status_code == 200
    assert "This repository is empty." in empty.text
    assert _get(github_sandbox, LOGIN, "empty", "commits").status_code == 200


def test_browse_pages_stay_out_of_the_api_record(github_sandbox: GitHubSandbox) -> None:
    _seed(github_sandbox)
    before = len(github_sandbox.recorder.exchanges)
    assert _get(github_sandbox, LOGIN, "shop").status_code == 200
    assert len(github_sandbox.recorder.exchanges) == before
