"""One test per operation of the GitHub contract, through PyGithub.

The cases are generated from ``github.json`` itself: an operation added to
the contract without a scenario here fails, and every scenario must produce a
successful exchange for its operation that validates in both directions.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from github import Github, InputGitTreeElement
from github.GitCommit import GitCommit

from console.sandbox.github import GitHubSandbox
from tests.contract_check import check_all, contract

LOGIN = "sandbox-agency"
Scenario = Callable[[GitHubSandbox, Github], None]


def _seeded(sandbox: GitHubSandbox, name: str = "ops") -> None:
    sandbox.create_repo(LOGIN, name, auto_init=True)
    sandbox.commit_on_remote(
        LOGIN,
        name,
        {"src/app.ts": "export {};\n", "src/lib/util.ts": "export const x = 1;\n"},
        "Add sources",
    )


def _get_user(sandbox: GitHubSandbox, gh: Github) -> None:
    user = gh.get_user()
    assert user.login == LOGIN
    assert user.raw_data["user_view_type"] == "private"


def _create_user_repo(sandbox: GitHubSandbox, gh: Github) -> None:
    repo = gh.get_user().create_repo("fresh", private=True, description="d", homepage="https://x.y")
    assert repo.private
    assert repo.description == "d"
    assert sandbox.head(LOGIN, "fresh") is None  # no auto_init: empty, no branch


def _create_org_repo(sandbox: GitHubSandbox, gh: Github) -> None:
    repo = gh.get_organization("northwind-digital").create_repo("site", visibility="private")
    assert repo.private
    assert repo.owner.type == "Organization"


def _get_repo(sandbox: GitHubSandbox, gh: Github) -> None:
    _seeded(sandbox)
    repo = gh.get_repo(f"{LOGIN}/ops")
    assert repo.permissions.push
    assert repo.size >= 0
    assert repo.clone_url.endswith(f"/{LOGIN}/ops.git")


def _create_blob(sandbox: GitHubSandbox, gh: Github) -> None:
    _seeded(sandbox)
    repo = gh.get_repo(f"{LOGIN}/ops")
    blob = repo.create_git_blob(base64.b64encode(b"\x00\xff").decode(), "base64")
    text = repo.create_git_blob("hello\n", "utf-8")
    # The shas `git hash-object` gives for the same bytes.
    assert blob.sha == "ba01f6b05bdbb386b35f4d086e268c5d422cafb9"
    assert text.sha == "ce013625030ba8dba906f756967f9e9ca394464a"


def _create_tree(sandbox: GitHubSandbox, gh: Github) -> None:
    _seeded(sandbox)
    repo = gh.get_repo(f"{LOGIN}/ops")
    base = repo.get_git_tree("main")
    src = next(e for e in base.tree if e.path == "src")
    tree = repo.create_git_tree(
        [
            InputGitTreeElement("copy-of-src", "040000", "tree", sha=src.sha),
            InputGitTreeElement("bin/run", "100755", "blob", content="#!/bin/sh\n"),
            InputGitTreeElement("src/lib/util.ts", "100644", "blob", sha=None),
        ],
        base_tree=base,
    )
    paths = {e.path: e.mode for e in repo.get_git_tree(tree.sha, recursive=True).tree}
    assert paths["bin/run"] == "100755"
    assert paths["copy-of-src/lib/util.ts"] == "100644"
    assert "src/lib/util.ts" not in paths
    assert "src/lib" not in paths  # git keeps no empty directories


def _get_tree(sandbox: GitHubSandbox, gh: Github) -> None:
    _seeded(sandbox)
    repo = gh.get_repo(f"{LOGIN}/ops")
    top = repo.get_git_tree("main")
    assert [e.path for e in top.tree] == ["README.md", "src"]
    full = repo.get_git_tree(top.sha, recursive=True)
    assert [e.path for e in full.tree] == [
        "README.md",
        "src",
        "src/app.ts",
        "src/lib",
        "src/lib/util.ts",
    ]
    assert not full.raw_data["truncated"]


def _create_commit(sandbox: GitHubSandbox, gh: Github) -> None:
    _seeded(sandbox)
    repo = gh.get_repo(f"{LOGIN}/ops")
    head = sandbox.head(LOGIN, "ops")
    assert head is not None
    tree = repo.get_git_tree(head)
    parent = gh.create_from_raw_data(GitCommit, {"sha": head})
    commit = repo.create_git_commit("Same tree", tree, [parent])
    assert commit.author.name == "Sandbox Agency"
    assert commit.author.email.endswith("+sandbox-agency@users.noreply.github.com")
    assert commit.raw_data["verification"]["reason"] == "unsigned"
    assert sandbox.head(LOGIN, "ops") == head  # a commit alone moves no branch


def _get_ref(sandbox: GitHubSandbox, gh: Github) -> None:
    _seeded(sandbox)
    ref = gh.get_repo(f"{LOGIN}/ops").get_git_ref("heads/main")
    # Lazy GitRef: `.ref` is the argument ("heads/main") until an attribute
    # that was not given (object, url) triggers the GET.
    assert ref.ref == "heads/main"
    assert ref.object.sha == sandbox.head(LOGIN, "ops")
    assert ref.object.type == "commit"
    assert ref.ref == "refs/heads/main"


def _create_ref(sandbox: GitHubSandbox, gh: Github) -> None:
    _seeded(sandbox)
    head = sandbox.head(LOGIN, "ops")
    assert head is not None
    ref = gh.get_repo(f"{LOGIN}/ops").create_git_ref("refs/heads/preview", head)
    assert ref.ref == "refs/heads/preview"
    assert sandbox.head(LOGIN, "ops", "preview") == head


def _update_ref(sandbox: GitHubSandbox, gh: Github) -> None:
    _seeded(sandbox)
    before = sandbox.head(LOGIN, "ops")
    repo = gh.get_repo(f"{LOGIN}/ops")
    ref = repo.get_git_ref("heads/main")
    assert ref.object.sha == before
    tree = repo.create_git_tree(
        [InputGitTreeElement("NEW.md", "100644", "blob", content="new\n")],
        base_tree=repo.get_git_tree(ref.object.sha),
    )
    parent = gh.create_from_raw_data(GitCommit, {"sha": ref.object.sha})
    commit = repo.create_git_commit("Add NEW.md", tree, [parent])
    ref.edit(commit.sha)
    assert ref.object.sha == commit.sha
    assert sandbox.files_at(LOGIN, "ops")["NEW.md"] == b"new\n"


def _get_contents(sandbox: GitHubSandbox, gh: Github) -> None:
    _seeded(sandbox)
    repo = gh.get_repo(f"{LOGIN}/ops")
    readme = repo.get_contents("README.md")
    assert not isinstance(readme, list)
    assert readme.decoded_content == b"# ops\n"
    assert readme.encoding == "base64"
    listing = repo.get_contents("src")
    assert isinstance(listing, list)
    assert [(c.name, c.type) for c in listing] == [("app.ts", "file"), ("lib", "dir")]
    # Files in a listing are lazy: their content is one more GET each.
    assert listing[0].decoded_content == b"export {};\n"


SCENARIOS: dict[str, Scenario] = {
    "users/get-authenticated": _get_user,
    "repos/create-for-authenticated-user": _create_user_repo,
    "repos/create-in-org": _create_org_repo,
    "repos/get": _get_repo,
    "git/create-blob": _create_blob,
    "git/create-tree": _create_tree,
    "git/get-tree": _get_tree,
    "git/create-commit": _create_commit,
    "git/get-ref": _get_ref,
    "git/create-ref": _create_ref,
    "git/update-ref": _update_ref,
    "repos/get-content": _get_contents,
}

OPERATIONS = {op.spec["operationId"]: op for op in contract("github").operations}


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_contract_operation_is_served(
    operation_id: str, github_sandbox: GitHubSandbox, gh: Github
) -> None:
    scenario = SCENARIOS.get(operation_id)
    assert scenario is not None, f"no scenario exercises {operation_id}"
    scenario(github_sandbox, gh)
    exchanges = github_sandbox.recorder.exchanges
    target = OPERATIONS[operation_id]
    served = [
        e
        for e in exchanges
        if 200 <= e.status < 300
        and contract("github").operation_for(e.method, e.path)[0].template == target.template
        and e.method == target.method
    ]
    assert served, f"{operation_id} was never answered with a 2xx"
    assert check_all("github", exchanges) == len(exchanges)


def test_every_scenario_names_a_contract_operation() -> None:
    assert set(SCENARIOS) == set(OPERATIONS)
