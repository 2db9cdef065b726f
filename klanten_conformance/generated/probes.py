"""Deterministic probes of the generated class: requests generic fuzzers rarely draw.

Hypothesis draws request bodies that are objects of the document's schema, or negations of
one; a body of the wrong JSON type (an array, a string, a number, ``null``), an object nested
deeper than any parser recurses, or bytes that are not UTF-8 it draws rarely or never. Every
operation with a request body gets each of these, sent as ``application/json`` with the
steering's headers (valid credentials and end-user authentication, the run's own resources in
the path), and every answer is judged by the registered checks: the ``robust`` aspect expects
a 4xx, the problem aspects the shape and media type of that error.
"""

from __future__ import annotations

from dataclasses import dataclass

#: how deep the too-deeply nested body is (deeper than Python's default recursion limit)
NESTING = 5_000


@dataclass(frozen=True)
class BodyProbe:
    """A request body sent as ``application/json`` that no operation can accept."""

    name: str
    content: bytes


BODY_PROBES: tuple[BodyProbe, ...] = (
    BodyProbe("a JSON array", b'[{"a": 1}]'),
    BodyProbe("a JSON string", b'"klant"'),
    BodyProbe("a JSON number", b"42"),
    BodyProbe("JSON null", b"null"),
    BodyProbe(f"an object nested {NESTING} deep", b'{"a":' * NESTING + b"{}" + b"}" * NESTING),
    BodyProbe("a body that is not UTF-8", '{"achternaam": "Müller"}'.encode("latin-1")),
)
