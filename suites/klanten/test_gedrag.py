"""Class `gedrag`: run-time behaviour of the Klanten API the OpenAPI document cannot express."""

from __future__ import annotations

import random
import uuid

import pytest

from klanten_conformance import checks
from klanten_conformance.apis.klanten import KlantenClient
from klanten_conformance.stubs import SubjectRegistry
from klanten_conformance.testdata import random_bsn, random_klantnummer, random_rsin

pytestmark = pytest.mark.creates_data


def _unique(prefix: str = "") -> str:
    return prefix + uuid.uuid4().hex[:10]


def _telefoonnummer() -> str:
    return "06" + "".join(random.choice("0123456789") for _ in range(8))


def _urls(response) -> list[str]:
    body = checks.body_of(response)
    results = body.get("results", []) if isinstance(body, dict) else []
    return [r.get("url") for r in results if isinstance(r, dict)]


# kla-001 -------------------------------------------------------------------------------------


@pytest.mark.rule("kla-001a")
def test_create_with_unused_klantnummer(klanten: KlantenClient) -> None:
    """kla-001a: a klant with an unused (bronorganisatie, klantnummer) is created.

    Method: create a klant (of the first shape the target accepts); create another with the
    same klantnummer in another bronorganisatie. Both → 201 (uniqueness is per
    bronorganisatie).
    """
    body = klanten.klant(purpose="a klant with an unused klantnummer", rule="kla-001a").body
    other = {**body, "bronorganisatie": random_rsin()}
    checks.expect_status(
        "kla-001a", klanten.create(other), 201, what="same klantnummer, other bronorganisatie"
    )


@pytest.mark.rule("kla-001b")
def test_create_with_used_klantnummer_is_refused(klanten: KlantenClient) -> None:
    """kla-001b: a (bronorganisatie, klantnummer) already in use is refused with `unique`.

    Method: create a klant, then POST the same pair → 400 `unique`; PUT and PATCH that would
    give a second klant the pair → 400 `unique`.
    """
    first = klanten.klant(purpose="a klant whose klantnummer is then used again")
    klantnummer = first.body["klantnummer"]
    duplicate = klanten.create(klanten.profile.build(first.shape, klantnummer=klantnummer))
    checks.expect_invalid_param("kla-001b", duplicate, None, "unique", what="POST")

    second_body = klanten.profile.build(first.shape)
    second = klanten.make(second_body, what="creating a second klant")
    patched = klanten.patch(second["url"], {"klantnummer": klantnummer})
    checks.expect_invalid_param("kla-001b", patched, None, "unique", what="PATCH")
    put = klanten.put(second["url"], {**second_body, "klantnummer": klantnummer})
    checks.expect_invalid_param("kla-001b", put, None, "unique", what="PUT")


@pytest.mark.rule("kla-001c")
def test_create_without_klantnummer(klanten: KlantenClient) -> None:
    """kla-001c: a create without klantnummer is refused (`required`) or numbered uniquely.

    Method: POST two klanten without klantnummer. Either the first → 400 with `klantnummer`
    `required`, or both → 201 with different, non-empty klantnummers. The requests lie
    outside the 1.0 document (klantnummer is required there), so OAS-02, which judges the
    responses to valid requests, does not judge these.
    """
    body = klanten.profile.build(klanten.accepted_shape())
    del body["klantnummer"]
    first = klanten.create(body, validate=False)
    if first.status_code == 400:
        checks.expect_invalid_param("kla-001c", first, "klantnummer", "required")
        return
    one = checks.expect_status("kla-001c", first, 201, 400)
    again = klanten.profile.build(klanten.profile.shape_of(body))
    del again["klantnummer"]
    two = checks.expect_status("kla-001c", klanten.create(again, validate=False), 201)
    numbers = [one.get("klantnummer"), two.get("klantnummer")]
    checks.expect_true(
        "kla-001c",
        all(numbers) and numbers[0] != numbers[1],
        "two generated, different, non-empty klantnummers",
        f"klantnummers {numbers}",
        first,
    )


# kla-002 -------------------------------------------------------------------------------------


def _with_subject(klanten: KlantenClient, url: str, bsn: str) -> dict:
    return klanten.profile.aangehaakt("natuurlijk_persoon", bsn, subject=url)


