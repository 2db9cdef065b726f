"""Our OpenAPI document (specs/klanten-1.0.yaml): valid, and interface-identical to the standard.

The standard's own document lives outside this repository (../shared/specs/); the comparison
with it is skipped when that folder is absent. Every deliberate difference is applied to the
standard's document here, in ``apply_deviations``, and is described in specs/DEVIATIONS.md.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_spec_validator import validate

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "specs" / "klanten-1.0.yaml"
DEVIATIONS_MD = REPO / "specs" / "DEVIATIONS.md"
STANDARD_DIR = REPO.parent / "shared" / "specs"
STANDARD = STANDARD_DIR / "klanten-1.0.0.yaml"

# The operations of the standard (Klanten API 1.0.0): (path, method, operationId).
STANDARD_OPERATIONS = {
    ("/klanten", "get", "klant_list"),
    ("/klanten", "post", "klant_create"),
    ("/klanten/{klant_uuid}/audittrail", "get", "audittrail_list"),
    ("/klanten/{klant_uuid}/audittrail/{uuid}", "get", "audittrail_read"),
    ("/klanten/{uuid}", "get", "klant_read"),
    ("/klanten/{uuid}", "put", "klant_update"),
    ("/klanten/{uuid}", "patch", "klant_partial_update"),
    ("/klanten/{uuid}", "delete", "klant_delete"),
}

# The scope the standard requires for each operation.
STANDARD_SCOPES = {
    "klant_list": "klanten.lezen",
    "klant_create": "klanten.aanmaken",
    "audittrail_list": "audittrails.lezen",
    "audittrail_read": "audittrails.lezen",
    "klant_read": "klanten.lezen",
    "klant_update": "klanten.bijwerken",
    "klant_partial_update": "klanten.bijwerken",
    "klant_delete": "klanten.verwijderen",
}

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# Keys that carry prose or project metadata only; they never change the interface.
PROSE_KEYS = {
    "description",
    "summary",
    "title",
    "examples",
    "example",
    "info",
    "x-scopes",
    "contact",
    "license",
}

# JSON pointers of our deviations; each must be documented in specs/DEVIATIONS.md.
DEVIATION_POINTERS = [
    "/components/schemas/Wijzigingen/properties/oud",
    "/components/schemas/Wijzigingen/properties/nieuw",
    "/components/schemas/Klant/properties/subjectType/enum",
    "/components/schemas/Klant/discriminator/mapping",
    "/paths/~1klanten/get/responses/404",
    "/paths/{path}/{method}/security",
]

BASE = "http://testserver"
MINIMAL_KLANT = {
    "bronorganisatie": "123456782",
    "klantnummer": "12345678",
    "websiteUrl": "https://example.com",
}


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def operations(doc: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {
        (path, method, op["operationId"]): op
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    }


def apply_deviations(standard: dict[str, Any]) -> dict[str, Any]:
    """The standard's document with our recorded deviations applied (see DEVIATIONS.md)."""
    doc = copy.deepcopy(standard)
    schemas = doc["components"]["schemas"]
    # D1, D2: an audit trail's old/new body is null on create/destroy.
    for prop in ("oud", "nieuw"):
        schemas["Wijzigingen"]["properties"][prop]["nullable"] = True
    # D3: a nullable enum lists null.
    schemas["Klant"]["properties"]["subjectType"]["enum"].append(None)
    # D4: explicit discriminator mapping.
    schemas["Klant"]["discriminator"]["mapping"] = {
        name: f"#/components/schemas/{name}"
        for name in ("natuurlijk_persoon", "niet_natuurlijk_persoon", "vestiging")
    }
    # D5: klant_list documents the 404 DRF answers for a page beyond the last.
    doc["paths"]["/klanten"]["get"]["responses"]["404"] = {"$ref": "#/components/responses/404"}
    # D6: no scopes on an http/bearer security requirement (they move to x-scopes).
    for op in operations(doc).values():
        op["security"] = [{name: [] for req in op["security"] for name in req}]
    return doc


