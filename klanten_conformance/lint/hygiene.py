"""Schema and document hygiene: keywords, required, discriminators, titles, unused components,
nullable enums, scopes on non-OAuth schemes, ignored header parameters."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from .findings import ERROR, Finding, listed
from .loader import Loc, RefError, Workspace
from .walk import always_required, deref, iter_refs, operations, parameters

OAS30_KEYWORDS = frozenset({
    "title", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
    "maxProperties", "minProperties", "required", "enum", "type", "allOf", "oneOf", "anyOf",
    "not", "items", "properties", "additionalProperties", "description", "format", "default",
    "nullable", "discriminator", "readOnly", "writeOnly", "xml", "externalDocs", "example",
    "deprecated", "$ref",
})
OAS31_KEYWORDS = (OAS30_KEYWORDS - {"nullable"}) | frozenset({
    "$id", "$schema", "$anchor", "$dynamicRef", "$dynamicAnchor", "$defs", "$comment",
    "$vocabulary", "const", "contains", "minContains", "maxContains", "prefixItems",
    "unevaluatedItems", "unevaluatedProperties", "dependentRequired", "dependentSchemas",
    "patternProperties", "propertyNames", "if", "then", "else", "contentEncoding",
    "contentMediaType", "contentSchema", "examples",
})
APPLIES_TO = {
    "string": ("maxLength", "minLength", "pattern"),
    "number": ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf"),
    "array": ("items", "maxItems", "minItems", "uniqueItems", "prefixItems", "contains",
              "minContains", "maxContains", "unevaluatedItems"),
    "object": ("properties", "required", "additionalProperties", "maxProperties",
               "minProperties", "patternProperties", "propertyNames", "dependentRequired",
               "dependentSchemas", "unevaluatedProperties"),
}
_TYPE_OF = {kw: kind for kind, kws in APPLIES_TO.items() for kw in kws}
_OAUTH_LIKE = ("oauth2", "openIdConnect")
_IGNORED_HEADERS = ("accept", "content-type", "authorization")


def declared_types(schema: dict) -> set[str] | None:
    value = schema.get("type")
    if isinstance(value, str):
        types = {value}
    elif isinstance(value, list):
        types = {str(t) for t in value}
    else:
        return None
    if "integer" in types:
        types.add("number")
    return types


# --- LINT-KEYWORD, LINT-NULLABLE-ENUM -------------------------------------------------------

def check_keywords(schemas: list[tuple[dict, Loc]], version: str) -> list[Finding]:
    is30 = version.startswith("3.0")
    known = OAS30_KEYWORDS if is30 else OAS31_KEYWORDS
    findings = []
    for schema, loc in schemas:
        if "$ref" in schema and is30:
            ignored = [k for k in schema if k != "$ref" and not str(k).startswith("x-")]
            if ignored:
                findings.append(Finding(
                    "LINT-KEYWORD",
                    f"{listed(ignored)} beside $ref {'is' if len(ignored) == 1 else 'are'} "
                    "ignored in OpenAPI 3.0 (wrap the $ref in allOf)", loc.child(ignored[0])))
            continue
        types = declared_types(schema)
        for key in schema:
            key = str(key)
            if key.startswith("x-"):
                continue
            if key not in known:
                # the OpenAPI 3.0 schema allows no other keywords: the document is invalid
                findings.append(Finding("LINT-KEYWORD", _unknown(key, is30, known),
                                        loc.child(key), level=ERROR if is30 else ""))
            elif types is not None and key in _TYPE_OF and _TYPE_OF[key] not in types:
                shown = "/".join(sorted(t for t in declared_types(schema) or ()
                                        if t != "number" or "integer" not in types))
                findings.append(Finding(
                    "LINT-KEYWORD", f"`{key}` does not apply to type {shown} and is ignored",
                    loc.child(key)))
        if is30:
            findings += _nullable_enum(schema, loc)
    return findings


def _unknown(key: str, is30: bool, known: frozenset[str]) -> str:
    if is30 and key in OAS31_KEYWORDS:
        return f"`{key}` is not a schema keyword of OpenAPI 3.0 (only of 3.1) and is ignored"
    if not is30 and key == "nullable":
        return "`nullable` was removed in OpenAPI 3.1; add \"null\" to `type` instead"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    return f"unknown schema keyword `{key}`{hint}"


def _nullable_enum(schema: dict, loc: Loc) -> list[Finding]:
    enum = schema.get("enum")
    if schema.get("nullable") is True and isinstance(enum, list) and None not in enum:
        return [Finding("LINT-NULLABLE-ENUM",
                        "`nullable: true` but the enum does not list null: validators "
                        "following OAS 3.0.3 refuse null here", loc.child("enum"))]
    return []



# --- composition helpers ----------------------------------------------------------------

def property_names(ws: Workspace, schema: dict, loc: Loc, seen: set[int] | None = None
                   ) -> set[str] | None:
    """Names defined by a schema and its allOf/oneOf/anyOf parts; None if open-ended."""
    seen = seen if seen is not None else set()
    schema, loc = deref(ws, schema, loc)
    if not isinstance(schema, dict) or id(schema) in seen:
        return set()
    seen.add(id(schema))
    names = set(schema["properties"]) if isinstance(schema.get("properties"), dict) else set()
    if schema.get("patternProperties"):
        return None
    for key in ("allOf", "oneOf", "anyOf"):
        parts = schema.get(key) if isinstance(schema.get(key), list) else []
        for i, part in enumerate(parts):
            sub = property_names(ws, part, loc.child(key, i), seen)
            if sub is None:
                return None
            names |= sub
    return names


# --- LINT-REQUIRED-UNDEFINED --------------------------------------------------------------

def check_required(ws: Workspace, schemas: list[tuple[dict, Loc]]) -> list[Finding]:
    parents: dict[int, tuple[dict, Loc]] = {}
    for schema, loc in schemas:
        for key in ("allOf", "oneOf", "anyOf"):
            if isinstance(schema.get(key), list):
                for part in schema[key]:
                    parents[id(part)] = (schema, loc)
    findings = []
    for schema, loc in schemas:
        required = schema.get("required")
        if not isinstance(required, list) or "$ref" in schema:
            continue
        top, tloc = schema, loc
        while id(top) in parents:  # a part of allOf: its siblings define properties too
            top, tloc = parents[id(top)]
        names = property_names(ws, top, tloc)
        if names is None:
            continue
        missing = [str(n) for n in required if n not in names]
        if missing:
            findings.append(Finding(
                "LINT-REQUIRED-UNDEFINED",
                f"required {listed(missing)} {'is' if len(missing) == 1 else 'are'} not "
                "defined as propert" + ("y" if len(missing) == 1 else "ies"),
                loc.child("required")))
    return findings


# --- LINT-DISCRIMINATOR -------------------------------------------------------------------

def component_schemas(root: dict) -> dict:
    comps = root.get("components")
    schemas = comps.get("schemas") if isinstance(comps, dict) else None
    return schemas if isinstance(schemas, dict) else {}


def children_of(ws: Workspace, root: dict, loc: Loc, base: dict) -> dict[str, tuple[dict, Loc]]:
    """Component schemas that extend `base` through allOf, by name."""
    found = {}
    for name, schema in component_schemas(root).items():
        sloc = loc.child("components", "schemas", name)
        parts = schema.get("allOf") if isinstance(schema, dict) else None
        for i, part in enumerate(parts if isinstance(parts, list) else []):
            target, _ = deref(ws, part, sloc.child("allOf", i))
            if target is base:
                found[str(name)] = (schema, sloc)
    return found


def mapping_of(ws: Workspace, root: dict, loc: Loc, schema: dict, sloc: Loc
               ) -> tuple[dict[str, tuple[Any, Loc] | None], list[str]]:
    """Effective discriminator mapping (value → schema, None when unresolvable) and the
    names of the schemas a value may select (the alternatives or allOf children)."""
    disc = schema.get("discriminator")
    mapping: dict[str, tuple[Any, Loc] | None] = {}
    alternatives: dict[str, tuple[Any, Loc]] = {}
    for key in ("oneOf", "anyOf"):
        for i, part in enumerate(schema.get(key) or []):
            if isinstance(part, dict) and isinstance(part.get("$ref"), str):
                try:
                    target = ws.resolve(part, sloc.child(key, i))
                except RefError:
                    continue
                alternatives[part["$ref"].rsplit("/", 1)[-1]] = target
    if not alternatives and not (schema.get("oneOf") or schema.get("anyOf")):
        alternatives = children_of(ws, root, loc, schema)
    mapping.update(alternatives)
    explicit = disc.get("mapping") if isinstance(disc, dict) else None
    for value, target in (explicit.items() if isinstance(explicit, dict) else ()):
        ref = str(target) if "/" in str(target) or "#" in str(target) else (
            f"#/components/schemas/{target}")
        try:
            mapping[str(value)] = ws.resolve({"$ref": ref}, sloc.child("discriminator"))
        except RefError:
            mapping[str(value)] = None
    return mapping, list(alternatives)


def check_discriminators(ws: Workspace, root: dict, loc: Loc,
                         schemas: list[tuple[dict, Loc]]) -> list[Finding]:
    findings = []
    for schema, sloc in schemas:
        disc = schema.get("discriminator")
        if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
            continue
        dloc = sloc.child("discriminator")
        prop = disc["propertyName"]
        names = property_names(ws, schema, sloc)
        if names is not None and prop not in names:
            findings.append(Finding("LINT-DISCRIMINATOR",
                                    f"discriminator property `{prop}` is not defined",
                                    dloc.child("propertyName")))
        elif prop not in always_required(ws, schema, sloc):
            findings.append(Finding(
                "LINT-DISCRIMINATOR",
                f"discriminator property `{prop}` is not required: a payload without it "
                "selects no schema (OAS: the discriminator property must be required)",
                dloc.child("propertyName")))
        mapping, alternatives = mapping_of(ws, root, loc, schema, sloc)
        explicit = disc.get("mapping") if isinstance(disc.get("mapping"), dict) else {}
        allowed = {id(t[0]) for t in (mapping.get(a) for a in alternatives) if t}
        for value, target in explicit.items():
            resolved = mapping.get(str(value))
            if resolved is None:
                findings.append(Finding("LINT-DISCRIMINATOR",
                                        f"mapping `{value}` → {target!r} does not resolve",
                                        dloc.child("mapping", value), level=ERROR))
            elif id(resolved[0]) not in allowed:
                base = sloc.pointer.rsplit("/", 1)[-1]
                how = ("is not one of its alternatives" if schema.get("oneOf") or schema.get(
                    "anyOf") else f"does not extend `{base}` through allOf")
                findings.append(Finding(
                    "LINT-DISCRIMINATOR", f"mapping `{value}` → {target!r}: that schema {how}",
                    dloc.child("mapping", value)))
        for value in _enum_of(ws, schema, sloc, prop):
            if value is not None and str(value) not in mapping:
                findings.append(Finding(
                    "LINT-DISCRIMINATOR",
                    f"value {value!r} of `{prop}` maps to no schema", dloc))
    return findings


def _enum_of(ws: Workspace, schema: dict, loc: Loc, prop: str) -> list:
    props = schema.get("properties")
    if isinstance(props, dict) and prop in props:
        target, _ = deref(ws, props[prop], loc.child("properties", prop))
        if isinstance(target, dict) and isinstance(target.get("enum"), list):
            return target["enum"]
    return []


# --- LINT-DUPLICATE-TITLE -------------------------------------------------------------------

def check_titles(root: dict, loc: Loc) -> list[Finding]:
    first: dict[str, str] = {}
    findings = []
    for name, schema in component_schemas(root).items():
        title = schema.get("title") if isinstance(schema, dict) else None
        if not isinstance(title, str):
            continue
        if title in first:
            findings.append(Finding(
                "LINT-DUPLICATE-TITLE",
                f"title {title!r} is also the title of schema `{first[title]}`",
                loc.child("components", "schemas", name, "title")))
        else:
            first[title] = str(name)
    return findings


# --- LINT-UNUSED-COMPONENT -----------------------------------------------------------------

def check_unused(ws: Workspace, root: dict, loc: Loc) -> list[Finding]:
    comps = root.get("components")
    if not isinstance(comps, dict):
        return []
    used: set[str] = set()
    pending: list[tuple[Any, Loc]] = [
        (v, loc.child(k)) for k, v in root.items() if k not in ("components",)]
    used_schemes = _security_names(root)
    for op in operations(ws, root, loc):
        used_schemes |= _security_names(op.node)
    seen: set[int] = set()
    while pending:
        node, nloc = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for ref, rloc in iter_refs(node, nloc):
            try:
                target, tloc = ws.target(ref, rloc)
            except RefError:
                continue
            if tloc.source is loc.source:
                used.add(tloc.pointer)
            pending.append((target, tloc))
        for schema, sloc in _discriminated(node, nloc):
            mapping, _ = mapping_of(ws, root, loc, schema, sloc)
            for target in mapping.values():
                if target and target[1].source is loc.source:
                    used.add(target[1].pointer)
                    pending.append(target)
    findings = []
    for section, entries in comps.items():
        if not isinstance(entries, dict) or str(section).startswith("x-"):
            continue
        for name in entries:
            ptr = loc.child("components", section, name).pointer
            if section == "securitySchemes":
                if name not in used_schemes:
                    findings.append(Finding("LINT-UNUSED-COMPONENT",
                                            f"security scheme `{name}` is not used",
                                            Loc(loc.source, ptr)))
            elif not any(p == ptr or p.startswith(ptr + "/") for p in used):
                findings.append(Finding("LINT-UNUSED-COMPONENT",
                                        f"`{section}/{name}` is not referenced",
                                        Loc(loc.source, ptr)))
    return findings


def _discriminated(node: Any, loc: Loc) -> Iterator[tuple[dict, Loc]]:
    stack = [(node, loc)]
    while stack:
        current, cloc = stack.pop()
        if isinstance(current, dict):
            if isinstance(current.get("discriminator"), dict):
                yield current, cloc
            stack.extend((v, cloc.child(k)) for k, v in current.items()
                         if isinstance(v, dict | list) and k not in ("example", "default"))
        elif isinstance(current, list):
            stack.extend((v, cloc.child(i)) for i, v in enumerate(current)
                         if isinstance(v, dict | list))


def _security_names(holder: dict) -> set[str]:
    reqs = holder.get("security")
    return {str(name) for req in reqs if isinstance(req, dict) for name in req} if isinstance(
        reqs, list) else set()


# --- LINT-SECURITY-SCOPES, LINT-IGNORED-HEADER ---------------------------------------------

def check_scopes(ws: Workspace, root: dict, loc: Loc, version: str) -> list[Finding]:
    if not version.startswith("3.0"):
        return []
    comps = root.get("components") if isinstance(root.get("components"), dict) else {}
    schemes = comps.get("securitySchemes") if isinstance(comps.get("securitySchemes"), dict) else {}
    holders = [(root, loc)] + [(op.node, op.loc) for op in operations(ws, root, loc)]
    findings = []
    for holder, hloc in holders:
        reqs = holder.get("security")
        for i, req in enumerate(reqs if isinstance(reqs, list) else []):
            for name, scopes in (req.items() if isinstance(req, dict) else ()):
                scheme, _ = deref(ws, schemes.get(name, {}), loc.child(
                    "components", "securitySchemes", name))
                kind = scheme.get("type") if isinstance(scheme, dict) else None
                if scopes and kind and kind not in _OAUTH_LIKE:
                    findings.append(Finding(
                        "LINT-SECURITY-SCOPES",
                        f"scopes {listed([str(s) for s in scopes])} on `{name}` (type {kind}): "
                        "OpenAPI 3.0 allows scopes only for oauth2/openIdConnect",
                        hloc.child("security", i, name)))
    return findings


def check_ignored_headers(ws: Workspace, root: dict, loc: Loc) -> list[Finding]:
    findings = []
    for op in operations(ws, root, loc):
        for (where, name), (param, ploc) in parameters(ws, op).items():
            if where == "header" and name in _IGNORED_HEADERS:
                findings.append(Finding(
                    "LINT-IGNORED-HEADER",
                    f"header parameter `{param.get('name')}` is ignored by OpenAPI (declare "
                    "media types in requestBody/responses, authentication in security)", ploc))
    return findings
