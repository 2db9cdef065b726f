"""What every resource of the Klantinteracties API shares: ``{"uuid": ...}`` references to
other resources (checked on write, given a ``url`` on read, nulled or cascaded on delete),
reverse lists computed from the resources that point here, ``expand``, generated ``nummer``s,
and list filters that need SQL of their own (relations, camelCase group members).

Each resource is registered under a short key (``partij``); rule classes find each other's
resources through :data:`REGISTRY`, which the api module fills.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from reference_server.core.api import (
    DESTROY,
    PARTIAL_UPDATE,
    READ,
    Resource,
    ResourceRules,
    Stored,
)
from reference_server.core.call import Call
from reference_server.core.problems import ApiError, Crash, InvalidParam, validation_error

#: resource key -> the resource (filled by :mod:`reference_server.klantinteracties.api`)
REGISTRY: dict[str, Resource] = {}
NUMMER_WIDTH = 10


def resource(key: str) -> Resource:
    return REGISTRY[key]


def rules_of(key: str) -> KiRules:
    rules = REGISTRY[key].rules
    assert isinstance(rules, KiRules)
    return rules


def refusal(name: str, code: str, reason: str) -> ApiError:
    """A 400 with one invalidParams entry."""
    return validation_error([InvalidParam(name, code, reason)])


def uuid_of_url(call: Call, value: str) -> str:
    """The uuid at the end of a URL of our own (anything else matches nothing)."""
    return str(value).rstrip("/").rsplit("/", 1)[-1]


def json_field(path: str, table: str | None = None) -> str:
    prefix = f"{table}." if table else ""
    return f"json_extract({prefix}data, '$.{path}')"


def _group_member(param: InvalidParam) -> bool:
    """A missing member of a ``partijIdentificator`` group, other than its objectId."""
    name = param.name
    return param.code == "required" and "partijIdentificator." in name and "objectId" not in name


@dataclass(frozen=True)
class Ref:
    """A reference field holding ``{"uuid": ...}`` (or a list of them) to resource ``target``.
    ``cascade``: deleting the target deletes the referrer (else the field becomes null, or the
    item leaves the list)."""

    target: str
    many: bool = False
    cascade: bool = False


@dataclass(frozen=True)
class Reverse:
    """A read-only list computed from the resources ``source`` whose ``field`` points here."""

    source: str
    field: str
    #: how an item is shown: a reference, or a callable (call, stored) -> dict
    show: Callable[[Call, Stored], dict] | None = None


@dataclass(frozen=True)
class SqlFilter:
    """A list filter with SQL of its own: ``sql`` on the resource's table with one ``?``
    per value (the value transformed by ``value`` first); with fault ``fault`` on, ignored."""

    sql: str
    value: Callable[[Call, Any], Any] | None = None
    fault: str | None = None


class KiRules(ResourceRules):
    """The shared rules; a resource's own class sets the attributes and adds hooks."""

    key: str = ""
    refs: dict[str, Ref] = {}
    reverse: dict[str, Reverse] = {}
    #: fields the server computes besides uuid, url and the reverse lists
    computed: frozenset[str] = frozenset()
    nummer: bool = False
    sql_filters: dict[str, SqlFilter] = {}
    #: the property a PATCH must always send (the document's discriminator)
    discriminator: str | None = None

    # helpers --------------------------------------------------------------------------------

    @property
    def resource(self) -> Resource:
        return REGISTRY[self.key]

    @property
    def table(self) -> str:
        return self.resource.table

    def ref_of(self, call: Call, key: str, uuid: str) -> dict:
        return {"uuid": uuid, "url": call.url_of(uuid, resource(key))}

    # validation ------------------------------------------------------------------------------

    def check_access(self, call: Call, action: str, stored: Stored) -> None:
        """A read takes its query (``expand``) here: the generic read does not parse it."""
        if action == READ and call.operation.query:
            sent = [(name, value) for name, value in call.query if value != ""]
            values, params = call.operation.query_values(sent)
            if params:
                raise validation_error(params)
            call.values = values

    def schema_errors(
        self, call: Call, action: str, body: dict, params: list[InvalidParam]
    ) -> list[InvalidParam]:
        kind = self.discriminator
        if action == PARTIAL_UPDATE and kind and kind not in (call.body or {}):
            params = [*params, InvalidParam(kind, "required", "A PATCH names the soort.")]
        if call.fault("KI-GED-04"):  # of a partijIdentificator group only objectId is required
            return [p for p in params if not _group_member(p)]
        return params

    def normalise(self, call: Call, body: dict, old: Stored | None) -> dict:
        dropped = {"uuid", "url", "_expand", *self.reverse, *self.computed}
        data = {k: v for k, v in body.items() if k not in dropped and not k.startswith("_")}
        for name, ref in self.refs.items():
            if name not in data:
                continue
            value = data[name]
            if ref.many:
                data[name] = [{"uuid": item["uuid"]} for item in value or []]
            elif isinstance(value, dict):
                data[name] = {"uuid": value["uuid"]}
        if old is not None:
            data.update({k: v for k, v in old.data.items() if k.startswith("_")})
        return data

    async def validate(self, call: Call, action: str, data: dict, old: Stored | None) -> dict:
        self.check_references(call, data)
        if self.nummer:
            data = self.with_nummer(call, data, old)
        return await self.check(call, action, data, old)

    async def check(self, call: Call, action: str, data: dict, old: Stored | None) -> dict:
        """The resource's own rules (override)."""
        return data

    def check_references(self, call: Call, data: dict, names: Iterable[str] | None = None) -> None:
        """Every ``{"uuid": ...}`` reference must exist (KI-GED-18; its fault leaves those of
        digitale adressen and rekeningnummers unchecked)."""
        if call.fault("KI-GED-18") and self.key in ("digitaaladres", "rekeningnummer"):
            return
        params = []
        for name in names or self.refs:
            ref = self.refs[name]
            value = data.get(name)
            items = (value or []) if ref.many else ([value] if value else [])
            for item in items:
                if call.api.store.get(resource(ref.target).table, item["uuid"]) is None:
                    params.append(
                        InvalidParam(name, "does_not_exist", f"No {ref.target} with this uuid.")
                    )
        if params:
            raise validation_error(params)

    def with_nummer(self, call: Call, data: dict, old: Stored | None) -> dict:
        """KI-GED-14: a numeric nummer, generated when none is given (unique: an index)."""
        nummer = data.get("nummer")
        if nummer in (None, ""):
            if old is not None and old.data.get("nummer"):
                return {**data, "nummer": old.data["nummer"]}
            nummer = self.next_nummer(call)
            if call.fault("KI-GED-14"):
                nummer = "N" + nummer[1:]
            return {**data, "nummer": nummer}
        unchanged = old is not None and nummer == old.data.get("nummer")
        if not unchanged and not (str(nummer).isascii() and str(nummer).isdigit()):
            raise refusal("nummer", "invalid", "A nummer consists of digits only.")
        return data

    def next_nummer(self, call: Call) -> str:
        """The next free number: above every stored one and every one handed out by this
        process (two creates that interleave get different numbers)."""
        state = call.api.state.setdefault("klantinteracties.nummer", {})
        with call.api.store._lock:
            stored = call.api.store.conn.execute(
                f"SELECT MAX(CAST(nummer AS INTEGER)) FROM {self.table} WHERE nummer GLOB '[0-9]*'"
            ).fetchone()[0]
        value = max(int(stored or 0), state.get(self.table, 0)) + 1
        state[self.table] = value
        return str(value).zfill(NUMMER_WIDTH)

    def columns(self, call: Call, data: dict) -> dict[str, Any]:
        values = {}
        if self.nummer:
            nummer = data.get("nummer")
            values["nummer"] = None if call.fault("KI-GED-14/unique") else nummer
        return values

    # representation ------------------------------------------------------------------------

    def represent(self, call: Call, stored: Stored) -> dict:
        body: dict[str, Any] = {"uuid": stored.uuid, "url": call.url_of(stored.uuid, self.resource)}
        for name, value in stored.data.items():
            if name.startswith("_"):
                continue
            ref = self.refs.get(name)
            if ref is None:
                body[name] = value
            elif ref.many:
                body[name] = [self.ref_of(call, ref.target, item["uuid"]) for item in value or []]
            else:
                body[name] = self.ref_of(call, ref.target, value["uuid"]) if value else None
        for name, reverse in self.reverse.items():
            body[name] = [
                self.show(call, reverse, item) for item in self.reversed(call, stored, name)
            ]
        body = self.complete(call, stored, body)
        expand = call.values.get("expand") if call.resource is self.resource else None
        if expand and call.operation.method == "GET":
            if call.fault("CRASH/ki-expand"):
                raise Crash("expand is not supported")
            body["_expand"] = self.expanded(call, stored, list(expand))
        return body

    def complete(self, call: Call, stored: Stored, body: dict) -> dict:
        """The representation's computed fields (override)."""
        return body

    def show(self, call: Call, reverse: Reverse, item: Stored) -> dict:
        if reverse.show is not None:
            return reverse.show(call, item)
        return self.ref_of(call, reverse.source, item.uuid)

    def reversed(self, call: Call, stored: Stored, name: str) -> list[Stored]:
        reverse = self.reverse[name]
        return referrers(call, reverse.source, reverse.field, stored.uuid)

    def related(
        self, call: Call, stored: Stored, name: str
    ) -> tuple[str, list[Stored] | Stored | None]:
        """For expand: the resource key and the stored resources field ``name`` leads to."""
        if name in self.reverse:
            return self.reverse[name].source, self.reversed(call, stored, name)
        ref = self.refs[name]
        value = stored.data.get(name)
        store, table = call.api.store, resource(ref.target).table
        if ref.many:
            found = [store.get(table, item["uuid"]) for item in value or []]
            return ref.target, [s for s in found if s is not None]
        return ref.target, store.get(table, value["uuid"]) if value else None

    def expanded(self, call: Call, stored: Stored, paths: list[str]) -> dict:
        """``_expand``: per first segment the related resources in full, with the rest of
        each path expanded inside them."""
        groups: dict[str, list[str]] = {}
        for path in paths:
            head, _, rest = path.partition(".")
            groups.setdefault(head, [])
            if rest:
                groups[head].append(rest)
        result: dict[str, Any] = {}
        for head, rests in groups.items():
            target, found = self.related(call, stored, head)
            rules = rules_of(target)

            def full(item: Stored, rules: KiRules = rules, rests: list[str] = rests) -> dict:
                body = rules.plain(call, item)
                if rests and not call.fault("KI-OAS-10"):
                    body["_expand"] = rules.expanded(call, item, rests)
                return body

            if isinstance(found, list):
                result[head] = [full(item) for item in found]
            else:
                result[head] = full(found) if found is not None else None
        return result

    def plain(self, call: Call, stored: Stored) -> dict:
        """The representation without ``_expand`` of the call's own resource."""
        saved = call.values.pop("expand", None)
        try:
            return self.represent(call, stored)
        finally:
            if saved is not None:
                call.values["expand"] = saved

    # lists ---------------------------------------------------------------------------------

    def list_condition(self, call: Call, values: dict[str, Any]) -> tuple[str, list[Any]]:
        conditions, params = ["1"], []
        for name, spec in self.sql_filters.items():
            if name not in values or (spec.fault and call.fault(spec.fault)):
                continue
            value = spec.value(call, values[name]) if spec.value else values[name]
            conditions.append(f"({spec.sql})")
            params += [value] * spec.sql.count("?")
        extra, extra_params = self.visible(call, values)
        if extra:
            conditions.append(f"({extra})")
            params += extra_params
        return " AND ".join(conditions), params

    def visible(self, call: Call, values: dict[str, Any]) -> tuple[str, list[Any]]:
        """An extra condition of the list (override)."""
        return "", []

    # deleting ---------------------------------------------------------------------------------

    def before_write(
        self,
        call: Call,
        conn: sqlite3.Connection,
        action: str,
        new: Stored | None,
        old: Stored | None,
    ) -> None:
        """A delete releases what refers to the resource; subclasses add their own writes."""
        if action == DESTROY and old is not None:
            self.refuse_delete(call, conn, old)
            release(call, conn, self.key, old.uuid)

    def refuse_delete(self, call: Call, conn: sqlite3.Connection, old: Stored) -> None:
        """Raise ApiError when ``old`` may not be deleted (override)."""