@pytest.mark.rule("kla-002a")
@pytest.mark.parametrize("answer", ["404", "500", "refused"])
def test_subject_must_resolve_on_create(
    klanten: KlantenClient, subject_registry: SubjectRegistry, answer: str
) -> None:
    """kla-002a: a `subject` URL that does not answer 200 is refused with `bad-url`.

    Method: POST a klant whose subject answers 404, 500 or refuses the connection → 400,
    invalidParams `subject` `bad-url`, and the klant is not found by its BSN afterwards.
    """
    bsn = random_bsn()
    url = (
        subject_registry.dead_url()
        if answer == "refused"
        else subject_registry.url_for(int(answer), key=bsn)
    )
    body = _with_subject(klanten, url, bsn)
    response = klanten.create(body)
    checks.expect_invalid_param("kla-002a", response, "subject", "bad-url")
    found = klanten.list(
        klanten.authn_for(body),
        bronorganisatie=body["bronorganisatie"],
        subjectNatuurlijkPersoon__inpBsn=bsn,
    )
    checks.expect_status("kla-002a", found, 200)
    checks.expect_equal("kla-002a", _urls(found), [], "klanten stored after the refusal", found)


@pytest.mark.rule("kla-002a")
def test_subject_that_resolves_is_accepted(
    klanten: KlantenClient, subject_registry: SubjectRegistry
) -> None:
    """kla-002a: a `subject` URL that answers 200 is accepted.

    Method: POST a klant whose subject answers 200 → 201, and the registry saw a request.
    """
    bsn = random_bsn()
    url = subject_registry.url_for(200, key=bsn)
    checks.expect_status("kla-002a", klanten.create(_with_subject(klanten, url, bsn)), 201)


@pytest.mark.rule("kla-002b")
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_subject_must_resolve_on_update(
    klanten: KlantenClient, subject_registry: SubjectRegistry, method: str
) -> None:
    """kla-002b: PUT and PATCH that send a `subject` not answering 200 are refused.

    Method: create a klant with a resolving subject; send a subject that answers 404 → 400
    `subject` `bad-url`.
    """
    bsn = random_bsn()
    body = _with_subject(klanten, subject_registry.url_for(200, key=bsn), bsn)
    klant = klanten.make(body, what="creating a klant whose subject resolves")
    broken = subject_registry.url_for(404, key=bsn)
    if method == "PUT":
        response = klanten.put(klant["url"], {**body, "subject": broken})
    else:
        response = klanten.patch(klant["url"], {"subject": broken})
    checks.expect_invalid_param("kla-002b", response, "subject", "bad-url", what=method)


# HTTP caching --------------------------------------------------------------------------------


@pytest.mark.rule("CACHE-01")
def test_etag_changes_with_the_klant(klanten: KlantenClient) -> None:
    """CACHE-01: GET returns an ETag that is stable, and changes when the klant changes.

    Method: GET twice (same ETag), PATCH the telefoonnummer, GET (another ETag).
    """
    klant = klanten.klant().data
    first = klanten.get(klant["url"])
    checks.expect_status("CACHE-01", first, 200)
    etag = first.headers.get("ETag")
    checks.expect_true("CACHE-01", bool(etag), "an ETag header", "no ETag header", first)
    again = klanten.get(klant["url"])
    checks.expect_equal("CACHE-01", again.headers.get("ETag"), etag, "ETag of a re-read", again)
    with klanten.arranging("changing the klant", "LIFE-02"):
        patched = klanten.patch(klant["url"], {"telefoonnummer": "0612345678"})
        checks.expect_status("LIFE-02", patched, 200)
    changed = klanten.get(klant["url"])
    checks.expect_true(
        "CACHE-01",
        changed.headers.get("ETag") not in (None, etag),
        "a new ETag after the klant changed",
        f"ETag {changed.headers.get('ETag')!r} (before: {etag!r})",
        changed,
    )


