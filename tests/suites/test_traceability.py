"""Traceability: every rule has a suite test or a reason, and every suite test names real rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from klanten_conformance.rules import load_catalogue

ROOT = Path(__file__).resolve().parents[2]
_DUMP_PLUGIN = """
import json, os, pytest
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    # before the harness deselects the tests of other profiles than the run's
    rows = {
        item.nodeid: [a for m in item.iter_markers("rule") for a in m.args]
        for item in items
    }
    with open(os.environ["KLANTEN_TRACE_OUT"], "w") as fh:
        json.dump(rows, fh)
"""


@pytest.fixture(scope="module")
def suite_rules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """node id -> rule ids of every collected suite test (pytest --collect-only)."""
    folder = tmp_path_factory.mktemp("trace")
    (folder / "klanten_trace_dump.py").write_text(_DUMP_PLUGIN, encoding="utf-8")
    out = folder / "rules.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")]),
        "KLANTEN_TRACE_OUT": str(out),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "suites",
            "--collect-only",
            "-q",
            "-p",
            "klanten_trace_dump",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


def test_every_suite_test_names_existing_rules(suite_rules: dict[str, list[str]]) -> None:
    catalogue = load_catalogue()
    assert suite_rules, "no suite tests were collected"
    unmarked = [node for node, ids in suite_rules.items() if not ids]
    unknown = [
        (node, i) for node, ids in suite_rules.items() for i in ids if i not in catalogue.rules
    ]
    assert not unmarked, f"suite tests without a rule marker: {unmarked}"
    assert not unknown, f"suite tests naming unknown rules: {unknown}"


def test_every_rule_has_a_test_or_a_reason(suite_rules: dict[str, list[str]]) -> None:
    catalogue = load_catalogue()
    tested = {rule_id for ids in suite_rules.values() for rule_id in ids}
    missing = [
        rule.id
        for rule in catalogue.rules.values()
        if rule.rule_class != "lint" and rule.id not in tested and not rule.not_tested_reason
    ]
    assert not missing, f"rules without a suite test or a not_tested_reason: {missing}"


def test_a_rule_with_a_reason_has_no_test(suite_rules: dict[str, list[str]]) -> None:
    """A not_tested_reason is removed once the rule gets a test (the summary would lie)."""
    catalogue = load_catalogue()
    tested = {rule_id for ids in suite_rules.values() for rule_id in ids}
    stale = [r.id for r in catalogue.rules.values() if r.not_tested_reason and r.id in tested]
    assert not stale, f"rules with a test and a not_tested_reason: {stale}"


def test_every_oas_rule_has_a_test(suite_rules: dict[str, list[str]]) -> None:
    tested = {rule_id for ids in suite_rules.values() for rule_id in ids}
    assert {f"OAS-0{n}" for n in range(1, 9)} <= tested
