"""Stripe's bracket form encoding (`a[b][0][c]=v`), as stripe-python sends it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from console.sandbox.stripe.errors import invalid

_PART = re.compile(r"[^\[\]]+|\[\]")


def decode_form(text: str) -> dict[str, Any]:
    """Decode a form body or query string into nested dicts and lists.

    `line_items[0][price]=p` gives `{"line_items": [{"price": "p"}]}`;
    `expand[]=a&expand[]=b` and `expand[0]=a&expand[1]=b` both give a list.
    Values stay strings: each endpoint converts what it reads.
    """
    root: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        parts = _PART.findall(key)
        if not parts:
            continue
        node: Any = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            following = None if last else parts[index + 1]
            fresh: Any = [] if following == "[]" or (following or "").isdigit() else {}
            if isinstance(node, list):
                if part == "[]":
                    if last:
                        node.append(value)
                        break
                    node.append(fresh)
                    node = node[-1]
                    continue
                if not part.isdigit():
                    break  # `a[0]=x&a[k]=y`: mixed shapes, ignore the odd one
                position = int(part)
                while len(node) <= position:
                    node.append(None)
                if last:
                    node[position] = value
                else:
                    if node[position] is None:
                        node[position] = fresh
                    node = node[position]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, fresh)
    return root


def as_list(value: Any) -> list[Any]:
    """A form array (list, or dict with numeric keys from odd encoders) as a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return [v for v in value if v is not None]
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=lambda k: int(k) if k.isdigit() else 0)]
    return [value]


def as_bool(value: Any, default: bool = False) -> bool:
    if value is None:
        return default
    return str(value).lower() == "true"


def as_int(value: Any, param: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError as exc:
        raise invalid(param, f"Invalid integer: {value}") from exc


def as_metadata(value: Any, param: str = "metadata") -> dict[str, str]:
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise invalid(param, "Invalid object")
    return {str(k): str(v) for k, v in value.items() if v != ""}
