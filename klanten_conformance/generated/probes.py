"""Deterministic probes of the generated class: requests generic fuzzers rarely draw.

Hypothesis draws request bodies that are objects of the document's schema, or negations of
one, and path ids and page numbers that are mostly refused or missing for reasons of their
own. The probes send, to every operation, what a target must answer in one exact way:

- ``body`` (every operation with a request body): a body of the wrong JSON type (an array, a
  string, a number, ``null``), an object nested deeper than any parser recurses and bytes that
  are not UTF-8, each sent as ``application/json``: a 4xx (the ``robust`` aspect);
- ``path`` (every path id): a value that is not a UUID and an unknown UUID, the other path ids
  naming the run's own resources: 404 (400 allowed where a request body comes along). The id
  of a parent (``klant_uuid`` of ``/klanten/{klant_uuid}/audittrail``) is judged under the
  ``sub-resources`` aspect (a sub-resource of a parent that does not exist is not shown,
  never someone else's), the resource's own id under ``not-found``;
- ``page`` (every operation with a ``page`` query parameter): a page far beyond the last: 404
  (the ``pagination`` aspect);
- ``filter`` (every string filter of such a list, without enum or pattern): a value that
  matches nothing: an empty page (the ``filters`` aspect; an answer other than 200 is left to
  the other aspects);
- ``invalid`` (every filter of a list whose schema constrains its value: a format ``uuid``,
  ``date``, ``date-time``, ``uri`` or ``email``, an enum, a pattern, an integer, number or
  boolean type, a maxLength): a value that breaks the constraint, one probe per constraint:
  400 with an invalidParams entry naming the filter (the ``filters`` aspect); a filter
  documented as a string without constraints gets none. An API whose filter rule holds only
  some kinds of constraint to a 400 names them (its steering's ``invalid_filter_kinds``);
  the other kinds then get no probe;
- ``unknown`` (every list and every read): a query parameter the document does not declare:
  ignored (200 and, for a list, the ``count`` of the same request without it) or refused
  (400 naming it); never a 5xx, an HTML page or a list the parameter changed (the
  ``filters`` aspect);
- ``other-parent`` (every operation on a sub-resource, where the API's steering can name two
  existing parents: ``parents`` of the steering): the first parent's child read under the
  second parent: 404; the second parent's list: none of the first's children (the
  ``sub-resources`` aspect). Made by the engine, not by :func:`probes_of`: a second parent
  that cannot be made blocks the probe.

Before the ``invalid`` and ``unknown`` probes of an operation the engine sends the same
request without their parameter (a valid request, judged as one): they are judged under
``filters`` only where that one was answered 200, so a target refusing the request for
another reason (its credentials, say) fails the rule about that, not the filters.

Each is sent with the API steering's headers (valid credentials, end-user authentication) and
its answer is judged by every registered check, so the problem aspects judge the shape and
media type of the error too.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Container, Iterator
from dataclasses import dataclass
from typing import Any

#: how deep the too-deeply nested body is (deeper than Python's default recursion limit)
NESTING = 5_000
#: a page number beyond the last page of any list
FAR_PAGE = "1000000"
ANY_4XX = range(400, 500)
#: lookups of a range filter (a value compares, it does not have to be equal)
RANGE_SUFFIXES = ("__lt", "__lte", "__gt", "__gte")
#: the query parameter no document of the standard declares (probe ``unknown``)
UNKNOWN_PARAMETER = "undeclaredParameter"
#: query parameters of a list that page, order or expand it rather than filter it
NOT_FILTERS = frozenset({"page", "pageSize", "ordering", "expand"})
#: per string format: a value that breaks it (``uri``: no scheme; ``email``: no ``@``)
INVALID_FORMATS = {
    "uuid": "not-a-uuid",
    "date": "2020-13-45",
    "date-time": "2020-13-45T25:61:00Z",
    "uri": "no-scheme/at-all",
    "email": "no-at-sign.example.org",
}
#: per type: a value that is not of it
INVALID_TYPES = {"integer": "not-an-integer", "number": "not-a-number", "boolean": "neither"}
#: candidates for a value that a ``pattern`` does not match (the first that fails is used)
_PATTERN_MISSES = ("~!", "x", "0", "~" * 300)


@dataclass(frozen=True)
class Probe:
    """One deterministic request: what it changes of an otherwise valid request."""

    #: ``body``, ``path``, ``page``, ``filter``, ``invalid``, ``unknown``, ``other-parent`` or
    #: ``step`` (of the stateful sequence)
    kind: str
    #: the aspect its answer is judged under
    aspect: str
    #: what it sends, in words
    name: str
    #: the statuses a conforming target answers
    allowed: Container[int]
    #: body probes: the raw body sent as application/json
    content: bytes | None = None
    #: path and query probes: the parameter and the value it gets
    parameter: str | None = None
    value: str | None = None
    #: ``invalid`` and ``unknown``: the status of the same request without the parameter
    #: (set by the engine once it has that answer; None: not known); a check judges the
    #: parameter only where that request was answered 200
    baseline_status: int | None = None
    #: ``unknown`` on a list: the count of the same list without the parameter (None: not known)
    baseline: int | None = None
    #: ``other-parent`` on a list: the ids of the other parent's children, which it must not hold
    foreign: tuple[str, ...] = ()


def _body(name: str, content: bytes) -> Probe:
    return Probe("body", "robust", name, ANY_4XX, content=content)


BODY_PROBES: tuple[Probe, ...] = (
    _body("a JSON array as the request body", b'[{"a": 1}]'),
    _body("a JSON string as the request body", b'"klant"'),
    _body("a JSON number as the request body", b"42"),
    _body("JSON null as the request body", b"null"),
    _body(
        f"an object nested {NESTING} deep as the request body",
        b'{"a":' * NESTING + b"{}" + b"}" * NESTING,
    ),
    _body("a request body that is not UTF-8", '{"achternaam": "Müller"}'.encode("latin-1")),
)


def probes_of(operation: Any, invalid_kinds: Container[str] | None = None) -> Iterator[Probe]:
    """The probes of one schemathesis API operation; ``invalid_kinds``: the kinds of filter
    constraint (:func:`invalid_values`) that get an ``invalid`` probe (None: every kind)."""
    if operation.body:
        yield from BODY_PROBES
    path = str(operation.path)
    with_body = bool(operation.body)
    for parameter in operation.path_parameters:
        name = parameter.name
        own = re.search(r"\{" + re.escape(name) + r"\}/?$", path) is not None
        aspect = "not-found" if own else "sub-resources"
        allowed = (400, 404) if with_body else (404,)
        # the document gives a list under an unknown parent no 404: an empty list answers
        # it as well (judged empty by the ``sub-resources`` check of the list's items); a
        # malformed id is still refused
        empty = not own and is_list(operation) and not _documents(operation, 404)
        whose = "the resource's own id" if own else "the parent's id"
        for label, value in (("not a UUID", "not-a-uuid"), ("an unknown UUID", str(uuid.uuid4()))):
            answers = (200, 404) if empty and label == "an unknown UUID" else allowed
            yield Probe(
                "path", aspect, f"{name} ({whose}) {label}", answers, parameter=name, value=value
            )
    if any(p.name == "page" for p in operation.query):
        yield Probe("page", "pagination", f"page={FAR_PAGE}, beyond the last page", (404,))
        yield from _filter_probes(operation)
    if is_list(operation):
        yield from _invalid_probes(operation, invalid_kinds)
    if str(operation.method).upper() == "GET":
        yield from _unknown_probes(operation)


def _documents(operation: Any, status: int) -> bool:
    """Whether the operation's document lists ``status`` among its responses."""
    raw = getattr(operation.definition, "raw", None)
    responses = raw.get("responses") if isinstance(raw, dict) else None
    return not isinstance(responses, dict) or str(status) in {str(k) for k in responses}


