"""Class `klok01`: klantgegevens may include identificerende gegevens (KLOK01)."""

from __future__ import annotations

import uuid

import pytest

from klanten_conformance import checks
from klanten_conformance.apis.klanten import KlantenClient
from klanten_conformance.testdata import random_bsn, random_rsin

pytestmark = pytest.mark.creates_data

EXTRA_IDENTIFICATION = {
    "natuurlijk_persoon": {"geslachtsnaam": "Pietersen", "voornamen": "Maria"},
    "niet_natuurlijk_persoon": {"statutaireNaam": "Conformance B.V."},
    "vestiging": {"handelsnaam": ["Conformance Winkel"]},
}


def _urls(response) -> list[str]:
    body = checks.body_of(response)
    results = body.get("results", []) if isinstance(body, dict) else []
    return [r.get("url") for r in results if isinstance(r, dict)]


def _codes(response) -> set[str]:
    body = checks.body_of(response)
    if not isinstance(body, dict):
        return set()
    params = [p.get("code") for p in body.get("invalidParams") or [] if isinstance(p, dict)]
    return {body.get("code"), *params}


@pytest.mark.rule("KLOK01-01")
@pytest.mark.parametrize("subject_type", list(EXTRA_IDENTIFICATION))
def test_register_with_identifying_data(klanten: KlantenClient, subject_type: str) -> None:
    """KLOK01-01: a klant can be registered with identifying data of each subjectType, and
    reads back with that data unchanged.

    Method: create a klant with subjectType and subjectIdentificatie (number plus extra
    fields); GET it as its own end user; compare subjectType and every field sent.
    """
    body = klanten.profile.aangehaakt(subject_type)
    body["subjectIdentificatie"].update(EXTRA_IDENTIFICATION[subject_type])
    klant = checks.expect_status("KLOK01-01", klanten.create(body), 201, what="registering it")
    stored = klanten.read_back(klant["url"])
    read = klanten.last
    checks.expect_equal("KLOK01-01", stored.get("subjectType"), subject_type, "subjectType", read)
    identificatie = stored.get("subjectIdentificatie") or {}
    for name, value in body["subjectIdentificatie"].items():
        checks.expect_equal(
            "KLOK01-01", identificatie.get(name), value, f"subjectIdentificatie.{name}", read
        )


@pytest.mark.rule("KLOK01-02")
def test_klantgegevens_are_the_klants_own(klanten: KlantenClient) -> None:
    """KLOK01-02: klantgegevens may differ from the identifying data and are stored as given.

    Method: create a natuurlijk persoon whose voornaam, achternaam and adres differ from the
    names in subjectIdentificatie; GET it; the klantgegevens are as sent.
    """
    adres = {"straatnaam": "Klantstraat", "huisnummer": 7, "postcode": "1011AB", "landcode": "NL"}
    body = klanten.profile.aangehaakt(
        "natuurlijk_persoon", voornaam="Anna", achternaam="Jansen", adres=adres
    )
    body["subjectIdentificatie"].update({"geslachtsnaam": "Pietersen", "voornamen": "Maria"})
    klant = checks.expect_status("KLOK01-02", klanten.create(body), 201, what="registering it")
    stored = klanten.read_back(klant["url"])
    read = klanten.last
    for name in ("voornaam", "achternaam"):
        checks.expect_equal("KLOK01-02", stored.get(name), body[name], name, read)
    stored_adres = stored.get("adres") or {}
    for name, value in adres.items():
        checks.expect_equal("KLOK01-02", stored_adres.get(name), value, f"adres.{name}", read)


@pytest.mark.rule("KLOK01-C1")
def test_one_klant_per_bsn_per_bronorganisatie(klanten: KlantenClient) -> None:
    """KLOK01-C1: per bronorganisatie at most one klant has a given BSN.

    Method: create a klant with BSN b; a second create with b in the same bronorganisatie →
    400; with b under another bronorganisatie → 201.
    """
    bsn = random_bsn()
    klanten.make(klanten.profile.aangehaakt("natuurlijk_persoon", bsn))
    second = klanten.create(klanten.profile.aangehaakt("natuurlijk_persoon", bsn))
    checks.expect_refused("KLOK01-C1", second, (400,), what="same BSN, same bronorganisatie")
    elsewhere = klanten.profile.aangehaakt("natuurlijk_persoon", bsn, bronorganisatie=random_rsin())
    checks.expect_status(
        "KLOK01-C1", klanten.create(elsewhere), 201, what="same BSN, other bronorganisatie"
    )


