"""Publishing: a project's draft configuration to one commit on GitHub.

- `model`: what publishing stores, shows and raises (drafts, reviews, results, errors).
- `service`: `PublishService`: drafts, the composed file set and its review, the
  build check, the push, and the offline queue.
- `check`: how the build check binds to the exact file set it built.
- `secrets`: the secret scan every file set passes before it leaves the machine.
- `remotes`: what publishing needs of the GitHub and platform clients.
"""

from __future__ import annotations

from console.services.publish.check import Builder, CheckReport, fileset_hash
from console.services.publish.model import (
    KIND_LINK,
    KIND_PUBLISH,
    STEPS,
    CheckRecord,
    CheckRequired,
    CustomEnvVar,
    Draft,
    FileChange,
    Plan,
    PublishResult,
    RepoNameTaken,
    Review,
    SecretHit,
    SecretsFound,
    TierLimitReached,
    custom_env_problems,
    target_for,
)
from console.services.publish.remotes import GitHubApi, PlatformApi
from console.services.publish.secrets import scan_secrets
from console.services.publish.service import (
    HEAL_ROUNDS,
    PublishService,
    Remedies,
    parse_repo_url,
    published_config,
    unified_diff,
)

__all__ = [
    "HEAL_ROUNDS",
    "KIND_LINK",
    "KIND_PUBLISH",
    "STEPS",
    "Builder",
    "CheckRecord",
    "CheckReport",
    "CheckRequired",
    "CustomEnvVar",
    "Draft",
    "FileChange",
    "GitHubApi",
    "Plan",
    "PlatformApi",
    "PublishResult",
    "PublishService",
    "Remedies",
    "RepoNameTaken",
    "Review",
    "SecretHit",
    "SecretsFound",
    "TierLimitReached",
    "custom_env_problems",
    "fileset_hash",
    "parse_repo_url",
    "published_config",
    "scan_secrets",
    "target_for",
    "unified_diff",
]
