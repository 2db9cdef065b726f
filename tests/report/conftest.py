"""Helpers of the report tests: an external reference server with a known secret, CLI runs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from klanten_conformance.harness.process import ServerProcess, start_server_process

ROOT = Path(__file__).resolve().parents[2]
KNOWN_SECRET = "known-Secret-5f1c2e9a7b3d4c8e"
KNOWN_RESTRICTED_SECRET = "known-Restricted-0a9b8c7d6e5f"
SCOPES = (
    '"klanten.lezen", "klanten.aanmaken", "klanten.bijwerken", "klanten.verwijderen", '
    '"audittrails.lezen"'
)


@dataclass
class ExternalServer:
    url: str
    client_id: str = "vendor-client"
    secret: str = KNOWN_SECRET
    restricted_client_id: str = "vendor-lezen"
    restricted_secret: str = KNOWN_RESTRICTED_SECRET


def start_server(workdir: Path, faults: str = "") -> tuple[ServerProcess, ExternalServer]:
    """`klanten-conformance serve` with a config holding the known secrets."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "server.toml"
    config.write_text(
        '[server]\nmin_niveau = "substantieel"\n\n'
        f'[[clients]]\nclient_id = "vendor-client"\nsecret = "{KNOWN_SECRET}"\n'
        f"scopes = [{SCOPES}]\n\n"
        f'[[clients]]\nclient_id = "vendor-lezen"\nsecret = "{KNOWN_RESTRICTED_SECRET}"\n'
        'scopes = ["klanten.lezen"]\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    if faults:
        env["REFERENCE_SERVER_FAULTS"] = faults
    db, log = workdir / "db.sqlite3", workdir / "server.log"
    process = start_server_process(db, config, log, env=env)
    return process, ExternalServer(f"{process.root_url}/klanten/api/v1")


@pytest.fixture
def external_server(tmp_path: Path) -> Iterator[ExternalServer]:
    """An external server without faults, with known secrets (it posts no notifications)."""
    process, server = start_server(tmp_path / "server")
    try:
        yield server
    finally:
        process.stop()


@pytest.fixture
def faulty_external_server(tmp_path: Path) -> Iterator[ExternalServer]:
    """An external server (CACHE-03 broken, so failures carry evidence) with known secrets."""
    process, server = start_server(tmp_path / "server", faults="CACHE-03")
    try:
        yield server
    finally:
        process.stop()


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, faults: str = ""
) -> subprocess.CompletedProcess[str]:
    """`klanten-conformance ARGS` in ``cwd`` (reports land in ``cwd/reports``)."""
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k != "REFERENCE_SERVER_FAULTS" and not k.startswith("KLANTEN_CONFORMANCE_")
    }
    full_env.update(env or {})
    if faults:
        full_env["REFERENCE_SERVER_FAULTS"] = faults
    return subprocess.run(
        [sys.executable, "-m", "klanten_conformance.cli", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_dirs(cwd: Path) -> list[Path]:
    return sorted(p for p in (cwd / "reports").iterdir() if p.is_dir())
