"""Helpers for the linter tests: lint a fixture and get its findings as dicts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from klanten_conformance.lint import Workspace, lint
from klanten_conformance.lint import reference as ref

FIXTURES = Path(__file__).parent / "fixtures"
OUR_KLANTEN = Path(__file__).resolve().parents[2] / "specs" / "klanten-1.0.yaml"


def run_lint(name: str, against: str | None = None) -> list[dict]:
    ws = Workspace()
    spec = ws.load(str(FIXTURES / name), name)
    standard = ws.load(str(FIXTURES / against), against) if against else None
    return [f.as_dict() for f in lint(ws, spec, standard)]


def lint_auto(path: Path) -> list[dict]:
    """Lint without --against: compared with our reference for the declared standard."""
    ws = Workspace()
    spec = ws.load(str(path))
    return [f.as_dict() for f in lint(ws, spec, ref.chosen(ws, spec))]


def variant(folder: Path, change: Callable[[dict], None], of: Path = OUR_KLANTEN) -> Path:
    """A copy of a document (by default our Klanten reference) with one change made to it."""
    doc = yaml.safe_load(of.read_text(encoding="utf-8"))
    change(doc)
    path = folder / f"variant-{of.stem}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def findings():
    return run_lint


def ids_at(found: list[dict], rule: str) -> set[str]:
    """The pointers at which `rule` fired."""
    return {f["pointer"] for f in found if f["rule"] == rule}


@pytest.fixture(autouse=True)
def _own_cache_folder(tmp_path_factory, monkeypatch):
    """Reference parses are cached on disk: in a folder of the test run, not the user's."""
    monkeypatch.setenv("KLANTEN_CONFORMANCE_CACHE", str(tmp_path_factory.mktemp("lint-cache")))
