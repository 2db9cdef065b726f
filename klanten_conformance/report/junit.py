"""``junit.xml``: one test suite per conformance class, one test case per rule.

CI systems read JUnit; the case of a rule carries its verdict, so the file says what the
terminal and ``conformance.html`` say: ``fail`` is a ``<failure>``, ``inconclusive`` (a
blocked check) an ``<error>``, ``not applicable`` and ``not tested`` are ``<skipped>`` with
the reason, and a ``warning`` (a SHOULD rule that failed) passes with the warning in its
output, as the exit status does.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from klanten_conformance.report.model import (
    FAIL,
    INCONCLUSIVE,
    NOT_APPLICABLE,
    NOT_TESTED,
    WARNING,
    Failure,
    RuleResult,
    RunResult,
)

FILENAME = "junit.xml"


def _text(failure: Failure) -> str:
    parts = [f"check: {failure.title or failure.test}", f"test: {failure.test}"]
    if failure.expected or failure.received:
        parts += [f"expected: {failure.expected}", f"received: {failure.received}"]
    if failure.covering:
        parts.append(f"see: {', '.join(failure.covering)}")
    if failure.message:
        parts.append(failure.message)
    if failure.exchanges:
        parts += ["", *failure.exchanges]
    elif failure.evidence:
        parts += ["", failure.evidence]
    return "\n".join(parts)


def _case(suite: ET.Element, class_id: str, rule: RuleResult) -> str:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=class_id,
        name=f"{rule.id} ({rule.level})",
        time="0",
    )
    props = ET.SubElement(case, "properties")
    for name, value in (("rule", rule.id), ("level", rule.level), ("verdict", rule.verdict)):
        ET.SubElement(props, "property", name=name, value=value)
    if rule.verdict == FAIL:
        node = ET.SubElement(case, "failure", message=rule.reason, type="fail")
        node.text = "\n\n".join(_text(f) for f in rule.failures)
    elif rule.verdict == INCONCLUSIVE:
        node = ET.SubElement(case, "error", message=rule.reason, type="blocked")
        node.text = "\n\n".join(_text(f) for f in rule.blocked)
    elif rule.verdict in (NOT_APPLICABLE, NOT_TESTED):
        ET.SubElement(case, "skipped", message=f"{rule.verdict}: {rule.reason}")
    elif rule.verdict == WARNING:
        out = ET.SubElement(case, "system-out")
        out.text = f"WARNING (SHOULD): {rule.reason}\n\n" + "\n\n".join(
            _text(f) for f in rule.failures
        )
    return rule.verdict


def render(result: RunResult) -> bytes:
    root = ET.Element("testsuites", name=f"klanten-conformance {result.profile}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for rule_class in result.classes:
        rules = [r for r in rule_class.rules if r.selected or r.tests]
        if not rules:
            continue
        suite = ET.SubElement(root, "testsuite", name=f"{rule_class.id} — {rule_class.title}")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for rule in rules:
            verdict = _case(suite, rule_class.id, rule)
            counts["tests"] += 1
            counts["failures"] += verdict == FAIL
            counts["errors"] += verdict == INCONCLUSIVE
            counts["skipped"] += verdict in (NOT_APPLICABLE, NOT_TESTED)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write(result: RunResult, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(result))
    return path
