"""The generic operations on a resource: create, read (and HEAD), update, partial update,
delete, list, and the audittrail sub-resources; each calls the resource's rules where they
hook in, and stores a change with its audittrail entry and notification in one transaction."""

from __future__ import annotations

import hashlib
import json
import uuid as uuidlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.responses import HTMLResponse, Response

from reference_server.core.api import (
    AUDIT,
    CREATE,
    DESTROY,
    PARTIAL_UPDATE,
    READ,
    UPDATE,
    Filter,
    Resource,
    Stored,
)
from reference_server.core.call import Call
from reference_server.core.notifications import notification
from reference_server.core.problems import (
    ApiError,
    InvalidParam,
    not_found,
    validation_error,
)
from reference_server.core.storage import UniqueViolation

ACTIE_WEERGAVE = {
    CREATE: "Object created",
    UPDATE: "Object updated",
    PARTIAL_UPDATE: "Object partially updated",
    DESTROY: "Object deleted",
}
#: beyond any real page; keeps the offset within SQLite's range
MAX_PAGE = 2**40
_LOOKUPS = {"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def etag_of(data: bytes) -> str:
    return '"' + hashlib.md5(data, usedforsecurity=False).hexdigest() + '"'


def etag_matches(header: str | None, etag: str) -> bool:
    """True when an If-None-Match header holds ``etag`` (weak or strong) or ``*``."""
    if not header:
        return False
    for candidate in header.split(","):
        value = candidate.strip()
        if value == "*" or value.removeprefix("W/") == etag:
            return True
    return False


def json_path(path: str) -> str:
    """SQL of a dotted data path (``adres.postcode``) in the stored JSON."""
    parts = path.split(".")
    if not all(p.replace("_", "").isalnum() for p in parts):
        raise ValueError(f"not a usable data path: {path!r}")
    return f"json_extract(data, '$.{path}')"


#: what a framework's debug page answers for an unexpected error (fault "unknown-query-crash")
HTML_SERVER_ERROR = (
    "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n"
    "<body><h1>Server Error (500)</h1></body></html>\n"
)
#: ``ApiRuntime.state`` key of what fault switch "read-after-delete" keeps of deleted resources
DELETED = "resources.deleted"


class ResourceOperations:
    """The generic operations of one resource."""

    def __init__(self, resource: Resource) -> None:
        self.resource = resource
        self.rules = resource.rules

    # reading -------------------------------------------------------------------------------

    def get(self, call: Call, uuid: str, action: str) -> Stored:
        stored = call.api.store.get(self.resource.table, uuid)
        if stored is None:
            raise not_found(f"No {self.resource.name} with this uuid.")
        self.rules.check_access(call, action, stored)
        return stored

    async def read(self, call: Call, uuid: str) -> Response:
        gone = call.api.state.get(DELETED, {}).get(uuid) if call.off("read-after-delete") else None
        if gone is not None and call.api.store.get(self.resource.table, uuid) is None:
            return conditional(call, self.rules.represent(call, gone), uuid)  # the fault
        stored = self.get(call, uuid, READ)
        return conditional(call, self.rules.represent(call, stored), uuid)

    # changing ------------------------------------------------------------------------------

    async def create(self, call: Call) -> Response:
        body = await call.read_body()
        data = await self.validated(call, CREATE, body, None)
        stored = self.stored(call, str(uuidlib.uuid4()), data)
        representation = self.write(call, CREATE, 201, stored, None)
        headers = {} if call.off("location-header") else {"Location": representation["url"]}
        return call.respond(201, representation, headers)

    async def update(self, call: Call, uuid: str, partial: bool) -> Response:
        old = self.get(call, uuid, PARTIAL_UPDATE if partial else UPDATE)
        body = await call.read_body()
        if partial or call.off("put-replaces"):
            body = {**old.data, **body}
        action = PARTIAL_UPDATE if partial else UPDATE
        data = await self.validated(call, action, body, old)
        representation = self.write(call, action, 200, self.stored(call, uuid, data), old)
        return call.respond(200, representation)

    async def delete(self, call: Call, uuid: str) -> Response:
        old = self.get(call, uuid, DESTROY)
        self.write(call, DESTROY, 204, None, old)
        if call.off("read-after-delete"):
            call.api.state.setdefault(DELETED, {})[uuid] = old
        return call.respond(204)

    async def validated(self, call: Call, action: str, body: dict, old: Stored | None) -> dict:
        """Schema check, then the resource's own rules; returns the data to store."""
        params = call.operation.body_errors(body)
        params = self.rules.schema_errors(call, action, body, params)
        if call.off("request-schema"):  # only the presence of required fields is checked
            params = [p for p in params if p.code == "required"]
        if params:
            raise validation_error(params)
        data = self.rules.normalise(call, body, old)
        return await self.rules.validate(call, action, data, old)

    def stored(self, call: Call, uuid: str, data: dict) -> Stored:
        return Stored(uuid, data, self.rules.columns(call, data))

    def write(
        self, call: Call, action: str, status: int, new: Stored | None, old: Stored | None
    ) -> dict | None:
        """Store a change with its audittrail entry and notification, in one transaction;
        returns the new representation (None for a delete)."""
        api, store = call.api, call.api.store
        table = self.resource.table
        current = new or old
        assert current is not None
        url = call.url_of(current.uuid)
        before = self.rules.represent(call, old) if old is not None else None
        after = self.rules.represent(call, new) if new is not None else None
        hoofd_object = self.rules.hoofd_object(call, current)
        try:
            with store.transaction(table) as conn:
                self.rules.before_write(call, conn, action, new, old)
                if new is None:
                    store.delete(conn, table, current.uuid)
                elif old is None:
                    store.insert(conn, table, new)
                else:
                    store.update(conn, table, new)
                partial = action == PARTIAL_UPDATE
                if api.definition.audit_bron and not (partial and call.off("audit-partial-update")):
                    entry = self.audit_entry(call, action, status, url, hoofd_object, before, after)
                    store.add_audit(conn, table, current.uuid, entry)
                kanaal = api.definition.kanaal
                publish = not (partial and call.off("notify-partial-update"))
                if kanaal and self.resource.notify and api.notifier.enabled and publish:
                    kenmerken = self.rules.kenmerken(current.data)
                    payload = notification(
                        kanaal, self.resource.name, action, hoofd_object, url, kenmerken
                    )
                    store.add_notification(conn, payload)
        except UniqueViolation as exc:
            raise validation_error([InvalidParam(exc.field_name, "unique", exc.reason)]) from None
        self.rules.after_write(call, action, new, old)
        api.notifier.wake()
        return after

    def audit_entry(
        self,
        call: Call,
        actie: str,
        status: int,
        url: str,
        hoofd_object: str,
        old: dict | None,
        new: dict | None,
    ) -> dict:
        principal = call.principal
        assert principal is not None
        weergave = self.rules.weergave(new or old or {})
        return {
            "uuid": str(uuidlib.uuid4()),
            "bron": call.api.definition.audit_bron,
            "applicatieId": principal.client_id[:100],
            "applicatieWeergave": principal.client_id[:200],
            "gebruikersId": principal.user_id[:255],
            "gebruikersWeergave": principal.user_representation[:255],
            "actie": actie,
            "actieWeergave": ACTIE_WEERGAVE[actie],
            "resultaat": status,
            "hoofdObject": hoofd_object,
            "resource": self.resource.name,
            "resourceUrl": url,
            "toelichting": call.request.headers.get("x-audit-toelichting", ""),
            "resourceWeergave": weergave[:200],
            "aanmaakdatum": now_iso(),
            "wijzigingen": {"oud": old, "nieuw": new},
        }

    # lists ---------------------------------------------------------------------------------

    async def list(self, call: Call) -> Response:
        # an empty value means "no filter" (as in the standard's implementations)
        call.query = [(k, v) for k, v in call.query if v != ""]
        if call.off("unknown-query-crash") and any(
            name not in call.operation.query for name, _ in call.query
        ):
            return HTMLResponse(HTML_SERVER_ERROR, status_code=500)  # the fault
        values, params = call.operation.query_values(call.query)
        if params and call.off("filter-invalid-ignored"):
            params = [p for p in params if p.name.split(".")[0] in self.resource.not_filters]
        if params:
            raise validation_error(params)
        call.values = values
        paginated = "page" in call.operation.query
        page = int(values.get("page", 1))
        if page < 1:
            raise ApiError(404, "not_found", f"Invalid page {page}: pages start at 1.")
        page = min(page, MAX_PAGE)
        size = self.page_size(call)
        where, where_params = self.conditions(call, values)
        order = self.order(call, values)
        offset, limit = ((page - 1) * size, size) if paginated else (0, -1)

        def fetch() -> tuple[int, list[Stored]]:
            table = self.resource.table
            return call.api.store.page(table, where, where_params, order, offset, limit)

        count, rows = self.rules.fetch_list(call, values, fetch)
        results = [self.rules.represent(call, stored) for stored in rows]
        if not paginated:
            return call.respond(200, results)
        last_page = max(1, -(-count // size))
        if page > last_page and not call.off("page-beyond-last"):
            raise ApiError(404, "not_found", f"Invalid page {page}: there are {last_page}.")
        body = {
            "count": count,
            "next": page_url(call, page + 1) if page < last_page else None,
            "previous": page_url(call, page - 1) if page > 1 else None,
            "results": results,
        }
        if call.off("pagination-next"):
            body["next"] = None
        return call.respond(200, body)

    def page_size(self, call: Call) -> int:
        default = call.settings.page_size
        asked = call.values.get("pageSize")
        if "pageSize" not in call.operation.query or asked is None:
            return default
        if asked < 1:
            raise validation_error([InvalidParam("pageSize", "min_value", "At least 1.")])
        return min(int(asked), default)

    def conditions(self, call: Call, values: dict[str, Any]) -> tuple[str, list[Any]]:
        visible, params = self.rules.list_condition(call, values)
        conditions, params = [visible], list(params)
        for name, value in values.items():
            if name in self.resource.not_filters:
                continue
            spec = self.resource.filters.get(name) or Filter(path=name.replace("__", "."))
            if spec.fault and call.fault(spec.fault):
                continue
            expression = spec.column or json_path(spec.path or name)
            value = spec.value(call, value) if spec.value else value
            if spec.lookup == "in":
                items = list(value) if isinstance(value, list) else [value]
                conditions.append(f"{expression} IN ({', '.join('?' * len(items))})")
                params += items
            else:
                conditions.append(f"{expression} {_LOOKUPS[spec.lookup]} ?")
                params.append(value)
            for column, implied in spec.implies.items():
                conditions.append(f"{column} = ?")
                params.append(implied)
        return " AND ".join(f"({c})" for c in conditions), params

    def order(self, call: Call, values: dict[str, Any]) -> str:
        """ORDER BY of a list: the ``ordering`` parameter where declared, then insertion."""
        ordering = values.get("ordering")
        if not ordering:
            return "id"
        terms = []
        for term in ordering if isinstance(ordering, list) else str(ordering).split(","):
            name = term.strip()
            descending = name.startswith("-")
            name = name.removeprefix("-")
            if name in ("url", "uuid"):
                expression = "uuid"
            else:
                expression = json_path(self.resource.ordering.get(name) or _camel(name))
            terms.append(f"{expression} {'DESC' if descending else 'ASC'}")
        return ", ".join([*terms, "id"])

    # audittrail ------------------------------------------------------------------------------

    async def audit_list(self, call: Call, parent: str) -> Response:
        leak = call.off("audittrail-parent")
        if not leak:
            self.get(call, parent, AUDIT)
        entries = call.api.store.list_audit(self.resource.table, None if leak else parent)
        return call.respond(200, entries)

    async def audit_read(self, call: Call, parent: str, uuid: str) -> Response:
        if call.off("audittrail-read"):  # like a framework: authenticated and authorised, then 405
            raise ApiError(
                405,
                "method_not_allowed",
                "Reading one audittrail entry is not supported.",
                headers={"Allow": ""},
            )
        leak = call.off("audittrail-parent")
        if not leak:
            self.get(call, parent, AUDIT)
        leak = leak or call.off("audittrail-other-parent")  # a known parent, any entry
        entry = call.api.store.get_audit(self.resource.table, None if leak else parent, uuid)
        if entry is None:
            raise not_found("No audittrail entry with this uuid.")
        return conditional(call, entry, uuid)


def conditional(call: Call, body: dict, uuid: str) -> Response:
    """A read answered with an ETag (computed on the JSON of the body), or 304 when the client
    has it already; where the document declares an ETag for the operation."""
    if not call.operation.etag:
        return call.respond(200, body)
    if call.off("etag-content"):
        etag = etag_of(uuid.encode())
    else:
        etag = etag_of(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    headers = {"ETag": etag}
    if call.request.method == "HEAD" and call.off("head-etag"):
        headers = {}
    if not call.off("if-none-match") and etag_matches(
        call.request.headers.get("if-none-match"), etag
    ):
        return Response(status_code=304, headers=headers)
    return call.respond(200, body, headers)


def page_url(call: Call, page: int) -> str:
    query = [(k, v) for k, v in call.query if k != "page"] + [("page", str(page))]
    return f"{call.api_url}{call.operation.path}?{urlencode(query)}"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
