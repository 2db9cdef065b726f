"""Class `ki-klok01`: KLOK01 mapped onto partijen and partij-identificatoren.

A partij may carry identifying data (partij-identificatoren): at most one partij per BSN,
never a natuurlijk and a niet-natuurlijk persoon on one partij, any number of klanten for one
niet-natuurlijk persoon; a zelfstandige partij (one created without identificator) stays
zelfstandig and outside the klantbeeld. Checks that need a partij with identifying data but
are not about the route get it the way the target accepts (KlantinteractiesClient.partij).
"""

from __future__ import annotations

from typing import Any

import pytest

from klanten_conformance import checks
from klanten_conformance.apis.klantinteracties import (
    Bodies,
    KlantinteractiesClient,
    adres,
    contactnaam,
    email,
    groep,
    ref,
    referentie,
)
from klanten_conformance.testdata import random_bsn

pytestmark = pytest.mark.creates_data


def _holding(ki: KlantinteractiesClient, soort: str, object_id: str) -> list[str]:
    """URLs of the partijen the target lists as holding ``soort`` ``object_id``."""
    page = ki.expect(
        "listing partijen by identificator",
        ki.list(
            "partijen",
            partijIdentificator__codeSoortObjectId=soort,
            partijIdentificator__objectId=object_id,
        ),
        200,
    )
    return [r.get("url") for r in page.get("results", []) if isinstance(r, dict)]


def _soorten(ki: KlantinteractiesClient, partij: dict) -> list[str]:
    return sorted(
        i["partijIdentificator"]["codeSoortObjectId"] for i in ki.identificatoren_of(partij)
    )


def _nested(*items: dict) -> list[dict]:
    return [{"partijIdentificator": g, **extra} for g, extra in items]


# KI-KLOK01-01, -02 -------------------------------------------------------------------------


@pytest.mark.rule("KI-KLOK01-01")
@pytest.mark.parametrize(
    "soorten", [("bsn",), ("kvk_nummer", "rsin"), ("vestigingsnummer",)], ids=str
)
def test_partij_with_identifying_data(ki: KlantinteractiesClient, soorten: tuple) -> None:
    """KI-KLOK01-01: a persoon (bsn), an organisatie (kvk_nummer + rsin) and a vestiging
    (kvk_nummer + vestigingsnummer under it) can be registered and read back unchanged.

    Method: create the partij the way the target accepts (nested or attached; the
    vestigingsnummer by POST /partij-identificatoren under the kvk_nummer); read the partij and
    its identificatoren back; expect the numbers sent.
    """
    try:
        partij = ki.partij(*soorten, purpose="a partij with identifying data")
    except checks.Blocked as exc:
        checks.fail("KI-KLOK01-01", f"a partij holding {', '.join(soorten)}: 201", exc.received)
    sent = [i["partijIdentificator"] for i in partij.get("_sent") or []]
    vestiging = partij.get("_vestiging")
    if vestiging:
        sent.append(vestiging["partijIdentificator"])
    response = ki.get(ki.key(partij["url"]))
    checks.expect_status("KI-KLOK01-01", response, 200, what="reading the partij back")
    stored = ki.identificatoren_of(partij)
    checks.expect_equal(
        "KI-KLOK01-01",
        sorted((i["partijIdentificator"] for i in stored), key=str),
        sorted(sent, key=str),
        "the identificatoren read back",
        response,
    )
    if vestiging:
        kvk = next(
            i for i in stored if i["partijIdentificator"]["codeSoortObjectId"] == "kvk_nummer"
        )
        response = ki.get(ki.url_of("partijIdentificatoren", vestiging["uuid"]))
        data = checks.expect_status("KI-KLOK01-01", response, 200, what="the vestigingsnummer")
        checks.expect_equal(
            "KI-KLOK01-01",
            (data.get("subIdentificatorVan") or {}).get("uuid"),
            kvk["uuid"],
            "its subIdentificatorVan (the kvk_nummer)",
            response,
        )


