"""Unit tests of the generated class's parts that need no target: the deterministic probes,
the choice of coverage cases per depth, the dedup of findings and the curl reproduction."""

from __future__ import annotations

import dataclasses
import shlex
from types import SimpleNamespace

import requests

from klanten_conformance import apis
from klanten_conformance.generated.checks import (
    Exchange,
    invalid_filter_refused,
    list_count,
    names_parameter,
    other_parents_children_hidden,
    unknown_parameter_handled,
)
from klanten_conformance.generated.engine import (
    Finding,
    OperationRun,
    schema_of,
    select_coverage,
)
from klanten_conformance.generated.probes import (
    BODY_PROBES,
    UNKNOWN_PARAMETER,
    Probe,
    invalid_values,
    probes_of,
)
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
    assert read == {
        ("sub-resources", "klant_uuid"),
        ("not-found", "uuid"),
        ("filters", UNKNOWN_PARAMETER),
    }
    update = [p for p in probes_of(_operation("klant_update")) if p.kind == "path"]
    assert update and all(p.allowed == (400, 404) for p in update)
    listing = list(probes_of(_operation("klant_list")))
    assert listing[0].aspect == "pagination"
    filters = {p.parameter: p.value for p in listing[1:] if p.kind == "filter"}
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


def test_invalid_filter_probes_break_each_constraint() -> None:
    listing = [p for p in probes_of(_operation("klant_list")) if p.kind == "invalid"]
    assert {p.parameter: p.value for p in listing} == {
        "subject": "no-scheme/at-all",
        "subjectType": "not-one-of-the-values",
    }
    assert all(p.aspect == "filters" and p.allowed == (400,) for p in listing)
    # an unconstrained string filter, and the page, get none
    assert not invalid_values({"type": "string"})
    assert all(p.parameter != "page" for p in listing)


def test_invalid_values_are_invalid_for_their_constraint() -> None:
    import jsonschema

    schemas = [
        {"type": "string", "format": "uuid"},
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"},
        {"type": "string", "format": "uri"},
        {"type": "string", "format": "email"},
        {"type": "string", "enum": ["a", "not-one-of-the-values"]},
        {"type": "string", "pattern": "^[0-9]{9}$"},
        {"type": "string", "maxLength": 3},
    ]
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    for schema in schemas:
        found = invalid_values(schema)
        assert len(found) == 1, schema
        value = found[0][1]
        errors = list(jsonschema.Draft7Validator(schema, format_checker=checker).iter_errors(value))
        if schema.get("format") in ("uuid", "email"):
            # jsonschema checks these formats only with optional libraries: by hand
            assert "@" not in value if schema["format"] == "email" else "-" not in value[8:9]
        else:
            assert errors, (schema, value)
    assert invalid_values({"type": "string", "pattern": ".*"}) == []
    assert invalid_values({"type": "boolean"}) == [("a valid boolean", "neither")]
    assert invalid_values({"type": "integer"})[0][1] == "not-an-integer"
    assert invalid_values({"type": "array", "items": {"type": "string", "enum": ["a"]}}) == []


def test_invalid_filter_probes_only_of_the_kinds_a_rule_judges() -> None:
    """An API whose filter rule judges only some constraint kinds (KI-OAS-09: enum, uuid,
    boolean, date) gets probes of those kinds only; the default is every kind."""
    from klanten_conformance.apis.klantinteracties_generated import KlantinteractiesSteering

    kinds = KlantinteractiesSteering.invalid_filter_kinds
    assert invalid_values({"type": "string", "format": "uri"}, kinds) == []
    assert invalid_values({"type": "string", "format": "uuid"}, kinds) == [
        ("a valid uuid", "not-a-uuid")
    ]
    assert invalid_values({"type": "boolean"}, kinds) == [("a valid boolean", "neither")]
    assert invalid_values({"type": "string", "maxLength": 2}, kinds) == []
    assert invalid_values({"type": "string", "format": "uri"}) != []
    listing = [p for p in probes_of(_operation("klant_list"), {"enum"}) if p.kind == "invalid"]
    assert {p.parameter for p in listing} == {"subjectType"}


def test_unknown_parameter_probes_on_lists_and_reads_only() -> None:
    for operation_id in ("klant_list", "klant_read", "audittrail_list"):
        unknown = [p for p in probes_of(_operation(operation_id)) if p.kind == "unknown"]
        assert [(p.parameter, p.allowed, p.aspect) for p in unknown] == [
            (UNKNOWN_PARAMETER, (200, 400), "filters")
        ]
    for operation_id in ("klant_create", "klant_update", "klant_delete"):
        assert not [p for p in probes_of(_operation(operation_id)) if p.kind == "unknown"]


