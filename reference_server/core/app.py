"""The Starlette application: one process serving every API under its own base path."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import uuid as uuidlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass

import yaml
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reference_server.config import Settings
from reference_server.core.api import JWT, TOKEN, ApiDefinition, Resource
from reference_server.core.auth import Principal, refuse
from reference_server.core.call import ApiRuntime, Call
from reference_server.core.notifications import Notifier
from reference_server.core.problems import (
    ApiError,
    Crash,
    InvalidParam,
    encode_json,
    not_found,
    problem_body,
    validation_error,
)
from reference_server.core.resources import ResourceOperations
from reference_server.core.spec import Document, Operation, load_document
from reference_server.core.storage import Store, Table

log = logging.getLogger("reference_server")

Bound = Callable[..., Awaitable[Response]]
#: what a browser-facing framework answers for a path it cannot route (fault HTML/malformed-id)
HTML_NOT_FOUND = (
    "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
    "<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body>"
    "</html>\n"
)
_PARAM = re.compile(r"\{([^}/]+)\}")


def _is_uuid(value: str) -> bool:
    try:
        uuidlib.UUID(value)
    except ValueError:
        return False
    return True


@dataclass
class _Binding:
    """An operation of the document and the handler that serves it."""

    operation: Operation
    resource: Resource | None
    handler: Bound


def bind_operations(definition: ApiDefinition, document: Document) -> list[_Binding]:
    """Every operation of the document with its handler: the generic operation of the
    resource whose paths it is on, or the package's own handler. An operation nobody serves
    stops the start-up (OAS-01 would fail on it)."""
    shapes: dict[tuple[str, str], tuple[Resource, Bound]] = {}
    for resource in definition.resources:
        ops = ResourceOperations(resource)
        item = _item_path(document, resource.path)
        shapes[(resource.path, "GET")] = (resource, ops.list)
        shapes[(resource.path, "POST")] = (resource, ops.create)
        if item:
            shapes[(item, "GET")] = (resource, ops.read)
            shapes[(item, "PUT")] = (resource, _partial(ops.update, False))
            shapes[(item, "PATCH")] = (resource, _partial(ops.update, True))
            shapes[(item, "DELETE")] = (resource, ops.delete)
            for path in _audit_paths(document, resource.path):
                handler = ops.audit_list if path.endswith("/audittrail") else ops.audit_read
                shapes[(path, "GET")] = (resource, handler)
    bindings, unbound = [], []
    for operation in document.operations.values():
        custom = definition.operations.get(operation.id)
        if custom is not None:
            bindings.append(_Binding(operation, _resource_of(definition, operation.path), custom))
        elif (operation.path, operation.method) in shapes:
            resource, handler = shapes[(operation.path, operation.method)]
            bindings.append(_Binding(operation, resource, handler))
        else:
            unbound.append(f"{operation.method} {operation.path} ({operation.id})")
    if unbound:
        raise ValueError(f"API {definition.name}: no handler for {', '.join(unbound)}")
    return bindings


def _resource_of(definition: ApiDefinition, path: str) -> Resource | None:
    """The resource whose collection ``path`` is on, if any."""
    for resource in definition.resources:
        if path == resource.path or path.startswith(resource.path + "/"):
            return resource
    return None


def _partial(update: Callable[..., Awaitable[Response]], partial: bool) -> Bound:
    async def handler(call: Call, uuid: str) -> Response:
        return await update(call, uuid, partial)

    return handler


def _item_path(document: Document, collection: str) -> str | None:
    """``/klanten/{uuid}``: the document's path of one resource of ``collection``."""
    for operation in document.operations.values():
        rest = operation.path.removeprefix(collection + "/")
        if rest != operation.path and _PARAM.fullmatch(rest):
            return operation.path
    return None


def _audit_paths(document: Document, collection: str) -> set[str]:
    pattern = re.compile(re.escape(collection) + r"/\{[^}/]+\}/audittrail(/\{[^}/]+\})?")
    return {op.path for op in document.operations.values() if pattern.fullmatch(op.path)}


