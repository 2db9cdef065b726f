"""Class `ki-autorisatie`: every operation needs `Authorization: Token <key>`.

The suite needs one key (the document has no scopes). Bad headers go to a sample of
operations of every resource; a refused change must leave the target unchanged.
"""

from __future__ import annotations

import http.client
import time
import urllib.parse
import uuid

import pytest
import requests

from klanten_conformance import checks
from klanten_conformance.apis.klantinteracties import (
    DEFINITION,
    PATHS,
    Bodies,
    KlantinteractiesClient,
)
from klanten_conformance.apis.klantinteracties_generated import valid_request
from klanten_conformance.harness.client import NO_TOKEN
from klanten_conformance.http import Exchange, redact
from klanten_conformance.oas import operations

pytestmark = pytest.mark.creates_data

BAD = {
    "no header": NO_TOKEN,
    "unknown key": "Token onbekende-sleutel-0000",
    "empty key": "Token ",
    "Bearer prefix": "Bearer {key}",
    "no prefix": "{key}",
}


def _bad(ki: KlantinteractiesClient, kind: str):
    value = BAD[kind]
    if value is NO_TOKEN:
        return NO_TOKEN
    key = ki.authorization().split(" ", 1)[1]
    return value.format(key=key)


@pytest.mark.rule("KI-AUTH-01")
@pytest.mark.parametrize("kind", list(BAD))
def test_every_operation_needs_a_valid_token(ki: KlantinteractiesClient, kind: str) -> None:
    """KI-AUTH-01: no, an unknown, an empty, a Bearer or an unprefixed key → 401/403.

    Method: with the bad header: list every resource; create a partij and a klantcontact via
    maak-klantcontact; read, PATCH and DELETE an existing partij. Expect 401/403 with a
    problem body each time, and the partij unchanged afterwards.
    """
    header = _bad(ki, kind)
    partij = ki.partij(purpose="a partij to try changes on")
    url = ki.key(partij["url"])
    sends = [
        (f"GET {path}", lambda p=path: ki.get(p, authorization=header)) for path in PATHS.values()
    ]
    sends += [
        ("POST partijen", lambda: ki.create("partijen", Bodies.partijen(), authorization=header)),
        (
            "POST maak-klantcontact",
            lambda: ki.maak_klantcontact(
                {"klantcontact": Bodies.klantcontacten()}, authorization=header
            ),
        ),
        ("GET partij", lambda: ki.get(url, authorization=header)),
        ("PATCH partij", lambda: ki.change(partij, {"interneNotitie": "x"}, authorization=header)),
        ("DELETE partij", lambda: ki.delete(url, authorization=header)),
    ]
    for what, send in sends:
        checks.expect_refused("KI-AUTH-01", send(), (401, 403), what=f"{what} ({kind})")
    after = ki.read(url, what="reading the partij afterwards")
    checks.expect_equal(
        "KI-AUTH-01",
        after.get("interneNotitie"),
        partij.get("interneNotitie"),
        "the partij unchanged",
        ki.last,
    )


@pytest.mark.rule("KI-AUTH-01")
@pytest.mark.parametrize("operation_id", list(operations(DEFINITION.spec)))
def test_every_operation_without_a_token(ki: KlantinteractiesClient, operation_id: str) -> None:
    """KI-AUTH-01: every operation, maak-klantcontact included, refuses a request without an
    Authorization header with 401/403 and a problem body.

    Method: one request per operation without Authorization, with a random uuid in the path
    and, for a write, a valid body of its resource (so that only the missing token is wrong;
    nothing exists under the uuid, so nothing can change).
    """
    route, method = operations(DEFINITION.spec)[operation_id]
    path = route.replace("{uuid}", str(uuid.uuid4())).lstrip("/")
    prefix = operation_id.removesuffix(method.title()).rstrip("_")
    body = None
    if method in ("POST", "PUT", "PATCH"):
        resource = next((r for r in PATHS if operation_id.startswith(r)), None)
        body = {"klantcontact": Bodies.klantcontacten()} if resource is None else _plain(resource)
    response = ki.request(method, path, json=body, authorization=NO_TOKEN)
    if response.status_code == 201:  # created without a token: clean it up afterwards
        ki.register_created(response)
    checks.expect_refused("KI-AUTH-01", response, (401, 403), what=f"{operation_id} ({prefix})")


def _plain(resource: str) -> dict:
    """A body of ``resource`` made without any request (references left out or random)."""
    makers = {
        "partijen": Bodies.partijen,
        "partijIdentificatoren": Bodies.partijIdentificatoren,
        "klantcontacten": Bodies.klantcontacten,
        "actoren": Bodies.actoren,
        "categorieen": Bodies.categorieen,
    }
    if resource in makers:
        return makers[resource]()
    return {"uuid": str(uuid.uuid4())}


