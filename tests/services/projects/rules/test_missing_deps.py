"""MissingDependenciesRule: imported packages added to package.json."""

from __future__ import annotations

from console.services.projects.rules import MissingDependenciesRule
from console.services.projects.rules.deps import package_name
from tests.services.projects.rules.helpers import apply, deps, package


def test_missing_deps_added_or_flagged() -> None:
    files, ctx = apply(
        MissingDependenciesRule(),
        {
            "app/page.tsx": (
                'import { toast } from "sonner"\nimport fs from "fs"\nimport x from "node:path"\n'
                'import { Thing } from "@acme/rare-widget/sub"\nimport { cn } from "@/lib/utils"\n'
            ),
            "package.json": package(dependencies={"next": "15.2.4"}),
        },
    )
    assert deps(files)["sonner"] == "^1.7.1"
    assert "fs" not in deps(files)
    blockers = [f for f in ctx.findings if f.severity == "blocker"]
    assert len(blockers) == 1
    assert "@acme/rare-widget" in blockers[0].message
    assert blockers[0].line == 4
    added = next(f for f in ctx.findings if f.severity == "info")
    assert "sonner" in added.message
    assert added.unfixed().severity == "blocker"  # what the report shows with the rule off
    assert "Module not found" in added.unfixed().message


def test_package_name() -> None:
    assert package_name("@radix-ui/react-slot/dist") == "@radix-ui/react-slot"
    assert package_name("next/font/google") == "next"
    assert package_name("./x") is None
    assert package_name("@/x") is None
    assert package_name("crypto") is None
