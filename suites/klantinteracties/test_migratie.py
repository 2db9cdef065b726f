"""Class `ki-migratie`: the migration view, Klanten API 1.0 → Klantinteracties.

Given a Klanten 1.0 target and a Klantinteracties target of the same product, the checks read
both (GET requests only: safe against production data) and compare the klanten with the
partijen the migration should have made of them (klanten_conformance.migratie has the mapping,
the matching and the outcome). Without a Klanten target every check is skipped with the reason
(fixture ``migratiebron``); with nothing to compare it is blocked, never passed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from klanten_conformance import migratie
from klanten_conformance.migratie import Comparison, KlantenReader, KlantinteractiesReader


def _compare(compare: Callable[[Any, Any], Comparison], ki: Any, migratiebron: Any) -> Comparison:
    """Read both targets and compare; the evidence of the check says what was compared."""
    found = compare(KlantenReader(migratiebron), KlantinteractiesReader(ki))
    ki.note(found.evidence())
    return found


@pytest.mark.rule("KI-MIG-01")
def test_aangehaakte_klanten_keep_their_number(ki: Any, migratiebron: Any) -> None:
    """KI-MIG-01: every aangehaakte klant is a partij of its soort holding its BSN/KvK/RSIN."""
    found = _compare(migratie.compare_aangehaakt, ki, migratiebron)
    migratie.judge("KI-MIG-01", found)


@pytest.mark.rule("KI-MIG-02")
def test_zelfstandige_klanten_stay_zelfstandig(ki: Any, migratiebron: Any) -> None:
    """KI-MIG-02: no zelfstandige klant became a partij with identificatoren."""
    found = _compare(migratie.compare_zelfstandig, ki, migratiebron)
    migratie.judge("KI-MIG-02", found)
