"""Logging handlers: a rotating file in the user log folder, secrets redacted.

Redaction works twice over: values the secrets service hands out are
registered here and replaced wherever they appear, and anything shaped like a
token (GitHub, Stripe, Vercel, bearer headers, webhook secrets) is masked even
if it was never registered.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

from console.errors import ConsoleError

REDACTED = "[redacted]"

_TOKEN_PATTERNS = re.compile(
    r"(gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,}"
    r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9]{8,}"
    r"|l4k_[A-Za-z0-9_]{8,}"
    r"|(?i:bearer|token)\s+[A-Za-z0-9._\-]{12,})"
)

_known: set[str] = set()
_known_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Make sure `value` never reaches a log line (ignores very short values)."""
    if len(value) >= 6:
        with _known_lock:
            _known.add(value)


def redact(text: str) -> str:
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        text = text.replace(value, REDACTED)
    return _TOKEN_PATTERNS.sub(REDACTED, text)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then removes secrets from the whole line (traceback included)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup(log_file: Path, *, level: int = logging.INFO, to_stderr: bool = True) -> None:
    """Install the file handler (1 MB x 5) and, optionally, a stderr handler."""
    # Imported here (~10 ms): the crash net imports this module before the
    # first paint, the handlers are needed only after it.
    import logging.handlers

    log_file.parent.mkdir(parents=True, exist_ok=True)
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(level)
    shutdown()
    file_handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
    )
    handlers: list[logging.Handler] = [file_handler]
    if to_stderr:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(formatter)
        handler._l4_console = True  # type: ignore[attr-defined]
        root.addHandler(handler)


def shutdown() -> None:
    """Flush and remove the handlers `setup` installed."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_l4_console", False):
            root.removeHandler(handler)
            handler.close()


def log_failure(logger: logging.Logger, error: BaseException, message: str, *args: object) -> None:
    """Log an error caught to carry on: expected in one line, unexpected with its traceback.

    For code that catches `Exception` and goes on (a pipeline step, a retry
    loop). A `ConsoleError` (offline, refused, bad input) is expected: one
    INFO line with its text. Anything else is a bug: an ERROR with the
    traceback, which is what it takes to fix it. The formatter redacts both.

    Args:
        logger: the caller's module logger.
        error: what was caught.
        message: %-format of what failed, e.g. "deploy run %d: step %s failed".
        args: its arguments.
    """
    what = message % args if args else message
    if isinstance(error, ConsoleError):
        logger.info("%s: %s (%s)", what, error.user_text(), type(error).__name__)
    else:
        logger.error("%s: unexpected %s", what, type(error).__name__, exc_info=error)
