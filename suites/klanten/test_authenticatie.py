"""Class `authenticatie`: registering and providing aangehaakte klanten needs end-user
authentication.

The end user travels in the suite's profile (JWT claim `authenticatie`) unless a vendor
plugin implements the `pytest_klanten_authenticatie` hook. The required minimum level is
`--min-niveau` (default substantieel).
"""

from __future__ import annotations

import pytest

from klanten_conformance import checks
from klanten_conformance.apis.klanten import IDENTIFICATION, KlantenClient
from klanten_conformance.testdata import random_bsn, random_rsin, random_vestigingsnummer
from klanten_conformance.tokens import NIVEAUS, authenticatie_claim

pytestmark = pytest.mark.creates_data

SUBJECT_TYPES = list(IDENTIFICATION)
#: the ways an end user can fail to be the one a request is about
UNMATCHED = ["no authentication", "level below the minimum", "another identity"]
_OTHER_NUMBER = {
    "natuurlijk_persoon": random_bsn,
    "niet_natuurlijk_persoon": random_rsin,
    "vestiging": random_vestigingsnummer,
}


def _urls(response) -> list[str]:
    body = checks.body_of(response)
    results = body.get("results", []) if isinstance(body, dict) else []
    return [r.get("url") for r in results if isinstance(r, dict)]


def _unmatched(klanten: KlantenClient, body: dict, kind: str) -> dict | None:
    """The end user of a request that is *not* properly authenticated for ``body``."""
    subject_type, number = klanten.profile.identificatie(body)  # type: ignore[misc]
    if kind == "no authentication":
        return None
    if kind == "level below the minimum":
        index = NIVEAUS.index(klanten.context.min_niveau)
        if index == 0:
            pytest.skip(f"the minimum level is {NIVEAUS[0]}: there is no level below it")
        return authenticatie_claim(subject_type, number, niveau=NIVEAUS[index - 1])
    other = _OTHER_NUMBER[subject_type]()
    return authenticatie_claim(subject_type, other, niveau=klanten.context.min_niveau)


def _lookup(klanten: KlantenClient, body: dict) -> dict:
    """klant_list query on the bronorganisatie and the identification number of ``body``."""
    subject_type, number = klanten.profile.identificatie(body)  # type: ignore[misc]
    return {
        "bronorganisatie": body["bronorganisatie"],
        klanten.profile.filter_for(subject_type): number,
    }


# AUTHN-01 ------------------------------------------------------------------------------------


@pytest.mark.rule("AUTHN-01")
@pytest.mark.parametrize("kind", UNMATCHED)
@pytest.mark.parametrize("subject_type", SUBJECT_TYPES)
def test_registering_needs_authentication(
    klanten: KlantenClient, subject_type: str, kind: str
) -> None:
    """AUTHN-01: identifying data is not registered without matching end-user
    authentication at a sufficient level.

    Method: POST an aangehaakte klant without end-user authentication, at the level below
    the minimum, or authenticated as another person/organisation → 403; the klant is not
    found afterwards by its own end user.
    """
    body = klanten.profile.aangehaakt(subject_type)
    response = klanten.create(body, authn=_unmatched(klanten, body, kind))
    checks.expect_refused("AUTHN-01", response, (403,), what=f"registering with {kind}")
    found = klanten.list(klanten.authn_for(body), **_lookup(klanten, body))
    checks.expect_status("AUTHN-01", found, 200)
    checks.expect_equal("AUTHN-01", _urls(found), [], "klanten stored after the refusal", found)


@pytest.mark.rule("AUTHN-01")
@pytest.mark.parametrize("subject_type", SUBJECT_TYPES)
def test_registering_with_matching_authentication(
    klanten: KlantenClient, subject_type: str
) -> None:
    """AUTHN-01: with the matching identity at a sufficient level the klant is registered.

    Method: POST an aangehaakte klant authenticated as its own person/organisation at the
    minimum level → 201; another at level hoog → 201.
    """
    body = klanten.profile.aangehaakt(subject_type)
    checks.expect_status("AUTHN-01", klanten.create(body), 201, what="at the minimum level")
    strong = klanten.profile.aangehaakt(subject_type)
    response = klanten.create(strong, authn=klanten.authn_for(strong, niveau="hoog"))
    checks.expect_status("AUTHN-01", response, 201, what="at level hoog")


# AUTHN-02 ------------------------------------------------------------------------------------


@pytest.mark.rule("AUTHN-02")
@pytest.mark.parametrize("kind", UNMATCHED)
def test_providing_needs_authentication(klanten: KlantenClient, kind: str) -> None:
    """AUTHN-02: an aangehaakte klant is not provided without matching end-user
    authentication at a sufficient level.

    Method: register a natuurlijk persoon; read and HEAD it without authentication, below
    the minimum level, or as another person → 403 or 404 (a problem body on GET); list on
    its bronorganisatie and BSN → it is omitted.
    """
    body = klanten.profile.aangehaakt("natuurlijk_persoon")
    klant = klanten.make(body)
    authn = _unmatched(klanten, body, kind)
    read = klanten.get(klant["url"], authn=authn)
    checks.expect_refused("AUTHN-02", read, (403, 404), what=f"read with {kind}")
    head = klanten.head(klant["url"], authn=authn)
    checks.expect_status("AUTHN-02", head, 403, 404, what=f"HEAD with {kind}")
    listed = klanten.list(authn, **_lookup(klanten, body))
    if listed.status_code != 200:
        checks.expect_refused("AUTHN-02", listed, (403,), what=f"list with {kind}")
        return
    checks.expect_true(
        "AUTHN-02",
        klant["url"] not in _urls(listed),
        f"a list with {kind} omits the aangehaakte klant",
        "it was returned",
        listed,
    )


