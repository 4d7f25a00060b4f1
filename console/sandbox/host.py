"""Serve sandbox ASGI apps on loopback, each in its own uvicorn thread.

Real sockets (not an in-process transport) so that PyGithub (requests),
stripe-python, subprocesses and the console all talk to the sandbox exactly
as they would to the vendors.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from console.sandbox.faults import ASGIApp

logger = logging.getLogger(__name__)


@dataclass
class ServedApp:
    """One running sandbox server."""

    name: str
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self, timeout: float = 5.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def serve(name: str, app: ASGIApp, *, port: int = 0, host: str = "127.0.0.1") -> ServedApp:
    """Start `app` on loopback and return once it accepts connections."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=1,
    )
    # uvicorn installs signal handlers only on the main thread, so the
    # console's (and pytest's) own handling stays untouched.
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"sandbox-{name}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10.0
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"sandbox {name} did not start")
        time.sleep(0.01)
    url = f"http://{host}:{bound_port}"
    logger.info("sandbox %s serving on %s", name, url)
    return ServedApp(name=name, url=url, server=server, thread=thread)
