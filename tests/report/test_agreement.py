"""Every output says the same: terminal, conformance.json, conformance.html, JUnit, the index.

Several real runs (clean, with a fault, with a not-applicable class, interrupted) are read back
through each output, and every rule's and class's verdict must agree everywhere.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from klanten_conformance.report import index_report, json_report

from .conftest import ExternalServer, run_cli, run_dirs

pytestmark = pytest.mark.slow

VERDICTS = ("pass", "fail", "warning", "inconclusive", "not applicable", "not tested")
_RULE_LINE = re.compile(rf"^  (\S+)\s+(?:MUST|SHOULD)\s+({'|'.join(VERDICTS)})\b", re.M)
_CLASS_LINE = re.compile(r"^(\S+) — .*: (PASS|FAIL|INCOMPLETE|NOT APPLICABLE|NOT RUN)$", re.M)
INTERRUPT_PLUGIN = """
seen = 0

def pytest_runtest_logfinish(nodeid, location):
    global seen
    seen += 1
    if seen == 3:
        raise KeyboardInterrupt
"""


def _terminal(output: str) -> tuple[dict[str, str], dict[str, str]]:
    rules = {m.group(1): m.group(2) for m in _RULE_LINE.finditer(output)}
    classes = {m.group(1): m.group(2).lower() for m in _CLASS_LINE.finditer(output)}
    return rules, classes


def _html(run_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    text = (run_dir / "conformance.html").read_text(encoding="utf-8")
    rules = {
        m.group(1): m.group(2).replace("-", " ")
        for m in re.finditer(r'<tr id="rule-([^"]+)" class="rule-([a-z-]+)', text)
    }
    classes = {
        m.group(1): m.group(2).replace("-", " ")
        for m in re.finditer(r'<h2>(\S+) — .*? <span class="v ([a-z-]+)">', text)
    }
    return rules, classes


def _junit(run_dir: Path) -> dict[str, str]:
    root = ET.parse(run_dir / "junit.xml").getroot()
    found = {}
    for case in root.iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        found[props["rule"]] = props["verdict"]
    return found


def _index(run_dir: Path, name: str) -> dict[str, str]:
    result = json_report.read(run_dir)
    text = index_report.render(
        "20250101T000000Z", [index_report.TargetNight(name, run_dir.name, result, 0)]
    )
    link = re.escape(f"{run_dir.name}/conformance.html#class-")
    pattern = rf'href="{link}([^"]+)"><span class="v ([a-z-]+)"'
    return {m.group(1): m.group(2).replace("-", " ") for m in re.finditer(pattern, text)}


def _badges(run_dir: Path) -> tuple[str, dict[str, str]]:
    def word(path: Path) -> str:
        return json.loads(path.read_text(encoding="utf-8"))["message"].split(" · ")[0]

    classes = {p.stem.removeprefix("badge-"): word(p) for p in run_dir.glob("badge-*.json")}
    return word(run_dir / "badge.json"), classes


def _assert_agree(done, cwd: Path, name: str) -> dict:
    (run_dir,) = run_dirs(cwd)
    data = json.loads((run_dir / "conformance.json").read_text(encoding="utf-8"))
    json_rules = {
        r["id"]: r["verdict"]
        for c in data["classes"]
        for r in c["rules"]
        if r["selected"] or r["tests"]
    }
    json_classes = {
        c["id"]: c["verdict"]
        for c in data["classes"]
        if any(r["selected"] or r["tests"] for r in c["rules"])
    }
    term_rules, term_classes = _terminal(done.stdout)
    html_rules, html_classes = _html(run_dir)
    junit_rules = _junit(run_dir)
    index_classes = _index(run_dir, name)
    assert json_rules, done.stdout[-3000:]
    assert term_rules == json_rules, done.stdout[-3000:]
    assert {k: html_rules[k] for k in json_rules} == json_rules
    assert junit_rules == json_rules
    assert term_classes == json_classes
    assert {k: html_classes[k] for k in json_classes} == json_classes
    assert {k: index_classes[k] for k in json_classes} == json_classes
    overall, badge_classes = _badges(run_dir)
    assert overall == data["verdict"]
    assert {k: badge_classes[k] for k in json_classes if k in badge_classes} == {
        k: v for k, v in json_classes.items() if k in badge_classes
    }
    assert set(badge_classes) >= {k for k, v in json_classes.items() if v != "not run"}
    return data


def test_a_clean_run(tmp_path: Path) -> None:
    done = run_cli(
        "run", "-q", "-p", "no:cacheprovider", "--classes", "gedrag,notificaties", cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout[-3000:]
    data = _assert_agree(done, tmp_path, "clean")
    assert data["verdict"] == "pass"


def test_a_run_with_a_fault(tmp_path: Path) -> None:
    done = run_cli(
        "run",
        "-q",
        "-p",
        "no:cacheprovider",
        "--classes",
        "gedrag",
        cwd=tmp_path,
        faults="CACHE-03",
    )
    assert done.returncode == 1, done.stdout[-3000:]
    data = _assert_agree(done, tmp_path, "faulted")
    assert data["verdict"] == "fail"


def test_a_run_with_a_class_not_applicable(tmp_path: Path, external_server: ExternalServer) -> None:
    server = external_server
    done = run_cli(
        "run",
        "-q",
        "-p",
        "no:cacheprovider",
        "--classes",
        "notificaties,klok01",
        "--klanten-url",
        server.url,
        "--client-id",
        server.client_id,
        "--secret",
        server.secret,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    data = _assert_agree(done, tmp_path, "external")
    verdicts = {c["id"]: c["verdict"] for c in data["classes"]}
    assert verdicts["notificaties"] == "not applicable"  # the target posts no notifications
    assert "notificaties — Notifications: NOT APPLICABLE" in done.stdout


def test_an_interrupted_run(tmp_path: Path) -> None:
    (tmp_path / "interrupt_after_three.py").write_text(INTERRUPT_PLUGIN, encoding="utf-8")
    done = run_cli(
        "run",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "interrupt_after_three",
        "--classes",
        "gedrag",
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path)},
    )
    assert done.returncode == 2, done.stdout[-3000:]
    data = _assert_agree(done, tmp_path, "interrupted")
    assert data["status"] == "interrupted"
    assert data["verdict"] == "interrupted"
    assert "verdict: INTERRUPTED" in done.stdout
    not_run = [
        r
        for c in data["classes"]
        for r in c["rules"]
        if r["verdict"] == "not tested" and r["selected"]
    ]
    assert not_run and all("interrupted" in r["reason"] for r in not_run)
    badge = json.loads((run_dirs(tmp_path)[0] / "badge.json").read_text())
    assert badge["message"] == "interrupted"
