"""Generated checks judging responses the way other products legitimately answer."""

from __future__ import annotations

import json

import requests

from klanten_conformance import apis
from klanten_conformance.generated.checks import (
    Exchange,
    api_version,
    unknown_parameter_handled,
    unknown_parents_list_empty,
)
from klanten_conformance.generated.engine import schema_of
from klanten_conformance.generated.probes import Probe, probes_of
from klanten_conformance.oas import operations


def _exchange(
    status: int,
    headers: dict[str, str],
    *,
    body: object = None,
    url: str = "http://127.0.0.1/klanten/api/v1/klanten/x",
    request_headers: dict[str, str] | None = None,
    operation_id: str = "klant_read",
    probe: Probe | None = None,
) -> Exchange:
    """An exchange of the Klanten API as a product answered it (a GET of ``url``)."""
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    if body is not None:
        response._content = json.dumps(body).encode()
    response.request = requests.Request("GET", url, headers=request_headers).prepare()
    return Exchange(
        None, response, {}, True, operation_id, apis.get("klanten").spec, "", probe=probe
    )


def _conditional(status: int, headers: dict[str, str]) -> Exchange:
    return _exchange(status, headers, request_headers={"If-None-Match": '"a"'})


def test_a_304_without_api_version_is_not_judged() -> None:
    """Django's conditional GET (used through vng-api-common) answers 304 without the API's
    own headers: OAS-06 does not judge a 304, and still judges every other response."""
    assert api_version(_conditional(304, {"ETag": '"a"'})) is None
    assert api_version(_conditional(200, {"ETag": '"a"'})) == ["no API-version header"]
    assert api_version(_conditional(200, {"API-version": "v1"})) == ["API-version 'v1'"]
    assert api_version(_conditional(200, {"API-version": "1.0.0"})) == []


def _unknown_probe_answer(status: int, body: object) -> list[str] | None:
    probe = Probe(
        "unknown", "filters", "u=1", (200, 400), parameter="u", value="1", baseline_status=200
    )
    exchange = _exchange(
        status,
        {"Content-Type": "application/problem+json"},
        body=body,
        url="http://127.0.0.1/x?u=1",
        operation_id="klant_list",
        probe=probe,
    )
    return unknown_parameter_handled(exchange)


def test_an_unknown_parameter_refused_as_a_whole_query_passes() -> None:
    """vng-api-common refuses a query parameter the document does not declare with 400,
    invalidParams ``nonFieldErrors``/``unknown-parameters``: the query as a whole, not the
    parameter by name. That passes; a 400 naming another parameter still fails."""
    general = {"invalidParams": [{"name": "nonFieldErrors", "code": "unknown-parameters"}]}
    assert _unknown_probe_answer(400, general) == []
    named = {"invalidParams": [{"name": "u", "code": "unknown"}]}
    assert _unknown_probe_answer(400, named) == []
    other = {"invalidParams": [{"name": "page", "code": "invalid"}]}
    assert _unknown_probe_answer(400, other)
    mixed = {"invalidParams": [*general["invalidParams"], *other["invalidParams"]]}
    assert _unknown_probe_answer(400, mixed)
    assert _unknown_probe_answer(400, {"invalidParams": []})


def _operation(api: str, operation_id: str):
    definition = apis.get(api)
    route, method = operations(definition.spec)[operation_id]
    return schema_of(definition.spec)[route][method]


def test_the_list_under_an_unknown_parent_may_be_empty_where_no_404_is_documented() -> None:
    """The documents give audittrail_list no 404, and vng-api-common answers the audit trail
    of an unknown parent with an empty list: the probe allows 200 there (read: still 404)."""
    for api, parent in (("klanten", "klant_uuid"), ("contactmomenten", "contactmoment_uuid")):
        listing = [p for p in probes_of(_operation(api, "audittrail_list")) if p.kind == "path"]
        assert listing and all(p.parameter == parent for p in listing)
        allowed = {p.value == "not-a-uuid": tuple(p.allowed) for p in listing}
        assert allowed == {False: (200, 404), True: (404,)}
        read = probes_of(_operation(api, "audittrail_read"))
        assert all(tuple(p.allowed) == (404,) for p in read if p.parameter == parent)


def _sub_resource_answer(status: int, body: object, allowed: tuple[int, ...]) -> object:
    probe = Probe("path", "sub-resources", "klant_uuid unknown", allowed, parameter="klant_uuid")
    exchange = _exchange(
        status,
        {"Content-Type": "application/json"},
        body=body,
        url="http://127.0.0.1/klanten/x/audittrail",
        operation_id="audittrail_list",
        probe=probe,
    )
    return unknown_parents_list_empty(exchange)


def test_the_list_under_an_unknown_parent_must_then_be_empty() -> None:
    assert _sub_resource_answer(200, [], (200, 404)) == []
    assert _sub_resource_answer(200, [{"uuid": "a"}], (200, 404)) == [
        "klant_uuid unknown: HTTP 200 with 1 item(s)"
    ]
    assert _sub_resource_answer(200, {"detail": "x"}, (200, 404))
    assert _sub_resource_answer(404, {"code": "not_found"}, (200, 404)) is None
    assert _sub_resource_answer(200, [{"uuid": "a"}], (404,)) is None  # the status check's
