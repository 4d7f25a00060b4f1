"""compose: the project stays the app, the integration layer goes on top, nothing is replaced."""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any

import pytest

from console.services.scaffold import Composition, compose
from console.services.scaffold.compose import ProjectLayout
from console.services.scaffold.config import (
    Architecture,
    AuthProvider,
    Backend,
    Category,
    Payments,
    PublishConfig,
    Tier,
)
from console.services.scaffold.generator import render_scaffold
from tests.services.scaffold.matrix import MATRIX

LAYOUT = b"""import type { Metadata } from "next"
import { Inter } from "next/font/google"
import "./globals.css"

const inter = Inter({ subsets: ["latin"] })

export const metadata: Metadata = { title: "v0 App", generator: "v0.dev" }

export default function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  return (
    <html lang="en">
      <body className={inter.className}>{children}</body>
    </html>
  )
}
"""
NEXT_CONFIG = b"""/** @type {import('next').NextConfig} */
const nextConfig = {
  eslint: { ignoreDuringBuilds: true },
  typescript: { ignoreBuildErrors: true },
  images: { unoptimized: true },
}

export default nextConfig
"""
PACKAGE: dict[str, Any] = {
    "name": "my-v0-project",
    "version": "0.1.0",
    "private": True,
    "scripts": {"build": "next build", "dev": "next dev", "start": "next start"},
    "dependencies": {
        "next": "16.0.10",
        "react": "19.2.0",
        "react-dom": "19.2.0",
        "stripe": "^14.0.0",
        "geist": "latest",
    },
    "devDependencies": {"tailwindcss": "^4.1.9", "@tailwindcss/postcss": "^4.1.9"},
}
TSCONFIG = {
    "compilerOptions": {"strict": True, "paths": {"@/*": ["./*"]}},
    "include": ["next-env.d.ts", "**/*.ts", "**/*.tsx"],
}


def project(**extra: bytes) -> dict[str, bytes]:
    files = {
        "package.json": json.dumps(PACKAGE, indent=2).encode(),
        "pnpm-lock.yaml": b"lockfileVersion: '9.0'\n",
        "tsconfig.json": json.dumps(TSCONFIG, indent=2).encode(),
        "next.config.mjs": NEXT_CONFIG,
        "postcss.config.mjs": b'export default { plugins: { "@tailwindcss/postcss": {} } }\n',
        "app/layout.tsx": LAYOUT,
        "app/page.tsx": b"export default function Page() { return <main>Hi</main> }\n",
        "app/globals.css": b'@import "tailwindcss";\n',
        "lib/utils.ts": b"export const cn = (...c: string[]) => c.join(' ')\n",
        "components/ui/button.tsx": b"export function Button() { return null }\n",
        ".gitignore": b"/node_modules\n.env*.local\n",
    }
    files.update(extra)
    return files


FULL = PublishConfig(
    app_name="Shop",
    repo_name="shop",
    categories=tuple(Category),
    architecture=Architecture.THIN_CLIENT,
    auth=AuthProvider.L4YERCAK3_OAUTH,
    payments=Payments.BOTH,
    tier=Tier.FREE,
)


def origin(result: Composition, path: str) -> str:
    entry = result.entry(path)
    assert entry is not None, path
    return entry.origin


def unresolved_imports(files: dict[str, bytes], alias_root: str) -> list[str]:
    """Every `@/` or relative import of a layer file that names no file of the set."""
    missing = []
    suffixes = ("", ".ts", ".tsx", ".js", ".jsx", "/index.ts", "/index.tsx", "/index.js", ".d.ts")
    for path, content in files.items():
        if not path.endswith((".ts", ".tsx")) or "l4yercak3" not in content.decode() + path:
            continue
        for spec in re.findall(r"""from\s*["']((?:@/|\.\.?/)[^"']+)["']""", content.decode()):
            if spec.startswith("@/"):
                base = alias_root + spec[2:]
            else:
                base = posixpath.normpath(posixpath.join(posixpath.dirname(path), spec))
            candidates = [base + s for s in suffixes] + [base.removesuffix(".js") + ".d.ts"]
            if not any(c in files for c in candidates):
                missing.append(f"{path}: {spec}")
    return missing


def test_compose_without_project_files_is_the_whole_scaffold() -> None:
    result = compose({}, FULL)
    assert result.files == render_scaffold(FULL)
    assert {e.origin for e in result.entries} == {"layer"}


def test_compose_never_replaces_a_project_file_and_keeps_its_stack() -> None:
    own = project(**{"lib/data.ts": b"export const products = []\n"})
    result = compose(own, FULL)
    merged = {e.path for e in result.entries if e.origin == "merged"}
    for path, content in own.items():
        if path not in merged:
            assert result.files[path] == content, path
            assert origin(result, path) == "project"
    # The project's own build settings, stack and shell: untouched, no scaffold copies added.
    assert result.files["next.config.mjs"] == NEXT_CONFIG
    assert "tailwind.config.ts" not in result.files
    assert "components/site-header.tsx" not in result.files
    package = json.loads(result.files["package.json"])
    for section in ("dependencies", "devDependencies"):
        for name, version in PACKAGE[section].items():
            assert package[section][name] == version
    assert "tailwindcss" not in package["dependencies"]
    assert package["dependencies"]["server-only"]
    assert any("stripe" in c and "^14.0.0" in c for c in result.conflicts)


