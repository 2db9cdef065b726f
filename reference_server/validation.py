"""Validation of requests and responses against the project's OpenAPI document (openapi-core).

openapi-core does not dispatch on the ``subjectType`` discriminator, so the
``subjectIdentificatie`` of an aangehaakte klant is checked here against the schema the
discriminator mapping names.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable
from pathlib import Path

import yaml
from jsonschema.exceptions import ValidationError as SchemaError
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest
from openapi_core.validation.request import exceptions as req_exc
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from openapi_schema_validator import OAS30ReadValidator, OAS30Validator, oas30_format_checker

from reference_server.problems import InvalidParam

log = logging.getLogger("reference_server.validation")

SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "klanten-1.0.yaml"
SERVER_PREFIX = "/api/v1"
HOST = "http://reference.invalid"

_CODES = {
    "required": "required",
    "maxLength": "max_length",
    "minLength": "min_length",
    "maximum": "max_value",
    "minimum": "min_value",
    "enum": "invalid_choice",
    "type": "invalid",
    "format": "invalid",
    "pattern": "invalid",
}


def _dotted(prefix: str, path: Iterable) -> str:
    parts = [prefix] if prefix else []
    parts += [str(p) for p in path]
    return ".".join(parts) or "nonFieldErrors"


def schema_params(errors: Iterable[SchemaError], prefix: str = "") -> list[InvalidParam]:
    """One invalidParams entry per failing field of a jsonschema validation."""
    params: list[InvalidParam] = []
    for error in errors:
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    path = [*error.absolute_path, name]
                    params.append(InvalidParam(_dotted(prefix, path), "required", "Required."))
            continue
        code = _CODES.get(str(error.validator), "invalid")
        if error.validator == "type" and error.instance is None:
            code = "null"
        params.append(InvalidParam(_dotted(prefix, error.absolute_path), code, error.message))
    return _unique(params)


def _unique(params: list[InvalidParam]) -> list[InvalidParam]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for param in params:
        if (param.name, param.code) not in seen:
            seen.add((param.name, param.code))
            kept.append(param)
    return kept


def _error_params(error: Exception) -> list[InvalidParam]:
    cause = error.__cause__
    if isinstance(error, req_exc.MissingRequiredParameter):
        return [InvalidParam(error.name, "required", "Required parameter.")]
    if isinstance(error, req_exc.ParameterValidationError):
        if isinstance(cause, InvalidSchemaValue):
            return schema_params(cause.schema_errors, prefix=error.name)
        return [InvalidParam(error.name, "invalid", str(cause or error))]
    if isinstance(error, req_exc.MissingRequiredRequestBody):
        return [InvalidParam("nonFieldErrors", "required", "A request body is required.")]
    if isinstance(cause, InvalidSchemaValue):
        return schema_params(cause.schema_errors)
    return [InvalidParam("nonFieldErrors", "invalid", str(cause or error))]


class SpecValidator:
    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        self.spec_path = spec_path
        self.document = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
        self.api = OpenAPI.from_dict(self.document)
        schemas = self.document["components"]["schemas"]
        mapping = schemas["Klant"]["discriminator"].get("mapping", {})
        self._identificatie: dict[str, OAS30Validator] = {}
        self.identificatie_fields: dict[str, frozenset[str]] = {}
        for subject_type, ref in mapping.items():
            schema = self._identificatie_schema(schemas, ref)
            self._identificatie[subject_type] = OAS30Validator(
                schema, format_checker=oas30_format_checker
            )
            self.identificatie_fields[subject_type] = frozenset(schema.get("properties", {}))
        self._responses: dict[tuple[str, int], tuple[str, object] | None] = {}

    def _identificatie_schema(self, schemas: dict, ref: str) -> dict:
        """Resolve ``<subjectType>`` -> allOf part -> ``subjectIdentificatie`` schema, inlined."""
        variant = schemas[ref.rsplit("/", 1)[-1]]
        for part in variant["allOf"]:
            target = schemas[part["$ref"].rsplit("/", 1)[-1]]
            if "subjectIdentificatie" in target.get("properties", {}):
                inner = target["properties"]["subjectIdentificatie"]["$ref"]
                return self._inline(schemas, schemas[inner.rsplit("/", 1)[-1]])
        raise ValueError(f"no subjectIdentificatie schema for {ref}")

    def _inline(self, schemas: dict, schema: object) -> object:
        if isinstance(schema, dict):
            if "$ref" in schema:
                return self._inline(schemas, schemas[schema["$ref"].rsplit("/", 1)[-1]])
            return {k: self._inline(schemas, v) for k, v in schema.items()}
        if isinstance(schema, list):
            return [self._inline(schemas, v) for v in schema]
        return schema

    @staticmethod
    def _request(
        method: str, path: str, query: list[tuple[str, str]], body: object | None
    ) -> MockRequest:
        data = None if body is None else json.dumps(body).encode("utf-8")
        # openapi-core stops at a failed security check; the server authenticates itself
        headers = {"Authorization": "Bearer checked-by-the-server"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return MockRequest(
            HOST, method.lower(), SERVER_PREFIX + path, args=query, headers=headers, data=data
        )

    def request_errors(
        self, method: str, path: str, query: list[tuple[str, str]], body: object | None = None
    ) -> list[InvalidParam]:
        """invalidParams for a request; ``path`` is relative to the API root (``/klanten``)."""
        request = self._request(method, path, query, body)
        params: list[InvalidParam] = []
        for error in self.api.iter_request_errors(request):
            if isinstance(error, req_exc.SecurityValidationError):
                continue  # the server authenticates requests itself
            params.extend(_error_params(error))
        return _unique(params)

    def identificatie_errors(self, subject_type: str, value: object) -> list[InvalidParam]:
        validator = self._identificatie.get(subject_type)
        if validator is None:
            return []
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        return schema_params(errors, prefix="subjectIdentificatie")

    def _response_validator(self, operation: str, status: int) -> tuple[str, object] | None:
        """(media type, body validator) the document declares for a response, or None."""
        key = (operation, status)
        if key not in self._responses:
            self._responses[key] = self._build_response_validator(operation, status)
        return self._responses[key]

    def _build_response_validator(self, operation: str, status: int):
        schemas = self.document["components"]
        for item in self.document["paths"].values():
            for spec in item.values():
                if not isinstance(spec, dict) or spec.get("operationId") != operation:
                    continue
                response = spec.get("responses", {}).get(str(status))
                if response is None:
                    return None
                if "$ref" in response:
                    response = schemas["responses"][response["$ref"].rsplit("/", 1)[-1]]
                content = response.get("content") or {}
                if not content:
                    return ("", None)
                media, body = next(iter(content.items()))
                schema = self._inline(schemas["schemas"], body["schema"])
                return (media, OAS30ReadValidator(schema, format_checker=oas30_format_checker))
        raise KeyError(operation)

    def response_errors(
        self, operation: str, status: int, content_type: str | None, body: bytes
    ) -> list[str]:
        """What is wrong with a response according to the document (status, type, body).

        Bodies are checked with validators compiled once per operation and status, the same
        OpenAPI 3.0 schema validator openapi-core uses, so every response can be checked.
        """
        declared = self._response_validator(operation, status)
        if declared is None:
            return [f"status {status} is not documented for {operation}"]
        media, validator = declared
        if validator is None:
            return [] if not body else [f"{operation} {status} must have no body"]
        actual = (content_type or "").split(";")[0].strip()
        if actual != media:
            return [f"content type {actual or '(none)'} where {media} is documented"]
        try:
            instance = json.loads(body)
        except ValueError:
            return ["the body is not JSON"]
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
            for e in validator.iter_errors(instance)
        ]


@functools.cache
def spec_validator(spec_path: Path = SPEC_PATH) -> SpecValidator:
    """One validator per document and process: building one takes a while."""
    return SpecValidator(spec_path)
