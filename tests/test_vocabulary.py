"""The shared vocabulary is defined once (console/vocabulary.py) and used everywhere.

Categories, architectures and webhook events: the StrEnums are the source,
the tuples are derived, and the `Literal` written next to each enum names
exactly its values. No other console module lists them again.
"""

from __future__ import annotations

import ast
from enum import StrEnum
from pathlib import Path
from typing import Any, get_args

import pytest

from console import vocabulary
from console.sandbox.platform import models as sandbox_models
from console.services import scaffold
from console.services.platform import models as platform_models
from console.services.projects import models as project_models
from console.services.scaffold import config as scaffold_config
from console.vocabulary import (
    ARCHITECTURES,
    CATEGORY_IDS,
    WEBHOOK_EVENTS,
    Architecture,
    ArchitectureName,
    Category,
    CategoryId,
    WebhookEvent,
    WebhookEventName,
)

ROOT = Path(__file__).resolve().parents[1] / "console"

FORMS: list[tuple[type[StrEnum], Any, tuple[str, ...]]] = [
    (Category, CategoryId, CATEGORY_IDS),
    (Architecture, ArchitectureName, ARCHITECTURES),
    (WebhookEvent, WebhookEventName, WEBHOOK_EVENTS),
]


@pytest.mark.parametrize(("enum", "literal", "derived"), FORMS)
def test_vocabulary_literal_and_tuple_match_the_enum(
    enum: type[StrEnum], literal: Any, derived: tuple[str, ...]
) -> None:
    values = tuple(member.value for member in enum)
    assert get_args(literal) == values
    assert derived == values
    assert all(type(v) is str for v in derived)


def test_vocabulary_other_modules_use_the_one_definition() -> None:
    assert scaffold.Category is scaffold_config.Category is Category
    assert scaffold.Architecture is Architecture
    assert scaffold_config.WEBHOOK_EVENTS is WEBHOOK_EVENTS
    for module in (platform_models, sandbox_models):
        assert module.CATEGORY_IDS is CATEGORY_IDS
        assert module.ARCHITECTURES is ARCHITECTURES
        assert module.WEBHOOK_EVENTS is WEBHOOK_EVENTS
    assert project_models.CATEGORY_IDS is CATEGORY_IDS
    assert project_models.ARCHITECTURES is ARCHITECTURES


def test_vocabulary_every_category_has_its_catalog_entry_and_label() -> None:
    assert tuple(c.id for c in sandbox_models.CATEGORIES) == CATEGORY_IDS
    assert list(platform_models.OBJECT_TYPE_OF) == list(CATEGORY_IDS)
    assert set(project_models.CATEGORY_LABELS) == set(CATEGORY_IDS)
    assert set(project_models.ARCHITECTURE_LABELS) == set(ARCHITECTURES)


def _string_listings(tree: ast.AST) -> list[tuple[int, set[str]]]:
    """Tuples, lists, sets and `Literal[...]`s made only of string constants."""
    found: list[tuple[int, set[str]]] = []
    for node in ast.walk(tree):
        elts: list[ast.expr] | None = None
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            elts = node.elts
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple):
            elts = node.slice.elts
        strings = {e.value for e in elts or () if isinstance(e, ast.Constant)}
        if elts and len(strings) == len(elts) and all(isinstance(s, str) for s in strings):
            found.append((getattr(node, "lineno", 0), {str(s) for s in strings}))
    return found


def test_vocabulary_is_listed_nowhere_else() -> None:
    # A second full listing of any vocabulary is a second definition.
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if path == Path(vocabulary.__file__).resolve():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, strings in _string_listings(tree):
            for enum, _, values in FORMS:
                if set(values) <= strings:
                    offenders.append(f"{path.relative_to(ROOT)}:{line} lists {enum.__name__}")
    assert offenders == []