def test_compose_layer_library_is_namespaced_and_its_imports_resolve() -> None:
    own = project(
        **{
            "lib/data.ts": b"export const products = []\n",
            "components/providers.tsx": b"export function Providers() { return null }\n",
            # The project's layout already imports a `Providers` of its own.
            "app/layout.tsx": b'import { Providers } from "@/components/providers";\n'
            + b"export default function RootLayout({ children }: { children: React.ReactNode }) {\n"
            + b"  return <html><body><Providers>{children}</Providers></body></html>\n}\n",
        }
    )
    result = compose(own, FULL)
    assert result.files["lib/data.ts"] == own["lib/data.ts"]
    entry = result.entry("lib/l4yercak3/data.ts")
    assert entry is not None
    assert entry.origin == "moved"
    assert "lib/data.ts stays" in entry.note
    assert result.files["components/providers.tsx"] == own["components/providers.tsx"]
    assert "components/l4yercak3/providers.tsx" in result.files
    layout = result.files["app/layout.tsx"].decode()
    assert '"@/components/l4yercak3/providers"' in layout
    assert "<Providers><L4yercak3Providers>{children}</L4yercak3Providers>" in layout
    assert "<L4yercak3Badge />" in layout
    assert layout.count("import { Providers }") == 1
    assert unresolved_imports(result.files, "") == []


@pytest.mark.parametrize("config", MATRIX.values(), ids=list(MATRIX))
def test_compose_imports_resolve_for_every_configuration(config: PublishConfig) -> None:
    result = compose(project(), config)
    assert unresolved_imports(result.files, "") == []


def test_compose_moves_route_trees_the_project_serves_and_follows_every_path() -> None:
    own = project(
        **{
            "app/(shop)/products/page.tsx": b"export default function P() { return null }\n",
            "app/api/webhook/route.ts": b"export async function POST() { return new Response() }\n",
        }
    )
    result = compose(own, FULL)
    assert result.routes == {
        "/products": "/l4yercak3/products",
        "/api/webhook": "/api/l4yercak3/webhook",
    }
    assert result.webhook_path == "/api/l4yercak3/webhook"
    assert result.files["app/api/webhook/route.ts"] == own["app/api/webhook/route.ts"]
    assert "app/api/l4yercak3/webhook/route.ts" in result.files
    assert origin(result, "app/l4yercak3/products/page.tsx") == "moved"
    layer_text = "\n".join(
        content.decode()
        for path, content in result.files.items()
        if path.startswith(("app/l4yercak3", "components/l4yercak3", "lib/l4yercak3"))
    )
    assert re.search(r"""["'`]/products[/"'`]""", layer_text) is None
    assert "/l4yercak3/products" in layer_text
    assert unresolved_imports(result.files, "") == []


def test_compose_src_layout_puts_the_layer_below_the_alias_root() -> None:
    tsconfig = {"compilerOptions": {"paths": {"@/*": ["./src/*"]}}}
    own = {
        path.replace("app/", "src/app/", 1) if path.startswith("app/") else path: content
        for path, content in project().items()
    }
    own["tsconfig.json"] = json.dumps(tsconfig).encode()
    layout = ProjectLayout.detect(own)
    assert (layout.app_dir, layout.alias_root) == ("src/app", "src/")
    result = compose(own, FULL)
    assert "src/lib/l4yercak3/layercake.ts" in result.files
    assert "src/app/api/webhook/route.ts" in result.files
    assert not any(p.startswith("app/") for p in result.files)
    assert unresolved_imports(result.files, "src/") == []


def test_compose_adds_the_alias_to_a_tsconfig_without_it_keeping_comments_readable() -> None:
    tsconfig = b"""{
  // v0 wrote this one by hand
  "compilerOptions": { "strict": false, "jsx": "preserve", },
}
"""
    result = compose(project(**{"tsconfig.json": tsconfig}), FULL)
    data = json.loads(result.files["tsconfig.json"])
    assert data["compilerOptions"]["paths"] == {"@/*": ["./*"]}
    assert data["compilerOptions"]["strict"] is False
    assert origin(result, "tsconfig.json") == "merged"


def test_compose_merges_the_env_example_the_project_has() -> None:
    own_env = b"# Mongo\nMONGODB_URI=\nSTRIPE_SECRET_KEY=\n"
    result = compose(project(**{".env.local.example": own_env}), FULL)
    assert ".env.example" not in result.files
    text = result.files[".env.local.example"].decode()
    assert text.startswith(own_env.decode())
    assert text.count("L4YERCAK3_API_KEY=") == 1
    assert text.count("STRIPE_SECRET_KEY=") == 1


