"""LINT-REQUIRED-PLACEMENT: `required` sits beside the properties it names.

A `required` list belongs to the schema object that defines the properties, or to the top of
a schema whose allOf refers to the one defining them (a subtype tightening its base). Two
placements are reported:

- at the top of a schema, names defined only in one of its inline allOf members (move the
  names into that member);
- inside an allOf member, names it does not define but a sibling member does (they belong at
  the top, or in that sibling; if the sibling requires them already, they are redundant).
"""

from __future__ import annotations

from typing import Any

from .findings import Finding, listed
from .loader import Loc, Workspace
from .walk import defined_properties, deref, required_names

RULE = "LINT-REQUIRED-PLACEMENT"


def check(ws: Workspace, schemas: list[tuple[dict, Loc]]) -> list[Finding]:
    findings = []
    for schema, loc in schemas:
        parts = schema.get("allOf")
        if not isinstance(parts, list) or "$ref" in schema:
            continue
        members = [(i, *deref(ws, part, loc.child("allOf", i)), _is_inline(part))
                   for i, part in enumerate(parts)]
        findings += _top_level(schema, loc, members)
        findings += _in_members(ws, schema, loc, members)
    return findings


def _is_inline(part: Any) -> bool:
    return isinstance(part, dict) and "$ref" not in part


def _own(schema: Any) -> set[str]:
    props = schema.get("properties") if isinstance(schema, dict) else None
    return {str(n) for n in props} if isinstance(props, dict) else set()


def _required(schema: Any) -> list[str]:
    listed = schema.get("required") if isinstance(schema, dict) else None
    return [str(n) for n in listed] if isinstance(listed, list) else []


def _top_level(schema: dict, loc: Loc, members: list) -> list[Finding]:
    own = _own(schema)
    by_member: dict[int, list[str]] = {}
    for name in _required(schema):
        if name in own:
            continue
        inline = [i for i, part, _, is_inline in members if is_inline and name in _own(part)]
        if inline and not any(name in _own(part) for _, part, _, is_inline in members
                              if not is_inline):
            by_member.setdefault(inline[0], []).append(name)
    return [Finding(
        RULE, f"{listed(names)} {'is' if len(names) == 1 else 'are'} required here but "
        f"defined only in allOf/{i}: move {'it' if len(names) == 1 else 'them'} to the "
        "`required` of that member, beside the properties", loc.child("required"))
        for i, names in by_member.items()]


def _in_members(ws: Workspace, schema: dict, loc: Loc, members: list) -> list[Finding]:
    findings = []
    for i, part, ploc, is_inline in members:
        if not is_inline:
            continue
        defined_here = set(defined_properties(ws, part, ploc))
        for name in _required(part):
            if name in defined_here:
                continue
            owners = [(j, other, oloc) for j, other, oloc, _ in members
                      if j != i and name in defined_properties(ws, other, oloc)]
            if not owners:
                continue  # defined nowhere near: LINT-REQUIRED-UNDEFINED's concern
            j, owner, oloc = owners[0]
            shown = _shown(owner, oloc, j)
            if name in required_names(ws, owner, oloc):
                advice = f"{shown} requires it already, so it can go"
            else:
                advice = (f"it belongs at the top of this schema, beside the allOf, or in "
                          f"{shown}")
            findings.append(Finding(
                RULE, f"`{name}` is required in allOf/{i} but defined in {shown}: {advice}",
                ploc.child("required")))
    return findings


def _shown(part: Any, loc: Loc, index: int) -> str:
    if "/components/schemas/" in loc.pointer and loc.pointer.count("/") == 3:
        return f"`{loc.pointer.rsplit('/', 1)[-1]}`"
    return f"allOf/{index}"
