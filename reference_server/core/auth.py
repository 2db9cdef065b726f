"""Authentication of API clients: ZGW JWTs with scopes, or static ``Token`` keys.

Every failure is a 403 ``not_authenticated`` problem (as the ZGW reference implementations
answer); a missing scope is a 403 ``permission_denied``.
"""

from __future__ import annotations

import hmac
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import jwt

from reference_server.config import Settings
from reference_server.core.problems import ApiError, Crash

LEEWAY_SECONDS = 60
#: verified tokens kept (a client sends the same token many times)
TOKEN_CACHE_SIZE = 4096
#: claims whose check depends on the time or the audience: tokens with them are not cached
_TIMED_CLAIMS = ("exp", "nbf", "aud")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the client, the user the client acts for, and the token's claims."""

    client_id: str
    user_id: str = ""
    user_representation: str = ""
    claims: dict[str, Any] = field(default_factory=dict)
    #: scopes of a JWT client; None for a Token key (a key may use every operation)
    scopes: frozenset[str] | None = None


def refuse(detail: str) -> ApiError:
    return ApiError(403, "not_authenticated", detail)


def _credentials(header: str | None, scheme: str, what: str) -> str:
    if not header:
        raise refuse("No Authorization header was sent.")
    given, _, credentials = header.partition(" ")
    if given.lower() != scheme.lower() or not credentials.strip():
        raise refuse(f"The Authorization header must be '{scheme} <{what}>'.")
    return credentials.strip()


class JwtAuthentication:
    """ZGW JWTs (HS256) of the ``[[clients]]``, with the scopes each operation requires."""

    def __init__(self, settings: Settings, off: frozenset[str]) -> None:
        self.settings = settings
        self.verify_signature = "jwt-signature" not in off
        self.verify_claims = "token-claims" not in off
        self.crash_on_claims = "token-claims-crash" in off
        self.check_scopes = "scopes" not in off
        self._verified_tokens: dict[str, Principal] = {}

    def authenticate(self, header: str | None) -> Principal:
        token = _credentials(header, "Bearer", "JWT")
        known = self._verified_tokens.get(token)
        if known is not None:
            return known
        principal, cacheable = self._authenticate(token)
        if cacheable:
            if len(self._verified_tokens) >= TOKEN_CACHE_SIZE:
                self._verified_tokens.clear()
            self._verified_tokens[token] = principal
        return principal

    def _authenticate(self, token: str) -> tuple[Principal, bool]:
        """The principal of a token, and whether its verification holds for good (a token
        without exp, nbf and aud: its signature and iat do not stop being valid)."""
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise refuse("The token is not a well-formed JWT.") from None
        client_id = unverified.get("client_id") or unverified.get("iss")
        client = self.settings.clients.get(client_id) if isinstance(client_id, str) else None
        if client is None:
            raise refuse("The token names no known client_id.")
        if self.crash_on_claims:
            _crash_on_unusual_claims(unverified)
        claims = self._verified(token, client.secret)
        principal = Principal(
            client_id=client.client_id,
            user_id=str(claims.get("user_id") or ""),
            user_representation=str(claims.get("user_representation") or ""),
            claims=claims,
            scopes=client.scopes,
        )
        return principal, not any(name in claims for name in _TIMED_CLAIMS)

    def _verified(self, token: str, secret: str) -> dict:
        options = {
            "verify_signature": self.verify_signature,
            "verify_exp": self.verify_claims,
            "verify_nbf": self.verify_claims,
            "verify_iat": self.verify_claims,
            "verify_aud": self.verify_claims,
        }
        try:
            with warnings.catch_warnings():
                # short secrets are the operator's choice; PyJWT's advice is not for every request
                warnings.simplefilter("ignore")
                return jwt.decode(
                    token, secret, algorithms=["HS256"], options=options, leeway=LEEWAY_SECONDS
                )
        except jwt.ExpiredSignatureError:
            raise refuse("The token has expired.") from None
        except jwt.ImmatureSignatureError:
            raise refuse("The token is not valid yet.") from None
        except jwt.InvalidAudienceError:
            raise refuse("Tokens with an audience are not accepted.") from None
        except jwt.PyJWTError:
            raise refuse("The token signature or claims are invalid.") from None

    def authorise(self, principal: Principal, scopes: tuple[str, ...]) -> None:
        if not self.check_scopes or principal.scopes is None:
            return
        missing = [scope for scope in scopes if scope not in principal.scopes]
        if missing:
            raise ApiError(
                403, "permission_denied", f"This operation requires scope {', '.join(missing)}."
            )


def _crash_on_unusual_claims(claims: dict) -> None:
    """Fault CRASH/token-claims: the claim checks of a hand-written token parser that
    compares ``exp``/``nbf`` as if they were strings and trips over ``aud``."""
    now = time.time()
    expired = isinstance(claims.get("exp"), int | float) and claims["exp"] < now
    early = isinstance(claims.get("nbf"), int | float) and claims["nbf"] > now
    if expired or early or "aud" in claims:
        raise Crash(f"token claim check failed on {sorted(claims)}")


class TokenAuthentication:
    """``Authorization: Token <key>`` with the keys of ``[[tokens]]``; no scopes."""

    def __init__(self, settings: Settings, off: frozenset[str]) -> None:
        self.settings = settings
        self.any_scheme = "token-scheme" in off
        self.crash_on_bytes = "token-header-crash" in off

    def authenticate(self, header: str | None) -> Principal:
        if self.crash_on_bytes and header and not header.isascii():
            raise Crash("the key is compared as ASCII")
        if self.any_scheme and header and header.split():
            key = header.split()[-1].encode()  # fault: the scheme is not looked at
        else:
            key = _credentials(header, "Token", "key").encode()
        token = next(
            (t for k, t in self.settings.tokens.items() if hmac.compare_digest(k.encode(), key)),
            None,
        )
        if token is None:
            raise refuse("This token key is not known.")
        name = token.name or "token"
        return Principal(client_id=name, user_id=name, user_representation=name)

    def authorise(self, principal: Principal, scopes: tuple[str, ...]) -> None:
        return None
