"""The one error type of the Vercel sandbox."""

from __future__ import annotations

from typing import Any


class VercelApiError(Exception):
    """An error the HTTP layer renders in Vercel's shape `{"error": {code, message}}`."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
