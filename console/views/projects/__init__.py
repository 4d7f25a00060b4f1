"""The Projects section (page, detail, dialogs); see `ProjectsPage`."""

from __future__ import annotations

from console.views.projects.page import ProjectsPage

__all__ = ["ProjectsPage"]