@pytest.mark.rule("KLOK01-C1")
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_update_may_not_duplicate_a_bsn(klanten: KlantenClient, method: str) -> None:
    """KLOK01-C1: a PUT or PATCH that gives a second klant a BSN in use is refused (400).

    Method: create klanten with BSN b and c in one bronorganisatie; change the second to b.
    """
    bsn = random_bsn()
    klanten.make(klanten.profile.aangehaakt("natuurlijk_persoon", bsn))
    body = klanten.profile.aangehaakt("natuurlijk_persoon")
    other = klanten.make(body, what="creating a second natuurlijk persoon")
    identificatie = {"inpBsn": bsn}
    if method == "PUT":
        response = klanten.put(other["url"], {**body, "subjectIdentificatie": identificatie})
    else:
        response = klanten.patch(other["url"], {"subjectIdentificatie": identificatie})
    checks.expect_refused("KLOK01-C1", response, (400,), what=f"{method} to a BSN in use")


@pytest.mark.rule("KLOK01-C1b")
def test_find_by_bsn_or_create(klanten: KlantenClient) -> None:
    """KLOK01-C1b: "klant ophalen op BSN, anders aanmaken" works.

    Method: list on bronorganisatie + BSN (none), create the klant, list again (exactly it).
    """
    body = klanten.profile.aangehaakt("natuurlijk_persoon")
    authn = klanten.authn_for(body)
    query = {
        "bronorganisatie": body["bronorganisatie"],
        "subjectNatuurlijkPersoon__inpBsn": body["subjectIdentificatie"]["inpBsn"],
    }
    before = klanten.list(authn, **query)
    checks.expect_status("KLOK01-C1b", before, 200)
    checks.expect_equal("KLOK01-C1b", _urls(before), [], "klanten before the create", before)
    klant = klanten.make(body)
    after = klanten.list(authn, **query)
    checks.expect_status("KLOK01-C1b", after, 200)
    checks.expect_equal("KLOK01-C1b", _urls(after), [klant["url"]], "klanten after", after)


@pytest.mark.rule("KLOK01-C2")
def test_many_klanten_per_niet_natuurlijk_persoon(klanten: KlantenClient) -> None:
    """KLOK01-C2: any number of klanten may share a niet-natuurlijk persoon.

    Method: create three klanten with the same innNnpId in one bronorganisatie (all 201);
    the innNnpId filter returns all three.
    """
    rsin = random_rsin()
    bodies = [klanten.profile.aangehaakt("niet_natuurlijk_persoon", rsin) for _ in range(3)]
    urls = set()
    for body in bodies:
        response = klanten.create(body)
        urls.add(checks.expect_status("KLOK01-C2", response, 201, what="one of three")["url"])
    found = klanten.list(
        klanten.authn_for(bodies[0]),
        bronorganisatie=bodies[0]["bronorganisatie"],
        subjectNietNatuurlijkPersoon__innNnpId=rsin,
    )
    checks.expect_status("KLOK01-C2", found, 200)
    checks.expect_equal("KLOK01-C2", set(_urls(found)), urls, "klanten found by innNnpId", found)


@pytest.mark.rule("KLOK01-C3")
@pytest.mark.parametrize(
    ("subject_type", "foreign"),
    [
        ("natuurlijk_persoon", {"innNnpId": "foreign-rsin"}),
        ("niet_natuurlijk_persoon", {"inpBsn": "foreign-bsn"}),
    ],
)
def test_identification_is_not_mixed(
    klanten: KlantenClient, subject_type: str, foreign: dict
) -> None:
    """KLOK01-C3: identifying data never mixes a natuurlijk and a niet-natuurlijk persoon.

    Method: create a klant whose subjectIdentificatie holds fields of the other subjectType;
    → 400, or 201 with the foreign fields dropped from what is read back.
    """
    body = klanten.profile.aangehaakt(subject_type)
    other = random_rsin() if "innNnpId" in foreign else random_bsn()
    foreign = {name: other for name in foreign}
    body["subjectIdentificatie"].update(foreign)
    response = klanten.create(body)
    if response.status_code == 400:
        checks.expect_refused("KLOK01-C3", response, (400,))
        return
    klant = checks.expect_status("KLOK01-C3", response, 201, 400)
    stored = klanten.read_back(klant["url"]).get("subjectIdentificatie") or {}
    read = klanten.last
    kept = sorted(set(foreign) & set(stored))
    checks.expect_equal("KLOK01-C3", kept, [], "foreign identification fields stored", read)


