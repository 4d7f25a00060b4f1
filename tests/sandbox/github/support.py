"""Helpers shared by the GitHub sandbox tests (fixtures are in conftest.py)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from github import Auth, Github

from console.sandbox.github import API_VERSION, GitHubSandbox
from console.sandbox.recording import Exchange
from tests.contract_check import contract


def client(sandbox: GitHubSandbox, token: str | None = None) -> Github:
    """PyGithub as the console should configure it.

    Lazy (no GET before a write, no GET /orgs/{org}), no retries, no
    throttling, and the API version pinned to the one the contract describes
    (PyGithub sends no version header unless told).
    """
    return Github(
        base_url=sandbox.base_url,
        api_version=API_VERSION,
        auth=Auth.Token(token or sandbox.token),
        retry=0,
        timeout=10,
        seconds_between_requests=0,
        seconds_between_writes=0,
        lazy=True,
    )


def check_exchange(exchange: Exchange) -> bool:
    """Validate the request, and the response if the contract describes its status.

    GitHub's description leaves out some statuses GitHub really sends (404 on
    PATCH .../git/refs/{ref}, 401 outside /user...): those responses cannot be
    checked.

    Returns:
        Whether the response was validated too.
    """
    checker = contract("github")
    operation = checker.check_request(exchange)
    responses = operation.spec["responses"]
    status = str(exchange.status)
    if status in responses or f"{status[0]}XX" in responses or "default" in responses:
        checker.check_response(exchange)
        return True
    return False


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git without the user's configuration."""
    result = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull},
        timeout=60,
    )
    return result.stdout


def cloned_files(bare: Path, dest: Path) -> dict[str, bytes]:
    """`git clone` the bare repository and read every file of the checkout."""
    git("clone", "--quiet", str(bare), str(dest))
    return {
        p.relative_to(dest).as_posix(): p.read_bytes()
        for p in sorted(dest.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(dest).parts
    }
