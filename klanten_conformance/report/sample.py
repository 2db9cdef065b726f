"""A sample run result for screenshots and tests: every verdict, one failure with evidence."""

from __future__ import annotations

from klanten_conformance.harness.verdicts import Scope, build_classes
from klanten_conformance.report.model import Failure, RunResult, TestRecord
from klanten_conformance.rules import Catalogue, load_catalogue

SAMPLE_EVIDENCE = """\
> GET http://klanten.example/api/v1/klanten/3f0c9a1e
> Accept: application/json
> If-None-Match: "9b2f1c"
> Authorization: Bearer <redacted>
< 200 (12 ms)
< Content-Type: application/json
< ETag: "9b2f1c"
<
< {"url": "http://klanten.example/api/v1/klanten/3f0c9a1e", "klantnummer": "K1"}"""


def sample_records() -> list[TestRecord]:
    suite = "suites/klanten/test_gedrag.py"
    return [
        TestRecord(
            f"{suite}::test_create_with_unused_klantnummer",
            "call",
            "passed",
            ["kla-001a"],
            checked_rules=["OAS-02"],
        ),
        TestRecord(f"{suite}::test_etag_on_klant", "call", "passed", ["CACHE-01"]),
        TestRecord(
            f"{suite}::test_if_none_match",
            "call",
            "failed",
            ["CACHE-03"],
            failed_rules=["CACHE-03"],
            failure=Failure(
                test=f"{suite}::test_if_none_match",
                expected="If-None-Match with the current ETag: HTTP 304",
                received="HTTP 200",
                evidence=SAMPLE_EVIDENCE,
            ),
        ),
        TestRecord(
            "suites/klanten/test_klok01.py::test_zelfstandig_outside_klantbeeld",
            "call",
            "failed",
            ["KLOK01-Z3"],
            failed_rules=["KLOK01-Z3"],
            failure=Failure(
                test="suites/klanten/test_klok01.py::test_zelfstandig_outside_klantbeeld",
                message="call: AssertionError: the klantbeeld listed a zelfstandige klant",
            ),
        ),
        TestRecord(
            "suites/klanten/test_klok01.py::test_kardinaliteit", "call", "passed", ["KLOK01-C1"]
        ),
        TestRecord(
            "suites/klanten/test_klok01.py::test_zelfstandige_klant_stays_zelfstandig[PATCH]",
            "call",
            "blocked",
            ["KLOK01-Z2"],
            title="A zelfstandige klant cannot be made into an aangehaakte klant",
            failure=Failure(
                test="suites/klanten/test_klok01.py::test_zelfstandige_klant_stays_zelfstandig",
                kind="blocked",
                expected="creating a zelfstandige klant",
                received="HTTP 500",
                covering=["KLOK01-Z1"],
                exchanges=["[arrange]\n> POST http://klanten.example/api/v1/klanten\n< 500"],
            ),
        ),
        TestRecord(
            "suites/klanten/test_notificaties.py::test_create_notifies",
            "setup",
            "skipped",
            ["NOTIF-01"],
            skip_reason="the target was not configured to post notifications",
        ),
    ]


def sample_result(catalogue: Catalogue | None = None) -> RunResult:
    catalogue = catalogue or load_catalogue()
    return RunResult(
        run_id="20250101T020000Z-sample-vendor",
        target={
            "name": "sample-vendor",
            "urls": {"klanten": "https://klanten.example/api/v1"},
            "apis": ["klanten"],
        },
        profile="klanten-1.0",
        versions={"klanten-conformance": "0.1.0", "pytest": "9", "python": "3.11"},
        started="2025-01-01T02:00:00Z",
        finished="2025-01-01T02:03:12Z",
        selection={"classes": ["gedrag", "klok01", "notificaties", "oas"], "read_only": False},
        classes=build_classes(
            catalogue,
            sample_records(),
            Scope(
                "klanten-1.0",
                wants=lambda rule: rule.rule_class in {"oas", "gedrag", "klok01", "notificaties"},
                applies=lambda rule: catalogue.applies(rule, "klanten-1.0"),
            ),
        ),
    )
