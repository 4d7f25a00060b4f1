"""State of the GitHub sandbox: accounts, repositories and real git data.

Each repository is a bare git repository (dulwich) under
``<root>/repos/<owner>/<name>.git``, so whatever the console pushes through the
Git Data API can be cloned with plain ``git``. Accounts and repository
metadata live in ``<root>/index.json``; a sandbox restarted on the same root
finds everything again.

This module knows nothing about HTTP. Failures are `GitHubApiError`s carrying
the status and message GitHub uses for the same situation; the app turns them
into GitHub's error bodies.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from dulwich.objects import Blob, Commit, ObjectID, ShaFile, Tag, Tree
from dulwich.refs import Ref, check_ref_format
from dulwich.repo import Repo

logger = logging.getLogger(__name__)

_ObjT = TypeVar("_ObjT", bound=ShaFile)
AccountKind = Literal["User", "Organization"]
ContentKind = Literal["file", "dir", "symlink", "submodule"]

MODE_FILE = 0o100644
MODE_EXECUTABLE = 0o100755
MODE_SYMLINK = 0o120000
MODE_TREE = 0o040000
MODE_SUBMODULE = 0o160000

#: Tree entry modes the API accepts, with the object type each one needs.
MODES: dict[str, tuple[int, str]] = {
    "100644": (MODE_FILE, "blob"),
    "100755": (MODE_EXECUTABLE, "blob"),
    "120000": (MODE_SYMLINK, "blob"),
    "040000": (MODE_TREE, "tree"),
    "160000": (MODE_SUBMODULE, "commit"),
}

EMPTY_REPOSITORY = "Git Repository is empty."
#: Limit of GET .../git/trees/{sha}?recursive=1 before `truncated` is set.
RECURSIVE_TREE_LIMIT = 100_000
#: Above this size the contents API answers encoding "none" and no content.
CONTENTS_INLINE_LIMIT = 1024 * 1024
#: GitHub's limit on repository names.
MAX_REPO_NAME = 100

_SHA_RE = re.compile(r"[0-9a-f]{40}")
_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]")
_INDEX_VERSION = 1


class GitHubApiError(Exception):
    """A request GitHub would refuse, with GitHub's status and message.

    Args:
        status: HTTP status GitHub answers with.
        message: GitHub's ``message`` field.
        errors: GitHub's ``errors`` list for validation failures (422).
    """

    def __init__(
        self, status: int, message: str, *, errors: Sequence[Mapping[str, Any]] | None = None
    ) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.errors = [dict(e) for e in errors] if errors else None


def not_found() -> GitHubApiError:
    return GitHubApiError(404, "Not Found")


def unprocessable(message: str) -> GitHubApiError:
    return GitHubApiError(422, message)


# --- records ---------------------------------------------------------------


@dataclass
class Account:
    """A user or an organization."""

    login: str
    id: int
    kind: AccountKind
    name: str | None
    created_at: str
    email: str | None = None

    @property
    def noreply_email(self) -> str:
        return f"{self.id}+{self.login}@users.noreply.github.com"


@dataclass
class RepoRecord:
    """Metadata GitHub keeps beside a repository's git data."""

    id: int
    owner: str
    name: str
    private: bool
    description: str | None
    homepage: str | None
    created_at: str
    updated_at: str
    pushed_at: str
    default_branch: str = "main"
    has_issues: bool = True
    has_projects: bool = True
    has_wiki: bool = True
    has_discussions: bool = False
    has_downloads: bool = True
    is_template: bool = False
    allow_squash_merge: bool = True
    allow_merge_commit: bool = True
    allow_rebase_merge: bool = True
    allow_auto_merge: bool = False
    delete_branch_on_merge: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def key(self) -> str:
        return _repo_key(self.owner, self.name)


#: Repository settings a create request may set, with GitHub's defaults.
REPO_OPTIONS: tuple[str, ...] = (
    "has_issues",
    "has_projects",
    "has_wiki",
    "has_discussions",
    "has_downloads",
    "is_template",
    "allow_squash_merge",
    "allow_merge_commit",
    "allow_rebase_merge",
    "allow_auto_merge",
    "delete_branch_on_merge",
)


@dataclass(frozen=True)
class Identity:
    """Author or committer of a commit."""

    name: str
    email: str
    when: datetime | None = None


@dataclass(frozen=True)
class Signature:
    name: str
    email: str
    date: str


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    message: str
    author: Signature
    committer: Signature


