"""The file set a publish pushes: the project, with the integration layer on top.

An imported project (a v0 export, a template) *is* the app. The scaffold's
integration layer (platform API client, webhook route, auth routes, the
chosen categories' data access and pages, env example) is added to it, and
nothing the project owns is ever replaced silently:

- The layer's library code lives under namespaced folders
  (`lib/l4yercak3/`, `components/l4yercak3/`) below the project's alias root
  (`src/` when `@/*` points there), so it cannot meet the project's own
  `lib/data.ts` or `components/providers.tsx`.
- Layer routes keep their URLs unless the project already serves that route
  tree; then the whole tree moves under `/l4yercak3/` (for `api/`, under
  `/api/l4yercak3/`) and every path literal in the layer follows it, so links,
  redirects, the OAuth callback and the webhook URL stay consistent.
- Files both sides want are merged structurally: `package.json` (the
  project's versions win, the layer adds the packages its files import and
  the project lacks; a real major conflict is reported), `tsconfig.json`
  (only the `@/*` alias is added when missing), `.env.example` (the layer's
  variables appended by name), `.gitignore`, `vercel.json` (crons), the root
  layout (its `{children}` wrapped in the layer's providers only when the
  layer needs providers or the badge) and `middleware.ts` (the project's
  middleware keeps running, wrapped by the layer's).
- The app shell of the scaffold (layout, home page, global CSS, Tailwind and
  PostCSS configs, next.config, header) is not part of the layer: the
  project's own stack, fonts and build settings stay exactly as they are.
  Only a project that lacks a part of the shell (no root layout, no home
  page; a fragment without package.json lacks its configs too) gets the
  scaffold's, so what is pushed is always a whole app.

A project without files (a builder app created on the web) gets the whole
scaffold. `Composition.entries` says for every file where it came from and,
where both sides met, which side won and why.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from console.services.scaffold import versions
from console.services.scaffold.config import AuthProvider, Category, PublishConfig
from console.services.scaffold.generator import environment, render_context, render_scaffold
from console.services.scaffold.webhook import WEBHOOK_PATH

logger = logging.getLogger(__name__)

Origin = Literal["project", "layer", "merged", "moved"]
NAMESPACE = "l4yercak3"

#: Scaffold files that make up a whole app on their own; an existing project has its own.
SHELL_FILES = frozenset(
    {
        "next.config.mjs",
        "tailwind.config.ts",
        "postcss.config.mjs",
        "app/layout.tsx",
        "app/page.tsx",
        "app/not-found.tsx",
        "app/globals.css",
        "components/site-header.tsx",
    }
)
#: Where each scaffold folder goes in a project, below its alias root.
_LIBRARY_FOLDERS = {
    "lib/": f"lib/{NAMESPACE}/",
    "types/": f"lib/{NAMESPACE}/types/",
    "db/": f"lib/{NAMESPACE}/db/",
    "components/": f"components/{NAMESPACE}/",
}
#: Tool folders that must stay at the project root (the tools look for them there).
_ROOT_FOLDERS = ("convex/", "supabase/")
_MIDDLEWARE_NAMES = ("middleware.ts", "middleware.js", "proxy.ts", "proxy.js")
_LAYOUT_NAMES = ("layout.tsx", "layout.jsx", "layout.js")
_ENV_TEMPLATES = (".env.example", ".env.local.example", ".env.sample", ".env.template")
_CODE_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs")
_RESOLVE_SUFFIXES = ("", ".ts", ".tsx", ".js", ".jsx", "/index.ts", "/index.tsx", "/index.js")


@dataclass(frozen=True)
class ComposedFile:
    """One file of the composed set and where it came from.

    Attributes:
        path: where it is in the pushed repository.
        origin: "project" (the project's file, unchanged), "layer" (added by
            the integration layer), "merged" (both sides, merged
            structurally), "moved" (a layer file at another path because the
            project already uses the original one).
        note: which side won and why, for the review ("" for plain files).
    """

    path: str
    origin: Origin
    note: str = ""


@dataclass(frozen=True)
class ProjectLayout:
    """Where things live in a project and which stack it is on."""

    app_dir: str  # "app" or "src/app"
    alias_root: str  # what `@/` points at: "" or "src/"
    has_alias: bool  # tsconfig maps `@/*`
    next_major: int | None
    middleware: str | None  # the project's middleware (or Next 16 proxy) file
    route_units: frozenset[str]  # first URL segments the project serves ("shop", "api/webhook")

    @classmethod
    def detect(cls, files: Mapping[str, bytes]) -> ProjectLayout:
        app_dir = (
            "src/app" if _has_folder(files, "src/app") and not _has_folder(files, "app") else "app"
        )
        alias = _alias_root(files.get("tsconfig.json"))
        alias_root = alias if alias is not None else ("src/" if app_dir == "src/app" else "")
        package = _json_object(files.get("package.json")) or {}
        next_spec = _dependency(package, "next")
        middleware = next(
            (
                f"{prefix}{name}"
                for prefix in ("", "src/")
                for name in _MIDDLEWARE_NAMES
                if f"{prefix}{name}" in files
            ),
            None,
        )
        return cls(
            app_dir=app_dir,
            alias_root=alias_root,
            has_alias=alias is not None,
            next_major=_major(next_spec),
            middleware=middleware,
            route_units=frozenset(_route_units(files, app_dir)),
        )


@dataclass(frozen=True)
class Composition:
    """The pushed file set and the account of how it was made.

    Attributes:
        files: path -> content, exactly what a push commits.
        entries: every file with its origin, sorted by path.
        conflicts: what needs a person's attention (a package both sides pin
            to different majors, a middleware or layout that could not be
            merged); the project's side was kept each time.
        routes: layer URL prefixes that moved, original -> new.
        webhook_path: where the app receives platform webhooks.
    """

    files: dict[str, bytes]
    entries: tuple[ComposedFile, ...]
    conflicts: tuple[str, ...] = ()
    routes: dict[str, str] = field(default_factory=dict)
    webhook_path: str = WEBHOOK_PATH

    def entry(self, path: str) -> ComposedFile | None:
        return next((e for e in self.entries if e.path == path), None)


class ExtraEnv(Protocol):
    """A variable the publisher added in the wizard (names and descriptions only)."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def secret(self) -> bool: ...


