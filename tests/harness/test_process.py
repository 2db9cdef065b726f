"""Starting the reference server waits on its ready line and shows its output when it fails."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from klanten_conformance.harness.process import ServerStartError, start_server_process

pytestmark = pytest.mark.slow


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    return {**env, **extra}


def test_the_server_binds_its_own_port_and_says_where(tmp_path: Path) -> None:
    server = start_server_process(tmp_path / "db.sqlite3", None, tmp_path / "log", env=_env())
    try:
        assert server.port > 0
        response = httpx.get(f"{server.root_url}/klanten/api/v1/schema/openapi.yaml", timeout=10)
        assert response.status_code == 200
    finally:
        server.stop()
    assert server.process.poll() is not None


def test_a_failed_start_shows_what_the_server_printed(tmp_path: Path) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("[server\nnot toml", encoding="utf-8")
    with pytest.raises(ServerStartError) as caught:
        start_server_process(tmp_path / "db.sqlite3", config, tmp_path / "log", env=_env())
    message = str(caught.value)
    assert "exited at start-up" in message
    assert "not valid TOML" in message  # the server's own words, not an empty tail


def test_an_unknown_fault_is_shown_too(tmp_path: Path) -> None:
    env = _env(REFERENCE_SERVER_FAULTS="NO-SUCH-FAULT")
    with pytest.raises(ServerStartError, match="NO-SUCH-FAULT"):
        start_server_process(tmp_path / "db.sqlite3", None, tmp_path / "log", env=env)
