"""`klanten-conformance report`, `rules` and `coverage`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from klanten_conformance.cli import main
from klanten_conformance.report import json_report
from klanten_conformance.report.cli import collect_rule_tests
from klanten_conformance.report.sample import sample_result
from klanten_conformance.rules import load_catalogue

from .htmlcheck import assert_well_formed, parse


def test_report_rebuilds_html_and_badge_from_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_report.write(sample_result(), tmp_path)
    assert main(["report", str(tmp_path)]) == 0
    assert_well_formed(parse((tmp_path / "conformance.html").read_text()))
    assert json.loads((tmp_path / "badge.json").read_text())["message"].endswith(" MUST")
    assert "conformance.html" in capsys.readouterr().out


def test_report_of_a_folder_without_json_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_rules_filters_by_class_and_level(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--class", "klok01", "--level", "SHOULD", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    expected = load_catalogue().select(classes=["klok01"], levels=["SHOULD"])
    assert [r["id"] for r in listed] == [r.id for r in expected]
    assert all(r["class"] == "klok01" and r["level"] == "SHOULD" for r in listed)

    assert main(["rules", "--class", "gedrag"]) == 0
    text = capsys.readouterr().out
    assert "CACHE-03" in text and "KLOK01-C1" not in text


def test_rules_with_an_unknown_class_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--class", "nope"]) == 2
    assert "unknown conformance class" in capsys.readouterr().err


def test_coverage_maps_every_rule_to_its_tests(capsys: pytest.CaptureFixture[str]) -> None:
    tests = collect_rule_tests()
    assert any("test_if_none_match" in t for t in tests["CACHE-03"])
    assert main(["coverage", "--class", "gedrag", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {r.id for r in load_catalogue().by_class("gedrag")}
    assert "suites/klanten/test_gedrag.py::test_if_none_match" in data["CACHE-03"]
    assert main(["coverage"]) == 0
    text = capsys.readouterr().out
    assert "suite rule(s) have a test" in text
    assert "checked by the linter" in text
