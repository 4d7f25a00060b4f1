"""Faults injected into the GitHub sandbox reach PyGithub as errors.

Rules match the contract's paths (the ``/api/v3`` prefix is stripped before
the `FaultInjector`). Injected answers never reach the recorder, so they are
not checked against the contract. How the console maps these to its own
errors is the GitHub client's business; this only shows the sandbox side.
"""

from __future__ import annotations

import json

import httpx
import pytest
import requests
from github import Github, GithubException, InputGitTreeElement

from console.sandbox.faults import FaultRule
from console.sandbox.github import GitHubSandbox

LOGIN = "sandbox-agency"


def test_injected_503_reaches_pygithub(github_sandbox: GitHubSandbox, gh: Github) -> None:
    github_sandbox.create_repo(LOGIN, "site", auto_init=True)
    github_sandbox.faults.add(FaultRule("status", path=r"/git/trees$", method="POST", status=503))
    repo = gh.get_repo(f"{LOGIN}/site")
    element = InputGitTreeElement("a.txt", "100644", "blob", content="a")
    with pytest.raises(GithubException) as caught:
        repo.create_git_tree([element])
    assert caught.value.status == 503
    assert repo.create_git_tree([element]).sha  # times=1: the next one passes
    assert [e.status for e in github_sandbox.recorder.exchanges] == [201]


def test_injected_429_carries_retry_after(github_sandbox: GitHubSandbox, gh: Github) -> None:
    github_sandbox.faults.add(FaultRule("rate_limit", path=r"^/user$", retry_after=7))
    with pytest.raises(GithubException) as caught:
        _ = gh.get_user().login
    assert caught.value.status == 429
    assert (caught.value.headers or {})["retry-after"] == "7"


def test_dropped_connection_reaches_pygithub(github_sandbox: GitHubSandbox, gh: Github) -> None:
    github_sandbox.faults.add(FaultRule("drop", path=r"^/user/repos$"))
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        gh.get_user().create_repo("site")
    assert github_sandbox.state.find_repo(LOGIN, "site") is None  # never reached the app


def test_malformed_body_reaches_pygithub_as_a_json_error(
    github_sandbox: GitHubSandbox, gh: Github
) -> None:
    github_sandbox.faults.add(FaultRule("malformed", path=r"^/user$"))
    with pytest.raises(json.JSONDecodeError):  # PyGithub lets it through unwrapped
        _ = gh.get_user().login


def test_faults_over_the_control_route(github_sandbox: GitHubSandbox, gh: Github) -> None:
    assert github_sandbox.served is not None
    control = f"{github_sandbox.served.url}/_sandbox/faults"  # no /api/v3 prefix
    added = httpx.post(control, json={"kind": "status", "path": "^/user$", "status": 502})
    assert added.status_code == 201
    with pytest.raises(GithubException) as caught:
        _ = gh.get_user().login
    assert caught.value.status == 502
    assert httpx.delete(control).status_code == 200
    assert gh.get_user().login == LOGIN
