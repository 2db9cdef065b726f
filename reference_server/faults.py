"""The fault table: every fault switch of every API the reference server serves.

Each API package declares its faults in ``reference_server/<api>/faults.py``; here they are
collected into :data:`FAULTS` (name -> :class:`Fault`), with names unique across APIs. A clean
fault is named after the rule it breaks (``KLOK01-C1``; ``RULE/variant`` where a rule covers
more than one behaviour); a real-world fault has a name of its own (``CRASH/zelfstandige``) and
names its rule in ``rule``. Faults are given in the environment variable
``REFERENCE_SERVER_FAULTS`` (comma separated) or in the config file (``[server] faults``); an
unknown name stops the server at start-up.

Each clean fault is narrow enough that the conformance suites fail its own rule and no other
(the kill matrix, ``klanten-conformance killmatrix``, proves it; allowed exceptions are listed
with their reasons in specs/killmatrix-exceptions.yaml). A real-world fault is shaped like a
defect found in real products; with one on, its own rule fails, and the harness must keep
every unrelated rule from failing with it (the cascade check).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from reference_server.apis import fault_tables
from reference_server.core.faults import CLEAN, CORE_SWITCHES, KINDS, REAL_WORLD, Fault

__all__ = [
    "CLEAN",
    "CORE_SWITCHES",
    "ENV_VAR",
    "FAULTS",
    "KINDS",
    "REAL_WORLD",
    "Fault",
    "UnknownFaultError",
    "faults_from_env",
    "parse_faults",
]

ENV_VAR = "REFERENCE_SERVER_FAULTS"


def _collect() -> dict[str, Fault]:
    faults: dict[str, Fault] = {}
    for package, table in fault_tables().items():
        for fault in table:
            if fault.api != package:
                raise ValueError(f"fault {fault.name} of package {package} says api={fault.api}")
            if fault.name in faults:
                raise ValueError(
                    f"fault name {fault.name} is used by {faults[fault.name].api} and {package}"
                )
            faults[fault.name] = fault
    return faults


#: fault name -> the fault (what it breaks, and how)
FAULTS: dict[str, Fault] = _collect()


class UnknownFaultError(ValueError):
    """Raised for a fault name the reference server does not know."""


def parse_faults(names: Iterable[str]) -> frozenset[str]:
    """Normalise and check fault names; raise :class:`UnknownFaultError` for unknown ones."""
    wanted = {name.strip() for name in names if name and name.strip()}
    unknown = sorted(wanted - FAULTS.keys())
    if unknown:
        known = ", ".join(FAULTS)
        raise UnknownFaultError(f"unknown fault(s): {', '.join(unknown)}; known faults: {known}")
    return frozenset(wanted)


def faults_from_env(environ: dict[str, str] | None = None) -> frozenset[str]:
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    return parse_faults(value.split(","))
