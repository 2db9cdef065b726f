"""The Klantinteracties API 0.9 as the reference server serves it: 14 resources on the
generic core, ``maak-klantcontact`` and the cascading delete of an onderwerpobject as handlers
of their own."""

from __future__ import annotations

import functools
import uuid as uuidlib
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.responses import Response

from reference_server.core.api import (
    CREATE,
    PARTIAL_UPDATE,
    TOKEN,
    UPDATE,
    ApiDefinition,
    Filter,
    Resource,
    Stored,
    Unique,
)
from reference_server.core.call import Call
from reference_server.core.problems import ApiError, InvalidParam, validation_error
from reference_server.core.resources import ResourceOperations
from reference_server.core.storage import UniqueViolation
from reference_server.klantinteracties.common import (
    REGISTRY,
    KiRules,
    insert_or_update,
    referrers,
    release,
    rules_of,
    uuid_of_url,
)
from reference_server.klantinteracties.contacten import (
    ActorKlantcontactRules,
    ActorRules,
    BetrokkeneRules,
    BijlageRules,
    CategorieRelatieRules,
    CategorieRules,
    DigitaalAdresRules,
    InterneTaakRules,
    KlantcontactRules,
    OnderwerpobjectRules,
    RekeningnummerRules,
    VertegenwoordigingRules,
)
from reference_server.klantinteracties.partijen import (
    PARTIJ_LIST_NOT_FILTERS,
    IdentificatorRules,
    PartijRules,
)

SPEC_PATH = Path(__file__).resolve().parents[2] / "specs" / "klantinteracties-0.9.yaml"
NOT_FILTERS = frozenset({"page", "pageSize", "ordering", "expand"})
_LOOKUPS = ("gt", "gte", "lt", "lte")


def filters(*names: str, **paths: str) -> dict[str, Filter]:
    """The filters whose data path is not their name with ``__`` as ``.``: ``x__url`` (the uuid
    of the URL against ``x.uuid``), date lookups (``x__gte``), members of a group written in
    camelCase (``contactnaamAchternaam``: give the group as ``group=``), and ``paths``
    (name -> data path)."""
    found: dict[str, Filter] = {}
    groups = paths.pop("groups", "").split(",") if "groups" in paths else []
    for name in names:
        head, _, last = name.rpartition("__")
        if last == "url":
            found[name] = Filter(path=head.replace("__", ".") + ".uuid", value=uuid_of_url)
        elif last in _LOOKUPS:
            found[name] = Filter(path=head, lookup=last)
        else:
            for group in groups:
                if name.startswith(group) and name[len(group) : len(group) + 1].isupper():
                    member = name[len(group) :]
                    found[name] = Filter(path=f"{group}.{member[:1].lower()}{member[1:]}")
    for name, path in paths.items():
        found[name] = Filter(path=path)
    return found


def _ki(
    key: str,
    name: str,
    path: str,
    table: str,
    rules: KiRules,
    *,
    columns: tuple[str, ...] = (),
    unique: tuple[Unique, ...] = (),
    found: dict[str, Filter] | None = None,
    not_filters: frozenset[str] = frozenset(),
) -> Resource:
    nummer = ("nummer",) if rules.nummer else ()
    resource = Resource(
        name=name,
        path=path,
        table=table,
        rules=rules,
        columns=(*nummer, *columns),
        unique=(
            *((Unique(("nummer",), "nummer", "This nummer is already in use."),) if nummer else ()),
            *unique,
        ),
        filters=found or {},
        not_filters=NOT_FILTERS | frozenset(rules.sql_filters) | not_filters,
        notify=False,
    )
    REGISTRY[key] = resource
    return resource


_IDENTIFICATOR_GROUP = "codeObjecttype,codeRegister,codeSoortObjectId,objectId"

