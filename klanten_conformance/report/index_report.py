"""``index.html`` of a night: targets side by side (class × target), compared to last night.

A new failure is a rule failing (or warning) tonight that passed, was not applicable or was not
tested in the previous night; a fix is a rule passing tonight that failed or warned before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from klanten_conformance.report.html_report import CSS, chip, class_anchor, escape, rule_anchor
from klanten_conformance.report.model import COMPLETE, FAIL, NOT_RUN, PASS, WARNING, RunResult

FILENAME = "index.html"
_BAD = (FAIL, WARNING)
#: how a target's run ended when it left no complete report (besides the report's own
#: ``error`` and ``interrupted``): a CI job's marker says so, or no trace of it was found
TIMED_OUT, CRASHED, DID_NOT_RUN = "timed out", "crashed", "did not run"

INDEX_CSS = """
td.cell { text-align: center; white-space: nowrap; }
td.new-failure { outline: 3px solid var(--fail); outline-offset: -3px; background: #ffebe9; }
td.fixed { outline: 3px solid var(--pass); outline-offset: -3px; background: #dafbe1; }
.change { display: block; font-size: 11px; font-weight: 700; }
.change.new-failure { color: var(--fail); } .change.fixed { color: var(--pass); }
li.new-failure { color: var(--fail); } li.fixed { color: var(--pass); }
.error { color: var(--fail); font-size: 12px; white-space: pre-wrap; text-align: left; }
.v.timed-out, .v.crashed, .v.did-not-run { color: var(--fail); background: #ffebe9; }
"""


@dataclass
class TargetNight:
    """One target in one night: its run folder name and result (None: no report at all).

    ``state`` says how a run without a complete report ended (``timed out``, ``crashed``,
    ``did not run``) when that is known from elsewhere than the report; ``detail`` says more.
    """

    name: str
    run_id: str
    result: RunResult | None
    exit_code: int | None = None
    state: str = ""
    detail: str = ""

    @property
    def outcome(self) -> str:
        """``complete``, or how the run ended: the state, else the report's status."""
        if self.result is not None and self.result.status == COMPLETE and not self.state:
            return COMPLETE
        return self.state or (self.result.status if self.result else DID_NOT_RUN)


@dataclass
class Changes:
    new_failures: list[tuple[str, str, str]] = field(default_factory=list)
    fixes: list[tuple[str, str, str]] = field(default_factory=list)
    note: str = ""


def _verdicts(result: RunResult | None) -> dict[str, tuple[str, str]]:
    if result is None or result.status != "complete":
        return {}
    return {rule.id: (rule_class.id, rule.verdict) for rule_class, rule in result.rules()}


def compare(previous: RunResult | None, current: RunResult | None) -> Changes:
    """New failures and fixes of ``current`` against ``previous`` (class, rule, verdict)."""
    changes = Changes()
    if previous is None:
        changes.note = "no result in the previous night"
        return changes
    if current is None or current.status != "complete":
        changes.note = "tonight's run did not complete"
        return changes
    if previous.status != "complete":
        changes.note = "the previous night's run did not complete"
    before = _verdicts(previous)
    for class_id, (rule_class, verdict) in _verdicts(current).items():
        old = before.get(class_id, (rule_class, None))[1]
        if verdict in _BAD and old not in _BAD and old is not None:
            changes.new_failures.append((rule_class, class_id, verdict))
        elif verdict == PASS and old in _BAD:
            changes.fixes.append((rule_class, class_id, verdict))
    return changes


def _class_ids(nights: list[TargetNight]) -> list[tuple[str, str]]:
    classes: dict[str, str] = {}
    for night in nights:
        if night.result is not None:
            for rule_class in night.result.classes:
                classes.setdefault(rule_class.id, rule_class.title)
    return list(classes.items())


def _state_chip(state: str) -> str:
    return f'<span class="v {state.replace(" ", "-")}">{escape(state.upper())}</span>'


def _header_cell(night: TargetNight) -> str:
    link = f"{escape(night.run_id)}/conformance.html"
    result = night.result
    outcome = night.outcome
    if result is None:
        detail = escape(night.detail or "no report")
        shown = _state_chip(outcome) if night.state else chip("error")
        return f"<th>{escape(night.name)}<br>{shown}<div class='error'>{detail}</div></th>"
    if outcome == COMPLETE:
        passed, total = result.must_score()
        shown = chip(result.verdict)
        detail = f"<div class='muted'>{passed}/{total} MUST</div>"
    else:
        shown = _state_chip(outcome) if night.state else chip(result.verdict)
        # the report's own error, unless it only repeats the detail (a report made for it)
        own = "" if night.detail and night.detail in result.error else result.error
        text = "\n".join(t for t in (night.detail, own) if t)
        detail = f"<div class='error'>{escape(text)}</div>"
    return f'<th><a href="{link}">{escape(night.name)}</a><br>{shown}{detail}</th>'


def _cell(night: TargetNight, class_id: str, changes: Changes) -> str:
    result = night.result
    rule_class = next((c for c in result.classes if c.id == class_id), None) if result else None
    # an interrupted run shows the verdicts of what it judged; a run in error has none
    if result is None or rule_class is None or result.status not in ("complete", "interrupted"):
        return "<td class='cell muted'>—</td>"
    passed, total = rule_class.must_score()
    score = f"{passed}/{total} MUST" if rule_class.verdict != NOT_RUN else ""
    marks = []
    css = "cell"
    new = [r for c, r, _ in changes.new_failures if c == class_id]
    fixed = [r for c, r, _ in changes.fixes if c == class_id]
    if new:
        css += " new-failure"
        marks.append(f"<span class='change new-failure'>{len(new)} new failure(s)</span>")
    if fixed:
        css += " fixed" if not new else ""
        marks.append(f"<span class='change fixed'>{len(fixed)} fixed</span>")
    link = f"{escape(night.run_id)}/conformance.html#{class_anchor(class_id)}"
    return (
        f'<td class="{css}"><a href="{link}">{chip(rule_class.verdict)}</a>'
        f"<div class='muted'>{score}</div>{''.join(marks)}</td>"
    )


def _changes_section(
    nights: list[TargetNight], changes: dict[str, Changes], previous_stamp: str | None
) -> list[str]:
    if previous_stamp is None:
        return [
            '<section id="changes"><h2>Changes since the previous night</h2>',
            "<p class='muted'>No previous night in this reports folder.</p></section>",
        ]
    parts = [
        '<section id="changes">',
        f"<h2>Changes since the previous night ({escape(previous_stamp)})</h2>",
    ]
    for night in nights:
        change = changes[night.name]
        parts.append(f"<h3>{escape(night.name)}</h3>")
        if change.note:
            parts.append(f"<p class='muted'>{escape(change.note)}</p>")
        if not (change.new_failures or change.fixes):
            if not change.note:
                parts.append("<p class='muted'>No changes.</p>")
            continue
        parts.append("<ul>")
        link = f"{escape(night.run_id)}/conformance.html"
        for class_id, rule_id, verdict in change.new_failures:
            parts.append(
                f'<li class="new-failure"><strong>NEW FAILURE</strong> {chip(verdict)} '
                f'<a href="{link}#{rule_anchor(rule_id)}">{escape(rule_id)}</a> '
                f"({escape(class_id)})</li>"
            )
        for class_id, rule_id, _ in change.fixes:
            parts.append(
                f'<li class="fixed"><strong>FIXED</strong> '
                f'<a href="{link}#{rule_anchor(rule_id)}">{escape(rule_id)}</a> '
                f"({escape(class_id)})</li>"
            )
        parts.append("</ul>")
    parts.append("</section>")
    return parts


def _problems_section(problems: list[str]) -> list[str]:
    if not problems:
        return []
    items = "".join(f"<li class='error'>{escape(problem)}</li>" for problem in problems)
    return [
        '<section id="problems"><h2>Input problems</h2>',
        "<p class='muted'>Inputs that could not be used as given; every target is still "
        f"shown above.</p><ul>{items}</ul></section>",
    ]


def render(
    stamp: str,
    nights: list[TargetNight],
    previous: dict[str, RunResult | None] | None = None,
    previous_stamp: str | None = None,
    problems: list[str] | None = None,
) -> str:
    previous = previous or {}
    changes = {
        night.name: compare(previous.get(night.name), night.result) if previous_stamp else Changes()
        for night in nights
    }
    head = "".join(_header_cell(night) for night in nights)
    rows = []
    for class_id, title in _class_ids(nights):
        cells = "".join(_cell(night, class_id, changes[night.name]) for night in nights)
        rows.append(f"<tr><th>{escape(class_id)} — {escape(title)}</th>{cells}</tr>")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Klanten API conformance — night {escape(stamp)}</title>",
        f"<style>{CSS}{INDEX_CSS}</style></head><body>",
        f"<h1>Klanten API conformance — night {escape(stamp)}</h1>",
        f"<p class='muted'>{len(nights)} target(s). Cells link to each target's report; "
        "red outlines mark new failures since the previous night, green outlines fixes.</p>",
        '<section id="matrix"><h2>Conformance classes per target</h2>',
        f"<table><thead><tr><th>Class</th>{head}</tr></thead><tbody>",
        *rows,
        "</tbody></table></section>",
        *_problems_section(problems or []),
        *_changes_section(nights, changes, previous_stamp),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write(
    reports_dir: Path,
    stamp: str,
    nights: list[TargetNight],
    previous: dict[str, RunResult | None] | None = None,
    previous_stamp: str | None = None,
    problems: list[str] | None = None,
) -> Path:
    path = Path(reports_dir) / FILENAME
    page = render(stamp, nights, previous, previous_stamp, problems)
    path.write_text(page, encoding="utf-8")
    return path
