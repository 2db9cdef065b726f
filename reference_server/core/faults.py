"""Fault switches: what a fault is, and the core behaviours an API's fault can switch off.

A fault turns off one behaviour of one API. A behaviour of an API package's own rule module
(KLOK01, kla-001, ...) is checked by that module by the fault's name (``call.fault(name)``);
a behaviour of the core (the API-version header, ETags, pagination, ...) is named by a *core
switch*, and the API package binds its fault to it (``Fault(..., core="etag-content")``), so one
core serves every API and each API has its own fault names.
"""

from __future__ import annotations

from dataclasses import dataclass

CLEAN, REAL_WORLD = "clean", "real-world"
KINDS = (CLEAN, REAL_WORLD)

#: core switch -> what the API does when its fault is on
CORE_SWITCHES: dict[str, str] = {
    "api-version-header": "responses carry no API-version header",
    "problem-shape": "401/403/404 problem bodies lack the required 'code' and 'instance'",
    "problem-media-type": "problem responses are sent as application/json",
    "request-schema": (
        "request bodies are only checked for required fields: wrong types, formats, lengths, "
        "patterns and enums are stored"
    ),
    "pagination-next": "list responses never link to the next page",
    "published-extension": "the published OpenAPI document declares an extra property and path",
    "etag-content": "the ETag is derived from the uuid only, so it does not change with the body",
    "head-etag": "HEAD answers without the ETag header",
    "if-none-match": "If-None-Match is ignored",
    "audit-partial-update": "a partial update adds no audittrail entry",
    "location-header": "create answers without a Location header",
    "put-replaces": "PUT keeps the fields it was not sent, like PATCH",
    "jwt-signature": "the JWT signature is not verified (its claims still are)",
    "scopes": "scopes are not checked",
    "token-claims": "exp, nbf and aud claims are not checked",
    "token-scheme": "a Token key is accepted with any scheme before it, or none",
    "token-challenge": "a 401 carries no WWW-Authenticate header",
    "token-header-crash": "an Authorization header with non-ASCII bytes crashes: HTTP 500",
    "authorization-first-header": "of several Authorization headers the first one is used",
    "unauthenticated-patch": "PATCH operations are served without authentication",
    "notify-partial-update": "partial updates publish no notification",
    "audittrail-read": "reading one audittrail entry answers 405 after authentication",
    "uuid-path-problem": (
        "a path id that is not a UUID is answered 404 with a text/html page, not a problem"
    ),
    "uuid-path-400": (
        "a resource's own id in the path that is not a UUID is answered 400 (a validation "
        "problem), not 404"
    ),
    "read-after-delete": "a deleted resource is still read: GET answers its last representation",
    "page-beyond-last": "a page beyond the last is answered 200 with no results, not 404",
    "token-claims-crash": (
        "a token with an exp in the past, an nbf in the future or an aud crashes: HTTP 500"
    ),
    "object-body": "a JSON body that is not an object crashes the handler: HTTP 500",
    "audittrail-parent": (
        "audittrail sub-resources ignore their parent: the list holds every entry of the "
        "resource, and an entry is found whatever (even unknown) parent is in the path"
    ),
    "audittrail-other-parent": (
        "an audittrail entry is read under the path of another existing parent (an unknown "
        "parent still gets 404)"
    ),
    "filter-invalid-ignored": (
        "a filter value that is not valid for its parameter is ignored (the list is not "
        "filtered by it), not refused with 400"
    ),
    "unknown-query-crash": (
        "a list request with a query parameter the document does not declare crashes: "
        "HTTP 500 with a text/html page"
    ),
}


@dataclass(frozen=True)
class Fault:
    """One fault switch.

    ``name`` is unique across APIs; ``rule`` is the catalogue rule whose tests must catch it;
    ``kind`` is ``clean`` (exactly one behaviour off) or ``real-world`` (shaped like a real
    defect: a crash on a payload shape, an HTML error page); ``core`` names the core switch it
    turns (None: the API package's own code checks the fault by name).
    """

    name: str
    rule: str
    description: str
    api: str
    kind: str = CLEAN
    core: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"fault {self.name}: kind {self.kind!r} is not one of {KINDS}")
        if self.core is not None and self.core not in CORE_SWITCHES:
            raise ValueError(f"fault {self.name}: unknown core switch {self.core!r}")


def clean(name: str, description: str, api: str, core: str | None = None) -> Fault:
    """A one-behaviour fault named after its rule (``RULE`` or ``RULE/variant``)."""
    return Fault(name, name.split("/", 1)[0], description, api, CLEAN, core)


def core_fault(name: str, switch: str, api: str) -> Fault:
    """A clean fault that turns the core switch ``switch``, described as the switch is."""
    return clean(name, CORE_SWITCHES[switch], api, switch)
