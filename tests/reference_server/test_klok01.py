"""Class `klok01` on the reference server: klantgegevens and identificerende gegevens."""

from __future__ import annotations

import uuid

import httpx
import pytest

from klanten_conformance.stubs import SubjectRegistry
from klanten_conformance.testdata import random_bsn, random_rsin, random_vestigingsnummer
from tests.reference_server.conftest import Server


def invalid_codes(response: httpx.Response) -> set[str]:
    """The ``code``s of a 400's invalidParams."""
    assert response.status_code == 400, response.text
    return {param["code"] for param in response.json()["invalidParams"]}


def patch(server: Server, url: str, body: dict, authn: tuple | None = None) -> httpx.Response:
    return server.client.patch(url, json=body, headers=server.headers(authn))


def put(server: Server, url: str, body: dict, authn: tuple | None = None) -> httpx.Response:
    return server.client.put(url, json=body, headers=server.headers(authn))


def read(server: Server, url: str, authn: tuple | None = None) -> dict:
    response = server.get(url, authn)
    assert response.status_code == 200, response.text
    return response.json()


def vestiging(server: Server) -> tuple[dict, tuple]:
    nummer = random_vestigingsnummer()
    identificatie = {"vestigingsNummer": nummer, "handelsnaam": ["Bakkerij De Korenschoof"]}
    body = server.body(
        subjectType="vestiging", subjectIdentificatie=identificatie, bedrijfsnaam="De Korenschoof"
    )
    return body, ("vestiging", nummer)


def identified(server: Server, kind: str) -> tuple[dict, tuple]:
    """A klant with klantgegevens and identifying data of ``kind``, and the matching authn."""
    if kind == "natuurlijk_persoon":
        body, authn = server.natuurlijk_persoon(voornaam="Anna", achternaam="Visser")
        body["subjectIdentificatie"].update(
            {"geslachtsnaam": "Visser", "voornamen": "Anna Maria", "geslachtsaanduiding": "v"}
        )
        return body, authn
    if kind == "niet_natuurlijk_persoon":
        body, authn = server.niet_natuurlijk_persoon(bedrijfsnaam="Visser Holding")
        body["subjectIdentificatie"].update(
            {"statutaireNaam": "Visser Holding B.V.", "innRechtsvorm": "besloten_vennootschap"}
        )
        return body, authn
    return vestiging(server)


def registered_unchanged(server: Server, body: dict, authn: tuple) -> bool:
    """True when ``body`` is stored (201) and read back with the same identifying data."""
    created = server.create(body, authn, expect=None)
    if created.status_code != 201:
        return False
    back = server.get(created.json()["url"], authn)
    if back.status_code != 200:
        return False
    klant = back.json()
    return (
        klant.get("subjectType") == body["subjectType"]
        and klant.get("subjectIdentificatie") == body["subjectIdentificatie"]
    )


# KLOK01-01 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["natuurlijk_persoon", "niet_natuurlijk_persoon", "vestiging"])
def test_klok01_01_identified_klant_is_registered_and_read_back(server: Server, kind: str) -> None:
    """KLOK01-01: klantgegevens plus identifying data (BSN, innNnpId, vestigingsNummer) are
    registered with matching authentication and read back unchanged."""
    body, authn = identified(server, kind)
    created = server.create(body, authn)
    assert created.json()["subjectIdentificatie"] == body["subjectIdentificatie"]
    klant = read(server, created.json()["url"], authn)
    assert klant["subjectType"] == kind
    assert klant["subjectIdentificatie"] == body["subjectIdentificatie"]
    for name in ("klantnummer", "websiteUrl", "voornaam", "achternaam", "bedrijfsnaam"):
        assert klant.get(name) == body.get(name), name


