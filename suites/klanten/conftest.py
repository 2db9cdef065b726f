"""Fixtures of the Klanten API suites."""

from klanten_conformance.harness.plugin import client_fixture

klanten = client_fixture("klanten")
