"""Settings of the reference server, read from a TOML file.

Example::

    [server]
    min_niveau = "substantieel"      # laag | substantieel | hoog
    enforce_authenticatie = true
    page_size = 100
    subject_timeout = 3.0            # seconds, for the kla-002 subject check
    max_body_bytes = 65536
    validate_responses = "log"       # off | log | strict
    faults = []                      # see reference_server.faults

    [notificaties]
    url = "http://127.0.0.1:9000/api/v1/notificaties"
    client_id = "klanten-server"     # optional: sign the notifications with this client
    secret = "..."

    [[clients]]
    client_id = "zaaksysteem"
    secret = "a long random secret"
    scopes = ["klanten.lezen", "klanten.aanmaken"]
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reference_server.faults import faults_from_env, parse_faults

ALL_SCOPES = frozenset(
    {
        "klanten.lezen",
        "klanten.aanmaken",
        "klanten.bijwerken",
        "klanten.verwijderen",
        "audittrails.lezen",
    }
)
NIVEAUS = ("laag", "substantieel", "hoog")
DEMO_CLIENT_ID = "demo"
DEMO_SECRET = "demo-secret"
RESPONSE_VALIDATION_MODES = ("off", "log", "strict")


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or holds invalid settings."""


@dataclass(frozen=True)
class Client:
    client_id: str
    secret: str = field(repr=False)
    scopes: frozenset[str]


@dataclass(frozen=True)
class Settings:
    clients: dict[str, Client]
    db_path: Path = Path("klanten-reference.sqlite3")
    min_niveau: str = "substantieel"
    enforce_authenticatie: bool = True
    page_size: int = 100
    subject_timeout: float = 3.0
    max_body_bytes: int = 64 * 1024
    validate_responses: str = "log"
    faults: frozenset[str] = frozenset()
    notificaties_url: str | None = None
    notificaties_client: Client | None = None
    uses_demo_secret: bool = False

    def fault(self, name: str) -> bool:
        """True when the behaviour of ``name`` is switched off."""
        return name in self.faults


def demo_client() -> Client:
    return Client(DEMO_CLIENT_ID, DEMO_SECRET, ALL_SCOPES)


_SERVER_KEYS = {
    "min_niveau",
    "enforce_authenticatie",
    "page_size",
    "subject_timeout",
    "max_body_bytes",
    "validate_responses",
    "faults",
}


def _check_keys(section: str, data: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(f"[{section}]: unknown setting(s) {', '.join(unknown)}")


def _expect(section: str, key: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise ConfigError(f"[{section}] {key}: expected a number, got {value!r}")
    if not isinstance(value, kind):
        raise ConfigError(f"[{section}] {key}: expected {getattr(kind, '__name__', kind)}")
    return value


def _parse_client(index: int, raw: Any) -> Client:
    where = f"clients #{index + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(f"[{where}]: expected a table")
    _check_keys(where, raw, {"client_id", "secret", "scopes"})
    for key in ("client_id", "secret"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise ConfigError(f"[{where}] {key}: required, a non-empty string")
    scopes = raw.get("scopes", sorted(ALL_SCOPES))
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise ConfigError(f"[{where}] scopes: expected a list of strings")
    unknown = sorted(set(scopes) - ALL_SCOPES)
    if unknown:
        raise ConfigError(f"[{where}] scopes: unknown scope(s) {', '.join(unknown)}")
    return Client(raw["client_id"], raw["secret"], frozenset(scopes))


def _server_section(raw: dict[str, Any]) -> dict[str, Any]:
    _check_keys("server", raw, _SERVER_KEYS)
    out: dict[str, Any] = {}
    if "min_niveau" in raw:
        if raw["min_niveau"] not in NIVEAUS:
            raise ConfigError(f"[server] min_niveau: one of {', '.join(NIVEAUS)}")
        out["min_niveau"] = raw["min_niveau"]
    if "enforce_authenticatie" in raw:
        out["enforce_authenticatie"] = _expect(
            "server", "enforce_authenticatie", raw["enforce_authenticatie"], bool
        )
    for key, kind in (
        ("page_size", int),
        ("max_body_bytes", int),
        ("subject_timeout", (int, float)),
    ):
        if key in raw:
            value = _expect("server", key, raw[key], kind)
            if value <= 0:
                raise ConfigError(f"[server] {key}: must be positive")
            out[key] = value
    if "validate_responses" in raw:
        if raw["validate_responses"] not in RESPONSE_VALIDATION_MODES:
            modes = ", ".join(RESPONSE_VALIDATION_MODES)
            raise ConfigError(f"[server] validate_responses: one of {modes}")
        out["validate_responses"] = raw["validate_responses"]
    if "faults" in raw:
        faults = raw["faults"]
        if not isinstance(faults, list) or not all(isinstance(f, str) for f in faults):
            raise ConfigError("[server] faults: expected a list of fault names")
        out["faults"] = parse_faults(faults)  # UnknownFaultError names the bad ones
    return out


def _notificaties_section(raw: dict[str, Any]) -> dict[str, Any]:
    _check_keys("notificaties", raw, {"url", "client_id", "secret"})
    url = raw.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ConfigError("[notificaties] url: required, an http(s) URL")
    out: dict[str, Any] = {"notificaties_url": url}
    if "client_id" in raw or "secret" in raw:
        credentials = {k: raw.get(k) for k in ("client_id", "secret")}
        out["notificaties_client"] = _parse_client(0, {**credentials, "scopes": []})
    return out


def parse_config(data: dict[str, Any]) -> dict[str, Any]:
    """Turn the parsed TOML into keyword arguments for :class:`Settings`."""
    _check_keys("top level", data, {"server", "notificaties", "clients"})
    kwargs: dict[str, Any] = {}
    kwargs.update(_server_section(data.get("server", {})))
    if "notificaties" in data:
        kwargs.update(_notificaties_section(data["notificaties"]))
    raw_clients = data.get("clients", [])
    if not isinstance(raw_clients, list):
        raise ConfigError("clients: expected an array of tables ([[clients]])")
    clients = [_parse_client(i, raw) for i, raw in enumerate(raw_clients)]
    ids = [c.client_id for c in clients]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"clients: duplicate client_id(s) {', '.join(duplicates)}")
    kwargs["clients"] = {c.client_id: c for c in clients}
    return kwargs


def load_settings(
    config_path: Path | None = None,
    *,
    db_path: Path | None = None,
    environ: dict[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Settings from the config file (optional), the fault env var and explicit overrides."""
    kwargs: dict[str, Any] = {"clients": {}}
    if config_path is not None:
        try:
            with open(config_path, "rb") as fh:
                kwargs.update(parse_config(tomllib.load(fh)))
        except OSError as exc:
            raise ConfigError(f"cannot read config file {config_path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {config_path} is not valid TOML: {exc}") from exc
    kwargs["faults"] = kwargs.get("faults", frozenset()) | faults_from_env(environ)
    if db_path is not None:
        kwargs["db_path"] = Path(db_path)
    kwargs.update(overrides)
    if not kwargs["clients"]:
        kwargs["clients"] = {DEMO_CLIENT_ID: demo_client()}
        kwargs["uses_demo_secret"] = True
    return Settings(**kwargs)
