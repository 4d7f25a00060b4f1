"""A small lexical scan of JS/TS/TSX source: good enough for heuristics, not a parser.

`mask_code()` blanks comments and the contents of string and template
literals (keeping the quotes, newlines and every offset), so regular
expressions over the result only see code. `line_depths()` gives the bracket
depth at the start of each line, which tells module-scope statements (depth
0) from code inside functions.

Known limits: regular-expression literals are read as code, and an apostrophe
in JSX text opens a "string" that ends at the end of its line (so one line's
code may be hidden, never more).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cached_property

logger = logging.getLogger(__name__)

_OPEN = "{(["
_CLOSE = "})]"


def mask_code(text: str, *, strings: bool = True) -> str:
    """`text` with comments (and, if `strings`, literal contents) blanked, same length."""
    out = list(text)
    i, n = 0, len(text)
    # Stack of contexts: "code" or "tpl"; each code context inside a template
    # counts its own braces to find the `}` that closes `${`.
    stack: list[list[int]] = []  # for ${ } nesting: brace depth inside the expression
    in_template = False

    def blank(a: int, b: int) -> None:
        for k in range(a, min(b, n)):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        ch = text[i]
        if in_template:
            if ch == "\\":
                if strings:
                    blank(i, i + 2)
                i += 2
                continue
            if ch == "`":
                in_template = False
                i += 1
                continue
            if ch == "$" and i + 1 < n and text[i + 1] == "{":
                stack.append([0])
                in_template = False
                i += 2
                continue
            if strings:
                blank(i, i + 1)
            i += 1
            continue
        nxt = text[i + 1] if i + 1 < n else ""
        if ch == "/" and nxt == "/":
            end = text.find("\n", i)
            end = n if end < 0 else end
            blank(i, end)
            i = end
            continue
        if ch == "/" and nxt == "*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            blank(i, end)
            i = end
            continue
        if ch in "'\"":
            j = i + 1
            while j < n and text[j] != ch and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            if strings:
                blank(i + 1, j)
            i = j + 1 if j < n and text[j] == ch else j
            continue
        if ch == "`":
            in_template = True
            i += 1
            continue
        if stack:
            if ch == "{":
                stack[-1][0] += 1
            elif ch == "}":
                if stack[-1][0] == 0:
                    stack.pop()
                    in_template = True
                    i += 1
                    continue
                stack[-1][0] -= 1
        i += 1
    return "".join(out)


def line_depths(code: str) -> list[int]:
    """Bracket depth ({, (, [) at the start of each line of masked code."""
    depths: list[int] = []
    depth = 0
    for line in code.split("\n"):
        depths.append(depth)
        for ch in line:
            if ch in _OPEN:
                depth += 1
            elif ch in _CLOSE:
                depth = max(0, depth - 1)
    return depths


@dataclass
class Source:
    """One file's text with its masked code and per-line depths, computed once."""

    path: str
    text: str

    @cached_property
    def code(self) -> str:
        return mask_code(self.text)

    @cached_property
    def uncommented(self) -> str:
        """The text without comments (strings kept)."""
        return mask_code(self.text, strings=False)

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @cached_property
    def code_lines(self) -> list[str]:
        return self.code.split("\n")

    @cached_property
    def depths(self) -> list[int]:
        return line_depths(self.code)

    @cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        for m in re.finditer("\n", self.text):
            starts.append(m.end())
        return starts

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset."""
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    def directive(self) -> str | None:
        """ "use client" / "use server" if the file starts with one."""
        m = re.match(
            r"\s*(?:(?://[^\n]*|/\*.*?\*/)\s*)*(['\"])(use (?:client|server))\1", self.text, re.S
        )
        return m.group(2) if m else None


IMPORT_RE = re.compile(
    r"""^\s*import\s+(?:type\s+)?(?P<what>[\w*\s{},$]*?)\s*(?:from\s+)?(?P<q>['"])(?P<module>[^'"]+)(?P=q)""",
    re.M,
)


def imports(text: str) -> list[tuple[str, str, int]]:
    """(module, imported clause, offset) of each static import in `text`."""
    return [(m.group("module"), m.group("what"), m.start()) for m in IMPORT_RE.finditer(text)]


def imported_names(clause: str) -> list[str]:
    """Local names bound by an import clause (`A, { B as C, type D }` -> A, C, D)."""
    names: list[str] = []
    clause = clause.strip()
    braces = re.search(r"\{([^}]*)\}", clause)
    head = clause[: braces.start()] if braces else clause
    for part in head.split(","):
        part = part.strip()
        if part.startswith("* as "):
            names.append(part[5:].strip())
        elif part and part != "type":
            names.append(part)
    if braces:
        for part in braces.group(1).split(","):
            part = re.sub(r"^\s*type\s+", "", part).strip()
            if not part:
                continue
            names.append(part.split(" as ")[-1].strip())
    return names


def imported_originals(clause: str) -> list[str]:
    """Exported names an import clause asks for (`{ B as C }` -> B; default -> "default")."""
    names: list[str] = []
    clause = clause.strip()
    braces = re.search(r"\{([^}]*)\}", clause)
    head = clause[: braces.start()] if braces else clause
    for part in head.split(","):
        part = part.strip()
        if part and not part.startswith("* as ") and part != "type":
            names.append("default")
    if braces:
        for part in braces.group(1).split(","):
            part = re.sub(r"^\s*type\s+", "", part).strip()
            if part:
                names.append(part.split(" as ")[0].strip())
    return names