def test_compose_gitignore_keeps_the_project_entries() -> None:
    result = compose(project(), FULL)
    text = result.files[".gitignore"].decode()
    assert text.startswith("/node_modules\n.env*.local\n")
    assert text.count("/node_modules") == 1
    assert ".vercel" in text


def test_compose_layout_untouched_when_the_layer_needs_no_providers() -> None:
    config = PublishConfig(
        app_name="Forms", repo_name="forms", categories=(Category.FORMS,), tier=Tier.PRO
    )
    result = compose(project(), config)
    assert result.files["app/layout.tsx"] == LAYOUT
    assert "components/l4yercak3/providers.tsx" not in result.files


def test_compose_layout_without_children_is_a_reported_conflict() -> None:
    odd = b"export default function RootLayout(props: any) { return props.children }\n"
    result = compose(project(**{"app/layout.tsx": odd}), FULL)
    assert result.files["app/layout.tsx"] == odd
    assert any("app/layout.tsx" in c for c in result.conflicts)


def test_compose_wraps_the_project_middleware_for_clerk() -> None:
    middleware = b"""import { NextResponse, type NextRequest } from "next/server"

export function middleware(request: NextRequest) {
  return NextResponse.next()
}

export const config = { matcher: ["/dashboard/:path*"] }
"""
    config = PublishConfig(
        app_name="CRM",
        repo_name="crm",
        categories=(Category.CRM,),
        auth=AuthProvider.CLERK,
        tier=Tier.PRO,
    )
    package = dict(PACKAGE, dependencies={**PACKAGE["dependencies"], "next": "15.2.4"})
    result = compose(
        project(**{"middleware.ts": middleware, "package.json": json.dumps(package).encode()}),
        config,
    )
    text = result.files["middleware.ts"].decode()
    assert "function projectMiddleware(request: NextRequest)" in text
    assert "export const middleware = withL4yercak3(projectMiddleware);" in text
    assert '"/contacts/:path*"' in text
    assert '"/dashboard/:path*"' in text
    wrapper = result.files["lib/l4yercak3/middleware.ts"].decode()
    assert "clerkMiddleware" in wrapper
    assert "export function withL4yercak3" in wrapper
    assert origin(result, "middleware.ts") == "merged"
    assert unresolved_imports(result.files, "") == []


def test_compose_next16_gets_a_proxy_for_supabase_auth() -> None:
    config = PublishConfig(
        app_name="Portal",
        repo_name="portal",
        categories=(Category.TICKETS,),
        architecture=Architecture.FULL_STACK,
        backend=Backend.SUPABASE,
        auth=AuthProvider.SUPABASE_AUTH,
        tier=Tier.PRO,
    )
    result = compose(project(), config)
    assert "middleware.ts" not in result.files
    proxy = result.files["proxy.ts"].decode()
    assert "export async function proxy(" in proxy
    assert '"@/lib/l4yercak3/supabase-auth"' in proxy


def test_compose_drizzle_config_points_at_the_moved_schema() -> None:
    config = PublishConfig(
        app_name="Events",
        repo_name="events",
        categories=(Category.EVENTS,),
        architecture=Architecture.FULL_STACK,
        backend=Backend.NEON_DRIZZLE,
        tier=Tier.PRO,
    )
    result = compose(project(), config)
    drizzle = result.files["drizzle.config.ts"].decode()
    assert '"./lib/l4yercak3/db/schema.ts"' in drizzle
    assert "lib/l4yercak3/db/schema.ts" in result.files
    assert json.loads(result.files["package.json"])["scripts"]["db:push"]


def test_compose_fills_the_shell_a_fragment_lacks_and_keeps_its_files() -> None:
    fragment = {
        "app/page.tsx": b"export default function Home() { return <main>Shop</main> }\n",
        "components/hero.tsx": b"export function Hero() { return <h1>Hi</h1> }\n",
    }
    result = compose(fragment, FULL)
    for path, content in fragment.items():
        assert result.files[path] == content
    for shell in ("package.json", "next.config.mjs", "tailwind.config.ts", "app/layout.tsx"):
        assert origin(result, shell) == "layer", shell
    assert "components/l4yercak3/site-header.tsx" in result.files
    assert '"@/components/l4yercak3/site-header"' in result.files["app/layout.tsx"].decode()
    assert unresolved_imports(result.files, "") == []


def test_compose_adds_only_the_missing_layout_to_a_project_with_a_manifest() -> None:
    own = project()
    del own["app/layout.tsx"]
    result = compose(own, FULL)
    assert origin(result, "app/layout.tsx") == "layer"
    assert result.files["app/globals.css"] == own["app/globals.css"]  # the project's styles
    assert "tailwind.config.ts" not in result.files
    assert "next.config.mjs" in own
    assert result.files["next.config.mjs"] == NEXT_CONFIG
