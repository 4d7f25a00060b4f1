"""Code that breaks `next build`'s prerendering: client features in server files,
browser globals at module scope, and database queries in statically rendered routes.
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections import deque
from collections.abc import Collection

from console.services.projects.jsscan import Source, imports
from console.services.projects.rules.base import (
    ProjectFiles,
    Rule,
    RuleContext,
    Statement,
    executed_code,
    module_scope_insert_point,
    module_statements,
)
from console.services.projects.rules.shadcn import alias_root

logger = logging.getLogger(__name__)

APP_DIRS = ("app/", "src/app/", "components/", "src/components/")
CLIENT_HOOKS = re.compile(
    r"\b(?:useState|useEffect|useReducer|useRef|useContext|useLayoutEffect|useTransition|"
    r"useOptimistic|useActionState|useFormStatus|useSyncExternalStore|useImperativeHandle|"
    r"useRouter|usePathname|useSearchParams|useParams|useSelectedLayoutSegments?|"
    r"createContext)\s*[(<]"
)
EVENT_PROP = re.compile(r"\bon[A-Z]\w*\s*=\s*\{")
SERVER_ONLY_EXPORTS = re.compile(
    r"^\s*export\s+(?:const|async\s+function|function)\s+"
    r"(metadata|generateMetadata|generateStaticParams|generateViewport|viewport|revalidate|dynamic)\b"
    r"|^\s*export\s+default\s+async\s+function\b",
    re.M,
)
BROWSER_GLOBAL = re.compile(
    r"(?<![\w.$])(window|document|localStorage|sessionStorage|navigator)\b(?!\s*:)"
)
GUARDED = re.compile(r"typeof\s+(?:window|document|localStorage|navigator)\b")
DECLARATION = re.compile(
    r"^(?P<head>\s*(?:export\s+)?(?:const|let|var)\s+[\w$]+(?:\s*:[^=]+)?)\s*=\s*(?P<expr>.+?);?\s*$",
    re.S,
)
DB_PACKAGES = (
    "@vercel/postgres",
    "@neondatabase/serverless",
    "@prisma/client",
    "drizzle-orm",
    "pg",
    "postgres",
    "mysql2",
    "mongoose",
    "mongodb",
    "@planetscale/database",
    "@libsql/client",
    "@supabase/supabase-js",
    "@vercel/kv",
    "@upstash/redis",
    "kysely",
)
ROUTE_FILE = re.compile(
    r"(?:^|/)app/(?:.*/)?(?:page|layout|route|sitemap|opengraph-image|twitter-image)\.(?:tsx|ts|jsx|js)$"
)
DYNAMIC_MARKERS = re.compile(
    r"export\s+const\s+(?:dynamic|revalidate)\s*=|\b(?:cookies|headers|draftMode|connection|unstable_noStore|noStore)\s*\("
)
DB_CALL = re.compile(
    r"\bsql\s*(?:<[^>]*>)?\s*`|\bprisma\.\w+|\bdb\.(?:select|query|insert|execute)\b|\.from\(\s*[\"']"
)


class UseClientRule(Rule):
    id = "use-client"
    title = 'Add missing "use client"'
    description = (
        "Components that use state, effects, browser-only hooks or event handlers must be "
        'client components. v0\'s preview forgives a missing "use client"; `next build` '
        "does not. The directive is added where the file can be a client component."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        for source in files.sources((".tsx", ".jsx")):
            if not source.path.startswith(APP_DIRS) or "/ui/" in source.path:
                continue
            if source.directive() is not None:
                continue
            feature = CLIENT_HOOKS.search(source.code) or EVENT_PROP.search(source.code)
            if feature is None:
                continue
            line = source.line_of(feature.start())
            server_only = SERVER_ONLY_EXPORTS.search(source.code)
            used = feature.group(0).rstrip("(<= {").strip()
            if server_only:
                ctx.flag(
                    source.path,
                    line,
                    f"Uses `{used}` (a client feature) but also exports server-only "
                    f"`{(server_only.group(1) or 'async default')}`: `next build` fails. Move "
                    'the interactive part into its own "use client" component.',
                    "blocker",
                )
                continue
            files.write(source.path, '"use client"\n\n' + source.text.lstrip("\ufeff"))
            ctx.fixed(
                source.path,
                line,
                f'Uses `{used}`: marked "use client".',
                f'Uses `{used}` in a server component (no "use client"): `next build` fails.',
            )


class BrowserGlobalsRule(Rule):
    """See `description`.

    Targets: project files (a prerendered route's page module and the
    components it imports) whose reads of browser globals while rendering are
    guarded too, not only flagged.
    """

    id = "browser-globals"
    title = "Guard browser-only code at module scope"
    description = (
        "`window`, `document`, `localStorage` or `navigator` used when a module loads "
        "crash prerendering (ReferenceError: window is not defined). Module-scope "
        "statements, over as many lines as they take, are wrapped in a `typeof window` "
        "guard; the others are flagged."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        targeted = frozenset(ctx.targets_of(self.id))
        for source in files.sources((".tsx", ".jsx", ".ts", ".js")):
            if not _is_app_code(source.path):
                continue
            edits: list[tuple[int, int, str]] = []
            for statement in module_statements(source):
                match = BROWSER_GLOBAL.search(executed_code(statement.code))
                if match is None or GUARDED.search(statement.code):
                    continue
                if statement.code.lstrip().startswith(
                    ("import ", "export type", "type ", "interface ", "declare ")
                ):
                    continue
                line = source.line_of(statement.start + match.start())
                guarded = _guarded_statement(statement)
                problem = (
                    f"`{match.group(1)}` used at module scope: prerendering fails "
                    f"(ReferenceError: {match.group(1)} is not defined)."
                )
                if guarded is None:
                    ctx.flag(
                        source.path,
                        line,
                        f"{problem} Move it into a function or useEffect.",
                        "blocker",
                    )
                    continue
                edits.append((statement.start, statement.start + len(statement.text), guarded))
                ctx.fixed(
                    source.path,
                    line,
                    f"`{match.group(1)}` used at module scope: guarded with "
                    '`typeof window !== "undefined"`.',
                    problem,
                )
            edits += self._render_reads(source, source.path in targeted, ctx)
            if edits:
                text = source.text
                for start, end, replacement in sorted(edits, reverse=True):
                    text = text[:start] + replacement + text[end:]
                files.write(source.path, text)

    @staticmethod
    def _render_reads(source: Source, guard: bool, ctx: RuleContext) -> list[tuple[int, int, str]]:
        """Declarations in a component's body that read a browser global while rendering."""
        edits = []
        offset = 0
        for index, code in enumerate(source.code_lines):
            start, offset = offset, offset + len(source.lines[index]) + 1
            match = BROWSER_GLOBAL.search(code)
            if (
                match is None
                or GUARDED.search(code)
                or source.depths[index] != 1
                or not _in_component(source, index)
                or not re.match(r"\s*(?:const|let|var)\b", code)
            ):
                continue
            problem = (
                f"`{match.group(1)}` read while rendering a component: prerendering fails "
                f"(ReferenceError: {match.group(1)} is not defined)."
            )
            guarded = _guarded_line(source, index) if guard else None
            if guarded is None:
                ctx.flag(source.path, index + 1, f"{problem} Read it in useEffect.", "warning")
                continue
            edits.append((start, start + len(source.lines[index]), guarded))
            ctx.fixed(
                source.path,
                index + 1,
                f"`{match.group(1)}` read while rendering: guarded with "
                '`typeof window !== "undefined"` (a failed build named this route).',
                problem,
            )
        return edits


