"""Fixtures of the Contactmomenten API suites."""

from klanten_conformance.harness.plugin import client_fixture

contactmomenten = client_fixture("contactmomenten")
