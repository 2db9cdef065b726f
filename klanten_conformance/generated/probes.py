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
  the other aspects).

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


@dataclass(frozen=True)
class Probe:
    """One deterministic request: what it changes of an otherwise valid request."""

    #: ``body``, ``path``, ``page``, ``filter`` or ``step`` (of the stateful sequence)
    kind: str
    #: the aspect its answer is judged under
    aspect: str
    #: what it sends, in words
    name: str
    #: the statuses a conforming target answers
    allowed: Container[int]
    #: body probes: the raw body sent as application/json
    content: bytes | None = None
    #: path and filter probes: the parameter and the value it gets
    parameter: str | None = None
    value: str | None = None


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


def probes_of(operation: Any) -> Iterator[Probe]:
    """The probes of one schemathesis API operation."""
    if operation.body:
        yield from BODY_PROBES
    path = str(operation.path)
    with_body = bool(operation.body)
    for parameter in operation.path_parameters:
        name = parameter.name
        own = re.search(r"\{" + re.escape(name) + r"\}/?$", path) is not None
        aspect = "not-found" if own else "sub-resources"
        allowed = (400, 404) if with_body else (404,)
        whose = "the resource's own id" if own else "the parent's id"
        for label, value in (("not a UUID", "not-a-uuid"), ("an unknown UUID", str(uuid.uuid4()))):
            yield Probe(
                "path", aspect, f"{name} ({whose}) {label}", allowed, parameter=name, value=value
            )
    if any(p.name == "page" for p in operation.query):
        yield Probe("page", "pagination", f"page={FAR_PAGE}, beyond the last page", (404,))
        yield from _filter_probes(operation)


def _filter_probes(operation: Any) -> Iterator[Probe]:
    """A value that matches nothing for each string filter of a paginated list without an
    enum or a pattern (an enum value may well match)."""
    marker = uuid.uuid4().hex[:8]
    for parameter in operation.query:
        schema = parameter.definition.get("schema") or {}
        if parameter.name == "page" or schema.get("type") != "string":
            continue
        if "enum" in schema or "pattern" in schema:
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
