"""Configuration of the reference server and the ``klanten-conformance serve`` command: config
errors, fault names, the demo client and persistence across restarts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from klanten_conformance.testdata import random_klantnummer, random_rsin
from klanten_conformance.tokens import make_token
from reference_server.config import (
    DEMO_CLIENT_ID,
    DEMO_SECRET,
    ConfigError,
    load_settings,
    parse_config,
)
from reference_server.faults import UnknownFaultError
from tests.reference_server.conftest import SECRET, LiveServer

CLIENT = {"client_id": "zaaksysteem", "secret": "s3cret", "scopes": ["klanten.lezen"]}


def klant_body() -> dict:
    return {
        "bronorganisatie": random_rsin(),
        "klantnummer": random_klantnummer(),
        "websiteUrl": "https://www.example.org/klant",
    }


def bearer(client_id: str, secret: str) -> dict:
    return {"Authorization": f"Bearer {make_token(client_id, secret)}"}


# parse_config / load_settings -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"bogus": 1}, "unknown setting(s) bogus"),
        ({"server": {"page_sise": 10}}, "unknown setting(s) page_sise"),
        ({"clients": [{**CLIENT, "colour": "blue"}]}, "unknown setting(s) colour"),
        ({"clients": [{**CLIENT, "scopes": ["klanten.alles"]}]}, "unknown scope(s) klanten.alles"),
        ({"clients": [{**CLIENT, "scopes": "klanten.lezen"}]}, "scopes"),
        ({"server": {"min_niveau": "middel"}}, "min_niveau"),
        (
            {"clients": [CLIENT, {**CLIENT, "secret": "other"}]},
            "duplicate client_id(s) zaaksysteem",
        ),
        ({"clients": [{"client_id": "x"}]}, "secret"),
        ({"clients": [{**CLIENT, "client_id": ""}]}, "client_id"),
        ({"clients": {"client_id": "x"}}, "clients"),
        ({"server": {"page_size": 0}}, "page_size"),
        ({"server": {"page_size": True}}, "page_size"),
        ({"server": {"max_body_bytes": "lots"}}, "max_body_bytes"),
        ({"server": {"validate_responses": "sometimes"}}, "validate_responses"),
        ({"server": {"enforce_authenticatie": "yes"}}, "enforce_authenticatie"),
        ({"notificaties": {"url": "ftp://example.org"}}, "[notificaties] url"),
    ],
)
def test_parse_config_errors_are_clear(data: dict, message: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        parse_config(data)
    assert message in str(excinfo.value)


def test_parse_config_accepts_a_full_config() -> None:
    kwargs = parse_config(
        {
            "server": {"min_niveau": "hoog", "page_size": 5, "faults": ["CACHE-03"]},
            "notificaties": {"url": "http://127.0.0.1:9/api/v1/notificaties"},
            "clients": [CLIENT],
        }
    )
    assert kwargs["min_niveau"] == "hoog"
    assert kwargs["page_size"] == 5
    assert kwargs["faults"] == frozenset({"CACHE-03"})
    assert kwargs["clients"]["zaaksysteem"].scopes == frozenset({"klanten.lezen"})


def test_bad_toml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[server\npage_size = 10\n")
    with pytest.raises(ConfigError) as excinfo:
        load_settings(path, environ={})
    assert "not valid TOML" in str(excinfo.value)
    assert str(path) in str(excinfo.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "missing.toml"
    with pytest.raises(ConfigError) as excinfo:
        load_settings(path, environ={})
    assert "cannot read config file" in str(excinfo.value)
    assert str(path) in str(excinfo.value)


def test_config_file_errors_name_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "server.toml"
    path.write_text('[server]\nmin_niveau = "middel"\n')
    with pytest.raises(ConfigError, match="min_niveau"):
        load_settings(path, environ={})


def test_unknown_fault_in_config_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "server.toml"
    path.write_text('[server]\nfaults = ["NO-SUCH-FAULT"]\n')
    with pytest.raises((ConfigError, UnknownFaultError), match="NO-SUCH-FAULT"):
        load_settings(path, environ={})


def test_unknown_fault_in_environment_is_refused() -> None:
    with pytest.raises(UnknownFaultError, match="NO-SUCH-FAULT"):
        load_settings(environ={"REFERENCE_SERVER_FAULTS": "CACHE-03, NO-SUCH-FAULT"})


def test_faults_from_file_and_environment_combine(tmp_path: Path) -> None:
    path = tmp_path / "server.toml"
    path.write_text('[server]\nfaults = ["CACHE-03"]\n')
    settings = load_settings(path, environ={"REFERENCE_SERVER_FAULTS": " LIFE-01 ,"})
    assert settings.faults == frozenset({"CACHE-03", "LIFE-01"})


def test_without_clients_the_demo_client_is_used(tmp_path: Path) -> None:
    settings = load_settings(environ={})
    assert set(settings.clients) == {DEMO_CLIENT_ID}
    assert settings.uses_demo_secret
    path = tmp_path / "server.toml"
    path.write_text(
        f'[[clients]]\nclient_id = "{CLIENT["client_id"]}"\nsecret = "{CLIENT["secret"]}"\n'
    )
    configured = load_settings(path, environ={})
    assert set(configured.clients) == {"zaaksysteem"}
    assert not configured.uses_demo_secret


# klanten-conformance serve --------------------------------------------------------------------


def serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    command = [
        sys.executable,
        "-m",
        "klanten_conformance.cli",
        "serve",
        "--port",
        "0",
        "--db",
        str(tmp_path / "never.sqlite3"),
        *args,
    ]
    environment = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    return subprocess.run(
        command, env={**environment, **(env or {})}, capture_output=True, text=True, timeout=30
    )


def test_serve_with_unknown_fault_exits_2(tmp_path: Path) -> None:
    result = serve(tmp_path, env={"REFERENCE_SERVER_FAULTS": "CACHE-03,NO-SUCH-FAULT"})
    assert result.returncode == 2, result.stderr
    assert "unknown fault" in result.stderr
    assert "NO-SUCH-FAULT" in result.stderr
    assert not (tmp_path / "never.sqlite3").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read config file"), ("[server\n", "not valid TOML")],
)
def test_serve_with_bad_config_exits_2(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "server.toml"
    if content is not None:
        path.write_text(content)
    result = serve(tmp_path, "--config", str(path))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert str(path) in result.stderr


def test_serve_without_config_uses_the_demo_client_and_warns(tmp_path: Path) -> None:
    server = LiveServer(db=tmp_path / "demo.sqlite3").start()
    try:
        headers = bearer(DEMO_CLIENT_ID, DEMO_SECRET)
        created = httpx.post(f"{server.url}/klanten", json=klant_body(), headers=headers)
        assert created.status_code == 201, created.text
        read = httpx.get(created.json()["url"], headers=headers)
        assert read.status_code == 200
        other = httpx.get(f"{server.url}/klanten", headers=bearer("suite", SECRET))
        assert other.status_code == 403
    finally:
        server.stop()
    log = server.log.read_text()
    assert "demo" in log
    assert "WARNING" in log
    assert "secret" in log


def test_serve_with_config_does_not_warn_about_the_demo_secret(live_server: LiveServer) -> None:
    demo = httpx.get(f"{live_server.url}/klanten", headers=bearer(DEMO_CLIENT_ID, DEMO_SECRET))
    assert demo.status_code == 403
    assert "published secret" not in live_server.log.read_text()


def test_klanten_survive_a_restart(live_server: LiveServer) -> None:
    headers = bearer("suite", SECRET)
    created = httpx.post(f"{live_server.url}/klanten", json=klant_body(), headers=headers)
    assert created.status_code == 201, created.text
    path = created.json()["url"].removeprefix(live_server.url)
    live_server.stop()
    again = LiveServer(db=live_server.db, config=live_server.config).start()
    try:
        read = httpx.get(f"{again.url}{path}", headers=headers)
        assert read.status_code == 200, read.text
        body = read.json()
        assert body["url"] == f"{again.url}{path}"
        assert {k: v for k, v in body.items() if k != "url"} == {
            k: v for k, v in created.json().items() if k != "url"
        }
        trail = httpx.get(f"{again.url}{path}/audittrail", headers=headers)
        assert [e["actie"] for e in trail.json()] == ["create"]
    finally:
        again.stop()


def test_serve_socket_turns_nagle_off_on_accepted_connections() -> None:
    """The listening socket says it is TCP, so asyncio sets TCP_NODELAY on every accepted
    connection (with Nagle on, each keep-alive response waits ~40 ms for a delayed ACK)."""
    import asyncio
    import socket

    from reference_server.cli import bind_socket

    async def accepted_nodelay() -> int:
        sock = bind_socket("127.0.0.1", 0)
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                accepted = transport.get_extra_info("socket")
                seen.set_result(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection(*sock.getsockname())
            value = await seen
            writer.close()
        return value

    assert asyncio.run(accepted_nodelay()) != 0


def test_serve_on_a_port_in_use_exits_1(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "reference_server",
                "--port",
                str(port),
                "--db",
                str(tmp_path / "never.sqlite3"),
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


# [[tokens]], scopes of the API packages --------------------------------------------------------


def test_tokens_are_read_with_an_optional_name() -> None:
    kwargs = parse_config({"tokens": [{"key": "k1", "name": "zaaksysteem"}, {"key": "k2"}]})
    assert kwargs["tokens"]["k1"].name == "zaaksysteem"
    assert kwargs["tokens"]["k2"].name == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tokens": [{"name": "x"}]}, "[tokens #1] key: required"),
        ({"tokens": [{"key": ""}]}, "[tokens #1] key: required"),
        ({"tokens": [{"key": "k", "secret": "s"}]}, "unknown setting(s) secret"),
        ({"tokens": [{"key": "k", "name": 3}]}, "[tokens #1] name"),
        ({"tokens": {"key": "k"}}, "tokens: expected an array of tables"),
        (
            {"tokens": [{"key": "SECRET-KEY-1"}, {"key": "SECRET-KEY-1"}]},
            "the same key is given more than once",
        ),
    ],
)
def test_token_errors_are_clear(data: dict, message: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        parse_config(data)
    assert message in str(excinfo.value)
    assert "SECRET-KEY" not in str(excinfo.value)  # keys are never printed


def test_without_tokens_the_demo_key_is_used() -> None:
    settings = load_settings(environ={})
    assert set(settings.tokens) == {"demo-token"}
    assert settings.uses_demo_token
    configured = load_settings(environ={}, tokens={"k": object()})
    assert not configured.uses_demo_token


def test_scopes_are_those_the_api_packages_declare() -> None:
    from reference_server.apis import all_scopes, definitions

    assert all_scopes() == frozenset().union(*(api.scopes for api in definitions()))
    assert "klanten.lezen" in all_scopes()
    kwargs = parse_config({"clients": [{"client_id": "a", "secret": "s"}]})
    assert kwargs["clients"]["a"].scopes == all_scopes()
    with pytest.raises(ConfigError, match="unknown scope"):
        parse_config({"clients": [{**CLIENT, "scopes": ["notities.lezen"]}]})


def test_every_operation_scope_is_declared_by_its_api() -> None:
    from reference_server.apis import definitions
    from reference_server.core.spec import load_document

    for api in definitions():
        for operation in load_document(api.spec_path).operations.values():
            assert set(operation.scopes) <= api.scopes, (api.name, operation.id)
            assert api.auth != "jwt" or operation.scopes, (api.name, operation.id)


# serve --help ----------------------------------------------------------------------------------


def test_serve_help_describes_apis_credentials_config_and_faults() -> None:
    from reference_server.faults import FAULTS

    result = subprocess.run(
        [sys.executable, "-m", "reference_server", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "/klanten/api/v1" in text and "Klanten API 1.0.0" in text
    assert DEMO_CLIENT_ID in text and DEMO_SECRET in text and "demo-token" in text
    from reference_server.config import _SERVER_KEYS

    for key in (
        *_SERVER_KEYS,
        "[notificaties]",
        "url",
        "client_id",
        "secret",
        "scopes",
        "[[tokens]]",
        "key",
        "name",
    ):
        assert key in text, key
    assert "REFERENCE_SERVER_FAULTS" in text
    lines = text.splitlines()
    for name, fault in FAULTS.items():
        assert any(line.split()[:1] == [name] and fault.description in line for line in lines), name


# the database file -----------------------------------------------------------------------------


def test_a_database_of_another_layout_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE audittrail (id INTEGER PRIMARY KEY, uuid TEXT, klant_uuid"
            " TEXT, data TEXT)"
        )
    result = serve(tmp_path, "--db", str(path))
    assert result.returncode == 2, result.stderr
    assert "another version of the reference server" in result.stderr
    assert str(path) in result.stderr