@pytest.mark.rule("KLOK01-C3")
def test_subject_type_cannot_change(klanten: KlantenClient) -> None:
    """KLOK01-C3: the subjectType of an identified klant cannot be changed.

    Method: create a natuurlijk persoon; PATCH it into a niet-natuurlijk persoon → 400 with
    code `wijzigen-niet-toegelaten`.
    """
    klant = klanten.make(klanten.profile.aangehaakt("natuurlijk_persoon"))
    change = {
        "subjectType": "niet_natuurlijk_persoon",
        "subjectIdentificatie": {"innNnpId": random_rsin()},
    }
    response = klanten.patch(klant["url"], change)
    checks.expect_refused("KLOK01-C3", response, (400,), what="changing the subjectType")
    checks.expect_true(
        "KLOK01-C3",
        "wijzigen-niet-toegelaten" in _codes(response),
        "code wijzigen-niet-toegelaten",
        f"codes {sorted(c for c in _codes(response) if c)}",
        response,
    )


@pytest.mark.rule("KLOK01-Z1", "AUTHN-04")
def test_zelfstandige_klant_without_conditions(klanten: KlantenClient) -> None:
    """KLOK01-Z1: a zelfstandige klant is registered without any condition, also without
    end-user authentication.

    Method: POST a klant without subject and subjectIdentificatie, with a name but without
    contact data, with a token that carries no end-user authentication → 201; it is
    readable without one.
    """
    body = klanten.profile.minimal(voornaam="Zelf", achternaam="Standig")
    response = klanten.create(body, authn=None)
    klant = checks.expect_status("KLOK01-Z1", response, 201)
    klanten.read_back(klant["url"], authn=None)


@pytest.mark.rule("KLOK01-Z2")
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_zelfstandige_klant_stays_zelfstandig(klanten: KlantenClient, method: str) -> None:
    """KLOK01-Z2: a zelfstandige klant cannot be made into an aangehaakte klant.

    Method: create a zelfstandige klant; PUT or PATCH adding subjectType and
    subjectIdentificatie (sent with matching end-user authentication) → 400; it stays
    without identifying data.
    """
    body = klanten.profile.zelfstandig()
    klant = klanten.make(body)
    identifying = {
        "subjectType": "natuurlijk_persoon",
        "subjectIdentificatie": {"inpBsn": random_bsn()},
    }
    authn = klanten.authn_for(identifying)
    if method == "PUT":
        response = klanten.put(klant["url"], {**body, **identifying}, authn=authn)
    else:
        response = klanten.patch(klant["url"], identifying, authn=authn)
    checks.expect_refused("KLOK01-Z2", response, (400,), what=f"{method} adding identifying data")
    stored = klanten.read_back(klant["url"])
    read = klanten.last
    checks.expect_true(
        "KLOK01-Z2",
        not stored.get("subjectIdentificatie") and not stored.get("subject"),
        "the klant still has no identifying data",
        f"subjectIdentificatie {stored.get('subjectIdentificatie')!r}",
        read,
    )


@pytest.mark.rule("KLOK01-Z3")
def test_zelfstandige_klanten_are_not_in_the_klantbeeld(klanten: KlantenClient) -> None:
    """KLOK01-Z3: zelfstandige klanten are not returned by list queries without interaction
    context, but stay retrievable by their own URL.

    Method: create a zelfstandige klant with a unique telefoonnummer, emailadres and
    achternaam; list on each → not returned; GET its URL → 200.
    """
    tag = uuid.uuid4().hex[:10]
    body = klanten.profile.zelfstandig(
        telefoonnummer="06" + str(int(tag, 16))[:8],
        emailadres=f"z{tag}@example.org",
        achternaam=f"Zelfstandig{tag}",
    )
    klant = klanten.make(body)
    for name in ("telefoonnummer", "emailadres", "achternaam"):
        found = klanten.list(None, **{name: body[name]})
        checks.expect_status("KLOK01-Z3", found, 200, what=f"listing on {name}")
        checks.expect_true(
            "KLOK01-Z3",
            klant["url"] not in _urls(found),
            f"a list on {name} omits the zelfstandige klant",
            "it was returned",
            found,
        )
    checks.expect_status("KLOK01-Z3", klanten.get(klant["url"]), 200, what="its own URL")
