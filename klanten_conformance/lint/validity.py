"""LINT-VALID: the document is valid OpenAPI 3.0/3.1."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match

from .findings import ERROR, Finding
from .loader import Loc, RefError, Workspace, is_url, join
from .walk import iter_refs

_SEMANTIC_WHERE = re.compile(r"for '(\w+)'(?: operation)? in '([^']+)'")


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
        findings += _semantics(root, loc, version)
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


@cache
def _meta_validator(version: str) -> Any:
    folder = "v3.0" if version.startswith("3.0") else "v3.1"
    base = resources.files("openapi_spec_validator") / "resources" / "schemas" / folder
    schema = json.loads((base / "schema.json").read_text(encoding="utf-8"))
    if folder == "v3.0":
        return Draft4Validator(schema)
    return Draft202012Validator(schema)


def _structure(root: dict, loc: Loc, version: str) -> list[Finding]:
    findings = []
    for error in _meta_validator(version).iter_errors(root):
        error = _explain(error)
        findings.append(Finding("LINT-VALID", _short(error),
                                loc.child(*error.absolute_path)))
    return findings


def _explain(error: ValidationError) -> ValidationError:
    """Descend into oneOf/anyOf failures, preferring the branch that is not a Reference."""
    while error.context:
        branches: dict[Any, list[ValidationError]] = {}
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


def _short(error: ValidationError) -> str:
    message = error.message
    if len(message) > 200:
        message = message[:197] + "..."
    return message


def _semantics(root: dict, loc: Loc, version: str) -> list[Finding]:
    """Checks beyond the schema (path parameters declared, ...) by openapi-spec-validator."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    from openapi_spec_validator.validation.exceptions import (
        ParameterDuplicateError,
        UnresolvableParameterError,
    )

    semantic = (ParameterDuplicateError, UnresolvableParameterError)
    cls = OpenAPIV30SpecValidator if version.startswith("3.0") else OpenAPIV31SpecValidator
    uri = loc.source.uri
    base_uri = uri if is_url(uri) else Path(uri).as_uri()
    findings = []
    try:
        for error in cls(root, base_uri=base_uri).iter_errors():
            # structural errors come from _structure (precise locations); duplicate
            # operationIds from LINT-ADR-OPERATION-ID; undefined required properties from
            # LINT-REQUIRED-UNDEFINED
            if not (isinstance(error, semantic) or str(error).startswith("Duplicate tag")):
                continue
            findings.append(Finding("LINT-VALID", _short(error), _semantic_loc(error, loc)))
    except Exception as exc:  # noqa: BLE001 - the validator gives up on broken documents
        findings.append(Finding("LINT-VALID", f"validator could not finish: {exc}", loc,
                                level=ERROR))
    return findings


def _semantic_loc(error: Exception, loc: Loc) -> Loc:
    match = _SEMANTIC_WHERE.search(str(error))
    if match:
        return loc.child("paths", match.group(2), match.group(1))
    return loc
