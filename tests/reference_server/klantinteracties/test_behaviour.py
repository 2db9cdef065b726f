"""Behaviour beyond one check per rule: maak-klantcontact's atomicity, Token auth on every
operation, nested partijIdentificatoren, every expand value, every documented filter, the
cascading delete of an onderwerpobject."""

from __future__ import annotations

import uuid

import pytest
import yaml

from klanten_conformance.testdata import random_bsn, random_rsin
from reference_server.klantinteracties.api import SPEC_PATH
from tests.reference_server.klantinteracties.conftest import BASE, Ki, group, ref

DOCUMENT = yaml.safe_load(SPEC_PATH.read_text())
KLANTCONTACT = {"kanaal": "telefoon", "onderwerp": "afval", "taal": "nld", "vertrouwelijk": False}


def counts(ki: Ki) -> dict[str, int]:
    paths = ("/klantcontacten", "/betrokkenen", "/onderwerpobjecten", "/partijen")
    return {path: ki.get(path).json()["count"] for path in paths}


def test_maak_klantcontact_links_all_three(ki: Ki) -> None:
    elsewhere = ki.klantcontact()
    body = {
        "klantcontact": KLANTCONTACT,
        "betrokkene": {"rol": "klant", "initiator": True, "hadKlantcontact": ref(elsewhere)},
        "onderwerpobject": {
            "klantcontact": ref(elsewhere),
            "onderwerpobjectidentificator": {
                "objectId": "Z1",
                "codeObjecttype": "zaak",
                "codeRegister": "zrc",
                "codeSoortObjectId": "id",
            },
        },
    }
    made = ki.create("/maak-klantcontact", body)
    contact = made["klantcontact"]
    assert made["betrokkene"]["hadKlantcontact"]["uuid"] == contact["uuid"]
    assert made["onderwerpobject"]["klantcontact"]["uuid"] == contact["uuid"]
    read = ki.get(contact["url"]).json()
    assert [b["uuid"] for b in read["hadBetrokkenen"]] == [made["betrokkene"]["uuid"]]
    assert [o["uuid"] for o in read["gingOverOnderwerpobjecten"]] == [
        made["onderwerpobject"]["uuid"]
    ]
    assert ki.get(elsewhere["url"]).json()["hadBetrokkenen"] == []


@pytest.mark.parametrize(
    "broken",
    [
        {"betrokkene": {"rol": "baas", "initiator": True}},
        {
            "betrokkene": {
                "rol": "klant",
                "initiator": True,
                "wasPartij": {"uuid": str(uuid.uuid4())},
            }
        },
        {"onderwerpobject": {"wasKlantcontact": {"uuid": str(uuid.uuid4())}}},
        {"klantcontact": {**KLANTCONTACT, "taal": "nederlands"}},
        {"klantcontact": {**KLANTCONTACT, "nummer": "taken"}},
        {"klantcontact": {**KLANTCONTACT, "nummer": "4711"}},
    ],
)
def test_maak_klantcontact_stores_nothing_when_a_part_is_invalid(ki: Ki, broken: dict) -> None:
    ki.klantcontact(nummer="4711")
    before = counts(ki)
    body = {
        "klantcontact": KLANTCONTACT,
        "betrokkene": {"rol": "klant", "initiator": True},
        **broken,
    }
    response = ki.post("/maak-klantcontact", body)
    assert response.status_code == 400, response.text
    assert response.json()["invalidParams"]
    assert counts(ki) == before


def operations() -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


@pytest.mark.parametrize("header", [None, "Token unknown", "Token ", "Bearer {key}", "{key}"])
def test_every_operation_refuses_a_request_without_a_valid_token(
    ki: Ki, header: str | None
) -> None:
    """KI-AUTH-01, -04: 401 with the challenge, a problem body, nothing changed."""
    partij = ki.partij()
    key = ki.headers["Authorization"].removeprefix("Token ")
    headers = {} if header is None else {"Authorization": header.format(key=key)}
    for method, path in operations():
        target = BASE + path.replace("{uuid}", partij["uuid"])
        response = ki.client.request(method, target, json={"naam": "x"}, headers=headers)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"] == "Token"
        assert response.json()["code"] == "not_authenticated"
    assert ki.get(partij["url"]).json() == partij
    assert counts(ki) == {
        "/klantcontacten": 0,
        "/betrokkenen": 0,
        "/onderwerpobjecten": 0,
        "/partijen": 1,
    }


