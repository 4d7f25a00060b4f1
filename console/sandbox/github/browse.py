"""Browse pages of the GitHub sandbox: what github.com shows of a repository, on loopback.

In sandbox mode the console opens these instead of github.com (see
`console.sandbox.links`):

- ``GET /_browse/{owner}/{repo}``: the files of the default branch's head
  commit, with that commit's sha and message;
- ``GET /_browse/{owner}/{repo}/blob/{ref}/{path}``: one file's text, or its
  size when it is binary (a directory lists its entries);
- ``GET /_browse/{owner}/{repo}/commits``: the history of the default branch
  (``?ref=`` another branch, tag or sha).

Plain HTML with every repository byte escaped; an unknown repository, ref or
path answers 404. Private repositories are shown too: the pages are for the
person at this machine, who owns the sandbox. They are no part of GitHub's
API, so `WithBrowsePages` serves them beside it: not recorded, never faulted.
"""

from __future__ import annotations

import html
import logging
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from console.sandbox.faults import ASGIApp, Receive, Scope, Send
from console.sandbox.github.state import (
    CommitInfo,
    ContentItem,
    GitHubApiError,
    GitHubState,
    RepoRecord,
    TreeItem,
)

logger = logging.getLogger(__name__)

BROWSE_PREFIX = "/_browse"
#: Longest history a commits page lists.
HISTORY_LIMIT = 200
#: Bytes looked at to tell a binary file from text (as git does).
_SNIFF = 8000

_STYLE = """
body { font: 14px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem;
       padding: 0 1rem; color: #1f2328; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; } h1 .badge { vertical-align: middle; }
.badge { font-size: .75rem; border: 1px solid #d0d7de; border-radius: 1rem;
         padding: 0 .5rem; color: #59636e; font-weight: normal; }
.muted { color: #59636e; } .sandbox { color: #9a6700; font-size: .8rem; }
.box { border: 1px solid #d0d7de; border-radius: 6px; margin: 1rem 0; }
.box > .head { background: #f6f8fa; padding: .5rem .75rem; border-bottom: 1px solid #d0d7de; }
ul.files, ul.commits { list-style: none; margin: 0; padding: 0; }
ul.files li, ul.commits li { padding: .2rem .75rem; border-top: 1px solid #eaeef2; }
ul.files li:first-child, ul.commits li:first-child { border-top: none; }
.size { float: right; color: #59636e; font-size: .85rem; } li.dir { font-weight: 600; }
code, pre, .sha { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { margin: 0; padding: .75rem; overflow-x: auto; font-size: 13px; line-height: 1.45; }
.sha { background: #f6f8fa; border-radius: 4px; padding: 0 .3rem; }
"""


def browse_url(web_url: str, owner: str, repo: str, *rest: str) -> str:
    """The browse page of `owner/repo` on the sandbox at `web_url` (``http://127.0.0.1:PORT``).

    Args:
        web_url: the sandbox's origin (`GitHubSandbox.web_url`).
        owner: the account.
        repo: the repository.
        rest: more path: ``"commits"``, or ``"blob", ref, path``.
    """
    parts = [quote(owner, safe=""), quote(repo, safe=""), *(quote(p) for p in rest if p)]
    return f"{web_url.rstrip('/')}{BROWSE_PREFIX}/" + "/".join(parts)


