"""Typed errors for every layer.

Each error says what happened and what the user can do about it
(`user_text()`); views branch on the type, never on the message.
"""

from __future__ import annotations


class ConsoleError(Exception):
    """Root of every error the console expects and can explain."""

    #: Short hint shown under the message: what the user can do next.
    action: str = "Try again."

    def user_text(self) -> str:
        return str(self) or type(self).__name__

    def user_action(self) -> str:
        return self.action


class UserInputError(ConsoleError):
    """The user gave input that cannot be used (bad zip, invalid name...)."""

    action = "Correct the input and try again."


class SecretsUnavailable(ConsoleError):
    """No usable OS keyring: secrets cannot be stored or read."""

    action = (
        "Install and unlock a keyring (GNOME Keyring, KWallet or the macOS/Windows "
        "store). The sandbox works without one."
    )


class StoreError(ConsoleError):
    """Something went wrong with the local store."""


class KnownStoreError(StoreError):
    """Disk full, database locked, migration failed: environment, not a bug."""

    action = "Check free disk space and that no other console uses the same data folder."


class StoreBug(StoreError):
    """An invariant of the store was broken: a bug, logged with its traceback."""

    action = "Report this with the log file."


class RemoteError(ConsoleError):
    """A remote system (platform, GitHub, Vercel, Stripe) failed the request.

    Attributes:
        remote: which system ("platform", "github", "vercel", "stripe").
        status: HTTP status if there was a response.
        code: the remote's machine-readable error code, if it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        remote: str = "",
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.remote = remote
        self.status = status
        self.code = code

    def user_text(self) -> str:
        where = f"{self.remote}: " if self.remote else ""
        return f"{where}{super().user_text()}"


class NetworkError(RemoteError):
    """No answer: connection refused, dropped, DNS or timeout."""

    action = "Check your connection. Work is kept and sent when you are back online."


class Unavailable(RemoteError):
    """The remote answered with a server error (5xx) after our retries."""

    action = "The service has a problem; try again in a few minutes."


class AuthError(RemoteError):
    """The credentials were refused (401) or lack a permission (403)."""

    action = "Open Settings and check the account's token and its permissions."


class NotFound(RemoteError):
    """The remote has no such object (404)."""

    action = "Refresh; it may have been deleted elsewhere."


class Conflict(RemoteError):
    """The remote state changed under us (409): someone else acted first."""

    action = "Refresh to see the current state, then decide again."


class ValidationFailed(RemoteError):
    """The remote rejected the request's content (400/422)."""

    action = "Correct the values and try again."


class RateLimited(RemoteError):
    """Too many requests (429); `retry_after` seconds to wait, if known."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after

    def user_action(self) -> str:
        if self.retry_after:
            return f"Wait {self.retry_after:.0f} s and try again."
        return "Wait a moment and try again."


class PaymentRequired(RemoteError):
    """Out of credits or over a tier limit (402)."""

    action = "Buy credits or upgrade the plan in the Credits section."


class ContractError(RemoteError):
    """The remote answered with a body that does not match its contract."""

    action = "The service sent something unexpected; report this with the log file."


class StoreFromNewerConsole(KnownStoreError):
    """The store was written by a newer console: a store version this one does not know.

    The file is left exactly as it is: migrating it down or reading it with an
    older schema could lose what the newer console wrote.

    Attributes:
        path: the store file.
        revision: its Alembic revision (unknown to this console).
        written_by: the console version that last opened it, if it recorded one.
        known: the newest revision this console knows.
    """

    action = (
        "Start the newer console, or start this one with another data folder:\n"
        "l4-console --data-dir FOLDER"
    )

    def __init__(self, path: str, revision: str, written_by: str | None, known: str) -> None:
        by = f"console {written_by}" if written_by else "a newer console"
        super().__init__(
            f"The local store {path} was written by {by} (store version {revision}); "
            f"this console only knows store versions up to {known}. It was not opened "
            "or changed."
        )
        self.path = path
        self.revision = revision
        self.written_by = written_by
        self.known = known


class FolderInUse(ConsoleError):
    """Another console holds the data folder but did not take the hand-over."""

    action = (
        "Wait for that console to respond, or close it. If it hangs, end it "
        "(its process id is given above) and start again."
    )
