"""LINT-DATE-FORMAT: strings that hold dates declare it.

A string property or parameter holds a date when its name says so (a word ending or
starting in `datum`, or `date`, `datetime`, `timestamp`, `tijdstip`), when its description
starts by saying so ("De datum ...", "Het tijdstip ...", "Date ..."), or when its example is
an ISO 8601 date. Without `format` (or a `pattern` for another notation) clients cannot know
the notation and validators check nothing. A date-time is meant when the name, description or
example speaks of a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .findings import Finding
from .loader import Loc, Workspace
from .walk import deref, operations, parameters

RULE = "LINT-DATE-FORMAT"
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_DATE_WORDS = ("date", "datetime", "timestamp", "tijdstip")
_TIME_WORDS = ("tijd", "tijdstip", "time", "datetime", "timestamp")
_DESCRIBED = re.compile(
    r"^\s*(?:(?:de|het|the|a)\s+)?(datum(?:\s+en\s+(?:het\s+)?tijdstip)?|tijdstip|"
    r"date(?:\s+and\s+time)?|date-time|timestamp)\b", re.IGNORECASE)
_MENTIONS_TIME = re.compile(r"\b(?:tijdstip|tijd|time|date-time|datetime)\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def check(ws: Workspace, root: dict, loc: Loc, schemas: list[tuple[dict, Loc]]
          ) -> list[Finding]:
    findings = []
    for name, schema, sloc, description in _candidates(ws, root, loc, schemas):
        why = _evidence(name, schema, description)
        if why is None:
            continue
        wanted, reason = why
        findings.append(Finding(
            RULE, f"`{name}` holds a {wanted} by its {reason} but declares no format: add "
            f"`format: {wanted}` (or a `pattern` for another notation)", sloc))
    return findings


def _candidates(ws: Workspace, root: dict, loc: Loc, schemas: list[tuple[dict, Loc]]
                ) -> Iterator[tuple[str, dict, Loc, str]]:
    """(name, schema, location, description) of every property and parameter."""
    seen: set[int] = set()
    for schema, sloc in schemas:
        props = schema.get("properties")
        for name, prop in props.items() if isinstance(props, dict) else ():
            target, _ = deref(ws, prop, sloc.child("properties", name))
            if isinstance(target, dict) and id(target) not in seen:
                seen.add(id(target))
                yield str(name), target, sloc.child("properties", name), _text(
                    prop.get("description") if isinstance(prop, dict) else None
                ) or _text(target.get("description"))
    for op in operations(ws, root, loc):
        for (where, name), (param, ploc) in parameters(ws, op).items():
            target, _ = deref(ws, param.get("schema"), ploc.child("schema"))
            if where != "header" and isinstance(target, dict) and id(target) not in seen:
                seen.add(id(target))
                yield str(param.get("name", name)), target, ploc.child("schema"), _text(
                    param.get("description")) or _text(target.get("description"))


def _evidence(name: str, schema: dict, description: str) -> tuple[str, str] | None:
    """(the format wanted, what says so), or None when the schema needs none."""
    types = schema.get("type")
    if not (types == "string" or (isinstance(types, list) and "string" in types)):
        return None
    if any(key in schema for key in ("format", "pattern", "enum", "const")):
        return None
    words = [w.lower() for w in _WORDS.findall(name)]
    example = schema.get("example")
    if isinstance(example, str) and (_ISO_DATE.match(example) or _ISO_DATE_TIME.match(
            example)):
        return ("date-time" if _ISO_DATE_TIME.match(example) else "date"), "example"
    described = _DESCRIBED.match(description)
    if described:
        said = described.group(1).lower()
        timed = any(w in said for w in _TIME_WORDS)
        return ("date-time" if timed else "date"), "description"
    if any(w.endswith("datum") or w.startswith("datum") or w in _DATE_WORDS for w in words):
        timed = any(w in _TIME_WORDS or w.endswith("tijdstip") for w in words) or bool(
            _MENTIONS_TIME.search(description))
        return ("date-time" if timed else "date"), "name"
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
