"""API contracts the console and its sandboxes follow (OpenAPI documents)."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any, cast

import yaml

logger = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent


def platform_spec_path() -> Path:
    """Return the path of the platform API contract (`platform.yaml`)."""
    return _HERE / "platform.yaml"


@functools.cache
def _load_platform_spec_text() -> str:
    return platform_spec_path().read_text(encoding="utf-8")


def load_platform_spec() -> dict[str, Any]:
    """Parse the platform API contract.

    Returns:
        A fresh dict each call (callers may mutate it).
    """
    spec = yaml.safe_load(_load_platform_spec_text())
    if not isinstance(spec, dict):
        raise ValueError("platform.yaml is not an OpenAPI document")
    return cast(dict[str, Any], spec)