@dataclass(frozen=True)
class RefInfo:
    ref: str  # full name, refs/heads/main
    sha: str
    object_type: str  # commit or tag


@dataclass(frozen=True)
class TreeItem:
    path: str
    mode: int
    type: str  # blob, tree or commit
    sha: str
    size: int | None


@dataclass(frozen=True)
class TreeListing:
    sha: str
    items: list[TreeItem]
    truncated: bool


@dataclass(frozen=True)
class TreeEntryInput:
    """One element of a create-tree request, already checked for shape.

    `sha` is None with `has_sha` True for ``"sha": null`` (delete the path).
    """

    path: str
    mode: str
    type: str
    sha: str | None = None
    has_sha: bool = False
    content: str | None = None


@dataclass(frozen=True)
class ContentItem:
    path: str
    name: str
    kind: ContentKind
    sha: str
    size: int
    data: bytes | None = None  # files and symlinks
    target: str | None = None  # symlinks


@dataclass(frozen=True)
class ContentResult:
    """GET .../contents/{path}: one item, or a directory listing."""

    ref: str
    item: ContentItem | None = None
    listing: list[ContentItem] | None = None


@dataclass
class _Index:
    next_id: int = 1_000_001
    accounts: dict[str, Account] = field(default_factory=dict)
    repos: dict[str, RepoRecord] = field(default_factory=dict)


# --- helpers -----------------------------------------------------------------


def now_iso(when: datetime | None = None) -> str:
    moment = when or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _repo_key(owner: str, name: str) -> str:
    return f"{owner.lower()}/{name.lower()}"


def _oid(sha: str) -> ObjectID:
    return ObjectID(sha.encode("ascii"))


def _hex(oid: bytes) -> str:
    return oid.decode("ascii")


def _ref(name: str) -> Ref:
    return Ref(name.encode("utf-8"))


def is_sha(value: str) -> bool:
    return _SHA_RE.fullmatch(value) is not None


def sanitize_repo_name(name: str) -> str:
    """Apply GitHub's renaming: characters outside ``[A-Za-z0-9._-]`` become ``-``."""
    return _NAME_CHARS.sub("-", name.strip())


def _split_identity(raw: bytes) -> tuple[str, str]:
    text = raw.decode("utf-8", "replace")
    match = re.fullmatch(r"(.*?)\s*<(.*)>", text)
    if match is None:
        return text, ""
    return match.group(1), match.group(2)


def _git_date(seconds: int, offset: int) -> str:
    del offset  # GitHub reports commit dates in UTC ("...Z")
    return now_iso(datetime.fromtimestamp(seconds, UTC))


def _epoch_and_offset(when: datetime) -> tuple[int, int]:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    offset = when.utcoffset()
    return int(when.timestamp()), int(offset.total_seconds()) if offset else 0


def _split_path(path: str) -> list[str]:
    """Split a tree path, refusing what git and GitHub refuse."""
    parts = path.split("/")
    for part in parts:
        if part in {"", ".", ".."} or part.lower() == ".git" or "\0" in part:
            raise unprocessable(f"tree.path contains a malformed path component: {path!r}")
    return parts


class _Dir:
    """A directory being edited while a new tree is built."""

    def __init__(self, entries: dict[bytes, tuple[int, ObjectID]]) -> None:
        self.entries = entries
        self.children: dict[bytes, _Dir] = {}


# --- the state -------------------------------------------------------------


