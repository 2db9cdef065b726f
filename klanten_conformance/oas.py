"""Validation of a target's responses against specs/klanten-1.0.yaml (openapi-core).

The spec's server URL is ``/api/v1`` while a target lives at any base URL, so a request URL is
mapped onto the spec by replacing the target's base URL with the spec's server path.
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


@functools.lru_cache(maxsize=4)
def _openapi(path: Path = SPEC_PATH) -> tuple[OpenAPI, str]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    server = urlsplit(document["servers"][0]["url"]).path.rstrip("/")
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


@functools.lru_cache(maxsize=4)
def problem_validators(path: Path = SPEC_PATH) -> dict[str, OAS30Validator]:
    """Validators of the spec's ``Fout`` and ``ValidatieFout`` schemas."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    components = document["components"]
    return {
        name: OAS30Validator({**components["schemas"][name], "components": components})
        for name in ("Fout", "ValidatieFout")
    }


def media_type(response: requests.Response) -> str:
    return (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def problem_media_error(response: requests.Response) -> str | None:
    """Why an error response is not served as application/problem+json (OAS-04), if it is not."""
    media = media_type(response)
    if media == PROBLEM_JSON:
        return None
    return f"HTTP {response.status_code} served as {media or 'no content type'}"


def problem_shape_errors(response: requests.Response) -> list[str]:
    """Why the body of an error response is not a ``Fout`` (``ValidatieFout`` for 400)."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        return [f"HTTP {status} with a body that is not JSON"]
    name = "ValidatieFout" if status == 400 else "Fout"
    errors = sorted(problem_validators()[name].iter_errors(body), key=lambda e: list(e.path))
    return [
        f"HTTP {status}, not a {name}: {'/'.join(map(str, e.path)) or 'body'}: {e.message}"
        for e in errors[:3]
    ]
