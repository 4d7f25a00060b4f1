"""JSON bodies of the GitHub sandbox, shaped like GitHub's (API 2022-11-28).

Every ``*_url`` points back at the sandbox (`Urls`), because PyGithub
follows them: it keeps the path of an absolute URL and sends it to its own
``base_url`` host. The shapes follow the schemas in
``tests/data/contracts/github.json`` (full-repository, private-user,
git-tree, git-commit, git-ref, short-blob, content-*), required fields first.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from console.sandbox.github.state import (
    Account,
    CommitInfo,
    ContentItem,
    RefInfo,
    RepoRecord,
    TreeListing,
)

JSON = dict[str, Any]


@dataclass(frozen=True)
class Urls:
    """Where the sandbox is reachable, as the client sees it.

    Attributes:
        api: REST root, e.g. ``http://127.0.0.1:5000/api/v3`` (GitHub
            Enterprise layout).
        web: the matching "github.com", e.g. ``http://127.0.0.1:5000``.
    """

    api: str
    web: str

    @property
    def host(self) -> str:
        return self.web.split("://", 1)[-1]

    def repo(self, record: RepoRecord) -> str:
        return f"{self.api}/repos/{record.full_name}"

    def user(self, login: str) -> str:
        return f"{self.api}/users/{login}"


def node_id(kind: str, value: object) -> str:
    """GitHub's legacy global node id: base64 of ``<len>:<Kind><id>``."""
    text = f"{kind}{value}"
    return base64.b64encode(f"{len(kind):03d}:{text}".encode()).decode()


# --- users -------------------------------------------------------------------


def simple_user(account: Account, urls: Urls) -> JSON:
    base = urls.user(account.login)
    return {
        "login": account.login,
        "id": account.id,
        "node_id": node_id(account.kind, account.id),
        "avatar_url": f"{urls.web}/avatars/u/{account.id}?v=4",
        "gravatar_id": "",
        "url": base,
        "html_url": f"{urls.web}/{account.login}",
        "followers_url": f"{base}/followers",
        "following_url": f"{base}/following{{/other_user}}",
        "gists_url": f"{base}/gists{{/gist_id}}",
        "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{base}/subscriptions",
        "organizations_url": f"{base}/orgs",
        "repos_url": f"{base}/repos",
        "events_url": f"{base}/events{{/privacy}}",
        "received_events_url": f"{base}/received_events",
        "type": account.kind,
        "user_view_type": "public",
        "site_admin": False,
    }


def private_user(
    account: Account, urls: Urls, *, public_repos: int, private_repos: int, disk_usage: int
) -> JSON:
    body = simple_user(account, urls)
    body.update(
        {
            "user_view_type": "private",
            "name": account.name,
            "company": None,
            "blog": "",
            "location": None,
            "email": account.email,
            "notification_email": account.email,
            "hireable": None,
            "bio": None,
            "twitter_username": None,
            "public_repos": public_repos,
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "created_at": account.created_at,
            "updated_at": account.created_at,
            "private_gists": 0,
            "total_private_repos": private_repos,
            "owned_private_repos": private_repos,
            "disk_usage": disk_usage,
            "collaborators": 0,
            "two_factor_authentication": True,
            "plan": {
                "name": "pro",
                "space": 976562499,
                "collaborators": 0,
                "private_repos": 9999,
            },
        }
    )
    return body


# --- repositories ------------------------------------------------------------


