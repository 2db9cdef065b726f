"""A loopback HTTP proxy that puts the reference server in another implementation's dialect.

The proxy sits between the suite and the built-in reference server and passes every request
on unchanged; a *dialect* (a function) may rewrite each response into the shape another
conformant implementation gives (Open Klant 2.x, for one): another status, another body.
The reference server itself stays as it is. The proxy listens on a socket bound before it is
handed out, so a test never waits for it to come up, and counts the responses it rewrote, so
a test can tell that the alternative was exercised at all.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

#: the hop-by-hop headers a proxy does not pass on
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "proxy-authorization",
        "proxy-authenticate",
        "content-length",
    }
)


@dataclass
class Answer:
    """One response from the reference server, as a dialect may change it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    #: the request body the client sent
    sent: bytes = b""

    def json(self) -> object:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def replace_json(self, status: int, data: object, media: str = "application/json") -> None:
        self.status = status
        self.body = json.dumps(data).encode()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != "content-type"]
        self.headers.append(("Content-Type", media))


#: a dialect: rewrites an answer in place, returns whether it changed it. A dialect may also
#: have a ``before(method, path, query, body) -> Answer | None`` attribute: an Answer it
#: returns is sent without asking the reference server (a refusal the server would not give)
Dialect = Callable[[Answer], bool]


@dataclass
class Proxy:
    url: str
    rewritten: list[str] = field(default_factory=list)


def _handler(upstream: str, dialect: Dialect, proxy: Proxy) -> type[BaseHTTPRequestHandler]:
    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            parts = urlsplit(self.path)
            query = parse_qsl(parts.query, keep_blank_values=True)
            before = getattr(dialect, "before", None)
            own = before(self.command, parts.path, query, body or b"") if before else None
            if own is not None:
                proxy.rewritten.append(f"{self.command} {self.path} -> {own.status} (own)")
                self._send(own)
                return
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
            connection.putrequest(
                self.command, self.path, skip_host=True, skip_accept_encoding=True
            )
            for name, value in self.headers.items():  # repeated headers stay repeated
                if name.lower() not in HOP_BY_HOP:
                    connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            answer = Answer(
                self.command,
                parts.path,
                query,
                response.status,
                [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP],
                response.read(),
                body or b"",
            )
            connection.close()
            if dialect(answer):
                proxy.rewritten.append(f"{self.command} {self.path} -> {answer.status}")
            self._send(answer)

        def _send(self, answer: Answer) -> None:
            self.send_response(answer.status)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward

    return Handler


@contextmanager
def dialect_proxy(upstream: str, dialect: Dialect) -> Iterator[Proxy]:
    """A proxy on 127.0.0.1 in front of ``upstream`` (``http://host:port``) speaking
    ``dialect``; the Host header is passed on, so the server's own links name the proxy."""
    proxy = Proxy("")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(upstream, dialect, proxy))
    server.daemon_threads = True
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