PARTIJ = _ki(
    "partij",
    "partij",
    "/partijen",
    "ki_partij",
    PartijRules(),
    columns=("soort",),
    not_filters=PARTIJ_LIST_NOT_FILTERS,
)
IDENTIFICATOR = _ki(
    "identificator",
    "partijidentificator",
    "/partij-identificatoren",
    "ki_partij_identificator",
    IdentificatorRules(),
    columns=(
        "partij",
        "parent",
        "soort",
        "object_id",
        "unscoped",
        "scoped",
        "partij_soort",
        "bsn",
    ),
    unique=(
        Unique(
            ("unscoped",),
            "partijIdentificator",
            "This identificator is already registered.",
        ),
        Unique(("scoped",), "partijIdentificator", "Already registered under this parent."),
        Unique(
            ("partij_soort",),
            "partijIdentificator.codeSoortObjectId",
            "The partij already holds an identificator of this soort.",
        ),
        Unique(
            ("bsn",),
            "partijIdentificator.objectId",
            "Another partij already holds this BSN.",
        ),
    ),
    found=filters(
        "partijIdentificatorCodeObjecttype",
        "partijIdentificatorCodeRegister",
        "partijIdentificatorCodeSoortObjectId",
        "partijIdentificatorObjectId",
        groups="partijIdentificator",
    ),
)
VERTEGENWOORDIGING = _ki(
    "vertegenwoordiging",
    "vertegenwoordiging",
    "/vertegenwoordigingen",
    "ki_vertegenwoordiging",
    VertegenwoordigingRules(),
    columns=("pair",),
    unique=(Unique(("pair",), "vertegenwoordigdePartij", "This partij is represented already."),),
    found=filters("vertegenwoordigdePartij__url", "vertegenwoordigendePartij__url"),
)
DIGITAAL_ADRES = _ki(
    "digitaaladres",
    "digitaaladres",
    "/digitaleadressen",
    "ki_digitaal_adres",
    DigitaalAdresRules(),
    found=filters(
        "verificatieDatum__gt",
        "verificatieDatum__gte",
        "verificatieDatum__lt",
        "verificatieDatum__lte",
        "verstrektDoorBetrokkene__url",
        "verstrektDoorPartij__url",
    ),
)
REKENINGNUMMER = _ki(
    "rekeningnummer",
    "rekeningnummer",
    "/rekeningnummers",
    "ki_rekeningnummer",
    RekeningnummerRules(),
    found={"uuid": Filter(column="uuid")},
)
CATEGORIE = _ki("categorie", "categorie", "/categorieen", "ki_categorie", CategorieRules())
CATEGORIE_RELATIE = _ki(
    "categorierelatie",
    "categorierelatie",
    "/categorie-relaties",
    "ki_categorie_relatie",
    CategorieRelatieRules(),
    found=filters("categorie__url", "partij__url"),
)
KLANTCONTACT = _ki(
    "klantcontact",
    "klantcontact",
    "/klantcontacten",
    "ki_klantcontact",
    KlantcontactRules(),
    found={"kanaal": Filter(path="kanaal", fault="KI-OAS-09")},
)
BETROKKENE = _ki(
    "betrokkene",
    "betrokkene",
    "/betrokkenen",
    "ki_betrokkene",
    BetrokkeneRules(),
    found=filters(
        "contactnaamAchternaam",
        "contactnaamVoorletters",
        "contactnaamVoornaam",
        "contactnaamVoorvoegselAchternaam",
        "hadKlantcontact__url",
        "wasPartij__url",
        groups="contactnaam",
    ),
)
ONDERWERPOBJECT = _ki(
    "onderwerpobject",
    "onderwerpobject",
    "/onderwerpobjecten",
    "ki_onderwerpobject",
    OnderwerpobjectRules(),
    found=filters(
        "klantcontact__url",
        "wasKlantcontact__url",
        *(f"onderwerpobjectidentificator{m}" for m in ("CodeObjecttype", "CodeRegister")),
        *(f"onderwerpobjectidentificator{m}" for m in ("CodeSoortObjectId", "ObjectId")),
        groups="onderwerpobjectidentificator",
    ),
)
BIJLAGE = _ki(
    "bijlage",
    "bijlage",
    "/bijlagen",
    "ki_bijlage",
    BijlageRules(),
    found={
        **filters(
            *(f"bijlageidentificator{m}" for m in ("CodeObjecttype", "CodeRegister")),
            *(f"bijlageidentificator{m}" for m in ("CodeSoortObjectId", "ObjectId")),
            groups="bijlageidentificator",
        ),
        "klantcontact__uuid": Filter(path="wasBijlageVanKlantcontact.uuid"),
    },
)
ACTOR_KLANTCONTACT = _ki(
    "actorklantcontact",
    "actorklantcontact",
    "/actorklantcontacten",
    "ki_actor_klantcontact",
    ActorKlantcontactRules(),
    columns=("pair",),
    unique=(Unique(("pair",), "klantcontact", "This actor is linked to it already."),),
    found=filters("actor__url", "klantcontact__url"),
)
INTERNE_TAAK = _ki(
    "internetaak",
    "internetaak",
    "/internetaken",
    "ki_interne_taak",
    InterneTaakRules(),
    found={
        **filters("aanleidinggevendKlantcontact__url", "toegewezenAanActor__url"),
        "klantcontact__uuid": Filter(path="aanleidinggevendKlantcontact.uuid"),
        "status": Filter(path="status", fault="LEAK/ki-filter-ignored"),
    },
)
ACTOR = _ki(
    "actor",
    "actor",
    "/actoren",
    "ki_actor",
    ActorRules(),
    found=filters(
        *(f"actoridentificator{m}" for m in ("CodeObjecttype", "CodeRegister")),
        *(f"actoridentificator{m}" for m in ("CodeSoortObjectId", "ObjectId")),
        groups="actoridentificator",
    ),
)


