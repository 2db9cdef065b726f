"""The ``ki-migratie`` seed: a Klanten 1.0 product's klanten and what a migration made of them.

The class ``ki-migratie`` compares the klanten of a Klanten 1.0 target with the partijen of a
Klantinteracties target. The built-in server has no data of its own, so a run of that class
starts it with this seed (``[server] seed = ["ki-migratie"]``): a few klanten of every kind
(aangehaakt by BSN, by an innNnpId of 8 digits (KvK) and of 9 digits (RSIN), a vestiging, two
zelfstandige) and the partijen a correct migration makes of them, following "How KLOK01 maps
onto the API" of RULES-klantinteracties.md. The partij of a klant carries its klantnummer as
``nummer``, the key class ki-migratie matches zelfstandige klanten by.

The seed is made through the server's own API, before the server starts serving, by a second
application on the same database with every fault switch off, so that it holds exactly what
the API accepts. Only the faults named after the class's rules change it: ``KI-MIG-01`` leaves
out the identificator of one aangehaakte klant, ``KI-MIG-02`` gives the partij of one
zelfstandige klant a BSN.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
import time
from typing import Any

import httpx
import jwt

from reference_server.config import Client, Settings, Token

NAME = "ki-migratie"
BRONORGANISATIE = "002220647"
KLANTEN = "/klanten/api/v1"
KLANTINTERACTIES = "/klantinteracties/api/v1"
#: a BSN the fault KI-MIG-02 gives to a zelfstandige klant's partij (no klant holds it)
STRAY_BSN = "812345678"


@dataclasses.dataclass(frozen=True)
class Migrated:
    """One klant of the seed and the partij its migration made."""

    klantnummer: str
    klant: dict[str, Any]
    soort_partij: str
    #: (codeObjecttype, codeSoortObjectId, objectId, codeRegister) of the partij, if any
    identificator: tuple[str, str, str, str] | None
    naam: dict[str, Any]


def _persoon(voornaam: str, achternaam: str) -> dict[str, Any]:
    return {
        "contactnaam": {
            "voorletters": voornaam[0],
            "voornaam": voornaam,
            "voorvoegselAchternaam": "",
            "achternaam": achternaam,
        }
    }


SEED: tuple[Migrated, ...] = (
    Migrated(
        "90000001",
        {
            "voornaam": "Anna",
            "achternaam": "de Boer",
            "subjectType": "natuurlijk_persoon",
            "subjectIdentificatie": {"inpBsn": "123456782", "geslachtsnaam": "Boer"},
        },
        "persoon",
        ("natuurlijk_persoon", "bsn", "123456782", "brp"),
        _persoon("Anna", "de Boer"),
    ),
    Migrated(
        "90000002",
        {
            "voornaam": "Bram",
            "achternaam": "Jansen",
            "subjectType": "natuurlijk_persoon",
            "subjectIdentificatie": {"inpBsn": "234567892", "geslachtsnaam": "Jansen"},
        },
        "persoon",
        ("natuurlijk_persoon", "bsn", "234567892", "brp"),
        _persoon("Bram", "Jansen"),
    ),
    Migrated(
        "90000003",
        {
            "bedrijfsnaam": "Bakkerij Het Korenaar",
            "subjectType": "niet_natuurlijk_persoon",
            "subjectIdentificatie": {"innNnpId": "69599084", "statutaireNaam": "Het Korenaar"},
        },
        "organisatie",
        ("niet_natuurlijk_persoon", "kvk_nummer", "69599084", "hr"),
        {"naam": "Bakkerij Het Korenaar"},
    ),
    Migrated(
        "90000004",
        {
            "bedrijfsnaam": "Stichting Buurthuis",
            "subjectType": "niet_natuurlijk_persoon",
            "subjectIdentificatie": {"innNnpId": "345678904", "statutaireNaam": "Buurthuis"},
        },
        "organisatie",
        ("niet_natuurlijk_persoon", "rsin", "345678904", "hr"),
        {"naam": "Stichting Buurthuis"},
    ),
    Migrated(
        "90000005",
        {
            "bedrijfsnaam": "Bakkerij Het Korenaar, filiaal Markt",
            "subjectType": "vestiging",
            "subjectIdentificatie": {"vestigingsNummer": "000012345678"},
        },
        "organisatie",
        None,  # the migration keeps no identificator for a vestiging
        {"naam": "Bakkerij Het Korenaar, filiaal Markt"},
    ),
    Migrated(
        "90000006",
        {"voornaam": "Chris", "achternaam": "Visser", "emailadres": "c.visser@example.org"},
        "persoon",
        None,
        _persoon("Chris", "Visser"),
    ),
    Migrated(
        "90000007",
        {"bedrijfsnaam": "Klussenbedrijf Visser", "telefoonnummer": "0201234567"},
        "organisatie",
        None,
        {"naam": "Klussenbedrijf Visser"},
    ),
)
#: the aangehaakte klant whose identificator fault KI-MIG-01 leaves out
DROPPED = "90000002"
#: the zelfstandige klant whose partij fault KI-MIG-02 gives a BSN
HOOKED = "90000006"


class SeedError(Exception):
    """The seed could not be made (the message says which request was refused)."""


def partij_body(item: Migrated, faults: frozenset[str]) -> dict[str, Any]:
    """The partij a migration makes of ``item`` (changed by the KI-MIG-* faults)."""
    identificator = item.identificator
    if "KI-MIG-01" in faults and item.klantnummer == DROPPED:
        identificator = None
    if "KI-MIG-02" in faults and item.klantnummer == HOOKED:
        identificator = ("natuurlijk_persoon", "bsn", STRAY_BSN, "brp")
    body: dict[str, Any] = {
        "nummer": item.klantnummer,
        "soortPartij": item.soort_partij,
        "indicatieActief": True,
        "indicatieGeheimhouding": False,
        "voorkeurstaal": "nld",
        "interneNotitie": "migrated from Klanten API 1.0",
        "partijIdentificatie": item.naam,
    }
    if identificator is not None:
        objecttype, soort, object_id, register = identificator
        body["partijIdentificatoren"] = [
            {
                "anderePartijIdentificator": "",
                "partijIdentificator": {
                    "codeObjecttype": objecttype,
                    "codeSoortObjectId": soort,
                    "objectId": object_id,
                    "codeRegister": register,
                },
                "subIdentificatorVan": None,
            }
        ]
    return body


def klant_body(item: Migrated) -> dict[str, Any]:
    return {
        "bronorganisatie": BRONORGANISATIE,
        "klantnummer": item.klantnummer,
        "websiteUrl": "https://www.example.org/klant",
        **item.klant,
    }


def seed(settings: Settings) -> None:
    """Make the seed in the database of ``settings`` (before the server serves it)."""
    quiet = logging.getLogger("httpx")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # the seed's own requests are no news in the server log
    try:
        asyncio.run(_seed(settings))
    finally:
        quiet.setLevel(level)


async def _seed(settings: Settings) -> None:
    from reference_server.core.app import create_app

    client = Client("seed", secrets.token_urlsafe(32), frozenset())
    key = secrets.token_urlsafe(32)
    seeding = dataclasses.replace(
        settings,
        clients={client.client_id: dataclasses.replace(client, scopes=_all_scopes())},
        tokens={key: Token(key, "seed")},
        faults=frozenset(),
        notificaties_url=None,
        notificaties_client=None,
        enforce_authenticatie=False,
        validate_responses="off",
        uses_demo_secret=False,
        uses_demo_token=False,
    )
    app = create_app(seeding)
    claims = {"iss": client.client_id, "client_id": client.client_id, "iat": int(time.time())}
    bearer = {"Authorization": "Bearer " + jwt.encode(claims, client.secret, algorithm="HS256")}
    token = {"Authorization": f"Token {key}"}
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://seed.invalid") as http:
            if await _seeded(http, bearer):
                return  # a database that holds the seed already (a restart)
            for item in SEED:
                await _post(http, f"{KLANTEN}/klanten", klant_body(item), bearer)
                await _post(
                    http, f"{KLANTINTERACTIES}/partijen", partij_body(item, settings.faults), token
                )
    finally:
        for runtime in app.state.apis.values():
            await runtime.aclose()
        app.state.store.close()


async def _seeded(http: httpx.AsyncClient, headers: dict) -> bool:
    params = {"klantnummer": SEED[0].klantnummer, "bronorganisatie": BRONORGANISATIE}
    response = await http.get(f"{KLANTEN}/klanten", params=params, headers=headers)
    return response.status_code == 200 and bool(response.json().get("count"))


async def _post(http: httpx.AsyncClient, path: str, body: dict, headers: dict) -> None:
    response = await http.post(path, json=body, headers={**headers, "Accept": "application/json"})
    if response.status_code != 201:
        raise SeedError(
            f"seed {NAME}: POST {path} answered {response.status_code}: {response.text[:300]}"
        )


def _all_scopes() -> frozenset[str]:
    from reference_server.config import all_scopes

    return all_scopes()
