"""How generated requests exercise the Klantinteracties API (the steering of the generated class).

Positive cases are made plausible for the behaviour the document cannot express: references
(``{"uuid": ...}``) name resources the run created, identificatoren carry valid numbers (the
11-proef) in a combination the register allows and never a BSN another partij holds, a
``nummer`` is left to the server, and path parameters name a pool of existing resources of
the operation's kind. A delete, or an invalid change the target might wrongly store, gets a
resource of its own. Negative cases keep their negation. Every resource a generated request
created goes to the client's cleanup registry (deleted newest first).
"""

from __future__ import annotations

from typing import Any

from klanten_conformance.apis.klanten_generated import only_missing_required
from klanten_conformance.apis.klantinteracties import (
    PATHS,
    Bodies,
    KlantinteractiesClient,
    email,
    ref,
    referentie,
)
from klanten_conformance.checks import Blocked
from klanten_conformance.generated.checks import negated_locations, negated_parameters
from klanten_conformance.generated.engine import Prepared

_SUFFIXES = ("List", "Create", "Retrieve", "Update", "PartialUpdate", "Destroy")
#: request fields the steering never takes from generated data (the server's, or references
#: whose targets and constraints the document cannot express)
_STEERED = (
    "nummer",
    "partijIdentificatoren",
    "digitaleAdressen",
    "rekeningnummers",
    "voorkeursDigitaalAdres",
    "voorkeursRekeningnummer",
    "subIdentificatorVan",
    "identificeerdePartij",
    "toegewezenAanActoren",
)


def split(operation_id: str) -> tuple[str, str]:
    """``partijenPartialUpdate`` -> (``partijen``, ``PartialUpdate``)."""
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if operation_id.endswith(suffix):
            return operation_id[: -len(suffix)], suffix
    return operation_id, ""


