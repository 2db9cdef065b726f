"""The Klantinteracties suite accepts what Open Klant 2.x does where the rules allow it.

Each test puts the reference server behind a proxy speaking one habit of Open Klant
(maykinmedia/open-klant, src/openklant/components/klantinteracties) that the rule under test
allows, runs the rule's checks through it and requires them to pass; it also requires that
the proxy rewrote at least one answer, so the alternative was exercised.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from klanten_conformance.generated.checks import names_parameter
from tests.dialects.conftest import KI_BASE, TOKEN, run_ki, verdict
from tests.dialects.proxy import Answer, dialect_proxy

pytestmark = pytest.mark.slow

EMPTY_PAGE = {"count": 0, "next": None, "previous": None, "results": []}


def _refused_only_for(answer: Answer, parameters: set[str]) -> bool:
    """A 400 whose invalidParams all name one of ``parameters`` (query parameters)."""
    body = answer.json()
    params = body.get("invalidParams") if isinstance(body, dict) else None
    names = [str(p.get("name")) for p in params or [] if isinstance(p, dict)]
    return (
        answer.status == 400
        and bool(names)
        and all(any(names_parameter(n, p) for p in parameters) for n in names)
    )


def uri_filter_misses(answer: Answer) -> bool:
    """Open Klant's URL filters (a Django URLField, then the uuid at the end of the path)
    answer a value that is no URL with an empty page instead of a 400: a list refused only
    for such values is answered so."""
    broken = {k for k, v in answer.query if k.endswith("__url") and "://" not in v}
    if answer.method == "GET" and broken and _refused_only_for(answer, broken):
        answer.replace_json(200, EMPTY_PAGE)
        return True
    return False


def _run_through(reference_server: str, dialect, rule: str, tmp_path: Path, shown: str = ""):
    """Run ``rule`` through a proxy speaking ``dialect``; ``shown``: a request (path and
    query under the API root) first sent through it, which the dialect must rewrite."""
    with dialect_proxy(reference_server, dialect) as proxy:
        if shown:
            response = requests.get(
                proxy.url + KI_BASE + shown,
                headers={"Authorization": f"Token {TOKEN}"},
                timeout=30,
            )
            assert proxy.rewritten, f"the dialect left {shown} as it was: {response.text}"
        result = run_ki(proxy.url + KI_BASE, "--rule", rule, cwd=tmp_path)
    return result, proxy.rewritten


def test_an_invalid_uri_filter_value_may_match_nothing(reference_server, tmp_path) -> None:
    """KI-OAS-09 holds invalid values of enum, uuid, boolean and date filters to a 400; a uri
    filter given no URL may answer an empty page, as Open Klant does."""
    result, _ = _run_through(
        reference_server,
        uri_filter_misses,
        "KI-OAS-09",
        tmp_path,
        shown="/betrokkenen?hadKlantcontact__url=no-scheme/at-all",
    )
    assert verdict(result.stdout, "KI-OAS-09") == "pass", result.stdout[-5000:]