@pytest.mark.rule("KI-KLOK01-02")
def test_partijgegevens_stored_as_given(ki: KlantinteractiesClient) -> None:
    """KI-KLOK01-02: contactnaam and addresses of a partij are stored as the partij gave them.

    Method: create a persoon with a bsn and a made-up contactnaam, bezoekadres and
    correspondentieadres; read it back; expect the same values.
    """
    naam = {**contactnaam("Zelfgekozen"), "voornaam": "Kim"}
    fields = {
        "partijIdentificatie": {"contactnaam": naam},
        "bezoekadres": adres("Verzonnenlaan 1"),
        "correspondentieadres": adres("Postbus 99"),
    }
    partij = ki.partij("bsn", purpose="a persoon with a bsn", **fields)
    response = ki.get(ki.key(partij["url"]))
    data = checks.expect_status("KI-KLOK01-02", response, 200)
    stored = (data.get("partijIdentificatie") or {}).get("contactnaam") or {}
    checks.expect_equal(
        "KI-KLOK01-02",
        {k: stored.get(k) for k in naam},
        naam,
        "the contactnaam as sent",
        response,
    )
    for field in ("bezoekadres", "correspondentieadres"):
        got = data.get(field) or {}
        checks.expect_equal(
            "KI-KLOK01-02",
            got.get("adresregel1"),
            fields[field]["adresregel1"],
            f"{field}.adresregel1 as sent",
            response,
        )


# KI-KLOK01-C1, -C1b ------------------------------------------------------------------------


def _without_identificatoren(ki: KlantinteractiesClient) -> dict:
    """A persoon that was created holding a bsn and then lost it (PATCH with an empty
    partijIdentificatoren): it holds nothing, but it is no zelfstandige klant (KI-KLOK01-Z2
    does not apply), so it may be given a bsn."""
    partij = ki.partij("bsn", purpose="a persoon created with a bsn")
    ki.expect(
        "dropping its bsn (PATCH partijIdentificatoren [])",
        ki.change(partij, {"partijIdentificatoren": []}),
        200,
        covering="KI-GED-11",
    )
    return partij


#: the routes of KI-KLOK01-C1 by which partij B might get BSN X that partij A holds
C1_ROUTES = (
    "POST /partijen nested",
    "POST /partij-identificatoren",
    "PATCH /partij-identificatoren objectId",
    "PUT /partij-identificatoren objectId",
    "PUT /partijen nested",
    "PATCH /partijen nested",
    "PATCH /partij-identificatoren identificeerdePartij",
)


@pytest.mark.rule("KI-KLOK01-C1")
@pytest.mark.parametrize("route", C1_ROUTES)
def test_second_partij_with_the_same_bsn(ki: KlantinteractiesClient, route: str) -> None:
    """KI-KLOK01-C1: a second partij with BSN X is refused by every route.

    Method: partij A holds BSN X; K is a kvk_nummer without partij. By the route, try to give
    partij B BSN X, once as it is and once scoped under K (subIdentificatorVan). B holds BSN Y
    where the route changes an identificator of B; B is a persoon that lost its bsn where the
    route adds one (and, after the refusals, takes a fresh bsn by the same route: the route
    works, the refusal was about X). Moving: an identificator with X that no partij holds, if
    the target stores one at all, moved onto B by PATCH. Expect 400 each time and only A
    listed as holding X.
    """
    first = ki.partij("bsn", purpose="partij A")
    bsn = first["_sent"][0]["partijIdentificator"]["objectId"]
    kvk = ki.make(
        "partijIdentificatoren",
        Bodies.partijIdentificatoren("kvk_nummer"),
        what="a kvk_nummer K without partij",
    )
    forms = {"X": {}, "X scoped under K": {"subIdentificatorVan": ref(kvk)}}
    control = None
    if route in (
        "POST /partijen nested",
        "POST /partij-identificatoren",
        "PATCH /partij-identificatoren identificeerdePartij",
    ):
        other = _without_identificatoren(ki) if route != "POST /partijen nested" else None
    else:
        other = ki.partij("bsn", purpose="partij B holding BSN Y")
        own = ki.identificatoren_of(other)[0]
        own_url = ki.url_of("partijIdentificatoren", own["uuid"])
    for form, extra in forms.items():
        item = {"partijIdentificator": groep("bsn", bsn), **extra}
        if route == "POST /partijen nested":
            response = ki.create("partijen", Bodies.partijen(identificatoren=[item]))
        elif route == "POST /partij-identificatoren":
            response = ki.create(
                "partijIdentificatoren",
                Bodies.partijIdentificatoren(**item, identificeerdePartij=ref(other)),
            )
            control = other
        elif route == "PATCH /partij-identificatoren objectId":
            response = ki.patch(own_url, item)
        elif route == "PUT /partij-identificatoren objectId":
            response = ki.put(
                own_url, Bodies.partijIdentificatoren(**item, identificeerdePartij=ref(other))
            )
        elif route == "PUT /partijen nested":
            body = Bodies.partijen(identificatoren=[{"uuid": own["uuid"], **item}])
            response = ki.put(ki.key(other["url"]), body)
        elif route == "PATCH /partijen nested":
            response = ki.change(other, {"partijIdentificatoren": [item]})
        else:  # moving an identificator with X that no partij holds onto B
            loose = ki.create("partijIdentificatoren", Bodies.partijIdentificatoren(**item))
            if loose.status_code != 201:
                checks.expect_refused("KI-KLOK01-C1", loose, what=f"{form} without partij")
                ki.note(f"KI-KLOK01-C1 {route}: {form} is refused without partij already")
                continue
            response = ki.patch(
                ki.url_of("partijIdentificatoren", checks.body_of(loose)["uuid"]),
                {"identificeerdePartij": ref(other)},
            )
            control = other
        checks.expect_refused("KI-KLOK01-C1", response, (400,), what=f"{route} with {form}")
        checks.expect_equal(
            "KI-KLOK01-C1",
            _holding(ki, "bsn", bsn),
            [first["url"]],
            "the partijen holding BSN X",
            response,
        )
    if control is not None:  # B takes a fresh bsn by POST: the refusals were about X
        fresh = Bodies.partijIdentificatoren(identificeerdePartij=ref(control))
        ki.expect(
            "giving B a fresh bsn (the route itself works)",
            ki.create("partijIdentificatoren", fresh),
            201,
            covering="KI-KLOK01-01",
        )


