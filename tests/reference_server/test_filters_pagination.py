"""klant_list of the reference server: its filters (FILTER-01) and pagination (OAS-07), each
with the fault switch that breaks it.

Lists show an aangehaakte klant only to its own authenticated end user, so the filters are
tried on klanten of one niet-natuurlijk persoon (or natuurlijk persoon, or vestiging) with a
token that authenticates it; a klant with another identification number is still theirs when
its subject URL ends in the authenticated number.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from klanten_conformance.stubs import SubjectRegistry
from klanten_conformance.testdata import random_bsn, random_rsin, random_vestigingsnummer
from reference_server.core.spec import load_document
from reference_server.klanten.api import SPEC_PATH
from reference_server.klanten.klant import FILTERS
from tests.reference_server.conftest import API, Server


@pytest.fixture(scope="module")
def registry() -> Iterator[SubjectRegistry]:
    with SubjectRegistry() as stub:
        yield stub


@dataclass
class Scenario:
    server: Server
    authn: tuple[str, str]
    klanten: list[dict]

    def listed(self, **params: object) -> set[str]:
        response = self.server.list(self.authn, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        urls = [k["url"] for k in body["results"]]
        assert body["count"] == len(urls), "all results fit on one page here"
        return set(urls)

    def matching(self, predicate) -> set[str]:
        return {k["url"] for k in self.klanten if predicate(k)}


def nnp_scenario(server: Server, registry: SubjectRegistry) -> Scenario:
    """Four klanten of niet-natuurlijk persoon R, in two bronorganisaties."""
    rsin = random_rsin()
    other_bron = random_rsin()
    specs = [
        dict(
            bedrijfsnaam="Alfa BV",
            functie="inkoper",
            achternaam="Jansen",
            telefoonnummer="0611111111",
            emailadres="alfa@example.org",
            adres={
                "straatnaam": "Dorpsstraat",
                "postcode": "1111AA",
                "woonplaatsnaam": "Utrecht",
                "landcode": "NL",
            },
            subjectIdentificatie={"innNnpId": rsin, "annIdentificatie": "ANN-1"},
        ),
        dict(
            bedrijfsnaam="Alfa BV",
            functie="verkoper",
            achternaam="de Vries",
            telefoonnummer="0622222222",
            emailadres="beta@example.org",
            adres={
                "straatnaam": "Kerkweg",
                "postcode": "2222BB",
                "woonplaatsnaam": "Utrecht",
                "landcode": "BE",
            },
            subjectIdentificatie={"innNnpId": rsin, "annIdentificatie": "ANN-2"},
        ),
        dict(
            bronorganisatie=other_bron,
            bedrijfsnaam="Gamma",
            functie="inkoper",
            achternaam="Jansen",
            telefoonnummer="0611111111",
            emailadres="alfa@example.org",
            adres={
                "straatnaam": "Dorpsstraat",
                "postcode": "2222BB",
                "woonplaatsnaam": "Amsterdam",
                "landcode": "NL",
            },
            subject=registry.url_for(200, f"hr/{rsin}"),
            subjectIdentificatie={"innNnpId": rsin},
        ),
        dict(
            bronorganisatie=other_bron,
            bedrijfsnaam="Delta",
            functie="directeur",
            subject=registry.url_for(200, f"kvk/{rsin}"),
            subjectIdentificatie={"innNnpId": random_rsin(), "annIdentificatie": "ANN-1"},
        ),
    ]
    authn = ("niet_natuurlijk_persoon", rsin)
    klanten = [
        server.create(server.body(subjectType="niet_natuurlijk_persoon", **spec), authn).json()
        for spec in specs
    ]
    # noise: a zelfstandige klant and a klant of another niet-natuurlijk persoon
    server.create(server.body(bedrijfsnaam="Alfa BV", emailadres="alfa@example.org"))
    other, other_authn = server.niet_natuurlijk_persoon(bedrijfsnaam="Alfa BV", functie="inkoper")
    server.create(other, other_authn)
    return Scenario(server, authn, klanten)


def _value(klant: dict, filter_name: str) -> object:
    if filter_name.startswith("adres__"):
        key = filter_name.removeprefix("adres__")
        key = "woonplaatsnaam" if key == "woonplaatsNaam" else key
        return (klant.get("adres") or {}).get(key)
    if "__" in filter_name:
        key = filter_name.split("__", 1)[1]
        key = "inpANummer" if key == "inpA_nummer" else key
        return (klant.get("subjectIdentificatie") or {}).get(key)
    return klant.get(filter_name)


def _implied_subject_type(name: str) -> str | None:
    spec = FILTERS.get(name)
    return spec.implies.get("subject_type") if spec is not None else None


#: every filter of klant_list (the query parameters of the document but page) that a
#: niet-natuurlijk persoon's klanten can match
NNP_FILTERS = [
    name
    for name in load_document(SPEC_PATH).operations["klant_list"].query
    if name != "page" and _implied_subject_type(name) in (None, "niet_natuurlijk_persoon")
]


def test_every_filter_is_tried() -> None:
    """The filters tried below are the document's, less those of other subject types."""
    assert len(NNP_FILTERS) == 15, NNP_FILTERS