@pytest.mark.rule("KI-AUTH-02")
@pytest.mark.parametrize("kind", ["spaces", "non-ascii", "10 kB", "comma-joined"])
def test_odd_headers_are_refused(ki: KlantinteractiesClient, kind: str) -> None:
    """KI-AUTH-02: odd Authorization headers → 401/403, never a 5xx.

    Method: GET /partijen with a key with spaces, non-ASCII bytes, a 10 kB key, or two
    Authorization headers (the valid one and an unknown one, as one comma-joined value).
    """
    valid = ki.authorization()
    header = {
        "spaces": "Token a b",
        "non-ascii": "Token sl\u00e9utel".encode().decode("latin-1"),
        "10 kB": "Token " + "k" * 10240,
        "comma-joined": f"{valid}, Token onbekend",
    }[kind]
    response = ki.get("partijen", authorization=header)
    checks.expect_refused("KI-AUTH-02", response, (401, 403), what=kind)


def _raw_get(ki: KlantinteractiesClient, path: str, headers: list[tuple[str, str]]):
    """GET with ``headers`` sent as separate header lines, repeated names included
    (requests/urllib3 merge or replace a repeated name; http.client sends each line as
    given); returned as a requests.Response with a redacted exchange as evidence."""
    url = f"{ki.target.url.rstrip('/')}/{path}"
    parts = urllib.parse.urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname or "", parts.port, timeout=60)
    started = time.time()
    try:
        connection.putrequest("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders()
        raw = connection.getresponse()
        content = raw.read()
        response = requests.models.Response()
        response.status_code = raw.status
        response.headers = requests.structures.CaseInsensitiveDict(raw.getheaders())
        response._content = content
        response.url = url
        response.request = requests.Request("GET", url).prepare()
    finally:
        connection.close()
    secrets = (*ki.context.secrets, *ki.target.secrets, ki.authorization().split(" ", 1)[1])
    shown = "; ".join(f"{n}: {redact(v, secrets)}" for n, v in headers)
    response.exchange = Exchange(  # type: ignore[attr-defined]
        "GET",
        url,
        {"(header lines)": shown},
        "",
        raw.status,
        dict(response.headers),
        redact(content.decode("utf-8", "replace"), secrets),
        (time.time() - started) * 1000,
        started=started,
    )
    ki.validate(response)  # the problem body is the business of KI-OAS-03/04, as elsewhere
    return response


@pytest.mark.rule("KI-AUTH-02")
@pytest.mark.parametrize("order", ["valid first", "unknown first"])
def test_two_authorization_headers(ki: KlantinteractiesClient, order: str) -> None:
    """KI-AUTH-02: two Authorization header lines (the valid one and an unknown key) are
    refused with 401/403, never a 5xx, whichever comes first.

    Method: GET /partijen with two real `Authorization` lines, sent with http.client on the
    target URL (requests cannot repeat a header); expect 401/403 with a problem body.
    """
    lines = [("Authorization", ki.authorization()), ("Authorization", "Token onbekend")]
    if order == "unknown first":
        lines.reverse()
    response = _raw_get(ki, "partijen", [("Accept", "application/json"), *lines])
    checks.expect_refused("KI-AUTH-02", response, (401, 403), what=f"two headers, {order}")


@pytest.mark.rule("KI-AUTH-02")
def test_lowercase_prefix_is_stated(ki: KlantinteractiesClient) -> None:
    """KI-AUTH-02: a lowercase `token` prefix may be accepted or refused (the report says
    which), never a 5xx.

    Method: GET /partijen with `token <valid key>`; expect 200 or 401/403.
    """
    key = ki.authorization().split(" ", 1)[1]
    response = ki.get("partijen", authorization=f"token {key}")
    checks.expect_status("KI-AUTH-02", response, 200, 401, 403, what="lowercase prefix")
    ki.note(f"lowercase 'token' prefix: {'accepted' if response.ok else 'refused'}")


@pytest.mark.rule("KI-AUTH-03")
@pytest.mark.parametrize("operation_id", list(operations(DEFINITION.spec)))
def test_one_key_opens_every_operation(ki: KlantinteractiesClient, operation_id: str) -> None:
    """KI-AUTH-03: the suite's one key is allowed every operation (no scopes).

    Method: send the operation's valid request (as for KI-OAS-01, resources created first)
    with the suite's key; expect neither 401 nor 403.
    """
    response = valid_request(ki, operation_id)
    checks.expect_true(
        "KI-AUTH-03",
        response.status_code not in (401, 403),
        f"{operation_id} allowed with the suite's key",
        f"HTTP {response.status_code}",
        response,
    )


@pytest.mark.rule("KI-AUTH-04")
def test_401_names_the_scheme(ki: KlantinteractiesClient) -> None:
    """KI-AUTH-04: a 401 carries `WWW-Authenticate: Token`.

    Method: GET /partijen without Authorization; when the answer is 401, expect the header
    to name the Token scheme (not applicable when the target answers 403).
    """
    response = ki.get("partijen", authorization=NO_TOKEN)
    if response.status_code != 401:
        pytest.skip(f"the target answers HTTP {response.status_code}, not 401")
    value = response.headers.get("WWW-Authenticate", "")
    checks.expect_true(
        "KI-AUTH-04",
        value.split(" ", 1)[0].lower() == "token",
        "WWW-Authenticate: Token",
        value or "no header",
        response,
    )
