"""Settings of the reference server, read from a TOML file (``--config``).

Every key is optional; a missing file section keeps the defaults below.

    [server]
    min_niveau = "substantieel"      # laag | substantieel | hoog: the lowest end-user
                                     #   authentication level that may register or see an
                                     #   aangehaakte klant (Klanten API)
    enforce_authenticatie = true     # false: no end-user authentication is asked (Klanten API)
    page_size = 100                  # results per list page (and the largest pageSize)
    subject_timeout = 3.0            # seconds to wait for a remote URL the server must check
                                     #   (kla-002 subject; the other APIs' URL checks)
    max_body_bytes = 65536           # larger request bodies are refused with 413
    validate_responses = "log"       # off | log | strict: check every response against the
                                     #   API's document; log mismatches, or answer 500
    faults = []                      # fault switches, see reference_server.faults
    seed = []                        # data made before the server serves: "ki-migratie"
                                     #   (klanten and their migrated partijen, see
                                     #   reference_server.klantinteracties.migratie)

    [notificaties]                   # without this section no notifications are sent
    url = "http://127.0.0.1:9000/api/v1/notificaties"   # required: where to POST them
    client_id = "klanten-server"     # optional, with secret: sign them with this client
    secret = "..."

    [[clients]]                      # ZGW JWT clients (Klanten, Contactmomenten API)
    client_id = "zaaksysteem"        # required; the token's client_id (or iss) claim
    secret = "a long random secret"  # required; the HS256 signing secret
    scopes = ["klanten.lezen", "klanten.aanmaken"]   # default: every scope of every API

    [[tokens]]                       # keys for APIs with Token authentication
    key = "a long random key"        # required; sent as "Authorization: Token <key>"
    name = "zaaksysteem"             # optional; who uses it (audit and log lines)

Without [[clients]] the demo client "demo" / "demo-secret" (every scope) is used, and
without [[tokens]] the demo key "demo-token"; both are published, so the server warns.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reference_server.faults import faults_from_env, parse_faults

NIVEAUS = ("laag", "substantieel", "hoog")
DEMO_CLIENT_ID = "demo"
DEMO_SECRET = "demo-secret"
DEMO_TOKEN = "demo-token"
RESPONSE_VALIDATION_MODES = ("off", "log", "strict")
#: the data sets ``[server] seed`` may name
SEEDS = ("ki-migratie",)


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or holds invalid settings."""


@dataclass(frozen=True)
class Client:
    client_id: str
    secret: str = field(repr=False)
    scopes: frozenset[str]


@dataclass(frozen=True)
class Token:
    key: str = field(repr=False)
    name: str = ""


@dataclass(frozen=True)
class Settings:
    clients: dict[str, Client]
    tokens: dict[str, Token] = field(default_factory=dict)
    db_path: Path = Path("klanten-reference.sqlite3")
    min_niveau: str = "substantieel"
    enforce_authenticatie: bool = True
    page_size: int = 100
    subject_timeout: float = 3.0
    max_body_bytes: int = 64 * 1024
    validate_responses: str = "log"
    faults: frozenset[str] = frozenset()
    seed: tuple[str, ...] = ()
    notificaties_url: str | None = None
    notificaties_client: Client | None = None
    uses_demo_secret: bool = False
    uses_demo_token: bool = False

    def fault(self, name: str) -> bool:
        """True when the behaviour of fault ``name`` is switched off."""
        return name in self.faults


def all_scopes() -> frozenset[str]:
    """Every scope the API packages declare."""
    from reference_server.apis import all_scopes as declared

    return declared()


def demo_client() -> Client:
    return Client(DEMO_CLIENT_ID, DEMO_SECRET, all_scopes())


