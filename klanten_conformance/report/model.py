"""The result of one conformance run: per class and per rule a verdict with its evidence.

The model is built from plain test records (what each pytest report said about which rules),
so it can be assembled on the xdist controller from ``user_properties`` alone, and it
round-trips through ``conformance.json`` so that every other format can be rebuilt from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from klanten_conformance.rules import Catalogue, Rule

SCHEMA = "klanten-conformance/report/1"

PASS = "pass"
FAIL = "fail"
WARNING = "warning"
NOT_APPLICABLE = "not applicable"
NOT_TESTED = "not tested"
RULE_VERDICTS = (PASS, FAIL, WARNING, NOT_APPLICABLE, NOT_TESTED)
#: class verdicts: pass/fail/not applicable as for rules, plus "not run" (nothing was tested)
#: and "incomplete" (nothing failed, but a selected MUST rule had no check that ran)
NOT_RUN = "not run"
INCOMPLETE = "incomplete"


@dataclass
class Failure:
    """Why a rule failed in one test: the expectation, what came back and the exchange."""

    test: str
    expected: str = ""
    received: str = ""
    evidence: str = ""
    message: str = ""


@dataclass
class TestRecord:
    """One pytest report (one phase of one test) reduced to what the verdicts need."""

    __test__ = False  # not a pytest test class

    nodeid: str
    when: str
    outcome: str
    rules: list[str]
    failed_rules: list[str] = field(default_factory=list)
    checked_rules: list[str] = field(default_factory=list)
    duration: float = 0.0
    skip_reason: str = ""
    failure: Failure | None = None


@dataclass
class TestOutcome:
    __test__ = False  # not a pytest test class

    nodeid: str
    outcome: str


@dataclass
class RuleResult:
    id: str
    level: str
    statement: str
    source_document: str
    source_section: str
    check: str
    verdict: str = NOT_TESTED
    reason: str = ""
    #: asked for in this run (by --classes/--rule/--level); unselected rules do not count
    selected: bool = True
    #: the catalogue says why the rule cannot be tested; it does not count as a gap
    untestable: bool = False
    tests: list[TestOutcome] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def counts_as_gap_or_result(rule: RuleResult) -> bool:
    """A rule that was checked, or was asked for and could have been but was not."""
    if rule.tests:
        return True
    return rule.selected and not rule.untestable


@dataclass
class ClassResult:
    id: str
    title: str
    description: str
    optional: bool
    verdict: str = NOT_RUN
    rules: list[RuleResult] = field(default_factory=list)

    def count(self, verdict: str, level: str | None = None) -> int:
        return sum(
            1 for r in self.rules if r.verdict == verdict and (level is None or r.level == level)
        )

    def must_score(self) -> tuple[int, int]:
        """(passed, total) MUST rules; not applicable rules do not count."""
        musts = [
            r
            for r in self.rules
            if r.level == "MUST" and r.verdict != NOT_APPLICABLE and counts_as_gap_or_result(r)
        ]
        return sum(1 for r in musts if r.verdict == PASS), len(musts)


@dataclass
class RunResult:
    run_id: str
    target: dict[str, str]
    profile: str
    versions: dict[str, str]
    started: str
    finished: str
    selection: dict[str, Any] = field(default_factory=dict)
    status: str = "complete"
    error: str = ""
    classes: list[ClassResult] = field(default_factory=list)
    schema: str = SCHEMA

    @property
    def verdict(self) -> str:
        if self.status != "complete":
            return "error"
        verdicts = {c.verdict for c in self.classes}
        for verdict in (FAIL, INCOMPLETE, PASS, NOT_APPLICABLE):
            if verdict in verdicts:
                return verdict
        return NOT_RUN

    def rules(self) -> Iterable[tuple[ClassResult, RuleResult]]:
        for rule_class in self.classes:
            for rule in rule_class.rules:
                yield rule_class, rule

    def must_score(self) -> tuple[int, int]:
        scores = [c.must_score() for c in self.classes if c.verdict != NOT_RUN]
        return sum(s[0] for s in scores), sum(s[1] for s in scores)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(RULE_VERDICTS, 0)
        for _, rule in self.rules():
            counts[rule.verdict] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict
        data["must"] = dict(zip(("passed", "total"), self.must_score(), strict=True))
        data["counts"] = self.counts()
        for class_data, rule_class in zip(data["classes"], self.classes, strict=True):
            passed, total = rule_class.must_score()
            class_data["must"] = {"passed": passed, "total": total}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a klanten-conformance report (schema {data.get('schema')!r})")
        classes = []
        for class_data in data.get("classes", []):
            rules = []
            for rule_data in class_data.get("rules", []):
                rule_data = dict(rule_data)
                rule_data["tests"] = [TestOutcome(**t) for t in rule_data.get("tests", [])]
                rule_data["failures"] = [Failure(**f) for f in rule_data.get("failures", [])]
                rules.append(RuleResult(**rule_data))
            fields = {k: class_data[k] for k in ("id", "title", "description", "optional")}
            classes.append(ClassResult(**fields, verdict=class_data["verdict"], rules=rules))
        keys = (
            "run_id",
            "target",
            "profile",
            "versions",
            "started",
            "finished",
            "selection",
            "status",
            "error",
        )
        return cls(**{k: data[k] for k in keys if k in data}, classes=classes)


# building the model from test records -------------------------------------------------------


@dataclass
class _Tally:
    passed: int = 0
    failures: list[Failure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    tests: dict[str, str] = field(default_factory=dict)


def _tally(records: Iterable[TestRecord]) -> dict[str, _Tally]:
    """Per rule: passes, failures and skip reasons (same semantics as the terminal summary)."""
    tallies: dict[str, _Tally] = {}
    for record in records:
        if not record.rules:
            continue
        if record.outcome == "failed":
            blamed = record.failed_rules or record.rules
            for rule_id in blamed:
                tally = tallies.setdefault(rule_id, _Tally())
                tally.failures.append(record.failure or Failure(test=record.nodeid))
                tally.tests[record.nodeid] = "failed"
        elif record.outcome == "skipped":
            for rule_id in record.rules:
                tally = tallies.setdefault(rule_id, _Tally())
                tally.skipped.append(record.skip_reason)
                tally.tests.setdefault(record.nodeid, "skipped")
        elif record.when == "call":
            for rule_id in dict.fromkeys(record.rules + record.checked_rules):
                tally = tallies.setdefault(rule_id, _Tally())
                tally.passed += 1
                tally.tests.setdefault(record.nodeid, "passed")
    return tallies


def _rule_result(rule: Rule, tally: _Tally | None, selected: bool) -> RuleResult:
    result = RuleResult(
        id=rule.id,
        level=rule.level,
        statement=rule.statement,
        source_document=rule.source_document,
        source_section=rule.source_section,
        check=rule.check,
        selected=selected,
        untestable=rule.not_tested_reason is not None,
    )
    if tally is None:
        result.reason = rule.not_tested_reason or (
            "no test yet" if selected else "not selected in this run"
        )
        return result
    result.tests = [TestOutcome(nodeid, outcome) for nodeid, outcome in tally.tests.items()]
    if tally.failures:
        result.verdict = FAIL if rule.level == "MUST" else WARNING
        result.failures = tally.failures
        result.reason = f"{len(tally.failures)} failing check(s)"
    elif tally.passed:
        result.verdict = PASS
        result.reason = f"{tally.passed} check(s) passed"
    else:
        result.verdict = NOT_APPLICABLE
        result.reason = "; ".join(sorted(set(tally.skipped))) or "skipped"
    return result


def class_verdict(rules: list[RuleResult]) -> str:
    verdicts = {r.verdict for r in rules}
    if FAIL in verdicts:
        return FAIL
    if verdicts & {PASS, WARNING}:
        gaps = [
            r
            for r in rules
            if r.level == "MUST" and r.verdict == NOT_TESTED and counts_as_gap_or_result(r)
        ]
        return INCOMPLETE if gaps else PASS
    if NOT_APPLICABLE in verdicts:
        return NOT_APPLICABLE
    return NOT_RUN


def build_classes(
    catalogue: Catalogue,
    records: Iterable[TestRecord],
    selected: Callable[[Rule], bool] = lambda rule: True,
) -> list[ClassResult]:
    """Every conformance class of the suites (lint excluded) with every rule's verdict.

    ``selected`` tells whether a rule was asked for in this run, to explain untested rules.
    """
    tallies = _tally(records)
    classes = []
    for rule_class in catalogue.classes.values():
        if rule_class.api == "lint":
            continue
        rules = [
            _rule_result(rule, tallies.get(rule.id), selected(rule))
            for rule in catalogue.by_class(rule_class.id)
        ]
        classes.append(
            ClassResult(
                id=rule_class.id,
                title=rule_class.title,
                description=rule_class.description,
                optional=rule_class.optional,
                verdict=class_verdict(rules),
                rules=rules,
            )
        )
    return classes
