"""Self-heal: from a failed build's first error to the compatibility rule that fixes it.

A `BuildProblem` of a known shape names a rule: the env rule for a variable
read at build time, the fonts rule for a font fetched from Google, and so on.
When that rule is off, the remedy is to turn it on; when it is on and missed
this case, the remedy is targeted work for it (the variable the build named,
the route it failed to prerender, the module it could not find), which the
project keeps in its compat config beside the disabled rules. Either way the
rules run both ways over the project's unpatched files, and the remedy carries
exactly the diffs applying it would make, for the user to see before one
click applies it (`ProjectService.apply_remedy`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from console.services.buildcheck.problems import BuildProblem, ProblemKind
from console.services.projects.models import FileDiff
from console.services.projects.rules import ALL_RULES, ProjectFiles, Rule, run_rules
from console.services.projects.rules.base import file_diffs
from console.services.projects.rules.configs import POSTCSS_CONFIGS, TAILWIND_CONFIGS
from console.services.projects.rules.env import PLACEHOLDER_MARK
from console.services.projects.rules.prerender import route_modules

logger = logging.getLogger(__name__)

#: The rules that fix each known shape of failure, in the order they are tried.
RULES_FOR: dict[ProblemKind, tuple[str, ...]] = {
    "env-at-build": ("env-checks",),
    "font-fetch": ("next-font-google",),
    "peer-conflict": ("react19-peers",),
    "css-syntax": ("duplicate-configs",),
    "browser-api-prerender": ("browser-globals",),
    "module-not-found": ("shadcn-stubs", "missing-deps"),
}
#: npm's ERESOLVE line: `peer react@"^16.8 || ^17.0 || ^18.0" from vaul@0.9.9`.
NPM_PEER = re.compile(r"""peer\s+(?P<peer>@?[\w./-]+)@"[^"]*"\s+from\s+(?P<package>@?[\w./-]+)@""")
#: pnpm's: `vaul 0.9.9` ... `unmet peer react@"^16.8 || ^17.0 || ^18.0": found 19.1.0`.
PNPM_PEER = re.compile(r"""unmet peer\s+(?P<peer>@?[\w./-]+)@""")


@dataclass(frozen=True)
class Remedy:
    """What fixes a failed build, and exactly what applying it changes.

    Attributes:
        rule_id: the rule that fixes it.
        rule_title: that rule's title, for the button.
        explanation: one or two sentences: what failed, what the rule does about it.
        enable_rule: turn the (disabled) rule on.
        add_targets: extra work for the rule (stored in the project's compat
            config under "targets"; see each rule for what its targets name).
        diffs: the change to the patched files, one per file.
    """

    rule_id: str
    rule_title: str
    explanation: str
    enable_rule: bool
    add_targets: tuple[str, ...]
    diffs: tuple[FileDiff, ...]


def remedy_for(
    problem: BuildProblem,
    texts: Mapping[str, str],
    binaries: Collection[str],
    disabled: frozenset[str],
    targets: Mapping[str, Sequence[str]],
) -> Remedy | None:
    """The rule that fixes `problem`, or None when no rule can (show the error plainly).

    Args:
        problem: the failed build's first error.
        texts: the project's files before any rule (what the rules run over).
        binaries: paths of its binary files.
        disabled: the rules the project has turned off.
        targets: the targets the project already gave its rules.
    """
    rules = {rule.id: rule for rule in ALL_RULES}
    before = run_rules(texts, binaries, ALL_RULES, disabled=disabled, targets=targets)
    for rule_id in RULES_FOR.get(problem.kind, ()):
        enable = rule_id in disabled
        have = tuple(targets.get(rule_id, ()))
        extra = tuple(t for t in _targets(problem, rule_id, texts, binaries) if t not in have)
        # The least that works: the rule on as it is, then with what the problem names.
        tries: list[tuple[str, ...]] = [()] if enable else []
        tries += [extra] if extra else []
        for added in tries:
            after = run_rules(
                texts,
                binaries,
                ALL_RULES,
                disabled=disabled - {rule_id},
                targets={**targets, rule_id: (*have, *added)} if added else targets,
            )
            diffs = tuple(file_diffs(before.texts, after.texts))
            if not diffs or not ADDRESSES[problem.kind](problem, diffs):
                continue
            logger.info(
                "remedy for %s: %s (enable=%s, targets=%s)", problem.kind, rule_id, enable, added
            )
            explanation = _explain(problem, rules[rule_id], enable, added)
            return Remedy(rule_id, rules[rule_id].title, explanation, enable, added, diffs)
    return None