def test_klok01_01_fault_drops_the_identificatie_of_a_vestiging(make_server) -> None:
    """Fault KLOK01-01: of a vestiging's subjectIdentificatie only the vestigingsNummer is
    stored (the klant stays readable by its own end user)."""
    server = make_server(faults=("KLOK01-01",))
    body, authn = vestiging(server)
    assert not registered_unchanged(server, body, authn)
    body, authn = vestiging(server)
    back = server.get(server.create(body, authn).json()["url"], authn)
    assert back.status_code == 200, back.text
    assert back.json()["subjectIdentificatie"] == {"vestigingsNummer": authn[1]}


# KLOK01-02 ------------------------------------------------------------------------------------


def own_klantgegevens(server: Server) -> tuple[dict, tuple]:
    body, authn = server.natuurlijk_persoon(
        voornaam="Hans",
        achternaam="Jansen",
        adres={
            "straatnaam": "Dorpsstraat",
            "huisnummer": 1,
            "postcode": "1234AB",
            "woonplaatsnaam": "Ergens",
            "landcode": "NL",
        },
    )
    body["subjectIdentificatie"].update(
        {
            "voornamen": "Johannes Petrus",
            "geslachtsnaam": "Janssen-de Vries",
            "verblijfsadres": {
                "aoaIdentificatie": "0363200000123456",
                "gorOpenbareRuimteNaam": "Kerkstraat",
                "wplWoonplaatsNaam": "Elders",
            },
        }
    )
    return body, authn


def test_klok01_02_klantgegevens_may_differ_from_identificatie(server: Server) -> None:
    """KLOK01-02: voornaam, achternaam and adres other than in subjectIdentificatie are
    stored as given; the identifying data is kept too."""
    body, authn = own_klantgegevens(server)
    klant = read(server, server.create(body, authn).json()["url"], authn)
    assert klant["voornaam"] == "Hans"
    assert klant["achternaam"] == "Jansen"
    assert klant["adres"]["straatnaam"] == "Dorpsstraat"
    assert klant["subjectIdentificatie"] == body["subjectIdentificatie"]


def test_klok01_02_fault_overwrites_klantgegevens(make_server) -> None:
    """Fault KLOK01-02: voornaam and achternaam are overwritten from subjectIdentificatie."""
    server = make_server(faults=("KLOK01-02",))
    body, authn = own_klantgegevens(server)
    klant = read(server, server.create(body, authn).json()["url"], authn)
    assert (klant.get("voornaam"), klant.get("achternaam")) != ("Hans", "Jansen")


# KLOK01-C1 ------------------------------------------------------------------------------------


def test_klok01_c1_second_klant_with_same_bsn_is_refused(server: Server) -> None:
    """KLOK01-C1: per bronorganisatie at most one klant per BSN (400, code unique)."""
    body, authn = server.natuurlijk_persoon()
    server.create(body, authn)
    second = dict(body, klantnummer=server.body()["klantnummer"])
    response = server.create(second, authn, expect=None)
    assert "unique" in invalid_codes(response)
    found = server.list(authn, klantnummer=second["klantnummer"]).json()
    assert found["count"] == 0


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_klok01_c1_update_may_not_give_a_second_klant_the_bsn(server: Server, method: str) -> None:
    """KLOK01-C1: a PUT/PATCH that gives another klant an already related BSN → 400 unique;
    the other klant keeps its own BSN."""
    first, first_authn = server.natuurlijk_persoon()
    server.create(first, first_authn)
    other, other_authn = server.natuurlijk_persoon()
    url = server.create(other, other_authn).json()["url"]
    taken = {"inpBsn": first["subjectIdentificatie"]["inpBsn"]}
    if method == "PATCH":
        response = patch(server, url, {"subjectIdentificatie": taken}, other_authn)
    else:
        response = put(server, url, dict(other, subjectIdentificatie=taken), other_authn)
    assert "unique" in invalid_codes(response)
    assert read(server, url, other_authn)["subjectIdentificatie"] == other["subjectIdentificatie"]


