"""`klanten-conformance lint SPEC [...]`: the command line of the linter."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from . import output_json, output_sarif, output_text
from .engine import lint
from .findings import ERROR, Finding
from .loader import LoadError, Source, Workspace, is_url

DEFAULT_AGAINST = Path(__file__).resolve().parents[2] / "specs" / "klanten-1.0.yaml"
EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="klanten-conformance lint",
        description="Lint OpenAPI documents: validity, compatibility with the Klanten API "
        "standard, schema hygiene and the NL API Design Rules. Exit 0: no errors; 1: errors; "
        "2: a document cannot be read.",
    )
    parser.add_argument("spec", nargs="+", metavar="SPEC",
                        help="OpenAPI document: file path or http(s) URL, YAML or JSON")
    parser.add_argument("--against", metavar="PATH", default=str(DEFAULT_AGAINST),
                        help="the standard's document to compare with (file or URL; "
                        "default: %(default)s); 'none' skips the compatibility check")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    parser.add_argument("--output", metavar="FILE", help="write the report here, not stdout")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    ws = Workspace()
    for spec in args.spec:  # first, so a spec that is also --against keeps its given name
        with contextlib.suppress(LoadError):  # reported below
            ws.load(spec, _shown(spec))
    try:
        against = None if args.against.lower() == "none" else ws.load(
            args.against, _shown(args.against))
    except LoadError as exc:
        print(f"klanten-conformance lint: --against {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    findings: list[Finding] = []
    documents: list[str] = []
    unreadable = False
    for spec in args.spec:
        try:
            source = ws.load(spec, _shown(spec))
        except LoadError as exc:
            print(f"klanten-conformance lint: {exc}", file=sys.stderr)
            unreadable = True
            continue
        if len(args.spec) > 1 and not _is_openapi(source):
            print(f"klanten-conformance lint: {source.display}: not an OpenAPI document, "
                  "skipped", file=sys.stderr)
            continue
        documents.append(source.display)
        findings += lint(ws, source, against)
    report = _render(args.format, findings, documents, against)
    if args.output:
        Path(args.output).write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    if unreadable:
        return EXIT_UNREADABLE
    return EXIT_ERRORS if any(f.level == ERROR for f in findings) else EXIT_OK


def _shown(location: str) -> str:
    return location if is_url(location) else location.replace("\\", "/")


def _is_openapi(source: Source) -> bool:
    return isinstance(source.root, dict) and ("openapi" in source.root or "swagger" in source.root)


def _render(fmt: str, findings: list[Finding], documents: list[str],
            against: Source | None) -> str:
    if fmt == "json":
        return output_json.render(findings, documents, against.display if against else None)
    if fmt == "sarif":
        from .. import __version__

        return output_sarif.render(findings, documents, __version__)
    return output_text.render(findings, documents)
