"""Commands around reports and the catalogue: ``report``, ``rules``, ``coverage``, ``merge``.

Each ``*_main(argv)`` returns an exit code; ``klanten_conformance.cli`` dispatches to them.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import textwrap
from pathlib import Path

import pytest

from klanten_conformance.report import badge, html_report, json_report
from klanten_conformance.rules import Catalogue, CatalogueError, Rule, load_catalogue

ROOT = Path(__file__).resolve().parents[2]
SUITES_DIR = ROOT / "suites"


def _checked_on_the_side() -> set[str]:
    """Rules judged on every response the rule tests receive (no test of their own needed)."""
    from klanten_conformance import apis

    return {d.rule("conforms") for d in apis.all_definitions()} - {None}


_CHECKED_ON_THE_SIDE = _checked_on_the_side()


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _message(exc: Exception) -> str:
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)


# report ---------------------------------------------------------------------------------------


def report_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="klanten-conformance report",
        description="Rebuild conformance.html and badge.json of a run from its conformance.json.",
    )
    parser.add_argument("run_dir", type=Path, help="the run folder (reports/<run-id>)")
    args = parser.parse_args(argv)
    try:
        result = json_report.read(args.run_dir)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"klanten-conformance report: cannot read {args.run_dir}: {exc}", file=sys.stderr)
        return 2
    run_dir = args.run_dir if args.run_dir.is_dir() else args.run_dir.parent
    written = [html_report.write(result, run_dir), *badge.write(result, run_dir)]
    for path in written:
        print(path)
    return 0


# rules ----------------------------------------------------------------------------------------


def _rule_lines(rule: Rule) -> list[str]:
    head = f"{rule.id:<12} {rule.rule_class:<16} {rule.level:<7} "
    head += f"{rule.source_document} — {rule.source_section}"
    body = textwrap.wrap(rule.statement, width=92, initial_indent="    ", subsequent_indent="    ")
    if rule.not_tested_reason:
        body.append(f"    not tested: {rule.not_tested_reason}")
    return [head, *body]


def _rule_detail(rule: Rule) -> list[str]:
    def block(label: str, text: str) -> list[str]:
        return [f"  {label}:", *textwrap.wrap(text, width=92, initial_indent="    ",
                                             subsequent_indent="    ")]

    lines = [f"{rule.id} ({rule.level}, class {rule.rule_class})"]
    lines.append(f"  source: {rule.source_document} — {rule.source_section}")
    if rule.tags:
        lines.append(f"  tags: {', '.join(rule.tags)}")
    lines += block("statement", rule.statement)
    lines += block("check", rule.check)
    if rule.fix:
        lines += block("why and how to fix", rule.fix)
    if rule.not_tested_reason:
        lines += block("not tested", rule.not_tested_reason)
    return lines


def rules_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="klanten-conformance rules",
        description="List the rule catalogue, or show rules in full by their ids.",
    )
    parser.add_argument("ids", nargs="*", metavar="RULE", help="rule id(s) to show in full")
    parser.add_argument("--class", dest="classes", action="append", help="class id(s)")
    parser.add_argument("--level", action="append", help="MUST, SHOULD (lint: error, warning)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    try:
        catalogue = load_catalogue()
        rules = catalogue.select(classes=_split(args.classes), levels=_split(args.level))
        if args.ids:
            rules = [catalogue.get(rule_id) for rule_id in args.ids]
    except (CatalogueError, KeyError) as exc:
        print(f"klanten-conformance rules: {_message(exc)}", file=sys.stderr)
        return 2
    if args.ids and args.format == "text":
        print("\n\n".join("\n".join(_rule_detail(rule)) for rule in rules))
        return 0
    if args.format == "json":
        data = [
            {
                "id": r.id,
                "class": r.rule_class,
                "level": r.level,
                "source": {"document": r.source_document, "section": r.source_section},
                "statement": r.statement,
                "check": r.check,
                "fix": r.fix,
                "tags": list(r.tags),
                "not_tested_reason": r.not_tested_reason,
            }
            for r in rules
        ]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    for rule in rules:
        print("\n".join(_rule_lines(rule)))
    print(f"{len(rules)} rule(s)")
    return 0


# coverage -------------------------------------------------------------------------------------


class _RuleCollector:
    """Collects the rule markers of the suite tests without running or starting anything."""

    def __init__(self) -> None:
        self.tests: dict[str, list[str]] = {}

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "rule(*ids): rule ids")
        config.addinivalue_line("markers", "creates_data: creates data")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            for marker in item.iter_markers("rule"):
                for rule_id in marker.args:
                    self.tests.setdefault(str(rule_id), []).append(item.nodeid)


def collect_rule_tests(suites_dir: Path = SUITES_DIR) -> dict[str, list[str]]:
    """rule id → test node ids of the suites (by collection, with the harness plugin off)."""
    collector = _RuleCollector()
    args = [
        str(suites_dir),
        "--collect-only",
        "--capture=no",
        "-qq",
        "-p",
        "no:klanten_conformance.harness.plugin",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "--rootdir",
        str(ROOT),
    ]
    with contextlib.redirect_stdout(io.StringIO()):
        code = pytest.main(args, plugins=[collector])
    if code not in (0, 5):
        raise RuntimeError(f"collecting the suites failed (pytest exit code {int(code)})")
    return collector.tests


def _function_names(nodeids: list[str]) -> list[str]:
    """Node ids without their parameters, each once (a parametrized test counts once)."""
    return list(dict.fromkeys(nodeid.split("[", 1)[0] for nodeid in nodeids))


def coverage_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="klanten-conformance coverage",
        description="Which tests prove each rule; rules without a test, with the reason.",
    )
    parser.add_argument("--class", dest="classes", action="append", help="class id(s)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    try:
        catalogue: Catalogue = load_catalogue()
        rules = catalogue.select(classes=_split(args.classes))
    except (CatalogueError, KeyError) as exc:
        print(f"klanten-conformance coverage: {_message(exc)}", file=sys.stderr)
        return 2
    tests = collect_rule_tests()
    if args.format == "json":
        data = {rule.id: _function_names(tests.get(rule.id, [])) for rule in rules}
        print(json.dumps(data, indent=2))
        return 0
    covered = 0
    for rule in rules:
        names = _function_names(tests.get(rule.id, []))
        if names:
            covered += 1
            print(f"{rule.id:<12} {rule.level:<7} {len(names)} test(s)")
            print("\n".join(f"    {name}" for name in names))
        elif rule.id in _CHECKED_ON_THE_SIDE:
            print(f"{rule.id:<12} {rule.level:<7} checked on every response of the rule tests")
        elif rule.api == "none":
            print(f"{rule.id:<12} {rule.level:<7} checked by the linter (klanten-conformance lint)")
        else:
            reason = rule.not_tested_reason or "no test yet"
            print(f"{rule.id:<12} {rule.level:<7} NOT TESTED: {reason}")
    suite_rules = [r for r in rules if r.api != "none"]
    print(f"{covered} of {len(suite_rules)} suite rule(s) have a test")
    return 0


# nightly --------------------------------------------------------------------------------------


def wants_targets(run_args: list[str]) -> bool:
    """``run`` arguments ask for nightly mode (``--targets FILE``)."""
    return any(arg == "--targets" or arg.startswith("--targets=") for arg in run_args)


def nightly_main(run_args: list[str]) -> int:
    """``klanten-conformance run --targets targets.toml [pytest args]``."""
    from klanten_conformance.report.nightly import run_targets

    parser = argparse.ArgumentParser(prog="klanten-conformance run", add_help=False)
    parser.add_argument("--targets", type=Path, required=True)
    args, rest = parser.parse_known_args(run_args)
    return run_targets(args.targets, rest)


# merge ----------------------------------------------------------------------------------------

_MERGE_EPILOG = """\
Exit status: 0 every expected target's run completed and conforms; 1 one does not conform or
is incomplete; 2 a target is missing, crashed or timed out, an input could not be read, or
there was nothing to merge. A CI job whose run left no report writes a marker
reports/<run-id>/status.json: {"target": NAME, "status": "timed out"|"crashed"|"did not run",
"detail": TEXT}. See docs/nightly.md.
"""


def merge_main(argv: list[str] | None = None) -> int:
    """``klanten-conformance merge REPORT... --output DIR``: one night from CI jobs' reports."""
    from klanten_conformance.report import merge
    from klanten_conformance.report.nightly import NightlyError

    parser = argparse.ArgumentParser(
        prog="klanten-conformance merge",
        description=(
            "Merge the run folders of targets that ran on separate (CI) jobs into one night: "
            "each run folder copied under DIR, the night record nightly-<stamp>.json and "
            "index.html, compared with the previous night."
        ),
        epilog=_MERGE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "inputs",
        nargs="*",
        metavar="REPORT",
        help="run folders, conformance.json or status.json files; globs (quoted) are expanded",
    )
    parser.add_argument(
        "--output", "-o", type=Path, required=True, metavar="DIR", help="the nightly folder"
    )
    parser.add_argument(
        "--previous",
        type=Path,
        metavar="PATH",
        help="the previous night: its nightly-<stamp>.json, or a folder holding nights "
        "(default: the latest earlier night in DIR)",
    )
    parser.add_argument(
        "--stamp", metavar="STAMP", help="the night, as YYYYMMDDTHHMMSSZ (default: now, UTC)"
    )
    parser.add_argument(
        "--expect",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME",
        help="targets that should be there (also comma-separated); end the names with -- "
        "when reports follow",
    )
    parser.add_argument(
        "--targets",
        type=Path,
        metavar="FILE",
        help="expect every target of this targets.toml (and scrub the secrets it names)",
    )
    args = parser.parse_intermixed_args(argv)
    if args.stamp and not merge.valid_stamp(args.stamp):
        parser.error(f"--stamp {args.stamp!r} is not of the form YYYYMMDDTHHMMSSZ")
    expected, secrets = _split(args.expect) or [], []
    if args.targets:
        try:
            names, secrets = merge.expected_targets(args.targets)
        except NightlyError as exc:
            print(f"klanten-conformance merge: {exc}", file=sys.stderr)
            return 2
        expected += names
    if not args.inputs:
        print(
            "klanten-conformance merge: no reports given (reports right after --expect are "
            "read as names: put them first, or end the names with --)",
            file=sys.stderr,
        )
    return merge.merge(
        args.inputs,
        args.output,
        expected=expected,
        previous=args.previous,
        stamp=args.stamp,
        secrets=secrets,
    )
