"""Run-time behaviour of the Contactmomenten API the OpenAPI document cannot express.

cm-001..cm-006 (the standard's own numbering), HTTP caching (CM-CACHE-*), the audit trail
(CM-AUDIT-01), the life cycle of the three resources (CM-LIFE-*) and filtering
(CM-FILTER-01). References outside the API resolve through the harness's stubs (see
klanten_conformance.apis.contactmomenten).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from klanten_conformance import checks
from klanten_conformance.apis.contactmomenten import ROLLEN, ContactmomentenClient, tag
from klanten_conformance.testdata import random_rsin

pytestmark = pytest.mark.creates_data

RESOURCES = ("contactmoment", "klantcontactmoment", "objectcontactmoment")


def _urls(response: requests.Response) -> list[str]:
    body = checks.body_of(response)
    results = body.get("results", []) if isinstance(body, dict) else []
    return [r.get("url") for r in results if isinstance(r, dict)]


def _unknown(client: ContactmomentenClient, resource: str = "contactmoment") -> str:
    """The URL of a resource of this API that does not exist."""
    return client.http.url(f"{resource}en/{uuid.uuid4()}")


def _deleted_contactmoment(client: ContactmomentenClient) -> str:
    """The URL of a contactmoment that existed and was deleted."""
    url = client.contactmoment(what="creating the contactmoment that is then deleted")["url"]
    with client.arranging("deleting the contactmoment", "CM-LIFE-01"):
        checks.expect_status("CM-LIFE-01", client.delete(url), 204)
    return url


def _change(
    client: ContactmomentenClient, method: str, url: str, fields: dict[str, Any]
) -> requests.Response:
    """PUT (a whole contactmoment with ``fields``) or PATCH (only ``fields``)."""
    if method == "PUT":
        return client.put(url, client.contactmoment_body(**fields))
    return client.patch(url, fields)


def _changed(client: ContactmomentenClient, method: str, url: str, fields: dict) -> dict:
    """A change the check relies on (blocked, see CM-LIFE-02, when it is refused)."""
    with client.arranging(f"changing the contactmoment with {method}", "CM-LIFE-02"):
        return checks.expect_status("CM-LIFE-02", _change(client, method, url, fields), 200)


# cm-001 --------------------------------------------------------------------------------------


@pytest.mark.rule("cm-001")
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
@pytest.mark.parametrize("missing", ["deleted", "never made"])
def test_vorig_contactmoment_must_exist(
    contactmomenten: ContactmomentenClient, method: str, missing: str
) -> None:
    """cm-001: a `vorigContactmoment` that does not exist is refused with 400.

    Method: send a contactmoment whose `vorigContactmoment` is a contactmoment that was
    deleted, or an unknown uuid under the API's own collection, with POST (expect 400 on
    `vorigContactmoment`, and nothing stored under the unique bronorganisatie of the body)
    or with PUT/PATCH of an existing contactmoment (expect 400, and the contactmoment still
    without a `vorigContactmoment`).
    """
    gone = (
        _deleted_contactmoment(contactmomenten)
        if missing == "deleted"
        else _unknown(contactmomenten)
    )
    if method == "POST":
        bron = random_rsin()
        body = contactmomenten.contactmoment_body(bronorganisatie=bron, vorigContactmoment=gone)
        response = contactmomenten.create("contactmoment", body)
        checks.expect_invalid_param("cm-001", response, "vorigContactmoment", what="POST")
        found = contactmomenten.list("contactmoment", bronorganisatie=bron)
        checks.expect_equal("cm-001", _urls(found), [], "contactmomenten stored anyway", found)
        return
    url = contactmomenten.contactmoment()["url"]
    response = _change(contactmomenten, method, url, {"vorigContactmoment": gone})
    checks.expect_invalid_param("cm-001", response, "vorigContactmoment", what=method)
    stored = contactmomenten.read_back(url)
    checks.expect_true(
        "cm-001",
        not stored.get("vorigContactmoment"),
        "the contactmoment unchanged (no vorigContactmoment)",
        f"vorigContactmoment = {stored.get('vorigContactmoment')!r}",
        contactmomenten.last,
    )


@pytest.mark.rule("cm-001")
def test_existing_vorig_contactmoment_is_accepted(contactmomenten: ContactmomentenClient) -> None:
    """cm-001: a `vorigContactmoment` that exists is accepted.

    Method: create A, then POST B with `vorigContactmoment` A → 201 with that value.
    """
    first = contactmomenten.contactmoment()["url"]
    body = contactmomenten.contactmoment_body(vorigContactmoment=first)
    response = contactmomenten.create("contactmoment", body)
    made = checks.expect_status("cm-001", response, 201, what="an existing vorigContactmoment")
    checks.expect_equal(
        "cm-001", made.get("vorigContactmoment"), first, "vorigContactmoment", response
    )


# cm-002 --------------------------------------------------------------------------------------


def _volgend(client: ContactmomentenClient, url: str, expected: str | None, what: str) -> None:
    stored = client.read_back(url, what=f"reading {what} back")
    checks.expect_equal(
        "cm-002",
        stored.get("volgendContactmoment") or None,
        expected,
        f"volgendContactmoment of {what}",
        client.last,
    )


@pytest.mark.rule("cm-002")
def test_volgend_contactmoment_follows_the_link(contactmomenten: ContactmomentenClient) -> None:
    """cm-002: `volgendContactmoment` of the earlier contactmoment follows every change of
    the later one's `vorigContactmoment`.

    Method: create A and C; create B with `vorigContactmoment` A (A's volgend is B); PATCH B
    to C (C's volgend is B, A's is cleared); PUT B back to A (A's volgend is B, C's cleared).
    """
    first = contactmomenten.contactmoment(what="creating A")["url"]
    other = contactmomenten.contactmoment(what="creating C")["url"]
    later = contactmomenten.contactmoment(what="creating B after A", vorigContactmoment=first)
    url = later["url"]
    _volgend(contactmomenten, first, url, "A after B was created")
    _changed(contactmomenten, "PATCH", url, {"vorigContactmoment": other})
    _volgend(contactmomenten, other, url, "C after B was moved to it")
    _volgend(contactmomenten, first, None, "A after B was moved away")
    _changed(contactmomenten, "PUT", url, {"vorigContactmoment": first})
    _volgend(contactmomenten, first, url, "A after B was put back")
    _volgend(contactmomenten, other, None, "C after B was put back on A")


@pytest.mark.rule("cm-002")
def test_one_successor_only(contactmomenten: ContactmomentenClient) -> None:
    """cm-002: an earlier contactmoment has one `volgendContactmoment`, so a second
    contactmoment naming it is refused.

    Method: create A, then B after A; POST C with `vorigContactmoment` A → 400 on
    `vorigContactmoment`; A is still followed by B.
    """
    first = contactmomenten.contactmoment(what="creating A")["url"]
    later = contactmomenten.contactmoment(what="creating B after A", vorigContactmoment=first)
    body = contactmomenten.contactmoment_body(vorigContactmoment=first)
    response = contactmomenten.create("contactmoment", body)
    checks.expect_invalid_param("cm-002", response, "vorigContactmoment", what="C after A too")
    _volgend(contactmomenten, first, later["url"], "A after C was refused")


# cm-003 --------------------------------------------------------------------------------------


@pytest.mark.rule("cm-003")
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
@pytest.mark.parametrize("answer", ["404", "refused"])
def test_medewerker_must_resolve(
    contactmomenten: ContactmomentenClient, method: str, answer: str
) -> None:
    """cm-003: a `medewerker` URL that does not answer 200 is refused with 400.

    Method: a medewerker URL of the stub registry answering 404, or on a port where nothing
    listens; POST a contactmoment with it, or PUT/PATCH an existing one → 400 on
    `medewerker`.
    """
    registry = contactmomenten.harness.medewerkers()
    broken = registry.dead_url() if answer == "refused" else registry.url_for(404)
    if method == "POST":
        body = contactmomenten.contactmoment_body(medewerker=broken)
        response = contactmomenten.create("contactmoment", body)
    else:
        url = contactmomenten.contactmoment()["url"]
        response = _change(contactmomenten, method, url, {"medewerker": broken})
    checks.expect_invalid_param("cm-003", response, "medewerker", what=method)


@pytest.mark.rule("cm-003")
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_medewerker_that_resolves_is_accepted(
    contactmomenten: ContactmomentenClient, method: str
) -> None:
    """cm-003: a `medewerker` URL that answers 200 is accepted.

    Method: POST a contactmoment, or PATCH an existing one, with a medewerker URL of the stub
    registry answering 200 → 201/200 with that medewerker.
    """
    medewerker = contactmomenten.medewerker(200)
    if method == "POST":
        body = contactmomenten.contactmoment_body(medewerker=medewerker)
        response = contactmomenten.create("contactmoment", body)
        stored = checks.expect_status("cm-003", response, 201, what="POST")
    else:
        url = contactmomenten.contactmoment()["url"]
        response = contactmomenten.patch(url, {"medewerker": medewerker})
        stored = checks.expect_status("cm-003", response, 200, what="PATCH")
    checks.expect_equal("cm-003", stored.get("medewerker"), medewerker, "medewerker", response)


# cm-004 --------------------------------------------------------------------------------------


@pytest.mark.rule("cm-004")
@pytest.mark.parametrize("wrong", ["contactmoment deleted", "contactmoment unknown", "klant"])
def test_klantcontactmoment_references_must_exist(
    contactmomenten: ContactmomentenClient, wrong: str
) -> None:
    """cm-004: a klantcontactmoment whose contactmoment or klant does not exist is refused.

    Method: POST a klantcontactmoment with a deleted contactmoment, an unknown one, or a klant
    that does not exist (an unknown klant of the Klanten target, or a stub URL answering 404
    when the run has no Klanten target) → 400 on the field that is wrong.
    """
    if wrong == "klant":
        moment = contactmomenten.contactmoment()["url"]
        body = contactmomenten.klantcontactmoment_body(moment, contactmomenten.missing_klant())
        field = "klant"
    else:
        gone = (
            _deleted_contactmoment(contactmomenten)
            if wrong == "contactmoment deleted"
            else _unknown(contactmomenten)
        )
        body = contactmomenten.klantcontactmoment_body(gone, contactmomenten.klant())
        field = "contactmoment"
    response = contactmomenten.create("klantcontactmoment", body)
    checks.expect_invalid_param("cm-004", response, field, what=f"a {wrong} that does not exist")


@pytest.mark.rule("cm-004")
def test_klantcontactmoment_rol_must_be_valid(contactmomenten: ContactmomentenClient) -> None:
    """cm-004: a klantcontactmoment with a `rol` outside the standard's roles is refused.

    Method: POST a klantcontactmoment (existing contactmoment and klant) with rol
    `toeschouwer` → 400 on `rol`. The request lies outside the document on purpose.
    """
    moment = contactmomenten.contactmoment()["url"]
    body = contactmomenten.klantcontactmoment_body(moment, contactmomenten.klant(), "toeschouwer")
    response = contactmomenten.create("klantcontactmoment", body, validate=False)
    checks.expect_invalid_param("cm-004", response, "rol", what="rol toeschouwer")


@pytest.mark.rule("cm-004")
def test_klantcontactmoment_is_unique_per_rol(contactmomenten: ContactmomentenClient) -> None:
    """cm-004: (contactmoment, klant, rol) is unique; the same klant in another rol is not a
    duplicate.

    Method: one contactmoment and one klant; POST the klantcontactmoment in both roles
    (201 twice), then the first triple again → 400.
    """
    moment = contactmomenten.contactmoment()["url"]
    klant = contactmomenten.klant()
    for rol in ROLLEN:
        body = contactmomenten.klantcontactmoment_body(moment, klant, rol)
        response = contactmomenten.create("klantcontactmoment", body)
        checks.expect_status("cm-004", response, 201, what=f"the klant as {rol}")
    again = contactmomenten.klantcontactmoment_body(moment, klant, ROLLEN[0])
    duplicate = contactmomenten.create("klantcontactmoment", again)
    checks.expect_invalid_param("cm-004", duplicate, None, "unique", what="the same triple again")


# cm-005 and cm-006 ---------------------------------------------------------------------------


@pytest.mark.rule("cm-005")
@pytest.mark.parametrize("wrong", ["contactmoment deleted", "contactmoment unknown", "object"])
def test_objectcontactmoment_references_must_exist(
    contactmomenten: ContactmomentenClient, wrong: str
) -> None:
    """cm-005: an objectcontactmoment whose contactmoment or object does not exist is refused.

    Method: POST an objectcontactmoment with a deleted or unknown contactmoment, or with a
    zaak of the stub object API that answers 404 → 400 on the field that is wrong. The stub
    holds the relation between the zaak and the contactmoment each time, so only the missing
    reference is wrong (cm-006 is satisfied).
    """
    if wrong == "object":
        moment = contactmomenten.contactmoment()["url"]
        zaak = contactmomenten.zaak(exists=False)
        field = "object"
    else:
        moment = (
            _deleted_contactmoment(contactmomenten)
            if wrong == "contactmoment deleted"
            else _unknown(contactmomenten)
        )
        zaak = contactmomenten.zaak()
        field = "contactmoment"
    contactmomenten.relate(zaak, moment)
    body = contactmomenten.objectcontactmoment_body(moment, zaak)
    response = contactmomenten.create("objectcontactmoment", body)
    checks.expect_invalid_param("cm-005", response, field, what=f"a {wrong} that does not exist")


@pytest.mark.rule("cm-005")
def test_objectcontactmoment_is_unique(contactmomenten: ContactmomentenClient) -> None:
    """cm-005: (contactmoment, object) is unique.

    Method: a contactmoment and a zaak whose API holds their relation; POST the
    objectcontactmoment (201), then the same pair again → 400.
    """
    moment = contactmomenten.contactmoment()["url"]
    zaak = contactmomenten.zaak()
    contactmomenten.relate(zaak, moment)
    body = contactmomenten.objectcontactmoment_body(moment, zaak)
    first = contactmomenten.create("objectcontactmoment", body)
    checks.expect_status("cm-005", first, 201, what="the first objectcontactmoment")
    duplicate = contactmomenten.create("objectcontactmoment", body)
    checks.expect_invalid_param("cm-005", duplicate, None, "unique", what="the same pair again")


@pytest.mark.rule("cm-006")
def test_objectcontactmoment_mirrors_the_objects_relation(
    contactmomenten: ContactmomentenClient,
) -> None:
    """cm-006: an objectcontactmoment is refused while the object's API holds no relation to
    the contactmoment, and accepted once it does.

    Method: a contactmoment and a zaak of the stub object API (answering 200) that holds a
    relation to another contactmoment only; POST the objectcontactmoment → 400
    `inconsistent-relation`; register the relation at the stub and POST again → 201.
    """
    moment = contactmomenten.contactmoment()["url"]
    elsewhere = contactmomenten.contactmoment(what="creating another contactmoment")["url"]
    zaak = contactmomenten.zaak()
    contactmomenten.relate(zaak, elsewhere)
    body = contactmomenten.objectcontactmoment_body(moment, zaak)
    refused = contactmomenten.create("objectcontactmoment", body)
    checks.expect_invalid_param(
        "cm-006", refused, None, "inconsistent-relation", what="no relation in the object's API"
    )
    contactmomenten.relate(zaak, moment)
    accepted = contactmomenten.create("objectcontactmoment", body)
    checks.expect_status("cm-006", accepted, 201, what="with the relation in the object's API")


# HTTP caching --------------------------------------------------------------------------------


def _resource(client: ContactmomentenClient, resource: str) -> str:
    """The URL of a fresh resource of the kind."""
    moment = client.contactmoment()["url"]
    if resource == "klantcontactmoment":
        return client.klantcontactmoment(moment)["url"]
    if resource == "objectcontactmoment":
        return client.objectcontactmoment(moment)["url"]
    return moment


def _etag(client: ContactmomentenClient, url: str) -> str:
    with client.arranging("reading the resource's ETag", "CM-CACHE-01"):
        response = client.get(url)
        checks.expect_status("CM-CACHE-01", response, 200)
        etag = response.headers.get("ETag")
        checks.expect_true("CM-CACHE-01", bool(etag), "an ETag", "none", response)
    return str(etag)


@pytest.mark.rule("CM-CACHE-01")
@pytest.mark.parametrize("resource", RESOURCES)
def test_etag_is_stable_and_follows_changes(
    contactmomenten: ContactmomentenClient, resource: str
) -> None:
    """CM-CACHE-01: GET answers with an ETag that stays while the resource is unchanged and
    changes with it.

    Method: GET the resource twice (an ETag, the same one); for a contactmoment, PATCH its
    tekst and GET again (another ETag). Klant- and objectcontactmomenten cannot be changed.
    """
    url = _resource(contactmomenten, resource)
    first = contactmomenten.get(url)
    checks.expect_status("CM-CACHE-01", first, 200)
    etag = first.headers.get("ETag")
    checks.expect_true("CM-CACHE-01", bool(etag), "an ETag header", "no ETag header", first)
    again = contactmomenten.get(url)
    checks.expect_equal("CM-CACHE-01", again.headers.get("ETag"), etag, "ETag of a re-read", again)
    if resource != "contactmoment":
        return
    _changed(contactmomenten, "PATCH", url, {"tekst": f"Een andere vraag ({tag()})"})
    changed = contactmomenten.get(url)
    checks.expect_true(
        "CM-CACHE-01",
        changed.headers.get("ETag") not in (None, etag),
        "a new ETag after the contactmoment changed",
        f"ETag {changed.headers.get('ETag')!r} (before: {etag!r})",
        changed,
    )


@pytest.mark.rule("CM-CACHE-02")
@pytest.mark.parametrize("resource", RESOURCES)
def test_head_matches_get(contactmomenten: ContactmomentenClient, resource: str) -> None:
    """CM-CACHE-02: HEAD answers with the status and ETag of GET, and no body.

    Method: GET and HEAD the same resource; compare status and ETag; the HEAD body is empty.
    """
    url = _resource(contactmomenten, resource)
    get = contactmomenten.get(url)
    head = contactmomenten.head(url)
    checks.expect_status("CM-CACHE-02", head, get.status_code, what="HEAD (the status of GET)")
    checks.expect_equal(
        "CM-CACHE-02", head.headers.get("ETag"), get.headers.get("ETag"), "HEAD ETag", head
    )
    checks.expect_equal("CM-CACHE-02", head.content, b"", "HEAD body", head)


@pytest.mark.rule("CM-CACHE-03")
@pytest.mark.parametrize("resource", RESOURCES)
def test_if_none_match(contactmomenten: ContactmomentenClient, resource: str) -> None:
    """CM-CACHE-03: If-None-Match holding the current ETag → 304 without body; only other
    values → 200.

    Method: GET with the ETag alone, among other values, and with only another value.
    """
    url = _resource(contactmomenten, resource)
    etag = _etag(contactmomenten, url)
    for header in (etag, f'"other-etag", {etag}'):
        response = contactmomenten.get(url, headers={"If-None-Match": header})
        checks.expect_status("CM-CACHE-03", response, 304, what=f"If-None-Match: {header}")
        checks.expect_equal("CM-CACHE-03", response.content, b"", "body of the 304", response)
    other = contactmomenten.get(url, headers={"If-None-Match": '"other-etag"'})
    checks.expect_status("CM-CACHE-03", other, 200, what="If-None-Match with another ETag")


# audit trail ---------------------------------------------------------------------------------


@pytest.mark.rule("CM-AUDIT-01")
def test_audittrail(contactmomenten: ContactmomentenClient) -> None:
    """CM-AUDIT-01: create, PUT and PATCH each add an audittrail entry; reads add none.

    Method: create, PUT, PATCH and GET a contactmoment; list its audit trail → the entries
    about it (entries of other contactmomenten are CM-OAS's finding) are create, update,
    partial_update in that order, each with bron `cmc`, resultaat, hoofdObject/resourceUrl,
    resource `contactmoment`, oud/nieuw and the token's user; each entry read by its uuid is
    the same entry.
    """
    body = contactmomenten.contactmoment_body()
    create = contactmomenten.create("contactmoment", body)
    created = checks.expect_status("CM-AUDIT-01", create, 201, what="create")
    url = created["url"]
    put = contactmomenten.put(url, {**body, "tekst": "Vraag over de bijstand"})
    updated = checks.expect_status("CM-AUDIT-01", put, 200, what="PUT")
    patch = contactmomenten.patch(url, {"tekst": "Vraag over de kwijtschelding"})
    patched = checks.expect_status("CM-AUDIT-01", patch, 200, what="PATCH")
    contactmomenten.get(url)
    contactmomenten.expect_changes_audited(
        "CM-AUDIT-01",
        url,
        [created, updated, patched],
        {"bron": "cmc", "resource": "contactmoment", "gebruikersId": "klanten-conformance"},
    )


# life cycle ----------------------------------------------------------------------------------


def _body_of(client: ContactmomentenClient, resource: str) -> dict[str, Any]:
    """A valid body of ``resource`` (its contactmoment, klant and zaak made first)."""
    if resource == "contactmoment":
        return client.contactmoment_body()
    moment = client.contactmoment()["url"]
    if resource == "klantcontactmoment":
        return client.klantcontactmoment_body(moment, client.klant())
    zaak = client.zaak()
    client.relate(zaak, moment)
    return client.objectcontactmoment_body(moment, zaak)


@pytest.mark.rule("CM-LIFE-01")
@pytest.mark.parametrize("resource", RESOURCES)
def test_create_read_delete(contactmomenten: ContactmomentenClient, resource: str) -> None:
    """CM-LIFE-01: create → 201 with Location = url; GET → 200; DELETE → 204; then GET and
    DELETE → 404.

    Method: the whole life cycle of one resource of each kind (what it refers to is made
    first).
    """
    response = contactmomenten.create(resource, _body_of(contactmomenten, resource))
    made = checks.expect_status("CM-LIFE-01", response, 201, what=f"creating a {resource}")
    url = made.get("url") if isinstance(made, dict) else None
    checks.expect_true("CM-LIFE-01", bool(url), "the url of the resource", str(made), response)
    checks.expect_equal(
        "CM-LIFE-01", response.headers.get("Location"), url, "Location header", response
    )
    read = contactmomenten.get(url)
    checks.expect_equal("CM-LIFE-01", checks.body_of(read), made, "the resource read back", read)
    checks.expect_status("CM-LIFE-01", contactmomenten.delete(url), 204, what="DELETE")
    checks.expect_status("CM-LIFE-01", contactmomenten.get(url), 404, what="GET after DELETE")
    checks.expect_status("CM-LIFE-01", contactmomenten.delete(url), 404, what="second DELETE")


@pytest.mark.rule("CM-LIFE-02")
def test_put_replaces_patch_merges(contactmomenten: ContactmomentenClient) -> None:
    """CM-LIFE-02: PUT replaces the contactmoment (optional fields left out become empty);
    PATCH changes only the fields sent.

    Method: create with tekst, voorkeurstaal and voorkeurskanaal; PATCH the tekst (the other
    two stay); PUT only bronorganisatie and kanaal (tekst, voorkeurstaal and voorkeurskanaal
    become empty).
    """
    made = contactmomenten.contactmoment(voorkeurskanaal="email")
    url = made["url"]
    patch = contactmomenten.patch(url, {"tekst": "Vraag over de parkeervergunning"})
    patched = checks.expect_status("CM-LIFE-02", patch, 200, what="PATCH")
    for name, value in (
        ("tekst", "Vraag over de parkeervergunning"),
        ("voorkeurstaal", made["voorkeurstaal"]),
        ("voorkeurskanaal", "email"),
        ("kanaal", made["kanaal"]),
    ):
        checks.expect_equal("CM-LIFE-02", patched.get(name), value, f"{name} after PATCH", patch)
    body = {"bronorganisatie": made["bronorganisatie"], "kanaal": "balie"}
    put = contactmomenten.put(url, body)
    checks.expect_status("CM-LIFE-02", put, 200, what="PUT")
    after = contactmomenten.read_back(url)
    read = contactmomenten.last
    checks.expect_equal("CM-LIFE-02", after.get("kanaal"), "balie", "kanaal after PUT", read)
    for name in ("tekst", "voorkeurstaal", "voorkeurskanaal"):
        checks.expect_true(
            "CM-LIFE-02",
            after.get(name) in (None, ""),
            f"{name} empty after a PUT without it",
            f"{name} = {after.get(name)!r}",
            read,
        )


# filtering -----------------------------------------------------------------------------------


def _expect_filter(
    client: ContactmomentenClient,
    resource: str,
    url: str,
    found: dict[str, str],
    missed: dict[str, str],
) -> None:
    """The list with ``found`` holds ``url``; with ``missed`` it does not. A miss is narrowed
    by a filter that alone finds ``url``, so that a filter the target ignores shows ``url``
    on the first page instead of somewhere in a long list."""
    for params, present in ((found, True), (missed, False)):
        response = client.list(resource, **params)
        checks.expect_status("CM-FILTER-01", response, 200, what=f"{resource} list {params}")
        checks.expect_equal(
            "CM-FILTER-01",
            url in _urls(response),
            present,
            f"{params} {'finds' if present else 'does not find'} the {resource}",
            response,
        )


def _expect_empty_and_invalid(
    client: ContactmomentenClient, resource: str, nothing: dict[str, str], invalid: dict[str, str]
) -> None:
    """A value matching nothing → an empty page; an invalid value → 400."""
    empty = client.list(resource, **nothing)
    page = checks.expect_status("CM-FILTER-01", empty, 200, what=f"{nothing}")
    checks.expect_true(
        "CM-FILTER-01",
        isinstance(page, dict) and page.get("count") == 0 and page.get("results") == [],
        f"{nothing}: an empty page (count 0, no results)",
        str(page)[:300],
        empty,
    )
    refused = client.list(resource, **invalid)
    checks.expect_refused("CM-FILTER-01", refused, (400,), what=f"{invalid}")


def _bump(value: str) -> str:
    """Another value of the same kind as ``value``."""
    return value[:-1] + ("X" if value[-1] != "X" else "Y")


@pytest.mark.rule("CM-FILTER-01")
def test_contactmoment_list_filters(contactmomenten: ContactmomentenClient) -> None:
    """CM-FILTER-01: every filter of contactmoment_list selects by exact value, alone and
    combined; the registratiedatum ranges compare; invalid → 400; nothing matches → empty.

    Method: create A and B (B after A) in a fresh bronorganisatie, with unique kanaal,
    voorkeurskanaal and medewerker. Filters with values only B has find it alone; filters
    whose values others may share (voorkeurstaal, initiatiefnemer, registratiedatum and its
    ranges) are combined with the bronorganisatie. Each finds B with B's value and, combined
    with the bronorganisatie (or the kanaal), not with another value;
    initiatiefnemer=onbekend → 400; a bronorganisatie nothing has → an empty page.
    """
    bron = random_rsin()
    first = contactmomenten.contactmoment(what="creating A", bronorganisatie=bron)
    body = contactmomenten.contactmoment_body(
        bronorganisatie=bron,
        vorigContactmoment=first["url"],
        kanaal=f"kanaal-{tag()}",
        voorkeurskanaal=f"voorkeur-{tag()}",
        medewerker=contactmomenten.medewerker(200),
        voorkeurstaal="eng",
        initiatiefnemer="gemeente",
    )
    made = contactmomenten.make("contactmoment", body, what="creating B with a value per filter")
    url = made["url"]
    filters = {
        "bronorganisatie": (bron, random_rsin()),
        "kanaal": (body["kanaal"], _bump(body["kanaal"])),
        "voorkeurskanaal": (body["voorkeurskanaal"], _bump(body["voorkeurskanaal"])),
        "medewerker": (body["medewerker"], contactmomenten.medewerker(200)),
        "vorigContactmoment": (first["url"], _unknown(contactmomenten)),
    }
    for name, (value, other) in filters.items():
        narrow = {"bronorganisatie": bron}
        if name == "bronorganisatie":
            narrow = {"kanaal": body["kanaal"]}
        _expect_filter(
            contactmomenten, "contactmoment", url, {name: value}, {**narrow, name: other}
        )
    when = str(made.get("registratiedatum") or "")
    combined = {
        "voorkeurstaal": ("eng", "nld"),
        "initiatiefnemer": ("gemeente", "klant"),
        "registratiedatum": (when, "2001-01-01T00:00:00Z"),
        "registratiedatum__gte": (when, "2999-01-01T00:00:00Z"),
        "registratiedatum__lte": (when, "2001-01-01T00:00:00Z"),
        "registratiedatum__gt": ("2001-01-01T00:00:00Z", when),
        "registratiedatum__lt": ("2999-01-01T00:00:00Z", when),
    }
    for name, (value, other) in combined.items():
        _expect_filter(
            contactmomenten,
            "contactmoment",
            url,
            {"bronorganisatie": bron, name: value},
            {"bronorganisatie": bron, name: other},
        )
    _expect_empty_and_invalid(
        contactmomenten,
        "contactmoment",
        {"bronorganisatie": random_rsin()},
        {"initiatiefnemer": "onbekend"},
    )


@pytest.mark.rule("CM-FILTER-01")
def test_contactmoment_list_filters_on_volgend(contactmomenten: ContactmomentenClient) -> None:
    """CM-FILTER-01: volgendContactmoment filters contactmomenten exactly.

    Method: create A, then B after A in a fresh bronorganisatie; once A shows B as its
    `volgendContactmoment` (what cm-002 is about: without it the check is blocked),
    volgendContactmoment=B finds A, and another contactmoment's URL (with the
    bronorganisatie) does not.
    """
    bron = random_rsin()
    first = contactmomenten.contactmoment(what="creating A", bronorganisatie=bron)["url"]
    later = contactmomenten.contactmoment(
        what="creating B after A", bronorganisatie=bron, vorigContactmoment=first
    )["url"]
    with contactmomenten.arranging("reading A's volgendContactmoment", "cm-002"):
        stored = contactmomenten.read_back(first)
        checks.expect_equal(
            "cm-002", stored.get("volgendContactmoment"), later, "volgendContactmoment of A"
        )
    _expect_filter(
        contactmomenten,
        "contactmoment",
        first,
        {"volgendContactmoment": later},
        {"bronorganisatie": bron, "volgendContactmoment": _unknown(contactmomenten)},
    )


@pytest.mark.rule("CM-FILTER-01")
def test_klantcontactmoment_list_filters(contactmomenten: ContactmomentenClient) -> None:
    """CM-FILTER-01: contactmoment, klant and rol filter klantcontactmomenten exactly.

    Method: a klantcontactmoment (contactmoment C, klant K, rol gesprekspartner) and another
    of C with another klant as belanghebbende; contactmoment and klant each find the first
    alone, rol together with the contactmoment or the klant; with another value (combined
    with a filter that alone finds it) they do not; rol=onbekend → 400; a contactmoment
    without links → an empty page.
    """
    moment = contactmomenten.contactmoment()["url"]
    klant = contactmomenten.klant()
    url = contactmomenten.klantcontactmoment(moment, klant, "gesprekspartner")["url"]
    contactmomenten.klantcontactmoment(moment, rol="belanghebbende")
    lonely = contactmomenten.contactmoment(what="creating a contactmoment without links")["url"]
    other = contactmomenten.missing_klant()
    cases = (
        ({"contactmoment": moment}, {"klant": klant, "contactmoment": lonely}),
        ({"klant": klant}, {"contactmoment": moment, "klant": other}),
        (
            {"contactmoment": moment, "rol": "gesprekspartner"},
            {"contactmoment": moment, "rol": "belanghebbende"},
        ),
        ({"klant": klant, "rol": "gesprekspartner"}, {"klant": klant, "rol": "belanghebbende"}),
    )
    for found, missed in cases:
        _expect_filter(contactmomenten, "klantcontactmoment", url, found, missed)
    _expect_empty_and_invalid(
        contactmomenten, "klantcontactmoment", {"contactmoment": lonely}, {"rol": "onbekend"}
    )


@pytest.mark.rule("CM-FILTER-01")
def test_objectcontactmoment_list_filters(contactmomenten: ContactmomentenClient) -> None:
    """CM-FILTER-01: object, contactmoment and objectType filter objectcontactmomenten exactly.

    Method: an objectcontactmoment (contactmoment C, zaak Z); object and contactmoment each
    find it alone, and with another value (combined with the other filter) do not;
    objectType=zaak combined with the object finds it; objectType=onbekend → 400; a zaak
    without links → an empty page.
    """
    moment = contactmomenten.contactmoment()["url"]
    zaak = contactmomenten.zaak()
    url = contactmomenten.objectcontactmoment(moment, zaak)["url"]
    lonely = contactmomenten.contactmoment(what="creating a contactmoment without links")["url"]
    other = contactmomenten.zaak()
    cases = (
        ({"object": zaak}, {"contactmoment": moment, "object": other}),
        ({"contactmoment": moment}, {"object": zaak, "contactmoment": lonely}),
        ({"object": zaak, "objectType": "zaak"}, {"object": other, "objectType": "zaak"}),
    )
    for found, missed in cases:
        _expect_filter(contactmomenten, "objectcontactmoment", url, found, missed)
    _expect_empty_and_invalid(
        contactmomenten, "objectcontactmoment", {"object": other}, {"objectType": "onbekend"}
    )
