"""The API registry: what the harness knows about each API of the standard.

One module per API (``klanten.py``, later ``contactmomenten.py``, ``klantinteracties.py``)
defines an :class:`ApiDefinition` and registers it. Adding an API is adding files: a module
here, ``suites/<api>/``, its rules in ``specs/rules/<api>.yaml`` and a package in the
reference server. Importing this package is cheap: the API modules are imported on first use.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from klanten_conformance.harness.client import ApiClient

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
SUITES = ROOT / "suites"

#: API id -> module defining it; the order is the order of reports
MODULES = {
    "klanten": "klanten_conformance.apis.klanten",
    "contactmomenten": "klanten_conformance.apis.contactmomenten",
    "klantinteracties": "klanten_conformance.apis.klantinteracties",
}

#: aspects of the generated ``oas`` class, each judged under one rule of the API's catalogue
OAS_ASPECTS = (
    "implemented",  # every operation answers a valid request with a documented success
    "conforms",  # responses to valid requests match the operation's response
    "problem",  # error bodies have the problem shape
    "problem-media",  # error responses are application/problem+json
    "robust",  # invalid input is refused with a 4xx; nothing gets a 5xx
    "api-version",  # every response carries API-version
    "pagination",  # lists are paginated as the spec says
    "published",  # the published document declares nothing beyond the standard
    "sub-resources",  # a sub-resource shows only its own parent's entries (none of another's)
    "not-found",  # a resource that does not exist (unknown or malformed id) is 404
    "stateful",  # each stateful step (sequence, state machine) answers the status it must
    "filters",  # a filter value that matches nothing gives an empty list, an invalid one a
    # 400 naming it; an undeclared query parameter is ignored or refused (400 naming it)
)


@dataclass(frozen=True)
class ApiDefinition:
    """One API of the standard, as the harness tests it."""

    id: str
    title: str
    #: our OpenAPI document of the API (interface-identical to the standard's)
    spec: Path
    #: where the built-in reference server serves it
    base_path: str
    #: ``zgw`` (a ZGW JWT as bearer token, scopes per operation) or ``token`` (an API key)
    auth: str
    #: the list operation the preflight calls: (path relative to the base URL, query)
    preflight: tuple[str, Callable[[], dict[str, str]]]
    #: aspect of the generated ``oas`` class -> the rule id it is judged under
    oas_rules: Mapping[str, str]
    #: the pytest fixture of the API's client (``suites/<api>/conftest.py`` defines it)
    fixture: str
    #: ``module:Class`` of the API's client (a subclass of harness.client.ApiClient)
    client: str
    #: module with what the generated ``oas`` class needs of this API: ``steering(client,
    #: harness)``, ``valid_request(client, operation_id)`` (see generated/oas_class.py); it may
    #: add ``SEQUENCE`` (the stateful sequence: (operationId, status) steps on what earlier
    #: steps created) and ``LINKS`` (the links of schemathesis's state machine), used when
    #: its steering has ``follow(case, operation_id, created)``, ``created`` mapping the
    #: operationId of each create so far to the representation it answered (see
    #: generated/stateful.py)
    generated: str = ""
    #: regular expression of the API-version header the API's version answers with
    version: str = r"\d+\.\d+(\.\d+)?\S*"
    #: the notification kanaal of the API, if it publishes notifications
    kanaal: str | None = None
    #: the scopes of every operation (operationId -> scopes), read from the spec
    scopes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: rules covering the behaviour an arrange step relies on (operationId -> rule id)
    covering: Mapping[str, str] = field(default_factory=dict)
    #: APIs of the same profile this API's suites use (a fault of one of them may show in
    #: this API's rules too: the kill matrix runs them together)
    uses: tuple[str, ...] = ()

    @property
    def url_option(self) -> str:
        return f"--{self.id}-url"

    @property
    def url_dest(self) -> str:
        return f"{self.id}_url"

    def client_class(self) -> type[ApiClient]:
        module, _, name = self.client.partition(":")
        return getattr(importlib.import_module(module), name)

    def rule(self, aspect: str) -> str | None:
        return self.oas_rules.get(aspect)

    def generated_module(self) -> Any:
        return importlib.import_module(self.generated)


_REGISTRY: dict[str, ApiDefinition] = {}


def register(definition: ApiDefinition) -> ApiDefinition:
    _REGISTRY[definition.id] = definition
    return definition


def get(api_id: str) -> ApiDefinition:
    if api_id not in _REGISTRY:
        if api_id not in MODULES:
            known = ", ".join(MODULES)
            raise KeyError(f"unknown API {api_id!r} (known: {known})")
        importlib.import_module(MODULES[api_id])
    return _REGISTRY[api_id]


def known() -> list[str]:
    """Ids of the APIs the harness can test, in report order."""
    return list(MODULES)


def all_definitions() -> list[ApiDefinition]:
    return [get(api_id) for api_id in MODULES]


def for_rule(rule: Any) -> ApiDefinition | None:
    """The API a catalogue rule is about (None for lint rules or an API without a suite)."""
    return get(rule.api) if rule.api in MODULES else None


@functools.cache
def operation_scopes(spec: Path) -> dict[str, tuple[str, ...]]:
    """operationId -> the scopes it requires (``x-scopes`` of our documents)."""
    from klanten_conformance.oas import spec_document

    scopes: dict[str, tuple[str, ...]] = {}
    for item in spec_document(spec)["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                scopes[operation["operationId"]] = tuple(operation.get("x-scopes") or ())
    return scopes
