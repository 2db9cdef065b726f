"""Stub services the harness serves itself so a target can call back.

- `SubjectRegistry`: a subject register whose URLs answer a chosen HTTP status.
- `MedewerkerRegistry`: the same for medewerker URLs (``/medewerkers/<status>/...``).
- `ObjectApi`: a fragment of a Zaken API: zaken that exist (200) or not (404), and the
  relations between a zaak and a contactmoment it holds (``zaakcontactmomenten``), which a
  test registers before it creates the objectcontactmoment that mirrors one.
- `NotificationReceiver`: a notification callback endpoint that records what it receives.

All run a stdlib `ThreadingHTTPServer` in a daemon thread on loopback by default.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

Message = tuple[dict[str, str], Any]


def _format_host(host: str) -> str:
    """Put an IPv6 literal in brackets for use in a URL."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def dead_url(host: str = "127.0.0.1", advertise_host: str | None = None) -> str:
    """A URL on a port where nothing listens (the port was free a moment ago)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
    shown = _format_host(advertise_host or host)
    return f"http://{shown}:{port}/subjects/200/{uuid.uuid4().hex}"


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its owning stub and supports IPv6 hosts."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type, owner: _StubService) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.owner = owner
        super().__init__(address, handler)


class _QuietHandler(BaseHTTPRequestHandler):
    """Request handler without console logging and with a JSON helper."""

    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request logging."""

    def send_json(self, status: int, payload: Any, *, body: bool = True) -> None:
        """Answer with `status` and a JSON payload (no body for HEAD, 204 and 304)."""
        data = json.dumps(payload).encode()
        no_body = status in (HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED)
        self.send_response(status)
        if not no_body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "0" if no_body else str(len(data)))
        self.end_headers()
        if body and not no_body:
            self.wfile.write(data)

    def read_body(self) -> bytes:
        """Read the request body as announced by Content-Length."""
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""


class _StubService:
    """Lifecycle shared by the stubs: bind, serve in a daemon thread, stop."""

    handler_class: type[_QuietHandler] = _QuietHandler

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, advertise_host: str | None = None
    ) -> None:
        self.host = host
        self.port = port
        self.advertise_host = advertise_host or host
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Bind the socket and start serving; returns self."""
        if self._server is not None:
            return self
        self._server = _Server((self.host, self.port), self.handler_class, self)
        self.port = self._server.server_address[1]
        name = f"{type(self).__name__}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name=name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    @property
    def base_url(self) -> str:
        """Root URL as handed out to the target (uses `advertise_host`)."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return f"http://{_format_host(self.advertise_host)}:{self.port}"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _ReadOnlyHandler(_QuietHandler):
    """Answers GET and HEAD (``_answer``); every other method gets 405."""

    def _answer(self, *, body: bool) -> None:
        raise NotImplementedError

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _not_allowed(self) -> None:
        self.server.owner.record(self.command, self.path)  # type: ignore[attr-defined]
        self.read_body()
        self.send_json(405, {"detail": "method not allowed"})

    do_POST = do_PUT = do_PATCH = do_DELETE = _not_allowed


class _SubjectHandler(_ReadOnlyHandler):
    """Answers /<prefix>/<status>/<anything> with <status>."""

    def _answer(self, *, body: bool) -> None:
        registry: SubjectRegistry = self.server.owner  # type: ignore[assignment]
        registry.record(self.command, self.path)
        status = _status_from_path(self.path, registry.PREFIX)
        if status is None:
            self.send_json(404, {"detail": "unknown subject path"}, body=body)
        elif status == 200:
            self.send_json(200, {"url": registry.base_url + self.path}, body=body)
        else:
            self.send_json(status, {"status": status}, body=body)


def _status_from_path(path: str, prefix: str = "subjects") -> int | None:
    """The status encoded in /<prefix>/<status>/..., or None when the path does not match."""
    parts = urlsplit(path).path.split("/")
    if len(parts) < 4 or parts[1] != prefix or not parts[2].isdigit():
        return None
    status = int(parts[2])
    return status if 200 <= status <= 599 else None


