"""What the console reports outside the normal flow: a `Report`, shown by `ReportDialog`.

Plain data, without widgets, so the crash net can build reports before the
dialog module is loaded (after the first paint).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class ReportKind(Enum):
    #: An unexpected error the console carried on after.
    ERROR = "error"
    #: The console cannot go on: it closes with the dialog.
    FATAL = "fatal"
    #: Something the user should know at start (the last run died, the store was repaired).
    NOTICE = "notice"


@dataclass(frozen=True)
class Report:
    """One thing to tell the user, with where to look.

    Attributes:
        kind: how the console goes on after it.
        title: a short headline.
        text: what happened and what it means for the user's work.
        path: the file or folder it points to (log, crash file, damaged store).
        path_label: what `path` is ("Log file", "Crash file", ...).
        details: what "Copy details" copies (versions, traceback); redacted
            by whoever builds the report.
    """

    kind: ReportKind
    title: str
    text: str
    path: Path | None = None
    path_label: str = ""
    details: str = ""
