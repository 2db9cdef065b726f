"""Class `authenticatie` on the reference server: registering, providing and changing an
aangehaakte klant needs matching end-user authentication (AUTHN-01..04)."""

from __future__ import annotations

import httpx
import pytest

from klanten_conformance.testdata import random_rsin
from tests.reference_server.conftest import API, Server


def assert_refused(response: httpx.Response) -> None:
    """403 with a problem body (HEAD: no body)."""
    assert response.status_code == 403, f"{response.request.method}: {response.text}"
    if response.request.method != "HEAD":
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["status"] == 403 and body["code"], body


def stored_count(server: Server, body: dict, authn: tuple) -> int:
    """Klanten with the klantnummer of ``body``, as seen by its rightful end user."""
    response = server.list(authn, klantnummer=body["klantnummer"])
    assert response.status_code == 200, response.text
    return response.json()["count"]


def wrong_authentications(authn: tuple) -> dict[str, dict | None]:
    """End-user authentications that do not allow access to the klant of ``authn``."""
    subject_type, identificatie = authn
    other_type = (
        "niet_natuurlijk_persoon"
        if subject_type == "natuurlijk_persoon"
        else ("natuurlijk_persoon")
    )
    claim = {"subjectType": subject_type, "identificatie": identificatie}
    return {
        "without": None,
        "niveau laag": {**claim, "niveau": "laag"},
        "another identity": {**claim, "identificatie": random_rsin(), "niveau": "substantieel"},
        "another subjectType": {**claim, "subjectType": other_type, "niveau": "substantieel"},
    }


WRONG = list(wrong_authentications(("natuurlijk_persoon", "x")))


# AUTHN-01 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", WRONG)
@pytest.mark.parametrize("who", ["natuurlijk_persoon", "niet_natuurlijk_persoon"])
def test_authn01_registering_identifying_data_needs_matching_authn(
    server: Server, kind: str, who: str
) -> None:
    """AUTHN-01: without end-user authentication, below the minimum level (laag <
    substantieel), as another identity or another subjectType → 403, nothing stored."""
    make = (
        server.natuurlijk_persoon
        if who == "natuurlijk_persoon"
        else (server.niet_natuurlijk_persoon)
    )
    body, authn = make()
    assert_refused(server.create(body, wrong_authentications(authn)[kind], expect=None))
    assert stored_count(server, body, authn) == 0


def test_authn01_matching_authn_registers(server: Server) -> None:
    """AUTHN-01: with the identity being registered, at the minimum level → 201."""
    body, authn = server.natuurlijk_persoon()
    server.create(body, authn)
    assert stored_count(server, body, authn) == 1


@pytest.mark.parametrize(
    "claim",
    [
        "123456782",
        ["natuurlijk_persoon", "123456782", "substantieel"],
        {"subjectType": "natuurlijk_persoon", "identificatie": "BSN", "niveau": "middel"},
        {"subjectType": "persoon", "identificatie": "BSN", "niveau": "substantieel"},
        {"subjectType": "natuurlijk_persoon", "niveau": "substantieel"},
    ],
)
def test_authn01_malformed_authenticatie_claim_is_refused(server: Server, claim) -> None:
    """A malformed authenticatie claim (not an object, unknown niveau or subjectType, no
    identificatie) → 403, nothing stored."""
    body, authn = server.natuurlijk_persoon()
    if isinstance(claim, dict) and claim.get("identificatie") == "BSN":
        claim = {**claim, "identificatie": authn[1]}
    assert_refused(server.create(body, claim, expect=None))
    assert stored_count(server, body, authn) == 0


def test_authn01_minimum_niveau_is_configurable(make_server) -> None:
    """AUTHN-01: with min_niveau hoog, substantieel is not enough and hoog is."""
    server = make_server(min_niveau="hoog")
    body, authn = server.natuurlijk_persoon()
    assert_refused(server.create(body, authn, expect=None))
    claim = {"subjectType": authn[0], "identificatie": authn[1], "niveau": "hoog"}
    server.create(body, claim)


def test_authn01_enforcement_can_be_switched_off(make_server) -> None:
    """With enforce_authenticatie = false the operator takes responsibility: identifying data
    is registered and provided without end-user authentication."""
    server = make_server(enforce_authenticatie=False)
    body, _ = server.natuurlijk_persoon()
    url = server.create(body).json()["url"]
    assert server.get(url).status_code == 200


def test_authn01_fault_registers_without_authn(make_server) -> None:
    """Fault AUTHN-01: identifying data is registered without end-user authentication."""
    server = make_server(faults=("AUTHN-01",))
    body, _ = server.natuurlijk_persoon()
    assert server.create(body, expect=None).status_code == 201


# AUTHN-02 -------------------------------------------------------------------------------------


def aangehaakte_klant(server: Server) -> tuple[dict, str, tuple, str]:
    """An aangehaakte klant (body, url, authn) and the URL of its create audittrail entry."""
    body, authn = server.natuurlijk_persoon()
    url = server.create(body, authn).json()["url"]
    trail = server.get(f"{url}/audittrail", authn)
    assert trail.status_code == 200, trail.text
    return body, url, authn, f"{url}/audittrail/{trail.json()[0]['uuid']}"


def listed(server: Server, authn: tuple | dict | None, **query: str) -> list[str]:
    response = server.list(authn, **query)
    assert response.status_code == 200, response.text
    return [k["url"] for k in response.json()["results"]]


