"""The API packages the reference server serves.

Every subpackage of ``reference_server`` other than ``core`` is an API package: it has a
``faults`` module (``FAULTS``, a tuple of :class:`~reference_server.core.faults.Fault`) and an
``api`` module (``API``, an :class:`~reference_server.core.api.ApiDefinition`). Adding an API is
adding such a package; nothing here changes. The fault tables are read without importing the
rest of a package, so the configuration can check fault names cheaply.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reference_server.core.api import ApiDefinition
    from reference_server.core.faults import Fault

_ROOT = Path(__file__).resolve().parent
_NOT_APIS = frozenset({"core"})


@functools.cache
def package_names() -> tuple[str, ...]:
    """Names of the API packages, sorted."""
    return tuple(
        sorted(
            info.name
            for info in pkgutil.iter_modules([str(_ROOT)])
            if info.ispkg and info.name not in _NOT_APIS
        )
    )


@functools.cache
def fault_tables() -> dict[str, tuple[Fault, ...]]:
    """API package name -> its fault table."""
    tables = {}
    for name in package_names():
        module = importlib.import_module(f"reference_server.{name}.faults")
        tables[name] = tuple(module.FAULTS)
    return tables


@functools.cache
def definitions() -> tuple[ApiDefinition, ...]:
    """The definition of every API package, in package order."""
    return tuple(
        importlib.import_module(f"reference_server.{name}.api").API for name in package_names()
    )


def all_scopes() -> frozenset[str]:
    """Every scope an API package declares (valid in ``[[clients]]``)."""
    return frozenset().union(*(api.scopes for api in definitions()))