@pytest.mark.rule("AUTHN-02")
@pytest.mark.parametrize("subject_type", SUBJECT_TYPES)
def test_providing_with_matching_authentication(klanten: KlantenClient, subject_type: str) -> None:
    """AUTHN-02: the klant's own end user, at a sufficient level, is provided with it.

    Method: register an aangehaakte klant; as its own end user read it (200), HEAD it (200)
    and list on its bronorganisatie and identification number (it is in the results).
    """
    body = klanten.profile.aangehaakt(subject_type)
    klant = klanten.make(body)
    checks.expect_status("AUTHN-02", klanten.get(klant["url"]), 200, what="read")
    checks.expect_status("AUTHN-02", klanten.head(klant["url"]), 200, what="HEAD")
    listed = klanten.list(klanten.authn_for(body), **_lookup(klanten, body))
    checks.expect_status("AUTHN-02", listed, 200, what="list")
    checks.expect_true(
        "AUTHN-02",
        klant["url"] in _urls(listed),
        "the list of its own end user returns the klant",
        f"results {_urls(listed)}",
        listed,
    )


# AUTHN-03 ------------------------------------------------------------------------------------


@pytest.mark.rule("AUTHN-03")
@pytest.mark.parametrize("kind", UNMATCHED)
def test_changing_needs_authentication(klanten: KlantenClient, kind: str) -> None:
    """AUTHN-03: changing or deleting an aangehaakte klant needs the authentication of
    registering it.

    Method: register a natuurlijk persoon; PUT, PATCH and DELETE it without authentication,
    below the minimum level, or as another person → 403 each; read back by its own end
    user it is unchanged.
    """
    body = klanten.profile.aangehaakt("natuurlijk_persoon", telefoonnummer="0612345678")
    klant = klanten.make(body)
    authn = _unmatched(klanten, body, kind)
    change = {"telefoonnummer": "0687654321"}
    attempts = {
        "PUT": klanten.put(klant["url"], {**body, **change}, authn=authn),
        "PATCH": klanten.patch(klant["url"], change, authn=authn),
        "DELETE": klanten.delete(klant["url"], authn=authn),
    }
    for method, response in attempts.items():
        checks.expect_refused("AUTHN-03", response, (403,), what=f"{method} with {kind}")
    stored = klanten.read_back(klant["url"], what="reading the klant back as its own end user")
    checks.expect_equal("AUTHN-03", stored, klant, "the klant read back, unchanged", klanten.last)


@pytest.mark.rule("AUTHN-03")
def test_changing_with_matching_authentication(klanten: KlantenClient) -> None:
    """AUTHN-03: with the authentication of registering it, the klant can be changed and
    deleted.

    Method: register a natuurlijk persoon; as its own end user PUT (200), PATCH (200) and
    DELETE (204) it.
    """
    body = klanten.profile.aangehaakt("natuurlijk_persoon")
    klant = klanten.make(body)
    put = klanten.put(klant["url"], {**body, "telefoonnummer": "0612345678"})
    checks.expect_status("AUTHN-03", put, 200, what="PUT")
    patch = klanten.patch(klant["url"], {"telefoonnummer": "0687654321"})
    checks.expect_status("AUTHN-03", patch, 200, what="PATCH")
    checks.expect_status("AUTHN-03", klanten.delete(klant["url"]), 204, what="DELETE")


# AUTHN-04 ------------------------------------------------------------------------------------


@pytest.mark.rule("AUTHN-04")
def test_zelfstandige_klant_needs_no_authentication(klanten: KlantenClient) -> None:
    """AUTHN-04: a zelfstandige klant is registered, provided and changed without end-user
    authentication.

    Method: with tokens that carry no end-user authentication, POST a zelfstandige klant
    (201), read it (200), HEAD it (200), PATCH (200), PUT (200) and DELETE it (204).
    """
    body = klanten.profile.zelfstandig()
    klant = checks.expect_status("AUTHN-04", klanten.create(body, authn=None), 201, what="POST")
    url = klant["url"]
    checks.expect_status("AUTHN-04", klanten.get(url, authn=None), 200, what="read")
    checks.expect_status("AUTHN-04", klanten.head(url, authn=None), 200, what="HEAD")
    patch = klanten.patch(url, {"telefoonnummer": "0612345678"}, authn=None)
    checks.expect_status("AUTHN-04", patch, 200, what="PATCH")
    put = klanten.put(url, {**body, "functie": "zelfstandig"}, authn=None)
    checks.expect_status("AUTHN-04", put, 200, what="PUT")
    checks.expect_status("AUTHN-04", klanten.delete(url, authn=None), 204, what="DELETE")
