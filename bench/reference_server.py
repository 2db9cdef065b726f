"""Throughput and latency of the reference server on loopback.

Starts ``klanten-conformance serve`` as its own process (one uvicorn worker) with a fresh
database, then measures reads (GET of a klant), creates (POST of a zelfstandige klant) and list
pages (GET of a ``klant_list`` page holding 100 aangehaakte klanten of one niet-natuurlijk
persoon, read with that persoon's end-user authentication) with 1 and 8 concurrent clients, each
keeping its connection open. Prints a table.

    python bench/reference_server.py [--seconds 5] [--validate-responses log|off|strict]
                                     [--only read,create,list]

Client and server share this machine's cores, so the numbers are a floor, not a ceiling.

Measured on the project's 2-core machine (requests per second with 8 clients, validation
"log"; two runs each, load average 1-2):

    server                                   read        create      list (pages of 100)
    before (d9889d0)                         171-173     153-157     54-55
    TCP_NODELAY only (2eb2943)               729         124         43
    generic core, compiled validators (now)  1198-1417   718-930     323-467

Before, every keep-alive request waited ~40 ms for a delayed ACK (the listening socket left
its protocol at 0, so asyncio never set TCP_NODELAY); the rest is openapi-core's per-request
validation and python-jsonschema response validation replaced by validators compiled once
(jsonschema_rs), verified JWTs remembered per token, and an indexed lookup of the end user's
klanten instead of a scan.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from klanten_conformance.harness.process import ServerProcess, start_server_process
from klanten_conformance.testdata import random_klantnummer, random_rsin
from klanten_conformance.tokens import authenticatie_claim, make_token

SECRET = "bench-secret-bench-secret-bench-secret"
LIST_PAGE = 100
ACTIONS = ("read", "create", "list")


def start_server(tmp: Path, validate: str) -> tuple[ServerProcess, str]:
    config = tmp / "bench.toml"
    config.write_text(
        f'[server]\nvalidate_responses = "{validate}"\npage_size = {LIST_PAGE}\n'
        f'[[clients]]\nclient_id = "bench"\nsecret = "{SECRET}"\n'
    )
    server = start_server_process(tmp / "bench.sqlite3", config, tmp / "server.log")
    return server, f"{server.root_url}/klanten/api/v1"


def run(workers: int, seconds: float, action) -> tuple[int, list[float], int]:
    """Run ``action(client)`` in ``workers`` threads for ``seconds``; latencies in ms."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal errors
        mine, bad = [], 0
        with httpx.Client(timeout=10) as client:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                ok = action(client)
                mine.append((time.perf_counter() - started) * 1000)
                bad += 0 if ok else 1
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), latencies, errors


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def actions(base: str) -> dict[str, Callable[[httpx.Client], bool]]:
    """The measured requests, after arranging what they need (a klant, a full list page)."""
    headers = {"Authorization": f"Bearer {make_token('bench', SECRET)}"}
    bronorganisatie = random_rsin()
    nnp = random_rsin()
    authn = authenticatie_claim("niet_natuurlijk_persoon", nnp)
    list_headers = {"Authorization": f"Bearer {make_token('bench', SECRET, authenticatie=authn)}"}

    def klant(**fields: object) -> dict:
        return {
            "bronorganisatie": bronorganisatie,
            "klantnummer": random_klantnummer(),
            "websiteUrl": "https://www.example.org",
            **fields,
        }

    listed = klant(
        achternaam="Lijst",
        emailadres="lijst@example.org",
        telefoonnummer="0201234567",
        adres={
            "straatnaam": "Straat",
            "huisnummer": 1,
            "postcode": "1234AB",
            "woonplaatsnaam": "Amsterdam",
            "landcode": "NL",
        },
        subjectType="niet_natuurlijk_persoon",
        subjectIdentificatie={"innNnpId": nnp, "statutaireNaam": "Bench B.V."},
    )
    with httpx.Client(timeout=10) as client:
        target = client.post(f"{base}/klanten", headers=headers, json=klant()).json()["url"]
        for _ in range(LIST_PAGE):
            body = {**listed, "klantnummer": random_klantnummer()}
            created = client.post(f"{base}/klanten", headers=list_headers, json=body)
            assert created.status_code == 201, created.text

    def read(client: httpx.Client) -> bool:
        return client.get(target, headers=headers).status_code == 200

    def create(client: httpx.Client) -> bool:
        body = klant(achternaam="Bench")
        return client.post(f"{base}/klanten", json=body, headers=headers).status_code == 201

    def listing(client: httpx.Client) -> bool:
        response = client.get(f"{base}/klanten", headers=list_headers)
        return response.status_code == 200 and len(response.json()["results"]) == LIST_PAGE

    return {"read": read, "create": create, "list": listing}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--validate-responses", default="log", choices=["off", "log", "strict"])
    parser.add_argument("--only", default=",".join(ACTIONS), help="read,create,list")
    parser.add_argument("--clients", default="1,8", help="comma-separated client counts (1,8)")
    args = parser.parse_args()
    chosen = [a for a in args.only.split(",") if a]
    unknown = sorted(set(chosen) - set(ACTIONS))
    if unknown:
        parser.error(f"unknown action(s) {', '.join(unknown)}")

    with tempfile.TemporaryDirectory() as tmp:
        process, base = start_server(Path(tmp), args.validate_responses)
        try:
            measured = actions(base)
            print(
                f"reference server, response validation {args.validate_responses!r}, "
                f"{args.seconds:.0f} s per row (list: pages of {LIST_PAGE} klanten)"
            )
            print(
                f"{'operation':<10}{'clients':>8}{'requests':>10}{'per s':>10}"
                f"{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
            )
            for name in chosen:
                for workers in (int(c) for c in args.clients.split(",")):
                    count, latencies, errors = run(workers, args.seconds, measured[name])
                    print(
                        f"{name:<10}{workers:>8}{count:>10}{count / args.seconds:>10.0f}"
                        f"{percentile(latencies, 50):>9.1f}{percentile(latencies, 99):>9.1f}"
                        f"{errors:>8}",
                        flush=True,
                    )
        finally:
            process.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