@pytest.mark.rule("KI-KLOK01-C1b")
def test_lookup_by_bsn_then_create(ki: KlantinteractiesClient) -> None:
    """KI-KLOK01-C1b: "ophalen op BSN, anders aanmaken, bestaat wel: aanvullen".

    Method: look up BSN X (count 0); create the partij; look up again (exactly it); find its
    identificator by the partij-identificatoren filters; PATCH contact data (200, identificator
    kept); an organisatie holding KvK K and RSIN X is not found for kvk_nummer+X (a partij
    with BSN Y and RSIN X, the example of the rule, cannot exist under KI-KLOK01-C3).
    """
    bsn = random_bsn()
    checks.expect_equal("KI-KLOK01-C1b", _holding(ki, "bsn", bsn), [], "partijen before", None)
    body = Bodies.partijen(identificatoren=_nested((groep("bsn", bsn), {})))
    with ki.arranging("creating the partij with BSN X", "KI-KLOK01-01"):
        created = checks.expect_status("KI-KLOK01-01", ki.create("partijen", body), 201)
    checks.expect_equal(
        "KI-KLOK01-C1b", _holding(ki, "bsn", bsn), [created["url"]], "partijen after", ki.last
    )
    response = ki.list(
        "partijIdentificatoren",
        partijIdentificatorCodeSoortObjectId="bsn",
        partijIdentificatorObjectId=bsn,
    )
    page = checks.expect_status("KI-KLOK01-C1b", response, 200)
    checks.expect_equal("KI-KLOK01-C1b", page.get("count"), 1, "identificatoren of X", response)
    response = ki.change(created, {"bezoekadres": adres("Aangevuld 2")})
    checks.expect_status("KI-KLOK01-C1b", response, 200, what="aanvullen (PATCH)")
    checks.expect_equal(
        "KI-KLOK01-C1b", _holding(ki, "bsn", bsn), [created["url"]], "still holding X", response
    )
    organisatie = ki.partij("kvk_nummer", "rsin", purpose="an organisatie with a KvK and an RSIN")
    rsin = next(
        i["partijIdentificator"]["objectId"]
        for i in organisatie["_sent"]
        if i["partijIdentificator"]["codeSoortObjectId"] == "rsin"
    )
    found = _holding(ki, "kvk_nummer", rsin)
    checks.expect_equal("KI-KLOK01-C1b", found, [], "partijen for kvk_nummer + its RSIN", ki.last)


# KI-KLOK01-C2 --------------------------------------------------------------------------------


