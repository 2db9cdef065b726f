"""The result of one conformance run: per class and per rule a verdict with its evidence.

These are plain data: the verdict engine (``klanten_conformance.harness.verdicts``) builds
them from test records, they round-trip through ``conformance.json``, and every writer and
the terminal summary print them, so all outputs say the same.

Outcomes of one check (a test): ``passed``, ``failed`` (one of its own assertions did not
hold), ``blocked`` (arranging its precondition failed, or it could not be completed; the cause
and the covering rule are named) and ``skipped`` (not applicable, with the reason).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA = "klanten-conformance/report/2"

# outcomes of a check
PASSED, FAILED, BLOCKED, SKIPPED = "passed", "failed", "blocked", "skipped"

# rule verdicts
PASS = "pass"
FAIL = "fail"
WARNING = "warning"
INCONCLUSIVE = "inconclusive"
NOT_APPLICABLE = "not applicable"
NOT_TESTED = "not tested"
RULE_VERDICTS = (PASS, FAIL, WARNING, INCONCLUSIVE, NOT_APPLICABLE, NOT_TESTED)
#: class verdicts: pass/fail/not applicable as for rules, plus "not run" (nothing was tested)
#: and "incomplete" (nothing failed, but a selected MUST rule is inconclusive or untested)
NOT_RUN = "not run"
INCOMPLETE = "incomplete"
# run status
COMPLETE, INTERRUPTED, ERROR = "complete", "interrupted", "error"


@dataclass
class Failure:
    """Why a check failed or was blocked: the expectation, what came back, the exchanges."""

    test: str
    title: str = ""
    expected: str = ""
    received: str = ""
    #: the key exchange(s) of the failure
    evidence: str = ""
    message: str = ""
    #: ``failed`` or ``blocked``
    kind: str = FAILED
    #: for a blocked check: the rules that cover the behaviour that broke
    covering: list[str] = field(default_factory=list)
    #: every exchange of the check, arrange steps included, each marked arrange/act
    exchanges: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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
    title: str = ""
    #: what the check said about its data (``ApiClient.note``), e.g. what it compared
    notes: list[str] = field(default_factory=list)


@dataclass
class TestOutcome:
    __test__ = False  # not a pytest test class

    nodeid: str
    outcome: str
    title: str = ""
    #: the notes of the check (a passed check's evidence: what it compared)
    notes: list[str] = field(default_factory=list)


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
    #: asked for in this run (API under test, --classes/--rule/--level); others do not count
    selected: bool = True
    #: the catalogue says why the rule cannot be tested; it does not count as a gap
    untestable: bool = False
    api: str = ""
    tags: list[str] = field(default_factory=list)
    tests: list[TestOutcome] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    #: the checks of the rule that were blocked, with their causes
    blocked: list[Failure] = field(default_factory=list)

    @property
    def counts(self) -> bool:
        """The rule counts for the verdicts: selected (or judged anyway, as the rules about
        every response are), testable and applicable."""
        judged = self.selected or bool(self.tests)
        return judged and not self.untestable and self.verdict != NOT_APPLICABLE

    @property
    def gap(self) -> bool:
        """A MUST rule that counts but has no verdict of its own: the class is incomplete."""
        return self.counts and self.level == "MUST" and self.verdict in (INCONCLUSIVE, NOT_TESTED)


@dataclass
class ClassResult:
    id: str
    title: str
    description: str
    optional: bool
    verdict: str = NOT_RUN
    rules: list[RuleResult] = field(default_factory=list)
    api: str = ""

    def count(self, verdict: str, level: str | None = None) -> int:
        return sum(
            1 for r in self.rules if r.verdict == verdict and (level is None or r.level == level)
        )

    def must_score(self) -> tuple[int, int]:
        """(passed, total) of the MUST rules that count."""
        musts = [r for r in self.rules if r.level == "MUST" and (r.counts or r.tests)]
        musts = [r for r in musts if r.verdict != NOT_APPLICABLE]
        return sum(1 for r in musts if r.verdict == PASS), len(musts)


@dataclass
class RunResult:
    run_id: str
    target: dict[str, Any]
    profile: str
    versions: dict[str, str]
    started: str
    finished: str
    selection: dict[str, Any] = field(default_factory=dict)
    status: str = COMPLETE
    error: str = ""
    classes: list[ClassResult] = field(default_factory=list)
    #: HTTP requests the harness sent to the target, when counted
    requests: int | None = None
    schema: str = SCHEMA

    @property
    def verdict(self) -> str:
        if self.status == INTERRUPTED:
            return INTERRUPTED
        if self.status != COMPLETE:
            return ERROR
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
        """How many rules that count have each verdict."""
        counts = dict.fromkeys(RULE_VERDICTS, 0)
        for _, rule in self.rules():
            if rule.selected or rule.tests:
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
                rule_data["blocked"] = [Failure(**f) for f in rule_data.get("blocked", [])]
                rules.append(RuleResult(**rule_data))
            fields = {k: class_data[k] for k in ("id", "title", "description", "optional")}
            classes.append(
                ClassResult(
                    **fields,
                    verdict=class_data["verdict"],
                    rules=rules,
                    api=class_data.get("api", ""),
                )
            )
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
            "requests",
        )
        return cls(**{k: data[k] for k in keys if k in data}, classes=classes)
