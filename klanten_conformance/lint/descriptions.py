"""LINT-DESCRIPTION-REQUIRED: descriptions that contradict `required`.

Only whole statements count: a sentence that is nothing but "Optioneel." / "Verplicht." /
"Dit attribuut is optioneel." / "This field is required." (Dutch or English), a description
that opens with "Optioneel:" or ends in "(verplicht)", and, for a resource, a phrase such as
"alle attributen zijn optioneel" / "all attributes are optional". A sentence that only
mentions the word ("verplicht als ...", "kan optioneel ...") is no statement about the
property and is left alone.
"""

from __future__ import annotations

import re
from typing import Any

from .findings import Finding, listed
from .loader import Loc, Workspace
from .walk import (
    defined_properties,
    deref,
    operations,
    request_schemas,
    required_names,
    schema_name,
)

RULE = "LINT-DESCRIPTION-REQUIRED"
OPTIONAL, REQUIRED = "optional", "required"
_SUBJECT = (r"(?:(?:dit|het|deze)\s+(?:veld|attribuut|gegeven|kenmerk|element)\s+is\s+|"
            r"(?:this|the)\s+(?:field|property|attribute)\s+is\s+)?")
_WORDS = {
    OPTIONAL: r"(?:optioneel|niet\s+verplicht|facultatief|optional|not\s+required)",
    REQUIRED: r"(?:verplicht|required|mandatory)",
}
_SENTENCE = {k: re.compile(rf"^{_SUBJECT}{w}\s*[.!]?$", re.IGNORECASE) for k, w in
             _WORDS.items()}
_OPENING = {k: re.compile(rf"^\s*{w}\s*[:;]\s+\S", re.IGNORECASE) for k, w in _WORDS.items()}
_CLOSING = {k: re.compile(rf"\(\s*{w}\s*\)\s*[.!]?\s*$", re.IGNORECASE) for k, w in
            _WORDS.items()}
_ALL = r"(?:attributen|velden|eigenschappen|gegevens|kenmerken|attributes|fields|properties)"
_WHOLE = {
    k: re.compile(r"(?<!niet )(?<!not )\b(?:"
                  rf"alle\s+{_ALL}\s+(?:zijn\s+)?(?:ook\s+)?{w}|"
                  rf"(?:zijn|is)\s+(?:ook\s+)?alle\s+{_ALL}\s+{w}|"
                  rf"all\s+{_ALL}\s+are\s+(?:also\s+)?{w})\b", re.IGNORECASE)
    for k, w in _WORDS.items()
}


def says(description: str) -> str | None:
    """OPTIONAL or REQUIRED when the description states it of its property, else None."""
    text = description.strip()
    for kind in (OPTIONAL, REQUIRED):  # "niet verplicht" is optional: try that first
        if _OPENING[kind].search(text) or _CLOSING[kind].search(text):
            return kind
        if any(_SENTENCE[kind].match(s.strip()) for s in re.split(r"(?<=[.!?])\s+|\n+", text)):
            return kind
    return None


def says_of_all(description: str) -> str | None:
    """OPTIONAL or REQUIRED when the description says so of all attributes of a resource."""
    for kind in (OPTIONAL, REQUIRED):
        if _WHOLE[kind].search(description):
            return kind
    return None


def check(ws: Workspace, root: dict, loc: Loc, schemas: list[tuple[dict, Loc]]
          ) -> list[Finding]:
    return _properties(ws, schemas) + _resources(ws, root, loc, schemas)


def _properties(ws: Workspace, schemas: list[tuple[dict, Loc]]) -> list[Finding]:
    findings = []
    for schema, sloc in schemas:
        props = schema.get("properties")
        if not isinstance(props, dict):
            continue
        required = required_names(ws, schema, sloc)
        for name, prop in props.items():
            text = _description(ws, prop, sloc.child("properties", name))
            kind = says(text)
            is_required = str(name) in required
            if kind == OPTIONAL and is_required or kind == REQUIRED and not is_required:
                where = sloc.child("properties", name)
                findings.append(Finding(RULE, f"`{name}` is described as {kind} (\"{_cut(text)}"
                                        f"\") but is {'' if is_required else 'not '}listed in "
                                        "`required`", where.child("description") if isinstance(
                                            prop, dict) and "description" in prop else where))
    return findings


def _resources(ws: Workspace, root: dict, loc: Loc, schemas: list[tuple[dict, Loc]]
               ) -> list[Finding]:
    findings = []
    tags = root.get("tags") if isinstance(root.get("tags"), list) else []
    for i, tag in enumerate(tags):
        if not isinstance(tag, dict) or not isinstance(tag.get("description"), str):
            continue
        kind = says_of_all(tag["description"])
        if kind is None:
            continue
        sent = _request_bodies(ws, root, loc, str(tag.get("name")))
        findings += _against_schemas(ws, kind, f"the description of tag `{tag.get('name')}`",
                                     sent, loc.child("tags", i, "description"))
    for schema, sloc in schemas:
        if isinstance(schema.get("description"), str) and "/components/schemas/" in sloc.pointer:
            kind = says_of_all(schema["description"])
            if kind is not None:
                findings += _against_schemas(ws, kind, "its description",
                                             [(schema, sloc, [])], sloc.child("description"))
    return findings


def _request_bodies(ws: Workspace, root: dict, loc: Loc, tag: str
                    ) -> list[tuple[Any, Loc, list[str]]]:
    """The schemas that create or replace a resource of `tag` (POST and PUT bodies)."""
    found: dict[int, tuple[Any, Loc, list[str]]] = {}
    for op in operations(ws, root, loc):
        if op.method not in ("post", "put") or tag not in (op.node.get("tags") or []):
            continue
        for _, schema, sloc in request_schemas(ws, op):
            target, tloc = deref(ws, schema, sloc)
            entry = found.setdefault(id(target), (schema, sloc, []))
            entry[2].append(op.name)
    return list(found.values())


def _against_schemas(ws: Workspace, kind: str, who: str, sent: list[tuple[Any, Loc, list[str]]],
                     where: Loc) -> list[Finding]:
    findings = []
    for schema, sloc, ops in sent:
        required = sorted(required_names(ws, schema, sloc))
        defined = defined_properties(ws, schema, sloc)
        named = schema_name(schema, sloc)
        used = f", the request body of {', '.join(ops)}," if ops else ""
        if kind == OPTIONAL and required:
            findings.append(Finding(RULE, f"{who} says all attributes are optional, but "
                                    f"`{named}`{used} requires {listed(required)}", where))
        elif kind == REQUIRED and defined and not required:
            findings.append(Finding(RULE, f"{who} says all attributes are required, but "
                                    f"`{named}`{used} requires none", where))
    return findings


def _description(ws: Workspace, prop: Any, loc: Loc) -> str:
    if isinstance(prop, dict) and isinstance(prop.get("description"), str):
        return prop["description"]
    target, _ = deref(ws, prop, loc)
    return target.get("description", "") if isinstance(target, dict) and isinstance(
        target.get("description"), str) else ""


def _cut(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"
