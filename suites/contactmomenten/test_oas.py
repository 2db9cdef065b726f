"""CM-OAS: the Contactmomenten API implements its OpenAPI document.

Abstract test: every operation of specs/contactmomenten-1.0.yaml, driven by schemathesis from
the document (the generated class of klanten_conformance.generated.oas_class: generated cases
per operation judged per aspect, one valid request per operation, the published document),
plus the checks specific to this API: pagination of the three lists and the audit trail as a
sub-resource of its own contactmoment. Every aspect is judged under CM-OAS, except the media
type of error responses (CM-OAS-MEDIA, a SHOULD).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests

from klanten_conformance import checks
from klanten_conformance.apis.contactmomenten import ContactmomentenClient
from klanten_conformance.generated.oas_class import oas_class
from klanten_conformance.testdata import random_rsin

globals().update(oas_class("contactmomenten"))

pytestmark = pytest.mark.creates_data

#: more resources than this on one page: the target's page is too big to walk here
CAP = 200


def _page(response: requests.Response) -> dict:
    page = checks.expect_status("CM-OAS", response, 200, what="a page of the list")
    checks.expect_true(
        "CM-OAS",
        isinstance(page, dict) and {"count", "next", "previous", "results"} <= page.keys(),
        "a page with count, next, previous and results",
        json.dumps(page)[:300] if page is not None else "no JSON body",
        response,
    )
    return page


def _walk(client: ContactmomentenClient, first: requests.Response, made: set[str]) -> list[str]:
    """Follow `next` from the first page; the urls of every page, in order.

    The pages are of a filtered list: a resource on them that the check did not make means
    the filter is ignored (CM-FILTER-01's finding), and the pages cannot be judged.
    """
    page = _page(first)
    seen = [r.get("url") for r in page["results"]]
    response, pages = first, 1
    while page["next"]:
        if pages > len(made) + 1:
            checks.fail("CM-OAS", "`next` ends after the last page", "it keeps going", response)
        response = client.get(page["next"])
        page = _page(response)
        pages += 1
        checks.expect_true(
            "CM-OAS", bool(page["previous"]), "`previous` on page 2 and later", "null", response
        )
        seen.extend(r.get("url") for r in page["results"])
    foreign = [url for url in seen if url not in made]
    if foreign:
        raise checks.Blocked(
            "listing only the resources of the filter",
            f"{len(foreign)} other resource(s) listed, such as {foreign[0]}",
            ["CM-FILTER-01"],
            checks.evidence_of(first),
        )
    checks.expect_true(
        "CM-OAS", pages > 1, f"`next` on the first page of {len(made)}", "`next` is null", first
    )
    return seen


@pytest.mark.rule("CM-OAS")
@pytest.mark.parametrize("resource", ["contactmoment", "klantcontactmoment"])
def test_lists_are_paginated(contactmomenten: ContactmomentenClient, resource: str) -> None:
    """CM-OAS: the lists page with count/next/previous/results and `next` walks all pages.

    Method: create contactmomenten of one fresh bronorganisatie (for the klantcontactmoment
    list: klantcontactmomenten of one contactmoment) until the filtered list has more than
    one page (batches of 5, up to 200); follow `next` from the first page and expect every
    created resource exactly once, `previous` on every later page and `next` null on the
    last. The objectcontactmoment list is paginated by the same envelope and judged on it
    by the generated requests.
    """
    created: set[str] = set()
    if resource == "contactmoment":
        bron = random_rsin()
        filters = {"bronorganisatie": bron}

        def one() -> str:
            return contactmomenten.contactmoment(bronorganisatie=bron)["url"]
    else:
        moment = contactmomenten.contactmoment()["url"]
        filters = {"contactmoment": moment}

        def one() -> str:
            return contactmomenten.klantcontactmoment(moment)["url"]

    batch = 5
    while True:
        created.update(one() for _ in range(batch))
        first = contactmomenten.list(resource, **filters)
        page = _page(first)
        if page["count"] > len(page["results"]) or page["next"]:
            break
        if len(created) >= CAP:
            pytest.skip(f"the target shows more than {CAP} {resource}en on one page")
        batch = min(2 * batch, CAP - len(created))
    seen = _walk(contactmomenten, first, created)
    checks.expect_equal(
        "CM-OAS", sorted(seen), sorted(created), "the resources on all pages, each once", first
    )


@pytest.mark.rule("CM-OAS")
def test_audittrail_shows_only_its_own_contactmoment(
    contactmomenten: ContactmomentenClient,
) -> None:
    """CM-OAS: the audit trail of a contactmoment lists and reads only its own entries.

    Method: create contactmomenten A and B; A's audit trail holds none of B's entries; B's
    entry read under A's path → 404; the audit trail of a malformed contactmoment id → 404
    with a problem body; of an unknown contactmoment uuid → the same, or 200 with an empty
    list (the document gives audittrail_list no 404).
    """
    one = contactmomenten.contactmoment()["url"]
    other = contactmomenten.contactmoment()["url"]
    theirs = contactmomenten.audittrail(other, what="reading the audit trail of B")
    listed = contactmomenten.get(f"{one}/audittrail")
    entries: Any = checks.expect_status("CM-OAS", listed, 200, what="the audit trail of A")
    their_uuids = {e.get("uuid") for e in theirs}
    foreign = [
        e.get("uuid")
        for e in (entries if isinstance(entries, list) else [])
        if isinstance(e, dict)
        and (e.get("uuid") in their_uuids or e.get("hoofdObject") not in (None, one))
    ]
    checks.expect_true(
        "CM-OAS",
        not foreign,
        "the audit trail lists only the contactmoment's own entries",
        f"entries of other contactmomenten: {foreign}",
        listed,
    )
    crossed = contactmomenten.get(f"{one}/audittrail/{theirs[0]['uuid']}")
    checks.expect_refused("CM-OAS", crossed, (404,), what="B's entry under A's path")
    base = one.rstrip("/").rsplit("/", 1)[0]
    unknown = (("an unknown contactmoment", str(uuid.uuid4())), ("a malformed id", "x-1"))
    for name, parent in unknown:
        response = contactmomenten.get(f"{base}/{parent}/audittrail")
        what = f"the audit trail of {name}"
        if parent == "x-1":
            checks.expect_refused("CM-OAS", response, (404,), what=what)
        else:  # the document gives audittrail_list no 404: an empty list answers it too
            checks.expect_missing_or_empty("CM-OAS", response, what=what)


# robust: a body that is not a JSON object --------------------------------------------------

#: the operations with a request body: a create (method and resource) or a change (method)
WITH_BODY = (
    "POST contactmoment",
    "PUT",
    "PATCH",
    "POST klantcontactmoment",
    "POST objectcontactmoment",
)


@pytest.mark.rule("CM-OAS")
@pytest.mark.parametrize("operation", WITH_BODY)
def test_body_that_is_no_object_is_refused(
    contactmomenten: ContactmomentenClient, operation: str
) -> None:
    """CM-OAS: a JSON request body that is not an object is refused with a 4xx, never a 5xx.

    Method: send an array, a string, a number and null as the JSON body of each operation
    that takes a body (creating the contactmoment a PUT or PATCH goes to first) → 4xx with a
    problem body each time.
    """
    method, _, resource = operation.partition(" ")
    url = resource and f"{resource}en"
    if not resource:
        url = contactmomenten.contactmoment()["url"]
    for body in ([], "contactmoment", 1, None):
        response = contactmomenten.request(method, url, json=body, validate=False)
        if response.status_code == 201:
            contactmomenten.register_created(response)
        checks.expect_refused("CM-OAS", response, what=f"{operation} with {body!r} as body")