def full_repository(
    record: RepoRecord,
    owner: Account,
    urls: Urls,
    *,
    size_kb: int,
    permissions: dict[str, bool] | None,
) -> JSON:
    api = urls.repo(record)
    web = f"{urls.web}/{record.full_name}"
    body: JSON = {
        "id": record.id,
        "node_id": node_id("Repository", record.id),
        "name": record.name,
        "full_name": record.full_name,
        "private": record.private,
        "owner": simple_user(owner, urls),
        "html_url": web,
        "description": record.description,
        "fork": False,
        "url": api,
        "forks_url": f"{api}/forks",
        "keys_url": f"{api}/keys{{/key_id}}",
        "collaborators_url": f"{api}/collaborators{{/collaborator}}",
        "teams_url": f"{api}/teams",
        "hooks_url": f"{api}/hooks",
        "issue_events_url": f"{api}/issues/events{{/number}}",
        "events_url": f"{api}/events",
        "assignees_url": f"{api}/assignees{{/user}}",
        "branches_url": f"{api}/branches{{/branch}}",
        "tags_url": f"{api}/tags",
        "blobs_url": f"{api}/git/blobs{{/sha}}",
        "git_tags_url": f"{api}/git/tags{{/sha}}",
        "git_refs_url": f"{api}/git/refs{{/sha}}",
        "trees_url": f"{api}/git/trees{{/sha}}",
        "statuses_url": f"{api}/statuses/{{sha}}",
        "languages_url": f"{api}/languages",
        "stargazers_url": f"{api}/stargazers",
        "contributors_url": f"{api}/contributors",
        "subscribers_url": f"{api}/subscribers",
        "subscription_url": f"{api}/subscription",
        "commits_url": f"{api}/commits{{/sha}}",
        "git_commits_url": f"{api}/git/commits{{/sha}}",
        "comments_url": f"{api}/comments{{/number}}",
        "issue_comment_url": f"{api}/issues/comments{{/number}}",
        "contents_url": f"{api}/contents/{{+path}}",
        "compare_url": f"{api}/compare/{{base}}...{{head}}",
        "merges_url": f"{api}/merges",
        "archive_url": f"{api}/{{archive_format}}{{/ref}}",
        "downloads_url": f"{api}/downloads",
        "issues_url": f"{api}/issues{{/number}}",
        "pulls_url": f"{api}/pulls{{/number}}",
        "milestones_url": f"{api}/milestones{{/number}}",
        "notifications_url": f"{api}/notifications{{?since,all,participating}}",
        "labels_url": f"{api}/labels{{/name}}",
        "releases_url": f"{api}/releases{{/id}}",
        "deployments_url": f"{api}/deployments",
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "pushed_at": record.pushed_at,
        "git_url": f"git://{urls.host}/{record.full_name}.git",
        "ssh_url": f"git@{urls.host.split(':')[0]}:{record.full_name}.git",
        "clone_url": f"{web}.git",
        "svn_url": web,
        "homepage": record.homepage,
        "size": size_kb,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": None,
        "has_issues": record.has_issues,
        "has_projects": record.has_projects,
        "has_downloads": record.has_downloads,
        "has_wiki": record.has_wiki,
        "has_pages": False,
        "has_discussions": record.has_discussions,
        "forks_count": 0,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": 0,
        "license": None,
        "allow_forking": True,
        "is_template": record.is_template,
        "web_commit_signoff_required": False,
        "topics": [],
        "visibility": "private" if record.private else "public",
        "forks": 0,
        "open_issues": 0,
        "watchers": 0,
        "default_branch": record.default_branch,
        "allow_squash_merge": record.allow_squash_merge,
        "allow_merge_commit": record.allow_merge_commit,
        "allow_rebase_merge": record.allow_rebase_merge,
        "allow_auto_merge": record.allow_auto_merge,
        "delete_branch_on_merge": record.delete_branch_on_merge,
        "allow_update_branch": False,
        "use_squash_pr_title_as_default": False,
        "squash_merge_commit_title": "COMMIT_OR_PR_TITLE",
        "squash_merge_commit_message": "COMMIT_MESSAGES",
        "merge_commit_title": "MERGE_MESSAGE",
        "merge_commit_message": "PR_TITLE",
        "temp_clone_token": "" if record.private else None,
        "network_count": 0,
        "subscribers_count": 1,
        "custom_properties": {},
    }
    if permissions is not None:
        body["permissions"] = permissions
    if owner.kind == "Organization":
        body["organization"] = simple_user(owner, urls)
    return body


# --- git data ------------------------------------------------------------------


def short_blob(record: RepoRecord, sha: str, urls: Urls) -> JSON:
    return {"sha": sha, "url": f"{urls.repo(record)}/git/blobs/{sha}"}


def git_tree(record: RepoRecord, listing: TreeListing, urls: Urls) -> JSON:
    api = urls.repo(record)
    items: list[JSON] = []
    for item in listing.items:
        entry: JSON = {
            "path": item.path,
            "mode": f"{item.mode:06o}",
            "type": item.type,
            "sha": item.sha,
        }
        if item.type == "blob":
            entry["size"] = item.size
            entry["url"] = f"{api}/git/blobs/{item.sha}"
        elif item.type == "tree":
            entry["url"] = f"{api}/git/trees/{item.sha}"
        items.append(entry)
    return {
        "sha": listing.sha,
        "url": f"{api}/git/trees/{listing.sha}",
        "tree": items,
        "truncated": listing.truncated,
    }