def compose(
    project: Mapping[str, bytes], config: PublishConfig, extra_env: Sequence[ExtraEnv] = ()
) -> Composition:
    """The file set to publish for a project with `config`.

    Args:
        project: the project's files as stored (imported, patched); empty for
            a builder app without local files, which gets the whole scaffold.
        config: the publish configuration (must validate).
        extra_env: variables added in the wizard, listed (names only) in the
            env example beside the integration's.

    Raises:
        ValueError: `config` has validation errors.
    """
    scaffold = render_scaffold(config)
    if extra_env:
        scaffold[".env.example"] = _with_extra_env(scaffold[".env.example"], extra_env)
    if not project:
        entries = tuple(ComposedFile(p, "layer", "generated app") for p in sorted(scaffold))
        return Composition(dict(sorted(scaffold.items())), entries)
    return _Overlay(project, config, scaffold).compose()


class _Overlay:
    """Lays the scaffold's integration layer over a project's files."""

    def __init__(
        self, project: Mapping[str, bytes], config: PublishConfig, scaffold: Mapping[str, bytes]
    ) -> None:
        self.project = dict(project)
        self.config = config
        self.scaffold = dict(scaffold)
        self.layout = ProjectLayout.detect(project)
        self.files: dict[str, bytes] = dict(project)
        self.notes: dict[str, tuple[Origin, str]] = {}
        self.conflicts: list[str] = []
        self.routes = self._moved_routes()
        self.paths = self._layer_paths()

    def compose(self) -> Composition:
        for original, target in sorted(self.paths.items()):
            self._add_layer_file(original, target)
        self._merge_package_json()
        self._merge_tsconfig()
        self._merge_env_example()
        self._merge_gitignore()
        self._merge_vercel_json()
        self._add_if_missing("next-env.d.ts")
        self._merge_middleware()
        self._patch_layout()
        entries = []
        for path in sorted(self.files):
            origin, note = self.notes.get(path, ("project", ""))
            entries.append(ComposedFile(path, origin, note))
        webhook = self.routes.get(WEBHOOK_PATH, WEBHOOK_PATH)
        logger.info(
            "composed %d files (%d from the layer, %d merged, %d routes moved)",
            len(self.files),
            sum(1 for e in entries if e.origin in ("layer", "moved")),
            sum(1 for e in entries if e.origin == "merged"),
            len(self.routes),
        )
        return Composition(
            dict(sorted(self.files.items())),
            tuple(entries),
            tuple(self.conflicts),
            dict(self.routes),
            webhook,
        )

    # ------------------------------------------------------------------ paths

    def _moved_routes(self) -> dict[str, str]:
        """Layer route trees the project already serves: URL prefix -> its new prefix."""
        moved: dict[str, str] = {}
        for path in self.scaffold:
            if not path.startswith("app/") or path in SHELL_FILES:
                continue
            unit = _unit_of(path.removeprefix("app/").split("/"))
            if unit and unit in self.layout.route_units:
                head, _, rest = unit.partition("/")
                new = f"api/{NAMESPACE}/{rest}" if head == "api" else f"{NAMESPACE}/{unit}"
                moved[f"/{unit}"] = f"/{new}"
        return moved

    def _layer_paths(self) -> dict[str, str]:
        """Scaffold path -> path in the project, for every layer file added as a file."""
        root = self.layout.alias_root
        paths: dict[str, str] = {}
        for path in self.scaffold:
            if path in _MERGED or path in ("middleware.ts", "README.md"):
                continue
            if path in SHELL_FILES and not self._lacks(path):
                continue
            if path == "components/providers.tsx" and not self._needs_providers():
                continue
            if path.startswith("app/"):
                url = "/" + path.removeprefix("app/")
                target = self.layout.app_dir + _moved_url(url, self.routes)
            elif path.startswith(_ROOT_FOLDERS) or "/" not in path:
                target = path
            else:
                folder = next((f for f in _LIBRARY_FOLDERS if path.startswith(f)), None)
                if folder is None:
                    raise ValueError(f"the scaffold file {path} has no place in a project")
                target = root + _LIBRARY_FOLDERS[folder] + path.removeprefix(folder)
            paths[path] = target
        paths["README.md"] = f"{root}lib/{NAMESPACE}/README.md"
        return paths

    def _lacks(self, shell: str) -> bool:
        """Whether the project has nothing in the role of the scaffold's shell file `shell`."""
        app = self.layout.app_dir
        own = set(self.project)
        fragment = "package.json" not in own

        def has(*names: str) -> bool:
            return any(name in own for name in names)

        layout = not has(*(f"{app}/{n}" for n in _LAYOUT_NAMES))
        roles = {
            "app/layout.tsx": layout,
            "app/globals.css": layout and not has(f"{app}/globals.css"),
            "components/site-header.tsx": layout,
            "app/page.tsx": not has(f"{app}/page.tsx", f"{app}/page.jsx", f"{app}/page.js"),
            "app/not-found.tsx": fragment and not has(f"{app}/not-found.tsx"),
            "next.config.mjs": fragment and not any(p.startswith("next.config.") for p in own),
            "tailwind.config.ts": fragment
            and not any(p.startswith("tailwind.config.") for p in own),
            "postcss.config.mjs": fragment
            and not any(p.startswith(("postcss.config.", ".postcssrc")) for p in own),
        }
        return roles[shell]

    def _needs_providers(self) -> bool:
        """Whether pages need the layer's client providers (cart, session) or the badge."""
        return (
            self.config.has(Category.PRODUCTS)
            or self.config.auth in (AuthProvider.NEXTAUTH, AuthProvider.CLERK)
            or self.config.badge_required
        )

    # ------------------------------------------------------------------ layer files

    def _add_layer_file(self, original: str, target: str) -> None:
        content = self.scaffold[original]
        if target in self.project:
            # Only the root tool folders can meet a project file (the rest is namespaced).
            self.conflicts.append(
                f"{target}: the project has its own file here; the integration's "
                f"{original} was left out (the project's is kept)."
            )
            self.notes[target] = ("project", "the integration's file of this name was left out")
            return
        self.files[target] = self._rewrite(original, target, content)
        if original in SHELL_FILES:
            self.notes[target] = ("layer", "the project had none: the scaffold's")
            return
        if target == original:
            self.notes[target] = ("layer", "added by the integration layer")
            return
        reason = self._why_moved(original, target)
        self.notes[target] = ("moved", reason) if reason else ("layer", "integration layer")

    def _why_moved(self, original: str, target: str) -> str:
        """Why a layer file is not at its scaffold path, when the project is the reason."""
        if original.startswith("app/"):
            url = "/" + original.removeprefix("app/")
            for old, new in self.routes.items():
                if url.startswith(old + "/"):
                    return (
                        f"the project serves {old} itself; the integration's pages for it "
                        f"are at {new}"
                    )
            return ""
        own = self.layout.alias_root + original
        if own in self.project:
            return f"the project's own {own} stays as it is; the integration's is here"
        return ""

    def _rewrite(self, original: str, target: str, content: bytes) -> bytes:
        """Make a layer file's imports, file paths and route paths fit its new place."""
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            return content
        if original.endswith(_CODE_SUFFIXES):
            text = _PATH_LITERAL.sub(
                lambda m: m.group(1) + self._specifier(original, target, m.group(2)) + m.group(1),
                text,
            )
        text = _rewrite_routes(text, self.routes)
        return text.encode("utf-8")

    def _specifier(self, original: str, target: str, spec: str) -> str:
        """A path `original` names (an import, a config's file path), rewritten for `target`.

        Paths to other layer files follow them to their place in the project;
        anything else (packages, the project's own files) stays as written.
        """
        if spec.startswith("@/"):
            wanted = spec[2:]
        elif spec.startswith("."):
            wanted = posixpath.normpath(posixpath.join(posixpath.dirname(original), spec))
        else:
            return spec
        for suffix in _RESOLVE_SUFFIXES:
            candidate = wanted + suffix
            if candidate in self.paths:
                mapped = self.paths[candidate]
                break
        else:
            return spec
        # Keep the specifier's form: no extension, or the folder for an index import.
        if suffix.startswith("/index"):
            mapped = posixpath.dirname(mapped)
        elif suffix:
            mapped = mapped[: -len(suffix)]
        root = self.layout.alias_root
        if spec.startswith("@/") and mapped.startswith(root):
            return "@/" + mapped[len(root) :]
        relative = posixpath.relpath(mapped, posixpath.dirname(target))
        return relative if relative.startswith(".") else "./" + relative

    # ------------------------------------------------------------------ merges

    def _merge_package_json(self) -> None:
        own = _json_object(self.project.get("package.json"))
        layer = _json_object(self.scaffold.get("package.json")) or {}
        if own is None:
            if "package.json" in self.project:
                self.conflicts.append(
                    "package.json is not valid JSON; the integration's packages were not added."
                )
            else:
                self.files["package.json"] = self.scaffold["package.json"]
                self.notes["package.json"] = ("layer", "the project had none")
            return
        layer_versions = {
            **dict(layer.get("devDependencies") or {}),
            **dict(layer.get("dependencies") or {}),
        }
        needed = sorted(_imported_packages(self.files[p] for p in self.paths.values()))
        added: list[str] = []
        for name in needed:
            wanted = layer_versions.get(name) or versions.all_packages().get(name)
            if wanted is None:
                continue
            have = _dependency(own, name)
            if have is None:
                section = own.setdefault("dependencies", {})
                if isinstance(section, dict):
                    section[name] = wanted
                    own["dependencies"] = dict(sorted(section.items()))
                    added.append(f"{name}@{wanted}")
            elif _major(have) is not None and _major(have) != _major(wanted):
                self.conflicts.append(
                    f"package.json: the project pins {name} {have}; the integration is written "
                    f"for {wanted}. The project's version is kept: check the pages that use it."
                )
        scripts = own.get("scripts")
        for name, command in dict(layer.get("scripts") or {}).items():
            if name.startswith("db:") and isinstance(scripts, dict) and name not in scripts:
                scripts[name] = command
                added.append(f'script "{name}"')
        if not added:
            return
        self.files["package.json"] = _dump_json(own)
        self.notes["package.json"] = (
            "merged",
            "the project's versions kept; the integration added " + ", ".join(added),
        )

    def _merge_tsconfig(self) -> None:
        if self.layout.has_alias:
            return
        raw = self.project.get("tsconfig.json")
        if raw is None:
            self.files["tsconfig.json"] = self.scaffold["tsconfig.json"]
            self.notes["tsconfig.json"] = ("layer", "the project had none")
            return
        data = _json_object(raw, lenient=True)
        options = data.get("compilerOptions") if data else None
        if data is None or not isinstance(options, dict):
            self.conflicts.append(
                'tsconfig.json could not be read; add "paths": {"@/*": ["./*"]} to its '
                "compilerOptions so the integration's imports resolve."
            )
            return
        paths = options.setdefault("paths", {})
        if isinstance(paths, dict):
            paths["@/*"] = [f"./{self.layout.alias_root}*"]
        self.files["tsconfig.json"] = _dump_json(data)
        self.notes["tsconfig.json"] = (
            "merged",
            "the project's settings kept; added the @/* import alias the integration uses",
        )

    def _merge_env_example(self) -> None:
        layer = self.scaffold[".env.example"].decode("utf-8")
        target = next((p for p in _ENV_TEMPLATES if p in self.project), None)
        if target is None:
            self.files[".env.example"] = layer.encode("utf-8")
            self.notes[".env.example"] = ("layer", "the integration's variables (names only)")
            return
        own = self.project[target].decode("utf-8", "replace")
        known = {m.group(1) for m in _ENV_NAME.finditer(own)}
        blocks = [
            block
            for block in _env_blocks(layer)
            if not (found := _ENV_NAME.search(block)) or found.group(1) not in known
        ]
        if not blocks:
            return
        text = own.rstrip("\n") + "\n\n# Added by the l4yercak3 integration\n" + "\n".join(blocks)
        self.files[target] = (text.rstrip("\n") + "\n").encode("utf-8")
        self.notes[target] = ("merged", "the project's variables kept; the integration's appended")

    def _merge_gitignore(self) -> None:
        own = self.project.get(".gitignore")
        layer = self.scaffold[".gitignore"].decode("utf-8")
        if own is None:
            self.files[".gitignore"] = layer.encode("utf-8")
            self.notes[".gitignore"] = ("layer", "the project had none")
            return
        text = own.decode("utf-8", "replace")
        present = {line.strip() for line in text.splitlines()}
        missing = [
            line
            for line in layer.splitlines()
            if line.strip() and not line.startswith("#") and line.strip() not in present
        ]
        if missing:
            merged = text.rstrip("\n") + "\n\n# Added by the l4yercak3 integration\n"
            self.files[".gitignore"] = (merged + "\n".join(missing) + "\n").encode("utf-8")
            self.notes[".gitignore"] = ("merged", "the project's entries kept; added missing ones")

    def _merge_vercel_json(self) -> None:
        if "vercel.json" not in self.scaffold:
            return
        layer = json.loads(_rewrite_routes(self.scaffold["vercel.json"].decode(), self.routes))
        own = _json_object(self.project.get("vercel.json"))
        if own is None:
            if "vercel.json" in self.project:
                self.conflicts.append(
                    "vercel.json is not valid JSON; add the integration's daily sync cron "
                    "(/api/sync) to it by hand."
                )
                return
            self.files["vercel.json"] = _dump_json(layer)
            self.notes["vercel.json"] = ("layer", "the integration's daily sync")
            return
        crons = own.setdefault("crons", [])
        if not isinstance(crons, list):
            self.conflicts.append(
                "vercel.json: `crons` is not a list; the sync cron was not added."
            )
            return
        paths = {c.get("path") for c in crons if isinstance(c, dict)}
        new = [c for c in layer.get("crons", []) if c.get("path") not in paths]
        if new:
            crons.extend(new)
            self.files["vercel.json"] = _dump_json(own)
            self.notes["vercel.json"] = (
                "merged",
                "the project's settings kept; added the sync cron",
            )

    def _add_if_missing(self, path: str) -> None:
        if path in self.scaffold and path not in self.project:
            self.files[path] = self.scaffold[path]
            self.notes[path] = ("layer", "the project had none")

    def _merge_middleware(self) -> None:
        """The layer's middleware, alone or wrapped around the project's.

        Only sign-in providers that must see every request (Clerk, Supabase
        Auth) need one: the integration's pages check the session themselves.
        Next 16 calls the file `proxy.ts` and its export `proxy`.
        """
        if self.config.auth not in (AuthProvider.CLERK, AuthProvider.SUPABASE_AUTH):
            return
        name = "proxy" if (self.layout.next_major or 0) >= 16 else "middleware"
        own_path = self.layout.middleware
        if own_path is None:
            target = ("src/" if self.layout.app_dir == "src/app" else "") + f"{name}.ts"
            text = self._rewrite("middleware.ts", target, self.scaffold["middleware.ts"]).decode()
            if name == "proxy":
                text = text.replace("function middleware(", "function proxy(")
            self.files[target] = text.encode("utf-8")
            self.notes[target] = ("layer", "sign-in has to see every request")
            return
        merged = _wrap_middleware(self.project[own_path].decode("utf-8", "replace"))
        if merged is None:
            self.conflicts.append(
                f"{own_path}: the project's middleware has a shape the console cannot wrap; "
                f"wrap it with withL4yercak3 from lib/{NAMESPACE}/middleware.ts by hand."
            )
            return
        module = f"{self.layout.alias_root}lib/{NAMESPACE}/middleware.ts"
        wrapper = environment().get_template("_patch/middleware-wrapper.ts.j2")
        text = wrapper.render(render_context(self.config))
        self.files[module] = self._rewrite("middleware.ts", module, text.encode("utf-8"))
        self.notes[module] = ("layer", f"wraps the project's {own_path}")
        protected = [*_layer_protected(self.config, self.routes)]
        self.files[own_path] = _extend_matcher(merged, protected).encode("utf-8")
        self.notes[own_path] = (
            "merged",
            "the project's middleware kept and still runs; the integration's sign-in "
            "handling runs first",
        )

    def _patch_layout(self) -> None:
        if not self._needs_providers() or "app/layout.tsx" in self.paths:
            return  # the scaffold's own layout, when added, has its providers already
        layout = next(
            (
                f"{self.layout.app_dir}/{n}"
                for n in _LAYOUT_NAMES
                if f"{self.layout.app_dir}/{n}" in self.project
            ),
            None,
        )
        if layout is None:
            self.conflicts.append(
                "The project has no root layout to wrap in the integration's providers."
            )
            return
        env = environment()
        context = render_context(self.config)
        imports = env.get_template("_patch/layout-imports.tsx.j2").render(context)
        imports = self._rewrite("app/layout.tsx", layout, imports.encode()).decode()
        body = env.get_template("_patch/layout-children.tsx.j2").render(context).strip()
        patched = _wrap_children(self.project[layout].decode("utf-8", "replace"), imports, body)
        if patched is None:
            self.conflicts.append(
                f"{layout}: no single {{children}} to wrap in the integration's providers"
                + (" and badge" if self.config.badge_required else "")
                + "; wrap it by hand."
            )
            return
        self.files[layout] = patched.encode("utf-8")
        self.notes[layout] = (
            "merged",
            "the project's layout kept; its {children} wrapped in the integration's providers"
            + (" and the plan's badge" if self.config.badge_required else ""),
        )


