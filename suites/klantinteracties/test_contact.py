"""Class `ki-contact`: klantcontacten, betrokkenen, onderwerpobjecten and digitale adressen.

A contactmoment is a klantcontact; an interactie is a chain of klantcontacten linked by
onderwerpobjecten (klantcontact = the new one, wasKlantcontact = the earlier one).
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from klanten_conformance import checks
from klanten_conformance.apis.klantinteracties import (
    Bodies,
    KlantinteractiesClient,
    as_value,
    contactnaam,
    invalid_param_named,
    ref,
)

pytestmark = pytest.mark.creates_data

UNKNOWN = {"uuid": "00000000-0000-4000-8000-000000000000"}


def _same_moment(value: object, sent: str) -> bool:
    """Whether a date-time read back is the moment sent: an implementation may give it in
    another offset (Open Klant answers in its own time zone, 11:15+01:00 for 10:15Z)."""
    try:
        got = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        wanted = dt.datetime.fromisoformat(sent.replace("Z", "+00:00"))
    except ValueError:
        return False
    if got.tzinfo is None:  # no offset given: the same wall-clock time is all one can tell
        return got == wanted.replace(tzinfo=None)
    return got == wanted


def _uuids(items) -> list[str]:
    return [i.get("uuid") for i in items or [] if isinstance(i, dict)]


@pytest.mark.rule("KI-CONTACT-01")
def test_contactmoment_as_klantcontact(ki: KlantinteractiesClient) -> None:
    """KI-CONTACT-01: a klantcontact with its moment is stored as sent; without
    plaatsgevondenOp the server sets the creation time.

    Method: create one with plaatsgevondenOp in the past, read back; create one without and
    expect a plaatsgevondenOp.
    """
    body = Bodies.klantcontacten(plaatsgevondenOp="2024-03-01T10:15:00+00:00")
    response = ki.create("klantcontacten", body)
    made = checks.expect_status("KI-CONTACT-01", response, 201)
    data = ki.read(ki.key(made["url"]))
    for field in ("kanaal", "onderwerp", "taal", "vertrouwelijk"):
        checks.expect_equal("KI-CONTACT-01", as_value(data.get(field)), as_value(body[field]),
                            field, ki.last)
    checks.expect_true("KI-CONTACT-01", _same_moment(data.get("plaatsgevondenOp"),
        body["plaatsgevondenOp"]), "plaatsgevondenOp as sent (the same moment, in any offset)",
        str(data.get("plaatsgevondenOp")), ki.last)
    body.pop("plaatsgevondenOp")
    response = ki.create("klantcontacten", body)
    made = checks.expect_status("KI-CONTACT-01", response, 201)
    checks.expect_true("KI-CONTACT-01", bool(made.get("plaatsgevondenOp")),
                       "a plaatsgevondenOp set by the server", "none", response)


@pytest.mark.rule("KI-CONTACT-02")
def test_betrokkene_references(ki: KlantinteractiesClient) -> None:
    """KI-CONTACT-02: hadKlantcontact required and existing, wasPartij null or existing, rol
    in the enum; both sides list the betrokkene.

    Method: create betrokkenen with an unknown klantcontact and an unknown partij (400); a
    valid one with wasPartij; read the klantcontact and the partij.
    """
    for field in ("hadKlantcontact", "wasPartij"):
        response = ki.create("betrokkenen", ki.body("betrokkenen", **{field: UNKNOWN}))
        invalid_param_named("KI-CONTACT-02", response, field, what=f"unknown {field}")
    partij = ki.partij(purpose="the partij of the betrokkene")
    response = ki.create("betrokkenen", ki.body("betrokkenen", wasPartij=ref(partij)))
    made = checks.expect_status("KI-CONTACT-02", response, 201)
    contact = ki.read(ki.url_of("klantcontacten", made["hadKlantcontact"]["uuid"]))
    checks.expect_true("KI-CONTACT-02", made["uuid"] in _uuids(contact.get("hadBetrokkenen")),
                       "listed in hadBetrokkenen", str(contact.get("hadBetrokkenen")), ki.last)
    data = ki.read(ki.key(partij["url"]))
    checks.expect_true("KI-CONTACT-02", made["uuid"] in _uuids(data.get("betrokkenen")),
                       "listed in the partij's betrokkenen", str(data.get("betrokkenen")),
                       ki.last)


@pytest.mark.rule("KI-CONTACT-03")
def test_interactie_is_navigable(ki: KlantinteractiesClient) -> None:
    """KI-CONTACT-03: klantcontacten A ← B ← C linked by onderwerpobjecten can be walked.

    Method: build the chain; forward: onderwerpobjecten?wasKlantcontact__uuid=A gives B's;
    backward: C's gingOverOnderwerpobjecten leads to B.
    """
    a, b, c = (ki.make("klantcontacten") for _ in range(3))
    links = {}
    for new, old in ((b, a), (c, b)):
        links[new["uuid"]] = ki.make("onderwerpobjecten", klantcontact=ref(new),
                                     wasKlantcontact=ref(old))
    response = ki.list("onderwerpobjecten", wasKlantcontact__uuid=a["uuid"])
    page = checks.expect_status("KI-CONTACT-03", response, 200)
    found = [(r.get("klantcontact") or {}).get("uuid") for r in page.get("results", [])]
    checks.expect_equal("KI-CONTACT-03", found, [b["uuid"]], "forward from A", response)
    data = ki.read(ki.key(c["url"]))
    over = _uuids(data.get("gingOverOnderwerpobjecten"))
    checks.expect_equal("KI-CONTACT-03", over, [links[c["uuid"]]["uuid"]], "C's onderwerpobject",
                        ki.last)
    link = ki.read(ki.url_of("onderwerpobjecten", over[0]))
    checks.expect_equal("KI-CONTACT-03", (link.get("wasKlantcontact") or {}).get("uuid"),
                        b["uuid"], "backward from C", ki.last)


@pytest.mark.rule("KI-CONTACT-04")
def test_onderwerpobject_references(ki: KlantinteractiesClient) -> None:
    """KI-CONTACT-04: unknown klantcontact/wasKlantcontact → 400; the identificator is kept.

    Method: create with each unknown reference; create a valid one and read it back.
    """
    for field in ("klantcontact", "wasKlantcontact"):
        response = ki.create("onderwerpobjecten", ki.body("onderwerpobjecten", **{
            field: UNKNOWN}))
        invalid_param_named("KI-CONTACT-04", response, field, what=f"unknown {field}")
    body = ki.body("onderwerpobjecten")
    made = checks.expect_status("KI-CONTACT-04", ki.create("onderwerpobjecten", body), 201)
    data = ki.read(ki.key(made["url"]))
    checks.expect_equal("KI-CONTACT-04", data.get("onderwerpobjectidentificator"),
                        body["onderwerpobjectidentificator"], "the identificator", ki.last)


@pytest.mark.rule("KI-CONTACT-05")
def test_maak_klantcontact_is_atomic(ki: KlantinteractiesClient) -> None:
    """KI-CONTACT-05: maak-klantcontact creates the three linked, or nothing.

    Method: POST with klantcontact, betrokkene and onderwerpobject; expect 201 and the links;
    POST twice more, each with a unique onderwerp and a betrokkene that is invalid: once by
    its schema (a rol outside the enum), once only by what it refers to (a wasPartij that does
    not exist, which a server finds only when it looks the partij up); expect 400 each time
    and no klantcontact with that onderwerp.
    """
    body = {
        "klantcontact": Bodies.klantcontacten(),
        "betrokkene": {"wasPartij": None, "contactnaam": contactnaam(), "rol": "klant",
                       "initiator": True, "hadKlantcontact": UNKNOWN},
        "onderwerpobject": {"wasKlantcontact": None, "klantcontact": UNKNOWN,
                            "onderwerpobjectidentificator": None},
    }
    response = ki.maak_klantcontact(body)
    made = checks.expect_status("KI-CONTACT-05", response, 201)
    kc = made["klantcontact"]["uuid"]
    checks.expect_equal("KI-CONTACT-05", (made["betrokkene"].get("hadKlantcontact") or {}).get(
        "uuid"), kc, "betrokkene.hadKlantcontact", response)
    checks.expect_equal("KI-CONTACT-05", (made["onderwerpobject"].get("klantcontact") or {}).get(
        "uuid"), kc, "onderwerpobject.klantcontact", response)
    for what, invalid in (("a rol outside the enum", {"rol": "geen_rol"}),
                          ("an unknown wasPartij", {"wasPartij": UNKNOWN})):
        onderwerp = f"atomair {uuid.uuid4().hex[:8]}"
        response = ki.maak_klantcontact({
            **body, "klantcontact": Bodies.klantcontacten(onderwerp=onderwerp),
            "betrokkene": {**body["betrokkene"], **invalid}})
        checks.expect_refused("KI-CONTACT-05", response, (400,), what=f"a betrokkene with {what}")
        left = ki.count("klantcontacten", onderwerp=onderwerp)
        checks.expect_equal("KI-CONTACT-05", left, 0,
                            f"klantcontacten left behind by a betrokkene with {what}", response)


@pytest.mark.rule("KI-CONTACT-06")
@pytest.mark.parametrize(("soort", "value", "ok"), [
    ("email", "geen-adres", False), ("email", "klant@example.org", True),
    ("telefoonnummer", "bel mij", False), ("telefoonnummer", "0612345678", True),
    ("overig", "kamer 12, loket 3", True)])
def test_adres_fits_its_soort(ki: KlantinteractiesClient, soort, value, ok) -> None:
    """KI-CONTACT-06: email and telefoonnummer addresses are checked, overig is free text.

    Method: create a digitaal adres of the soort with the value; expect 201, or 400 naming
    adres.
    """
    response = ki.create("digitaleadressen", ki.body(
        "digitaleadressen", soortDigitaalAdres=soort, adres=value))
    if ok:
        checks.expect_status("KI-CONTACT-06", response, 201, what=f"{soort} {value!r}")
    else:
        invalid_param_named("KI-CONTACT-06", response, "adres", what=f"{soort} {value!r}")


@pytest.mark.rule("KI-CONTACT-07")
def test_one_standaard_adres_per_soort(ki: KlantinteractiesClient) -> None:
    """KI-CONTACT-07: isStandaardAdres needs a partij; a second standaard demotes the first.

    Method: a standaard adres without partij (400); two standaard e-mail addresses for one
    partij (the first no longer standaard).
    """
    response = ki.create("digitaleadressen", ki.body(
        "digitaleadressen", verstrektDoorPartij=None, isStandaardAdres=True))
    checks.expect_refused("KI-CONTACT-07", response, (400,), what="standaard without partij")
    partij = ki.partij(purpose="a partij")
    first, second = (checks.expect_status("KI-CONTACT-07", ki.create("digitaleadressen", ki.body(
        "digitaleadressen", verstrektDoorPartij=ref(partij), isStandaardAdres=True)), 201)
        for _ in range(2))
    data = ki.read(ki.key(first["url"]))
    checks.expect_equal("KI-CONTACT-07", data.get("isStandaardAdres"), False, "the first",
                        ki.last)


@pytest.mark.rule("KI-CONTACT-08")
def test_one_off_contact_data_stays_with_the_interactie(ki: KlantinteractiesClient) -> None:
    """KI-CONTACT-08: a betrokkene's own adres and contactnaam stay off the partij.

    Method: a betrokkene with wasPartij and a digitaal adres given only by it; read the
    partij; expect the adres not in its digitaleAdressen.
    """
    partij = ki.partij(purpose="a partij")
    betrokkene = ki.make("betrokkenen", wasPartij=ref(partij))
    adres = ki.make("digitaleadressen", verstrektDoorPartij=None,
                    verstrektDoorBetrokkene=ref(betrokkene))
    data = ki.read(ki.key(partij["url"]))
    checks.expect_true("KI-CONTACT-08", adres["uuid"] not in _uuids(data.get("digitaleAdressen")),
                       "the betrokkene's adres not on the partij", str(data.get(
                           "digitaleAdressen")), ki.last)


@pytest.mark.rule("KI-CONTACT-09")
def test_klantcontact_survives_its_partij(ki: KlantinteractiesClient) -> None:
    """KI-CONTACT-09: after DELETE of a partij, its betrokkene remains with wasPartij null.

    Method: a betrokkene of a partij; DELETE the partij; read the betrokkene.
    """
    partij = ki.partij(purpose="a partij")
    betrokkene = ki.make("betrokkenen", wasPartij=ref(partij))
    ki.expect("deleting the partij", ki.delete(ki.key(partij["url"])), 204)
    response = ki.get(ki.key(betrokkene["url"]))
    data = checks.expect_status("KI-CONTACT-09", response, 200, what="the betrokkene")
    checks.expect_equal("KI-CONTACT-09", data.get("wasPartij"), None, "wasPartij", response)


@pytest.mark.rule("KI-CONTACT-10")
def test_actorklantcontact_unique(ki: KlantinteractiesClient) -> None:
    """KI-CONTACT-10: unknown actor → 400; the same pair twice → 400.

    Method: create with an unknown actor; create a pair twice.
    """
    response = ki.create("actorklantcontacten", ki.body("actorklantcontacten", actor=UNKNOWN))
    invalid_param_named("KI-CONTACT-10", response, "actor", what="an unknown actor")
    pair = ki.body("actorklantcontacten")
    ki.make("actorklantcontacten", pair)
    checks.expect_refused("KI-CONTACT-10", ki.create("actorklantcontacten", pair), (400,),
                          what="the pair again")


@pytest.mark.rule("KI-CONTACT-11")
def test_interne_taak_follows_a_klantcontact(ki: KlantinteractiesClient) -> None:
    """KI-CONTACT-11: unknown aanleidinggevendKlantcontact → 400; toegewezenOp set; the
    klantcontact lists the taak.

    Method: create with an unknown klantcontact; a valid one sending a toegewezenOp of 2001
    (expect the server's own); read the klantcontact's leiddeTotInterneTaken.
    """
    response = ki.create("internetaken", ki.body(
        "internetaken", aanleidinggevendKlantcontact=UNKNOWN))
    invalid_param_named("KI-CONTACT-11", response, "aanleidinggevendKlantcontact")
    sent = "2001-01-01T00:00:00+00:00"
    response = ki.create("internetaken", ki.body("internetaken", toegewezenOp=sent))
    made = checks.expect_status("KI-CONTACT-11", response, 201)
    given = str(made.get("toegewezenOp") or "")
    checks.expect_true("KI-CONTACT-11", bool(given) and not given.startswith("2001-01-01"),
                       "toegewezenOp set by the server (the value sent ignored)", given or "none",
                       response)
    contact = ki.read(ki.url_of("klantcontacten", made["aanleidinggevendKlantcontact"]["uuid"]))
    checks.expect_true("KI-CONTACT-11", made["uuid"] in _uuids(contact.get(
        "leiddeTotInterneTaken")), "listed by the klantcontact", str(contact.get(
            "leiddeTotInterneTaken")), ki.last)
