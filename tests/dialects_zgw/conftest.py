"""Fixtures of the dialect tests: the built-in reference server behind a dialect proxy."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest

from klanten_conformance.harness.process import ServerProcess, start_server_process
from tests.dialects_zgw.proxy import Reference, server_config


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reference]:
    """The built-in reference server, started once per module without faults."""
    folder = tmp_path_factory.mktemp("dialect-server")
    secret = secrets.token_urlsafe(32)
    config = folder / "server.toml"
    config.write_text(server_config(secret), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    process: ServerProcess = start_server_process(
        folder / "reference.sqlite3", config, folder / "server.log", env=env
    )
    try:
        yield Reference(process.root_url, secret)
    finally:
        process.stop()
