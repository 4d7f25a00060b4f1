"""The console's own version, as installed (the [project] version in pyproject.toml)."""

from __future__ import annotations

DISTRIBUTION = "l4yercak3-console"


def console_version() -> str:
    """The installed version, or "unknown" when running from a tree that was never installed."""
    # Imported here: importlib.metadata costs 0.1-0.3 s, and the crash net,
    # which reports this version, is imported before the first paint.
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"
