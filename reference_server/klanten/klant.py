"""The rules of a klant on top of the generic resource: KLOK01 (identifying data, its
cardinalities, zelfstandige klanten), kla-001 (klantnummer unique per bronorganisatie),
kla-002 (the subject URL must resolve), the end-user authentication and the uitgangspunten."""

from __future__ import annotations

import functools
import json
import sqlite3
from typing import Any

from reference_server.core.api import (
    AUDIT,
    CREATE,
    READ,
    Filter,
    Resource,
    ResourceRules,
    Stored,
    Unique,
)
from reference_server.core.call import Call
from reference_server.core.identifiers import elfproef
from reference_server.core.problems import ApiError, Crash, InvalidParam, validation_error
from reference_server.core.spec import Document
from reference_server.core.storage import UniqueViolation, key_condition
from reference_server.klanten.authenticatie import authenticatie_of, check_identity

TEXT_FIELDS = (
    "bronorganisatie",
    "klantnummer",
    "bedrijfsnaam",
    "functie",
    "websiteUrl",
    "voornaam",
    "voorvoegselAchternaam",
    "achternaam",
    "telefoonnummer",
    "emailadres",
    "subject",
)
#: identification fields that name who the klant is, per subjectType
IDENTITY_FIELDS = {
    "natuurlijk_persoon": ("inpBsn", "anpIdentificatie", "inpANummer"),
    "niet_natuurlijk_persoon": ("innNnpId", "annIdentificatie"),
    "vestiging": ("vestigingsNummer",),
}


def _without_empty(value: object) -> object:
    """Drop empty strings and nulls from objects, recursively: absent means empty."""
    if isinstance(value, dict):
        cleaned = {k: _without_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in ("", None)}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


def is_aangehaakt(data: dict) -> bool:
    """A klant with identifying data (subject and/or subjectIdentificatie) is aangehaakt; one
    without is zelfstandig (whatever its subjectType says)."""
    return bool(data.get("subject") or data.get("subjectIdentificatie"))


def identity_keys(data: dict) -> list[str]:
    """The numbers that say who an aangehaakte klant is: its identification numbers and the
    last path segment of its subject URL (BRP and HR URLs end in the BSN or KvK-nummer)."""
    subject_type = data.get("subjectType")
    identificatie = data.get("subjectIdentificatie") or {}
    keys = [identificatie[f] for f in IDENTITY_FIELDS.get(subject_type, ()) if identificatie.get(f)]
    subject = data.get("subject")
    if subject:
        last = subject.rstrip("/").rsplit("/", 1)[-1]
        if last:
            keys.append(last)
    return keys


@functools.cache
def identification_fields(document: Document) -> dict[str, frozenset[str]]:
    """subjectType -> the fields of its ``subjectIdentificatie`` schema (via the discriminator
    mapping of ``Klant`` and the allOf part that holds ``subjectIdentificatie``)."""
    schemas = document.data["components"]["schemas"]
    fields = {}
    for subject_type, ref in schemas["Klant"]["discriminator"]["mapping"].items():
        for part in schemas[ref.rsplit("/", 1)[-1]].get("allOf", []):
            target = document.resolve(part)
            inner = (target.get("properties") or {}).get("subjectIdentificatie")
            if inner:
                fields[subject_type] = frozenset(document.resolve(inner).get("properties", {}))
    return fields


def _either(condition: str, zelfstandig: str) -> str:
    """``condition OR zelfstandig``, without a constant false term (which would keep SQLite from
    using the indexes of ``condition``)."""
    return condition if zelfstandig == "0" else f"({condition}) OR {zelfstandig}"


def _refusal(code: str, name: str, reason: str, detail: str) -> ApiError:
    return ApiError(400, code, detail, [InvalidParam(name, code, reason)])


