"""Unique test data: identification numbers that pass the Dutch 11-proef, klantnummers."""

from __future__ import annotations

import random
import string

_BASE36_UPPER = string.digits + string.ascii_uppercase
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def _rng(rng: random.Random | None) -> random.Random:
    """Return the given generator or a system-entropy one (safe across xdist workers)."""
    return rng if rng is not None else random.SystemRandom()


def elfproef(number: str) -> bool:
    """Check a 9-digit BSN or RSIN against the 11-proef."""
    if len(number) != 9 or not number.isascii() or not number.isdigit():
        return False
    if set(number) == {"0"}:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number, _WEIGHTS, strict=True))
    return total % 11 == 0


def _eleven_proof_number(rng: random.Random) -> str:
    """Draw 8 digits (first non-zero) and append the check digit; retry when it would be 10."""
    while True:
        head = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
        weighted = sum(
            int(digit) * weight for digit, weight in zip(head, _WEIGHTS[:8], strict=True)
        )
        check = weighted % 11
        if check < 10:
            return head + str(check)


def random_bsn(rng: random.Random | None = None) -> str:
    """A random burgerservicenummer (9 digits, 11-proef, no leading zero)."""
    return _eleven_proof_number(_rng(rng))


def random_rsin(rng: random.Random | None = None) -> str:
    """A random RSIN (same shape and check as a BSN)."""
    return _eleven_proof_number(_rng(rng))


def random_klantnummer(rng: random.Random | None = None) -> str:
    """A random klantnummer of 8 characters (the standard's maxLength): 'T' + 7 base-36 chars."""
    generator = _rng(rng)
    return "T" + "".join(generator.choice(_BASE36_UPPER) for _ in range(7))


def random_vestigingsnummer(rng: random.Random | None = None) -> str:
    """A random 12-digit vestigingsnummer (no leading zero)."""
    generator = _rng(rng)
    return str(generator.randint(1, 9)) + "".join(str(generator.randint(0, 9)) for _ in range(11))


def random_anp_identificatie(rng: random.Random | None = None) -> str:
    """A random identification for a foreign natural person: 'ANP' + 14 base-36 chars (17)."""
    generator = _rng(rng)
    return "ANP" + "".join(generator.choice(_BASE36_UPPER) for _ in range(14))