class GitHubState:
    """Accounts, repository metadata and git repositories of one sandbox.

    Thread-safe: the server thread and test helpers share one lock.

    Args:
        root: Directory holding ``index.json`` and the bare repositories.
        login: The user the sandbox's tokens belong to.
        orgs: Organizations that user belongs to.
    """

    def __init__(self, root: Path, *, login: str, orgs: Sequence[str] = ()) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._repos: dict[str, Repo] = {}
        self._index = self._load()
        self.login = self._ensure_account(login, "User").login
        self.orgs = tuple(self._ensure_account(org, "Organization").login for org in orgs)
        self._save()

    # --- persistence --------------------------------------------------------
    @property
    def _index_path(self) -> Path:
        return self.root / "index.json"

    def _load(self) -> _Index:
        if not self._index_path.exists():
            return _Index()
        raw = json.loads(self._index_path.read_text("utf-8"))
        repo_fields = {f.name for f in fields(RepoRecord)}
        return _Index(
            next_id=int(raw["next_id"]),
            accounts={k: Account(**v) for k, v in raw["accounts"].items()},
            repos={
                k: RepoRecord(**{n: v for n, v in r.items() if n in repo_fields})
                for k, r in raw["repos"].items()
            },
        )

    def _save(self) -> None:
        payload = {
            "version": _INDEX_VERSION,
            "next_id": self._index.next_id,
            "accounts": {k: asdict(v) for k, v in self._index.accounts.items()},
            "repos": {k: asdict(v) for k, v in self._index.repos.items()},
        }
        tmp = self._index_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, indent=1, sort_keys=True), "utf-8")
        os.replace(tmp, self._index_path)

    def _new_id(self) -> int:
        value = self._index.next_id
        self._index.next_id += 1
        return value

    def _ensure_account(self, login: str, kind: AccountKind) -> Account:
        with self._lock:
            found = self._index.accounts.get(login.lower())
            if found is not None:
                return found
            name = login.replace("-", " ").title() if kind == "User" else login
            account = Account(login, self._new_id(), kind, name, now_iso())
            self._index.accounts[login.lower()] = account
            return account

    def close(self) -> None:
        with self._lock:
            for repo in self._repos.values():
                repo.close()
            self._repos.clear()

    # --- accounts -------------------------------------------------------------
    def account(self, login: str) -> Account | None:
        with self._lock:
            return self._index.accounts.get(login.lower())

    def user(self) -> Account:
        account = self.account(self.login)
        assert account is not None
        return account

    def owned_repos(self, login: str) -> list[RepoRecord]:
        with self._lock:
            return [r for r in self._index.repos.values() if r.owner.lower() == login.lower()]

    # --- repositories ---------------------------------------------------------
    def repo_path(self, owner: str, name: str) -> Path:
        return self.root / "repos" / owner.lower() / f"{name.lower()}.git"

    def find_repo(self, owner: str, name: str) -> RepoRecord | None:
        with self._lock:
            return self._index.repos.get(_repo_key(owner, name))

    def get_repo(self, owner: str, name: str) -> RepoRecord:
        record = self.find_repo(owner, name)
        if record is None:
            raise not_found()
        return record

    def all_repos(self) -> list[RepoRecord]:
        with self._lock:
            return list(self._index.repos.values())

    def create_repo(
        self,
        owner: str,
        name: str,
        *,
        private: bool = False,
        description: str | None = None,
        homepage: str | None = None,
        auto_init: bool = False,
        options: Mapping[str, bool] | None = None,
        author: Identity | None = None,
    ) -> RepoRecord:
        """Create a repository, as POST /user/repos or /orgs/{org}/repos does.

        Raises:
            GitHubApiError: 404 for an unknown owner, 422 for a bad or taken name.
        """
        account = self.account(owner)
        if account is None:
            raise not_found()
        name = self.check_repo_name(name)
        with self._lock:
            if _repo_key(account.login, name) in self._index.repos:
                raise GitHubApiError(
                    422,
                    "Repository creation failed.",
                    errors=[
                        {
                            "resource": "Repository",
                            "code": "custom",
                            "field": "name",
                            "message": "name already exists on this account",
                        }
                    ],
                )
            stamp = now_iso()
            record = RepoRecord(
                id=self._new_id(),
                owner=account.login,
                name=name,
                private=private,
                description=description or None,
                homepage=homepage or None,
                created_at=stamp,
                updated_at=stamp,
                pushed_at=stamp,
            )
            for key, value in (options or {}).items():
                if key in REPO_OPTIONS:
                    setattr(record, key, bool(value))
            path = self.repo_path(account.login, name)
            if path.exists():
                # Left over from an index that was lost: start clean.
                logger.warning("replacing stray repository directory %s", path)
                _rmtree(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            Repo.init_bare(str(path), mkdir=True, default_branch=b"main").close()
            self._index.repos[record.key] = record
            if auto_init:
                user = author or Identity(account.name or account.login, account.noreply_email)
                text = f"# {name}\n" + (f"{description}\n" if description else "")
                self._commit_files(
                    record,
                    {"README.md": text.encode()},
                    "Initial commit",
                    author=user,
                    committer=Identity("GitHub", "noreply@github.com"),
                    branch=record.default_branch,
                )
            self._save()
            logger.info("sandbox github: created %s (auto_init=%s)", record.full_name, auto_init)
            return record

    @staticmethod
    def check_repo_name(name: str) -> str:
        """Return the name GitHub would use, or raise 422 like GitHub."""
        cleaned = sanitize_repo_name(name)
        problem = None
        if not cleaned:
            problem = "name is too short (minimum is 1 character)"
        elif len(cleaned) > MAX_REPO_NAME:
            problem = f"name is too long (maximum is {MAX_REPO_NAME} characters)"
        elif cleaned in {".", ".."}:
            problem = "name is reserved"
        if problem is not None:
            raise GitHubApiError(
                422,
                "Repository creation failed.",
                errors=[
                    {
                        "resource": "Repository",
                        "code": "custom",
                        "field": "name",
                        "message": problem,
                    }
                ],
            )
        return cleaned

    def delete_repo(self, record: RepoRecord) -> None:
        """Remove the repository: its metadata and its git directory."""
        with self._lock:
            repo = self._repos.pop(record.key, None)
            if repo is not None:
                repo.close()
            self._index.repos.pop(record.key, None)
            self._save()
            shutil.rmtree(self.repo_path(record.owner, record.name), ignore_errors=True)

    def _open(self, record: RepoRecord) -> Repo:
        repo = self._repos.get(record.key)
        if repo is None:
            repo = Repo(str(self.repo_path(record.owner, record.name)))
            self._repos[record.key] = repo
        return repo

    def repo_size_kb(self, record: RepoRecord) -> int:
        objects = self.repo_path(record.owner, record.name) / "objects"
        total = sum(p.stat().st_size for p in objects.rglob("*") if p.is_file())
        return total // 1024

    def is_empty(self, record: RepoRecord) -> bool:
        """GitHub's "empty": the repository has no branch."""
        with self._lock:
            return not self._open(record).refs.keys(base=_ref("refs/heads"))

    def _require_not_empty(self, record: RepoRecord) -> Repo:
        repo = self._open(record)
        if not repo.refs.keys(base=_ref("refs/heads")):
            raise GitHubApiError(409, EMPTY_REPOSITORY)
        return repo

    def _touch(self, record: RepoRecord) -> None:
        record.pushed_at = record.updated_at = now_iso()
        self._save()

    # --- git data: blobs -------------------------------------------------------
    def create_blob(self, record: RepoRecord, data: bytes) -> tuple[str, int]:
        """Store a blob; returns its sha and size."""
        with self._lock:
            repo = self._require_not_empty(record)
            blob = Blob.from_string(data)
            repo.object_store.add_object(blob)
            return _hex(blob.id), len(data)

    # --- git data: trees -------------------------------------------------------
    def create_tree(
        self, record: RepoRecord, entries: Sequence[TreeEntryInput], base_tree: str | None
    ) -> str:
        """Build a tree from `entries` over `base_tree`, as GitHub does."""
        with self._lock:
            repo = self._require_not_empty(record)
            base: Tree | None = None
            if base_tree is not None:
                base = self._lookup(repo, base_tree, Tree)
                if base is None:
                    raise unprocessable("base_tree is not a valid tree oid")
            root = _Dir(self._entries(base))
            for entry in entries:
                self._apply(repo, root, entry)
            return _hex(self._write_dir(repo, root, top=True) or b"")

    def _apply(self, repo: Repo, root: _Dir, entry: TreeEntryInput) -> None:
        if entry.has_sha and entry.content is not None:
            raise unprocessable("tree.sha and tree.content cannot both be given")
        if entry.mode not in MODES:
            raise unprocessable(f"tree.mode {entry.mode!r} is not a valid mode")
        mode, wanted_type = MODES[entry.mode]
        if entry.type != wanted_type:
            raise unprocessable(f"tree.type must be {wanted_type!r} for mode {entry.mode}")
        parts = [p.encode("utf-8") for p in _split_path(entry.path)]
        node = root
        for part in parts[:-1]:
            child = node.children.get(part)
            if child is None:
                existing = node.entries.get(part)
                subtree = None
                if existing is not None and existing[0] == MODE_TREE:
                    obj = repo.object_store[existing[1]]
                    subtree = obj if isinstance(obj, Tree) else None
                child = _Dir(self._entries(subtree))
                node.children[part] = child
            node = child
        name = parts[-1]
        if entry.has_sha and entry.sha is None:
            if name not in node.entries and name not in node.children:
                raise unprocessable(
                    f"tree.path {entry.path!r} does not exist, it cannot be deleted"
                )
            node.entries.pop(name, None)
            node.children.pop(name, None)
            return
        if entry.content is not None:
            if wanted_type != "blob":
                raise unprocessable("tree.content can only be given for blobs")
            blob = Blob.from_string(entry.content.encode("utf-8"))
            repo.object_store.add_object(blob)
            sha = blob.id
        elif entry.sha is not None:
            if not is_sha(entry.sha):
                raise unprocessable(f"tree.sha {entry.sha} is not a valid {wanted_type}")
            sha = _oid(entry.sha)
            if wanted_type != "commit":
                expected = Blob if wanted_type == "blob" else Tree
                if self._lookup(repo, entry.sha, expected) is None:
                    raise unprocessable(f"tree.sha {entry.sha} is not a valid {wanted_type}")
        else:
            raise unprocessable("Must supply either tree.sha or tree.content")
        node.children.pop(name, None)
        node.entries[name] = (mode, sha)

    @staticmethod
    def _entries(tree: Tree | None) -> dict[bytes, tuple[int, ObjectID]]:
        if tree is None:
            return {}
        return {e.path: (e.mode, e.sha) for e in tree.iteritems()}

    def _write_dir(self, repo: Repo, node: _Dir, *, top: bool = False) -> ObjectID | None:
        entries = dict(node.entries)
        for name, child in node.children.items():
            sha = self._write_dir(repo, child)
            if sha is None:
                entries.pop(name, None)  # git keeps no empty directories
            else:
                entries[name] = (MODE_TREE, sha)
        if not entries and not top:
            return None
        tree = Tree()
        for name, (mode, sha) in entries.items():
            tree.add(name, mode, sha)
        repo.object_store.add_object(tree)
        return tree.id

    def read_tree(self, record: RepoRecord, tree_ish: str, *, recursive: bool) -> TreeListing:
        """GET .../git/trees/{tree_sha}: a tree, commit, branch or tag name."""
        with self._lock:
            repo = self._require_not_empty(record)
            tree = self._resolve_tree(repo, tree_ish)
            if tree is None:
                raise not_found()
            items: list[TreeItem] = []
            truncated = False
            for item in self._walk(repo, tree, "", recursive=recursive):
                if len(items) >= RECURSIVE_TREE_LIMIT:
                    truncated = True
                    break
                items.append(item)
            return TreeListing(_hex(tree.id), items, truncated)

    def _walk(self, repo: Repo, tree: Tree, prefix: str, *, recursive: bool) -> Iterator[TreeItem]:
        for entry in tree.iteritems():
            path = prefix + entry.path.decode("utf-8", "surrogateescape")
            if entry.mode == MODE_TREE:
                yield TreeItem(path, entry.mode, "tree", _hex(entry.sha), None)
                if recursive:
                    sub = repo.object_store[entry.sha]
                    if isinstance(sub, Tree):
                        yield from self._walk(repo, sub, path + "/", recursive=True)
            elif entry.mode == MODE_SUBMODULE:
                yield TreeItem(path, entry.mode, "commit", _hex(entry.sha), None)
            else:
                raw = repo.object_store.get_raw(entry.sha)[1]
                yield TreeItem(path, entry.mode, "blob", _hex(entry.sha), len(raw))

    def _resolve_tree(self, repo: Repo, tree_ish: str) -> Tree | None:
        if is_sha(tree_ish):
            obj = self._get(repo, tree_ish)
            if isinstance(obj, Tag):
                obj = self._get(repo, _hex(obj.object[1]))
            if isinstance(obj, Commit):
                obj = self._get(repo, _hex(obj.tree))
            return obj if isinstance(obj, Tree) else None
        commit = self._resolve_commit(repo, tree_ish)
        if commit is None:
            return None
        tree = self._get(repo, _hex(commit.tree))
        return tree if isinstance(tree, Tree) else None

    # --- git data: commits -----------------------------------------------------
    def create_commit(
        self,
        record: RepoRecord,
        *,
        message: str,
        tree: str,
        parents: Sequence[str],
        author: Identity,
        committer: Identity | None,
    ) -> CommitInfo:
        with self._lock:
            repo = self._require_not_empty(record)
            if self._lookup(repo, tree, Tree) is None:
                raise unprocessable("Tree SHA does not exist")
            for parent in parents:
                if self._lookup(repo, parent, Commit) is None:
                    raise unprocessable("Parent SHA does not exist or is not a commit object")
            commit = self._write_commit(
                repo,
                message=message,
                tree=_oid(tree),
                parents=[_oid(p) for p in parents],
                author=author,
                committer=committer or author,
            )
            return self._commit_info(commit)

    def _write_commit(
        self,
        repo: Repo,
        *,
        message: str,
        tree: ObjectID,
        parents: Sequence[ObjectID],
        author: Identity,
        committer: Identity,
    ) -> Commit:
        now = datetime.now(UTC)
        commit = Commit()
        commit.tree = tree
        commit.parents = list(parents)
        commit.author = f"{author.name} <{author.email}>".encode()
        commit.committer = f"{committer.name} <{committer.email}>".encode()
        commit.author_time, commit.author_timezone = _epoch_and_offset(author.when or now)
        commit.commit_time, commit.commit_timezone = _epoch_and_offset(committer.when or now)
        commit.encoding = b"UTF-8"
        commit.message = message.encode("utf-8")
        repo.object_store.add_object(commit)
        return commit

    def get_commit(self, record: RepoRecord, sha: str) -> CommitInfo | None:
        with self._lock:
            commit = self._lookup(self._open(record), sha, Commit)
            return None if commit is None else self._commit_info(commit)

    def history(self, record: RepoRecord, ref: str, *, limit: int = 200) -> list[CommitInfo] | None:
        """Commits reachable from `ref`, newest first, at most `limit`; None for an unknown ref."""
        with self._lock:
            repo = self._open(record)
            commit = self._resolve_commit(repo, ref)
            if commit is None:
                return None
            walker = repo.get_walker(include=[commit.id], max_entries=limit)
            return [self._commit_info(entry.commit) for entry in walker]

    @staticmethod
    def _commit_info(commit: Commit) -> CommitInfo:
        a_name, a_email = _split_identity(commit.author)
        c_name, c_email = _split_identity(commit.committer)
        return CommitInfo(
            sha=_hex(commit.id),
            tree=_hex(commit.tree),
            parents=tuple(_hex(p) for p in commit.parents),
            message=commit.message.decode("utf-8", "replace"),
            author=Signature(a_name, a_email, _git_date(commit.author_time, 0)),
            committer=Signature(c_name, c_email, _git_date(commit.commit_time, 0)),
        )

    # --- git data: refs --------------------------------------------------------
    def get_ref(self, record: RepoRecord, ref: str) -> RefInfo:
        """GET .../git/ref/{ref}; `ref` is ``heads/main`` or ``tags/v1``."""
        with self._lock:
            repo = self._require_not_empty(record)
            info = self._read_ref(repo, "refs/" + ref)
            if info is None:
                raise not_found()
            return info

    def _read_ref(self, repo: Repo, full: str) -> RefInfo | None:
        name = _ref(full)
        if not full.startswith("refs/") or name not in repo.refs:
            return None
        sha = repo.refs[name]
        obj = repo.object_store[sha]
        return RefInfo(full, _hex(sha), obj.type_name.decode())

    def create_ref(self, record: RepoRecord, ref: str, sha: str) -> RefInfo:
        """POST .../git/refs with a full name (``refs/heads/x``)."""
        with self._lock:
            repo = self._require_not_empty(record)
            if not ref.startswith("refs/") or ref.count("/") < 2 or not check_ref_format(_ref(ref)):
                raise unprocessable("Reference name is invalid")
            if self._get(repo, sha) is None:
                raise unprocessable("Object does not exist")
            if not repo.refs.add_if_new(_ref(ref), _oid(sha)):
                raise unprocessable("Reference already exists")
            self._touch(record)
            info = self._read_ref(repo, ref)
            assert info is not None
            return info

    def update_ref(self, record: RepoRecord, ref: str, sha: str, *, force: bool) -> RefInfo:
        """PATCH .../git/refs/{ref}; refuses a non-fast-forward unless `force`."""
        with self._lock:
            repo = self._require_not_empty(record)
            full = "refs/" + ref
            current = self._read_ref(repo, full)
            if current is None:
                raise unprocessable("Reference does not exist")
            if self._get(repo, sha) is None:
                raise unprocessable("Object does not exist")
            if not force and not self._is_ancestor(repo, current.sha, sha):
                raise unprocessable("Update is not a fast forward")
            if not repo.refs.set_if_equals(_ref(full), _oid(current.sha), _oid(sha)):
                raise GitHubApiError(409, "Reference update failed")
            self._touch(record)
            info = self._read_ref(repo, full)
            assert info is not None
            return info

    def _is_ancestor(self, repo: Repo, ancestor: str, descendant: str) -> bool:
        if ancestor == descendant:
            return True
        seen: set[str] = set()
        queue = deque([descendant])
        while queue:
            sha = queue.popleft()
            if sha in seen:
                continue
            seen.add(sha)
            commit = self._lookup(repo, sha, Commit)
            if commit is None:
                continue
            for parent in commit.parents:
                parent_hex = _hex(parent)
                if parent_hex == ancestor:
                    return True
                queue.append(parent_hex)
        return False

    # --- contents ----------------------------------------------------------------
    def get_contents(self, record: RepoRecord, path: str, ref: str | None) -> ContentResult:
        """GET .../contents/{path}?ref= : a file, symlink, submodule or directory."""
        with self._lock:
            repo = self._open(record)
            if not repo.refs.keys(base=_ref("refs/heads")):
                raise GitHubApiError(404, "This repository is empty.")
            ref_name = ref or record.default_branch
            commit = self._resolve_commit(repo, ref_name)
            if commit is None:
                raise GitHubApiError(404, f"No commit found for the ref {ref_name}")
            root = repo.object_store[commit.tree]
            assert isinstance(root, Tree)
            path = path.strip("/")
            if not path:
                return ContentResult(ref_name, listing=self._listing(repo, root, ""))
            found = self._lookup_path(repo, root, path)
            if found is None:
                raise not_found()
            mode, sha = found
            if mode == MODE_TREE:
                tree = repo.object_store[sha]
                assert isinstance(tree, Tree)
                return ContentResult(ref_name, listing=self._listing(repo, tree, path + "/"))
            item = self._item(repo, path, mode, sha)
            if item.kind == "symlink" and item.target is not None:
                # GitHub serves the target when it is a regular file in the repository.
                target = _normalise_link(path, item.target)
                resolved = self._lookup_path(repo, root, target) if target else None
                if resolved is not None and resolved[0] in {MODE_FILE, MODE_EXECUTABLE}:
                    item = self._item(repo, target or "", resolved[0], resolved[1])
            return ContentResult(ref_name, item=item)

    def _listing(self, repo: Repo, tree: Tree, prefix: str) -> list[ContentItem]:
        items = [
            self._item(repo, prefix + e.path.decode("utf-8", "surrogateescape"), e.mode, e.sha)
            for e in tree.iteritems()
        ]
        return sorted(items, key=lambda i: i.name)

    def _item(self, repo: Repo, path: str, mode: int, sha: ObjectID) -> ContentItem:
        name = path.rsplit("/", 1)[-1]
        if mode == MODE_TREE:
            return ContentItem(path, name, "dir", _hex(sha), 0)
        if mode == MODE_SUBMODULE:
            return ContentItem(path, name, "submodule", _hex(sha), 0)
        data = repo.object_store.get_raw(sha)[1]
        if mode == MODE_SYMLINK:
            target = data.decode("utf-8", "replace")
            return ContentItem(path, name, "symlink", _hex(sha), len(data), data, target)
        return ContentItem(path, name, "file", _hex(sha), len(data), data)

    def _lookup_path(self, repo: Repo, root: Tree, path: str) -> tuple[int, ObjectID] | None:
        node: Tree = root
        parts = path.split("/")
        for i, part in enumerate(parts):
            key = part.encode("utf-8")
            if key not in node:
                return None
            mode, sha = node[key]
            if i == len(parts) - 1:
                return mode, sha
            if mode != MODE_TREE:
                return None
            nxt = repo.object_store[sha]
            if not isinstance(nxt, Tree):
                return None
            node = nxt
        return None

    # --- object lookup -----------------------------------------------------------
    @staticmethod
    def _get(repo: Repo, sha: str) -> ShaFile | None:
        if not is_sha(sha):
            return None
        try:
            return repo.object_store[_oid(sha)]
        except KeyError:
            return None

    def _lookup(self, repo: Repo, sha: str, kind: type[_ObjT]) -> _ObjT | None:
        obj = self._get(repo, sha)
        return obj if isinstance(obj, kind) else None

    def _resolve_commit(self, repo: Repo, ref: str) -> Commit | None:
        """A branch, tag, full ref name or commit sha, as GitHub's `ref` parameters."""
        candidates = [f"refs/heads/{ref}", f"refs/tags/{ref}"]
        if ref.startswith("refs/"):
            candidates.insert(0, ref)
        elif ref.startswith(("heads/", "tags/")):
            candidates.insert(0, "refs/" + ref)
        for candidate in candidates:
            name = _ref(candidate)
            if name in repo.refs:
                obj = repo.object_store[repo.refs[name]]
                while isinstance(obj, Tag):
                    obj = repo.object_store[obj.object[1]]
                return obj if isinstance(obj, Commit) else None
        return self._lookup(repo, ref, Commit)

    # --- helpers for tests and the embedded sandbox ----------------------------
    def head(self, owner: str, name: str, branch: str = "main") -> str | None:
        record = self.get_repo(owner, name)
        with self._lock:
            info = self._read_ref(self._open(record), f"refs/heads/{branch}")
            return None if info is None else info.sha

    def files_at(self, owner: str, name: str, ref: str = "main") -> dict[str, bytes]:
        """Every file (blob) at `ref`, by path; empty for a ref with no commit."""
        record = self.get_repo(owner, name)
        with self._lock:
            repo = self._open(record)
            commit = self._resolve_commit(repo, ref)
            if commit is None:
                return {}
            tree = repo.object_store[commit.tree]
            assert isinstance(tree, Tree)
            return {
                item.path: repo.object_store.get_raw(_oid(item.sha))[1]
                for item in self._walk(repo, tree, "", recursive=True)
                if item.type == "blob"
            }

    def commit_count(self, owner: str, name: str, ref: str = "main") -> int:
        """How many commits are reachable from `ref` (0 when it does not exist)."""
        record = self.get_repo(owner, name)
        with self._lock:
            repo = self._open(record)
            commit = self._resolve_commit(repo, ref)
            if commit is None:
                return 0
            return sum(1 for _ in repo.get_walker(include=[commit.id]))

    def commit_on_remote(
        self,
        owner: str,
        name: str,
        files: Mapping[str, bytes | str | None],
        message: str,
        *,
        branch: str = "main",
        author: Identity | None = None,
    ) -> str:
        """Commit on top of `branch` as an edit on github.com would (None deletes)."""
        record = self.get_repo(owner, name)
        with self._lock:
            data = {
                path: (value.encode() if isinstance(value, str) else value)
                for path, value in files.items()
            }
            return self._commit_files(
                record,
                data,
                message,
                author=author or Identity("Someone Else", "someone@example.com"),
                committer=Identity("GitHub", "noreply@github.com"),
                branch=branch,
            )

    def _commit_files(
        self,
        record: RepoRecord,
        files: Mapping[str, bytes | None],
        message: str,
        *,
        author: Identity,
        committer: Identity,
        branch: str,
    ) -> str:
        repo = self._open(record)
        full = _ref(f"refs/heads/{branch}")
        parent = repo.refs[full] if full in repo.refs else None  # noqa: SIM401
        base = None
        if parent is not None:
            head = repo.object_store[parent]
            assert isinstance(head, Commit)
            base_obj = repo.object_store[head.tree]
            base = base_obj if isinstance(base_obj, Tree) else None
        root = _Dir(self._entries(base))
        for path, data in files.items():
            if data is None:
                entry = TreeEntryInput(path, "100644", "blob", None, has_sha=True)
            else:
                blob = Blob.from_string(data)
                repo.object_store.add_object(blob)
                entry = TreeEntryInput(path, "100644", "blob", _hex(blob.id), has_sha=True)
            self._apply(repo, root, entry)
        tree = self._write_dir(repo, root, top=True)
        assert tree is not None
        commit = self._write_commit(
            repo,
            message=message,
            tree=tree,
            parents=[parent] if parent is not None else [],
            author=author,
            committer=committer,
        )
        if parent is None:
            repo.refs.add_if_new(full, commit.id)
        else:
            repo.refs.set_if_equals(full, parent, commit.id)
        self._touch(record)
        return _hex(commit.id)


def _normalise_link(path: str, target: str) -> str | None:
    if target.startswith("/"):
        return None
    parts = path.split("/")[:-1]
    for part in target.split("/"):
        if part in {"", "."}:
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts) or None


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path)
