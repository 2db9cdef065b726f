"""The conformance suites against the built-in reference server, run as `klanten-conformance run`.

Each run is a subprocess with its own auto-started reference server; faults are switched on
through the environment the server inherits.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def run(*args: str, faults: str = "", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    if faults:
        env["REFERENCE_SERVER_FAULTS"] = faults
    command = [
        sys.executable,
        "-m",
        "klanten_conformance.cli",
        "run",
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    return subprocess.run(
        [*command, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def verdict(output: str, rule_id: str) -> str | None:
    match = re.search(rf"^  {re.escape(rule_id)}\s+(MUST|SHOULD)\s+(\S+(?: \S+)?)", output, re.M)
    return match.group(2).split(" ")[0] if match else None


def test_every_suite_rule_passes_against_the_reference_server(tmp_path: Path) -> None:
    result = run(cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " failed" not in result.stdout
    for rule_id in ("kla-001a", "FILTER-01", "KLOK01-C1", "KLOK01-Z3", "OAS-02"):
        assert verdict(result.stdout, rule_id) == "pass", rule_id


@pytest.mark.parametrize("rule_id", ["KLOK01-C1", "CACHE-03", "kla-002a"])
def test_a_fault_fails_its_must_rule(rule_id: str) -> None:
    result = run("--rule", rule_id, faults=rule_id)
    assert result.returncode == 1, result.stdout[-6000:]
    assert verdict(result.stdout, rule_id) == "fail"
    assert f"[{rule_id}] expected:" in result.stdout


def test_a_response_off_the_spec_fails_oas_02() -> None:
    result = run("--rule", "KLOK01-Z1", faults="OAS-02")
    assert result.returncode == 1, result.stdout[-6000:]
    assert verdict(result.stdout, "OAS-02") == "fail"
    assert verdict(result.stdout, "KLOK01-Z1") == "pass"


def test_a_failed_should_rule_is_a_warning_not_a_failure() -> None:
    result = run("--rule", "KLOK01-Z3", faults="KLOK01-Z3")
    assert result.returncode == 0, result.stdout[-6000:]
    assert verdict(result.stdout, "KLOK01-Z3") == "warning"


def test_unreachable_target_is_one_clear_error() -> None:
    result = run("--klanten-url", "http://127.0.0.1:9/api", "--client-id", "x", "--secret", "y")
    assert result.returncode == 2
    assert "unreachable" in result.stdout + result.stderr
    assert "passed" not in result.stdout


def test_unknown_rule_selection_is_a_configuration_error() -> None:
    result = run("--rule", "KLOK99")
    assert result.returncode == 2
    assert "KLOK99" in result.stdout + result.stderr


def test_unreachable_target_is_said_once_without_a_traceback(tmp_path: Path) -> None:
    result = run(
        "--klanten-url",
        "http://127.0.0.1:9/api",
        "--client-id",
        "x",
        "--secret",
        "y",
        "--reports-dir",
        str(tmp_path / "reports"),
    )
    output = result.stdout + result.stderr
    lines = [line for line in output.splitlines() if "unreachable" in line]
    assert lines == [
        "ERROR: klanten-conformance: the Klanten API at http://127.0.0.1:9/api is unreachable "
        "(connection refused): check --klanten-url"
    ], output
    assert "Traceback" not in output and "Exit:" not in output
    assert not (tmp_path / "reports").exists()  # no empty or "run error" report left behind


@pytest.mark.parametrize(
    "args",
    [("--rule", "KLOK01-Z1", "-n", "2"), ("-n", "2", "--rule", "KLOK01-Z1")],
    ids=["ours-first", "pytest-first"],
)
def test_options_in_any_order(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 0, result.stdout[-3000:]
    assert verdict(result.stdout, "KLOK01-Z1") == "pass"
    assert re.search(r"^verdict: CONFORMS — \d+ of \d+ MUST rules pass", result.stdout, re.M)


def test_the_end_of_a_run_says_the_verdict_the_reports_and_how_to_rerun() -> None:
    result = run("--rule", "CACHE-03,CACHE-01", faults="CACHE-03")
    lines = result.stdout.splitlines()
    assert any(line.startswith("reports: ") for line in lines)
    assert any(
        re.fullmatch(r"verdict: DOES NOT CONFORM — \d+ of \d+ MUST rules pass, 1 fail", line)
        for line in lines
    ), result.stdout[-2000:]
    assert "rerun only these rules: add --rule CACHE-03 to the same command" in lines
    # the failure shows the rule, the expectation, what came back and the exchange, and no
    # traceback of the test's source
    assert "[CACHE-03] expected:" in result.stdout and "[CACHE-03] received:" in result.stdout
    assert "> If-None-Match:" in result.stdout
    assert "def test_if_none_match" not in result.stdout


def test_verdicts_only_prints_nothing_but_verdicts() -> None:
    result = run("--rule", "CACHE-01,KLOK01-Z3", "--verdicts-only")
    assert result.returncode == 0, result.stdout[-3000:]
    lines = result.stdout.strip().splitlines()
    assert lines and all(len(line.split("\t")) == 3 for line in lines), result.stdout
    assert "CACHE-01\tMUST\tpass" in lines
    assert lines[-1] == "run\t-\tpass"


def test_run_help_shows_our_options_first(tmp_path: Path) -> None:
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0
    text = result.stdout
    assert text.startswith("usage: klanten-conformance run")
    for heading in ("target:", "selection:", "generated requests", "reports and output"):
        assert heading in text
    assert "--targets FILE" in text and "--help-pytest" in text
    assert len(text.splitlines()) < 120
    version = subprocess.run(
        [sys.executable, "-m", "klanten_conformance.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert version.returncode == 0 and version.stdout.startswith("klanten-conformance ")
