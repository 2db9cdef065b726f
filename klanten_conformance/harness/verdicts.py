"""The verdict engine: one function folds the outcomes of checks into rule and class verdicts.

The terminal summary, ``conformance.json``/``.html``, JUnit, Allure, the badges and the
nightly index all print what :func:`fold` returns, so they cannot disagree.

A rule's verdict:

- ``fail`` (MUST) / ``warning`` (SHOULD): one of its own assertions did not hold;
- ``inconclusive``: nothing failed, but a check was blocked (its precondition could not be
  arranged, or it could not be completed); the cause and the covering rule are given;
- ``pass``: its checks ran and held;
- ``not applicable``: every check was skipped with a reason, or the rule is not part of the
  run's profile;
- ``not tested``: no check of it ran (with the reason: not selected, interrupted, none yet).

A class is ``fail`` when a MUST rule failed, ``incomplete`` when none failed but a MUST rule
that counts is inconclusive or untested, ``pass`` when its rules ran and held (warnings
allowed), ``not applicable`` or ``not run`` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from klanten_conformance.report.model import (
    BLOCKED,
    COMPLETE,
    FAIL,
    FAILED,
    INCOMPLETE,
    INCONCLUSIVE,
    INTERRUPTED,
    NOT_APPLICABLE,
    NOT_RUN,
    NOT_TESTED,
    PASS,
    PASSED,
    SKIPPED,
    WARNING,
    ClassResult,
    Failure,
    RuleResult,
    RunResult,
    TestOutcome,
    TestRecord,
)
from klanten_conformance.rules import Catalogue, Rule

#: exit status of a run
EXIT_CONFORMS, EXIT_DOES_NOT_CONFORM, EXIT_NO_VERDICT = 0, 1, 2


@dataclass
class Scope:
    """What the run was about: which rules it selected and which apply to its profile."""

    profile: str
    #: the rule is selected (its API is under test and --classes/--rule/--level want it)
    wants: Callable[[Rule], bool] = lambda rule: True
    #: the rule is part of the run's profile
    applies: Callable[[Rule], bool] = lambda rule: True
    #: why a rule that is not selected was left out
    left_out: Callable[[Rule], str] = lambda rule: "not selected in this run"


@dataclass
class _Tally:
    passed: int = 0
    failures: list[Failure] = field(default_factory=list)
    blocked: list[Failure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    tests: dict[str, TestOutcome] = field(default_factory=dict)

    def saw(self, record: TestRecord, outcome: str) -> None:
        known = self.tests.get(record.nodeid)
        # a test's worst outcome over its phases is the one shown
        rank = (PASSED, SKIPPED, BLOCKED, FAILED)
        notes = [*(known.notes if known else []), *record.notes]
        if known is None or rank.index(outcome) > rank.index(known.outcome):
            self.tests[record.nodeid] = TestOutcome(record.nodeid, outcome, record.title)
        self.tests[record.nodeid].notes = list(dict.fromkeys(notes))


def tally(records: Iterable[TestRecord]) -> dict[str, _Tally]:
    """Per rule: passes, failures, blocked checks and skip reasons."""
    tallies: dict[str, _Tally] = {}

    def of(rule_id: str) -> _Tally:
        return tallies.setdefault(rule_id, _Tally())

    for record in records:
        if not record.rules:
            continue
        failure = record.failure or Failure(test=record.nodeid, title=record.title)
        if record.outcome == FAILED and record.failed_rules:
            for rule_id in dict.fromkeys(record.failed_rules):
                of(rule_id).failures.append(failure)
                of(rule_id).saw(record, FAILED)
        elif record.outcome in (FAILED, BLOCKED):
            if failure.kind != BLOCKED:
                failure = Failure(**{**failure.__dict__, "kind": BLOCKED})
            for rule_id in record.rules:
                of(rule_id).blocked.append(failure)
                of(rule_id).saw(record, BLOCKED)
        elif record.outcome == SKIPPED:
            for rule_id in record.rules:
                of(rule_id).skipped.append(record.skip_reason)
                of(rule_id).saw(record, SKIPPED)
        elif record.when == "call":
            for rule_id in dict.fromkeys(record.rules + record.checked_rules):
                of(rule_id).passed += 1
                of(rule_id).saw(record, PASSED)
    return tallies


def _cause(blocked: Failure) -> str:
    see = f" — see {', '.join(blocked.covering)}" if blocked.covering else ""
    what = blocked.expected or "a step of the check"
    return f"{what}: {blocked.received or blocked.message}{see}"


def rule_result(
    rule: Rule, tally: _Tally | None, scope: Scope, status: str = COMPLETE
) -> RuleResult:
    result = RuleResult(
        id=rule.id,
        level=rule.level,
        statement=rule.statement,
        source_document=rule.source_document,
        source_section=rule.source_section,
        check=rule.check,
        selected=scope.wants(rule) and scope.applies(rule),
        untestable=rule.not_tested_reason is not None,
        api=rule.api,
        tags=list(rule.tags),
    )
    if not scope.applies(rule):
        result.verdict = NOT_APPLICABLE
        result.reason = f"not part of profile {scope.profile}"
        return result
    if tally is None:
        if rule.not_tested_reason:
            result.reason = rule.not_tested_reason
        elif not scope.wants(rule):
            result.reason = scope.left_out(rule)
        elif status == INTERRUPTED:
            result.reason = "the run was interrupted before a check of this rule ran"
        else:
            result.reason = "no check of this rule ran"
        return result
    result.tests = list(tally.tests.values())
    result.blocked = tally.blocked
    if tally.failures:
        result.verdict = FAIL if rule.level == "MUST" else WARNING
        result.failures = tally.failures
        result.reason = f"{len(tally.failures)} failing check(s)"
    elif tally.blocked:
        result.verdict = INCONCLUSIVE
        causes = list(dict.fromkeys(_cause(b) for b in tally.blocked))
        more = f" (and {len(causes) - 1} more cause(s))" if len(causes) > 1 else ""
        result.reason = f"{len(tally.blocked)} check(s) blocked: {causes[0]}{more}"
    elif tally.passed:
        result.verdict = PASS
        result.reason = f"{tally.passed} check(s) passed"
    else:
        result.verdict = NOT_APPLICABLE
        result.reason = "; ".join(sorted(set(tally.skipped))) or "skipped"
    return result


def class_verdict(rules: list[RuleResult]) -> str:
    counted = [r for r in rules if r.selected or r.tests]
    verdicts = {r.verdict for r in counted}
    if FAIL in verdicts:
        return FAIL
    if any(r.gap for r in counted):
        return INCOMPLETE
    if verdicts & {PASS, WARNING}:
        return PASS
    if NOT_APPLICABLE in verdicts or (rules and all(r.verdict == NOT_APPLICABLE for r in rules)):
        return NOT_APPLICABLE
    return NOT_RUN


def build_classes(
    catalogue: Catalogue,
    records: Iterable[TestRecord],
    scope: Scope | None = None,
    status: str = COMPLETE,
) -> list[ClassResult]:
    """Every conformance class of the suites (lint excluded) with every rule's verdict."""
    scope = scope or Scope(profile=catalogue.default_profile or "")
    tallies = tally(records)
    classes = []
    for rule_class in catalogue.classes.values():
        if rule_class.api == "lint":
            continue
        rules = [
            rule_result(rule, tallies.get(rule.id), scope, status)
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
                api=rule_class.api,
            )
        )
    return classes


def unknown_rules(catalogue: Catalogue, records: Iterable[TestRecord]) -> list[str]:
    """Rule ids named by records that the catalogue does not know (a harness bug)."""
    named = {r for record in records for r in [*record.rules, *record.failed_rules]}
    return sorted(named - set(catalogue.rules))


def exit_status(result: RunResult) -> int:
    """0: every selected MUST rule passes (or is not applicable); 1: one fails or could not
    be judged; 2: the run did not complete (configuration, preflight, interruption)."""
    if result.status != COMPLETE:
        return EXIT_NO_VERDICT
    for _, rule in result.rules():
        if rule.level != "MUST" or not rule.counts:
            continue
        if rule.verdict in (FAIL, INCONCLUSIVE, NOT_TESTED):
            return EXIT_DOES_NOT_CONFORM
    return EXIT_CONFORMS


#: the one-line overall verdict of a run, as the terminal prints it
HEADLINES = {
    PASS: "conforms",
    FAIL: "does not conform",
    INCOMPLETE: "incomplete",
    NOT_APPLICABLE: "nothing applicable",
    NOT_RUN: "nothing was tested",
    INTERRUPTED: "interrupted",
    "error": "the run did not complete",
}
