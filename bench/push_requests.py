"""HTTP requests for pushing a 200-file text scaffold to GitHub as one commit.

Measured against the GitHub sandbox by counting what crosses the wire. The
baseline, in the same run, is the same files pushed the common way: one blob
request per file, then tree, commit and ref. Target: at most 5 requests.

Run: `.venv/bin/python -m bench.push_requests`.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bench.report import Figure, table
from console.sandbox.github import GitHubSandbox
from console.services.github.client import GitHubClient

FILES = 200


def scaffold_files() -> dict[str, bytes]:
    return {
        f"app/section-{n:03d}/page.tsx": (
            f"export default function Page{n}() {{\n  return <main>Section {n}</main>;\n}}\n"
        ).encode()
        for n in range(FILES)
    }


async def _push(sandbox: GitHubSandbox) -> tuple[int, int]:
    client = GitHubClient(sandbox.base_url, sandbox.token)
    try:
        repo = await client.create_repo(None, "bench-scaffold")
        before = len(sandbox.recorder.exchanges)
        result = await client.commit_files(
            repo.owner, repo.name, "main", scaffold_files(), "Publish", repo.head
        )
        ours = len(sandbox.recorder.exchanges) - before
        assert ours == result.requests
        naive = await asyncio.to_thread(_naive_push, sandbox, repo.owner)
        return ours, naive
    finally:
        await client.aclose()


def _naive_push(sandbox: GitHubSandbox, owner: str) -> int:
    """One blob per file, as most publish scripts do it (PyGithub, synchronous)."""
    from github import Auth, Github, InputGitTreeElement
    from github.GitCommit import GitCommit

    gh = Github(
        base_url=sandbox.base_url,
        auth=Auth.Token(sandbox.token),
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
        lazy=True,
    )
    repo = gh.get_repo(f"{owner}/bench-scaffold")
    before = len(sandbox.recorder.exchanges)
    ref = repo.get_git_ref("heads/main")
    parent = gh.create_from_raw_data(GitCommit, {"sha": ref.object.sha})
    elements = [
        InputGitTreeElement(
            path, "100644", "blob", sha=repo.create_git_blob(data.decode(), "utf-8").sha
        )
        for path, data in scaffold_files().items()
    ]
    tree = repo.create_git_tree(elements)
    commit = repo.create_git_commit("Publish again", tree, [parent])
    ref.edit(commit.sha)
    gh.close()
    return len(sandbox.recorder.exchanges) - before


def measure() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = GitHubSandbox(Path(tmp) / "github")
        sandbox.serve()
        try:
            ours, naive = asyncio.run(_push(sandbox))
        finally:
            sandbox.stop()
    return [
        Figure("HTTP requests, 200-file text push (one tree, one commit)", ours, "req", 5.0),
        Figure("  vs one blob per file (baseline, same run)", ours, "req", 1.0, float(naive)),
    ]


if __name__ == "__main__":
    print(table(measure()))
