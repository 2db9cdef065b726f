"""Class `autorisatie` on the reference server: ZGW JWT authorisation (AUTH-01..03)."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest

from klanten_conformance.tokens import make_token
from tests.reference_server.conftest import API, SECRET, Server


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    """A problem body with ``status`` and ``code`` (HEAD: only the status, there is no body)."""
    assert response.status_code == status, f"{response.request.method}: {response.text}"
    if response.request.method == "HEAD":
        return
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code, body
    for member in ("title", "detail", "instance"):
        assert member in body, body


def unsigned_token(client_id: str = "suite") -> str:
    """A JWT with ``alg: none`` and an empty signature."""

    def part(data: dict) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    claims = {"iss": client_id, "client_id": client_id, "iat": int(time.time())}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


BAD_AUTHORIZATION = {
    "no token": None,
    "malformed token": "Bearer this-is-not-a-jwt",
    "not a bearer token": "Basic c3VpdGU6c2VjcmV0",
    "unknown client_id": "Bearer " + make_token("stranger", SECRET),
    "wrong secret": "Bearer " + make_token("suite", "another-secret-of-sufficient-length-42"),
    "alg none": "Bearer " + unsigned_token(),
}


def klant_with_audit(server: Server) -> tuple[str, str]:
    """A zelfstandige klant and the URL of its create audittrail entry."""
    url = server.create().json()["url"]
    trail = server.get(f"{url}/audittrail").json()
    return url, f"{url}/audittrail/{trail[0]['uuid']}"


def operations(
    server: Server, url: str, audit_url: str, new_klant: dict
) -> list[tuple[str, str, dict | None]]:
    """(method, url, json body) of every operation of the API; create sends ``new_klant``."""
    return [
        ("GET", f"{API}/klanten", None),
        ("POST", f"{API}/klanten", new_klant),
        ("GET", url, None),
        ("HEAD", url, None),
        ("PUT", url, server.body(functie="changed by PUT")),
        ("PATCH", url, {"functie": "changed by PATCH"}),
        ("DELETE", url, None),
        ("GET", f"{url}/audittrail", None),
        ("GET", audit_url, None),
    ]


def state(server: Server, url: str) -> tuple[dict, int]:
    """What a refused request must leave alone: the klant and its audittrail."""
    klant = server.get(url)
    assert klant.status_code == 200, klant.text
    return klant.json(), len(server.get(f"{url}/audittrail").json())


def stored(server: Server, klant: dict) -> int:
    """How many klanten carry the klantnummer of ``klant`` (a zelfstandige klant is listed
    when the query names its klantnummer)."""
    response = server.list(klantnummer=klant["klantnummer"])
    assert response.status_code == 200, response.text
    return response.json()["count"]


@pytest.mark.parametrize("kind", list(BAD_AUTHORIZATION))
def test_auth01_unauthenticated_requests_are_refused_everywhere(server: Server, kind: str) -> None:
    """AUTH-01: no, malformed, unknown-client, wrongly signed and unsigned tokens get a 403
    problem (not_authenticated) on every operation, HEAD included; nothing changes."""
    url, audit_url = klant_with_audit(server)
    before = state(server, url)
    authorization = BAD_AUTHORIZATION[kind]
    headers = {} if authorization is None else {"Authorization": authorization}
    new_klant = server.body()
    for method, target, body in operations(server, url, audit_url, new_klant):
        response = server.client.request(method, target, json=body, headers=headers)
        assert_problem(response, 403, "not_authenticated")
    assert state(server, url) == before
    assert stored(server, new_klant) == 0


def test_auth01_fault_accepts_a_wrongly_signed_token(make_server) -> None:
    """Fault AUTH-01: the signature is not verified, so a token signed with another secret
    creates a klant."""
    server = make_server(faults=("AUTH-01",))
    response = server.client.post(
        f"{API}/klanten",
        json=server.body(),
        headers={"Authorization": BAD_AUTHORIZATION["wrong secret"]},
    )
    assert response.status_code == 201, response.text
    # the claims are still verified: an expired token stays refused (AUTH-03 is not broken)
    now = int(time.time())
    expired = make_token("suite", SECRET, extra_claims={"iat": now - 7200, "exp": now - 3600})
    refused = server.client.get(f"{API}/klanten", headers={"Authorization": f"Bearer {expired}"})
    assert refused.status_code == 403, refused.text


UNUSUAL_CLAIMS = {
    "exp in the past": lambda now: {"exp": now - 3600},
    "nbf in the future": lambda now: {"nbf": now + 3600},
    "aud present": lambda now: {"aud": "https://other-api.example.org"},
    "aud list": lambda now: {"aud": ["klanten", "zaken"]},
}


@pytest.mark.parametrize("kind", list(UNUSUAL_CLAIMS))
def test_auth03_unusual_claims_are_refused_without_5xx(server: Server, kind: str) -> None:
    """AUTH-03: an expired token, a token not valid yet and a token with an audience are
    refused with 403 not_authenticated (never a 5xx), and create stores nothing."""
    url, _ = klant_with_audit(server)
    claims = UNUSUAL_CLAIMS[kind](int(time.time()))
    headers = server.headers(**claims)
    assert_problem(server.client.get(f"{API}/klanten", headers=headers), 403, "not_authenticated")
    assert_problem(server.client.get(url, headers=headers), 403, "not_authenticated")
    assert_problem(server.client.head(url, headers=headers), 403, "not_authenticated")
    new_klant = server.body()
    created = server.client.post(f"{API}/klanten", json=new_klant, headers=headers)
    assert_problem(created, 403, "not_authenticated")
    assert stored(server, new_klant) == 0


def test_auth03_iat_slightly_in_the_future_is_within_leeway(server: Server) -> None:
    """AUTH-03: clock skew of a few seconds (iat 30 s ahead) is tolerated."""
    now = int(time.time())
    headers = server.headers(iat=now + 30, exp=now + 3600)
    assert server.client.get(f"{API}/klanten", headers=headers).status_code == 200
    created = server.client.post(f"{API}/klanten", json=server.body(), headers=headers)
    assert created.status_code == 201, created.text


def test_auth03_fault_accepts_an_expired_token(make_server) -> None:
    """Fault AUTH-03: exp is not checked, so an expired token creates a klant."""
    server = make_server(faults=("AUTH-03",))
    headers = server.headers(exp=int(time.time()) - 3600)
    response = server.client.post(f"{API}/klanten", json=server.body(), headers=headers)
    assert response.status_code == 201, response.text


def test_auth02_reader_may_list_read_and_head(server: Server) -> None:
    """AUTH-02: klanten.lezen is enough for list, read and HEAD."""
    url, _ = klant_with_audit(server)
    reader = server.headers(client_id="reader")
    listed = server.client.get(
        f"{API}/klanten",
        params={"klantnummer": server.get(url).json()["klantnummer"]},
        headers=reader,
    )
    assert listed.status_code == 200, listed.text
    assert [k["url"] for k in listed.json()["results"]] == [url]
    assert server.client.get(url, headers=reader).status_code == 200
    head = server.client.head(url, headers=reader)
    assert head.status_code == 200
    assert head.content == b""


def test_auth02_reader_may_not_write_or_read_the_audittrail(server: Server) -> None:
    """AUTH-02: without klanten.aanmaken, klanten.bijwerken, klanten.verwijderen or
    audittrails.lezen the operation is refused with 403 permission_denied, without effect."""
    url, audit_url = klant_with_audit(server)
    before = state(server, url)
    reader = server.headers(client_id="reader")
    new_klant = server.body()
    every = operations(server, url, audit_url, new_klant)
    refused = [op for op in every if op[0] not in ("GET", "HEAD")]
    refused += [("GET", f"{url}/audittrail", None), ("GET", audit_url, None)]
    assert len(refused) == 6
    for method, target, body in refused:
        response = server.client.request(method, target, json=body, headers=reader)
        assert_problem(response, 403, "permission_denied")
    assert state(server, url) == before
    assert stored(server, new_klant) == 0


def test_auth02_fault_lets_the_reader_create(make_server) -> None:
    """Fault AUTH-02: scopes are not checked, so a klanten.lezen client creates a klant."""
    server = make_server(faults=("AUTH-02",))
    response = server.client.post(
        f"{API}/klanten", json=server.body(), headers=server.headers(client_id="reader")
    )
    assert response.status_code == 201, response.text


def test_verified_tokens_are_remembered_unless_their_validity_depends_on_time(
    server: Server,
) -> None:
    """A token's verification is kept for the next request only when nothing in it can stop
    being valid later (no exp, nbf or aud); a refused token is never kept."""
    auth = server.client.app.state.apis["klanten"].auth
    plain = make_token("suite", SECRET)
    timed = make_token("suite", SECRET, extra_claims={"exp": int(time.time()) + 3600})
    for token in (plain, timed, BAD_AUTHORIZATION["wrong secret"].split()[1]):
        for _ in range(2):
            server.client.get(f"{API}/klanten", headers={"Authorization": f"Bearer {token}"})
    assert plain in auth._verified_tokens
    assert timed not in auth._verified_tokens
    assert len(auth._verified_tokens) == 1
