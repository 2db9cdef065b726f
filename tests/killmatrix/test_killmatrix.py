"""The fault kill matrix: every check can fail, on the right rule.

The slow test runs `klanten-conformance killmatrix` over every fault switch of the reference
server and asserts a kill rate of 100% (each fault fails its own rule, or warns for a SHOULD
rule) and specificity (no other rule fails or warns unless specs/killmatrix-exceptions.yaml
lists the pair with a reason). The fast tests check the bookkeeping: every Klanten rule has a
fault or a `not_faultable_reason`, the exceptions file is valid, and the judging logic.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from klanten_conformance.rules import load_catalogue, parse_catalogue
from reference_server.faults import FAULTS
from selftest import killmatrix
from selftest.killmatrix import (
    Exceptions,
    KillMatrixError,
    RunOutcome,
    judge,
    klanten_rules,
    load_exceptions,
    own_rule,
    uncovered_rules,
)

ROOT = Path(__file__).resolve().parents[2]
#: the matrix of the project tests: a sample (every real-world fault, one clean fault per
#: class) with a reduced schemathesis budget; the full matrix is its own CI step (.ci/run)
MATRIX_ARGS = ("--jobs", "2", "--oas-examples", "5", "--depth", "quick", "--sample")
MATRIX_TIMEOUT = 2400


# bookkeeping ---------------------------------------------------------------------------------


def test_every_klanten_rule_has_a_fault_or_a_reason() -> None:
    catalogue = load_catalogue()
    assert uncovered_rules(catalogue, FAULTS) == []
    for rule in klanten_rules(catalogue):
        faults = [f for f in FAULTS if own_rule(f) == rule.id]
        assert bool(faults) != bool(rule.not_faultable_reason), (
            f"{rule.id}: a rule has a fault or a not_faultable_reason, not both"
        )


def test_every_fault_breaks_a_klanten_rule() -> None:
    catalogue = load_catalogue()
    ids = {rule.id for rule in klanten_rules(catalogue)}
    assert {fault: own_rule(fault) for fault in FAULTS if own_rule(fault) not in ids} == {}


def test_the_exceptions_file_is_valid_and_reasoned() -> None:
    exceptions = load_exceptions()
    for fault, rules in exceptions.allowed.items():
        assert fault in FAULTS
        for rule_id, reason in rules.items():
            assert rule_id != own_rule(fault)
            assert len(reason) > 80, f"{fault} -> {rule_id}: give the reason, not a label"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"fault": "NO-SUCH-FAULT", "rules": ["OAS-02"], "reason": "x"}, "unknown fault"),
        ({"fault": "OAS-01", "rules": ["NO-SUCH-RULE"], "reason": "x"}, "unknown rule"),
        ({"fault": "OAS-01", "rules": ["OAS-01"], "reason": "x"}, "own rule"),
        ({"fault": "OAS-01", "rules": ["OAS-02"], "reason": " "}, "reason"),
        ({"fault": "OAS-01", "rules": [], "reason": "x"}, "non-empty list"),
        ({"fault": "OAS-01", "rules": ["OAS-02"]}, "exactly the keys"),
    ],
)
def test_a_bad_exception_is_refused(tmp_path: Path, item: dict, message: str) -> None:
    path = tmp_path / "exceptions.yaml"
    path.write_text(json.dumps({"version": 1, "exceptions": [item]}), encoding="utf-8")
    with pytest.raises(KillMatrixError, match=message):
        load_exceptions(path)


def test_not_faultable_reason_is_an_optional_rule_key() -> None:
    data = {
        "version": 2,
        "classes": [
            {"id": "c", "title": "C", "api": "klanten", "description": "d", "optional": False}
        ],
        "rules": [
            {
                "id": "R-1",
                "class": "c",
                "api": "klanten",
                "level": "MUST",
                "source": {"document": "doc", "section": "s"},
                "statement": "s",
                "check": "c",
                "not_faultable_reason": "no server can break it",
            }
        ],
    }
    catalogue = parse_catalogue(data)
    assert catalogue.rules["R-1"].not_faultable_reason == "no server can break it"
    assert uncovered_rules(catalogue, []) == []


# judging -------------------------------------------------------------------------------------


def _outcome(fault: str, **verdicts: str) -> RunOutcome:
    base = {rule.id: "pass" for rule in klanten_rules(load_catalogue())}
    base.update({k.replace("_", "-"): v for k, v in verdicts.items()})
    return RunOutcome(fault, 1.0, 1, base, "run", "log")


def test_a_fault_failing_only_its_rule_is_killed_and_specific() -> None:
    verdict = judge(_outcome("CACHE-02", CACHE_02="fail"), load_catalogue(), Exceptions())
    assert verdict.killed and verdict.ok and verdict.status == "killed; specific"


def test_a_variant_is_judged_on_the_rule_before_the_slash() -> None:
    outcome = _outcome("KLOK01-C3/subjecttype-change", **{"KLOK01-C3": "fail"})
    verdict = judge(outcome, load_catalogue(), Exceptions())
    assert verdict.rule == "KLOK01-C3" and verdict.killed and verdict.ok


def test_a_should_rule_is_killed_by_a_warning() -> None:
    verdict = judge(_outcome("KLUIT-02", KLUIT_02="warning"), load_catalogue(), Exceptions())
    assert verdict.killed and verdict.ok


def test_a_fault_its_rule_does_not_notice_survives() -> None:
    verdict = judge(_outcome("CACHE-02"), load_catalogue(), Exceptions())
    assert not verdict.killed and not verdict.ok and "NOT KILLED" in verdict.status


def test_another_class_must_failure_is_not_specific_unless_listed() -> None:
    catalogue = load_catalogue()
    outcome = _outcome("OAS-01", OAS_01="fail", AUDIT_01="fail", OAS_02="fail")
    verdict = judge(outcome, catalogue, Exceptions())
    assert verdict.not_specific == ["AUDIT-01"]
    assert verdict.unlisted == ["OAS-02"]  # same class: listed separately, still not ok
    assert not verdict.ok
    listed = Exceptions({"OAS-01": {"AUDIT-01": "why", "OAS-02": "why", "AUTH-01": "why"}})
    verdict = judge(outcome, catalogue, listed)
    assert verdict.ok and verdict.stale == ["AUTH-01"]
    assert "excepted: OAS-02, AUDIT-01" in verdict.status  # catalogue order


class _FakeJob:
    """Stands in for a run: ends at once with the outcome the test scripted for it."""

    script: dict[tuple[str, int], str] = {}
    started: list[tuple[str, int]] = []
    killed: list[str] = []

    def __init__(self, fault: str, args, runs_dir, fork, attempt: int = 1) -> None:
        self.fault, self.attempt, self.seconds = fault, attempt, 0.0
        self.started.append((fault, attempt))

    def poll(self) -> int:
        return 1

    def kill(self) -> None:
        self.killed.append(self.fault)

    def outcome(self, error: str = "") -> RunOutcome:
        verdicts = {rule.id: "pass" for rule in klanten_rules(load_catalogue())}
        error = error or self.script.get((self.fault, self.attempt), "")
        return RunOutcome(
            self.fault, 0.0, 1, {} if error else verdicts, "", "", error, self.attempt
        )


@pytest.fixture
def fake_jobs(monkeypatch: pytest.MonkeyPatch) -> type[_FakeJob]:
    monkeypatch.setattr(killmatrix, "_Job", _FakeJob)
    _FakeJob.script, _FakeJob.started, _FakeJob.killed = {}, [], []
    return _FakeJob


def test_a_run_without_verdicts_is_run_once_more(tmp_path: Path, fake_jobs) -> None:
    fake_jobs.script = {("CACHE-02", 1): "port taken", ("CACHE-03", 1): "x", ("CACHE-03", 2): "x"}
    seen: list[tuple[str, bool]] = []
    (baseline,), outcomes = killmatrix.run_all(
        ["CACHE-02", "CACHE-03"],
        runs_dir=tmp_path,
        jobs=1,
        fork=False,
        progress=lambda outcome, count, total, retrying: seen.append((outcome.fault, retrying)),
    )
    assert not baseline.error
    assert [(o.fault, o.attempt, bool(o.error)) for o in outcomes] == [
        ("CACHE-02", 2, False),
        ("CACHE-03", 2, True),
    ]
    assert seen == [("", False), ("CACHE-02", True), ("CACHE-02", False), ("CACHE-03", True)] + [
        ("CACHE-03", False)
    ]


def test_a_failing_baseline_stops_the_matrix(tmp_path: Path, fake_jobs) -> None:
    fake_jobs.script = {("", 1): "boom", ("", 2): "boom"}
    with pytest.raises(KillMatrixError, match="baseline"):
        killmatrix.run_all(["CACHE-02", "CACHE-03"], runs_dir=tmp_path, jobs=1, fork=False)
    assert ("CACHE-03", 1) not in fake_jobs.started


def test_the_command_refuses_an_unknown_fault(capsys: pytest.CaptureFixture[str]) -> None:
    assert killmatrix.main(["--faults", "KLOK01-C9"]) == 2
    assert "KLOK01-C9" in capsys.readouterr().err


# the matrix ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_fault_is_killed_by_its_own_rule_and_no_other(tmp_path: Path) -> None:
    """Kill rate 100% and a clean cascade column over the sample of faults (a few minutes)."""
    output = tmp_path / "matrix"
    env = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "klanten_conformance.cli",
            "killmatrix",
            *MATRIX_ARGS,
            "--output",
            str(output),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=MATRIX_TIMEOUT,
    )
    seconds = time.monotonic() - started
    tail = result.stdout[-6000:] + result.stderr[-3000:]
    assert result.returncode in (0, 1), tail  # 2: the baseline failed or a usage error
    matrix = json.loads((output / "killmatrix.json").read_text(encoding="utf-8"))
    faults = {f["fault"]: f for f in matrix["faults"]}
    expected = killmatrix.sample(load_catalogue(), FAULTS)
    assert set(faults) == set(expected), tail
    assert {f for f in expected if FAULTS[f].kind == "real-world"} == {
        f for f in FAULTS if FAULTS[f].kind == "real-world"
    }
    assert matrix["size"] == {"faults": len(expected), "rules": len(matrix["rules"])}
    not_killed = {name: f["own_verdict"] for name, f in faults.items() if not f["killed"]}
    assert not_killed == {}, f"faults their own rule does not notice:\n{tail}"
    assert matrix["kill_rate"] == 1.0
    cascades = {name: f["cascade"] for name, f in faults.items() if f["cascade"]}
    assert cascades == {}, f"other rules fail unlisted (the cascade check):\n{tail}"
    stale = {name: f["stale_exceptions"] for name, f in faults.items() if f["stale_exceptions"]}
    assert stale == {}, f"exceptions that no longer happen: remove them\n{tail}"
    assert matrix["uncovered_rules"] == []
    assert matrix["ok"] and result.returncode == 0, tail
    assert (output / "killmatrix.txt").read_text(encoding="utf-8").count("killed") >= len(expected)
    wall = matrix["wall_seconds"]
    print(f"kill matrix: {len(expected)} faults, wall time {seconds:.0f}s (matrix {wall}s)")


def test_a_fault_runs_the_profile_and_api_it_belongs_to() -> None:
    catalogue = load_catalogue()
    assert killmatrix.baselines(catalogue)[0] == killmatrix.BASELINE
    assert killmatrix.scope(killmatrix.BASELINE, catalogue) == []
    args = killmatrix.scope("CACHE-03", catalogue)
    assert args[:2] == ["--profile", "klanten-1.0"]
    assert args[2] == "--api" and args[3].split(",")[0] == "klanten"
    assert killmatrix.own_rule("CRASH/zelfstandige") == FAULTS["CRASH/zelfstandige"].rule


def test_the_sample_has_every_real_world_fault_and_one_clean_fault_per_class() -> None:
    catalogue = load_catalogue()
    chosen = killmatrix.sample(catalogue, FAULTS)
    assert {f for f in FAULTS if FAULTS[f].kind == "real-world"} <= set(chosen)
    clean = [f for f in chosen if FAULTS[f].kind == "clean"]
    classes = [catalogue.rules[own_rule(f)].rule_class for f in clean]
    assert len(classes) == len(set(classes))
    assert set(classes) == {catalogue.rules[own_rule(f)].rule_class for f in FAULTS}
