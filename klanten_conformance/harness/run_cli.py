"""``klanten-conformance run``: the conformance suites, run by pytest with the harness plugin.

With ``--targets FILE`` it is the nightly mode: every target of the file, one run each.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> int:
    """0: every selected MUST rule passes; 1: one does not; 2: configuration or preflight."""
    from klanten_conformance.report.cli import nightly_main, wants_targets

    if wants_targets(argv):
        return nightly_main(argv)
    import pytest

    args = [
        str(ROOT / "suites"),
        "-p",
        "klanten_conformance.harness.plugin",
        "--rootdir",
        str(ROOT),
    ]
    code = pytest.main([*args, *argv])
    return {0: 0, 1: 1}.get(int(code), 2)
