"""Class `ki-gedrag`: partijen and partij-identificatoren at run time.

Identificatoren are sent on their own (POST /partij-identificatoren without partij, which
KI-KLOK01-Z2 leaves alone) unless a rule is about the nested route. Refusals are judged on the
status and on the attribute an invalidParams entry names, never on message text.
"""

from __future__ import annotations

import uuid

import pytest

from klanten_conformance import checks
from klanten_conformance.apis.klantinteracties import (
    Bodies,
    KlantinteractiesClient,
    email,
    groep,
    invalid_param_named,
    ref,
    referentie,
)

pytestmark = pytest.mark.creates_data


def _identificator(ki: KlantinteractiesClient, soort: str, object_id: str | None = None, **f):
    return ki.create(
        "partijIdentificatoren",
        Bodies.partijIdentificatoren(soort, partijIdentificator=groep(soort, object_id), **f),
    )


def _with(soort: str, **changes: str) -> dict:
    return Bodies.partijIdentificatoren(soort, partijIdentificator={**groep(soort), **changes})


def _stored(ki: KlantinteractiesClient, object_id: str) -> int:
    return ki.count(
        "partijIdentificatoren",
        what="counting identificatoren",
        partijIdentificatorObjectId=object_id,
    )


# KI-GED-01 .. -04: the partijIdentificator group ------------------------------------------


@pytest.mark.rule("KI-GED-01")
@pytest.mark.parametrize(
    ("register", "objecttype", "soort"),
    [
        ("brp", "niet_natuurlijk_persoon", "rsin"),
        ("brp", "vestiging", "vestigingsnummer"),
        ("hr", "natuurlijk_persoon", "bsn"),
    ],
)
def test_register_decides_objecttype(ki: KlantinteractiesClient, register, objecttype, soort):
    """KI-GED-01: brp holds only natuurlijk_persoon, hr only niet_natuurlijk_persoon/vestiging.

    Method: POST /partij-identificatoren and a partij with a nested identificator carrying the
    forbidden pair; PATCH and PUT a valid identificator of the soort to the forbidden pair;
    expect 400 naming codeObjecttype each time.
    """
    body = _with(soort, codeRegister=register)
    response = ki.create("partijIdentificatoren", body)
    invalid_param_named("KI-GED-01", response, "codeObjecttype", what="POST")
    nested = Bodies.partijen(
        "contactpersoon", identificatoren=[{"partijIdentificator": body["partijIdentificator"]}]
    )
    invalid_param_named(
        "KI-GED-01", ki.create("partijen", nested), "codeObjecttype", what="nested in a partij"
    )
    parent = {}
    if soort == "vestigingsnummer":  # a valid one hangs under a kvk_nummer (KI-GED-07)
        kvk = ki.make("partijIdentificatoren", _with("kvk_nummer"), what="a kvk_nummer")
        parent = {"subIdentificatorVan": ref(kvk)}
    valid = ki.make("partijIdentificatoren", _with(soort) | parent, what=f"a valid {soort}")
    url = ki.url_of("partijIdentificatoren", valid["uuid"])
    wrong = {**valid["partijIdentificator"], "codeRegister": register}
    response = ki.patch(url, {"partijIdentificator": wrong})
    invalid_param_named("KI-GED-01", response, "codeObjecttype", what="PATCH")
    body = {**Bodies.partijIdentificatoren(soort), **parent, "partijIdentificator": wrong}
    response = ki.put(url, body)
    invalid_param_named("KI-GED-01", response, "codeObjecttype", what="PUT")