#: Scaffold files merged into (or created beside) the project's own, never added as files.
_MERGED = frozenset(
    {"package.json", "tsconfig.json", ".env.example", ".gitignore", "vercel.json", "next-env.d.ts"}
)
#: An import, export-from, dynamic import or require specifier; group 2 is the specifier.
_SPECIFIER = re.compile(
    r"""(?:\bfrom|\bimport|\brequire\s*\(|\bimport\s*\()\s*(["'])([^"'\n]+)\1"""
)
#: A string literal holding a project path (`@/lib/api`, `./schema`, `../db/schema.ts`).
_PATH_LITERAL = re.compile(r"""(["'])((?:@/|\.\.?/)[^"'\n]*)\1""")
_ENV_NAME = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", re.M)


def _rewrite_routes(text: str, routes: Mapping[str, str]) -> str:
    """Every string or template literal path under a moved prefix, on its new prefix."""
    for old, new in routes.items():
        pattern = re.compile(rf"""(["'`]){re.escape(old)}(?=[/"'`?#$])""")
        text = pattern.sub(rf"\g<1>{new}", text)
    return text


def _moved_url(url: str, routes: Mapping[str, str]) -> str:
    for old, new in routes.items():
        if url.startswith(old + "/"):
            return new + url[len(old) :]
    return url


