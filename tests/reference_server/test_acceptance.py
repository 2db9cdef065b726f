"""The server accepts everything the standard accepts (the validation audit; see the section
"Where the reference server is stricter than the standard" of specs/DEVIATIONS.md for what it
still refuses, and why)."""

from __future__ import annotations

import pytest

from klanten_conformance.testdata import random_bsn, random_rsin
from reference_server.klanten.klant import elfproef
from tests.reference_server.conftest import API, Server


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("000000000", True),  # 0 is a multiple of 11
        ("123456782", True),
        ("012345672", True),  # a leading zero is fine
        ("123456789", False),
        ("12345678", False),
        ("1234567820", False),
        ("12345678x", False),
        ("１２３４５６７８２", False),  # digits, but not ASCII ones
    ],
)
def test_elfproef_is_the_one_the_standard_names(number: str, valid: bool) -> None:
    assert elfproef(number) is valid


def test_bronorganisatie_000000000_is_accepted(server: Server) -> None:
    """The test collection of the standard's maintainers uses bronorganisatie 000000000."""
    created = server.create(server.body(bronorganisatie="000000000"))
    assert created.json()["bronorganisatie"] == "000000000"
    url = created.json()["url"]
    patched = server.client.patch(url, json={"functie": "x"}, headers=server.headers())
    assert patched.status_code == 200, patched.text


def test_bronorganisatie_failing_the_elfproef_is_refused(server: Server) -> None:
    response = server.create(server.body(bronorganisatie="123456789"), expect=None)
    assert response.status_code == 400
    assert [p["name"] for p in response.json()["invalidParams"]] == ["bronorganisatie"]


@pytest.mark.parametrize("subject_type", ["natuurlijk_persoon", "vestiging"])
def test_subject_type_without_identifying_data_is_a_zelfstandige_klant(
    server: Server, subject_type: str
) -> None:
    """The document lets subjectType be sent alone: such a klant identifies nobody, so it is
    zelfstandig (registered and provided without end-user authentication, not listed)."""
    created = server.create(server.body(subjectType=subject_type)).json()
    assert created["subjectType"] == subject_type
    assert server.get(created["url"]).status_code == 200
    assert server.list(achternaam=created.get("achternaam", "x")).json()["count"] == 0
    listed = server.list(klantnummer=created["klantnummer"]).json()["results"]
    assert [k["url"] for k in listed] == [created["url"]]


def test_zelfstandige_klant_with_subject_type_stays_zelfstandig(server: Server) -> None:
    url = server.create(server.body(subjectType="natuurlijk_persoon")).json()["url"]
    bsn = random_bsn()
    response = server.client.patch(
        url,
        json={"subjectIdentificatie": {"inpBsn": bsn}},
        headers=server.headers(("natuurlijk_persoon", bsn)),
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "wijzigen-niet-toegelaten"


def test_identification_fields_of_no_subject_type_are_dropped(server: Server) -> None:
    """Properties the document does not declare are accepted and not stored, as the
    standard's implementations do; so are those of another subjectType (KLOK01-C3)."""
    body, authn = server.natuurlijk_persoon()
    body["subjectIdentificatie"].update({"vendorVeld": "x", "innNnpId": random_rsin()})
    created = server.create(body, authn).json()
    assert created["subjectIdentificatie"] == {"inpBsn": authn[1]}


def test_identification_without_a_number_needs_no_400(make_server) -> None:
    """Identifying data without a BSN, RSIN or vestigingsnummer is valid by the document;
    without end-user authentication it can be registered, with it no identity can match."""
    open_server = make_server(enforce_authenticatie=False)
    body = open_server.body(
        subjectType="natuurlijk_persoon", subjectIdentificatie={"geslachtsnaam": "Jansen"}
    )
    created = open_server.create(body).json()
    assert created["subjectIdentificatie"] == {"geslachtsnaam": "Jansen"}
    strict = make_server()
    again = {**body, "klantnummer": strict.body()["klantnummer"]}
    refused = strict.create(again, ("natuurlijk_persoon", random_bsn()), expect=None)
    assert refused.status_code == 403, refused.text


@pytest.mark.parametrize("claim", ["a string", ["a", "list"], {"niveau": "hoog"}, 42])
def test_a_malformed_authenticatie_claim_is_no_authentication(server: Server, claim) -> None:
    """A token may carry a claim named authenticatie of another shape: it does not count as
    end-user authentication, and it does not stop what needs none."""
    created = server.create(authn=claim)
    assert server.get(created.json()["url"], claim).status_code == 200
    body, authn = server.natuurlijk_persoon()
    assert server.create(body, claim, expect=None).status_code == 403


def test_identifying_data_needs_a_subject_type(server: Server) -> None:
    """Recorded deviation: without a subjectType a number cannot be told to be a BSN or an
    RSIN, so the cardinalities of KLOK01 and the end-user authentication cannot apply."""
    body = server.body(subjectIdentificatie={"inpBsn": random_bsn()})
    response = server.create(body, expect=None)
    assert response.status_code == 400
    assert {(p["name"], p["code"]) for p in response.json()["invalidParams"]} == {
        ("subjectType", "required")
    }


def test_identifying_data_of_an_aangehaakte_klant_cannot_be_removed(server: Server) -> None:
    """Recorded deviation: it would turn data registered under end-user authentication into
    data provided without it; deleting the klant is the way to remove it."""
    body, authn = server.natuurlijk_persoon()
    url = server.create(body, authn).json()["url"]
    without = {k: v for k, v in body.items() if k != "subjectIdentificatie"}
    for method, sent in (("PUT", without), ("PATCH", {"subjectIdentificatie": {}})):
        response = server.client.request(method, url, json=sent, headers=server.headers(authn))
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "wijzigen-niet-toegelaten"
    deleted = server.client.delete(url, headers=server.headers(authn))
    assert deleted.status_code == 204


def test_unknown_top_level_properties_are_ignored(server: Server) -> None:
    created = server.create(server.body(leverancierVeld="x")).json()
    assert "leverancierVeld" not in created
    assert server.get(f"{API}/klanten/{created['url'].rsplit('/', 1)[1]}").status_code == 200
