"""The options of a conformance run, declared once.

The same table feeds pytest (``pytest_addoption``, one group per table group) and the short
``klanten-conformance run --help`` that lists our options first. Nothing else reads option
values: :mod:`klanten_conformance.harness.context` turns them into the run context.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

import pytest

NIVEAUS = ("laag", "substantieel", "hoog")
DEPTHS = ("quick", "default", "deep")

GROUPS = {
    "target": "target: where the implementation is and how to authenticate",
    "selection": "selection: what to test",
    "generation": "generated requests (the oas classes)",
    "reports": "reports and output",
}


@dataclass(frozen=True)
class Option:
    flag: str
    group: str
    help: str
    #: ``str``, ``int``, ``flag`` (store_true) or ``append`` (repeatable, commas allowed)
    kind: str = "str"
    choices: tuple[str, ...] | None = None
    metavar: str | None = None
    #: holds a secret: never echoed, scrubbed from every report
    secret: bool = False

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    def kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"dest": self.dest, "help": self.help}
        if self.kind == "flag":
            kwargs["action"] = "store_true"
            kwargs["default"] = False
            return kwargs
        if self.kind == "append":
            kwargs["action"] = "append"
        if self.kind == "int":
            kwargs["type"] = int
        if self.choices:
            kwargs["choices"] = self.choices
        if self.metavar:
            kwargs["metavar"] = self.metavar
        return kwargs


OPTIONS: tuple[Option, ...] = (
    # target -----------------------------------------------------------------------------
    Option(
        "--profile",
        "target",
        "version of the standard to test (default: klanten-1.0)",
        metavar="PROFILE",
    ),
    Option(
        "--target", "target", "a target of the targets file (see --targets-file)", metavar="NAME"
    ),
    Option(
        "--targets-file",
        "target",
        "targets file of --target (default ./targets.toml)",
        metavar="FILE",
    ),
    Option(
        "--targets",
        "target",
        "nightly mode: run every target of FILE, one report each, and an index",
        metavar="FILE",
    ),
    Option("--klanten-url", "target", "base URL of the Klanten API under test", metavar="URL"),
    Option(
        "--contactmomenten-url",
        "target",
        "base URL of the Contactmomenten API under test",
        metavar="URL",
    ),
    Option(
        "--klantinteracties-url",
        "target",
        "base URL of the Klantinteracties API under test",
        metavar="URL",
    ),
    Option(
        "--client-id", "target", "ZGW client id (Klanten and Contactmomenten APIs)", metavar="ID"
    ),
    Option(
        "--secret",
        "target",
        "secret of the ZGW client (or env KLANTEN_CONFORMANCE_SECRET)",
        secret=True,
        metavar="SECRET",
    ),
    Option(
        "--restricted-client-id",
        "target",
        "a second ZGW client with only the read scopes (AUTH-02)",
        metavar="ID",
    ),
    Option(
        "--restricted-secret",
        "target",
        "its secret (or env KLANTEN_CONFORMANCE_RESTRICTED_SECRET)",
        secret=True,
        metavar="SECRET",
    ),
    Option(
        "--token",
        "target",
        "API key of the Klantinteracties API, sent as 'Authorization: Token KEY' "
        "(or env KLANTEN_CONFORMANCE_TOKEN)",
        secret=True,
        metavar="KEY",
    ),
    Option(
        "--bronorganisatie",
        "target",
        "RSIN used for test data (default: a random one)",
        metavar="RSIN",
    ),
    Option(
        "--callback-host",
        "target",
        "host name the target reaches the harness's stub services on",
        metavar="HOST",
    ),
    Option("--min-niveau", "target", "required end-user authentication level", choices=NIVEAUS),
    # selection --------------------------------------------------------------------------
    Option(
        "--api",
        "selection",
        "test only these APIs (klanten, contactmomenten, ...)",
        kind="append",
        metavar="API",
    ),
    Option(
        "--classes", "selection", "comma-separated conformance classes to run", metavar="CLASSES"
    ),
    Option(
        "--rule",
        "selection",
        "rule id(s) to run (repeatable, commas allowed)",
        kind="append",
        metavar="RULE",
    ),
    Option("--level", "selection", "run only rules of this level", choices=("MUST", "SHOULD")),
    Option("--read-only", "selection", "run only checks that create nothing", kind="flag"),
    # generation -------------------------------------------------------------------------
    Option(
        "--oas-examples",
        "generation",
        "generated cases per operation and mode (default: set by --depth)",
        kind="int",
        metavar="N",
    ),
    Option(
        "--oas-seed",
        "generation",
        "seed of the generated cases (reproducible runs)",
        kind="int",
        metavar="N",
    ),
    Option(
        "--depth",
        "generation",
        "how deep generated testing goes (default: default)",
        choices=DEPTHS,
    ),
    Option(
        "--concurrency",
        "generation",
        "generated requests in flight at once, each worker with its own connection; they only "
        "ever go to the target's base URL (default: 2; 1 sends one at a time)",
        kind="int",
        metavar="N",
    ),
    # reports ----------------------------------------------------------------------------
    Option(
        "--reports-dir",
        "reports",
        "folder for the run's report folder (default ./reports or "
        "env KLANTEN_CONFORMANCE_REPORTS_DIR)",
        metavar="DIR",
    ),
    Option(
        "--verdicts-only",
        "reports",
        "machine mode: print only the verdicts (one line per rule), nothing else",
        kind="flag",
    ),
)

BY_DEST = {option.dest: option for option in OPTIONS}


def add_to_pytest(parser: pytest.Parser) -> None:
    for group_id, title in GROUPS.items():
        group = parser.getgroup(f"klanten-conformance {group_id}", title)
        for option in OPTIONS:
            if option.group == group_id:
                group.addoption(option.flag, **option.kwargs())


def values(config: pytest.Config) -> dict[str, Any]:
    """Our option values from pytest's config (``None`` for options not given)."""
    return {dest: config.getoption(dest, None) for dest in BY_DEST}


def help_parser(prog: str = "klanten-conformance run") -> argparse.ArgumentParser:
    """A parser of our options only, for ``run --help`` (pytest's own come after)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        usage=f"{prog} [OPTIONS] [pytest options]",
        description=(
            "Run the conformance suites against an implementation (without a URL: against the "
            "built-in reference server) and end with a verdict per conformance class and rule. "
            "Exit status 0: every selected MUST rule passes; 1: a MUST rule fails or could not "
            "be tested; 2: configuration or preflight error, or an interrupted run."
        ),
        epilog=(
            "Any other option is pytest's (for example -n 2 to run in parallel, -x, -k, --tb). "
            "`klanten-conformance run --help-pytest` lists them all."
        ),
        add_help=False,
        allow_abbrev=False,
    )
    parser.add_argument("-h", "--help", action="help", help="show this help and exit")
    parser.add_argument("--help-pytest", action="store_true", help="show pytest's full help")
    for group_id, title in GROUPS.items():
        group = parser.add_argument_group(title)
        for option in OPTIONS:
            if option.group == group_id:
                group.add_argument(option.flag, **option.kwargs())
    return parser
