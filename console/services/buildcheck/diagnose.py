"""Read the first real error out of an install's or a build's output.

The last lines of a failed build are generic ("Next.js build worker exited
with code: 1", "> Build failed because of webpack errors", "ELIFECYCLE"); the
cause is further up and has one of a few known shapes. `first_error` scans
the output top down, tier by tier: a known shape (type error, missing module,
variable read at build time, font fetch, peer conflict, outdated lockfile,
CSS, browser API while prerendering); then the build worker dying while Next
collects page data; then a network error; then the first other line that
says "error"; at last a line naming the route that failed. Within a tier the
earliest line wins. Network errors rank low because a font or registry
failure prints its ENOTFOUND lines before the message that names what failed.

Wordings covered: Next 14 and 15 with webpack, Next 15 and 16 with
Turbopack, npm 10/11, pnpm, Yarn 1 and Yarn 4.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

from console.services.buildcheck.problems import BuildProblem, ProblemKind
from console.services.buildcheck.process import strip_escapes

logger = logging.getLogger(__name__)

#: How far (in lines) a location or a detail is looked for around an error line.
_NEAR = 4
#: A line that is only a path, perhaps with :line:col (webpack and Turbopack print these).
_LOCATION = re.compile(
    r"^\s*(?:\[project\]/|\./)?(?P<path>[\w@.\-\[\]()+/]+\.[A-Za-z0-9]{1,5})"
    r"(?::(?P<line>\d+)(?::\d+)?)?(?:\s+\[[^\]]*\])?\s*$"
)
#: A project path with line inside a stack frame or message: `(app/page.tsx:2:17)`.
_FRAME = re.compile(
    r"\(?(?P<path>(?:\./|/)?[\w@.\-\[\]()+/]+\.[A-Za-z0-9]{1,5}):(?P<line>\d+):\d+\)?"
)
#: SWC's code frame header: `,-[/abs/components/hero.tsx:14:1]`.
_SWC_FRAME = re.compile(r",-\[(?P<path>[^\]]+?):(?P<line>\d+):\d+\]")
_TSC = re.compile(r"^(?P<path>\S.*?)\((?P<line>\d+),\d+\): error TS\d+: (?P<text>.*)$")

_ROUTE_PATTERNS = (
    re.compile(r'prerendering page "(?P<route>[^"]+)"'),
    re.compile(r"Failed to collect (?:page data|configuration) for (?P<route>/[^\s\]]*)"),
    re.compile(r"Export encountered an error on \S+: (?P<route>/[^\s,]*)"),
)

# Lines that report that something failed, never what: skipped when looking for the cause.
_GENERIC = re.compile(
    "|".join(
        (
            r"--pretty false",
            r"exited with (?:code:? )?-?\d+",
            r"Build failed because of webpack errors",
            r"Build error occurred",
            r"^\s*Failed to compile\.?\s*$",
            r"^\s*Failed to type check\.?\s*$",
            r"Turbopack build failed with \d+ errors?",
            r"ELIFECYCLE",
            r"ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL",
            r"Command failed with exit code",
            r"A complete log of this run can be found",
            r"^\s*npm (?:error|ERR!) (?:code \d+|path |command |signal |errno )",
            r"^\s*npm (?:error|ERR!)\s*$",
            r"^\s*error Command failed",
            r"^\s*info Visit https://yarnpkg",
            r"Read more: https://nextjs\.org/docs/messages/",
            r"^\s*https://nextjs\.org/docs/messages/",
            r"Export encountered (?:an error|errors)",
            r"prerendering page",
            r"Failed to collect (?:page data|configuration) for",
            r"^\s*\{ type: 'Error' \}\s*$",
            r"^\s*\[cause\]:\s*$",
        )
    )
)
_WARNING = re.compile(r"^\s*(?:npm warn\b|warn(?:ing)?\b|⚠|<w>)", re.IGNORECASE)
_STACK = re.compile(r"^\s+at |^\s*\|?\s*\d+ \||^\s*>\s*\d+ \||^\s+\|")
_ANY_ERROR = re.compile(r"Error|error|ERR!|ERR_[A-Z0-9_]+|\bERROR\b|✕|⨯")

_LINE_WIDTH = 500  # a message line longer than this is cut (minified bundles)


def first_error(
    lines: Sequence[str], step: str, *, workdir: Path | str | None = None
) -> BuildProblem | None:
    """The first real error of a failed step's output, or None when there is none.

    Args:
        lines: the step's output lines, in order.
        step: the step they come from ("install", "build"...).
        workdir: the project folder, stripped from paths so they are
            project-relative.
    """
    clean = [strip_escapes(line).rstrip() for line in lines]
    scan = _Scan(clean, step, _prefixes(workdir))
    for tier in (_SHAPES, (_exit_while_collecting,), (_network,), (_other,), (_context_only,)):
        found = scan.earliest(tier)
        if found is not None:
            return found
    return None


def locate_import(problem: BuildProblem, files: Mapping[str, bytes]) -> BuildProblem:
    """Fill in where a missing module is imported when the build did not say.

    webpack names only the importing file, and sometimes not even that; the
    import itself is looked up in the project's sources: in the named file,
    or, when none is named, in the one source file that imports it.
    """
    if problem.kind != "module-not-found" or not problem.subject or problem.line is not None:
        return problem
    quoted = re.compile(
        r"""(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)["'`]"""
        + re.escape(problem.subject)
        + r"""["'`]"""
    )
    candidates = [problem.file] if problem.file else sorted(p for p in files if _is_source(p))
    hits: list[tuple[str, int]] = []
    for path in candidates:
        content = files.get(path)
        if content is None:
            continue
        for number, text in enumerate(content.decode("utf-8", "replace").splitlines(), start=1):
            if quoted.search(text):
                hits.append((path, number))
                break
    if len(hits) != 1:
        return problem
    path, number = hits[0]
    return replace(problem, file=path, line=number)


