"""Uniqueness holds under concurrent requests to a real server process (KLOK01-C1, kla-001b)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from klanten_conformance.testdata import random_bsn, random_klantnummer, random_rsin
from klanten_conformance.tokens import authenticatie_claim, make_token
from tests.reference_server.conftest import ALL_SCOPES, SECRET, LiveServer

PARALLEL = 20

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real server process for the module (each test uses its own bronorganisatie)."""
    tmp = tmp_path_factory.mktemp("concurrency")
    config = tmp / "server.toml"
    scopes = ", ".join(f'"{s}"' for s in ALL_SCOPES)
    config.write_text(
        f'[[clients]]\nclient_id = "suite"\nsecret = "{SECRET}"\nscopes = [{scopes}]\n'
    )
    server = LiveServer(db=tmp / "live.sqlite3", config=config).start()
    yield server
    server.stop()


def create_all(live: LiveServer, bodies: list[dict], authn: dict | None) -> list[httpx.Response]:
    """POST every body at (nearly) the same moment, one thread each."""
    token = make_token("suite", SECRET, authenticatie=authn)
    headers = {"Authorization": f"Bearer {token}"}
    barrier = threading.Barrier(len(bodies))
    with httpx.Client(timeout=30, limits=httpx.Limits(max_connections=len(bodies))) as http:

        def post(body: dict) -> httpx.Response:
            barrier.wait(timeout=10)
            return http.post(f"{live.url}/klanten", json=body, headers=headers)

        with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
            return list(pool.map(post, bodies))


def outcome(responses: list[httpx.Response]) -> Counter:
    """Status counts, with 400s split by whether they carry invalidParams code unique."""
    counts: Counter = Counter()
    for response in responses:
        if response.status_code == 400:
            codes = {p["code"] for p in response.json().get("invalidParams", [])}
            counts["400 unique" if "unique" in codes else f"400 {sorted(codes)}"] += 1
        else:
            counts[str(response.status_code)] += 1
    return counts


def body(bronorganisatie: str, **fields: object) -> dict:
    return {
        "bronorganisatie": bronorganisatie,
        "klantnummer": random_klantnummer(),
        "websiteUrl": "https://www.example.org/klant",
        **fields,
    }


def test_parallel_creates_of_one_bsn_make_one_klant(live: LiveServer) -> None:
    """KLOK01-C1: 20 simultaneous creates of the same BSN in one bronorganisatie → exactly
    one 201 and 19 × 400 unique, never a 5xx."""
    bsn, bronorganisatie = random_bsn(), random_rsin()
    identificatie = {"subjectType": "natuurlijk_persoon", "subjectIdentificatie": {"inpBsn": bsn}}
    bodies = [body(bronorganisatie, **identificatie) for _ in range(PARALLEL)]
    authn = authenticatie_claim("natuurlijk_persoon", bsn)
    counts = outcome(create_all(live, bodies, authn))
    assert counts == Counter({"201": 1, "400 unique": PARALLEL - 1}), counts
    token = make_token("suite", SECRET, authenticatie=authn)
    found = httpx.get(
        f"{live.url}/klanten",
        params={"bronorganisatie": bronorganisatie, "subjectNatuurlijkPersoon__inpBsn": bsn},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert found.status_code == 200, found.text
    assert found.json()["count"] == 1


def test_parallel_creates_of_one_klantnummer_make_one_klant(live: LiveServer) -> None:
    """kla-001b: 20 simultaneous creates with the same (bronorganisatie, klantnummer) →
    exactly one 201, the others 400 unique, never a 5xx."""
    bronorganisatie, klantnummer = random_rsin(), random_klantnummer()
    bodies = [body(bronorganisatie, klantnummer=klantnummer) for _ in range(PARALLEL)]
    counts = outcome(create_all(live, bodies, None))
    assert counts == Counter({"201": 1, "400 unique": PARALLEL - 1}), counts
