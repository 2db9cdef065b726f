"""Fixtures of the Klantinteracties API suites."""

from typing import Any

import pytest

from klanten_conformance.harness.plugin import client_fixture

klantinteracties = client_fixture("klantinteracties")


@pytest.fixture
def ki(klantinteracties: Any) -> Any:
    """The client of the Klantinteracties API, by its short name."""
    return klantinteracties
