"""A small API on the generic core, as an API package would declare it: the proof that the
core serves more than the Klanten API (Token authentication, pageSize, ordering, lookups,
``{"uuid": ...}`` references, a oneOf discriminator, a composite create, no audittrail)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.responses import Response

from reference_server.core.api import TOKEN, ApiDefinition, Filter, Resource, ResourceRules, Stored
from reference_server.core.call import Call
from reference_server.core.problems import InvalidParam, validation_error
from reference_server.core.resources import ResourceOperations

SPEC_PATH = Path(__file__).with_name("notities.yaml")


class NotitieRules(ResourceRules):
    def represent(self, call: Call, stored: Stored) -> dict:
        return {"url": call.url_of(stored.uuid, NOTITIE), "uuid": stored.uuid, **stored.data}

    def normalise(self, call: Call, body: dict, old: Stored | None) -> dict:
        return {k: v for k, v in body.items() if k != "uuid"}

    def kenmerken(self, data: dict) -> dict[str, str]:
        return {"soort": data["soort"]}


class LabelRules(ResourceRules):
    async def validate(self, call: Call, action: str, data: dict, old: Stored | None) -> dict:
        reference = data.get("notitie")
        if reference and call.api.store.get(NOTITIE.table, reference["uuid"]) is None:
            raise validation_error([InvalidParam("notitie", "does_not_exist", "No such notitie.")])
        if reference:
            data = {**data, "notitie": {"uuid": reference["uuid"]}}
        return data

    def represent(self, call: Call, stored: Stored) -> dict:
        body = {"url": call.url_of(stored.uuid, LABEL), **stored.data}
        if "notitie" in body:
            uuid = body["notitie"]["uuid"]
            body["notitie"] = {"uuid": uuid, "url": call.url_of(uuid, NOTITIE)}
        return body


NOTITIE = Resource(
    name="notitie",
    path="/notities",
    table="notitie",
    rules=NotitieRules(),
    filters={
        "prioriteit__gte": Filter("prioriteit", lookup="gte"),
        "soort__in": Filter("soort", lookup="in"),
    },
)
LABEL = Resource(name="label", path="/labels", table="label", rules=LabelRules(), notify=False)


async def maak_notitie(call: Call) -> Response:
    """One notitie and its labels, in one transaction."""
    body = await call.read_body()
    params = call.operation.body_errors(body)
    if params:
        raise validation_error(params)
    notitie = ResourceOperations(NOTITIE).stored(call, _new_uuid(), body["notitie"])
    labels = [
        ResourceOperations(LABEL).stored(call, _new_uuid(), label) for label in body["labels"]
    ]
    store = call.api.store
    with store.transaction(NOTITIE.table) as conn:
        store.insert(conn, NOTITIE.table, notitie)
        for label in labels:
            label.data["notitie"] = {"uuid": notitie.uuid}
            store.insert(conn, LABEL.table, label)
    answer: dict[str, Any] = {
        "notitie": NOTITIE.rules.represent(call, notitie),
        "labels": [LABEL.rules.represent(call, label) for label in labels],
    }
    return call.respond(201, answer)


def _new_uuid() -> str:
    import uuid

    return str(uuid.uuid4())


API = ApiDefinition(
    name="notities",
    title="Notities API",
    base_path="/notities/api/v1",
    version="0.3.0",
    spec_path=SPEC_PATH,
    resources=(NOTITIE, LABEL),
    auth=TOKEN,
    kanaal="notities",
    operations={"maak_notitie": maak_notitie},
    summary="a test API",
)
