"""Class `oas`: the implementation matches the standard's OpenAPI document.

Abstract test: every operation of specs/klanten-1.0.yaml, driven by schemathesis from the
document (the generated class of klanten_conformance.generated.oas_class: generated cases
per operation judged per rule, one valid request per operation, the published document),
plus the checks specific to this API: pagination of `klant_list` (OAS-07) and the audit trail
as a sub-resource of its klant (OAS-09). Each rule is judged on its own, so a verdict names
exactly the rule that is broken.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests

from klanten_conformance import checks
from klanten_conformance.apis.klanten import KlantenClient
from klanten_conformance.generated.oas_class import oas_class
from klanten_conformance.testdata import random_rsin

globals().update(oas_class("klanten"))

pytestmark = pytest.mark.creates_data


# OAS-07: pagination -------------------------------------------------------------------------


def _page_shape(page: Any, response: requests.Response) -> dict:
    checks.expect_true(
        "OAS-07",
        isinstance(page, dict) and {"count", "next", "previous", "results"} <= page.keys(),
        "a page with count, next, previous and results",
        f"{json.dumps(page)[:300] if page is not None else 'no JSON body'}",
        response,
    )
    return page


@pytest.mark.rule("OAS-07")
def test_lists_are_paginated(klanten: KlantenClient) -> None:
    """OAS-07: `klant_list` pages with count/next/previous/results and `next` walks all pages.

    Method: create klanten of one niet-natuurlijk persoon (KLOK01-C2 allows many), visible to
    its authenticated end user, until the filtered list has more than one page (the page size
    is learnt from the first page); follow `next` from the first page and expect every
    created klant exactly once, `previous` on every later page and `next` null on the last.
    A target that refuses a second klant of the niet-natuurlijk persoon blocks this check
    (see KLOK01-C2): the pages cannot be built.
    """
    rsin = random_rsin()
    authn = klanten.authn_for(klanten.profile.aangehaakt("niet_natuurlijk_persoon", rsin))
    filters = {"subjectNietNatuurlijkPersoon__innNnpId": rsin}
    created: set[str] = set()
    batch, cap = 5, 300
    while True:
        for _ in range(batch):
            body = klanten.profile.aangehaakt("niet_natuurlijk_persoon", rsin)
            what = "creating klanten of one niet-natuurlijk persoon"
            created.add(klanten.make(body, what=what)["url"])
        first = klanten.list(authn=authn, **filters)
        page = _page_shape(checks.expect_status("OAS-07", first, 200), first)
        if page["count"] > len(page["results"]) or page["next"]:
            break
        if len(created) >= cap:
            pytest.skip(f"the target shows more than {cap} klanten on one page")
        batch = min(2 * batch, cap - len(created))
    seen: list[str] = [r.get("url") for r in page["results"]]
    response, pages = first, 1
    while page["next"]:
        if pages > len(created) + 1:
            checks.fail("OAS-07", "`next` ends after the last page", "it keeps going", response)
        response = klanten.get(page["next"], authn=authn)
        page = _page_shape(checks.expect_status("OAS-07", response, 200), response)
        pages += 1
        checks.expect_true(
            "OAS-07", bool(page["previous"]), "`previous` on page 2 and later", "null", response
        )
        seen.extend(r.get("url") for r in page["results"])
    checks.expect_true(
        "OAS-07",
        pages > 1,
        f"`next` on the first page of {len(created)} klanten",
        "`next` is null",
        first,
    )
    checks.expect_equal(
        "OAS-07", sorted(seen), sorted(created), "the klanten on all pages, each once", response
    )


# OAS-09: a sub-resource belongs to its parent -----------------------------------------------


def _trail(klanten: KlantenClient, url: str) -> list[dict]:
    return klanten.audit_entries(url, "reading the audit trail of a klant")


@pytest.mark.rule("OAS-09")
def test_audittrail_shows_only_its_own_klant(klanten: KlantenClient) -> None:
    """OAS-09: the audit trail of a klant lists and reads only that klant's entries.

    Method: create two klanten A and B; A's audit trail holds none of B's entries; B's entry
    read under A's path → 404; the audit trail of a malformed klant id → 404 with a problem
    body; of an unknown klant uuid → the same, or 200 with an empty list (the document gives
    audittrail_list no 404); never a 200 with someone else's data.
    """
    one = klanten.klant(purpose="the first klant")
    other = klanten.klant(purpose="a second klant")
    theirs = _trail(klanten, other.url)
    listed = klanten.get(f"{one.url}/audittrail")
    entries = checks.expect_status("OAS-09", listed, 200, what="the audit trail of the klant")
    their_uuids = {e.get("uuid") for e in theirs}
    foreign = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        if entry.get("uuid") in their_uuids or entry.get("hoofdObject") not in (None, one.url):
            foreign.append(entry.get("uuid"))
    checks.expect_true(
        "OAS-09",
        not foreign,
        "the audit trail lists only the klant's own entries",
        f"entries of other klanten: {foreign}",
        listed,
    )
    crossed = klanten.get(f"{one.url}/audittrail/{theirs[0]['uuid']}")
    if crossed.status_code in (405, 501):  # the read is missing: nothing to leak through
        raise checks.Blocked(
            "reading an audittrail entry", f"HTTP {crossed.status_code}", ["OAS-01"],
            checks.evidence_of(crossed),
        )
    checks.expect_refused(
        "OAS-09", crossed, (404,), what="another klant's entry under this klant's path"
    )
    base = one.url.rstrip("/").rsplit("/", 1)[0]
    for name, parent in (("an unknown klant", str(uuid.uuid4())), ("a malformed id", "x-1")):
        response = klanten.get(f"{base}/{parent}/audittrail")
        what = f"the audit trail of {name}"
        if parent == "x-1":
            checks.expect_refused("OAS-09", response, (404,), what=what)
        else:  # the document gives audittrail_list no 404: an empty list answers it too
            checks.expect_missing_or_empty("OAS-09", response, what=what)
