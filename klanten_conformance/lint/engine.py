"""Run every check on one document and collect the findings."""

from __future__ import annotations

from collections.abc import Callable

from . import (
    adr,
    bodies,
    compatibility,
    descriptions,
    deviation,
    errors,
    formats,
    hygiene,
    patterns,
    placement,
    validity,
)
from .findings import ERROR, Finding, sort_key
from .loader import Loc, Source, Workspace
from .reference import Reference
from .walk import all_schemas


def lint(ws: Workspace, spec: Source, against: Source | Reference | None) -> list[Finding]:
    """All findings for `spec`; compatibility is checked when `against` is given (a document,
    or a :class:`Reference` with this project's recorded deviations)."""
    reference = Reference(against) if isinstance(against, Source) else against
    loc = Loc(spec, "")
    findings = validity.check(ws, loc)
    root = spec.root
    if not isinstance(root, dict) or not validity.version_of(root):
        return findings
    version = validity.version_of(root)
    invalid = any(f.level == ERROR for f in findings)
    schemas = list(all_schemas(ws, root, loc))
    checks: list[Callable[[], list[Finding]]] = [
        lambda: hygiene.check_keywords(schemas, version),
        lambda: patterns.check(schemas),
        lambda: hygiene.check_required(ws, schemas),
        lambda: hygiene.check_discriminators(ws, root, loc, schemas),
        lambda: hygiene.check_titles(root, loc),
        lambda: hygiene.check_unused(ws, root, loc),
        lambda: hygiene.check_scopes(ws, root, loc, version),
        lambda: hygiene.check_ignored_headers(ws, root, loc),
        lambda: adr.check(ws, root, loc),
        lambda: errors.check(ws, root, loc),
        lambda: bodies.check_patch(ws, root, loc),
        lambda: bodies.check_read_only(ws, root, loc, version),
        lambda: descriptions.check(ws, root, loc, schemas),
        lambda: formats.check(ws, root, loc, schemas),
        lambda: placement.check(ws, schemas),
    ]
    recorded = None
    if reference is not None:
        findings += reference.notes
        if reference.deviations is not None:
            recorded = deviation.Recorded(spec, reference.deviations)
        if reference.source is not None:
            checks.append(lambda: compatibility.check(ws, reference, loc, recorded))
    for run in checks:
        try:
            findings += run()
        except (AttributeError, KeyError, TypeError, ValueError, IndexError):
            if not invalid:  # on a valid document a crash is a bug: show it
                raise
    if recorded is not None:
        findings = recorded.annotate(findings)
    return sorted(_dedupe(findings), key=sort_key)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Drop LINT-VALID's generic complaint about a schema whose unknown keyword LINT-KEYWORD
    names precisely (as an error in OpenAPI 3.0, where it makes the document invalid), and
    exact repeats."""
    keyword_at = {f.pointer.rsplit("/", 1)[0] for f in findings if f.rule == "LINT-KEYWORD"}
    unique: dict[tuple, Finding] = {}
    for f in findings:
        if f.rule == "LINT-VALID" and f.pointer in keyword_at:
            continue
        unique.setdefault((f.rule, f.file, f.pointer, f.message), f)
    return list(unique.values())