class SubjectRegistry(_StubService):
    """A stub subject register: `url_for(404)` gives a URL that answers 404, and so on."""

    PREFIX = "subjects"
    handler_class = _SubjectHandler

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, advertise_host: str | None = None
    ) -> None:
        super().__init__(host, port, advertise_host)
        self._lock = threading.Lock()
        self._hits: list[tuple[str, str]] = []

    def url_for(self, status: int = 200, key: str | None = None) -> str:
        """A fresh URL answering `status`; `key` (default: a uuid4 hex) ends the path."""
        if not 200 <= status <= 599:
            raise ValueError(f"status must be 200..599, got {status}")
        suffix = (key if key is not None else uuid.uuid4().hex).lstrip("/")
        return f"{self.base_url}/{self.PREFIX}/{status}/{suffix}"

    def dead_url(self) -> str:
        """A URL on a port where nothing listens (connection refused)."""
        return dead_url(self.host, self.advertise_host)

    def record(self, method: str, path: str) -> None:
        """Remember one request (called by the handler)."""
        with self._lock:
            self._hits.append((method, path))

    @property
    def hits(self) -> list[tuple[str, str]]:
        """A copy of all (method, path) pairs received so far."""
        with self._lock:
            return list(self._hits)

    def hit_count(self, url: str) -> int:
        """How many requests reached the path of `url` (any method, query ignored)."""
        wanted = urlsplit(url).path
        return sum(1 for _, path in self.hits if urlsplit(path).path == wanted)


class MedewerkerRegistry(SubjectRegistry):
    """A stub medewerker register: `url_for(200)` is a medewerker that exists, `url_for(404)`
    one that does not."""

    PREFIX = "medewerkers"


class _ObjectHandler(_ReadOnlyHandler):
    """A Zaken API fragment: GET/HEAD of a zaak, GET of the zaakcontactmomenten list."""

    def _answer(self, *, body: bool) -> None:
        api: ObjectApi = self.server.owner  # type: ignore[assignment]
        api.record(self.command, self.path)
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/")
        if path == ObjectApi.RELATIONS:
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            self.send_json(200, api.relations(**query), body=body)
            return
        zaak = api.base_url + path
        if path.startswith(ObjectApi.ZAKEN + "/") and api.exists(zaak):
            self.send_json(200, api.representation(zaak), body=body)
        else:
            self.send_json(404, {"detail": "no such zaak"}, body=body)


class ObjectApi(SubjectRegistry):
    """A stub object API (a fragment of a Zaken API), for objectcontactmomenten.

    ``zaak()`` gives the URL of a zaak that exists (GET answers 200), ``zaak(exists=False)``
    one that does not (404). ``relate(zaak, contactmoment)`` makes the zaak hold a relation
    to the contactmoment: ``GET /zaken/api/v1/zaakcontactmomenten?zaak=...&contactmoment=...``
    lists the relations matching both filters (a JSON array, as the Zaken API 1.x answers).
    """

    ZAKEN = "/zaken/api/v1/zaken"
    RELATIONS = "/zaken/api/v1/zaakcontactmomenten"
    #: an RSIN that passes the 11-proef, and the uuid of the zaaktype, of every stub zaak
    BRONORGANISATIE = "002220647"
    ZAAKTYPE = "0d7e3c2c-6b1f-4b55-9e0c-3f4b8a5f2b10"
    handler_class = _ObjectHandler

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, advertise_host: str | None = None
    ) -> None:
        super().__init__(host, port, advertise_host)
        self._zaken: set[str] = set()
        self._relations: list[dict[str, str]] = []

    def zaak(self, *, exists: bool = True) -> str:
        """The URL of a fresh zaak; it answers 200 when it ``exists``, 404 otherwise."""
        url = f"{self.base_url}{self.ZAKEN}/{uuid.uuid4()}"
        if exists:
            with self._lock:
                self._zaken.add(url)
        return url

    def exists(self, url: str) -> bool:
        with self._lock:
            return url in self._zaken

    def representation(self, url: str) -> dict[str, str]:
        """The zaak at ``url`` as a Zaken API 1.x answers it: with every property its Zaak
        schema requires (bronorganisatie, zaaktype, verantwoordelijkeOrganisatie,
        startdatum), because a target may check that the object looks like a zaak before it
        looks for the relation (vng-api-common's ResourceValidator does)."""
        key = url.rstrip("/").rsplit("/", 1)[-1]
        return {
            "url": url,
            "uuid": key,
            "identificatie": f"ZAAK-{key[:8]}",
            "bronorganisatie": self.BRONORGANISATIE,
            "zaaktype": f"{self.base_url}/catalogi/api/v1/zaaktypen/{self.ZAAKTYPE}",
            "verantwoordelijkeOrganisatie": self.BRONORGANISATIE,
            "startdatum": "2024-01-15",
        }

    def relate(self, zaak: str, contactmoment: str) -> str:
        """Make ``zaak`` hold a relation to ``contactmoment``; returns the relation's URL."""
        relation = {
            "url": f"{self.base_url}{self.RELATIONS}/{uuid.uuid4()}",
            "zaak": zaak,
            "contactmoment": contactmoment,
        }
        with self._lock:
            self._relations.append(relation)
        return relation["url"]

    def unrelate(self, zaak: str, contactmoment: str) -> int:
        """Drop the relations between ``zaak`` and ``contactmoment`` (as the Zaken API does
        before it asks the Contactmomenten API to delete the mirror); returns how many."""
        with self._lock:
            before = len(self._relations)
            self._relations = [
                r
                for r in self._relations
                if (r["zaak"], r["contactmoment"]) != (zaak, contactmoment)
            ]
            return before - len(self._relations)

    def relations(self, **filters: str) -> list[dict[str, str]]:
        """The relations whose fields equal every given filter (unknown filters match none)."""
        with self._lock:
            return [
                dict(r) for r in self._relations if all(r.get(k) == v for k, v in filters.items())
            ]


