"""NextFontGoogleRule and GeistImportsRule: fonts that build without internet."""

from __future__ import annotations

from console.services.projects.rules import GeistImportsRule, NextFontGoogleRule
from tests.services.projects.rules.helpers import apply, deps, package

LAYOUT = """import type { Metadata } from "next"
import { Geist, Geist_Mono, Playfair_Display, Caveat } from "next/font/google"
import "./globals.css"

const geist = Geist({
  variable: "--font-sans",
  subsets: ["latin"],
})
const mono = Geist_Mono({ variable: "--font-geist-mono", subsets: ["latin"] })
const display = Playfair_Display({
  subsets: ["latin"],
  variable: "--font-display",
  display: "swap",
})
const hand = Caveat({ subsets: ["latin"], variable: "--font-hand" })

export default function RootLayout({ children }: { children: React.ReactNode }) {
  const fonts = `${geist.variable} ${mono.variable} ${display.variable} ${hand.variable}`
  return <html className={fonts}>{children}</html>
}
"""


def test_next_font_google_self_hosted_from_npm() -> None:
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
    assert 'import localFont from "next/font/local"\n' in layout  # no `;`, like the export
    assert 'import { GeistSans } from "geist/font/sans"\n' in layout
    assert "const geist = GeistSans\n" in layout
    assert "const mono = GeistMono\n" in layout
    assert (
        "const display = localFont({\n"
        '  src: "../node_modules/@fontsource-variable/playfair-display/files/'
        'playfair-display-latin-wght-normal.woff2",\n'
        '  weight: "400 900",\n'
        '  variable: "--font-display",\n'
        '  display: "swap",\n'
        "})"
    ) in layout
    assert 'className: "font-fallback-caveat"' in layout
    css = files.read("app/globals.css") or ""
    assert "--font-sans: var(--font-geist-sans);" in css  # the export's own variable name kept
    assert "--font-hand: 'Caveat', ui-sans-serif, system-ui, sans-serif;" in css
    assert deps(files) == {
        "next": "15.2.4",
        "@fontsource-variable/playfair-display": "^5.3.0",
        "geist": "^1.3.1",
    }
    fixed, not_hosted = ctx.findings
    assert (fixed.line, fixed.severity) == (2, "info")
    assert fixed.unfixed().severity == "blocker"
    assert (not_hosted.severity, "Caveat" in not_hosted.message) == ("warning", True)


def test_next_font_google_static_family_weights_and_styles() -> None:
    source = (
        'import { Poppins } from "next/font/google";\n'
        "export const poppins = Poppins({\n"
        '  weight: ["400", "600"],\n  style: ["normal", "italic"],\n  subsets: ["latin"],\n})\n'
    )
    files, _ = apply(
        NextFontGoogleRule(),
        {"src/app/fonts.ts": source, "package.json": package(dependencies={"next": "15.2.4"})},
    )
    text = files.read("src/app/fonts.ts") or ""
    base = "../../node_modules/@fontsource/poppins/files/poppins-latin"
    for weight in ("400", "600"):
        for style in ("normal", "italic"):
            assert (
                f'{{ path: "{base}-{weight}-{style}.woff2", weight: "{weight}", '
                f'style: "{style}" }},'
            ) in text
    assert 'import localFont from "next/font/local";' in text
    assert deps(files)["@fontsource/poppins"] == "^5.3.0"


def test_next_font_google_without_css_import_adds_fonts_css() -> None:
    files, ctx = apply(
        NextFontGoogleRule(),
        {
            "app/fonts.ts": (
                'import { Pacifico } from "next/font/google"\n'
                'export const hand = Pacifico({ weight: "400", subsets: ["latin"] })\n'
            )
        },
    )
    assert 'import "./fonts.css";' in (files.read("app/fonts.ts") or "")
    assert ".font-fallback-pacifico {" in (files.read("app/fonts.css") or "")
    assert [f.severity for f in ctx.findings] == ["info", "warning"]


def test_next_font_google_unknown_shape_is_a_blocker() -> None:
    source = 'import * as fonts from "next/font/google"\nexport const a = fonts.Inter({})\n'
    files, ctx = apply(NextFontGoogleRule(), {"app/fonts.ts": source})
    assert files.read("app/fonts.ts") == source
    assert [f.severity for f in ctx.findings] == ["blocker"]


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