def strip_prose(node: Any, in_properties: bool = False) -> Any:
    """Drop prose keys; keys of a ``properties`` map are names (Fout has ``title``), kept."""
    if isinstance(node, list):
        return [strip_prose(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if not in_properties and key in PROSE_KEYS:
            continue
        if key == "parameters" and value == []:
            continue  # an empty parameter list says nothing
        out[key] = strip_prose(value, in_properties=(key == "properties" and not in_properties))
    return out


def differences(ours: Any, theirs: Any, pointer: str = "") -> list[str]:
    """JSON pointers (with both values) where the two documents differ."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        found = []
        for key in sorted(set(ours) | set(theirs), key=str):
            sub = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if key not in ours:
                found.append(f"{sub}: missing in ours (standard: {theirs[key]!r})")
            elif key not in theirs:
                found.append(f"{sub}: extra in ours ({ours[key]!r})")
            else:
                found += differences(ours[key], theirs[key], sub)
        return found
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        found = []
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            found += differences(a, b, f"{pointer}/{i}")
        return found
    if type(ours) is not type(theirs) or ours != theirs:
        return [f"{pointer or '/'}: ours {ours!r} != standard {theirs!r}"]
    return []


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    return load(SPEC)


@pytest.fixture(scope="module")
def standard() -> dict[str, Any]:
    if not STANDARD.is_file():
        pytest.skip(f"standard's OpenAPI document not found at {STANDARD}")
    return load(STANDARD)


@pytest.fixture(scope="module")
def api() -> OpenAPI:
    return OpenAPI.from_file_path(str(SPEC))


def test_document_is_valid_openapi(ours: dict[str, Any]) -> None:
    assert ours["openapi"].startswith("3.0.")
    validate(ours)  # raises OpenAPIValidationError when invalid


def test_has_exactly_the_standard_operations(ours: dict[str, Any]) -> None:
    assert set(operations(ours)) == STANDARD_OPERATIONS


def test_operation_list_matches_the_standard_document(standard: dict[str, Any]) -> None:
    assert set(operations(standard)) == STANDARD_OPERATIONS


def test_every_operation_declares_its_scope(ours: dict[str, Any]) -> None:
    for (path, method, op_id), op in operations(ours).items():
        assert op.get("x-scopes") == [STANDARD_SCOPES[op_id]], (path, method)
        assert op["security"] == [{"JWT-Claims": []}], (path, method)
        assert f"`{STANDARD_SCOPES[op_id]}`" in op["description"], (path, method)


def test_scopes_are_those_of_the_standard_document(standard: dict[str, Any]) -> None:
    declared = {
        key[2]: [scope for req in op["security"] for scopes in req.values() for scope in scopes]
        for key, op in operations(standard).items()
    }
    assert declared == {op_id: [scope] for op_id, scope in STANDARD_SCOPES.items()}


def test_structurally_identical_to_the_standard(
    ours: dict[str, Any], standard: dict[str, Any]
) -> None:
    assert ours["info"]["version"] == standard["info"]["version"]
    assert ours["info"]["title"] == standard["info"]["title"]
    diff = differences(strip_prose(ours), strip_prose(apply_deviations(standard)))
    assert not diff, "our document differs from the standard's:\n" + "\n".join(diff)


def test_the_comparison_catches_a_changed_constraint(
    ours: dict[str, Any], standard: dict[str, Any]
) -> None:
    expected = strip_prose(apply_deviations(standard))
    for mutate in (
        lambda d: d["components"]["schemas"]["Klant"]["properties"]["klantnummer"].update(
            maxLength=9
        ),
        lambda d: d["components"]["schemas"]["Klant"]["properties"]["bedrijfsnaam"].update(
            type="integer"
        ),
        lambda d: d["components"]["schemas"]["AuditTrail"]["properties"]["bron"]["enum"].pop(),
        lambda d: d["paths"]["/klanten"]["get"]["parameters"][0].update(required=True),
    ):
        changed = copy.deepcopy(ours)
        mutate(changed)
        assert differences(strip_prose(changed), expected)


@pytest.mark.parametrize("pointer", DEVIATION_POINTERS)
def test_deviations_are_documented(pointer: str) -> None:
    assert pointer in DEVIATIONS_MD.read_text(encoding="utf-8")


def create_request(body: dict[str, Any]) -> MockRequest:
    return MockRequest(
        BASE,
        "post",
        "/api/v1/klanten",
        data=json.dumps(body).encode(),
        content_type="application/json",
        headers={"Authorization": "Bearer token", "Content-Type": "application/json"},
    )


@pytest.mark.parametrize(
    "extra",
    [{}, {"subjectType": None}, {"subjectType": "natuurlijk_persoon"}],
    ids=["minimal", "subjectType-null", "subjectType-natuurlijk_persoon"],
)
def test_openapi_core_accepts_a_valid_klant(api: OpenAPI, extra: dict[str, Any]) -> None:
    result = api.unmarshal_request(create_request({**MINIMAL_KLANT, **extra}))
    assert not result.errors, result.errors


def test_openapi_core_refuses_a_too_long_klantnummer(api: OpenAPI) -> None:
    result = api.unmarshal_request(create_request({**MINIMAL_KLANT, "klantnummer": "123456789"}))
    assert result.errors


def test_openapi_core_accepts_an_audittrail_entry_of_a_create(api: OpenAPI) -> None:
    klant_url = f"{BASE}/api/v1/klanten/4d0e2b6e-1a7f-4bb1-9a43-2f1b6f0c1a11"
    entry = {
        "uuid": "0f1a4c2e-5d8b-4f0e-9b7a-3c2d1e0f9a8b",
        "bron": "kc",
        "actie": "create",
        "resultaat": 201,
        "hoofdObject": klant_url,
        "resource": "klant",
        "resourceUrl": klant_url,
        "resourceWeergave": "klant 12345678",
        "aanmaakdatum": "2024-01-01T12:00:00Z",
        "wijzigingen": {"oud": None, "nieuw": {**MINIMAL_KLANT, "url": klant_url}},
    }
    request = MockRequest(
        BASE,
        "get",
        f"/api/v1/klanten/{klant_url.rsplit('/', 1)[1]}/audittrail/{entry['uuid']}",
        headers={"Authorization": "Bearer token"},
    )
    response = MockResponse(
        json.dumps(entry).encode(),
        status_code=200,
        content_type="application/json",
        headers={"API-version": "1.0.0"},
    )
    result = api.unmarshal_response(request, response)
    assert not result.errors, result.errors
