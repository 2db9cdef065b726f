"""LINT-VALID: the document is valid OpenAPI 3.0/3.1."""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from .findings import Finding
from .loader import Loc, RefError, Workspace, join
from .walk import METHODS, deref, iter_refs

_TEMPLATE = re.compile(r"\{([^{}]*)\}")


def version_of(root: Any) -> str:
    value = root.get("openapi") if isinstance(root, dict) else None
    return str(value) if value is not None else ""


def check(ws: Workspace, loc: Loc) -> list[Finding]:
    root = loc.source.root
    if not isinstance(root, dict):
        return [Finding("LINT-VALID", "the document is not a mapping", loc)]
    version = version_of(root)
    if not version:
        what = "Swagger 2.0 is not supported" if "swagger" in root else "no `openapi` field"
        return [Finding("LINT-VALID", f"not an OpenAPI 3.x document: {what}", loc)]
    if not re.match(r"3\.[01]\.\d+$", version):
        return [Finding("LINT-VALID", f"unsupported OpenAPI version {version!r} "
                        "(3.0.x and 3.1.x are supported)", loc.child("openapi"))]
    findings = _duplicates(loc) + _refs(ws, loc)
    findings += _structure(root, loc, version)
    if not findings:
        findings += _semantics(ws, root, loc)
    return findings


def _duplicates(loc: Loc) -> list[Finding]:
    source = loc.source
    if not source.duplicates:
        return []
    pointers = _pointers_by_id(source.root)
    return [
        Finding("LINT-VALID", f"duplicate key {key!r} (the later value silently wins)",
                Loc(source, join(pointers.get(owner, ""), key)))
        for owner, key, _ in source.duplicates
    ]


def _pointers_by_id(root: Any) -> dict[int, str]:
    found: dict[int, str] = {}
    stack = [(root, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, dict | list):
            found[id(node)] = pointer
            pairs = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend((v, join(pointer, k)) for k, v in pairs)
    return found


def _refs(ws: Workspace, loc: Loc) -> list[Finding]:
    findings = []
    done: set[str] = set()
    pending = [loc]
    while pending:
        current = pending.pop()
        if current.source.uri in done:
            continue
        done.add(current.source.uri)
        for ref, ref_loc in iter_refs(current.source.root, current):
            try:
                _, target = ws.target(ref, ref_loc)
            except RefError as exc:
                findings.append(Finding("LINT-VALID", f"unresolvable $ref: {exc}",
                                        ref_loc.child("$ref")))
                continue
            if target.source.uri not in done:
                pending.append(Loc(target.source, ""))
    return findings


def _meta_schema(version: str) -> dict:
    """The OpenAPI schema that openapi-spec-validator ships, read without importing that
    package (importing it takes over a second)."""
    spec = importlib.util.find_spec("openapi_spec_validator")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("openapi-spec-validator is not installed")
    folder = "v3.0" if version.startswith("3.0") else "v3.1"
    base = Path(next(iter(spec.submodule_search_locations)))
    path = base / "resources" / "schemas" / folder / "schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _fast_validator(version: str) -> Any:
    """A compiled validator (jsonschema-rs) that only answers "valid or not", in a fraction
    of a millisecond; None when jsonschema-rs is not installed."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    cls = jsonschema_rs.Draft4Validator if version.startswith("3.0") else (
        jsonschema_rs.Draft202012Validator)
    return cls(_meta_schema(version), validate_formats=False, offline=True)


@cache
def _meta_validator(version: str) -> Any:
    from jsonschema import Draft4Validator, Draft202012Validator

    cls = Draft4Validator if version.startswith("3.0") else Draft202012Validator
    return cls(_meta_schema(version))


def _structure(root: dict, loc: Loc, version: str) -> list[Finding]:
    fast = _fast_validator(version)
    if fast is not None and fast.is_valid(root):
        return []
    findings = []  # invalid: the full validator says where and why
    for error in _meta_validator(version).iter_errors(root):
        error = _explain(error)
        findings.append(Finding("LINT-VALID", _short(error),
                                loc.child(*error.absolute_path)))
    return findings


def _explain(error: Any) -> Any:
    """Descend into oneOf/anyOf failures, preferring the branch that is not a Reference."""
    from jsonschema.exceptions import best_match

    while error.context:
        branches: dict[Any, list[Any]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        real = [errs for errs in branches.values()
                if not any(e.validator == "required" and "'$ref'" in e.message for e in errs)]
        pool = real[0] if len(real) == 1 else list(error.context)
        deeper = best_match(pool)
        if deeper is None or deeper is error:
            break
        error = deeper
    return error


def _short(error: Any) -> str:
    message = error.message
    if len(message) > 200:
        message = message[:197] + "..."
    return message


def _semantics(ws: Workspace, root: dict, loc: Loc) -> list[Finding]:
    """What the OpenAPI schema cannot express: every path template parameter is declared as
    a path parameter and every path parameter is in the template, no parameter is declared
    twice in one list, no tag twice."""
    findings = []
    paths = root.get("paths") if isinstance(root.get("paths"), dict) else {}
    for path, item in paths.items():
        item, iloc = deref(ws, item, loc.child("paths", path))
        if not isinstance(item, dict):
            continue
        in_template = set(_TEMPLATE.findall(str(path)))
        shared = _parameter_list(ws, item, iloc, findings)
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            oloc = iloc.child(method)
            declared = shared | _parameter_list(ws, op, oloc, findings)
            for name in sorted(in_template - declared):
                findings.append(Finding("LINT-VALID", f"path parameter `{name}` of {path} is "
                                        f"not declared for {method}", oloc))
            for name in sorted(declared - in_template):
                findings.append(Finding("LINT-VALID", f"path parameter `{name}` is declared "
                                        f"for {method} but not in the path {path}", oloc))
    seen: set[str] = set()
    for i, tag in enumerate(root.get("tags") if isinstance(root.get("tags"), list) else []):
        name = tag.get("name") if isinstance(tag, dict) else None
        if isinstance(name, str) and name in seen:
            findings.append(Finding("LINT-VALID", f"duplicate tag name {name!r}",
                                    loc.child("tags", i, "name")))
        seen.add(str(name))
    return findings


def _parameter_list(ws: Workspace, holder: dict, loc: Loc, findings: list[Finding]) -> set[str]:
    """Names of the path parameters of one `parameters` list; duplicates are reported."""
    params = holder.get("parameters") if isinstance(holder.get("parameters"), list) else []
    seen: set[tuple[str, str]] = set()
    path_names = set()
    for i, param in enumerate(params):
        param, ploc = deref(ws, param, loc.child("parameters", i))
        if not isinstance(param, dict):
            continue
        key = (str(param.get("name")), str(param.get("in")))
        if key in seen:
            findings.append(Finding("LINT-VALID", f"parameter `{key[0]}` ({key[1]}) is "
                                    "declared twice", ploc))
        seen.add(key)
        if key[1] == "path":
            path_names.add(key[0])
    return path_names
