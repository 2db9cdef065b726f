"""``badge.json``: shields.io endpoint badges, the verdict and passed/total MUST rules, overall and
per class ("incomplete · 7/8 MUST": the words are the verdict engine's, as everywhere else).

Serve the file and point ``https://img.shields.io/endpoint?url=...`` at it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from klanten_conformance.report.model import (
    FAIL,
    INCOMPLETE,
    INTERRUPTED,
    NOT_APPLICABLE,
    NOT_RUN,
    PASS,
    RunResult,
)

FILENAME = "badge.json"
LABEL = "conformance"


_COLORS = {PASS: "brightgreen", FAIL: "red", INCOMPLETE: "yellow", NOT_APPLICABLE: "lightgrey"}


def _message(verdict: str, passed: int, total: int) -> str:
    return f"{verdict} · {passed}/{total} MUST" if total else verdict


def _color(verdict: str) -> str:
    return _COLORS.get(verdict, "lightgrey")


def badge(result: RunResult) -> dict[str, Any]:
    if result.status != "complete":
        message = "interrupted" if result.status == INTERRUPTED else "run error"
        return {"schemaVersion": 1, "label": LABEL, "message": message, "color": "lightgrey"}
    passed, total = result.must_score()
    return {
        "schemaVersion": 1,
        "label": f"{LABEL} {result.profile}",
        "message": _message(result.verdict, passed, total),
        "color": _color(result.verdict),
    }


def class_badges(result: RunResult) -> dict[str, dict[str, Any]]:
    badges = {}
    for rule_class in result.classes:
        if rule_class.verdict == NOT_RUN:
            continue
        passed, total = rule_class.must_score()
        badges[rule_class.id] = {
            "schemaVersion": 1,
            "label": f"{LABEL} {rule_class.id}",
            "message": _message(rule_class.verdict, passed, total),
            "color": _color(rule_class.verdict),
        }
    return badges


def write(result: RunResult, run_dir: Path) -> list[Path]:
    """``badge.json`` (overall) and ``badge-<class>.json`` for every class that ran."""
    run_dir = Path(run_dir)
    files = {FILENAME: badge(result)}
    files.update({f"badge-{cid}.json": data for cid, data in class_badges(result).items()})
    paths = []
    for name, data in files.items():
        path = run_dir / name
        path.write_text(json.dumps(data) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
