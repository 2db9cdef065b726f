"""The Contactmomenten API 1.0 as the reference server serves it."""

from __future__ import annotations

from pathlib import Path

from reference_server.contactmomenten.contactmoment import CONTACTMOMENT
from reference_server.contactmomenten.relations import KLANTCONTACTMOMENT, OBJECTCONTACTMOMENT
from reference_server.core.api import JWT, ApiDefinition

SPEC_PATH = Path(__file__).resolve().parents[2] / "specs" / "contactmomenten-1.0.yaml"

API = ApiDefinition(
    name="contactmomenten",
    title="Contactmomenten API",
    base_path="/contactmomenten/api/v1",
    version="1.0.0",
    spec_path=SPEC_PATH,
    resources=(CONTACTMOMENT, KLANTCONTACTMOMENT, OBJECTCONTACTMOMENT),
    auth=JWT,
    scopes=frozenset(
        {
            "contactmomenten.lezen",
            "contactmomenten.aanmaken",
            "contactmomenten.bijwerken",
            "contactmomenten.verwijderen",
            "audittrails.lezen",
        }
    ),
    # only contactmoment notifies: the relations are not on the kanaal (Resource.notify)
    kanaal="contactmomenten",
    # the ComponentTypes code of the Contactmomenten API in the AuditTrail schema's enum
    audit_bron="cmc",
    summary=(
        "contactmomenten (cm-001..cm-003) and their audittrail, klantcontactmomenten "
        "(cm-004), objectcontactmomenten (cm-005, cm-006)"
    ),
)