class _Response:
    """A response as the checks read it."""

    def __init__(self, status: int, body: object = None, media: str = "application/json") -> None:
        self.status_code = status
        self._body = body
        self.headers = {"content-type": media}

    def json(self) -> object:
        if self._body is None:
            raise ValueError("no JSON")
        return self._body


def _exchange(probe: Probe, status: int, body: object = None, media: str = "") -> Exchange:
    response = _Response(status, body, media or "application/json")
    return Exchange(None, response, {}, False, "op", apis.get("klanten").spec, "", probe=probe)


def _problem(*names: str) -> dict:
    return {"code": "invalid", "invalidParams": [{"name": n, "code": "invalid"} for n in names]}


def test_names_parameter_ignores_case_dots_underscores_and_lookups() -> None:
    assert names_parameter("adres__postcode", "adres__postcode")
    assert names_parameter("adres.postcode", "adres__postcode")
    assert names_parameter("adresPostcode", "adres__postcode")
    assert names_parameter("registratiedatum", "registratiedatum__gte")
    assert not names_parameter("adres", "adres__postcode")
    assert not names_parameter("nonFieldErrors", "subject")
    assert not names_parameter("subjectType", "subject")


def test_invalid_filter_check() -> None:
    probe = Probe("invalid", "filters", "subject=x", (400,), parameter="subject", value="x")
    assert invalid_filter_refused(_exchange(probe, 400, _problem("subject"))) == []
    assert invalid_filter_refused(_exchange(probe, 400, _problem("nonFieldErrors")))
    assert invalid_filter_refused(_exchange(probe, 400, None, "text/html"))
    ignored = invalid_filter_refused(_exchange(probe, 200, {"count": 3, "results": []}))
    assert ignored == ["subject=x: HTTP 200 with 3 result(s)"]
    assert invalid_filter_refused(_exchange(probe, 500, None, "text/html"))
    assert invalid_filter_refused(_exchange(probe, 405)) is None
    # the list refused without the filter too: the filter is not what is judged
    refused = dataclasses.replace(probe, baseline_status=403)
    assert invalid_filter_refused(_exchange(refused, 403, {"code": "x"})) is None
    other = Probe("filter", "filters", "subject=y", (200,), parameter="subject", value="y")
    assert invalid_filter_refused(_exchange(other, 200, {"count": 0, "results": []})) is None


def test_unknown_parameter_check() -> None:
    probe = Probe(
        "unknown", "filters", "u=1", (200, 400), parameter="u", value="1", baseline_status=200
    )
    probe = dataclasses.replace(probe, baseline=2)
    page = {"count": 2, "results": [{}, {}]}
    assert unknown_parameter_handled(_exchange(probe, 200, page)) == []
    assert unknown_parameter_handled(_exchange(probe, 400, _problem("u"))) == []
    assert unknown_parameter_handled(_exchange(probe, 400, _problem("page")))
    changed = unknown_parameter_handled(_exchange(probe, 200, {"count": 0, "results": []}))
    assert changed == ["u=1: HTTP 200 with a count of 0, 2 without the parameter"]
    assert unknown_parameter_handled(_exchange(probe, 500, None, "text/html"))
    assert unknown_parameter_handled(_exchange(probe, 200, None, "text/html"))
    read = Probe("unknown", "filters", "u=1", (200, 400), parameter="u", value="1")
    assert unknown_parameter_handled(_exchange(read, 200, {"url": "x"})) == []
    assert list_count([1, 2, 3]) == 3 and list_count({"url": "x"}) is None
    refused = dataclasses.replace(read, baseline_status=404)
    assert unknown_parameter_handled(_exchange(refused, 404, {"code": "x"})) is None


def test_other_parent_list_check() -> None:
    probe = Probe("other-parent", "sub-resources", "list", (200,), foreign=("a", "b"))
    assert other_parents_children_hidden(_exchange(probe, 200, [{"uuid": "c"}])) == []
    leaked = other_parents_children_hidden(_exchange(probe, 200, [{"uuid": "c"}, {"uuid": "b"}]))
    assert leaked == ["list: HTTP 200 with 1 child(ren) of the other (b)"]
    assert other_parents_children_hidden(_exchange(probe, 404, None)) is None
    read = Probe("other-parent", "sub-resources", "read", (404,))
    assert other_parents_children_hidden(_exchange(read, 200, {"uuid": "a"})) is None


def test_range_filters_get_no_matches_nothing_probe() -> None:
    # contactmoment_list filters registratiedatum by comparison (__lt, __gte, ...): a value
    # compares, so it may match; only the exact filter gets a "matches nothing" probe
    definition = apis.get("contactmomenten")
    route, method = operations(definition.spec)["contactmoment_list"]
    operation = schema_of(definition.spec)[route][method]
    matched = {p.parameter for p in probes_of(operation) if p.kind == "filter"}
    assert "registratiedatum" in matched
    assert not [name for name in matched if name.endswith(("__lt", "__lte", "__gt", "__gte"))]
