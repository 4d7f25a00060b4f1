"""What publishing stores, shows and raises: drafts, reviews, results and their errors."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from console.errors import UserInputError
from console.services.buildcheck.problems import BuildProblem
from console.services.scaffold import Category, ComposedFile, PublishConfig, Tier, env_vars
from console.services.scaffold.config import ENV_VAR_NAME

logger = logging.getLogger(__name__)

KIND_PUBLISH = "project.publish"
#: A published repository and the chosen record links, for a builder app still being created.
KIND_LINK = "project.publish.link"
BRANCH = "main"
#: Keys of `publish_configs.config` this package owns besides the `PublishConfig` fields.
STATE_KEY = "publish_state"
PUBLISHED_FILES_KEY = "published_files"
EXTRA_ENV_KEY = "extra_env"
CHECK_KEY = "build_check"
LOCKFILES_KEY = "lockfile_updates"
CONFIG_KEYS = frozenset(PublishConfig("", "").to_dict())
STEPS: tuple[tuple[str, str], ...] = (
    ("files", "Build the file set"),
    ("secrets", "Scan for secrets"),
    ("check", "Match the build check"),
    ("limits", "Check the plan's builder-app limit"),
    ("repo", "Create or reuse the repository"),
    ("commit", "Push one commit"),
    ("platform", "Link the builder app"),
)


def target_for(project_id: int) -> str:
    """Outbox target of a project's publishes (delivered in order)."""
    return f"publish:{project_id}"


@dataclass(frozen=True)
class CustomEnvVar:
    """A variable the publisher adds beside the scaffold's own (wizard step 7).

    Kept as typed, even when invalid, so nothing typed is lost; values are
    never stored here (they are set at deploy time, secrets via keyring).
    """

    name: str
    description: str = ""
    secret: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "secret": self.secret}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> CustomEnvVar:
        return cls(
            str(raw.get("name", "")), str(raw.get("description", "")), bool(raw.get("secret"))
        )


def custom_env_problems(config: PublishConfig, extra: Sequence[CustomEnvVar]) -> list[str]:
    """What is wrong with the added variables, one message per problem, naming the row."""
    problems: list[str] = []
    scaffold = {v.name for v in env_vars(config)}
    seen: set[str] = set()
    for number, var in enumerate(extra, start=1):
        label = f"Variable {number}"
        if not var.name:
            problems.append(f"{label}: give it a name.")
        elif not ENV_VAR_NAME.match(var.name):
            problems.append(
                f"{label}: “{var.name}” is not a valid name: use capital letters, digits "
                "and '_', starting with a letter (e.g. MY_API_URL)."
            )
        elif var.name in scaffold:
            problems.append(f"{label}: {var.name} is already set by the scaffold.")
        elif var.name in seen:
            problems.append(f"{label}: {var.name} is listed twice.")
        seen.add(var.name)
        if any(ord(ch) < 32 for ch in var.description):
            problems.append(f"{label}: the description cannot contain control characters.")
    return problems


@dataclass(frozen=True)
class Plan:
    """The organization's plan as last synced: what a generated app must show.

    Attributes:
        tier: the plan of the organization (a client's is its agency's: one pool).
        badge_required: the platform requires the "Powered by l4yercak3" badge.
        white_label: the platform allows removing every l4yercak3 mark.
        synced: False before the first sync (the free tier's rules apply).
    """

    tier: Tier = Tier.FREE
    badge_required: bool = True
    white_label: bool = False
    synced: bool = False

    def describe(self) -> str:
        """One line for the wizard: the plan and what it means for the app."""
        name = f"{self.tier.value.capitalize()} plan"
        if self.badge_required:
            mark = "the app shows the “Powered by l4yercak3” badge"
        elif self.white_label:
            mark = "white label, no l4yercak3 badge"
        else:
            mark = "no badge"
        source = "" if self.synced else " (not synced yet)"
        return f"{name}{source}: {mark}"


@dataclass(frozen=True)
class Draft:
    """What the wizard loads: the config, the project's detection and the publish state."""

    project_id: int
    config: PublishConfig
    detected: tuple[Category, ...]
    repo_url: str | None
    last_published_sha: str | None
    pending_repo: str | None  # "owner/name" created by a run that did not commit yet
    extra_env: tuple[CustomEnvVar, ...] = ()
    queued: bool = False  # a "publish when online" waits in the outbox
    last_error: str | None = None  # why the last queued publish was refused
    plan: Plan = Plan()  # the organization's; `config.tier` follows it


