"""``conformance.html``: one self-contained page a vendor can hand in.

No scripts, fonts, images or links outside the page; failures are printed expanded with the
recorded request and response, so the page reads the same on screen and on paper.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from klanten_conformance.report.model import (
    FAIL,
    INCOMPLETE,
    INCONCLUSIVE,
    INTERRUPTED,
    NOT_APPLICABLE,
    NOT_RUN,
    NOT_TESTED,
    PASS,
    WARNING,
    ClassResult,
    Failure,
    RuleResult,
    RunResult,
)
from klanten_conformance.sources import describe

FILENAME = "conformance.html"
MAX_TESTS_SHOWN = 6  # per rule; conformance.json lists them all

CSS = """
:root { --pass:#1a7f37; --fail:#cf222e; --warn:#9a6700; --na:#57606a; --line:#d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:#1f2328;
       margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 2px solid var(--line);
     padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
a { color: #0969da; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
table.rules { table-layout: fixed; }
table.rules col.id { width: 11%; } table.rules col.level { width: 8%; }
table.rules col.statement { width: 53%; } table.rules col.result { width: 28%; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa;
       padding: 0 3px; border-radius: 3px; }
.tests { font: 11px/1.3 ui-monospace, monospace; color: #57606a; overflow-wrap: anywhere; }
tr.unselected td { color: #8c959f; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
.banner { display: flex; gap: 24px; align-items: center; padding: 16px 20px; border-radius: 8px;
          border: 2px solid; margin: 16px 0; }
.banner.pass { border-color: var(--pass); background: #dafbe1; }
.banner.fail { border-color: var(--fail); background: #ffebe9; }
.banner.incomplete { border-color: var(--warn); background: #fff8c5; }
.banner.error, .banner.not-run, .banner.not-applicable, .banner.interrupted {
  border-color: var(--na); background: #f6f8fa; }
.banner .big { font-size: 30px; font-weight: 700; letter-spacing: .04em; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
.meta dt { font-weight: 600; } .meta dd { margin: 0; }
.v { display: inline-block; min-width: 84px; padding: 1px 8px; border-radius: 10px;
     font-weight: 600; font-size: 12px; text-align: center; white-space: nowrap;
     border: 1px solid currentColor; }
.v.pass { color: var(--pass); background: #dafbe1; }
.v.fail { color: var(--fail); background: #ffebe9; }
.v.warning { color: var(--warn); background: #fff8c5; }
.v.incomplete, .v.inconclusive, .v.interrupted { color: var(--warn); background: #fff8c5; }
.v.not-applicable, .v.not-tested, .v.not-run, .v.error { color: var(--na); background: #f6f8fa; }
tr.rule-fail td { background: #fff5f4; } tr.rule-warning td { background: #fffbe6; }
tr.rule-inconclusive td { background: #fffbe6; }
.failure.blocked { border-color: var(--warn); border-left-color: var(--warn); }
.check { font-size: 12px; } .check .nodeid { display: block; }
.rule-id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; white-space: nowrap; }
.source { color: #57606a; font-size: 12px; }
.failure { border: 1px solid var(--fail); border-left: 6px solid var(--fail); border-radius: 4px;
           margin: 6px 0 12px; padding: 8px 12px; background: #fff; }
.failure.warning { border-color: var(--warn); }
.failure .test { font-family: ui-monospace, monospace; font-size: 12px; color: #57606a; }
.failure dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px;
              margin: 6px 0; }
.failure dt { font-weight: 600; } .failure dd { margin: 0; }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: 8px; margin: 4px 0;
      font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap;
      word-break: break-all; }
.muted { color: #57606a; }
.toc { columns: 2; }
footer { margin-top: 40px; color: #57606a; font-size: 12px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; } tr, .failure { break-inside: avoid; }
  .banner, .v, tr.rule-fail td, tr.rule-warning td { print-color-adjust: exact;
                                                     -webkit-print-color-adjust: exact; }
  pre { max-height: none; }
}
"""

_LABELS = {
    PASS: "PASS",
    FAIL: "FAIL",
    WARNING: "WARNING",
    NOT_APPLICABLE: "N/A",
    NOT_TESTED: "NOT TESTED",
    NOT_RUN: "NOT RUN",
    INCOMPLETE: "INCOMPLETE",
    INCONCLUSIVE: "INCONCLUSIVE",
    INTERRUPTED: "INTERRUPTED",
    "error": "ERROR",
}


def escape(value: object) -> str:
    return html.escape(str(value), quote=True)


_e = escape


def _text(value: str) -> str:
    """Escaped prose with the catalogue's `code` spans as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _e(value))


def _selection(selection: dict) -> str:
    parts = []
    for key, value in selection.items():
        if value:
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(f"{key.replace('_', ' ')}: {shown}")
    return "; ".join(parts)


def _css_class(verdict: str) -> str:
    return verdict.replace(" ", "-")


def chip(verdict: str) -> str:
    return f'<span class="v {_css_class(verdict)}">{_LABELS.get(verdict, _e(verdict))}</span>'


def class_anchor(class_id: str) -> str:
    return f"class-{class_id}"


def rule_anchor(rule_id: str) -> str:
    return f"rule-{rule_id}"


def _header(result: RunResult) -> list[str]:
    verdict = result.verdict
    passed, total = result.must_score()
    headline = {
        PASS: "Conforms to every class that was run",
        FAIL: "Does not conform: MUST rules failed",
        "error": "The run did not complete",
        INTERRUPTED: "The run was interrupted: the verdicts cover only what ran",
        NOT_RUN: "Nothing was tested",
        INCOMPLETE: "No MUST rule failed, but not every MUST rule could be judged",
        NOT_APPLICABLE: "Every check was not applicable",
    }[verdict]
    failing = [c.id for c in result.classes if c.verdict == FAIL]
    detail = f"Failing classes: {', '.join(failing)}." if failing else ""
    target = result.target
    rows = [("Target", target.get("name", ""))]
    rows += [(f"{api} API", url) for api, url in (target.get("urls") or {}).items()]
    rows += [
        (f"{api} API (migration source, read only)", url)
        for api, url in (target.get("migration_source") or {}).items()
    ]
    rows += [
        (f"{api} API", f"not part of this run: {why}")
        for api, why in (target.get("left_out") or {}).items()
    ]
    rows += [
        ("Profile", result.profile),
        ("Run", result.run_id),
        ("Started", result.started),
        ("Finished", result.finished),
        ("Versions", ", ".join(f"{k} {v}" for k, v in result.versions.items())),
    ]
    selection = _selection(result.selection)
    if selection:
        rows.append(("Selection", selection))
    if result.requests is not None:
        rows.append(("HTTP requests", str(result.requests)))
    parts = [
        "<header>",
        f"<h1>Conformance report — {_e(target.get('name', ''))}</h1>",
        f'<div class="banner {_css_class(verdict)}" id="verdict">',
        f'<div class="big">{_LABELS[verdict]}</div>',
        f"<div><strong>{_e(headline)}</strong><br>",
        f"{passed} of {total} MUST rules passed. {_e(detail)}</div>",
        "</div>",
    ]
    if result.error:
        parts.append(f"<pre class='error'>{_e(result.error)}</pre>")
    parts.append('<dl class="meta">')
    parts += [f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows]
    parts += ["</dl>", "</header>"]
    return parts


def _summary(result: RunResult) -> list[str]:
    parts = [
        '<section id="summary"><h2>Summary per conformance class</h2>',
        "<table><thead><tr><th>Class</th><th>Verdict</th><th>MUST passed</th>"
        "<th>Pass</th><th>Fail</th><th>Warning</th><th>Inconclusive</th><th>N/A</th>"
        "<th>Not tested</th></tr></thead><tbody>",
    ]
    for rule_class in result.classes:
        passed, total = rule_class.must_score()
        optional = ' <span class="muted">(optional)</span>' if rule_class.optional else ""
        warnings = rule_class.count(WARNING)
        warned = f' <span class="muted">with {warnings} warning(s)</span>' if warnings else ""
        cells = [
            f'<a href="#{class_anchor(rule_class.id)}">{_e(rule_class.id)}</a> — '
            f"{_e(rule_class.title)}{optional}",
            chip(rule_class.verdict) + warned,
            f"{passed}/{total}" if rule_class.verdict != NOT_RUN else "—",
            *(
                str(rule_class.count(v))
                for v in (PASS, FAIL, WARNING, INCONCLUSIVE, NOT_APPLICABLE, NOT_TESTED)
            ),
        ]
        parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    parts.append("</tbody></table>")
    failing = [(c, r) for c, r in result.rules() if r.verdict in (FAIL, WARNING, INCONCLUSIVE)]
    if failing:
        parts.append("<h3>Rules that failed or could not be judged</h3><ul>")
        for rule_class, rule in failing:
            parts.append(
                f'<li>{chip(rule.verdict)} <a href="#{rule_anchor(rule.id)}">{_e(rule.id)}</a>'
                f" ({_e(rule_class.id)}, {_e(rule.level)}): {_text(rule.statement)}</li>"
            )
        parts.append("</ul>")
    parts.append("</section>")
    return parts


def _failure(failure: Failure, verdict: str) -> list[str]:
    blocked = failure.kind == "blocked"
    css = "blocked" if blocked else _css_class(verdict)
    title = failure.title or failure.test
    parts = [
        f'<div class="failure {css}">',
        f"<div><strong>{'Blocked' if blocked else 'Failed'}: {_e(title)}</strong></div>",
        f'<div class="test">{_e(failure.test)}</div>',
    ]
    if failure.expected or failure.received:
        first, second = ("Step", "What happened") if blocked else ("Expected", "Received")
        parts += [
            "<dl>",
            f"<dt>{first}</dt><dd>{_e(failure.expected)}</dd>",
            f"<dt>{second}</dt><dd>{_e(failure.received)}</dd>",
        ]
        if failure.covering:
            parts.append(f"<dt>Covered by</dt><dd>{_e(', '.join(failure.covering))}</dd>")
        parts.append("</dl>")
    if failure.message and not (failure.expected or failure.received):
        parts.append(f"<pre>{_e(failure.message)}</pre>")
    for note in failure.notes:
        parts.append(f"<div class='muted'>{_e(note)}</div>")
    if failure.evidence:
        parts += ["<div><strong>Key exchange</strong></div>"]
        parts.append(f"<pre>{_e(failure.evidence)}</pre>")
    if failure.exchanges:
        parts += [
            f"<div><strong>Every exchange of the check ({len(failure.exchanges)}), "
            "arrange and act steps marked</strong></div>",
            f"<pre>{_e(chr(10).join(failure.exchanges))}</pre>",
        ]
    parts.append("</div>")
    return parts


def _source(rule: RuleResult) -> str:
    source = describe(rule.source_document)
    # printed, not linked: the page stays self-contained and reads the same on paper
    where = f" ({_e(source.url)})" if source.url else ""
    return f"{_e(source.title)}{where} — {_e(rule.source_section)}"


def _checks(rule: RuleResult) -> str:
    """The checks of a rule by their purpose; the node id in small print."""
    order = {"failed": 0, "blocked": 1, "skipped": 2, "passed": 3}
    shown = sorted(rule.tests, key=lambda t: order.get(t.outcome, 4))[:MAX_TESTS_SHOWN]
    items = "".join(
        f'<div class="check">{_e(t.title or t.nodeid)} · {_e(t.outcome)}'
        f'<span class="nodeid tests">{_e(t.nodeid)}</span>'
        + "".join(
            f'<pre class="tests">{_e(note)}</pre>'
            for note in (t.notes if t.outcome in ("passed", "skipped") else ())
        )
        + "</div>"
        for t in shown
    )
    if len(rule.tests) > len(shown):
        items += f'<div class="tests">… and {len(rule.tests) - len(shown)} more check(s)</div>'
    return items


def _rule_rows(rule: RuleResult) -> list[str]:
    tests = _checks(rule)
    unselected = not rule.selected and not rule.tests
    row_class = f"rule-{_css_class(rule.verdict)}" + (" unselected" if unselected else "")
    parts = [
        f'<tr id="{rule_anchor(rule.id)}" class="{row_class}">',
        f'<td class="rule-id">{_e(rule.id)}</td><td>{_e(rule.level)}</td>',
        f"<td>{_text(rule.statement)}<div class='source'>{_source(rule)}</div></td>",
        f"<td>{chip(rule.verdict)}<div class='muted'>{_e(rule.reason)}</div>{tests}</td>",
        "</tr>",
    ]
    if rule.failures or rule.blocked:
        parts.append('<tr class="evidence"><td colspan="4">')
        for failure in [*rule.failures, *rule.blocked]:
            parts += _failure(failure, rule.verdict)
        parts.append("</td></tr>")
    return parts


def _class_section(rule_class: ClassResult) -> list[str]:
    passed, total = rule_class.must_score()
    parts = [
        f'<section id="{class_anchor(rule_class.id)}" class="class">',
        f"<h2>{_e(rule_class.id)} — {_e(rule_class.title)} {chip(rule_class.verdict)}</h2>",
        f"<p>{_e(rule_class.description)}</p>",
        f"<p class='muted'>{passed} of {total} MUST rules passed"
        f"{' · optional class' if rule_class.optional else ''} · "
        '<a href="#summary">back to summary</a></p>',
        '<table class="rules"><colgroup><col class="id"><col class="level">'
        '<col class="statement"><col class="result"></colgroup>',
        "<thead><tr><th>Rule</th><th>Level</th><th>Statement and source</th>"
        "<th>Result</th></tr></thead><tbody>",
    ]
    for rule in rule_class.rules:
        parts += _rule_rows(rule)
    parts += ["</tbody></table>", "</section>"]
    return parts


def render(result: RunResult) -> str:
    title = f"Conformance — {result.target.get('name', '')} — {result.verdict}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        *_header(result),
        "<main>",
        *_summary(result),
    ]
    for rule_class in result.classes:
        parts += _class_section(rule_class)
    parts += [
        "</main>",
        f"<footer>Generated by klanten-conformance from conformance.json ({_e(result.schema)}). "
        "Verdicts: FAIL = one of the rule's own checks failed (a MUST rule); WARNING = the "
        "same for a SHOULD rule; INCONCLUSIVE = nothing failed, but a check was blocked (its "
        "precondition could not be arranged; the cause and the rule covering it are named); "
        "INCOMPLETE = a class without failures with a MUST rule inconclusive or untested; "
        "N/A = every check was skipped, with the reason; NOT TESTED = no check ran for the "
        "rule.</footer>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write(result: RunResult, run_dir: Path) -> Path:
    path = Path(run_dir) / FILENAME
    path.write_text(render(result), encoding="utf-8")
    return path
