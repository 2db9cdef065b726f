"""The Klantinteracties API of a real server process: KLOK01 uniqueness under 20 parallel
creates, a ``[[tokens]]`` key from the config file, and ``serve --help``."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from klanten_conformance.testdata import random_bsn
from reference_server.klantinteracties.faults import FAULTS
from tests.reference_server.conftest import LiveServer
from tests.reference_server.klantinteracties.conftest import BASE, group

PARALLEL = 20
KEY = "a-configured-key-for-the-process-test"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("ki-process")
    config = tmp / "server.toml"
    config.write_text(f'[[tokens]]\nkey = "{KEY}"\nname = "suite"\n')
    server = LiveServer(db=tmp / "live.sqlite3", config=config).start()
    yield server
    server.stop()


def url(live: LiveServer, path: str) -> str:
    assert live.server is not None
    return f"{live.server.root_url}{BASE}{path}"


def parallel_posts(live: LiveServer, path: str, bodies: list[dict]) -> Counter:
    headers = {"Authorization": f"Token {KEY}"}
    barrier = threading.Barrier(len(bodies))
    with httpx.Client(timeout=30, limits=httpx.Limits(max_connections=len(bodies))) as http:

        def post(body: dict) -> int:
            barrier.wait(timeout=10)
            return http.post(url(live, path), json=body, headers=headers).status_code

        with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
            return Counter(pool.map(post, bodies))


def test_parallel_creates_of_one_bsn_make_one_partij(live: LiveServer) -> None:
    """KI-KLOK01-C1 / KI-GED-05 held by the database: exactly one 201."""
    bsn = random_bsn()
    body = {
        "soortPartij": "persoon",
        "indicatieActief": True,
        "partijIdentificatoren": [{"partijIdentificator": group("bsn", bsn)}],
    }
    assert parallel_posts(live, "/partijen", [body] * PARALLEL) == Counter(
        {201: 1, 400: PARALLEL - 1}
    )
    found = httpx.get(
        url(live, "/partijen"),
        params={"partijIdentificator__objectId": bsn},
        headers={"Authorization": f"Token {KEY}"},
    ).json()
    assert found["count"] == 1


def test_parallel_creates_without_nummer_get_distinct_nummers(live: LiveServer) -> None:
    """KI-GED-14 under concurrency."""
    body = {"kanaal": "telefoon", "onderwerp": "x", "taal": "nld", "vertrouwelijk": False}
    assert parallel_posts(live, "/klantcontacten", [body] * PARALLEL) == Counter({201: PARALLEL})


def test_the_configured_key_works_and_others_get_a_challenge(live: LiveServer) -> None:
    ok = httpx.get(url(live, "/actoren"), headers={"Authorization": f"Token {KEY}"})
    assert ok.status_code == 200 and ok.headers["api-version"] == "0.9.0"
    demo = httpx.get(url(live, "/actoren"), headers={"Authorization": "Token demo-token"})
    assert demo.status_code == 401 and demo.headers["www-authenticate"] == "Token"


def test_serve_help_lists_the_api_and_its_faults() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "reference_server", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    ).stdout
    assert "/klantinteracties/api/v1" in shown
    for fault in FAULTS:
        assert fault.name in shown
