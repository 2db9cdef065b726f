"""Request bodies that clients cannot send as meant: a PATCH body with required properties
(LINT-PATCH-REQUIRED) and required readOnly properties in a request schema
(LINT-READONLY-REQUIRED)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .findings import Finding, listed
from .loader import Loc, Workspace
from .walk import (
    all_properties,
    always_required,
    deref,
    merged,
    operations,
    request_schemas,
    schema_name,
)


def check_patch(ws: Workspace, root: dict, loc: Loc) -> list[Finding]:
    findings = []
    for op in operations(ws, root, loc):
        if op.method != "patch":
            continue
        for media, schema, sloc in request_schemas(ws, op):
            props = all_properties(ws, schema, sloc)
            chooser = _discriminator(ws, schema, sloc)  # OAS: it must be required
            names = sorted(n for n in always_required(ws, schema, sloc) if n != chooser and not (
                isinstance(props.get(n), dict) and props[n].get("readOnly") is True))
            if names:
                findings.append(Finding(
                    "LINT-PATCH-REQUIRED",
                    f"PATCH {op.name}: its request body ({schema_name(schema, sloc)}, {media}) "
                    f"requires {listed(names)}, so a partial update that leaves "
                    f"{'it' if len(names) == 1 else 'them'} out is invalid; give PATCH a "
                    "schema without `required`", op.loc.child("requestBody")))
                break
    return findings


def check_read_only(ws: Workspace, root: dict, loc: Loc, version: str) -> list[Finding]:
    """OpenAPI 3.0 limits `required` of a readOnly property to responses; from 3.1 on
    readOnly is an annotation only, so a required readOnly property is required in requests
    too. Checked for 3.1 documents."""
    if version.startswith("3.0"):
        return []
    found: dict[str, _Sent] = {}
    for op in operations(ws, root, loc):
        for _, schema, sloc in request_schemas(ws, op):
            for sent in _required_read_only(ws, schema, sloc, set()):
                entry = found.setdefault(sent.where.pointer, sent)
                if op.name not in entry.operations:
                    entry.operations.append(op.name)
    return [Finding(
        "LINT-READONLY-REQUIRED",
        f"{listed(s.names)} {'is' if len(s.names) == 1 else 'are'} readOnly but required in "
        f"`{s.schema}`, sent in the request body of {', '.join(s.operations)}: clients cannot send "
        f"{'it' if len(s.names) == 1 else 'them'}, so every such request is invalid; drop "
        f"{'it' if len(s.names) == 1 else 'them'} from `required` or use a separate request "
        "schema", s.where) for s in found.values()]


@dataclass
class _Sent:
    """A schema sent in requests that requires readOnly properties."""

    schema: str
    names: list[str]
    where: Loc
    operations: list[str] = field(default_factory=list)


def _required_read_only(ws: Workspace, schema: Any, loc: Loc, seen: set[int]) -> list[_Sent]:
    """The schema and the object schemas nested in it that require readOnly properties."""
    schema, loc = deref(ws, schema, loc)
    if not isinstance(schema, dict) or id(schema) in seen:
        return []
    seen.add(id(schema))
    found = []
    props, required = merged(ws, schema, loc)
    names = sorted(n for n in required if n in props and _read_only(ws, *props[n]))
    if names:
        where = loc.child("required") if "required" in schema else loc
        found.append(_Sent(schema_name({}, loc), names, where))
    for sub, sub_loc in props.values():
        found += _required_read_only(ws, sub, sub_loc, seen)
        item, item_loc = deref(ws, sub, sub_loc)
        if isinstance(item, dict) and isinstance(item.get("items"), dict):
            found += _required_read_only(ws, item["items"], item_loc.child("items"), seen)
    return found


def _discriminator(ws: Workspace, schema: Any, loc: Loc) -> str | None:
    schema, _ = deref(ws, schema, loc)
    disc = schema.get("discriminator") if isinstance(schema, dict) else None
    name = disc.get("propertyName") if isinstance(disc, dict) else None
    return name if isinstance(name, str) else None


def _read_only(ws: Workspace, schema: Any, loc: Loc) -> bool:
    schema, _ = deref(ws, schema, loc)
    return isinstance(schema, dict) and schema.get("readOnly") is True
