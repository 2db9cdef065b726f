"""The relations of a contactmoment: klantcontactmoment (cm-004) and objectcontactmoment
(cm-005, cm-006). Both are created and deleted, never changed (the document has no PUT or
PATCH for them), and publish no notifications: the notificaties document of the standard
lists only ``contactmoment`` on the kanaal ``contactmomenten``.

cm-004: the ``contactmoment`` must be a contactmoment of this API that exists (else 400
``contactmoment``/``does_not_exist``; a URL that is not one of ours: ``no_match``); the
``klant`` URL must resolve (else 400 ``klant``/``bad-url``): a klant of the Klanten API of this
same process is looked up in-process (no HTTP, no credentials needed), any other URL must
answer HTTP 200 to a GET; (contactmoment, klant, rol) is unique (400
``nonFieldErrors``/``unique``).

cm-005: the same for ``contactmoment`` and the ``object`` URL (400 ``object``/``bad-url``);
(contactmoment, object) is unique (400 ``nonFieldErrors``/``unique``).

cm-006, the remote relation: the object's own API must already hold the relation. For an
object URL ``<scheme>://<host>/<path>/<collection>/<id>`` (say
``http://zaken.example/zaken/api/v1/zaken/4f1c...``) and the body's ``objectType`` (``zaak``),
the server sends, after the cm-005 checks passed and without credentials::

    GET <scheme>://<host>/<path>/<objectType>contactmomenten?<objectType>=<object URL>
    e.g. GET http://zaken.example/zaken/api/v1/zaakcontactmomenten?zaak=http%3A%2F%2Fzaken...

(the object URL with its last two path segments, collection and id, replaced by
``<objectType>contactmomenten``; no other query parameters). The answer must be HTTP 200 with
JSON: a list of relations, or an object whose ``results`` is that list (only that first
page is read). The relation exists when one entry is an object whose ``contactmoment`` is
exactly the ``contactmoment`` URL of the request body. No such entry: 400
``nonFieldErrors``/``inconsistent-relation``; the query failing (not 200, not JSON): 400
``nonFieldErrors``/``relation-validation-error``. To tell cm-005 from cm-006, a stub can
answer the relation query with a matching relation for an object URL that itself answers
404.

Deleting a relation has no precondition (the standard's implementations also refuse to
delete an objectcontactmoment while the object's API still holds its relation; this server
does not: no rule of the catalogue asks for it). Deleting a klant in the Klanten API leaves
its klantcontactmomenten as they are: the two APIs are separate components, the Klanten API
documents no precondition on a delete, and ``klant`` is a URL like any other, checked when
the relation is created only.
"""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from reference_server.contactmomenten.contactmoment import (
    CONTACTMOMENT,
    is_url,
    reference,
    refusal,
    stored_reference,
)
from reference_server.core.api import Filter, Resource, ResourceRules, Stored, Unique
from reference_server.core.call import Call

#: the stored reference to the contactmoment: its uuid (or, under a fault, another URL)
CONTACTMOMENT_KEY = "_contactmoment"


class RelationRules(ResourceRules):
    """A relation of a contactmoment to something in another API (``target``: a URL)."""

    def __init__(
        self,
        target: str,
        fields: tuple[str, ...],
        unique: tuple[str, ...],
        faults: dict[str, str],
    ) -> None:
        #: the URL field of the related object; ``fields``: the body's fields beside
        #: ``contactmoment``; ``unique``: those that are columns of the unique index
        self.target = target
        self.fields = fields
        self.unique = unique
        #: check -> the fault that turns it off: contactmoment, target, unique
        self.faults = faults

    def normalise(self, call: Call, body: dict, old: Stored | None) -> dict:
        url = body["contactmoment"]
        data: dict[str, Any] = {name: body[name] for name in self.fields if name in body}
        data[CONTACTMOMENT_KEY] = stored_reference(call, url)
        return data

    async def validate(self, call: Call, action: str, data: dict, old: Stored | None) -> dict:
        if not call.fault(self.faults["contactmoment"]):
            self._check_contactmoment(call, data[CONTACTMOMENT_KEY])
        if not call.fault(self.faults["target"]):
            problem = await call.url_problem(data[self.target])
            if problem:
                reason = problem.replace("The URL", f"The {self.target} URL")
                raise refusal(self.target, "bad-url", reason)
        return data

    def _check_contactmoment(self, call: Call, contactmoment: str) -> None:
        if is_url(contactmoment):
            raise refusal(
                "contactmoment", "no_match", "Not the URL of a contactmoment of this API."
            )
        if call.api.store.get(CONTACTMOMENT.table, contactmoment) is None:
            raise refusal("contactmoment", "does_not_exist", "No such contactmoment.")

    def before_write(
        self,
        call: Call,
        conn: sqlite3.Connection,
        action: str,
        new: Stored | None,
        old: Stored | None,
    ) -> None:
        """The contactmoment may have been deleted since ``validate``: check it again in the
        transaction that writes the relation."""
        if new is not None and not call.fault(self.faults["contactmoment"]):
            self._check_contactmoment(call, new.data[CONTACTMOMENT_KEY])

    def columns(self, call: Call, data: dict) -> dict[str, Any]:
        values = {name: data.get(name) for name in self.unique}
        if call.fault(self.faults["unique"]):
            values[self.target] = None  # NULLs are distinct: the unique index never matches
        return {"contactmoment": data[CONTACTMOMENT_KEY], **values}

    def represent(self, call: Call, stored: Stored) -> dict:
        data = stored.data
        contactmoment = reference(call, data[CONTACTMOMENT_KEY])
        shown = {k: v for k, v in data.items() if k != CONTACTMOMENT_KEY}
        return {"url": call.url_of(stored.uuid), "contactmoment": contactmoment, **shown}


