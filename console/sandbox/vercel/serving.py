"""`next start` for READY deployments that were really built.

A deployment's output (`outputs/<deployment id>/`, see `runner.place_output_blocking`)
is served by its own `next start` on a free loopback port, started on the
first request for it. At most `limit` run at once: starting another stops the
one used least recently. All of them stop with the sandbox. The processes
are `ManagedProcess`es, so stopping one ends its whole process group.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from console.sandbox.host import free_port
from console.services.buildcheck import BuildSettings
from console.services.buildcheck.process import ManagedProcess
from console.services.buildcheck.toolchain import (
    NodeToolchain,
    child_environment,
    find_toolchain,
    node_bin_dir,
)

logger = logging.getLogger(__name__)

#: Seconds `next start` may take to accept connections.
START_DEADLINE = 60.0
#: Seconds between tries to connect to a starting `next start`.
_CONNECT_POLL = 0.05


class AppUnavailable(Exception):
    """A built deployment cannot be served; `status` and the message say why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class _Server:
    process: ManagedProcess
    url: str


class AppServers:
    """The running `next start` processes, one per served deployment, least recently used first.

    Used only on the server's loop.

    Args:
        outputs_root: holds one folder per built deployment.
        settings: where the build check keeps its tools (node's bin folder).
        limit: how many may run at once.
        start_deadline: seconds one may take to accept connections.
    """

    def __init__(
        self,
        outputs_root: Path,
        settings: BuildSettings,
        *,
        limit: int = 3,
        start_deadline: float = START_DEADLINE,
    ) -> None:
        self._outputs_root = outputs_root
        self._settings = settings
        self._limit = max(limit, 1)
        self._start_deadline = start_deadline
        self._running: collections.OrderedDict[str, _Server] = collections.OrderedDict()
        self._lock = asyncio.Lock()
        self._toolchain: NodeToolchain | None = None

    async def url(self, deployment_id: str, env: Mapping[str, str]) -> str:
        """The loopback URL (``http://127.0.0.1:PORT``) serving the deployment's build.

        Args:
            deployment_id: a READY deployment that was really built.
            env: the variables its server-side code reads.

        Raises:
            AppUnavailable: its output is gone, Node.js is missing, or
                `next start` did not come up (its last output lines say why).
        """
        async with self._lock:
            running = self._running.get(deployment_id)
            if running is not None and running.process.returncode is None:
                self._running.move_to_end(deployment_id)
                return running.url
            if running is not None:
                logger.info("next start of %s had exited: starting it again", deployment_id)
                await self._stop(deployment_id)
            server = await self._start(deployment_id, env)
            self._running[deployment_id] = server
            while len(self._running) > self._limit:
                await self._stop(next(iter(self._running)))
            return server.url

    async def stop(self, deployment_id: str) -> None:
        """Stop the deployment's server, if it runs."""
        async with self._lock:
            await self._stop(deployment_id)

    async def close(self) -> None:
        """Stop every server (the sandbox stops)."""
        async with self._lock:
            servers = list(self._running.values())
            self._running.clear()
            await asyncio.gather(*(s.process.stop() for s in servers))

    async def _stop(self, deployment_id: str) -> None:
        server = self._running.pop(deployment_id, None)
        if server is not None:
            await server.process.stop()
            logger.info("next start of %s stopped", deployment_id)

    async def _start(self, deployment_id: str, env: Mapping[str, str]) -> _Server:
        output = self._outputs_root / deployment_id
        next_bin = output / "node_modules" / "next" / "dist" / "bin" / "next"
        if not (output / ".next" / "BUILD_ID").is_file() or not next_bin.is_file():
            raise AppUnavailable(
                410,
                "The build output of this deployment was removed: the sandbox keeps the "
                "newest few per project and the production one.",
            )
        if self._toolchain is None:
            self._toolchain = await find_toolchain()
        if self._toolchain is None:
            raise AppUnavailable(503, "Node.js was not found on this machine: cannot serve.")
        toolchain = self._toolchain
        port = free_port()
        address = ("--port", str(port), "--hostname", "127.0.0.1")
        process = ManagedProcess(
            (str(toolchain.node), str(next_bin), "start", *address),
            cwd=output,
            env=child_environment((node_bin_dir(toolchain, self._settings.tools_root),), env),
            on_line=lambda line: logger.debug("next start %s: %s", deployment_id, line),
            tail_lines=40,
        )
        await process.start()
        try:
            await self._wait_accepting(process, port)
        except BaseException:
            await process.stop()
            raise
        logger.info("next start of %s serving on port %d", deployment_id, port)
        return _Server(process, f"http://127.0.0.1:{port}")

    async def _wait_accepting(self, process: ManagedProcess, port: int) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._start_deadline
        while True:
            if process.returncode is not None:
                raise AppUnavailable(502, "next start exited:\n" + "\n".join(process.tail[-20:]))
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                if loop.time() > deadline:
                    raise AppUnavailable(
                        504, f"next start did not answer within {self._start_deadline:.0f} s"
                    ) from None
                await asyncio.sleep(_CONNECT_POLL)
                continue
            writer.close()
            await writer.wait_closed()
            return