def git_commit(record: RepoRecord, info: CommitInfo, urls: Urls) -> JSON:
    api = urls.repo(record)
    web = f"{urls.web}/{record.full_name}"
    return {
        "sha": info.sha,
        "node_id": node_id("Commit", f"{record.id}:{info.sha}"),
        "url": f"{api}/git/commits/{info.sha}",
        "html_url": f"{web}/commit/{info.sha}",
        "author": {"name": info.author.name, "email": info.author.email, "date": info.author.date},
        "committer": {
            "name": info.committer.name,
            "email": info.committer.email,
            "date": info.committer.date,
        },
        "tree": {"sha": info.tree, "url": f"{api}/git/trees/{info.tree}"},
        "message": info.message,
        "parents": [
            {"sha": p, "url": f"{api}/git/commits/{p}", "html_url": f"{web}/commit/{p}"}
            for p in info.parents
        ],
        "verification": {
            "verified": False,
            "reason": "unsigned",
            "signature": None,
            "payload": None,
            "verified_at": None,
        },
    }


def git_ref(record: RepoRecord, info: RefInfo, urls: Urls) -> JSON:
    api = urls.repo(record)
    kind = "commits" if info.object_type == "commit" else f"{info.object_type}s"
    return {
        "ref": info.ref,
        "node_id": node_id("Ref", f"{record.id}:{info.ref}"),
        "url": f"{api}/git/{info.ref}",
        "object": {
            "sha": info.sha,
            "type": info.object_type,
            "url": f"{api}/git/{kind}/{info.sha}",
        },
    }


# --- contents ------------------------------------------------------------------


def _content_links(record: RepoRecord, item: ContentItem, ref: str, urls: Urls) -> JSON:
    api = urls.repo(record)
    quoted = quote(item.path)
    self_url = f"{api}/contents/{quoted}?ref={quote(ref, safe='')}"
    if item.kind == "dir":
        git_url: str | None = f"{api}/git/trees/{item.sha}"
        html_url: str | None = f"{urls.web}/{record.full_name}/tree/{ref}/{quoted}"
    elif item.kind == "submodule":
        git_url = html_url = None
    else:
        git_url = f"{api}/git/blobs/{item.sha}"
        html_url = f"{urls.web}/{record.full_name}/blob/{ref}/{quoted}"
    download_url = (
        f"{urls.web}/raw/{record.full_name}/{ref}/{quoted}"
        if item.kind in {"file", "symlink"}
        else None
    )
    return {
        "name": item.name,
        "path": item.path,
        "sha": item.sha,
        "size": item.size,
        "url": self_url,
        "html_url": html_url,
        "git_url": git_url,
        "download_url": download_url,
        "_links": {"self": self_url, "git": git_url, "html": html_url},
    }


def content_listing(
    record: RepoRecord, items: list[ContentItem], ref: str, urls: Urls
) -> list[JSON]:
    """A directory: GitHub reports submodules in listings as "file" (API 2022-11-28)."""
    out = []
    for item in items:
        entry = _content_links(record, item, ref, urls)
        entry["type"] = "file" if item.kind == "submodule" else item.kind
        out.append(entry)
    return out


def content_item(
    record: RepoRecord, item: ContentItem, ref: str, urls: Urls, *, inline_limit: int
) -> JSON:
    body = _content_links(record, item, ref, urls)
    body["type"] = item.kind
    if item.kind == "file":
        data = item.data or b""
        if len(data) > inline_limit:
            body["content"], body["encoding"] = "", "none"
        else:
            body["content"], body["encoding"] = encode64_lines(data), "base64"
    elif item.kind == "symlink":
        body["target"] = item.target or ""
    elif item.kind == "submodule":
        body["submodule_git_url"] = ""
    return body


def encode64_lines(data: bytes) -> str:
    """Base64 in 60-character lines, each ending in a newline, as GitHub sends it."""
    flat = base64.b64encode(data).decode()
    return "".join(flat[i : i + 60] + "\n" for i in range(0, len(flat), 60))
