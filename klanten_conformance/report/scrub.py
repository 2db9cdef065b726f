"""Secrets never reach a report: every string written is passed through :func:`scrub`."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from klanten_conformance.http import redact

#: environment variables that may hold secrets of the target (values are scrubbed)
SECRET_ENV_VARS = (
    "KLANTEN_CONFORMANCE_SECRET",
    "KLANTEN_CONFORMANCE_RESTRICTED_SECRET",
    "KLANTEN_CONFORMANCE_TOKEN",
)


def env_secrets() -> list[str]:
    return [os.environ[name] for name in SECRET_ENV_VARS if os.environ.get(name)]


def scrub(value: Any, secrets: Iterable[str]) -> Any:
    """``value`` (str, or lists/dicts of them) with secrets and JWTs replaced by a marker."""
    secrets = tuple(s for s in secrets if s)
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {scrub(k, secrets): scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, secrets) for v in value]
    return value
