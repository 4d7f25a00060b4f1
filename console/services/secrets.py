"""The one place secrets are read and written: the OS keyring.

One keyring entry per account (platform, github, vercel, stripe). Values
handed out are registered with the log redactor so they never reach a log.
"""

from __future__ import annotations

import builtins
import logging
from enum import StrEnum

import keyring
import keyring.errors

from console import log
from console.errors import SecretsUnavailable

logger = logging.getLogger(__name__)

SERVICE = "l4yercak3-console"


class Account(StrEnum):
    PLATFORM = "platform"
    GITHUB = "github"
    VERCEL = "vercel"
    STRIPE = "stripe"


class SecretsService:
    """Store and fetch account secrets in the OS keyring."""

    def __init__(self, service: str = SERVICE) -> None:
        self._service = service
        self._reported_unavailable = False

    def get(self, account: Account) -> str | None:
        """The saved secret, or None when unset or when there is no usable keyring."""
        try:
            value = keyring.get_password(self._service, account.value)
        except keyring.errors.KeyringError as exc:
            # Headless machines have no keyring: normal in sandbox mode, said once.
            if not self._reported_unavailable:
                logger.info("no usable keyring (%s): no secrets", type(exc).__name__)
                self._reported_unavailable = True
            return None
        if value:
            log.register_secret(value)
        return value

    def set(self, account: Account, value: str) -> None:
        value = value.strip()
        if not value:
            self.delete(account)
            return
        log.register_secret(value)
        try:
            keyring.set_password(self._service, account.value, value)
        except keyring.errors.KeyringError as exc:
            raise SecretsUnavailable(
                f"The {account.value} secret could not be saved: no usable OS keyring "
                f"({type(exc).__name__})."
            ) from exc
        logger.info("secret for %s saved to the keyring", account.value)

    def delete(self, account: Account) -> None:
        try:
            keyring.delete_password(self._service, account.value)
        except keyring.errors.PasswordDeleteError:
            return
        except keyring.errors.KeyringError as exc:
            raise SecretsUnavailable(
                f"The {account.value} secret could not be removed ({type(exc).__name__})."
            ) from exc

    def configured(self) -> builtins.set[Account]:
        return {account for account in Account if self.get(account)}
