"""The checks the generated requests are judged by: plain functions in a registry.

Each check is registered under an *aspect* of the generated ``oas`` class (see
``klanten_conformance.apis.OAS_ASPECTS``); an API's registry entry says which rule of its
catalogue an aspect is judged under, so one check serves every API. A check gets the
:class:`Exchange` of one generated request and returns what is wrong with the response (an
empty list when nothing is), or ``None`` when it has nothing to say about that response.
Schemathesis's own checks are used where they exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from klanten_conformance.generated.probes import Probe
from klanten_conformance.oas import PROBLEM_JSON, problem_validators

#: a check: (exchange) -> problems, or None when the response is not its business
Check = Callable[["Exchange"], list[str] | None]


@dataclass
class Exchange:
    """One generated request and its response, with what the checks need to know."""

    case: Any
    response: Any
    headers: dict[str, str]
    positive: bool
    operation_id: str
    spec: Any
    base_url: str
    #: the API's own judgement that a negative case's negation does not make it invalid
    valid_anyway: bool = False
    #: the path parameters name resources the run created (a 404 then means "missing")
    path_exists: bool = False
    #: the API's version pattern (API-version header)
    version: re.Pattern[str] = field(default_factory=lambda: re.compile(r"\d+\.\d+(\.\d+)?\S*"))
    #: the deterministic probe the request is (``generated.probes``), None for a drawn case
    probe: Probe | None = None

    @property
    def status(self) -> int:
        return int(self.response.status_code)

    @property
    def missing(self) -> bool:
        """A valid request answered as if the operation did not exist."""
        return self.positive and (
            self.status in (405, 501) or (self.status == 404 and self.path_exists)
        )

    def header(self, name: str) -> str | None:
        for key, value in self.response.headers.items():
            if key.lower() == name:
                return value[0] if isinstance(value, list | tuple) else value
        return None


@dataclass(frozen=True)
class RegisteredCheck:
    aspect: str
    name: str
    function: Check
    expected: str


REGISTRY: list[RegisteredCheck] = []


def check(aspect: str, expected: str) -> Callable[[Check], Check]:
    """Register a check of ``aspect``; ``expected`` says what a conforming response does."""

    def register(function: Check) -> Check:
        REGISTRY.append(RegisteredCheck(aspect, function.__name__, function, expected))
        return function

    return register


def run_schemathesis(exchange: Exchange, check_function: Any) -> list[str]:
    """Problems schemathesis's own ``check_function`` finds with the exchange."""
    try:
        exchange.case.validate_response(
            exchange.response,
            checks=[check_function],
            headers=exchange.headers,
            transport_kwargs={"base_url": exchange.base_url},
        )
    except (Exception, BaseExceptionGroup) as exc:  # schemathesis FailureGroup
        failures = getattr(exc, "exceptions", None) or [exc]
        return [
            f"{getattr(f, 'title', type(f).__name__)}: {getattr(f, 'message', str(f))}"
            for f in failures
        ]
    return []


# helpers ---------------------------------------------------------------------------------------

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_FRAMING = ("content-length", "transfer-encoding", "host")


def valid_http(request: Any) -> bool:
    """False for a request no HTTP server has to parse: a header name that is no token, a
    header value holding NUL/CR/LF, or generated message-framing headers (a Content-Length
    that is no number, Transfer-Encoding, Host), which the HTTP layer answers itself."""
    for name, value in request.headers.items():
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        if not _TOKEN.match(str(name)) or any(char in text for char in "\x00\r\n"):
            return False
        lowered = str(name).lower()
        if lowered == "content-length":
            body = request.body or b""
            size = len(body.encode("utf-8") if isinstance(body, str) else body)
            if text != str(size):
                return False
        elif lowered in _FRAMING:
            return False
    return True


def phase_data(case: Any) -> Any:
    meta = getattr(case, "meta", None)
    phase = getattr(meta, "phase", None) if meta is not None else None
    return getattr(phase, "data", None)


