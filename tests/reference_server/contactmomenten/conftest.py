"""Fixtures for the Contactmomenten API of the reference server: an in-process server with
clients for both APIs, a helper that talks to it as a client would, and a stub object API
(a Zaken API that answers the cm-006 relation query)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from klanten_conformance.stubs import SubjectRegistry, _QuietHandler, _StubService
from klanten_conformance.testdata import random_rsin
from klanten_conformance.tokens import make_token
from reference_server.config import Client
from tests.reference_server.conftest import ALL_SCOPES, SECRET

CM = "/contactmomenten/api/v1"
KLANTEN = "/klanten/api/v1"
CM_SCOPES = [
    "contactmomenten.lezen",
    "contactmomenten.aanmaken",
    "contactmomenten.bijwerken",
    "contactmomenten.verwijderen",
    "audittrails.lezen",
]
UNKNOWN = "00000000-0000-4000-8000-000000000000"


@dataclass
class CmServer:
    """A reference server under test, seen through its Contactmomenten API."""

    client: TestClient
    bronorganisatie: str = field(default_factory=random_rsin)

    def headers(self, client_id: str = "suite", **claims: object) -> dict:
        token = make_token(client_id, SECRET, extra_claims=claims or None)
        return {"Authorization": f"Bearer {token}"}

    def body(self, **fields: object) -> dict:
        return {"bronorganisatie": self.bronorganisatie, "kanaal": "telefoon", **fields}

    def post(self, path: str, body: object, client_id: str = "suite") -> httpx.Response:
        return self.client.post(f"{CM}{path}", json=body, headers=self.headers(client_id))

    def create(self, **fields: object) -> dict:
        """A new contactmoment (``fields`` on top of a minimal valid one)."""
        response = self.post("/contactmomenten", self.body(**fields))
        assert response.status_code == 201, response.text
        return response.json()

    def request(self, method: str, url: str, body: object = None, **kwargs) -> httpx.Response:
        headers = {**self.headers(), **kwargs.pop("headers", {})}
        if body is not None:
            kwargs["json"] = body
        return self.client.request(method, url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def read(self, url: str) -> dict:
        response = self.get(url)
        assert response.status_code == 200, response.text
        return response.json()

    def patch(self, url: str, **fields: object) -> httpx.Response:
        return self.request("PATCH", url, fields)

    def list(self, path: str = "/contactmomenten", **params: object) -> httpx.Response:
        return self.get(f"{CM}{path}", params=params)

    def klant(self) -> str:
        """The URL of a new (zelfstandige) klant of the Klanten API of the same server."""
        body = {
            "bronorganisatie": self.bronorganisatie,
            "klantnummer": uuid.uuid4().hex[:8],
            "websiteUrl": "https://www.example.org",
        }
        response = self.client.post(f"{KLANTEN}/klanten", json=body, headers=self.headers())
        assert response.status_code == 201, response.text
        return response.json()["url"]

    def klantcontactmoment(self, contactmoment: str, klant: str, rol: str = "gesprekspartner"):
        body = {"contactmoment": contactmoment, "klant": klant, "rol": rol}
        return self.post("/klantcontactmomenten", body)

    def objectcontactmoment(self, contactmoment: str, zaak: str) -> httpx.Response:
        body = {"contactmoment": contactmoment, "object": zaak, "objectType": "zaak"}
        return self.post("/objectcontactmomenten", body)


@pytest.fixture
def make_cm(make_server) -> Callable[..., CmServer]:
    """Start an in-process reference server: ``make_cm(faults=("cm-001",), ...)``, with a
    client ``suite`` that has every scope of both APIs and a ``reader`` that may only read
    contactmomenten."""
    scopes = frozenset(ALL_SCOPES + CM_SCOPES)
    clients = {
        "suite": Client("suite", SECRET, scopes),
        "reader": Client("reader", SECRET, frozenset({"contactmomenten.lezen"})),
    }

    def start(**options) -> CmServer:
        options.setdefault("clients", clients)
        return CmServer(make_server(**options).client)

    return start


@pytest.fixture
def cm(make_cm: Callable[..., CmServer]) -> CmServer:
    return make_cm()


@pytest.fixture
def registry() -> Iterator[SubjectRegistry]:
    with SubjectRegistry() as stub:
        yield stub


class _ZakenHandler(_QuietHandler):
    """``/zaken/api/v1/zaken/<id>``: 200 for a known zaak, else 404;
    ``/zaken/api/v1/zaakcontactmomenten?zaak=<url>``: the relations of that zaak."""

    def do_GET(self) -> None:
        zaken: ZakenApi = self.server.owner  # type: ignore[assignment]
        parts = urlsplit(self.path)
        zaken.queries.append(self.path)
        if parts.path == f"{ZakenApi.BASE}/zaakcontactmomenten":
            zaak = (parse_qs(parts.query).get("zaak") or [""])[0]
            if zaken.broken:
                self.send_json(500, {"detail": "broken"})
                return
            found = [
                {"url": f"{zaken.base_url}/zcm/{n}", "zaak": zaak, "contactmoment": cm}
                for n, (z, cm) in enumerate(zaken.relations)
                if z == zaak
            ]
            payload = {"count": len(found), "results": found} if zaken.paginated else found
            self.send_json(200, payload)
        elif parts.path.removeprefix(f"{ZakenApi.BASE}/zaken/") in zaken.zaken:
            self.send_json(200, {"url": zaken.base_url + parts.path})
        else:
            self.send_json(404, {"detail": "not found"})


class ZakenApi(_StubService):
    """A stub Zaken API: zaken, and the relations of zaken to contactmomenten it holds."""

    BASE = "/zaken/api/v1"
    handler_class = _ZakenHandler

    def __init__(self) -> None:
        super().__init__()
        self.zaken: set[str] = set()
        self.relations: list[tuple[str, str]] = []
        self.queries: list[str] = []
        self.paginated = False
        self.broken = False

    def zaak(self, exists: bool = True) -> str:
        key = str(uuid.uuid4())
        if exists:
            self.zaken.add(key)
        return f"{self.base_url}{self.BASE}/zaken/{key}"

    def relate(self, zaak: str, contactmoment: str) -> None:
        self.relations.append((zaak, contactmoment))


@pytest.fixture
def zaken() -> Iterator[ZakenApi]:
    with ZakenApi() as stub:
        yield stub
