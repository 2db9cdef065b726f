"""The conformance harness: run context, targets, clients, test data, stubs and verdicts."""