def test_nested_identificatoren_update_attach_and_remove(ki: Ki) -> None:
    """KI-GED-11, -12."""
    loose = ki.identificator(None, "rsin", random_rsin()).json()
    partij = ki.partij(group("kvk_nummer", random_rsin()[:8]), soort="organisatie")
    kvk = partij["partijIdentificatoren"][0]
    changed = {
        "uuid": loose["uuid"],
        "partijIdentificator": loose["partijIdentificator"],
        "anderePartijIdentificator": "oud",
    }
    patched = ki.patch(
        partij["url"], {"soortPartij": "organisatie", "partijIdentificatoren": [changed]}
    )
    assert patched.status_code == 200, patched.text
    held = patched.json()["partijIdentificatoren"]
    assert [i["uuid"] for i in held] == [loose["uuid"]] and held[0][
        "anderePartijIdentificator"
    ] == "oud"
    assert ki.get(loose["url"]).json()["identificeerdePartij"]["uuid"] == partij["uuid"]
    assert ki.get(kvk["url"]).status_code == 404
    bad = [changed, {"partijIdentificator": group("bsn", "123456789")}]
    before = ki.get(partij["url"]).json()
    refused = ki.patch(
        partij["url"],
        {"soortPartij": "organisatie", "interneNotitie": "x", "partijIdentificatoren": bad},
    )
    assert refused.status_code == 400
    assert ki.get(partij["url"]).json() == before


def test_every_expand_value(ki: Ki) -> None:
    """KI-OAS-10: each value of each operation's enum, alone and all together."""
    partij = ki.persoon(random_bsn())
    contact = ki.klantcontact()
    betrokkene = ki.betrokkene(contact, wasPartij=ref(partij))
    adres = ki.adres(verstrektDoorBetrokkene=ref(betrokkene)).json()
    ki.create(
        "/internetaken",
        {
            "aanleidinggevendKlantcontact": ref(contact),
            "gevraagdeHandeling": "bel",
            "status": "te_verwerken",
        },
    )
    items = {
        "/partijen": partij,
        "/klantcontacten": contact,
        "/betrokkenen": betrokkene,
        "/digitaleadressen": adres,
    }
    for path, item in DOCUMENT["paths"].items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("name") != "expand":
                    continue
                values = parameter["schema"]["items"]["enum"]
                collection = path.removesuffix("/{uuid}")
                target = items[collection]["url"] if "{uuid}" in path else collection
                for value in [*values, ",".join(values)]:
                    response = ki.get(target, expand=value)
                    assert response.status_code == 200, (path, value, response.text)
                    body = response.json() if "{uuid}" in path else response.json()["results"][0]
                    for asked in value.split(","):
                        head = asked.split(".")[0]
                        assert head in body["_expand"], (path, asked)
    expanded = ki.get(contact["url"], expand="hadBetrokkenen.digitaleAdressen").json()["_expand"]
    assert expanded["hadBetrokkenen"][0]["_expand"]["digitaleAdressen"][0]["uuid"] == adres["uuid"]
    via = ki.get(
        adres["url"], expand="verstrektDoorBetrokkene.hadKlantcontact.leiddeTotInterneTaken"
    )
    chain = via.json()["_expand"]["verstrektDoorBetrokkene"]["_expand"]["hadKlantcontact"]
    assert len(chain["_expand"]["leiddeTotInterneTaken"]) == 1


def sample(schema: dict) -> str:
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("type") == "boolean":
        return "true"
    if schema.get("type") == "integer":
        return "1"
    return {
        "uuid": str(uuid.uuid4()),
        "uri": f"http://testserver{BASE}/x/{uuid.uuid4()}",
        "date": "2024-01-01",
        "date-time": "2024-01-01T00:00:00Z",
    }.get(schema.get("format", ""), "abc")


def test_every_documented_filter_answers(ki: Ki) -> None:
    """KI-OAS-09: every filter, alone, with a value of its type → 200 (and nothing found
    in an empty list); a wrongly typed uuid/boolean/date/enum → 400."""
    for path, item in DOCUMENT["paths"].items():
        if "{" in path or "get" not in item:
            continue
        for parameter in item["get"].get("parameters", []):
            name, schema = parameter["name"], parameter.get("schema", {})
            if name in ("page", "pageSize", "expand"):
                continue
            response = ki.get(path, **{name: sample(schema)})
            assert response.status_code == 200, (path, name, response.text)
            typed = (
                schema.get("enum")
                or schema.get("type") == "boolean"
                or schema.get("format") in ("uuid", "date", "date-time")
            )
            if typed:
                assert ki.get(path, **{name: "not-valid"}).status_code == 400, (path, name)


