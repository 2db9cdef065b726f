"""The Contactmomenten API of a real server process, over HTTP: the klant of the Klanten API
of the same process is found in-process through the real host and port, and cm-006 queries a
real stub object API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from klanten_conformance.testdata import random_rsin
from klanten_conformance.tokens import make_token
from reference_server.config import DEMO_CLIENT_ID, DEMO_SECRET
from tests.reference_server.conftest import LiveServer
from tests.reference_server.contactmomenten.conftest import CM, KLANTEN, ZakenApi


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(db=tmp_path / "live.sqlite3").start()  # the demo client: every scope
    yield server
    server.stop()


@pytest.mark.slow
def test_contactmomenten_over_http(live: LiveServer, zaken: ZakenApi) -> None:
    assert live.server is not None
    root = live.server.root_url
    headers = {"Authorization": f"Bearer {make_token(DEMO_CLIENT_ID, DEMO_SECRET)}"}
    with httpx.Client(headers=headers, timeout=10) as http:
        body = {"bronorganisatie": random_rsin(), "kanaal": "telefoon"}
        first = http.post(f"{root}{CM}/contactmomenten", json=body)
        assert first.status_code == 201, first.text
        url = first.json()["url"]
        assert url.startswith(f"{root}{CM}/contactmomenten/")
        later = http.post(f"{root}{CM}/contactmomenten", json={**body, "vorigContactmoment": url})
        assert http.get(url).json()["volgendContactmoment"] == later.json()["url"]

        klant_body = {**body, "klantnummer": "live-1", "websiteUrl": "https://example.org"}
        del klant_body["kanaal"]
        klant = http.post(f"{root}{KLANTEN}/klanten", json=klant_body).json()["url"]
        relation = {"contactmoment": url, "klant": klant, "rol": "gesprekspartner"}
        created = http.post(f"{root}{CM}/klantcontactmomenten", json=relation)
        assert created.status_code == 201, created.text

        zaak = zaken.zaak()
        objectrelation = {"contactmoment": url, "object": zaak, "objectType": "zaak"}
        refused = http.post(f"{root}{CM}/objectcontactmomenten", json=objectrelation)
        assert refused.status_code == 400
        assert refused.json()["invalidParams"][0]["code"] == "inconsistent-relation"
        zaken.relate(zaak, url)
        made = http.post(f"{root}{CM}/objectcontactmomenten", json=objectrelation)
        assert made.status_code == 201, made.text

        etag = http.get(url).headers["etag"]
        assert http.get(url, headers={"If-None-Match": etag}).status_code == 304
