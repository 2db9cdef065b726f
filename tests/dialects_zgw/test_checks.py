"""Generated checks judging responses the way other products legitimately answer."""

from __future__ import annotations

import json

import requests

from klanten_conformance import apis
from klanten_conformance.generated.checks import Exchange, api_version, unknown_parameter_handled
from klanten_conformance.generated.probes import Probe


def _exchange(status: int, headers: dict[str, str]) -> Exchange:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    response.request = requests.Request(
        "GET", "http://127.0.0.1/klanten/api/v1/klanten/x", headers={"If-None-Match": '"a"'}
    ).prepare()
    return Exchange(None, response, {}, True, "klant_read", apis.get("klanten").spec, "")


def test_a_304_without_api_version_is_not_judged() -> None:
    """Django's conditional GET (used through vng-api-common) answers 304 without the API's
    own headers: OAS-06 does not judge a 304, and still judges every other response."""
    assert api_version(_exchange(304, {"ETag": '"a"'})) is None
    assert api_version(_exchange(200, {"ETag": '"a"'})) == ["no API-version header"]
    assert api_version(_exchange(200, {"API-version": "v1"})) == ["API-version 'v1'"]
    assert api_version(_exchange(200, {"API-version": "1.0.0"})) == []


def _unknown_probe_answer(status: int, body: object) -> list[str] | None:
    probe = Probe(
        "unknown", "filters", "u=1", (200, 400), parameter="u", value="1", baseline_status=200
    )
    response = requests.Response()
    response.status_code = status
    response.headers["Content-Type"] = "application/problem+json"
    response._content = json.dumps(body).encode()
    response.request = requests.Request("GET", "http://127.0.0.1/x?u=1").prepare()
    exchange = Exchange(
        None, response, {}, True, "klant_list", apis.get("klanten").spec, "", probe=probe
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
