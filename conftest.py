"""Root conftest: registers the conformance harness plugin and nothing else."""