class ObjectRelationRules(RelationRules):
    """cm-006 on top: the object's own API must hold the relation already."""

    async def validate(self, call: Call, action: str, data: dict, old: Stored | None) -> dict:
        data = await super().validate(call, action, data, old)
        if not call.fault("cm-006"):
            await check_remote_relation(call, data["object"], data["objectType"], call.body or {})
        return data


def relations_url(object_url: str, object_type: str) -> str:
    """Where the object's API lists its relations to contactmomenten (see the module doc)."""
    parts = urlsplit(object_url)
    base = parts.path.rstrip("/").rsplit("/", 2)[0]
    return urlunsplit((parts.scheme, parts.netloc, f"{base}/{object_type}contactmomenten", "", ""))


async def check_remote_relation(call: Call, object_url: str, object_type: str, body: dict) -> None:
    url = relations_url(object_url, object_type)
    problem, answer = await call.api.get_json(url, {object_type: object_url})
    if isinstance(answer, dict):
        answer = answer.get("results")
    if problem or not isinstance(answer, list):
        reason = (problem or "The answer is not a list.").replace(
            "The URL", f"The {object_type}contactmomenten of the object's API"
        )
        raise refusal("nonFieldErrors", "relation-validation-error", reason)
    wanted = body.get("contactmoment")
    if not any(isinstance(item, dict) and item.get("contactmoment") == wanted for item in answer):
        raise refusal(
            "nonFieldErrors",
            "inconsistent-relation",
            f"The {object_type} holds no relation to this contactmoment in its own API.",
        )


def _contactmoment_filter(fault: str | None = None) -> Filter:
    return Filter(column="contactmoment", value=stored_reference, fault=fault)


def _combination(columns: tuple[str, ...], what: str) -> Unique:
    return Unique(columns, "nonFieldErrors", f"This contactmoment already has this {what}.")


KLANTCONTACTMOMENT = Resource(
    name="klantcontactmoment",
    path="/klantcontactmomenten",
    table="klantcontactmoment",
    rules=RelationRules(
        "klant",
        ("klant", "rol"),
        ("klant", "rol"),
        {"contactmoment": "cm-004", "target": "cm-004/klant", "unique": "cm-004/unique"},
    ),
    columns=("contactmoment", "klant", "rol"),
    unique=(_combination(("contactmoment", "klant", "rol"), "klant in this rol"),),
    filters={"contactmoment": _contactmoment_filter("LEAK/cm-relation-filter")},
    notify=False,  # the notificaties document lists only contactmoment on its kanaal
)

OBJECTCONTACTMOMENT = Resource(
    name="objectcontactmoment",
    path="/objectcontactmomenten",
    table="objectcontactmoment",
    rules=ObjectRelationRules(
        "object",
        ("object", "objectType"),
        ("object",),
        {
            "contactmoment": "cm-005/contactmoment",
            "target": "cm-005",
            "unique": "cm-005/unique",
        },
    ),
    columns=("contactmoment", "object"),
    unique=(_combination(("contactmoment", "object"), "object"),),
    filters={"contactmoment": _contactmoment_filter()},
    notify=False,  # the notificaties document lists only contactmoment on its kanaal
)