def _guarded_statement(statement: Statement) -> str | None:
    """The statement behind a `typeof window` guard, None when that would change its meaning."""
    text = statement.text.rstrip().rstrip(";")
    declaration = DECLARATION.match(text)
    if declaration:
        head = declaration.group("head")
        if ":" in statement.code[: len(head)]:
            return None  # a type annotation would not accept undefined
        expr = declaration.group("expr").rstrip()
        return f'{head} = typeof window !== "undefined" ? {expr} : undefined;'
    if re.match(r"(?:window|document|localStorage|sessionStorage|navigator)\b", text):
        if "\n" in text:
            body = "\n".join(f"  {line}" if line.strip() else line for line in text.split("\n"))
            return f'if (typeof window !== "undefined") {{\n{body}\n}}'
        return f'if (typeof window !== "undefined") {{ {text}; }}'
    return None


def _guarded_line(source: Source, index: int) -> str | None:
    raw = source.lines[index]
    declaration = DECLARATION.match(raw)
    if declaration is None or index + 1 >= len(source.depths) or source.depths[index + 1] != 1:
        return None  # not one whole declaration on this line
    head = declaration.group("head")
    if ":" in source.code_lines[index][: len(head)]:
        return None
    expr = declaration.group("expr").rstrip().rstrip(";")
    return f'{head} = typeof window !== "undefined" ? {expr} : undefined'


