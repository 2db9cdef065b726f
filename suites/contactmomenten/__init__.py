"""Conformance suites for the Contactmomenten API."""
