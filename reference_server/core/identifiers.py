"""Checks of Dutch identification numbers that more than one API uses."""

from __future__ import annotations

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def elfproef(number: str) -> bool:
    """The 11-proef of a 9-digit RSIN or BSN, as the standard names it: the digits weighted
    9..2 and -1 sum to a multiple of 11 (``000000000`` passes: 0 is a multiple of 11)."""
    if len(number) != 9 or not number.isascii() or not number.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(number, _WEIGHTS, strict=True)) % 11 == 0
