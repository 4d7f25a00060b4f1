"""Check recorded exchanges against the vendors' official OpenAPI subsets.

The documents are the copies kept in tests/data/contracts/. Before
validating, the quirks of the vendors' own descriptions that make strict
validation fail on real data are normalised:
GitHub's `discriminator` is dropped, Vercel's always-double-matching `oneOf`
is read as `anyOf`, and Stripe's `nullable` beside `enum`/`anyOf` admits null.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from console.sandbox.recording import Exchange

CONTRACTS = Path(__file__).parent / "data" / "contracts"
Vendor = Literal["github", "vercel", "stripe"]
_ROOT = "urn:contract"
_GREEDY_PARAMS = {"ref", "path"}  # GitHub refs and content paths contain slashes


class ContractViolation(AssertionError):
    """A request or response does not match the vendor's contract."""


@dataclass(frozen=True)
class Operation:
    template: str
    method: str
    pattern: re.Pattern[str]
    spec: dict[str, Any]


def _normalise(node: Any, vendor: Vendor) -> Any:
    if isinstance(node, list):
        return [_normalise(item, vendor) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _normalise(value, vendor) for key, value in node.items()}
    if vendor == "github":
        out.pop("discriminator", None)
    if vendor == "vercel" and "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    # Stripe and Vercel both put `nullable` beside `enum`/`anyOf` without null.
    if vendor in {"stripe", "vercel"} and out.get("nullable") is True:
        out.pop("nullable")
        return {"anyOf": [out, {"enum": [None]}]}
    return out


class VendorContract:
    """One vendor's contract, ready to validate exchanges."""

    def __init__(self, vendor: Vendor) -> None:
        raw = json.loads((CONTRACTS / f"{vendor}.json").read_text())
        self.vendor = vendor
        self.spec: dict[str, Any] = _normalise(raw, vendor)
        resource = Resource.from_contents(self.spec, default_specification=DRAFT4)
        self._registry: Registry[Any] = Registry().with_resource(_ROOT, resource)
        self.operations = [
            Operation(template, method.upper(), _compile(template), op)
            for template, item in self.spec["paths"].items()
            for method, op in item.items()
            if method in {"get", "post", "put", "patch", "delete"}
        ]

    # --- lookup -----------------------------------------------------------
    def operation_for(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        candidates = []
        for op in self.operations:
            if op.method != method.upper():
                continue
            match = op.pattern.fullmatch(path)
            if match:
                candidates.append((op, match.groupdict()))
        if not candidates:
            raise ContractViolation(f"{self.vendor}: no operation for {method} {path}")
        # Prefer the most literal template (fewest parameters).
        candidates.sort(key=lambda c: c[0].template.count("{"))
        return candidates[0]

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            pointer = node["$ref"].removeprefix("#/").split("/")
            target: Any = self.spec
            for part in pointer:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def _validate(self, schema: dict[str, Any], instance: Any, where: str) -> None:
        validator = OAS30Validator(_rooted(schema), registry=self._registry)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        if errors:
            best = errors[0]
            raise ContractViolation(
                f"{self.vendor} {where}: {best.message} at {list(best.absolute_path)}"
            )

    # --- checks -----------------------------------------------------------
    def check_request(self, ex: Exchange) -> Operation:
        op, path_params = self.operation_for(ex.method, ex.path)
        where = f"request {ex.method} {ex.path}"
        params = [self._resolve(p) for p in op.spec.get("parameters", [])]
        # Bracket notation (`expand[0]`, `created[gte]`) decodes like Stripe's form bodies.
        query = decode_form(
            "&".join(f"{quote(k)}={quote(v)}" for k, vs in ex.query.items() for v in vs)
        )
        for param in params:
            name, location = param["name"], param["in"]
            schema = param.get("schema", {})
            if location == "path":
                self._validate(schema, _coerce(path_params[name], schema, self), where)
            elif location == "query":
                if name not in query:
                    if param.get("required"):
                        raise ContractViolation(f"{where}: missing query {name}")
                    continue
                value: Any = query[name]
                resolved = self._resolve(schema) if "$ref" in schema else schema
                if resolved.get("type") == "array" and not isinstance(value, list):
                    value = [value]
                self._validate(schema, _coerce(value, schema, self), where)
        body_spec = op.spec.get("requestBody")
        if body_spec:
            body_spec = self._resolve(body_spec)
            if not ex.request_body:
                if body_spec.get("required"):
                    raise ContractViolation(f"{where}: missing body")
                return op
            content = body_spec["content"]
            ctype = ex.request_content_type
            if ctype not in content:
                raise ContractViolation(f"{where}: content type {ctype!r} not in {list(content)}")
            schema = content[ctype].get("schema", {})
            if ctype == "application/x-www-form-urlencoded":
                instance = _coerce(decode_form(ex.request_body.decode()), schema, self)
            else:
                instance = json.loads(ex.request_body)
            self._validate(schema, instance, where)
        return op

    def check_response(self, ex: Exchange) -> None:
        op, _ = self.operation_for(ex.method, ex.path)
        where = f"response {ex.status} to {ex.method} {ex.path}"
        responses = op.spec["responses"]
        spec = responses.get(str(ex.status)) or responses.get(f"{str(ex.status)[0]}XX")
        if spec is None:
            spec = responses.get("default")
        if spec is None:
            if 400 <= ex.status < 500:
                # The vendors' descriptions leave out error statuses they really
                # send (GitHub: 404 on create-ref, 401 outside /user); their
                # bodies cannot be checked against a schema that is not there.
                return
            raise ContractViolation(f"{where}: status not in the contract ({list(responses)})")
        spec = self._resolve(spec)
        content = spec.get("content")
        if not content:
            return
        ctype = ex.response_content_type or "application/json"
        media = content.get(ctype) or content.get("application/json")
        if media is None:
            raise ContractViolation(f"{where}: content type {ctype!r} not in {list(content)}")
        if "schema" not in media:
            return
        if ctype == "application/stream+json":
            # One JSON document per line (e.g. Vercel's build events with follow=1).
            for line in ex.response_body.splitlines():
                if line.strip():
                    self._validate(media["schema"], json.loads(line), where)
            return
        self._validate(media["schema"], json.loads(ex.response_body), where)

    def check(self, ex: Exchange) -> None:
        self.check_request(ex)
        self.check_response(ex)

    def check_object(self, schema: str, instance: Any) -> None:
        """Validate one object against a component schema of the contract.

        For what the vendor sends outside the contract's operations (webhook
        event payloads, endpoints the subset leaves out) whose object types
        the contract still describes.
        """
        if schema not in self.spec["components"]["schemas"]:
            raise ContractViolation(f"{self.vendor}: no schema {schema!r} in the contract")
        self._validate({"$ref": f"#/components/schemas/{schema}"}, instance, schema)


def _rooted(schema: dict[str, Any]) -> dict[str, Any]:
    """Make `#/...` refs inside a sub-schema resolve against the whole document."""
    text = json.dumps(schema).replace('"$ref": "#/', f'"$ref": "{_ROOT}#/')
    rooted: dict[str, Any] = json.loads(text)
    return rooted


def _compile(template: str) -> re.Pattern[str]:
    pattern = ""
    for part in re.split(r"(\{[^}]+\})", template):
        if part.startswith("{"):
            name = part[1:-1]
            body = ".+" if name in _GREEDY_PARAMS else "[^/]+"
            pattern += f"(?P<{name}>{body})"
        else:
            pattern += re.escape(part)
    return re.compile(pattern)


def decode_form(body: str) -> dict[str, Any]:
    """Decode Stripe's bracket form encoding (`a[b][0][c]=v`) into nested data."""
    from urllib.parse import parse_qsl

    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+|\[\]", key)
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt = None if last else parts[i + 1]
            container: Any = [] if nxt is not None and (nxt == "[]" or nxt.isdigit()) else {}
            if isinstance(node, list):
                if part == "[]":
                    if last:
                        node.append(value)
                        break
                    node.append(container)
                    node = node[-1]
                    continue
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                if last:
                    node[index] = value
                elif node[index] is None:
                    node[index] = container
                node = node[index]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, container)
    return root


