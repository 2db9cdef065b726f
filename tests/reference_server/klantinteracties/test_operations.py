"""Every one of the 85 operations answers a valid request with its documented status, and every
response matches the document (the server validates its responses strictly in these tests):
KI-OAS-01, -02, -06, -11, -12, plus lists, pageSize and problem bodies."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml

from reference_server.klantinteracties.api import SPEC_PATH
from tests.reference_server.klantinteracties.conftest import BSNS, KVK, Ki, group, ref

#: collection path -> a valid create body, built from the resources made so far
BODIES: dict[str, Callable[[dict], dict]] = {
    "/partijen": lambda made: {
        "soortPartij": "organisatie",
        "indicatieActief": True,
        "partijIdentificatie": {"naam": "Bakkerij"},
        "partijIdentificatoren": [{"partijIdentificator": group("kvk_nummer", KVK)}],
    },
    "/partij-identificatoren": lambda made: {
        "identificeerdePartij": ref(made["/partijen"]),
        "partijIdentificator": group("rsin", "296648875"),
    },
    "/vertegenwoordigingen": lambda made: {
        "vertegenwoordigendePartij": ref(made["/partijen"]),
        "vertegenwoordigdePartij": ref(made["other-partij"]),
    },
    "/digitaleadressen": lambda made: {
        "verstrektDoorPartij": ref(made["/partijen"]),
        "adres": "info@bakkerij.nl",
        "soortDigitaalAdres": "email",
    },
    "/rekeningnummers": lambda made: {
        "partij": ref(made["/partijen"]),
        "iban": "NL91ABNA0417164300",
        "bic": "ABNANL2A",
    },
    "/categorieen": lambda made: {"naam": "ondernemer"},
    "/categorie-relaties": lambda made: {
        "partij": ref(made["/partijen"]),
        "categorie": ref(made["/categorieen"]),
        "beginDatum": "2024-01-01",
    },
    "/klantcontacten": lambda made: {
        "kanaal": "balie",
        "onderwerp": "vergunning",
        "taal": "nld",
        "vertrouwelijk": False,
        "plaatsgevondenOp": "2024-05-01T10:00:00Z",
    },
    "/betrokkenen": lambda made: {
        "hadKlantcontact": ref(made["/klantcontacten"]),
        "wasPartij": ref(made["/partijen"]),
        "rol": "klant",
        "initiator": True,
    },
    "/onderwerpobjecten": lambda made: {
        "klantcontact": ref(made["/klantcontacten"]),
        "wasKlantcontact": None,
        "onderwerpobjectidentificator": {
            "objectId": "ZAAK-1",
            "codeObjecttype": "zaak",
            "codeRegister": "openzaak",
            "codeSoortObjectId": "identificatie",
        },
    },
    "/bijlagen": lambda made: {"wasBijlageVanKlantcontact": ref(made["/klantcontacten"])},
    "/actoren": lambda made: {
        "naam": "Piet",
        "soortActor": "medewerker",
        "indicatieActief": True,
        "actorIdentificatie": {"functie": "KCC", "telefoonnummer": "0201234567"},
    },
    "/actorklantcontacten": lambda made: {
        "actor": ref(made["/actoren"]),
        "klantcontact": ref(made["/klantcontacten"]),
    },
    "/internetaken": lambda made: {
        "aanleidinggevendKlantcontact": ref(made["/klantcontacten"]),
        "toegewezenAanActoren": [ref(made["/actoren"])],
        "gevraagdeHandeling": "terugbellen",
        "status": "te_verwerken",
    },
}
#: a field changed by PATCH and the value it gets
PATCHES = {
    "/partijen": {"soortPartij": "organisatie", "interneNotitie": "vaste klant"},
    "/partij-identificatoren": {"anderePartijIdentificator": "klant-7"},
    "/vertegenwoordigingen": {},
    "/digitaleadressen": {"omschrijving": "werk"},
    "/rekeningnummers": {"bic": "RABONL2U"},
    "/categorieen": {"naam": "inwoner"},
    "/categorie-relaties": {"eindDatum": "2025-01-01"},
    "/klantcontacten": {"inhoud": "gebeld"},
    "/betrokkenen": {"organisatienaam": "Bakkerij"},
    "/onderwerpobjecten": {"wasKlantcontact": None},
    "/bijlagen": {},
    "/actoren": {"soortActor": "medewerker", "naam": "Piet Post"},
    "/actorklantcontacten": {},
    "/internetaken": {"status": "verwerkt"},
}


def documented() -> set[tuple[str, str]]:
    document = yaml.safe_load(SPEC_PATH.read_text())
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_operation_answers_its_documented_status(ki: Ki) -> None:
    served: set[tuple[str, str]] = set()
    made: dict[str, dict] = {}
    made["other-partij"] = ki.partij(soort="persoon")
    for path, body in BODIES.items():
        created = ki.post(path, body(made))
        assert created.status_code == 201, (path, created.text)
        assert created.headers["api-version"] == "0.9.0"
        made[path] = created.json()
        item = f"{path}/{{uuid}}"
        read = ki.get(made[path]["url"])
        assert read.status_code == 200 and read.json() == made[path], path
        listed = ki.get(path, pageSize=1)
        assert listed.status_code == 200 and listed.json()["count"] >= 1, path
        put = ki.put(made[path]["url"], body(made))
        assert put.status_code == 200, (path, put.text)
        patched = ki.patch(made[path]["url"], PATCHES[path])
        assert patched.status_code == 200, (path, patched.text)
        for name, value in PATCHES[path].items():
            assert patched.json()[name] == value
        served |= {("POST", path), ("GET", path), ("GET", item), ("PUT", item), ("PATCH", item)}
    composite = ki.post(
        "/maak-klantcontact",
        {
            "klantcontact": BODIES["/klantcontacten"](made),
            "betrokkene": {"rol": "klant", "initiator": False},
        },
    )
    assert composite.status_code == 201, composite.text
    served.add(("POST", "/maak-klantcontact"))
    for path in reversed(BODIES):
        url = made[path]["url"]
        if ki.get(url).status_code == 404:  # went with an earlier delete
            url = ki.create(path, BODIES[path](made))["url"]
        assert ki.delete(url).status_code == 204, path
        assert ki.get(url).status_code == 404
        assert ki.delete(url).status_code == 404
        made[path] = ki.create(path, BODIES[path](made)) if path != "/partijen" else made[path]
        served.add(("DELETE", f"{path}/{{uuid}}"))
    assert served == documented()
    assert len(served) == 85


def test_put_needs_every_required_field_and_patch_only_changes_what_is_sent(ki: Ki) -> None:
    """KI-OAS-12."""
    contact = ki.klantcontact(inhoud="eerste")
    response = ki.put(contact["url"], {"kanaal": "balie"})
    assert response.status_code == 400
    missing = {p["name"] for p in response.json()["invalidParams"] if p["code"] == "required"}
    assert {"onderwerp", "taal", "vertrouwelijk"} <= missing
    patched = ki.patch(contact["url"], {"onderwerp": "paspoort"}).json()
    assert patched["inhoud"] == "eerste" and patched["onderwerp"] == "paspoort"


def test_lists_walk_every_page(ki: Ki) -> None:
    """KI-OAS-07."""
    made = {ki.klantcontact()["uuid"] for _ in range(5)}
    seen, url = [], "/klantcontacten?pageSize=2"
    while url:
        page = ki.get(url).json()
        assert page["count"] == 5
        seen += [item["uuid"] for item in page["results"]]
        url = page["next"]
    assert len(seen) == 5 and set(seen) == made
    for params in ({"page": 9}, {"page": 0}, {"pageSize": 0}, {"pageSize": -1}):
        status = ki.get("/klantcontacten", **params).status_code
        assert 400 <= status < 500, params


@pytest.mark.parametrize("status_path", [("/partijen/not-a-uuid", 404), ("/nothing", 404)])
def test_errors_are_problems_with_the_version(ki: Ki, status_path: tuple[str, int]) -> None:
    """KI-OAS-03, -04, -06."""
    path, status = status_path
    response = ki.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["api-version"] == "0.9.0"
    assert {"type", "code", "title", "status", "detail", "instance"} <= response.json().keys()


def test_invalid_input_is_refused_without_a_server_error(ki: Ki) -> None:
    """KI-OAS-05: types, lengths, enums, malformed uuids, non-object bodies."""
    bad = [
        (
            "/klantcontacten",
            {"kanaal": "x", "onderwerp": "y", "taal": "nederlands", "vertrouwelijk": False},
        ),
        ("/partijen", {"soortPartij": "robot", "indicatieActief": True}),
        ("/partijen", {"soortPartij": "persoon", "indicatieActief": True, "nummer": "12345678901"}),
        ("/betrokkenen", {"hadKlantcontact": {"uuid": "nope"}, "rol": "klant", "initiator": True}),
        ("/digitaleadressen", {"adres": "x", "soortDigitaalAdres": "fax"}),
        ("/partijen", [1, 2]),
        ("/partijen", "partij"),
    ]
    for path, body in bad:
        response = ki.post(path, body)
        assert response.status_code == 400, (path, body, response.text)
        assert response.json()["invalidParams"]


def test_expand_values_outside_the_enum_are_refused(ki: Ki) -> None:
    """KI-OAS-10 (the refusal; expansion itself is in test_contact)."""
    partij = ki.persoon(BSNS[1])
    assert ki.get(partij["url"], expand="betrokkenen,nothing").status_code == 400
    assert ki.get("/partijen", expand="nothing").status_code == 400
    assert ki.get(partij["url"], expand="betrokkenen,digitaleAdressen").json()["_expand"] == {
        "betrokkenen": [],
        "digitaleAdressen": [],
    }