# ---------------------------------------------------------------------- scanning
Matcher = Callable[["_Scan", int], BuildProblem | None]


class _Scan:
    """The output of one step, with helpers the matchers share."""

    def __init__(self, lines: list[str], step: str, prefixes: tuple[str, ...]) -> None:
        self.lines = lines
        self.step = step
        self._prefixes = prefixes

    def earliest(self, matchers: Sequence[Matcher]) -> BuildProblem | None:
        for index, text in enumerate(self.lines):
            if _WARNING.match(text):
                continue
            for matcher in matchers:
                found = matcher(self, index)
                if found is not None:
                    return found
        return None

    def problem(
        self,
        kind: ProblemKind,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        subject: str = "",
    ) -> BuildProblem:
        for prefix in self._prefixes:
            message = message.replace(prefix, "")
        return BuildProblem(
            kind=kind,
            message="\n".join(part.strip()[:_LINE_WIDTH] for part in message.splitlines()),
            step=self.step,
            file=self.relative(file) if file else None,
            line=line,
            subject=subject,
        )

    def relative(self, path: str) -> str:
        """A path as the project names it: no workdir prefix, no `./`, no `[project]/`."""
        for prefix in self._prefixes:
            if path.startswith(prefix):
                path = path[len(prefix) :]
                break
        for lead in ("[project]/", "./"):
            path = path.removeprefix(lead)
        return path

    def location_before(self, index: int) -> tuple[str | None, int | None]:
        """The path (and line) printed on its own just above `index`."""
        for back in range(index - 1, max(index - 1 - _NEAR, -1), -1):
            text = self.lines[back]
            if not text.strip():
                continue
            match = _LOCATION.match(text)
            if match:
                number = match.group("line")
                return match.group("path"), int(number) if number else None
            if not _is_heading(text):
                break
        return None, None

    def frame_after(self, index: int, span: int = 12) -> tuple[str | None, int | None]:
        """The first project file in a stack frame or code frame below `index`."""
        for text in self.lines[index : index + span]:
            for match in (*_SWC_FRAME.finditer(text), *_FRAME.finditer(text)):
                path = self.relative(match.group("path"))
                if _is_project_path(path):
                    return path, int(match.group("line"))
        return None, None

    def route_near(self, index: int) -> str:
        """The route being built around `index` (prerender and page-data lines)."""
        start = max(index - 10, 0)
        for text in self.lines[start:]:
            for pattern in _ROUTE_PATTERNS:
                match = pattern.search(text)
                if match:
                    return match.group("route").rstrip("].,")
        return ""

    def following(self, index: int, span: int) -> list[str]:
        return self.lines[index + 1 : index + 1 + span]


