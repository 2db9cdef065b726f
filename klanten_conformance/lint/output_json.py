"""Findings as one JSON object."""

from __future__ import annotations

import json
from collections import Counter

from .findings import Finding


def render(findings: list[Finding], documents: list[str], against: str | None) -> str:
    counts = Counter(f.level for f in findings)
    data = {
        "documents": documents,
        "against": against,
        "summary": {level: counts[level] for level in ("error", "warning", "info")},
        "findings": [f.as_dict() for f in findings],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