class KlantinteractiesSteering:
    #: the filter constraints whose breach KI-OAS-09 holds to a 400: enum-, uuid-, boolean-
    #: and date-typed filters (date-time counted as date-typed). An invalid value of a `uri`
    #: filter is not among them: answering it with an empty page (Open Klant's URL filters
    #: do) does not break the rule as written.
    invalid_filter_kinds = frozenset({"enum", "uuid", "boolean", "date", "date-time"})

    def __init__(self, client: KlantinteractiesClient) -> None:
        self.client = client
        self._pool: dict[str, dict[str, Any]] = {}
        self._blocked: Blocked | None = None

    def _made(self, resource: str, fresh: bool = False) -> dict[str, Any] | None:
        if not fresh and resource in self._pool:
            return self._pool[resource]
        try:
            made = self.client.make(
                resource, what=f"a resource of {PATHS[resource]} for the generated requests"
            )
        except Blocked as exc:
            self._blocked = exc
            return None
        if not fresh:
            self._pool[resource] = made
        return made

    def blocked(self) -> Blocked | None:
        return self._blocked

    def prepare(self, case: Any, positive: bool, operation_id: str) -> Prepared | None:
        resource, action = split(operation_id)
        negated = negated_locations(case)
        params = case.path_parameters
        path_exists = False
        existing = None
        if params and "uuid" in params and (positive or "path" not in negated):
            destructive = action == "Destroy" or (
                not positive and action in ("Update", "PartialUpdate")
            )
            existing = self._made(resource, fresh=destructive)
            if existing is None:
                return None
            params["uuid"] = existing["uuid"]
            path_exists = True
        if positive and action == "List" and isinstance(case.query, dict):
            case.query.pop("page", None)
        plausible = not positive or not isinstance(case.body, dict)
        if not plausible and not self._plausible(case, resource, action, existing):
            return None
        headers = {"Accept": "application/json"}
        if "authorization" not in negated_parameters(case):
            headers["Authorization"] = self.client.authorization()
        return Prepared(
            headers,
            path_exists=path_exists,
            valid_anyway=not positive and action == "PartialUpdate" and only_missing_required(case),
        )

    def _plausible(self, case: Any, resource: str, action: str, existing: dict | None) -> bool:
        body = case.body
        if resource == "maakKlantcontact":
            body["klantcontact"] = {**(body.get("klantcontact") or {}), **Bodies.klantcontacten()}
            # the parts keep their generated data, with references to nothing that may not exist
            for part, reference in (
                ("betrokkene", "wasPartij"),
                ("onderwerpobject", "wasKlantcontact"),
            ):
                if isinstance(body.get(part), dict):
                    body[part][reference] = None
            if isinstance(body.get("betrokkene"), dict):
                body["betrokkene"]["rol"] = "klant"
            return True
        try:
            valid = self.client.body(resource) if resource in PATHS else {}
        except Blocked as exc:
            self._blocked = exc
            return False
        for name in _STEERED:
            body.pop(name, None)
        if action == "PartialUpdate":
            # change only what was generated, with the constrained fields made valid
            for name in list(body):
                if name in valid:
                    body[name] = valid[name]
            if resource == "partijen" and existing is not None:
                body["soortPartij"] = existing.get("soortPartij", "persoon")
                body.pop("partijIdentificatie", None)
            return True
        body.update(valid)
        if resource == "partijIdentificatoren" and existing is not None:
            # a PUT of an identificator keeps its own values (no other partij's number)
            body["partijIdentificator"] = existing.get("partijIdentificator")
        return True

    def follow(self, case: Any, operation_id: str, created: dict) -> Prepared | None:
        """Steer a valid case of a stateful step onto what earlier steps created
        (``created``: operationId -> the representation its create answered): a create refers
        to the partij and klantcontact made before it, any other operation names the resource
        of its own kind in its path. A step that needs what was not created is blocked (None);
        with nothing created yet (a scenario's first step) a case is steered like any other,
        except a partij, which is always an organisatie holding a kvk_nummer (so a
        vestigingsnummer can be scoped under it later)."""
        resource, action = split(operation_id)
        if not created and operation_id != "partijenCreate":
            return self.prepare(case, True, operation_id)
        try:
            if action == "Create":
                body = self._chained(resource, created)
                if body is None:
                    return None
                case.body = body
            elif case.path_parameters:
                made = created.get(f"{resource}Create")
                if made is None:
                    return None
                case.path_parameters["uuid"] = made["uuid"]
                if isinstance(case.body, dict) and not self._plausible(
                    case, resource, action, made
                ):
                    return None
        except Blocked as exc:
            self._blocked = exc
            return None
        headers = {"Accept": "application/json", "Authorization": self.client.authorization()}
        return Prepared(headers, path_exists=bool(case.path_parameters))

    def _chained(self, resource: str, created: dict) -> dict[str, Any] | None:
        """The body of a create of the stateful chain, referring to what ``created`` holds;
        None when it needs what is not there."""
        partij = created.get("partijenCreate")
        klantcontact = created.get("klantcontactenCreate")
        if resource == "partijen":
            items = self.client.identificator_items(self.client.route(), ("kvk_nummer",))
            return Bodies.partijen("organisatie", identificatoren=items)
        if resource == "klantcontacten":
            return Bodies.klantcontacten()
        if partij is None:
            return None
        if resource == "partijIdentificatoren":
            kvk = next(
                (
                    item
                    for item in self.client.identificatoren_of(partij)
                    if item["partijIdentificator"]["codeSoortObjectId"] == "kvk_nummer"
                ),
                None,
            )
            if kvk is None:
                return None
            return Bodies.partijIdentificatoren(
                "vestigingsnummer", identificeerdePartij=ref(partij), subIdentificatorVan=ref(kvk)
            )
        if resource == "digitaleadressen":
            return {
                "verstrektDoorBetrokkene": None,
                "verstrektDoorPartij": ref(partij),
                "adres": email(),
                "soortDigitaalAdres": "email",
                "isStandaardAdres": False,
                "omschrijving": "e-mail",
                "referentie": referentie(),
            }
        if resource == "betrokkenen" and klantcontact is not None:
            return Bodies.betrokkenen(ref(klantcontact), ref(partij))
        return None

    def register(self, response: Any) -> None:
        if response.status_code == 201:
            self.client.register_created(response)
            self.client.register_parts(response)

    def close(self) -> None:
        self.client.cleanup()


