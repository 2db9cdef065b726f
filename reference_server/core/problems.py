"""Errors in the ZGW problem shape (``application/problem+json``)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: "Invalid input.",
    401: "Not authenticated.",
    403: "Permission denied.",
    404: "Not found.",
    405: "Method not allowed.",
    406: "Not acceptable.",
    409: "Conflict.",
    413: "Request body too large.",
    415: "Unsupported media type.",
    500: "Internal server error.",
}


@dataclass
class InvalidParam:
    name: str
    code: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "code": self.code, "reason": self.reason}


@dataclass
class ApiError(Exception):
    """An error the API answers with a problem body."""

    status: int
    code: str
    detail: str
    invalid_params: list[InvalidParam] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.detail}"


class Crash(Exception):  # noqa: N818 - it is what it does
    """A defect on purpose (a real-world fault): escapes every handler of the API, so the
    framework answers a bare ``500 Internal Server Error`` instead of a problem body."""


def validation_error(params: list[InvalidParam], detail: str | None = None) -> ApiError:
    names = ", ".join(sorted({p.name for p in params}))
    return ApiError(400, "invalid", detail or f"Invalid input for: {names}.", params)


def not_found(detail: str) -> ApiError:
    return ApiError(404, "not_found", detail)


def unique_params(params: list[InvalidParam]) -> list[InvalidParam]:
    """``params`` without repeats of the same (name, code)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for param in params:
        if (param.name, param.code) not in seen:
            seen.add((param.name, param.code))
            kept.append(param)
    return kept


def problem_body(error: ApiError, *, full_shape: bool = True) -> dict:
    """The ZGW ``Fout``/``ValidatieFout`` body; ``full_shape=False`` leaves out ``code`` and
    ``instance`` (fault OAS-03)."""
    body: dict = {
        "type": f"urn:klanten-conformance:fout:{error.code}",
        "code": error.code,
        "title": TITLES.get(error.status, "Error."),
        "status": error.status,
        "detail": error.detail or TITLES.get(error.status, "Error."),
        "instance": f"urn:uuid:{uuid.uuid4()}",
    }
    if error.status == 400:
        body["invalidParams"] = [p.as_dict() for p in error.invalid_params]
    if not full_shape:
        del body["code"], body["instance"]
    return body


def encode_json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