# handlers ----------------------------------------------------------------------------------


def _new_uuid() -> str:
    return str(uuidlib.uuid4())


async def _part(call: Call, key: str, body: dict, prefix: str, link: str | None) -> Stored:
    """One part of maak-klantcontact, checked as its own create would be; ``link`` (the
    reference to the new klantcontact) is left out of the checks and set by the caller."""
    rules = rules_of(key)
    data = rules.normalise(call, {k: v for k, v in body.items() if k != link}, None)
    try:
        data = await rules.validate(call, CREATE, data, None)
    except ApiError as error:
        for param in error.invalid_params:
            param.name = f"{prefix}.{param.name}"
        raise
    return Stored(_new_uuid(), data, rules.columns(call, data))


async def maak_klantcontact(call: Call) -> Response:
    """KI-CONTACT-05: a klantcontact with an optional betrokkene and onderwerpobject, linked
    to it, in one transaction; any invalid part and nothing is stored."""
    body = await call.read_body()
    ignored = {
        ("betrokkene.hadKlantcontact", "required"),
        ("onderwerpobject.klantcontact", "required"),
    }
    params = [p for p in call.operation.body_errors(body) if (p.name, p.code) not in ignored]
    if params:
        raise validation_error(params)
    store = call.api.store
    klantcontact = await _part(call, "klantcontact", body["klantcontact"], "klantcontact", None)
    if call.fault("KI-CONTACT-05"):  # not atomic: the klantcontact is committed on its own
        with store.transaction(KLANTCONTACT.table) as conn:
            store.insert(conn, KLANTCONTACT.table, klantcontact)
    parts = {}
    for key, link in (("betrokkene", "hadKlantcontact"), ("onderwerpobject", "klantcontact")):
        if body.get(key):
            part = await _part(call, key, body[key], key, link)
            part.data[link] = {"uuid": klantcontact.uuid}
            part.columns.update(rules_of(key).columns(call, part.data))
            parts[key] = part
    try:
        with store.transaction(KLANTCONTACT.table) as conn:
            if not call.fault("KI-CONTACT-05"):
                store.insert(conn, KLANTCONTACT.table, klantcontact)
            for key, part in parts.items():
                insert_or_update(call, conn, key, part, exists=False)
    except UniqueViolation as exc:
        name = f"klantcontact.{exc.field_name}"
        raise validation_error([InvalidParam(name, "unique", exc.reason)]) from None
    answer = {
        "klantcontact": KLANTCONTACT.rules.represent(
            call, store.get(KLANTCONTACT.table, klantcontact.uuid)
        )
    }
    for key, part in parts.items():
        answer[key] = rules_of(key).represent(call, part)
    return call.respond(201, answer)


