"""The layout DESIGN.md asks for: what vendors run does not depend on the reference server."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEPARATE = ("reference_server", "selftest")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_harness_and_suites_never_import_the_reference_server_or_the_self_test() -> None:
    offenders = {}
    for folder in ("klanten_conformance", "suites"):
        for path in (ROOT / folder).rglob("*.py"):
            found = sorted(n for n in _imports(path) if n.split(".")[0] in SEPARATE)
            if found:
                offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_the_reference_server_keeps_its_own_copies() -> None:
    offenders = {}
    for path in (ROOT / "reference_server").rglob("*.py"):
        found = sorted(n for n in _imports(path) if n.split(".")[0] == "klanten_conformance")
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}