def negations(case: Any) -> list[Any]:
    data = phase_data(case)
    return [item for item in [data, *getattr(data, "mutations", ())] if item is not None]


def location(item: Any) -> str:
    place = getattr(item, "parameter_location", None)
    return str(getattr(place, "value", place) or "").lower()


def negated_locations(case: Any) -> set[str]:
    return {location(item) for item in negations(case) if location(item)}


def negated_parameters(case: Any) -> set[str]:
    return {
        str(getattr(i, "parameter", "")).lower()
        for i in negations(case)
        if getattr(i, "parameter", None)
    }


def only_empty_query_values(case: Any, request: Any) -> bool:
    """The negation is an empty query parameter value, which APIs treat as "no filter".

    Judged on the request as sent: a generated empty object or array goes out as an empty
    value too (``?page=``), and a parameter left out was not negated at all.
    """
    named = [getattr(i, "parameter", None) for i in negations(case) if location(i) == "query"]
    sent = parse_qs(urlsplit(str(request.url or "")).query, keep_blank_values=True)
    return bool(named) and all(
        all(value == "" for value in sent.get(name, [""])) for name in named if name
    )


# the checks ----------------------------------------------------------------------------------


@check("robust", "an answer, never a 5xx")
def no_server_error(exchange: Exchange) -> list[str] | None:
    if exchange.probe is not None and exchange.probe.kind == "body":
        return None  # judged, with what was sent, by the probe's own check
    from schemathesis.checks import not_a_server_error

    return run_schemathesis(exchange, not_a_server_error)


@check("robust", "invalid input refused with a 4xx")
def invalid_input_refused(exchange: Exchange) -> list[str] | None:
    if exchange.positive or exchange.valid_anyway or exchange.probe is not None:
        return None
    if only_empty_query_values(exchange.case, exchange.response.request):
        return None
    from schemathesis.specs.openapi.checks import negative_data_rejection

    return run_schemathesis(exchange, negative_data_rejection)


def _probe_check(aspect: str, expected: str) -> None:
    """Register the check of the probes of ``aspect``: the answer is one the probe allows."""

    def judge(exchange: Exchange) -> list[str] | None:
        probe = exchange.probe
        if probe is None or probe.aspect != aspect:
            return None
        if exchange.status in (405, 501):
            return None  # the operation is missing: the finding of the "implemented" aspect
        return [] if exchange.status in probe.allowed else [f"{probe.name}: HTTP {exchange.status}"]

    judge.__name__ = f"{aspect.replace('-', '_')}_probe_answered"
    check(aspect, expected)(judge)


_probe_check("robust", "a body of the wrong JSON type, nested too deep or not UTF-8: a 4xx")
_probe_check("not-found", "a resource that does not exist (unknown or malformed id): 404")
_probe_check(
    "sub-resources",
    "the sub-resource of a parent that does not exist, or another parent's child: 404 "
    "(another parent's list: 200)",
)
_probe_check("pagination", "a page beyond the last: 404")
_probe_check("stateful", "each step of the stateful sequence answers the status it must")


@check("filters", "a filter value that matches nothing gives an empty list")
def filter_matches_nothing(exchange: Exchange) -> list[str] | None:
    probe = exchange.probe
    if probe is None or probe.kind != "filter" or exchange.status != 200:
        return None  # another status is the business of the other aspects
    try:
        body = exchange.response.json()
    except ValueError:
        return None
    results = body.get("results") if isinstance(body, dict) else body
    if not isinstance(results, list) or not results:
        return []
    return [f"{probe.name}: {len(results)} result(s)"]


@check("filters", "a filter value that breaks the filter's schema: 400 naming the filter")
def invalid_filter_refused(exchange: Exchange) -> list[str] | None:
    probe = exchange.probe
    if probe is None or probe.kind != "invalid" or not _comparable(exchange):
        return None
    if exchange.status != 400:
        count = list_count(_body(exchange.response))
        shown = f" with {count} result(s)" if count is not None else ""
        return [f"{probe.name}: HTTP {exchange.status}{shown}"]
    return _names_parameter(exchange, str(probe.parameter))


