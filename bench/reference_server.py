"""Throughput and latency of the reference server on loopback.

Starts ``klanten-conformance serve`` as its own process (one uvicorn worker) with a fresh
database, then measures reads (GET of a klant) and creates (POST of a zelfstandige klant) with 1
and 8 concurrent clients, each keeping its connection open. Prints a table.

    python bench/reference_server.py [--seconds 5] [--validate-responses log|off|strict]

Client and server share this machine's cores, so the numbers are a floor, not a ceiling.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from klanten_conformance.harness.process import ServerProcess, start_server_process
from klanten_conformance.testdata import random_klantnummer, random_rsin
from klanten_conformance.tokens import make_token

SECRET = "bench-secret-bench-secret-bench-secret"


def start_server(tmp: Path, validate: str) -> tuple[ServerProcess, str]:
    config = tmp / "bench.toml"
    config.write_text(
        f'[server]\nvalidate_responses = "{validate}"\n'
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--validate-responses", default="log", choices=["off", "log", "strict"])
    args = parser.parse_args()
    headers = {"Authorization": f"Bearer {make_token('bench', SECRET)}"}
    bronorganisatie = random_rsin()

    with tempfile.TemporaryDirectory() as tmp:
        process, base = start_server(Path(tmp), args.validate_responses)
        try:
            def create(client: httpx.Client) -> bool:
                body = {"bronorganisatie": bronorganisatie, "klantnummer": random_klantnummer(),
                        "websiteUrl": "https://www.example.org", "achternaam": "Bench"}
                return client.post(f"{base}/klanten", json=body, headers=headers).status_code == 201

            with httpx.Client() as client:
                target = client.post(f"{base}/klanten", headers=headers, json={
                    "bronorganisatie": bronorganisatie, "klantnummer": random_klantnummer(),
                    "websiteUrl": "https://www.example.org"}).json()["url"]

            def read(client: httpx.Client) -> bool:
                return client.get(target, headers=headers).status_code == 200

            print(f"reference server, response validation {args.validate_responses!r}, "
                  f"{args.seconds:.0f} s per row")
            print(f"{'operation':<10}{'clients':>8}{'requests':>10}{'per s':>10}"
                  f"{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
            for name, action in (("read", read), ("create", create)):
                for workers in (1, 8):
                    count, latencies, errors = run(workers, args.seconds, action)
                    print(f"{name:<10}{workers:>8}{count:>10}{count / args.seconds:>10.0f}"
                          f"{percentile(latencies, 50):>9.1f}{percentile(latencies, 99):>9.1f}"
                          f"{errors:>8}")
        finally:
            process.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