class DbPrerenderRule(Rule):
    id = "db-prerender"
    title = "Keep database queries out of prerendering"
    description = (
        "Pages and route handlers that query a database (directly or through lib/ modules) "
        "are prerendered by `next build`, which then needs the database. They are marked "
        '`export const dynamic = "force-dynamic"` so they render per request.'
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        root = alias_root(files)
        sources = {s.path: s for s in files.sources((".tsx", ".ts", ".jsx", ".js"))}
        graph: dict[str, list[tuple[str, int]]] = {}
        touching: dict[str, int] = {}
        for path, source in sources.items():
            if source.directive() == "use client":
                continue
            edges = []
            for module, _clause, offset in imports(source.text):
                if (
                    module in DB_PACKAGES
                    or module.split("/")[0] in DB_PACKAGES
                    or any(module.startswith(p + "/") for p in DB_PACKAGES)
                ):
                    touching.setdefault(path, source.line_of(offset))
                target = resolve_import(module, path, root, sources)
                if target is not None:
                    edges.append((target, source.line_of(offset)))
            graph[path] = edges
        for path, source in sources.items():
            if not ROUTE_FILE.search(path) or source.directive() == "use client":
                continue
            if DYNAMIC_MARKERS.search(source.code):
                continue
            reach = _reaches(path, graph, touching)
            if reach is None:
                continue
            via, line = reach
            text = source.text
            insert = module_scope_insert_point(text)
            addition = (
                "\n// Queries the database: render per request, not at build time.\n"
                'export const dynamic = "force-dynamic";\n'
            )
            files.write(path, text[:insert] + addition + text[insert:])
            call = DB_CALL.search(source.code)
            where = source.line_of(call.start()) if call else line
            ctx.fixed(
                path,
                where,
                f"Queries the database during prerendering (via {via}): marked force-dynamic.",
                f"Queries the database while `next build` prerenders it (via {via}): the build "
                "needs the database.",
            )


def route_modules(files: ProjectFiles, route: str) -> list[str]:
    """The page module of an app route ("/dashboard") and the project modules it imports.

    Route groups (`(marketing)`) are not part of the route; the page's own
    imports are followed through the project (`@/`, relative), not packages.
    """
    wanted = "/" + route.strip("/")
    root = alias_root(files)
    sources = {s.path: s for s in files.sources((".tsx", ".ts", ".jsx", ".js"))}
    pages = [path for path in sources if _route_of(path) == wanted]
    found: list[str] = []
    queue = deque(pages)
    while queue:
        path = queue.popleft()
        if path in found:
            continue
        found.append(path)
        for module, _clause, _offset in imports(sources[path].text):
            target = resolve_import(module, path, root, sources)
            if target is not None:
                queue.append(target)
    return found


def _route_of(path: str) -> str | None:
    match = re.match(r"(?:src/)?app/(?P<dirs>(?:.*/)?)page\.(?:tsx|ts|jsx|js)$", path)
    if match is None:
        return None
    parts = [p for p in match.group("dirs").split("/") if p and not p.startswith("(")]
    return "/" + "/".join(parts)


def _is_app_code(path: str) -> bool:
    leaf = path.rsplit("/", 1)[-1]
    if ".config." in leaf or leaf.endswith(".d.ts") or path.startswith(("public/", "scripts/")):
        return False
    return "/ui/" not in path


def _in_component(source: Source, index: int) -> bool:
    for back in range(index, -1, -1):
        if source.depths[back] == 0 and source.code_lines[back].strip():
            line = source.code_lines[back]
            return bool(re.search(r"\bfunction\s+[A-Z]\w*\s*\(|\bconst\s+[A-Z]\w*\s*=", line))
    return False


def resolve_import(module: str, importer: str, root: str, paths: Collection[str]) -> str | None:
    """The project file an import names (`@/lib/db`, `./db`), None for packages and misses."""
    if module.startswith("@/"):
        base = root + module[2:]
    elif module.startswith("."):
        base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), module))
    else:
        return None
    for suffix in ("", ".ts", ".tsx", ".js", ".jsx", "/index.ts", "/index.tsx", "/index.js"):
        if base + suffix in paths:
            return base + suffix
    return None


def _reaches(
    start: str, graph: dict[str, list[tuple[str, int]]], touching: dict[str, int]
) -> tuple[str, int] | None:
    """(module that queries, import line in `start`) if `start` reaches a database module."""
    if start in touching:
        return start, touching[start]
    seen = {start}
    queue: deque[tuple[str, int]] = deque()
    for target, line in graph.get(start, []):
        queue.append((target, line))
    while queue:
        path, line = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        if path in touching:
            return path, line
        for target, _ in graph.get(path, []):
            queue.append((target, line))
    return None