@check(
    "filters",
    "a query parameter the document does not declare: ignored (200, the same list) or "
    "refused (400 naming it)",
)
def unknown_parameter_handled(exchange: Exchange) -> list[str] | None:
    probe = exchange.probe
    if probe is None or probe.kind != "unknown" or not _comparable(exchange):
        return None
    if exchange.status == 400:
        if _refuses_the_query(exchange):
            return []
        return _names_parameter(exchange, str(probe.parameter))
    if exchange.status != 200:
        return [f"{probe.name}: HTTP {exchange.status}"]
    body = _body(exchange.response)
    if body is None:
        media = exchange.header("content-type") or "no content type"
        return [f"{probe.name}: HTTP 200 that is not JSON ({media})"]
    count = list_count(body)
    if probe.baseline is not None and count != probe.baseline:
        return [
            f"{probe.name}: HTTP 200 with a count of {count}, "
            f"{probe.baseline} without the parameter"
        ]
    return []


@check("sub-resources", "the list under a parent that does not exist, answered 200, is empty")
def unknown_parents_list_empty(exchange: Exchange) -> list[str] | None:
    probe = exchange.probe
    if probe is None or probe.kind != "path" or probe.aspect != "sub-resources":
        return None
    if exchange.status != 200 or 200 not in probe.allowed:
        return None  # judged by the status check of the sub-resources probes
    count = list_count(_body(exchange.response))
    if count == 0:
        return []
    shown = "no list" if count is None else f"{count} item(s)"
    return [f"{probe.name}: HTTP 200 with {shown}"]


@check("sub-resources", "a parent's sub-resources hold none of another parent's children")
def other_parents_children_hidden(exchange: Exchange) -> list[str] | None:
    probe = exchange.probe
    if probe is None or probe.kind != "other-parent" or not probe.foreign:
        return None
    if exchange.status != 200:
        return None  # judged by the status check of the sub-resources probes
    body = _body(exchange.response)
    items = body.get("results") if isinstance(body, dict) else body
    if not isinstance(items, list):
        return [f"{probe.name}: HTTP 200 without a list"]
    leaked = sorted(
        {str(item.get("uuid")) for item in items if isinstance(item, dict)} & set(probe.foreign)
    )
    if leaked:
        shown = ", ".join(leaked[:3])
        return [f"{probe.name}: HTTP 200 with {len(leaked)} child(ren) of the other ({shown})"]
    return []


#: invalidParams names of an error about the request as a whole, not one of its fields
_GENERAL = {"", "none", "nonfielderrors", "__all__"}


def _refuses_the_query(exchange: Exchange) -> bool:
    """Whether a 400 refuses the query as a whole (vng-api-common: ``nonFieldErrors``
    ``unknown-parameters``), naming no other parameter: the same request without the
    probe's parameter was answered 200, so the refusal is about that parameter."""
    body = _body(exchange.response)
    params = body.get("invalidParams") if isinstance(body, dict) else None
    entries = [p for p in params or [] if isinstance(p, dict)]
    return bool(entries) and all(
        str(p.get("name") or "").replace("_", "").lower() in _GENERAL for p in entries
    )


def _comparable(exchange: Exchange) -> bool:
    """Whether a query probe says something about the parameter: the operation exists (405
    and 501 are the "implemented" aspect's) and the same request without the parameter was
    answered 200 (where that is known)."""
    probe = exchange.probe
    known = probe is None or probe.baseline_status in (None, 200)
    return known and exchange.status not in (405, 501)


def list_count(body: Any) -> int | None:
    """How many items a list answer holds in all: the ``count`` of a page, the length of a
    plain array; None for anything else."""
    if isinstance(body, dict) and isinstance(body.get("count"), int):
        return int(body["count"])
    if isinstance(body, list):
        return len(body)
    return None


