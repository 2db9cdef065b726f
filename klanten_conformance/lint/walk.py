"""Ways through an OpenAPI document shared by the checks: operations, responses, schemas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .loader import Loc, RefError, Workspace

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# keywords whose values are schemas, lists of schemas or maps of schemas
SCHEMA_VALUED = ("items", "not", "additionalProperties", "contains", "if", "then", "else",
                 "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema")
SCHEMA_LISTS = ("allOf", "oneOf", "anyOf", "prefixItems")
SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")


@dataclass
class Operation:
    path: str
    method: str
    node: dict
    loc: Loc
    path_item: dict
    path_loc: Loc

    @property
    def name(self) -> str:
        op_id = self.node.get("operationId")
        return op_id if isinstance(op_id, str) else f"{self.method.upper()} {self.path}"


def deref(ws: Workspace, node: Any, loc: Loc) -> tuple[Any, Loc]:
    """Resolve a `$ref`; an unresolvable one yields an empty dict (LINT-VALID reports it)."""
    try:
        return ws.resolve(node, loc)
    except RefError:
        return {}, loc


def operations(ws: Workspace, root: Any, loc: Loc) -> Iterator[Operation]:
    paths = root.get("paths") if isinstance(root, dict) else None
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        item, item_loc = deref(ws, item, loc.child("paths", path))
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                yield Operation(str(path), method, op, item_loc.child(method), item, item_loc)


def parameters(ws: Workspace, op: Operation) -> dict[tuple[str, str], tuple[dict, Loc]]:
    """Effective parameters of an operation keyed by (in, name); header names lower-cased."""
    found: dict[tuple[str, str], tuple[dict, Loc]] = {}
    for owner, owner_loc in ((op.path_item, op.path_loc), (op.node, op.loc)):
        params = owner.get("parameters")
        if not isinstance(params, list):
            continue
        for i, param in enumerate(params):
            param, ploc = deref(ws, param, owner_loc.child("parameters", i))
            if not isinstance(param, dict):
                continue
            where, name = str(param.get("in", "")), str(param.get("name", ""))
            found[(where, name.lower() if where == "header" else name)] = (param, ploc)
    return found


def responses(ws: Workspace, op: Operation) -> Iterator[tuple[str, dict, Loc]]:
    resps = op.node.get("responses")
    if not isinstance(resps, dict):
        return
    for code, resp in resps.items():
        resp, rloc = deref(ws, resp, op.loc.child("responses", code))
        if isinstance(resp, dict):
            yield str(code).upper(), resp, rloc


def is_error_status(code: str) -> bool:
    return code == "DEFAULT" or code[:1] in ("4", "5")


def media_schemas(ws: Workspace, holder: dict, loc: Loc) -> Iterator[tuple[str, Any, Loc]]:
    content = holder.get("content")
    if isinstance(content, dict):
        for media, mt in content.items():
            if isinstance(mt, dict) and "schema" in mt:
                yield str(media), mt["schema"], loc.child("content", media, "schema")


def subschemas(node: dict, loc: Loc) -> Iterator[tuple[Any, Loc]]:
    """The direct child schemas of a schema object."""
    for key in SCHEMA_VALUED:
        if isinstance(node.get(key), dict):
            yield node[key], loc.child(key)
    for key in SCHEMA_LISTS:
        if isinstance(node.get(key), list):
            for i, sub in enumerate(node[key]):
                yield sub, loc.child(key, i)
    for key in SCHEMA_MAPS:
        if isinstance(node.get(key), dict):
            for name, sub in node[key].items():
                yield sub, loc.child(key, name)


def schema_roots(root: dict, loc: Loc) -> Iterator[tuple[Any, Loc]]:
    """Every place in a document where a schema object starts (not following $ref)."""
    comps = root.get("components") if isinstance(root.get("components"), dict) else {}
    cloc = loc.child("components")
    for name, schema in _items(comps.get("schemas")):
        yield schema, cloc.child("schemas", name)
    for section in ("parameters", "headers"):
        for name, holder in _items(comps.get(section)):
            yield from _holder_schemas(holder, cloc.child(section, name))
    for section in ("responses", "requestBodies"):
        for name, holder in _items(comps.get(section)):
            yield from _holder_schemas(holder, cloc.child(section, name))
    for path, item in _items(root.get("paths")):
        ploc = loc.child("paths", path)
        for i, param in enumerate(item.get("parameters") or [] if isinstance(item, dict) else []):
            yield from _holder_schemas(param, ploc.child("parameters", i))
        for method in METHODS:
            op = item.get(method) if isinstance(item, dict) else None
            if not isinstance(op, dict):
                continue
            oloc = ploc.child(method)
            params = op.get("parameters") if isinstance(op.get("parameters"), list) else []
            for i, param in enumerate(params):
                yield from _holder_schemas(param, oloc.child("parameters", i))
            yield from _holder_schemas(op.get("requestBody"), oloc.child("requestBody"))
            for code, resp in _items(op.get("responses")):
                yield from _holder_schemas(resp, oloc.child("responses", code))


def _items(node: Any) -> Iterator[tuple[Any, Any]]:
    return iter(node.items()) if isinstance(node, dict) else iter(())


def _holder_schemas(holder: Any, loc: Loc) -> Iterator[tuple[Any, Loc]]:
    """Schemas of a parameter, header, request body or response (inline only)."""
    if not isinstance(holder, dict) or "$ref" in holder:
        return
    if isinstance(holder.get("schema"), dict):
        yield holder["schema"], loc.child("schema")
    for media, mt in _items(holder.get("content")):
        if isinstance(mt, dict) and isinstance(mt.get("schema"), dict):
            yield mt["schema"], loc.child("content", media, "schema")
    for name, header in _items(holder.get("headers")):
        yield from _holder_schemas(header, loc.child("headers", name))


def all_schemas(ws: Workspace, root: dict, loc: Loc) -> Iterator[tuple[dict, Loc]]:
    """Every schema object of the document and of the files its $refs reach, once each."""
    seen: set[int] = set()
    stack = list(schema_roots(root, loc))
    stack.reverse()
    while stack:
        node, nloc = stack.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node.get("$ref"), str):
            try:
                target = ws.target(node["$ref"], nloc)
            except RefError:
                target = None
            if target and target[1].source is not loc.source:
                stack.append(target)
        yield node, nloc
        children = list(subschemas(node, nloc))
        children.reverse()
        stack.extend(children)


_LITERAL = ("example", "default", "enum", "const")


def iter_refs(node: Any, loc: Loc) -> Iterator[tuple[str, Loc]]:
    """Every `$ref` string in a document tree, with the location of the object holding it."""
    stack = [(node, loc)]
    while stack:
        current, cloc = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                yield ref, cloc
            for key, value in current.items():
                if isinstance(value, dict | list) and key not in _LITERAL:
                    stack.append((value, cloc.child(key)))
        elif isinstance(current, list):
            for i, value in enumerate(current):
                if isinstance(value, dict | list):
                    stack.append((value, cloc.child(i)))


def merged(ws: Workspace, schema: Any, loc: Loc, seen: set[int] | None = None
           ) -> tuple[dict[str, tuple[Any, Loc]], set[str]]:
    """The properties a schema defines (with their locations; the first definition of a name
    wins) and the names it requires, its allOf parts included."""
    seen = seen if seen is not None else set()
    schema, loc = deref(ws, schema, loc)
    if not isinstance(schema, dict) or id(schema) in seen:
        return {}, set()
    seen.add(id(schema))
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    found = {str(name): (sub, loc.child("properties", name)) for name, sub in props.items()}
    listed = schema.get("required") if isinstance(schema.get("required"), list) else []
    required = {n for n in listed if isinstance(n, str)}
    parts = schema.get("allOf") if isinstance(schema.get("allOf"), list) else []
    for i, part in enumerate(parts):
        sub_props, sub_required = merged(ws, part, loc.child("allOf", i), seen)
        for name, value in sub_props.items():
            found.setdefault(name, value)
        required |= sub_required
    return found, required


def required_names(ws: Workspace, schema: Any, loc: Loc) -> set[str]:
    """The names a schema requires, its allOf parts included."""
    return merged(ws, schema, loc)[1]


def always_required(ws: Workspace, schema: Any, loc: Loc, seen: frozenset[int] = frozenset()
                    ) -> set[str]:
    """The names every valid instance has: required by the schema or its allOf parts, or by
    each of its oneOf/anyOf alternatives."""
    schema, loc = deref(ws, schema, loc)
    if not isinstance(schema, dict) or id(schema) in seen:
        return set()
    seen = seen | {id(schema)}
    listed = schema.get("required") if isinstance(schema.get("required"), list) else []
    names = {n for n in listed if isinstance(n, str)}
    for key in ("allOf", "oneOf", "anyOf"):
        parts = schema.get(key) if isinstance(schema.get(key), list) else []
        found = [always_required(ws, part, loc.child(key, i), seen) for i, part in
                 enumerate(parts)]
        if key == "allOf":
            names = names.union(*found)
        elif found:
            names |= set.intersection(*found)
    return names


def all_properties(ws: Workspace, schema: Any, loc: Loc, seen: frozenset[int] = frozenset()
                   ) -> dict[str, Any]:
    """Every property a schema or any of its allOf/oneOf/anyOf parts defines (resolved)."""
    schema, loc = deref(ws, schema, loc)
    if not isinstance(schema, dict) or id(schema) in seen:
        return {}
    seen = seen | {id(schema)}
    found = {}
    for name, (sub, sub_loc) in merged(ws, schema, loc)[0].items():
        found[name] = deref(ws, sub, sub_loc)[0]
    for key in ("allOf", "oneOf", "anyOf"):
        for i, part in enumerate(schema.get(key) if isinstance(schema.get(key), list) else []):
            for name, sub in all_properties(ws, part, loc.child(key, i), seen).items():
                found.setdefault(name, sub)
    return found


def defined_properties(ws: Workspace, schema: Any, loc: Loc) -> dict[str, tuple[Any, Loc]]:
    """The properties a schema defines, its allOf parts included."""
    return merged(ws, schema, loc)[0]


def request_schemas(ws: Workspace, op: Operation) -> Iterator[tuple[str, Any, Loc]]:
    """The request body schemas of an operation: (media type, schema, location)."""
    body, bloc = deref(ws, op.node.get("requestBody"), op.loc.child("requestBody"))
    if isinstance(body, dict):
        yield from media_schemas(ws, body, bloc)


def schema_name(node: Any, loc: Loc) -> str:
    """How to name a schema in a message: the component it refers to or where it is."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    if isinstance(ref, str):
        return ref.rsplit("/", 1)[-1]
    return loc.pointer.rsplit("/", 1)[-1] if "/components/schemas/" in loc.pointer else (
        "the inline schema")
