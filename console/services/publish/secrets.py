"""The secret scan that runs on a file set before any byte of it leaves the machine."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from console.services.publish.model import SecretHit

logger = logging.getLogger(__name__)

_SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("live Stripe secret key", re.compile(r"\b(?:sk|rk)_live_[0-9A-Za-z]{10,}")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})")),
    (
        "Vercel token",
        re.compile(
            r"(?i)\bvercel[_-]?(?:api[_-]?)?(?:access[_-]?)?token\b[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9]{20,}"
        ),
    ),
    ("private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
)
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
_ENV_TEMPLATES = (".example", ".sample", ".template", ".dist")


def _is_env_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    if not (name == ".env" or name.startswith(".env.")):
        return False
    return not name.endswith(_ENV_TEMPLATES)


def scan_secrets(files: Mapping[str, bytes]) -> list[SecretHit]:
    """Secrets in a file set: live Stripe keys, GitHub/Vercel tokens, private keys, .env values.

    Binary files are skipped. Values are never logged or returned, only where they are.
    """
    hits: list[SecretHit] = []
    for path in sorted(files):
        try:
            text = files[path].decode("utf-8")
        except UnicodeDecodeError:
            continue
        env_file = _is_env_file(path)
        for number, line in enumerate(text.splitlines(), start=1):
            for kind, pattern in _SECRET_PATTERNS:
                if pattern.search(line):
                    hits.append(SecretHit(path, number, kind))
                    break
            else:
                if env_file:
                    match = _ENV_LINE.match(line)
                    if match and match.group(2).strip("\"'"):
                        hits.append(SecretHit(path, number, f".env value of {match.group(1)}"))
    if hits:
        logger.info("secret scan: %d hit(s) in %d file(s)", len(hits), len({h.path for h in hits}))
    return hits
