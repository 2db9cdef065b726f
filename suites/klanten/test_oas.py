"""Class `oas`: the implementation matches the standard's OpenAPI document.

Abstract test: every operation of specs/klanten-1.0.yaml, driven by schemathesis from the
document (positive and negative generated cases, ``--oas-examples`` per operation and mode),
plus hand-written checks of the operations' success paths (OAS-01), pagination (OAS-07) and
the document the target publishes (OAS-08). The generated cases run once per operation and
each rule is judged on its own, so a verdict names exactly the rule that is broken.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from klanten_conformance import checks
from klanten_conformance.fixtures import KlantenClient
from klanten_conformance.fuzz import Fuzzer, operations, success_statuses
from klanten_conformance.stubs import SubjectRegistry
from klanten_conformance.target import Target
from klanten_conformance.testdata import random_rsin

pytestmark = pytest.mark.creates_data

OPERATIONS = list(operations())
GENERATED_RULES = ("OAS-01", "OAS-02", "OAS-03", "OAS-04", "OAS-05", "OAS-06")
#: rules that only speak about error responses; a run without one is "not applicable"
ERROR_RULES = {"OAS-03", "OAS-04"}


@pytest.fixture(scope="module")
def fuzzer(
    klanten_target: Target, subject_registry: SubjectRegistry, pytestconfig: pytest.Config
) -> Iterator[Fuzzer]:
    """Generated cases per operation, run once and shared by the rule tests of this module."""
    client = KlantenClient(klanten_target, config=pytestconfig)
    fuzzer = Fuzzer(
        client,
        subject_registry,
        examples=int(pytestconfig.getoption("oas_examples", None) or 25),
        seed_value=pytestconfig.getoption("oas_seed", None),
    )
    try:
        yield fuzzer
    finally:
        fuzzer.close()
        client.cleanup()


def _generated(operation_id: str, rule: str) -> Any:
    return pytest.param(
        operation_id, rule, marks=pytest.mark.rule(rule), id=f"{operation_id}-{rule}"
    )


@pytest.mark.parametrize(
    ("operation_id", "rule"),
    [_generated(op, rule) for op in OPERATIONS for rule in GENERATED_RULES],
)
def test_generated_requests(fuzzer: Fuzzer, operation_id: str, rule: str) -> None:
    """OAS-01..06: the target answers generated requests as the OpenAPI document says.

    Method: send ``--oas-examples`` positive and as many negative schemathesis cases of the
    operation (valid token; end-user authentication matching the body's identification; our
    own klanten in path parameters) and judge every response under the rule:
    OAS-01 no positive case gets 404/405/501; OAS-02 documented status, and success
    responses conform (content type, headers, schema); OAS-03 error bodies are `Fout`
    (`ValidatieFout` for 400); OAS-04 errors are application/problem+json; OAS-05 negative
    cases get a 4xx and nothing gets a 5xx; OAS-06 every response has `API-version`.
    """
    run = fuzzer.run(operation_id)
    findings = run.findings.get(rule)
    if findings:
        first = findings[0]
        more = run.counts[rule] - 1
        received = first.received + (f" (and {more} more response(s))" if more else "")
        raise checks.ConformanceFailure(
            rule,
            f"{operation_id}: {first.expected}",
            f"{received}; {run.summary()}",
            first.evidence,
        )
    if not run.checked[rule]:
        what = "error response" if rule in ERROR_RULES else "generated request"
        pytest.skip(f"{rule}: no {what} of {operation_id} to judge ({run.summary()})")


# OAS-01: every operation answers a valid request with a documented success ----------------


def _send_valid(klanten: KlantenClient, operation_id: str) -> Any:
    """A hand-built valid request of the operation, on a klant of our own."""
    profile = klanten.profile
    if operation_id == "klant_create":
        return klanten.create(profile.zelfstandig())
    if operation_id == "klant_list":
        return klanten.list(klantnummer=profile.zelfstandig()["klantnummer"])
    klant = klanten.make("OAS-01", profile.zelfstandig(achternaam="Jansen"))
    url = klant["url"]
    if operation_id == "klant_read":
        return klanten.get(url)
    if operation_id == "klant_update":
        return klanten.put(url, profile.zelfstandig(achternaam="de Vries"))
    if operation_id == "klant_partial_update":
        return klanten.patch(url, {"achternaam": "Bakker"})
    if operation_id == "klant_delete":
        return klanten.delete(url)
    trail = klanten.get(f"{url}/audittrail")
    if operation_id == "audittrail_list":
        return trail
    entries = checks.expect_status("OAS-01", trail, 200, what="the audit trail to read from")
    uuid = entries[0]["uuid"] if isinstance(entries, list) and entries else "missing"
    return klanten.get(f"{url}/audittrail/{uuid}")


@pytest.mark.rule("OAS-01")
@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_operation_is_implemented(klanten: KlantenClient, operation_id: str) -> None:
    """OAS-01: each operation answers a valid request with a documented success status.

    Method: send one valid request of the operation (create, list, read, PUT, PATCH and
    DELETE of our own zelfstandige klant, its audit trail and one entry); expect the 2xx the
    document gives for the operation (never 404/405/501).
    """
    response = _send_valid(klanten, operation_id)
    wanted = sorted(success_statuses(operation_id))
    checks.expect_status("OAS-01", response, *wanted, what=f"{operation_id} on a valid request")


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
    A target that refuses the second klant of the niet-natuurlijk persoon fails KLOK01-C2
    here, not OAS-07: the pages cannot be built.
    """
    rsin = random_rsin()
    authn = klanten.authn_for(klanten.profile.aangehaakt("niet_natuurlijk_persoon", rsin))
    filters = {"subjectNietNatuurlijkPersoon__innNnpId": rsin}
    created: set[str] = set()
    batch, cap = 5, 300
    while True:
        for _ in range(batch):
            body = klanten.profile.aangehaakt("niet_natuurlijk_persoon", rsin)
            created.add(klanten.make("KLOK01-C2" if created else "OAS-07", body)["url"])
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


