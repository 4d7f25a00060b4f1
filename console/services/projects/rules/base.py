"""What a compatibility rule is, the files it works on, and how rules run in order.

A rule is a small named class: `apply(files, ctx)` edits the project's text
files in place (through `ProjectFiles`) and reports what it could not fix as
findings on `ctx`. The pipeline runs the enabled rules in their fixed order,
each on the output of the previous one, and records per rule a unified diff
(difflib) of every file it changed, so the user can see and turn off each one.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from console.services.projects.jsscan import Source
from console.services.projects.models import (
    EnvVar,
    FileDiff,
    Finding,
    RuleReport,
    Severity,
)

logger = logging.getLogger(__name__)

CODE_SUFFIXES = (".tsx", ".jsx", ".ts", ".js", ".mjs", ".cjs")
DEP_SECTIONS = ("dependencies", "devDependencies")


class ProjectFiles:
    """A project's text files as rules see and change them.

    Binary files (images, fonts) are known by path only and never edited.
    """

    def __init__(self, texts: Mapping[str, str], binaries: Iterable[str] = ()) -> None:
        self._texts = dict(texts)
        self._binaries = frozenset(binaries)

    # --- reading ------------------------------------------------------------
    def read(self, path: str) -> str | None:
        return self._texts.get(path)

    def exists(self, path: str) -> bool:
        return path in self._texts or path in self._binaries

    def paths(self) -> list[str]:
        return sorted(self._texts)

    def snapshot(self) -> dict[str, str]:
        return dict(self._texts)

    def sources(self, suffixes: Sequence[str] = CODE_SUFFIXES) -> Iterator[Source]:
        for path in self.paths():
            if path.endswith(tuple(suffixes)) and "/node_modules/" not in f"/{path}":
                yield Source(path, self._texts[path])

    def first_existing(self, *candidates: str) -> str | None:
        for path in candidates:
            if path in self._texts:
                return path
        return None

    def package_json(self) -> dict[str, Any] | None:
        text = self._texts.get("package.json")
        if text is None:
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None

    # --- writing ------------------------------------------------------------
    def write(self, path: str, text: str) -> None:
        self._texts[path] = text

    def delete(self, path: str) -> None:
        self._texts.pop(path, None)

    def write_package_json(self, data: Mapping[str, Any]) -> None:
        self._texts["package.json"] = json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@dataclass
class RuleContext:
    """What rules get besides the files (targets), and collect besides file changes.

    Attributes:
        targets: rule id -> extra work the project asked that rule for, beyond
            what it finds by itself (see `console.services.projects.heal`);
            each rule documents what its targets name.
    """

    findings: list[Finding] = field(default_factory=list)
    env: dict[str, EnvVar] = field(default_factory=dict)
    current_rule: str = ""
    targets: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def flag(self, path: str, line: int, message: str, severity: Severity = "warning") -> None:
        self.findings.append(Finding(self.current_rule, path, line, message, severity))

    def fixed(self, path: str, line: int, message: str, blocker: str) -> None:
        """Report a fix (`message`) of something that breaks the build without it (`blocker`)."""
        self.findings.append(Finding(self.current_rule, path, line, message, "info", blocker))

    def targets_of(self, rule_id: str) -> tuple[str, ...]:
        return tuple(self.targets.get(rule_id, ()))


class Rule(ABC):
    """One v0 compatibility fix.

    Attributes:
        id: stable identifier (stored in the project's list of disabled rules).
        title: short name shown in the list.
        description: one or two sentences on what it changes and why.
    """

    id: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        """Edit `files` in place; report what cannot be fixed with `ctx.flag`."""


@dataclass(frozen=True)
class PipelineResult:
    """The files after the enabled rules, and what each rule did."""

    texts: dict[str, str]
    reports: tuple[RuleReport, ...]
    env: tuple[EnvVar, ...]


def run_rules(
    texts: Mapping[str, str],
    binaries: Iterable[str],
    rules: Sequence[Rule],
    *,
    disabled: Iterable[str] = (),
    targets: Mapping[str, Sequence[str]] | None = None,
) -> PipelineResult:
    """Run the enabled `rules` in order over a copy of `texts`.

    Args:
        targets: rule id -> extra work for that rule (see `RuleContext.targets`).
    """
    off = frozenset(disabled)
    files = ProjectFiles(texts, binaries)
    ctx = RuleContext(targets=dict(targets or {}))
    reports = []
    for rule in rules:
        if rule.id in off:
            continue
        before = files.snapshot()
        ctx.current_rule = rule.id
        first_finding = len(ctx.findings)
        rule.apply(files, ctx)
        after = files.snapshot()
        diffs = tuple(file_diffs(before, after))
        reports.append(
            RuleReport(
                rule.id,
                rule.title,
                rule.description,
                True,
                diffs,
                tuple(ctx.findings[first_finding:]),
            )
        )
        if diffs:
            logger.info("rule %s changed %d files", rule.id, len(diffs))
    env = tuple(sorted(ctx.env.values(), key=lambda e: e.name))
    return PipelineResult(files.snapshot(), tuple(reports), env)


def unified_diff(path: str, before: str | None, after: str | None) -> str:
    lines = difflib.unified_diff(
        (before or "").splitlines(keepends=True),
        (after or "").splitlines(keepends=True),
        fromfile="/dev/null" if before is None else f"a/{path}",
        tofile="/dev/null" if after is None else f"b/{path}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def file_diffs(before: Mapping[str, str], after: Mapping[str, str]) -> Iterator[FileDiff]:
    """One diff per file that differs between two snapshots of a project's texts."""
    for path in sorted(before.keys() | after.keys()):
        old, new = before.get(path), after.get(path)
        if old != new:
            yield FileDiff(path, old, new, unified_diff(path, old, new))


# --- helpers shared by rules -----------------------------------------------------


def dependency(pkg: Mapping[str, Any], name: str) -> tuple[str, str] | None:
    """(section, version spec) of a dependency, or None."""
    for section in DEP_SECTIONS:
        deps = pkg.get(section)
        if isinstance(deps, dict) and name in deps:
            return section, str(deps[name])
    return None


def set_dependency(
    pkg: dict[str, Any], name: str, version: str, section: str = "dependencies"
) -> None:
    """Set `name` to `version` where it is declared, else in `section`."""
    found = dependency(pkg, name)
    target = found[0] if found else section
    deps = pkg.setdefault(target, {})
    if isinstance(deps, dict):
        deps[name] = version


def remove_dependency(pkg: dict[str, Any], name: str) -> bool:
    removed = False
    for section in DEP_SECTIONS:
        deps = pkg.get(section)
        if isinstance(deps, dict) and name in deps:
            del deps[name]
            removed = True
    return removed


_VERSION_RE = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def major_of(spec: str | None) -> int | None:
    """The major version a spec points at ("^19.0.0" -> 19), None for tags like "latest"."""
    if not spec:
        return None
    m = _VERSION_RE.search(spec)
    return int(m.group(1)) if m else None


def version_tuple(spec: str | None) -> tuple[int, int, int] | None:
    if not spec:
        return None
    m = _VERSION_RE.search(spec)
    if not m:
        return None
    return (int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0))


