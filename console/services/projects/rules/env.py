"""Environment variables: which the app reads, and which it needs while `next build` runs.

`next build` imports every route and prerenders static pages, so a module that
checks a variable when it loads (`if (!process.env.X) throw`, `const uri =
process.env.X; if (!uri) process.exit(1)`), builds a client from one at module
scope (`createClient(process.env.URL!, ...)`, over as many lines as it likes),
or uses a library that reads its own variables when constructed (`new
OpenAI()`, `Redis.fromEnv()`, `<ClerkProvider>`) fails the build on a machine
without the production secrets. This rule records every variable the app reads
with a harmless build-time placeholder (the deploy dialog asks for the real
values, the build check runs with the placeholders), puts a placeholder block
at the top of each such module, so the pushed code builds with no environment
at all, and writes `.env.example` (names only) when the export has no env
template of any name.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from console.services.projects.importer import is_env_template
from console.services.projects.jsscan import Source, imported_names, imports
from console.services.projects.models import EnvVar
from console.services.projects.rules.base import (
    ProjectFiles,
    Rule,
    RuleContext,
    Statement,
    executed_code,
    module_scope_insert_point,
    module_statements,
)
from console.services.projects.rules.prerender import resolve_import
from console.services.projects.rules.shadcn import alias_root

logger = logging.getLogger(__name__)

ENV_READ = re.compile(
    r"""process\.env\.(?P<dot>[A-Za-z_][A-Za-z0-9_]*)|process\.env\[\s*(['"])(?P<key>[A-Za-z_][A-Za-z0-9_]*)\2\s*\]"""
)
#: `const { A, B: b } = process.env`
ENV_DESTRUCTURE = re.compile(
    r"(?:const|let|var)\s*\{(?P<names>[^}]*)\}\s*=\s*process\.env\b(?!\s*[.\[])"
)
#: `const X = ...` (the target of a copy of a variable)
DECLARATION = re.compile(r"^(?:export\s+)?(?:const|let|var)\s+(?P<name>[\w$]+)\s*(?::[^=]+)?=")
#: Set by Node, Next or Vercel themselves; nothing to configure.
RUNTIME_VARS = frozenset(
    {
        "NODE_ENV",
        "NEXT_PHASE",
        "NEXT_RUNTIME",
        "NEXT_TELEMETRY_DISABLED",
        "VERCEL",
        "VERCEL_ENV",
        "VERCEL_URL",
        "VERCEL_BRANCH_URL",
        "VERCEL_PROJECT_PRODUCTION_URL",
        "CI",
        "PORT",
        "TZ",
    }
)
#: Module-scope code that fails the import when a value it reads is missing.
CHECK = re.compile(
    r"\bthrow\b|\bprocess\.exit\s*\(|\b(?:assert(?:\.\w+)?|invariant)\s*\(|"
    r"\.parse\(\s*process\.env\b|\bcreateEnv\s*\("
)
#: `X || (() => { throw ... })()`: a throwing fallback, whose arrow body runs at once.
THROWING_FALLBACK = re.compile(
    r"(?:\|\||\?\?)\s*\(?\s*(?:\(\s*\)\s*=>|function\s*\(\s*\))[^;]*\bthrow\b"
)
#: A copy with a non-empty literal default (`?? "http://localhost:3000"`) is never missing.
LITERAL_DEFAULT = re.compile(r"(?:\?\?|\|\|)\s*(?:(['\"`])(?!\1)|\d)")
#: Clients built at module scope from the values they are given; each rejects a
#: missing one (or the first use fails) while `next build` loads the module.
CONSTRUCTION = re.compile(
    r"\b(?:createClient|createServerClient|createBrowserClient|createPool|neon|postgres|"
    r"drizzle|initializeApp|getAuth|getFirestore|createConnection|createTransport|"
    r"[A-Z][\w$]*\.from\w*)\s*\(|\bnew\s+[A-Z][\w$.]*\s*\("
)
#: The whole environment validated against a schema (zod, t3-env).
ENV_SCHEMA = re.compile(r"\.parse\(\s*process\.env\b|\bcreateEnv\s*\(")
#: Keys of an environment schema: `DATABASE_URL: z.string()`.
SCHEMA_KEY = re.compile(r"\b([A-Z][A-Z0-9_]{2,})\s*:\s*z\s*\.")
PLACEHOLDER_MARK = "console env-checks"
ENV_EXAMPLE = ".env.example"


@dataclass(frozen=True)
class LibraryEnv:
    """A package that reads environment variables by itself.

    Attributes:
        reads: the variables it reads (recorded whenever the package is imported).
        trigger: code that makes it read (and reject a missing value) while a
            module loads; `{names}` stands for the names the import binds.
            "" when it only reads on its first request, at run time.
        while_rendering: the trigger also counts inside components, which run
            while `next build` prerenders (otherwise module scope only).
        placeholder_works: whether a fake value gets past its checks; when not,
            the finding is a blocker to fix by hand.
    """

    reads: tuple[str, ...]
    trigger: str = ""
    while_rendering: bool = False
    placeholder_works: bool = True


#: Checked against each package's source (see the comment of each entry).
LIBRARIES: dict[str, LibraryEnv] = {
    # openai: `new OpenAI()` defaults apiKey to readEnv("OPENAI_API_KEY") and throws
    # OpenAIError "The OPENAI_API_KEY environment variable is missing or empty" in
    # the constructor when no apiKey option is given.
    "openai": LibraryEnv(("OPENAI_API_KEY",), r"\bnew\s+(?:{names})\s*\((?![^)]*apiKey)"),
    # @anthropic-ai/sdk: the constructor reads ANTHROPIC_API_KEY (and
    # ANTHROPIC_AUTH_TOKEN) "?? null" and does not throw; the first request fails.
    "@anthropic-ai/sdk": LibraryEnv(("ANTHROPIC_API_KEY",)),
    # groq-sdk: like openai, `new Groq()` throws GroqError "The GROQ_API_KEY
    # environment variable is missing or empty" in the constructor.
    "groq-sdk": LibraryEnv(("GROQ_API_KEY",), r"\bnew\s+(?:{names})\s*\((?![^)]*apiKey)"),
    # resend: `new Resend()` (or `new Resend(undefined)`) reads RESEND_API_KEY and
    # throws "Missing API key. Pass it to the constructor" when it is unset.
    "resend": LibraryEnv(("RESEND_API_KEY",), r"\bnew\s+(?:{names})\s*\(\s*\)"),
    # @upstash/redis: `Redis.fromEnv()` throws "Unable to find environment variable:
    # `UPSTASH_REDIS_REST_URL`" (then `..._TOKEN`) in platforms/nodejs.ts.
    "@upstash/redis": LibraryEnv(
        ("UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"), r"\b(?:{names})\.fromEnv\s*\("
    ),
    # @vercel/kv: the default `kv` is a Proxy that throws "@vercel/kv: Missing
    # required environment variables KV_REST_API_URL and KV_REST_API_TOKEN" on its
    # first property access, i.e. on first use, not on import.
    "@vercel/kv": LibraryEnv(("KV_REST_API_URL", "KV_REST_API_TOKEN")),
    # @vercel/postgres: `sql` connects lazily; `createPool()` without a
    # connectionString reads POSTGRES_URL and throws VercelPostgresError
    # "missing_connection_string" (and "invalid_connection_string" unless the URL
    # is a pooled one, "-pooler." in the host) in create-pool.ts.
    "@vercel/postgres": LibraryEnv(("POSTGRES_URL",), r"\bcreatePool\s*\(\s*\)"),
    # @prisma/client: `new PrismaClient()` connects on the first query, where a
    # missing DATABASE_URL fails ("Environment variable not found: DATABASE_URL").
    "@prisma/client": LibraryEnv(("DATABASE_URL",)),
    # @supabase/auth-helpers-nextjs: create{ClientComponent,ServerComponent,...}Client()
    # default supabaseUrl/supabaseKey to NEXT_PUBLIC_SUPABASE_URL/_ANON_KEY and throw
    # "either NEXT_PUBLIC_SUPABASE_URL and NEXT_PUBLIC_SUPABASE_ANON_KEY env variables
    # or supabaseUrl and supabaseKey are required!"; components call them while rendering.
    "@supabase/auth-helpers-nextjs": LibraryEnv(
        ("NEXT_PUBLIC_SUPABASE_URL", "NEXT_PUBLIC_SUPABASE_ANON_KEY"),
        r"\b(?:{names})\s*\(",
        while_rendering=True,
    ),
    # firebase-admin: `credential.cert({...})` builds a ServiceAccountCredential in
    # the call: it throws 'Service account object must contain a string
    # "private_key" property' when a value is missing and "Failed to parse private
    # key" for anything but a PEM key, so no placeholder gets past it. Without
    # cert(), applicationDefault() reads GOOGLE_APPLICATION_CREDENTIALS (a file
    # path: never given a placeholder).
    "firebase-admin": LibraryEnv(
        ("GOOGLE_APPLICATION_CREDENTIALS",), r"\bcert\s*\(", placeholder_works=False
    ),
    # twilio: `twilio()` / `twilio(sid, token)` reads TWILIO_ACCOUNT_SID and
    # TWILIO_AUTH_TOKEN in the BaseTwilio constructor and throws "accountSid must
    # start with AC" for a SID of another shape (v3 threw "username is required"
    # for a missing one; v4+ fails on the first request instead).
    "twilio": LibraryEnv(("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"), r"\b(?:{names})\s*\("),
    # @clerk/nextjs: <ClerkProvider> reads NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY while
    # prerendering and throws "@clerk/nextjs: Missing publishableKey" (and
    # "Publishable key not valid" unless it is pk_test_/pk_live_ + base64 of a
    # host ending in "$"); CLERK_SECRET_KEY is read by auth()/middleware per request.
    "@clerk/nextjs": LibraryEnv(
        ("NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", "CLERK_SECRET_KEY"),
        r"<(?:{names})\b",
        while_rendering=True,
    ),
    # @ai-sdk/openai, /anthropic, /groq: create*() builds getHeaders(), which calls
    # loadApiKey({ environmentVariableName: "OPENAI_API_KEY" | "ANTHROPIC_API_KEY" |
    # "GROQ_API_KEY" }) per request: the import and `openai("gpt-4o")` need no key.
    "@ai-sdk/openai": LibraryEnv(("OPENAI_API_KEY",)),
    "@ai-sdk/anthropic": LibraryEnv(("ANTHROPIC_API_KEY",)),
    "@ai-sdk/groq": LibraryEnv(("GROQ_API_KEY",)),
    # @vercel/blob: each call reads BLOB_READ_WRITE_TOKEN (or its `token` option) and
    # throws "Vercel Blob: No token found" then, never on import.
    "@vercel/blob": LibraryEnv(("BLOB_READ_WRITE_TOKEN",)),
}
#: Read only by the clerk trigger, so the placeholder must parse as a key.
_CLERK_TEST_KEY = "pk_test_" + base64.b64encode(b"build.clerk.accounts.dev$").decode()


def placeholder(name: str) -> str:
    """A value that satisfies format checks during a local build and is obviously fake."""
    upper = name.upper()
    if "MONGO" in upper:
        return "mongodb://build:build@localhost:27017/build"
    if re.search(r"(DATABASE|POSTGRES|PG|NEON|DB)_?(URL|URI|PRISMA_URL|URL_NON_POOLING)", upper):
        # "-pooler." passes @vercel/postgres's pooled-connection check.
        return "postgresql://build:build@build-pooler.localhost:5432/build"
    if "REDIS_URL" in upper:
        return "redis://localhost:6379"
    if "CLERK" in upper and "PUBLISHABLE" in upper:
        return _CLERK_TEST_KEY
    if "TWILIO" in upper and upper.endswith("_SID"):
        return "AC00000000000000000000000000000000"
    if "STRIPE" in upper and "PUBLISHABLE" in upper:
        return "pk_test_build_placeholder"
    if "STRIPE" in upper and "WEBHOOK" in upper:
        return "whsec_build_placeholder"
    if ("STRIPE" in upper or "CLERK" in upper) and ("SECRET" in upper or upper.endswith("_KEY")):
        return "sk_test_build_placeholder"
    if upper.endswith(("_URL", "_URI", "_ENDPOINT", "_HOST", "_ORIGIN")):
        return "http://localhost:3000"
    if "EMAIL" in upper:
        return "build@example.com"
    if upper.endswith(("_PORT", "_TIMEOUT", "_LIMIT", "_TTL")):
        return "1"
    return "build-placeholder"


@dataclass
class _Need:
    """What one module needs while it loads: variables, and where the first need is.

    Attributes:
        first: offset of the first statement that needs them, None when only
            the module as a whole does (the block then goes after the imports).
    """

    names: set[str] = field(default_factory=set)
    first: int | None = None

    def add(self, names: Iterable[str], offset: int | None = None) -> None:
        self.names.update(names)
        if offset is not None:
            self.first = offset if self.first is None else min(self.first, offset)


class EnvChecksRule(Rule):
    """See the module docstring.

    Targets: variable names a failed build named; every module that reads one
    (directly, through a copy, or through a library that reads it) gets it in
    its placeholder block even when no shape above was recognised.
    """

    id = "env-checks"
    title = "Environment variables at build time"
    description = (
        "Lists every environment variable the app reads, with a build-time placeholder. "
        "Modules that need a variable as soon as they load (`if (!process.env.X) throw`, a "
        "copy checked at module scope, an SDK client built at module scope, a library that "
        "reads its own keys) get the placeholder while `next build` runs, so the pushed code "
        "builds without the secrets; outside the build nothing changes. Writes `.env.example` "
        "(names only) when the export has no env template."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        wanted = frozenset(ctx.targets_of(self.id))
        sources = [
            source
            for source in files.sources((".tsx", ".ts", ".jsx", ".js", ".mjs"))
            if not source.path.endswith(".d.ts") and ".config." not in source.path
        ]
        loads = {source.path: _module_reads(source) for source in sources}
        root = alias_root(files)
        needs = {source.path: _Need() for source in sources}
        seen: dict[str, list[str]] = {}
        for source in sources:
            libraries = _libraries(source)
            in_file = _names(source.uncommented) | _destructured(source.code, source.text)
            if ENV_SCHEMA.search(source.code):
                in_file.update(SCHEMA_KEY.findall(source.code))
            for library, _bound in libraries:
                in_file.update(LIBRARIES[library].reads)
            for name in sorted(in_file):
                paths = seen.setdefault(name, [])
                if source.path not in paths:
                    paths.append(source.path)
            imported = _imported_loads(source, root, loads)
            self._needs(source, in_file, libraries, imported, needs, ctx)
            named = in_file & wanted
            if named:
                needs[source.path].add(named)
                ctx.fixed(
                    source.path,
                    0,
                    f"Reads {', '.join(sorted(named))}, which a failed build named: `next build` "
                    "gets a placeholder.",
                    f"Reads {', '.join(sorted(named))}, which the last failed build needed.",
                )
        checked: set[str] = set()
        for source in sources:
            need = needs[source.path]
            checked |= need.names
            if need.names and PLACEHOLDER_MARK not in source.text:
                files.write(source.path, _with_placeholders(source.text, need))
        for name, paths in seen.items():
            ctx.env[name] = EnvVar(name, placeholder(name), tuple(paths), name in checked)
        if seen and not any(is_env_template(p.rsplit("/", 1)[-1]) for p in files.paths()):
            body = [
                "# Environment variables this app reads. Set the real values in the",
                "# deployment (the deploy dialog asks for them); never commit them.",
            ]
            body += [f"{name}=" for name in sorted(seen)]
            files.write(ENV_EXAMPLE, "\n".join(body) + "\n")

    def _needs(
        self,
        source: Source,
        in_file: set[str],
        libraries: list[tuple[str, list[str]]],
        imported: dict[str, tuple[str, set[str]]],
        needs: dict[str, _Need],
        ctx: RuleContext,
    ) -> None:
        """Record what `source` (or a module it imports) needs while it loads or prerenders.

        A client built at module scope from an imported value (`new
        PublicClientApplication(msalConfig)`) needs the variables that module
        reads when it loads, and the placeholders go there: ES modules run
        their imports first.
        """
        need = needs[source.path]
        copies: dict[str, set[str]] = {}
        schema_keys = set(SCHEMA_KEY.findall(source.code))
        for statement in module_statements(source):
            live = executed_code(statement.code)
            reads = _live_reads(statement, live) | _copied(live, copies)
            declared = DECLARATION.match(live.strip())
            if declared and reads and not LITERAL_DEFAULT.search(live):
                copies[declared.group("name")] = set(reads)
            for name, original in _destructured_pairs(live, statement.text):
                copies[name] = {original}
            via = {
                path: names
                for local, (path, names) in imported.items()
                if re.search(rf"(?<![\w$.]){re.escape(local)}(?![\w$])", live)
            }
            library = _library_trigger(live, libraries, rendering=False)
            if library is not None:
                self._library(source, statement, library, reads, need, ctx)
            elif reads and (CHECK.search(live) or THROWING_FALLBACK.search(statement.code)):
                names = reads | (schema_keys if "process.env" in live else set())
                need.add(names, statement.start)
                ctx.fixed(
                    source.path,
                    statement.line,
                    f"Checks {', '.join(sorted(names))} when the module loads: `next build` gets "
                    "a placeholder, the deployment the real value.",
                    f"Checks {', '.join(sorted(names))} when the module loads: `next build` "
                    "fails without it.",
                )
            elif (reads or via) and (
                CONSTRUCTION.search(live) or re.search(r"process\.env\.\w+!", live)
            ):
                need.add(reads, statement.start)
                for path, names in via.items():
                    needs[path].add(names)
                listed = ", ".join(sorted(reads.union(*via.values())))
                where = f" (read in {', '.join(sorted(via))})" if via else ""
                ctx.fixed(
                    source.path,
                    statement.line,
                    f"Builds a client from {listed}{where} when the module loads: `next build` "
                    "gets a placeholder.",
                    f"Builds a client from {listed}{where} when the module loads: `next build` "
                    "fails without it.",
                )
            elif ENV_SCHEMA.search(live):
                names = schema_keys or in_file
                need.add(names, statement.start)
                ctx.fixed(
                    source.path,
                    statement.line,
                    "Validates the environment when the module loads: `next build` gets "
                    "placeholders.",
                    "Validates the environment when the module loads: `next build` fails "
                    "without the variables.",
                )
        rendering = _library_trigger(source.code, libraries, rendering=True)
        if rendering is not None:
            library_env = LIBRARIES[rendering]
            listed = ", ".join(library_env.reads)
            need.add(library_env.reads)
            ctx.fixed(
                source.path,
                0,
                f"{rendering} reads {listed} while `next build` prerenders: it gets a placeholder.",
                f"{rendering} reads {listed} while `next build` prerenders and fails without it.",
            )

    @staticmethod
    def _library(
        source: Source,
        statement: Statement,
        library: str,
        reads: set[str],
        need: _Need,
        ctx: RuleContext,
    ) -> None:
        library_env = LIBRARIES[library]
        names = set(library_env.reads) | reads if library_env.placeholder_works else reads
        listed = ", ".join(sorted(names)) or ", ".join(library_env.reads)
        if library_env.placeholder_works:
            need.add(names, statement.start)
            ctx.fixed(
                source.path,
                statement.line,
                f"{library} reads {listed} when the module loads: `next build` gets a placeholder.",
                f"{library} reads {listed} when the module loads: `next build` fails without it.",
            )
            return
        ctx.flag(
            source.path,
            statement.line,
            f"{library} checks {listed} when the module loads and rejects any placeholder: "
            "`next build` fails without the real values. Build it inside a function the "
            "routes call (lazily) instead of at module scope.",
            "blocker",
        )


def _names(text: str) -> set[str]:
    names = set()
    for match in ENV_READ.finditer(text):
        name = match.group("dot") or match.group("key")
        if name and name not in RUNTIME_VARS:
            names.add(name)
    return names


def _live_reads(statement: Statement, live: str) -> set[str]:
    """Variables a statement reads in code that runs when the module loads."""
    names = set()
    for match in ENV_READ.finditer(statement.text):
        if live[match.start() : match.start() + 7] != "process":
            continue  # inside a function body or a comment
        name = match.group("dot") or match.group("key")
        if name and name not in RUNTIME_VARS:
            names.add(name)
    return names


def _copied(live: str, copies: dict[str, set[str]]) -> set[str]:
    """Variables read through module-level copies (`const uri = process.env.X` ... `uri`)."""
    found: set[str] = set()
    for name, originals in copies.items():
        if re.search(rf"(?<![\w$.]){re.escape(name)}(?![\w$])", live):
            found |= originals
    return found


def _destructured_pairs(live: str, text: str) -> Iterator[tuple[str, str]]:
    """(local name, variable) of `const { A, B: b } = process.env` in live code."""
    for match in ENV_DESTRUCTURE.finditer(live):
        for part in text[match.start("names") : match.end("names")].split(","):
            original, _, local = part.partition(":")
            original = original.strip().split("=")[0].strip()
            local = local.strip().split("=")[0].strip() or original
            if original and original not in RUNTIME_VARS and not original.startswith("..."):
                yield local, original


def _destructured(code: str, text: str) -> set[str]:
    return {original for _local, original in _destructured_pairs(code, text)}


def _libraries(source: Source) -> list[tuple[str, list[str]]]:
    """(package, names its import binds) of each table package `source` imports."""
    found = []
    for module, clause, _offset in imports(source.text):
        if module in LIBRARIES:
            found.append((module, imported_names(clause)))
    return found


def _library_trigger(
    code: str, libraries: list[tuple[str, list[str]]], *, rendering: bool
) -> str | None:
    """The first imported table package whose trigger `code` contains."""
    for module, bound in libraries:
        library_env = LIBRARIES[module]
        if not library_env.trigger or library_env.while_rendering != rendering:
            continue
        names = "|".join(re.escape(name) for name in bound) or r"(?!)"
        if re.search(library_env.trigger.replace("{names}", names), code):
            return module
    return None


def _module_reads(source: Source) -> set[str]:
    """Variables a module reads while it loads (module scope, outside functions)."""
    names: set[str] = set()
    for statement in module_statements(source):
        names |= _live_reads(statement, executed_code(statement.code))
    return names


def _imported_loads(
    source: Source, root: str, loads: dict[str, set[str]]
) -> dict[str, tuple[str, set[str]]]:
    """Local name -> (project module, variables it reads when it loads) of `source`'s imports."""
    found: dict[str, tuple[str, set[str]]] = {}
    for module, clause, _offset in imports(source.text):
        target = resolve_import(module, source.path, root, loads)
        if target is not None and loads[target]:
            for name in imported_names(clause):
                found[name] = (target, loads[target])
    return found


def _with_placeholders(text: str, need: _Need) -> str:
    """`text` with the placeholder block after its directive and imports.

    Never after the first statement that needs a value, and always after a
    "use client"/"use server" directive, which must stay first.
    """
    insert = module_scope_insert_point(text)
    if need.first is not None:
        insert = min(insert, _line_start(text, need.first))
    entries = [f"    {name}: {json.dumps(placeholder(name))}," for name in sorted(need.names)]
    block = "\n".join(
        [
            f"// Build-time placeholders ({PLACEHOLDER_MARK}): `next build` loads this module",
            "// without the deployment's secrets. Only set while building; the deployed app",
            "// reads the real values from its environment.",
            'if (process.env.NEXT_PHASE === "phase-production-build") {',
            "  for (const [key, value] of Object.entries({",
            *entries,
            "  })) {",
            "    process.env[key] ??= value",
            "  }",
            "}",
            "",
        ]
    )
    before, after = text[:insert], text[insert:]
    if before.strip() and not before.endswith("\n\n"):
        block = "\n" + block
    if not after.startswith("\n"):
        block += "\n"
    return before + block + after


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1
