"""Class `uitgangspunten` on the reference server: minimal data, non-Dutch klanten, and
klantgegevens the klant may correct or remove (KLUIT-01..03)."""

from __future__ import annotations

import httpx

from klanten_conformance.testdata import random_anp_identificatie, random_klantnummer
from tests.reference_server.conftest import Server

REQUIRED = {"bronorganisatie", "klantnummer", "websiteUrl"}
TEXT_KLANTGEGEVENS = {
    "bedrijfsnaam": "Visser Advies",
    "functie": "Eigenaar",
    "voornaam": "Anna",
    "voorvoegselAchternaam": "de",
    "achternaam": "Visser",
    "telefoonnummer": "0201234567",
    "emailadres": "anna@example.org",
}
ADRES = {
    "straatnaam": "Hauptstraße",
    "huisnummer": 12,
    "postcode": "10115",
    "woonplaatsnaam": "Berlin",
    "landcode": "DE",
}


def read(server: Server, url: str, authn: tuple | None = None) -> dict:
    response = server.get(url, authn)
    assert response.status_code == 200, response.text
    return response.json()


def emptied(klant: dict) -> list[str]:
    """The klantgegevens of TEXT_KLANTGEGEVENS and adres that still hold a value."""
    left = [name for name in TEXT_KLANTGEGEVENS if klant.get(name) not in (None, "")]
    if klant.get("adres") not in (None, {}):
        left.append("adres")
    return left


# KLUIT-01 -------------------------------------------------------------------------------------


def test_kluit01_only_required_fields(server: Server) -> None:
    """KLUIT-01: a klant with only the required fields (bronorganisatie, klantnummer,
    websiteUrl) is accepted and read back with nothing added."""
    body = server.body()
    assert set(body) == REQUIRED
    klant = read(server, server.create(body).json()["url"])
    assert {name: klant[name] for name in REQUIRED} == body
    assert emptied(klant) == []
    assert klant.get("subjectType") is None


def test_kluit01_fault_requires_achternaam(make_server) -> None:
    """Fault KLUIT-01: achternaam is required on create."""
    server = make_server(faults=("KLUIT-01",))
    assert server.create(expect=None).status_code == 400


# KLUIT-02 -------------------------------------------------------------------------------------


def test_kluit02_foreign_address(server: Server) -> None:
    """KLUIT-02: an adres abroad (landcode DE) is accepted and stored as given."""
    klant = read(server, server.create(server.body(adres=ADRES)).json()["url"])
    assert klant["adres"] == ADRES


def test_kluit02_foreign_natuurlijk_persoon(server: Server) -> None:
    """KLUIT-02: a natuurlijk persoon identified by anpIdentificatie only (no BSN), living
    abroad, authenticated by that anpIdentificatie → 201."""
    anp = random_anp_identificatie()
    authn = ("natuurlijk_persoon", anp)
    body = server.body(
        subjectType="natuurlijk_persoon",
        subjectIdentificatie={"anpIdentificatie": anp},
        adres=ADRES,
    )
    klant = read(server, server.create(body, authn).json()["url"], authn)
    assert klant["subjectIdentificatie"] == {"anpIdentificatie": anp}
    assert klant["adres"]["landcode"] == "DE"


def test_kluit02_foreign_niet_natuurlijk_persoon(server: Server) -> None:
    """KLUIT-02: a niet-natuurlijk persoon identified by annIdentificatie only → 201."""
    ann = random_anp_identificatie().replace("ANP", "ANN", 1)
    authn = ("niet_natuurlijk_persoon", ann)
    body = server.body(
        subjectType="niet_natuurlijk_persoon",
        subjectIdentificatie={"annIdentificatie": ann},
        adres=ADRES,
    )
    klant = read(server, server.create(body, authn).json()["url"], authn)
    assert klant["subjectIdentificatie"] == {"annIdentificatie": ann}


def test_kluit02_fault_refuses_foreign_address(make_server) -> None:
    """Fault KLUIT-02: an adres with a landcode other than NL is refused."""
    server = make_server(faults=("KLUIT-02",))
    assert server.create(server.body(adres=ADRES), expect=None).status_code == 400


# KLUIT-03 -------------------------------------------------------------------------------------


def full_klant(server: Server) -> tuple[dict, str]:
    body = server.body(**TEXT_KLANTGEGEVENS, adres=ADRES)
    url = server.create(body).json()["url"]
    assert emptied(read(server, url)) == [*TEXT_KLANTGEGEVENS, "adres"]
    return body, url


def patch(server: Server, url: str, change: dict) -> httpx.Response:
    return server.client.patch(url, json=change, headers=server.headers())


def test_kluit03_patch_empties_klantgegevens(server: Server) -> None:
    """KLUIT-03: PATCH with "" for every optional text klantgegeven and null for adres is
    accepted and removes them; the required fields stay. `emailadres` is the exception: its
    `format: email` refuses "", so it is removed by a PUT without it (rules.yaml)."""
    body, url = full_klant(server)
    text = [name for name in TEXT_KLANTGEGEVENS if name != "emailadres"]
    change = {name: "" for name in text} | {"adres": None}
    response = patch(server, url, change)
    assert response.status_code == 200, response.text
    assert emptied(response.json()) == ["emailadres"]
    kept = {name: response.json()[name] for name in (*REQUIRED, "emailadres")}
    response = server.client.put(
        url, json={k: v for k, v in kept.items() if k != "emailadres"}, headers=server.headers()
    )
    assert response.status_code == 200, response.text
    klant = read(server, url)
    assert emptied(klant) == []
    assert {name: klant[name] for name in REQUIRED} == {name: body[name] for name in REQUIRED}


def test_kluit03_patch_empties_one_klantgegeven(server: Server) -> None:
    """KLUIT-03: removing one klantgegeven leaves the others alone."""
    _, url = full_klant(server)
    assert patch(server, url, {"telefoonnummer": ""}).status_code == 200
    assert emptied(read(server, url)) == [
        n for n in [*TEXT_KLANTGEGEVENS, "adres"] if n != ("telefoonnummer")
    ]


def test_kluit03_put_without_optional_fields_empties_them(server: Server) -> None:
    """KLUIT-03: a PUT without the optional klantgegevens removes them."""
    body, url = full_klant(server)
    replacement = {name: body[name] for name in REQUIRED}
    response = server.client.put(url, json=replacement, headers=server.headers())
    assert response.status_code == 200, response.text
    assert emptied(read(server, url)) == []


def test_kluit03_fault_refuses_emptying(make_server) -> None:
    """Fault KLUIT-03: clearing a klantgegeven with an empty value is refused."""
    server = make_server(faults=("KLUIT-03",))
    body = server.body(voornaam="Anna", klantnummer=random_klantnummer())
    url = server.create(body).json()["url"]
    response = patch(server, url, {"voornaam": ""})
    assert response.status_code == 400, response.text
    assert read(server, url)["voornaam"] == "Anna"