def is_list(operation: Any) -> bool:
    """A GET of a collection: its path does not end with an id."""
    return str(operation.method).upper() == "GET" and not str(operation.path).rstrip("/").endswith(
        "}"
    )


def _filter_probes(operation: Any) -> Iterator[Probe]:
    """A value that matches nothing for each string filter of a paginated list without an
    enum or a pattern (an enum value may well match). A range filter (``__lt``, ``__gte``,
    ...) gets none: it compares, so any value may match."""
    marker = uuid.uuid4().hex[:8]
    for parameter in operation.query:
        schema = parameter.definition.get("schema") or {}
        if parameter.name == "page" or schema.get("type") != "string":
            continue
        if "enum" in schema or "pattern" in schema or parameter.name.endswith(RANGE_SUFFIXES):
            continue
        value = {
            "email": f"nobody-{marker}@example.invalid",
            "uri": f"https://example.invalid/nothing/{marker}",
        }.get(schema.get("format"), f"nothing-{marker}")
        yield Probe(
            "filter",
            "filters",
            f"{parameter.name}={value}, which matches nothing",
            (200,),
            parameter=parameter.name,
            value=value,
        )


def _invalid_probes(operation: Any, kinds: Container[str] | None) -> Iterator[Probe]:
    """A value breaking each constraint (of ``kinds``) of each filter of a list: 400 naming
    the filter."""
    for parameter in operation.query:
        if parameter.name in NOT_FILTERS:
            continue
        schema = parameter.definition.get("schema") or {}
        for constraint, value in invalid_values(schema, kinds):
            yield Probe(
                "invalid",
                "filters",
                f"{parameter.name}={value}, which is not {constraint}",
                (400,),
                parameter=parameter.name,
                value=value,
            )


