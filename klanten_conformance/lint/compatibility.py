"""The compatibility findings of one document: its differences from the reference (compat),
less what the reference's recorded deviations explain (deviation), and whether its version
number admits the breaking ones (LINT-COMPAT-VERSION)."""

from __future__ import annotations

from typing import Any

from . import deviation
from .compat import Comparer
from .findings import Finding
from .loader import Loc, Source, Workspace
from .reference import Reference, version_tuple

VERSION = "LINT-COMPAT-VERSION"


def check(ws: Workspace, reference: Reference, ours: Loc,
          recorded: deviation.Recorded | None = None) -> list[Finding]:
    """`recorded`: the reference's deviations, for the linted document."""
    assert reference.source is not None
    comparer = Comparer(ws, Loc(reference.source, ""), ours)
    comparer.run()
    findings = recorded.explain(comparer) if recorded else []
    differences = comparer.findings()
    return findings + differences + _version(reference, ours.source, differences)


def _version(reference: Reference, spec: Source, differences: list[Finding]) -> list[Finding]:
    breaking = [f for f in differences if f.breaking]
    theirs, ours = _info_version(reference.source.root), _info_version(spec.root)
    old, new = version_tuple(theirs), version_tuple(ours)
    if not breaking or old is None or new is None or old[0] != new[0] or new <= old:
        return []
    if new[0] == 0:  # semantic versioning: anything may change before 1.0.0
        return []
    part = "minor" if new[1] != old[1] else "patch"
    label = reference.label or reference.source.display
    count = len(breaking)
    changes = f"{count} change{'s' if count != 1 else ''} here break{'' if count != 1 else 's'}"
    return [Finding(
        VERSION,
        f"{changes} clients of {label}, yet info.version moves only its {part} number "
        f"({theirs} → {ours}): a breaking change needs a new major version "
        f"({new[0] + 1}.0.0) or has to go", Loc(spec, "/info/version"))]


def _info_version(root: Any) -> str:
    info = root.get("info") if isinstance(root, dict) else None
    return str(info.get("version", "")) if isinstance(info, dict) else ""