@pytest.mark.rule("KI-KLOK01-C2")
def test_many_klanten_for_one_niet_natuurlijk_persoon(ki: KlantinteractiesClient) -> None:
    """KI-KLOK01-C2: any number of klanten relate to one niet-natuurlijk persoon.

    Method: organisatie O holds KvK K; three contactpersonen working for O; two organisaties
    holding vestigingsnummers under K → all 201; the organisaties are listed by
    subIdentificatorVan__objectId=K, O by partijIdentificator__objectId=K, and every
    contactpersoon reads back working for O (0.9.0 has no filter on werkteVoorPartij).
    """
    organisatie = ki.partij("kvk_nummer", purpose="organisatie O holding KvK K")
    kvk = ki.identificatoren_of(organisatie)[0]
    k = kvk["partijIdentificator"]["objectId"]
    contactpersonen = []
    for n in range(3):
        body = Bodies.partijen("contactpersoon")
        body["partijIdentificatie"]["werkteVoorPartij"] = ref(organisatie)
        response = ki.create("partijen", body)
        made_one = checks.expect_status(
            "KI-KLOK01-C2", response, 201, what=f"contactpersoon {n + 1} of O"
        )
        contactpersonen.append(made_one["url"])
    made = []
    for n in range(2):
        body = Bodies.partijen(
            "organisatie",
            identificatoren=_nested((groep("vestigingsnummer"), {"subIdentificatorVan": ref(kvk)})),
        )
        response = ki.create("partijen", body)
        made.append(
            checks.expect_status("KI-KLOK01-C2", response, 201, what=f"vestiging {n + 1} under K")[
                "url"
            ]
        )
    page = ki.expect(
        "listing partijen under K", ki.list("partijen", subIdentificatorVan__objectId=k), 200
    )
    listed = {r.get("url") for r in page.get("results", [])}
    checks.expect_true(
        "KI-KLOK01-C2",
        set(made) <= listed,
        f"both vestigingen listed under K: {made}",
        str(sorted(listed)),
        ki.last,
    )
    response = ki.list("partijen", partijIdentificator__objectId=k)
    page = checks.expect_status("KI-KLOK01-C2", response, 200, what="partijen holding K")
    checks.expect_equal(
        "KI-KLOK01-C2",
        [r.get("url") for r in page.get("results", [])],
        [organisatie["url"]],
        "the partij holding K (O)",
        response,
    )
    for n, url in enumerate(contactpersonen):  # no filter on werkteVoorPartij: read them back
        response = ki.get(ki.key(url))
        data = checks.expect_status("KI-KLOK01-C2", response, 200, what=f"contactpersoon {n + 1}")
        werkte = (data.get("partijIdentificatie") or {}).get("werkteVoorPartij") or {}
        checks.expect_equal(
            "KI-KLOK01-C2",
            werkte.get("uuid"),
            organisatie["uuid"],
            f"contactpersoon {n + 1} still works for O",
            response,
        )


# KI-KLOK01-C3, -C3b ------------------------------------------------------------------------


@pytest.mark.rule("KI-KLOK01-C3")
def test_never_a_person_and_an_organisation(ki: KlantinteractiesClient) -> None:
    """KI-KLOK01-C3: a bsn and an rsin/kvk_nummer never sit on one partij.

    Method: on contactpersoon partijen (no soort constraint, so KI-KLOK01-C3b is not
    involved): create one with a bsn and an rsin nested; create one with a bsn and a
    kvk_nummer; expect 400 and no partij holding the bsn.
    """
    for other in ("rsin", "kvk_nummer"):
        bsn = random_bsn()
        body = Bodies.partijen(
            "contactpersoon", identificatoren=_nested((groep("bsn", bsn), {}), (groep(other), {}))
        )
        response = ki.create("partijen", body)
        checks.expect_refused("KI-KLOK01-C3", response, (400,), what=f"a bsn and a {other}")
        checks.expect_equal("KI-KLOK01-C3", _holding(ki, "bsn", bsn), [], "stored", response)


C3_ROUTES = (
    "POST /partij-identificatoren",
    "PATCH /partijen nested",
    "PATCH /partij-identificatoren identificeerdePartij",
    "a bsn scoped under its own kvk_nummer",
)