class KlantRules(ResourceRules):
    # validation ------------------------------------------------------------------------------

    def schema_errors(
        self, call: Call, action: str, body: dict, params: list[InvalidParam]
    ) -> list[InvalidParam]:
        if call.fault("KLUIT-03") and action != CREATE:
            sent = call.body or {}
            cleared = sorted(
                name
                for name, value in sent.items()
                if value in ("", None) and name in (*TEXT_FIELDS, "adres")
            )
            if cleared:
                raise validation_error(
                    [InvalidParam(n, "blank", "May not be empty.") for n in cleared]
                )
        if call.fault("kla-001c"):
            params = [p for p in params if (p.name, p.code) != ("klantnummer", "required")]
        return params

    def normalise(self, call: Call, body: dict, old: Stored | None) -> dict:
        """The stored form of a klant: every given value, empty ones left out; of the
        subjectIdentificatie only the fields of its own subjectType (KLOK01 cardinality 3).
        ``subjectType`` is always present (null for a zelfstandige klant) and ``adres`` is
        null when the klant gave none."""
        data: dict = {}
        for name in TEXT_FIELDS:
            value = body.get(name)
            if isinstance(value, str) and value != "":
                data[name] = value
        adres = body.get("adres")
        data["adres"] = _without_empty(adres) or None if isinstance(adres, dict) else None
        subject_type = body.get("subjectType") or None
        data["subjectType"] = subject_type
        identificatie = body.get("subjectIdentificatie")
        if isinstance(identificatie, dict):
            fields = identification_fields(call.api.document)
            if subject_type in fields and not call.fault("KLOK01-C3"):
                identificatie = {
                    k: v for k, v in identificatie.items() if k in fields[subject_type]
                }
            cleaned = _without_empty(identificatie)
            if cleaned:
                data["subjectIdentificatie"] = cleaned
        return data

    async def validate(self, call: Call, action: str, data: dict, old: Stored | None) -> dict:
        if not call.off("request-schema") and not elfproef(data.get("bronorganisatie", "")):
            raise validation_error(
                [
                    InvalidParam(
                        "bronorganisatie", "invalid", "Not a valid RSIN (9 digits, 11-proef)."
                    )
                ]
            )
        if is_aangehaakt(data) and data.get("subjectType") is None:
            raise validation_error(
                [InvalidParam("subjectType", "required", "Identifying data needs a subjectType.")]
            )
        self._check_principles(call, action, data)
        if action == CREATE:
            self._authenticated(call, data, "AUTHN-01")
            if not call.fault("kla-002a"):
                await self._check_subject(call, data.get("subject"))
            data = self._stored_form(call, data)
        else:
            assert old is not None
            self._check_change(call, old.data, data)
            if "subject" in (call.body or {}) and not call.fault("kla-002b"):
                await self._check_subject(call, data.get("subject"))
        if call.fault("CRASH/zelfstandige") and data.get("subjectType") is None:
            # like code that files every klant under its subject type: None has no .lower()
            raise Crash("a klant without subjectType")
        return data

    def _check_principles(self, call: Call, action: str, data: dict) -> None:
        """Faults that make the server stricter than the uitgangspunten allow."""
        if (
            call.fault("KLOK01-Z1")
            and action == CREATE
            and not is_aangehaakt(data)
            and not (data.get("emailadres") or data.get("telefoonnummer"))
        ):
            raise validation_error(
                [
                    InvalidParam(
                        "emailadres",
                        "required",
                        "A klant without identifying data needs an emailadres or telefoonnummer.",
                    )
                ]
            )
        if call.fault("KLUIT-01") and action == CREATE and not data.get("achternaam"):
            raise validation_error([InvalidParam("achternaam", "required", "Required.")])
        adres = data.get("adres") or {}
        if call.fault("KLUIT-02") and adres.get("landcode", "NL") != "NL":
            raise validation_error(
                [InvalidParam("adres.landcode", "invalid", "Only addresses in the Netherlands.")]
            )

    def _check_change(self, call: Call, old: dict, new: dict) -> None:
        """KLOK01-Z2 and KLOK01-C3: what an update may not do to a klant's identity."""
        if not is_aangehaakt(old):
            if is_aangehaakt(new) and not call.fault("KLOK01-Z2"):
                raise _refusal(
                    "wijzigen-niet-toegelaten",
                    "subjectIdentificatie",
                    "Identifying data cannot be added to a zelfstandige klant.",
                    "A zelfstandige klant cannot be made into an aangehaakte klant.",
                )
            return
        if new.get("subjectType") != old.get("subjectType") and not call.fault(
            "KLOK01-C3/subjecttype-change"
        ):
            raise _refusal(
                "wijzigen-niet-toegelaten",
                "subjectType",
                "The subjectType of an aangehaakte klant cannot change.",
                "The subjectType of an aangehaakte klant cannot be changed.",
            )
        if not is_aangehaakt(new):
            raise _refusal(
                "wijzigen-niet-toegelaten",
                "subjectIdentificatie",
                "An aangehaakte klant keeps its identifying data; delete the klant instead.",
                "The identifying data of an aangehaakte klant cannot be removed.",
            )

    async def _check_subject(self, call: Call, subject: str | None) -> None:
        """kla-002: a subject URL, when given and not empty, must answer HTTP 200."""
        if not subject:
            return
        problem = await call.api.url_problem(subject)
        if problem:
            problem = problem.replace("The URL", "The subject URL")
            raise validation_error([InvalidParam("subject", "bad-url", problem)])

    def _stored_form(self, call: Call, data: dict) -> dict:
        """What is stored of a valid klant: all of it, unless a KLOK01 fault loses some."""
        identificatie = data.get("subjectIdentificatie") or {}
        if call.fault("KLOK01-01") and data.get("subjectType") == "vestiging":
            kept = {k: v for k, v in identificatie.items() if k == "vestigingsNummer"}
            data = {**data, "subjectIdentificatie": kept}
        if call.fault("KLOK01-02") and data.get("subjectType") == "natuurlijk_persoon":
            copied = {
                "voornaam": identificatie.get("voornamen"),
                "achternaam": identificatie.get("geslachtsnaam"),
            }
            data = {**data, **{k: v for k, v in copied.items() if v}}
        return data

    # end-user authentication -------------------------------------------------------------

    def check_access(self, call: Call, action: str, stored: Stored) -> None:
        fault = "AUTHN-02" if action in (READ, AUDIT) else "AUTHN-03"
        self._authenticated(call, stored.data, fault)

    def _authenticated(self, call: Call, data: dict, fault: str) -> None:
        """Aangehaakte klanten only for their own end user; zelfstandige ones for anyone."""
        settings = call.settings
        if not settings.enforce_authenticatie:
            return
        authn = authenticatie_of(call.principal)
        if not is_aangehaakt(data):
            if call.fault("AUTHN-04") and authn is None:
                raise ApiError(403, "authenticatie-vereist", "End-user authentication is required.")
        elif not call.fault(fault):
            check_identity(settings, authn, data.get("subjectType"), identity_keys(data))

    def list_condition(self, call: Call, values: dict[str, Any]) -> tuple[str, list[Any]]:
        """Which klanten a list may show: zelfstandige klanten only to a query on their
        klantnummer (KLOK01-Z3), aangehaakte ones only to their own end user."""
        settings = call.settings
        authn = authenticatie_of(call.principal)
        if call.fault("KLOK01-Z3") or values.get("klantnummer"):
            zelfstandig = "aangehaakt = 0"
        else:
            zelfstandig = "0"
        if settings.enforce_authenticatie and call.fault("AUTHN-04") and authn is None:
            zelfstandig = "0"
        if not settings.enforce_authenticatie or call.fault("AUTHN-02"):
            return _either("aangehaakt = 1", zelfstandig), []
        if authn is None or not authn.at_least(settings.min_niveau):
            return zelfstandig, []
        own = f"subject_type = ? AND {key_condition('klant', 'identity')}"
        return _either(own, zelfstandig), [authn.subject_type, authn.identificatie]

    def fetch_list(self, call: Call, values: dict[str, Any], fetch: Any) -> Any:
        """Fault KLOK01-C1b: BSN queries are answered from a cache nothing invalidates."""
        if not (call.fault("KLOK01-C1b") and values.get("subjectNatuurlijkPersoon__inpBsn")):
            return fetch()
        cache = call.api.state.setdefault("klanten.bsn-cache", {})
        key = json.dumps([sorted(call.query), repr(authenticatie_of(call.principal))])
        if key not in cache:
            cache[key] = fetch()
        return cache[key]

    # storage -------------------------------------------------------------------------------

    def columns(self, call: Call, data: dict) -> dict[str, Any]:
        subject_type = data.get("subjectType")
        natuurlijk = subject_type == "natuurlijk_persoon" and not call.fault("KLOK01-C1")
        identificatie = data.get("subjectIdentificatie") or {}
        return {
            "bronorganisatie": data.get("bronorganisatie", ""),
            "klantnummer": None if call.fault("kla-001b") else data.get("klantnummer"),
            "subject_type": subject_type,
            "aangehaakt": int(is_aangehaakt(data)),
            "bsn": identificatie.get("inpBsn") if natuurlijk else None,
            "np_subject": data.get("subject") if natuurlijk else None,
            "identity": identity_keys(data),
        }

    def before_write(
        self,
        call: Call,
        conn: sqlite3.Connection,
        action: str,
        new: Stored | None,
        old: Stored | None,
    ) -> None:
        """Faults that make uniqueness stricter than the standard."""
        if new is None:
            return
        klantnummer = new.data.get("klantnummer")
        if call.fault("kla-001a") and klantnummer:
            found = conn.execute(
                "SELECT 1 FROM klant WHERE json_extract(data, '$.klantnummer') = ? AND uuid != ?",
                (klantnummer, new.uuid),
            ).fetchone()
            if found:
                raise UniqueViolation("klantnummer", "This klantnummer is already in use.")
        nnp = (new.data.get("subjectIdentificatie") or {}).get("innNnpId")
        if call.fault("KLOK01-C2") and new.data.get("subjectType") == "niet_natuurlijk_persoon":
            found = (
                nnp
                and conn.execute(
                    "SELECT 1 FROM klant WHERE bronorganisatie = ? AND uuid != ? AND"
                    " json_extract(data, '$.subjectIdentificatie.innNnpId') = ?",
                    (new.columns["bronorganisatie"], new.uuid, nnp),
                ).fetchone()
            )
            if found:
                raise UniqueViolation("subjectIdentificatie.innNnpId")

    # representation ------------------------------------------------------------------------

    def represent(self, call: Call, stored: Stored) -> dict:
        body = {"url": call.url_of(stored.uuid), **stored.data}
        if call.fault("OAS-02") and body.get("subjectType") is None:
            body["subjectType"] = ""
        return body

    def weergave(self, data: dict) -> str:
        return f"klant {data.get('klantnummer') or '(zonder klantnummer)'}"

    def kenmerken(self, data: dict) -> dict[str, str]:
        return {"subjectType": data.get("subjectType") or ""}


