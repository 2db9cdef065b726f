"""Per-rule verdicts of a run, collected from test reports (xdist-safe: only user_properties).

Verdicts: pass, fail (a MUST rule failed), warning (a SHOULD rule failed), not applicable
(every test of the rule was skipped, with the reason), and rules without a test.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pytest

from klanten_conformance.rules import Catalogue, Rule

RULES_PROPERTY = "klanten_rules"
FAILED_PROPERTY = "klanten_failed_rule"
CHECKED_PROPERTY = "klanten_checked_rule"


@dataclass(frozen=True)
class Selection:
    """The rules a run selected with --classes, --rule and --level (empty: every rule)."""

    classes: frozenset[str] = frozenset()
    rules: frozenset[str] = frozenset()
    level: str | None = None

    @classmethod
    def of(cls, classes: Iterable[str], rules: Iterable[str], level: str | None) -> Selection:
        return cls(frozenset(classes), frozenset(rules), level or None)

    def __bool__(self) -> bool:
        return bool(self.classes or self.rules or self.level)

    def wants(self, rule: Rule) -> bool:
        return (
            (not self.classes or rule.rule_class in self.classes)
            and (not self.rules or rule.id in self.rules)
            and (not self.level or rule.level == self.level)
        )


@dataclass
class RuleResult:
    passed: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _props(report: pytest.TestReport, name: str) -> list[str]:
    values = []
    for key, value in report.user_properties:
        if key == name:
            values.extend(v for v in str(value).split(",") if v)
    return values


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


class Verdicts:
    """Registered as a plugin on the controller (or the only process)."""

    def __init__(
        self, config: pytest.Config, catalogue: Catalogue, selection: Selection | None = None
    ) -> None:
        self.config = config
        self.catalogue = catalogue
        self.selection = selection or Selection()
        #: HTTP requests the harness sent to the target (all processes), when counted
        self.requests: int | None = None
        self.results: dict[str, RuleResult] = {}
        self.unattributed: list[str] = []
        self.seen = False

    def _result(self, rule_id: str) -> RuleResult:
        return self.results.setdefault(rule_id, RuleResult())

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        marked = _props(report, RULES_PROPERTY)
        if not marked:
            return
        self.seen = True
        if report.failed:
            blamed = _props(report, FAILED_PROPERTY) or marked
            for rule_id in blamed:
                self._result(rule_id).failed.append(report.nodeid)
        elif report.skipped:
            for rule_id in marked:
                self._result(rule_id).skipped.append(_skip_reason(report))
        elif report.when == "call":
            for rule_id in marked + _props(report, CHECKED_PROPERTY):
                self._result(rule_id).passed += 1

    def verdict(self, rule_id: str) -> str:
        result = self.results.get(rule_id)
        if result is None:
            return "no test"
        if result.failed:
            return "fail" if self.catalogue.rules[rule_id].level == "MUST" else "warning"
        if result.passed:
            return "pass"
        return "not applicable"

    def must_failed(self) -> bool:
        return any(self.verdict(rule_id) == "fail" for rule_id in self.results)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.seen or session.exitstatus not in (0, 1):
            return
        session.exitstatus = 1 if self.must_failed() else 0

    def pytest_terminal_summary(self, terminalreporter: object) -> None:
        if not self.seen:
            return
        write = terminalreporter.write_line  # type: ignore[attr-defined]
        terminalreporter.section("Klanten conformance per class and rule")  # type: ignore[attr-defined]
        for class_id, rule_class in self.catalogue.classes.items():
            rules = [r for r in self.catalogue.by_class(class_id) if r.id in self.results]
            if not rules:
                continue
            verdicts = [self.verdict(r.id) for r in rules]
            overall = "FAIL" if "fail" in verdicts else "PASS"
            write(f"{class_id} — {rule_class.title}: {overall}")
            for rule in rules:
                write(self._line(rule.id, rule.level))
        untested = [
            rule
            for rule in self.catalogue.rules.values()
            if rule.id not in self.results and rule.api != "none"
        ]
        uncovered = [rule for rule in untested if self.selection.wants(rule)]
        if uncovered:
            write("selected rules without a test in this run:")
            for rule in uncovered:
                reason = rule.not_tested_reason or "no test ran for this rule (deselected or none)"
                write(f"  {rule.id:<12} {rule.level:<6} {reason}")
        not_selected = len(untested) - len(uncovered)
        if not_selected:
            write(f"not selected (--classes/--rule/--level): {not_selected} rule(s)")
        if self.requests is not None:
            write(f"HTTP requests to the target: {self.requests}")

    def _line(self, rule_id: str, level: str) -> str:
        result = self.results[rule_id]
        verdict = self.verdict(rule_id)
        line = f"  {rule_id:<12} {level:<6} {verdict:<15}"
        if verdict in ("fail", "warning"):
            line += " " + ", ".join(sorted(set(result.failed)))
        elif verdict == "not applicable":
            line += " " + "; ".join(sorted(set(result.skipped)))
        else:
            line += f" {result.passed} check(s)"
        return line
