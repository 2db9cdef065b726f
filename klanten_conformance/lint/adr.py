"""The NL API Design Rules (ADR) that can be checked from the document alone."""

from __future__ import annotations

import re
from collections import defaultdict

from .findings import ERROR, Finding
from .loader import Loc, Workspace
from .walk import deref, is_error_status, operations, responses

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                     r"(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_MAJOR_IN_URL = re.compile(r"/v(\d+)(?=/|$)")
_FULL_IN_URL = re.compile(r"/v\d+\.\d+")
_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def check(ws: Workspace, root: dict, loc: Loc) -> list[Finding]:
    ops = list(operations(ws, root, loc))
    return (
        _version_in_url(root, loc) + _trailing_slash(root, loc) + _semver(root, loc)
        + _kebab(root, loc) + _version_header(ws, ops) + _problem_json(ws, ops)
        + _security(ws, root, loc, ops) + _operation_ids(ops)
    )


def _info_version(root: dict) -> str:
    info = root.get("info")
    return str(info.get("version", "")) if isinstance(info, dict) else ""


def _server_urls(root: dict, loc: Loc) -> list[tuple[str, Loc]]:
    servers = root.get("servers")
    found = []
    for i, server in enumerate(servers if isinstance(servers, list) else []):
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        url = server["url"]
        variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}
        for name, var in variables.items():
            if isinstance(var, dict) and "default" in var:
                url = url.replace("{" + str(name) + "}", str(var["default"]))
        found.append((url, loc.child("servers", i, "url")))
    return found


def _version_in_url(root: dict, loc: Loc) -> list[Finding]:
    urls = _server_urls(root, loc)
    if not urls:
        return [Finding("LINT-ADR-VERSION-IN-URL",
                        "no `servers` declared, so no URL carries the major version", loc)]
    major = _info_version(root).split(".")[0]
    findings = []
    for url, uloc in urls:
        match = _MAJOR_IN_URL.search(url)
        if _FULL_IN_URL.search(url):
            message = f"server URL {url!r} should carry only the major version (`/v{major}`)"
        elif not match:
            message = f"server URL {url!r} carries no major version (`/v{major or 'N'}`)"
        elif major.isdigit() and match.group(1) != major:
            message = (f"server URL {url!r} says v{match.group(1)} but info.version is "
                       f"{_info_version(root)!r}")
        else:
            continue
        findings.append(Finding("LINT-ADR-VERSION-IN-URL", message, uloc))
    return findings


def _trailing_slash(root: dict, loc: Loc) -> list[Finding]:
    findings = [
        Finding("LINT-ADR-NO-TRAILING-SLASH", f"server URL {url!r} ends in a slash", uloc)
        for url, uloc in _server_urls(root, loc) if len(url) > 1 and url.endswith("/")
    ]
    paths = root.get("paths") if isinstance(root.get("paths"), dict) else {}
    findings += [
        Finding("LINT-ADR-NO-TRAILING-SLASH", f"path {path!r} ends in a slash",
                loc.child("paths", path))
        for path in paths if len(str(path)) > 1 and str(path).endswith("/")
    ]
    return findings


def _semver(root: dict, loc: Loc) -> list[Finding]:
    version = _info_version(root)
    if _SEMVER.match(version):
        return []
    return [Finding("LINT-ADR-SEMVER",
                    f"info.version {version!r} is not a semantic version MAJOR.MINOR.PATCH",
                    loc.child("info", "version"))]


def _kebab(root: dict, loc: Loc) -> list[Finding]:
    paths = root.get("paths") if isinstance(root.get("paths"), dict) else {}
    findings = []
    for path in paths:
        bad = [seg for seg in str(path).strip("/").split("/")
               if seg and not seg.startswith("{") and not _KEBAB.match(seg)]
        if bad:
            findings.append(Finding(
                "LINT-ADR-KEBAB-CASE",
                f"path segment{'s' if len(bad) > 1 else ''} "
                f"{', '.join(repr(b) for b in bad)} not in lower kebab-case",
                loc.child("paths", path)))
    return findings


