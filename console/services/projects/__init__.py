"""Projects: the list, offline import and templates, analysis, v0 compatibility, sync.

`ProjectService` (service.py) is what views use; `builder_app_handlers`
(sync.py) are the outbox handlers the composition root registers.
"""

from __future__ import annotations

from console.services.projects.service import TEMPLATES, ProjectService, slugify
from console.services.projects.sync import (
    KIND_CREATE,
    KIND_UPDATE,
    BuilderAppsApi,
    builder_app_handlers,
    create_handler,
    target_for,
    update_handler,
)

__all__ = [
    "KIND_CREATE",
    "KIND_UPDATE",
    "TEMPLATES",
    "BuilderAppsApi",
    "ProjectService",
    "builder_app_handlers",
    "create_handler",
    "slugify",
    "target_for",
    "update_handler",
]
