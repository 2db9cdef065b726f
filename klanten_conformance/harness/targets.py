"""The live targets of a run: the built-in reference server, authentication, the preflight.

The run context says where the targets are; this module makes them usable: it starts the
built-in reference server when no URL was given (one process serving every API of the run,
each under its own base path, with a fresh database and clients of its own), makes the
``Authorization`` header of each API, and checks each target with one cheap request before
any test runs, so that an unusable target is one clear error instead of a hundred failures.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import requests

from klanten_conformance import apis
from klanten_conformance.harness.context import ApiTarget, RunContext, ZgwClient
from klanten_conformance.harness.process import (
    ServerProcess,
    ServerStartError,
    start_server_process,
)
from klanten_conformance.tokens import make_token

SUITE_CLIENT = "klanten-conformance"
RESTRICTED_CLIENT = "klanten-conformance-lezen"
#: small pages, so pagination checks reach a second page with few resources
BUILTIN_PAGE_SIZE = 20


class TargetError(Exception):
    """A target is unusable; the message says what, where and what to do."""


def authorization(definition: apis.ApiDefinition, target: ApiTarget, **claims: object) -> str:
    """The ``Authorization`` header value of a request of the suite's own client."""
    if definition.auth == "token":
        if not target.token:
            raise TargetError(f"no API key for the {definition.title}")
        return f"Token {target.token}"
    if target.client is None:
        raise TargetError(f"no ZGW client for the {definition.title}")
    return "Bearer " + make_token(
        target.client.client_id, target.client.secret, extra_claims=claims or None
    )


def _read_scopes(definitions: Iterable[apis.ApiDefinition]) -> list[str]:
    """Scopes a client needs to read every resource (the restricted client of AUTH-02)."""
    wanted = {"list", "read"}
    scopes: list[str] = []
    for definition in definitions:
        for operation_id, needed in apis.operation_scopes(definition.spec).items():
            if operation_id.rsplit("_", 1)[-1] in wanted:
                scopes += [s for s in needed if "audittrail" not in s]
    return list(dict.fromkeys(scopes))


class BuiltinServer:
    """The reference server as a subprocess with a fresh database and a config of its own."""

    def __init__(self, context: RunContext, notificaties_url: str | None) -> None:
        self.context = context
        #: the run's migration source (class ki-migratie), served beside the APIs under test
        self.source = context.migration_source
        self.definitions = [
            apis.get(api_id) for api_id in [*context.apis, *([self.source] if self.source else [])]
        ]
        self.notificaties_url = notificaties_url
        self.workdir = Path(tempfile.mkdtemp(prefix="klanten-conformance-server-"))
        self.client = ZgwClient(SUITE_CLIENT, secrets.token_urlsafe(32))
        self.restricted = ZgwClient(RESTRICTED_CLIENT, secrets.token_urlsafe(32))
        self.token = secrets.token_urlsafe(32)
        self.process: ServerProcess | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.client.secret, self.restricted.secret, self.token)

    def _config(self) -> str:
        all_scopes = sorted(
            {s for d in self.definitions for v in apis.operation_scopes(d.spec).values() for s in v}
        )

        def toml_list(values: Iterable[str]) -> str:
            return "[" + ", ".join(f'"{v}"' for v in values) + "]"

        lines = [
            "[server]",
            f'min_niveau = "{self.context.min_niveau}"',
            f"page_size = {BUILTIN_PAGE_SIZE}",
            *self._migration_settings(),
            "",
            "[[clients]]",
            f'client_id = "{self.client.client_id}"',
            f'secret = "{self.client.secret}"',
            f"scopes = {toml_list(all_scopes)}",
            "",
            "[[clients]]",
            f'client_id = "{self.restricted.client_id}"',
            f'secret = "{self.restricted.secret}"',
            f"scopes = {toml_list(_read_scopes(self.definitions))}",
        ]
        if any(d.auth == "token" for d in self.definitions):
            lines += ["", "[[tokens]]", f'key = "{self.token}"', 'name = "klanten-conformance"']
        if self.notificaties_url:
            lines += ["", "[notificaties]", f'url = "{self.notificaties_url}"']
        return "\n".join(lines) + "\n"

    def _migration_settings(self) -> list[str]:
        """With a migration source, the server starts with the klanten of a Klanten 1.0
        product and the partijen a correct migration made of them (the ``ki-migratie``
        seed). The Klanten API is then only read, the way a migration reads it: as an export
        that lists every klant, so without the end-user authentication that hides aangehaakte
        klanten from lists (that authentication is the Klanten profile's class, not tested
        here)."""
        if self.source is None:
            return []
        return ['seed = ["ki-migratie"]', "enforce_authenticatie = false"]

    def start(self) -> dict[str, ApiTarget]:
        """Start the server (the environment, faults included, is passed through)."""
        config = self.workdir / "server.toml"
        config.write_text(self._config(), encoding="utf-8")
        config.chmod(0o600)
        try:
            self.process = start_server_process(
                self.workdir / "reference.sqlite3", config, self.workdir / "server.log"
            )
        except ServerStartError as exc:
            raise TargetError(str(exc)) from None
        root = self.process.root_url
        targets = {}
        for definition in self.definitions:
            target = ApiTarget(definition.id, root + definition.base_path)
            if definition.auth == "token":
                target = replace(target, token=self.token)
            else:
                target = replace(target, client=self.client, restricted=self.restricted)
            targets[definition.id] = target
        return targets

    def log(self) -> str:
        return self.process.log() if self.process is not None else ""

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None
        shutil.rmtree(self.workdir, ignore_errors=True)


