"""Non-secret configuration and the folders the console uses.

Secrets never live here: see `console.services.secrets`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "l4yercak3-console"
APP_AUTHOR = "l4yercak3"
#: Overrides the data folder (tests, several profiles side by side).
DATA_DIR_ENV = "L4_CONSOLE_DATA_DIR"


@dataclass(frozen=True)
class Paths:
    """Where the console keeps its files."""

    data_dir: Path
    log_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "console.sqlite3"

    @property
    def sandbox_dir(self) -> Path:
        return self.data_dir / "sandbox"

    @property
    def workspaces(self) -> Path:
        """Project files on disk, for "open in editor"."""
        return self.data_dir / "workspaces"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "console.log"

    def ensure(self) -> Paths:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        return self

    @classmethod
    def resolve(cls, data_dir: Path | str | None = None) -> Paths:
        """Pick the folders: explicit argument, then env var, then platformdirs."""
        chosen = data_dir or os.environ.get(DATA_DIR_ENV)
        if chosen:
            root = Path(chosen).expanduser().resolve()
            return cls(data_dir=root, log_dir=root / "logs")
        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
        )


@dataclass(frozen=True)
class LaunchOptions:
    """What the command line asked for."""

    paths: Paths
    force_sandbox: bool = False
    screenshot: Path | None = None
    #: Open on this section (lower-case name) instead of the one last used.
    section: str | None = None
