"""The scaffold generator: publish configuration -> files of a Next.js app.

- `config`: `PublishConfig` (wizard steps 1-6), its `validate()`, `env_vars()`
  (step 7), and what the deploy step registers (`webhook_events`, `api_scopes`).
- `generator`: `render_scaffold(config)`, the files of a whole generated app.
- `compose`: `compose(project_files, config)`, what a publish pushes: the
  project with the integration layer on top (or the whole scaffold).
- `webhook`: how the platform signs the webhooks a generated app verifies.
"""

from __future__ import annotations

from console.services.scaffold.compose import ComposedFile, Composition, compose
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
from console.services.scaffold.generator import render_scaffold

__all__ = [
    "Architecture",
    "AuthProvider",
    "Backend",
    "Category",
    "ComposedFile",
    "Composition",
    "ConfigProblem",
    "EnvVar",
    "InvalidPublishConfig",
    "Payments",
    "PublishConfig",
    "Tier",
    "api_scopes",
    "compose",
    "env_vars",
    "render_scaffold",
    "webhook_events",
]
