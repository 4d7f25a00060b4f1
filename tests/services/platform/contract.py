"""Validate recorded platform exchanges against `console/contracts/platform.yaml` (openapi-core)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import httpx
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from console.contracts import load_platform_spec
from console.sandbox.recording import Exchange

HOST = "http://platform.test"


@dataclass
class _Request:
    host_url: str
    path: str
    method: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters


@dataclass
class _Response:
    status_code: int
    data: bytes
    content_type: str
    headers: Headers = field(default_factory=Headers)


def _event_stream(data: bytes, **parameters: str) -> str:
    return data.decode("utf-8")


@cache
def _openapi() -> OpenAPI:
    config = Config(extra_media_type_deserializers={"text/event-stream": _event_stream})
    return OpenAPI.from_dict(load_platform_spec(), config=config)


def _request(
    method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str], body: bytes
) -> _Request:
    return _Request(
        host_url=HOST,
        path=path,
        method=method.lower(),
        body=body or None,
        content_type=headers.get("content-type", ""),
        parameters=RequestParameters(
            query=ImmutableMultiDict(query),
            header=Headers(list(headers.items())),
            cookie=ImmutableMultiDict(),
        ),
    )


def check_exchange(ex: Exchange, *, response: bool = True) -> None:
    """Validate one recorded exchange (request, and the response unless streamed)."""
    query = [(k, v) for k, values in ex.query.items() for v in values]
    request = _request(ex.method, ex.path, query, ex.request_headers, ex.request_body)
    openapi = _openapi()
    openapi.validate_request(request)
    if response and ex.response_content_type != "text/event-stream":
        openapi.validate_response(
            request,
            _Response(
                status_code=ex.status,
                data=ex.response_body,
                content_type=ex.response_headers.get("content-type", ""),
                headers=Headers(list(ex.response_headers.items())),
            ),
        )


def check_all(exchanges: list[Exchange]) -> int:
    for ex in exchanges:
        check_exchange(ex)
    return len(exchanges)


def check_request(request: httpx.Request) -> None:
    """Validate a request sent through a MockTransport."""
    query = list(request.url.params.multi_items())
    headers = {k.lower(): v for k, v in request.headers.items()}
    _openapi().validate_request(
        _request(request.method, request.url.path, query, headers, request.content)
    )
