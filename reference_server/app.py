"""The Starlette application: routing, error handling and start/stop of its services."""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import uuid as uuidlib
from collections.abc import AsyncIterator, Awaitable, Callable

import yaml
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reference_server.api import API_ROOT, API_VERSION, KlantenApi
from reference_server.config import Settings
from reference_server.notifications import Notifier
from reference_server.problems import ApiError
from reference_server.storage import Store
from reference_server.validation import SpecValidator, spec_validator

log = logging.getLogger("reference_server")

Handler = Callable[..., Awaitable[Response]]


class ApiVersionHeader:
    """Adds ``API-version`` to every response (OAS-06)."""

    def __init__(self, app: ASGIApp, enabled: bool) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled:
            await self.app(scope, receive, send)
            return

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0] != b"api-version"]
                headers.append((b"api-version", API_VERSION.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_version)


def _is_uuid(value: str) -> bool:
    try:
        uuidlib.UUID(value)
    except ValueError:
        return False
    return True


def _published_document(spec: SpecValidator, settings: Settings) -> dict:
    document = spec.document
    if settings.fault("OAS-08"):
        document = copy.deepcopy(document)
        document["components"]["schemas"]["Klant"]["properties"]["klantprofiel"] = {
            "type": "string",
            "maxLength": 200,
            "description": "A vendor extension.",
        }
        document["paths"]["/klanten/{uuid}/notities"] = {
            "get": {"operationId": "klant_notities", "responses": {"200": {"description": "OK"}}}
        }
    return document


def create_app(settings: Settings) -> Starlette:
    """The reference server for ``settings``; its API lives under ``/klanten/api/v1``."""
    spec = spec_validator()
    store = Store(settings.db_path)
    notifier = Notifier(settings)
    api = KlantenApi(settings, store, spec, notifier)
    document = _published_document(spec, settings)
    schema_yaml = yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode("utf-8")
    schema_json = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")

    def operation(name: str, handler: Handler, uuid_params: tuple[str, ...] = ()) -> Handler:
        async def endpoint(request: Request) -> Response:
            path = request.url.path.removeprefix(API_ROOT)
            try:
                for param in uuid_params:
                    if not _is_uuid(request.path_params[param]):
                        raise ApiError(404, "not_found", f"{param} is not a valid UUID.")
                call = api.begin(request, name, path)
                return await handler(call, *(request.path_params[p] for p in uuid_params))
            except ApiError as error:
                return api.problem(error)
            except Exception:
                log.exception("unexpected error in %s", name)
                return api.problem(ApiError(500, "server_error", "Unexpected server error."))

        return endpoint

    async def klanten(request: Request) -> Response:
        if request.method == "POST":
            return await create(request)
        return await listing(request)

    async def klant(request: Request) -> Response:
        return await single[request.method](request)

    create = operation("klant_create", api.klant_create)
    listing = operation("klant_list", api.klant_list)
    single = {
        "GET": operation("klant_read", api.klant_read, ("uuid",)),
        "HEAD": operation("klant_read", api.klant_read, ("uuid",)),
        "PUT": operation("klant_update", lambda c, u: api.klant_update(c, u, False), ("uuid",)),
        "PATCH": operation(
            "klant_partial_update", lambda c, u: api.klant_update(c, u, True), ("uuid",)
        ),
        "DELETE": operation("klant_delete", api.klant_delete, ("uuid",)),
    }
    audit_list = operation("audittrail_list", api.audittrail_list, ("klant_uuid",))
    audit_read = operation("audittrail_read", api.audittrail_read, ("klant_uuid", "uuid"))

    async def schema(request: Request) -> Response:
        if request.path_params["fmt"] not in ("yaml", "json"):
            return api.problem(ApiError(404, "not_found", "Use openapi.yaml or openapi.json."))
        if request.path_params["fmt"] == "json":
            return Response(schema_json, media_type="application/vnd.oai.openapi+json")
        return Response(schema_yaml, media_type="application/vnd.oai.openapi")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        detail = "No such resource." if exc.status_code == 404 else "Method not allowed here."
        return api.problem(ApiError(exc.status_code, code, detail, headers=dict(exc.headers or {})))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        notifier.start()
        try:
            yield
        finally:
            notifier.stop()
            await api.aclose()

    routes = [
        Route(f"{API_ROOT}/klanten", klanten, methods=["GET", "POST"]),
        Route(
            f"{API_ROOT}/klanten/{{uuid}}", klant, methods=["GET", "HEAD", "PUT", "PATCH", "DELETE"]
        ),
        Route(f"{API_ROOT}/klanten/{{klant_uuid}}/audittrail", audit_list, methods=["GET"]),
        Route(
            f"{API_ROOT}/klanten/{{klant_uuid}}/audittrail/{{uuid}}", audit_read, methods=["GET"]
        ),
        Route(f"{API_ROOT}/schema/openapi.{{fmt:str}}", schema, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes, exception_handlers={HTTPException: http_error}, lifespan=lifespan
    )
    app.add_middleware(ApiVersionHeader, enabled=not settings.fault("OAS-06"))
    app.state.settings = settings
    app.state.store = store
    app.state.notifier = notifier
    if settings.uses_demo_secret:
        log.warning(
            "no clients configured: the demo client %r with its published secret is "
            "in use; configure [[clients]] before exposing this server",
            "demo",
        )
    if settings.faults:
        log.warning("fault switches on: %s", ", ".join(sorted(settings.faults)))
    return app
