"""Findings as text, one per line (`file:line:column: level RULE message (pointer)`)."""

from __future__ import annotations

from collections import Counter

from .findings import Finding


def render(findings: list[Finding], documents: list[str]) -> str:
    lines = [
        f"{f.file}:{f.line}:{f.column}: {f.level} {f.rule} {f.message} (#{f.pointer})"
        for f in findings
    ]
    counts = Counter(f.level for f in findings)
    summary = ", ".join(f"{counts[level]} {level}{'s' if counts[level] != 1 else ''}"
                        for level in ("error", "warning", "info"))
    lines.append(f"{', '.join(documents)}: {summary}")
    return "\n".join(lines) + "\n"
