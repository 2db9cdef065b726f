"""The audittrail of the reference server (AUDIT-01) and its fault switch."""

from __future__ import annotations

from datetime import datetime

import httpx

from tests.reference_server.conftest import API, Server

USER = {"user_id": "mw-0042", "user_representation": "M. Medewerker"}
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _headers(server: Server, toelichting: str) -> dict:
    return {**server.headers(**USER), "X-Audit-Toelichting": toelichting}


def _trail(server: Server, url: str) -> list[dict]:
    response = server.get(f"{url}/audittrail")
    assert response.status_code == 200, response.text
    assert isinstance(response.json(), list)
    return response.json()


def _life(server: Server) -> tuple[str, list[httpx.Response]]:
    """Create, PUT and PATCH one klant, each with its own toelichting."""
    created = server.client.post(
        f"{API}/klanten", json=server.body(functie="a"), headers=_headers(server, "aanmaken")
    )
    assert created.status_code == 201, created.text
    url = created.json()["url"]
    put_body = server.body(klantnummer=created.json()["klantnummer"], achternaam="Jansen")
    put = server.client.put(url, json=put_body, headers=_headers(server, "vervangen"))
    assert put.status_code == 200, put.text
    patched = server.client.patch(
        url, json={"telefoonnummer": "0612345678"}, headers=_headers(server, "bijwerken")
    )
    assert patched.status_code == 200, patched.text
    return url, [created, put, patched]


def test_create_put_patch_each_add_an_entry_in_order(server: Server) -> None:
    url, (created, put, patched) = _life(server)
    trail = _trail(server, url)
    assert [e["actie"] for e in trail] == ["create", "update", "partial_update"]
    assert [e["resultaat"] for e in trail] == [201, 200, 200]
    assert [e["toelichting"] for e in trail] == ["aanmaken", "vervangen", "bijwerken"]
    assert len({e["uuid"] for e in trail}) == 3
    for entry in trail:
        assert entry["bron"] == "kc"
        assert entry["hoofdObject"] == url
        assert entry["resourceUrl"] == url
        assert entry["resource"] == "klant"
        assert entry["gebruikersId"] == USER["user_id"]
        assert entry["gebruikersWeergave"] == USER["user_representation"]
    dates = [datetime.fromisoformat(e["aanmaakdatum"].replace("Z", "+00:00")) for e in trail]
    assert dates == sorted(dates)
    assert all(d.tzinfo is not None for d in dates)


def test_wijzigingen_hold_the_representation_before_and_after(server: Server) -> None:
    url, (created, put, patched) = _life(server)
    create, update, partial = (e["wijzigingen"] for e in _trail(server, url))
    assert create["oud"] is None
    assert create["nieuw"] == created.json()
    assert update["oud"] == created.json()
    assert update["nieuw"] == put.json()
    assert partial["oud"] == put.json()
    assert partial["nieuw"] == patched.json()
    assert partial["nieuw"] == server.get(url).json()


def test_reads_add_no_entry(server: Server) -> None:
    url = server.create().json()["url"]
    server.get(url)
    server.client.head(url, headers=server.headers())
    server.list(klantnummer="T0000000")
    first = _trail(server, url)
    server.get(f"{url}/audittrail/{first[0]['uuid']}")
    assert len(_trail(server, url)) == len(first) == 1


def test_each_entry_can_be_read(server: Server) -> None:
    url, _ = _life(server)
    for entry in _trail(server, url):
        response = server.get(f"{url}/audittrail/{entry['uuid']}")
        assert response.status_code == 200, response.text
        assert response.json() == entry


def test_entry_of_another_klant_is_404(server: Server) -> None:
    first = server.create().json()["url"]
    second = server.create().json()["url"]
    entry = _trail(server, first)[0]["uuid"]
    assert server.get(f"{second}/audittrail/{entry}").status_code == 404


def test_unknown_entry_is_404(server: Server) -> None:
    url = server.create().json()["url"]
    response = server.get(f"{url}/audittrail/{UNKNOWN}")
    assert response.status_code == 404
    assert response.json()["status"] == 404
    assert server.get(f"{url}/audittrail/not-a-uuid").status_code == 404


def test_audittrail_of_unknown_klant_is_404(server: Server) -> None:
    response = server.get(f"{API}/klanten/{UNKNOWN}/audittrail")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert server.get(f"{API}/klanten/{UNKNOWN}/audittrail/{UNKNOWN}").status_code == 404


def test_toelichting_is_empty_without_the_header(server: Server) -> None:
    url = server.create().json()["url"]
    assert _trail(server, url)[0]["toelichting"] in ("", None)


def test_refused_change_adds_no_entry(server: Server) -> None:
    url = server.create().json()["url"]
    response = server.client.patch(url, json={"klantnummer": "X" * 50}, headers=server.headers())
    assert response.status_code == 400
    assert len(_trail(server, url)) == 1


def test_fault_audit01_patch_adds_no_entry(make_server) -> None:
    server = make_server(faults=("AUDIT-01",))
    url, _ = _life(server)
    assert [e["actie"] for e in _trail(server, url)] == ["create", "update"]
