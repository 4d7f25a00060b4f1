"""Fixtures for the service-client tests (no Qt).

`async def` tests here run on a plain asyncio loop (`asyncio.run`), each with
a hard deadline so a client that hangs fails fast instead of blocking the
suite. Service clients import no Qt, so they need no qasync loop.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from console.sandbox.faults import ASGIApp, FaultInjector
from console.sandbox.host import ServedApp, serve
from console.sandbox.recording import Exchange, ExchangeRecorder
from console.services.http import RetryPolicy

logger = logging.getLogger(__name__)

#: Seconds an async service test may take before it counts as a hang.
ASYNC_TEST_DEADLINE = 20.0


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests with `asyncio.run` under a deadline."""
    func = pyfuncitem.obj
    if not inspect.iscoroutinefunction(func):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}

    async def bounded() -> None:
        await asyncio.wait_for(func(**kwargs), timeout=ASYNC_TEST_DEADLINE)

    asyncio.run(bounded())
    return True


@dataclass
class SleepLog:
    """A `RetryPolicy.sleep` that records the waits and does not really wait."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def sleeps() -> SleepLog:
    return SleepLog()


@pytest.fixture
def policy(sleeps: SleepLog) -> RetryPolicy:
    """Fast, deterministic policy: 3 attempts, waits recorded, not slept."""
    return RetryPolicy(
        attempts=3, base=0.01, cap=0.05, retry_after_cap=5.0, sleep=sleeps, rng=random.Random(7)
    )


@pytest.fixture
def real_sleep_policy() -> RetryPolicy:
    """Tiny real waits, for tests against a served sandbox."""
    return RetryPolicy(attempts=3, base=0.005, cap=0.02, retry_after_cap=2.0)


# ---------------------------------------------------------------- MockTransport helpers


Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Recorder:
    """Records requests seen by a `httpx.MockTransport` and answers from a script."""

    handler: Handler
    requests: list[httpx.Request] = field(default_factory=list)
    responses: list[httpx.Response] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = self.handler(request)
        self.responses.append(response)
        return response

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)

    def exchanges(self) -> list[Exchange]:
        """The recorded calls as `Exchange`s, for `tests.contract_check`."""
        out = []
        for request, response in zip(self.requests, self.responses, strict=False):
            try:
                body = response.content
            except httpx.ResponseNotRead:
                body = b""
            out.append(
                Exchange(
                    method=request.method,
                    path=request.url.path,
                    query=parse_qs(request.url.query.decode(), keep_blank_values=True),
                    request_headers={k.lower(): v for k, v in request.headers.items()},
                    request_body=request.content,
                    status=response.status_code,
                    response_headers={k.lower(): v for k, v in response.headers.items()},
                    response_body=body,
                )
            )
        return out


def json_response(status: int, payload: object, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=payload, headers=headers)


class DroppedStream(httpx.AsyncByteStream):
    """A response body that breaks after the first chunk (connection dropped)."""

    async def __aiter__(self) -> Any:
        yield b'{"partial":'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    async def aclose(self) -> None:
        return None


def dropped_response() -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "application/json"}, stream=DroppedStream())


# ---------------------------------------------------------------- served sandboxes


@dataclass
class Served:
    """An ASGI app on loopback, with its fault injector and exchange recorder."""

    url: str
    faults: FaultInjector
    recorder: ExchangeRecorder
    server: ServedApp


@pytest.fixture
def serve_app() -> Iterator[Callable[..., Served]]:
    """Serve ASGI apps on loopback, stopped after the test.

    Layers as in the sandboxes: ``FaultInjector(ExchangeRecorder(app))``, so the
    recorder sees only the exchanges that reached the app (faults do not).
    """
    started: list[ServedApp] = []

    def start(name: str, app: ASGIApp) -> Served:
        recorder = ExchangeRecorder(app)
        injector = FaultInjector(recorder)
        server = serve(name, injector)
        started.append(server)
        return Served(url=server.url, faults=injector, recorder=recorder, server=server)

    yield start
    for server in started:
        server.stop(timeout=2.0)