@pytest.mark.rule("KI-GED-02")
@pytest.mark.parametrize(
    ("objecttype", "soort"),
    [
        ("natuurlijk_persoon", "rsin"),
        ("niet_natuurlijk_persoon", "bsn"),
        ("vestiging", "kvk_nummer"),
    ],
)
def test_objecttype_decides_soort(ki: KlantinteractiesClient, objecttype, soort) -> None:
    """KI-GED-02: natuurlijk_persoon → bsn; niet_natuurlijk_persoon → rsin/kvk_nummer;
    vestiging → vestigingsnummer (0.9.0 has no `overig`).

    Method: POST /partij-identificatoren with a forbidden pair (the register fitting the
    object type); expect 400 naming codeSoortObjectId.
    """
    register = "brp" if objecttype == "natuurlijk_persoon" else "hr"
    body = _with(soort, codeObjecttype=objecttype, codeRegister=register)
    invalid_param_named("KI-GED-02", ki.create("partijIdentificatoren", body), "codeSoortObjectId")


@pytest.mark.rule("KI-GED-03")
@pytest.mark.parametrize(
    ("soort", "object_id"),
    [
        ("bsn", "123456789"),
        ("bsn", "12345678"),
        ("bsn", ""),
        ("bsn", "12345678a"),
        ("rsin", "123456789"),
        ("kvk_nummer", "1234567"),
        ("kvk_nummer", "1234567a"),
        ("vestigingsnummer", "29664887515"),
    ],
)
def test_object_id_fits_its_soort(ki: KlantinteractiesClient, soort, object_id) -> None:
    """KI-GED-03: bsn/rsin 9 digits with the 11-proef, kvk_nummer 8 and vestigingsnummer 12
    digits; otherwise 400 naming objectId.

    Method: POST /partij-identificatoren with the invalid number (a vestigingsnummer under a
    kvk_nummer, so that only the number is wrong).
    """
    extra = {}
    if soort == "vestigingsnummer":
        kvk = ki.make("partijIdentificatoren", _with("kvk_nummer"), what="a kvk_nummer")
        extra["subIdentificatorVan"] = ref(kvk)
    response = _identificator(ki, soort, object_id, **extra)
    invalid_param_named("KI-GED-03", response, "objectId", what=f"{soort} {object_id!r}")


@pytest.mark.rule("KI-GED-03")
def test_eleven_proof_alone_decides(ki: KlantinteractiesClient) -> None:
    """KI-GED-03: 000000000 passes the 11-proef and is accepted as a bsn.

    Method: POST /partij-identificatoren with bsn 000000000 (or, when one already exists on
    the target, check that an existing one is the reason: 400 without objectId).
    """
    if _stored(ki, "000000000"):
        pytest.skip("the target already holds a bsn 000000000 (KI-GED-05 forbids a second)")
    response = _identificator(ki, "bsn", "000000000")
    checks.expect_status("KI-GED-03", response, 201, what="bsn 000000000")


@pytest.mark.rule("KI-GED-04")
@pytest.mark.parametrize(
    "missing", ["all", "codeObjecttype", "codeSoortObjectId", "objectId", "codeRegister"]
)
def test_group_needs_all_members(ki: KlantinteractiesClient, missing: str) -> None:
    """KI-GED-04: an empty or partial partijIdentificator group → 400 required, nothing stored.

    Method: POST /partij-identificatoren with {} or one member left out; expect 400 with
    `required` naming the (each) missing member, and the number not stored.
    """
    group = groep("bsn")
    sent = {} if missing == "all" else {k: v for k, v in group.items() if k != missing}
    body = {**Bodies.partijIdentificatoren("bsn"), "partijIdentificator": sent}
    response = ki.create("partijIdentificatoren", body)
    for name in list(group) if missing == "all" else [missing]:
        invalid_param_named("KI-GED-04", response, name, "required")
    if missing != "objectId":
        checks.expect_equal("KI-GED-04", _stored(ki, group["objectId"]), 0, "stored", response)


# KI-GED-05 .. -10: uniqueness and scoping ----------------------------------------------------