def referrers(
    call: Call, key: str, field: str, uuid: str, conn: sqlite3.Connection | None = None
) -> list[Stored]:
    """The stored resources ``key`` whose reference ``field`` is (or, for a list, holds)
    ``uuid``, in insertion order."""
    table = resource(key).table
    many = rules_of(key).refs[field].many
    if many:
        where = (
            f"EXISTS (SELECT 1 FROM json_each(json_extract(data, '$.{field}'))"
            " WHERE json_extract(value, '$.uuid') = ?)"
        )
    else:
        where = f"{json_field(field + '.uuid')} = ?"
    store = call.api.store
    if conn is not None:
        rows = conn.execute(f"SELECT uuid FROM {table} WHERE {where} ORDER BY id", (uuid,))
        uuids = [row[0] for row in rows]
        return [s for s in (store.get(table, u) for u in uuids) if s is not None]
    return store.page(table, where, [uuid], "id", 0, -1)[1]


def release(call: Call, conn: sqlite3.Connection, key: str, uuid: str) -> None:
    """Before resource ``key`` ``uuid`` is deleted: every reference to it is nulled (or the
    item leaves its list), or the referrer is deleted too where the reference cascades."""
    store = call.api.store
    for other_key, other in REGISTRY.items():
        rules = other.rules
        assert isinstance(rules, KiRules)
        for field, ref in rules.refs.items():
            if ref.target != key:
                continue
            for stored in referrers(call, other_key, field, uuid, conn):
                if stored.uuid == uuid and other_key == key:
                    continue
                deleted_partij = call.fault("KI-CONTACT-09") and field == "wasPartij"
                if ref.cascade or deleted_partij:
                    rules.refuse_delete(call, conn, stored)
                    release(call, conn, other_key, stored.uuid)
                    store.delete(conn, other.table, stored.uuid)
                    continue
                if field.startswith("voorkeurs") and call.fault("KI-GED-16"):
                    continue
                data = dict(stored.data)
                if ref.many:
                    data[field] = [i for i in data[field] if i["uuid"] != uuid]
                else:
                    data[field] = None
                changed = Stored(stored.uuid, data, rules.columns(call, data))
                store.update(conn, other.table, changed)


def insert_or_update(
    call: Call, conn: sqlite3.Connection, key: str, stored: Stored, exists: bool
) -> None:
    """Write another resource's row inside a transaction; its unique indexes become a
    UniqueViolation (a 400) as for the resource itself."""
    store, table = call.api.store, resource(key).table
    try:
        if exists:
            store.update(conn, table, stored)
        else:
            store.insert(conn, table, stored)
    except sqlite3.IntegrityError as exc:
        violation = store.tables[table].violation(str(exc))
        if violation is None:
            raise
        raise violation from None
