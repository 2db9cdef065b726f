"""One API as it runs (:class:`ApiRuntime`) and one request to one of its operations
(:class:`Call`): what rule modules see of the server."""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from starlette.responses import Response

from reference_server.config import Settings
from reference_server.core.api import JWT, ApiDefinition, Resource
from reference_server.core.auth import JwtAuthentication, Principal, TokenAuthentication
from reference_server.core.problems import (
    PROBLEM_TYPE,
    ApiError,
    InvalidParam,
    encode_json,
    problem_body,
    validation_error,
)
from reference_server.core.spec import Document, Operation
from reference_server.faults import FAULTS

if TYPE_CHECKING:
    from reference_server.core.notifications import Notifier
    from reference_server.core.storage import Store

log = logging.getLogger("reference_server")


class ApiRuntime:
    """One API of a running server: its definition, document, settings, faults and services."""

    def __init__(
        self,
        definition: ApiDefinition,
        document: Document,
        settings: Settings,
        store: Store,
        notifier: Notifier,
    ) -> None:
        self.definition = definition
        self.document = document
        self.settings = settings
        self.store = store
        self.notifier = notifier
        mine = [FAULTS[name] for name in settings.faults if FAULTS[name].api == definition.name]
        self.faults = frozenset(fault.name for fault in mine)
        self.off = frozenset(fault.core for fault in mine if fault.core)
        auth = JwtAuthentication if definition.auth == JWT else TokenAuthentication
        self.auth = auth(settings, self.off)
        self._http: httpx.AsyncClient | None = None
        #: state a rule module keeps for this server (key it by the module's name)
        self.state: dict[str, Any] = {}
        #: every API this process serves, by name (itself included; set by the app)
        self.peers: dict[str, ApiRuntime] = {definition.name: self}

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def base_path(self) -> str:
        return self.definition.base_path

    def fault(self, name: str) -> bool:
        """True when this API's fault ``name`` is on."""
        return name in self.faults

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    # responses --------------------------------------------------------------------------------

    def problem(self, error: ApiError) -> Response:
        full_shape = not ("problem-shape" in self.off and error.status in (401, 403, 404))
        media = "application/json" if "problem-media-type" in self.off else PROBLEM_TYPE
        return Response(
            encode_json(problem_body(error, full_shape=full_shape)),
            status_code=error.status,
            media_type=media,
            headers=error.headers,
        )

    def check_response(
        self, operation: Operation, status: int, media: str | None, body: Any
    ) -> None:
        """Response validation (``[server] validate_responses``): log or refuse a response
        that does not match the document."""
        mode = self.settings.validate_responses
        if mode == "off":
            return
        errors = operation.response_errors(status, media, body)
        if not errors:
            return
        log.error("response of %s does not match the spec: %s", operation.id, errors)
        if mode == "strict":
            raise ApiError(
                500,
                "response-invalid",
                "The server produced a response that does not match its OpenAPI document: "
                + "; ".join(errors),
            )

    # remote URLs ---------------------------------------------------------------------------

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=self.settings.subject_timeout, follow_redirects=True
            )
        return self._http

    async def url_problem(self, url: str) -> str | None:
        """Why ``url`` does not (after redirects) answer HTTP 200, or None when it does."""
        problem, _ = await self._get(url)
        return problem

    async def get_json(
        self, url: str, params: dict[str, str] | None = None
    ) -> tuple[str | None, Any]:
        """GET ``url`` (with query ``params``; no credentials): why it did not answer HTTP 200
        with JSON, or None and the JSON."""
        problem, response = await self._get(url, params)
        if problem is not None or response is None:
            return problem, None
        try:
            return None, response.json()
        except ValueError:
            return "The URL did not answer JSON.", None

    async def _get(
        self, url: str, params: dict[str, str] | None = None
    ) -> tuple[str | None, httpx.Response | None]:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return "The URL is not an http(s) URL.", None
        try:
            response = await self._client().get(url, params=params)
        except httpx.HTTPError as exc:
            return f"The URL could not be fetched ({type(exc).__name__}).", None
        if response.status_code != 200:
            return f"The URL answered HTTP {response.status_code}.", None
        return None, response


def _media_ranges(header: str) -> list[tuple[str, float]]:
    ranges = []
    for part in header.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media.lower(), quality))
    return ranges


_ACCEPTABLE = frozenset({"application/json", "application/*", "*/*", PROBLEM_TYPE})


def accepts_json(header: str | None) -> bool:
    if not header or not header.strip():
        return True
    return any(m in _ACCEPTABLE and q > 0 for m, q in _media_ranges(header))


