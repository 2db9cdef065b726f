"""The rules of a contactmoment on top of the generic resource: cm-001 (``vorigContactmoment``
must exist), cm-002 (``volgendContactmoment`` of the earlier one is kept in step), cm-003 (the
``medewerker`` URL must resolve) and what a delete does to its neighbours and relations.

Decisions where the standard says nothing explicit (the standard's implementations model the
link as a one-to-one relation of a contactmoment to its predecessor, and the relations as
rows that belong to their contactmoment):

- ``vorigContactmoment``, when given and not empty, is either a contactmoment of this API
  (it must exist; else 400, invalidParams ``vorigContactmoment``/``does_not_exist``; naming
  the contactmoment itself is 400 ``invalid``) or another URL, which must answer HTTP 200
  (else 400 ``vorigContactmoment``/``bad-url``). Null means "not given"; an empty string is
  refused by the document itself (``minLength: 1``), so "not empty" in cm-001 is about null.
  An empty ``medewerker`` (the document sets no minimum length there) means "not given".
  Only a contactmoment of this API gets a ``volgendContactmoment``.
- A contactmoment has at most one successor: two contactmomenten naming the same
  ``vorigContactmoment`` is 400 ``vorigContactmoment``/``unique``.
- ``volgendContactmoment`` is read-only (ignored when sent) and set by the server, in the
  transaction of the change that links: create, update or partial update with a
  ``vorigContactmoment`` sets it on the earlier contactmoment; moving the link to another
  one or clearing it clears it on the old earlier one; deleting the later contactmoment
  clears it too. These side changes add no audittrail entry and publish no notification
  (they are not changes of the earlier contactmoment's own data).
- Deleting a contactmoment also deletes its klantcontactmomenten and objectcontactmomenten
  (they cannot outlive it), and the contactmoment that followed it loses its
  ``vorigContactmoment`` (set to null), so no link points at a deleted contactmoment.
- PUT replaces the data, except ``registratiedatum``: left out, it keeps its value (it is when
  the contactmoment was registered; a create without it gets the current time).

Stored form: the JSON of the API without the references to contactmomenten, which are kept as
``_vorig`` (the uuid of a contactmoment of this API, or the other URL) and ``_volgend`` (a
uuid) and turned into URLs as the client reached the server when represented.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from reference_server.core.api import (
    CREATE,
    DESTROY,
    Filter,
    Resource,
    ResourceRules,
    Stored,
    Unique,
)
from reference_server.core.call import Call
from reference_server.core.identifiers import elfproef
from reference_server.core.problems import ApiError, Crash, InvalidParam, validation_error
from reference_server.core.resources import now_iso

VORIG, VOLGEND = "_vorig", "_volgend"
#: stored keys of the server's own, never taken from a request body
INTERNAL = (VORIG, VOLGEND)
#: text fields that are "" when not given (as the standard's implementations answer)
TEXT_FIELDS = ("kanaal", "voorkeurskanaal", "voorkeurstaal", "tekst")
#: tables of the relations that belong to a contactmoment (column ``contactmoment``)
RELATION_TABLES = ("klantcontactmoment", "objectcontactmoment")


def refusal(name: str, code: str, reason: str) -> ApiError:
    return validation_error([InvalidParam(name, code, reason)])


def is_url(value: object) -> bool:
    """An http(s) URL, not a uuid of ours (or, under fault CM-OAS/request-schema, not a
    string at all)."""
    return not isinstance(value, str) or value.startswith(("http://", "https://"))


def reference(call: Call, value: str | None) -> str | None:
    """The URL of a stored reference to a contactmoment (a uuid of ours, or another URL)."""
    if not value:
        return None
    return value if is_url(value) else call.url_of(value, CONTACTMOMENT)


def stored_reference(call: Call, url: str) -> str:
    """What is stored of a URL of a contactmoment: its uuid when it is one of ours."""
    return (isinstance(url, str) and call.own_id(url, CONTACTMOMENT)) or url


def own(value: str | None) -> str | None:
    """The uuid of a stored reference to a contactmoment of ours, else None."""
    return value if value and not is_url(value) else None


def utc(value: str) -> str:
    """A date-time (or date) as a sortable UTC string; anything else as it is."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+00:03, before the first moment in UTC
        return "0000" + value
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