@pytest.mark.rule("KI-KLOK01-C3")
@pytest.mark.parametrize("route", C3_ROUTES)
def test_never_a_person_and_an_organisation_by_route(
    ki: KlantinteractiesClient, route: str
) -> None:
    """KI-KLOK01-C3: a partij holding a bsn gets no rsin or kvk_nummer by any route, and a
    partij holding a kvk_nummer no bsn scoped under it.

    Method: a contactpersoon (no soort constraint, so KI-KLOK01-C3b is not involved) holding
    a bsn: POST an rsin naming it; PATCH it with its bsn and a new kvk_nummer nested; PATCH an
    rsin without partij onto it. A contactpersoon holding a kvk_nummer: POST a bsn naming it,
    scoped under that kvk_nummer. Expect 400 and the partij's identificatoren unchanged.
    """
    first = "kvk_nummer" if route.startswith("a bsn scoped") else "bsn"
    partij = ki.partij(first, soort="contactpersoon", purpose=f"a contactpersoon with a {first}")
    own = ki.identificatoren_of(partij)[0]
    if route == "POST /partij-identificatoren":
        body = Bodies.partijIdentificatoren("rsin", identificeerdePartij=ref(partij))
        response = ki.create("partijIdentificatoren", body)
    elif route == "PATCH /partijen nested":
        kept = {"uuid": own["uuid"], "partijIdentificator": own["partijIdentificator"]}
        items = [kept, {"partijIdentificator": groep("kvk_nummer")}]
        response = ki.change(partij, {"partijIdentificatoren": items})
    elif route == "PATCH /partij-identificatoren identificeerdePartij":
        loose = ki.make(
            "partijIdentificatoren",
            Bodies.partijIdentificatoren("rsin"),
            what="an rsin without partij",
        )
        response = ki.patch(
            ki.url_of("partijIdentificatoren", loose["uuid"]),
            {"identificeerdePartij": ref(partij)},
        )
    else:
        body = Bodies.partijIdentificatoren(
            "bsn", identificeerdePartij=ref(partij), subIdentificatorVan=ref(own)
        )
        response = ki.create("partijIdentificatoren", body)
    checks.expect_refused("KI-KLOK01-C3", response, (400,), what=route)
    checks.expect_equal(
        "KI-KLOK01-C3", _soorten(ki, partij), [first], "the partij's identificatoren", response
    )


@pytest.mark.rule("KI-KLOK01-C3b")
@pytest.mark.parametrize(("soort", "nummer"), [("persoon", "kvk_nummer"), ("organisatie", "bsn")])
def test_identificator_fits_soort_partij(ki: KlantinteractiesClient, soort, nummer) -> None:
    """KI-KLOK01-C3b: a persoon holds only natuurlijk_persoon identificatoren, an organisatie
    only niet_natuurlijk_persoon or vestiging ones.

    Method: create the mismatching partij with its identificator nested; expect 400.
    """
    body = Bodies.partijen(soort, identificatoren=_nested((groep(nummer), {})))
    response = ki.create("partijen", body)
    checks.expect_refused("KI-KLOK01-C3b", response, (400,), what=f"a {soort} with a {nummer}")


@pytest.mark.rule("KI-KLOK01-C3b")
@pytest.mark.parametrize(("nummer", "soort"), [("kvk_nummer", "persoon"), ("bsn", "organisatie")])
def test_soort_partij_change_keeps_the_fit(ki: KlantinteractiesClient, nummer, soort) -> None:
    """KI-KLOK01-C3b: changing the soortPartij of a partij with identificatoren so that they
    no longer fit is refused.

    Method: an organisatie holding a kvk_nummer PATCHed to persoon, a persoon holding a bsn
    PATCHed to organisatie (with a partijIdentificatie of the new soort); expect 400 and the
    soort unchanged.
    """
    partij = ki.partij(nummer, purpose=f"a partij holding a {nummer}")
    identificatie = Bodies.partijen(soort)["partijIdentificatie"]
    response = ki.change(partij, {"soortPartij": soort, "partijIdentificatie": identificatie})
    checks.expect_refused("KI-KLOK01-C3b", response, (400,), what=f"becoming a {soort}")
    data = ki.read(ki.key(partij["url"]), what="reading the partij afterwards")
    checks.expect_equal(
        "KI-KLOK01-C3b", data.get("soortPartij"), partij.get("soortPartij"), "its soort", ki.last
    )


# KI-KLOK01-Q1 ------------------------------------------------------------------------------


