"""HTTP behaviour of the reference server: the API-version header (OAS-06), the problem shape
(OAS-03/OAS-04), the operations and schemas of the spec (OAS-01, OAS-02, OAS-05) and the
published OpenAPI document (OAS-08), each with the fault switch that breaks it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import yaml

from tests.reference_server.conftest import API, Server

SPEC = Path(__file__).resolve().parents[2] / "specs" / "klanten-1.0.yaml"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
PROBLEM_MEMBERS = ("type", "code", "title", "status", "detail", "instance")


def operations(document: dict) -> set[tuple[str, str, str]]:
    return {
        (path, method, op.get("operationId", ""))
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


def klant_url(server: Server) -> str:
    return server.create().json()["url"]


# one request per kind of response -------------------------------------------------------------


def _ok(s: Server) -> httpx.Response:
    return s.get(klant_url(s))


def _head(s: Server) -> httpx.Response:
    return s.client.head(klant_url(s), headers=s.headers())


def _created(s: Server) -> httpx.Response:
    return s.create()


def _deleted(s: Server) -> httpx.Response:
    return s.client.delete(klant_url(s), headers=s.headers())


def _not_modified(s: Server) -> httpx.Response:
    url = klant_url(s)
    etag = s.get(url).headers["etag"]
    return s.get(url, headers={"If-None-Match": etag})


def _bad_request(s: Server) -> httpx.Response:
    return s.create(s.body(klantnummer="X" * 50), expect=None)


def _forbidden(s: Server) -> httpx.Response:
    return s.client.get(f"{API}/klanten")


def _not_found(s: Server) -> httpx.Response:
    return s.get(f"{API}/klanten/00000000-0000-4000-8000-000000000000")


def _unknown_path(s: Server) -> httpx.Response:
    return s.get(f"{API}/no-such-resource")


def _method_not_allowed(s: Server) -> httpx.Response:
    return s.client.post(klant_url(s), json={}, headers=s.headers())


def _not_acceptable(s: Server) -> httpx.Response:
    return s.get(f"{API}/klanten", headers={"Accept": "text/html"})


def _too_large(s: Server) -> httpx.Response:
    body = s.body(bedrijfsnaam="x" * 2000)  # over the 1000 bytes of small_server
    return s.client.post(f"{API}/klanten", json=body, headers=s.headers())


def _unsupported_media_type(s: Server) -> httpx.Response:
    return s.client.post(
        f"{API}/klanten",
        content=json.dumps(s.body()).encode(),
        headers={**s.headers(), "Content-Type": "text/plain"},
    )


def _schema_yaml(s: Server) -> httpx.Response:
    return s.client.get(f"{API}/schema/openapi.yaml")


def _schema_json(s: Server) -> httpx.Response:
    return s.client.get(f"{API}/schema/openapi.json")


KINDS: dict[str, tuple[Callable[[Server], httpx.Response], int]] = {
    "200 read": (_ok, 200),
    "200 HEAD": (_head, 200),
    "201 create": (_created, 201),
    "204 delete": (_deleted, 204),
    "304 not modified": (_not_modified, 304),
    "400 invalid": (_bad_request, 400),
    "403 no token": (_forbidden, 403),
    "404 unknown klant": (_not_found, 404),
    "404 unknown path": (_unknown_path, 404),
    "405 method": (_method_not_allowed, 405),
    "406 accept": (_not_acceptable, 406),
    "413 too large": (_too_large, 413),
    "415 media type": (_unsupported_media_type, 415),
    "200 schema yaml": (_schema_yaml, 200),
    "200 schema json": (_schema_json, 200),
}
PROBLEM_KINDS = [k for k, (_, status) in KINDS.items() if status >= 400]


@pytest.fixture
def small_server(make_server) -> Server:
    return make_server(max_body_bytes=1000)


# OAS-06 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_api_version_header_on_every_response(small_server: Server, kind: str) -> None:
    request, status = KINDS[kind]
    response = request(small_server)
    assert response.status_code == status, response.text
    assert response.headers.get("api-version") == "1.0.0"


def test_fault_oas06_drops_the_api_version_header(make_server) -> None:
    server = make_server(faults=("OAS-06",), max_body_bytes=1000)
    for kind in (
        "200 read",
        "201 create",
        "304 not modified",
        "404 unknown klant",
        "200 schema yaml",
    ):
        request, status = KINDS[kind]
        response = request(server)
        assert response.status_code == status, kind
        assert "api-version" not in response.headers, kind


# OAS-03 / OAS-04 ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", PROBLEM_KINDS)
def test_problem_body_shape(small_server: Server, kind: str) -> None:
    request, status = KINDS[kind]
    response = request(small_server)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == "application/problem+json"
    body = response.json()
    for member in PROBLEM_MEMBERS:
        assert member in body, f"{member} missing from {body}"
    assert body["status"] == status
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"].strip()
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["instance"], str) and body["instance"]
    if status == 400:
        assert body["invalidParams"], body
        for param in body["invalidParams"]:
            assert set(param) >= {"name", "code", "reason"}


def test_problem_instances_are_unique(server: Server) -> None:
    first = _not_found(server).json()["instance"]
    second = _not_found(server).json()["instance"]
    assert first != second


def test_fault_oas03_drops_code_and_instance_from_403_and_404(make_server) -> None:
    server = make_server(faults=("OAS-03",))
    for request in (_forbidden, _not_found):
        body = request(server).json()
        assert "code" not in body
        assert "instance" not in body
        assert {"type", "title", "status", "detail"} <= set(body)


def test_fault_oas04_sends_problems_as_plain_json(make_server) -> None:
    server = make_server(faults=("OAS-04",))
    for request in (_forbidden, _not_found, _bad_request):
        response = request(server)
        assert response.status_code >= 400
        assert response.headers["content-type"].split(";")[0] == "application/json"


# OAS-01 / OAS-02 / OAS-05 ---------------------------------------------------------------------


def test_patch_is_implemented(server: Server) -> None:
    url = klant_url(server)
    response = server.client.patch(url, json={"functie": "inkoper"}, headers=server.headers())
    assert response.status_code == 200, response.text
    assert response.json()["functie"] == "inkoper"


def test_fault_oas01_audittrail_read_answers_405(make_server) -> None:
    """Fault OAS-01: reading one audittrail entry answers 405 to an authorised client (and
    401/403 first to others, like a framework that authenticates before dispatching)."""
    server = make_server(faults=("OAS-01",))
    url = klant_url(server)
    trail = server.client.get(f"{url}/audittrail", headers=server.headers())
    assert trail.status_code == 200, trail.text
    entry = f"{url}/audittrail/{trail.json()[0]['uuid']}"
    response = server.client.get(entry, headers=server.headers())
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert server.client.get(entry).status_code == 403
    patch = server.client.patch(url, json={"functie": "inkoper"}, headers=server.headers())
    assert patch.status_code == 200, patch.text


def test_zelfstandige_klant_has_subject_type_null(server: Server) -> None:
    created = server.create().json()
    assert "subjectType" in created and created["subjectType"] is None
    assert server.get(created["url"]).json()["subjectType"] is None


def test_fault_oas02_subject_type_is_empty_string(make_server) -> None:
    server = make_server(faults=("OAS-02",), validate_responses="off")
    created = server.create().json()
    assert created["subjectType"] == ""
    assert server.get(created["url"]).json()["subjectType"] == ""


def test_overlong_klantnummer_is_refused(server: Server) -> None:
    response = server.create(server.body(klantnummer="T" * 9), expect=None)
    assert response.status_code == 400
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert "klantnummer" in names


def test_fault_oas05_accepts_an_overlong_klantnummer(make_server) -> None:
    server = make_server(faults=("OAS-05",), validate_responses="off")
    response = server.create(server.body(klantnummer="T" * 9), expect=None)
    assert response.status_code == 201, response.text
    assert response.json()["klantnummer"] == "T" * 9
    # required fields are still checked: the fault breaks one behaviour only (kla-001c)
    body = server.body()
    del body["klantnummer"]
    missing = server.create(body, expect=None)
    assert missing.status_code == 400, missing.text
    assert {p["name"] for p in missing.json()["invalidParams"]} == {"klantnummer"}


# OAS-08 ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def our_document() -> dict:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def _published(server: Server, fmt: str) -> dict:
    response = server.client.get(f"{API}/schema/openapi.{fmt}")
    assert response.status_code == 200
    return yaml.safe_load(response.text) if fmt == "yaml" else response.json()


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_published_document_is_ours(server: Server, our_document: dict, fmt: str) -> None:
    published = _published(server, fmt)
    assert operations(published) == operations(our_document)
    assert len(operations(published)) == 8
    assert published["components"]["schemas"] == our_document["components"]["schemas"]
    assert published == our_document


def test_schema_needs_no_token_and_unknown_format_is_404(server: Server) -> None:
    assert server.client.get(f"{API}/schema/openapi.yaml").status_code == 200
    response = server.client.get(f"{API}/schema/openapi.xml")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_fault_oas08_publishes_an_extension(make_server, our_document: dict, fmt: str) -> None:
    server = make_server(faults=("OAS-08",))
    published = _published(server, fmt)
    extra_ops = operations(published) - operations(our_document)
    assert extra_ops, "no extra operation published"
    ours = set(our_document["components"]["schemas"]["Klant"]["properties"])
    theirs = set(published["components"]["schemas"]["Klant"]["properties"])
    assert theirs - ours, "no extra Klant property published"
