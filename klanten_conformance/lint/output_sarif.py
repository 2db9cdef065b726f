"""Findings as SARIF 2.1.0, for code-scanning tools (GitHub, GitLab, VS Code SARIF viewer)."""

from __future__ import annotations

import json

from .findings import RULES, Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render(findings: list[Finding], documents: list[str], version: str) -> str:
    ids = list(RULES)
    rules = []
    for rule_id in ids:
        rule = RULES[rule_id]
        entry = {
            "id": rule.id,
            "name": rule.title.title().replace(" ", "").replace("/", ""),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.statement},
            "defaultConfiguration": {"level": _LEVEL[rule.level]},
            "properties": {"tags": ["openapi", "klanten"]},
        }
        if rule.help_uri:
            entry["helpUri"] = rule.help_uri
        rules.append(entry)
    results = []
    for f in findings:
        result = {
            "ruleId": f.rule,
            "ruleIndex": ids.index(f.rule),
            "level": _LEVEL[f.level],
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(f.file)},
                    "region": {"startLine": f.line, "startColumn": f.column},
                },
                "logicalLocations": [{"fullyQualifiedName": f.pointer or "/",
                                      "kind": "object"}],
            }],
            "partialFingerprints": {"jsonPointer/v1": f"{f.rule}:{f.pointer}"},
        }
        if f.breaking is not None:
            result["properties"] = {"breaking": f.breaking}
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "klanten-conformance lint",
                "version": version,
                "rules": rules,
            }},
            "artifacts": [{"location": {"uri": _uri(d)}} for d in documents],
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _uri(path: str) -> str:
    return path.replace("\\", "/")
