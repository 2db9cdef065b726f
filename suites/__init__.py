"""The conformance suites: one folder per API, one module per conformance class."""