@pytest.mark.parametrize("name", NNP_FILTERS)
def test_each_filter_alone(server: Server, registry: SubjectRegistry, name: str) -> None:
    scenario = nnp_scenario(server, registry)
    values = {_value(k, name) for k in scenario.klanten} - {None}
    assert values, f"scenario has no value for {name}"
    for value in values:
        expected = scenario.matching(lambda k, v=value: _value(k, name) == v)
        assert scenario.listed(**{name: value}) == expected, (name, value)
    absent = {"subject": "https://example.org/nobody", "subjectType": "vestiging"}
    assert scenario.listed(**{name: absent.get(name, "no-such-value")}) == set()


def test_filters_are_exact_matches(server: Server, registry: SubjectRegistry) -> None:
    scenario = nnp_scenario(server, registry)
    assert scenario.listed(bedrijfsnaam="Alfa") == set()
    assert scenario.listed(emailadres="ALFA@example.org") == set()
    assert scenario.listed(adres__postcode="1111") == set()


def test_filters_combined(server: Server, registry: SubjectRegistry) -> None:
    scenario = nnp_scenario(server, registry)
    k1, k2, k3, k4 = scenario.klanten
    assert scenario.listed(functie="inkoper", achternaam="Jansen") == {k1["url"], k3["url"]}
    assert scenario.listed(functie="inkoper", bronorganisatie=k1["bronorganisatie"]) == {k1["url"]}
    assert scenario.listed(emailadres="alfa@example.org", adres__postcode="2222BB") == {k3["url"]}
    assert scenario.listed(
        subjectNietNatuurlijkPersoon__annIdentificatie="ANN-1",
        bronorganisatie=k4["bronorganisatie"],
    ) == {k4["url"]}
    assert scenario.listed(
        adres__woonplaatsNaam="Utrecht", adres__landcode="NL", telefoonnummer="0611111111"
    ) == {k1["url"]}
    assert scenario.listed(bedrijfsnaam="Alfa BV", functie="directeur") == set()
    assert scenario.listed(subjectType="niet_natuurlijk_persoon") == {
        k["url"] for k in scenario.klanten
    }
    assert scenario.listed(subjectType="vestiging") == set()
    assert scenario.listed(subjectNatuurlijkPersoon__inpBsn=random_bsn()) == set()


def test_empty_filter_value_is_ignored(server: Server, registry: SubjectRegistry) -> None:
    scenario = nnp_scenario(server, registry)
    everything = scenario.listed()
    assert everything == {k["url"] for k in scenario.klanten}
    assert scenario.listed(emailadres="") == everything
    assert scenario.listed(emailadres="", bedrijfsnaam="", functie="inkoper") == scenario.listed(
        functie="inkoper"
    )


