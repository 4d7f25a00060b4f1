"""ChangeSet: what one committed write to the local store touched.

A neutral module (no SQLAlchemy, no Qt): the store publishes change sets,
services and views read them to decide what to reload. `ChangeSource` is
what publishes them (the store), as the views' StoreBridge sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class ChangeSet:
    """What one committed write touched.

    Attributes:
        tables: table name -> ids of the rows written (empty set: "many rows").
        initiator: opaque token of who asked for the write, so a view can
            ignore the echo of its own change.
    """

    tables: dict[str, frozenset[Any]]
    initiator: object | None = None

    def touches(self, *names: str) -> bool:
        return any(name in self.tables for name in names)

    def ids(self, name: str) -> frozenset[Any]:
        return self.tables.get(name, frozenset())


Subscriber = Callable[[ChangeSet], None]


class ChangeSource(Protocol):
    """Publishes a ChangeSet per committed write (the store)."""

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback` after every committed write; returns an unsubscribe function."""
        ...


__all__ = ["ChangeSet", "ChangeSource", "Subscriber"]
