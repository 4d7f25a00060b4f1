"""The one error type the platform sandbox raises towards its HTTP layer."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An API error answered as `{"error": {"code", "message"}}`.

    Args:
        status: HTTP status code.
        code: Machine-readable code (see platform.yaml, Conventions).
        message: Human text.
        details: Extra fields of the error object some answers carry
            (a refused reply's `newerMessages` or `handledBy`).
    """

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = dict(details or {})

    def payload(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.details}}


def validation_failed(message: str) -> ApiError:
    return ApiError(422, "validation_failed", message)


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


def conflict(message: str) -> ApiError:
    return ApiError(409, "conflict", message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def reply_refused(code: str, message: str, **details: Any) -> ApiError:
    """A 409 refusing a conversation reply: one shape, a code per reason (platform.yaml)."""
    return ApiError(409, code, message, details)
