"""HTTP caching of the reference server: ETag (CACHE-01), HEAD (CACHE-02) and If-None-Match
(CACHE-03), each with the fault switch that breaks it."""

from __future__ import annotations

import pytest

from tests.reference_server.conftest import API, Server

COMPARED_HEADERS = ("etag", "content-type", "content-length", "api-version")


def new_klant(server: Server) -> str:
    return server.create().json()["url"]


def audit_entry_url(server: Server, url: str) -> str:
    entries = server.get(f"{url}/audittrail").json()
    return f"{url}/audittrail/{entries[0]['uuid']}"


def patch(server: Server, url: str, **fields: object) -> None:
    response = server.client.patch(url, json=fields, headers=server.headers())
    assert response.status_code == 200, response.text


# CACHE-01 -------------------------------------------------------------------------------------


def test_get_of_klant_has_a_stable_etag(server: Server) -> None:
    url = new_klant(server)
    first, second = server.get(url), server.get(url)
    assert first.status_code == second.status_code == 200
    etag = first.headers.get("etag")
    assert etag and etag.strip('"')
    assert second.headers["etag"] == etag


def test_etag_changes_after_patch_and_put(server: Server) -> None:
    url = new_klant(server)
    before = server.get(url).headers["etag"]
    patch(server, url, functie="inkoper")
    after_patch = server.get(url).headers["etag"]
    assert after_patch != before
    body = server.get(url).json()
    body["functie"] = "verkoper"
    response = server.client.put(url, json=body, headers=server.headers())
    assert response.status_code == 200, response.text
    after_put = server.get(url).headers["etag"]
    assert after_put not in (before, after_patch)


def test_etags_differ_between_klanten(server: Server) -> None:
    assert (
        server.get(new_klant(server)).headers["etag"]
        != server.get(new_klant(server)).headers["etag"]
    )


def test_audittrail_entry_has_a_stable_etag(server: Server) -> None:
    entry = audit_entry_url(server, new_klant(server))
    first, second = server.get(entry), server.get(entry)
    assert first.status_code == 200
    assert first.headers.get("etag")
    assert second.headers["etag"] == first.headers["etag"]


def test_fault_cache01_etag_does_not_change(make_server) -> None:
    server = make_server(faults=("CACHE-01",))
    url = new_klant(server)
    before = server.get(url).headers["etag"]
    patch(server, url, functie="inkoper")
    assert server.get(url).headers["etag"] == before


# CACHE-02 -------------------------------------------------------------------------------------


def test_head_has_the_headers_of_get_and_no_body(server: Server) -> None:
    url = new_klant(server)
    get = server.get(url)
    head = server.client.head(url, headers=server.headers())
    assert head.status_code == 200
    assert head.content == b""
    for name in COMPARED_HEADERS:
        assert head.headers.get(name) == get.headers.get(name), name
    assert int(head.headers["content-length"]) == len(get.content)


def test_head_of_unknown_klant_is_404_without_body(server: Server) -> None:
    response = server.client.head(
        f"{API}/klanten/00000000-0000-4000-8000-000000000000", headers=server.headers()
    )
    assert response.status_code == 404
    assert response.content == b""


def test_fault_cache02_head_lacks_the_etag(make_server) -> None:
    server = make_server(faults=("CACHE-02",))
    url = new_klant(server)
    assert "etag" in server.get(url).headers
    head = server.client.head(url, headers=server.headers())
    assert head.status_code == 200
    assert "etag" not in head.headers


# CACHE-03 -------------------------------------------------------------------------------------


def _matching_forms(etag: str) -> dict[str, str]:
    return {
        "alone": etag,
        "among others": f'"0000", {etag}, "ffff"',
        "weak": f"W/{etag}",
        "star": "*",
    }


@pytest.mark.parametrize("form", ["alone", "among others", "weak", "star"])
def test_if_none_match_with_current_etag_gives_304(server: Server, form: str) -> None:
    url = new_klant(server)
    etag = server.get(url).headers["etag"]
    response = server.get(url, headers={"If-None-Match": _matching_forms(etag)[form]})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers.get("etag") == etag


@pytest.mark.parametrize("value", ['"0000"', '"0000", "ffff"', 'W/"0000"', "garbage"])
def test_if_none_match_with_other_values_gives_200(server: Server, value: str) -> None:
    url = new_klant(server)
    response = server.get(url, headers={"If-None-Match": value})
    assert response.status_code == 200
    assert response.json()["url"] == url


def test_stale_etag_after_change_gives_200(server: Server) -> None:
    url = new_klant(server)
    old = server.get(url).headers["etag"]
    patch(server, url, functie="inkoper")
    response = server.get(url, headers={"If-None-Match": old})
    assert response.status_code == 200
    assert response.json()["functie"] == "inkoper"
    assert response.headers["etag"] != old


def test_if_none_match_on_audittrail_entry(server: Server) -> None:
    entry = audit_entry_url(server, new_klant(server))
    etag = server.get(entry).headers["etag"]
    assert server.get(entry, headers={"If-None-Match": etag}).status_code == 304
    assert server.get(entry, headers={"If-None-Match": '"0000"'}).status_code == 200


def test_fault_cache03_never_sends_304(make_server) -> None:
    server = make_server(faults=("CACHE-03",))
    url = new_klant(server)
    etag = server.get(url).headers["etag"]
    for value in _matching_forms(etag).values():
        response = server.get(url, headers={"If-None-Match": value})
        assert response.status_code == 200
        assert response.json()["url"] == url
