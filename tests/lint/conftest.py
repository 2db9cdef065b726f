"""Helpers for the linter tests: lint a fixture and get its findings as dicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from klanten_conformance.lint import Workspace, lint

FIXTURES = Path(__file__).parent / "fixtures"


def run_lint(name: str, against: str | None = None) -> list[dict]:
    ws = Workspace()
    spec = ws.load(str(FIXTURES / name), name)
    standard = ws.load(str(FIXTURES / against), against) if against else None
    return [f.as_dict() for f in lint(ws, spec, standard)]


@pytest.fixture
def findings():
    return run_lint


def ids_at(found: list[dict], rule: str) -> set[str]:
    """The pointers at which `rule` fired."""
    return {f["pointer"] for f in found if f["rule"] == rule}
