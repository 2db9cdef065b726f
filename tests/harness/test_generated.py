"""Unit tests of the generated class's parts that need no target: the deterministic probes,
the choice of coverage cases per depth, the dedup of findings and the curl reproduction."""

from __future__ import annotations

import shlex
from types import SimpleNamespace

import requests

from klanten_conformance import apis
from klanten_conformance.generated.engine import (
    Finding,
    OperationRun,
    schema_of,
    select_coverage,
)
from klanten_conformance.generated.probes import BODY_PROBES, probes_of
from klanten_conformance.http import curl
from klanten_conformance.oas import operations

SECRET = "s3cr3t-value-never-shown"


def _operation(operation_id: str):
    definition = apis.get("klanten")
    route, method = operations(definition.spec)[operation_id]
    return schema_of(definition.spec)[route][method]


def test_probes_per_operation() -> None:
    create = list(probes_of(_operation("klant_create")))
    assert [p.name for p in create] == [p.name for p in BODY_PROBES]
    read = {(p.aspect, p.parameter) for p in probes_of(_operation("audittrail_read"))}
    assert read == {("sub-resources", "klant_uuid"), ("not-found", "uuid")}
    update = [p for p in probes_of(_operation("klant_update")) if p.kind == "path"]
    assert update and all(p.allowed == (400, 404) for p in update)
    listing = list(probes_of(_operation("klant_list")))
    assert listing[0].aspect == "pagination"
    filters = {p.parameter: p.value for p in listing[1:] if p.aspect == "filters"}
    assert "subjectType" not in filters  # an enum value may match
    assert filters["emailadres"].startswith("nothing-")  # a plain string filter
    assert filters["subject"].startswith("https://")


def _case(mode: str, scenario: str, location: str | None = None) -> SimpleNamespace:
    data = SimpleNamespace(scenario=scenario, location=location, parameter=None)
    meta = SimpleNamespace(generation=SimpleNamespace(mode=mode), phase=SimpleNamespace(data=data))
    return SimpleNamespace(meta=meta)


def test_coverage_cases_scale_with_the_depth() -> None:
    cases = [
        _case("negative", "incorrect_type", "/properties/a/type"),
        _case("negative", "incorrect_type", "/properties/a/type"),
        _case("negative", "incorrect_type", "/properties/b/type"),
        _case("positive", "valid_object"),
    ]
    assert len(select_coverage(cases, "deep")) == 4
    assert len(select_coverage(cases, "default")) == 3
    assert len(select_coverage(cases, "quick")) == 2


def test_a_failure_is_kept_once_and_counted() -> None:
    run = OperationRun("klant_create")
    key = ("no_server_error", 500, "Server error")
    run.add(Finding("OAS-05", "no 5xx", "Server error", "evidence", key))
    assert run.repeat("OAS-05", key)
    assert not run.repeat("OAS-05", ("no_server_error", 502, "Server error"))
    assert run.counts["OAS-05"] == 2
    assert [f.times for f in run.findings["OAS-05"]] == [2]


def test_curl_reproduces_the_request_without_secrets() -> None:
    request = requests.Request(
        "PUT",
        "http://target/klanten/1",
        headers={"Authorization": "Bearer abc", "Content-Type": "application/json"},
        data=f'{{"note": "{SECRET}"}}'.encode(),
    ).prepare()
    line = curl(request, [SECRET])
    assert SECRET not in line and "abc" not in line
    words = shlex.split(line)
    assert words[:4] == ["curl", "-X", "PUT", "http://target/klanten/1"]
    assert "Authorization: Bearer <redacted>" in words
    assert words[words.index("--data-raw") + 1] == '{"note": "<redacted>"}'
    latin = requests.Request("POST", "http://t/k", data="é".encode("latin-1")).prepare()
    assert "\\xe9" in curl(latin)
