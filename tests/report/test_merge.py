"""`klanten-conformance merge`: one night from run folders made by separate CI jobs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from klanten_conformance.cli import main
from klanten_conformance.harness.verdicts import Scope, build_classes
from klanten_conformance.report import json_report
from klanten_conformance.report.merge import merge
from klanten_conformance.report.model import Failure, RunResult, TestRecord
from klanten_conformance.report.nightly import run_targets
from klanten_conformance.rules import load_catalogue

from .htmlcheck import assert_well_formed, parse

NIGHT1, NIGHT2 = "20250101T020000Z", "20250102T020000Z"
ALL_PASS = {"CACHE-01": "passed", "CACHE-02": "passed"}


def _record(rule_id: str, outcome: str) -> TestRecord:
    failure = None
    if outcome != "passed":
        failure = Failure(test=f"t::{rule_id}", kind=outcome, expected="200", received="500")
    failed = [rule_id] if outcome == "failed" else []
    return TestRecord(f"t::{rule_id}", "call", outcome, [rule_id], failed, failure=failure)


def _result(name: str, outcomes: dict[str, str], status: str = "complete") -> RunResult:
    """A run of ``name`` that selected only the rules of ``outcomes``."""
    scope = Scope(profile="klanten-1.0", wants=lambda rule: rule.id in outcomes)
    records = [_record(rule_id, outcome) for rule_id, outcome in outcomes.items()]
    return RunResult(
        run_id=f"ci-{name}",
        target={"name": name},
        profile="klanten-1.0",
        versions={},
        started="2025-01-01T02:00:00Z",
        finished="2025-01-01T02:10:00Z",
        status=status,
        error="" if status == "complete" else "interrupted",
        classes=build_classes(load_catalogue(), records, scope, status),
    )


def _job(artifacts: Path, name: str, outcomes: dict[str, str] | None, **marker: str) -> Path:
    """What one CI job uploads: its run folder with a report and/or a status marker."""
    run_dir = artifacts / f"job-{name}" / "reports" / f"ci-{name}"
    run_dir.mkdir(parents=True)
    if outcomes is not None:
        json_report.write(_result(name, outcomes, marker.pop("report_status", "complete")), run_dir)
        (run_dir / "junit.xml").write_text("<testsuites/>")
    if marker:
        (run_dir / "status.json").write_text(json.dumps({"target": name, **marker}))
    return run_dir


def _page(output: Path) -> str:
    text = (output / "index.html").read_text()
    assert_well_formed(parse(text))
    return text


def _record_of(output: Path, stamp: str) -> dict:
    return json.loads((output / f"nightly-{stamp}.json").read_text())


def test_reports_from_separate_jobs_make_one_night(tmp_path: Path) -> None:
    artifacts, output = tmp_path / "artifacts", tmp_path / "site"
    _job(artifacts, "vendor-a", ALL_PASS)
    _job(artifacts, "vendor-b", {"CACHE-01": "failed", "CACHE-02": "passed"})
    code = merge([str(artifacts / "*" / "reports" / "*")], output, stamp=NIGHT1)
    assert code == 1  # vendor-b does not conform

    for name in ("vendor-a", "vendor-b"):
        run_dir = output / f"{NIGHT1}-{name}"
        assert json_report.read(run_dir).target["name"] == name
        assert (run_dir / "junit.xml").is_file()  # the whole run folder is copied
        assert (run_dir / "conformance.html").is_file()  # rebuilt: the job uploaded none
    record = _record_of(output, NIGHT1)
    assert record["stamp"] == NIGHT1
    assert record["targets"]["vendor-a"] == {
        "run_id": f"{NIGHT1}-vendor-a",
        "exit_code": 0,
        "status": "complete",
    }
    assert record["targets"]["vendor-b"]["exit_code"] == 1
    page = parse(_page(output))
    assert f"{NIGHT1}-vendor-a/conformance.html" in page.links
    assert f"{NIGHT1}-vendor-b/conformance.html#class-gedrag" in page.links


def test_a_missing_target_shows_as_did_not_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifacts, output = tmp_path / "artifacts", tmp_path / "site"
    _job(artifacts, "vendor-a", ALL_PASS)
    code = merge(
        [str(artifacts / "*" / "reports" / "*")],
        output,
        expected=["vendor-a", "vendor-c"],
        stamp=NIGHT1,
    )
    assert code == 2
    missing = json_report.read(output / f"{NIGHT1}-vendor-c")
    assert missing.status == "error" and "did not run" in missing.error
    assert _record_of(output, NIGHT1)["targets"]["vendor-c"]["status"] == "did not run"
    text = parse(_page(output)).text
    assert "DID NOT RUN" in text and "no report and no status marker" in text
    assert "vendor-a" in text  # the other target is still there
    assert "vendor-c" in capsys.readouterr().out


def test_a_timed_out_or_crashed_job_shows_its_marker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLANTEN_CONFORMANCE_SECRET", "s3cret-value-123")
    artifacts, output = tmp_path / "artifacts", tmp_path / "site"
    _job(artifacts, "vendor-a", ALL_PASS)
    _job(
        artifacts,
        "vendor-b",
        {"CACHE-01": "passed"},
        report_status="interrupted",
        status="timed out",
        detail="the run took longer than 90 minutes",
    )
    _job(
        artifacts,
        "vendor-c",
        None,
        status="crashed",
        detail="exit code 137; secret s3cret-value-123",
    )
    code = merge([str(artifacts / "*" / "reports" / "*")], output, stamp=NIGHT1)
    assert code == 2

    page = parse(_page(output))
    text = page.text
    assert "TIMED OUT" in text and "longer than 90 minutes" in text
    # what the timed-out run did judge is still shown, as for any interrupted run
    assert f"{NIGHT1}-vendor-b/conformance.html#class-gedrag" in page.links
    assert "CRASHED" in text and "exit code 137" in text
    targets = _record_of(output, NIGHT1)["targets"]
    assert targets["vendor-b"]["status"] == "timed out"
    assert targets["vendor-c"]["status"] == "crashed"
    assert targets["vendor-a"]["status"] == "complete"
    # the partial report of the timed-out run is kept; the crashed one gets an error report
    assert json_report.read(output / f"{NIGHT1}-vendor-b").status == "interrupted"
    assert "crashed" in json_report.read(output / f"{NIGHT1}-vendor-c").error
    for path in output.rglob("*"):
        if path.is_file():
            assert b"s3cret-value-123" not in path.read_bytes(), path


def test_a_report_that_did_not_complete_shows_its_own_error(tmp_path: Path) -> None:
    artifacts, output = tmp_path / "artifacts", tmp_path / "site"
    run_dir = _job(artifacts, "vendor-a", {"CACHE-01": "passed"}, report_status="error")
    result = json_report.read(run_dir)
    result.error = "klanten-conformance: vendor-a is unreachable"
    json_report.write(result, run_dir)
    assert merge([str(run_dir)], output, stamp=NIGHT1) == 2
    text = parse(_page(output)).text
    assert "ERROR" in text and "vendor-a is unreachable" in text
    assert _record_of(output, NIGHT1)["targets"]["vendor-a"]["status"] == "error"


def test_bad_inputs_are_named_one_by_one_and_lose_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifacts, output = tmp_path / "artifacts", tmp_path / "site"
    _job(artifacts, "vendor-a", ALL_PASS)
    empty = artifacts / "job-empty" / "reports" / "ci-empty"
    empty.mkdir(parents=True)
    malformed = artifacts / "job-bad" / "reports" / "ci-bad"
    malformed.mkdir(parents=True)
    (malformed / "conformance.json").write_text('{"schema": "klanten-conformance/report/2", ')
    other = artifacts / "other.json"
    other.write_text(json.dumps({"schema": "someone-else/1", "run_id": "x"}))
    second = artifacts / "again" / "ci-vendor-a"
    second.mkdir(parents=True)
    failing = _result("vendor-a", {"CACHE-01": "failed"})
    failing.finished = "2025-01-01T01:00:00Z"  # finished before the other report of vendor-a
    json_report.write(failing, second)
    _job(artifacts, "vendor-b", {"CACHE-01": "failed"})

    code = merge(
        [str(artifacts / "job-*" / "reports" / "*"), str(other), str(second), "nothere/*"],
        output,
        stamp=NIGHT1,
    )
    assert code == 2  # inputs were lost, even though both targets are there
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("klanten-conformance merge:")]
    assert any(str(empty) in line and "no conformance.json" in line for line in lines)
    assert any("malformed JSON" in line and str(malformed) in line for line in lines)
    assert any(str(other) in line and "someone-else/1" in line for line in lines)
    assert any("'vendor-a' has 2 reports" in line and str(second) in line for line in lines)
    assert any("nothere/*: matches nothing" in line for line in lines)

    # the complete report that finished last is merged; vendor-b is there too
    assert json_report.read(output / f"{NIGHT1}-vendor-a").verdict == "pass"
    assert json_report.read(output / f"{NIGHT1}-vendor-b").verdict == "fail"
    text = parse(_page(output)).text
    assert "Input problems" in text and "malformed JSON" in text
    assert len(_record_of(output, NIGHT1)["problems"]) == 5


def test_the_night_is_compared_with_the_previous_one(tmp_path: Path) -> None:
    output = tmp_path / "site"
    first, second = tmp_path / "night1", tmp_path / "night2"
    _job(first, "vendor-a", {"CACHE-01": "passed", "CACHE-02": "failed"})
    _job(second, "vendor-a", {"CACHE-01": "failed", "CACHE-02": "passed"})
    assert merge([str(first / "*" / "*" / "*")], output, stamp=NIGHT1) == 1
    assert merge([str(second / "*" / "*" / "*")], output, stamp=NIGHT2) == 1

    text = _page(output)
    page = parse(text)
    assert f"Changes since the previous night ({NIGHT1})" in page.text
    assert f"{NIGHT2}-vendor-a/conformance.html#rule-CACHE-01" in page.links  # new failure
    assert f"{NIGHT2}-vendor-a/conformance.html#rule-CACHE-02" in page.links  # fixed
    assert "NEW FAILURE" in page.text and "FIXED" in page.text
    assert 'class="cell new-failure"' in text

    # --previous names a night elsewhere (e.g. fetched from the published site)
    elsewhere = tmp_path / "fresh"
    record = output / f"nightly-{NIGHT1}.json"
    assert merge([str(second / "*" / "*" / "*")], elsewhere, previous=record, stamp=NIGHT2) == 1
    assert "NEW FAILURE" in parse(_page(elsewhere)).text


def test_a_merged_night_follows_a_nightly_mode_night(tmp_path: Path) -> None:
    """Nightly mode and merge write one record format: each compares with the other's night."""
    targets = tmp_path / "targets.toml"
    targets.write_text('[targets.vendor-a]\nklanten_url = "http://a.example/api"\n')
    output = tmp_path / "site"

    def runner(args: list[str], env: dict[str, str]) -> tuple[int, str]:
        run_dir = output / env["KLANTEN_CONFORMANCE_RUN_ID"]
        run_dir.mkdir(parents=True)
        json_report.write(_result("vendor-a", {"CACHE-01": "passed"}), run_dir)
        return 0, ""

    night1 = datetime(2025, 1, 1, 2, tzinfo=UTC)
    assert run_targets(targets, [], reports_dir=output, runner=runner, now=night1) == 0
    _job(tmp_path / "ci", "vendor-a", {"CACHE-01": "failed"})
    assert merge([str(tmp_path / "ci" / "*" / "*" / "*")], output, stamp=NIGHT2) == 1
    page = parse(_page(output))
    assert f"{NIGHT2}-vendor-a/conformance.html#rule-CACHE-01" in page.links
    assert "NEW FAILURE" in page.text