def module_scope_insert_point(text: str) -> int:
    """Offset just after the leading directive and import block of a module."""
    offset = last = 0
    in_import = False
    for raw in text.splitlines(keepends=True):
        s = raw.strip()
        if in_import:
            if re.search(r"\bfrom\s*['\"]", raw):
                in_import = False
                last = offset + len(raw)
        elif re.match(r"(['\"])use (?:client|server)\1", s):
            last = offset + len(raw)
        elif re.match(r"import\b", s):
            if re.search(r"\bfrom\s*['\"]", raw) or re.match(r"import\s*['\"]", s):
                last = offset + len(raw)
            else:
                in_import = True
        elif s and not s.startswith(("//", "/*", "*")):
            break
        offset += len(raw)
    return last


# --- module-scope statements -------------------------------------------------------

#: What a line may end with when the statement goes on below it.
_CONTINUED_END = re.compile(
    r"(?:[=(\[{,+\-*/%&|^!?:<>.~]|=>|\b(?:new|extends|in|of|instanceof|typeof|await|return))\s*$"
)
#: What a line may start with when it goes on with the statement above it.
_CONTINUING_START = re.compile(
    r"(?:[.?:)\]},+\-*/%&|^=<>]|as\b|satisfies\b|else\b|catch\b|finally\b|in\b|instanceof\b)"
)
#: A control-flow header still waiting for its body (`if (x)` before `throw` on the next line).
_OPEN_HEADER = re.compile(r"^(?:(?:else\s+)?if|for|while|with)\b.*\)\s*$|\belse\s*$", re.S)
_NEXT_CODE = re.compile(r"\S")


