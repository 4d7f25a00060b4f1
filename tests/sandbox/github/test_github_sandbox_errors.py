"""Error paths of the GitHub sandbox, answered as GitHub answers them.

Each error body is validated against the contract where the contract
describes the status (`support.check_exchange` returns True).
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx
import pytest
from github import (
    BadCredentialsException,
    Github,
    GithubException,
    InputGitTreeElement,
    RateLimitExceededException,
    UnknownObjectException,
)
from github.GitCommit import GitCommit
from github.GitTree import GitTree

from console.sandbox.github import API_VERSION, GitHubSandbox
from console.sandbox.recording import Exchange
from tests.sandbox.github.support import check_exchange, client

LOGIN = "sandbox-agency"


def last(sandbox: GitHubSandbox) -> Exchange:
    return sandbox.recorder.exchanges[-1]


def headers(exc: GithubException) -> dict[str, str]:
    return exc.headers or {}


def test_bad_token_gets_401_bad_credentials(github_sandbox: GitHubSandbox) -> None:
    gh = client(github_sandbox, token="ghp_" + "x" * 36)
    with pytest.raises(BadCredentialsException) as caught:
        _ = gh.get_user().login
    assert caught.value.status == 401
    assert caught.value.data["message"] == "Bad credentials"
    assert caught.value.data["documentation_url"].startswith("https://docs.github.com/rest")
    assert check_exchange(last(github_sandbox))
    with pytest.raises(BadCredentialsException):
        gh.get_user().create_repo("nope")
    assert check_exchange(last(github_sandbox))


def test_revoked_token_and_missing_token(github_sandbox: GitHubSandbox) -> None:
    github_sandbox.revoke_token(github_sandbox.token)
    with pytest.raises(BadCredentialsException):
        _ = client(github_sandbox).get_user().login
    response = httpx.get(
        f"{github_sandbox.base_url}/user", headers={"X-GitHub-Api-Version": API_VERSION}
    )
    assert response.status_code == 401
    assert response.json()["message"] == "Requires authentication"
    assert check_exchange(last(github_sandbox))


def test_token_without_repo_scope_is_refused_as_github_does(
    github_sandbox: GitHubSandbox,
) -> None:
    sandbox = github_sandbox
    sandbox.create_repo(LOGIN, "secret", private=True, auto_init=True)
    sandbox.create_repo(LOGIN, "open", auto_init=True)
    sandbox.add_token("ghp_readonly" + "0" * 28, scopes=["read:user"])
    gh = client(sandbox, "ghp_readonly" + "0" * 28)
    assert gh.get_user().login == LOGIN  # reading the profile needs no scope

    # Classic tokens: GitHub hides what the token may not touch behind a 404;
    # the headers tell the client which scope is missing.
    with pytest.raises(UnknownObjectException) as caught:
        gh.get_user().create_repo("new-site")
    assert caught.value.status == 404
    assert headers(caught.value)["x-oauth-scopes"] == "read:user"
    assert headers(caught.value)["x-accepted-oauth-scopes"] == "public_repo, repo"
    assert check_exchange(last(sandbox))
    with pytest.raises(UnknownObjectException):
        _ = gh.get_repo(f"{LOGIN}/secret").id
    with pytest.raises(UnknownObjectException) as caught:
        gh.get_repo(f"{LOGIN}/open").create_git_blob("x", "utf-8")
    assert headers(caught.value)["x-accepted-oauth-scopes"] == "repo"
    assert check_exchange(last(sandbox))
    public = gh.get_repo(f"{LOGIN}/open")
    assert public.permissions.push is False  # readable, not writable
    assert sandbox.commit_count(LOGIN, "open") == 1

    # public_repo is enough for a public repository, not for a private one.
    sandbox.add_token("ghp_public" + "0" * 30, scopes=["public_repo"])
    gh_public = client(sandbox, "ghp_public" + "0" * 30)
    assert gh_public.get_repo(f"{LOGIN}/open").create_git_blob("x", "utf-8").sha
    with pytest.raises(UnknownObjectException):
        gh_public.get_user().create_repo("private-one", private=True)


def test_fine_grained_token_without_contents_write_gets_403(
    github_sandbox: GitHubSandbox,
) -> None:
    sandbox = github_sandbox
    sandbox.create_repo(LOGIN, "site", private=True, auto_init=True)
    token = "github_pat_" + "A" * 82
    sandbox.add_fine_grained_token(token, permissions={"metadata": "read", "contents": "read"})
    gh = client(sandbox, token)
    repo = gh.get_repo(f"{LOGIN}/site")
    readme = repo.get_contents("README.md")
    assert not isinstance(readme, list)
    assert readme.decoded_content == b"# site\n"
    with pytest.raises(GithubException) as caught:
        repo.create_git_blob("x", "utf-8")
    assert caught.value.status == 403
    assert caught.value.data["message"] == "Resource not accessible by personal access token"
    assert headers(caught.value)["x-accepted-github-permissions"] == "contents=write"
    assert "x-oauth-scopes" not in headers(caught.value)
    assert check_exchange(last(sandbox))
    with pytest.raises(GithubException) as caught:
        gh.get_user().create_repo("other")
    assert caught.value.status == 403
    assert headers(caught.value)["x-accepted-github-permissions"] == "administration=write"


def test_repository_names_taken_invalid_and_sanitised(
    github_sandbox: GitHubSandbox, gh: Github
) -> None:
    sandbox = github_sandbox
    user = gh.get_user()
    user.create_repo("site")
    with pytest.raises(GithubException) as caught:
        user.create_repo("Site")  # names are case-insensitive
    assert caught.value.status == 422
    assert caught.value.data["message"] == "Repository creation failed."
    assert caught.value.data["errors"] == [
        {
            "resource": "Repository",
            "code": "custom",
            "field": "name",
            "message": "name already exists on this account",
        }
    ]
    assert check_exchange(last(sandbox))
    for bad in ("", "x" * 101, ".."):
        with pytest.raises(GithubException) as caught:
            user.create_repo(bad)
        assert caught.value.status == 422, bad
        assert check_exchange(last(sandbox))
    # Like GitHub, other characters become hyphens instead of failing.
    assert user.create_repo("My Site!").name == "My-Site-"
    org = gh.get_organization("northwind-digital")
    org.create_repo("site")  # another owner: the name is free there
    with pytest.raises(GithubException) as caught:
        org.create_repo("site")
    assert caught.value.status == 422
    assert check_exchange(last(sandbox))


def test_unknown_repository_org_and_ref_get_404(github_sandbox: GitHubSandbox, gh: Github) -> None:
    sandbox = github_sandbox
    with pytest.raises(UnknownObjectException) as caught:
        _ = gh.get_repo(f"{LOGIN}/missing").id
    assert caught.value.data["message"] == "Not Found"
    assert check_exchange(last(sandbox))
    with pytest.raises(UnknownObjectException):
        gh.get_repo(f"{LOGIN}/missing").create_git_blob("x", "utf-8")
    assert check_exchange(last(sandbox))
    with pytest.raises(UnknownObjectException):
        gh.get_organization("not-my-org").create_repo("x")
    # GitHub answers 404 here, a status its description of create-in-org omits.
    assert not check_exchange(last(sandbox))

    sandbox.create_repo(LOGIN, "site", auto_init=True)
    repo = gh.get_repo(f"{LOGIN}/site")
    with pytest.raises(UnknownObjectException):
        _ = repo.get_git_ref("heads/does-not-exist").object
    assert check_exchange(last(sandbox))
    with pytest.raises(UnknownObjectException):
        repo.get_contents("nope.txt")
    assert check_exchange(last(sandbox))
    with pytest.raises(GithubException) as plain:  # no "not found" in it: not Unknown...
        repo.get_contents("README.md", ref="no-such-branch")
    assert plain.value.status == 404
    assert plain.value.data["message"] == "No commit found for the ref no-such-branch"
    with pytest.raises(UnknownObjectException):
        repo.get_git_tree("0" * 40)
    assert check_exchange(last(sandbox))


def test_empty_repository_refuses_git_data_with_409(
    github_sandbox: GitHubSandbox, gh: Github
) -> None:
    sandbox = github_sandbox
    repo = gh.get_user().create_repo("empty")  # no auto_init: no branch at all
    element = InputGitTreeElement("a.txt", "100644", "blob", content="a")
    calls = {
        "blob": lambda: repo.create_git_blob("x", "utf-8"),
        "tree": lambda: repo.create_git_tree([element]),
        "get-tree": lambda: repo.get_git_tree("main"),
        "ref": lambda: repo.get_git_ref("heads/main").object,
        "create-ref": lambda: repo.create_git_ref("refs/heads/main", "0" * 40),
    }
    for name, call in calls.items():
        with pytest.raises(GithubException) as caught:
            call()
        assert caught.value.status == 409, name
        assert caught.value.data["message"] == "Git Repository is empty.", name
        assert check_exchange(last(sandbox)), name
    with pytest.raises(GithubException) as caught:
        repo.create_git_commit("x", gh.create_from_raw_data(GitTree, {"sha": "0" * 40}), [])
    assert caught.value.status == 409
    assert check_exchange(last(sandbox))
    # PyGithub maps a 404 to UnknownObjectException only when the message
    # says "not found": this one arrives as a plain GithubException.
    with pytest.raises(GithubException) as caught:
        repo.get_contents("README.md")
    assert caught.value.status == 404
    assert caught.value.data["message"] == "This repository is empty."
    assert check_exchange(last(sandbox))
    # Once something is on a branch (e.g. edited on github.com), Git Data works.
    sandbox.commit_on_remote(LOGIN, "empty", {"README.md": "# empty\n"})
    assert repo.create_git_blob("x", "utf-8").sha


def test_git_data_validation_errors(github_sandbox: GitHubSandbox, gh: Github) -> None:
    sandbox = github_sandbox
    sandbox.create_repo(LOGIN, "site", auto_init=True)
    repo = gh.get_repo(f"{LOGIN}/site")
    head = sandbox.head(LOGIN, "site")
    assert head is not None
    base = repo.get_git_tree(head)

    def refused(call: Callable[[], object], message: str) -> None:
        with pytest.raises(GithubException) as caught:
            call()
        assert caught.value.status == 422
        assert caught.value.data["message"] == message
        assert check_exchange(last(sandbox))

    gone = InputGitTreeElement("nope.txt", "100644", "blob", sha=None)
    refused(
        lambda: repo.create_git_tree([gone], base_tree=base),
        "tree.path 'nope.txt' does not exist, it cannot be deleted",
    )
    bogus_base = gh.create_from_raw_data(GitTree, {"sha": "1" * 40})
    element = InputGitTreeElement("a.txt", "100644", "blob", content="a")
    refused(
        lambda: repo.create_git_tree([element], base_tree=bogus_base),
        "base_tree is not a valid tree oid",
    )
    missing_blob = InputGitTreeElement("a.txt", "100644", "blob", sha="2" * 40)
    refused(
        lambda: repo.create_git_tree([missing_blob]), f"tree.sha {'2' * 40} is not a valid blob"
    )
    parent = gh.create_from_raw_data(GitCommit, {"sha": "3" * 40})
    refused(
        lambda: repo.create_git_commit("x", base, [parent]),
        "Parent SHA does not exist or is not a commit object",
    )
    refused(lambda: repo.create_git_ref("refs/heads/main", head), "Reference already exists")
    refused(lambda: repo.create_git_ref("refs/heads/x", "4" * 40), "Object does not exist")
    refused(lambda: repo.create_git_ref("heads/x", head), "Reference name is invalid")


def test_rate_limit_exhausted_gets_github_403(github_sandbox: GitHubSandbox, gh: Github) -> None:
    github_sandbox.set_rate_limit(1, reset_in=60)
    assert gh.get_user().login == LOGIN
    assert gh.rate_limiting == (0, 5000)
    with pytest.raises(RateLimitExceededException) as caught:
        gh.get_user().create_repo("x")
    assert caught.value.status == 403
    assert headers(caught.value)["x-ratelimit-remaining"] == "0"
    assert check_exchange(last(github_sandbox))


def test_raw_http_details(github_sandbox: GitHubSandbox) -> None:
    """What PyGithub hides: Bearer auth, headers, Location, base64 lines, API version."""
    sandbox = github_sandbox
    sandbox.create_repo(LOGIN, "site", auto_init=True)
    big = bytes(range(256)) * 2
    sandbox.commit_on_remote(LOGIN, "site", {"bin/data": big})
    auth = {"Authorization": f"Bearer {sandbox.token}", "X-GitHub-Api-Version": API_VERSION}
    with httpx.Client(base_url=sandbox.base_url, headers=auth) as http:
        user = http.get("/user")
        assert user.status_code == 200
        assert user.headers["x-ratelimit-limit"] == "5000"
        assert user.headers["x-oauth-scopes"] == "repo, read:org, workflow"
        assert user.headers["etag"].startswith('W/"')
        assert user.headers["x-github-api-version-selected"] == API_VERSION

        created = http.post("/user/repos", json={"name": "other", "auto_init": True})
        assert created.status_code == 201
        assert created.headers["location"] == f"{sandbox.base_url}/repos/{LOGIN}/other"

        content = http.get(f"/repos/{LOGIN}/site/contents/bin/data").json()
        lines = content["content"].split("\n")
        assert all(len(line) == 60 for line in lines[:-2])
        assert lines[-1] == ""
        assert base64.b64decode(content["content"]) == big
        assert content["download_url"].endswith(f"/raw/{LOGIN}/site/main/bin/data")

        # "recursive" with any value recurses, as documented by GitHub.
        tree = http.get(f"/repos/{LOGIN}/site/git/trees/main", params={"recursive": "0"})
        assert "bin/data" in {e["path"] for e in tree.json()["tree"]}

        newer = http.get("/user", headers={"X-GitHub-Api-Version": "2026-03-10"})
        assert newer.status_code == 400
        bad_json = http.post(
            "/user/repos", content=b"{nope", headers={"Content-Type": "application/json"}
        )
        assert bad_json.status_code == 400
        assert bad_json.json()["message"] == "Problems parsing JSON"
        assert http.get("/nope").status_code == 404
    # The malformed body and the unknown path are not contract requests.
    for exchange in sandbox.recorder.exchanges:
        if exchange.path != "/nope" and exchange.request_body != b"{nope":
            check_exchange(exchange)
    sandbox.recorder.clear()


def test_api_version_header_is_required(github_sandbox: GitHubSandbox) -> None:
    auth = {"Authorization": f"Bearer {github_sandbox.token}"}
    with httpx.Client(base_url=github_sandbox.base_url, headers=auth) as http:
        unpinned = http.get("/user")
        assert unpinned.status_code == 400
        assert "X-GitHub-Api-Version" in unpinned.json()["message"]
        check_exchange(last(github_sandbox))  # the request; the contract has no 400 here
        pinned = http.get("/user", headers={"X-GitHub-Api-Version": API_VERSION})
        assert pinned.status_code == 200
        assert pinned.headers["x-github-api-version-selected"] == API_VERSION


def test_secondary_rate_limit_answers_as_github(github_sandbox: GitHubSandbox, gh: Github) -> None:
    github_sandbox.limit_secondary()
    with pytest.raises(RateLimitExceededException) as caught:
        _ = gh.get_user().login
    assert caught.value.status == 403
    assert caught.value.data["message"].startswith("You have exceeded a secondary rate limit")
    assert caught.value.data["documentation_url"].endswith("#about-secondary-rate-limits")
    limited = headers(caught.value)
    assert "retry-after" not in limited
    assert int(limited["x-ratelimit-remaining"]) > 0  # the primary window is fine
    assert check_exchange(last(github_sandbox))
    assert gh.get_user().login == LOGIN  # times=1

    github_sandbox.limit_secondary(status=429, retry_after=30)
    with pytest.raises(GithubException) as again:
        _ = gh.get_user().login
    assert again.value.status == 429
    assert headers(again.value)["retry-after"] == "30"


def test_initial_commit_can_show_late(github_sandbox: GitHubSandbox, gh: Github) -> None:
    github_sandbox.delay_initial_commit(1)
    repo = gh.get_user().create_repo("late", auto_init=True)
    with pytest.raises(GithubException) as caught:
        repo.get_git_ref("heads/main").complete()
    assert (caught.value.status, caught.value.data["message"]) == (409, "Git Repository is empty.")
    assert check_exchange(last(github_sandbox))
    ref = repo.get_git_ref("heads/main")
    ref.complete()
    assert ref.object.sha == github_sandbox.head(LOGIN, "late")
    github_sandbox.delay_initial_commit(0)
    shown = gh.get_user().create_repo("on-time", auto_init=True).get_git_ref("heads/main")
    shown.complete()
    assert shown.object.sha == github_sandbox.head(LOGIN, "on-time")