# what the generated class needs of the Klantinteracties API -------------------------------------


#: the stateful sequence of the generated class (generated/stateful.py), across resources: a
#: partij (an organisatie with a kvk_nummer), a vestigingsnummer identificator scoped under it,
#: a digitaal adres it gave, a klantcontact and the partij's betrokkene in it; each read back
#: (200), deleted newest first (204), and then gone (404) (KI-OAS-11). None: judged by the
#: other aspects only
SEQUENCE = (
    ("partijenCreate", None),
    ("partijIdentificatorenCreate", None),
    ("digitaleadressenCreate", None),
    ("klantcontactenCreate", None),
    ("betrokkenenCreate", None),
    ("partijenRetrieve", 200),
    ("partijIdentificatorenRetrieve", 200),
    ("digitaleadressenRetrieve", 200),
    ("klantcontactenRetrieve", 200),
    ("betrokkenenRetrieve", 200),
    ("betrokkenenDestroy", 204),
    ("klantcontactenDestroy", 204),
    ("digitaleadressenDestroy", 204),
    ("partijIdentificatorenDestroy", 204),
    ("partijenDestroy", 204),
    ("betrokkenenRetrieve", 404),
    ("partijenRetrieve", 404),
)

#: the links of schemathesis's state machine (generated/stateful.py): a created partij or
#: klantcontact leads to its read, partial update and delete, a read or change onwards, a
#: delete to a read (which must then answer 404)
LINKS = {
    f"{resource}{source}": {
        f"{resource}{target}": {"uuid": "$response.body#/uuid"}
        for target in ("Retrieve", "PartialUpdate", "Destroy")
    }
    for resource in ("partijen", "klantcontacten")
    for source in ("Create", "Retrieve", "PartialUpdate")
} | {
    f"{resource}Destroy": {f"{resource}Retrieve": {"uuid": "$request.path.uuid"}}
    for resource in ("partijen", "klantcontacten")
}


def steering(client: KlantinteractiesClient, harness: Any) -> KlantinteractiesSteering:
    return KlantinteractiesSteering(client)


def _small_change(resource: str) -> dict[str, Any]:
    return {
        "partijen": {"interneNotitie": "gewijzigd"},
        "partijIdentificatoren": {"anderePartijIdentificator": "gewijzigd"},
        "klantcontacten": {"onderwerp": "gewijzigd onderwerp"},
        "actoren": {"naam": "Gewijzigde medewerker"},
        "categorieen": {"naam": "gewijzigd"},
        "digitaleadressen": {"omschrijving": "gewijzigd"},
        "rekeningnummers": {"bic": "RABONL2U"},
        "betrokkenen": {"organisatienaam": "gewijzigd"},
        "internetaken": {"toelichting": "gewijzigd"},
        "categorieRelaties": {"eindDatum": None},
    }.get(resource, {})


def valid_request(client: KlantinteractiesClient, operation_id: str) -> Any:
    """One hand-built valid request of the operation, on resources of the check's own."""
    if operation_id == "maakKlantcontactCreate":
        return client.maak_klantcontact({"klantcontact": Bodies.klantcontacten()})
    resource, action = split(operation_id)
    if action == "List":
        return client.list(resource)
    if action == "Create":
        return client.create(resource, client.body(resource))
    body = client.body(resource)
    made = client.make(resource, body, what="a resource to call the operation on")
    url = client.url_of(resource, made["uuid"])
    if action == "Retrieve":
        return client.get(url)
    if action == "Update":
        if resource == "partijIdentificatoren":
            body["identificeerdePartij"] = made.get("identificeerdePartij")
        return client.put(url, {**body, **_small_change(resource)})
    if action == "PartialUpdate":
        return client.change(made, _small_change(resource))
    return client.delete(url)
