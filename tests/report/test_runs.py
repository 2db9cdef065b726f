"""`klanten-conformance run` writes every report file; failures show up with their evidence."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from klanten_conformance.rules import load_catalogue

from .conftest import ExternalServer, run_cli, run_dirs
from .htmlcheck import assert_well_formed, parse

pytestmark = pytest.mark.slow
REPORT_FILES = ("conformance.json", "conformance.html", "badge.json", "junit.xml")


def allure_results(run_dir: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in (run_dir / "allure-results").glob("*-result.json")]


def labels(result: dict, name: str) -> list[str]:
    return [label["value"] for label in result["labels"] if label["name"] == name]


def test_a_run_against_the_reference_server_writes_every_report(tmp_path: Path) -> None:
    done = run_cli("run", "-q", "-p", "no:cacheprovider", "--classes", "klok01", cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    (run_dir,) = run_dirs(tmp_path)
    assert run_dir.name.endswith("Z-reference-server")
    for name in REPORT_FILES:
        assert (run_dir / name).is_file(), name
    assert f"reports: {run_dir}" in done.stdout
    assert "verdict: CONFORMS" in done.stdout

    data = json.loads((run_dir / "conformance.json").read_text())
    assert data["verdict"] == "pass"
    assert data["target"]["name"] == "reference-server"
    verdicts = {r["id"]: r["verdict"] for c in data["classes"] for r in c["rules"]}
    assert "fail" not in verdicts.values()
    assert verdicts["KLOK01-C1"] == verdicts["OAS-02"] == "pass"
    assert verdicts["CACHE-03"] == "not tested"

    page = parse((run_dir / "conformance.html").read_text())
    assert_well_formed(page)
    catalogue = load_catalogue()
    for rule in catalogue.rules.values():
        if rule.api != "none":
            assert f"rule-{rule.id}" in page.ids, rule.id

    results = allure_results(run_dir)
    assert results and all(labels(r, "epic") == ["Klanten API"] for r in results)
    for result in results:
        for rule_id in labels(result, "rule"):
            assert catalogue.rules[rule_id].rule_class in labels(result, "feature")
            assert rule_id in labels(result, "story")
        assert labels(result, "profile") == ["klanten-1.0"]
        assert labels(result, "target") == ["reference-server"]
        assert labels(result, "level")
    junit = ET.parse(run_dir / "junit.xml").getroot()
    cases = {c.get("name").split(" ")[0] for c in junit.iter("testcase")}
    assert {rule_id for r in results for rule_id in labels(r, "rule")} <= cases
    assert data["target"]["urls"]["klanten"].startswith("http://127.0.0.1:")


def test_a_run_against_a_faulty_server_shows_the_failure(tmp_path: Path) -> None:
    done = run_cli(
        "run",
        "-q",
        "-p",
        "no:cacheprovider",
        "-n",
        "2",
        "--rule",
        "CACHE-03,KLOK01-Z1",
        cwd=tmp_path,
        faults="CACHE-03",
    )
    assert done.returncode == 1, done.stdout[-4000:] + done.stderr[-2000:]
    (run_dir,) = run_dirs(tmp_path)
    for name in REPORT_FILES:
        assert (run_dir / name).is_file(), name

    data = json.loads((run_dir / "conformance.json").read_text())
    assert data["verdict"] == "fail"
    rules = {r["id"]: r for c in data["classes"] for r in c["rules"]}
    cache = rules["CACHE-03"]
    assert cache["verdict"] == "fail"
    failure = cache["failures"][0]
    assert "304" in failure["expected"]
    assert "> If-None-Match:" in failure["evidence"] and "< 200" in failure["evidence"]
    assert rules["KLOK01-Z1"]["verdict"] == "pass"
    assert rules["kla-001a"]["verdict"] == "not tested"
    assert json.loads((run_dir / "badge.json").read_text())["color"] == "red"

    text = (run_dir / "conformance.html").read_text()
    page = parse(text)
    assert_well_formed(page)
    assert "Does not conform" in page.text
    assert "#rule-CACHE-03" in page.links
    assert "If-None-Match" in page.text and "Key exchange" in page.text

    failed = [r for r in allure_results(run_dir) if r["status"] == "failed"]  # from workers
    assert [labels(r, "rule") for r in failed] == [["CACHE-03"]]
    attachment = failed[0]["attachments"][0]
    assert "request and response" in attachment["name"]
    evidence = (run_dir / "allure-results" / attachment["source"]).read_text()
    assert "If-None-Match" in evidence
    junit = ET.parse(run_dir / "junit.xml").getroot()
    assert len(junit.findall(".//failure")) == 1


def test_no_secret_in_any_report_file_or_output(
    tmp_path: Path, faulty_external_server: ExternalServer
) -> None:
    server = faulty_external_server
    workdir = tmp_path / "run"
    workdir.mkdir()
    done = run_cli(
        "run",
        "-p",
        "no:cacheprovider",
        "-v",
        "-n",
        "2",
        "--klanten-url",
        server.url,
        "--client-id",
        server.client_id,
        "--secret",
        server.secret,
        "--restricted-client-id",
        server.restricted_client_id,
        "--restricted-secret",
        server.restricted_secret,
        "--rule",
        "CACHE-03,AUTH-01,AUTH-02,KLOK01-C1",
        cwd=workdir,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-4000:]  # CACHE-03 fails: there is evidence to leak
    (run_dir,) = run_dirs(workdir)
    assert run_dir.name.endswith("-127.0.0.1-" + server.url.split(":")[2].split("/")[0])
    data = json.loads((run_dir / "conformance.json").read_text())
    evidence = [f["evidence"] for c in data["classes"] for r in c["rules"] for f in r["failures"]]
    assert any("Authorization: Bearer <redacted>" in e for e in evidence)

    secrets = (server.secret, server.restricted_secret)
    for secret in secrets:
        assert secret not in output
    files = [p for p in workdir.rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        content = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in content, f"{secret} leaked into {path}"
        assert b"Bearer eyJ" not in content, f"a token leaked into {path}"