@dataclass
class Call:
    """One request to one operation of one API, and what is known about it so far."""

    api: ApiRuntime
    request: Request
    operation: Operation
    resource: Resource | None = None
    principal: Principal | None = None
    #: the request body as sent (None before it is read, or for a request without one)
    body: dict | None = None
    #: the typed, declared query parameters sent (empty values left out)
    values: dict[str, Any] = field(default_factory=dict)
    #: the query parameters sent, in order, empty values left out
    query: list[tuple[str, str]] = field(default_factory=list)

    # what rule modules ask -------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self.api.settings

    def fault(self, name: str) -> bool:
        """True when this API's fault ``name`` is on."""
        return self.api.fault(name)

    def off(self, switch: str) -> bool:
        """True when the core behaviour ``switch`` is switched off for this API."""
        return switch in self.api.off

    @functools.cached_property
    def api_url(self) -> str:
        """The API's root URL as the client reached it (``http://host:port/klanten/api/v1``)."""
        return str(self.request.base_url).rstrip("/") + self.api.base_path

    def url_of(self, uuid: str, resource: Resource | None = None) -> str:
        """The URL of resource ``uuid`` (of this call's resource unless another is given)."""
        target = resource or self.resource
        assert target is not None
        return f"{self.api_url}{target.path}/{uuid}"

    def local(self, url: str) -> tuple[ApiRuntime, Resource, str] | None:
        """``(api, resource, id)`` when ``url`` is the URL of one resource of an API this
        process serves (``<root>/<base path><collection>/<id>``, the root as this request
        reached the server, no query or fragment); whether that resource exists is not
        looked at."""
        root = str(self.request.base_url).rstrip("/")
        if not isinstance(url, str) or not url.startswith(root + "/") or "?" in url or "#" in url:
            return None
        path = url[len(root) :]
        for runtime in self.api.peers.values():
            for resource in runtime.definition.resources:
                rest = path.removeprefix(f"{runtime.base_path}{resource.path}/")
                if rest != path and rest and "/" not in rest:
                    return runtime, resource, rest
        return None

    def own_id(self, url: str, resource: Resource) -> str | None:
        """The id in ``url`` when it is the URL of a ``resource`` of this API, else None."""
        found = self.local(url)
        if found is None or found[0] is not self.api or found[1] is not resource:
            return None
        return found[2]

    async def url_problem(self, url: str) -> str | None:
        """Why ``url`` does not answer HTTP 200, or None when it does. A URL of a resource of
        an API this process serves is looked up in-process (it exists or it is a 404,
        whoever asks), any other one is fetched (:meth:`ApiRuntime.url_problem`)."""
        found = self.local(url)
        if found is None:
            return await self.api.url_problem(url)
        runtime, resource, uuid = found
        if runtime.store.get(resource.table, uuid) is None:
            return "The URL answered HTTP 404."
        return None

    # request and response --------------------------------------------------------------------

    def negotiate(self) -> None:
        if not accepts_json(self.request.headers.get("accept")):
            raise ApiError(406, "not_acceptable", "This API answers in application/json only.")

    async def read_body(self) -> dict:
        """The JSON object sent (415, 413 and 400 for what is not one)."""
        request = self.request
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json":
            raise ApiError(
                415,
                "unsupported_media_type",
                f"Send the body as application/json, not {media or 'nothing'}.",
            )
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise ApiError(413, "request_too_large", f"The body exceeds {limit} bytes.")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ApiError(413, "request_too_large", f"The body exceeds {limit} bytes.")
            chunks.append(chunk)
        try:
            body = json.loads(b"".join(chunks).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(
                400,
                "parse_error",
                f"The body is not valid JSON: {exc}",
                [InvalidParam("nonFieldErrors", "parse_error", "Malformed JSON.")],
            ) from None
        if self.off("object-body"):
            body.pop("url", None)  # fault CRASH/non-object-body: assumes an object
        if not isinstance(body, dict):
            raise validation_error(
                [InvalidParam("nonFieldErrors", "invalid", "The body must be a JSON object.")]
            )
        body.pop("url", None)  # read-only, ignored when sent
        self.body = body
        return body

    def respond(
        self, status: int, body: Any = None, headers: dict[str, str] | None = None
    ) -> Response:
        """A JSON response, checked against the document; HEAD gets the headers only."""
        content = b"" if body is None else encode_json(body)
        media = None if body is None else "application/json"
        self.api.check_response(self.operation, status, media, body)
        headers = dict(headers or {})
        if self.request.method == "HEAD":
            headers["content-length"] = str(len(content))
            content = b""
        return Response(content, status_code=status, headers=headers, media_type=media)