def _prefixes(workdir: Path | str | None) -> tuple[str, ...]:
    if workdir is None:
        return ()
    raw = str(workdir).rstrip("/")
    prefixes = {raw + "/"}
    try:
        prefixes.add(str(Path(raw).resolve()).rstrip("/") + "/")
    except OSError:
        logger.debug("cannot resolve %s", raw)
    # Longest first, so a resolved path that extends the raw one is stripped whole.
    return tuple(sorted(prefixes, key=len, reverse=True))


def _is_heading(text: str) -> bool:
    """Lines that sit between a location and its message (`next/font` error:)."""
    return bool(
        re.match(r"^\s*(?:`?next/font`? error:|Error:\s*$|Error evaluating Node\.js code)", text)
    )


def _is_project_path(path: str) -> bool:
    return (
        not path.startswith(("/", ".next/", "node:", "[next]", "[turbopack]"))
        and "node_modules" not in path
        and "<anonymous>" not in path
    )


def _is_source(path: str) -> bool:
    return PurePosixPath(path).suffix in (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts")


# ---------------------------------------------------------------------- tier 1: known shapes
def _lockfile_outdated(scan: _Scan, index: int) -> BuildProblem | None:
    text = scan.lines[index]
    if "ERR_PNPM_OUTDATED_LOCKFILE" in text or "ERR_PNPM_LOCKFILE_CONFIG_MISMATCH" in text:
        return scan.problem("lockfile-outdated", text, file="pnpm-lock.yaml")
    if re.search(r"package\.json and package-lock\.json .*(?:are )?(?:not )?in sync", text) or (
        "can only install packages when your package.json and package-lock.json" in text
    ):
        return scan.problem("lockfile-outdated", text, file="package-lock.json")
    if "YN0028" in text or "Your lockfile needs to be updated" in text:
        return scan.problem("lockfile-outdated", text, file="yarn.lock")
    return None


_PEER_FROM = re.compile(r'peer (?P<peer>\S+?@"[^"]*") from (?P<pkg>(?:@[^@\s/]+/)?[^@\s]+)@\S+')
_PNPM_PEER_TREE = re.compile(r"[└├]─┬ (?P<pkg>(?:@[^@\s/]+/)?\S+) \S+")


def _peer_conflict(scan: _Scan, index: int) -> BuildProblem | None:
    text = scan.lines[index]
    if re.search(r"npm (?:error|ERR!) code ERESOLVE", text):
        details = [text]
        for following in scan.following(index, 40):
            match = _PEER_FROM.search(following)
            if match:
                details.append(following)
                return scan.problem("peer-conflict", "\n".join(details), subject=match.group("pkg"))
            if re.search(r"(?:ERESOLVE|Found: |Conflicting peer dependency)", following):
                details.append(following)
        return scan.problem("peer-conflict", "\n".join(details))
    if "ERR_PNPM_PEER_DEP_ISSUES" in text:
        for following in scan.following(index, 20):
            match = _PNPM_PEER_TREE.search(following)
            if match:
                return scan.problem(
                    "peer-conflict", f"{text}\n{following}", subject=match.group("pkg")
                )
        return scan.problem("peer-conflict", text)
    return None


def _type_error(scan: _Scan, index: int) -> BuildProblem | None:
    text = scan.lines[index]
    tsc = _TSC.match(text.strip())
    if tsc:
        missing = re.match(r"Cannot find module '([^']+)'", tsc.group("text"))
        kind: ProblemKind = "module-not-found" if missing else "type-error"
        return scan.problem(
            kind,
            text,
            file=tsc.group("path"),
            line=int(tsc.group("line")),
            subject=missing.group(1) if missing else "",
        )
    if not text.lstrip().startswith("Type error:"):
        return None
    path, line = scan.location_before(index)
    missing = re.search(r"Cannot find module '([^']+)'", text)
    if missing:
        return scan.problem(
            "module-not-found", text, file=path, line=line, subject=missing.group(1)
        )
    return scan.problem("type-error", text, file=path, line=line)


_CANT_RESOLVE = re.compile(r"Can't resolve '(?P<module>[^']+)'")
_CANNOT_FIND = re.compile(r"Cannot find (?:module|package) '(?P<module>[^']+)'")


def _module_not_found(scan: _Scan, index: int) -> BuildProblem | None:
    text = scan.lines[index]
    if "Module not found" in text:
        match = _CANT_RESOLVE.search(text)
        if match is None:
            for following in scan.following(index, 2):
                match = _CANT_RESOLVE.search(following)
                if match:
                    text = f"{text}\n{following}"
                    break
        path, line = scan.location_before(index)
        module = match.group("module") if match else ""
        return scan.problem("module-not-found", text, file=path, line=line, subject=module)
    match = _CANNOT_FIND.search(text)
    if match and re.search(r"Error|error", text):
        module = scan.relative(match.group("module"))
        return scan.problem("module-not-found", text, subject=_package_of(module))
    return None


def _package_of(module: str) -> str:
    """`/x/node_modules/@scope/pkg/dist/a.js` -> `@scope/pkg`; anything else as is."""
    _, sep, inside = module.rpartition("node_modules/")
    if not sep:
        return module
    parts = inside.split("/")
    return "/".join(parts[:2]) if parts[0].startswith("@") else parts[0]


_FONT_FAMILY = (
    re.compile(r"Failed to fetch (?:font )?`(?P<family>[^`]+)`"),
    re.compile(r"Failed to fetch (?:font )?(?P<family>[A-Z][\w ]*?) from Google Fonts"),
)
_FONT_URL = re.compile(r"fonts\.googleapis\.com/css2?\?family=(?P<family>[^:&\s]+)")


def _font_fetch(scan: _Scan, index: int) -> BuildProblem | None:
    text = scan.lines[index]
    family = ""
    for pattern in _FONT_FAMILY:
        match = pattern.search(text)
        if match:
            family = match.group("family").strip()
            break
    heading = re.search(r"next/font`?:? error", text)
    if not family and not heading:
        return None
    if not family:
        # `next/font: error:` with the message on the next lines.
        for following in scan.following(index, 3):
            for pattern in (*_FONT_FAMILY, _FONT_URL):
                match = pattern.search(following)
                if match:
                    family = match.group("family").replace("+", " ").strip()
                    text = f"{text}\n{following}"
                    break
            if family:
                break
        if not family and "Failed to fetch" not in text:
            return None
    path, line = scan.location_before(index)
    if path is None or not _is_project_path(scan.relative(path)):
        path, line = _importer_in_trace(scan, index)
    return scan.problem("font-fetch", text, file=path, line=line, subject=family)


def _importer_in_trace(scan: _Scan, index: int) -> tuple[str | None, int | None]:
    """The project file in the `Import trace` below a Turbopack error (the font's user)."""
    for text in scan.following(index, 12):
        match = _LOCATION.match(text)
        if match and _is_project_path(scan.relative(match.group("path"))):
            return match.group("path"), None
    return None, None


_CSS_MARKERS = re.compile(
    r"CssSyntaxError|Parsing css source code failed|Cannot apply unknown utility class"
    r"|is a custom class, make sure it is defined within a `?@layer`? directive"
    r"|`@apply` cannot be used with",
    re.IGNORECASE,
)
_CSS_INLINE = re.compile(
    r"(?P<path>\S+\.(?:css|scss|sass|less|pcss))(?::(?P<line>\d+):\d+| .*\((?P<line2>\d+):\d+\))?"
)


def _css_syntax(scan: _Scan, index: int) -> BuildProblem | None:
    text = scan.lines[index]
    path, line = scan.location_before(index)
    css_location = path is not None and _CSS_INLINE.fullmatch(path) is not None
    is_css = _CSS_MARKERS.search(text) is not None or (
        re.search(r"Syntax error:|Unknown word", text) is not None
        and (css_location or re.search(r"\.(?:css|scss|sass|less)\b", text) is not None)
    )
    if not is_css:
        return None
    if not css_location:
        inline = _CSS_INLINE.search(text)
        if inline:
            path = inline.group("path")
            number = inline.group("line") or inline.group("line2")
            line = int(number) if number else None
        else:
            path, line = None, None
    message = text
    # Turbopack prints the parser's own words after the code frame.
    for following in scan.following(index, 10):
        if re.match(r"^\s*Unexpected |^\s*Unknown word", following):
            message = f"{text}\n{following}"
            break
    return scan.problem("css-syntax", message, file=path, line=line)


_BROWSER_GLOBAL = re.compile(
    r"ReferenceError: (?P<name>window|document|localStorage|sessionStorage|navigator|location"
    r"|self|HTMLElement|requestAnimationFrame|matchMedia) is not defined"
)


def _browser_api(scan: _Scan, index: int) -> BuildProblem | None:
    text = scan.lines[index]
    if not _BROWSER_GLOBAL.search(text):
        return None
    route = scan.route_near(index)
    path, line = scan.frame_after(index)
    message = text if not route else f"{text}\nwhile prerendering {route}"
    return scan.problem("browser-api-prerender", message, file=path, line=line, subject=route)


_VARIABLE_PATTERNS = (
    re.compile(r'Missing (?:required )?environment variables?:?\s*"?(?P<name>[A-Z_][A-Z0-9_]*)'),
    re.compile(r'Invalid/Missing environment variable:?\s*"?(?P<name>[A-Z_][A-Z0-9_]*)'),
    re.compile(r"The (?P<name>[A-Z_][A-Z0-9_]*) environment variable is missing or empty"),
    re.compile(
        r"Missing (?:required )?env(?:ironment)?(?: var(?:iable)?)?s?[:\s]+\"?"
        r"(?P<name>[A-Z_][A-Z0-9_]{2,})"
    ),
    re.compile(
        r"(?:process\.env\.)?\b(?P<name>[A-Z][A-Z0-9]*_[A-Z0-9_]+)\b"
        r"(?: environment variable| env(?: var)?)?"
        r" (?:is|was|are) (?:not set|not defined|undefined|missing|required|empty)"
    ),
    re.compile(r"(?P<name>[A-Z][A-Z0-9]*_[A-Z0-9_]+) (?:must be set|not set|is not configured)"),
)
_SDK_WITHOUT_KEY = re.compile(
    r"Your project's URL and Key are required to create a Supabase client"
    r"|supabaseUrl is required|supabaseKey is required"
    r"|Missing API key\. Pass it to the constructor"
    r"|Neither apiKey nor config\.authenticator provided"
    r"|@clerk/nextjs: Missing publishableKey|Missing publishableKey"
    r"|auth/invalid-api-key"
    r"|The OPENAI_API_KEY environment variable is missing"
)


def _env_at_build(scan: _Scan, index: int) -> BuildProblem | None:
    text = scan.lines[index]
    if "ReferenceError" in text:
        return None  # an undefined identifier in code, not a variable
    name = ""
    for pattern in _VARIABLE_PATTERNS:
        match = pattern.search(text)
        if match:
            name = match.group("name")
            break
    if not name and not _SDK_WITHOUT_KEY.search(text):
        return None
    route = scan.route_near(index)
    path, line = scan.frame_after(index)
    message = text if not route else f"{text}\nwhile building {route}"
    return scan.problem("env-at-build", message, file=path, line=line, subject=name)


_SHAPES: tuple[Matcher, ...] = (
    _lockfile_outdated,
    _peer_conflict,
    _type_error,
    _module_not_found,
    _font_fetch,
    _css_syntax,
    _browser_api,
    _env_at_build,
)


# ---------------------------------------------------------------------- tier 1.5: a silent exit
def _exit_while_collecting(scan: _Scan, index: int) -> BuildProblem | None:
    """The build worker died while Next loaded the routes (`process.exit` in a module)."""
    text = scan.lines[index]
    if not re.search(r"build worker exited with code: [1-9]", text):
        return None
    phase = next(
        (t for t in reversed(scan.lines[:index]) if re.match(r"^\s*\S?\s*[A-Z][a-z]+ .*\.\.\.", t)),
        "",
    )
    if "Collecting page data" not in phase:
        return None
    return scan.problem(
        "env-at-build",
        "The build stopped while collecting page data: a module ended the process when "
        "loaded (often over a missing variable).",
    )


# ---------------------------------------------------------------------- tier 2: network
_NETWORK = re.compile(
    r"\b(?:ENOTFOUND|ETIMEDOUT|ECONNREFUSED|ECONNRESET|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH"
    r"|ERR_SOCKET_TIMEOUT|ERR_PNPM_META_FETCH_FAIL"
    r"|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN|CERT_HAS_EXPIRED)\b"
    r"|npm (?:error|ERR!) network|socket hang up|unable to get local issuer certificate"
)
_HOST = (
    re.compile(r"(?:ENOTFOUND|EAI_AGAIN)\s+(?P<host>[\w.\-]+)"),
    re.compile(r"connect \w+ (?P<host>[\w.:\[\]\-]+)"),
    re.compile(r"https?://(?P<host>[\w.\-]+(?::\d+)?)"),
)


def _network(scan: _Scan, index: int) -> BuildProblem | None:
    text = scan.lines[index]
    if not _NETWORK.search(text):
        return None
    host = ""
    # npm prints the code first and the address a few lines below it.
    for candidate in (text, *scan.following(index, 4)):
        for pattern in _HOST:
            match = pattern.search(candidate)
            if match:
                host = match.group("host")
                break
        if host:
            break
    return scan.problem("network", text, subject=host)


# ---------------------------------------------------------------------- tier 3: anything
_LINT = re.compile(r"^\s*(?P<line>\d+):\d+\s+Error:")


def _other(scan: _Scan, index: int) -> BuildProblem | None:
    text = scan.lines[index]
    if not _ANY_ERROR.search(text) or _GENERIC.search(text) or _STACK.match(text):
        return None
    lint = _LINT.match(text)
    if lint:
        path, _ = scan.location_before(index)
        return scan.problem("other", text, file=path, line=int(lint.group("line")))
    path, line = scan.location_before(index)
    if re.fullmatch(r"\s*(?:Error|error):?\s*", text):
        # A bare "Error:" heading (SWC): its words and code frame follow.
        detail = next((t for t in scan.following(index, 3) if t.strip()), "")
        text = f"{text}\n{detail}" if detail else text
        framed_path, framed_line = scan.frame_after(index, span=4)
        if framed_path is not None and (path is None or scan.relative(path) == framed_path):
            path, line = framed_path, framed_line
    return scan.problem("other", text, file=path, line=line)


def _context_only(scan: _Scan, index: int) -> BuildProblem | None:
    """Nothing said more than which route failed: say that much."""
    text = scan.lines[index]
    for pattern in _ROUTE_PATTERNS:
        match = pattern.search(text)
        if match:
            return scan.problem("other", text, subject="")
    return None