def _unit_of(segments: list[str]) -> str | None:
    """The URL unit of an app-dir path's folders: its first URL segment, two for `api/`."""
    url = [s for s in segments[:-1] if not (s.startswith(("(", "@", "_")) or not s)]
    if not url:
        return None
    if url[0] == "api":
        return f"api/{url[1]}" if len(url) > 1 else None
    return url[0]


def _route_units(files: Iterable[str], app_dir: str) -> set[str]:
    prefix = app_dir + "/"
    units = set()
    for path in files:
        if path.startswith(prefix):
            unit = _unit_of(path[len(prefix) :].split("/"))
            if unit:
                units.add(unit)
    return units


def _has_folder(files: Iterable[str], folder: str) -> bool:
    return any(p.startswith(folder + "/") for p in files)


def _json_object(raw: bytes | None, *, lenient: bool = False) -> dict[str, Any] | None:
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace")
    if lenient:  # tsconfig is JSON with comments and trailing commas
        text = re.sub(
            r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', lambda m: m.group(1) or "", text, flags=re.S
        )
        text = re.sub(r",(\s*[}\]])", r"\1", text)
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _dump_json(data: Mapping[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _alias_root(raw: bytes | None) -> str | None:
    """What `@/*` points at in a tsconfig ("" for `./*`, "src/" for `./src/*`), None if unmapped."""
    data = _json_object(raw, lenient=True)
    options = data.get("compilerOptions") if data else None
    paths = options.get("paths") if isinstance(options, dict) else None
    targets = paths.get("@/*") if isinstance(paths, dict) else None
    if not isinstance(targets, list) or not targets or not isinstance(targets[0], str):
        return None
    base = options.get("baseUrl", ".") if isinstance(options, dict) else "."
    joined = posixpath.normpath(posixpath.join(str(base), targets[0].removesuffix("*")))
    return "" if joined in (".", "") else joined.strip("/") + "/"


def _dependency(package: Mapping[str, Any], name: str) -> str | None:
    for section in ("dependencies", "devDependencies"):
        deps = package.get(section)
        if isinstance(deps, dict) and name in deps:
            return str(deps[name])
    return None


def _major(spec: str | None) -> int | None:
    found = re.search(r"\d+", spec or "")
    return int(found.group()) if found else None


def _imported_packages(contents: Iterable[bytes]) -> set[str]:
    """npm packages the given sources import (bare specifiers, scoped ones whole)."""
    names = set()
    for content in contents:
        for match in _SPECIFIER.finditer(content.decode("utf-8", "replace")):
            spec = match.group(2)
            if spec.startswith((".", "/", "@/", "node:")):
                continue
            parts = spec.split("/")
            names.add("/".join(parts[:2]) if spec.startswith("@") else parts[0])
    return names


def _with_extra_env(example: bytes, extra: Sequence[ExtraEnv]) -> bytes:
    lines = ["", "", "# Added in the publish wizard"]
    for var in extra:
        kind = "secret, " if var.secret else ""
        lines.append(f"# {var.description or var.name} ({kind}set it in the deployment)")
        lines.append(f"{var.name}=")
    return (example.decode("utf-8").rstrip("\n") + "\n".join(lines) + "\n").encode("utf-8")


def _env_blocks(text: str) -> list[str]:
    """An env example's entries, each with the comment lines above it."""
    blocks: list[str] = []
    pending: list[str] = []
    for line in text.splitlines():
        if _ENV_NAME.match(line):
            blocks.append("\n".join([*pending, line]))
            pending = []
        elif line.startswith("#"):
            pending.append(line)
        elif not line.strip():
            pending = []
    return blocks


def _wrap_children(source: str, imports: str, body: str) -> str | None:
    """A root layout with `{children}` wrapped in `body`, and `imports` after its imports."""
    if source.count("{children}") != 1:
        return None
    source = source.replace("{children}", body)
    imports_end = 0
    for match in _IMPORT_STATEMENT.finditer(source):
        imports_end = match.end()
    if imports_end:
        return source[:imports_end] + "\n" + imports.rstrip("\n") + source[imports_end:]
    directive = re.match(r"""\s*(["'])use client\1;?[^\n]*\n""", source)
    at = directive.end() if directive else 0
    return source[:at] + imports + source[at:]


#: A top-level import statement: from `import` to its module string (multi-line aware).
_IMPORT_STATEMENT = re.compile(r"^import\b[^;'\"]*?['\"][^'\"\n]+['\"];?[ \t]*$", re.M)
#: The exported middleware of a project, in the shapes Next accepts.
_MIDDLEWARE_EXPORT = re.compile(
    r"^export\s+(?:(?P<default>default\s+)(?P<dfn>(?:async\s+)?function\b[^(]*)?"
    r"|(?:async\s+)?function\s+(?P<fname>middleware|proxy)\b"
    r"|const\s+(?P<cname>middleware|proxy)\b)",
    re.M,
)


def _wrap_middleware(source: str) -> str | None:
    """The project's middleware renamed `projectMiddleware`, exported wrapped by the layer's."""
    matches = list(_MIDDLEWARE_EXPORT.finditer(source))
    if len(matches) != 1:
        return None
    found = matches[0]
    if found.group("dfn") is not None:  # export default [async] function [name](
        header = re.sub(
            r"function\s*\w*", "function projectMiddleware", found.group("dfn"), count=1
        )
        renamed = source[: found.start()] + header + source[found.end() :]
        export = "export default withL4yercak3(projectMiddleware);"
    elif found.group("default") is not None:  # export default <expression>
        renamed = source[: found.start()] + "const projectMiddleware = " + source[found.end() :]
        export = "export default withL4yercak3(projectMiddleware);"
    else:  # export [async] function middleware( / export const middleware =
        name = found.group("fname") or found.group("cname")
        declared = found.group(0).removeprefix("export").lstrip()
        renamed = (
            source[: found.start()]
            + declared.replace(name, "projectMiddleware", 1)
            + source[found.end() :]
        )
        export = f"export const {name} = withL4yercak3(projectMiddleware);"
    return (
        f'import {{ withL4yercak3 }} from "@/lib/{NAMESPACE}/middleware";\n'
        + renamed.rstrip("\n")
        + "\n\n// The l4yercak3 integration's sign-in handling runs first, then the code above.\n"
        + export
        + "\n"
    )


def _layer_protected(config: PublishConfig, routes: Mapping[str, str]) -> list[str]:
    """Matcher entries for the layer's pages that read the signed-in user."""
    facts = render_context(config)["s"]
    return [f"{_moved_url(p + '/', routes).rstrip('/')}/:path*" for p in facts.protected]


def _extend_matcher(source: str, entries: list[str]) -> str:
    """Add `entries` to a literal `matcher` list so the wrapped middleware sees those pages."""
    found = re.search(r"matcher\s*:\s*\[", source)
    if found is None:
        single = re.search(r"matcher\s*:\s*([\"'][^\"'\n]*[\"'])", source)
        if single is None:
            return source  # no matcher: the middleware already sees every request
        start, end = single.span(1)
        items = ", ".join(json.dumps(e) for e in entries)
        return source[:start] + f"[{single.group(1)}, {items}]" + source[end:]
    items = "".join(f"{json.dumps(e)}, " for e in entries)
    return source[: found.end()] + items + source[found.end() :]


def merged_paths(compositions: Iterable[Composition]) -> set[str]:
    """Paths merged by any of `compositions` (for tests and reports)."""
    return {e.path for c in compositions for e in c.entries if e.origin == "merged"}
