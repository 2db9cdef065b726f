"""The ki-migratie seed of the reference server: klanten of a Klanten 1.0 product and the
partijen a correct migration made of them, and the faults KI-MIG-01/02 that spoil it."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from klanten_conformance.tokens import make_token
from reference_server import create_app
from reference_server.config import ConfigError, Token, parse_config
from reference_server.klantinteracties import migratie
from tests.reference_server.conftest import SECRET, server_settings
from tests.reference_server.klantinteracties.conftest import AUTH, BASE, KEY

KLANTEN = "/klanten/api/v1"


def _seeded(tmp_path: Path, *faults: str) -> TestClient:
    settings = server_settings(
        tmp_path,
        faults=faults,
        tokens={KEY: Token(KEY, "test")},
        seed=("ki-migratie",),
        enforce_authenticatie=False,
    )
    migratie.seed(settings)
    client = TestClient(create_app(settings))
    client.__enter__()
    return client


def _partijen(client: TestClient) -> dict[str, dict]:
    """nummer -> partij, with the groups of its identificatoren under ``_groepen``."""
    found = {}
    for partij in client.get(f"{BASE}/partijen", headers=AUTH).json()["results"]:
        groepen = []
        for item in partij["partijIdentificatoren"]:
            read = client.get(f"{BASE}/partij-identificatoren/{item['uuid']}", headers=AUTH)
            groepen.append(read.json()["partijIdentificator"])
        found[partij["nummer"]] = {**partij, "_groepen": groepen}
    return found


def _klanten(client: TestClient) -> dict[str, dict]:
    token = make_token("suite", SECRET)
    found = {}
    for item in migratie.SEED:
        response = client.get(
            f"{KLANTEN}/klanten",
            params={"klantnummer": item.klantnummer},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        assert response.status_code == 200, response.text
        for klant in response.json()["results"]:
            found[klant["klantnummer"]] = klant
    return found


def test_the_seed_holds_every_kind_of_klant_and_its_migrated_partij(tmp_path: Path) -> None:
    client = _seeded(tmp_path)
    try:
        klanten, partijen = _klanten(client), _partijen(client)
    finally:
        client.__exit__(None, None, None)
    kinds = {k.get("subjectType") for k in klanten.values()}
    assert kinds == {"natuurlijk_persoon", "niet_natuurlijk_persoon", "vestiging", None}
    assert set(klanten) == set(partijen) == {item.klantnummer for item in migratie.SEED}
    assert [
        len(k["subjectIdentificatie"]["innNnpId"])
        for k in klanten.values()
        if k.get("subjectType") == "niet_natuurlijk_persoon"
    ] == [8, 9]
    for item in migratie.SEED:
        partij = partijen[item.klantnummer]
        assert partij["soortPartij"] == item.soort_partij
        wanted = [] if item.identificator is None else [item.identificator]
        got = [
            (g["codeObjecttype"], g["codeSoortObjectId"], g["objectId"], g["codeRegister"])
            for g in partij["_groepen"]
        ]
        assert got == wanted, item.klantnummer


@pytest.mark.parametrize(
    ("fault", "klantnummer", "groepen"),
    [
        ("KI-MIG-01", migratie.DROPPED, []),
        ("KI-MIG-02", migratie.HOOKED, [("bsn", migratie.STRAY_BSN)]),
    ],
)
def test_each_fault_spoils_one_partij_of_the_seed(
    tmp_path: Path, fault: str, klantnummer: str, groepen: list
) -> None:
    client = _seeded(tmp_path, fault)
    try:
        partijen = _partijen(client)
    finally:
        client.__exit__(None, None, None)
    got = [(g["codeSoortObjectId"], g["objectId"]) for g in partijen[klantnummer]["_groepen"]]
    assert got == groepen
    others = [item for item in migratie.SEED if item.klantnummer != klantnummer]
    for item in others:  # the rest of the seed stays as migrated
        expected = [] if item.identificator is None else [item.identificator[1:3]]
        assert [
            (g["codeSoortObjectId"], g["objectId"]) for g in partijen[item.klantnummer]["_groepen"]
        ] == [tuple(e) for e in expected]


def test_seeding_a_seeded_database_again_changes_nothing(tmp_path: Path) -> None:
    settings = server_settings(tmp_path, tokens={KEY: Token(KEY, "test")}, seed=("ki-migratie",))
    migratie.seed(settings)
    migratie.seed(settings)  # a restart of the server on its database
    with TestClient(create_app(settings)) as client:
        count = client.get(f"{BASE}/partijen", headers=AUTH).json()["count"]
    assert count == len(migratie.SEED)


def test_the_seed_setting_is_validated() -> None:
    assert parse_config({"server": {"seed": ["ki-migratie"]}})["seed"] == ("ki-migratie",)
    with pytest.raises(ConfigError, match="unknown seed.*ki-migratei"):
        parse_config({"server": {"seed": ["ki-migratei"]}})
    with pytest.raises(ConfigError, match="list of seed names"):
        parse_config({"server": {"seed": "ki-migratie"}})
