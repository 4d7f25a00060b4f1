"""Typed GitHub objects, parsed from the JSON PyGithub received (its ``raw_data``).

Parsing the raw JSON with `Reader` (instead of PyGithub's lazy attributes)
keeps every read inside the worker thread and turns a body that does not fit
GitHub's contract into a `ContractError` naming the field.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from console.services.http import Reader

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GitHubUser:
    """The token's user (``GET /user``)."""

    login: str
    id: int
    name: str | None
    email: str | None
    html_url: str | None

    @classmethod
    def parse(cls, r: Reader) -> GitHubUser:
        return cls(
            login=r.text("login"),
            id=r.integer("id"),
            name=r.opt_text("name"),
            email=r.opt_text("email"),
            html_url=r.opt_text("html_url"),
        )


@dataclass(frozen=True, slots=True)
class Repo:
    """A repository.

    Attributes:
        head: the default branch's commit when known (filled by `create_repo`
            after ``auto_init``: the parent of the first publish), else None.
    """

    id: int
    owner: str
    name: str
    full_name: str
    private: bool
    default_branch: str
    html_url: str
    clone_url: str | None
    description: str | None
    head: str | None = None

    @classmethod
    def parse(cls, r: Reader, *, head: str | None = None) -> Repo:
        return cls(
            id=r.integer("id"),
            owner=r.obj("owner").text("login"),
            name=r.text("name"),
            full_name=r.text("full_name"),
            private=r.flag("private"),
            default_branch=r.opt_text("default_branch") or "main",
            html_url=r.text("html_url"),
            clone_url=r.opt_text("clone_url"),
            description=r.opt_text("description"),
            head=head,
        )


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One entry of a git tree listing."""

    path: str
    mode: str
    type: str
    sha: str
    size: int | None

    @classmethod
    def parse(cls, r: Reader) -> TreeEntry:
        return cls(
            path=r.text("path"),
            mode=r.text("mode"),
            type=r.text("type"),
            sha=r.text("sha"),
            size=r.opt_integer("size"),
        )


@dataclass(frozen=True, slots=True)
class Tree:
    """A (recursive) tree listing; `truncated` when GitHub cut it short."""

    sha: str
    entries: tuple[TreeEntry, ...]
    truncated: bool

    @property
    def files(self) -> tuple[TreeEntry, ...]:
        return tuple(e for e in self.entries if e.type == "blob")

    @classmethod
    def parse(cls, r: Reader) -> Tree:
        return cls(
            sha=r.text("sha"),
            entries=tuple(TreeEntry.parse(x) for x in r.items("tree")),
            truncated=r.flag("truncated", False),
        )


@dataclass(frozen=True, slots=True)
class CommitResult:
    """What one publish commit did.

    Attributes:
        sha: the new commit.
        tree_sha: its tree.
        parent: the commit it sits on (None for a first commit on a new branch).
        branch: the branch moved to `sha`.
        files: how many files the tree holds.
        blobs: how many binary files needed a separate blob upload.
        diverged: True when the remote head was not `expected_parent` and the
            commit went on top of it anyway (``allow_diverged``).
        requests: HTTP requests the commit took.
    """

    sha: str
    tree_sha: str
    parent: str | None
    branch: str
    files: int
    blobs: int
    diverged: bool
    requests: int