def invalid_values(
    schema: dict[str, Any], kinds: Container[str] | None = None
) -> list[tuple[str, str]]:
    """(the constraint in words, a query value that breaks it) for each constraint of a
    parameter's schema that a single query value can break; none for an unconstrained
    string, an array or a schema that is only a reference. ``kinds`` keeps only the
    constraints of those kinds: a type (``integer``, ``number``, ``boolean``), a format
    (``uuid``, ``date``, ``date-time``, ``uri``, ``email``), ``enum``, ``pattern`` or
    ``maxLength`` (None: every kind)."""
    found: list[tuple[str, str, str]] = []  # (kind, words, value)
    kind = schema.get("type")
    if kind in INVALID_TYPES:
        found.append((kind, f"a valid {kind}", INVALID_TYPES[kind]))
    elif kind == "string":
        form = schema.get("format")
        if form in INVALID_FORMATS:
            found.append((form, f"a valid {form}", INVALID_FORMATS[form]))
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            value = "not-one-of-the-values"
            while value in enum:
                value += "-really"
            found.append(("enum", "one of the enum values", value))
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            miss = _pattern_miss(pattern)
            if miss is not None:
                found.append(("pattern", f"matching {pattern}", miss))
        limit = schema.get("maxLength")
        if isinstance(limit, int) and limit >= 0:
            found.append(("maxLength", f"at most {limit} characters long", "x" * (limit + 1)))
    return [(words, value) for kind_, words, value in found if kinds is None or kind_ in kinds]


def _pattern_miss(pattern: str) -> str | None:
    """A value the pattern does not match (searched, as JSON Schema does), if one of the
    candidates is."""
    try:
        compiled = re.compile(pattern)
    except re.error:
        return None
    return next((value for value in _PATTERN_MISSES if compiled.search(value) is None), None)


def _unknown_probes(operation: Any) -> Iterator[Probe]:
    """A query parameter the document does not declare, with a plain value."""
    declared = {p.name for p in operation.query}
    name = UNKNOWN_PARAMETER
    while name in declared:
        name += "X"
    yield Probe(
        "unknown",
        "filters",
        f"{name}=1, a query parameter the document does not declare",
        (200, 400),
        parameter=name,
        value="1",
    )