# OAS-08: the published document adds nothing ------------------------------------------------


def _published_document(target: Target) -> tuple[str, str] | None:
    for suffix in ("openapi.yaml", "openapi.json"):
        url = f"{target.klanten_url}/schema/{suffix}"
        try:
            response = requests.get(url, timeout=10)
        except requests.RequestException:
            continue
        if response.status_code == 200 and response.text.strip():
            return url, response.text
    return None


@pytest.mark.rule("OAS-08")
def test_published_document_adds_nothing(klanten_target: Target) -> None:
    """OAS-08: the OpenAPI document the target publishes declares nothing beyond the standard.

    Method: fetch `<base>/schema/openapi.yaml` (or `.json`); lint it against the standard's
    document and expect no LINT-COMPAT-EXTRA finding (extra path, method, parameter or
    property). Not applicable when the target publishes no document there.
    """
    from klanten_conformance.lint import Workspace, lint
    from klanten_conformance.lint.loader import parse
    from klanten_conformance.oas import SPEC_PATH

    published = _published_document(klanten_target)
    if published is None:
        pytest.skip("the target publishes no OpenAPI document at <base>/schema/openapi.yaml|json")
    url, text = published
    workspace = Workspace()
    source = parse(text, url, url)
    workspace.sources[url] = source
    findings = lint(workspace, source, workspace.load(str(SPEC_PATH)))
    extra = [f for f in findings if f.rule == "LINT-COMPAT-EXTRA"]
    if extra:
        listed = "; ".join(f"{f.pointer}: {f.message}" for f in extra[:10])
        checks.fail(
            "OAS-08",
            f"the document at {url} declares nothing beyond the standard",
            f"{len(extra)} LINT-COMPAT-EXTRA finding(s): {listed}",
        )
