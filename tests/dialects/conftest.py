"""Shared fixtures and helpers of the dialect tests.

One reference server without faults serves every dialect test of a session (its own SQLite
file; started once, and waited on through the line it prints when it accepts connections).
It knows a ZGW client with every scope of the Klanten and Contactmomenten APIs and keeps the
demo key of the Klantinteracties API. The run helpers start ``klanten-conformance run`` as a
vendor would, against a proxy's URL.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from klanten_conformance import apis
from klanten_conformance.harness.process import start_server_process

#: the demo key of the Klantinteracties API (the server is given no [[tokens]])
TOKEN = "demo-token"
KI_BASE = "/klantinteracties/api/v1"
CLIENT_ID = "klanten-conformance"


@dataclass(frozen=True)
class Reference:
    """The reference server of the dialect tests: its root URL and the ZGW client's secret."""

    root: str
    secret: str


def server_config(secret: str) -> str:
    """A server configuration with one ZGW client holding every Klanten and Contactmomenten
    scope (no [[tokens]]: the Klantinteracties API keeps its demo key)."""
    definitions = [apis.get("klanten"), apis.get("contactmomenten")]
    scopes = sorted(
        {s for d in definitions for v in apis.operation_scopes(d.spec).values() for s in v}
    )
    listed = ", ".join(f'"{s}"' for s in scopes)
    return (
        "[server]\npage_size = 20\n\n[[clients]]\n"
        f'client_id = "{CLIENT_ID}"\nsecret = "{secret}"\nscopes = [{listed}]\n'
    )


#: where the runs of this session keep their bytecode (set by ``bytecode_cache``)
_PYCACHE: list[Path] = []


def _without_faults() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}


@pytest.fixture(scope="session", autouse=True)
def bytecode_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One bytecode folder for every run of the session, outside the source tree: each run
    imports and (assertion-)rewrites the suites anew, and without a cache it pays for that
    every time (for one, where PYTHONDONTWRITEBYTECODE is set)."""
    _PYCACHE.append(tmp_path_factory.mktemp("pycache"))
    try:
        yield
    finally:
        _PYCACHE.clear()


def _run_environment() -> dict[str, str]:
    env = _without_faults()
    if _PYCACHE:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(_PYCACHE[0])
    return env


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reference]:
    """The built-in reference server, once per session (per xdist worker), without faults."""
    folder = tmp_path_factory.mktemp("dialect-server")
    secret = secrets.token_urlsafe(32)
    config = folder / "server.toml"
    config.write_text(server_config(secret), encoding="utf-8")
    process = start_server_process(
        folder / "reference.sqlite3", config, folder / "server.log", env=_without_faults()
    )
    try:
        yield Reference(process.root_url.rstrip("/"), secret)
    finally:
        process.stop()


@pytest.fixture(scope="session")
def reference_server(reference: Reference) -> str:
    """``http://127.0.0.1:PORT`` of the shared reference server."""
    return reference.root


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "klanten_conformance.cli",
        "run",
        "--depth",
        "quick",
        "-q",
        "-p",
        "no:cacheprovider",
        *args,
    ]
    return subprocess.run(
        command, cwd=cwd, env=_run_environment(), capture_output=True, text=True, timeout=900
    )


def run_ki(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``klanten-conformance run`` of the Klantinteracties profile against ``url`` (the API's
    base URL) with the demo key; ``args``: the selection (``--rule``, ``-k``)."""
    return _run(
        ["--profile", "klantinteracties-0.9", "--klantinteracties-url", url, "--token", TOKEN]
        + list(args),
        cwd,
    )


def run_zgw(
    reference: Reference, root: str, *args: str, cwd: Path, api: str = "contactmomenten"
) -> str:
    """``klanten-conformance run`` of the ``api`` API at ``root`` (a proxy's URL) with the
    reference server's ZGW client; its output (stdout and stderr)."""
    result = _run(
        [
            "--api",
            api,
            f"--{api}-url",
            f"{root}/{api}/api/v1",
            "--client-id",
            CLIENT_ID,
            "--secret",
            reference.secret,
            *args,
        ],
        cwd,
    )
    return result.stdout + result.stderr


def verdict(output: str, rule_id: str) -> str | None:
    """The verdict the run's summary gives ``rule_id`` (pass, fail, inconclusive, ...)."""
    match = re.search(rf"^  {re.escape(rule_id)}\s+(MUST|SHOULD)\s+(\S+)", output, re.M)
    return match.group(2) if match else None