def test_klok01_c1_same_bsn_in_another_bronorganisatie_is_allowed(server: Server) -> None:
    """KLOK01-C1: the cardinality is per gemeente; another bronorganisatie may relate a klant
    to the same BSN."""
    body, authn = server.natuurlijk_persoon()
    server.create(body, authn)
    elsewhere = dict(body, bronorganisatie=random_rsin(), klantnummer=server.body()["klantnummer"])
    server.create(elsewhere, authn)


def test_klok01_c1_fault_allows_a_second_klant_per_bsn(make_server) -> None:
    """Fault KLOK01-C1: the BSN is not unique within the bronorganisatie."""
    server = make_server(faults=("KLOK01-C1",))
    body, authn = server.natuurlijk_persoon()
    server.create(body, authn)
    second = dict(body, klantnummer=server.body()["klantnummer"])
    assert server.create(second, authn, expect=None).status_code == 201


# KLOK01-C1b -----------------------------------------------------------------------------------


def bsn_query(server: Server, bsn: str, authn: tuple) -> dict:
    response = server.list(
        authn, bronorganisatie=server.bronorganisatie, subjectNatuurlijkPersoon__inpBsn=bsn
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_klok01_c1b_find_by_bsn_or_create(server: Server) -> None:
    """KLOK01-C1b: "klant ophalen op BSN, anders aanmaken": none before, exactly that one
    after creating it."""
    body, authn = server.natuurlijk_persoon()
    bsn = authn[1]
    assert bsn_query(server, bsn, authn)["count"] == 0
    url = server.create(body, authn).json()["url"]
    found = bsn_query(server, bsn, authn)
    assert found["count"] == 1
    assert [k["url"] for k in found["results"]] == [url]


def test_klok01_c1b_fault_answers_from_a_stale_cache(make_server) -> None:
    """Fault KLOK01-C1b: the BSN query is cached, so the new klant is not found."""
    server = make_server(faults=("KLOK01-C1b",))
    body, authn = server.natuurlijk_persoon()
    assert bsn_query(server, authn[1], authn)["count"] == 0
    server.create(body, authn)
    assert bsn_query(server, authn[1], authn)["count"] != 1


# KLOK01-C2 ------------------------------------------------------------------------------------


def test_klok01_c2_many_klanten_per_niet_natuurlijk_persoon(server: Server) -> None:
    """KLOK01-C2: three klanten with the same innNnpId in one bronorganisatie → 201 each,
    and the filter returns all three."""
    rsin = random_rsin()
    urls = set()
    for _ in range(3):
        body, authn = server.niet_natuurlijk_persoon(rsin)
        urls.add(server.create(body, authn).json()["url"])
    found = server.list(
        authn,
        bronorganisatie=server.bronorganisatie,
        subjectNietNatuurlijkPersoon__innNnpId=rsin,
    ).json()
    assert found["count"] == 3
    assert {k["url"] for k in found["results"]} == urls


def test_klok01_c2_fault_allows_one_klant_per_niet_natuurlijk_persoon(make_server) -> None:
    """Fault KLOK01-C2: a second klant for the same innNnpId is refused."""
    server = make_server(faults=("KLOK01-C2",))
    rsin = random_rsin()
    body, authn = server.niet_natuurlijk_persoon(rsin)
    server.create(body, authn)
    body, authn = server.niet_natuurlijk_persoon(rsin)
    assert server.create(body, authn, expect=None).status_code != 201


# KLOK01-C3 ------------------------------------------------------------------------------------


def mixed(server: Server, subject_type: str) -> tuple[dict, tuple, str]:
    """A klant whose subjectIdentificatie mixes natuurlijk and niet-natuurlijk persoon, its
    authn, and the foreign field."""
    bsn, rsin = random_bsn(), random_rsin()
    if subject_type == "natuurlijk_persoon":
        body, authn = server.natuurlijk_persoon(bsn)
        body["subjectIdentificatie"]["innNnpId"] = rsin
        return body, authn, "innNnpId"
    body, authn = server.niet_natuurlijk_persoon(rsin)
    body["subjectIdentificatie"]["inpBsn"] = bsn
    return body, authn, "inpBsn"


@pytest.mark.parametrize("subject_type", ["natuurlijk_persoon", "niet_natuurlijk_persoon"])
def test_klok01_c3_identificatie_may_not_mix_subject_types(server: Server, subject_type) -> None:
    """KLOK01-C3: a klant is related to a natuurlijk persoon or a niet-natuurlijk persoon,
    never both: mixed identification is refused (400) or stored without the foreign field."""
    body, authn, foreign = mixed(server, subject_type)
    response = server.create(body, authn, expect=None)
    if response.status_code == 400:
        assert response.json()["invalidParams"], response.text
        assert server.list(authn, klantnummer=body["klantnummer"]).json()["count"] == 0
        return
    assert response.status_code == 201, response.text
    assert foreign not in read(server, response.json()["url"], authn)["subjectIdentificatie"]


def test_klok01_c3_fault_stores_mixed_identificatie(make_server) -> None:
    """Fault KLOK01-C3: the innNnpId of a natuurlijk persoon is stored as sent."""
    server = make_server(faults=("KLOK01-C3",))
    body, authn, foreign = mixed(server, "natuurlijk_persoon")
    klant = read(server, server.create(body, authn).json()["url"], authn)
    assert foreign in klant["subjectIdentificatie"]


def to_niet_natuurlijk_persoon() -> dict:
    return {
        "subjectType": "niet_natuurlijk_persoon",
        "subjectIdentificatie": {"innNnpId": random_rsin()},
    }


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_klok01_c3_subject_type_of_aangehaakte_klant_is_fixed(server: Server, method) -> None:
    """KLOK01-C3: changing the subjectType of an identified klant → 400
    wijzigen-niet-toegelaten; the klant stays as it was."""
    body, authn = server.natuurlijk_persoon()
    url = server.create(body, authn).json()["url"]
    before = read(server, url, authn)
    change = to_niet_natuurlijk_persoon()
    if method == "PATCH":
        response = patch(server, url, change, authn)
    else:
        response = put(server, url, {**body, **change}, authn)
    assert "wijzigen-niet-toegelaten" in invalid_codes(response)
    assert read(server, url, authn) == before


def test_klok01_c3_fault_allows_changing_the_subject_type(make_server) -> None:
    """Fault KLOK01-C3/subjecttype-change: the subjectType of an aangehaakte klant changes."""
    server = make_server(faults=("KLOK01-C3/subjecttype-change",))
    body, authn = server.natuurlijk_persoon()
    url = server.create(body, authn).json()["url"]
    response = patch(server, url, to_niet_natuurlijk_persoon(), authn)
    assert response.status_code == 200, response.text
    assert response.json()["subjectType"] == "niet_natuurlijk_persoon"


# KLOK01-Z1 ------------------------------------------------------------------------------------


def test_klok01_z1_zelfstandige_klant_without_conditions(server: Server) -> None:
    """KLOK01-Z1: a klant without subject/subjectIdentificatie is registered with a token
    without end-user authentication."""
    created = server.create(server.body(voornaam="Zelf", telefoonnummer="0612345678"))
    klant = created.json()
    assert klant["subjectType"] is None
    assert "subject" not in klant and "subjectIdentificatie" not in klant


def test_klok01_z1_fault_refuses_a_zelfstandige_klant(make_server) -> None:
    """Fault KLOK01-Z1: a klant without subject or subjectIdentificatie is refused unless it
    carries contact data (a condition the ontwerpkeuzes do not allow)."""
    server = make_server(faults=("KLOK01-Z1",))
    assert server.create(server.body(voornaam="Zelf"), expect=None).status_code == 400
    server.create(server.body(emailadres="zelf@example.org"))
    server.create(server.body(telefoonnummer="0612345678"))


# KLOK01-Z2 ------------------------------------------------------------------------------------


@pytest.fixture
def registry():
    with SubjectRegistry() as stub:
        yield stub


def aanhaken(kind: str, registry: SubjectRegistry) -> tuple[dict, tuple]:
    """Identifying data to add to a zelfstandige klant, and the matching authn."""
    bsn = random_bsn()
    authn = ("natuurlijk_persoon", bsn)
    if kind == "subject":
        return {"subjectType": "natuurlijk_persoon", "subject": registry.url_for(200, bsn)}, authn
    return {"subjectType": "natuurlijk_persoon", "subjectIdentificatie": {"inpBsn": bsn}}, authn


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
@pytest.mark.parametrize("kind", ["subjectIdentificatie", "subject"])
def test_klok01_z2_zelfstandige_klant_stays_zelfstandig(
    server: Server, registry: SubjectRegistry, method: str, kind: str
) -> None:
    """KLOK01-Z2: adding subject or subjectIdentificatie to a zelfstandige klant → 400,
    even with matching end-user authentication; the klant is unchanged."""
    body = server.body(voornaam="Zelf")
    url = server.create(body).json()["url"]
    before = read(server, url)
    change, authn = aanhaken(kind, registry)
    if method == "PATCH":
        response = patch(server, url, change, authn)
    else:
        response = put(server, url, {**body, **change}, authn)
    assert response.status_code == 400, response.text
    assert response.json()["invalidParams"]
    assert read(server, url) == before


def test_klok01_z2_fault_makes_a_zelfstandige_klant_aangehaakt(make_server, registry) -> None:
    """Fault KLOK01-Z2: a zelfstandige klant may be given identifying data later."""
    server = make_server(faults=("KLOK01-Z2",))
    url = server.create().json()["url"]
    change, authn = aanhaken("subjectIdentificatie", registry)
    response = patch(server, url, change, authn)
    assert response.status_code == 200, response.text


# KLOK01-Z3 ------------------------------------------------------------------------------------


def zelfstandig_with_contact(server: Server) -> tuple[dict, str]:
    tag = uuid.uuid4().hex[:10]
    body = server.body(
        telefoonnummer="06" + str(uuid.uuid4().int)[:8],
        emailadres=f"z3-{tag}@example.org",
        achternaam=f"Zelfstandig-{tag}",
    )
    return body, server.create(body).json()["url"]


@pytest.mark.parametrize("query", ["telefoonnummer", "emailadres", "achternaam"])
def test_klok01_z3_zelfstandige_klant_not_in_klantbeeld(server: Server, query: str) -> None:
    """KLOK01-Z3: a list query on contact data does not return zelfstandige klanten; a query
    naming the klantnummer of the interaction does, and so does its URL."""
    body, url = zelfstandig_with_contact(server)
    listed = server.list(**{query: body[query]})
    assert listed.status_code == 200, listed.text
    assert listed.json()["count"] == 0
    assert url not in [k["url"] for k in listed.json()["results"]]
    by_nummer = server.list(klantnummer=body["klantnummer"]).json()
    assert [k["url"] for k in by_nummer["results"]] == [url]
    assert read(server, url)["klantnummer"] == body["klantnummer"]


def test_klok01_z3_aangehaakte_klant_is_found_by_contact_data(server: Server) -> None:
    """KLOK01-Z3 (control): the same query does find an aangehaakte klant for its own end
    user, so the filter itself works."""
    tag = uuid.uuid4().hex[:10]
    body, authn = server.natuurlijk_persoon(emailadres=f"z3-{tag}@example.org")
    url = server.create(body, authn).json()["url"]
    listed = server.list(authn, emailadres=body["emailadres"]).json()
    assert [k["url"] for k in listed["results"]] == [url]


def test_klok01_z3_fault_lists_zelfstandige_klanten(make_server) -> None:
    """Fault KLOK01-Z3: zelfstandige klanten are returned by every list query."""
    server = make_server(faults=("KLOK01-Z3",))
    body, url = zelfstandig_with_contact(server)
    listed = server.list(telefoonnummer=body["telefoonnummer"]).json()
    assert url in [k["url"] for k in listed["results"]]