class ContactmomentRules(ResourceRules):
    # validation ------------------------------------------------------------------------------

    def schema_errors(
        self, call: Call, action: str, body: dict, params: list[InvalidParam]
    ) -> list[InvalidParam]:
        """An empty ``medewerker`` means "not given" (an empty ``vorigContactmoment`` stays
        refused: the document gives it a minimum length of 1)."""
        sent = call.body or {}
        if sent.get("vorigContactmoment") == "" and call.fault("CRASH/cm-empty-vorig"):
            raise Crash("an empty vorigContactmoment")  # like code that resolves "" as a URL
        if sent.get("medewerker") == "":
            return [p for p in params if p.name != "medewerker"]
        return params

    def normalise(self, call: Call, body: dict, old: Stored | None) -> dict:
        sent = call.body or {}
        data: dict[str, Any] = {"bronorganisatie": body.get("bronorganisatie", "")}
        registratiedatum = body.get("registratiedatum")
        if not registratiedatum:
            registratiedatum = old.data["registratiedatum"] if old else now_iso()
        data["registratiedatum"] = registratiedatum
        for name in TEXT_FIELDS:
            data[name] = body.get(name) or ""
        data["onderwerpLinks"] = list(body.get("onderwerpLinks") or [])
        for name in ("initiatiefnemer", "medewerker"):
            if body.get(name):
                data[name] = body[name]
        data["medewerkerIdentificatie"] = body.get("medewerkerIdentificatie") or None
        if "vorigContactmoment" in sent:
            vorig = sent["vorigContactmoment"]
            data[VORIG] = stored_reference(call, vorig) if vorig else None
        else:  # a PATCH keeps the link, a PUT (unless it keeps what it is not sent) drops it
            keeps = call.request.method == "PATCH" or call.off("put-replaces")
            data[VORIG] = old.data.get(VORIG) if old is not None and keeps else None
        data[VOLGEND] = old.data.get(VOLGEND) if old else None
        return data

    async def validate(self, call: Call, action: str, data: dict, old: Stored | None) -> dict:
        if not call.off("request-schema") and not elfproef(data["bronorganisatie"]):
            raise refusal("bronorganisatie", "invalid", "Not a valid RSIN (9 digits, 11-proef).")
        sent = call.body or {}
        if (action == CREATE or "vorigContactmoment" in sent) and not call.fault("cm-001"):
            await self._check_vorig(call, data[VORIG], old)
        medewerker = data.get("medewerker")
        if (action == CREATE or "medewerker" in sent) and medewerker and not call.fault("cm-003"):
            problem = await call.url_problem(medewerker)
            if problem:
                raise refusal("medewerker", "bad-url", problem.replace("The URL", "The medewerker"))
        return data

    async def _check_vorig(self, call: Call, vorig: str | None, old: Stored | None) -> None:
        """cm-001: an earlier contactmoment of ours must exist; another URL must answer 200."""
        if not vorig:
            return
        if is_url(vorig):
            problem = await call.url_problem(vorig)
            if problem:
                reason = problem.replace("The URL", "The vorigContactmoment")
                raise refusal("vorigContactmoment", "bad-url", reason)
            return
        if old is not None and vorig == old.uuid:
            raise refusal("vorigContactmoment", "invalid", "A contactmoment cannot follow itself.")
        if call.api.store.get(CONTACTMOMENT.table, vorig) is None:
            raise refusal("vorigContactmoment", "does_not_exist", "No such contactmoment.")

    # storage -------------------------------------------------------------------------------

    def columns(self, call: Call, data: dict) -> dict[str, Any]:
        vorig = data.get(VORIG)
        return {
            "vorig": vorig,
            "vorig_key": None if call.fault("cm-002/unique") else vorig,
            "registratie": utc(data["registratiedatum"]),
        }

    def before_write(
        self,
        call: Call,
        conn: sqlite3.Connection,
        action: str,
        new: Stored | None,
        old: Stored | None,
    ) -> None:
        """cm-002: keep ``volgendContactmoment`` of the earlier contactmoment in step; on a
        delete, unlink the later one and delete the relations."""
        me = (new or old).uuid  # type: ignore[union-attr]
        before = own(old.data.get(VORIG)) if old else None
        after = own(new.data.get(VORIG)) if new else None
        if before and before != after and not call.fault("cm-002/clear"):
            self._set_volgend(call, conn, before, None, only_if=me)
        if after and not call.fault("cm-002"):
            found = self._set_volgend(call, conn, after, me)
            if not found and not call.fault("cm-001"):  # deleted since validate
                raise refusal("vorigContactmoment", "does_not_exist", "No such contactmoment.")
        if action != DESTROY:
            return
        store, table = call.api.store, CONTACTMOMENT.table
        later = conn.execute(f"SELECT uuid FROM {table} WHERE vorig = ?", (me,)).fetchall()
        for (uuid,) in later:
            found = store.get(table, uuid)
            if found is not None:
                data = {**found.data, VORIG: None}
                store.update(conn, table, Stored(uuid, data, self.columns(call, data)))
        for relations in RELATION_TABLES:
            conn.execute(f"DELETE FROM {relations} WHERE contactmoment = ?", (me,))

    def _set_volgend(
        self,
        call: Call,
        conn: sqlite3.Connection,
        uuid: str,
        volgend: str | None,
        only_if: str | None = None,
    ) -> bool:
        """Set ``volgendContactmoment`` of contactmoment ``uuid`` (when it is ``only_if``, if
        given); False when there is no such contactmoment."""
        store, table = call.api.store, CONTACTMOMENT.table
        found = store.get(table, uuid)
        if found is None:
            return False
        if only_if is None or found.data.get(VOLGEND) == only_if:
            data = {**found.data, VOLGEND: volgend}
            store.update(conn, table, Stored(uuid, data, found.columns))
        return True

    # representation ------------------------------------------------------------------------

    def represent(self, call: Call, stored: Stored) -> dict:
        data = stored.data
        volgend = reference(call, data.get(VOLGEND))
        if call.fault("CM-INT-01") and data.get(VORIG):
            volgend = None
        return {
            "url": call.url_of(stored.uuid, CONTACTMOMENT),
            "vorigContactmoment": reference(call, data.get(VORIG)),
            "volgendContactmoment": volgend,
            **{k: v for k, v in data.items() if k not in INTERNAL},
        }

    def weergave(self, data: dict) -> str:
        kanaal = data.get("kanaal") or "(geen kanaal)"
        return f"contactmoment {data.get('registratiedatum', '')} via {kanaal}"

    def kenmerken(self, data: dict) -> dict[str, str]:
        return {
            "bronorganisatie": data.get("bronorganisatie", ""),
            "kanaal": data.get("kanaal", ""),
        }


def _registratie(lookup: str) -> Filter:
    return Filter(column="registratie", lookup=lookup, value=lambda call, value: utc(value))


#: contactmoment_list parameters that do not filter on the data path their name spells
FILTERS = {
    "vorigContactmoment": Filter(column="vorig", value=stored_reference),
    "volgendContactmoment": Filter(VOLGEND, value=stored_reference),
    "registratiedatum": _registratie("exact"),
    "registratiedatum__gt": _registratie("gt"),
    "registratiedatum__gte": _registratie("gte"),
    "registratiedatum__lt": _registratie("lt"),
    "registratiedatum__lte": _registratie("lte"),
    "kanaal": Filter("kanaal", fault="CM-FILTER-01"),
}

CONTACTMOMENT = Resource(
    name="contactmoment",
    path="/contactmomenten",
    table="contactmoment",
    rules=ContactmomentRules(),
    columns=("vorig", "vorig_key", "registratie"),
    unique=(
        Unique(
            ("vorig_key",),
            "vorigContactmoment",
            "Another contactmoment already follows this vorigContactmoment.",
            where="vorig_key IS NOT NULL",
        ),
    ),
    filters=FILTERS,
    ordering={"medewerker_identificatie": "medewerkerIdentificatie.identificatie"},
)
