"""The fault switches of the Contactmomenten API.

Clean faults are named after the rule of specs/rules/contactmomenten.yaml they break (``RULE``
or ``RULE/variant``). Narrow on purpose: CM-INT-01 hides ``volgendContactmoment`` only in the
middle of a chain (a contactmoment that has a ``vorigContactmoment`` itself), so that the
first contactmoment of a pair still shows it and the cm-002 checks, which look at pairs, stay
green; CM-FILTER-01 ignores one filter of one list.
"""

from __future__ import annotations

from reference_server.core.faults import CORE_SWITCHES, REAL_WORLD, Fault, clean, core_fault

API = "contactmomenten"


def _clean(name: str, description: str) -> Fault:
    return clean(name, description, API)


def _core(name: str, switch: str) -> Fault:
    """A fault of a core behaviour (CM-OAS, CM-AUTH, caching, ...), as the switch is described."""
    return core_fault(name, switch, API)


def _real_world(name: str, rule: str, switch: str) -> Fault:
    return Fault(name, rule, CORE_SWITCHES[switch], API, REAL_WORLD, switch)


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
    _core("CM-OAS", "api-version-header"),
    _core("CM-OAS-MEDIA", "problem-media-type"),
    _core("CM-OAS/problem-shape", "problem-shape"),
    _core("CM-OAS/request-schema", "request-schema"),
    _core("CM-OAS/pagination", "pagination-next"),
    _core("CM-OAS/published", "published-extension"),
    _core("CM-OAS/audittrail-read", "audittrail-read"),
    _core("CM-AUTH", "scopes"),
    _core("CM-AUTH/signature", "jwt-signature"),
    _core("CM-AUTH/claims", "token-claims"),
    _core("CM-CACHE-01", "etag-content"),
    _core("CM-CACHE-02", "head-etag"),
    _core("CM-CACHE-03", "if-none-match"),
    _core("CM-AUDIT-01", "audit-partial-update"),
    _core("CM-LIFE-01", "location-header"),
    _core("CM-LIFE-01/read-after-delete", "read-after-delete"),
    _core("CM-LIFE-02", "put-replaces"),
    _clean("CM-FILTER-01", "the kanaal filter of contactmoment_list is ignored"),
    _core("CM-FILTER-01/invalid-ignored", "filter-invalid-ignored"),
    _core("CM-NOTIF-01", "notify-partial-update"),
    # real-world faults: shaped like defects of real products ------------------------------
    Fault(
        "CRASH/cm-empty-vorig",
        "CM-OAS",
        "a create or update that sends vorigContactmoment as an empty string (below the "
        "document's minimum length: a 400) crashes: HTTP 500 with a plain-text 'Internal "
        "Server Error'",
        API,
        REAL_WORLD,
    ),
    _real_world("HTML/cm-malformed-id", "CM-OAS", "uuid-path-problem"),
    _real_world("CRASH/cm-non-object-body", "CM-OAS", "object-body"),
    _real_world("LEAK/cm-audittrail-parent", "CM-OAS", "audittrail-parent"),
    Fault(
        "LEAK/cm-relation-filter",
        "CM-FILTER-01",
        "klantcontactmoment_list ignores its contactmoment filter and lists the relations of "
        "every contactmoment",
        API,
        REAL_WORLD,
    ),
)
