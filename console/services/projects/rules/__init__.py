"""v0 compatibility rules, in the order they run, and the pipeline that runs them."""

from __future__ import annotations

from console.services.projects.rules.base import (
    PipelineResult,
    ProjectFiles,
    Rule,
    RuleContext,
    run_rules,
)
from console.services.projects.rules.configs import DuplicateConfigsRule, NextConfigRule
from console.services.projects.rules.deps import (
    MissingDependenciesRule,
    PinLatestRule,
    React19PeersRule,
)
from console.services.projects.rules.env import EnvChecksRule
from console.services.projects.rules.fonts import GeistImportsRule, NextFontGoogleRule
from console.services.projects.rules.prerender import (
    BrowserGlobalsRule,
    DbPrerenderRule,
    UseClientRule,
)
from console.services.projects.rules.security import NextSecurityRule
from console.services.projects.rules.shadcn import ShadcnStubsRule

#: Every rule, in the order it runs: each sees the output of the ones before
#: (pinning first, so the peer rule sees real versions; duplicate lockfiles
#: last, after pinning and the peer rule have read them).
ALL_RULES: tuple[Rule, ...] = (
    PinLatestRule(),
    NextSecurityRule(),
    React19PeersRule(),
    NextFontGoogleRule(),
    GeistImportsRule(),
    ShadcnStubsRule(),
    MissingDependenciesRule(),
    UseClientRule(),
    BrowserGlobalsRule(),
    DbPrerenderRule(),
    EnvChecksRule(),
    NextConfigRule(),
    DuplicateConfigsRule(),
)
RULE_IDS = tuple(rule.id for rule in ALL_RULES)

__all__ = [
    "ALL_RULES",
    "RULE_IDS",
    "BrowserGlobalsRule",
    "DbPrerenderRule",
    "DuplicateConfigsRule",
    "EnvChecksRule",
    "GeistImportsRule",
    "MissingDependenciesRule",
    "NextConfigRule",
    "NextFontGoogleRule",
    "NextSecurityRule",
    "PinLatestRule",
    "PipelineResult",
    "ProjectFiles",
    "React19PeersRule",
    "Rule",
    "RuleContext",
    "ShadcnStubsRule",
    "UseClientRule",
    "run_rules",
]