class ApiVersionHeader:
    """Adds each API's ``API-version`` to every response under its base path (OAS-06),
    including the framework's own 500 page (it wraps the whole application)."""

    def __init__(self, app: ASGIApp, versions: dict[str, str]) -> None:
        self.app = app
        self.versions = sorted(versions.items(), key=lambda item: -len(item[0]))

    def version_for(self, path: str) -> str | None:
        for base, version in self.versions:
            if path == base or path.startswith(base + "/"):
                return version
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        version = self.version_for(scope.get("path", "")) if scope["type"] == "http" else None
        if version is None:
            await self.app(scope, receive, send)
            return
        value = version.encode()

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0] != b"api-version"]
                headers.append((b"api-version", value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_version)


class ReferenceApp(Starlette):
    """Starlette, with the API-version header outside its error middleware."""

    api_versions: dict[str, str] = {}

    def build_middleware_stack(self) -> ASGIApp:
        return ApiVersionHeader(super().build_middleware_stack(), self.api_versions)


def _endpoint(runtime: ApiRuntime, binding: _Binding) -> Bound:
    operation, resource, handler = binding.operation, binding.resource, binding.handler
    names = _PARAM.findall(operation.path)
    uuids = {
        name
        for name, parameter in operation.path_parameters.items()
        if parameter.schema.get("format") == "uuid"
    }
    html_404 = "uuid-path-problem" in runtime.off
    # fault switch "uuid-path-400": the resource's own id (the path's last segment), when it is
    # not a UUID, is refused as invalid input rather than answered "not found"
    own_id_400 = {n for n in names if operation.path.endswith(f"{{{n}}}")} & (
        uuids if "uuid-path-400" in runtime.off else set()
    )

    async def endpoint(request: Request) -> Response:
        call = Call(runtime, request, operation, resource, query=request.query_params.multi_items())
        try:
            ids = [request.path_params[name] for name in names]
            for name, value in zip(names, ids, strict=True):
                if name in uuids and not _is_uuid(value):
                    if html_404:
                        return Response(HTML_NOT_FOUND, status_code=404, media_type="text/html")
                    if name in own_id_400:
                        raise validation_error(
                            [InvalidParam(name, "invalid", "Enter a valid UUID.")]
                        )
                    raise not_found(f"{name} is not a valid UUID.")
            call.negotiate()
            try:
                sent = request.headers.getlist("authorization")
                if len(sent) > 1 and not call.off("authorization-first-header"):
                    raise refuse("Send one Authorization header, not several.")
                if operation.method == "PATCH" and call.off("unauthenticated-patch"):
                    call.principal = Principal(client_id="anonymous")
                else:
                    call.principal = runtime.auth.authenticate(sent[0] if sent else None)
            except ApiError as error:
                raise _challenged(runtime, error) from None
            runtime.auth.authorise(call.principal, operation.scopes)
            return await handler(call, *ids)
        except ApiError as error:
            return runtime.problem(error)
        except Crash:
            raise  # a defect on purpose: the framework's bare 500
        except Exception:
            log.exception("unexpected error in %s %s", runtime.name, operation.id)
            return runtime.problem(ApiError(500, "server_error", "Unexpected server error."))

    return endpoint


def _challenged(runtime: ApiRuntime, error: ApiError) -> ApiError:
    """An authentication failure as the API answers it: 401 with its challenge, where it has
    one."""
    challenge = runtime.definition.challenge
    if challenge is None or error.status != 403:
        return error
    headers = {} if "token-challenge" in runtime.off else {"WWW-Authenticate": challenge}
    return ApiError(401, "not_authenticated", error.detail, headers=headers)


def _published(runtime: ApiRuntime) -> tuple[bytes, bytes]:
    """The API's document as YAML and JSON (extended under fault OAS-08)."""
    document = runtime.document
    if "published-extension" not in runtime.off:
        data = document.data
        return document.text.encode("utf-8"), json.dumps(data, ensure_ascii=False).encode()
    data = _extended(document, runtime.definition)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return text.encode("utf-8"), json.dumps(data, ensure_ascii=False).encode("utf-8")


def _extended(document: Document, definition: ApiDefinition) -> dict:
    """The document plus a vendor extension: a property of the first resource and a path."""
    data = document.published()
    resource = definition.resources[0]
    create = document.operation(resource.path, "POST")
    schema = (create.request_schema() or {}) if create else {}
    name = schema.get("$ref", "").rsplit("/", 1)[-1]
    if name in data.get("components", {}).get("schemas", {}):
        properties = data["components"]["schemas"][name].setdefault("properties", {})
        properties["leverancierKenmerk"] = {
            "type": "string",
            "maxLength": 200,
            "description": "A vendor extension.",
        }
    item = _item_path(document, resource.path) or resource.path
    data["paths"][f"{item}/notities"] = {
        "get": {
            "operationId": f"{resource.name}_notities",
            "responses": {"200": {"description": "OK"}},
        }
    }
    return data


def _schema_route(runtime: ApiRuntime) -> Route:
    published: list[tuple[bytes, bytes]] = []

    async def schema(request: Request) -> Response:
        if not published:
            published.append(_published(runtime))
        as_yaml, as_json = published[0]
        fmt = request.path_params["fmt"]
        if fmt == "json":
            return Response(as_json, media_type="application/vnd.oai.openapi+json")
        if fmt == "yaml":
            return Response(as_yaml, media_type="application/vnd.oai.openapi")
        return runtime.problem(not_found("Use openapi.yaml or openapi.json."))

    return Route(f"{runtime.base_path}/schema/openapi.{{fmt:str}}", schema, methods=["GET"])


def api_routes(runtime: ApiRuntime) -> list[Route]:
    """The routes of one API: every operation of its document, and its published document."""
    by_path: dict[str, dict[str, Bound]] = {}
    for binding in bind_operations(runtime.definition, runtime.document):
        methods = by_path.setdefault(binding.operation.path, {})
        methods[binding.operation.method] = _endpoint(runtime, binding)
    routes = [_schema_route(runtime)]
    for path, methods in by_path.items():
        if "GET" in methods:
            methods.setdefault("HEAD", methods["GET"])
        routes.append(Route(runtime.base_path + path, _dispatch(methods), methods=sorted(methods)))
    return routes


def _dispatch(methods: dict[str, Bound]) -> Bound:
    async def endpoint(request: Request) -> Response:
        return await methods[request.method](request)

    return endpoint


def _generic_problem(status: int, code: str, detail: str, headers: dict) -> Response:
    error = ApiError(status, code, detail, headers=headers)
    return Response(
        encode_json(problem_body(error)),
        status_code=status,
        media_type="application/problem+json",
        headers=headers,
    )


def create_app(settings: Settings, apis: Iterable[ApiDefinition] | None = None) -> Starlette:
    """The reference server for ``settings``, serving ``apis`` (default: every API package)."""
    from reference_server.apis import definitions

    chosen = tuple(definitions() if apis is None else apis)
    _check_distinct(chosen)
    tables = [Table(r.table, r.columns, r.unique, r.keys) for api in chosen for r in api.resources]
    store = Store(settings.db_path, tables)
    notifier = Notifier(settings)
    runtimes = [
        ApiRuntime(api, load_document(api.spec_path), settings, store, notifier) for api in chosen
    ]
    peers = {runtime.name: runtime for runtime in runtimes}
    routes: list[Route] = []
    for runtime in runtimes:
        runtime.peers = peers
        routes += api_routes(runtime)

    def owner(path: str) -> ApiRuntime | None:
        found = [r for r in runtimes if path == r.base_path or path.startswith(r.base_path + "/")]
        return max(found, key=lambda r: len(r.base_path)) if found else None

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        detail = "No such resource." if exc.status_code == 404 else "Method not allowed here."
        headers = dict(exc.headers or {})
        runtime = owner(request.url.path)
        if runtime is None:
            return _generic_problem(exc.status_code, code, detail, headers)
        return runtime.problem(ApiError(exc.status_code, code, detail, headers=headers))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        notifier.start()
        try:
            yield
        finally:
            notifier.stop()
            for runtime in runtimes:
                await runtime.aclose()

    app = ReferenceApp(
        routes=routes, exception_handlers={HTTPException: http_error}, lifespan=lifespan
    )
    app.api_versions = {
        r.base_path: r.definition.version for r in runtimes if "api-version-header" not in r.off
    }
    app.state.settings = settings
    app.state.store = store
    app.state.notifier = notifier
    app.state.apis = peers
    _warn(settings, chosen)
    return app


def _check_distinct(apis: tuple[ApiDefinition, ...]) -> None:
    for attribute in ("name", "base_path"):
        values = [getattr(api, attribute) for api in apis]
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise ValueError(f"two APIs with the same {attribute}: {', '.join(duplicates)}")


def _warn(settings: Settings, apis: tuple[ApiDefinition, ...]) -> None:
    kinds = {api.auth for api in apis}
    if JWT in kinds and settings.uses_demo_secret:
        log.warning(
            "no clients configured: the demo client %r with its published secret is "
            "in use; configure [[clients]] before exposing this server",
            "demo",
        )
    if TOKEN in kinds and settings.uses_demo_token:
        log.warning(
            "no tokens configured: the published demo key %r is in use; configure "
            "[[tokens]] before exposing this server",
            "demo-token",
        )
    if settings.faults:
        log.warning("fault switches on: %s", ", ".join(sorted(settings.faults)))
