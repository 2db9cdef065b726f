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
