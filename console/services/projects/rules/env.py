"""Environment variables: which the app reads, and which it checks when a module loads.

`next build` imports every route, so `if (!process.env.X) throw ...` at module
scope, or an SDK client built from `process.env.X!` at module scope, fails the
build on a machine without the production secrets. This rule records every
variable the app reads with a harmless build-time placeholder (the publish
wizard asks for the real values, the local preflight build runs with the
placeholders), makes module-scope throws skip the build phase, and writes
`.env.example` (names only) when the export has none.
"""

from __future__ import annotations

import json
import logging
import re

from console.services.projects.jsscan import Source, imports
from console.services.projects.models import EnvVar, Severity
from console.services.projects.rules.base import ProjectFiles, Rule, RuleContext

logger = logging.getLogger(__name__)

ENV_READ = re.compile(
    r"""process\.env\.(?P<dot>[A-Za-z_][A-Za-z0-9_]*)|process\.env\[\s*(['"])(?P<key>[A-Za-z_][A-Za-z0-9_]*)\2\s*\]"""
)
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
MODULE_IF = re.compile(
    r"^(?P<indent>\s*)if\s*\((?P<cond>.*?process\.env.*?)\)\s*(?P<rest>\{.*|throw\b.*|)$"
)
CLIENT_AT_IMPORT = re.compile(
    r"\b(?:new\s+[A-Z]\w*|neon|postgres|createClient|createPool|drizzle|Resend|OpenAI)\s*\([^)]*process\.env"
)
SCHEMA_AT_IMPORT = re.compile(r"\bcreateEnv\s*\(|\.parse\(\s*process\.env\s*\)")
PLACEHOLDER_MARK = "console env-checks"
#: Packages that read a variable themselves when they are used.
IMPLICIT: dict[str, tuple[str, ...]] = {
    "@ai-sdk/openai": ("OPENAI_API_KEY",),
    "@ai-sdk/anthropic": ("ANTHROPIC_API_KEY",),
    "openai": ("OPENAI_API_KEY",),
    "@vercel/postgres": ("POSTGRES_URL",),
    "@vercel/kv": ("KV_REST_API_URL", "KV_REST_API_TOKEN"),
    "@vercel/blob": ("BLOB_READ_WRITE_TOKEN",),
}


def placeholder(name: str) -> str:
    """A value that satisfies format checks during a local build and is obviously fake."""
    upper = name.upper()
    if re.search(r"(DATABASE|POSTGRES|PG|NEON|DB)_?(URL|URI|PRISMA_URL|URL_NON_POOLING)", upper):
        return "postgresql://build:build@localhost:5432/build"
    if "STRIPE" in upper and "PUBLISHABLE" in upper:
        return "pk_test_build_placeholder"
    if "STRIPE" in upper and "WEBHOOK" in upper:
        return "whsec_build_placeholder"
    if "STRIPE" in upper and ("SECRET" in upper or upper.endswith("_KEY")):
        return "sk_test_build_placeholder"
    if upper.endswith(("_URL", "_URI", "_ENDPOINT", "_HOST", "_ORIGIN")):
        return "http://localhost:3000"
    if "EMAIL" in upper:
        return "build@example.com"
    if upper.endswith(("_PORT", "_TIMEOUT", "_LIMIT", "_TTL")):
        return "1"
    return "build-placeholder"


class EnvChecksRule(Rule):
    id = "env-checks"
    title = "Environment variables at build time"
    description = (
        "Lists every environment variable the app reads, with a build-time placeholder. "
        "Modules that check or use a variable as soon as they load (`if (!process.env.X) "
        "throw`, an SDK client built at module scope) get the placeholder while `next build` "
        "runs, so the build passes without the secrets; outside the build nothing changes. "
        "Writes `.env.example` (names only) when the export has none."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        seen: dict[str, list[str]] = {}
        checked: set[str] = set()
        for source in files.sources((".tsx", ".ts", ".jsx", ".js", ".mjs")):
            if source.path.endswith(".d.ts") or ".config." in source.path:
                continue
            in_file = self._names(source.uncommented)
            for module, _clause, _offset in imports(source.text):
                in_file.update(IMPLICIT.get(module, ()))
            for name in in_file:
                paths = seen.setdefault(name, [])
                if source.path not in paths:
                    paths.append(source.path)
            at_import, first = self._import_time(source, in_file, ctx)
            checked |= at_import
            if at_import and first is not None and PLACEHOLDER_MARK not in source.text:
                files.write(source.path, _with_placeholders(source.lines, first, at_import))
        for name, paths in seen.items():
            ctx.env[name] = EnvVar(name, placeholder(name), tuple(paths), name in checked)
        if seen and not any(
            files.exists(p) for p in (".env.example", ".env.sample", ".env.template")
        ):
            body = [
                "# Environment variables this app reads. Set the real values in the",
                "# deployment (the publish wizard asks for them); never commit them.",
            ]
            body += [f"{name}=" for name in sorted(seen)]
            files.write(".env.example", "\n".join(body) + "\n")

    @staticmethod
    def _names(text: str) -> set[str]:
        names = set()
        for match in ENV_READ.finditer(text):
            name = match.group("dot") or match.group("key")
            if name and name not in RUNTIME_VARS:
                names.add(name)
        return names

    def _import_time(
        self, source: Source, in_file: set[str], ctx: RuleContext
    ) -> tuple[set[str], int | None]:
        """Variables the module needs while it loads, and the first line that needs them."""
        found: set[str] = set()
        first: int | None = None
        for index, code in enumerate(source.code_lines):
            if source.depths[index] != 0:
                continue
            raw = source.lines[index]
            names = self._names(raw)
            following = "\n".join(source.code_lines[index : index + 3])
            if MODULE_IF.match(raw) and "throw" in following and names:
                message = (
                    f"Checks {', '.join(sorted(names))} when the module loads; `next build` "
                    "gets a placeholder, the deployment the real value."
                )
                severity: Severity = "warning"
            elif names and (CLIENT_AT_IMPORT.search(raw) or re.search(r"process\.env\.\w+!", raw)):
                message = (
                    f"Builds a client from {', '.join(sorted(names))} when the module loads; "
                    "`next build` gets a placeholder."
                )
                severity = "info"
            elif SCHEMA_AT_IMPORT.search(code) and in_file:
                names = set(in_file)
                message = (
                    "Validates the environment when the module loads; `next build` gets "
                    "placeholders."
                )
                severity = "warning"
            else:
                continue
            found |= names
            first = index if first is None else first
            ctx.flag(source.path, index + 1, message, severity)
        return found, first


def _with_placeholders(lines: list[str], index: int, names: set[str]) -> str:
    values = ", ".join(f"{name}: {json.dumps(placeholder(name))}" for name in sorted(names))
    block = [
        f"// Build-time placeholders ({PLACEHOLDER_MARK}): `next build` loads this module",
        "// without the deployment's secrets. Only set while building; the deployed app",
        "// reads the real values from its environment.",
        'if (process.env.NEXT_PHASE === "phase-production-build") {',
        f"  for (const [key, value] of Object.entries({{ {values} }})) {{",
        "    process.env[key] ??= value",
        "  }",
        "}",
        "",
    ]
    return "\n".join([*lines[:index], *block, *lines[index:]])
