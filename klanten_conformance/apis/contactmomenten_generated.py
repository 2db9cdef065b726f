"""How generated requests exercise the Contactmomenten API (the steering of the generated class).

Generated data is steered towards what the standard's behaviour needs, so that positive cases
are not refused for reasons the OpenAPI document cannot express: the harness's bronorganisatie
(a valid RSIN); a `vorigContactmoment` that is an existing contactmoment of its own (made for
the case: a contactmoment has at most one successor, cm-001/cm-002); a `medewerker` of the
stub medewerker registry (cm-003), and otherwise a `medewerkerIdentificatie` (the standard's
reference implementation refuses a contactmoment without either);
klantcontactmomenten of a pool contactmoment and a fresh klant that resolves (cm-004);
objectcontactmomenten of a pool contactmoment and a fresh zaak of the stub object API that
holds the relation (cm-005, cm-006); path parameters of resources the run created. Deletes
and invalid changes go to a resource of their own, so the shared ones stay valid for the
cases judged after them. When the pool cannot be made, cases that need it are blocked and
the others still run. Everything created is deleted afterwards through the client's cleanup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from klanten_conformance import checks
from klanten_conformance.apis.contactmomenten import MEDEWERKER, ContactmomentenClient
from klanten_conformance.apis.klanten_generated import (
    fill_path,
    looks_like_url,
    only_missing_patch_fields,
)
from klanten_conformance.checks import Blocked
from klanten_conformance.generated.checks import negated_locations, negated_parameters
from klanten_conformance.generated.engine import Parents, Prepared
from klanten_conformance.testdata import random_rsin

#: operation -> the resource its ``uuid`` path parameter names
_RESOURCE_OF = {
    "contactmoment_read": "contactmoment",
    "contactmoment_update": "contactmoment",
    "contactmoment_partial_update": "contactmoment",
    "contactmoment_delete": "contactmoment",
    "klantcontactmoment_read": "klantcontactmoment",
    "klantcontactmoment_delete": "klantcontactmoment",
    "objectcontactmoment_read": "objectcontactmoment",
    "objectcontactmoment_delete": "objectcontactmoment",
    "audittrail_list": "contactmoment",
    "audittrail_read": "contactmoment",
}
_CHANGES = ("contactmoment_update", "contactmoment_partial_update")


@dataclass
class _Made:
    url: str
    audit_uuids: list[str] = field(default_factory=list)

    @property
    def uuid(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[-1]


class ContactmomentenSteering:
    def __init__(self, client: ContactmomentenClient) -> None:
        self.client = client
        self._pool: dict[str, list[_Made]] | None = None
        self._blocked: Blocked | None = None
        #: the contactmomenten stateful steps created, by url
        self._followed: dict[str, _Made] = {}

    # the resources the generated cases work on ------------------------------------------------

    def pool(self) -> dict[str, list[_Made]]:
        """Two contactmomenten with their audit trail, a klantcontactmoment and an
        objectcontactmoment."""
        if self._pool is None:
            self._pool = {}
            try:
                moments = [self._moment() for _ in range(2)]
                first = moments[0].url
                self._pool = {
                    "contactmoment": moments,
                    "klantcontactmoment": [_Made(self.client.klantcontactmoment(first)["url"])],
                    "objectcontactmoment": [_Made(self.client.objectcontactmoment(first)["url"])],
                }
            except Blocked as exc:
                self._blocked = exc
        return self._pool

    def _moment(self) -> _Made:
        what = "a contactmoment for generated requests"
        return self._trail_of(_Made(self.client.contactmoment(what=what)["url"]))

    def _trail_of(self, made: _Made) -> _Made:
        """``made`` with the uuids of its audittrail entries (read as an arrange step)."""
        with self.client.http.arranging():
            trail = self.client.get(f"{made.url}/audittrail", validate=False)
        entries = checks.body_of(trail) if trail.status_code == 200 else []
        if isinstance(entries, list):
            made.audit_uuids = [e["uuid"] for e in entries if isinstance(e, dict) and e.get("uuid")]
        return made

    def _fresh(self, resource: str) -> _Made | None:
        try:
            if resource == "contactmoment":
                return self._moment()
            moments = self.pool().get("contactmoment")
            if not moments:
                return None
            make = getattr(self.client, resource)
            return _Made(make(moments[0].url)["url"])
        except Blocked as exc:
            self._blocked = exc
            return None

    def blocked(self) -> Blocked | None:
        return self._blocked

    def parents(self, operation_id: str) -> Parents | None:
        """The pool's two contactmomenten for the other-parent probe of an audittrail
        operation (the first with its audittrail entries); Blocked when they could not be
        made or the first has no entry."""
        if not operation_id.startswith("audittrail_"):
            return None
        moments = self.pool().get("contactmoment") or []
        if len(moments) < 2:
            raise self._blocked or Blocked("two contactmomenten", "they could not be made")
        first, second = moments[0], moments[1]
        if not first.audit_uuids:
            raise Blocked(
                "an audittrail entry of a contactmoment",
                "the audit trail of a new contactmoment holds no entry",
                ("CM-AUDIT-01",),
            )
        headers = {"Accept": "application/json", "Authorization": self.client.authorization()}
        return Parents(
            "contactmoment_uuid", first.uuid, second.uuid, tuple(first.audit_uuids), headers
        )

    # steering a case ---------------------------------------------------------------------------

    def prepare(self, case: Any, positive: bool, operation_id: str) -> Prepared | None:
        negated = negated_locations(case)
        params = case.path_parameters
        path_exists = False
        if params and (positive or "path" not in negated):
            resource = _RESOURCE_OF[operation_id]
            destructive = operation_id.endswith("_delete") or (
                not positive and operation_id in _CHANGES
            )
            if destructive:
                made = self._fresh(resource)
                if made is not None and operation_id == "objectcontactmoment_delete":
                    self.client.release(made.url)
            else:
                shared = self.pool().get(resource) or []
                made = shared[len(repr(case.body)) % len(shared)] if shared else None
            if made is None:
                return None
            filled = fill_path(params, "contactmoment_uuid", made.uuid, made.audit_uuids, positive)
            if filled is None:
                return None
            path_exists = filled
        if positive and operation_id.endswith("_list") and isinstance(case.query, dict):
            case.query.pop("page", None)
        if isinstance(case.body, dict):
            if positive:
                if not self._plausible_body(case.body, operation_id):
                    return None
            else:
                self._resolvable_urls(case.body)
        headers = {"Accept": "application/json"}
        if "authorization" not in negated_parameters(case):
            headers["Authorization"] = self.client.authorization()
        valid_anyway = not positive and (
            only_missing_patch_fields(case, operation_id, ("contactmoment_partial_update",))
            or _only_content_type(case)
        )
        return Prepared(headers, path_exists=path_exists, valid_anyway=valid_anyway)

    def follow(self, case: Any, operation_id: str, created: dict) -> Prepared | None:
        """Steer a valid case of a stateful step onto the contactmoment an earlier step
        created (``created``: operationId -> the representation its create answered); the
        first step, with nothing created yet, is steered like any case."""
        if "contactmoment_create" not in created:
            return self.prepare(case, True, operation_id)
        url = str(created["contactmoment_create"].get("url") or "")
        if url not in self._followed:
            self._followed[url] = self._trail_of(_Made(url))
        made = self._followed[url]
        params = case.path_parameters
        trail = made.audit_uuids
        if params and fill_path(params, "contactmoment_uuid", made.uuid, trail, True) is None:
            return None  # no audittrail entry to read: blocked
        if isinstance(case.body, dict) and not self._plausible_body(case.body, operation_id):
            return None
        headers = {"Accept": "application/json", "Authorization": self.client.authorization()}
        return Prepared(headers, path_exists=bool(case.path_parameters))

    def _plausible_body(self, body: dict, operation_id: str) -> bool:
        """Steer a positive body; False when the pool it needs could not be made."""
        pool = self.pool()
        if operation_id.startswith("contactmoment"):
            partial = operation_id == "contactmoment_partial_update"
            if not partial or "bronorganisatie" in body:
                body["bronorganisatie"] = self.client.bronorganisatie
            if body.get("vorigContactmoment") is not None:
                earlier = self._fresh("contactmoment")
                if earlier is None:
                    return False
                body["vorigContactmoment"] = earlier.url
            if body.get("medewerker"):
                body["medewerker"] = self.client.medewerker(200)
            elif not partial and not body.get("medewerkerIdentificatie"):
                # products refuse a contactmoment naming no medewerker (invalid-medewerker)
                body["medewerkerIdentificatie"] = dict(MEDEWERKER)
            return True
        moments = pool.get("contactmoment")
        if not moments:
            return False
        contactmoment = moments[len(repr(body)) % len(moments)].url
        body["contactmoment"] = contactmoment
        try:
            if operation_id == "klantcontactmoment_create":
                body["klant"] = self.client.klant()
            elif operation_id == "objectcontactmoment_create":
                body["object"] = self.client.zaak()
                body["objectType"] = "zaak"
                self.client.relate(body["object"], contactmoment)
        except Blocked as exc:
            self._blocked = exc
            return False
        return True

    def _resolvable_urls(self, body: dict) -> None:
        """In a negative case, a URL that looks valid resolves, so the negation is what
        makes the case invalid (not a URL that happens to point nowhere)."""
        if isinstance(body.get("medewerker"), str) and looks_like_url(body["medewerker"]):
            body["medewerker"] = self.client.medewerker(200)
        if isinstance(body.get("bronorganisatie"), str) and body["bronorganisatie"].isdigit():
            body["bronorganisatie"] = random_rsin()

    def register(self, response: Any) -> None:
        """Hand every resource a generated request created to the cleanup registry."""
        if response.status_code == 201:
            self.client.register_created(response)

    def close(self) -> None:
        self.client.cleanup()


def _only_content_type(case: Any) -> bool:
    """The only negation is the Content-Type header (which this document declares as a
    required parameter): the harness sends its own valid Content-Type with every body, so
    the request is valid as sent."""
    return negated_locations(case) == {"header"} and negated_parameters(case) <= {"content-type"}


# what the generated class needs of the Contactmomenten API ---------------------------------------


#: the stateful sequence of the generated class (generated/stateful.py): each step an
#: operation on the contactmoment the first step created (the steering's ``follow`` puts it in
#: the path) and the status it must answer under the "stateful" aspect (CM-LIFE-01: a created
#: contactmoment can be read until it is deleted, then it is gone); None: judged by the other
#: aspects only
SEQUENCE = (
    ("contactmoment_create", None),
    ("contactmoment_read", 200),
    ("contactmoment_update", None),
    ("contactmoment_partial_update", None),
    ("contactmoment_read", 200),
    ("audittrail_list", None),
    ("audittrail_read", None),
    ("contactmoment_delete", 204),
    ("contactmoment_read", 404),
)

#: the links of schemathesis's state machine (generated/stateful.py): a created contactmoment
#: leads to its read, changes, delete and audit trail, a read or change onwards, a delete to a
#: read (which must then answer 404)
_MOMENT_UUID = "$response.body#/url#regex:([0-9a-fA-F-]+)/?$"
_ON_MOMENT = {
    "contactmoment_read": {"uuid": _MOMENT_UUID},
    "contactmoment_update": {"uuid": _MOMENT_UUID},
    "contactmoment_partial_update": {"uuid": _MOMENT_UUID},
    "contactmoment_delete": {"uuid": _MOMENT_UUID},
    "audittrail_list": {"contactmoment_uuid": _MOMENT_UUID},
}
LINKS = {
    "contactmoment_create": _ON_MOMENT,
    "contactmoment_read": _ON_MOMENT,
    "contactmoment_partial_update": _ON_MOMENT,
    "contactmoment_delete": {"contactmoment_read": {"uuid": "$request.path.uuid"}},
}


def steering(client: ContactmomentenClient, harness: Any) -> ContactmomentenSteering:
    return ContactmomentenSteering(client)


def valid_request(client: ContactmomentenClient, operation_id: str) -> Any:
    """One hand-built valid request of the operation, on resources of the check's own."""
    if operation_id == "contactmoment_list":
        return client.list("contactmoment", bronorganisatie=random_rsin())
    if operation_id == "contactmoment_create":
        return client.create("contactmoment", client.contactmoment_body())
    moment = client.contactmoment(tekst="Een vraag over parkeren")["url"]
    if operation_id in ("klantcontactmoment_list", "objectcontactmoment_list"):
        return client.list(operation_id.removesuffix("_list"), contactmoment=moment)
    if operation_id == "klantcontactmoment_create":
        body = client.klantcontactmoment_body(moment, client.klant())
        return client.create("klantcontactmoment", body)
    if operation_id == "objectcontactmoment_create":
        zaak = client.zaak()
        client.relate(zaak, moment)
        return client.create("objectcontactmoment", client.objectcontactmoment_body(moment, zaak))
    if operation_id == "audittrail_list":
        return client.get(f"{moment}/audittrail")
    if operation_id == "audittrail_read":
        entries = client.audittrail(moment, what="reading the audit trail to find an entry")
        return client.get(f"{moment}/audittrail/{entries[0]['uuid']}")
    url = moment
    if operation_id.startswith("klantcontactmoment"):
        url = client.klantcontactmoment(moment)["url"]
    elif operation_id.startswith("objectcontactmoment"):
        url = client.objectcontactmoment(moment)["url"]
    if operation_id.endswith("_read"):
        return client.get(url)
    if operation_id == "contactmoment_update":
        return client.put(url, client.contactmoment_body(tekst="Een vraag over de WOZ"))
    if operation_id == "contactmoment_partial_update":
        return client.patch(url, {"tekst": "Een vraag over de WMO"})
    return client.delete(url)
