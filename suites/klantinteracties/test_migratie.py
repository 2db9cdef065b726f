"""Class `ki-migratie`: the migration view, Klanten API 1.0 → Klantinteracties.

Given a Klanten 1.0 target and a Klantinteracties target of the same product, the checks read
both (GET requests only: safe against production data) and compare the klanten with the
partijen the migration should have made of them (klanten_conformance.migratie has the mapping
and the matching). Without a Klanten target every check is skipped with the reason; with
nothing to compare it is blocked, never passed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from klanten_conformance import checks, migratie
from klanten_conformance.migratie import Comparison, KlantenReader, KlantinteractiesReader

#: the kind of klant each rule compares (for the "nothing to compare" message)
KINDS = {
    "KI-MIG-01": "aangehaakte klant with a BSN or an innNnpId of 8 or 9 digits",
    "KI-MIG-02": "zelfstandige klant whose klantnummer is the nummer of a partij",
}


def _verdict(
    rule: str,
    compare: Callable[[Any, Any], Comparison],
    ki: Any,
    migratiebron: Any,
) -> None:
    with ki.arranging("reading both targets", ki.definition.covering.get("read", "")):
        found = compare(KlantenReader(migratiebron), KlantinteractiesReader(ki))
    ki.note(found.evidence())
    if not found.compared:
        raise checks.Blocked(
            f"finding a {KINDS[rule]} in the Klanten 1.0 target",
            f"{migratie.NOTHING_TO_COMPARE}: {found.summary()}",
            evidence=found.evidence(),
        )
    checks.expect_true(
        rule,
        not found.mismatches,
        f"every compared klant migrated as the mapping says ({found.summary()})",
        "; ".join(found.mismatches[:10]) + (" ..." if len(found.mismatches) > 10 else ""),
    )


@pytest.mark.rule("KI-MIG-01")
def test_aangehaakte_klanten_keep_their_number(ki: Any, migratiebron: Any) -> None:
    """KI-MIG-01: every aangehaakte klant is a partij of its soort holding its BSN/KvK/RSIN."""
    _verdict("KI-MIG-01", migratie.compare_aangehaakt, ki, migratiebron)


@pytest.mark.rule("KI-MIG-02")
def test_zelfstandige_klanten_stay_zelfstandig(ki: Any, migratiebron: Any) -> None:
    """KI-MIG-02: no zelfstandige klant became a partij with identificatoren."""
    _verdict("KI-MIG-02", migratie.compare_zelfstandig, ki, migratiebron)
