"""Harness for the Klanten API conformance suite."""

__version__ = "0.1.0"
