"""The writers, from a model: JSON round trip, HTML structure, badges, the nightly index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from klanten_conformance.harness.verdicts import build_classes
from klanten_conformance.report import badge, html_report, index_report, json_report, junit
from klanten_conformance.report.model import (
    FAIL,
    INCOMPLETE,
    INCONCLUSIVE,
    NOT_APPLICABLE,
    NOT_RUN,
    NOT_TESTED,
    PASS,
    WARNING,
    Failure,
    RunResult,
    TestRecord,
)
from klanten_conformance.report.sample import sample_result
from klanten_conformance.rules import load_catalogue

from .htmlcheck import assert_well_formed, parse


@pytest.fixture
def sample() -> RunResult:
    return sample_result()


def rule(result: RunResult, rule_id: str):
    return next(r for _, r in result.rules() if r.id == rule_id)


def test_verdicts_follow_the_records(sample: RunResult) -> None:
    assert rule(sample, "kla-001a").verdict == PASS
    assert rule(sample, "OAS-02").verdict == PASS  # checked on the side by a rule test
    assert rule(sample, "CACHE-03").verdict == FAIL
    assert rule(sample, "KLOK01-Z3").verdict == WARNING  # a SHOULD rule only warns
    na = rule(sample, "NOTIF-01")
    assert na.verdict == NOT_APPLICABLE
    assert "not configured" in na.reason
    assert rule(sample, "kla-001b").verdict == NOT_TESTED
    assert rule(sample, "kla-001b").reason == "no check of this rule ran"
    assert rule(sample, "AUTH-01").reason == "not selected in this run"
    blocked = rule(sample, "KLOK01-Z2")
    assert blocked.verdict == INCONCLUSIVE  # blocked, never failed
    assert "creating a zelfstandige klant: HTTP 500 — see KLOK01-Z1" in blocked.reason


def test_class_verdicts_and_scores(sample: RunResult) -> None:
    classes = {c.id: c for c in sample.classes}
    assert classes["gedrag"].verdict == FAIL
    assert classes["klok01"].verdict == INCOMPLETE  # nothing failed, MUST rules untested
    assert classes["notificaties"].verdict == NOT_APPLICABLE
    assert classes["autorisatie"].verdict == NOT_RUN
    assert "lint" not in classes
    assert sample.verdict == FAIL
    passed, total = classes["gedrag"].must_score()
    assert passed == 2
    assert total == sum(1 for r in classes["gedrag"].rules if r.level == "MUST")


def test_a_class_with_every_must_rule_passed_and_a_warning_passes() -> None:
    catalogue = load_catalogue()
    records = [
        _record(r.id, "failed" if r.level == "SHOULD" else "passed")
        for r in catalogue.by_class("klok01")
    ]
    klok01 = next(c for c in build_classes(catalogue, records) if c.id == "klok01")
    assert klok01.verdict == PASS
    assert klok01.count(WARNING) == 1
    passed, total = klok01.must_score()
    assert passed == total > 0


def test_an_error_without_a_conformance_failure_blocks_every_marked_rule() -> None:
    records = [TestRecord("t::x", "setup", "failed", ["kla-001a", "kla-001b"])]
    result = build_classes(load_catalogue(), records)
    gedrag = next(c for c in result if c.id == "gedrag")
    verdicts = {r.id: r.verdict for r in gedrag.rules}
    assert verdicts["kla-001a"] == verdicts["kla-001b"] == INCONCLUSIVE
    assert gedrag.verdict == INCOMPLETE


def test_a_failure_counts_only_against_its_own_rule() -> None:
    records = [
        TestRecord("t::x", "call", "failed", ["kla-001a", "kla-001b"], failed_rules=["kla-001b"])
    ]
    gedrag = next(c for c in build_classes(load_catalogue(), records) if c.id == "gedrag")
    verdicts = {r.id: r.verdict for r in gedrag.rules}
    assert verdicts["kla-001b"] == FAIL
    assert verdicts["kla-001a"] == NOT_TESTED  # its check did not finish: no verdict


def test_a_blocked_and_a_passing_check_make_the_rule_inconclusive() -> None:
    records = [
        TestRecord("t::a", "call", "passed", ["CACHE-01"]),
        TestRecord("t::b", "call", "blocked", ["CACHE-01"],
                   failure=Failure(test="t::b", kind="blocked", expected="x", received="y")),
    ]
    gedrag = next(c for c in build_classes(load_catalogue(), records) if c.id == "gedrag")
    cache = next(r for r in gedrag.rules if r.id == "CACHE-01")
    assert cache.verdict == INCONCLUSIVE
    assert "1 check(s) blocked: x: y" in cache.reason


def test_junit_tells_blocked_from_failed(sample: RunResult) -> None:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(junit.render(sample))
    cases = {c.get("name").split(" ")[0]: c for c in root.iter("testcase")}
    assert cases["CACHE-03"].find("failure") is not None
    assert cases["KLOK01-Z2"].find("error") is not None  # blocked = error, not failure
    assert cases["KLOK01-Z2"].find("failure") is None
    assert cases["NOTIF-01"].find("skipped") is not None
    assert cases["KLOK01-Z3"].find("failure") is None  # a SHOULD rule warns
    assert int(root.get("failures")) == sum(1 for _, r in sample.rules() if r.verdict == FAIL)


def test_json_round_trip(sample: RunResult, tmp_path: Path) -> None:
    path = json_report.write(sample, tmp_path)
    data = json.loads(path.read_text())
    assert data["verdict"] == FAIL
    assert data["must"]["passed"] == 4
    assert {"target", "profile", "versions", "started", "finished"} <= data.keys()
    cache = next(r for c in data["classes"] for r in c["rules"] if r["id"] == "CACHE-03")
    assert cache["verdict"] == FAIL
    assert cache["source_document"] and cache["statement"]
    assert "If-None-Match" in cache["failures"][0]["evidence"]
    again = json_report.read(tmp_path)
    assert again.to_dict() == sample.to_dict()


def test_json_scrubs_secrets(sample: RunResult, tmp_path: Path) -> None:
    secret = "s3cr3t-value"
    token = "eyJhbGciOiJIUzI1NiJ9.eyJjbGllbnRfaWQiOiJ4In0.c2lnbmF0dXJl"
    rule(sample, "CACHE-03").failures[0].evidence += f"\n> X-Debug: {secret} {token}"
    text = json_report.write(sample, tmp_path, [secret]).read_text()
    assert secret not in text
    assert token not in text
    assert "<redacted>" in text


def test_html_has_every_class_and_rule_and_working_links(sample: RunResult) -> None:
    page = parse(html_report.render(sample))
    assert_well_formed(page)
    for rule_class in sample.classes:
        assert html_report.class_anchor(rule_class.id) in page.ids
        assert f"#{html_report.class_anchor(rule_class.id)}" in page.links
    for _, r in sample.rules():
        assert html_report.rule_anchor(r.id) in page.ids
    assert "#rule-CACHE-03" in page.links  # failed rules are linked from the summary
    assert "FAIL" in page.text
    assert "Does not conform" in page.text


def test_html_expands_failures_with_request_and_response(sample: RunResult) -> None:
    text = html_report.render(sample)
    page = parse(text)
    assert "If-None-Match with the current ETag: HTTP 304" in page.text
    assert '> If-None-Match: "9b2f1c"' in page.text
    assert "Authorization: Bearer <redacted>" in page.text
    assert "<details" not in text  # printed as shown: nothing is collapsed
    assert "@media print" in text


def test_html_escapes_what_the_target_sent(sample: RunResult) -> None:
    rule(sample, "CACHE-03").failures[0].evidence = '< {"naam": "<script>alert(1)</script>"}'
    text = html_report.render(sample)
    assert "<script>" not in text
    assert_well_formed(parse(text))


def test_html_of_a_run_that_did_not_complete() -> None:
    result = RunResult(
        run_id="r",
        target={"name": "down"},
        profile="klanten-1.0",
        versions={},
        started="s",
        finished="f",
        status="error",
        error="target is unreachable",
        classes=build_classes(load_catalogue(), []),
    )
    page = parse(html_report.render(result))
    assert_well_formed(page)
    assert "ERROR" in page.text
    assert "target is unreachable" in page.text


def test_badges(sample: RunResult, tmp_path: Path) -> None:
    paths = {p.name: json.loads(p.read_text()) for p in badge.write(sample, tmp_path)}
    overall = paths["badge.json"]
    assert overall["schemaVersion"] == 1
    passed, total = sample.must_score()
    assert overall["message"] == f"{sample.verdict} · {passed}/{total} MUST"
    assert overall["color"] == "red"
    for rule_class in sample.classes:
        found = paths.get(f"badge-{rule_class.id}.json")
        if found is not None:
            assert found["message"].split(" · ")[0] == rule_class.verdict
    assert "badge-autorisatie.json" not in paths  # classes that did not run get none


def _night(name: str, records: list[TestRecord], run_id: str) -> index_report.TargetNight:
    result = RunResult(
        run_id=run_id,
        target={"name": name},
        profile="klanten-1.0",
        versions={},
        started="s",
        finished="f",
        classes=build_classes(load_catalogue(), records),
    )
    return index_report.TargetNight(name, run_id, result, 0)


def _record(rule_id: str, outcome: str) -> TestRecord:
    failure = Failure(test="t") if outcome == "failed" else None
    failed = [rule_id] if outcome == "failed" else []
    return TestRecord(
        f"t::{rule_id}", "call", outcome, [rule_id], failed_rules=failed, failure=failure
    )


def test_index_compares_targets_and_nights() -> None:
    last = _night("a", [_record("CACHE-01", "passed"), _record("CACHE-02", "failed")], "old-a")
    tonight = _night("a", [_record("CACHE-01", "failed"), _record("CACHE-02", "passed")], "new-a")
    other = _night("b", [_record("CACHE-01", "passed")], "new-b")
    down = index_report.TargetNight("c", "new-c", None, 2)
    text = index_report.render(
        "20250102T020000Z", [tonight, other, down], {"a": last.result}, "20250101T020000Z"
    )
    page = parse(text)
    assert_well_formed(page)
    assert "NEW FAILURE" in page.text and "FIXED" in page.text
    assert "new-a/conformance.html#rule-CACHE-01" in page.links
    assert "new-a/conformance.html#rule-CACHE-02" in page.links
    assert "new-b/conformance.html#class-gedrag" in page.links
    assert 'class="cell new-failure"' in text
    changes = index_report.compare(last.result, tonight.result)
    assert [r for _, r, _ in changes.new_failures] == ["CACHE-01"]
    assert [r for _, r, _ in changes.fixes] == ["CACHE-02"]
    assert "no report" in page.text  # the target that did not run is shown, not dropped
