"""Fixtures for the platform sandbox tests: sandboxes, served apps, contract checks."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from console.contracts import load_platform_spec
from console.sandbox.host import ServedApp, serve
from console.sandbox.platform import PlatformSandbox

logger = logging.getLogger(__name__)


class FakeClock:
    """A settable clock for the sandbox ("now" is aware UTC)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class OpenApiRequest:
    """An httpx request in openapi-core's Request protocol."""

    def __init__(self, request: httpx.Request) -> None:
        url = request.url
        self.host_url = f"{url.scheme}://{url.netloc.decode()}"
        self.path = url.path
        self.method = request.method.lower()
        self.body: bytes | None = request.content or None
        self.content_type = request.headers.get("content-type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(url.params.multi_items())),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )


@dataclass
class OpenApiResponse:
    """A response in openapi-core's Response protocol."""

    status_code: int
    data: bytes
    content_type: str
    headers: Headers = field(default_factory=Headers)

    @classmethod
    def of(cls, response: httpx.Response, body: bytes | None = None) -> OpenApiResponse:
        return cls(
            status_code=response.status_code,
            data=response.content if body is None else body,
            content_type=response.headers.get("content-type", ""),
            headers=Headers(list(response.headers.items())),
        )


@dataclass
class Contract:
    """Validates exchanges against platform.yaml with openapi-core."""

    spec: dict[str, Any]
    openapi: OpenAPI

    def check(
        self,
        response: httpx.Response,
        *,
        body: bytes | None = None,
        request_valid: bool = True,
    ) -> None:
        """Validate the response (and, if `request_valid`, the request) against the spec."""
        request = OpenApiRequest(response.request)
        if request_valid:
            self.openapi.validate_request(request)
        self.openapi.validate_response(request, OpenApiResponse.of(response, body))


def _event_stream(data: bytes, **parameters: str) -> str:
    return data.decode("utf-8")


@pytest.fixture(scope="session")
def platform_spec() -> dict[str, Any]:
    return load_platform_spec()


@pytest.fixture(scope="session")
def contract(platform_spec: dict[str, Any]) -> Contract:
    config = Config(extra_media_type_deserializers={"text/event-stream": _event_stream})
    return Contract(platform_spec, OpenAPI.from_dict(platform_spec, config=config))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(tmp_path: Path, clock: FakeClock) -> Iterator[PlatformSandbox]:
    box = PlatformSandbox(tmp_path / "platform.db", clock=clock, keepalive_seconds=0.5)
    yield box
    box.close()


@pytest.fixture
def served(sandbox: PlatformSandbox) -> Iterator[ServedApp]:
    app = serve("platform", sandbox.asgi)
    yield app
    app.stop()


@pytest.fixture
def client(served: ServedApp, sandbox: PlatformSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"{served.url}/api/v1",
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
        timeout=10.0,
    ) as http:
        yield http


@pytest.fixture
def colleague(served: ServedApp, sandbox: PlatformSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"{served.url}/api/v1",
        headers={"Authorization": f"Bearer {sandbox.colleague_api_key}"},
        timeout=10.0,
    ) as http:
        yield http