@pytest.mark.rule("CACHE-02")
def test_head_matches_get(klanten: KlantenClient) -> None:
    """CACHE-02: HEAD answers with the headers of GET (ETag included) and no body.

    Method: GET and HEAD the same klant; compare status, ETag; the HEAD body is empty.
    """
    klant = klanten.klant().data
    get = klanten.get(klant["url"])
    head = klanten.head(klant["url"])
    checks.expect_status("CACHE-02", head, 200)
    checks.expect_equal(
        "CACHE-02", head.headers.get("ETag"), get.headers.get("ETag"), "HEAD ETag", head
    )
    checks.expect_equal("CACHE-02", head.content, b"", "HEAD body", head)


@pytest.mark.rule("CACHE-03")
def test_if_none_match(klanten: KlantenClient) -> None:
    """CACHE-03: If-None-Match with the current ETag → 304 without body; other values → 200.

    Method: GET with the ETag alone, among other values, and with only another value.
    """
    klant = klanten.klant().data
    with klanten.arranging("reading the klant's ETag", "CACHE-01"):
        etag = klanten.get(klant["url"]).headers.get("ETag") or '"none"'
    for header in (etag, f'"other-etag", {etag}'):
        response = klanten.get(klant["url"], headers={"If-None-Match": header})
        checks.expect_status("CACHE-03", response, 304, what=f"If-None-Match: {header}")
        checks.expect_equal("CACHE-03", response.content, b"", "body of the 304", response)
    other = klanten.get(klant["url"], headers={"If-None-Match": '"other-etag"'})
    checks.expect_status("CACHE-03", other, 200, what="If-None-Match with another ETag")


# audit trail ---------------------------------------------------------------------------------


@pytest.mark.rule("AUDIT-01")
def test_audittrail(klanten: KlantenClient) -> None:
    """AUDIT-01: create, PUT and PATCH each add an audittrail entry; reads add none.

    Method: create, PUT, PATCH, GET a klant; list its audittrail → 3 entries about it (entries
    about other klanten are judged by OAS-09) in order with
    actie, resultaat, hoofdObject/resourceUrl, resource, oud/nieuw and the token's user; each
    entry is readable by its own URL.
    """
    made = klanten.klant()
    body, created = made.body, made.data
    url = created["url"]
    put = checks.expect_status("AUDIT-01", klanten.put(url, {**body, "functie": "tester"}), 200)
    patch = checks.expect_status("AUDIT-01", klanten.patch(url, {"functie": "lezer"}), 200)
    klanten.get(url)
    klanten.expect_changes_audited(
        "AUDIT-01",
        url,
        [created, put, patch],
        {"resource": "klant", "gebruikersId": "klanten-conformance"},
    )


# life cycle ----------------------------------------------------------------------------------


@pytest.mark.rule("LIFE-01")
def test_create_read_delete(klanten: KlantenClient) -> None:
    """LIFE-01: create → 201 with Location = url; DELETE → 204; then GET and DELETE → 404.

    Method: the whole life cycle of one klant (of the first shape the target accepts).
    """
    made = klanten.klant(purpose="the klant whose life cycle is followed", rule="LIFE-01")
    response, klant = made.response, made.data
    checks.expect_equal(
        "LIFE-01", response.headers.get("Location"), klant.get("url"), "Location header", response
    )
    checks.expect_status("LIFE-01", klanten.delete(klant["url"]), 204, what="DELETE")
    checks.expect_status("LIFE-01", klanten.get(klant["url"]), 404, what="GET after DELETE")
    checks.expect_status("LIFE-01", klanten.delete(klant["url"]), 404, what="second DELETE")


@pytest.mark.rule("LIFE-02")
def test_put_replaces_patch_merges(klanten: KlantenClient) -> None:
    """LIFE-02: PUT replaces the klant (omitted optional fields become empty); PATCH changes
    only the fields sent.

    Method: create with telefoonnummer and emailadres; PATCH emailadres (telefoonnummer
    stays); PUT without both (both become empty).
    """
    made = klanten.klant(telefoonnummer="0612345678", emailadres="a@example.org")
    body, klant = made.body, made.data
    patched = checks.expect_status(
        "LIFE-02", klanten.patch(klant["url"], {"emailadres": "b@example.org"}), 200
    )
    checks.expect_equal(
        "LIFE-02", patched.get("telefoonnummer"), "0612345678", "telefoonnummer after PATCH"
    )
    checks.expect_equal("LIFE-02", patched.get("emailadres"), "b@example.org", "emailadres")
    checks.expect_status("LIFE-02", klanten.put(klant["url"], klanten.required(body)), 200)
    after = klanten.read_back(klant["url"])
    read = klanten.last
    for name in ("telefoonnummer", "emailadres"):
        checks.expect_true(
            "LIFE-02",
            after.get(name) in (None, ""),
            f"{name} empty after a PUT without it",
            f"{name} = {after.get(name)!r}",
            read,
        )