@pytest.mark.rule("KI-GED-05")
def test_unscoped_identificator_is_unique(ki: KlantinteractiesClient) -> None:
    """KI-GED-05: the same four values twice without subIdentificatorVan → 400.

    Method: create an rsin identificator without partij; create the same again standalone
    and nested in a new organisatie; PATCH and PUT a second rsin into the same values; PATCH
    an organisatie with the same values nested; expect 400 and still one identificator.
    """
    first = ki.make("partijIdentificatoren", _with("rsin"), what="an rsin identificator")
    group = first["partijIdentificator"]
    response = ki.create("partijIdentificatoren", {**_with("rsin"), "partijIdentificator": group})
    checks.expect_refused("KI-GED-05", response, (400,), what="the same again")
    nested = Bodies.partijen("organisatie", identificatoren=[{"partijIdentificator": group}])
    checks.expect_refused("KI-GED-05", ki.create("partijen", nested), (400,), what="nested")
    second = ki.make("partijIdentificatoren", _with("rsin"), what="a second rsin")
    url = ki.url_of("partijIdentificatoren", second["uuid"])
    response = ki.patch(url, {"partijIdentificator": group})
    checks.expect_refused("KI-GED-05", response, (400,), what="PATCH of another into it")
    response = ki.put(url, {**_with("rsin"), "partijIdentificator": group})
    checks.expect_refused("KI-GED-05", response, (400,), what="PUT of another into it")
    partij = ki.partij("kvk_nummer", purpose="an organisatie holding a kvk_nummer")
    own = ki.identificatoren_of(partij)[0]
    items = [
        {"uuid": own["uuid"], "partijIdentificator": own["partijIdentificator"]},
        {"partijIdentificator": group},
    ]
    response = ki.change(partij, {"partijIdentificatoren": items})
    checks.expect_refused("KI-GED-05", response, (400,), what="nested in a PATCH of a partij")
    checks.expect_equal("KI-GED-05", _stored(ki, group["objectId"]), 1, "stored", response)


@pytest.mark.rule("KI-GED-06")
def test_one_identificator_per_soort(ki: KlantinteractiesClient) -> None:
    """KI-GED-06: a second kvk_nummer on the same partij → 400.

    Method: an organisatie holding a kvk_nummer; POST another kvk_nummer naming it.
    """
    partij = ki.partij("kvk_nummer", purpose="an organisatie with a kvk_nummer")
    response = ki.create(
        "partijIdentificatoren", _with("kvk_nummer") | {"identificeerdePartij": ref(partij)}
    )
    checks.expect_refused("KI-GED-06", response, (400,), what="a second kvk_nummer")


@pytest.mark.rule("KI-GED-07")
def test_vestigingsnummer_hangs_under_a_kvk_nummer(ki: KlantinteractiesClient) -> None:
    """KI-GED-07: a vestigingsnummer needs subIdentificatorVan naming a kvk_nummer.

    Method: POST a vestigingsnummer without parent and under an rsin (400 naming
    subIdentificatorVan); create one under a kvk_nummer and PATCH the parent to null (400).
    """
    rsin = ki.make("partijIdentificatoren", _with("rsin"), what="an rsin")
    for what, parent in (("without parent", None), ("under an rsin", ref(rsin))):
        response = ki.create(
            "partijIdentificatoren", _with("vestigingsnummer") | {"subIdentificatorVan": parent}
        )
        invalid_param_named("KI-GED-07", response, "subIdentificatorVan", what=what)
    kvk = ki.make("partijIdentificatoren", _with("kvk_nummer"), what="a kvk_nummer")
    child = ki.make(
        "partijIdentificatoren",
        _with("vestigingsnummer") | {"subIdentificatorVan": ref(kvk)},
        what="a vestigingsnummer under it",
    )
    response = ki.patch(
        ki.url_of("partijIdentificatoren", child["uuid"]), {"subIdentificatorVan": None}
    )
    invalid_param_named("KI-GED-07", response, "subIdentificatorVan", what="PATCH to null")


