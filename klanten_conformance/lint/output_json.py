"""Findings as one JSON object."""

from __future__ import annotations

import json
from collections import Counter

from .findings import Finding


def render(findings: list[Finding], documents: dict[str, str | None]) -> str:
    """`documents` maps each linted document to the one it was compared with (or None)."""
    counts = Counter(f.level for f in findings)
    compared = {ref for ref in documents.values()}
    data = {
        "documents": list(documents),
        "against": next(iter(compared)) if len(compared) == 1 else None,
        "compared_with": documents,
        "summary": {level: counts[level] for level in ("error", "warning", "info")},
        "findings": [f.as_dict() for f in findings],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
