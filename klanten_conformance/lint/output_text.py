"""Findings as text: `file:line:column: level RULE message (#pointer)`, wrapped to stay
readable, then one summary line."""

from __future__ import annotations

import textwrap
from collections import Counter

from .findings import Finding

WIDTH = 100
INDENT = "    "


def render(findings: list[Finding], documents: dict[str, str | None]) -> str:
    lines = [_finding(f) for f in findings]
    counts = Counter(f.level for f in findings)
    summary = ", ".join(f"{counts[level]} {level}{'s' if counts[level] != 1 else ''}"
                        for level in ("error", "warning", "info"))
    compared = sorted({ref for ref in documents.values() if ref})
    against = f" (compared with {', '.join(compared)})" if compared else ""
    lines.append(f"{', '.join(documents)}: {summary}{against}")
    return "\n".join(lines) + "\n"


def _finding(f: Finding) -> str:
    head = f"{f.file}:{f.line}:{f.column}: {f.level} {f.rule} "
    where = f"(#{shorten(f.pointer, WIDTH - len(INDENT) - 3)})"
    single = f"{head}{f.message} {where}"
    if len(single) <= WIDTH:
        return single
    first_word = f.message.split(" ", 1)[0]
    if len(head) + len(first_word) > WIDTH:
        # a long path: the location on a line of its own, the message below it
        lines = [head.rstrip(), *textwrap.wrap(f.message, WIDTH, initial_indent=INDENT,
                                               subsequent_indent=INDENT,
                                               break_long_words=False, break_on_hyphens=False)]
    else:
        lines = textwrap.wrap(f.message, WIDTH, initial_indent=head, subsequent_indent=INDENT,
                              break_long_words=False,
                              break_on_hyphens=False) or [head.rstrip()]
    if len(lines[-1]) + 1 + len(where) <= WIDTH:
        lines[-1] += " " + where
    else:
        lines.append(INDENT + where)
    return "\n".join(lines)


def shorten(pointer: str, width: int) -> str:
    """A pointer that fits `width`: its first two and as many last segments as fit, the
    middle left out (the line number says where)."""
    if len(pointer) <= width:
        return pointer
    segments = pointer.split("/")[1:]
    head = "/" + "/".join(segments[:2]) + "/…"
    tail: list[str] = []
    for segment in reversed(segments[2:]):
        if len(head) + len("/".join([segment, *tail])) + 1 > width and tail:
            break
        tail.insert(0, segment)
    return head + "/" + "/".join(tail)