@pytest.mark.rule("KI-GED-08")
def test_scoped_identificator_unique_per_parent(ki: KlantinteractiesClient) -> None:
    """KI-GED-08: vestigingsnummer V twice under K1 → 400; V under K2 → 201.

    Method: two kvk_nummers without partij; V under K1 twice, then under K2.
    """
    k1, k2 = (
        ki.make("partijIdentificatoren", _with("kvk_nummer"), what="a kvk_nummer") for _ in range(2)
    )
    first = ki.make(
        "partijIdentificatoren",
        _with("vestigingsnummer") | {"subIdentificatorVan": ref(k1)},
        what="V under K1",
    )
    group = first["partijIdentificator"]
    again = {**_with("vestigingsnummer"), "partijIdentificator": group}
    response = ki.create("partijIdentificatoren", again | {"subIdentificatorVan": ref(k1)})
    checks.expect_refused("KI-GED-08", response, (400,), what="V under K1 again")
    response = ki.create("partijIdentificatoren", again | {"subIdentificatorVan": ref(k2)})
    checks.expect_status("KI-GED-08", response, 201, what="V under K2")


@pytest.mark.rule("KI-GED-09")
def test_parent_identificator_is_kept(ki: KlantinteractiesClient) -> None:
    """KI-GED-09: a parent cannot be deleted, change its soort or be its own parent.

    Method: K with child V (no partij); DELETE K (400/409); PATCH K to an rsin (400); PATCH
    K's subIdentificatorVan to K (400); K and V still readable. A partij holding K with a
    child: PATCH the partij with no partijIdentificatoren (400, K kept).
    """
    kvk = ki.make("partijIdentificatoren", _with("kvk_nummer"), what="K")
    child = ki.make(
        "partijIdentificatoren",
        _with("vestigingsnummer") | {"subIdentificatorVan": ref(kvk)},
        what="V under K",
    )
    url = ki.url_of("partijIdentificatoren", kvk["uuid"])
    checks.expect_refused("KI-GED-09", ki.delete(url), (400, 409), what="DELETE of K")
    response = ki.patch(url, {"partijIdentificator": groep("rsin")})
    checks.expect_refused("KI-GED-09", response, (400,), what="K becoming an rsin")
    response = ki.patch(url, {"subIdentificatorVan": ref(kvk)})
    checks.expect_refused("KI-GED-09", response, (400,), what="K its own parent")
    for item in (kvk, child):
        checks.expect_status(
            "KI-GED-09",
            ki.get(ki.url_of("partijIdentificatoren", item["uuid"])),
            200,
            what="still readable",
        )
    partij = ki.partij("kvk_nummer", purpose="a partij holding a kvk_nummer")
    own = ki.identificatoren_of(partij)[0]
    ki.make(
        "partijIdentificatoren",
        _with("vestigingsnummer") | {"subIdentificatorVan": ref(own)},
        what="a vestigingsnummer under the partij's kvk_nummer",
    )
    response = ki.change(partij, {"partijIdentificatoren": []})
    checks.expect_refused("KI-GED-09", response, (400,), what="dropping the parent by PATCH")
    kept = [i["uuid"] for i in ki.identificatoren_of(partij)]
    checks.expect_equal("KI-GED-09", kept, [own["uuid"]], "the partij's identificatoren", response)


