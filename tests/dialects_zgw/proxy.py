"""A dialect proxy: legitimate behaviour of other products, in front of the reference server.

The suites must judge products we did not build correctly. Each test here puts a small HTTP
proxy (:class:`DialectProxy`, loopback only) between the suites and the built-in reference
server; the proxy answers some requests the way another implementation does (for example
the products built on vng-api-common) and forwards the rest. The suites then run against the
proxy as a vendor would run them against a product (``klanten-conformance run --...-url``).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from klanten_conformance import apis

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "klanten-conformance"


@dataclass
class Request:
    """A request the proxy received: method, path (with query), headers, body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


@dataclass
class Answer:
    """A response the proxy sends: from the upstream server, or made by a dialect."""

    status: int
    headers: dict[str, str]
    body: bytes

    @classmethod
    def problem(cls, status: int, code: str, params: list[dict[str, str]]) -> Answer:
        """A ZGW problem body, as vng-api-common answers a validation error."""
        body = {
            "type": f"https://example.org/fouten/{code}",
            "code": code,
            "title": "Invalid input.",
            "status": status,
            "detail": "",
            "instance": f"urn:uuid:{secrets.token_hex(16)}",
            "invalidParams": [{**p, "reason": "refused by the dialect"} for p in params],
        }
        return cls(
            status,
            {"Content-Type": "application/problem+json", "API-version": "1.0.0"},
            json.dumps(body).encode(),
        )


#: a dialect's answer to a request before it is forwarded (None: forward it)
Intercept = Callable[[Request], Answer | None]
#: a dialect's change of the upstream answer
Rewrite = Callable[[Request, Answer], Answer]
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}


class DialectProxy:
    """A loopback HTTP proxy in front of ``upstream`` (``http://host:port``).

    The client's ``Host`` header is passed on, so the URLs the reference server puts in its
    answers name the proxy and the suites keep talking through it. Its socket is bound (port
    0) before the URL is handed out, so no wait on a guess is needed.
    """

    def __init__(
        self, upstream: str, intercept: Intercept | None = None, rewrite: Rewrite | None = None
    ) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.intercept = intercept
        self.rewrite = rewrite
        self.seen: list[Request] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, dict(self.headers.items()), body)
                answer = proxy.answer(request)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    if name.lower() not in _HOP:
                        self.send_header(name, value)
                no_body = self.command == "HEAD" or answer.status in (204, 304)
                if not no_body:
                    self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if not no_body:
                    self.wfile.write(answer.body)

            def __getattr__(self, name: str) -> Any:
                # every method is forwarded (the generated class sends unusual ones too)
                if name.startswith("do_"):
                    return self._handle
                raise AttributeError(name)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, request: Request) -> Answer:
        with self._lock:
            self.seen.append(request)
        made = self.intercept(request) if self.intercept else None
        if made is not None:
            return made
        answer = self.forward(request)
        return self.rewrite(request, answer) if self.rewrite else answer

    def forward(self, request: Request) -> Answer:
        connection = http.client.HTTPConnection(*self.upstream, timeout=120)
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
            connection.request(request.method, request.path, request.body or None, headers)
            response = connection.getresponse()
            body = response.read()
            return Answer(response.status, dict(response.getheaders()), body)
        finally:
            connection.close()

    def fetch_json(self, url: str) -> Any:
        """GET ``url`` (a stub of the harness, as a product would) and decode its JSON."""
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request("GET", target, headers={"Accept": "application/json"})
            response = connection.getresponse()
            text = response.read()
            return response.status, (json.loads(text) if text else None)
        finally:
            connection.close()

    def __enter__(self) -> DialectProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@dataclass
class Reference:
    """The reference server of these tests: its root URL and the suite client's secret."""

    root: str
    secret: str


def server_config(secret: str) -> str:
    definitions = [apis.get("klanten"), apis.get("contactmomenten")]
    scopes = sorted(
        {s for d in definitions for v in apis.operation_scopes(d.spec).values() for s in v}
    )
    listed = ", ".join(f'"{s}"' for s in scopes)
    return (
        "[server]\npage_size = 20\n\n[[clients]]\n"
        f'client_id = "{CLIENT_ID}"\nsecret = "{secret}"\nscopes = [{listed}]\n'
    )


def run_suites(reference: Reference, proxy: DialectProxy, *args: str) -> str:
    """``klanten-conformance run`` of the Contactmomenten API behind ``proxy``; its output."""
    env = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    command = [
        sys.executable,
        "-m",
        "klanten_conformance.cli",
        "run",
        "-q",
        "-p",
        "no:cacheprovider",
        "--api",
        "contactmomenten",
        "--contactmomenten-url",
        f"{proxy.url}/contactmomenten/api/v1",
        "--client-id",
        CLIENT_ID,
        "--secret",
        reference.secret,
        "--depth",
        "quick",
        *args,
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    return result.stdout + result.stderr


def verdict(output: str, rule_id: str) -> str | None:
    """The verdict the run's summary gives ``rule_id`` (pass, fail, inconclusive, ...)."""
    match = re.search(rf"^  {re.escape(rule_id)}\s+(MUST|SHOULD)\s+(\S+)", output, re.M)
    return match.group(2) if match else None
