"""Run one rule over a few inline files."""

from __future__ import annotations

import json
from typing import Any

from console.services.projects.rules import ProjectFiles, Rule, RuleContext, run_rules


def apply(
    rule: Rule, files: dict[str, str], binaries: tuple[str, ...] = ()
) -> tuple[ProjectFiles, RuleContext]:
    project = ProjectFiles(files, binaries)
    ctx = RuleContext(current_rule=rule.id)
    rule.apply(project, ctx)
    return project, ctx


def package(**sections: dict[str, str]) -> str:
    data: dict[str, Any] = {"name": "app", "private": True}
    data.update(sections)
    return json.dumps(data, indent=2) + "\n"


def deps(project: ProjectFiles) -> dict[str, str]:
    pkg = project.package_json() or {}
    merged: dict[str, str] = {}
    for section in ("dependencies", "devDependencies"):
        merged.update(pkg.get(section, {}))
    return merged


def diff_of(rule: Rule, files: dict[str, str]) -> str:
    result = run_rules(files, (), (rule,))
    return "".join(d.diff for r in result.reports for d in r.diffs)