@pytest.mark.rule("KI-KLOK01-Q1")
def test_person_for_herself_and_for_an_organisation(ki: KlantinteractiesClient) -> None:
    """KI-KLOK01-Q1: a persoon with BSN X and a contactpersoon for an organisatie are two klanten.

    Method: create the persoon (BSN X), an organisatie and a contactpersoon working for it;
    expect 201 and two distinct readable partijen.
    """
    persoon = ki.partij("bsn", purpose="the persoon with BSN X")
    organisatie = ki.partij(purpose="an organisatie", soort="organisatie")
    body = Bodies.partijen("contactpersoon")
    body["partijIdentificatie"]["werkteVoorPartij"] = ref(organisatie)
    response = ki.create("partijen", body)
    contact = checks.expect_status("KI-KLOK01-Q1", response, 201, what="the contactpersoon")
    checks.expect_true(
        "KI-KLOK01-Q1",
        contact.get("url") != persoon["url"],
        "two distinct partijen",
        "the same url",
        response,
    )
    for url in (persoon["url"], contact["url"]):
        checks.expect_status("KI-KLOK01-Q1", ki.get(ki.key(url)), 200, what="reading it")


# KI-KLOK01-Z1, -Z2, -Z3 ----------------------------------------------------------------------


@pytest.mark.rule("KI-KLOK01-Z1")
def test_zelfstandige_klant_without_conditions(ki: KlantinteractiesClient) -> None:
    """KI-KLOK01-Z1: zelfstandige klanten are registered without conditions.

    Method: a partij without identificatoren and without addresses; a betrokkene without
    wasPartij with its own contactnaam and correspondentieadres; a digitaal adres given only
    by that betrokkene; expect 201 for each.
    """
    response = ki.create("partijen", Bodies.partijen(correspondentieadres=None))
    checks.expect_status("KI-KLOK01-Z1", response, 201, what="a partij without identificator")
    betrokkene = ki.body("betrokkenen")
    response = ki.create("betrokkenen", betrokkene)
    made = checks.expect_status("KI-KLOK01-Z1", response, 201, what="a betrokkene without partij")
    adres_body = ki.body(
        "digitaleadressen", verstrektDoorPartij=None, verstrektDoorBetrokkene=ref(made)
    )
    response = ki.create("digitaleadressen", adres_body)
    checks.expect_status("KI-KLOK01-Z1", response, 201, what="an adres of the betrokkene only")


@pytest.mark.rule("KI-KLOK01-Z2")
def test_zelfstandige_partij_stays_zelfstandig(ki: KlantinteractiesClient) -> None:
    """KI-KLOK01-Z2: a partij created without identificator never gets one.

    Method: create a partij without identificator; POST an identificator naming it; PATCH the
    partij with a nested identificator; PATCH an identificator without partij onto it. Expect
    400/403 each time and the partij still without identificator.
    """
    partij = ki.make(
        "partijen",
        Bodies.partijen(),
        what="creating a zelfstandige partij",
        covering="KI-KLOK01-Z1",
    )
    loose = ki.make("partijIdentificatoren", what="an identificator without partij")
    attempts = [
        (
            "POST /partij-identificatoren naming it",
            lambda: ki.create(
                "partijIdentificatoren",
                Bodies.partijIdentificatoren(identificeerdePartij=ref(partij)),
            ),
        ),
        (
            "PATCH of the partij with partijIdentificatoren",
            lambda: ki.change(partij, {"partijIdentificatoren": _nested((groep("bsn"), {}))}),
        ),
        (
            "PATCH of an identificator moving it onto the partij",
            lambda: ki.patch(
                ki.url_of("partijIdentificatoren", loose["uuid"]),
                {"identificeerdePartij": ref(partij)},
            ),
        ),
    ]
    for what, send in attempts:
        response = send()
        checks.expect_refused("KI-KLOK01-Z2", response, (400, 403), what=what)
        checks.expect_equal(
            "KI-KLOK01-Z2", ki.identificatoren_of(partij), [], "its identificatoren", response
        )


def _adres_of(ki: KlantinteractiesClient, partij: dict | None, betrokkene: dict | None):
    body = {
        "verstrektDoorPartij": ref(partij),
        "verstrektDoorBetrokkene": ref(betrokkene),
        "adres": email(),
        "soortDigitaalAdres": "email",
        "isStandaardAdres": False,
        "omschrijving": "e-mail",
        "referentie": referentie(),
    }
    return ki.make("digitaleadressen", body, what="creating a digitaal adres")


