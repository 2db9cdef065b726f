"""The generic core, with a second API beside the Klanten API in one process: each under its
own base path, with its own version, authentication and faults; lists with pageSize,
ordering and lookups; discriminators; references; a composite create."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from reference_server import create_app
from reference_server.config import Token
from reference_server.klanten.api import API as KLANTEN
from tests.reference_server.conftest import API as KLANTEN_API
from tests.reference_server.conftest import Server, server_settings
from tests.reference_server.core.notities_api import API as NOTITIES

BASE = "/notities/api/v1"
KEY = "notities-test-key-0123456789"
TOKEN = {"Authorization": f"Token {KEY}"}


@dataclasses.dataclass
class Both:
    client: TestClient
    klanten: Server

    def post(self, path: str, body: object, headers: dict | None = None) -> httpx.Response:
        return self.client.post(f"{BASE}{path}", json=body, headers=headers or TOKEN)

    def get(self, path: str, **params: object) -> httpx.Response:
        url = path if path.startswith("http") else f"{BASE}{path}"
        return self.client.get(url, params=params or None, headers=TOKEN)

    def notitie(self, **fields: object) -> dict:
        body = {"titel": "boodschappen", "soort": "tekst", **fields}
        response = self.post("/notities", body)
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
def make_both(tmp_path: Path) -> Iterator[Callable[..., Both]]:
    clients: list[TestClient] = []

    def start(*, faults: tuple[str, ...] = (), **overrides: object) -> Both:
        overrides.setdefault("tokens", {KEY: Token(KEY, "notulist")})
        settings = server_settings(tmp_path, faults=faults, **overrides)
        client = TestClient(create_app(settings, apis=[KLANTEN, NOTITIES]))
        client.__enter__()
        clients.append(client)
        return Both(client, Server(client))

    yield start
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def both(make_both) -> Both:
    return make_both()


# several APIs in one process --------------------------------------------------------------


def test_each_api_under_its_own_base_path_and_version(both: Both) -> None:
    notitie = both.notitie()
    assert notitie["url"].startswith(f"http://testserver{BASE}/notities/")
    read = both.get(f"/notities/{notitie['uuid']}")
    assert read.status_code == 200
    assert read.headers["api-version"] == "0.3.0"
    assert read.headers["etag"]
    klant = both.klanten.create()
    assert klant.headers["api-version"] == "1.0.0"
    assert both.get("/nothing").headers["api-version"] == "0.3.0"
    published = both.client.get(f"{BASE}/schema/openapi.yaml")
    assert published.status_code == 200
    assert "Notities API" in published.text


def test_each_api_authenticates_its_own_way(both: Both) -> None:
    assert both.klanten.list().status_code == 200  # ZGW JWT
    bearer = both.klanten.headers()
    assert both.post("/notities", {"titel": "x", "soort": "tekst"}, bearer).status_code == 403
    for header in ("Token wrong-key", "Token", f"Bearer {KEY}", ""):
        response = both.client.get(f"{BASE}/notities", headers={"Authorization": header})
        assert response.status_code == 403, header
        assert response.json()["code"] == "not_authenticated"
    token_on_klanten = both.client.get(f"{KLANTEN_API}/klanten", headers=TOKEN)
    assert token_on_klanten.status_code == 403


def test_without_tokens_the_demo_key_works(make_both, caplog) -> None:
    server = make_both(tokens={}, uses_demo_token=True)
    response = server.client.get(f"{BASE}/notities", headers={"Authorization": "Token demo-token"})
    assert response.status_code == 200, response.text


def test_faults_are_per_api(make_both) -> None:
    """A Klanten fault switches off the core behaviour for the Klanten API only."""
    server = make_both(faults=("OAS-06", "CACHE-01"))
    assert "api-version" not in server.klanten.create().headers
    notitie = server.notitie()
    assert server.get(f"/notities/{notitie['uuid']}").headers["api-version"] == "0.3.0"
    etag = server.get(f"/notities/{notitie['uuid']}").headers["etag"]
    server.client.patch(f"{BASE}/notities/{notitie['uuid']}", json={"titel": "y"}, headers=TOKEN)
    assert server.get(f"/notities/{notitie['uuid']}").headers["etag"] != etag


def test_no_audittrail_where_the_api_has_none(both: Both) -> None:
    both.notitie()
    store = both.client.app.state.store
    assert store.conn.execute(
        "SELECT COUNT(*) FROM audittrail WHERE resource = 'notitie'"
    ).fetchone() == (0,)


def test_notifications_go_to_the_apis_kanaal(make_both) -> None:
    server = make_both(notificaties_url="http://127.0.0.1:9/never")
    server.notitie(soort="tekst")
    server.klanten.create()
    store = server.client.app.state.store
    payloads = [row[0] for row in store.conn.execute("SELECT payload FROM outbox ORDER BY id")]
    assert '"kanaal": "notities"' in payloads[0] and '"soort": "tekst"' in payloads[0]
    assert '"kanaal": "klanten"' in payloads[1]


# lists ------------------------------------------------------------------------------------


def test_page_size_ordering_and_lookups(both: Both) -> None:
    for titel, prioriteit, gelezen in (("c", 3, True), ("a", 5, False), ("b", 1, True)):
        both.notitie(titel=titel, prioriteit=prioriteit, gelezen=gelezen)
    page = both.get("/notities", pageSize=2, ordering="titel").json()
    assert [n["titel"] for n in page["results"]] == ["a", "b"]
    assert page["count"] == 3 and "pageSize=2" in page["next"]
    assert [n["titel"] for n in both.get(page["next"]).json()["results"]] == ["c"]
    ordered = both.get("/notities", ordering="-prioriteit").json()["results"]
    assert [n["prioriteit"] for n in ordered] == [5, 3, 1]
    high = both.get("/notities", prioriteit__gte=3, ordering="titel").json()["results"]
    assert [n["titel"] for n in high] == ["a", "c"]
    unread = both.get("/notities", gelezen="false").json()["results"]
    assert [n["titel"] for n in unread] == ["a"]
    assert both.get("/notities", titel="b").json()["count"] == 1
    both.notitie(titel="d", soort="lijst", items=["x"])
    assert both.get("/notities", soort__in="lijst").json()["count"] == 1
    assert both.get("/notities", soort__in="tekst,lijst").json()["count"] == 4
    assert both.get("/notities", soort__in="ander").status_code == 400


@pytest.mark.parametrize(
    "params", [{"pageSize": "x"}, {"ordering": "kleur"}, {"gelezen": "misschien"}]
)
def test_bad_list_parameters_are_400(both: Both, params: dict) -> None:
    response = both.get("/notities", **params)
    assert response.status_code == 400, response.text
    assert {p["name"] for p in response.json()["invalidParams"]} == set(params)


# request validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "invalid"),
    [
        ({"titel": "x", "soort": "lijst"}, {("items", "required")}),
        (
            {"titel": "x", "soort": "lijst", "items": ["a", "b", "c", "d"]},
            {("items", "max_length")},
        ),
        ({"titel": "x", "soort": "tekst", "tekst": "t" * 51}, {("tekst", "max_length")}),
        ({"titel": "x", "soort": "anders"}, {("soort", "invalid_choice")}),
        ({"titel": "x", "soort": "tekst", "prioriteit": 0}, {("prioriteit", "min_value")}),
        ({"titel": "x", "soort": "tekst", "geplandOp": "morgen"}, {("geplandOp", "invalid")}),
        ({"soort": "tekst"}, {("titel", "required")}),
    ],
)
def test_discriminated_bodies_are_validated(both: Both, body: dict, invalid: set) -> None:
    response = both.post("/notities", body)
    assert response.status_code == 400, response.text
    assert {(p["name"], p["code"]) for p in response.json()["invalidParams"]} == invalid


def test_nullable_and_read_only_fields(both: Both) -> None:
    notitie = both.notitie(soort="lijst", items=["melk"], prioriteit=None, geplandOp=None)
    assert notitie["prioriteit"] is None
    sent_back = {**notitie, "titel": "ander"}  # url and uuid are read-only: ignored
    response = both.client.put(notitie["url"], json=sent_back, headers=TOKEN)
    assert response.status_code == 200, response.text
    assert response.json()["uuid"] == notitie["uuid"]


@pytest.mark.parametrize(
    "body",
    [
        {"vorm": "kleur", "kleur": "rood"},
        {"vorm": "tekst", "tekst": "veel te lang voor een label"},
        {"vorm": "vierkant", "kleur": "#aabbcc"},
        {"kleur": "#aabbcc"},
    ],
)
def test_one_of_with_a_discriminator(both: Both, body: dict) -> None:
    assert both.post("/labels", body).status_code == 400


def test_uuid_references(both: Both) -> None:
    notitie = both.notitie()
    label = both.post(
        "/labels", {"vorm": "kleur", "kleur": "#aabbcc", "notitie": {"uuid": notitie["uuid"]}}
    )
    assert label.status_code == 201, label.text
    assert label.json()["notitie"] == {"uuid": notitie["uuid"], "url": notitie["url"]}
    unknown = {"uuid": "00000000-0000-4000-8000-000000000000"}
    refused = both.post("/labels", {"vorm": "tekst", "tekst": "x", "notitie": unknown})
    assert refused.status_code == 400
    assert refused.json()["invalidParams"][0]["code"] == "does_not_exist"
    found = both.get("/labels", notitie__uuid=notitie["uuid"]).json()
    assert [lab["url"] for lab in found["results"]] == [label.json()["url"]]


def test_operations_the_document_does_not_declare_are_405(both: Both) -> None:
    label = both.post("/labels", {"vorm": "tekst", "tekst": "x"}).json()
    response = both.client.patch(label["url"], json={"tekst": "y"}, headers=TOKEN)
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_composite_create(both: Both) -> None:
    body = {
        "notitie": {"titel": "samen", "soort": "tekst"},
        "labels": [{"vorm": "kleur", "kleur": "#000000"}, {"vorm": "tekst", "tekst": "werk"}],
    }
    response = both.post("/maak-notitie", body)
    assert response.status_code == 201, response.text
    made = response.json()
    assert [lab["notitie"]["url"] for lab in made["labels"]] == [made["notitie"]["url"]] * 2
    assert both.get("/labels").json()["count"] == 2
    bad = {**body, "labels": [{"vorm": "kleur", "kleur": "zwart"}]}
    assert both.post("/maak-notitie", bad).status_code == 400
    assert both.get("/notities").json()["count"] == 1


# start-up checks ----------------------------------------------------------------------------


def test_an_operation_nobody_serves_stops_the_start(tmp_path: Path) -> None:
    incomplete = dataclasses.replace(NOTITIES, operations={})
    with pytest.raises(ValueError, match="maak_notitie"):
        create_app(server_settings(tmp_path), apis=[incomplete])


def test_two_apis_on_one_base_path_stop_the_start(tmp_path: Path) -> None:
    twin = dataclasses.replace(NOTITIES, name="twin")
    with pytest.raises(ValueError, match="base_path"):
        create_app(server_settings(tmp_path), apis=[NOTITIES, twin])


def test_etag_only_where_the_document_declares_one(both: Both) -> None:
    notitie = both.notitie()
    assert "etag" in both.get(f"/notities/{notitie['uuid']}").headers
    label = both.post("/labels", {"vorm": "tekst", "tekst": "x"}).json()
    read = both.get(label["url"])
    assert read.status_code == 200 and "etag" not in read.headers
    head = both.client.head(label["url"], headers=TOKEN)
    assert head.status_code == 200 and head.content == b""