def _targets(
    problem: BuildProblem, rule_id: str, texts: Mapping[str, str], binaries: Collection[str]
) -> tuple[str, ...]:
    """Work an enabled rule did not find by itself, from what the problem names."""
    if rule_id == "env-checks" and problem.subject:
        return (problem.subject,)
    if rule_id == "react19-peers":
        pairs = [f"{m['package']}>{m['peer']}" for m in NPM_PEER.finditer(problem.message)]
        if not pairs and problem.subject:
            peers = PNPM_PEER.findall(problem.message) or ["react", "react-dom"]
            pairs = [f"{problem.subject}>{peer}" for peer in peers]
        return tuple(dict.fromkeys(pairs))
    if rule_id == "browser-globals":
        files = ProjectFiles(texts, binaries)
        modules = route_modules(files, problem.subject) if problem.subject else []
        if problem.file and problem.file in texts and problem.file not in modules:
            modules.append(problem.file)
        return tuple(modules)
    if rule_id == "shadcn-stubs" and problem.subject.startswith(("@/", "~/")):
        return (problem.subject[2:],)
    return ()


# --- does a change address the problem? ------------------------------------------------


def _env(problem: BuildProblem, diffs: Sequence[FileDiff]) -> bool:
    return any(
        d.after is not None
        and PLACEHOLDER_MARK in d.after
        and (not problem.subject or problem.subject in d.after.split(PLACEHOLDER_MARK, 1)[1])
        for d in diffs
    )


def _font(problem: BuildProblem, diffs: Sequence[FileDiff]) -> bool:
    return any(
        "next/font/google" in (d.before or "") and "next/font/google" not in (d.after or "")
        for d in diffs
    )


def _peers(problem: BuildProblem, diffs: Sequence[FileDiff]) -> bool:
    return any(
        d.path in ("package.json", ".npmrc")
        and (not problem.subject or problem.subject in (d.after or ""))
        for d in diffs
    )


def _css(problem: BuildProblem, diffs: Sequence[FileDiff]) -> bool:
    configs = {problem.file, *TAILWIND_CONFIGS, *POSTCSS_CONFIGS}
    return any(d.path in configs or d.path.endswith(".css") for d in diffs)


def _browser(problem: BuildProblem, diffs: Sequence[FileDiff]) -> bool:
    return any('typeof window !== "undefined"' in (d.after or "") for d in diffs)


def _module(problem: BuildProblem, diffs: Sequence[FileDiff]) -> bool:
    subject = problem.subject
    if subject.startswith(("@/", "~/")):
        return any(d.kind == "added" and subject[2:] in d.path for d in diffs)
    return any(d.path == "package.json" and f'"{subject}"' in (d.after or "") for d in diffs)


ADDRESSES: dict[ProblemKind, Callable[[BuildProblem, Sequence[FileDiff]], bool]] = {
    "env-at-build": _env,
    "font-fetch": _font,
    "peer-conflict": _peers,
    "css-syntax": _css,
    "browser-api-prerender": _browser,
    "module-not-found": _module,
}


def _explain(problem: BuildProblem, rule: Rule, enable: bool, added: tuple[str, ...]) -> str:
    failed = f"The build failed: {problem.headline()}"
    also = f" It will also handle {', '.join(added)}, which the failure names." if added else ""
    if enable:
        return f"{failed}. Turning on “{rule.title}” fixes it: {rule.description}{also}"
    return f"{failed}. “{rule.title}” is on but did not recognise this case.{also}"