def _betrokkene(ki: KlantinteractiesClient, klantcontact: dict, partij: dict | None, naam: str):
    body = {
        "hadKlantcontact": ref(klantcontact),
        "wasPartij": ref(partij),
        "bezoekadres": None,
        "correspondentieadres": adres(),
        "contactnaam": contactnaam(naam),
        "rol": "klant",
        "organisatienaam": "",
        "initiator": True,
    }
    return ki.make("betrokkenen", body, what="creating a betrokkene")


def _found(ki: KlantinteractiesClient, resource: str, **params: str) -> list[str]:
    response = ki.list(resource, **params)
    page = checks.expect_status("KI-KLOK01-Z3", response, 200, what=f"searching {resource}")
    return [r.get("url") for r in (page or {}).get("results", []) if isinstance(r, dict)]


@pytest.mark.rule("KI-KLOK01-Z3")
def test_zelfstandige_klant_outside_the_klantbeeld(ki: KlantinteractiesClient) -> None:
    """KI-KLOK01-Z3: searches without interactie context do not find zelfstandige data, which
    stays readable by its url and through its klantcontact.

    Method: a zelfstandige partij and an aangehaakte one (a bsn) with the same unique
    bezoekadres and correspondentieadres, each with a digitaal adres; a klantcontact with a
    betrokkene without partij (with a digitaal adres) and one that was the aangehaakte partij,
    both with one unique achternaam. Search partijen on bezoekadresAdresregel1 and
    correspondentieadresAdresregel1, betrokkenen on contactnaamAchternaam and
    digitaleadressen on adres: expect the aangehaakte data only (the aangehaakte hits are the
    control that the filter works: without them the check is blocked). Read the zelfstandige
    data by url, and the klantcontact with expand=hadBetrokkenen,hadBetrokkenen.digitaleAdressen:
    expect the betrokkene without partij and its adres under _expand.
    """
    unique = random_bsn()
    adressen = {
        "bezoekadres": adres(f"Onvindbaar {unique}"),
        "correspondentieadres": adres(f"Postbus {unique}"),
    }
    zelf = ki.make(
        "partijen",
        Bodies.partijen(**adressen),
        what="creating a zelfstandige partij",
        covering="KI-KLOK01-Z1",
    )
    known = ki.partij("bsn", purpose="an aangehaakte partij with the same adressen", **adressen)
    zelf_adres, known_adres = _adres_of(ki, zelf, None), _adres_of(ki, known, None)
    contact = ki.make("klantcontacten", Bodies.klantcontacten())
    naam = f"Eenmalig{unique}"
    eenmalig = _betrokkene(ki, contact, None, naam)
    eenmalig_adres = _adres_of(ki, None, eenmalig)
    bekend = _betrokkene(ki, contact, known, naam)
    searches = [
        (
            "partijen",
            {"bezoekadresAdresregel1": adressen["bezoekadres"]["adresregel1"]},
            zelf,
            known,
        ),
        (
            "partijen",
            {"correspondentieadresAdresregel1": adressen["correspondentieadres"]["adresregel1"]},
            zelf,
            known,
        ),
        ("betrokkenen", {"contactnaamAchternaam": naam}, eenmalig, bekend),
        ("digitaleadressen", {"adres": zelf_adres["adres"]}, zelf_adres, None),
        ("digitaleadressen", {"adres": eenmalig_adres["adres"]}, eenmalig_adres, None),
        ("digitaleadressen", {"adres": known_adres["adres"]}, None, known_adres),
    ]
    for resource, params, hidden, shown in searches:
        urls = _found(ki, resource, **params)
        if shown is not None and shown["url"] not in urls:
            raise checks.Blocked(
                f"the {resource} filter {params} finding aangehaakte data (the control)",
                f"not found: {urls}",
                ["KI-OAS-09"],
                checks.evidence_of(ki.last),
            )
        if hidden is not None:
            checks.expect_true(
                "KI-KLOK01-Z3",
                hidden["url"] not in urls,
                f"{resource}?{params} without the zelfstandige",
                f"found {hidden['url']}",
                ki.last,
            )
    for item in (zelf, eenmalig, zelf_adres, eenmalig_adres):
        checks.expect_status("KI-KLOK01-Z3", ki.get(ki.key(item["url"])), 200, what="by its url")
    expand = "hadBetrokkenen,hadBetrokkenen.digitaleAdressen"
    response = ki.get(ki.key(contact["url"]), params={"expand": expand})
    # an expand the target cannot answer at all (an error, a crash) is expand's own failure
    # (KI-OAS-10): what Z3 judges is which betrokkenen an answered expand leaves out
    with checks.arranging(f"reading the klantcontact with expand={expand}", "KI-OAS-10"):
        data = checks.expect_status("KI-KLOK01-Z3", response, 200, what=f"expand={expand}")
    betrokkenen = ((data or {}).get("_expand") or {}).get("hadBetrokkenen") or []
    found = next((b for b in betrokkenen if b.get("uuid") == eenmalig["uuid"]), None)
    checks.expect_true(
        "KI-KLOK01-Z3",
        found is not None,
        "the betrokkene without partij under _expand",
        str([b.get("uuid") for b in betrokkenen]),
        response,
    )
    inner = (found or {}).get("_expand")
    if not isinstance(inner, dict) or "digitaleAdressen" not in inner:
        # the dotted value expanded no second step at all: expand itself (KI-OAS-10) failed
        raise checks.Blocked(
            "expanding hadBetrokkenen.digitaleAdressen (a dotted expand value)",
            f"the betrokkene has no _expand.digitaleAdressen: {str(found)[:200]}",
            ["KI-OAS-10"],
            checks.evidence_of(response),
        )
    digitaal = inner.get("digitaleAdressen") or []
    checks.expect_true(
        "KI-KLOK01-Z3",
        eenmalig_adres["uuid"] in [a.get("uuid") for a in digitaal],
        "its digitaal adres under _expand.digitaleAdressen",
        str(digitaal)[:300],
        response,
    )