class BrowsePages:
    """The Starlette app of the browse pages over a `GitHubState`."""

    def __init__(self, state: GitHubState) -> None:
        self.state = state
        base = BROWSE_PREFIX + "/{owner}/{repo}"
        self.app = Starlette(
            routes=[
                Route(base, self._repo_page, methods=["GET"]),
                Route(base + "/commits", self._commits_page, methods=["GET"]),
                Route(base + "/blob/{ref}/{path:path}", self._blob_page, methods=["GET"]),
            ],
            exception_handlers={404: self._no_route, 405: self._no_route},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    # --- pages ----------------------------------------------------------------
    async def _repo_page(self, request: Request) -> Response:
        record = self._record(request)
        if record is None:
            return _missing(request, "No such repository in the GitHub sandbox.")
        branch = record.default_branch
        history = self.state.history(record, branch, limit=HISTORY_LIMIT)
        if not history:
            body = "<div class='box'><div class='head'>This repository is empty.</div></div>"
            return _page(record.full_name, _header(record) + body)
        head = history[0]
        listing = self.state.read_tree(record, head.sha, recursive=True)
        more = "+" if len(history) >= HISTORY_LIMIT else ""
        commits_link = _href(record, "commits")
        summary = (
            f"<div class='head'>{_commit_line(head)}"
            f" <a class='size' href='{commits_link}'>{len(history)}{more} commits</a></div>"
        )
        files = "".join(_tree_row(record, branch, item) for item in listing.items)
        truncated = "<p class='muted'>The tree is too large to list whole.</p>"
        body = (
            f"<p class='muted'>Branch <code>{html.escape(branch)}</code></p>"
            f"<div class='box'>{summary}<ul class='files'>{files}</ul></div>"
            + (truncated if listing.truncated else "")
        )
        return _page(record.full_name, _header(record) + body)

    async def _blob_page(self, request: Request) -> Response:
        record = self._record(request)
        if record is None:
            return _missing(request, "No such repository in the GitHub sandbox.")
        ref, path = request.path_params["ref"], request.path_params["path"].strip("/")
        try:
            result = self.state.get_contents(record, path, ref)
        except GitHubApiError:
            return _missing(request, f"No {path or 'file'} at {ref} in {record.full_name}.")
        crumbs = _header(record) + (
            f"<p class='muted'><code>{html.escape(ref)}</code> / {html.escape(path)}</p>"
        )
        if result.listing is not None:
            rows = "".join(_entry_row(record, ref, item) for item in result.listing)
            return _page(path, crumbs + f"<div class='box'><ul class='files'>{rows}</ul></div>")
        item = result.item
        assert item is not None
        data = item.data or b""
        text = _text_of(data)
        if text is None:
            shown = f"<div class='head'>binary, {len(data)} bytes</div>"
        else:
            lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
            shown = (
                f"<div class='head'>{lines} line{'' if lines == 1 else 's'} · {len(data)} bytes"
                "</div>"
                f"<pre><code>{html.escape(text)}</code></pre>"
            )
        return _page(f"{path} · {record.full_name}", crumbs + f"<div class='box'>{shown}</div>")

    async def _commits_page(self, request: Request) -> Response:
        record = self._record(request)
        if record is None:
            return _missing(request, "No such repository in the GitHub sandbox.")
        ref = request.query_params.get("ref") or record.default_branch
        if self.state.is_empty(record):
            history: list[CommitInfo] | None = []
        else:
            history = self.state.history(record, ref, limit=HISTORY_LIMIT)
        if history is None:
            return _missing(request, f"No branch, tag or commit {ref} in {record.full_name}.")
        rows = "".join(f"<li>{_commit_line(c)}</li>" for c in history) or (
            "<li class='muted'>No commits yet.</li>"
        )
        body = (
            f"<div class='box'><div class='head'>Commits on <code>{html.escape(ref)}</code>"
            f"</div><ul class='commits'>{rows}</ul></div>"
        )
        return _page(f"Commits · {record.full_name}", _header(record) + body)

    async def _no_route(self, request: Request, exc: Exception) -> Response:
        del exc
        return _missing(request, "There is no such page in the GitHub sandbox.")

    def _record(self, request: Request) -> RepoRecord | None:
        return self.state.find_repo(request.path_params["owner"], request.path_params["repo"])


class WithBrowsePages:
    """Serve `BROWSE_PREFIX` from `pages` and everything else from `api`."""

    def __init__(self, pages: ASGIApp, api: ASGIApp) -> None:
        self.pages = pages
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] == "http" and (
            path == BROWSE_PREFIX or path.startswith(BROWSE_PREFIX + "/")
        ):
            await self.pages(scope, receive, send)
        else:
            await self.api(scope, receive, send)


# --- rendering --------------------------------------------------------------------


def _href(record: RepoRecord, *rest: str) -> str:
    return html.escape(browse_url("", record.owner, record.name, *rest))


def _header(record: RepoRecord) -> str:
    visibility = "Private" if record.private else "Public"
    description = (
        f"<p class='muted'>{html.escape(record.description)}</p>" if record.description else ""
    )
    return (
        "<p class='sandbox'>GitHub sandbox · local copy, not github.com</p>"
        f"<h1><a href='{_href(record)}'>{html.escape(record.owner)} / "
        f"{html.escape(record.name)}</a> <span class='badge'>{visibility}</span></h1>" + description
    )


def _commit_line(commit: CommitInfo) -> str:
    title = commit.message.strip().splitlines()[0] if commit.message.strip() else "(no message)"
    return (
        f"<span class='sha' title='{html.escape(commit.sha)}'>{commit.sha[:7]}</span> "
        f"<span title='{html.escape(commit.message)}'>{html.escape(title)}</span> "
        f"<span class='muted'>· {html.escape(commit.author.name)}, "
        f"{html.escape(_when(commit.author.date))}</span>"
    )


def _tree_row(record: RepoRecord, ref: str, item: TreeItem) -> str:
    depth = item.path.count("/")
    name = html.escape(item.path.rsplit("/", 1)[-1])
    indent = f" style='padding-left: {0.75 + depth * 1.25:.2f}rem'"
    if item.type == "tree":
        return f"<li class='dir'{indent}>{name}/</li>"
    if item.type == "commit":
        return f"<li{indent}>{name} <span class='muted'>(submodule)</span></li>"
    size = f"<span class='size'>{_size(item.size or 0)}</span>"
    return f"<li{indent}><a href='{_href(record, 'blob', ref, item.path)}'>{name}</a>{size}</li>"


def _entry_row(record: RepoRecord, ref: str, item: ContentItem) -> str:
    name = html.escape(item.name)
    if item.kind == "dir":
        return f"<li class='dir'><a href='{_href(record, 'blob', ref, item.path)}'>{name}/</a></li>"
    if item.kind == "submodule":
        return f"<li>{name} <span class='muted'>(submodule)</span></li>"
    size = f"<span class='size'>{_size(item.size)}</span>"
    return f"<li><a href='{_href(record, 'blob', ref, item.path)}'>{name}</a>{size}</li>"


def _text_of(data: bytes) -> str | None:
    """The file's text, or None when it is binary (a NUL byte, or not UTF-8)."""
    if b"\0" in data[:_SNIFF]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _when(iso: str) -> str:
    """``2025-01-31T09:30:00Z`` as ``2025-01-31 09:30 UTC``."""
    return iso[:16].replace("T", " ") + " UTC" if iso.endswith("Z") else iso


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    return f"{size / 1024:.1f} kB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>",
        status_code=status,
    )


def _missing(request: Request, why: str) -> HTMLResponse:
    body = (
        "<p class='sandbox'>GitHub sandbox · local copy, not github.com</p>"
        f"<h1>404 · Not found</h1><p>{html.escape(why)}</p>"
        f"<p class='muted'><code>{html.escape(request.url.path)}</code></p>"
    )
    return _page("404 · Not found", body, status=404)