# filtering -----------------------------------------------------------------------------------


def _filter_cases(body: dict) -> dict[str, str]:
    adres = body["adres"]
    return {
        "bronorganisatie": body["bronorganisatie"],
        "klantnummer": body["klantnummer"],
        "bedrijfsnaam": body["bedrijfsnaam"],
        "functie": body["functie"],
        "achternaam": body["achternaam"],
        "telefoonnummer": body["telefoonnummer"],
        "emailadres": body["emailadres"],
        "adres__straatnaam": adres["straatnaam"],
        "adres__postcode": adres["postcode"],
        "adres__woonplaatsNaam": adres["woonplaatsnaam"],
        "adres__landcode": adres["landcode"],
        "subjectType": "natuurlijk_persoon",
        "subjectNatuurlijkPersoon__inpBsn": body["subjectIdentificatie"]["inpBsn"],
    }


def _other_value(name: str, value: str) -> str:
    if name in ("bronorganisatie", "subjectNatuurlijkPersoon__inpBsn"):
        return random_rsin()
    if name == "klantnummer":
        return random_klantnummer()
    if name == "subjectType":
        return "vestiging"
    if name == "emailadres":
        return _unique("x") + "@example.org"
    if name == "telefoonnummer":
        return _telefoonnummer()
    return value[:-1] + ("X" if value[-1] != "X" else "Y")


@pytest.mark.rule("FILTER-01")
def test_klant_list_filters(klanten: KlantenClient) -> None:
    """FILTER-01: every query parameter of klant_list filters by exact match, alone and
    combined; an invalid filter value → 400.

    Method: create an aangehaakte klant with a value for every filter; as its own end user,
    list with each filter set to its value (found) and to another value (not found); combine
    three filters; send subjectType=onbekend (400).
    """
    body = klanten.profile.aangehaakt(
        "natuurlijk_persoon",
        bedrijfsnaam=_unique("Bedrijf "),
        functie=_unique("Functie "),
        achternaam=_unique("Achternaam"),
        telefoonnummer=_telefoonnummer(),
        emailadres=_unique("f") + "@example.org",
        adres={
            "straatnaam": _unique("Straat"),
            "huisnummer": 1,
            "postcode": "1234AB",
            "woonplaatsnaam": _unique("Plaats"),
            "landcode": "NL",
        },
    )
    klant = klanten.make(body, what="creating a klant with a value for every filter")
    authn = klanten.authn_for(body)
    for name, value in _filter_cases(body).items():
        hit = klanten.list(authn, **{name: value})
        checks.expect_status("FILTER-01", hit, 200, what=f"{name}={value}")
        checks.expect_true(
            "FILTER-01",
            klant["url"] in _urls(hit),
            f"{name}={value} finds the klant",
            "not found",
            hit,
        )
        other = _other_value(name, value)
        miss = klanten.list(authn, **{name: other})
        checks.expect_status("FILTER-01", miss, 200, what=f"{name}={other}")
        checks.expect_true(
            "FILTER-01",
            klant["url"] not in _urls(miss),
            f"{name}={other} does not find the klant",
            "found",
            miss,
        )
    combined = {"bronorganisatie": body["bronorganisatie"], "emailadres": body["emailadres"]}
    hit = klanten.list(authn, achternaam=body["achternaam"], **combined)
    checks.expect_true(
        "FILTER-01", klant["url"] in _urls(hit), "combined filters find it", "not found", hit
    )
    miss = klanten.list(authn, achternaam=body["achternaam"] + "X", **combined)
    checks.expect_true(
        "FILTER-01", klant["url"] not in _urls(miss), "one wrong filter excludes it", "found", miss
    )
    invalid = klanten.list(authn, subjectType="onbekend")
    checks.expect_refused("FILTER-01", invalid, (400,), what="subjectType=onbekend")
