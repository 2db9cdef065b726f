"""Class `ki-oas`: the implementation matches the Klantinteracties OpenAPI document 0.9.0.

The generated class of klanten_conformance.generated.oas_class (generated cases of all 85
operations judged per rule, one valid request per operation, the published document), plus
the checks specific to this API: pagination with pageSize (KI-OAS-07), filters (KI-OAS-09),
expand (KI-OAS-10), the life cycle (KI-OAS-11) and PUT/PATCH (KI-OAS-12).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from klanten_conformance import checks
from klanten_conformance.apis.klantinteracties import (
    PATHS,
    Bodies,
    KlantinteractiesClient,
    as_value,
    invalid_param_named,
    ref,
)
from klanten_conformance.generated.oas_class import oas_class

globals().update(oas_class("klantinteracties"))

pytestmark = pytest.mark.creates_data


@pytest.mark.rule("KI-OAS-05")
@pytest.mark.parametrize("body", [[], "partij", 1, None, [{"soortPartij": "persoon"}]], ids=str)
def test_non_object_bodies_are_refused(ki: KlantinteractiesClient, body) -> None:
    """KI-OAS-05: a JSON body that is no object is refused with a 4xx, never a 5xx.

    Method: POST /partijen and /maak-klantcontact with a JSON array, string, number or null.
    """
    for path in ("partijen", "maak-klantcontact"):
        response = ki.post(path, body)
        checks.expect_refused("KI-OAS-05", response, what=f"POST {path} with {body!r}")


@pytest.mark.rule("KI-OAS-07")
def test_pages_with_page_size(ki: KlantinteractiesClient) -> None:
    """KI-OAS-07: pageSize pages; `next` walks every page; out-of-range page/pageSize → 4xx.

    Method: create 5 klantcontacten with one unique onderwerp (klantcontacten: no rule hides
    any of them from a search); list them with pageSize=2 and walk `next` (expect each once,
    `count` 5, three pages); send page=0, pageSize=0, pageSize=-1 and a page past the last;
    expect 4xx.
    """
    onderwerp = f"paginering {uuid.uuid4().hex[:12]}"
    made = {ki.make("klantcontacten", onderwerp=onderwerp)["url"] for _ in range(5)}
    response = ki.list("klantcontacten", onderwerp=onderwerp, pageSize=2)
    page = checks.expect_status("KI-OAS-07", response, 200)
    checks.expect_equal("KI-OAS-07", page.get("count"), 5, "count", response)
    seen = [r.get("url") for r in page.get("results", [])]
    pages = 1
    while page.get("next") and pages <= 5:
        response = ki.get(page["next"])
        page = checks.expect_status("KI-OAS-07", response, 200)
        seen += [r.get("url") for r in page.get("results", [])]
        pages += 1
    checks.expect_equal("KI-OAS-07", sorted(seen), sorted(made), "all pages", response)
    checks.expect_equal("KI-OAS-07", pages, 3, "pages of 2", response)
    for params in ({"page": 0}, {"pageSize": 0}, {"pageSize": -1}, {"page": 99}):
        response = ki.list("klantcontacten", **{"onderwerp": onderwerp, "pageSize": 2, **params})
        checks.expect_refused("KI-OAS-07", response, what=str(params))


#: resource -> a second filter whose value each resource of the check gets uniquely
_SECOND = {
    "partijen": "nummer",
    "klantcontacten": "nummer",
    "digitaleadressen": "omschrijving",
    "internetaken": "nummer",
}


@pytest.mark.rule("KI-OAS-09")
@pytest.mark.parametrize(
    ("resource", "field", "values"),
    [
        ("partijen", "soortPartij", ("persoon", "organisatie")),
        ("klantcontacten", "kanaal", ("telefoon", "balie")),
        ("digitaleadressen", "soortDigitaalAdres", ("email", "overig")),
        ("internetaken", "status", ("te_verwerken", "verwerkt")),
    ],
)
def test_filters(ki: KlantinteractiesClient, resource, field, values) -> None:
    """KI-OAS-09: a filter returns only matching resources, alone and with another filter;
    an invalid enum value → 400.

    Method: create one resource per value of the field, each with a unique value of a second
    filter (nummer, or omschrijving); filter on the second alone (exactly that resource), on
    both (exactly it) and on the second with another value of the field (none); an invalid
    value of an enum-typed filter → 400.
    """
    second = _SECOND[resource]
    for value in values:
        unique = str(uuid.uuid4().int)[:10]
        extra = {field: value, second: unique}
        if resource == "partijen":
            extra = {"soort": value, second: unique}
        if resource == "digitaleadressen":
            extra["adres"] = "klant@example.org" if value == "email" else "loket 4"
        url = ki.make(resource, ki.body(resource, **extra))["url"]
        for other in values:
            response = ki.list(resource, **{second: unique, field: other})
            page = checks.expect_status("KI-OAS-09", response, 200)
            urls = [r.get("url") for r in page.get("results", [])]
            wanted = [url] if other == value else []
            checks.expect_equal(
                "KI-OAS-09", urls, wanted, f"{second} and {field}={other}", response
            )
        response = ki.list(resource, **{second: unique})
        urls = [
            r.get("url")
            for r in checks.expect_status("KI-OAS-09", response, 200).get("results", [])
        ]
        checks.expect_equal("KI-OAS-09", urls, [url], f"{second} alone", response)
    if resource != "klantcontacten":  # kanaal is free text
        response = ki.list(resource, **{field: "geen_waarde"})
        checks.expect_refused("KI-OAS-09", response, (400,), what="an invalid enum value")


#: list -> (a string filter the document does not mark as a partial match, the body field)
_EXACT = {
    "klantcontacten": ("onderwerp", "onderwerp"),
    "digitaleadressen": ("omschrijving", "omschrijving"),
}


@pytest.mark.rule("KI-OAS-09")
@pytest.mark.parametrize("resource", list(_EXACT))
def test_string_filters_match_exactly(ki: KlantinteractiesClient, resource: str) -> None:
    """KI-OAS-09: a string filter whose name does not say otherwise matches the whole value:
    a part of it finds nothing.

    Method: create the resource with a unique value of the field; filter on the value (exactly
    it) and on the value without its last characters, and in upper case (nothing).
    """
    name, field = _EXACT[resource]
    value = f"exact {uuid.uuid4().hex[:12]}"
    url = ki.make(resource, ki.body(resource, **{field: value}))["url"]
    response = ki.list(resource, **{name: value})
    page = checks.expect_status("KI-OAS-09", response, 200) or {}
    urls = [r.get("url") for r in page.get("results", []) if isinstance(r, dict)]
    checks.expect_equal("KI-OAS-09", urls, [url], f"{name}={value!r}", response)
    for part in (value[:-3], value.upper()):
        response = ki.list(resource, **{name: part})
        page = checks.expect_status("KI-OAS-09", response, 200) or {}
        urls = [r.get("url") for r in page.get("results", []) if isinstance(r, dict)]
        checks.expect_true(
            "KI-OAS-09",
            url not in urls,
            f"{name}={part!r} does not find {value!r}",
            f"{len(urls)} result(s), it among them",
            response,
        )


def _with_parents(value: str) -> str:
    """An expand value with the values of its parent paths before it
    (``a.b.c`` -> ``a,a.b,a.b.c``; each is a value of the enum too). Whether a dotted value
    alone also expands its parents the document does not say (Open Klant expands nothing
    for it alone), so a dotted value is judged on what it adds below its listed parents."""
    steps = value.split(".")
    return ",".join(".".join(steps[: n + 1]) for n in range(len(steps)))


def _expanded(data: Any, steps: list[str]) -> list:
    """What ``_expand`` holds along ``steps`` (a dotted expand value) below ``data``."""
    items = [data]
    for step in steps:
        found: list = []
        for item in items:
            value = (item.get("_expand") or {}).get(step) if isinstance(item, dict) else None
            found += value if isinstance(value, list) else [value] if value else []
        items = found
    return items


@pytest.mark.rule("KI-OAS-10")
def test_expand(ki: KlantinteractiesClient) -> None:
    """KI-OAS-10: every listed expand value adds `_expand`; several at once; unknown → 400.

    Method: a klantcontact with a betrokkene (with a digitaal adres) and an onderwerpobject;
    read it with each value of the enum (a dotted one with its parent paths) and all at once;
    expect the resources under _expand along every step of a dotted value;
    read it with an unknown value.
    """
    contact = ki.make("klantcontacten")
    betrokkene = ki.make("betrokkenen", hadKlantcontact=ref(contact))
    ki.make("digitaleadressen", verstrektDoorPartij=None, verstrektDoorBetrokkene=ref(betrokkene))
    ki.make("onderwerpobjecten", klantcontact=ref(contact))
    url = ki.key(contact["url"])
    values = ["gingOverOnderwerpobjecten", "hadBetrokkenen", "hadBetrokkenen.digitaleAdressen"]
    for value in [*map(_with_parents, values), ",".join(values)]:
        response = ki.get(url, params={"expand": value})
        data = checks.expect_status("KI-OAS-10", response, 200, what=f"expand={value}")
        for path in value.split(","):
            found = _expanded(data, path.split("."))
            checks.expect_true(
                "KI-OAS-10",
                bool(found),
                f"_expand along {path}",
                str(data.get("_expand") if isinstance(data, dict) else data)[:300],
                response,
            )
    response = ki.get(url, params={"expand": "onbekend"})
    checks.expect_refused("KI-OAS-10", response, (400,), what="an unknown value")


#: resource -> the values of its expand enum (0.9.0; the same for list and detail)
EXPANDS = {
    "partijen": [
        "betrokkenen",
        "betrokkenen.hadKlantcontact",
        "categorieRelaties",
        "digitaleAdressen",
    ],
    "klantcontacten": [
        "gingOverOnderwerpobjecten",
        "hadBetrokkenen",
        "hadBetrokkenen.digitaleAdressen",
        "hadBetrokkenen.wasPartij",
        "leiddeTotInterneTaken",
        "omvatteBijlagen",
    ],
    "betrokkenen": ["digitaleAdressen"],
    "digitaleadressen": [
        "verstrektDoorBetrokkene",
        "verstrektDoorBetrokkene.hadKlantcontact",
        "verstrektDoorBetrokkene.hadKlantcontact.leiddeTotInterneTaken",
    ],
}


@pytest.mark.rule("KI-OAS-10")
def test_expand_on_every_operation(ki: KlantinteractiesClient) -> None:
    """KI-OAS-10: every operation that takes expand (list and detail of partijen,
    klantcontacten, betrokkenen, digitaleadressen) expands each value of its enum, and all of
    them at once; an unknown value → 400.

    Method: one graph where every expand path leads somewhere: partij P with a digitaal adres
    and a categorie-relatie; klantcontact K with an onderwerpobject, an interne taak and a
    bijlage; betrokkene B of K that was P, with a digitaal adres A. Read P, K, B and A by url
    and find them in their list (filtered to them), with each value (a dotted one with its
    parent paths) and all values; expect
    a resource under `_expand` along every step; then an unknown value.
    """
    partij = ki.partij(purpose="partij P")
    contact = ki.make("klantcontacten")
    betrokkene = ki.make("betrokkenen", hadKlantcontact=ref(contact), wasPartij=ref(partij))
    adres = ki.make(
        "digitaleadressen", verstrektDoorPartij=None, verstrektDoorBetrokkene=ref(betrokkene)
    )
    ki.make("digitaleadressen", verstrektDoorPartij=ref(partij))
    ki.make("categorieRelaties", partij=ref(partij))
    ki.make("onderwerpobjecten", klantcontact=ref(contact))
    ki.make("internetaken", aanleidinggevendKlantcontact=ref(contact))
    ki.make("bijlagen", wasBijlageVanKlantcontact=ref(contact))
    lists = {
        "partijen": (partij, {"nummer": partij.get("nummer")}),
        "klantcontacten": (contact, {"nummer": contact.get("nummer")}),
        "betrokkenen": (betrokkene, {"hadKlantcontact__url": contact["url"]}),
        "digitaleadressen": (adres, {"verstrektDoorBetrokkene__url": betrokkene["url"]}),
    }
    for resource, (made, params) in lists.items():
        values = EXPANDS[resource]
        for value in [*map(_with_parents, values), ",".join(values)]:
            for operation in ("retrieve", "list"):
                if operation == "retrieve":
                    response = ki.get(ki.key(made["url"]), params={"expand": value})
                    data = checks.expect_status("KI-OAS-10", response, 200)
                else:
                    response = ki.list(resource, expand=value, **params)
                    page = checks.expect_status("KI-OAS-10", response, 200)
                    data = next(
                        (
                            r
                            for r in (page or {}).get("results", [])
                            if r.get("uuid") == made["uuid"]
                        ),
                        None,
                    )
                for path in value.split(","):
                    found = _expanded(data, path.split("."))
                    checks.expect_true(
                        "KI-OAS-10",
                        bool(found),
                        f"{resource} {operation}: _expand along {path}",
                        str((data or {}).get("_expand") if isinstance(data, dict) else data)[:300],
                        response,
                    )
        response = ki.list(resource, expand="onbekend", **params)
        checks.expect_refused("KI-OAS-10", response, (400,), what=f"{resource} list: unknown")


@pytest.mark.rule("KI-OAS-11")
@pytest.mark.parametrize("resource", list(PATHS))
def test_life_cycle(ki: KlantinteractiesClient, resource: str) -> None:
    """KI-OAS-11: create → 201, read back equal; DELETE → 204, then 404 twice.

    Method: create the resource (dependencies first); GET its url; DELETE; GET; DELETE.
    """
    response = ki.create(resource, ki.body(resource))
    made = checks.expect_status("KI-OAS-11", response, 201, what="create")
    url = ki.key(made["url"])
    response = ki.get(url)
    data = checks.expect_status("KI-OAS-11", response, 200, what="read back")
    checks.expect_equal(
        "KI-OAS-11", data.get("uuid"), made.get("uuid"), "the same resource", response
    )
    response = ki.delete(url)
    if response.status_code in (401, 403):  # the key is refused: KI-AUTH-03, not the life cycle
        raise checks.Blocked(
            "deleting with the suite's key",
            f"HTTP {response.status_code}",
            ["KI-AUTH-03"],
            checks.evidence_of(response),
        )
    checks.expect_status("KI-OAS-11", response, 204, what="DELETE")
    checks.expect_refused("KI-OAS-11", ki.get(url), (404,), what="GET after DELETE")
    checks.expect_refused("KI-OAS-11", ki.delete(url), (404,), what="DELETE again")


@pytest.mark.rule("KI-OAS-12")
def test_put_and_patch(ki: KlantinteractiesClient) -> None:
    """KI-OAS-12: PUT without a required field → 400 required; PATCH changes only the sent.

    Method: PUT a klantcontact without kanaal; PATCH its onderwerp and compare the others.
    """
    body = Bodies.klantcontacten()
    made = ki.make("klantcontacten", body)
    url = ki.key(made["url"])
    partial = {k: v for k, v in body.items() if k != "kanaal"}
    invalid_param_named("KI-OAS-12", ki.put(url, partial), "kanaal", "required")
    response = ki.patch(url, {"onderwerp": "alleen dit"})
    data = checks.expect_status("KI-OAS-12", response, 200, what="PATCH")
    for field in ("kanaal", "taal", "inhoud", "vertrouwelijk"):
        checks.expect_equal(
            "KI-OAS-12", as_value(data.get(field)), as_value(body[field]), field, response
        )
