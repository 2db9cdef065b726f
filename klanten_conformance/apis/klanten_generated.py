"""How generated requests exercise the Klanten API (the steering of the generated class).

Generated data is steered towards what the standard's behaviour needs, so that positive cases
are not all refused for reasons the OpenAPI document cannot express: the harness's
bronorganisatie (a valid RSIN), fresh klantnummers, subject URLs of the harness's subject
registry, identification numbers that pass the 11-proef, path parameters of klanten the run
created, and the end-user authentication matching each body's own identification (the
client's bystander for zelfstandige klanten). Invalid changes go to a klant of their own, so a
target that wrongly stores one does not spoil the responses judged after it. The klanten are
made the way the target accepts (``KlantenClient.klant``); when none can be made, cases that
need one are blocked and the others still run. Everything created is deleted afterwards
through the client's cleanup registry.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from klanten_conformance import checks
from klanten_conformance.apis.klanten import IDENTIFICATION, NUMBERS, KlantenClient
from klanten_conformance.checks import Blocked
from klanten_conformance.generated.checks import (
    location,
    negated_locations,
    negated_parameters,
    phase_data,
)
from klanten_conformance.generated.engine import Parents, Prepared
from klanten_conformance.stubs import SubjectRegistry
from klanten_conformance.testdata import random_klantnummer
from klanten_conformance.tokens import authenticatie_claim

#: subjectType -> the identification fields that name the subject, in order of preference
_IDENTIFYING = {
    "natuurlijk_persoon": ("inpBsn", "anpIdentificatie"),
    "niet_natuurlijk_persoon": ("innNnpId", "annIdentificatie"),
    "vestiging": ("vestigingsNummer",),
}


@dataclass
class _PoolKlant:
    url: str
    uuid: str
    authn: dict | None
    identity: tuple[str, str] | None
    audit_uuids: list[str]


class KlantenSteering:
    def __init__(self, client: KlantenClient, registry: SubjectRegistry) -> None:
        self.client = client
        self.registry = registry
        self._pool: list[_PoolKlant] | None = None
        self._blocked: Blocked | None = None
        #: klanten of destructive cases the target refused (a 4xx changes nothing): the
        #: next destructive cases take these before a new one is made
        self._spare: list[_PoolKlant] = []
        #: the klanten stateful sequences created, by url
        self._followed: dict[str, _PoolKlant] = {}
        #: a second klant for the other-parent probe, when the pool has only one
        self._second: _PoolKlant | None = None

    # the klanten the generated cases work on ------------------------------------------------

    def pool(self) -> list[_PoolKlant]:
        """A klant of the first shape the target accepts and, when it takes one, an
        aangehaakte natuurlijk persoon, each with an audit trail entry."""
        if self._pool is None:
            self._pool = []
            try:
                self._pool.append(
                    self._made(self.client.klant(purpose="a klant for the generated requests").data)
                )
            except Blocked as exc:
                self._blocked = exc
                return self._pool
            body = self.client.profile.aangehaakt("natuurlijk_persoon")
            response = self.client.create(body, validate=False)
            if response.status_code == 201:
                self._pool.append(self._made(checks.body_of(response)))
        return self._pool

    def _made(self, representation: dict) -> _PoolKlant:
        url = representation.get("url") or ""
        authn = self.client.default_authn(representation)
        audit_uuids: list[str] = []
        with self.client.http.arranging():
            trail = self.client.get(f"{url}/audittrail", validate=False)
        entries = checks.body_of(trail) if trail.status_code == 200 else []
        if isinstance(entries, list):
            audit_uuids = [e["uuid"] for e in entries if isinstance(e, dict) and e.get("uuid")]
        uuid = url.rstrip("/").rsplit("/", 1)[-1]
        return _PoolKlant(
            url, uuid, authn, self.client.profile.identificatie(representation), audit_uuids
        )

    def _fresh(self) -> _PoolKlant | None:
        """A klant of its own for a destructive case: one a refused destructive case left
        (``_settle``), else a new one."""
        if self._spare:
            return self._spare.pop()
        try:
            return self._made(self.client.klant(purpose="a klant for a destructive case").data)
        except Blocked as exc:
            self._blocked = exc
            return None

    def _settle(self, klant: _PoolKlant, response: Any) -> None:
        """After a destructive case: its klant is spare again when the target refused it."""
        if 400 <= response.status_code < 500:
            self._spare.append(klant)

    def blocked(self) -> Blocked | None:
        return self._blocked

    def parents(self, operation_id: str) -> Parents | None:
        """Two klanten of the run for the other-parent probe of an audittrail operation: the
        first klant of the pool (with its audittrail entries) and another one (the pool's
        second, or one made for it), with the second's end-user authentication; Blocked when
        the first has no entry or no second klant can be made."""
        if not operation_id.startswith("audittrail_"):
            return None
        pool = self.pool()
        if not pool:
            raise self._blocked or Blocked("a klant with an audit trail", "none could be made")
        first = pool[0]
        if not first.audit_uuids:
            raise Blocked(
                "an audittrail entry of a klant",
                "the audit trail of a new klant holds no entry",
                ("AUDIT-01",),
            )
        if len(pool) > 1:
            second = pool[1]
        else:
            if self._second is None:
                self._second = self._made(
                    self.client.klant(purpose="a second klant for the sub-resource probe").data
                )
            second = self._second
        token, conveyed = self.client.credentials(second.authn)
        headers = {"Accept": "application/json", **conveyed, "Authorization": f"Bearer {token}"}
        return Parents("klant_uuid", first.uuid, second.uuid, tuple(first.audit_uuids), headers)

    # steering a case ---------------------------------------------------------------------------

    def prepare(self, case: Any, positive: bool, operation_id: str) -> Prepared | None:
        klant = None
        if case.path_parameters and (positive or "path" not in negated_locations(case)):
            destructive = operation_id == "klant_delete" or (
                not positive and operation_id in ("klant_update", "klant_partial_update")
            )
            if destructive:
                # a delete, or an invalid change the target might wrongly store, gets a klant
                # of its own: the shared klanten stay valid for the cases judged after it
                klant = self._fresh()
            else:
                pool = self.pool()
                klant = pool[len(repr(case.body)) % len(pool)] if pool else None
            if klant is None:
                return None
            if destructive:
                prepared = self._steer(case, positive, operation_id, klant)
                if prepared is not None:
                    prepared.after = functools.partial(self._settle, klant)
                return prepared
        return self._steer(case, positive, operation_id, klant)

    def follow(self, case: Any, operation_id: str, created: dict) -> Prepared | None:
        """Steer a valid case of a stateful step onto the klant an earlier step created
        (``created``: operationId -> the representation its create answered); the first
        step, with nothing created yet, is steered like any case."""
        if "klant_create" not in created:
            return self.prepare(case, True, operation_id)
        url = str(created["klant_create"].get("url") or "")
        if url not in self._followed:
            self._followed[url] = self._made(created["klant_create"])
        return self._steer(case, True, operation_id, self._followed[url])

    def _steer(
        self, case: Any, positive: bool, operation_id: str, klant: _PoolKlant | None
    ) -> Prepared | None:
        params = case.path_parameters
        path_exists = False
        if params and klant is not None:
            filled = fill_path(params, "klant_uuid", klant.uuid, klant.audit_uuids, positive)
            if filled is None:
                return None  # no audittrail entry to read: the case is blocked
            path_exists = filled
        if positive and operation_id == "klant_list" and isinstance(case.query, dict):
            case.query.pop("page", None)
        if isinstance(case.body, dict):
            if positive:
                self._plausible_body(case.body, klant, operation_id)
            elif isinstance(case.body.get("subject"), str) and looks_like_url(case.body["subject"]):
                case.body["subject"] = self.registry.url_for(200)
        return Prepared(
            self._headers(case, klant, operation_id),
            path_exists=path_exists,
            valid_anyway=not positive and only_missing_patch_fields(case, operation_id),
        )

    def _headers(self, case: Any, klant: _PoolKlant | None, operation_id: str) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if "authorization" in negated_parameters(case):
            return headers
        authn = klant.authn if klant is not None else None
        if operation_id == "klant_create" or (klant is None and case.body is not None):
            identity = self.client.profile.identificatie(case.body)
            authn = (
                authenticatie_claim(*identity, niveau=self.client.context.min_niveau)
                if identity
                else self.client.bystander
            )
        if operation_id == "klant_list":
            # the end user of an aangehaakte klant of the pool: lists show it (a filter that
            # matches nothing must then leave it out)
            authn = next((k.authn for k in self.pool() if k.identity is not None), authn)
        token, conveyed = self.client.credentials(authn)
        headers.update(conveyed)
        headers["Authorization"] = f"Bearer {token}"
        return headers

    def _plausible_body(self, body: dict, klant: _PoolKlant | None, operation_id: str) -> None:
        if operation_id != "klant_partial_update" or "bronorganisatie" in body:
            body["bronorganisatie"] = self.client.context.bronorganisatie
        if operation_id != "klant_partial_update" or "klantnummer" in body:
            body["klantnummer"] = random_klantnummer()
        if klant is not None:
            # a klant keeps its identity: identifying data is only ever its own
            for name in ("subject", "subjectType", "subjectIdentificatie"):
                body.pop(name, None)
            if klant.identity is not None:
                subject_type, number = klant.identity
                body["subjectType"] = subject_type
                body["subjectIdentificatie"] = {_IDENTIFYING[subject_type][0]: number}
            return
        subject_type = body.get("subjectType")
        if not isinstance(subject_type, str) or subject_type not in IDENTIFICATION:
            body.pop("subject", None)
            return
        number = NUMBERS[subject_type]()
        if "subject" in body:
            body["subject"] = self.registry.url_for(200, key=number)
        else:
            body["subjectIdentificatie"] = {_IDENTIFYING[subject_type][0]: number}

    def register(self, response: Any) -> None:
        """Hand every klant a generated request created to the cleanup registry."""
        if response.status_code != 201:
            return
        body = checks.body_of(response)
        url = (body.get("url") if isinstance(body, dict) else None) or response.headers.get(
            "Location"
        )
        if url:
            self.client.created[self.client.key(url)] = self.client.default_authn(body)

    def close(self) -> None:
        self.client.cleanup()


def fill_path(
    params: dict, parent: str, uuid: str, audit_uuids: list[str], positive: bool
) -> bool | None:
    """Put a resource of ours in the path parameters: ``uuid`` (under ``parent`` on an
    audittrail path, with the resource's first audittrail entry as ``uuid``). Returns whether
    the path names what exists; None when the case cannot be sent (a positive case needs an
    audittrail entry the resource does not have: blocked)."""
    if parent not in params:
        params["uuid"] = uuid
        return True
    params[parent] = uuid
    if "uuid" not in params:
        return True
    if audit_uuids:
        params["uuid"] = audit_uuids[0]
        return True
    return None if positive else False


def looks_like_url(value: str) -> bool:
    return value.startswith(("http://", "https://")) and len(value) <= 1000


def only_missing_patch_fields(
    case: Any, operation_id: str, partial_updates: tuple[str, ...] = ("klant_partial_update",)
) -> bool:
    """A PATCH whose only negation is leaving out required fields of the request body.

    ``partial_updates``: the PATCH operations of the API. klant_partial_update shares the
    request body (and its required list) with klant_update, but "changes only the fields
    sent": a PATCH without the required fields is valid (the OAS-05 interpretation). Header
    negations of Content-Type and Authorization do not count: the harness sends its own valid
    values (a negated Authorization is refused anyway).
    """
    return operation_id in partial_updates and only_missing_required(case)


def only_missing_required(case: Any) -> bool:
    """The only negation of a negative case is leaving out required fields of the body (and
    header negations of Content-Type or Authorization, whose valid values the harness sends)."""
    mutations = list(getattr(phase_data(case), "mutations", ()) or ())
    body = [m for m in mutations if location(m) == "body"]
    others = [m for m in mutations if location(m) != "body"]
    return (
        bool(body)
        and all(tuple(getattr(m, "keywords", ()) or ()) == ("required",) for m in body)
        and all(
            location(m) == "header"
            and str(getattr(m, "parameter", None) or "").lower()
            in ("", "content-type", "authorization")
            for m in others
        )
    )


# what the generated class needs of the Klanten API ---------------------------------------------


#: the stateful sequence of the generated class: each step an operation on the klant the
#: first step created (the steering's ``follow`` puts it in the path and the body) and the
#: status it must answer under the "stateful" aspect (LIFE-01: a created klant is there until
#: it is deleted, then gone); None: judged by the other aspects only (whether a valid change is
#: accepted is the business of the rules about changing a klant)
SEQUENCE = (
    ("klant_create", None),
    ("klant_read", 200),
    ("klant_update", None),
    ("klant_partial_update", None),
    ("klant_read", 200),
    ("audittrail_list", None),
    ("audittrail_read", None),
    ("klant_delete", 204),
    ("klant_read", 404),
)


#: the links of schemathesis's state machine (generated/stateful.py): a created klant leads to
#: its read, changes, delete and audit trail, a read or change to the next read or change or
#: the delete, and a delete to a read (which must then answer 404); path parameters from the
#: klant's ``url`` (the steering puts the klant the link came from in the path anyway)
_KLANT_UUID = "$response.body#/url#regex:([0-9a-fA-F-]+)/?$"
_ON_KLANT = {
    "klant_read": {"uuid": _KLANT_UUID},
    "klant_update": {"uuid": _KLANT_UUID},
    "klant_partial_update": {"uuid": _KLANT_UUID},
    "klant_delete": {"uuid": _KLANT_UUID},
    "audittrail_list": {"klant_uuid": _KLANT_UUID},
}
LINKS = {
    "klant_create": _ON_KLANT,
    "klant_read": _ON_KLANT,
    "klant_partial_update": _ON_KLANT,
    "klant_delete": {"klant_read": {"uuid": "$request.path.uuid"}},
}


def steering(client: KlantenClient, harness: Any) -> KlantenSteering:
    return KlantenSteering(client, harness.stubs()[0])


def valid_request(client: KlantenClient, operation_id: str) -> Any:
    """One hand-built valid request of the operation, on a klant of the check's own."""
    if operation_id == "klant_create":
        # any shape of klant the standard allows will do: the operation is what is judged
        try:
            return client.klant(purpose="a klant of any shape").response
        except Blocked:
            return client.create(client.profile.zelfstandig())
    if operation_id == "klant_list":
        return client.list(klantnummer=random_klantnummer())
    klant = client.klant(purpose="a klant to call the operation on", achternaam="Jansen")
    url = klant.url
    if operation_id == "klant_read":
        return client.get(url)
    if operation_id == "klant_update":
        return client.put(url, {**klant.body, "achternaam": "de Vries"})
    if operation_id == "klant_partial_update":
        return client.patch(url, {"achternaam": "Bakker"})
    if operation_id == "klant_delete":
        return client.delete(url)
    if operation_id == "audittrail_list":
        return client.get(f"{url}/audittrail")
    entries = client.audit_entries(url, "reading the audit trail to find an entry")
    return client.get(f"{url}/audittrail/{entries[0]['uuid']}")
