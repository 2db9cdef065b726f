"""The built-in reference server, started once for the dialect tests (its own SQLite file)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "demo-token"
KI_BASE = "/klantinteracties/api/v1"


@pytest.fixture(scope="session")
def reference_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of a reference server without faults."""
    folder = tmp_path_factory.mktemp("reference")
    env = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "klanten_conformance.cli",
            "serve",
            "--port",
            "0",
            "--db",
            str(folder / "ki.sqlite3"),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # printed once the socket accepts connections
        found = re.search(r"ready: (http://\S+)", line)
        assert found, f"the reference server did not start: {line!r}"
        yield found.group(1).rstrip("/")
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def run_ki(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`klanten-conformance run` of the Klantinteracties profile against ``url`` (a base URL
    of the API), with the reference server's demo key."""
    command = [
        sys.executable,
        "-m",
        "klanten_conformance.cli",
        "run",
        "--profile",
        "klantinteracties-0.9",
        "--klantinteracties-url",
        url,
        "--token",
        TOKEN,
        "--depth",
        "quick",
        "-q",
        "-p",
        "no:cacheprovider",
        *args,
    ]
    env = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def verdict(output: str, rule_id: str) -> str | None:
    """The verdict the summary gives ``rule_id`` (pass, fail, inconclusive, ...)."""
    match = re.search(rf"^  {re.escape(rule_id)}\s+(MUST|SHOULD)\s+(\S+)", output, re.M)
    return match.group(2) if match else None
