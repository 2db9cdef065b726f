"""Conformance suites for the Klanten API."""
