"""The scaffold generator: publish configuration -> files of a Next.js app (DESIGN.md section 4).

- `config`: `PublishConfig` (wizard steps 1-6), its `validate()`, `env_vars()`
  (step 7), and what the deploy step registers (`webhook_events`, `api_scopes`).
- `generator`: `render_scaffold(config)` and `merge_v0(scaffold, v0_files)`.
- `webhook`: how the platform signs the webhooks a generated app verifies.
- `preflight`: type-check and `next build` a generated app locally.
"""

from __future__ import annotations

from console.services.scaffold.config import (
    Architecture,
    AuthProvider,
    Backend,
    Category,
    ConfigProblem,
    EnvVar,
    InvalidPublishConfig,
    Payments,
    PublishConfig,
    Tier,
    api_scopes,
    env_vars,
    webhook_events,
)
from console.services.scaffold.generator import (
    SCAFFOLD_OWNED,
    MergeConflict,
    MergeResult,
    merge_v0,
    render_scaffold,
)

__all__ = [
    "SCAFFOLD_OWNED",
    "Architecture",
    "AuthProvider",
    "Backend",
    "Category",
    "ConfigProblem",
    "EnvVar",
    "InvalidPublishConfig",
    "MergeConflict",
    "MergeResult",
    "Payments",
    "PublishConfig",
    "Tier",
    "api_scopes",
    "env_vars",
    "merge_v0",
    "render_scaffold",
    "webhook_events",
]
