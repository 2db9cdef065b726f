"""Fixtures for the Klantinteracties API of the reference server: an in-process server with a
Token key, and helpers that build the resources a test needs."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from reference_server import create_app
from reference_server.config import Token
from tests.reference_server.conftest import server_settings

BASE = "/klantinteracties/api/v1"
KEY = "klantinteracties-test-key-0123456789"
AUTH = {"Authorization": f"Token {KEY}"}
#: valid BSNs (11-proef), an RSIN, a KvK-nummer and a vestigingsnummer
BSNS = ("111222333", "123456782", "000000000")
RSIN = "296648875"
KVK = "12345678"
VESTIGING = "296648875154"
_KVK_SEQ = itertools.count(10000000)


def group(soort: str, object_id: str) -> dict:
    objecttype, register = {
        "bsn": ("natuurlijk_persoon", "brp"),
        "rsin": ("niet_natuurlijk_persoon", "hr"),
        "kvk_nummer": ("niet_natuurlijk_persoon", "hr"),
        "vestigingsnummer": ("vestiging", "hr"),
    }[soort]
    return {
        "codeObjecttype": objecttype,
        "codeSoortObjectId": soort,
        "objectId": object_id,
        "codeRegister": register,
    }


def ref(resource: dict | str) -> dict:
    return {"uuid": resource if isinstance(resource, str) else resource["uuid"]}


@dataclass
class Ki:
    """A client of the Klantinteracties API of an in-process reference server."""

    client: TestClient
    headers: dict = field(default_factory=lambda: dict(AUTH))

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{BASE}{path}"

    def request(
        self, method: str, path: str, body: object = None, **params: object
    ) -> httpx.Response:
        return self.client.request(
            method,
            self.url(path),
            json=body,
            params={k: str(v) for k, v in params.items()} or None,
            headers=self.headers,
        )

    def get(self, path: str, **params: object) -> httpx.Response:
        return self.request("GET", path, **params)

    def post(self, path: str, body: object) -> httpx.Response:
        return self.request("POST", path, body)

    def put(self, path: str, body: object) -> httpx.Response:
        return self.request("PUT", path, body)

    def patch(self, path: str, body: object) -> httpx.Response:
        return self.request("PATCH", path, body)

    def delete(self, path: str, **params: object) -> httpx.Response:
        return self.request("DELETE", path, **params)

    def create(self, path: str, body: dict) -> dict:
        response = self.post(path, body)
        assert response.status_code == 201, response.text
        return response.json()

    def results(self, path: str, **params: object) -> list[dict]:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()["results"]

    # resources ---------------------------------------------------------------------------

    def post_partij(
        self, *identificatoren: dict, soort: str = "persoon", **fields: object
    ) -> httpx.Response:
        """POST a partij; ``identificatoren`` are nested items or bare groups."""
        body: dict = {"soortPartij": soort, "indicatieActief": True, **fields}
        if identificatoren:
            body["partijIdentificatoren"] = [
                i if "partijIdentificator" in i else {"partijIdentificator": i}
                for i in identificatoren
            ]
        return self.post("/partijen", body)

    def partij(self, *identificatoren: dict, soort: str = "persoon", **fields: object) -> dict:
        response = self.post_partij(*identificatoren, soort=soort, **fields)
        assert response.status_code == 201, response.text
        return response.json()

    def persoon(self, bsn: str = BSNS[0], **fields: object) -> dict:
        fields.setdefault(
            "partijIdentificatie", {"contactnaam": {"voornaam": "Jan", "achternaam": "Jansen"}}
        )
        return self.partij(group("bsn", bsn), **fields)

    def organisatie(self, kvk: str | None = None, **fields: object) -> dict:
        fields.setdefault("partijIdentificatie", {"naam": "Bakkerij"})
        return self.partij(
            group("kvk_nummer", kvk or str(next(_KVK_SEQ))), soort="organisatie", **fields
        )

    def identificator(
        self, partij: dict | None, soort: str, object_id: str, **fields: object
    ) -> httpx.Response:
        body = {
            "identificeerdePartij": ref(partij) if partij else None,
            "partijIdentificator": group(soort, object_id),
            **fields,
        }
        return self.post("/partij-identificatoren", body)

    def klantcontact(self, **fields: object) -> dict:
        body = {"kanaal": "telefoon", "onderwerp": "afval", "taal": "nld", "vertrouwelijk": False}
        return self.create("/klantcontacten", {**body, **fields})

    def betrokkene(self, klantcontact: dict, **fields: object) -> dict:
        body = {"hadKlantcontact": ref(klantcontact), "rol": "klant", "initiator": True}
        return self.create("/betrokkenen", {**body, **fields})

    def adres(
        self, adres: str = "jan@example.org", soort: str = "email", **fields: object
    ) -> httpx.Response:
        return self.post(
            "/digitaleadressen", {"adres": adres, "soortDigitaalAdres": soort, **fields}
        )

    def actor(self, naam: str = "Piet") -> dict:
        body = {
            "naam": naam,
            "soortActor": "medewerker",
            "indicatieActief": True,
            "actorIdentificatie": {"functie": "KCC", "telefoonnummer": "0201234567"},
        }
        return self.create("/actoren", body)


@pytest.fixture
def make_ki(tmp_path: Path) -> Iterator[Callable[..., Ki]]:
    """``make_ki(faults=("KI-GED-05",))``: an in-process server (strict response validation,
    so every response is checked against the document) and a client with a valid key."""
    clients: list[TestClient] = []

    def start(
        *, faults: tuple[str, ...] = (), raise_server_exceptions: bool = True, **overrides: object
    ) -> Ki:
        overrides.setdefault("tokens", {KEY: Token(KEY, "suite")})
        db = tmp_path / f"ki-{len(clients)}"
        db.mkdir()
        settings = server_settings(db, faults=faults, **overrides)
        client = TestClient(create_app(settings), raise_server_exceptions=raise_server_exceptions)
        client.__enter__()
        clients.append(client)
        return Ki(client)

    yield start
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def ki(make_ki: Callable[..., Ki]) -> Ki:
    return make_ki()