async def onderwerpobject_destroy(call: Call, uuid: str) -> Response:
    """Delete an onderwerpobject; with ``cascade=true`` also the klantcontacten it links that
    no other onderwerpobject uses (200 with those kept in ``behouden``)."""
    values, params = call.operation.query_values(call.query)
    if params:
        raise validation_error(params)
    ops = ResourceOperations(ONDERWERPOBJECT)
    if not values.get("cascade"):
        return await ops.delete(call, uuid)
    old = ops.get(call, uuid, "destroy")
    store = call.api.store
    behouden: list[str] = []
    with store.transaction(ONDERWERPOBJECT.table) as conn:
        release(call, conn, "onderwerpobject", uuid)
        store.delete(conn, ONDERWERPOBJECT.table, uuid)
        for field in ("klantcontact", "wasKlantcontact"):
            linked = (old.data.get(field) or {}).get("uuid")
            if not linked or store.get(KLANTCONTACT.table, linked) is None:
                continue
            users = referrers(call, "onderwerpobject", "klantcontact", linked, conn)
            users += referrers(call, "onderwerpobject", "wasKlantcontact", linked, conn)
            if users:
                behouden.append(call.url_of(linked, KLANTCONTACT))
                continue
            release(call, conn, "klantcontact", linked)
            store.delete(conn, KLANTCONTACT.table, linked)
    return call.respond(200, {"behouden": behouden})


async def categorie_destroy(call: Call, uuid: str) -> Response:
    ops = ResourceOperations(CATEGORIE)
    if call.fault("KI-OAS-11"):
        ops.get(call, uuid, "destroy")
        return call.respond(204)
    return await ops.delete(call, uuid)


def _no_body(call: Call) -> bool:
    """Nothing sent where the document makes the request body optional."""
    required = (call.operation.spec.get("requestBody") or {}).get("required")
    headers = call.request.headers
    sent = headers.get("content-type") or headers.get("content-length", "0") != "0"
    return not required and not sent


async def _empty_body(call: Call) -> dict:
    call.body = {}
    return {}


def writes(resource: Resource, action: str) -> Callable[..., Awaitable[Response]]:
    """Create, PUT or PATCH: the generic operation, where a request without its optional body
    reads as an empty object (a partij or actor then still lacks its soort: a 400)."""
    ops = ResourceOperations(resource)

    async def handler(call: Call, *ids: str) -> Response:
        if resource is CATEGORIE and action == PARTIAL_UPDATE and call.fault("KI-OAS-01"):
            raise ApiError(405, "method_not_allowed", "Not allowed here.", headers={"Allow": ""})
        if _no_body(call):
            call.read_body = functools.partial(_empty_body, call)  # type: ignore[method-assign]
        if action == CREATE:
            return await ops.create(call)
        return await ops.update(call, ids[0], action == PARTIAL_UPDATE)

    return handler


#: the operationId prefix of each resource
OPERATION_PREFIXES = {
    "actoren": ACTOR,
    "actorklantcontacten": ACTOR_KLANTCONTACT,
    "betrokkenen": BETROKKENE,
    "bijlagen": BIJLAGE,
    "categorieRelaties": CATEGORIE_RELATIE,
    "categorieen": CATEGORIE,
    "digitaleadressen": DIGITAAL_ADRES,
    "internetaken": INTERNE_TAAK,
    "klantcontacten": KLANTCONTACT,
    "onderwerpobjecten": ONDERWERPOBJECT,
    "partijIdentificatoren": IDENTIFICATOR,
    "partijen": PARTIJ,
    "rekeningnummers": REKENINGNUMMER,
    "vertegenwoordigingen": VERTEGENWOORDIGING,
}
WRITES = {
    f"{prefix}{suffix}": writes(resource, action)
    for prefix, resource in OPERATION_PREFIXES.items()
    for suffix, action in (
        ("Create", CREATE),
        ("Update", UPDATE),
        ("PartialUpdate", PARTIAL_UPDATE),
    )
}

API = ApiDefinition(
    name="klantinteracties",
    title="Klantinteracties API",
    base_path="/klantinteracties/api/v1",
    version="0.9.0",
    spec_path=SPEC_PATH,
    resources=tuple(REGISTRY.values()),
    auth=TOKEN,
    challenge="Token",
    operations={
        "maakKlantcontactCreate": maak_klantcontact,
        "onderwerpobjectenDestroy": onderwerpobject_destroy,
        "categorieenDestroy": categorie_destroy,
        **WRITES,
    },
    summary="partijen with identificatoren (KLOK01 mapped), klantcontacten, interne taken",
)

__all__ = ["API"]
