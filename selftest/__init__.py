"""The project's self-test: the fault kill matrix (needs the harness and the reference server)."""
