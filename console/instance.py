"""One console per data folder: the first start owns it, a later one hands over and exits.

Ownership is a `QLockFile` in the data folder, held for the console's life.
The OS releases it when the process dies, and Qt's age-based stale check is
off, so a console running for days is never taken for a dead one. The owner
listens on a `QLocalServer` named after the folder (a hash of the user and
the folder's absolute path; only that user may connect). A second start
connects, sends what it was asked to do (`HandOver`, one JSON line), reads
the owner's answer and exits. A socket left by a console that died refuses
the connection; its lock is free then, so the new start removes the socket
and listens in its place. Two starts at once cannot both own the folder: the
lock decides, and the loser hands over once the winner listens.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from console.errors import FolderInUse, KnownStoreError

logger = logging.getLogger(__name__)

PROTOCOL = 1
LOCK_NAME = "console.lock"
#: How long a connection to a listening console may take.
CONNECT_MS = 1000
#: How long the running console may take to answer a hand-over. It answers
#: from its UI thread, which a console still starting keeps busy for seconds
#: (importing and building everything); the second start has no window and
#: can wait.
ANSWER_MS = 30_000
#: How long a start waits for a console that holds the folder to listen.
CLAIM_TIMEOUT_S = 30.0
#: How long a connection that sends nothing is kept open.
IDLE_MS = 5000
#: How long each wait for the lock lasts between two connection attempts.
LOCK_WAIT_MS = 100


@dataclass(frozen=True)
class HandOver:
    """What a second start asks the running console to do.

    Attributes:
        section: open this section (a `Section` name, lower case), if given.
    """

    section: str | None = None

    def encode(self) -> bytes:
        return json.dumps({"protocol": PROTOCOL, "section": self.section}).encode() + b"\n"

    @classmethod
    def decode(cls, line: bytes) -> HandOver:
        """Raises ValueError if `line` is not a hand-over of this protocol."""
        data = json.loads(line)
        if not isinstance(data, dict) or data.get("protocol") != PROTOCOL:
            raise ValueError("not a hand-over of this protocol")
        section = data.get("section")
        if section is not None and not isinstance(section, str):
            raise ValueError("section is not a string")
        return cls(section=section)


@dataclass(frozen=True)
class Answer:
    """The running console's reply to a hand-over.

    Attributes:
        pid: its process id.
    """

    pid: int


def server_name(data_dir: Path) -> str:
    """The local server's name for `data_dir`: the same for every start by this user."""
    key = f"{getpass.getuser()}\0{data_dir.resolve()}"
    return "l4-console-" + hashlib.sha256(key.encode()).hexdigest()[:24]


class SingleInstance(QObject):
    """Claims a data folder for this process, or hands the start over to its owner.

    Signals:
        handed_over(HandOver): another start asked this console to come forward.
    """

    handed_over = Signal(object)

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.name = server_name(data_dir)
        self._lock = QLockFile(str(data_dir / LOCK_NAME))
        self._lock.setStaleLockTime(0)
        self._server: QLocalServer | None = None

    def claim(self, request: HandOver, *, timeout: float = CLAIM_TIMEOUT_S) -> Answer | None:
        """Own the folder and listen (None), or hand `request` to the console that owns it.

        Blocking, with a deadline: run it before Qt's loop starts.

        Raises:
            FolderInUse: a console holds the folder but did not take the hand-over in time.
            KnownStoreError: the folder cannot be locked (permissions, disk).
        """
        deadline = time.monotonic() + timeout
        while True:
            answer = self._hand_over(request)
            if answer is not None:
                return answer
            # No console answers. The folder is free, unless one holds the lock
            # and does not listen yet (it is starting, or it hangs).
            if self._lock.tryLock(LOCK_WAIT_MS):
                self._listen()
                return None
            if self._lock.error() not in (
                QLockFile.LockError.NoError,
                QLockFile.LockError.LockFailedError,
            ):
                raise KnownStoreError(
                    f"The data folder {self.data_dir} cannot be locked ({self._lock.error().name})."
                )
            if time.monotonic() >= deadline:
                raise FolderInUse(
                    f"Another console ({self._holder()}) uses the data folder {self.data_dir} "
                    "but did not answer."
                )

    def release(self) -> None:
        """Stop listening and give the folder up (the console has shut down)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock.isLocked():
            self._lock.unlock()

    # --- slots ------------------------------------------------------------
    @Slot()
    def _on_server_new_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(self._on_socket_ready_read)
            socket.disconnected.connect(socket.deleteLater)
            # A client that never sends a line does not keep its socket open.
            QTimer.singleShot(IDLE_MS, socket, socket.abort)
            if socket.canReadLine():
                self._answer(socket)

    @Slot()
    def _on_socket_ready_read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket) and socket.canReadLine():
            self._answer(socket)

    # --- helpers ----------------------------------------------------------
    def _answer(self, socket: QLocalSocket) -> None:
        line = bytes(socket.readLine().data())
        try:
            request = HandOver.decode(line)
        except ValueError as error:
            logger.warning("ignored a connection that is not a hand-over: %s", error)
            socket.abort()
            return
        socket.write(json.dumps({"protocol": PROTOCOL, "pid": os.getpid()}).encode() + b"\n")
        socket.flush()
        socket.disconnectFromServer()
        logger.info("another start handed over: %s", request)
        self.handed_over.emit(request)

    def _hand_over(self, request: HandOver) -> Answer | None:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_MS):
            return None  # nobody listens, or a socket left by a console that died
        socket.write(request.encode())
        socket.waitForBytesWritten(CONNECT_MS)
        deadline = time.monotonic() + ANSWER_MS / 1000
        while not socket.canReadLine():
            remaining = int((deadline - time.monotonic()) * 1000)
            if remaining <= 0 or not socket.waitForReadyRead(remaining):
                socket.abort()
                raise FolderInUse(
                    f"Another console ({self._holder()}) uses the data folder {self.data_dir} "
                    "but did not answer."
                )
        line = bytes(socket.readLine().data())
        socket.disconnectFromServer()
        try:
            data: Any = json.loads(line)
            return Answer(pid=int(data["pid"]))
        except (ValueError, KeyError, TypeError):
            raise FolderInUse(
                f"Another console uses the data folder {self.data_dir} and answered in a way "
                "this one does not understand (a different version?)."
            ) from None

    def _listen(self) -> None:
        # Whatever socket is there was left by a console that died: we hold its lock.
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            self._lock.unlock()
            raise KnownStoreError(
                f"The console could not listen for other starts: {server.errorString()}"
            )
        server.newConnection.connect(self._on_server_new_connection)
        self._server = server
        logger.info("owns %s, listening as %s", self.data_dir, server.fullServerName())

    def _holder(self) -> str:
        info = self._lock.getLockInfo()
        if isinstance(info, tuple) and info and info[0]:
            return f"process {info[0]}"
        return "another process"