FileStatus = Literal["added", "modified", "unchanged", "removed"]


@dataclass(frozen=True)
class FileChange:
    """One file of the review: its change since the last publish and where it came from."""

    path: str
    status: FileStatus
    diff: str = ""
    origin: ComposedFile | None = None  # None for a file the push removes


@dataclass(frozen=True)
class CheckRecord:
    """The last build check of a project, bound to the exact file set it built.

    Attributes:
        files_hash: `fileset_hash` of what was built.
        ok: whether it built.
        at: when it finished.
        seconds: how long it took.
        problem: the first real error of a failed check ("" when it passed).
        tier: the plan the files were composed for (it decides the badge).
    """

    files_hash: str
    ok: bool
    at: datetime
    seconds: float
    problem: str = ""
    tier: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "files_hash": self.files_hash,
            "ok": self.ok,
            "at": self.at.isoformat(),
            "seconds": round(self.seconds, 1),
            "problem": self.problem,
            "tier": self.tier,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> CheckRecord | None:
        try:
            return cls(
                str(raw["files_hash"]),
                bool(raw["ok"]),
                datetime.fromisoformat(str(raw["at"])),
                float(raw.get("seconds", 0.0)),
                str(raw.get("problem", "")),
                str(raw.get("tier", "")),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Review:
    """Everything the review step shows.

    Attributes:
        files: exactly what the push would commit.
        files_hash: `fileset_hash(files)`, what a build check binds to.
        changes: every file, with its change since the last publish and origin.
        conflicts: where project and integration met and a person should look.
        secrets: secrets found in `files` (they block the push).
        problems: configuration problems (they block the push).
        last_published_sha: the commit the changes are against.
        install: how Vercel will install this set (package manager, command, why).
        lockfile_stale: the pushed lockfile does not match the pushed package.json
            (the build check regenerates it).
        check: the last build check, and whether it built exactly `files`.
    """

    files: dict[str, bytes]
    files_hash: str
    changes: tuple[FileChange, ...]
    conflicts: tuple[str, ...]
    secrets: tuple[SecretHit, ...]
    problems: tuple[str, ...]
    last_published_sha: str | None
    install: str = ""
    lockfile_stale: bool = False
    check: CheckRecord | None = None

    @property
    def text_count(self) -> int:
        return sum(1 for data in self.files.values() if _is_text(data))

    @property
    def check_matches(self) -> bool:
        """The last build check built exactly these files."""
        return self.check is not None and self.check.files_hash == self.files_hash

    def origin_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for change in self.changes:
            if change.origin is not None:
                counts[change.origin.origin] = counts.get(change.origin.origin, 0) + 1
        return counts


@dataclass(frozen=True)
class PublishResult:
    repo_full_name: str
    repo_url: str
    sha: str
    files: int
    requests: int
    created_repo: bool
    diverged: bool
    platform_linked: bool


@dataclass(frozen=True)
class SecretHit:
    """One secret found in the file set: where, and what kind."""

    path: str
    line: int
    kind: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}"


class SecretsFound(UserInputError):
    """The file set holds secrets; nothing was sent."""

    action = "Remove the secrets from these files (use environment variables) and try again."

    def __init__(self, hits: Sequence[SecretHit]) -> None:
        self.hits = tuple(hits)
        listed = "; ".join(str(h) for h in self.hits[:10])
        more = f" and {len(self.hits) - 10} more" if len(self.hits) > 10 else ""
        super().__init__(f"Secrets found, nothing was pushed: {listed}{more}")


class TierLimitReached(UserInputError):
    """The plan's builder-app limit is reached."""

    action = "Upgrade the plan in the Credits section (Pro: 10 apps, Agency: 100)."


class RepoNameTaken(UserInputError):
    """GitHub already has a repository with that name for the owner."""

    action = "Choose another repository name in the App info step."


class CheckRequired(UserInputError):
    """The files to push are not the ones a passing build check built."""

    action = "Run the build check on these files, or push anyway with the explicit override."


class BuildCheckFailed(UserInputError):
    """The build check ran and the build failed (the problem says where)."""

    def __init__(self, problem: BuildProblem | None, message: str) -> None:
        self.problem = problem
        super().__init__(message)


def _is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
