"""Fixtures of the Klantinteracties API suites."""

from collections.abc import Iterator
from typing import Any

import pytest

from klanten_conformance import apis
from klanten_conformance.checks import Blocked
from klanten_conformance.harness.client import EXCHANGES, ApiClient
from klanten_conformance.harness.plugin import client_fixture
from klanten_conformance.harness.targets import TargetError

klantinteracties = client_fixture("klantinteracties")

#: why the ki-migratie checks are skipped in a run without the migration source
NO_SOURCE = (
    "no Klanten 1.0 target given: give --klanten-url (with --client-id and --secret) beside "
    "--klantinteracties-url to compare the klanten of the product with its partijen"
)


@pytest.fixture
def ki(klantinteracties: Any) -> Any:
    """The client of the Klantinteracties API, by its short name."""
    return klantinteracties


@pytest.fixture
def migratiebron(harness: Any, request: pytest.FixtureRequest) -> Iterator[ApiClient]:
    """A plain client of the run's migration source (the Klanten 1.0 target), for GET requests
    only; the check is skipped, with the reason, when the run has none."""
    source = harness.context.migration_source
    if source is None:
        pytest.skip(NO_SOURCE)
    definition = apis.get(source)
    try:
        target = harness.source(source)
    except TargetError as exc:
        raise Blocked(f"reaching the {definition.title} (migration source)", str(exc)) from None
    client = ApiClient(definition, target, harness.context, node=request.node)
    request.node.stash.setdefault(EXCHANGES, []).append(client.http.exchanges)
    yield client
