"""ZGW-style JWTs (HS256) for authenticating the suite against a target."""

from __future__ import annotations

import time
import warnings
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

SUBJECT_TYPES = ("natuurlijk_persoon", "niet_natuurlijk_persoon", "vestiging")
NIVEAUS = ("laag", "substantieel", "hoog")


def authenticatie_claim(
    subject_type: str, identificatie: str, niveau: str = "substantieel"
) -> dict[str, str]:
    """Build the suite's end-user authentication claim (see the `authenticatie` class)."""
    if subject_type not in SUBJECT_TYPES:
        raise ValueError(f"unknown subjectType {subject_type!r}, expected one of {SUBJECT_TYPES}")
    if niveau not in NIVEAUS:
        raise ValueError(f"unknown niveau {niveau!r}, expected one of {NIVEAUS}")
    return {"subjectType": subject_type, "identificatie": identificatie, "niveau": niveau}


def make_token(
    client_id: str,
    secret: str,
    *,
    user_id: str = "klanten-conformance",
    user_representation: str = "Klanten conformance suite",
    authenticatie: dict[str, Any] | None = None,
    extra_claims: dict[str, Any] | None = None,
    now: int | None = None,
) -> str:
    """Sign a ZGW JWT with HS256; `extra_claims` are applied last and may override."""
    claims: dict[str, Any] = {
        "iss": client_id,
        "iat": int(time.time()) if now is None else now,
        "client_id": client_id,
        "user_id": user_id,
        "user_representation": user_representation,
    }
    if authenticatie is not None:
        claims["authenticatie"] = authenticatie
    if extra_claims:
        claims.update(extra_claims)
    with warnings.catch_warnings():
        # Targets choose their own secrets; a short one is theirs to fix, not a suite warning.
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "JWT"})
