"""HTTP client that records every exchange, with secrets redacted, as test evidence."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import requests

REDACTED = "<redacted>"
MAX_BODY_CHARS = 10 * 1024
#: an exchange that prepares a check (creating what it needs, reading back) or makes it
ARRANGE, ACT = "arrange", "act"
_JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization"})
_COOKIE_HEADERS = frozenset({"cookie", "set-cookie"})


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace each non-empty secret and every JWT-looking string in `text` by `<redacted>`."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return _JWT_RE.sub(REDACTED, text)


def _redact_header(name: str, value: str, secrets: Iterable[str]) -> str:
    """Redact credentials in one header value; the auth scheme word is kept."""
    lowered = name.lower()
    if lowered in _CREDENTIAL_HEADERS:
        scheme, _, rest = value.partition(" ")
        return f"{scheme} {REDACTED}" if rest else REDACTED
    if lowered in _COOKIE_HEADERS:
        return REDACTED
    return redact(value, secrets)


def _redact_headers(headers: Mapping[str, str], secrets: Iterable[str]) -> dict[str, str]:
    return {name: _redact_header(name, str(value), secrets) for name, value in headers.items()}


#: headers a reproduction leaves to curl
_CURL_SKIPS = frozenset({"user-agent", "accept-encoding", "connection", "content-length"})
#: a body larger than this is not spelled out in a reproduction
CURL_BODY_BYTES = 4096


def curl(request: Any, secrets: Iterable[str] = ()) -> str:
    """A curl command line sending ``request`` (a prepared ``requests`` request) again, with
    credentials and secrets redacted (fill them in to reproduce)."""
    import shlex

    parts = ["curl", "-X", str(request.method), shlex.quote(str(request.url))]
    for name, value in request.headers.items():
        if name.lower() not in _CURL_SKIPS:
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            parts += ["-H", shlex.quote(f"{name}: {_redact_header(name, text, secrets)}")]
    body = request.body
    if body:
        raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        if len(raw) > CURL_BODY_BYTES:
            parts += ["--data-binary", f"@request-body  # {len(raw)} bytes, not shown"]
        else:
            try:
                parts += ["--data-raw", shlex.quote(redact(raw.decode("utf-8"), secrets))]
            except UnicodeDecodeError:
                escaped = "".join(f"\\x{b:02x}" if b > 0x7E or b < 0x20 else chr(b) for b in raw)
                parts += ["--data-binary", f"\"$(printf '%b' {shlex.quote(escaped)})\""]
    return " ".join(parts)


def _truncate(text: str, limit: int = MAX_BODY_CHARS) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit} more chars truncated]"


def _to_text(body: bytes | str | None, encoding: str | None = None) -> str:
    """Decode a body for the record; undecodable bytes are replaced."""
    if body is None:
        return ""
    if isinstance(body, str):
        return body
    try:
        return body.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _body_for_record(
    body: bytes | str | None, secrets: Iterable[str], encoding: str | None = None
) -> str:
    """Redact first, then truncate, so a cut never exposes part of a secret."""
    return _truncate(redact(_to_text(body, encoding), secrets))


@dataclass
class Exchange:
    """One request/response pair as recorded (already redacted)."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int | None
    response_headers: dict[str, str]
    response_body: str
    elapsed_ms: float
    error: str | None = None
    phase: str = ACT
    #: when the request was sent (time.time()), to merge the logs of several clients
    started: float = 0.0

    def render(self, *, phase: bool = False) -> str:
        """A compact, human-readable dump for failure messages (``phase``: say which step)."""
        lines = [f"[{self.phase}]"] if phase else []
        lines.append(f"> {self.method} {self.url}")
        lines += [f"> {name}: {value}" for name, value in self.request_headers.items()]
        if self.request_body:
            lines += [">", *(f"> {line}" for line in self.request_body.splitlines())]
        if self.status is None:
            lines.append(f"< no response ({self.error}) after {self.elapsed_ms:.0f} ms")
            return "\n".join(lines)
        lines.append(f"< {self.status} ({self.elapsed_ms:.0f} ms)")
        lines += [f"< {name}: {value}" for name, value in self.response_headers.items()]
        if self.response_body:
            lines += ["<", *(f"< {line}" for line in self.response_body.splitlines())]
        return "\n".join(lines)


