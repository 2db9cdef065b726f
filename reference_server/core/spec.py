"""One API's OpenAPI document: its operations, their parameters, request bodies and responses,
with validators compiled once (on first use) and reused for every request and response."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reference_server.core.problems import InvalidParam, unique_params
from reference_server.core.schema import REQUEST, RESPONSE, SchemaError, SchemaSet, Validator

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}

#: keyword of a failing schema check -> invalidParams code (the codes of the ZGW APIs)
_CODES = {
    "required": "required",
    "maxLength": "max_length",
    "minLength": "min_length",
    "maximum": "max_value",
    "minimum": "min_value",
    "exclusiveMaximum": "max_value",
    "exclusiveMinimum": "min_value",
    "maxItems": "max_length",
    "minItems": "min_length",
    "enum": "invalid_choice",
    "const": "invalid_choice",
}


def invalid_params(errors: Iterable[SchemaError], prefix: str = "") -> list[InvalidParam]:
    """One invalidParams entry per failing field; names are dotted paths (``adres.postcode``)."""
    params = []
    for error in errors:
        path = [prefix] if prefix else []
        path += [str(p) for p in error.path]
        if error.keyword == "required" and error.missing:
            name = ".".join([*path, error.missing])
            params.append(InvalidParam(name, "required", "Required."))
            continue
        code = _CODES.get(error.keyword, "invalid")
        if error.keyword == "type" and error.instance is None:
            code = "null"
        params.append(InvalidParam(".".join(path) or "nonFieldErrors", code, error.message))
    return unique_params(params)


@dataclass
class Parameter:
    """A query or path parameter: how it is serialised and what its value must be."""

    name: str
    location: str
    schema: dict[str, Any]
    required: bool = False
    explode: bool = True
    validator: Validator | None = None

    @property
    def kind(self) -> str:
        return str(self.schema.get("type") or "string")

    def parse(self, values: list[str]) -> Any:
        """The typed value of the parameter as sent (its last occurrence for a scalar);
        raises ValueError for a value of the wrong type."""
        if self.kind == "array":
            item = str((self.schema.get("items") or {}).get("type") or "string")
            raw = values if self.explode else [v for value in values for v in value.split(",")]
            return [_cast(item, value) for value in raw]
        return _cast(self.kind, values[-1])


def _cast(kind: str, value: str) -> Any:
    if kind == "integer":
        if not _INTEGER.fullmatch(value):
            raise ValueError(f"{value!r} is not an integer")
        return int(value)
    if kind == "number":
        if not _NUMBER.fullmatch(value):
            raise ValueError(f"{value!r} is not a number")
        return float(value)
    if kind == "boolean":
        if value.lower() not in _BOOLEANS:
            raise ValueError(f"{value!r} is not true or false")
        return _BOOLEANS[value.lower()]
    return value


@dataclass
class Operation:
    """One operation of the document."""

    id: str
    method: str
    path: str
    spec: dict[str, Any]
    document: Document = field(repr=False)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    _body: Validator | None = field(default=None, repr=False)
    _responses: dict[int, tuple[str, Validator | None] | None] = field(
        default_factory=dict, repr=False
    )

    @property
    def query(self) -> dict[str, Parameter]:
        return {n: p for n, p in self.parameters.items() if p.location == "query"}

    @property
    def path_parameters(self) -> dict[str, Parameter]:
        return {n: p for n, p in self.parameters.items() if p.location == "path"}

    @property
    def scopes(self) -> tuple[str, ...]:
        """Scopes the operation requires: ``x-scopes``, or the lists of its ``security``."""
        found = list(self.spec.get("x-scopes") or [])
        for requirement in self.spec.get("security") or []:
            for scopes in (requirement or {}).values():
                found += [s for s in scopes or [] if s not in found]
        return tuple(found)

    @functools.cached_property
    def etag(self) -> bool:
        """Whether the document gives the success response an ETag header."""
        for status, response in (self.spec.get("responses") or {}).items():
            if str(status).startswith("2"):
                headers = self.document.resolve(response).get("headers") or {}
                if any(name.lower() == "etag" for name in headers):
                    return True
        return False

    # requests -------------------------------------------------------------------------------

    def query_values(self, items: list[tuple[str, str]]) -> tuple[dict[str, Any], list]:
        """The declared query parameters sent, typed; and invalidParams for bad values.
        Parameters the document does not declare are ignored."""
        sent: dict[str, list[str]] = {}
        for name, value in items:
            sent.setdefault(name, []).append(value)
        values: dict[str, Any] = {}
        params: list[InvalidParam] = []
        for name, parameter in self.query.items():
            if name not in sent:
                if parameter.required:
                    params.append(InvalidParam(name, "required", "Required parameter."))
                continue
            try:
                value = parameter.parse(sent[name])
            except ValueError as exc:
                params.append(InvalidParam(name, "invalid", str(exc)))
                continue
            errors = self.document.validator_for(parameter).errors(value)
            if errors:
                params += invalid_params(errors, prefix=name)
                continue
            values[name] = value
        return values, unique_params(params)

    def body_errors(self, body: Any) -> list[InvalidParam]:
        """invalidParams for a request body (empty when it is valid)."""
        if self._body is None:
            schema = self.request_schema()
            if schema is None:
                return []
            self._body = self.document.schemas.validator(schema, REQUEST)
        return invalid_params(self._body.errors(body))

    def request_schema(self) -> dict[str, Any] | None:
        content = (self.document.resolve(self.spec.get("requestBody") or {}).get("content")) or {}
        for media, item in content.items():
            if "json" in media and "schema" in item:
                return item["schema"]
        return None

    # responses ------------------------------------------------------------------------------

    def response_errors(self, status: int, content_type: str | None, body: Any) -> list[str]:
        """What is wrong with a response according to the document: an undocumented status,
        another content type, a body where none is declared, or a body off its schema.
        ``body`` is the decoded JSON (None: no body)."""
        if status not in self._responses:
            self._responses[status] = self._response_validator(status)
        declared = self._responses[status]
        if declared is None:
            return [f"status {status} is not documented for {self.id}"]
        media, validator = declared
        if validator is None:
            return [] if body is None else [f"{self.id} {status} must have no body"]
        actual = (content_type or "").split(";")[0].strip()
        if actual != media:
            return [f"content type {actual or '(none)'} where {media} is documented"]
        return [
            f"{'/'.join(map(str, e.path)) or '(body)'}: {e.message}" for e in validator.errors(body)
        ]

    def _response_validator(self, status: int) -> tuple[str, Validator | None] | None:
        responses = self.spec.get("responses") or {}
        response = responses.get(str(status), responses.get(status, responses.get("default")))
        if response is None:
            return None
        content = self.document.resolve(response).get("content") or {}
        if not content:
            return ("", None)
        media, item = next(iter(content.items()))
        return (media, self.document.schemas.validator(item.get("schema") or {}, RESPONSE))


class Document:
    """A parsed OpenAPI 3.0 document."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.text = self.path.read_text(encoding="utf-8")
        self.data: dict[str, Any] = yaml.load(self.text, Loader=_YAML_LOADER)
        components = self.data.get("components") or {}
        self.schemas = SchemaSet(components.get("schemas") or {})
        self.operations: dict[str, Operation] = {}
        self._parameter_validators: dict[int, Validator] = {}
        for path_template, item in (self.data.get("paths") or {}).items():
            shared = item.get("parameters") or []
            for method, spec in item.items():
                if method not in METHODS or not isinstance(spec, dict):
                    continue
                operation = Operation(
                    spec["operationId"], method.upper(), path_template, spec, self
                )
                for raw in [*shared, *(spec.get("parameters") or [])]:
                    parameter = self._parameter(self.resolve(raw))
                    if parameter is not None:
                        operation.parameters[parameter.name] = parameter
                self.operations[operation.id] = operation

    @property
    def version(self) -> str:
        return str((self.data.get("info") or {}).get("version") or "")

    def resolve(self, item: Any) -> dict[str, Any]:
        """Follow a local ``$ref`` (``#/components/...``) to what it names."""
        seen = 0
        while isinstance(item, dict) and "$ref" in item and seen < 20:
            node: Any = self.data
            for part in item["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            item, seen = node, seen + 1
        return item if isinstance(item, dict) else {}

    def _parameter(self, raw: dict[str, Any]) -> Parameter | None:
        location = raw.get("in")
        if location not in ("query", "path"):
            return None  # headers and cookies are read by the server itself
        style_default = "form" if location == "query" else "simple"
        explode = raw.get("explode", (raw.get("style") or style_default) == "form")
        return Parameter(
            name=raw["name"],
            location=location,
            schema=raw.get("schema") or {},
            required=bool(raw.get("required")),
            explode=bool(explode),
        )

    def validator_for(self, parameter: Parameter) -> Validator:
        if parameter.validator is None:
            parameter.validator = self.schemas.validator(parameter.schema, REQUEST)
        return parameter.validator

    def operation(self, path: str, method: str) -> Operation | None:
        for operation in self.operations.values():
            if operation.path == path and operation.method == method.upper():
                return operation
        return None

    def published(self) -> dict[str, Any]:
        """A copy of the document, to publish (and, under fault OAS-08, to extend)."""
        return json.loads(json.dumps(self.data))


@functools.cache
def load_document(path: Path) -> Document:
    """One parsed document per file and process."""
    return Document(Path(path).resolve())
