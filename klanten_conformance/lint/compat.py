"""Compatibility of a document with the standard's document (LINT-COMPAT-*).

What is compared: operations (path + method; path parameter names do not matter), their
parameters, request bodies, responses (status, media types, headers) and security, and every
schema reached from them, following `$ref`, `allOf`, `oneOf`/`anyOf` and discriminator
mappings. Each difference is classified as breaking for clients or not, from whether it lets
the server accept less (breaks requests) or send more (breaks responses) than the standard.

Decisions:
- Specification extensions (`x-...`) do not change the HTTP interface and are not compared,
  with one exception: an operation's `x-scopes` lists scopes the operation requires, exactly
  as if they were in its security requirement (this project's way to keep ZGW scopes
  machine-readable without putting scopes on a bearer scheme, which OpenAPI 3.0 forbids).
- Header parameters Accept, Content-Type and Authorization are ignored, as OpenAPI ignores them.
- `nullable: true`, null in an enum and "null" in a 3.1 type list all mean "null allowed".
- A discriminator's implicit mapping (schema names) equals the same mapping made explicit.
- Differences in documented error responses (4xx/5xx/default: status codes, media types,
  headers) are warnings and not breaking; all other differences are errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .findings import ERROR, WARNING, Finding
from .hygiene import mapping_of
from .loader import Loc, Workspace
from .renames import renamed
from .walk import Operation, deref, is_error_status, operations, parameters, responses

MISSING, EXTRA, SCHEMA, SECURITY, RENAMED = (
    "LINT-COMPAT-MISSING", "LINT-COMPAT-EXTRA", "LINT-COMPAT-SCHEMA", "LINT-COMPAT-SECURITY",
    "LINT-COMPAT-RENAMED")
# kinds of change, from the point of view of the set of accepted values
WIDEN, NARROW, CHANGE, REMOVED, ADDED, ADDED_REQUIRED, HARMLESS = (
    "widen", "narrow", "change", "removed", "added", "added-required", "harmless")
REQUEST, RESPONSE = "request", "response"
_IGNORED_HEADERS = ("accept", "content-type", "authorization")
_UPPER = ("maxLength", "maxItems", "maxProperties", "maximum")
_LOWER = ("minLength", "minItems", "minProperties", "minimum")
_EXACT = ("exclusiveMaximum", "exclusiveMinimum", "multipleOf", "readOnly", "writeOnly")
_MERGED = ("type", "format", "enum", "nullable", "pattern", "items", "additionalProperties",
           "uniqueItems", *_UPPER, *_LOWER, *_EXACT)


def breaking(kind: str, contexts: set[str]) -> bool:
    if kind == WIDEN:
        return RESPONSE in contexts
    if kind in (NARROW, ADDED_REQUIRED):
        return REQUEST in contexts
    return kind in (CHANGE, REMOVED)


@dataclass
class _Diff:
    rule: str
    loc: Loc
    level: str
    parts: list[tuple[str, str]] = field(default_factory=list)
    contexts: set[str] = field(default_factory=set)

    @property
    def breaking(self) -> bool:
        return any(breaking(kind, self.contexts) for kind, _ in self.parts)

    def finding(self) -> Finding:
        text = "; ".join(dict.fromkeys(t for _, t in self.parts))
        where = " and ".join(sorted(self.contexts - {""}))
        suffix = f" [{self.verdict()}{'; in ' + where if where else ''}]"
        return Finding(self.rule, text + suffix, self.loc, level=self.level,
                       breaking=self.breaking)

    def verdict(self) -> str:
        if self.rule == EXTRA and self.level == ERROR:
            return "extension (forbidden by the standard), " + (
                "breaking for clients" if self.breaking else "not breaking for existing clients")
        if self.breaking:
            return "breaking for clients"
        if self.level == ERROR:
            return "differs from the standard, not breaking for existing clients"
        return "not breaking for clients"


@dataclass
class _Flat:
    """A schema with its allOf parts merged in."""

    kw: dict
    props: dict[str, tuple[Any, Loc]]
    props_loc: Loc
    required: set


class Comparer:
    def __init__(self, ws: Workspace, std: Loc, ours: Loc) -> None:
        self.ws, self.std, self.ours = ws, std, ours
        self.diffs: dict[tuple, _Diff] = {}
        self.seen: set[tuple] = set()
        self.flats: dict[int, _Flat] = {}
        self.missing: dict[int, Loc] = {}

    # -- recording ---------------------------------------------------------------------
    def add(self, rule: str, loc: Loc, kind: str, text: str, ctx: str, level: str = "") -> None:
        key = (rule, loc.source.uri, loc.pointer) + (() if rule == SCHEMA else (text,))
        diff = self.diffs.setdefault(key, _Diff(rule, loc, level or ERROR))
        diff.parts.append((kind, text))
        diff.contexts.add(ctx)

    def findings(self) -> list[Finding]:
        return [d.finding() for d in self.diffs.values()]

    # -- operations ----------------------------------------------------------------------
    def run(self) -> list[Finding]:
        std_ops = {_op_key(op): op for op in operations(self.ws, self.std.source.root, self.std)}
        our_ops = {_op_key(op): op for op in operations(self.ws, self.ours.source.root, self.ours)}
        paths_loc = self.ours.child("paths")
        for key, op in std_ops.items():
            if key not in our_ops:
                self.add(MISSING, paths_loc, REMOVED,
                         f"operation {op.method.upper()} {op.path} ({op.name}) of the "
                         "standard is missing", "")
        for key, op in our_ops.items():
            if key not in std_ops:
                self.add(EXTRA, op.loc, HARMLESS,
                         f"operation {op.method.upper()} {op.path} is not in the standard", "")
            else:
                self.operation(std_ops[key], op)
        return self.findings()

    def operation(self, sop: Operation, oop: Operation) -> None:
        self.parameters(sop, oop)
        self.request_body(sop, oop)
        self.responses(sop, oop)
        self.security(sop, oop)

    def parameters(self, sop: Operation, oop: Operation) -> None:
        sp = _comparable(parameters(self.ws, sop), sop.path)
        op = _comparable(parameters(self.ws, oop), oop.path)
        pairs = dict(renamed(list(map(str, sp)), list(map(str, op)),
                             lambda k: self._param_signature(sp, k),
                             lambda k: self._param_signature(op, k)))
        std_keys, our_keys = {str(k): k for k in sp}, {str(k): k for k in op}
        for old_key, new_key in pairs.items():
            (sparam, sloc), (param, ploc) = sp[std_keys[old_key]], op[our_keys[new_key]]
            self.add(RENAMED, ploc, REMOVED,
                     f"{param.get('in')} parameter `{sparam.get('name')}` of the standard is "
                     f"missing and `{param.get('name')}` is not in the standard: renamed? "
                     "(same place, same type)", REQUEST)
            self.parameter(sparam, sloc, param, ploc)
        paired_new = {our_keys[k] for k in pairs.values()}
        for (where, name), (param, _) in sp.items():
            if (where, name) not in op and str((where, name)) not in pairs:
                name = param.get("name", name)
                where_loc = oop.loc.child("parameters") if "parameters" in oop.node else oop.loc
                self.add(MISSING, where_loc, REMOVED,
                         f"{where} parameter `{name}` of the standard is missing", REQUEST)
        for (where, name), (param, ploc) in op.items():
            if (where, name) in paired_new:
                continue
            if (where, name) not in sp:
                kind = ADDED_REQUIRED if param.get("required") else ADDED
                self.add(EXTRA, ploc, kind,
                         f"{where} parameter `{param.get('name', name)}` is not in the "
                         "standard", REQUEST)
                continue
            sparam, sloc = sp[(where, name)]
            self.parameter(sparam, sloc, param, ploc)

    def parameter(self, sparam: dict, sloc: Loc, param: dict, ploc: Loc) -> None:
        if bool(sparam.get("required")) != bool(param.get("required")):
            now = bool(param.get("required"))
            self.add(SCHEMA, ploc, NARROW if now else WIDEN,
                     "now required" if now else "no longer required", REQUEST)
        if _style(sparam) != _style(param):
            self.add(SCHEMA, ploc, CHANGE,
                     f"serialisation {_style(sparam)} → {_style(param)}", REQUEST)
        if "schema" in sparam and "schema" in param:
            self.schema(sparam["schema"], sloc.child("schema"), param["schema"],
                        ploc.child("schema"), REQUEST)

    def _param_signature(self, params: dict, key: str) -> tuple:
        param, ploc = next(v for k, v in params.items() if str(k) == key)
        return (param.get("in"), self.signature(param.get("schema"), ploc.child("schema")))

    def request_body(self, sop: Operation, oop: Operation) -> None:
        sb, sloc = deref(self.ws, sop.node.get("requestBody"), sop.loc.child("requestBody"))
        ob, oloc = deref(self.ws, oop.node.get("requestBody"), oop.loc.child("requestBody"))
        if not sb and not ob:
            return
        if not ob:
            self.add(MISSING, oop.loc, REMOVED, "the request body of the standard is missing",
                     REQUEST)
            return
        if not sb:
            self.add(EXTRA, oloc, ADDED_REQUIRED if ob.get("required") else ADDED,
                     "request body is not in the standard", REQUEST)
            return
        if bool(sb.get("required")) != bool(ob.get("required")):
            now = bool(ob.get("required"))
            self.add(SCHEMA, oloc, NARROW if now else WIDEN,
                     "request body now required" if now else "request body no longer required",
                     REQUEST)
        self.content(sb, sloc, ob, oloc, REQUEST, ERROR)

    def content(self, sa: dict, aloc: Loc, sb: dict, bloc: Loc, ctx: str, level: str) -> None:
        ca = sa.get("content") if isinstance(sa.get("content"), dict) else {}
        cb = sb.get("content") if isinstance(sb.get("content"), dict) else {}
        for media in ca:
            if media not in cb:
                self.add(MISSING, bloc, REMOVED if level == ERROR else HARMLESS,
                         f"media type {media} of the standard is missing", ctx, level)
        for media, mt in cb.items():
            if media not in ca:
                self.add(EXTRA, bloc.child("content", media), HARMLESS,
                         f"media type {media} is not in the standard", ctx, level)
            elif isinstance(mt, dict) and isinstance(ca[media], dict) and (
                    "schema" in mt and "schema" in ca[media]):
                self.schema(ca[media]["schema"], aloc.child("content", media, "schema"),
                            mt["schema"], bloc.child("content", media, "schema"), ctx)

    def responses(self, sop: Operation, oop: Operation) -> None:
        sr = {code: (r, loc) for code, r, loc in responses(self.ws, sop)}
        orr = {code: (r, loc) for code, r, loc in responses(self.ws, oop)}
        for code in sr:
            if code not in orr:
                err = is_error_status(code)
                self.add(MISSING, oop.loc.child("responses"), HARMLESS if err else REMOVED,
                         f"response {code} of the standard is missing", RESPONSE,
                         WARNING if err else ERROR)
        for code, (resp, rloc) in orr.items():
            err = is_error_status(code)
            level = WARNING if err else ERROR
            if code not in sr:
                self.add(EXTRA, oop.loc.child("responses", code), HARMLESS if err else CHANGE,
                         f"response {code} is not in the standard", RESPONSE, level)
                continue
            sresp, sloc = sr[code]
            self.content(sresp, sloc, resp, rloc, RESPONSE, ERROR if not err else WARNING)
            self.headers(sresp, sloc, resp, rloc, level)

    def headers(self, sa: dict, aloc: Loc, sb: dict, bloc: Loc, level: str) -> None:
        ha = _headers(self.ws, sa, aloc)
        hb = _headers(self.ws, sb, bloc)
        for name, (_, _, shown) in ha.items():
            if name not in hb:
                self.add(MISSING, bloc, REMOVED if level == ERROR else HARMLESS,
                         f"response header {shown} of the standard is missing", RESPONSE, level)
        for name, (header, hloc, shown) in hb.items():
            if name not in ha:
                self.add(EXTRA, hloc, HARMLESS, f"response header {shown} is not in the "
                         "standard", RESPONSE, level)
            elif isinstance(header, dict) and "schema" in header and "schema" in ha[name][0]:
                self.schema(ha[name][0]["schema"], ha[name][1].child("schema"),
                            header["schema"], hloc.child("schema"), RESPONSE)

    def security(self, sop: Operation, oop: Operation) -> None:
        schemes_a, scopes_a = _security(self.ws, self.std, sop)
        schemes_b, scopes_b = _security(self.ws, self.ours, oop)
        loc = oop.loc.child("security") if "security" in oop.node else oop.loc
        if schemes_a != schemes_b:
            self.add(SECURITY, loc, CHANGE, f"security schemes {_names(schemes_a)} → "
                     f"{_names(schemes_b)}", REQUEST)
        for scope in sorted(scopes_b - scopes_a):
            self.add(SECURITY, loc, CHANGE, f"scope `{scope}` required, not in the standard",
                     REQUEST)
        for scope in sorted(scopes_a - scopes_b):
            self.add(SECURITY, loc, HARMLESS,
                     f"scope `{scope}` of the standard is not required", REQUEST)

    # -- schemas -------------------------------------------------------------------------
    def flat(self, schema: dict, loc: Loc, busy: set[int] | None = None) -> _Flat:
        if id(schema) in self.flats:
            return self.flats[id(schema)]
        busy = busy if busy is not None else set()
        busy.add(id(schema))
        props_loc = loc.child("properties") if isinstance(schema.get("properties"), dict) else loc
        result = _Flat({k: schema[k] for k in _MERGED if k in schema}, {}, props_loc,
                       set(schema.get("required") or []) if isinstance(
                           schema.get("required"), list) else set())
        for name, sub in (schema.get("properties") or {}).items():
            result.props[str(name)] = (sub, loc.child("properties", name))
        parts = schema.get("allOf") if isinstance(schema.get("allOf"), list) else []
        for i, part in enumerate(parts):
            part, ploc = deref(self.ws, part, loc.child("allOf", i))
            if not isinstance(part, dict) or id(part) in busy:
                continue
            sub = self.flat(part, ploc, busy)
            for key, value in sub.kw.items():
                result.kw.setdefault(key, value)
            for name, prop in sub.props.items():
                result.props.setdefault(name, prop)
            result.required |= sub.required
        self.flats[id(schema)] = result
        return result

    def schema(self, a: Any, aloc: Loc, b: Any, bloc: Loc, ctx: str) -> None:
        a, aloc = deref(self.ws, a, aloc)
        b, bloc = deref(self.ws, b, bloc)
        if not isinstance(a, dict) or not isinstance(b, dict):
            return
        key = (id(a), id(b), ctx)
        if key in self.seen:
            return
        self.seen.add(key)
        fa, fb = self.flat(a, aloc), self.flat(b, bloc)
        for kind, text in _keyword_changes(fa.kw, fb.kw):
            self.add(SCHEMA, bloc, kind, text, ctx)
        self.properties(fa, fb, bloc, ctx)
        for name in sorted((fb.required - fa.required) & fa.props.keys() & fb.props.keys()):
            self.add(SCHEMA, bloc, NARROW, f"`{name}` now required", ctx)
        for name in sorted((fa.required - fb.required) & fa.props.keys() & fb.props.keys()):
            self.add(SCHEMA, bloc, WIDEN, f"`{name}` no longer required", ctx)
        for key in ("items", "additionalProperties"):
            if isinstance(fa.kw.get(key), dict) and isinstance(fb.kw.get(key), dict):
                self.schema(fa.kw[key], aloc.child(key), fb.kw[key], bloc.child(key), ctx)
        self.alternatives(a, aloc, b, bloc, ctx)
        self.discriminator(a, aloc, b, bloc, ctx)

    def properties(self, fa: _Flat, fb: _Flat, bloc: Loc, ctx: str) -> None:
        pairs = dict(renamed(list(fa.props), list(fb.props),
                             lambda n: self.signature(*fa.props[n]),
                             lambda n: self.signature(*fb.props[n])))
        for name, (prop, _) in fa.props.items():
            if name not in fb.props and name not in pairs:
                # once, where first seen, not again for each allOf child
                where = self.missing.setdefault(id(prop), fb.props_loc)
                self.add(MISSING, where, REMOVED,
                         f"property `{name}` of the standard is missing", ctx)
        for old_name, new_name in pairs.items():
            sub, sloc = fb.props[new_name]
            self.add(RENAMED, sloc, REMOVED,
                     f"property `{old_name}` of the standard is missing and `{new_name}` is "
                     "not in the standard: renamed? (same place, same type)", ctx)
            self.schema(fa.props[old_name][0], fa.props[old_name][1], sub, sloc, ctx)
        renamed_to = set(pairs.values())
        for name, (sub, sloc) in fb.props.items():
            if name in renamed_to:
                continue
            if name not in fa.props:
                kind = ADDED_REQUIRED if name in fb.required else ADDED
                self.add(EXTRA, sloc, kind, f"property `{name}` is not in the standard", ctx)
            else:
                self.schema(fa.props[name][0], fa.props[name][1], sub, sloc, ctx)

    def signature(self, schema: Any, loc: Loc, depth: int = 0) -> tuple:
        """The shape of a schema, for telling renames apart: its types, format and whether
        it has an enum; an object by its property names, an array by its items."""
        schema, loc = deref(self.ws, schema, loc)
        if not isinstance(schema, dict) or depth > 3:
            return ("?",)
        flat = self.flat(schema, loc)
        types = _types(flat.kw) or set()
        if "object" in types or flat.props:
            return ("object", frozenset(flat.props))
        if types == {"array"}:
            return ("array", self.signature(flat.kw.get("items"), loc.child("items"), depth + 1))
        return (frozenset(types), flat.kw.get("format"), "enum" in flat.kw)

    def alternatives(self, a: dict, aloc: Loc, b: dict, bloc: Loc, ctx: str) -> None:
        for key in ("oneOf", "anyOf"):
            la = a.get(key) if isinstance(a.get(key), list) else []
            lb = b.get(key) if isinstance(b.get(key), list) else []
            if not la and not lb:
                continue
            na, nb = _alt_names(la), _alt_names(lb)
            for name in na:
                if name not in nb:
                    self.add(MISSING, bloc, REMOVED,
                             f"{key} alternative {name} of the standard is missing", ctx)
            for name, i in nb.items():
                if name not in na:
                    self.add(EXTRA, bloc.child(key, i), WIDEN,
                             f"{key} alternative {name} is not in the standard", ctx)
                else:
                    self.schema(la[na[name]], aloc.child(key, na[name]), lb[i],
                                bloc.child(key, i), ctx)

    def discriminator(self, a: dict, aloc: Loc, b: dict, bloc: Loc, ctx: str) -> None:
        da, db = a.get("discriminator"), b.get("discriminator")
        if not isinstance(da, dict) and not isinstance(db, dict):
            return
        pa = da.get("propertyName") if isinstance(da, dict) else None
        pb = db.get("propertyName") if isinstance(db, dict) else None
        if pa != pb:
            self.add(SCHEMA, bloc, CHANGE, f"discriminator {pa!r} → {pb!r}", ctx)
            return
        ma, _ = mapping_of(self.ws, self.std.source.root, self.std, a, aloc)
        mb, _ = mapping_of(self.ws, self.ours.source.root, self.ours, b, bloc)
        dloc = bloc.child("discriminator")
        for value in ma:
            if value not in mb:
                self.add(MISSING, dloc, REMOVED,
                         f"discriminator value `{value}` of the standard is missing", ctx)
        for value, target in mb.items():
            if value not in ma:
                self.add(EXTRA, dloc, WIDEN,
                         f"discriminator value `{value}` is not in the standard", ctx)
            elif target and ma[value]:
                self.schema(ma[value][0], ma[value][1], target[0], target[1], ctx)


def _op_key(op: Operation) -> tuple[str, str]:
    return re.sub(r"\{[^}]*\}", "{}", op.path.rstrip("/") or "/"), op.method


def _comparable(params: dict, path: str) -> dict:
    """Parameters minus those OpenAPI ignores; path parameters keyed by their position in the
    path template, since their names are not visible to clients."""
    positions = {name: f"#{i}" for i, name in enumerate(re.findall(r"\{([^}]*)\}", path))}
    found = {}
    for (where, name), value in params.items():
        if where == "header" and name in _IGNORED_HEADERS:
            continue
        found[(where, positions.get(name, name) if where == "path" else name)] = value
    return found


def _style(param: dict) -> str:
    default = "simple" if param.get("in") in ("path", "header") else "form"
    style = param.get("style", default)
    explode = param.get("explode", style == "form")
    return f"{style}{'/explode' if explode else ''}"


def _headers(ws: Workspace, resp: dict, loc: Loc) -> dict[str, tuple[Any, Loc, str]]:
    headers = resp.get("headers") if isinstance(resp.get("headers"), dict) else {}
    found = {}
    for name, header in headers.items():
        header, hloc = deref(ws, header, loc.child("headers", name))
        found[str(name).lower()] = (header, hloc, str(name))
    return found


def _security(ws: Workspace, root_loc: Loc, op: Operation) -> tuple[set, set]:
    root = root_loc.source.root
    reqs = op.node.get("security", root.get("security"))
    comps = root.get("components") if isinstance(root.get("components"), dict) else {}
    schemes = comps.get("securitySchemes") if isinstance(comps.get("securitySchemes"), dict) else {}
    kinds, scopes = set(), set()
    for req in reqs if isinstance(reqs, list) else []:
        for name, listed in (req.items() if isinstance(req, dict) else ()):
            scheme, _ = deref(ws, schemes.get(name, {}), root_loc)
            scheme = scheme if isinstance(scheme, dict) else {}
            kinds.add(" ".join(str(scheme.get(k, "")).lower() for k in
                               ("type", "scheme", "in", "name") if scheme.get(k)) or str(name))
            scopes |= {str(s) for s in listed or []}
    extra = op.node.get("x-scopes")
    scopes |= {str(s) for s in extra} if isinstance(extra, list) else set()
    return kinds, scopes


def _names(kinds: set) -> str:
    return "{" + ", ".join(sorted(kinds)) + "}" if kinds else "none"


def _alt_names(alts: list) -> dict[str, int]:
    names = {}
    for i, alt in enumerate(alts):
        ref = alt.get("$ref") if isinstance(alt, dict) else None
        names[ref.rsplit("/", 1)[-1] if isinstance(ref, str) else f"#{i}"] = i
    return names


def _types(kw: dict) -> set[str] | None:
    value = kw.get("type")
    types = {value} if isinstance(value, str) else set(value) if isinstance(value, list) else None
    if types is None:
        return None
    types.discard("null")
    if "number" in types:
        types.add("integer")
    return types


def _nullable(kw: dict) -> bool:
    enum = kw.get("enum")
    value = kw.get("type")
    return (kw.get("nullable") is True or (isinstance(enum, list) and None in enum)
            or (isinstance(value, list) and "null" in value))


def _enum(kw: dict) -> set | None:
    enum = kw.get("enum")
    if not isinstance(enum, list):
        return None
    return {repr(v) if isinstance(v, dict | list) else v for v in enum if v is not None}


def _shown(values: set) -> str:
    return ", ".join(f"`{v}`" for v in sorted(values, key=str))


def _keyword_changes(a: dict, b: dict) -> list[tuple[str, str]]:
    changes = []
    ta, tb = _types(a), _types(b)
    if ta != tb:
        show = lambda t: "/".join(sorted(t - {"integer"} if "number" in t else t))  # noqa: E731
        if ta and tb:
            kind = WIDEN if ta < tb else NARROW if tb < ta else CHANGE
            changes.append((kind, f"type {show(ta)} → {show(tb)}"))
        elif ta:
            changes.append((WIDEN, f"type {show(ta)} no longer declared"))
        else:
            changes.append((NARROW, f"type {show(tb)} added"))
    na, nb = _nullable(a), _nullable(b)
    if na != nb:
        changes.append((WIDEN, "now nullable") if nb else (NARROW, "no longer nullable"))
    changes += _optional_change(a, b, "format", CHANGE)
    changes += _optional_change(a, b, "pattern", CHANGE)
    ea, eb = _enum(a), _enum(b)
    if ea != eb:
        if ea is None:
            changes.append((NARROW, f"enum {_shown(eb)} added"))
        elif eb is None:
            changes.append((WIDEN, "enum removed"))
        else:
            if ea - eb:
                changes.append((NARROW, f"enum values {_shown(ea - eb)} removed"))
            if eb - ea:
                changes.append((WIDEN, f"enum values {_shown(eb - ea)} added"))
    for key in (*_UPPER, *_LOWER):
        va, vb = a.get(key), b.get(key)
        if va == vb:
            continue
        upper = key in _UPPER
        if vb is None:
            changes.append((WIDEN, f"{key} {va} removed"))
        elif va is None:
            changes.append((NARROW, f"{key} {vb} added"))
        elif isinstance(va, int | float) and isinstance(vb, int | float):
            wider = vb > va if upper else vb < va
            changes.append((WIDEN if wider else NARROW, f"{key} {va} → {vb}"))
    for key in _EXACT:
        va, vb = a.get(key), b.get(key)
        if key in ("readOnly", "writeOnly"):
            va, vb = bool(va), bool(vb)
        if va != vb:
            changes.append((CHANGE, f"{key} {va} → {vb}"))
    if bool(a.get("uniqueItems")) != bool(b.get("uniqueItems")):
        changes.append((NARROW, "uniqueItems added") if b.get("uniqueItems") else (
            WIDEN, "uniqueItems removed"))
    aa, ab = a.get("additionalProperties", True), b.get("additionalProperties", True)
    if (aa is False) != (ab is False):
        changes.append((WIDEN, "additional properties now allowed") if aa is False else (
            NARROW, "additional properties no longer allowed"))
    ia, ib = a.get("items"), b.get("items")
    if (ia is None) != (ib is None):
        changes.append((WIDEN, "items schema removed") if ib is None else (
            NARROW, "items schema added"))
    return changes


def _optional_change(a: dict, b: dict, key: str, both: str) -> list[tuple[str, str]]:
    va, vb = a.get(key), b.get(key)
    if va == vb:
        return []
    if va is None:
        return [(NARROW, f"{key} `{vb}` added")]
    if vb is None:
        return [(WIDEN, f"{key} `{va}` removed")]
    return [(both, f"{key} `{va}` → `{vb}`")]
