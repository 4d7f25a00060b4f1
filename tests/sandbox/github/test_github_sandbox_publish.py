"""Publishing through the GitHub sandbox with PyGithub, as the console does.

One atomic commit per publish through the Git Data API:
blobs only for binary files, one tree with inline text content, one commit,
one ref update. The result is checked in the bare repository (dulwich) and
in a real ``git clone``.
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from github import Github, GithubException, InputGitTreeElement
from github.GitCommit import GitCommit

from console.sandbox.github import GitHubSandbox
from tests.contract_check import check_all
from tests.sandbox.github.support import client, cloned_files, git

LOGIN = "sandbox-agency"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def site_files(count: int = 200) -> dict[str, bytes]:
    files = {
        f"app/section-{i % 10}/item-{i:03d}.tsx": (
            f"export default function Item{i}() {{\n  return <p>Item {i} · ü</p>;\n}}\n"
        ).encode()
        for i in range(count - 3)
    }
    files["package.json"] = b'{"name": "northwind-site", "private": true}\n'
    files["README.md"] = b"# Northwind site\n"
    files["scripts/build.sh"] = b"#!/bin/sh\nnext build\n"
    return files


def text_elements(files: dict[str, bytes]) -> list[InputGitTreeElement]:
    return [
        InputGitTreeElement(
            path, "100755" if path.endswith(".sh") else "100644", "blob", content=data.decode()
        )
        for path, data in files.items()
    ]


def requests_since(sandbox: GitHubSandbox, start: int) -> list[str]:
    return [f"{e.method} {e.path}" for e in sandbox.recorder.exchanges[start:]]


def test_publish_then_republish_lands_in_a_real_git_repository(
    github_sandbox: GitHubSandbox, gh: Github, tmp_path: Path
) -> None:
    sandbox = github_sandbox
    user = gh.get_user()
    assert user.login == LOGIN  # GET /user (lazy until an attribute is read)
    repo = user.create_repo(
        "northwind-site", private=True, auto_init=True, description="Built with L4YERCAK3"
    )
    assert repo.full_name == f"{LOGIN}/northwind-site"
    assert repo.url == f"{sandbox.base_url}/repos/{LOGIN}/northwind-site"
    assert repo.default_branch == "main"
    initial = sandbox.head(LOGIN, "northwind-site")
    assert initial is not None

    # --- first publish: blob for the binary, one tree, one commit, one ref update
    files = site_files()
    start = len(sandbox.recorder.exchanges)
    logo = repo.create_git_blob(base64.b64encode(PNG).decode(), "base64")
    ref = repo.get_git_ref("heads/main")
    parent = gh.create_from_raw_data(GitCommit, {"sha": ref.object.sha})
    elements = [
        *text_elements(files),
        InputGitTreeElement("public/logo.png", "100644", "blob", sha=logo.sha),
    ]
    tree = repo.create_git_tree(elements)
    commit = repo.create_git_commit("Publish from L4YERCAK3", tree, [parent])
    ref.edit(commit.sha)
    path = f"/repos/{LOGIN}/northwind-site"
    assert requests_since(sandbox, start) == [
        f"POST {path}/git/blobs",
        f"GET {path}/git/ref/heads/main",
        f"POST {path}/git/trees",
        f"POST {path}/git/commits",
        f"PATCH {path}/git/refs/heads/main",
    ]
    assert commit.parents[0].sha == initial
    assert commit.tree.sha == tree.sha
    expected = {**files, "public/logo.png": PNG}
    assert sandbox.head(LOGIN, "northwind-site") == commit.sha
    assert sandbox.files_at(LOGIN, "northwind-site") == expected
    assert sandbox.commit_count(LOGIN, "northwind-site") == 2

    bare = sandbox.repo_path(LOGIN, "northwind-site")
    git("fsck", "--strict", "--no-progress", cwd=bare)
    assert cloned_files(bare, tmp_path / "clone1") == expected
    mode = os.stat(tmp_path / "clone1" / "scripts" / "build.sh").st_mode
    assert mode & stat.S_IXUSR

    # --- republish on top, from a fresh client that only knows the repo's name
    gh2 = client(sandbox)
    repo2 = gh2.get_repo(f"{LOGIN}/northwind-site")  # lazy: no request
    start = len(sandbox.recorder.exchanges)
    ref2 = repo2.get_git_ref("heads/main")
    head = ref2.object.sha
    base = repo2.get_git_tree(head)  # a commit sha gives its root tree
    changes = {
        "app/section-1/item-001.tsx": b"export default function Item1() { return null; }\n",
        "app/new/page.tsx": b"export default function New() { return null; }\n",
    }
    tree2 = repo2.create_git_tree(
        [
            *text_elements(changes),
            InputGitTreeElement("app/section-2/item-002.tsx", "100644", "blob", sha=None),
            InputGitTreeElement("README.md", "100644", "blob", sha=None),
        ],
        base_tree=base,
    )
    parent2 = gh2.create_from_raw_data(GitCommit, {"sha": head})
    commit2 = repo2.create_git_commit("Republish from L4YERCAK3", tree2, [parent2])
    ref2.edit(commit2.sha)
    assert requests_since(sandbox, start) == [
        f"GET {path}/git/ref/heads/main",
        f"GET {path}/git/trees/{head}",
        f"POST {path}/git/trees",
        f"POST {path}/git/commits",
        f"PATCH {path}/git/refs/heads/main",
    ]
    expected2 = {**expected, **changes}
    del expected2["app/section-2/item-002.tsx"], expected2["README.md"]
    assert sandbox.files_at(LOGIN, "northwind-site") == expected2
    assert sandbox.commit_count(LOGIN, "northwind-site") == 3
    assert cloned_files(bare, tmp_path / "clone2") == expected2

    # --- read back through the API
    listing = repo2.get_git_tree(commit2.sha, recursive=True)
    blobs = {e.path: e for e in listing.tree if e.type == "blob"}
    assert set(blobs) == set(expected2)
    assert blobs["scripts/build.sh"].mode == "100755"
    assert blobs["public/logo.png"].size == len(PNG)
    assert {e.path for e in listing.tree if e.type == "tree"} >= {"app", "app/new", "public"}
    logo_file = repo2.get_contents("public/logo.png")
    assert not isinstance(logo_file, list)
    assert logo_file.decoded_content == PNG
    page = repo2.get_contents("app/new/page.tsx", ref=commit2.sha)
    assert not isinstance(page, list)
    assert page.decoded_content == changes["app/new/page.tsx"]
    section = repo2.get_contents("app/section-2")
    assert isinstance(section, list)
    assert [c.name for c in section] == sorted(
        p.rsplit("/", 1)[1] for p in expected2 if p.startswith("app/section-2/")
    )

    assert check_all("github", sandbox.recorder.exchanges) == len(sandbox.recorder.exchanges)


def test_republish_refuses_to_overwrite_changes_made_on_github(
    github_sandbox: GitHubSandbox, gh: Github
) -> None:
    sandbox = github_sandbox
    repo = gh.get_user().create_repo("edited-online", auto_init=True)
    ref = repo.get_git_ref("heads/main")
    seen_head = ref.object.sha
    # Meanwhile someone edits README.md on github.com.
    remote = sandbox.commit_on_remote(
        LOGIN, "edited-online", {"README.md": "# Edited on GitHub\n"}, "Update README.md"
    )
    tree = repo.create_git_tree(text_elements({"index.html": b"<h1>hi</h1>\n"}))
    parent = gh.create_from_raw_data(GitCommit, {"sha": seen_head})
    commit = repo.create_git_commit("Publish", tree, [parent])
    with pytest.raises(GithubException) as caught:
        ref.edit(commit.sha)
    assert caught.value.status == 422
    assert caught.value.data["message"] == "Update is not a fast forward"
    assert sandbox.head(LOGIN, "edited-online") == remote
    assert sandbox.files_at(LOGIN, "edited-online")["README.md"] == b"# Edited on GitHub\n"

    # Only an explicit force overwrites (the console never sends it).
    ref.edit(commit.sha, force=True)
    assert sandbox.head(LOGIN, "edited-online") == commit.sha


def test_org_repository_and_restart_keep_state(github_sandbox: GitHubSandbox, gh: Github) -> None:
    sandbox = github_sandbox
    org = gh.get_organization("northwind-digital")  # lazy: no GET /orgs/{org}
    repo = org.create_repo("client-portal", private=False, auto_init=True)
    assert repo.owner.login == "northwind-digital"
    assert repo.organization.login == "northwind-digital"
    sandbox.commit_on_remote("northwind-digital", "client-portal", {"docs/a.md": "a\n"})
    assert [f"{e.method} {e.path}" for e in sandbox.recorder.exchanges] == [
        "POST /orgs/northwind-digital/repos"
    ]
    head = sandbox.head("northwind-digital", "client-portal")
    root = sandbox.state.root
    sandbox.stop()

    again = GitHubSandbox(root)
    again.serve()
    try:
        fetched = client(again).get_repo("Northwind-Digital/Client-Portal")
        assert fetched.id == repo.id  # the lookup is case-insensitive, as on GitHub
        assert fetched.full_name == "northwind-digital/client-portal"
        assert fetched.get_git_ref("heads/main").object.sha == head
        assert again.files_at("northwind-digital", "client-portal") == {
            "README.md": b"# client-portal\n",
            "docs/a.md": b"a\n",
        }
        assert check_all("github", again.recorder.exchanges) == 2
    finally:
        again.stop()
