"""merge_v0: v0 files over the scaffold, conflicts reported, scaffold-owned files kept."""

from __future__ import annotations

import json

from console.services.scaffold.config import AuthProvider, Category, PublishConfig, Tier
from console.services.scaffold.generator import MergeConflict, merge_v0, render_scaffold

CONFIG = PublishConfig(app_name="Demo", repo_name="demo", categories=(Category.PRODUCTS,))

V0_LAYOUT = b"""import type { Metadata } from "next"
import {
  GeistSans,
} from "geist/font/sans"
import "./globals.css"

export const metadata: Metadata = { title: "v0 App" }

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className={GeistSans.className}>{children}</body>
    </html>
  )
}
"""


def _conflicts(result_conflicts: tuple[MergeConflict, ...]) -> dict[str, MergeConflict]:
    return {c.path: c for c in result_conflicts}


def test_merge_v0_adds_new_files_without_conflicts() -> None:
    scaffold = render_scaffold(CONFIG)
    v0 = {"components/ui/button.tsx": b"export function Button() { return null }\n"}
    result = merge_v0(scaffold, v0)
    assert result.files["components/ui/button.tsx"] == v0["components/ui/button.tsx"]
    assert result.conflicts == ()
    assert result.from_v0 == ("components/ui/button.tsx",)
    assert set(result.files) == set(scaffold) | set(v0)


def test_merge_v0_identical_files_are_not_conflicts() -> None:
    scaffold = render_scaffold(CONFIG)
    result = merge_v0(scaffold, {"app/globals.css": scaffold["app/globals.css"]})
    assert result.conflicts == ()


def test_merge_v0_wins_for_ordinary_files_and_says_so() -> None:
    scaffold = render_scaffold(CONFIG)
    v0 = {
        "app/page.tsx": b"export default function Page() { return <p>v0</p> }\n",
        "app/products/page.tsx": b"export default function Products() { return null }\n",
    }
    result = merge_v0(scaffold, v0)
    assert result.files["app/page.tsx"] == v0["app/page.tsx"]
    assert result.files["app/products/page.tsx"] == v0["app/products/page.tsx"]
    conflicts = _conflicts(result.conflicts)
    assert conflicts["app/page.tsx"].kept == "v0"
    assert conflicts["app/products/page.tsx"].kept == "v0"


def test_merge_v0_never_replaces_scaffold_owned_files() -> None:
    scaffold = render_scaffold(CONFIG)
    v0 = {
        "lib/layercake.ts": b"export const key = process.env.NEXT_PUBLIC_KEY\n",
        "lib/api.ts": b"export {}\n",
        "app/api/webhook/route.ts": b"export async function POST() { return new Response() }\n",
        "middleware.ts": b"export function middleware() {}\n",
        "tsconfig.json": b"{}\n",
    }
    result = merge_v0(scaffold, v0)
    conflicts = _conflicts(result.conflicts)
    for path in v0:
        assert result.files[path] == scaffold[path], path
        assert conflicts[path].kept == "scaffold", path
        assert "owns" in conflicts[path].reason
    assert result.from_v0 == ()


def test_merge_v0_aliases_of_scaffold_files() -> None:
    scaffold = render_scaffold(CONFIG)
    v0 = {
        "next.config.js": b"module.exports = { typescript: { ignoreBuildErrors: true } }\n",
        "tailwind.config.js": b"module.exports = { content: ['./app/**/*.tsx'] }\n",
    }
    result = merge_v0(scaffold, v0)
    conflicts = _conflicts(result.conflicts)
    # next.config is owned: v0's variant is dropped, never shipped beside ours.
    assert "next.config.js" not in result.files
    assert conflicts["next.config.js"].kept == "scaffold"
    # tailwind config is v0's design: it replaces ours under its own name.
    assert "tailwind.config.ts" not in result.files
    assert result.files["tailwind.config.js"] == v0["tailwind.config.js"]
    assert conflicts["tailwind.config.ts"].kept == "v0"


def test_merge_v0_package_json_keeps_pins_and_adds_v0_dependencies() -> None:
    scaffold = render_scaffold(CONFIG)
    v0_package = {
        "name": "my-v0-project",
        "scripts": {"dev": "next dev --turbo", "lint": "next lint"},
        "dependencies": {"next": "latest", "react": "^19", "lucide-react": "0.454.0"},
        "devDependencies": {"typescript": "^5", "@types/node": "^22"},
    }
    result = merge_v0(scaffold, {"package.json": json.dumps(v0_package).encode()})
    merged = json.loads(result.files["package.json"])
    ours = json.loads(scaffold["package.json"])
    assert merged["name"] == ours["name"]
    assert merged["dependencies"]["next"] == ours["dependencies"]["next"]
    assert merged["dependencies"]["lucide-react"] == "0.454.0"
    assert merged["devDependencies"]["typescript"] == ours["devDependencies"]["typescript"]
    assert merged["scripts"]["dev"] == "next dev"
    assert merged["scripts"]["lint"] == "next lint"
    conflict = _conflicts(result.conflicts)["package.json"]
    assert conflict.kept == "merged"
    assert "next latest -> 15." in conflict.reason


def test_merge_v0_package_json_that_is_not_json_keeps_ours() -> None:
    scaffold = render_scaffold(CONFIG)
    result = merge_v0(scaffold, {"package.json": b"{ nope"})
    assert result.files["package.json"] == scaffold["package.json"]
    assert "not valid JSON" in _conflicts(result.conflicts)["package.json"].reason


def test_merge_v0_layout_is_wrapped_in_the_scaffold_providers_and_badge() -> None:
    config = CONFIG.with_changes(tier=Tier.FREE, auth=AuthProvider.CLERK)
    scaffold = render_scaffold(config)
    result = merge_v0(scaffold, {"app/layout.tsx": V0_LAYOUT}, config=config)
    layout = result.files["app/layout.tsx"].decode()
    assert 'title: "v0 App"' in layout
    assert (
        '<ClerkProvider signInUrl="/sign-in"><Providers>{children}</Providers>'
        "<PoweredByBadge /></ClerkProvider>"
    ) in layout
    imports_end = layout.index('import "./globals.css"')
    assert layout.index('import { Providers } from "@/components/providers";') > imports_end
    assert layout.index("import { PoweredByBadge }") < layout.index("export const metadata")
    assert _conflicts(result.conflicts)["app/layout.tsx"].kept == "merged"


def test_merge_v0_layout_without_children_keeps_the_scaffold_layout() -> None:
    scaffold = render_scaffold(CONFIG)
    odd = b"export default function Layout() { return <html /> }\n"
    result = merge_v0(scaffold, {"app/layout.tsx": odd}, config=CONFIG)
    assert result.files["app/layout.tsx"] == scaffold["app/layout.tsx"]
    assert _conflicts(result.conflicts)["app/layout.tsx"].kept == "scaffold"


def test_merge_v0_layout_without_config_is_a_plain_v0_win() -> None:
    scaffold = render_scaffold(CONFIG)
    result = merge_v0(scaffold, {"app/layout.tsx": V0_LAYOUT})
    assert result.files["app/layout.tsx"] == V0_LAYOUT
    assert _conflicts(result.conflicts)["app/layout.tsx"].kept == "v0"