@pytest.mark.parametrize("kind", WRONG)
def test_authn02_providing_needs_matching_authn(server: Server, kind: str) -> None:
    """AUTHN-02: read, HEAD and audittrail of an aangehaakte klant without matching end-user
    authentication → 403; a list omits the klant."""
    body, url, authn, audit_url = aangehaakte_klant(server)
    wrong = wrong_authentications(authn)[kind]
    headers = server.headers(wrong)
    for method, target in [
        ("GET", url),
        ("HEAD", url),
        ("GET", f"{url}/audittrail"),
        ("GET", audit_url),
    ]:
        assert_refused(server.client.request(method, target, headers=headers))
    assert url not in listed(server, wrong, bronorganisatie=server.bronorganisatie)
    assert url not in listed(server, wrong, klantnummer=body["klantnummer"])
    bsn = authn[1]
    assert url not in listed(server, wrong, subjectNatuurlijkPersoon__inpBsn=bsn)


def test_authn02_matching_authn_provides(server: Server) -> None:
    """AUTHN-02: with matching end-user authentication → 200 and listed."""
    body, url, authn, audit_url = aangehaakte_klant(server)
    headers = server.headers(authn)
    for method, target in [
        ("GET", url),
        ("HEAD", url),
        ("GET", f"{url}/audittrail"),
        ("GET", audit_url),
    ]:
        response = server.client.request(method, target, headers=headers)
        assert response.status_code == 200, f"{method} {target}: {response.text}"
    assert server.get(url, authn).json()["subjectIdentificatie"] == body["subjectIdentificatie"]
    assert url in listed(server, authn, bronorganisatie=server.bronorganisatie)
    assert url in listed(server, authn, subjectNatuurlijkPersoon__inpBsn=authn[1])


def test_authn02_fault_provides_without_authn(make_server) -> None:
    """Fault AUTHN-02: an aangehaakte klant is provided without end-user authentication."""
    server = make_server(faults=("AUTHN-02",))
    _, url, _, _ = aangehaakte_klant(server)
    assert server.get(url).status_code == 200
    assert url in listed(server, None, bronorganisatie=server.bronorganisatie)


# AUTHN-03 -------------------------------------------------------------------------------------


def changes(body: dict, url: str) -> list[tuple[str, str, dict | None]]:
    return [
        ("PUT", url, {**body, "functie": "changed by PUT"}),
        ("PATCH", url, {"functie": "changed by PATCH"}),
        ("DELETE", url, None),
    ]


@pytest.mark.parametrize("kind", WRONG)
def test_authn03_changing_needs_matching_authn(server: Server, kind: str) -> None:
    """AUTHN-03: PUT, PATCH and DELETE of an aangehaakte klant without matching end-user
    authentication → 403; the klant and its audittrail are unchanged."""
    body, url, authn, _ = aangehaakte_klant(server)
    before = server.get(url, authn).json()
    trail = server.get(f"{url}/audittrail", authn).json()
    headers = server.headers(wrong_authentications(authn)[kind])
    for method, target, change in changes(body, url):
        assert_refused(server.client.request(method, target, json=change, headers=headers))
    assert server.get(url, authn).json() == before
    assert server.get(f"{url}/audittrail", authn).json() == trail


def test_authn03_matching_authn_changes(server: Server) -> None:
    """AUTHN-03: with matching end-user authentication PUT → 200, PATCH → 200, DELETE → 204."""
    body, url, authn, _ = aangehaakte_klant(server)
    headers = server.headers(authn)
    expected = {"PUT": 200, "PATCH": 200, "DELETE": 204}
    for method, target, change in changes(body, url):
        response = server.client.request(method, target, json=change, headers=headers)
        assert response.status_code == expected[method], f"{method}: {response.text}"
    assert server.get(url, authn).status_code == 404


def test_authn03_fault_changes_without_authn(make_server) -> None:
    """Fault AUTHN-03: an aangehaakte klant is changed and deleted without authentication."""
    server = make_server(faults=("AUTHN-03",))
    _, url, _, _ = aangehaakte_klant(server)
    response = server.client.patch(url, json={"functie": "x"}, headers=server.headers())
    assert response.status_code == 200, response.text
    assert server.client.delete(url, headers=server.headers()).status_code == 204


# AUTHN-04 -------------------------------------------------------------------------------------


def test_authn04_zelfstandige_klant_needs_no_authn(server: Server) -> None:
    """AUTHN-04: a zelfstandige klant is registered, provided, changed and deleted without
    end-user authentication."""
    body = server.body(voornaam="Zelf")
    url = server.create(body).json()["url"]
    headers = server.headers()
    assert server.client.get(url, headers=headers).status_code == 200
    assert server.client.head(url, headers=headers).status_code == 200
    assert server.client.get(f"{url}/audittrail", headers=headers).status_code == 200
    assert listed(server, None, klantnummer=body["klantnummer"]) == [url]
    patched = server.client.patch(url, json={"voornaam": "Ander"}, headers=headers)
    assert patched.status_code == 200, patched.text
    assert server.client.delete(url, headers=headers).status_code == 204


def test_authn04_zelfstandige_klant_with_any_authn(server: Server) -> None:
    """AUTHN-04: an end-user authentication that names someone else does not matter for a
    zelfstandige klant."""
    stranger = ("niet_natuurlijk_persoon", random_rsin())
    url = server.create(server.body(), stranger).json()["url"]
    assert server.get(url).status_code == 200
    assert server.get(url, stranger).status_code == 200


def test_authn04_fault_requires_authn_for_zelfstandige_klant(make_server) -> None:
    """Fault AUTHN-04: zelfstandige klanten also require end-user authentication."""
    server = make_server(faults=("AUTHN-04",))
    response = server.client.post(f"{API}/klanten", json=server.body(), headers=server.headers())
    assert response.status_code == 403, response.text
