"""End-user authentication of the Klanten API (class ``authenticatie``).

The standard says that identifying data may only be registered, provided, changed or deleted
after the end user proved, at a sufficient assurance level, to be (or act for) the person or
organisation it identifies, but not how that proof reaches the API. This server reads the
suite's profile: a JWT claim ``authenticatie`` = ``{"subjectType", "identificatie",
"niveau"}``. A claim of another shape is not an authentication (it is ignored, not refused:
the ZGW tokens of the standard may carry claims of their own).
"""

from __future__ import annotations

from dataclasses import dataclass

from reference_server.config import NIVEAUS, Settings
from reference_server.core.auth import Principal
from reference_server.core.problems import ApiError

SUBJECT_TYPES = ("natuurlijk_persoon", "niet_natuurlijk_persoon", "vestiging")


@dataclass(frozen=True)
class Authenticatie:
    """Who the end user proved to be, and how strongly."""

    subject_type: str
    identificatie: str
    niveau: str

    def at_least(self, minimum: str) -> bool:
        return NIVEAUS.index(self.niveau) >= NIVEAUS.index(minimum)


def authenticatie_of(principal: Principal | None) -> Authenticatie | None:
    """The end-user authentication a token carries, or None (also for a malformed claim)."""
    raw = principal.claims.get("authenticatie") if principal is not None else None
    if not isinstance(raw, dict):
        return None
    subject_type, identificatie, niveau = (
        raw.get("subjectType"),
        raw.get("identificatie"),
        raw.get("niveau"),
    )
    if (
        subject_type not in SUBJECT_TYPES
        or not isinstance(identificatie, str)
        or not identificatie
        or niveau not in NIVEAUS
    ):
        return None
    return Authenticatie(subject_type, identificatie, niveau)


def refuse(code: str, detail: str) -> ApiError:
    return ApiError(403, code, detail)


def check_identity(
    settings: Settings, authn: Authenticatie | None, subject_type: str | None, keys: list[str]
) -> None:
    """Refuse (403) unless ``authn`` is the subject (``subject_type``, one of ``keys``) at
    the required level."""
    if authn is None:
        raise refuse(
            "authenticatie-vereist",
            "This klant has identifying data: end-user authentication is required.",
        )
    if not authn.at_least(settings.min_niveau):
        raise refuse(
            "authenticatie-vereist",
            f"The end-user authentication level is below the required {settings.min_niveau}.",
        )
    if authn.subject_type != subject_type or authn.identificatie not in keys:
        raise refuse(
            "authenticatie-ongeldig",
            "The authenticated end user is not the person or organisation this klant is about.",
        )