@dataclass(frozen=True)
class Statement:
    """One statement at module scope (bracket depth 0), possibly over many lines.

    Attributes:
        start: offset of its first character in the file.
        line: 1-based line it starts on.
        text: its source text.
        code: the same span of the masked code (comments and literal contents blanked).
    """

    start: int
    line: int
    text: str
    code: str


def module_statements(source: Source) -> Iterator[Statement]:
    """The module-scope statements of a file, in order (a lexical split, not a parse).

    A statement ends at a `;` at depth 0, or at the end of a line at depth 0
    unless the line or the next one says it goes on (an operator at the end,
    `.method` or `?` at the start, an `if (...)` still waiting for its body,
    an open template literal).
    """
    code = source.code
    depth = 0
    start: int | None = None
    i = 0
    while i < len(code):
        ch = code[i]
        if start is None:
            if ch.isspace() or ch == ";":
                i += 1
                continue
            start = i
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and ch == ";":
            yield _statement(source, start, i + 1)
            start = None
        elif depth == 0 and ch == "\n" and _ends_at(code, start, i):
            yield _statement(source, start, i)
            start = None
        i += 1
    if start is not None and code[start:].strip():
        yield _statement(source, start, len(code))


def _ends_at(code: str, start: int, newline: int) -> bool:
    head = code[start:newline]
    if head.count("`") % 2:  # inside a template literal
        return False
    if _CONTINUED_END.search(head) or _OPEN_HEADER.search(head.strip()):
        return False
    following = _NEXT_CODE.search(code, newline + 1)
    if following is None:
        return True
    at = following.start()
    return _CONTINUING_START.match(code, at) is None or code.startswith(("++", "--"), at)


def _statement(source: Source, start: int, end: int) -> Statement:
    return Statement(start, source.line_of(start), source.text[start:end], source.code[start:end])


_FUNCTION_HEAD = re.compile(r"\bfunction\b[\s*]*[\w$]*\s*(?:<[^>]*>)?\s*\(")
_METHOD_HEAD = re.compile(
    r"(?<![\w$.])(?!(?:if|for|while|switch|catch|with|function)\b)[\w$]+\s*\([^()]*\)\s*(?::[^{;=]*)?\{"
)
_CLASS_HEAD = re.compile(r"\bclass\b[^{]*\{")


def executed_code(code: str) -> str:
    """Masked code with the bodies of functions and classes blanked: what runs when it loads.

    Arrow functions (block or expression bodies), function expressions and
    declarations, object methods and class bodies only run when called, so a
    `throw` or `process.env` inside them is not evaluated at import.
    """
    out = list(code)

    def blank(a: int, b: int) -> None:
        for k in range(a, min(b, len(out))):
            if out[k] != "\n":
                out[k] = " "

    for match in _FUNCTION_HEAD.finditer(code):
        brace = code.find("{", _close_of(code, match.end() - 1))
        if brace >= 0:
            blank(brace, _close_of(code, brace))
    for match in _CLASS_HEAD.finditer(code):
        blank(match.end() - 1, _close_of(code, match.end() - 1))
    for match in _METHOD_HEAD.finditer(code):
        brace = match.end() - 1
        blank(brace, _close_of(code, brace))
    for match in re.finditer(r"=>", code):
        after = match.end()
        while after < len(code) and code[after].isspace():
            after += 1
        if after < len(code) and code[after] == "{":
            blank(after, _close_of(code, after))
        else:
            blank(after, _expression_end(code, after))
    return "".join(out)


def _close_of(code: str, opening: int) -> int:
    """Offset just past the bracket that closes the one at `opening`."""
    depth = 0
    for k in range(opening, len(code)):
        if code[k] in "([{":
            depth += 1
        elif code[k] in ")]}":
            depth -= 1
            if depth == 0:
                return k + 1
    return len(code)


def _expression_end(code: str, start: int) -> int:
    """Where an arrow function's expression body ends: `,` `;` or a closing bracket at its level."""
    depth = 0
    for k in range(start, len(code)):
        ch = code[k]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return k
            depth -= 1
        elif depth == 0 and ch in ",;":
            return k
    return len(code)