class _NotificationHandler(_QuietHandler):
    """Accepts POST /notificaties with a JSON body."""

    def do_POST(self) -> None:
        receiver: NotificationReceiver = self.server.owner  # type: ignore[assignment]
        raw = self.read_body()
        if urlsplit(self.path).path.rstrip("/") != NotificationReceiver.PATH:
            self.send_json(404, {"detail": "unknown path"})
            return
        failure = receiver.take_failure()
        if failure is not None:
            self.send_json(failure, {"detail": "simulated failure"})
            return
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            self.send_json(400, {"detail": "body is not JSON"})
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        receiver.deliver(headers, body)
        self.send_json(201, {})


class NotificationReceiver(_StubService):
    """A stub notification callback: records every delivered message."""

    PATH = "/notificaties"
    handler_class = _NotificationHandler

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, advertise_host: str | None = None
    ) -> None:
        super().__init__(host, port, advertise_host)
        self._cond = threading.Condition()
        self._messages: list[Message] = []
        self._fail_remaining = 0
        self._fail_status = 503
        self.failed_attempts = 0
        self._last_arrival = time.monotonic()

    @property
    def url(self) -> str:
        """The callback URL to register at the target."""
        return self.base_url + self.PATH

    @property
    def messages(self) -> list[Message]:
        """A copy of the delivered (headers, body) pairs, oldest first."""
        with self._cond:
            return list(self._messages)

    def fail_next(self, n: int, status: int = 503) -> None:
        """Answer the next `n` POSTs with `status` instead of accepting them."""
        with self._cond:
            self._fail_remaining = n
            self._fail_status = status

    def take_failure(self) -> int | None:
        """Consume one pending simulated failure and return its status (handler use)."""
        with self._cond:
            if self._fail_remaining <= 0:
                return None
            self._fail_remaining -= 1
            self.failed_attempts += 1
            return self._fail_status

    def deliver(self, headers: dict[str, str], body: Any) -> None:
        """Record one accepted message and wake up waiters (handler use)."""
        with self._cond:
            self._messages.append((headers, body))
            self._last_arrival = time.monotonic()
            self._cond.notify_all()

    def wait_for(
        self, predicate: Callable[[Any], bool], timeout: float = 5.0, *, limit: float | None = None
    ) -> Any:
        """Return the first recorded body matching `predicate`, waiting up to `timeout` s.

        With `limit`, the wait goes on while other messages keep arriving (a target working
        through a backlog of earlier notifications): it ends `timeout` s after the start or
        the latest arrival, whichever is later, and `limit` s after the start at the latest.
        """
        start = time.monotonic()
        deadline = start + timeout
        with self._cond:
            while True:
                match = self._find(predicate)
                if match is not None:
                    return match[1]
                now = time.monotonic()
                if limit is not None:
                    deadline = min(start + limit, max(start, self._last_arrival) + timeout)
                remaining = deadline - now
                if remaining <= 0:
                    raise TimeoutError(self._timeout_message(round(now - start, 1)))
                self._cond.wait(remaining)

    def _find(self, predicate: Callable[[Any], bool]) -> Message | None:
        """First message whose body satisfies `predicate` (caller holds the lock)."""
        for message in self._messages:
            if predicate(message[1]):
                return message
        return None

    def _timeout_message(self, timeout: float) -> str:
        """Describe what did arrive, for a useful failure message (caller holds the lock)."""
        bodies = [json.dumps(body, sort_keys=True)[:500] for _, body in self._messages]
        received = "\n  ".join(bodies) if bodies else "(nothing)"
        return (
            f"no matching notification within {timeout:g}s; "
            f"received {len(bodies)} message(s), {self.failed_attempts} failed attempt(s):\n"
            f"  {received}"
        )

    def clear(self) -> None:
        """Forget all messages, failed attempts and pending failures."""
        with self._cond:
            self._messages.clear()
            self._fail_remaining = 0
            self.failed_attempts = 0
