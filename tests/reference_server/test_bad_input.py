"""Bad input to the reference server: every malformed request is refused with the right 4xx and
a problem body, changes nothing, and never causes a 5xx."""

from __future__ import annotations

import json

import pytest

from tests.reference_server.conftest import API, Server

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def counts(server: Server) -> tuple[int, int]:
    """(klanten, audittrail entries) in the database."""
    conn = server.client.app.state.store.conn
    klanten = conn.execute("SELECT COUNT(*) FROM klant").fetchone()[0]
    audit = conn.execute("SELECT COUNT(*) FROM audittrail").fetchone()[0]
    return klanten, audit


def post_raw(server: Server, content: bytes, content_type: str = "application/json", url=None):
    return server.client.post(
        url or f"{API}/klanten",
        content=content,
        headers={**server.headers(), "Content-Type": content_type},
    )


def assert_problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture
def small(make_server) -> Server:
    """A server with a 1000-byte body limit and one klant in it."""
    server = make_server(max_body_bytes=1000)
    server.create()
    return server


def test_malformed_json_is_400_parse_error(small: Server) -> None:
    before = counts(small)
    for content in (b'{"bronorganisatie": ', b"{'a': 1}", b"", b"\xff\xfe{}", b"NaN-ish"):
        body = assert_problem(post_raw(small, content), 400, "parse_error")
        assert body["invalidParams"], body
    assert counts(small) == before


@pytest.mark.parametrize("content", [b"[]", b"[{}]", b'"klant"', b"42", b"null", b"true"])
def test_json_that_is_not_an_object_is_400(small: Server, content: bytes) -> None:
    before = counts(small)
    body = assert_problem(post_raw(small, content), 400)
    assert body["invalidParams"]
    assert counts(small) == before


@pytest.mark.parametrize("opening", [b'{"a":', b"["])
def test_json_nested_too_deeply_is_400_parse_error(make_server, opening: bytes) -> None:
    server = make_server()
    before = counts(server)
    closing = b"}" if opening.startswith(b"{") else b"]"
    content = opening * 5000 + b"1" + closing * 5000
    body = assert_problem(post_raw(server, content), 400, "parse_error")
    assert body["invalidParams"], body
    assert counts(server) == before


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded", ""]
)
def test_wrong_content_type_is_415(small: Server, content_type: str) -> None:
    before = counts(small)
    content = json.dumps(small.body()).encode()
    assert_problem(post_raw(small, content, content_type), 415)
    assert counts(small) == before


def test_wrong_content_type_on_put_and_patch_is_415(small: Server) -> None:
    created = small.create().json()
    before = counts(small)
    for method in ("PUT", "PATCH"):
        response = small.client.request(
            method,
            created["url"],
            content=json.dumps(small.body(functie="x")).encode(),
            headers={**small.headers(), "Content-Type": "text/plain"},
        )
        assert_problem(response, 415)
    assert counts(small) == before
    assert small.get(created["url"]).json() == created


def test_content_type_with_charset_is_fine(small: Server) -> None:
    content = json.dumps(small.body()).encode()
    response = post_raw(small, content, "application/json; charset=utf-8")
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "application/json;q=0"])
def test_unacceptable_accept_is_406(small: Server, accept: str) -> None:
    before = counts(small)
    response = small.client.post(
        f"{API}/klanten", json=small.body(), headers={**small.headers(), "Accept": accept}
    )
    assert response.status_code == 406, response.text
    assert response.json()["status"] == 406
    response = small.client.get(f"{API}/klanten", headers={**small.headers(), "Accept": accept})
    assert response.status_code == 406
    assert counts(small) == before


@pytest.mark.parametrize(
    "accept",
    [
        "application/json",
        "application/json, */*",
        "*/*",
        "text/html;q=0.9, application/json",
        "application/*",
    ],
)
def test_acceptable_accept_is_fine(small: Server, accept: str) -> None:
    response = small.client.post(
        f"{API}/klanten", json=small.body(), headers={**small.headers(), "Accept": accept}
    )
    assert response.status_code == 201, response.text


def test_body_over_the_limit_is_413(small: Server) -> None:
    before = counts(small)
    body = small.body(bedrijfsnaam="x" * 200, functie="y" * 200, achternaam="z" * 200)
    body["voornaam"] = "v" * 200
    body["adres"] = {"straatnaam": "s" * 100, "woonplaatsnaam": "w" * 80}
    content = json.dumps(body).encode()
    assert len(content) > 1000
    assert_problem(post_raw(small, content), 413)
    assert counts(small) == before


def test_streamed_body_over_the_limit_is_413(small: Server) -> None:
    """Without a Content-Length the limit still holds."""
    before = counts(small)

    def chunks():
        yield b'{"bronorganisatie": "'
        for _ in range(20):
            yield b"x" * 100
        yield b'"}'

    response = small.client.post(
        f"{API}/klanten",
        content=chunks(),
        headers={**small.headers(), "Content-Type": "application/json"},
    )
    assert_problem(response, 413)
    assert counts(small) == before


def test_body_over_the_limit_on_patch_is_413(small: Server) -> None:
    created = small.create().json()
    before = counts(small)
    response = small.client.patch(
        created["url"], json={"bedrijfsnaam": "x" * 1200}, headers=small.headers()
    )
    assert_problem(response, 413)
    assert counts(small) == before
    assert small.get(created["url"]).json() == created


@pytest.mark.parametrize("path", ["not-a-uuid", "1234", "00000000-0000-4000-8000-00000000000Z"])
def test_invalid_uuid_in_path_is_404(small: Server, path: str) -> None:
    before = counts(small)
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        kwargs = {"json": small.body()} if method in ("PUT", "PATCH") else {}
        response = small.client.request(
            method, f"{API}/klanten/{path}", headers=small.headers(), **kwargs
        )
        assert_problem(response, 404)
    assert_problem(small.get(f"{API}/klanten/{path}/audittrail"), 404)
    assert counts(small) == before


