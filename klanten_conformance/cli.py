"""The ``klanten-conformance`` command: one entry point, one module per subcommand.

Every subcommand has its own parser (``klanten-conformance COMMAND --help``) and takes its
options in any position; this module only picks the subcommand and imports nothing heavy, so
``lint`` in a pre-commit hook starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

#: subcommand -> (module, function taking the remaining arguments, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "run": ("klanten_conformance.harness.run_cli", "main", "run the conformance suites"),
    "serve": ("reference_server.cli", "main", "run the built-in reference server"),
    "lint": ("klanten_conformance.lint.cli", "main", "lint OpenAPI documents"),
    "report": (
        "klanten_conformance.report.cli",
        "report_main",
        "rebuild the reports of a run folder from its conformance.json",
    ),
    "merge": (
        "klanten_conformance.report.cli",
        "merge_main",
        "merge the reports of targets run on separate CI jobs into one night's index",
    ),
    "rules": ("klanten_conformance.report.cli", "rules_main", "show the rule catalogue"),
    "coverage": (
        "klanten_conformance.report.cli",
        "coverage_main",
        "show which tests prove each rule",
    ),
    "killmatrix": (
        "selftest.killmatrix",
        "main",
        "project self-test: run the suites once per reference-server fault",
    ),
}


def version() -> str:
    from importlib import metadata

    try:
        return metadata.version("klanten-conformance")
    except metadata.PackageNotFoundError:  # running from a checkout without installing
        from klanten_conformance import __version__

        return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="klanten-conformance",
        description=(
            "Conformance suites, OpenAPI linter and reference server for the VNG Klanten, "
            "Contactmomenten and Klantinteracties APIs. "
            "`klanten-conformance COMMAND --help` describes each command."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, _, help_text) in COMMANDS.items():
        commands.add_parser(name, help=help_text, add_help=False)
    return parser


def _handler(name: str) -> Callable[[list[str]], int]:
    module_name, function, _ = COMMANDS[name]
    return getattr(importlib.import_module(module_name), function)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in COMMANDS:
        return int(_handler(args[0])(args[1:]) or 0)
    parser = build_parser()
    parsed = parser.parse_args(args)  # --help, --version, or an unknown command
    if parsed.command is None:
        parser.print_help()
        return 2
    return 2  # pragma: no cover - argparse exits on an unknown command


if __name__ == "__main__":
    raise SystemExit(main())
