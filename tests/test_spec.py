"""Our OpenAPI documents (specs/*.yaml): valid, and interface-identical to the standard's.

Every document has a deviations file (specs/deviations/<stem>.yaml); applying its changes to
the standard's document must give ours once prose is left out, every deviation must be needed,
and every deviation has its row in specs/DEVIATIONS.md (and the other way round). The
standard's own documents live outside this repository (../shared/specs/); the comparisons
with them are skipped when that folder is absent. Then come the checks per API: operations,
scopes, and openapi-core accepting the requests and responses a correct implementation
exchanges (and refusing a few it must not).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_spec_validator import validate

from klanten_conformance import deviations as dv

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO / "specs"
DEVIATIONS_MD = SPECS / "DEVIATIONS.md"
STANDARD_DIR = dv.STANDARD_SPECS_DIR
STANDARD_DOCS = REPO.parent / "shared" / "standard"
KLANTEN, CONTACTMOMENTEN, KLANTINTERACTIES = (
    "klanten-1.0.yaml",
    "contactmomenten-1.0.yaml",
    "klantinteracties-0.9.yaml",
)
DOCUMENTS = [KLANTEN, CONTACTMOMENTEN, KLANTINTERACTIES]
NEW_DOCUMENTS = [CONTACTMOMENTEN, KLANTINTERACTIES]

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

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _load(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)


def load(path: Path) -> dict[str, Any]:
    """A fresh copy of the YAML document at ``path`` (parsed once per session)."""
    return copy.deepcopy(_load(path))


def operations(doc: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {
        (path, method, op["operationId"]): op
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    }


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


def needless_deviations(
    standard: dict[str, Any], dev_set: dv.DeviationSet, expected: dict[str, Any]
) -> list[str]:
    """Ids of deviations without which the standard still becomes ``expected`` (prose-free)."""
    needless = []
    for deviation in dev_set.deviations:
        rest = [d for d in dev_set.deviations if d is not deviation]
        try:
            result = dv.apply(standard, _replace(dev_set, deviations=tuple(rest)))
        except dv.DeviationError:
            continue  # another deviation builds on this one: it is needed
        if not differences(strip_prose(result), expected):
            needless.append(deviation.id)
    return needless


def _replace(dev_set: dv.DeviationSet, **changes: Any) -> dv.DeviationSet:
    return dataclasses.replace(dev_set, **changes)


def documented_deviations(text: str) -> dict[str, dict[str, str]]:
    """Per document (the first `name` of each ``## `` heading): deviation id -> title."""
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in text.splitlines():
        heading = re.match(r"^## .*?`([^`]+)`", line)
        if heading:
            current = sections.setdefault(heading.group(1), {})
            continue
        row = re.match(r"^\| (D\d+) \| ([^|]+?) \|", line)
        if row and current is not None:
            assert row.group(1) not in current, f"{row.group(1)} twice in one section"
            current[row.group(1)] = row.group(2)
    return sections


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(params=DOCUMENTS)
def name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def dev_set(name: str) -> dv.DeviationSet:
    found = dv.for_document(SPECS / name)
    assert found is not None, f"no specs/deviations/ file for {name}"
    return found


@pytest.fixture
def ours(name: str) -> dict[str, Any]:
    return load(SPECS / name)


@pytest.fixture
def standard(dev_set: dv.DeviationSet) -> dict[str, Any]:
    path = dev_set.standard.path()
    if not path.is_file():
        pytest.skip(f"standard's OpenAPI document not found at {path}")
    return load(path)


def standard_of(name: str) -> dict[str, Any]:
    path = dv.for_document(SPECS / name).standard.path()
    if not path.is_file():
        pytest.skip(f"standard's OpenAPI document not found at {path}")
    return load(path)


@functools.cache
def core(name: str) -> OpenAPI:
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_file_path(str(SPECS / name), config=config)


# -- every document ---------------------------------------------------------------------------


def test_every_document_has_one_deviations_file() -> None:
    documents = {
        p.name for p in SPECS.glob("*.yaml") if isinstance(_load(p), dict) and "openapi" in _load(p)
    }
    assert documents == set(DOCUMENTS)
    assert {s.document.name for s in dv.load_all()} == documents


def test_document_is_valid_openapi(ours: dict[str, Any]) -> None:
    assert ours["openapi"].startswith("3.0.")
    validate(ours)  # raises OpenAPIValidationError when invalid


def test_document_loads_in_openapi_core(name: str) -> None:
    assert core(name).spec is not None


def test_deviations_file_names_the_standard_document(
    ours: dict[str, Any], standard: dict[str, Any], dev_set: dv.DeviationSet
) -> None:
    assert (dev_set.standard.title, dev_set.standard.version) == (
        standard["info"]["title"],
        standard["info"]["version"],
    )
    assert ours["info"]["title"] == standard["info"]["title"]
    assert ours["info"]["version"] == standard["info"]["version"]
    assert ours["openapi"] == standard["openapi"]


def test_structurally_identical_to_the_standard_after_the_deviations(
    ours: dict[str, Any], standard: dict[str, Any], dev_set: dv.DeviationSet
) -> None:
    expected = dv.apply(standard, dev_set)  # raises when a change's path does not exist
    diff = differences(strip_prose(ours), strip_prose(expected))
    assert not diff, "our document differs from the standard's:\n" + "\n".join(diff)


def test_every_deviation_is_needed(
    ours: dict[str, Any], standard: dict[str, Any], dev_set: dv.DeviationSet
) -> None:
    assert needless_deviations(standard, dev_set, strip_prose(ours)) == []


def test_a_deviation_that_changes_nothing_is_reported(
    ours: dict[str, Any], standard: dict[str, Any], dev_set: dv.DeviationSet
) -> None:
    schema = next(iter(standard["components"]["schemas"]))
    prose_only = dv.Deviation(
        id="D99",
        title="prose only",
        changes=(dv.Change("add", f"/components/schemas/{schema}/x-note", None),),
        standard_says="-",
        we_say="-",
        why="-",
    )
    padded = _replace(dev_set, deviations=(*dev_set.deviations, prose_only))
    expected = strip_prose(ours)
    expected["components"]["schemas"][schema]["x-note"] = None
    assert needless_deviations(standard, padded, expected) == []  # x-note is structural
    prose_only = dataclasses.replace(prose_only, changes=())
    padded = _replace(dev_set, deviations=(*dev_set.deviations, prose_only))
    assert needless_deviations(standard, padded, strip_prose(ours)) == ["D99"]


def test_the_comparison_catches_a_changed_constraint(
    ours: dict[str, Any], standard: dict[str, Any], dev_set: dv.DeviationSet
) -> None:
    expected = strip_prose(dv.apply(standard, dev_set))
    schemas = ours["components"]["schemas"]
    with_max = next(
        (s, p)
        for s, d in schemas.items()
        for p, v in d.get("properties", {}).items()
        if "maxLength" in v
    )
    with_enum = next(
        s
        for s, d in schemas.items()
        if "enum" in d or any("enum" in v for v in d.get("properties", {}).values())
    )
    path, method, _ = next(k for k, op in operations(ours).items() if op.get("parameters"))

    def bump(d: dict[str, Any]) -> None:
        d["components"]["schemas"][with_max[0]]["properties"][with_max[1]]["maxLength"] += 1

    def drop_enum(d: dict[str, Any]) -> None:
        schema = d["components"]["schemas"][with_enum]
        target = (
            schema
            if "enum" in schema
            else next(v for v in schema["properties"].values() if "enum" in v)
        )
        target["enum"].pop()

    def require(d: dict[str, Any]) -> None:
        d["paths"][path][method]["parameters"][0]["required"] = "yes"

    for mutate in (bump, drop_enum, require):
        changed = copy.deepcopy(ours)
        mutate(changed)
        assert differences(strip_prose(changed), expected), mutate.__name__


def test_deviations_are_documented_both_ways(name: str, dev_set: dv.DeviationSet) -> None:
    sections = documented_deviations(DEVIATIONS_MD.read_text(encoding="utf-8"))
    assert name in sections, f"DEVIATIONS.md has no section for {name}"
    assert sections[name] == {d.id: d.title for d in dev_set.deviations}


def test_every_operation_has_a_summary_and_description(ours: dict[str, Any]) -> None:
    for key, op in operations(ours).items():
        assert op.get("summary") and op.get("description"), key
        assert "TODO" not in op["summary"] + op["description"], key


@pytest.mark.parametrize("doc_name", NEW_DOCUMENTS)
def test_every_schema_parameter_and_response_is_described(doc_name: str) -> None:
    doc = load(SPECS / doc_name)
    for schema_name, schema in doc["components"]["schemas"].items():
        assert schema.get("description"), schema_name
    for key, op in operations(doc).items():
        for param in op.get("parameters", []):
            assert param.get("description"), (key, param["name"])
        for status, response in op["responses"].items():
            assert "$ref" in response or response.get("description"), (key, status)
    assert "TODO" not in (SPECS / doc_name).read_text(encoding="utf-8")


def _texts(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary") and isinstance(value, str):
                found.add(value)
            found |= _texts(value)
    elif isinstance(node, list):
        for item in node:
            found |= _texts(item)
    return found


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w`]+", " ", text.lower()).split())


@pytest.mark.parametrize("doc_name", NEW_DOCUMENTS)
def test_no_prose_is_taken_from_the_standard(doc_name: str) -> None:
    theirs = {_normal(t) for t in _texts(standard_of(doc_name))}
    taken = [
        t
        for t in _texts(load(SPECS / doc_name))
        if len(_normal(t).split()) >= 4 and _normal(t) in theirs
    ]
    assert not taken


# -- requests and responses -------------------------------------------------------------------

BASE = "http://testserver"
PROBLEM = "application/problem+json"


def request(
    prefix: str,
    method: str,
    path: str,
    body: Any = None,
    query: dict[str, str] | None = None,
    auth: str | None = "Bearer token",
) -> MockRequest:
    headers = {"Authorization": auth} if auth else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    return MockRequest(
        BASE,
        method,
        prefix + path,
        args=query or {},
        headers=headers,
        data=json.dumps(body).encode() if body is not None else None,
        content_type="application/json",
    )


def response(
    body: Any, status: int = 200, media: str = "application/json", version: str = "1.0.0"
) -> MockResponse:
    data = json.dumps(body).encode() if body is not None else b""
    return MockResponse(
        data, status_code=status, content_type=media, headers={"API-version": version}
    )


def request_errors(name: str, req: MockRequest) -> list[str]:
    return [str(e.__cause__ or e) for e in core(name).unmarshal_request(req).errors]


def response_errors(name: str, req: MockRequest, resp: MockResponse) -> list[str]:
    return [str(e.__cause__ or e) for e in core(name).unmarshal_response(req, resp).errors]


def problem(status: int, code: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": f"https://example.com/fouten/{code}/",
        "code": code,
        "title": "Something went wrong.",
        "status": status,
        "detail": "Details of what went wrong.",
        "instance": "urn:uuid:9e8c1b6a-3f54-4d7e-8f1a-2b3c4d5e6f70",
        **extra,
    }


INVALID_PARAMS = [{"name": "kanaal", "code": "required", "reason": "This field is required."}]


# -- Klanten API 1.0 ------------------------------------------------------------------------

# The operations of the standard (Klanten API 1.0.0): (path, method, operationId).
KLANTEN_OPERATIONS = {
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
KLANTEN_SCOPES = {
    "klant_list": "klanten.lezen",
    "klant_create": "klanten.aanmaken",
    "audittrail_list": "audittrails.lezen",
    "audittrail_read": "audittrails.lezen",
    "klant_read": "klanten.lezen",
    "klant_update": "klanten.bijwerken",
    "klant_partial_update": "klanten.bijwerken",
    "klant_delete": "klanten.verwijderen",
}

MINIMAL_KLANT = {
    "bronorganisatie": "123456782",
    "klantnummer": "12345678",
    "websiteUrl": "https://example.com",
}


def declared_scopes(doc: dict[str, Any]) -> dict[str, list[str]]:
    return {
        key[2]: [scope for req in op["security"] for scopes in req.values() for scope in scopes]
        for key, op in operations(doc).items()
    }


def create_klant(body: dict[str, Any]) -> MockRequest:
    return request("/api/v1", "post", "/klanten", body)


@pytest.mark.parametrize(
    "extra",
    [{}, {"subjectType": None}, {"subjectType": "natuurlijk_persoon"}],
    ids=["minimal", "subjectType-null", "subjectType-natuurlijk_persoon"],
)
def test_openapi_core_accepts_a_valid_klant(extra: dict[str, Any]) -> None:
    assert not request_errors(KLANTEN, create_klant({**MINIMAL_KLANT, **extra}))


def test_openapi_core_refuses_a_too_long_klantnummer() -> None:
    assert request_errors(KLANTEN, create_klant({**MINIMAL_KLANT, "klantnummer": "123456789"}))


def audittrail_entry(url: str, resource: str, body: dict[str, Any], bron: str) -> dict[str, Any]:
    return {
        "uuid": "0f1a4c2e-5d8b-4f0e-9b7a-3c2d1e0f9a8b",
        "bron": bron,
        "actie": "create",
        "resultaat": 201,
        "hoofdObject": url,
        "resource": resource,
        "resourceUrl": url,
        "resourceWeergave": f"{resource} 1",
        "aanmaakdatum": "2024-01-01T12:00:00Z",
        "wijzigingen": {"oud": None, "nieuw": body},
    }


def test_openapi_core_accepts_an_audittrail_entry_of_a_create() -> None:
    uuid = "4d0e2b6e-1a7f-4bb1-9a43-2f1b6f0c1a11"
    url = f"{BASE}/api/v1/klanten/{uuid}"
    entry = audittrail_entry(url, "klant", {**MINIMAL_KLANT, "url": url}, "kc")
    req = request("/api/v1", "get", f"/klanten/{uuid}/audittrail/{entry['uuid']}")
    assert not response_errors(KLANTEN, req, response(entry))


# -- Contactmomenten API 1.0 ----------------------------------------------------------------

CM_SCOPES = {
    "contactmoment_list": "contactmomenten.lezen",
    "contactmoment_create": "contactmomenten.aanmaken",
    "audittrail_list": "audittrails.lezen",
    "audittrail_read": "audittrails.lezen",
    "contactmoment_read": "contactmomenten.lezen",
    "contactmoment_update": "contactmomenten.bijwerken",
    "contactmoment_partial_update": "contactmomenten.bijwerken",
    "contactmoment_delete": "contactmomenten.verwijderen",
    "klantcontactmoment_list": "contactmomenten.lezen",
    "klantcontactmoment_create": "contactmomenten.aanmaken",
    "klantcontactmoment_read": "contactmomenten.lezen",
    "klantcontactmoment_delete": "contactmomenten.verwijderen",
    "objectcontactmoment_list": "contactmomenten.lezen",
    "objectcontactmoment_create": "contactmomenten.aanmaken",
    "objectcontactmoment_read": "contactmomenten.lezen",
    "objectcontactmoment_delete": "contactmomenten.verwijderen",
}
CM_OPERATIONS = {
    ("/contactmomenten", "get", "contactmoment_list"),
    ("/contactmomenten", "post", "contactmoment_create"),
    ("/contactmomenten/{contactmoment_uuid}/audittrail", "get", "audittrail_list"),
    ("/contactmomenten/{contactmoment_uuid}/audittrail/{uuid}", "get", "audittrail_read"),
    ("/contactmomenten/{uuid}", "get", "contactmoment_read"),
    ("/contactmomenten/{uuid}", "put", "contactmoment_update"),
    ("/contactmomenten/{uuid}", "patch", "contactmoment_partial_update"),
    ("/contactmomenten/{uuid}", "delete", "contactmoment_delete"),
    ("/klantcontactmomenten", "get", "klantcontactmoment_list"),
    ("/klantcontactmomenten", "post", "klantcontactmoment_create"),
    ("/klantcontactmomenten/{uuid}", "get", "klantcontactmoment_read"),
    ("/klantcontactmomenten/{uuid}", "delete", "klantcontactmoment_delete"),
    ("/objectcontactmomenten", "get", "objectcontactmoment_list"),
    ("/objectcontactmomenten", "post", "objectcontactmoment_create"),
    ("/objectcontactmomenten/{uuid}", "get", "objectcontactmoment_read"),
    ("/objectcontactmomenten/{uuid}", "delete", "objectcontactmoment_delete"),
}
CM = "/api/v1"
CM_UUID = "7c2e4f1a-9b3d-4e5f-8a6b-1c2d3e4f5a6b"
CM_URL = f"{BASE}{CM}/contactmomenten/{CM_UUID}"
CONTACTMOMENT = {
    "bronorganisatie": "123456782",
    "registratiedatum": "2024-01-01T12:00:00Z",
    "kanaal": "telefoon",
    "voorkeurskanaal": "email",
    "voorkeurstaal": "nld",
    "tekst": "Question about a permit.",
    "onderwerpLinks": ["https://example.com/producten/vergunning"],
    "initiatiefnemer": "klant",
    "medewerker": "https://medewerkers.example.com/api/v1/medewerkers/1",
    "vorigContactmoment": None,
}
CONTACTMOMENT_OUT = {
    **CONTACTMOMENT,
    "url": CM_URL,
    "volgendContactmoment": None,
    "medewerkerIdentificatie": None,
}


def test_contactmomenten_scopes_are_those_the_standard_defines() -> None:
    path = STANDARD_DOCS / "contactmomenten-autorisaties.md"
    if not path.is_file():
        pytest.skip(f"the standard's scope list not found at {path}")
    defined = set(re.findall(r"^### ([a-z]+\.[a-z]+)\s*$", path.read_text(encoding="utf-8"), re.M))
    assert defined == set(CM_SCOPES.values())


def test_openapi_core_accepts_a_contactmoment_create_and_its_response() -> None:
    req = request(CM, "post", "/contactmomenten", CONTACTMOMENT)
    assert not request_errors(CONTACTMOMENTEN, req)
    assert not response_errors(CONTACTMOMENTEN, req, response(CONTACTMOMENT_OUT, 201))


def test_openapi_core_accepts_a_contactmoment_with_a_medewerker_identificatie() -> None:
    body = {
        "bronorganisatie": "123456782",
        "medewerkerIdentificatie": {"identificatie": "m1", "achternaam": "Jansen"},
    }
    assert not request_errors(CONTACTMOMENTEN, request(CM, "post", "/contactmomenten", body))


def test_openapi_core_refuses_a_contactmoment_without_bronorganisatie() -> None:
    body = {k: v for k, v in CONTACTMOMENT.items() if k != "bronorganisatie"}
    assert request_errors(CONTACTMOMENTEN, request(CM, "post", "/contactmomenten", body))


def test_openapi_core_refuses_an_unknown_initiatiefnemer() -> None:
    body = {**CONTACTMOMENT, "initiatiefnemer": "buurman"}
    assert request_errors(CONTACTMOMENTEN, request(CM, "post", "/contactmomenten", body))


def test_openapi_core_accepts_a_klantcontactmoment() -> None:
    body = {
        "contactmoment": CM_URL,
        "klant": f"{BASE}/api/v1/klanten/4d0e2b6e-1a7f-4bb1-9a43-2f1b6f0c1a11",
        "rol": "gesprekspartner",
    }
    req = request(CM, "post", "/klantcontactmomenten", body)
    out = {**body, "url": f"{BASE}{CM}/klantcontactmomenten/{CM_UUID}"}
    assert not request_errors(CONTACTMOMENTEN, req)
    assert not response_errors(CONTACTMOMENTEN, req, response(out, 201))
    assert request_errors(
        CONTACTMOMENTEN, request(CM, "post", "/klantcontactmomenten", {**body, "rol": "x"})
    )


def test_openapi_core_accepts_an_objectcontactmoment() -> None:
    body = {
        "contactmoment": CM_URL,
        "object": "https://zaken.example.com/api/v1/zaken/1",
        "objectType": "zaak",
    }
    req = request(CM, "post", "/objectcontactmomenten", body)
    out = {**body, "url": f"{BASE}{CM}/objectcontactmomenten/{CM_UUID}"}
    assert not request_errors(CONTACTMOMENTEN, req)
    assert not response_errors(CONTACTMOMENTEN, req, response(out, 201))


@pytest.mark.parametrize("actie", ["create", "destroy"])
def test_openapi_core_accepts_a_contactmoment_audittrail_entry(actie: str) -> None:
    entry = audittrail_entry(CM_URL, "contactmoment", CONTACTMOMENT_OUT, "cmc")
    if actie == "destroy":
        entry.update(
            actie="destroy", resultaat=204, wijzigingen={"oud": CONTACTMOMENT_OUT, "nieuw": None}
        )
    req = request(CM, "get", f"/contactmomenten/{CM_UUID}/audittrail/{entry['uuid']}")
    assert not response_errors(CONTACTMOMENTEN, req, response(entry))
    listed = request(CM, "get", f"/contactmomenten/{CM_UUID}/audittrail")
    assert not response_errors(CONTACTMOMENTEN, listed, response([entry]))


def test_openapi_core_accepts_a_paginated_contactmoment_list() -> None:
    req = request(CM, "get", "/contactmomenten", query={"kanaal": "telefoon", "page": "2"})
    page = {
        "count": 101,
        "next": None,
        "previous": f"{BASE}{CM}/contactmomenten?page=1",
        "results": [CONTACTMOMENT_OUT],
    }
    assert not request_errors(CONTACTMOMENTEN, req)
    assert not response_errors(CONTACTMOMENTEN, req, response(page))


@pytest.mark.parametrize(
    "path", ["/contactmomenten", "/klantcontactmomenten", "/objectcontactmomenten"]
)
def test_openapi_core_accepts_a_404_for_a_page_beyond_the_last(path: str) -> None:
    req = request(CM, "get", path, query={"page": "99"})
    body = problem(404, "not_found")
    assert not response_errors(CONTACTMOMENTEN, req, response(body, 404, PROBLEM))


def test_openapi_core_accepts_a_contactmoment_400_problem() -> None:
    req = request(CM, "post", "/contactmomenten", CONTACTMOMENT)
    body = problem(400, "invalid", invalidParams=INVALID_PARAMS)
    assert not response_errors(CONTACTMOMENTEN, req, response(body, 400, PROBLEM))
    no_params = problem(400, "invalid")
    assert response_errors(CONTACTMOMENTEN, req, response(no_params, 400, PROBLEM))


# -- Klantinteracties API 0.9 ---------------------------------------------------------------

# The resources of the standard (path, operationId prefix); each has the six operations below.
KI_RESOURCES = [
    ("/actoren", "actoren"),
    ("/actorklantcontacten", "actorklantcontacten"),
    ("/betrokkenen", "betrokkenen"),
    ("/bijlagen", "bijlagen"),
    ("/categorie-relaties", "categorieRelaties"),
    ("/categorieen", "categorieen"),
    ("/digitaleadressen", "digitaleadressen"),
    ("/internetaken", "internetaken"),
    ("/klantcontacten", "klantcontacten"),
    ("/onderwerpobjecten", "onderwerpobjecten"),
    ("/partij-identificatoren", "partijIdentificatoren"),
    ("/partijen", "partijen"),
    ("/rekeningnummers", "rekeningnummers"),
    ("/vertegenwoordigingen", "vertegenwoordigingen"),
]
KI_OPERATIONS = {("/maak-klantcontact", "post", "maakKlantcontactCreate")} | {
    (path + suffix, method, prefix + kind)
    for path, prefix in KI_RESOURCES
    for suffix, method, kind in [
        ("", "get", "List"),
        ("", "post", "Create"),
        ("/{uuid}", "get", "Retrieve"),
        ("/{uuid}", "put", "Update"),
        ("/{uuid}", "patch", "PartialUpdate"),
        ("/{uuid}", "delete", "Destroy"),
    ]
}
KI = "/klantinteracties/api/v1"
TOKEN = "Token 0123456789abcdef"
U1 = "4d0e2b6e-1a7f-4bb1-9a43-2f1b6f0c1a11"
U2 = "0f1a4c2e-5d8b-4f0e-9b7a-3c2d1e0f9a8b"


def ref(resource: str, uuid: str = U1) -> dict[str, str]:
    return {"uuid": uuid, "url": f"{BASE}{KI}/{resource}/{uuid}"}


def ki_request(method: str, path: str, body: Any = None, **query: str) -> MockRequest:
    return request(KI, method, path, body, query, auth=TOKEN)


def ki_ok(
    req: MockRequest, body: Any = None, status: int = 200, media: str = "application/json"
) -> None:
    """openapi-core accepts the request and (when given) the response."""
    errors = request_errors(KLANTINTERACTIES, req)
    if body is not None or status == 204:
        errors += response_errors(KLANTINTERACTIES, req, response(body, status, media, "0.9.0"))
    assert not errors, errors


BSN = {
    "codeObjecttype": "natuurlijk_persoon",
    "codeSoortObjectId": "bsn",
    "objectId": "111222333",
    "codeRegister": "brp",
}
PARTIJ_IN = {
    "soortPartij": "persoon",
    "indicatieActief": True,
    "indicatieGeheimhouding": None,
    "voorkeurstaal": "nld",
    "digitaleAdressen": [],
    "voorkeursDigitaalAdres": None,
    "rekeningnummers": [],
    "voorkeursRekeningnummer": None,
    "partijIdentificatoren": [{"partijIdentificator": BSN}],
    "bezoekadres": None,
    "correspondentieadres": {"nummeraanduidingId": "0363200000123456", "land": "NL"},
    "partijIdentificatie": {"contactnaam": {"voornaam": "Piet", "achternaam": "Jansen"}},
}
PARTIJ_OUT = {
    **PARTIJ_IN,
    **ref("partijen"),
    "nummer": "0000000001",
    "interneNotitie": "",
    "betrokkenen": [],
    "categorieRelaties": [],
    "vertegenwoordigden": [],
    "partijIdentificatoren": [
        {
            **ref("partij-identificatoren", U2),
            "identificeerdePartij": ref("partijen"),
            "anderePartijIdentificator": "",
            "partijIdentificator": BSN,
            "subIdentificatorVan": None,
        }
    ],
    "partijIdentificatie": {
        "contactnaam": {"voornaam": "Piet", "achternaam": "Jansen"},
        "volledigeNaam": "Piet Jansen",
    },
}
DIGITAAL_ADRES = {
    **ref("digitaleadressen", U2),
    "verstrektDoorBetrokkene": None,
    "verstrektDoorPartij": ref("partijen"),
    "adres": "piet@example.com",
    "soortDigitaalAdres": "email",
    "isStandaardAdres": True,
    "omschrijving": "",
    "referentie": "portaal",
    "verificatieDatum": None,
}
KLANTCONTACT_IN = {
    "kanaal": "telefoon",
    "onderwerp": "afval",
    "inhoud": "When is the bin emptied?",
    "taal": "nld",
    "vertrouwelijk": False,
    "plaatsgevondenOp": "2024-01-01T12:00:00Z",
    "indicatieContactGelukt": True,
    "metadata": {"bron": "kcc"},
}
KLANTCONTACT_OUT = {
    **KLANTCONTACT_IN,
    **ref("klantcontacten"),
    "gingOverOnderwerpobjecten": [],
    "hadBetrokkenActoren": [],
    "omvatteBijlagen": [],
    "hadBetrokkenen": [ref("betrokkenen", U2)],
    "leiddeTotInterneTaken": [],
    "nummer": "0000000001",
    "referentienummer": None,
    "reactie": "",
    "hoofdOnderwerpType": "https://catalogi.example.com/api/v1/zaaktypen/1",
    "verdereActieOndernomen": False,
}
BETROKKENE_IN = {
    "wasPartij": {"uuid": U1},
    "bezoekadres": None,
    "correspondentieadres": None,
    "contactnaam": {"voornaam": "Piet"},
    "rol": "klant",
    "organisatienaam": "",
    "initiator": True,
}
BETROKKENE_OUT = {
    **BETROKKENE_IN,
    **ref("betrokkenen", U2),
    "wasPartij": ref("partijen"),
    "hadKlantcontact": ref("klantcontacten"),
    "digitaleAdressen": [],
    "volledigeNaam": "Piet",
}
ONDERWERPOBJECT_IN = {
    "wasKlantcontact": None,
    "onderwerpobjectidentificator": {
        "objectId": U2,
        "codeObjecttype": "zaak",
        "codeRegister": "open-zaak",
        "codeSoortObjectId": "uuid",
    },
}
ONDERWERPOBJECT_OUT = {
    **ONDERWERPOBJECT_IN,
    **ref("onderwerpobjecten", U2),
    "klantcontact": ref("klantcontacten"),
}


# -- operations and scopes, per document -----------------------------------------------------

OPERATIONS = {
    KLANTEN: KLANTEN_OPERATIONS,
    CONTACTMOMENTEN: CM_OPERATIONS,
    KLANTINTERACTIES: KI_OPERATIONS,
}
SCOPES = {KLANTEN: KLANTEN_SCOPES, CONTACTMOMENTEN: CM_SCOPES}


def test_operation_counts() -> None:
    assert [len(OPERATIONS[n]) for n in DOCUMENTS] == [8, 16, 85]


def test_has_exactly_the_standard_operations(name: str, ours: dict[str, Any]) -> None:
    assert set(operations(ours)) == OPERATIONS[name]


def test_operation_list_matches_the_standard_document(name: str, standard: dict[str, Any]) -> None:
    assert set(operations(standard)) == OPERATIONS[name]


def test_klantinteracties_standard_has_107_schemas() -> None:
    assert len(standard_of(KLANTINTERACTIES)["components"]["schemas"]) == 107


@pytest.mark.parametrize("doc_name", [KLANTEN, CONTACTMOMENTEN])
def test_every_operation_declares_its_scope(doc_name: str) -> None:
    scopes = SCOPES[doc_name]
    for (path, method, op_id), op in operations(load(SPECS / doc_name)).items():
        assert op.get("x-scopes") == [scopes[op_id]], (path, method)
        assert op["security"] == [{"JWT-Claims": []}], (path, method)
        assert f"`{scopes[op_id]}`" in op["description"], (path, method)


@pytest.mark.parametrize("doc_name", [KLANTEN, CONTACTMOMENTEN])
def test_scopes_are_those_of_the_standard_document(doc_name: str) -> None:
    assert declared_scopes(standard_of(doc_name)) == {
        op_id: [scope] for op_id, scope in SCOPES[doc_name].items()
    }


def test_klantinteracties_uses_token_auth_without_scopes() -> None:
    doc = load(SPECS / KLANTINTERACTIES)
    assert doc["servers"] == [{"url": KI}]
    assert doc["components"]["securitySchemes"]["tokenAuth"] | {"description": ""} == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "",
    }
    for key, op in operations(doc).items():
        assert op["security"] == [{"tokenAuth": []}], key
        assert "x-scopes" not in op, key


def test_openapi_core_refuses_a_klantinteracties_request_without_token() -> None:
    assert request_errors(KLANTINTERACTIES, request(KI, "get", "/partijen", auth=None))


@pytest.mark.parametrize(
    ("soort", "identificatie", "shown"),
    [
        (
            "persoon",
            {"contactnaam": {"voornaam": "Piet", "achternaam": "Jansen"}},
            {"volledigeNaam": "Piet Jansen"},
        ),
        ("organisatie", {"naam": "ACME bv"}, {}),
        (
            "contactpersoon",
            {"uuid": U2, "werkteVoorPartij": {"uuid": U2}, "contactnaam": {"voornaam": "Ann"}},
            {"werkteVoorPartij": ref("partijen", U2), "volledigeNaam": "Ann"},
        ),
    ],
)
def test_openapi_core_accepts_each_soort_partij(
    soort: str, identificatie: dict[str, Any], shown: dict[str, Any]
) -> None:
    body = {**PARTIJ_IN, "soortPartij": soort, "partijIdentificatie": identificatie}
    out = {**PARTIJ_OUT, "soortPartij": soort, "partijIdentificatie": {**identificatie, **shown}}
    ki_ok(ki_request("post", "/partijen", body), out, 201)


def test_openapi_core_refuses_an_unknown_soort_partij() -> None:
    body = {**PARTIJ_IN, "soortPartij": "bedrijf"}
    assert request_errors(KLANTINTERACTIES, ki_request("post", "/partijen", body))


def test_openapi_core_refuses_a_partij_without_indicatie_actief() -> None:
    body = {k: v for k, v in PARTIJ_IN.items() if k != "indicatieActief"}
    assert request_errors(KLANTINTERACTIES, ki_request("post", "/partijen", body))


def test_openapi_core_accepts_a_partial_update_of_a_partij() -> None:
    body = {"soortPartij": "persoon", "voorkeursDigitaalAdres": {"uuid": U2}}
    ki_ok(ki_request("patch", f"/partijen/{U1}", body), PARTIJ_OUT)
    without_soort = {"voorkeursDigitaalAdres": {"uuid": U2}}
    assert request_errors(KLANTINTERACTIES, ki_request("patch", f"/partijen/{U1}", without_soort))


def test_openapi_core_accepts_an_actor_and_its_partial_update() -> None:
    actor = {
        "naam": "Ann de Vries",
        "soortActor": "medewerker",
        "indicatieActief": True,
        "actoridentificator": None,
        "actorIdentificatie": {"functie": "kcc", "telefoonnummer": "0201234567"},
    }
    ki_ok(ki_request("post", "/actoren", actor), {**actor, **ref("actoren")}, 201)
    patch = {"soortActor": "medewerker", "indicatieActief": False}
    ki_ok(ki_request("patch", f"/actoren/{U1}", patch), {**actor, **ref("actoren")})


def test_openapi_core_accepts_an_expanded_partij() -> None:
    req = ki_request("get", f"/partijen/{U1}", expand="digitaleAdressen,betrokkenen")
    body = {**PARTIJ_OUT, "_expand": {"digitaleAdressen": [DIGITAAL_ADRES], "betrokkenen": []}}
    ki_ok(req, body)


def test_openapi_core_accepts_an_expanded_klantcontact_list() -> None:
    req = ki_request("get", "/klantcontacten", expand="hadBetrokkenen", page="1", pageSize="5")
    item = {**KLANTCONTACT_OUT, "_expand": {"hadBetrokkenen": [BETROKKENE_OUT]}}
    ki_ok(req, {"count": 1, "next": None, "previous": None, "results": [item]})


def test_openapi_core_refuses_an_unknown_expand() -> None:
    req = ki_request("get", f"/partijen/{U1}", expand="partijIdentificatoren")
    assert request_errors(KLANTINTERACTIES, req)


def test_openapi_core_accepts_maak_klantcontact() -> None:
    body = {
        "klantcontact": KLANTCONTACT_IN,
        "betrokkene": BETROKKENE_IN,
        "onderwerpobject": ONDERWERPOBJECT_IN,
    }
    out = {
        "klantcontact": KLANTCONTACT_OUT,
        "betrokkene": BETROKKENE_OUT,
        "onderwerpobject": ONDERWERPOBJECT_OUT,
    }
    ki_ok(ki_request("post", "/maak-klantcontact", body), out, 201)


def test_openapi_core_refuses_maak_klantcontact_without_taal() -> None:
    klantcontact = {k: v for k, v in KLANTCONTACT_IN.items() if k != "taal"}
    req = ki_request("post", "/maak-klantcontact", {"klantcontact": klantcontact})
    assert request_errors(KLANTINTERACTIES, req)


def test_openapi_core_accepts_null_for_a_nullable_reference_only() -> None:
    ki_ok(
        ki_request(
            "post",
            "/betrokkenen",
            {**BETROKKENE_IN, "wasPartij": None, "hadKlantcontact": {"uuid": U1}},
        )
    )
    wrong = {**BETROKKENE_IN, "wasPartij": "partij 1", "hadKlantcontact": {"uuid": U1}}
    assert request_errors(KLANTINTERACTIES, ki_request("post", "/betrokkenen", wrong))


def test_openapi_core_accepts_a_digitaal_adres_and_an_interne_taak() -> None:
    ki_ok(ki_request("get", f"/digitaleadressen/{U2}"), DIGITAAL_ADRES)
    taak = {
        "gevraagdeHandeling": "call back",
        "aanleidinggevendKlantcontact": {"uuid": U1},
        "toegewezenAanActoren": [{"uuid": U1}],
        "status": "te_verwerken",
    }
    out = {
        **taak,
        **ref("internetaken", U2),
        "nummer": None,
        "referentienummer": None,
        "aanleidinggevendKlantcontact": ref("klantcontacten"),
        "toegewezenAanActor": ref("actoren"),
        "toegewezenAanActoren": [ref("actoren")],
        "toelichting": "",
        "toegewezenOp": "2024-01-01T12:00:00Z",
        "afgehandeldOp": None,
    }
    ki_ok(ki_request("post", "/internetaken", taak), out, 201)


def test_openapi_core_accepts_both_answers_of_an_onderwerpobject_delete() -> None:
    ki_ok(ki_request("delete", f"/onderwerpobjecten/{U1}"), None, 204)
    kept = {"behouden": [f"{BASE}{KI}/klantcontacten/{U2}"]}
    ki_ok(ki_request("delete", f"/onderwerpobjecten/{U1}", cascade="true"), kept)


def test_openapi_core_accepts_klantinteracties_problems() -> None:
    media = "application/problem+json"
    invalid = problem(400, "invalid", invalidParams=INVALID_PARAMS)
    ki_ok(ki_request("post", "/klantcontacten", KLANTCONTACT_IN), invalid, 400, media)
    ki_ok(ki_request("get", "/partijen", page="99"), problem(404, "not_found"), 404, media)
    ki_ok(ki_request("get", f"/actoren/{U1}"), problem(401, "not_authenticated"), 401, media)
    no_params = problem(400, "invalid")
    req = ki_request("post", "/klantcontacten", KLANTCONTACT_IN)
    assert response_errors(KLANTINTERACTIES, req, response(no_params, 400, media, "0.9.0"))
