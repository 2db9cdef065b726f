"""The Klanten API 1.0: its registry entry, payloads per profile, and the suite's client.

Test data adapts to the target: :meth:`KlantenClient.klant` knows the shapes of klant the
standard allows (a zelfstandige klant; an aangehaakte natuurlijk persoon, niet-natuurlijk
persoon or vestiging, each with its end-user authentication) and, for a check that is not
about the shape itself, uses the first shape the target accepts and says in the evidence
which one and why the others were not used. Only checks *about* a shape insist on it
(:meth:`KlantenClient.make`), and when the target refuses it there, the check is blocked with
the rule that covers registering that shape.

End-user authentication: requests about klanten the test created with identifying data carry
the matching end user (``authn=AUTO``) unless a test gives one. It is conveyed by the vendor's
``pytest_klanten_authenticatie`` hook when implemented, by the JWT claim ``authenticatie``
otherwise (klanten_conformance.hooks). Requests about zelfstandige klanten carry a
*bystander*: an end user the klant is not about, as when a logged-in citizen registers a klant
without identifying data. A zelfstandige klant needs no end-user authentication at all
(KLOK01-Z1, AUTHN-04); the checks of those rules send none on purpose, the others carry the
bystander, so that a target demanding authentication fails those two rules only.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import requests

from klanten_conformance import checks, hooks
from klanten_conformance.apis import SPECS, ApiDefinition, register
from klanten_conformance.apis.adapting import AcceptedMemory, refusal
from klanten_conformance.harness.client import ApiClient
from klanten_conformance.testdata import (
    random_bsn,
    random_klantnummer,
    random_rsin,
    random_vestigingsnummer,
)
from klanten_conformance.tokens import authenticatie_claim, make_token

AUTO: Any = object()

DEFINITION = register(
    ApiDefinition(
        id="klanten",
        title="Klanten API",
        spec=SPECS / "klanten-1.0.yaml",
        base_path="/klanten/api/v1",
        auth="zgw",
        preflight=("klanten", lambda: {"klantnummer": random_klantnummer()}),
        oas_rules={
            "implemented": "OAS-01",
            "conforms": "OAS-02",
            "problem": "OAS-03",
            "problem-media": "OAS-04",
            "robust": "OAS-05",
            "api-version": "OAS-06",
            "pagination": "OAS-07",
            "published": "OAS-08",
            "sub-resources": "OAS-09",
            "not-found": "OAS-10",
            "stateful": "LIFE-01",
            "filters": "FILTER-01",
        },
        fixture="klanten",
        client="klanten_conformance.apis.klanten:KlantenClient",
        generated="klanten_conformance.apis.klanten_generated",
        version=r"1\.\d+(\.\d+)?\S*",
        kanaal="klanten",
        covering={
            "klant_create": "KLOK01-Z1",
            "klant_read": "LIFE-01",
            "klant_update": "LIFE-02",
            "klant_partial_update": "LIFE-02",
            "klant_delete": "LIFE-01",
            "audittrail_list": "AUDIT-01",
            "audittrail_read": "AUDIT-01",
        },
    )
)

#: subjectType -> (the identification field that names the subject, the klant_list filter on it)
IDENTIFICATION = {
    "natuurlijk_persoon": ("inpBsn", "subjectNatuurlijkPersoon__inpBsn"),
    "niet_natuurlijk_persoon": ("innNnpId", "subjectNietNatuurlijkPersoon__innNnpId"),
    "vestiging": ("vestigingsNummer", "subjectVestiging__vestigingsNummer"),
}
#: subjectType -> other identification numbers, for klanten without the main one (KLUIT-02)
OTHER_IDENTIFICATION = {
    "natuurlijk_persoon": ("anpIdentificatie", "inpANummer"),
    "niet_natuurlijk_persoon": ("annIdentificatie",),
    "vestiging": (),
}
NUMBERS = {
    "natuurlijk_persoon": random_bsn,
    "niet_natuurlijk_persoon": random_rsin,
    "vestiging": random_vestigingsnummer,
}


@dataclass(frozen=True)
class Shape:
    """A kind of klant the standard allows, and the rules that cover registering it."""

    name: str
    label: str
    subject_type: str | None
    covering: tuple[str, ...]


ZELFSTANDIG = Shape("zelfstandig", "a zelfstandige klant", None, ("KLOK01-Z1",))
SHAPES = (
    ZELFSTANDIG,
    Shape(
        "natuurlijk_persoon",
        "an aangehaakte klant (natuurlijk persoon)",
        "natuurlijk_persoon",
        ("KLOK01-01", "AUTHN-01"),
    ),
    Shape(
        "niet_natuurlijk_persoon",
        "an aangehaakte klant (niet-natuurlijk persoon)",
        "niet_natuurlijk_persoon",
        ("KLOK01-01", "AUTHN-01"),
    ),
    Shape(
        "vestiging",
        "an aangehaakte klant (vestiging)",
        "vestiging",
        ("KLOK01-01", "AUTHN-01"),
    ),
)
SHAPE_OF = {shape.subject_type: shape for shape in SHAPES}


class Klanten10:
    """Klant payloads of the Klanten API 1.0 (``subjectIdentificatie`` with ``inpBsn``...)."""

    name = "klanten-1.0"

    def __init__(self, bronorganisatie: str) -> None:
        self.bronorganisatie = bronorganisatie

    def minimal(self, **fields: Any) -> dict[str, Any]:
        """A klant with only the fields the OpenAPI document requires (KLUIT-01)."""
        body: dict[str, Any] = {
            "bronorganisatie": self.bronorganisatie,
            "klantnummer": random_klantnummer(),
            "websiteUrl": "https://www.example.org/klant",
        }
        body.update(fields)
        return body

    def zelfstandig(self, **fields: Any) -> dict[str, Any]:
        """A zelfstandige klant: realistic klantgegevens (name and contact data), no
        identifying data. Checks about minimal data start from :meth:`minimal` instead, so
        that a target demanding more than the required fields fails only those checks."""
        tag = secrets.token_hex(5)
        body = self.minimal(
            voornaam="Sanne",
            achternaam="Visser",
            telefoonnummer="06" + str(secrets.randbelow(10**8)).zfill(8),
            emailadres=f"klant-{tag}@example.org",
        )
        body.update(fields)
        return body

    def aangehaakt(
        self, subject_type: str, number: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """An aangehaakte klant identified by ``number`` (generated when not given)."""
        field_name, _ = IDENTIFICATION[subject_type]
        number = number or NUMBERS[subject_type]()
        return self.zelfstandig(
            subjectType=subject_type, subjectIdentificatie={field_name: number}, **fields
        )

    def build(self, shape: Shape, **fields: Any) -> dict[str, Any]:
        if shape.subject_type is None:
            return self.zelfstandig(**fields)
        return self.aangehaakt(shape.subject_type, **fields)

    def identificatie(self, body: Any) -> tuple[str, str] | None:
        """(subjectType, number) that identifies the klant of ``body``, if it has one."""
        if not isinstance(body, dict):
            return None
        subject_type = body.get("subjectType")
        if not isinstance(subject_type, str) or subject_type not in IDENTIFICATION:
            return None
        identificatie = body.get("subjectIdentificatie")
        identificatie = identificatie if isinstance(identificatie, dict) else {}
        candidates = [IDENTIFICATION[subject_type][0], *OTHER_IDENTIFICATION[subject_type]]
        number = next(
            (
                identificatie[n]
                for n in candidates
                if isinstance(identificatie.get(n), str) and identificatie[n]
            ),
            None,
        )
        subject = body.get("subject")
        if not number and isinstance(subject, str) and subject.strip("/"):
            number = subject.rstrip("/").rsplit("/", 1)[-1]
        return (subject_type, number) if number else None

    def shape_of(self, body: dict[str, Any]) -> Shape:
        return SHAPE_OF.get(body.get("subjectType"), ZELFSTANDIG)

    @staticmethod
    def filter_for(subject_type: str) -> str:
        return IDENTIFICATION[subject_type][1]


PROFILES = {Klanten10.name: Klanten10}


@dataclass
class Klant:
    """A klant a check created: what was sent, what came back, and its shape."""

    body: dict[str, Any]
    data: dict[str, Any]
    shape: Shape
    response: requests.Response | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return str(self.data.get("url") or "")


_MEMORY = AcceptedMemory()


class KlantenClient(ApiClient):
    """What a suite test uses to talk to the Klanten API of the target."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.profile = Klanten10(self.context.bronorganisatie)
        self._authn: dict[str, dict | None] = {}
        #: the end user of requests about zelfstandige klanten (see the module docstring)
        self.bystander = authenticatie_claim(
            "natuurlijk_persoon", random_bsn(), niveau=self.context.min_niveau
        )

    # end-user authentication -----------------------------------------------------------------

    def credentials(
        self, authn: dict | None = None, *, restricted: bool = False, **claims: Any
    ) -> tuple[str, dict[str, str]]:
        """The token and extra headers of a request on behalf of end user ``authn`` (or none).

        ``claims`` are added to the token last; the restricted client is the one for AUTH-02.
        """
        conveyed = hooks.conveyance(self.config, authn) if authn is not None else hooks.Conveyance()
        client = self.zgw_client(restricted=restricted)
        extra = {**conveyed.claims, **claims}
        token = make_token(client.client_id, client.secret, extra_claims=extra or None)
        return token, conveyed.headers

    def token(  # type: ignore[override]
        self, authn: dict | None = None, *, restricted: bool = False, **claims: Any
    ) -> str:
        """A token of :meth:`credentials` (without the hook's extra headers)."""
        return self.credentials(authn, restricted=restricted, **claims)[0]

    def authn_for(self, body: Any, niveau: str | None = None) -> dict | None:
        """The end-user authentication matching the identification of ``body``, if any."""
        identity = self.profile.identificatie(body)
        if identity is None:
            return None
        return authenticatie_claim(*identity, niveau=niveau or self.context.min_niveau)

    def default_authn(self, body: Any) -> dict:
        """The end user of ``authn=AUTO`` requests about ``body``: its own, or the bystander."""
        return self.authn_for(body) or self.bystander

    def auth_headers(self, request_about: str | None = None) -> dict[str, str]:
        key = request_about or ""
        # the audit trail of a klant is provided like the klant itself
        authn = self._authn.get(key, self._authn.get(key.split("/audittrail", 1)[0]))
        token, conveyed = self.credentials(authn)
        return {"Authorization": f"Bearer {token}", **conveyed}

    def cleanup_headers(self, url: str, info: Any) -> dict[str, str]:
        token, conveyed = self.credentials(info)
        return {"Authorization": f"Bearer {token}", **conveyed}

    # requests ----------------------------------------------------------------------------------

    def request(
        self, method: str, url: str, *, authn: Any = AUTO, **kwargs: Any
    ) -> requests.Response:
        if (
            authn is not AUTO
            and kwargs.get("token") is None
            and kwargs.get("authorization") is None
        ):
            token, conveyed = self.credentials(authn)
            kwargs["token"] = token
            kwargs["headers"] = {**conveyed, **(kwargs.get("headers") or {})}
        return super().request(method, url, **kwargs)

    def list(self, authn: dict | None = None, **params: Any) -> requests.Response:
        return self.request("GET", "klanten", authn=authn, params=params)

    def put(self, url: str, body: Any, **kwargs: Any) -> requests.Response:
        return self._change("PUT", url, body, **kwargs)

    def patch(self, url: str, body: Any, **kwargs: Any) -> requests.Response:
        return self._change("PATCH", url, body, **kwargs)

    def _change(self, method: str, url: str, body: Any, **kwargs: Any) -> requests.Response:
        response = self.request(method, url, json=body, **kwargs)
        if response.status_code == 200:
            self._remember(url, checks.body_of(response))
        return response

    def create(self, body: dict, *, authn: Any = AUTO, **kwargs: Any) -> requests.Response:
        """POST a klant; with ``authn=AUTO`` the end user matching its identification."""
        if self.read_only:
            raise RuntimeError("--read-only: this check would create data (mark it creates_data)")
        if authn is AUTO:
            authn = self.default_authn(body)
        response = self.request("POST", "klanten", json=body, authn=authn, **kwargs)
        if response.status_code == 201:
            representation = checks.body_of(response)
            url = self.register_created(response, authn)
            if url:
                self._remember(url, representation)
        return response

    def _remember(self, url: str, representation: Any) -> None:
        key = self.key(url)
        authn = self.default_authn(representation) if isinstance(representation, dict) else None
        self._authn[key] = authn
        if key in self.created:
            self.created[key] = authn

    # test data ---------------------------------------------------------------------------------

    def make(self, body: dict, *, what: str | None = None, **kwargs: Any) -> dict:
        """Create the klant of ``body`` as the check's precondition; blocks the check (with
        the rule that covers registering such a klant) when the target refuses it."""
        shape = self.profile.shape_of(body)
        with self.arranging(what or f"creating {shape.label}", *shape.covering):
            response = self.create(body, **kwargs)
            return checks.expect_status(DEFINITION.id, response, 201)

    def accepted_shape(self) -> Shape:
        """The shape of klant the target accepts (learnt from earlier checks, or by making one)."""
        with _MEMORY.lock:
            name = _MEMORY.accepted.get(self.target.url)
        if name is not None:
            return next(s for s in SHAPES if s.name == name)
        return self.klant(purpose="a klant to learn which shape the target accepts").shape

    def klant(
        self, *, purpose: str = "a klant for the check", rule: str | None = None, **fields: Any
    ) -> Klant:
        """A klant of the first shape the target accepts (for checks not about the shape).

        When every shape is refused the check is blocked, or, with ``rule`` (the create is
        what the check is about), fails under ``rule``.
        """
        target = self.target.url
        with _MEMORY.lock:
            accepted = _MEMORY.accepted.get(target)
            refused = dict(_MEMORY.refused.get(target, {}))
        order = sorted(SHAPES, key=lambda s: (s.name != accepted, s.name in refused))
        tried: list[str] = []
        for shape in order:
            body = self.profile.build(shape, **fields)
            with self.http.arranging():
                response = self.create(body)
            if response.status_code == 201:
                with _MEMORY.lock:
                    _MEMORY.accepted[target] = shape.name
                    _MEMORY.refused.setdefault(target, {}).pop(shape.name, None)
                skipped = [
                    f"{s.label}: {refused.get(s.name) or 'refused'}"
                    for s in SHAPES
                    if s is not shape and (s.name in refused or s.label in tried)
                ]
                if shape is not SHAPES[0] or skipped:
                    why = f"; not used: {'; '.join(skipped)}" if skipped else ""
                    self.note(f"test data: {shape.label}{why}")
                data = checks.body_of(response)
                return Klant(body, data if isinstance(data, dict) else {}, shape, response)
            reason = refusal(response)
            tried.append(shape.label)
            refused[shape.name] = reason
            with _MEMORY.lock:
                _MEMORY.refused.setdefault(target, {})[shape.name] = reason
        received = (
            "every shape of klant the standard allows was refused ("
            + "; ".join(f"{s.label}: {refused[s.name]}" for s in SHAPES)
            + ")"
        )
        evidence = self.http.render(last=len(SHAPES))
        if rule is not None:
            raise checks.ConformanceFailure(
                rule, f"creating {purpose}: HTTP 201", received, evidence
            )
        covering = [c for shape in SHAPES for c in shape.covering]
        raise checks.Blocked(f"creating {purpose}", received, covering, evidence)

    def identity(self, body: dict) -> dict[str, Any]:
        """The identifying data of ``body`` (kept in every PUT of the klant)."""
        return {k: body[k] for k in ("subject", "subjectType", "subjectIdentificatie") if k in body}

    def required(self, body: dict) -> dict[str, Any]:
        """Only the fields the document requires, plus the klant's identifying data."""
        kept = {k: body[k] for k in ("bronorganisatie", "klantnummer", "websiteUrl") if k in body}
        return {**kept, **self.identity(body)}

    def read_back(self, url: str, *, what: str = "reading the klant back", **kwargs: Any) -> Any:
        """GET a resource the check needs to compare; blocks the check when it cannot."""
        with self.arranging(what, DEFINITION.covering["klant_read"]):
            response = self.get(url, **kwargs)
            return checks.expect_status(DEFINITION.id, response, 200)
