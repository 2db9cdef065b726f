"""Error responses: the ones an operation can be expected to answer but does not document
(LINT-ADR-ERROR-RESPONSES), and the ones it documents but cannot produce
(LINT-UNREACHABLE-RESPONSE).

Expected: 404 from an operation on a path with a parameter (a read, update or delete of a
resource, or a list below a parent that may not exist); 400 from one that takes a request
body or query parameters (validation errors, invalid filters). A `default` response or a
`4XX` range covers them. A document that documents no error response at all gets one finding,
not one per operation.
"""

from __future__ import annotations

import re

from .findings import Finding, listed
from .loader import Loc, Workspace
from .walk import Operation, deref, is_error_status, operations, parameters

EXPECTED, UNREACHABLE = "LINT-ADR-ERROR-RESPONSES", "LINT-UNREACHABLE-RESPONSE"
_TEMPLATE = re.compile(r"\{([^{}]*)\}")
_CONDITIONAL = ("if-match", "if-unmodified-since")


def check(ws: Workspace, root: dict, loc: Loc) -> list[Finding]:
    ops = list(operations(ws, root, loc))
    codes = {id(op): _codes(op) for op in ops}
    if ops and not any(is_error_status(c) for op in ops for c in codes[id(op)]):
        return [Finding(EXPECTED, f"none of the {len(ops)} operations documents an error "
                        "response: clients cannot know the problem details they get, nor "
                        "when (404 for a resource that does not exist, 400 for invalid "
                        "input)", loc.child("paths"))]
    findings = []
    for op in ops:
        findings += _expected(ws, op, codes[id(op)])
    return findings + _unreachable(ws, ops, codes)


def _codes(op: Operation) -> set[str]:
    responses = op.node.get("responses")
    return {str(code).upper() for code in responses} if isinstance(responses, dict) else set()


def _covered(code: str, codes: set[str]) -> bool:
    return code in codes or f"{code[0]}XX" in codes or "DEFAULT" in codes


def _expected(ws: Workspace, op: Operation, codes: set[str]) -> list[Finding]:
    params = parameters(ws, op)
    wanted: dict[str, str] = {}
    names = _TEMPLATE.findall(op.path)
    if names:
        last_is_parameter = op.path.rstrip("/").endswith("}")
        wanted["404"] = (f"it addresses a resource by {listed(names)}" if last_is_parameter
                         else f"it works below a parent ({listed(names)}) that may not exist")
    body, _ = deref(ws, op.node.get("requestBody"), op.loc.child("requestBody"))
    queries = [name for where, name in params if where == "query"]
    if body:
        wanted["400"] = "it takes a request body"
    elif queries:
        wanted["400"] = f"it takes query parameters ({listed(queries)})"
    missing = {code: why for code, why in wanted.items() if not _covered(code, codes)}
    if not missing:
        return []
    said = "; ".join(f"{code}, as {why}" for code, why in missing.items())
    where = op.loc.child("responses") if "responses" in op.node else op.loc
    return [Finding(EXPECTED, f"{op.method.upper()} {op.path} ({op.name}) does not document "
                    f"{said}", where)]


def _unreachable(ws: Workspace, ops: list[Operation], codes: dict[int, set[str]]
                 ) -> list[Finding]:
    """One finding per status code, at its first declaration, naming every operation."""
    found: dict[str, list[tuple[Operation, Loc]]] = {"415": [], "412": []}
    for op in ops:
        by_code = {str(code).upper(): code for code in op.node.get("responses") or {}}
        body, _ = deref(ws, op.node.get("requestBody"), op.loc.child("requestBody"))
        headers = {name for where, name in parameters(ws, op) if where == "header"}
        conditional = headers & set(_CONDITIONAL) or (
            "if-none-match" in headers and op.method not in ("get", "head"))
        for code, possible in (("415", bool(body)), ("412", bool(conditional))):
            if code in codes[id(op)] and not possible:
                found[code].append((op, op.loc.child("responses", by_code[code])))
    return [Finding(UNREACHABLE, f"{_WHY[code]} ({_operations(places)})", places[0][1])
            for code, places in found.items() if places]


_WHY = {
    "415": "415 Unsupported Media Type is declared by operations that take no request body, so "
           "no media type can be refused",
    "412": "412 Precondition Failed is declared by operations that take no conditional header "
           "(If-Match, If-Unmodified-Since), so no precondition can fail",
}


def _operations(places: list[tuple[Operation, Loc]]) -> str:
    names = [op.name for op, _ in places]
    return ", ".join(names) if len(names) <= 4 else (
        f"{', '.join(names[:4])} and {len(names) - 4} more")