def _coerce(value: Any, schema: dict[str, Any], contract: VendorContract) -> Any:
    """Turn form/query strings into the types their schema asks for."""
    schema = contract._resolve(schema) if "$ref" in schema else schema
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        for option in options:
            candidate = _coerce(value, option, contract)
            if _fits(candidate, option, contract):
                return candidate
        return value
    kind = schema.get("type")
    if isinstance(value, str):
        if kind == "integer" and re.fullmatch(r"-?\d+", value):
            return int(value)
        if kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?", value):
            return float(value)
        if kind == "boolean" and value in {"true", "false"}:
            return value == "true"
        return value
    if isinstance(value, list) and kind == "array":
        items = schema.get("items", {})
        return [_coerce(v, items, contract) for v in value]
    if isinstance(value, dict) and kind in {"object", None}:
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        out = {}
        for key, item in value.items():
            sub = props.get(key) or (extra if isinstance(extra, dict) else {})
            out[key] = _coerce(item, sub, contract)
        return out
    return value


def _fits(value: Any, schema: dict[str, Any], contract: VendorContract) -> bool:
    try:
        OAS30Validator(_rooted(schema), registry=contract._registry).validate(value)
    except ValidationError:
        return False
    return True


@cache
def contract(vendor: Vendor) -> VendorContract:
    return VendorContract(vendor)


def check_all(
    vendor: Vendor,
    exchanges: list[Exchange],
    *,
    extension: Callable[[str], bool] = lambda path: False,
) -> int:
    """Check every exchange in both directions; returns how many were checked.

    Sandbox control routes (`/_sandbox/...`) and paths `extension` names
    (sandbox-only endpoints outside the vendor's contract) are skipped.
    """
    checker = contract(vendor)
    checked = 0
    for ex in exchanges:
        if ex.path.startswith("/_sandbox") or extension(ex.path):
            continue
        checker.check(ex)
        checked += 1
    return checked