@pytest.mark.rule("KI-GED-10")
def test_deleting_a_partij_with_a_parent_identificator(ki: KlantinteractiesClient) -> None:
    """KI-GED-10: DELETE of a partij whose identificator is a parent elsewhere: 4xx or 204
    leaving the child readable; never a 5xx. A partij's own identificatoren go with it.

    Method: partij A holds K; an organisatie B holds V under K; DELETE A (a 204 must leave V
    with an existing parent, as a vestigingsnummer needs one). Then delete a
    partij with a bsn and expect its identificator gone.
    """
    a = ki.partij("kvk_nummer", purpose="partij A holding K")
    kvk = ki.identificatoren_of(a)[0]
    b = ki.make(
        "partijen",
        Bodies.partijen(
            "organisatie",
            identificatoren=[
                {"partijIdentificator": groep("vestigingsnummer"), "subIdentificatorVan": ref(kvk)}
            ],
        ),
        what="partij B holding V under K",
    )
    response = ki.delete(ki.key(a["url"]))
    checks.expect_true(
        "KI-GED-10", response.status_code < 500, "no 5xx", f"HTTP {response.status_code}", response
    )
    if response.status_code == 204:  # then B's child must stay consistent
        for item in ki.identificatoren_of(b):
            response = ki.get(ki.url_of("partijIdentificatoren", item["uuid"]))
            child = checks.expect_status("KI-GED-10", response, 200, what="B's identificator")
            parent = (child.get("subIdentificatorVan") or {}).get("uuid")
            checks.expect_true(
                "KI-GED-10",
                bool(parent),
                "B's vestigingsnummer keeps a parent (KI-GED-07)",
                "subIdentificatorVan null",
                response,
            )
            response = ki.get(ki.url_of("partijIdentificatoren", parent))
            checks.expect_status("KI-GED-10", response, 200, what="the parent it names")
    persoon = ki.partij("bsn", purpose="a partij with a bsn")
    own = ki.identificatoren_of(persoon)[0]
    checks.expect_status("KI-GED-10", ki.delete(ki.key(persoon["url"])), 204)
    response = ki.get(ki.url_of("partijIdentificatoren", own["uuid"]))
    checks.expect_refused("KI-GED-10", response, (404,), what="its identificator afterwards")


# KI-GED-11, -12: nested identificatoren ------------------------------------------------------


@pytest.mark.rule("KI-GED-11")
def test_nested_identificatoren(ki: KlantinteractiesClient) -> None:
    """KI-GED-11: nested items are created, updated by uuid and removed when not listed;
    duplicate uuids and invalid items are refused atomically.

    Method: an organisatie with a kvk_nummer and an rsin nested; PATCH with the kvk_nummer
    (by uuid) and an rsin without objectId (400, both kept); PATCH with the kvk_nummer twice (400);
    PATCH with only the kvk_nummer (200, the rsin gone).
    """
    body = Bodies.partijen(
        "organisatie",
        identificatoren=[
            {"partijIdentificator": groep("kvk_nummer")},
            {"partijIdentificator": groep("rsin")},
        ],
    )
    with ki.arranging("creating an organisatie with nested identificatoren", "KI-KLOK01-01"):
        partij = checks.expect_status("KI-KLOK01-01", ki.create("partijen", body), 201)
    items = {
        i["partijIdentificator"]["codeSoortObjectId"]: i for i in ki.identificatoren_of(partij)
    }
    checks.expect_equal("KI-GED-11", sorted(items), ["kvk_nummer", "rsin"], "created", ki.last)
    kvk = {
        "uuid": items["kvk_nummer"]["uuid"],
        "partijIdentificator": items["kvk_nummer"]["partijIdentificator"],
    }
    # invalid by a rule of its own that no other fault switches off: a group without objectId
    bad = {"partijIdentificator": {k: v for k, v in groep("rsin").items() if k != "objectId"}}
    response = ki.change(partij, {"partijIdentificatoren": [kvk, bad]})
    checks.expect_refused("KI-GED-11", response, (400,), what="an invalid item")
    checks.expect_equal("KI-GED-11", len(ki.identificatoren_of(partij)), 2, "kept", response)
    response = ki.change(partij, {"partijIdentificatoren": [kvk, kvk]})
    checks.expect_refused("KI-GED-11", response, (400,), what="the same uuid twice")
    response = ki.change(partij, {"partijIdentificatoren": [kvk]})
    checks.expect_status("KI-GED-11", response, 200, what="only the kvk_nummer")
    left = [i["uuid"] for i in ki.identificatoren_of(partij)]
    checks.expect_equal("KI-GED-11", left, [kvk["uuid"]], "the rsin removed", response)


