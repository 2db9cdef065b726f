"""Generated checks judging responses the way other products legitimately answer."""

from __future__ import annotations

import requests

from klanten_conformance import apis
from klanten_conformance.generated.checks import Exchange, api_version


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