_SERVER_KEYS = {
    "min_niveau",
    "enforce_authenticatie",
    "page_size",
    "subject_timeout",
    "max_body_bytes",
    "validate_responses",
    "faults",
    "seed",
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


def _table(where: str, raw: Any, allowed: set[str], required: tuple[str, ...]) -> dict:
    if not isinstance(raw, dict):
        raise ConfigError(f"[{where}]: expected a table")
    _check_keys(where, raw, allowed)
    for key in required:
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise ConfigError(f"[{where}] {key}: required, a non-empty string")
    return raw


def _parse_client(where: str, raw: Any, *, scopes_allowed: bool = True) -> Client:
    allowed = {"client_id", "secret", "scopes"} if scopes_allowed else {"client_id", "secret"}
    raw = _table(where, raw, allowed, ("client_id", "secret"))
    known = all_scopes() if scopes_allowed else frozenset()
    scopes = raw.get("scopes", sorted(known))
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise ConfigError(f"[{where}] scopes: expected a list of strings")
    unknown = sorted(set(scopes) - known)
    if unknown:
        raise ConfigError(f"[{where}] scopes: unknown scope(s) {', '.join(unknown)}")
    return Client(raw["client_id"], raw["secret"], frozenset(scopes))


def _parse_token(index: int, raw: Any) -> Token:
    where = f"tokens #{index + 1}"
    raw = _table(where, raw, {"key", "name"}, ("key",))
    name = raw.get("name", "")
    if not isinstance(name, str):
        raise ConfigError(f"[{where}] name: expected a string")
    return Token(raw["key"], name)


def _server_section(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError("[server]: expected a table")
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
    if "seed" in raw:
        seed = raw["seed"]
        if not isinstance(seed, list) or not all(isinstance(s, str) for s in seed):
            raise ConfigError("[server] seed: expected a list of seed names")
        unknown = sorted(set(seed) - set(SEEDS))
        if unknown:
            raise ConfigError(
                f"[server] seed: unknown seed(s) {', '.join(unknown)} (known: {', '.join(SEEDS)})"
            )
        out["seed"] = tuple(dict.fromkeys(seed))
    return out


def _notificaties_section(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError("[notificaties]: expected a table")
    _check_keys("notificaties", raw, {"url", "client_id", "secret"})
    url = raw.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ConfigError("[notificaties] url: required, an http(s) URL")
    out: dict[str, Any] = {"notificaties_url": url}
    if "client_id" in raw or "secret" in raw:
        credentials = {k: raw.get(k) for k in ("client_id", "secret")}
        out["notificaties_client"] = _parse_client(
            "notificaties", credentials, scopes_allowed=False
        )
    return out


def _array(data: dict[str, Any], name: str) -> list:
    raw = data.get(name, [])
    if not isinstance(raw, list):
        raise ConfigError(f"{name}: expected an array of tables ([[{name}]])")
    return raw


def _duplicates(values: list[str]) -> list[str]:
    return sorted({v for v in values if values.count(v) > 1})


def parse_config(data: dict[str, Any]) -> dict[str, Any]:
    """Turn the parsed TOML into keyword arguments for :class:`Settings`."""
    _check_keys("top level", data, {"server", "notificaties", "clients", "tokens"})
    kwargs: dict[str, Any] = {}
    kwargs.update(_server_section(data.get("server", {})))
    if "notificaties" in data:
        kwargs.update(_notificaties_section(data["notificaties"]))
    clients = [
        _parse_client(f"clients #{i + 1}", raw) for i, raw in enumerate(_array(data, "clients"))
    ]
    duplicates = _duplicates([c.client_id for c in clients])
    if duplicates:
        raise ConfigError(f"clients: duplicate client_id(s) {', '.join(duplicates)}")
    tokens = [_parse_token(i, raw) for i, raw in enumerate(_array(data, "tokens"))]
    if _duplicates([t.key for t in tokens]):
        raise ConfigError("tokens: the same key is given more than once")  # keys stay unprinted
    kwargs["clients"] = {c.client_id: c for c in clients}
    kwargs["tokens"] = {t.key: t for t in tokens}
    return kwargs


def load_settings(
    config_path: Path | None = None,
    *,
    db_path: Path | None = None,
    environ: dict[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Settings from the config file (optional), the fault env var and explicit overrides."""
    kwargs: dict[str, Any] = {"clients": {}, "tokens": {}}
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
    if not kwargs["tokens"]:
        kwargs["tokens"] = {DEMO_TOKEN: Token(DEMO_TOKEN, "demo")}
        kwargs["uses_demo_token"] = True
    return Settings(**kwargs)
