"""Fixtures for testing the reference server in-process (Starlette's TestClient) and as a real
process over HTTP."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from klanten_conformance.harness.process import ServerProcess, start_server_process
from klanten_conformance.testdata import random_bsn, random_klantnummer, random_rsin
from klanten_conformance.tokens import authenticatie_claim, make_token
from reference_server import create_app, load_settings
from reference_server.config import Client

API = "/klanten/api/v1"
SECRET = "reference-server-test-secret-0123456789"
ALL_SCOPES = [
    "klanten.lezen",
    "klanten.aanmaken",
    "klanten.bijwerken",
    "klanten.verwijderen",
    "audittrails.lezen",
]


@dataclass
class Server:
    """A reference server under test, with helpers to talk to it as a client would."""

    client: TestClient
    bronorganisatie: str = field(default_factory=random_rsin)

    def token(
        self,
        authn: tuple[str, str] | dict | None = None,
        *,
        client_id: str = "suite",
        secret: str = SECRET,
        niveau: str = "substantieel",
        **claims: object,
    ) -> str:
        if isinstance(authn, tuple):
            authn = authenticatie_claim(authn[0], authn[1], niveau)
        return make_token(client_id, secret, authenticatie=authn, extra_claims=claims or None)

    def headers(self, authn: tuple[str, str] | dict | None = None, **kwargs: object) -> dict:
        return {"Authorization": f"Bearer {self.token(authn, **kwargs)}"}

    def body(self, **fields: object) -> dict:
        """A minimal valid zelfstandige klant, with ``fields`` on top."""
        base = {
            "bronorganisatie": self.bronorganisatie,
            "klantnummer": random_klantnummer(),
            "websiteUrl": "https://www.example.org/klant",
        }
        return {**base, **fields}

    def natuurlijk_persoon(self, bsn: str | None = None, **fields: object) -> tuple[dict, tuple]:
        bsn = bsn or random_bsn()
        body = self.body(
            subjectType="natuurlijk_persoon", subjectIdentificatie={"inpBsn": bsn}, **fields
        )
        return body, ("natuurlijk_persoon", bsn)

    def niet_natuurlijk_persoon(
        self, rsin: str | None = None, **fields: object
    ) -> tuple[dict, tuple]:
        rsin = rsin or random_rsin()
        body = self.body(
            subjectType="niet_natuurlijk_persoon", subjectIdentificatie={"innNnpId": rsin}, **fields
        )
        return body, ("niet_natuurlijk_persoon", rsin)

    def create(
        self, body: dict | None = None, authn: tuple | dict | None = None, expect: int | None = 201
    ) -> httpx.Response:
        response = self.client.post(
            f"{API}/klanten", json=body or self.body(), headers=self.headers(authn)
        )
        if expect is not None:
            assert response.status_code == expect, response.text
        return response

    def get(self, url: str, authn: tuple | dict | None = None, **kwargs: object) -> httpx.Response:
        headers = {**self.headers(authn), **kwargs.pop("headers", {})}
        return self.client.get(url, headers=headers, **kwargs)

    def list(self, authn: tuple | dict | None = None, **params: object) -> httpx.Response:
        return self.client.get(f"{API}/klanten", params=params, headers=self.headers(authn))


def server_settings(tmp_path: Path, *, faults: tuple[str, ...] = (), **overrides: object):
    clients = {
        "suite": Client("suite", SECRET, frozenset(ALL_SCOPES)),
        "reader": Client("reader", SECRET, frozenset({"klanten.lezen"})),
    }
    kwargs = {"clients": clients, "validate_responses": "strict", **overrides}
    return load_settings(
        db_path=tmp_path / "klanten.sqlite3",
        environ={"REFERENCE_SERVER_FAULTS": ",".join(faults)},
        **kwargs,
    )


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start an in-process reference server: ``make_server(faults=("CACHE-03",), ...)``.
    ``raise_server_exceptions=False`` lets a crash be answered as a client sees it (500)."""
    clients: list[TestClient] = []

    def start(
        *, faults: tuple[str, ...] = (), raise_server_exceptions: bool = True, **overrides: object
    ) -> Server:
        settings = server_settings(tmp_path, faults=faults, **overrides)
        app = create_app(settings)
        client = TestClient(app, raise_server_exceptions=raise_server_exceptions)
        client.__enter__()
        clients.append(client)
        return Server(client)

    yield start
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def server(make_server: Callable[..., Server]) -> Server:
    return make_server()


@dataclass
class LiveServer:
    """The reference server as a real process: ``klanten-conformance serve``."""

    db: Path
    config: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    server: ServerProcess | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        assert self.server is not None, "start the server first"
        return f"{self.server.root_url}{API}"

    def start(self) -> LiveServer:
        self.log = self.db.with_suffix(".log")
        self.server = start_server_process(
            self.db, self.config, self.log, env={**os.environ, **self.env}
        )
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        self.server = None


@pytest.fixture
def live_config(tmp_path: Path) -> Path:
    path = tmp_path / "server.toml"
    scopes = ", ".join(f'"{s}"' for s in ALL_SCOPES)
    path.write_text(f'[[clients]]\nclient_id = "suite"\nsecret = "{SECRET}"\nscopes = [{scopes}]\n')
    return path


@pytest.fixture
def live_server(tmp_path: Path, live_config: Path) -> Iterator[LiveServer]:
    server = LiveServer(db=tmp_path / "live.sqlite3", config=live_config).start()
    yield server
    server.stop()
