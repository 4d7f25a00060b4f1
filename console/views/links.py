"""How a view turns a web link it shows (repository, live site) into the URL to open.

The composition root injects the mapping as a view's ``external_url``: on the
sandbox it points at the local pages (`console.sandbox.links.SandboxLinks`),
otherwise links stay as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

ExternalUrl = Callable[[str], str]


def same_url(url: str) -> str:
    """The default mapping: open the link itself."""
    return url
