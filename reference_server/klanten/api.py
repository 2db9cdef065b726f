"""The Klanten API 1.0 as the reference server serves it."""

from __future__ import annotations

from pathlib import Path

from reference_server.core.api import JWT, ApiDefinition
from reference_server.klanten.klant import KLANT

SPEC_PATH = Path(__file__).resolve().parents[2] / "specs" / "klanten-1.0.yaml"

API = ApiDefinition(
    name="klanten",
    title="Klanten API",
    base_path="/klanten/api/v1",
    version="1.0.0",
    spec_path=SPEC_PATH,
    resources=(KLANT,),
    auth=JWT,
    scopes=frozenset(
        {
            "klanten.lezen",
            "klanten.aanmaken",
            "klanten.bijwerken",
            "klanten.verwijderen",
            "audittrails.lezen",
        }
    ),
    kanaal="klanten",
    audit_bron="kc",
    summary="klanten (KLOK01, kla-001, kla-002) and their audittrail",
)