def test_natuurlijk_persoon_filters(server: Server, registry: SubjectRegistry) -> None:
    bsn = random_bsn()
    authn = ("natuurlijk_persoon", bsn)
    identificaties = [
        {"inpBsn": bsn, "anpIdentificatie": "ANP-1", "inpANummer": "1234567890"},
        {"inpBsn": bsn, "anpIdentificatie": "ANP-2", "inpANummer": "2234567890"},
        {"anpIdentificatie": "ANP-1"},
    ]
    klanten = []
    for i, identificatie in enumerate(identificaties):
        extra = {"subject": registry.url_for(200, f"brp/{bsn}")} if i == 2 else {}
        body = server.body(
            bronorganisatie=random_rsin(),
            subjectType="natuurlijk_persoon",
            subjectIdentificatie=identificatie,
            **extra,
        )
        klanten.append(server.create(body, authn).json()["url"])
    scenario = Scenario(server, authn, [])
    k1, k2, k3 = klanten
    assert scenario.listed(subjectNatuurlijkPersoon__inpBsn=bsn) == {k1, k2}
    assert scenario.listed(subjectNatuurlijkPersoon__anpIdentificatie="ANP-1") == {k1, k3}
    assert scenario.listed(subjectNatuurlijkPersoon__inpA_nummer="2234567890") == {k2}
    assert scenario.listed(
        subjectNatuurlijkPersoon__inpBsn=bsn, subjectNatuurlijkPersoon__anpIdentificatie="ANP-1"
    ) == {k1}
    assert scenario.listed(subjectType="natuurlijk_persoon") == {k1, k2, k3}
    assert scenario.listed(subjectNietNatuurlijkPersoon__innNnpId=bsn) == set()


def test_vestiging_filter(server: Server, registry: SubjectRegistry) -> None:
    nummer, other = random_vestigingsnummer(), random_vestigingsnummer()
    authn = ("vestiging", nummer)
    own = server.create(
        server.body(subjectType="vestiging", subjectIdentificatie={"vestigingsNummer": nummer}),
        authn,
    ).json()["url"]
    linked = server.create(
        server.body(
            subjectType="vestiging",
            subjectIdentificatie={"vestigingsNummer": other},
            subject=registry.url_for(200, f"hr/{nummer}"),
        ),
        authn,
    ).json()["url"]
    scenario = Scenario(server, authn, [])
    assert scenario.listed() == {own, linked}
    assert scenario.listed(subjectVestiging__vestigingsNummer=nummer) == {own}
    assert scenario.listed(subjectVestiging__vestigingsNummer=other) == {linked}


def test_klantnummer_filter_finds_zelfstandige_klanten(server: Server) -> None:
    first = server.create().json()
    second = server.create().json()
    response = server.list(klantnummer=first["klantnummer"])
    assert [k["url"] for k in response.json()["results"]] == [first["url"]]
    response = server.list(
        klantnummer=second["klantnummer"], bronorganisatie=second["bronorganisatie"]
    )
    assert [k["url"] for k in response.json()["results"]] == [second["url"]]
    response = server.list(klantnummer=second["klantnummer"], bronorganisatie=random_rsin())
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"subjectType": "alien"},
        {"subjectType": "NATUURLIJK_PERSOON"},
        {"subject": "not a uri"},
        {"subject": "example.org/no-scheme"},
    ],
)
def test_invalid_filter_value_is_400(server: Server, params: dict) -> None:
    response = server.list(**params)
    assert response.status_code == 400, response.text
    assert {p["name"] for p in response.json()["invalidParams"]} == set(params)


def test_fault_invalid_filter_value_ignored(make_server) -> None:
    """FILTER-01/invalid-ignored: an invalid filter value gives the unfiltered list; an invalid
    page is still refused."""
    server = make_server(faults=("FILTER-01/invalid-ignored",))
    authn, _ = paged_scenario(server, 2)
    for params in ({"subjectType": "alien"}, {"subject": "example.org/no-scheme"}):
        response = server.list(authn, **params)
        assert response.status_code == 200, response.text
        assert response.json()["count"] == 2
    assert server.list(page="abc").status_code == 400


