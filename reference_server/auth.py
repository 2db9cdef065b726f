"""ZGW JWT authorisation and the end-user authentication claim."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import jwt

from reference_server.config import NIVEAUS, Client, Settings
from reference_server.problems import ApiError

SUBJECT_TYPES = ("natuurlijk_persoon", "niet_natuurlijk_persoon", "vestiging")
LEEWAY_SECONDS = 60


@dataclass(frozen=True)
class Authenticatie:
    """Who the end user proved to be, and how strongly (the suite's claim profile)."""

    subject_type: str
    identificatie: str
    niveau: str

    def at_least(self, minimum: str) -> bool:
        return NIVEAUS.index(self.niveau) >= NIVEAUS.index(minimum)


@dataclass(frozen=True)
class Principal:
    client: Client
    user_id: str
    user_representation: str
    authenticatie: Authenticatie | None


def _refuse(detail: str) -> ApiError:
    return ApiError(403, "not_authenticated", detail)


def _parse_authenticatie(raw: object) -> Authenticatie | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _refuse("The authenticatie claim must be an object.")
    subject_type, identificatie, niveau = (
        raw.get("subjectType"),
        raw.get("identificatie"),
        raw.get("niveau"),
    )
    if subject_type not in SUBJECT_TYPES:
        raise _refuse("The authenticatie claim has no valid subjectType.")
    if not isinstance(identificatie, str) or not identificatie:
        raise _refuse("The authenticatie claim has no identificatie.")
    if niveau not in NIVEAUS:
        raise _refuse("The authenticatie claim has no valid niveau.")
    return Authenticatie(subject_type, identificatie, niveau)


def _token_from_header(header: str | None) -> str:
    if not header:
        raise _refuse("No Authorization header was sent.")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _refuse("The Authorization header must be 'Bearer <JWT>'.")
    return token.strip()


def authenticate(settings: Settings, header: str | None) -> Principal:
    """Check the bearer token; any problem is a 403 ``not_authenticated``."""
    token = _token_from_header(header)
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise _refuse("The token is not a well-formed JWT.") from None
    client_id = unverified.get("client_id") or unverified.get("iss")
    client = settings.clients.get(client_id) if isinstance(client_id, str) else None
    if client is None:
        raise _refuse("The token names no known client_id.")
    claims = _verified_claims(settings, token, client)
    return Principal(
        client=client,
        user_id=str(claims.get("user_id") or ""),
        user_representation=str(claims.get("user_representation") or ""),
        authenticatie=_parse_authenticatie(claims.get("authenticatie")),
    )


def _verified_claims(settings: Settings, token: str, client: Client) -> dict:
    check_times = not settings.fault("AUTH-03")
    options = {
        # AUTH-01 fault: the signature is not verified; the claims still are
        "verify_signature": not settings.fault("AUTH-01"),
        "verify_exp": check_times,
        "verify_nbf": check_times,
        "verify_iat": check_times,
        "verify_aud": check_times,
    }
    try:
        with warnings.catch_warnings():
            # short secrets are the operator's choice; PyJWT's advice is not for every request
            warnings.simplefilter("ignore")
            return jwt.decode(
                token, client.secret, algorithms=["HS256"], options=options, leeway=LEEWAY_SECONDS
            )
    except jwt.ExpiredSignatureError:
        raise _refuse("The token has expired.") from None
    except jwt.ImmatureSignatureError:
        raise _refuse("The token is not valid yet.") from None
    except jwt.InvalidAudienceError:
        raise _refuse("Tokens with an audience are not accepted.") from None
    except jwt.PyJWTError:
        raise _refuse("The token signature or claims are invalid.") from None


def require_scope(settings: Settings, principal: Principal, scope: str) -> None:
    if settings.fault("AUTH-02"):
        return
    if scope not in principal.client.scopes:
        raise ApiError(403, "permission_denied", f"This operation requires scope {scope}.")
