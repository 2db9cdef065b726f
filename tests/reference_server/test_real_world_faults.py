"""Real-world faults: defects shaped like those of real products (a crash on a payload shape
the standard allows, an HTML error page, a crash on unusual token claims, a sub-resource that
leaks its siblings). Each test shows the defect, and that the clean server behaves."""

from __future__ import annotations

import time

import pytest

from klanten_conformance.tokens import make_token
from reference_server.faults import FAULTS, REAL_WORLD
from tests.reference_server.conftest import API, SECRET, Server

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def crashing(make_server, fault: str) -> Server:
    return make_server(faults=(fault,), raise_server_exceptions=False)


def assert_bare_500(response) -> None:
    """The framework's own 500: plain text, not a problem body; API-version still there."""
    assert response.status_code == 500, response.text
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Internal Server Error"
    assert response.headers["api-version"] == "1.0.0"


def test_real_world_faults_are_marked_as_such() -> None:
    names = {
        name
        for name, fault in FAULTS.items()
        if fault.kind == REAL_WORLD and fault.api == "klanten"
    }
    assert names == {
        "CRASH/zelfstandige",
        "HTML/malformed-id",
        "CRASH/token-claims",
        "CRASH/non-object-body",
        "LEAK/audittrail-parent",
        "CRASH/unknown-query",
    }
    rules = {FAULTS[name].rule for name in names}
    assert rules == {"KLOK01-Z1", "OAS-03", "AUTH-03", "OAS-05", "OAS-09", "FILTER-01"}


# CRASH/zelfstandige ---------------------------------------------------------------------------


def test_crash_zelfstandige_on_create_put_and_patch(make_server) -> None:
    """CRASH/zelfstandige: a zelfstandige klant cannot be created, replaced or patched (500);
    an aangehaakte klant still can."""
    server = crashing(make_server, "CRASH/zelfstandige")
    assert_bare_500(server.create(expect=None))
    body, authn = server.natuurlijk_persoon()
    url = server.create(body, authn).json()["url"]
    patched = server.client.patch(url, json={"functie": "x"}, headers=server.headers(authn))
    assert patched.status_code == 200, patched.text
    put = server.client.put(url, json={**body, "functie": "y"}, headers=server.headers(authn))
    assert put.status_code == 200, put.text


def test_crash_zelfstandige_on_update_of_an_existing_one(make_server) -> None:
    """A zelfstandige klant made before the fault was on crashes every change."""
    clean = make_server()
    url = clean.create().json()["url"]
    server = crashing(make_server, "CRASH/zelfstandige")
    assert server.get(url).status_code == 200
    for method in ("PUT", "PATCH"):
        body = server.body() if method == "PUT" else {"functie": "x"}
        response = server.client.request(method, url, json=body, headers=server.headers())
        assert_bare_500(response)


def test_without_the_fault_a_zelfstandige_klant_is_created(server: Server) -> None:
    assert server.create().json()["subjectType"] is None


