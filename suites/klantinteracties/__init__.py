"""Conformance suites for the Klantinteracties API."""
