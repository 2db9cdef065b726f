"""`klanten-conformance lint SPEC [...]`: the command line of the linter."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from . import output_json, output_sarif, output_text, reference
from .engine import lint
from .findings import ERROR, Finding
from .loader import LoadError, Source, Workspace, is_url

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="klanten-conformance lint",
        description="Lint OpenAPI documents: validity, compatibility with the standard "
        "(Klanten API 1.0, Contactmomenten API 1.0, Klantinteracties API 0.9), schema "
        "hygiene and the NL API Design Rules. Exit 0: no errors; 1: errors; 2: a document "
        "cannot be read. `klanten-conformance rules LINT-...` explains a rule and its fix.",
    )
    parser.add_argument("spec", nargs="+", metavar="SPEC",
                        help="OpenAPI document: file path or http(s) URL, YAML or JSON")
    parser.add_argument("--against", metavar="PATH",
                        help="the document to compare with (file or URL); 'none' skips the "
                        "compatibility check. Default: this project's reference for the "
                        "standard and version SPEC declares (info.title, info.version), with "
                        "its recorded deviations")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    parser.add_argument("--output", metavar="FILE", help="write the report here, not stdout")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_intermixed_args(argv)
    ws = Workspace()
    for spec in args.spec:  # first, so a spec that is also --against keeps its given name
        with contextlib.suppress(LoadError):  # reported below
            ws.load(spec, _shown(spec))
    explicit = None
    if args.against and args.against.lower() != "none":
        try:
            explicit = reference.explicit(ws, args.against, _shown(args.against))
        except LoadError as exc:
            print(f"klanten-conformance lint: --against {exc}", file=sys.stderr)
            return EXIT_UNREADABLE
    findings: list[Finding] = []
    documents: dict[str, str | None] = {}  # document -> what it was compared with
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
        against = explicit
        if args.against is None and _is_openapi(source):
            against = reference.chosen(ws, source)
        documents[source.display] = _compared_with(against)
        findings += lint(ws, source, against)
    if documents:  # nothing to report when no document could be read
        _write(_render(args.format, findings, documents), args.output)
    if unreadable:
        return EXIT_UNREADABLE
    return EXIT_ERRORS if any(f.level == ERROR for f in findings) else EXIT_OK


def _shown(location: str) -> str:
    return location if is_url(location) else location.replace("\\", "/")


def _is_openapi(source: Source) -> bool:
    return isinstance(source.root, dict) and ("openapi" in source.root or "swagger" in source.root)


def _compared_with(against: reference.Reference | None) -> str | None:
    if against is None or against.source is None:
        return None
    return against.source.display


def _render(fmt: str, findings: list[Finding], documents: dict[str, str | None]) -> str:
    if fmt == "json":
        return output_json.render(findings, documents)
    if fmt == "sarif":
        from .. import __version__

        return output_sarif.render(findings, list(documents), __version__)
    return output_text.render(findings, documents)


def _write(report: str, output: str | None) -> None:
    if output:
        Path(output).write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
