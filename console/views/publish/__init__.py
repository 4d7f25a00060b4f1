"""The publish wizard (issue 5): `PublishWizard` is what the composition root opens."""

from __future__ import annotations

from console.views.publish.wizard import PublishWizard

__all__ = ["PublishWizard"]
