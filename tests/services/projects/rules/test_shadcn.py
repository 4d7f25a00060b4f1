"""ShadcnStubsRule: missing shadcn/ui components and helpers written from templates."""

from __future__ import annotations

from console.services.projects.rules import ProjectFiles, RuleContext, ShadcnStubsRule
from console.services.projects.rules.shadcn import exported_names
from tests.services.projects.rules.helpers import apply, package

PAGE = """import { Button, buttonVariants } from "@/components/ui/button"
import { Sheet, SheetContent, SheetFancyFooter } from "@/components/ui/sheet"
import { Sparkline, type SparklineProps } from "@/components/ui/sparkline"
import { useToast } from "@/hooks/use-toast"
import { Toaster } from "@/components/ui/toaster"
import { cn } from "@/lib/utils"
import { Hero } from "@/components/hero"
"""


def test_shadcn_stubs_every_imported_name() -> None:
    files, ctx = apply(
        ShadcnStubsRule(),
        {"app/page.tsx": PAGE, "tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["./*"]}}}'},
    )
    button = files.read("components/ui/button.tsx") or ""
    assert {"Button", "buttonVariants"} <= exported_names(button)
    sheet = files.read("components/ui/sheet.tsx") or ""
    assert {"Sheet", "SheetContent", "SheetFancyFooter"} <= exported_names(sheet)
    sparkline = files.read("components/ui/sparkline.tsx") or ""
    assert {"Sparkline", "SparklineProps"} <= exported_names(sparkline)
    assert "useToast" in exported_names(files.read("hooks/use-toast.ts") or "")
    assert files.exists("components/ui/toaster.tsx")
    assert "export function cn" in (files.read("lib/utils.ts") or "")
    assert not files.exists("components/hero.tsx")  # app code is not invented
    blockers = [f for f in ctx.findings if f.severity == "blocker"]
    assert [(f.path, f.line) for f in blockers] == [("app/page.tsx", 7)]
    stubbed = [f for f in ctx.findings if f.severity == "info"]
    assert all("Module not found" in f.blocker for f in stubbed)


def test_shadcn_targeted_app_module_gets_generic_stand_ins() -> None:
    page = 'import Hero, { HeroProps } from "@/components/hero"\n'
    files = ProjectFiles({"app/page.tsx": page})
    ctx = RuleContext(current_rule="shadcn-stubs", targets={"shadcn-stubs": ["components/hero"]})
    ShadcnStubsRule().apply(files, ctx)
    hero = files.read("components/hero.tsx") or ""
    assert "export default React.forwardRef" in hero
    assert "HeroProps" in exported_names(hero)
    assert [f.severity for f in ctx.findings] == ["info"]
    assert "generic stand-ins" in ctx.findings[0].message


def test_shadcn_utils_uses_clsx_when_declared_and_src_alias() -> None:
    files, _ = apply(
        ShadcnStubsRule(),
        {
            "src/app/page.tsx": 'import { cn } from "@/lib/utils"\n',
            "tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["./src/*"]}}}',
            "package.json": package(dependencies={"clsx": "^2.1.1", "tailwind-merge": "^2.5.5"}),
        },
    )
    assert "twMerge(clsx(inputs))" in (files.read("src/lib/utils.ts") or "")


def test_shadcn_present_components_untouched() -> None:
    files, ctx = apply(
        ShadcnStubsRule(),
        {
            "app/page.tsx": 'import { Card } from "@/components/ui/card"\n',
            "components/ui/card.tsx": "export function Card() { return null }\n",
        },
    )
    assert files.read("components/ui/card.tsx") == "export function Card() { return null }\n"
    assert ctx.findings == []
