"""Request checks of the platform sandbox, matching the constraints in platform.yaml.

The sandbox ships with the console, which has no JSON-schema library at
runtime, so bodies and query parameters are checked here by hand. Anything
invalid is `422 validation_failed`, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from console.sandbox.platform.errors import validation_failed
from console.sandbox.platform.timeutil import parse_iso

logger = logging.getLogger(__name__)

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")


def is_uri(value: str, *, http_only: bool = False) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if not parts.scheme or _SCHEME.fullmatch(parts.scheme) is None:
        return False
    if http_only:
        return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    return True


class Body:
    """Typed access to a JSON object request body."""

    def __init__(self, raw: object) -> None:
        if not isinstance(raw, dict):
            raise validation_failed("the request body must be a JSON object")
        self.data: dict[str, Any] = raw

    def has(self, name: str) -> bool:
        return name in self.data

    def require_any(self) -> None:
        if not self.data:
            raise validation_failed("the request body must change at least one field")

    def string(
        self,
        name: str,
        *,
        required: bool = False,
        min_len: int = 0,
        max_len: int | None = None,
        pattern: re.Pattern[str] | None = None,
        nullable: bool = False,
        fmt: str | None = None,
    ) -> str | None:
        if name not in self.data:
            if required:
                raise validation_failed(f"{name} is required")
            return None
        value = self.data[name]
        if value is None:
            if nullable:
                return None
            raise validation_failed(f"{name} must not be null")
        if not isinstance(value, str):
            raise validation_failed(f"{name} must be a string")
        if len(value) < min_len:
            raise validation_failed(f"{name} must have at least {min_len} characters")
        if max_len is not None and len(value) > max_len:
            raise validation_failed(f"{name} must have at most {max_len} characters")
        if pattern is not None and pattern.fullmatch(value) is None:
            raise validation_failed(f"{name} does not match {pattern.pattern}")
        if fmt == "email" and EMAIL.fullmatch(value) is None:
            raise validation_failed(f"{name} must be an e-mail address")
        if fmt == "uri" and not is_uri(value):
            raise validation_failed(f"{name} must be an absolute URI")
        if fmt == "http" and not is_uri(value, http_only=True):
            raise validation_failed(f"{name} must be an http(s) URL")
        return value

    def enum(self, name: str, values: Sequence[str], *, required: bool = False) -> str | None:
        value = self.string(name, required=required)
        if value is not None and value not in values:
            raise validation_failed(f"{name} must be one of {', '.join(values)}")
        return value

    def string_list(
        self,
        name: str,
        *,
        required: bool = False,
        min_items: int = 0,
        max_items: int | None = None,
        unique: bool = False,
        values: Sequence[str] | None = None,
        item_min: int = 0,
        item_max: int | None = None,
    ) -> list[str] | None:
        if name not in self.data:
            if required:
                raise validation_failed(f"{name} is required")
            return None
        items = self.data[name]
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise validation_failed(f"{name} must be an array of strings")
        if len(items) < min_items:
            raise validation_failed(f"{name} must have at least {min_items} items")
        if max_items is not None and len(items) > max_items:
            raise validation_failed(f"{name} must have at most {max_items} items")
        if unique and len(set(items)) != len(items):
            raise validation_failed(f"{name} must not repeat items")
        for item in items:
            if values is not None and item not in values:
                raise validation_failed(f"{name}: unknown value {item!r}")
            if len(item) < item_min or (item_max is not None and len(item) > item_max):
                raise validation_failed(f"{name}: item length out of range")
        return list(items)


class Query:
    """Typed access to query parameters."""

    def __init__(self, params: Mapping[str, str]) -> None:
        self.params = params

    def string(self, name: str) -> str | None:
        value = self.params.get(name)
        return value if value else None

    def enum(self, name: str, values: Sequence[str], default: str | None = None) -> str | None:
        value = self.params.get(name)
        if value is None or value == "":
            return default
        if value not in values:
            raise validation_failed(f"{name} must be one of {', '.join(values)}")
        return value

    def integer(self, name: str, *, default: int, minimum: int, maximum: int) -> int:
        value = self.params.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise validation_failed(f"{name} must be an integer") from None
        if not minimum <= number <= maximum:
            raise validation_failed(f"{name} must be between {minimum} and {maximum}")
        return number

    def limit(self, default: int = 50, maximum: int = 200) -> int:
        return self.integer("limit", default=default, minimum=1, maximum=maximum)

    def timestamp(self, name: str) -> datetime | None:
        value = self.params.get(name)
        if value is None or value == "":
            return None
        try:
            return parse_iso(value)
        except ValueError:
            raise validation_failed(f"{name} must be an RFC 3339 date-time") from None


def encode_cursor(sort_value: str, row_id: str) -> str:
    raw = json.dumps([sort_value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise validation_failed("cursor is not valid") from None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(part, str) for part in value)
    ):
        raise validation_failed("cursor is not valid")
    return value[0], value[1]