def preflight(definition: apis.ApiDefinition, target: ApiTarget, timeout: float = 10.0) -> None:
    """One cheap list request; raise :class:`TargetError` when the target is unusable."""
    path, params = definition.preflight
    url = f"{target.url}/{path}"
    option = definition.url_option
    try:
        response = requests.get(
            url,
            params=params(),
            headers={
                "Authorization": authorization(definition, target),
                "Accept": "application/json",
            },
            timeout=timeout,
            allow_redirects=False,
        )
    except requests.exceptions.SSLError as exc:
        raise TargetError(
            f"TLS error talking to the {definition.title} at {target.url}: {_reason(exc)}"
        ) from None
    except requests.exceptions.ConnectionError as exc:
        raise TargetError(
            f"the {definition.title} at {target.url} is unreachable ({_reason(exc)}): "
            f"check {option}"
        ) from None
    except requests.RequestException as exc:
        raise TargetError(
            f"the {definition.title} at {target.url} did not answer ({_reason(exc)})"
        ) from None
    if response.status_code in (401, 403):
        who = f"client {target.client.client_id!r}" if target.client is not None else "the API key"
        fix = "--client-id and --secret" if definition.auth == "zgw" else "--token"
        raise TargetError(
            f"the {definition.title} at {target.url} refused {who} "
            f"(HTTP {response.status_code} on GET /{path}): check {fix}"
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not (
        isinstance(body, dict) and {"count", "results"} <= body.keys()
    ):
        raise TargetError(
            f"{target.url} does not look like the {definition.title}: GET /{path} answered "
            f"HTTP {response.status_code} without a paginated list (count, next, previous, "
            f"results); check {option}"
        )


def _reason(exc: Exception) -> str:
    """The innermost cause of a requests error, in a few words."""
    text = str(exc)
    for marker in (
        "Connection refused",
        "Name or service not known",
        "timed out",
        "certificate verify failed",
        "No route to host",
    ):
        if marker in text:
            return marker.lower()
    cause: BaseException | None = exc
    while cause is not None and cause.__cause__ is not None:
        cause = cause.__cause__
    return type(cause).__name__ if cause is not None else type(exc).__name__
