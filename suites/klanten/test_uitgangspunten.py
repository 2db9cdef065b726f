"""Class `uitgangspunten`: principles of the standard (SHOULD rules)."""

from __future__ import annotations

import pytest

from klanten_conformance import checks
from klanten_conformance.apis.klanten import KlantenClient
from klanten_conformance.testdata import random_klantnummer

pytestmark = pytest.mark.creates_data

#: optional text klantgegevens, cleared with "" (KLUIT-03 interpretation)
TEXT_KLANTGEGEVENS = {
    "bedrijfsnaam": "Conformance B.V.",
    "functie": "Inkoper",
    "voornaam": "Anna",
    "voorvoegselAchternaam": "van",
    "achternaam": "Dijk",
    "telefoonnummer": "0612345678",
}
FOREIGN_ADRES = {
    "natuurlijk_persoon": {
        "straatnaam": "Hauptstraße",
        "huisnummer": 12,
        "postcode": "10115",
        "woonplaatsnaam": "Berlin",
        "landcode": "DE",
    },
    "niet_natuurlijk_persoon": {
        "straatnaam": "Rue de la Loi",
        "huisnummer": 16,
        "postcode": "1000",
        "woonplaatsnaam": "Bruxelles",
        "landcode": "BE",
    },
}
#: identification other than BSN/RSIN: a municipal number of an ander (niet-)natuurlijk persoon
OTHER_IDENTIFICATION = {
    "natuurlijk_persoon": "anpIdentificatie",
    "niet_natuurlijk_persoon": "annIdentificatie",
}


@pytest.mark.rule("KLUIT-01")
def test_only_required_fields(klanten: KlantenClient) -> None:
    """KLUIT-01: minimal data — a klant with only the required fields is accepted.

    Method: POST a klant with only bronorganisatie, klantnummer and websiteUrl (the fields
    the OpenAPI document requires) → 201.
    """
    body = klanten.profile.minimal()
    checks.expect_status("KLUIT-01", klanten.create(body), 201, what="only the required fields")


@pytest.mark.rule("KLUIT-02")
@pytest.mark.parametrize("subject_type", list(OTHER_IDENTIFICATION))
def test_non_dutch_klant(klanten: KlantenClient, subject_type: str) -> None:
    """KLUIT-02: a non-Dutch person or organisation can be registered.

    Method: POST a klant with a foreign adres (landcode DE or BE) identified only by
    anpIdentificatie (natuurlijk persoon) or annIdentificatie (niet-natuurlijk persoon),
    authenticated as that identification → 201; read back, the adres and identification
    are as sent.
    """
    field = OTHER_IDENTIFICATION[subject_type]
    number = "X" + random_klantnummer()
    body = klanten.profile.zelfstandig(
        subjectType=subject_type,
        subjectIdentificatie={field: number},
        adres=FOREIGN_ADRES[subject_type],
    )
    klant = checks.expect_status("KLUIT-02", klanten.create(body), 201, what="registering it")
    stored = klanten.read_back(klant["url"])
    read = klanten.last
    stored_adres = stored.get("adres") or {}
    for name, value in body["adres"].items():
        checks.expect_equal("KLUIT-02", stored_adres.get(name), value, f"adres.{name}", read)
    identificatie = stored.get("subjectIdentificatie") or {}
    checks.expect_equal(
        "KLUIT-02", identificatie.get(field), number, f"subjectIdentificatie.{field}", read
    )


@pytest.mark.rule("KLUIT-03")
def test_klantgegevens_can_be_cleared(klanten: KlantenClient) -> None:
    """KLUIT-03: the klant can remove klantgegevens given earlier.

    Method (interpretation in the rule): create a klant (of the first shape the target
    accepts) with every optional klantgegeven;
    PATCH each text klantgegeven to "" and adres to null → 200; PUT the klant without
    emailadres → 200; read back, every one of them is empty (absent, "" or null).
    """
    adres = {"straatnaam": "Klantstraat", "huisnummer": 7, "postcode": "1011AB", "landcode": "NL"}
    made = klanten.klant(**TEXT_KLANTGEGEVENS, emailadres="klant@example.org", adres=adres)
    body, klant = made.body, made.data
    cleared = {**{name: "" for name in TEXT_KLANTGEGEVENS}, "adres": None}
    patch = klanten.patch(klant["url"], cleared)
    what = 'PATCH text klantgegevens to "", adres to null'
    checks.expect_status("KLUIT-03", patch, 200, what=what)
    put = klanten.put(klant["url"], klanten.required(body))
    checks.expect_status("KLUIT-03", put, 200, what="PUT without emailadres")
    stored = klanten.read_back(klant["url"])
    read = klanten.last
    for name in [*TEXT_KLANTGEGEVENS, "emailadres", "adres"]:
        value = stored.get(name)
        checks.expect_true(
            "KLUIT-03",
            value in (None, "", {}),
            f"{name} cleared",
            f"{name} = {value!r}",
            read,
        )
