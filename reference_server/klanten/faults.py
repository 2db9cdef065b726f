"""The fault switches of the Klanten API.

Clean faults are named after the rule of specs/rules/klanten.yaml they break. Narrow on
purpose: OAS-01 leaves out the one operation no other rule leans on heavily, and KLOK01-Z1
demands contact data of a zelfstandige klant rather than refusing every one, which would also
break every check that uses a zelfstandige klant.
"""

from __future__ import annotations

from reference_server.core.faults import REAL_WORLD, Fault, clean

API = "klanten"


def _clean(name: str, description: str, core: str | None = None) -> Fault:
    return clean(name, description, API, core)


FAULTS: tuple[Fault, ...] = (
    _clean(
        "OAS-01",
        "audittrail_read is not implemented: after authentication it answers 405",
        "audittrail-read",
    ),
    _clean("OAS-02", "a zelfstandige klant is returned with subjectType '' instead of null"),
    _clean(
        "OAS-03",
        "401/403/404 problem bodies lack the required 'code' and 'instance' members",
        "problem-shape",
    ),
    _clean("OAS-04", "problem responses are sent as application/json", "problem-media-type"),
    _clean(
        "OAS-05",
        "request bodies are only checked for required fields: wrong types, formats, lengths, "
        "patterns and enums are stored",
        "request-schema",
    ),
    _clean("OAS-06", "responses carry no API-version header", "api-version-header"),
    _clean("OAS-07", "list responses never link to the next page", "pagination-next"),
    _clean(
        "OAS-07/page-beyond-last",
        "a page beyond the last is answered 200 with no results, not 404",
        "page-beyond-last",
    ),
    _clean(
        "OAS-08",
        "the published OpenAPI document declares an extra property and operation",
        "published-extension",
    ),
    _clean(
        "OAS-10",
        "a klant's own id in the path that is not a UUID is answered 400 (a validation "
        "problem), not 404",
        "uuid-path-400",
    ),
    _clean("kla-001a", "klantnummer is treated as unique across all bronorganisaties"),
    _clean("kla-001b", "(bronorganisatie, klantnummer) uniqueness is not checked"),
    _clean("kla-001c", "a create without klantnummer is stored with an empty klantnummer"),
    _clean("kla-002a", "the subject URL is not checked on create"),
    _clean("kla-002b", "the subject URL is not checked on update and partial update"),
    _clean(
        "CACHE-01",
        "the ETag is derived from the uuid only, so it does not change with the klant",
        "etag-content",
    ),
    _clean("CACHE-02", "HEAD answers without the ETag header", "head-etag"),
    _clean("CACHE-03", "If-None-Match is ignored", "if-none-match"),
    _clean("AUDIT-01", "a partial update adds no audittrail entry", "audit-partial-update"),
    _clean("LIFE-01", "create answers without a Location header", "location-header"),
    _clean(
        "LIFE-01/read-after-delete",
        "a deleted klant is still read: GET answers its last representation (a soft delete)",
        "read-after-delete",
    ),
    _clean("LIFE-02", "PUT keeps the fields it was not sent, like PATCH", "put-replaces"),
    _clean("FILTER-01", "the emailadres filter of klant_list is ignored"),
    _clean(
        "FILTER-01/invalid-ignored",
        "a filter value that is not valid for its parameter (not a URI, not one of the enum "
        "values) is ignored: klant_list answers 200 with the unfiltered list, not 400",
        "filter-invalid-ignored",
    ),
    _clean(
        "OAS-09/other-parent",
        "an audittrail entry of one klant is read under the path of another existing klant "
        "(an unknown klant still gets 404)",
        "audittrail-other-parent",
    ),
    _clean("AUTH-01", "the JWT signature is not verified (its claims still are)", "jwt-signature"),
    _clean("AUTH-02", "scopes are not checked", "scopes"),
    _clean("AUTH-03", "exp, nbf and aud claims are not checked", "token-claims"),
    _clean(
        "KLOK01-01", "of a vestiging's subjectIdentificatie only the vestigingsNummer is stored"
    ),
    _clean("KLOK01-02", "voornaam and achternaam are overwritten from subjectIdentificatie"),
    _clean("KLOK01-C1", "a BSN may be related to several klanten in one bronorganisatie"),
    _clean("KLOK01-C1b", "list queries on a BSN are answered from a cache that is not invalidated"),
    _clean(
        "KLOK01-C2",
        "a niet-natuurlijk persoon may be related to only one klant per bronorganisatie",
    ),
    _clean("KLOK01-C3", "identification fields of another subjectType are stored as sent"),
    _clean(
        "KLOK01-C3/subjecttype-change", "the subjectType of an aangehaakte klant may be changed"
    ),
    _clean(
        "KLOK01-Z1",
        "a klant without identifying data is only registered with contact data (emailadres or "
        "telefoonnummer)",
    ),
    _clean("KLOK01-Z2", "a zelfstandige klant may be given identifying data later"),
    _clean("KLOK01-Z3", "zelfstandige klanten are returned by every list query"),
    _clean("AUTHN-01", "identifying data is registered without end-user authentication"),
    _clean("AUTHN-02", "aangehaakte klanten are provided without end-user authentication"),
    _clean(
        "AUTHN-03", "aangehaakte klanten are changed and deleted without end-user authentication"
    ),
    _clean("AUTHN-04", "zelfstandige klanten also require end-user authentication"),
    _clean("KLUIT-01", "achternaam is required on create"),
    _clean("KLUIT-02", "an adres with a landcode other than NL is refused"),
    _clean("KLUIT-03", "clearing a klantgegeven with an empty value is refused"),
    _clean("NOTIF-01", "partial updates publish no notification", "notify-partial-update"),
    # real-world faults: shaped like defects of real products ------------------------------
    Fault(
        "CRASH/zelfstandige",
        "KLOK01-Z1",
        "any POST/PUT/PATCH whose resulting klant has no subjectType (a zelfstandige klant) "
        "crashes: HTTP 500 with a plain-text 'Internal Server Error'",
        API,
        REAL_WORLD,
    ),
    Fault(
        "HTML/malformed-id",
        "OAS-03",
        "a path id that is not a UUID is answered 404 with a text/html page, not a problem",
        API,
        REAL_WORLD,
        "uuid-path-problem",
    ),
    Fault(
        "CRASH/token-claims",
        "AUTH-03",
        "a token with an exp in the past, an nbf in the future or an aud gets HTTP 500 "
        "instead of 403",
        API,
        REAL_WORLD,
        "token-claims-crash",
    ),
    Fault(
        "CRASH/non-object-body",
        "OAS-05",
        "a JSON request body that is not an object (array, string, number, null) gets HTTP 500",
        API,
        REAL_WORLD,
        "object-body",
    ),
    Fault(
        "CRASH/unknown-query",
        "FILTER-01",
        "klant_list with a query parameter the document does not declare crashes: HTTP 500 "
        "with a text/html page",
        API,
        REAL_WORLD,
        "unknown-query-crash",
    ),
    Fault(
        "LEAK/audittrail-parent",
        "OAS-09",
        "/klanten/{uuid}/audittrail lists the entries of every klant, and "
        "/klanten/{uuid}/audittrail/{entry} finds an entry whatever klant (even an unknown "
        "one) is in the path",
        API,
        REAL_WORLD,
        "audittrail-parent",
    ),
)
