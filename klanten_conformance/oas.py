"""Our OpenAPI documents, and validation of a target's responses against them (openapi-core).

A document's server URL is a path (``/api/v1``) while a target lives at any base URL, so a
request URL is mapped onto the document by replacing the target's base URL with that path.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS30Validator

SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "klanten-1.0.yaml"
SPEC_HOST = "http://spec.invalid"
PROBLEM_JSON = "application/problem+json"
#: statuses the spec does not document for the operations and that carry no body to check
_UNCHECKED_STATUSES = frozenset({304})
_METHODS = ("get", "put", "post", "delete", "patch", "head")
#: libyaml's loader when PyYAML has it: the documents are large and read in every run
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def spec_document(path: Path = SPEC_PATH) -> dict:
    """An OpenAPI document, parsed once per process (do not modify it)."""
    return _document(Path(path).resolve())


@functools.cache
def _document(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)


def operations(path: Path = SPEC_PATH) -> dict[str, tuple[str, str]]:
    """operationId -> (path, METHOD) of every operation of a document, in its order."""
    result = {}
    for route, item in spec_document(path)["paths"].items():
        for method, operation in item.items():
            if method in _METHODS:
                result[operation["operationId"]] = (route, method.upper())
    return result


def operation(path: Path, operation_id: str) -> dict:
    route, method = operations(path)[operation_id]
    return spec_document(path)["paths"][route][method.lower()]


def success_statuses(path: Path, operation_id: str) -> set[int]:
    responses = operation(path, operation_id)["responses"]
    return {int(code) for code in responses if str(code).startswith("2")}


def server_path(path: Path) -> str:
    return urlsplit(spec_document(path)["servers"][0]["url"]).path.rstrip("/")


@functools.lru_cache(maxsize=8)
def _openapi(path: Path = SPEC_PATH) -> tuple[OpenAPI, str]:
    document = spec_document(path)
    server = server_path(path)
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(document, config=config), server


class ResponseValidator:
    """Checks responses of a target at ``base_url`` against the standard's OpenAPI document."""

    def __init__(self, base_url: str, spec_path: Path = SPEC_PATH) -> None:
        self.base_url = base_url.rstrip("/")
        self.api, self.server_path = _openapi(spec_path)

    def spec_path(self, url: str) -> str | None:
        """The path of ``url`` on the spec's server, or None when it is not under the target."""
        bare = url.split("?", 1)[0].split("#", 1)[0]
        if not bare.startswith(self.base_url):
            return None
        rest = bare[len(self.base_url) :]
        return self.server_path + (rest if rest.startswith("/") else "/" + rest)

    def errors(self, response: requests.Response) -> list[str]:
        """What does not match the spec (empty when the response validates or is not checked)."""
        request = response.request
        method = (request.method or "GET").lower()
        path = self.spec_path(request.url or "")
        if path is None or method == "head" or response.status_code in _UNCHECKED_STATUSES:
            return []
        query = parse_qs(urlsplit(request.url or "").query)
        mock_request = MockRequest(
            SPEC_HOST,
            method,
            path,
            args={k: v[0] for k, v in query.items()},
        )
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        headers = {name: value for name, value in response.headers.items()}
        mock_response = MockResponse(
            response.content,
            status_code=response.status_code,
            headers=headers,
            content_type=content_type or "application/json",
        )
        try:
            self.api.validate_response(mock_request, mock_response)
        except (ResponseNotFound, PathNotFound, OperationNotFound):
            return []  # undocumented statuses and operations are judged by OAS-01/OAS-03
        except Exception as exc:  # openapi-core raises many unrelated exception types
            return [_explain(exc)]
        return []


def _explain(exc: Exception) -> str:
    cause = exc.__cause__
    details = getattr(cause, "schema_errors", None)
    if details:
        return "; ".join(getattr(error, "message", str(error)) for error in details)
    return f"{type(exc).__name__}: {cause or exc}"


# error responses: the problem shape (OAS-03) and its media type (OAS-04) ---------------------


_TEXT = {"type": "string"}
#: the ZGW problem shape, for documents that declare no error schema (Klantinteracties)
ZGW_PROBLEM = {
    "type": "object",
    "required": ["type", "code", "title", "status", "detail", "instance"],
    "properties": {
        "type": _TEXT,
        "code": _TEXT,
        "title": _TEXT,
        "status": {"type": "integer"},
        "detail": _TEXT,
        "instance": _TEXT,
    },
}
ZGW_VALIDATION_PROBLEM = {
    **ZGW_PROBLEM,
    "required": [*ZGW_PROBLEM["required"], "invalidParams"],
    "properties": {
        **ZGW_PROBLEM["properties"],
        "invalidParams": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "code", "reason"],
                "properties": {"name": _TEXT, "code": _TEXT, "reason": _TEXT},
            },
        },
    },
}


@functools.lru_cache(maxsize=8)
def problem_validators(path: Path = SPEC_PATH) -> dict[str, OAS30Validator]:
    """Validators of a document's problem schemas: ``error`` (any status) and ``400``.

    ``Fout`` and ``ValidatieFout`` where the document declares them; the ZGW problem shape
    otherwise.
    """
    components = spec_document(path)["components"]
    schemas = components.get("schemas", {})
    if "Fout" in schemas and "ValidatieFout" in schemas:
        pairs = (("error", schemas["Fout"]), ("400", schemas["ValidatieFout"]))
    else:
        pairs = (("error", ZGW_PROBLEM), ("400", ZGW_VALIDATION_PROBLEM))
    return {key: OAS30Validator({**schema, "components": components}) for key, schema in pairs}


def media_type(response: requests.Response) -> str:
    return (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def problem_media_error(response: requests.Response) -> str | None:
    """Why an error response is not served as application/problem+json (OAS-04), if it is not."""
    media = media_type(response)
    if media == PROBLEM_JSON:
        return None
    return f"HTTP {response.status_code} served as {media or 'no content type'}"


def problem_shape_errors(response: requests.Response, spec: Path = SPEC_PATH) -> list[str]:
    """Why the body of an error response is not the document's problem shape."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        return [f"HTTP {status} with a body that is not JSON"]
    validator = problem_validators(spec)["400" if status == 400 else "error"]
    name = validator.schema.get("title") or ("ValidatieFout" if status == 400 else "Fout")
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    return [
        f"HTTP {status}, not a {name}: {'/'.join(map(str, e.path)) or 'body'}: {e.message}"
        for e in errors[:3]
    ]