@pytest.mark.rule("KI-GED-12")
def test_nested_identificeerde_partij_never_elsewhere(ki: KlantinteractiesClient) -> None:
    """KI-GED-12: identificeerdePartij inside a nested item never attaches it elsewhere.

    Method: an organisatie O with a kvk_nummer; create a persoon with a nested bsn naming O;
    expect 400, or 201 with the bsn on the new partij and O holding only its kvk_nummer.
    """
    other = ki.partij("kvk_nummer", purpose="another partij")
    body = Bodies.partijen(
        identificatoren=[{"partijIdentificator": groep("bsn"), "identificeerdePartij": ref(other)}]
    )
    response = ki.create("partijen", body)
    if response.status_code == 201:
        soorten = [
            i["partijIdentificator"]["codeSoortObjectId"] for i in ki.identificatoren_of(other)
        ]
        checks.expect_equal("KI-GED-12", soorten, ["kvk_nummer"], "the other partij's", response)
    else:
        checks.expect_refused("KI-GED-12", response, (400,))


# KI-GED-13 .. -18 ------------------------------------------------------------------------------


@pytest.mark.rule("KI-GED-12")
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_nested_identificeerde_partij_overridden(ki: KlantinteractiesClient, method: str) -> None:
    """KI-GED-12: on PUT/PATCH of a partij, identificeerdePartij inside a nested item is
    overridden by the enclosing partij.

    Method: organisatie P holding a kvk_nummer, organisatie O holding an rsin; PUT/PATCH P
    with its kvk_nummer (by uuid) naming O as identificeerdePartij; expect 200, P still
    holding the kvk_nummer and O only its rsin.
    """
    partij = ki.partij("kvk_nummer", purpose="organisatie P")
    other = ki.partij("rsin", purpose="organisatie O")
    own = ki.identificatoren_of(partij)[0]
    item = {
        "uuid": own["uuid"],
        "partijIdentificator": own["partijIdentificator"],
        "identificeerdePartij": ref(other),
    }
    if method == "PUT":
        body = Bodies.partijen("organisatie", identificatoren=[item])
        body["partijIdentificatie"] = (
            partij.get("partijIdentificatie") or body["partijIdentificatie"]
        )
        response = ki.put(ki.key(partij["url"]), body)
    else:
        response = ki.change(partij, {"partijIdentificatoren": [item]})
    checks.expect_status("KI-GED-12", response, 200, what=f"{method} of P naming O")
    for who, made, soort in (("P", partij, "kvk_nummer"), ("O", other, "rsin")):
        soorten = [
            i["partijIdentificator"]["codeSoortObjectId"] for i in ki.identificatoren_of(made)
        ]
        checks.expect_equal("KI-GED-12", soorten, [soort], f"{who}'s identificatoren", response)


@pytest.mark.rule("KI-GED-13")
def test_read_only_fields_are_the_servers(ki: KlantinteractiesClient) -> None:
    """KI-GED-13: values sent for read-only fields are ignored.

    Method: create a partij and a klantcontact sending uuid, url, betrokkenen and the
    klantcontact's reverse lists, and a betrokkene sending a volledigeNaam; expect the
    server's values.
    """
    fake = str(uuid.uuid4())
    body = ki.body(
        "partijen",
        uuid=fake,
        url=f"https://example.org/{fake}",
        betrokkenen=[{"uuid": fake}],
        vertegenwoordigden=[{"uuid": fake}],
        categorieRelaties=[{"uuid": fake}],
    )
    response = ki.create("partijen", body)
    data = checks.expect_status("KI-GED-13", response, 201)
    for field in ("betrokkenen", "vertegenwoordigden", "categorieRelaties"):
        checks.expect_equal("KI-GED-13", data.get(field), [], field, response)
    checks.expect_true("KI-GED-13", data.get("uuid") != fake, "a server uuid", fake, response)
    response = ki.create(
        "klantcontacten",
        Bodies.klantcontacten(
            hadBetrokkenen=[{"uuid": fake}], leiddeTotInterneTaken=[{"uuid": fake}]
        ),
    )
    data = checks.expect_status("KI-GED-13", response, 201)
    for field in ("hadBetrokkenen", "leiddeTotInterneTaken"):
        checks.expect_equal("KI-GED-13", data.get(field), [], field, response)
    response = ki.create("betrokkenen", ki.body("betrokkenen", volledigeNaam="Verzonnen Naam"))
    data = checks.expect_status("KI-GED-13", response, 201)
    checks.expect_true(
        "KI-GED-13",
        data.get("volledigeNaam") != "Verzonnen Naam",
        "the betrokkene's volledigeNaam derived by the server",
        str(data.get("volledigeNaam")),
        response,
    )