#: lookup suffixes of filter names (``registratiedatum__gte``), which an error may leave out
_LOOKUPS = ("exact", "gt", "gte", "lt", "lte", "in", "icontains", "contains")


def names_parameter(name: str, parameter: str) -> bool:
    """Whether an invalidParams ``name`` names the query ``parameter``: compared
    case-insensitively ignoring ``.`` and ``_`` (``adres__postcode``, ``adres.postcode`` and
    ``adresPostcode`` alike), with or without a lookup suffix (``__gte``)."""

    def norm(text: str) -> str:
        return text.replace(".", "").replace("_", "").lower()

    base, _, suffix = parameter.rpartition("__")
    wanted = {norm(parameter)} | ({norm(base)} if base and suffix in _LOOKUPS else set())
    return norm(name) in wanted


def _names_parameter(exchange: Exchange, parameter: str) -> list[str]:
    probe = exchange.probe
    body = _body(exchange.response)
    params = body.get("invalidParams") if isinstance(body, dict) else None
    names = [str(p.get("name")) for p in params or [] if isinstance(p, dict)]
    if any(names_parameter(name, parameter) for name in names):
        return []
    listed = ", ".join(names) if names else "none"
    return [f"{probe.name if probe else parameter}: HTTP 400, invalidParams naming {listed}"]


def _body(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


@check("implemented", "a valid request to a documented operation is not answered 404, 405 or 501")
def operation_exists(exchange: Exchange) -> list[str] | None:
    if not exchange.positive:
        return None
    return [f"HTTP {exchange.status}"] if exchange.missing else []


@check("conforms", "a documented status, and a response that conforms to the operation")
def response_conforms(exchange: Exchange) -> list[str] | None:
    # an operation that is missing is the finding of "implemented", not also an odd status
    if not exchange.positive or exchange.status >= 500 or exchange.missing:
        return None
    if exchange.status == 304 and "If-None-Match" in exchange.response.request.headers:
        return None
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    problems = run_schemathesis(exchange, status_code_conformance)
    if exchange.status < 400:
        for function in (
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ):
            problems += run_schemathesis(exchange, function)
    return problems


@check("problem-media", f"error responses served as {PROBLEM_JSON}")
def problem_media_type(exchange: Exchange) -> list[str] | None:
    if exchange.status < 400 or not valid_http(exchange.response.request):
        return None
    media = (exchange.header("content-type") or "").split(";")[0].strip().lower()
    if media != PROBLEM_JSON:
        return [f"HTTP {exchange.status} as {media or 'no content type'}"]
    return []


@check("problem", "an error body with the problem shape of the document")
def problem_shape(exchange: Exchange) -> list[str] | None:
    if exchange.status < 400 or not valid_http(exchange.response.request):
        return None
    try:
        body = exchange.response.json()
    except ValueError:
        return [f"HTTP {exchange.status} with a body that is not JSON"]
    validator = problem_validators(exchange.spec)["400" if exchange.status == 400 else "error"]
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    return [
        f"HTTP {exchange.status}, not a problem body: "
        f"{'/'.join(map(str, e.path)) or 'body'}: {e.message}"
        for e in errors[:3]
    ]


@check("api-version", "an API-version header with the implemented version")
def api_version(exchange: Exchange) -> list[str] | None:
    # A 304 is no response the documents describe, and RFC 9110 (15.4.5) limits it to the
    # validator and cache headers: frameworks answer it without the API's own headers.
    if not valid_http(exchange.response.request) or exchange.status == 304:
        return None
    version = exchange.header("api-version")
    if version is None:
        return ["no API-version header"]
    if not exchange.version.fullmatch(version.strip()):
        return [f"API-version {version!r}"]
    return []


def checks_of(aspect: str) -> list[RegisteredCheck]:
    return [c for c in REGISTRY if c.aspect == aspect]
