"""Root conftest: registers the conformance harness plugin and nothing else."""

pytest_plugins = ["klanten_conformance.harness.plugin"]
