"""Payload builders per profile (version of the standard), so one test serves every profile.

Only ``klanten-1.0`` (the published 1.0.x) exists so far.
"""

from __future__ import annotations

import secrets
from typing import Any

from klanten_conformance.testdata import (
    random_bsn,
    random_klantnummer,
    random_rsin,
    random_vestigingsnummer,
)

#: subjectType -> (the identification field that names the subject, the klant_list filter on it)
IDENTIFICATION = {
    "natuurlijk_persoon": ("inpBsn", "subjectNatuurlijkPersoon__inpBsn"),
    "niet_natuurlijk_persoon": ("innNnpId", "subjectNietNatuurlijkPersoon__innNnpId"),
    "vestiging": ("vestigingsNummer", "subjectVestiging__vestigingsNummer"),
}
#: subjectType -> other identification numbers, for klanten without the main one (KLUIT-02)
OTHER_IDENTIFICATION = {
    "natuurlijk_persoon": ("anpIdentificatie", "inpANummer"),
    "niet_natuurlijk_persoon": ("annIdentificatie",),
    "vestiging": (),
}
_GENERATORS = {
    "natuurlijk_persoon": random_bsn,
    "niet_natuurlijk_persoon": random_rsin,
    "vestiging": random_vestigingsnummer,
}


class Klanten10:
    """Klant payloads of the Klanten API 1.0 (``subjectIdentificatie`` with ``inpBsn``...)."""

    name = "klanten-1.0"

    def __init__(self, bronorganisatie: str) -> None:
        self.bronorganisatie = bronorganisatie

    def minimal(self, **fields: Any) -> dict[str, Any]:
        """A klant with only the fields the OpenAPI document requires (KLUIT-01)."""
        body: dict[str, Any] = {
            "bronorganisatie": self.bronorganisatie,
            "klantnummer": random_klantnummer(),
            "websiteUrl": "https://www.example.org/klant",
        }
        body.update(fields)
        return body

    def zelfstandig(self, **fields: Any) -> dict[str, Any]:
        """A zelfstandige klant: realistic klantgegevens (name and contact data), no
        identifying data. Tests about minimal data start from :meth:`minimal` instead, so
        that a target demanding more than the required fields fails only those tests."""
        tag = secrets.token_hex(5)
        body = self.minimal(
            voornaam="Sanne",
            achternaam="Visser",
            telefoonnummer="06" + str(secrets.randbelow(10**8)).zfill(8),
            emailadres=f"klant-{tag}@example.org",
        )
        body.update(fields)
        return body

    def aangehaakt(
        self, subject_type: str, number: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """An aangehaakte klant identified by ``number`` (generated when not given)."""
        field_name, _ = IDENTIFICATION[subject_type]
        number = number or _GENERATORS[subject_type]()
        return self.zelfstandig(
            subjectType=subject_type, subjectIdentificatie={field_name: number}, **fields
        )

    def identificatie(self, body: dict[str, Any]) -> tuple[str, str] | None:
        """(subjectType, number) that identifies the klant of ``body``, if it has one."""
        subject_type = body.get("subjectType")
        if subject_type not in IDENTIFICATION:
            return None
        identificatie = body.get("subjectIdentificatie") or {}
        number = identificatie.get(IDENTIFICATION[subject_type][0])
        for other in OTHER_IDENTIFICATION[subject_type]:
            number = number or identificatie.get(other)
        if not number and body.get("subject"):
            number = str(body["subject"]).rstrip("/").rsplit("/", 1)[-1]
        return (subject_type, number) if number else None

    @staticmethod
    def filter_for(subject_type: str) -> str:
        return IDENTIFICATION[subject_type][1]


PROFILES = {Klanten10.name: Klanten10}