@pytest.mark.rule("KI-GED-14")
@pytest.mark.parametrize("resource", ["partijen", "klantcontacten"])
def test_nummer_generated_and_unique(ki: KlantinteractiesClient, resource: str) -> None:
    """KI-GED-14: a generated nummer is digits, ≤ 10 long, different per create; a nummer in
    use → 400 unique; a non-numeric nummer → 400.

    Method: two creates without nummer; one with the first's nummer; one with letters.
    """
    numbers = []
    for _ in range(2):
        response = ki.create(resource, ki.body(resource))
        numbers.append(str(checks.expect_status("KI-GED-14", response, 201).get("nummer")))
        checks.expect_true(
            "KI-GED-14",
            numbers[-1].isdigit() and len(numbers[-1]) <= 10,
            "a numeric nummer of at most 10",
            numbers[-1],
            response,
        )
    checks.expect_true("KI-GED-14", numbers[0] != numbers[1], "two nummers", str(numbers), None)
    response = ki.create(resource, ki.body(resource, nummer=numbers[0]))
    invalid_param_named("KI-GED-14", response, "nummer", "unique", what="a nummer in use")
    response = ki.create(resource, ki.body(resource, nummer="abc"))
    invalid_param_named("KI-GED-14", response, "nummer", what="a non-numeric nummer")


#: voorkeur field -> (the resource it names, the field there naming its partij)
VOORKEUREN = {
    "voorkeursDigitaalAdres": ("digitaleadressen", "verstrektDoorPartij"),
    "voorkeursRekeningnummer": ("rekeningnummers", "partij"),
}


def _of_partij(ki: KlantinteractiesClient, resource: str, partij: dict) -> dict:
    """A digitaal adres or rekeningnummer of ``partij`` (nothing else made for it)."""
    if resource == "rekeningnummers":
        body = {"partij": ref(partij), "iban": "NL91ABNA0417164300", "bic": "ABNANL2A"}
    else:
        body = {
            "verstrektDoorPartij": ref(partij),
            "verstrektDoorBetrokkene": None,
            "adres": email(),
            "soortDigitaalAdres": "email",
            "isStandaardAdres": False,
            "omschrijving": "e-mail",
            "referentie": referentie(),
        }
    return ki.make(resource, body, what=f"creating one of the partij's {resource}")


@pytest.mark.rule("KI-GED-15")
@pytest.mark.parametrize("field", list(VOORKEUREN))
def test_voorkeur_is_the_partijs_own(ki: KlantinteractiesClient, field: str) -> None:
    """KI-GED-15: voorkeursDigitaalAdres / voorkeursRekeningnummer must be one of the
    partij's own digitaleAdressen / rekeningnummers, on create, PUT and PATCH.

    Method: a digitaal adres (rekeningnummer) of partij A; create a partij with it as
    voorkeur; PUT and PATCH partij B with it as voorkeur; expect 400 each time.
    """
    resource, _ = VOORKEUREN[field]
    a = ki.partij(purpose="partij A")
    theirs = _of_partij(ki, resource, a)
    response = ki.create("partijen", ki.body("partijen", **{field: ref(theirs)}))
    checks.expect_refused("KI-GED-15", response, (400,), what="create with A's as voorkeur")
    b = ki.partij(purpose="partij B")
    body = Bodies.partijen(b.get("soortPartij") or "persoon", **{field: ref(theirs)})
    body["partijIdentificatie"] = b.get("partijIdentificatie") or body["partijIdentificatie"]
    response = ki.put(ki.key(b["url"]), body)
    checks.expect_refused("KI-GED-15", response, (400,), what="PUT of B with A's as voorkeur")
    response = ki.change(b, {field: ref(theirs)})
    checks.expect_refused("KI-GED-15", response, (400,), what="PATCH of B with A's as voorkeur")


