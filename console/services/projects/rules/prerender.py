"""Code that breaks `next build`'s prerendering: client features in server files,
browser globals at module scope, and database queries in statically rendered routes.
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections import deque

from console.services.projects.jsscan import Source, imports
from console.services.projects.rules.base import (
    ProjectFiles,
    Rule,
    RuleContext,
    module_scope_insert_point,
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
    r"^(?P<head>\s*(?:export\s+)?(?:const|let|var)\s+[\w$]+)\s*=\s*(?P<expr>.+?);?\s*$"
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
            if server_only:
                ctx.flag(
                    source.path,
                    line,
                    "Uses client features (hooks or event handlers) but also exports "
                    f"server-only `{(server_only.group(1) or 'async default')}`: move the "
                    'interactive part into its own "use client" component.',
                    "error",
                )
                continue
            files.write(source.path, '"use client"\n\n' + source.text.lstrip("\ufeff"))
            ctx.flag(
                source.path,
                line,
                f'Uses `{feature.group(0).rstrip("(<= {").strip()}`: marked "use client".',
                "info",
            )


class BrowserGlobalsRule(Rule):
    id = "browser-globals"
    title = "Guard browser-only code at module scope"
    description = (
        "`window`, `document`, `localStorage` or `navigator` used when a module loads "
        "crash prerendering (ReferenceError: window is not defined). Single-line "
        "statements are wrapped in a `typeof window` guard; the others are flagged."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        for source in files.sources((".tsx", ".jsx", ".ts", ".js")):
            if not _is_app_code(source.path):
                continue
            lines = list(source.lines)
            changed = False
            for index, code in enumerate(source.code_lines):
                match = BROWSER_GLOBAL.search(code)
                if match is None or GUARDED.search(code):
                    continue
                stripped = code.strip()
                if stripped.startswith(
                    ("import ", "export type", "type ", "interface ", "declare ")
                ):
                    continue
                depth = source.depths[index]
                if depth == 0:
                    fixed = self._guard(source, index)
                    if fixed is not None:
                        lines[index] = fixed
                        changed = True
                        ctx.flag(
                            source.path,
                            index + 1,
                            f"`{match.group(1)}` used at module scope: guarded with "
                            '`typeof window !== "undefined"`.',
                            "info",
                        )
                    else:
                        ctx.flag(
                            source.path,
                            index + 1,
                            f"`{match.group(1)}` used at module scope breaks prerendering; "
                            "move it into a function or useEffect.",
                            "error",
                        )
                elif (
                    depth == 1
                    and _in_component(source, index)
                    and re.match(r"\s*(?:const|let|var)\b", code)
                ):
                    ctx.flag(
                        source.path,
                        index + 1,
                        f"`{match.group(1)}` read while rendering a component: it crashes "
                        "prerendering; read it in useEffect.",
                        "warning",
                    )
            if changed:
                files.write(source.path, "\n".join(lines))

    @staticmethod
    def _guard(source: Source, index: int) -> str | None:
        raw = source.lines[index]
        code = source.code_lines[index].rstrip()
        next_depth = source.depths[index + 1] if index + 1 < len(source.depths) else 0
        if next_depth != 0 or code.endswith((",", "(", "{", "[", "=", "+", "&&", "||", "?", ":")):
            return None  # a statement that continues on the next line
        declaration = DECLARATION.match(raw)
        if declaration:
            head = declaration.group("head")
            if ":" in source.code_lines[index][: len(head)]:
                return None  # a type annotation would not accept undefined
            expr = declaration.group("expr").rstrip().rstrip(";")
            return f'{head} = typeof window !== "undefined" ? {expr} : undefined;'
        if re.match(r"\s*(?:window|document|localStorage|sessionStorage|navigator)\b", raw):
            indent = raw[: len(raw) - len(raw.lstrip())]
            statement = raw.strip()
            if not statement.endswith(";"):
                statement += ";"
            return f'{indent}if (typeof window !== "undefined") {{ {statement} }}'
        return None


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
                target = _resolve(module, path, root, sources)
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
            ctx.flag(
                path,
                where,
                f"Queries the database during prerendering (via {via}): marked force-dynamic.",
                "warning",
            )


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


def _resolve(module: str, importer: str, root: str, sources: dict[str, Source]) -> str | None:
    if module.startswith("@/"):
        base = root + module[2:]
    elif module.startswith("."):
        base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), module))
    else:
        return None
    for suffix in ("", ".ts", ".tsx", ".js", ".jsx", "/index.ts", "/index.tsx", "/index.js"):
        if base + suffix in sources:
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
