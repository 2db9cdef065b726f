"""The target of a conformance run: where it is, how to authenticate, and whether it is usable.

A target comes from the command-line options, from a ``targets.toml`` entry (``--target NAME``)
or, when no URL is given, is the built-in reference server started as a subprocess.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import requests

from klanten_conformance.harness.process import (
    ServerProcess,
    ServerStartError,
    start_server_process,
    tail,
)
from klanten_conformance.testdata import random_klantnummer, random_rsin
from klanten_conformance.tokens import NIVEAUS, make_token

SECRET_ENV = "KLANTEN_CONFORMANCE_SECRET"
RESTRICTED_SECRET_ENV = "KLANTEN_CONFORMANCE_RESTRICTED_SECRET"
DEFAULT_TARGETS_FILE = Path("targets.toml")
ALL_SCOPES = (
    "klanten.lezen",
    "klanten.aanmaken",
    "klanten.bijwerken",
    "klanten.verwijderen",
    "audittrails.lezen",
)
_TARGET_KEYS = frozenset(
    {
        "klanten_url",
        "client_id",
        "secret",
        "secret_env",
        "restricted_client_id",
        "restricted_secret",
        "restricted_secret_env",
        "bronorganisatie",
        "callback_host",
        "min_niveau",
        "notifications",
    }
)


class TargetError(Exception):
    """The target is misconfigured or unusable; the message says why, for a human."""


@dataclass(frozen=True)
class Target:
    """Everything the suites need to know about the implementation under test."""

    klanten_url: str
    client_id: str
    secret: str = field(repr=False)
    restricted_client_id: str | None = None
    restricted_secret: str | None = field(default=None, repr=False)
    bronorganisatie: str = field(default_factory=random_rsin)
    callback_host: str | None = None
    min_niveau: str = "substantieel"
    #: True when the target posts its notifications to the harness's receiver
    notifications: bool = False
    name: str = "command line"

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.secret, self.restricted_secret) if s)


def load_targets_file(path: Path, name: str) -> dict[str, object]:
    """The settings of target ``name`` in a targets.toml (``[targets.NAME]`` tables)."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise TargetError(f"cannot read targets file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise TargetError(f"targets file {path} is not valid TOML: {exc}") from exc
    targets = data.get("targets", {})
    if name not in targets:
        known = ", ".join(sorted(targets)) or "none"
        raise TargetError(f"no target {name!r} in {path} (known: {known})")
    entry = dict(targets[name])
    unknown = sorted(set(entry) - _TARGET_KEYS)
    if unknown:
        raise TargetError(f"{path} [targets.{name}]: unknown key(s) {', '.join(unknown)}")
    for key in ("secret", "restricted_secret"):
        env = entry.pop(f"{key}_env", None)
        if env and key not in entry:
            if env not in os.environ:
                raise TargetError(f"{path} [targets.{name}]: environment variable {env} is unset")
            entry[key] = os.environ[env]
    entry["name"] = name
    return entry


def target_from_options(options: dict[str, object]) -> Target | None:
    """Build the target from option values; ``None`` means: start the reference server."""
    settings: dict[str, object] = {}
    if options.get("target"):
        path = Path(str(options.get("targets_file") or DEFAULT_TARGETS_FILE))
        settings.update(load_targets_file(path, str(options["target"])))
    for key in ("klanten_url", "client_id", "secret", "restricted_client_id"):
        if options.get(key):
            settings[key] = options[key]
    for key in ("restricted_secret", "bronorganisatie", "callback_host", "min_niveau"):
        if options.get(key):
            settings[key] = options[key]
    if "secret" not in settings and os.environ.get(SECRET_ENV):
        settings["secret"] = os.environ[SECRET_ENV]
    if "restricted_secret" not in settings and os.environ.get(RESTRICTED_SECRET_ENV):
        settings["restricted_secret"] = os.environ[RESTRICTED_SECRET_ENV]
    if not settings.get("klanten_url"):
        if settings.get("client_id") or settings.get("target"):
            raise TargetError("a client id was given but no --klanten-url")
        return None
    for key in ("client_id", "secret"):
        if not settings.get(key):
            option = (
                "--secret (or KLANTEN_CONFORMANCE_SECRET)" if key == "secret" else "--client-id"
            )
            raise TargetError(f"--klanten-url needs {option}")
    if settings.get("min_niveau", "substantieel") not in NIVEAUS:
        raise TargetError(f"--min-niveau must be one of {', '.join(NIVEAUS)}")
    settings["klanten_url"] = str(settings["klanten_url"]).rstrip("/")
    return Target(**settings)  # type: ignore[arg-type]


