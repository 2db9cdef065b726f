"""SQLite storage. Uniqueness rules are enforced by the database itself, so they hold however
requests interleave: kla-001 by a unique index on (bronorganisatie, klantnummer), KLOK01
cardinality 1 by unique indexes on (bronorganisatie, BSN) and (bronorganisatie, subject URL of a
natuurlijk persoon)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS klant (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    bronorganisatie TEXT NOT NULL,
    klantnummer TEXT,
    subject_type TEXT,
    bsn TEXT,
    np_subject TEXT,
    identity_keys TEXT NOT NULL DEFAULT '[]',
    data TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS klant_klantnummer ON klant (bronorganisatie, klantnummer);
CREATE UNIQUE INDEX IF NOT EXISTS klant_bsn ON klant (bronorganisatie, bsn)
    WHERE bsn IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS klant_np_subject ON klant (bronorganisatie, np_subject)
    WHERE np_subject IS NOT NULL;
CREATE TABLE IF NOT EXISTS audittrail (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    klant_uuid TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audittrail_klant ON audittrail (klant_uuid);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL DEFAULT 0,
    delivered_at REAL,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (delivered_at, next_attempt);
"""

#: column named in SQLite's "UNIQUE constraint failed" message -> field of the API
_UNIQUE_FIELDS = {
    "klant.klantnummer": "klantnummer",
    "klant.bsn": "subjectIdentificatie.inpBsn",
    "klant.np_subject": "subject",
}


class UniqueViolation(Exception):
    def __init__(self, field_name: str) -> None:
        super().__init__(field_name)
        self.field_name = field_name


@dataclass
class KlantRow:
    uuid: str
    bronorganisatie: str
    klantnummer: str | None
    subject_type: str | None
    bsn: str | None
    np_subject: str | None
    identity_keys: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)

    def params(self) -> tuple:
        return (
            self.bronorganisatie,
            self.klantnummer,
            self.subject_type,
            self.bsn,
            self.np_subject,
            json.dumps(self.identity_keys),
            json.dumps(self.data, ensure_ascii=False),
            self.uuid,
        )


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def _unique_field(exc: sqlite3.IntegrityError) -> str | None:
    message = str(exc)
    if "UNIQUE" not in message:
        return None
    for column, name in _UNIQUE_FIELDS.items():
        if column in message:
            return name
    return None


class Store:
    """All access to the database file; one connection, used from the event loop thread."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.conn = connect(self.path)
        self.conn.executescript(SCHEMA)
        self._lock = threading.RLock()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit: the change, its audittrail entry and its notification."""
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                yield self.conn
            except sqlite3.IntegrityError as exc:
                self.conn.execute("ROLLBACK")
                name = _unique_field(exc)
                if name is None:
                    raise
                raise UniqueViolation(name) from None
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    # klanten -------------------------------------------------------------------------------

    def insert_klant(self, conn: sqlite3.Connection, row: KlantRow) -> None:
        conn.execute(
            "INSERT INTO klant (bronorganisatie, klantnummer, subject_type, bsn, np_subject,"
            " identity_keys, data, uuid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            row.params(),
        )

    def update_klant(self, conn: sqlite3.Connection, row: KlantRow) -> None:
        conn.execute(
            "UPDATE klant SET bronorganisatie = ?, klantnummer = ?, subject_type = ?, bsn = ?,"
            " np_subject = ?, identity_keys = ?, data = ? WHERE uuid = ?",
            row.params(),
        )

    def delete_klant(self, conn: sqlite3.Connection, uuid: str) -> None:
        conn.execute("DELETE FROM klant WHERE uuid = ?", (uuid,))

    def get_klant(self, uuid: str) -> KlantRow | None:
        with self._lock:
            found = self.conn.execute(
                "SELECT uuid, bronorganisatie, klantnummer, subject_type, bsn, np_subject,"
                " identity_keys, data FROM klant WHERE uuid = ?",
                (uuid,),
            ).fetchone()
        if found is None:
            return None
        *columns, keys, data = found
        return KlantRow(*columns, identity_keys=json.loads(keys), data=json.loads(data))

    def klantnummer_in_use(self, klantnummer: str) -> bool:
        with self._lock:
            found = self.conn.execute(
                "SELECT 1 FROM klant WHERE klantnummer = ? LIMIT 1", (klantnummer,)
            ).fetchone()
        return found is not None

    def list_klanten(
        self, where: str, params: list, offset: int, limit: int
    ) -> tuple[int, list[tuple[str, dict]]]:
        """Count and one page of (uuid, data) of the klanten matching ``where``."""
        with self._lock:
            count = self.conn.execute(f"SELECT COUNT(*) FROM klant WHERE {where}", params)
            total = count.fetchone()[0]
            rows = self.conn.execute(
                f"SELECT uuid, data FROM klant WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        return total, [(uuid, json.loads(data)) for uuid, data in rows]

    # audittrail ------------------------------------------------------------------------------

    def add_audit(self, conn: sqlite3.Connection, uuid: str, klant_uuid: str, data: dict) -> None:
        conn.execute(
            "INSERT INTO audittrail (uuid, klant_uuid, data) VALUES (?, ?, ?)",
            (uuid, klant_uuid, json.dumps(data, ensure_ascii=False)),
        )

    def list_audit(self, klant_uuid: str) -> list[dict]:
        with self._lock:
            rows = self.conn.execute(
                "SELECT data FROM audittrail WHERE klant_uuid = ? ORDER BY id", (klant_uuid,)
            ).fetchall()
        return [json.loads(data) for (data,) in rows]

    def get_audit(self, klant_uuid: str, uuid: str) -> dict | None:
        with self._lock:
            found = self.conn.execute(
                "SELECT data FROM audittrail WHERE klant_uuid = ? AND uuid = ?",
                (klant_uuid, uuid),
            ).fetchone()
        return None if found is None else json.loads(found[0])

    # notification outbox ---------------------------------------------------------------------

    def add_notification(self, conn: sqlite3.Connection, payload: dict) -> None:
        conn.execute("INSERT INTO outbox (payload) VALUES (?)", (json.dumps(payload),))


class Outbox:
    """The notifier's own view of the outbox table (its own connection, its own thread)."""

    def __init__(self, path: Path) -> None:
        self.conn = connect(path)
        self.conn.executescript(SCHEMA)

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