def _identification(subject_type: str, name: str) -> Filter:
    return Filter(f"subjectIdentificatie.{name}", implies={"subject_type": subject_type})


#: klant_list parameters that do not filter on the data path their name spells
FILTERS = {
    "bronorganisatie": Filter(column="bronorganisatie"),
    "subjectType": Filter(column="subject_type"),
    "emailadres": Filter("emailadres", fault="FILTER-01"),
    "adres__woonplaatsNaam": Filter("adres.woonplaatsnaam"),
    "subjectNatuurlijkPersoon__inpBsn": _identification("natuurlijk_persoon", "inpBsn"),
    "subjectNatuurlijkPersoon__anpIdentificatie": _identification(
        "natuurlijk_persoon", "anpIdentificatie"
    ),
    "subjectNatuurlijkPersoon__inpA_nummer": _identification("natuurlijk_persoon", "inpANummer"),
    "subjectNietNatuurlijkPersoon__innNnpId": _identification(
        "niet_natuurlijk_persoon", "innNnpId"
    ),
    "subjectNietNatuurlijkPersoon__annIdentificatie": _identification(
        "niet_natuurlijk_persoon", "annIdentificatie"
    ),
    "subjectVestiging__vestigingsNummer": _identification("vestiging", "vestigingsNummer"),
}

KLANT = Resource(
    name="klant",
    path="/klanten",
    table="klant",
    rules=KlantRules(),
    columns=(
        "bronorganisatie",
        "klantnummer",
        "subject_type",
        "aangehaakt",
        "bsn",
        "np_subject",
    ),
    keys=("identity",),
    unique=(
        Unique(
            ("bronorganisatie", "klantnummer"),
            "klantnummer",
            "This klantnummer is already in use within the bronorganisatie.",
        ),
        Unique(
            ("bronorganisatie", "bsn"),
            "subjectIdentificatie.inpBsn",
            "A klant with this BSN already exists in the bronorganisatie.",
            where="bsn IS NOT NULL",
        ),
        Unique(
            ("bronorganisatie", "np_subject"),
            "subject",
            "A klant for this natuurlijk persoon already exists in the bronorganisatie.",
            where="np_subject IS NOT NULL",
        ),
    ),
    filters=FILTERS,
)