# KI-KLOK01-A1, -A2 (end-user authentication through the vendor's hook) -------------------------


def _conveyed(ki: KlantinteractiesClient, identificatie: str) -> dict[str, str]:
    """Headers of the vendor's hook for an end user with BSN ``identificatie``; a skip when
    the target offers none (the Token scheme has no place for the built-in claim)."""
    result: Any = None
    if ki.config is not None:
        result = ki.config.hook.pytest_klanten_authenticatie(
            config=ki.config,
            subject_type="natuurlijk_persoon",
            identificatie=identificatie,
            niveau=ki.context.min_niveau,
        )
    headers = (result or {}).get("headers") if isinstance(result, dict) else None
    if not headers:
        pytest.skip(
            "the target offers no end-user authentication: no plug-in implements "
            "pytest_klanten_authenticatie with headers (the Token scheme has no place for it)"
        )
    return dict(headers)


@pytest.mark.rule("KI-KLOK01-A1")
def test_registering_identifying_data_needs_the_end_user(ki: KlantinteractiesClient) -> None:
    """KI-KLOK01-A1: registering a bsn needs the matching authenticated end user.

    Method: through the vendor hook: create a partij with BSN X without end user and with
    another end user (403); with the matching one (201).
    """
    bsn = random_bsn()
    matching = _conveyed(ki, bsn)
    other = _conveyed(ki, random_bsn())
    body = Bodies.partijen(identificatoren=_nested((groep("bsn", bsn), {})))
    for what, headers in (("no end user", {}), ("another end user", other)):
        response = ki.create("partijen", body, headers=headers)
        checks.expect_refused("KI-KLOK01-A1", response, (403,), what=what)
    response = ki.create("partijen", body, headers=matching)
    checks.expect_status("KI-KLOK01-A1", response, 201, what="the matching end user")


@pytest.mark.rule("KI-KLOK01-A2")
def test_providing_identifying_data_needs_the_end_user(ki: KlantinteractiesClient) -> None:
    """KI-KLOK01-A2: reading an aangehaakte partij needs the matching end user.

    Method: through the vendor hook: create a partij with BSN X; read it without end user
    (403/404) and with the matching one (200).
    """
    bsn = random_bsn()
    matching = _conveyed(ki, bsn)
    body = Bodies.partijen(identificatoren=_nested((groep("bsn", bsn), {})))
    with ki.arranging("creating the partij", "KI-KLOK01-A1"):
        made = checks.expect_status(
            "KI-KLOK01-A1", ki.create("partijen", body, headers=matching), 201
        )
    response = ki.get(ki.key(made["url"]))
    checks.expect_refused("KI-KLOK01-A2", response, (403, 404), what="without end user")
    response = ki.get(ki.key(made["url"]), headers=matching)
    checks.expect_status("KI-KLOK01-A2", response, 200, what="with the matching end user")