@pytest.mark.parametrize(
    ("outcomes", "expected", "code"),
    [
        ({"vendor-a": ALL_PASS}, ["vendor-a"], 0),
        ({"vendor-a": ALL_PASS, "vendor-b": {"CACHE-01": "failed"}}, [], 1),
        ({"vendor-a": {"CACHE-01": "passed", "CACHE-02": "blocked"}}, [], 1),  # incomplete
        ({"vendor-a": ALL_PASS}, ["vendor-a", "vendor-b"], 2),  # one missing
        ({}, [], 2),  # nothing to merge
    ],
    ids=["conforms", "does-not-conform", "incomplete", "missing", "nothing"],
)
def test_exit_status(
    tmp_path: Path, outcomes: dict[str, dict[str, str]], expected: list[str], code: int
) -> None:
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    for name, by_rule in outcomes.items():
        _job(artifacts, name, by_rule)
    inputs = [str(path) for path in sorted(artifacts.glob("*/reports/*"))]
    assert merge(inputs, tmp_path / "site", expected=expected, stamp=NIGHT1) == code


def test_the_command_takes_its_options_in_any_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifacts, output = tmp_path / "artifacts", tmp_path / "site"
    a = _job(artifacts, "vendor-a", ALL_PASS)
    b = _job(artifacts, "vendor-b", ALL_PASS)
    targets = tmp_path / "targets.toml"
    targets.write_text(
        '[targets.vendor-a]\nklanten_url = "http://a.example/api"\n\n'
        '[targets.vendor-b]\nklanten_url = "http://b.example/api"\n'
    )
    argv = ["merge", str(a), "--stamp", NIGHT1, "--output", str(output), "--expect", "vendor-a"]
    assert main([*argv, "--", str(b)]) == 0  # reports before, between and after the options
    assert set(_record_of(output, NIGHT1)["targets"]) == {"vendor-a", "vendor-b"}

    argv = ["merge", "--targets", str(targets), f"{artifacts}/*/reports/*", "-o", str(output)]
    assert main([*argv, "--stamp", NIGHT2]) == 0  # a quoted glob is expanded by the command
    assert _record_of(output, NIGHT2)["targets"]["vendor-b"]["exit_code"] == 0

    night3 = "20250103T020000Z"
    argv = ["merge", "-o", str(output), "--stamp", night3, "--expect", "vendor-a,vendor-x"]
    assert main([*argv, "--", str(a)]) == 2  # comma-separated names; vendor-x is missing
    assert _record_of(output, night3)["targets"]["vendor-x"]["status"] == "did not run"
    capsys.readouterr()

    with pytest.raises(SystemExit) as done:
        main(["merge", "--help"])
    assert done.value.code == 0
    help_text = capsys.readouterr().out
    assert "--output DIR" in help_text and "--expect" in help_text and "status.json" in help_text

    with pytest.raises(SystemExit) as done:
        main(["merge", str(a), "-o", str(output), "--stamp", "yesterday"])
    assert done.value.code == 2
    assert "YYYYMMDDTHHMMSSZ" in capsys.readouterr().err
