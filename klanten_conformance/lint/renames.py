"""Tell a renamed property or parameter from one removed and another added.

A name of the standard that is missing and a new name count as one rename when they sit in
the same place (between the same two names both documents have) and have the same shape
(what `signature` says). When a place holds as many missing as new names of matching shapes,
they pair in order; otherwise only names that look alike pair.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable

LIKENESS = 0.6  # difflib ratio below which two names are not taken for one another


def renamed(old: list[str], new: list[str], old_signature: Callable[[str], Hashable],
            new_signature: Callable[[str], Hashable]) -> list[tuple[str, str]]:
    """Pairs (old name, new name), in the order of `old`."""
    common = set(old) & set(new)
    old_gap, new_gap = _gaps(old, common), _gaps(new, common)
    missing = [n for n in old if n not in common]
    extra = [n for n in new if n not in common]
    pairs: list[tuple[str, str]] = []
    for gap in dict.fromkeys(old_gap[m] for m in missing):
        gone = [m for m in missing if old_gap[m] == gap]
        came = [e for e in extra if new_gap[e] == gap]
        shapes_gone = {old_signature(m) for m in gone}
        shapes_came = {new_signature(e) for e in came}
        gone = [m for m in gone if old_signature(m) in shapes_came]
        came = [e for e in came if new_signature(e) in shapes_gone]
        if len(gone) == len(came) and all(
                old_signature(m) == new_signature(e) for m, e in zip(gone, came, strict=True)):
            pairs += zip(gone, came, strict=True)
        else:
            pairs += _alike(gone, came, old_signature, new_signature)
    order = {name: i for i, name in enumerate(old)}
    return sorted(pairs, key=lambda pair: order[pair[0]])


def _gaps(names: list[str], common: set[str]) -> dict[str, tuple[str | None, str | None]]:
    """For each name: the nearest common names before and after it."""
    before: list[str | None] = []
    last = None
    for name in names:
        before.append(last)
        if name in common:
            last = name
    after: list[str | None] = [None] * len(names)
    following = None
    for i in range(len(names) - 1, -1, -1):
        after[i] = following
        if names[i] in common:
            following = names[i]
    return {name: (before[i], after[i]) for i, name in enumerate(names)}


def _alike(gone: list[str], came: list[str], old_signature: Callable[[str], Hashable],
           new_signature: Callable[[str], Hashable]) -> list[tuple[str, str]]:
    scored = sorted(
        ((difflib.SequenceMatcher(None, m.lower(), e.lower()).ratio(), -i, -j, m, e)
         for i, m in enumerate(gone) for j, e in enumerate(came)
         if old_signature(m) == new_signature(e)),
        reverse=True)
    used: set[str] = set()
    pairs = []
    for ratio, _, _, m, e in scored:
        if ratio < LIKENESS:
            break
        if m not in used and e not in used:
            pairs.append((m, e))
            used |= {m, e}
    return pairs
