"""A loopback HTTP proxy that makes the reference server answer like another implementation.

The suites must judge products we did not build correctly. A dialect test puts
:class:`DialectProxy` between the suites and the built-in reference server, which itself stays
as it is, and lets a *dialect* speak one legitimate habit of another product (Open Klant 2.x
for the Klantinteracties API; the products built on vng-api-common for the Klanten and
Contactmomenten APIs). A dialect has two ways in:

- ``intercept(request) -> Answer | None``: answer a request itself, without asking the
  reference server (a refusal the server would not give); ``None`` forwards it;
- ``rewrite(request, answer) -> bool``: change the server's answer in place (another status,
  another body); the result says whether it changed anything.

The proxy records every request it received (``seen``) and every answer it made or changed
(``rewritten``), so a test can tell that the alternative was exercised at all. Its socket is
bound (port 0) before the URL is handed out, so a test never waits for it to come up, and the
client's ``Host`` header is passed on, so the links the server puts in its answers name the
proxy and the suites keep talking through it.
"""

from __future__ import annotations

import http.client
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

#: the hop-by-hop headers (and the length, set anew) a proxy does not pass on
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "proxy-authorization",
        "proxy-authenticate",
        "content-length",
    }
)


def _decode(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        return None


@dataclass
class Request:
    """A request the proxy received: method, target (path with query), headers, body."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes = b""

    @property
    def path(self) -> str:
        """The path without the query and without a trailing slash."""
        return urlsplit(self.target).path.rstrip("/")

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.target).query, keep_blank_values=True)

    def json(self) -> Any:
        return _decode(self.body)


@dataclass
class Answer:
    """A response the proxy sends: the reference server's, or one a dialect made."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""

    def json(self) -> Any:
        return _decode(self.body)

    def replace_json(self, status: int, data: object, media: str = "application/json") -> None:
        """Give the answer ``status`` and ``data`` as its JSON body of type ``media``."""
        self.status = status
        self.body = json.dumps(data).encode()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != "content-type"]
        self.headers.append(("Content-Type", media))

    @classmethod
    def made(cls, status: int, data: object, api_version: str, media: str = "") -> Answer:
        """An answer of the dialect's own: ``data`` as JSON, with the API-version header."""
        answer = cls(status, [("API-version", api_version)])
        answer.replace_json(status, data, media or "application/json")
        return answer

    @classmethod
    def problem(
        cls,
        status: int,
        code: str,
        params: list[dict[str, str]],
        *,
        title: str = "Invalid input.",
        api_version: str = "1.0.0",
    ) -> Answer:
        """A ZGW problem body (``invalidParams`` from ``params``), as vng-api-common and
        Open Klant answer a validation error."""
        body = {
            "type": f"https://example.org/fouten/{code}",
            "code": code,
            "title": title,
            "status": status,
            "detail": "",
            "instance": f"urn:uuid:{secrets.token_hex(16)}",
            "invalidParams": [{"reason": "refused by the dialect", **p} for p in params],
        }
        return cls.made(status, body, api_version, "application/problem+json")


#: a dialect's own answer to a request (None: forward it)
Intercept = Callable[[Request], Answer | None]
#: a dialect's change of the server's answer, in place; whether it changed anything
Rewrite = Callable[[Request, Answer], bool]


class DialectProxy:
    """A loopback HTTP proxy in front of ``upstream`` (``http://host:port``); a context
    manager that serves while it is entered."""

    def __init__(
        self, upstream: str, intercept: Intercept | None = None, rewrite: Rewrite | None = None
    ) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.intercept = intercept
        self.rewrite = rewrite
        self.seen: list[Request] = []
        self.rewritten: list[str] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, request: Request) -> Answer:
        """What the proxy sends back for ``request``."""
        with self._lock:
            self.seen.append(request)
        own = self.intercept(request) if self.intercept else None
        if own is not None:
            self._note(f"{request.method} {request.target} -> {own.status} (own)")
            return own
        answer = self.forward(request)
        if self.rewrite is not None and self.rewrite(request, answer):
            self._note(f"{request.method} {request.target} -> {answer.status}")
        return answer

    def _note(self, line: str) -> None:
        with self._lock:
            self.rewritten.append(line)

    def forward(self, request: Request) -> Answer:
        """``request`` as the reference server answers it."""
        connection = http.client.HTTPConnection(*self.upstream, timeout=120)
        try:
            connection.putrequest(
                request.method, request.target, skip_host=True, skip_accept_encoding=True
            )
            for name, value in request.headers:  # repeated headers stay repeated
                if name.lower() not in HOP_BY_HOP:
                    connection.putheader(name, value)
            if request.body or request.method in ("POST", "PUT", "PATCH"):
                connection.putheader("Content-Length", str(len(request.body)))
            connection.endheaders(request.body or None)
            response = connection.getresponse()
            headers = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
            return Answer(response.status, headers, response.read())
        finally:
            connection.close()

    @staticmethod
    def fetch_json(url: str) -> tuple[int, Any]:
        """GET ``url`` (a stub service of the harness, as a product would) and decode it."""
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request("GET", target, headers={"Accept": "application/json"})
            response = connection.getresponse()
            return response.status, _decode(response.read())
        finally:
            connection.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, list(self.headers.items()), body)
                answer = proxy.answer(request)
                self.send_response(answer.status)
                for name, value in answer.headers:
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                bodiless = self.command == "HEAD" or answer.status in (204, 304)
                if not bodiless:
                    self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if not bodiless:
                    self.wfile.write(answer.body)

            def __getattr__(self, name: str) -> Any:
                # every method is forwarded (the generated cases send unusual ones too)
                if name.startswith("do_"):
                    return self._handle
                raise AttributeError(name)

        return Handler

    def __enter__(self) -> DialectProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
