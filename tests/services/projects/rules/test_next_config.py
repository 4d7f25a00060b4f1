"""NextConfigRule: one next.config, loadable by the project's Next, no canary options."""

from __future__ import annotations

from console.services.projects.rules import NextConfigRule
from tests.services.projects.rules.helpers import apply, package

TS = """import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  images: { unoptimized: true },
  experimental: {
    ppr: true,
    dynamicIO: true,
    typedRoutes: true,
  },
};

export default nextConfig;
"""


def test_next_config_ts_to_mjs_for_next14() -> None:
    files, _ = apply(
        NextConfigRule(),
        {"next.config.ts": TS, "package.json": package(dependencies={"next": "14.2.25"})},
    )
    assert not files.exists("next.config.ts")
    mjs = files.read("next.config.mjs") or ""
    assert "import type" not in mjs
    assert ": NextConfig" not in mjs
    assert "/** @type {import('next').NextConfig} */\nconst nextConfig = {" in mjs
    assert "ppr" not in mjs
    assert "dynamicIO" not in mjs
    assert "typedRoutes: true" in mjs


def test_next_config_keeps_ts_on_next15_and_drops_shadowed_config() -> None:
    files, ctx = apply(
        NextConfigRule(),
        {
            "next.config.mjs": "export default { reactStrictMode: true, swcMinify: true }\n",
            "next.config.ts": TS,
            "package.json": package(dependencies={"next": "15.2.4"}),
        },
    )
    assert files.exists("next.config.mjs")
    assert not files.exists("next.config.ts")
    assert any(f.path == "next.config.ts" for f in ctx.findings)


def test_next_config_react_compiler_kept_with_its_plugin() -> None:
    config = "export default {\n  experimental: {\n    reactCompiler: true,\n  },\n}\n"
    files, _ = apply(
        NextConfigRule(),
        {
            "next.config.mjs": config,
            "package.json": package(
                dependencies={"next": "15.2.4"},
                devDependencies={"babel-plugin-react-compiler": "1.0.0"},
            ),
        },
    )
    assert files.read("next.config.mjs") == config


def test_next16_keeps_its_stable_react_compiler_option() -> None:
    config = (
        "const nextConfig = {\n"
        "  reactCompiler: true,\n"
        "  typescript: { ignoreBuildErrors: true },\n"
        "}\n\nexport default nextConfig\n"
    )
    files, _ = apply(
        NextConfigRule(),
        {"next.config.mjs": config, "package.json": package(dependencies={"next": "16.0.10"})},
    )
    assert files.read("next.config.mjs") == config
