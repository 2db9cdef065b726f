"""The fault switches of the Contactmomenten API.

Clean faults are named after the rule of specs/rules/contactmomenten.yaml they break (``RULE``
or ``RULE/variant``). Narrow on purpose: CM-INT-01 hides ``volgendContactmoment`` only in the
middle of a chain (a contactmoment that has a ``vorigContactmoment`` itself), so that the
first contactmoment of a pair still shows it and the cm-002 checks, which look at pairs, stay
green; CM-FILTER-01 ignores one filter of one list.
"""

from __future__ import annotations

from reference_server.core.faults import REAL_WORLD, Fault, clean

API = "contactmomenten"


def _clean(name: str, description: str, core: str | None = None) -> Fault:
    return clean(name, description, API, core)


FAULTS: tuple[Fault, ...] = (
    _clean("cm-001", "vorigContactmoment is not checked: any URL is stored"),
    _clean(
        "cm-002", "setting vorigContactmoment does not set volgendContactmoment of the earlier one"
    ),
    _clean(
        "cm-002/clear",
        "moving or clearing vorigContactmoment, or deleting the later contactmoment, leaves "
        "volgendContactmoment of the old earlier one pointing at it",
    ),
    _clean(
        "cm-002/unique",
        "two contactmomenten may name the same vorigContactmoment (its volgendContactmoment "
        "points at the last one)",
    ),
    _clean("cm-003", "the medewerker URL is not checked"),
    _clean("cm-004", "the contactmoment of a klantcontactmoment is not checked to exist"),
    _clean("cm-004/klant", "the klant URL of a klantcontactmoment is not checked"),
    _clean("cm-004/unique", "(contactmoment, klant, rol) uniqueness is not checked"),
    _clean("cm-005", "the object URL of an objectcontactmoment is not checked"),
    _clean(
        "cm-005/contactmoment",
        "the contactmoment of an objectcontactmoment is not checked to exist",
    ),
    _clean("cm-005/unique", "(contactmoment, object) uniqueness is not checked"),
    _clean(
        "cm-006",
        "an objectcontactmoment is created without looking for the relation in the object's API",
    ),
    _clean(
        "CM-INT-01",
        "volgendContactmoment is null in the representation of a contactmoment that has a "
        "vorigContactmoment itself, so a chain of three cannot be walked forwards",
    ),
    _clean("CM-OAS", "responses carry no API-version header", "api-version-header"),
    _clean(
        "CM-OAS/problem-media",
        "problem responses are sent as application/json",
        "problem-media-type",
    ),
    _clean(
        "CM-OAS/problem-shape",
        "401/403/404 problem bodies lack the required 'code' and 'instance' members",
        "problem-shape",
    ),
    _clean(
        "CM-OAS/request-schema",
        "request bodies are only checked for required fields: wrong types, formats, lengths "
        "and enums are stored",
        "request-schema",
    ),
    _clean("CM-OAS/pagination", "list responses never link to the next page", "pagination-next"),
    _clean(
        "CM-OAS/published",
        "the published OpenAPI document declares an extra property and operation",
        "published-extension",
    ),
    _clean(
        "CM-OAS/audittrail-read",
        "audittrail_read is not implemented: after authentication it answers 405",
        "audittrail-read",
    ),
    _clean("CM-AUTH", "scopes are not checked", "scopes"),
    _clean(
        "CM-AUTH/signature",
        "the JWT signature is not verified (its claims still are)",
        "jwt-signature",
    ),
    _clean("CM-AUTH/claims", "exp, nbf and aud claims are not checked", "token-claims"),
    _clean(
        "CM-CACHE-01",
        "the ETag is derived from the uuid only, so it does not change with the resource",
        "etag-content",
    ),
    _clean("CM-CACHE-02", "HEAD answers without the ETag header", "head-etag"),
    _clean("CM-CACHE-03", "If-None-Match is ignored", "if-none-match"),
    _clean("CM-AUDIT-01", "a partial update adds no audittrail entry", "audit-partial-update"),
    _clean("CM-LIFE-01", "create answers without a Location header", "location-header"),
    _clean("CM-LIFE-02", "PUT keeps the fields it was not sent, like PATCH", "put-replaces"),
    _clean("CM-FILTER-01", "the kanaal filter of contactmoment_list is ignored"),
    _clean("CM-NOTIF-01", "partial updates publish no notification", "notify-partial-update"),
    # real-world faults: shaped like defects of real products ------------------------------
    Fault(
        "CRASH/cm-empty-vorig",
        "cm-001",
        "a create or update that sends vorigContactmoment as an empty string (which means "
        "'not given') crashes: HTTP 500 with a plain-text 'Internal Server Error'",
        API,
        REAL_WORLD,
    ),
    Fault(
        "HTML/cm-malformed-id",
        "CM-OAS",
        "a path id that is not a UUID is answered 404 with a text/html page, not a problem",
        API,
        REAL_WORLD,
        "uuid-path-problem",
    ),
    Fault(
        "CRASH/cm-non-object-body",
        "CM-OAS",
        "a JSON request body that is not an object (array, string, number, null) gets HTTP 500",
        API,
        REAL_WORLD,
        "object-body",
    ),
    Fault(
        "LEAK/cm-audittrail-parent",
        "CM-OAS",
        "/contactmomenten/{uuid}/audittrail lists the entries of every contactmoment, and "
        "/contactmomenten/{uuid}/audittrail/{entry} finds an entry whatever contactmoment "
        "(even an unknown one) is in the path",
        API,
        REAL_WORLD,
        "audittrail-parent",
    ),
    Fault(
        "LEAK/cm-relation-filter",
        "CM-FILTER-01",
        "klantcontactmoment_list ignores its contactmoment filter and lists the relations of "
        "every contactmoment",
        API,
        REAL_WORLD,
    ),
)