def test_filters_combine_on_one_identificator(ki: Ki) -> None:
    """KI-KLOK01-C1b and the digitaleadressen/betrokkenen/klantcontacten variants."""
    bsn = random_bsn()
    partij = ki.persoon(bsn)
    contact = ki.klantcontact()
    betrokkene = ki.betrokkene(contact, wasPartij=ref(partij))
    ki.adres("p@example.org", verstrektDoorPartij=ref(partij))
    ki.klantcontact()
    for path, prefix in (
        ("/partijen", "partijIdentificator"),
        ("/betrokkenen", "wasPartij__partijIdentificator"),
        ("/klantcontacten", "hadBetrokkene__wasPartij__partijIdentificator"),
        ("/digitaleadressen", "verstrektDoorPartij__partijIdentificator"),
    ):
        query = {f"{prefix}__codeSoortObjectId": "bsn", f"{prefix}__objectId": bsn}
        assert ki.get(path, **query).json()["count"] == 1, path
        assert ki.get(path, **{f"{prefix}__objectId": random_bsn()}).json()["count"] == 0, path
    assert (
        ki.results("/betrokkenen", hadKlantcontact__url=contact["url"])[0]["uuid"]
        == betrokkene["uuid"]
    )


def test_onderwerpobject_delete_with_cascade(ki: Ki) -> None:
    kept, gone = ki.klantcontact(), ki.klantcontact()
    ki.create("/onderwerpobjecten", {"klantcontact": ref(kept)})
    link = ki.create(
        "/onderwerpobjecten", {"klantcontact": ref(gone), "wasKlantcontact": ref(kept)}
    )
    response = ki.delete(link["url"], cascade="true")
    assert response.status_code == 200
    assert response.json() == {"behouden": [kept["url"]]}
    assert ki.get(gone["url"]).status_code == 404 and ki.get(kept["url"]).status_code == 200
    other = ki.create("/onderwerpobjecten", {"klantcontact": ref(kept)})
    assert ki.delete(other["url"]).status_code == 204


def test_a_nested_parent_keeps_its_soort(ki: Ki) -> None:
    """KI-GED-09 through nested partijIdentificatoren."""
    partij = ki.partij(group("kvk_nummer", random_rsin()[:8]), soort="organisatie")
    parent = partij["partijIdentificatoren"][0]
    ki.identificator(None, "vestigingsnummer", "296648875154", subIdentificatorVan=ref(parent))
    item = {"uuid": parent["uuid"], "partijIdentificator": group("rsin", random_rsin())}
    changed = ki.patch(
        partij["url"], {"soortPartij": "organisatie", "partijIdentificatoren": [item]}
    )
    assert changed.status_code == 400
    assert ki.get(parent["url"]).json() == parent


def test_faults_stay_with_their_api(make_ki) -> None:  # noqa: ANN001
    """A Klantinteracties fault leaves the Klanten API alone, and the other way round."""
    ki = make_ki(faults=("KI-OAS-06", "OAS-04"))
    assert "api-version" not in ki.get("/actoren").headers
    assert ki.get("/nothing").headers["content-type"] == "application/problem+json"
    klanten = ki.client.get("/klanten/api/v1/klanten")
    assert klanten.headers["api-version"] == "1.0.0"
    assert klanten.headers["content-type"] == "application/json"


def test_patch_without_a_body_changes_nothing(ki: Ki) -> None:
    """The document makes PATCH bodies optional; a partij or actor still needs its soort."""
    contact = ki.klantcontact()
    empty = ki.client.patch(contact["url"], headers=ki.headers)
    assert empty.status_code == 200 and empty.json() == contact
    partij = ki.partij(soort="organisatie")
    for body in (None, {}, {"interneNotitie": "x"}):
        response = ki.client.patch(partij["url"], json=body, headers=ki.headers)
        assert response.status_code == 400, body
        assert response.json()["invalidParams"][0]["name"] == "soortPartij"


def test_an_empty_expand_is_no_expand(ki: Ki) -> None:
    contact = ki.klantcontact()
    response = ki.get(contact["url"], expand="")
    assert response.status_code == 200 and "_expand" not in response.json()


def test_an_optional_body_may_be_left_out(ki: Ki) -> None:
    """Where the document does not require a request body, none reads as {}; where it does,
    none is a 415."""
    categorie = ki.client.post(f"{BASE}/categorieen", headers=ki.headers)
    assert categorie.status_code == 201, categorie.text
    assert ki.client.put(categorie.json()["url"], headers=ki.headers).status_code == 200
    assert ki.client.post(f"{BASE}/klantcontacten", headers=ki.headers).status_code == 415
