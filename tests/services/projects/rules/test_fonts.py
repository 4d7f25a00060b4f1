"""NextFontGoogleRule and GeistImportsRule: fonts that build without internet."""

from __future__ import annotations

from console.services.projects.rules import GeistImportsRule, NextFontGoogleRule
from tests.services.projects.rules.helpers import apply, deps, package

LAYOUT = """import type { Metadata } from "next"
import { Geist, Geist_Mono, Playfair_Display } from "next/font/google"
import "./globals.css"

const geist = Geist({
  variable: "--font-sans",
  subsets: ["latin"],
})
const mono = Geist_Mono({ variable: "--font-geist-mono", subsets: ["latin"] })
const display = Playfair_Display({ subsets: ["latin"], variable: "--font-display" })

export default function RootLayout({ children }: { children: React.ReactNode }) {
  const fonts = `${geist.variable} ${mono.variable} ${display.variable}`
  return <html className={fonts}>{children}</html>
}
"""


def test_next_font_google_to_geist_package_and_fallbacks() -> None:
    files, ctx = apply(
        NextFontGoogleRule(),
        {
            "app/layout.tsx": LAYOUT,
            "app/globals.css": "@tailwind base;\n",
            "package.json": package(dependencies={"next": "15.2.4"}),
        },
    )
    layout = files.read("app/layout.tsx") or ""
    assert "next/font/google" not in layout
    assert 'import { GeistSans } from "geist/font/sans";' in layout
    assert 'import { GeistMono } from "geist/font/mono";' in layout
    assert "const geist = GeistSans\n" in layout
    assert "const mono = GeistMono\n" in layout
    assert 'className: "font-fallback-playfair-display"' in layout
    css = files.read("app/globals.css") or ""
    assert "--font-sans: var(--font-geist-sans);" in css  # the export's own variable name kept
    assert "--font-display: 'Playfair Display', ui-serif, Georgia, serif;" in css
    assert deps(files)["geist"] == "^1.3.1"
    assert ctx.findings[0].line == 2


def test_next_font_google_without_css_import_adds_fonts_css() -> None:
    files, _ = apply(
        NextFontGoogleRule(),
        {
            "app/fonts.ts": (
                'import { Inter } from "next/font/google"\n'
                'export const inter = Inter({ subsets: ["latin"] })\n'
            )
        },
    )
    assert 'import "./fonts.css";' in (files.read("app/fonts.ts") or "")
    assert ".font-fallback-inter {" in (files.read("app/fonts.css") or "")


def test_geist_old_imports_fixed() -> None:
    files, _ = apply(
        GeistImportsRule(),
        {
            "components/header.tsx": (
                'import { GeistSans, GeistMono } from "geist/font"\nexport const a = GeistSans\n'
            ),
            "app/layout.tsx": (
                'import GeistSans from "geist/font/sans"\nimport Link from "next/link"\n'
            ),
            "package.json": package(dependencies={"next": "14.2.16"}),
        },
    )
    header = files.read("components/header.tsx") or ""
    assert 'import { GeistSans } from "geist/font/sans";' in header
    assert 'import { GeistMono } from "geist/font/mono";' in header
    assert (files.read("app/layout.tsx") or "").startswith(
        'import { GeistSans } from "geist/font/sans";\nimport Link'
    )
    assert deps(files)["geist"] == "^1.3.1"


def test_geist_correct_imports_untouched() -> None:
    text = 'import { GeistSans } from "geist/font/sans"\n'
    files, ctx = apply(
        GeistImportsRule(),
        {"app/layout.tsx": text, "package.json": package(dependencies={"geist": "^1.3.1"})},
    )
    assert files.read("app/layout.tsx") == text
    assert ctx.findings == []