def test_fault_filter01_ignores_emailadres(make_server, registry: SubjectRegistry) -> None:
    server = make_server(faults=("FILTER-01",))
    scenario = nnp_scenario(server, registry)
    assert scenario.listed(emailadres="beta@example.org") == {k["url"] for k in scenario.klanten}


# OAS-07 ---------------------------------------------------------------------------------------


def paged_scenario(server: Server, n: int = 5) -> tuple[tuple, list[str]]:
    rsin = random_rsin()
    authn = ("niet_natuurlijk_persoon", rsin)
    urls = [
        server.create(server.niet_natuurlijk_persoon(rsin)[0], authn).json()["url"]
        for _ in range(n)
    ]
    return authn, urls


def test_pages_have_count_next_previous_results(make_server) -> None:
    server = make_server(page_size=2)
    authn, urls = paged_scenario(server)
    first = server.list(authn)
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["previous"] is None
    assert body["next"] and "page=2" in body["next"]
    assert body["next"].startswith("http")
    last = server.list(authn, page=3).json()
    assert last["count"] == 5
    assert len(last["results"]) == 1
    assert last["next"] is None
    assert last["previous"] and "page=2" in last["previous"]


def test_walking_next_visits_every_klant_once(make_server) -> None:
    server = make_server(page_size=2)
    authn, urls = paged_scenario(server)
    seen: list[str] = []
    page_url: str | None = f"{API}/klanten"
    pages = 0
    while page_url:
        response = server.get(page_url, authn)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [k["url"] for k in body["results"]]
        page_url = body["next"]
        pages += 1
        assert pages <= 10, "next does not end"
    assert pages == 3
    assert sorted(seen) == sorted(urls)
    assert len(seen) == len(set(seen))


def test_next_keeps_the_filters(make_server) -> None:
    server = make_server(page_size=2)
    authn, urls = paged_scenario(server)
    response = server.list(authn, subjectType="niet_natuurlijk_persoon")
    next_url = response.json()["next"]
    assert "subjectType=niet_natuurlijk_persoon" in next_url
    assert server.get(next_url, authn).json()["count"] == 5


def test_previous_walks_back(make_server) -> None:
    server = make_server(page_size=2)
    authn, urls = paged_scenario(server)
    last = server.list(authn, page=3).json()
    middle = server.get(last["previous"], authn).json()
    first = server.get(middle["previous"], authn).json()
    assert first["previous"] is None
    assert [k["url"] for k in first["results"] + middle["results"] + last["results"]] == urls


@pytest.mark.parametrize("page", ["0", "4", "-1", "99999999999999999999"])
def test_invalid_page_is_404(make_server, page: str) -> None:
    server = make_server(page_size=2)
    authn, _ = paged_scenario(server)
    response = server.list(authn, page=page)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_first_page_of_an_empty_list_is_200(make_server) -> None:
    server = make_server(page_size=2)
    response = server.list(("niet_natuurlijk_persoon", random_rsin()), page=1)
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("page", ["abc", "1.5", "2x"])
def test_non_integer_page_is_400(make_server, page: str) -> None:
    server = make_server(page_size=2)
    response = server.list(page=page)
    assert response.status_code == 400, response.text
    assert "page" in {p["name"] for p in response.json()["invalidParams"]}


def test_fault_oas07_next_is_always_null(make_server) -> None:
    server = make_server(page_size=2, faults=("OAS-07",))
    authn, _ = paged_scenario(server)
    body = server.list(authn).json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["next"] is None


def test_fault_oas07_page_beyond_last_is_200_empty(make_server) -> None:
    server = make_server(page_size=2, faults=("OAS-07/page-beyond-last",))
    authn, _ = paged_scenario(server)
    response = server.list(authn, page="4")
    assert response.status_code == 200, response.text
    assert response.json()["results"] == []
    assert server.list(authn, page="0").status_code == 404  # pages still start at 1
