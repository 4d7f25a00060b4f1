"""Non-secret settings kept in the store (account URLs, owners, UI state)."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, fields
from typing import Any

from console.store.db import Store
from console.store.models import Setting

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountSettings:
    """Where each account lives; the tokens themselves are in the keyring."""

    platform_url: str = ""
    github_url: str = "https://api.github.com"
    github_owner: str = ""
    vercel_url: str = "https://api.vercel.com"
    vercel_team: str = ""
    stripe_url: str = "https://api.stripe.com"


class SettingsService:
    """Read and write settings rows; each write is a store ChangeSet."""

    ACCOUNTS_KEY = "accounts"

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, key: str, default: Any = None) -> Any:
        with self._store.read() as session:
            row = session.get(Setting, key)
            return default if row is None else row.value

    def set(self, key: str, value: Any, *, initiator: object | None = None) -> None:
        with self._store.write(initiator) as tx:
            tx.session.merge(Setting(key=key, value=value))

    def accounts(self) -> AccountSettings:
        raw = self.get(self.ACCOUNTS_KEY, {}) or {}
        known = {f.name for f in fields(AccountSettings)}
        return AccountSettings(**{k: v for k, v in raw.items() if k in known})

    def save_accounts(self, accounts: AccountSettings, *, initiator: object | None = None) -> None:
        self.set(self.ACCOUNTS_KEY, asdict(accounts), initiator=initiator)
