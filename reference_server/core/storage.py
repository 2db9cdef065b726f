"""SQLite storage, generic over the resources of every API.

One table per resource: ``id`` (insertion order), ``uuid``, ``data`` (the resource's JSON) and
the columns the resource declares (computed from the data by its rules). Uniqueness rules are
unique indexes on those columns, so they hold however requests interleave. A resource's
*keys* are indexed lists of values (the identification numbers of a klant, say), kept in the
common ``resource_key`` table so that "has this value among its keys" is an index lookup
(:func:`key_condition`). Beside them: one ``audittrail`` table for the audittrail
sub-resources of every API, and the notification ``outbox``. A change, its audittrail entry
and its notification are one transaction.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reference_server.core.api import Stored, Unique

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_RESERVED = frozenset({"id", "uuid", "data"})

COMMON_SCHEMA = """
CREATE TABLE IF NOT EXISTS audittrail (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    resource TEXT NOT NULL,
    parent_uuid TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audittrail_parent ON audittrail (resource, parent_uuid);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL DEFAULT 0,
    delivered_at REAL,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (delivered_at, next_attempt);
CREATE TABLE IF NOT EXISTS resource_key (
    resource TEXT NOT NULL,
    uuid TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS resource_key_value ON resource_key (resource, name, value);
CREATE INDEX IF NOT EXISTS resource_key_owner ON resource_key (resource, uuid);
"""


def key_condition(table: str, name: str) -> str:
    """SQL on ``table``: the row has the value of the one parameter among its keys ``name``."""
    return (
        f"{table}.uuid IN (SELECT uuid FROM resource_key WHERE resource = '{table}'"
        f" AND name = '{name}' AND value = ?)"
    )


class StorageError(Exception):
    """The database file cannot be used (made by another version, say)."""


class UniqueViolation(Exception):
    """A write broke a unique index; ``field_name`` is the API field it is about."""

    def __init__(self, field_name: str, reason: str = "This value is already in use.") -> None:
        super().__init__(field_name)
        self.field_name = field_name
        self.reason = reason


@dataclass(frozen=True)
class Table:
    """The table of one resource."""

    name: str
    columns: tuple[str, ...] = ()
    unique: tuple[Unique, ...] = ()
    #: names of indexed lists of values (``Stored.columns[name]`` is a list)
    keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in (self.name, *self.columns, *self.keys):
            if not _IDENTIFIER.fullmatch(name) or name in _RESERVED - {self.name}:
                raise ValueError(f"table {self.name}: {name!r} is not a usable SQL identifier")
        if self.name in _COMMON_LAYOUT:
            raise ValueError(f"table name {self.name} is the server's own")
        for index in self.unique:
            unknown = set(index.columns) - set(self.columns)
            if unknown:
                raise ValueError(f"table {self.name}: unique index on unknown {sorted(unknown)}")

    def schema(self) -> str:
        extra = "".join(f", {column}" for column in self.columns)
        statements = [
            f"CREATE TABLE IF NOT EXISTS {self.name} (id INTEGER PRIMARY KEY,"
            f" uuid TEXT NOT NULL UNIQUE, data TEXT NOT NULL{extra})"
        ]
        for index in self.unique:
            where = f" WHERE {index.where}" if index.where else ""
            statements.append(
                f"CREATE UNIQUE INDEX IF NOT EXISTS {self.name}_{'_'.join(index.columns)}"
                f" ON {self.name} ({', '.join(index.columns)}){where}"
            )
        return ";\n".join(statements) + ";\n"

    def violation(self, message: str) -> UniqueViolation | None:
        """The unique index an IntegrityError message names, as a UniqueViolation."""
        for index in self.unique:
            named = ", ".join(f"{self.name}.{column}" for column in index.columns)
            if message.endswith(f"UNIQUE constraint failed: {named}"):
                return UniqueViolation(index.field, index.reason)
        return None


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


#: the columns of the server's own tables
_COMMON_LAYOUT = {
    "audittrail": ["id", "uuid", "resource", "parent_uuid", "data"],
    "outbox": ["id", "payload", "attempts", "next_attempt", "delivered_at", "last_error"],
    "resource_key": ["resource", "uuid", "name", "value"],
}


def _check_layout(conn: sqlite3.Connection, layout: dict[str, list[str]], path: Path) -> None:
    """Refuse a database whose tables have other columns than this server writes."""
    for name, columns in layout.items():
        found = [row[1] for row in conn.execute(f"PRAGMA table_info({name})")]
        if found and found != columns:
            raise StorageError(
                f"the database {path} was written by another version of the reference server "
                f"(table {name} has columns {', '.join(found)}); remove it or use another --db"
            )


class Store:
    """All access to the database file; one connection, used from the event loop thread."""

    def __init__(self, path: Path, tables: Iterable[Table]) -> None:
        self.path = Path(path)
        self.tables = {table.name: table for table in tables}
        self.conn = connect(self.path)
        layout = {t.name: ["id", "uuid", "data", *t.columns] for t in self.tables.values()}
        _check_layout(self.conn, {**_COMMON_LAYOUT, **layout}, self.path)
        self.conn.executescript(COMMON_SCHEMA + "".join(t.schema() for t in self.tables.values()))
        self._lock = threading.RLock()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self, table: str | None = None) -> Iterator[sqlite3.Connection]:
        """One atomic unit: the change, its audittrail entry and its notification. An
        IntegrityError from a unique index of ``table`` becomes a :class:`UniqueViolation`."""
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                yield self.conn
            except sqlite3.IntegrityError as exc:
                self.conn.execute("ROLLBACK")
                violation = self.tables[table].violation(str(exc)) if table else None
                if violation is None:
                    raise
                raise violation from None
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    # resources -----------------------------------------------------------------------------

    def insert(self, conn: sqlite3.Connection, table: str, stored: Stored) -> None:
        columns = self.tables[table].columns
        names = ", ".join(("uuid", "data", *columns))
        marks = ", ".join("?" * (2 + len(columns)))
        conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", _params(stored, columns))
        self._write_keys(conn, table, stored)

    def update(self, conn: sqlite3.Connection, table: str, stored: Stored) -> None:
        columns = self.tables[table].columns
        sets = ", ".join(f"{name} = ?" for name in ("data", *columns))
        params = _params(stored, columns)
        conn.execute(f"UPDATE {table} SET {sets} WHERE uuid = ?", (*params[1:], params[0]))
        self._write_keys(conn, table, stored)

    def delete(self, conn: sqlite3.Connection, table: str, uuid: str) -> None:
        conn.execute(f"DELETE FROM {table} WHERE uuid = ?", (uuid,))
        conn.execute("DELETE FROM resource_key WHERE resource = ? AND uuid = ?", (table, uuid))

    def _write_keys(self, conn: sqlite3.Connection, table: str, stored: Stored) -> None:
        names = self.tables[table].keys
        if not names:
            return
        conn.execute(
            "DELETE FROM resource_key WHERE resource = ? AND uuid = ?", (table, stored.uuid)
        )
        conn.executemany(
            "INSERT INTO resource_key (resource, uuid, name, value) VALUES (?, ?, ?, ?)",
            [
                (table, stored.uuid, name, str(value))
                for name in names
                for value in dict.fromkeys(stored.columns.get(name) or ())
            ],
        )

    def get(self, table: str, uuid: str) -> Stored | None:
        columns = self.tables[table].columns
        select = ", ".join(("uuid", "data", *columns))
        with self._lock:
            found = self.conn.execute(
                f"SELECT {select} FROM {table} WHERE uuid = ?", (uuid,)
            ).fetchone()
        return None if found is None else _stored(found, columns)

    def page(
        self,
        table: str,
        where: str,
        params: list[Any],
        order: str,
        offset: int,
        limit: int,
    ) -> tuple[int, list[Stored]]:
        """How many rows match ``where``, and one page of them in ``order``."""
        with self._lock:
            total = self.conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", params)
            count = total.fetchone()[0]
            if count <= offset:
                return count, []
            rows = self.conn.execute(
                f"SELECT uuid, data FROM {table} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        return count, [Stored(uuid, json.loads(data)) for uuid, data in rows]

    # audittrail ------------------------------------------------------------------------------

    def add_audit(
        self, conn: sqlite3.Connection, resource: str, parent_uuid: str, entry: dict
    ) -> None:
        conn.execute(
            "INSERT INTO audittrail (uuid, resource, parent_uuid, data) VALUES (?, ?, ?, ?)",
            (entry["uuid"], resource, parent_uuid, json.dumps(entry, ensure_ascii=False)),
        )

    def list_audit(self, resource: str, parent_uuid: str | None) -> list[dict]:
        """The entries of one parent, in order; ``parent_uuid=None``: of every parent."""
        query = "SELECT data FROM audittrail WHERE resource = ?"
        params: list[Any] = [resource]
        if parent_uuid is not None:
            query += " AND parent_uuid = ?"
            params.append(parent_uuid)
        with self._lock:
            rows = self.conn.execute(query + " ORDER BY id", params).fetchall()
        return [json.loads(data) for (data,) in rows]

    def get_audit(self, resource: str, parent_uuid: str | None, uuid: str) -> dict | None:
        """One entry of one parent; ``parent_uuid=None``: of any parent."""
        query = "SELECT data FROM audittrail WHERE resource = ? AND uuid = ?"
        params: list[Any] = [resource, uuid]
        if parent_uuid is not None:
            query += " AND parent_uuid = ?"
            params.append(parent_uuid)
        with self._lock:
            found = self.conn.execute(query, params).fetchone()
        return None if found is None else json.loads(found[0])

    # notification outbox ---------------------------------------------------------------------

    def add_notification(self, conn: sqlite3.Connection, payload: dict) -> None:
        conn.execute("INSERT INTO outbox (payload) VALUES (?)", (json.dumps(payload),))


def _params(stored: Stored, columns: tuple[str, ...]) -> tuple:
    values = [stored.columns.get(name) for name in columns]
    return (stored.uuid, json.dumps(stored.data, ensure_ascii=False), *values)


def _stored(row: tuple, columns: tuple[str, ...]) -> Stored:
    uuid, data, *values = row
    return Stored(uuid, json.loads(data), dict(zip(columns, values, strict=True)))


class Outbox:
    """The notifier's own view of the outbox table (its own connection, its own thread)."""

    def __init__(self, path: Path) -> None:
        self.conn = connect(path)
        self.conn.executescript(COMMON_SCHEMA)

    def due(self, limit: int = 20) -> list[tuple[int, dict, int]]:
        rows = self.conn.execute(
            "SELECT id, payload, attempts FROM outbox WHERE delivered_at IS NULL"
            " AND next_attempt <= ? ORDER BY id LIMIT ?",
            (time.time(), limit),
        ).fetchall()
        return [(row_id, json.loads(payload), attempts) for row_id, payload, attempts in rows]

    def next_due_in(self) -> float | None:
        found = self.conn.execute(
            "SELECT MIN(next_attempt) FROM outbox WHERE delivered_at IS NULL"
        ).fetchone()[0]
        return None if found is None else max(0.0, found - time.time())

    def delivered(self, row_id: int) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?",
                (time.time(), row_id),
            )

    def failed(self, row_id: int, error: str, retry_in: float) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ?"
                " WHERE id = ?",
                (time.time() + retry_in, error[:500], row_id),
            )

    def pending_count(self) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL"
        ).fetchone()[0]

    def close(self) -> None:
        self.conn.close()
