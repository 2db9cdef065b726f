"""What a klant is: normalising input, its identity (KLOK01) and end-user authentication."""

from __future__ import annotations

from dataclasses import dataclass

from reference_server.auth import Principal
from reference_server.config import Settings
from reference_server.problems import ApiError, InvalidParam, validation_error

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
ADRES_TEXT_FIELDS = (
    "straatnaam",
    "huisletter",
    "huisnummertoevoeging",
    "postcode",
    "woonplaatsnaam",
    "landcode",
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


def normalise(body: dict) -> dict:
    """The stored form of a klant: every given value, empty ones left out.

    ``subjectType`` is always present (null for a zelfstandige klant) and ``adres`` is null
    when the klant gave none.
    """
    data: dict = {}
    for name in TEXT_FIELDS:
        value = body.get(name)
        if isinstance(value, str) and value != "":
            data[name] = value
    adres = body.get("adres")
    data["adres"] = _without_empty(adres) or None if isinstance(adres, dict) else None
    data["subjectType"] = body.get("subjectType") or None
    identificatie = body.get("subjectIdentificatie")
    if isinstance(identificatie, dict):
        cleaned = _without_empty(identificatie)
        if cleaned:
            data["subjectIdentificatie"] = cleaned
    return data


def is_aangehaakt(data: dict) -> bool:
    """A klant with identifying data (subject and/or subjectIdentificatie) is aangehaakt."""
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


def check_identification(settings: Settings, data: dict, known_fields: frozenset[str]) -> None:
    """KLOK01: identifying data needs a subjectType and a number; no mixing of subject types."""
    subject_type = data.get("subjectType")
    if not is_aangehaakt(data):
        if subject_type is not None:
            raise validation_error(
                [
                    InvalidParam(
                        "subjectType",
                        "invalid",
                        "subjectType is only given together with subject or subjectIdentificatie.",
                    )
                ]
            )
        return
    if subject_type is None:
        raise validation_error(
            [InvalidParam("subjectType", "required", "Identifying data needs a subjectType.")]
        )
    identificatie = data.get("subjectIdentificatie") or {}
    if not settings.fault("KLOK01-C3"):
        foreign = sorted(set(identificatie) - known_fields)
        if foreign:
            raise validation_error(
                [
                    InvalidParam(
                        f"subjectIdentificatie.{name}",
                        "invalid",
                        f"Not an identification field of a {subject_type}.",
                    )
                    for name in foreign
                ]
            )
    if not identity_keys(data):
        fields = ", ".join(IDENTITY_FIELDS[subject_type])
        raise validation_error(
            [
                InvalidParam(
                    "subjectIdentificatie",
                    "required",
                    f"Identifying data must hold one of: {fields}, or a subject URL.",
                )
            ]
        )


def check_change(settings: Settings, old: dict, new: dict) -> None:
    """KLOK01-Z2 and KLOK01-C3: what an update may not do to a klant's identity."""
    if not is_aangehaakt(old):
        if is_aangehaakt(new) and not settings.fault("KLOK01-Z2"):
            raise ApiError(
                400,
                "wijzigen-niet-toegelaten",
                "A zelfstandige klant cannot be made into an aangehaakte klant.",
                [
                    InvalidParam(
                        "subjectIdentificatie",
                        "wijzigen-niet-toegelaten",
                        "Identifying data cannot be added to a zelfstandige klant.",
                    )
                ],
            )
        return
    if new.get("subjectType") != old.get("subjectType") and not settings.fault(
        "KLOK01-C3/subjecttype-change"
    ):
        raise ApiError(
            400,
            "wijzigen-niet-toegelaten",
            "The subjectType of an aangehaakte klant cannot be changed.",
            [
                InvalidParam(
                    "subjectType",
                    "wijzigen-niet-toegelaten",
                    "The subjectType of an aangehaakte klant cannot change.",
                )
            ],
        )


@dataclass(frozen=True)
class Authentication:
    """End-user authentication checks (class ``authenticatie``)."""

    settings: Settings

    @property
    def enforced(self) -> bool:
        return self.settings.enforce_authenticatie

    def _matches(self, principal: Principal, data: dict) -> None:
        authn = principal.authenticatie
        if authn is None:
            raise ApiError(
                403,
                "authenticatie-vereist",
                "This klant has identifying data: end-user authentication is required.",
            )
        if not authn.at_least(self.settings.min_niveau):
            raise ApiError(
                403,
                "authenticatie-vereist",
                "The end-user authentication level "
                f"is below the required {self.settings.min_niveau}.",
            )
        if authn.subject_type != data.get("subjectType") or authn.identificatie not in (
            identity_keys(data)
        ):
            raise ApiError(
                403,
                "authenticatie-ongeldig",
                "The authenticated end user is not the person or organisation this klant is about.",
            )

    def _zelfstandig(self, principal: Principal) -> None:
        if self.settings.fault("AUTHN-04") and principal.authenticatie is None:
            raise ApiError(403, "authenticatie-vereist", "End-user authentication is required.")

    def _check(self, principal: Principal, data: dict, fault: str) -> None:
        if not self.enforced:
            return
        if not is_aangehaakt(data):
            self._zelfstandig(principal)
        elif not self.settings.fault(fault):
            self._matches(principal, data)

    def register(self, principal: Principal, data: dict) -> None:
        self._check(principal, data, "AUTHN-01")

    def provide(self, principal: Principal, data: dict) -> None:
        self._check(principal, data, "AUTHN-02")

    def change(self, principal: Principal, data: dict) -> None:
        self._check(principal, data, "AUTHN-03")

    def list_visibility(self, principal: Principal, klantnummer_given: bool) -> tuple[str, list]:
        """SQL condition (and its parameters) for the klanten a list may show (KLOK01-Z3)."""
        if self.settings.fault("KLOK01-Z3") or klantnummer_given:
            zelfstandig = "subject_type IS NULL"
        else:
            zelfstandig = "0"
        if self.enforced and self.settings.fault("AUTHN-04") and principal.authenticatie is None:
            zelfstandig = "0"
        authn = principal.authenticatie
        if not self.enforced or self.settings.fault("AUTHN-02"):
            return f"(subject_type IS NOT NULL OR {zelfstandig})", []
        if authn is None or not authn.at_least(self.settings.min_niveau):
            return zelfstandig, []
        aangehaakt = (
            "(subject_type = ? AND EXISTS (SELECT 1 FROM json_each(klant.identity_keys)"
            " WHERE json_each.value = ?))"
        )
        return f"({aangehaakt} OR {zelfstandig})", [authn.subject_type, authn.identificatie]
