"""``klanten-conformance run``: the conformance suites, run by pytest with the harness plugin.

Our options are read and checked here first, so a typo is answered at once, before pytest and
its plugins load; pytest then runs the suites with the same arguments (its own options pass
through). With ``--targets FILE`` it is the nightly mode: every target of the file, one run
each.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> int:
    """0: every selected MUST rule passes; 1: one does not; 2: configuration or preflight."""
    from klanten_conformance.harness import options

    parser = options.help_parser()
    if "--help-pytest" in argv:
        import pytest

        return int(pytest.main(["--help", "-p", "klanten_conformance.harness.plugin"]))
    if any(arg in ("-h", "--help") for arg in argv):
        parser.print_help()
        return 0
    known, _ = parser.parse_known_args(argv)
    if known.targets:
        from klanten_conformance.report.cli import nightly_main

        return nightly_main(argv)
    from klanten_conformance.harness.context import ContextError, resolve
    from klanten_conformance.rules import CatalogueError, load_catalogue

    try:
        resolve(vars(known), load_catalogue())
    except (ContextError, CatalogueError) as exc:
        print(f"klanten-conformance: {exc}", file=sys.stderr)
        return 2
    import pytest

    plugin = "klanten_conformance.harness.plugin"
    args = [str(ROOT / "suites"), "-p", plugin, "--rootdir", str(ROOT)]
    code = pytest.main([*args, *argv])
    return {0: 0, 1: 1}.get(int(code), 2)
