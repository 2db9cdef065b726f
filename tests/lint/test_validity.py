"""The fast validity check (jsonschema-rs) and the full one (jsonschema) agree, and linting
imports neither jsonschema nor openapi-spec-validator for a valid document."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from klanten_conformance.lint import validity
from klanten_conformance.lint.loader import Workspace

from .conftest import FIXTURES

pytest.importorskip("jsonschema_rs", reason="jsonschema-rs (the fast validity check) is absent")

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted(p for p in FIXTURES.rglob("*.y*ml")
                   if "crossfile/schemas" not in str(p) and p.name != "bad.yaml")  # no YAML
DOCUMENTS += sorted((ROOT / "specs").glob("*-[0-9]*.yaml"))
DOCUMENTS += sorted((ROOT.parent / "shared" / "specs").glob("*.yaml"))


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_fast_and_full_validators_agree(path):
    root = Workspace().load(str(path)).root
    version = validity.version_of(root)
    if not isinstance(root, dict) or not version.startswith(("3.0", "3.1")):
        pytest.skip(f"{path.name} is no OpenAPI 3.0/3.1 document")
    fast = validity._fast_validator(version).is_valid(root)
    full = not any(True for _ in validity._meta_validator(version).iter_errors(root))
    assert fast == full


def test_a_valid_document_is_linted_without_the_slow_imports():
    script = ("import sys; from klanten_conformance.lint import main; "
              f"main([{str(FIXTURES / 'base.yaml')!r}, '--against', 'none']); "
              "print(sorted(m for m in ('jsonschema', 'openapi_spec_validator', 'requests') "
              "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert done.stdout.strip().splitlines()[-1] == "[]"
