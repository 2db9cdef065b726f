"""Which document a linted document is compared with.

Without ``--against``, a document is compared with this project's reference for the standard
and version it declares (``info.title``, ``info.version``): one of our documents in
``specs/``, found through its deviations file (``specs/deviations/``), which names the
standard's title and version it follows and the deviations it records. A version we have no
reference for is compared with the nearest one, and a note says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .findings import Finding
from .loader import Loc, Source, Workspace, is_url

if TYPE_CHECKING:  # the deviations module is imported only when a reference is chosen
    from ..deviations import DeviationSet

NOTE = "LINT-COMPAT-REFERENCE"
_VERSION = re.compile(r"^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")


@dataclass
class Reference:
    """What a document is compared with; `source` None means no comparison."""

    source: Source | None
    deviations: DeviationSet | None = None
    label: str = ""  # the standard and version the reference stands for
    notes: list[Finding] = field(default_factory=list)


def explicit(ws: Workspace, location: str, display: str) -> Reference:
    """The document given with --against; our own documents bring their deviations."""
    source = ws.load(location, display, cached=True)
    found = None
    if not is_url(source.uri):
        found = next((s for s in _sets() if s.document == Path(source.uri)), None)
    return Reference(source, found, _label(found) if found else display)


def chosen(ws: Workspace, spec: Source) -> Reference:
    """The reference for the standard and version `spec` declares (see the module doc)."""
    info = spec.root.get("info") if isinstance(spec.root, dict) else None
    info = info if isinstance(info, dict) else {}
    title, version = str(info.get("title", "")), str(info.get("version", ""))
    loc = Loc(spec, "/info")
    sets = [s for s in _sets() if s.document.is_file()]
    same = [s for s in sets if _title_key(s.standard.title) == _title_key(title)]
    if not same:
        known = ", ".join(sorted({_label(s) for s in sets})) or "none"
        return Reference(None, notes=[Finding(
            NOTE, f"no reference for {title!r}, so compatibility is not checked (this project "
            f"has references for: {known}); name a document with --against",
            loc.child("title"))])
    wanted = version_tuple(version)
    best = min(same, key=lambda s: _distance(wanted, version_tuple(s.standard.version)))
    reference = Reference(ws.load(str(best.document), _shown(best.document), cached=True),
                          best, _label(best))
    if best.standard.version != version:
        reference.notes.append(Finding(
            NOTE, f"this project has no reference for {title} {version}; compared with the "
            f"nearest, {reference.label} ({_shown(best.document)})", loc.child("version")))
    return reference


_KEPT = frozenset({("klanten_conformance.deviations", name) for name in (
    "DeviationSet", "Deviation", "Change", "Standard")} | {
    ("pathlib", "PosixPath"), ("pathlib", "WindowsPath")})


def _sets() -> list[DeviationSet]:
    """Our deviation sets (their YAML parse kept in the lint cache)."""
    from .. import deviations
    from . import cache

    files = sorted(str(p) for p in deviations.DEVIATIONS_DIR.glob("*.yaml"))
    return cache.kept("deviations:" + str(deviations.DEVIATIONS_DIR), files,
                      deviations.load_all, _KEPT)


def _label(found: DeviationSet) -> str:
    return f"{found.standard.title} {found.standard.version}"


def _title_key(title: str) -> str:
    words = title.lower().split()
    return " ".join(words[:-1] if words and words[-1] == "api" else words)


def version_tuple(version: str) -> tuple[int, int, int] | None:
    match = _VERSION.match(version)
    if not match:
        return None
    return tuple(int(part or 0) for part in match.groups())  # type: ignore[return-value]


def _distance(wanted: tuple[int, int, int] | None, have: tuple[int, int, int] | None) -> Any:
    if wanted is None or have is None:
        return (0, 0, 0) if wanted == have else (1_000, 0, 0)
    return tuple(abs(a - b) for a, b in zip(wanted, have, strict=True)) + tuple(
        -h for h in have)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