@pytest.mark.rule("KI-GED-16")
@pytest.mark.parametrize("field", list(VOORKEUREN))
def test_deleting_the_voorkeur(ki: KlantinteractiesClient, field: str) -> None:
    """KI-GED-16: deleting the voorkeur adres or rekeningnummer leaves the partij, with the
    voorkeur null.

    Method: an adres (rekeningnummer) of a partij made its voorkeur; DELETE it; read the
    partij.
    """
    resource, _ = VOORKEUREN[field]
    partij = ki.partij(purpose="a partij")
    own = _of_partij(ki, resource, partij)
    ki.expect("making it the voorkeur", ki.change(partij, {field: ref(own)}), 200)
    checks.expect_status("KI-GED-16", ki.delete(ki.url_of(resource, own["uuid"])), 204)
    response = ki.get(ki.key(partij["url"]))
    data = checks.expect_status("KI-GED-16", response, 200, what="the partij afterwards")
    checks.expect_equal("KI-GED-16", data.get(field), None, "voorkeur", response)


@pytest.mark.rule("KI-GED-17")
def test_contactpersoon_works_for_an_organisatie(ki: KlantinteractiesClient) -> None:
    """KI-GED-17: werkteVoorPartij must be an existing organisatie.

    Method: contactpersonen working for a persoon and for an unknown uuid; expect 400.
    """
    persoon = ki.partij(purpose="a persoon")
    for what, target in (
        ("a persoon", ref(persoon)),
        ("an unknown uuid", {"uuid": str(uuid.uuid4())}),
    ):
        body = Bodies.partijen("contactpersoon")
        body["partijIdentificatie"]["werkteVoorPartij"] = target
        checks.expect_refused(
            "KI-GED-17", ki.create("partijen", body), (400,), what=f"working for {what}"
        )


@pytest.mark.rule("KI-GED-18")
def test_vertegenwoordiging_and_references(ki: KlantinteractiesClient) -> None:
    """KI-GED-18: no partij represents itself, a pair occurs once, unknown references → 400.

    Method: a vertegenwoordiging of A by A; one of B by A twice; a rekeningnummer and a
    betrokkene naming unknown uuids.
    """
    a = ki.partij(purpose="partij A")
    b = ki.partij(purpose="partij B")
    response = ki.create(
        "vertegenwoordigingen",
        {"vertegenwoordigendePartij": ref(a), "vertegenwoordigdePartij": ref(a)},
    )
    checks.expect_refused("KI-GED-18", response, (400,), what="A representing A")
    pair = {"vertegenwoordigendePartij": ref(a), "vertegenwoordigdePartij": ref(b)}
    ki.make("vertegenwoordigingen", pair, what="A representing B")
    checks.expect_refused(
        "KI-GED-18", ki.create("vertegenwoordigingen", pair), (400,), what="the same pair again"
    )
    unknown = {"uuid": str(uuid.uuid4())}
    for resource, field in (("rekeningnummers", "partij"), ("betrokkenen", "wasPartij")):
        response = ki.create(resource, ki.body(resource, **{field: unknown}))
        checks.expect_refused("KI-GED-18", response, (400,), what=f"{resource}.{field} unknown")
