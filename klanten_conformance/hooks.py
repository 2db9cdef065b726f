"""Hooks a vendor implements to adapt the harness to its implementation.

The standard does not say how the end user's authentication reaches the Klanten API. By
default the harness puts it in the JWT claim ``authenticatie``; a plugin (a ``conftest.py``,
a module loaded with ``-p``, or an installed ``pytest11`` entry point) implementing
:func:`pytest_klanten_authenticatie` replaces that. See docs/authenticatie-hook.md.

Only hook specifications are defined at module level here (pytest reads every ``pytest_*``
name of this module as one); the helper the fixtures use is :func:`conveyance`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

AUTHENTICATIE_CLAIM = "authenticatie"


@pytest.hookspec(firstresult=True)
def pytest_klanten_authenticatie(
    config: pytest.Config, subject_type: str, identificatie: str, niveau: str
) -> Mapping[str, Any] | None:
    """Convey that the end user is authenticated as ``identificatie`` at ``niveau``.

    Called for every request the suites make on behalf of an authenticated end user:
    ``subject_type`` is ``natuurlijk_persoon``, ``niet_natuurlijk_persoon`` or ``vestiging``;
    ``identificatie`` the BSN, RSIN/``innNnpId``, ``vestigingsNummer`` (or another
    identification number of the klant); ``niveau`` the eIDAS level ``laag``,
    ``substantieel`` or ``hoog``.

    Return a mapping with any of:

    - ``"headers"``: extra HTTP request headers (``Authorization`` is the harness's own);
    - ``"claims"``: extra claims for the harness's ZGW JWT (they may override its claims).

    The built-in ``authenticatie`` claim is then not sent. Return ``None`` to leave the
    request to the next implementation, or to the built-in claim when there is none.
    """


@dataclass(frozen=True)
class Conveyance:
    """How one end-user authentication travels with a request: headers and token claims."""

    headers: dict[str, str] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)


def builtin(authn: Mapping[str, str]) -> Conveyance:
    """The suite's own profile: the claim ``authenticatie`` in the JWT."""
    return Conveyance(claims={AUTHENTICATIE_CLAIM: dict(authn)})


def conveyance(config: pytest.Config | None, authn: Mapping[str, str]) -> Conveyance:
    """How ``authn`` (``subjectType``, ``identificatie``, ``niveau``) is sent to the target.

    A plugin implementing :func:`pytest_klanten_authenticatie` decides; without one (or when
    every implementation returns ``None``) the built-in claim is used.
    """
    if config is None:
        return builtin(authn)
    result = config.hook.pytest_klanten_authenticatie(
        config=config,
        subject_type=authn["subjectType"],
        identificatie=authn["identificatie"],
        niveau=authn["niveau"],
    )
    if result is None:
        return builtin(authn)
    return _checked(result)


def _checked(result: Any) -> Conveyance:
    if not isinstance(result, Mapping):
        raise TypeError(
            "pytest_klanten_authenticatie must return a mapping with 'headers' and/or 'claims' "
            f"or None, not {type(result).__name__}"
        )
    unknown = sorted(set(result) - {"headers", "claims"})
    if unknown:
        raise TypeError(f"pytest_klanten_authenticatie returned unknown key(s): {unknown}")
    headers = result.get("headers") or {}
    claims = result.get("claims") or {}
    if not isinstance(headers, Mapping) or not isinstance(claims, Mapping):
        raise TypeError("pytest_klanten_authenticatie: 'headers' and 'claims' must be mappings")
    if any(str(name).lower() == "authorization" for name in headers):
        raise TypeError(
            "pytest_klanten_authenticatie may not set the Authorization header; "
            "return 'claims' to add to the harness's JWT instead"
        )
    return Conveyance(
        headers={str(k): str(v) for k, v in headers.items()},
        claims=dict(claims),
    )