# HTML/malformed-id ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["not-a-uuid", f"{UNKNOWN}/audittrail/x", "1234/audittrail"])
def test_html_malformed_id_answers_an_html_page(make_server, suffix: str) -> None:
    server = make_server(faults=("HTML/malformed-id",))
    response = server.get(f"{API}/klanten/{suffix}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Not Found</h1>" in response.text


def test_html_malformed_id_keeps_problems_for_unknown_uuids(make_server) -> None:
    """Only ids that are not UUIDs get the HTML page: an unknown UUID is still a problem."""
    server = make_server(faults=("HTML/malformed-id",))
    response = server.get(f"{API}/klanten/{UNKNOWN}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_without_the_fault_a_malformed_id_is_a_problem(server: Server) -> None:
    response = server.get(f"{API}/klanten/not-a-uuid")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


# CRASH/token-claims ---------------------------------------------------------------------------


def unusual_tokens() -> dict[str, str]:
    now = int(time.time())
    return {
        "exp in the past": make_token("suite", SECRET, extra_claims={"exp": now - 3600}),
        "nbf in the future": make_token("suite", SECRET, extra_claims={"nbf": now + 3600}),
        "aud": make_token("suite", SECRET, extra_claims={"aud": "klanten"}),
    }


@pytest.mark.parametrize("kind", list(unusual_tokens()))
def test_crash_token_claims(make_server, kind: str) -> None:
    server = crashing(make_server, "CRASH/token-claims")
    headers = {"Authorization": f"Bearer {unusual_tokens()[kind]}"}
    assert_bare_500(server.client.get(f"{API}/klanten", headers=headers))
    assert server.list().status_code == 200  # an ordinary token still works


@pytest.mark.parametrize("kind", list(unusual_tokens()))
def test_without_the_fault_unusual_claims_are_refused(server: Server, kind: str) -> None:
    headers = {"Authorization": f"Bearer {unusual_tokens()[kind]}"}
    response = server.client.get(f"{API}/klanten", headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


# CRASH/non-object-body ------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"[]", b"[{}]", b'"klant"', b"42", b"null", b"true"])
def test_crash_non_object_body(make_server, content: bytes) -> None:
    """The handler crashes on the body; its error handler still answers a problem (500)."""
    server = crashing(make_server, "CRASH/non-object-body")
    url = server.create().json()["url"]
    for method, target in (("POST", f"{API}/klanten"), ("PUT", url), ("PATCH", url)):
        response = server.client.request(
            method,
            target,
            content=content,
            headers={**server.headers(), "Content-Type": "application/json"},
        )
        assert response.status_code == 500, (method, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 500


def test_without_the_fault_a_non_object_body_is_400(server: Server) -> None:
    response = server.client.post(
        f"{API}/klanten",
        content=b"[]",
        headers={**server.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "nonFieldErrors"


# LEAK/audittrail-parent (and OAS-09 on the clean server) --------------------------------------


def two_klanten_with_entries(server: Server) -> tuple[str, str, list[dict], list[dict]]:
    first = server.create().json()["url"]
    second = server.create().json()["url"]
    server.client.patch(second, json={"functie": "x"}, headers=server.headers())
    trails = [server.get(f"{url}/audittrail").json() for url in (first, second)]
    return first, second, *trails


def test_audittrail_lists_and_reads_only_its_own_parent(server: Server) -> None:
    """OAS-09: each klant's audittrail holds its own entries only; an entry of another klant,
    or any entry under an unknown klant, is 404 with a problem body."""
    first, second, first_trail, second_trail = two_klanten_with_entries(server)
    assert [e["resourceUrl"] for e in first_trail] == [first]
    assert {e["resourceUrl"] for e in second_trail} == {second}
    assert len(second_trail) == 2
    foreign = second_trail[0]["uuid"]
    for parent in (first, f"{API}/klanten/{UNKNOWN}"):
        response = server.get(f"{parent}/audittrail/{foreign}")
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    listed = server.get(f"{API}/klanten/{UNKNOWN}/audittrail")
    assert listed.status_code == 404
    assert listed.headers["content-type"].startswith("application/problem+json")


def test_leak_audittrail_parent(make_server) -> None:
    server = make_server(faults=("LEAK/audittrail-parent",))
    first, second, first_trail, _ = two_klanten_with_entries(server)
    assert {e["resourceUrl"] for e in first_trail} == {first, second}
    entry = [e for e in first_trail if e["resourceUrl"] == second][0]
    for parent in (first, f"{API}/klanten/{UNKNOWN}"):
        response = server.get(f"{parent}/audittrail/{entry['uuid']}")
        assert response.status_code == 200, response.text
        assert response.json() == entry
    assert server.get(f"{API}/klanten/{UNKNOWN}/audittrail").status_code == 200
    # a malformed parent is still refused by the router
    assert server.get(f"{API}/klanten/not-a-uuid/audittrail").status_code == 404


def test_other_parent_serves_an_entry_under_another_klant(make_server) -> None:
    """OAS-09/other-parent: an entry of one klant is read under another existing klant's
    path; an unknown klant is still 404 and the lists still hold their own entries only."""
    server = make_server(faults=("OAS-09/other-parent",))
    first, second, first_trail, second_trail = two_klanten_with_entries(server)
    assert {e["resourceUrl"] for e in first_trail} == {first}
    foreign = second_trail[0]
    response = server.get(f"{first}/audittrail/{foreign['uuid']}")
    assert response.status_code == 200, response.text
    assert response.json() == foreign
    unknown = server.get(f"{API}/klanten/{UNKNOWN}/audittrail/{foreign['uuid']}")
    assert unknown.status_code == 404
    assert server.get(f"{API}/klanten/{UNKNOWN}/audittrail").status_code == 404


# CRASH/unknown-query ----------------------------------------------------------------------------


def test_crash_unknown_query_parameter(make_server) -> None:
    """CRASH/unknown-query: klant_list with a parameter the document does not declare is a
    500 text/html page; the declared parameters still work, and a read ignores the unknown
    one."""
    server = crashing(make_server, "CRASH/unknown-query")
    url = server.create().json()["url"]
    response = server.list(undeclaredParameter="1")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["api-version"] == "1.0.0"
    assert server.list(klantnummer="x").status_code == 200
    assert server.get(url, params={"undeclaredParameter": "1"}).status_code == 200


def test_without_the_fault_an_unknown_query_parameter_is_ignored(server: Server) -> None:
    body, authn = server.natuurlijk_persoon()
    server.create(body, authn)
    assert server.list(authn).json()["count"] == 1
    response = server.list(authn, undeclaredParameter="1")
    assert response.status_code == 200, response.text
    assert response.json()["count"] == 1