class RecordingClient:
    """A `requests.Session` wrapper that keeps a redacted log of all exchanges."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        secrets: Iterable[str] = (),
        default_headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.secrets = tuple(s for s in secrets if s)
        self.session = requests.Session()
        if default_headers:
            self.session.headers.update(default_headers)
        self.exchanges: list[Exchange] = []
        self.phase = ACT
        self._sent_at = 0.0

    @contextlib.contextmanager
    def arranging(self) -> Iterator[None]:
        """Exchanges inside are recorded as arrange steps (preparing a check, not making it)."""
        previous, self.phase = self.phase, ARRANGE
        try:
            yield
        finally:
            self.phase = previous

    def url(self, path_or_url: str) -> str:
        """Absolute URL for a path relative to `base_url` (absolute URLs pass through)."""
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        if not path_or_url:
            return self.base_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        token: str | None = None,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        params: Any = None,
        allow_redirects: bool = False,
    ) -> requests.Response:
        """Send one request; it is recorded even when it fails without a response."""
        merged = dict(headers or {})
        if token is not None:
            merged["Authorization"] = f"Bearer {token}"
        request = requests.Request(
            method.upper(),
            self.url(path_or_url),
            headers=merged,
            json=json,
            data=data,
            params=params,
        )
        prepared = self.session.prepare_request(request)
        self._sent_at = time.time()
        started = time.perf_counter()
        try:
            response = self.session.send(
                prepared, timeout=self.timeout, allow_redirects=allow_redirects
            )
        except requests.RequestException as exc:
            self._record(prepared, None, started, error=f"{type(exc).__name__}: {exc}")
            raise
        self._record(prepared, response, started)
        if response.status_code >= 500:
            # a server that errors may close the connection without saying so: the next
            # request gets a connection of its own instead of failing on a dead one
            self.session.close()
        return response

    def _record(
        self,
        prepared: requests.PreparedRequest,
        response: requests.Response | None,
        started: float,
        error: str | None = None,
    ) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        secrets = self.secrets
        self.exchanges.append(
            Exchange(
                method=prepared.method or "",
                url=redact(prepared.url or "", secrets),
                request_headers=_redact_headers(prepared.headers, secrets),
                request_body=_body_for_record(prepared.body, secrets),
                status=None if response is None else response.status_code,
                response_headers={}
                if response is None
                else _redact_headers(response.headers, secrets),
                response_body=""
                if response is None
                else _body_for_record(response.content, secrets, response.encoding),
                elapsed_ms=elapsed_ms,
                error=None if error is None else redact(error, secrets),
                phase=self.phase,
                started=self._sent_at,
            )
        )

    def get(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path_or_url, **kwargs)

    def post(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path_or_url, **kwargs)

    def put(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path_or_url, **kwargs)

    def patch(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path_or_url, **kwargs)

    def delete(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path_or_url, **kwargs)

    def head(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        return self.request("HEAD", path_or_url, **kwargs)

    @property
    def last(self) -> Exchange | None:
        """The most recent exchange, if any."""
        return self.exchanges[-1] if self.exchanges else None

    def render(self, last: int = 5) -> str:
        """The last `last` exchanges rendered, separated by blank lines."""
        return "\n\n".join(exchange.render() for exchange in self.exchanges[-last:])

    def reset(self) -> None:
        """Forget all recorded exchanges."""
        self.exchanges.clear()

    def close(self) -> None:
        """Close the underlying session."""
        self.session.close()