def _version_header(ws: Workspace, ops: list) -> list[Finding]:
    findings, seen = [], set()
    for op in ops:
        for code, resp, rloc in responses(ws, op):
            if id(resp) in seen:
                continue
            seen.add(id(resp))
            headers = resp.get("headers") if isinstance(resp.get("headers"), dict) else {}
            if "api-version" not in {str(h).lower() for h in headers}:
                findings.append(Finding("LINT-ADR-API-VERSION-HEADER",
                                        f"response {code} does not declare the `API-Version` "
                                        "header", rloc))
    return findings


def _problem_json(ws: Workspace, ops: list) -> list[Finding]:
    findings, seen = [], set()
    for op in ops:
        for code, resp, rloc in responses(ws, op):
            if not is_error_status(code) or id(resp) in seen or op.method == "head":
                continue
            seen.add(id(resp))
            content = resp.get("content") if isinstance(resp.get("content"), dict) else {}
            if "application/problem+json" not in content:
                what = (f"declares {', '.join(map(str, content))}" if content
                        else "declares no body")
                findings.append(Finding(
                    "LINT-ADR-PROBLEM-JSON",
                    f"error response {code} {what}, not application/problem+json", rloc))
    return findings


def _security(ws: Workspace, root: dict, loc: Loc, ops: list) -> list[Finding]:
    comps = root.get("components") if isinstance(root.get("components"), dict) else {}
    schemes = comps.get("securitySchemes") if isinstance(comps.get("securitySchemes"), dict) else {}
    findings = []
    holders = [(root, loc, None)] + [(op.node, op.loc, op) for op in ops]
    for holder, hloc, op in holders:
        reqs = holder.get("security")
        if isinstance(reqs, list):
            for i, req in enumerate(reqs):
                if req == {}:
                    findings.append(Finding("LINT-ADR-SECURITY",
                                            "an empty security requirement allows anonymous "
                                            "access", hloc.child("security", i)))
                for name in req if isinstance(req, dict) else ():
                    if name not in schemes:
                        findings.append(Finding(
                            "LINT-ADR-SECURITY", f"security scheme `{name}` is not declared in "
                            "components.securitySchemes", hloc.child("security", i, name),
                            level=ERROR))
        if op is not None:
            effective = reqs if isinstance(reqs, list) else root.get("security")
            if not effective:
                findings.append(Finding("LINT-ADR-SECURITY",
                                        f"operation {op.name} declares no security", op.loc))
    for name, scheme in schemes.items():
        scheme, sloc = deref(ws, scheme, loc.child("components", "securitySchemes", name))
        if isinstance(scheme, dict) and scheme.get("type") == "http" and str(
                scheme.get("scheme", "")).lower() == "basic":
            findings.append(Finding("LINT-ADR-SECURITY",
                                    f"security scheme `{name}` uses HTTP basic authentication",
                                    sloc))
    return findings


def _operation_ids(ops: list) -> list[Finding]:
    findings = []
    by_id: dict[str, list] = defaultdict(list)
    for op in ops:
        op_id = op.node.get("operationId")
        if not isinstance(op_id, str) or not op_id:
            findings.append(Finding("LINT-ADR-OPERATION-ID",
                                    f"{op.method.upper()} {op.path} has no operationId", op.loc))
        else:
            by_id[op_id.lower()].append(op)
    for same in by_id.values():
        for op in same[1:]:
            first = same[0]
            exact = op.node["operationId"] == first.node["operationId"]
            findings.append(Finding(
                "LINT-ADR-OPERATION-ID",
                f"operationId {op.node['operationId']!r} is also used by "
                f"{first.method.upper()} {first.path}" + ("" if exact else " (differs in case)"),
                op.loc.child("operationId"), level=ERROR if exact else ""))
    return findings
