"""Which environment variables a project's deployment needs from the user.

One answer for the deploy dialog and the publish wizard's step 7, merged from
three sources, in this order:

- the scaffold's variables for the publish draft (`scaffold.env_vars`); those
  the console fills in at deploy time (``provided_by="console"``) are left out;
- the variables the publisher added in the wizard's step 7 (`CustomEnvVar`);
- the variables the project's own code reads (the compatibility report's env
  list): required when the code checks them while a module loads, optional
  otherwise.

A name listed by several sources appears once, under the first source, and is
required when any source says so. Values are never kept here: the deploy sends
what the user types straight to Vercel (`DeployEnv.inputs`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from console.services.projects.models import CompatReport
from console.services.projects.models import EnvVar as CodeEnvVar
from console.services.publish import CustomEnvVar, Draft
from console.services.scaffold import PublishConfig, env_vars
from console.services.vercel.models import EnvTarget, EnvVarInput

logger = logging.getLogger(__name__)

EnvSource = Literal["scaffold", "wizard", "code"]

#: Names whose values are credentials: masked in the dialog, Vercel sensitive env.
_SECRET_NAME = re.compile(
    r"SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|(^|_)KEY($|_)|(^|_)DSN$"
    # Connection strings carry the database password.
    r"|(DATABASE|DB|MONGO\w*|POSTGRES\w*|PG|MYSQL|REDIS|NEON)_?(URL|URI)$"
)
#: Targets of the variables the user sets (Vercel's default for new variables).
TARGETS: tuple[EnvTarget, ...] = ("production", "preview")


def looks_secret(name: str) -> bool:
    """Whether a variable the code reads is probably a credential.

    ``NEXT_PUBLIC_`` variables are compiled into the browser bundle, so they
    are never secret whatever their name.
    """
    return not name.startswith("NEXT_PUBLIC_") and bool(_SECRET_NAME.search(name))


@dataclass(frozen=True)
class EnvRequirement:
    """One variable the user sets for a deployment.

    Attributes:
        name: the variable.
        description: what it is for ("" when only the code reads it).
        source: where it was first listed: the scaffold, the wizard's step 7
            or the project's code.
        secret: masked in forms, created as Vercel sensitive env.
        required: the app fails without it; an empty value blocks the deploy
            unless the user overrides.
        files: the project files that read it, in the order first seen.
        example: a harmless example value (never one for a secret).
    """

    name: str
    description: str
    source: EnvSource
    secret: bool
    required: bool
    files: tuple[str, ...] = ()
    example: str = ""


@dataclass(frozen=True)
class DeployEnv:
    """What a deploy of one project asks the user for.

    Attributes:
        variables: the variables the user sets, in form order.
        on_vercel: names the project's Vercel project already holds for
            production; an empty value keeps what is there.
    """

    variables: tuple[EnvRequirement, ...] = ()
    on_vercel: frozenset[str] = field(default_factory=frozenset)

    def missing(self, values: Mapping[str, str]) -> list[str]:
        """Required variables that would stay unset with `values` (name -> typed value)."""
        return [
            v.name
            for v in self.variables
            if v.required and not values.get(v.name, "").strip() and v.name not in self.on_vercel
        ]

    def inputs(self, values: Mapping[str, str]) -> list[EnvVarInput]:
        """What to send to Vercel: every variable with a typed value, secrets as sensitive."""
        return [
            EnvVarInput(
                v.name,
                values[v.name].strip(),
                type="sensitive" if v.secret else "encrypted",
                target=TARGETS,
            )
            for v in self.variables
            if values.get(v.name, "").strip()
        ]


def user_env(
    config: PublishConfig, added: Sequence[CustomEnvVar], code: Sequence[CodeEnvVar]
) -> tuple[EnvRequirement, ...]:
    """The variables the user sets for an app published from `config` (see the module doc).

    Args:
        config: the publish draft's configuration.
        added: the variables added in the wizard's step 7 (nameless rows are skipped).
        code: the variables the project's own code reads.
    """
    scaffold = env_vars(config)
    # The console fills these itself; code reading them asks nothing of the user.
    console_set = {v.name for v in scaffold if v.provided_by == "console"}
    merged: dict[str, EnvRequirement] = {}
    for var in scaffold:
        if var.provided_by == "user":
            merged[var.name] = EnvRequirement(
                var.name, var.description, "scaffold", var.secret, var.required, (), var.example
            )
    for extra in added:
        name = extra.name.strip()
        if name and name not in merged and name not in console_set:
            merged[name] = EnvRequirement(name, extra.description, "wizard", extra.secret, False)
    for read in code:
        if read.name in console_set:
            continue
        known = merged.get(read.name)
        if known is None:
            merged[read.name] = EnvRequirement(
                read.name,
                "",
                "code",
                looks_secret(read.name),
                read.checked_at_import,
                read.files,
            )
        else:
            merged[read.name] = replace(
                known,
                required=known.required or read.checked_at_import,
                files=known.files + tuple(f for f in read.files if f not in known.files),
            )
    return tuple(merged.values())


class DraftSource(Protocol):
    """What the requirements need of `PublishService`."""

    async def load_draft(self, project_id: int) -> Draft: ...


class CompatSource(Protocol):
    """What the requirements need of `ProjectService`."""

    async def compat_report(self, project_id: int) -> CompatReport: ...


async def project_env(
    project_id: int, drafts: DraftSource, compat: CompatSource
) -> tuple[EnvRequirement, ...]:
    """`user_env` of a project's saved publish draft and its code."""
    draft = await drafts.load_draft(project_id)
    report = await compat.compat_report(project_id)
    variables = user_env(draft.config, draft.extra_env, report.env)
    logger.info(
        "project %s: %d variables to set, %d required",
        project_id,
        len(variables),
        sum(1 for v in variables if v.required),
    )
    return variables


__all__ = [
    "TARGETS",
    "CompatSource",
    "DeployEnv",
    "DraftSource",
    "EnvRequirement",
    "EnvSource",
    "looks_secret",
    "project_env",
    "user_env",
]
