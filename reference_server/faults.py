"""Fault switches: each one turns off exactly one behaviour of the reference server.

A fault is named after the rule it breaks (``KLOK01-C1``); where a rule covers more than one
behaviour, a variant is named ``RULE/variant``. Faults are given in the environment variable
``REFERENCE_SERVER_FAULTS`` (comma separated) or in the config file; an unknown name is an error
at start-up.

Each fault is narrow enough that the conformance suites fail its own rule and no other (the kill
matrix, ``klanten-conformance killmatrix``, proves it; allowed exceptions are listed with their
reasons in specs/killmatrix-exceptions.yaml). For example OAS-01 leaves out the one operation no
other rule leans on heavily, and KLOK01-Z1 demands contact data of a zelfstandige klant rather
than refusing every one, which would also break every check that uses a zelfstandige klant.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

ENV_VAR = "REFERENCE_SERVER_FAULTS"

#: fault name -> what the faulty server does (the way a real implementation gets it wrong)
FAULTS: dict[str, str] = {
    "OAS-01": "audittrail_read is not implemented: after authentication it answers 405",
    "OAS-02": "a zelfstandige klant is returned with subjectType '' instead of null",
    "OAS-03": "401/403/404 problem bodies lack the required 'code' and 'instance' members",
    "OAS-04": "problem responses are sent as application/json",
    "OAS-05": (
        "request bodies are only checked for required fields: wrong types, formats, lengths, "
        "patterns and enums are stored"
    ),
    "OAS-06": "responses carry no API-version header",
    "OAS-07": "list responses never link to the next page",
    "OAS-08": "the published OpenAPI document declares an extra property and operation",
    "kla-001a": "klantnummer is treated as unique across all bronorganisaties",
    "kla-001b": "(bronorganisatie, klantnummer) uniqueness is not checked",
    "kla-001c": "a create without klantnummer is stored with an empty klantnummer",
    "kla-002a": "the subject URL is not checked on create",
    "kla-002b": "the subject URL is not checked on update and partial update",
    "CACHE-01": "the ETag is derived from the uuid only, so it does not change with the klant",
    "CACHE-02": "HEAD answers without the ETag header",
    "CACHE-03": "If-None-Match is ignored",
    "AUDIT-01": "a partial update adds no audittrail entry",
    "LIFE-01": "create answers without a Location header",
    "LIFE-02": "PUT keeps the fields it was not sent, like PATCH",
    "FILTER-01": "the emailadres filter of klant_list is ignored",
    "AUTH-01": "the JWT signature is not verified (its claims still are)",
    "AUTH-02": "scopes are not checked",
    "AUTH-03": "exp, nbf and aud claims are not checked",
    "KLOK01-01": "of a vestiging's subjectIdentificatie only the vestigingsNummer is stored",
    "KLOK01-02": "voornaam and achternaam are overwritten from subjectIdentificatie",
    "KLOK01-C1": "a BSN may be related to several klanten in one bronorganisatie",
    "KLOK01-C1b": "list queries on a BSN are answered from a cache that is not invalidated",
    "KLOK01-C2": "a niet-natuurlijk persoon may be related to only one klant per bronorganisatie",
    "KLOK01-C3": "identification fields of another subjectType are stored as sent",
    "KLOK01-C3/subjecttype-change": "the subjectType of an aangehaakte klant may be changed",
    "KLOK01-Z1": (
        "a klant without identifying data is only registered with contact data (emailadres or "
        "telefoonnummer)"
    ),
    "KLOK01-Z2": "a zelfstandige klant may be given identifying data later",
    "KLOK01-Z3": "zelfstandige klanten are returned by every list query",
    "AUTHN-01": "identifying data is registered without end-user authentication",
    "AUTHN-02": "aangehaakte klanten are provided without end-user authentication",
    "AUTHN-03": "aangehaakte klanten are changed and deleted without end-user authentication",
    "AUTHN-04": "zelfstandige klanten also require end-user authentication",
    "KLUIT-01": "achternaam is required on create",
    "KLUIT-02": "an adres with a landcode other than NL is refused",
    "KLUIT-03": "clearing a klantgegeven with an empty value is refused",
    "NOTIF-01": "partial updates publish no notification",
}


class UnknownFaultError(ValueError):
    """Raised for a fault name the reference server does not know."""


def parse_faults(names: Iterable[str]) -> frozenset[str]:
    """Normalise and check fault names; raise :class:`UnknownFaultError` for unknown ones."""
    wanted = {name.strip() for name in names if name and name.strip()}
    unknown = sorted(wanted - FAULTS.keys())
    if unknown:
        known = ", ".join(FAULTS)
        raise UnknownFaultError(f"unknown fault(s): {', '.join(unknown)}; known faults: {known}")
    return frozenset(wanted)


def faults_from_env(environ: dict[str, str] | None = None) -> frozenset[str]:
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    return parse_faults(value.split(","))