class ReferenceServer:
    """The built-in reference server as a subprocess with a fresh database and config."""

    def __init__(self, notificaties_url: str | None = None, min_niveau: str = "substantieel"):
        self.notificaties_url = notificaties_url
        self.min_niveau = min_niveau
        self.page_size = 20
        self.workdir = Path(tempfile.mkdtemp(prefix="klanten-reference-"))
        self.secret = secrets.token_urlsafe(32)
        self.restricted_secret = secrets.token_urlsafe(32)
        self.process: ServerProcess | None = None

    @property
    def url(self) -> str:
        assert self.process is not None, "the reference server is not started"
        return f"{self.process.root_url}/klanten/api/v1"

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def _write_config(self) -> Path:
        scopes = ", ".join(f'"{scope}"' for scope in ALL_SCOPES)
        lines = [
            "[server]",
            f'min_niveau = "{self.min_niveau}"',
            # small pages, so OAS-07 reaches a second page with few klanten
            f"page_size = {self.page_size}",
            "",
            "[[clients]]",
            'client_id = "klanten-conformance"',
            f'secret = "{self.secret}"',
            f"scopes = [{scopes}]",
            "",
            "[[clients]]",
            'client_id = "klanten-conformance-lezen"',
            f'secret = "{self.restricted_secret}"',
            'scopes = ["klanten.lezen"]',
        ]
        if self.notificaties_url:
            lines += ["", "[notificaties]", f'url = "{self.notificaties_url}"']
        path = self.workdir / "server.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def start(self) -> Target:
        """Start the server (the environment, faults included, is passed through)."""
        try:
            self.process = start_server_process(
                self.workdir / "klanten.sqlite3", self._write_config(), self.log_path
            )
        except ServerStartError as exc:
            raise TargetError(str(exc)) from None
        return self.target()

    def target(self) -> Target:
        return Target(
            klanten_url=self.url,
            client_id="klanten-conformance",
            secret=self.secret,
            restricted_client_id="klanten-conformance-lezen",
            restricted_secret=self.restricted_secret,
            min_niveau=self.min_niveau,
            notifications=self.notificaties_url is not None,
            name="built-in reference server",
        )

    def log(self) -> str:
        return tail(self.log_path)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        self.process = None
        shutil.rmtree(self.workdir, ignore_errors=True)


def preflight(target: Target, timeout: float = 10.0) -> None:
    """One cheap list request; raise :class:`TargetError` with a clear message when unusable."""
    url = f"{target.klanten_url}/klanten"
    token = make_token(target.client_id, target.secret)
    where = f"{target.name} ({target.klanten_url})"
    try:
        response = requests.get(
            url,
            params={"klantnummer": random_klantnummer()},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout,
            allow_redirects=False,
        )
    except requests.exceptions.SSLError as exc:
        raise TargetError(f"TLS error talking to {where}: {exc}") from None
    except requests.RequestException as exc:
        raise TargetError(f"{where} is unreachable: {type(exc).__name__}: {exc}") from None
    if response.status_code in (401, 403):
        raise TargetError(
            f"{where} refused the credentials of client {target.client_id!r} "
            f"(HTTP {response.status_code} on GET /klanten): check --client-id and --secret"
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    shape = isinstance(body, dict) and {"count", "results"} <= body.keys()
    if response.status_code != 200 or not shape:
        raise TargetError(
            f"{where} is not a Klanten API: GET /klanten answered HTTP {response.status_code} "
            f"without the paginated list shape (count, next, previous, results)"
        )