def test_fault_oas10_own_id_not_a_uuid_is_400(make_server) -> None:
    server = make_server(faults=("OAS-10",))
    response = server.get(f"{API}/klanten/not-a-uuid")
    body = assert_problem(response, 400)
    assert {p["name"] for p in body["invalidParams"]} == {"uuid"}
    # the parent of a sub-resource, and an unknown UUID, are still 404
    assert_problem(server.get(f"{API}/klanten/not-a-uuid/audittrail"), 404)
    assert_problem(server.get(f"{API}/klanten/{UNKNOWN}"), 404)


@pytest.mark.parametrize(
    "path", [f"{API}/nothing", f"{API}/klanten/{UNKNOWN}/notities", "/", "/klanten/api/v2/klanten"]
)
def test_unknown_path_is_404_problem(small: Server, path: str) -> None:
    assert_problem(small.get(path), 404)


def test_post_on_a_klant_is_405_problem(small: Server) -> None:
    url = small.create().json()["url"]
    before = counts(small)
    response = small.client.post(url, json=small.body(), headers=small.headers())
    assert_problem(response, 405)
    assert "POST" not in response.headers.get("allow", "")
    assert counts(small) == before


def test_other_methods_not_allowed(small: Server) -> None:
    before = counts(small)
    assert_problem(small.client.delete(f"{API}/klanten", headers=small.headers()), 405)
    assert_problem(small.client.put(f"{API}/klanten", json={}, headers=small.headers()), 405)
    url = small.create().json()["url"]
    assert_problem(small.client.post(f"{url}/audittrail", json={}, headers=small.headers()), 405)
    assert counts(small)[0] == before[0] + 1


@pytest.mark.parametrize("field", ["websiteUrl", "bronorganisatie", "klantnummer", "bedrijfsnaam"])
def test_null_for_a_non_nullable_field_is_400(small: Server, field: str) -> None:
    before = counts(small)
    response = small.create(small.body(**{field: None}), expect=None)
    body = assert_problem(response, 400)
    assert field in {p["name"] for p in body["invalidParams"]}
    assert counts(small) == before


def test_null_for_a_required_field_on_put_is_400(small: Server) -> None:
    created = small.create().json()
    before = counts(small)
    response = small.client.put(
        created["url"], json=small.body(websiteUrl=None), headers=small.headers()
    )
    body = assert_problem(response, 400)
    assert "websiteUrl" in {p["name"] for p in body["invalidParams"]}
    assert counts(small) == before
    assert small.get(created["url"]).json() == created


GARBAGE_BODIES = [
    {"klantnummer": 12345678},
    {"adres": "Dorpsstraat 1"},
    {"adres": {"huisnummer": "een"}},
    {"adres": {"huisnummer": 10**30}},
    {"subjectIdentificatie": []},
    {"subjectIdentificatie": "999990019"},
    {"subjectType": "alien", "subjectIdentificatie": {"inpBsn": "999990019"}},
    {"subjectType": "natuurlijk_persoon"},
    {"subject": "not a url", "subjectType": "natuurlijk_persoon"},
    {"subject": "ftp://example.org/x", "subjectType": "natuurlijk_persoon"},
    {"emailadres": "@@"},
    {"websiteUrl": "x" * 2000},
    {"bronorganisatie": "123456789"},
    {"bronorganisatie": ["123456789"]},
    {"telefoonnummer": {"nested": {"deep": [1, 2, 3]}}},
    {"url": "https://example.org/hijack"},
    {"\u0000": "\u0000"},
    {"voornaam": "\U0001f600" * 50},
]


def test_assorted_garbage_never_gives_a_5xx(small: Server) -> None:
    url = small.create().json()["url"]
    h = small.headers()
    requests = []
    for garbage in GARBAGE_BODIES:
        requests.append(("POST", f"{API}/klanten", {"json": small.body(**garbage)}))
        requests.append(("PATCH", url, {"json": garbage}))
        requests.append(("PUT", url, {"json": small.body(**garbage)}))
    for query in (
        {"page": "99999999999999999999"},
        {"page": "-5"},
        {"page": "1e3"},
        {"subject": "http://"},
        {"subjectType": ""},
        {"klantnummer": "x" * 5000},
        {"unknown": "param"},
        {"emailadres": "\u0000"},
    ):
        requests.append(("GET", f"{API}/klanten", {"params": query}))
    for path in (
        f"{API}/klanten/{UNKNOWN}/audittrail/not-a-uuid",
        f"{API}/klanten/%00",
        f"{API}/klanten/{'a' * 3000}",
        f"{API}/schema/openapi.",
        f"{API}/klanten/../klanten",
    ):
        requests.append(("GET", path, {}))
    for headers in (
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer a.b.c"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"If-None-Match": ",,,"},
        {"Accept": ";;;q=x"},
        {"Content-Type": "application/json; charset=latin-1"},
    ):
        requests.append(("GET", url, {"headers": headers}))
        requests.append(("PATCH", url, {"json": {"functie": "x"}, "headers": headers}))
    requests.append(("OPTIONS", url, {}))
    requests.append(("TRACE", f"{API}/klanten", {}))
    server_errors = []
    for method, target, kwargs in requests:
        headers = {**h, **kwargs.pop("headers", {})}
        response = small.client.request(method, target, headers=headers, **kwargs)
        if response.status_code >= 500:
            server_errors.append((method, target, kwargs, response.status_code))
    assert server_errors == []
