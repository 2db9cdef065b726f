"""The report plugin in a pytest run of its own (pytester): verdicts, evidence, files."""

from __future__ import annotations

import json

import pytest

from klanten_conformance.harness.context import REPORTS_DIR_ENV, RUN_ID_ENV

pytest_plugins = ["pytester"]

SUITE = """
import pytest
from klanten_conformance.checks import Blocked, ConformanceFailure

@pytest.mark.rule("kla-001a")
def test_passes():
    pass

@pytest.mark.rule("kla-001b")
def test_conformance_failure():
    raise ConformanceFailure("kla-001b", "HTTP 400 unique", "HTTP 201", "> POST /klanten\\n< 201")

@pytest.mark.rule("KLOK01-Z3")
def test_should_rule_fails():
    raise ConformanceFailure("KLOK01-Z3", "not listed", "listed")

@pytest.mark.rule("NOTIF-01")
def test_not_applicable():
    pytest.skip("the target does not post notifications")

@pytest.fixture
def broken():
    raise RuntimeError("fixture broke")

@pytest.mark.rule("LIFE-01")
def test_setup_error(broken):
    pass

@pytest.mark.rule("CACHE-01")
def test_blocked():
    raise Blocked("creating a klant", "HTTP 500", ["KLOK01-Z1"], "> POST /klanten\\n< 500")
"""


@pytest.mark.slow
def test_plugin_writes_verdicts_and_evidence(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = pytester.path / "out"
    monkeypatch.setenv(REPORTS_DIR_ENV, str(reports))
    monkeypatch.setenv(RUN_ID_ENV, "the-run")
    monkeypatch.delenv("REFERENCE_SERVER_FAULTS", raising=False)
    pytester.makepyfile(test_suite=SUITE)
    rules = "kla-001a,kla-001b,KLOK01-Z3,NOTIF-01,LIFE-01,CACHE-01"
    result = pytester.runpytest_subprocess(
        "-p", "klanten_conformance.harness.plugin", "-p", "no:cacheprovider", "--rule", rules
    )
    assert result.ret == 1
    run_dir = reports / "the-run"
    assert {"conformance.json", "conformance.html", "badge.json", "junit.xml"} <= {
        p.name for p in run_dir.iterdir()
    }
    data = json.loads((run_dir / "conformance.json").read_text())
    rules_by_id = {r["id"]: r for c in data["classes"] for r in c["rules"]}
    assert rules_by_id["kla-001a"]["verdict"] == "pass"
    failed = rules_by_id["kla-001b"]
    assert failed["verdict"] == "fail"
    assert failed["failures"][0]["expected"] == "HTTP 400 unique"
    assert failed["failures"][0]["evidence"] == "> POST /klanten\n< 201"
    assert rules_by_id["KLOK01-Z3"]["verdict"] == "warning"
    assert rules_by_id["NOTIF-01"]["verdict"] == "not applicable"
    assert rules_by_id["NOTIF-01"]["reason"] == "the target does not post notifications"
    broken = rules_by_id["LIFE-01"]
    assert broken["verdict"] == "inconclusive"  # an error arranging the check is no verdict
    assert "fixture broke" in broken["blocked"][0]["received"]
    blocked = rules_by_id["CACHE-01"]
    assert blocked["verdict"] == "inconclusive"
    assert blocked["blocked"][0]["covering"] == ["KLOK01-Z1"]
    assert "creating a klant: HTTP 500 — see KLOK01-Z1" in blocked["reason"]
    assert rules_by_id["kla-001c"]["reason"] == "not selected in this run"
    assert data["selection"]["rules"] == sorted(rules.split(","))
    result.stdout.fnmatch_lines([f"reports: {run_dir}", "verdict: DOES NOT CONFORM*"])
    junit = (run_dir / "junit.xml").read_text()
    assert 'type="blocked"' in junit and 'type="fail"' in junit
