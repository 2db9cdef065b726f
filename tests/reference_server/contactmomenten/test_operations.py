"""The Contactmomenten API on the reference server: every operation of the document, lists
(filters, ordering, pagination), the audittrail, ETag/HEAD/304 and scopes, each with the fault
that switches it off; and the Klanten API beside it, unaffected by the faults of this one."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from klanten_conformance.tokens import make_token
from reference_server.contactmomenten.api import SPEC_PATH
from reference_server.contactmomenten.contactmoment import CONTACTMOMENT
from reference_server.core.call import Call
from reference_server.core.spec import load_document
from tests.reference_server.conftest import SECRET
from tests.reference_server.contactmomenten.conftest import CM, KLANTEN, UNKNOWN, CmServer

SPEC = load_document(SPEC_PATH)


def test_every_operation_of_the_document_is_served(cm: CmServer, zaken) -> None:
    """All 16 operations answer as the document says (strict response validation is on)."""
    assert len(SPEC.operations) == 16
    first = cm.create(tekst="eerste", onderwerpLinks=["https://example.org/product"])
    url = first["url"]
    assert cm.read(url) == first
    assert cm.list().json()["count"] == 1
    replaced = cm.request("PUT", url, cm.body(kanaal="email"))
    assert replaced.status_code == 200 and replaced.json()["tekst"] == ""
    patched = cm.patch(url, tekst="bijgewerkt")
    assert patched.status_code == 200 and patched.json()["kanaal"] == "email"
    trail = cm.get(f"{url}/audittrail").json()
    assert [e["actie"] for e in trail] == ["create", "update", "partial_update"]
    assert cm.get(f"{url}/audittrail/{trail[0]['uuid']}").json() == trail[0]

    klant = cm.klantcontactmoment(url, cm.klant())
    assert klant.status_code == 201, klant.text
    assert cm.read(klant.json()["url"]) == klant.json()
    assert cm.list("/klantcontactmomenten").json()["count"] == 1
    zaak = zaken.zaak()
    zaken.relate(zaak, url)
    relation = cm.objectcontactmoment(url, zaak)
    assert relation.status_code == 201, relation.text
    assert relation.json()["objectType"] == "zaak"
    assert cm.read(relation.json()["url"]) == relation.json()
    assert cm.list("/objectcontactmomenten").json()["count"] == 1

    for created in (klant, relation):
        assert cm.request("DELETE", created.json()["url"]).status_code == 204
        assert cm.get(created.json()["url"]).status_code == 404
    assert cm.request("DELETE", url).status_code == 204
    assert cm.get(url).status_code == 404


def test_representation_and_defaults(cm: CmServer) -> None:
    """What is not given is answered as the standard's implementations do: empty texts, no
    onderwerpLinks, null references; registratiedatum defaults to the time of creation;
    volgendContactmoment sent by a client is ignored (read-only)."""
    made = cm.create(volgendContactmoment=f"http://testserver{CM}/contactmomenten/{UNKNOWN}")
    assert made["vorigContactmoment"] is None and made["volgendContactmoment"] is None
    assert made["tekst"] == "" and made["onderwerpLinks"] == []
    assert made["registratiedatum"].startswith("20")
    assert "initiatiefnemer" not in made and "medewerker" not in made


def test_put_keeps_registratiedatum_and_replaces_the_rest(cm: CmServer) -> None:
    made = cm.create(registratiedatum="2020-03-04T05:06:07Z", tekst="x", initiatiefnemer="klant")
    replaced = cm.request("PUT", made["url"], cm.body()).json()
    assert replaced["registratiedatum"] == "2020-03-04T05:06:07Z"
    assert replaced["tekst"] == "" and "initiatiefnemer" not in replaced


def test_fault_life02_put_keeps_what_it_is_not_sent(make_cm) -> None:
    cm = make_cm(faults=("CM-LIFE-02",))
    made = cm.create(tekst="x")
    assert cm.request("PUT", made["url"], cm.body()).json()["tekst"] == "x"


def test_location_header_and_fault_life01(make_cm) -> None:
    response = make_cm().post("/contactmomenten", make_cm().body())
    assert response.headers["location"] == response.json()["url"]
    faulty = make_cm(faults=("CM-LIFE-01",))
    response = faulty.post("/contactmomenten", faulty.body())
    assert response.status_code == 201 and "location" not in response.headers


def test_a_deleted_contactmoment_is_gone_and_fault_life01_read_after_delete(make_cm) -> None:
    for faults, status in (((), 404), (("CM-LIFE-01/read-after-delete",), 200)):
        cm = make_cm(faults=faults)
        url = cm.create()["url"]
        assert cm.request("DELETE", url).status_code == 204
        assert cm.request("GET", url).status_code == status


def test_relations_cannot_be_changed(cm: CmServer) -> None:
    url = cm.create()["url"]
    relation = cm.klantcontactmoment(url, cm.klant()).json()["url"]
    for method in ("PUT", "PATCH"):
        assert cm.request(method, relation, {"rol": "belanghebbende"}).status_code == 405


def test_bronorganisatie_must_be_an_rsin(cm: CmServer) -> None:
    response = cm.post("/contactmomenten", cm.body(bronorganisatie="123456789"))
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "bronorganisatie"


# lists ----------------------------------------------------------------------------------------


def three(cm: CmServer) -> list[dict]:
    first = cm.create(
        registratiedatum="2021-01-01T10:00:00Z", kanaal="telefoon", initiatiefnemer="klant"
    )
    second = cm.create(
        registratiedatum="2021-02-01T10:00:00+01:00",
        kanaal="email",
        voorkeurskanaal="post",
        voorkeurstaal="nld",
        vorigContactmoment=first["url"],
    )
    third = cm.create(registratiedatum="2021-03-01T10:00:00Z", kanaal="balie")
    return [cm.read(first["url"]), second, third]


def urls(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["url"] for item in response.json()["results"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kanaal": "email"}, [1]),
        ({"voorkeurskanaal": "post"}, [1]),
        ({"voorkeurstaal": "nld"}, [1]),
        ({"initiatiefnemer": "klant"}, [0]),
        ({"registratiedatum": "2021-01-01T10:00:00Z"}, [0]),
        ({"registratiedatum__gt": "2021-02-01T09:00:00Z"}, [2]),
        ({"registratiedatum__gte": "2021-02-01T09:00:00Z"}, [1, 2]),
        ({"registratiedatum__lt": "2021-02-01"}, [0]),
        ({"registratiedatum__lte": "2021-02-01T09:00:00Z"}, [0, 1]),
        ({"kanaal": "email", "registratiedatum__gt": "2021-02-02"}, []),
    ],
)
def test_contactmoment_filters(cm: CmServer, params: dict, expected: list[int]) -> None:
    made = three(cm)
    assert urls(cm.list(**params)) == [made[i]["url"] for i in expected]


def test_link_filters(cm: CmServer) -> None:
    first, second, _ = three(cm)
    assert urls(cm.list(vorigContactmoment=first["url"])) == [second["url"]]
    assert urls(cm.list(volgendContactmoment=second["url"])) == [first["url"]]
    assert urls(cm.list(vorigContactmoment="https://example.org/other")) == []


def test_medewerker_and_bronorganisatie_filters(cm: CmServer, registry) -> None:
    medewerker = registry.url_for(200)
    made = cm.create(medewerker=medewerker)
    cm.create()
    assert urls(cm.list(medewerker=medewerker)) == [made["url"]]
    other = cm.create(bronorganisatie="002220647")
    assert urls(cm.list(bronorganisatie="002220647")) == [other["url"]]


def test_fault_filter01_ignores_kanaal(make_cm) -> None:
    cm = make_cm(faults=("CM-FILTER-01",))
    made = three(cm)
    assert urls(cm.list(kanaal="email")) == [m["url"] for m in made]
    assert urls(cm.list(voorkeurskanaal="post")) == [made[1]["url"]]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/contactmomenten", {"initiatiefnemer": "nobody"}),
        ("/contactmomenten", {"vorigContactmoment": "no-scheme/at-all"}),
        ("/klantcontactmomenten", {"rol": "bystander"}),
        ("/objectcontactmomenten", {"contactmoment": "no-scheme/at-all"}),
    ],
)
def test_invalid_filter_value_is_400(make_cm, path: str, params: dict) -> None:
    """A filter value that breaks the parameter's schema is refused naming the filter; under
    CM-FILTER-01/invalid-ignored it is ignored and the list is answered unfiltered."""
    response = make_cm().list(path, **params)
    assert response.status_code == 400, response.text
    assert [p["name"] for p in response.json()["invalidParams"]] == list(params)
    ignoring = make_cm(faults=("CM-FILTER-01/invalid-ignored",))
    ignoring.create()
    response = ignoring.list(path, **params)
    assert response.status_code == 200, response.text
    assert response.json()["count"] == (1 if path == "/contactmomenten" else 0)
    assert ignoring.list(path, page="x").status_code == 400


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [("registratiedatum", [0, 1, 2]), ("-registratiedatum", [2, 1, 0]), ("kanaal", [2, 1, 0])],
)
def test_ordering(cm: CmServer, ordering: str, expected: list[int]) -> None:
    made = three(cm)
    assert urls(cm.list(ordering=ordering)) == [made[i]["url"] for i in expected]


def test_every_ordering_value_is_accepted(cm: CmServer) -> None:
    three(cm)
    values = SPEC.operation("/contactmomenten", "GET").query["ordering"].schema["enum"]
    for value in values:
        assert cm.list(ordering=value).status_code == 200, value
    assert cm.list(ordering="nope").status_code == 400


def test_relation_filters(cm: CmServer) -> None:
    first, second = cm.create()["url"], cm.create()["url"]
    klant = cm.klant()
    one = cm.klantcontactmoment(first, klant, "belanghebbende").json()["url"]
    two = cm.klantcontactmoment(second, klant).json()["url"]
    path = "/klantcontactmomenten"
    assert urls(cm.list(path, contactmoment=first)) == [one]
    assert urls(cm.list(path, klant=klant)) == [one, two]
    assert urls(cm.list(path, rol="gesprekspartner")) == [two]
    assert urls(cm.list(path, klant="https://example.org/klant")) == []


def test_leak_relation_filter(make_cm) -> None:
    cm = make_cm(faults=("LEAK/cm-relation-filter",))
    first, second = cm.create()["url"], cm.create()["url"]
    klant = cm.klant()
    made = [cm.klantcontactmoment(u, klant).json()["url"] for u in (first, second)]
    assert urls(cm.list("/klantcontactmomenten", contactmoment=first)) == made
    assert urls(cm.list("/klantcontactmomenten", rol="belanghebbende")) == []


def test_objectcontactmoment_filters(cm: CmServer, zaken) -> None:
    first, second = cm.create()["url"], cm.create()["url"]
    zaak = zaken.zaak()
    made = []
    for url in (first, second):
        zaken.relate(zaak, url)
        made.append(cm.objectcontactmoment(url, zaak).json()["url"])
    path = "/objectcontactmomenten"
    assert urls(cm.list(path, contactmoment=second)) == [made[1]]
    assert urls(cm.list(path, object=zaak)) == made
    assert urls(cm.list(path, objectType="zaak")) == made
    assert urls(cm.list(path, object=zaken.zaak())) == []


def test_pagination_and_fault_pagination(make_cm) -> None:
    cm = make_cm(page_size=2)
    for _ in range(3):
        cm.create()
    page = cm.list().json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert len(cm.get(page["next"]).json()["results"]) == 1
    assert cm.list(page=3).status_code == 404
    faulty = make_cm(page_size=2, faults=("CM-OAS/pagination",))
    for _ in range(3):
        faulty.create()
    assert faulty.list().json()["next"] is None


# audittrail -----------------------------------------------------------------------------------


def test_audittrail_entries(cm: CmServer) -> None:
    url = cm.create()["url"]
    cm.patch(url, tekst="x")
    trail = cm.get(f"{url}/audittrail").json()
    assert [e["bron"] for e in trail] == ["cmc", "cmc"]
    assert {e["resource"] for e in trail} == {"contactmoment"}
    assert trail[0]["wijzigingen"]["oud"] is None
    assert trail[1]["wijzigingen"]["nieuw"]["tekst"] == "x"
    assert all(e["hoofdObject"] == e["resourceUrl"] == url for e in trail)
    assert cm.get(f"{CM}/contactmomenten/{UNKNOWN}/audittrail").status_code == 404
    assert cm.get(f"{url}/audittrail/{UNKNOWN}").status_code == 404


def test_fault_audit01_patch_adds_no_entry(make_cm) -> None:
    cm = make_cm(faults=("CM-AUDIT-01",))
    url = cm.create()["url"]
    cm.patch(url, tekst="x")
    cm.request("PUT", url, cm.body())
    assert [e["actie"] for e in cm.get(f"{url}/audittrail").json()] == ["create", "update"]


def test_fault_audittrail_read(make_cm) -> None:
    cm = make_cm(faults=("CM-OAS/audittrail-read",))
    url = cm.create()["url"]
    entry = cm.get(f"{url}/audittrail").json()[0]
    assert cm.get(f"{url}/audittrail/{entry['uuid']}").status_code == 405


def test_leak_audittrail_parent(make_cm) -> None:
    clean = make_cm()
    first, second = clean.create()["url"], clean.create()["url"]
    assert len(clean.get(f"{first}/audittrail").json()) == 1
    foreign = clean.get(f"{second}/audittrail").json()[0]["uuid"]
    assert clean.get(f"{first}/audittrail/{foreign}").status_code == 404
    cm = make_cm(faults=("LEAK/cm-audittrail-parent",))
    assert len(cm.get(f"{first}/audittrail").json()) == 2
    assert cm.get(f"{first}/audittrail/{foreign}").status_code == 200


# ETag, HEAD, 304 ------------------------------------------------------------------------------


def readable(cm: CmServer, zaken) -> list[str]:
    """One URL of each read with an ETag: contactmoment, its audittrail entry, the two
    relations."""
    url = cm.create()["url"]
    entry = cm.get(f"{url}/audittrail").json()[0]["uuid"]
    klant = cm.klantcontactmoment(url, cm.klant()).json()["url"]
    zaak = zaken.zaak()
    zaken.relate(zaak, url)
    relation = cm.objectcontactmoment(url, zaak).json()["url"]
    return [url, f"{url}/audittrail/{entry}", klant, relation]


def test_etag_head_and_304_on_every_declared_read(cm: CmServer, zaken) -> None:
    for url in readable(cm, zaken):
        response = cm.get(url)
        etag = response.headers["etag"]
        assert cm.get(url).headers["etag"] == etag
        head = cm.request("HEAD", url)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["etag"] == etag
        assert cm.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert cm.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert "etag" not in cm.list().headers


def test_etag_changes_with_the_contactmoment(cm: CmServer) -> None:
    url = cm.create()["url"]
    before = cm.get(url).headers["etag"]
    cm.patch(url, tekst="x")
    assert cm.get(url).headers["etag"] != before


def test_etag_of_earlier_one_changes_when_it_gets_a_volgend(cm: CmServer) -> None:
    url = cm.create()["url"]
    before = cm.get(url).headers["etag"]
    cm.create(vorigContactmoment=url)
    assert cm.get(url, headers={"If-None-Match": before}).status_code == 200


def test_fault_cache01(make_cm) -> None:
    cm = make_cm(faults=("CM-CACHE-01",))
    url = cm.create()["url"]
    before = cm.get(url).headers["etag"]
    cm.patch(url, tekst="x")
    assert cm.get(url).headers["etag"] == before


def test_fault_cache02(make_cm) -> None:
    cm = make_cm(faults=("CM-CACHE-02",))
    url = cm.create()["url"]
    assert "etag" in cm.get(url).headers
    assert "etag" not in cm.request("HEAD", url).headers


def test_fault_cache03(make_cm) -> None:
    cm = make_cm(faults=("CM-CACHE-03",))
    url = cm.create()["url"]
    etag = cm.get(url).headers["etag"]
    assert cm.get(url, headers={"If-None-Match": etag}).status_code == 200


# scopes and tokens ----------------------------------------------------------------------------


def test_scopes(cm: CmServer) -> None:
    """contactmomenten.lezen reads; creating, changing, deleting and the audittrail need
    their own scopes (403 permission_denied)."""
    url = cm.create()["url"]
    reader = cm.headers("reader")
    assert cm.client.get(url, headers=reader).status_code == 200
    assert cm.client.get(f"{CM}/klantcontactmomenten", headers=reader).status_code == 200
    refused = [
        cm.client.post(f"{CM}/contactmomenten", json=cm.body(), headers=reader),
        cm.client.patch(url, json={"tekst": "x"}, headers=reader),
        cm.client.delete(url, headers=reader),
        cm.client.get(f"{url}/audittrail", headers=reader),
        cm.client.post(f"{CM}/klantcontactmomenten", json={}, headers=reader),
    ]
    for response in refused:
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "permission_denied"
    assert cm.client.get(url).status_code == 403


def test_fault_auth_scopes_not_checked(make_cm) -> None:
    cm = make_cm(faults=("CM-AUTH",))
    response = cm.client.post(f"{CM}/contactmomenten", json=cm.body(), headers=cm.headers("reader"))
    assert response.status_code == 201


def test_fault_auth_signature(make_cm) -> None:
    forged = {"Authorization": f"Bearer {make_token('suite', 'not-the-secret')}"}
    clean = make_cm()
    assert clean.client.get(f"{CM}/contactmomenten", headers=forged).status_code == 403
    cm = make_cm(faults=("CM-AUTH/signature",))
    assert cm.client.get(f"{CM}/contactmomenten", headers=forged).status_code == 200
    assert cm.client.get(f"{KLANTEN}/klanten", headers=forged).status_code == 403


def test_fault_auth_claims(make_cm) -> None:
    expired = {"Authorization": f"Bearer {make_token('suite', SECRET, extra_claims={'exp': 1})}"}
    assert make_cm().client.get(f"{CM}/contactmomenten", headers=expired).status_code == 403
    cm = make_cm(faults=("CM-AUTH/claims",))
    assert cm.client.get(f"{CM}/contactmomenten", headers=expired).status_code == 200
    assert cm.client.get(f"{KLANTEN}/klanten", headers=expired).status_code == 403


# the two APIs side by side --------------------------------------------------------------------


def test_both_apis_in_one_process(cm: CmServer) -> None:
    for base in (CM, KLANTEN):
        assert cm.client.get(f"{base}/schema/openapi.json").status_code == 200
    assert cm.list().headers["api-version"] == "1.0.0"
    klanten = cm.client.get(f"{KLANTEN}/klanten", headers=cm.headers())
    assert klanten.status_code == 200 and klanten.headers["api-version"] == "1.0.0"


@pytest.mark.parametrize(
    ("fault", "off", "on"),
    [("CM-OAS", CM, KLANTEN), ("OAS-06", KLANTEN, CM)],
)
def test_core_faults_are_bound_per_api(make_cm, fault: str, off: str, on: str) -> None:
    """A core switch turned by one API's fault leaves the other API alone."""
    cm = make_cm(faults=(fault,))
    paths = {CM: f"{CM}/contactmomenten", KLANTEN: f"{KLANTEN}/klanten"}
    assert "api-version" not in cm.get(paths[off]).headers
    assert cm.get(paths[on]).headers["api-version"] == "1.0.0"


@pytest.mark.parametrize(
    ("fault", "path"),
    [("CM-AUTH", f"{KLANTEN}/klanten"), ("AUTH-02", f"{CM}/contactmomenten")],
)
def test_scope_faults_are_bound_per_api(make_cm, fault: str, path: str) -> None:
    cm = make_cm(faults=(fault,))
    assert cm.client.get(path, headers=cm.headers("reader")).status_code in (200, 403)
    writer = cm.client.post(path, json={}, headers=cm.headers("reader"))
    assert writer.status_code == 403


@pytest.mark.parametrize(
    ("fault", "path"),
    [
        ("CM-OAS-MEDIA", f"{CM}/contactmomenten/{UNKNOWN}"),
        ("OAS-04", f"{KLANTEN}/klanten/{UNKNOWN}"),
    ],
)
def test_problem_media_fault_per_api(make_cm, fault: str, path: str) -> None:
    cm = make_cm(faults=(fault,))
    other = f"{KLANTEN}/klanten/{UNKNOWN}" if path.startswith(CM) else f"{CM}/contactmomenten/x"
    assert cm.get(path).headers["content-type"].startswith("application/json")
    assert cm.get(other).headers["content-type"].startswith("application/problem+json")


def test_problem_shape_fault(make_cm) -> None:
    body = make_cm().get(f"{CM}/contactmomenten/{UNKNOWN}").json()
    assert {"code", "instance"} <= set(body)
    cm = make_cm(faults=("CM-OAS/problem-shape",))
    assert not {"code", "instance"} & set(cm.get(f"{CM}/contactmomenten/{UNKNOWN}").json())
    assert "code" in cm.get(f"{KLANTEN}/klanten/{UNKNOWN}").json()


def test_request_schema_fault(make_cm) -> None:
    wrong = {"kanaal": "x" * 60}
    assert make_cm().post("/contactmomenten", make_cm().body(**wrong)).status_code == 400
    cm = make_cm(faults=("CM-OAS/request-schema",), validate_responses="off")
    assert cm.post("/contactmomenten", cm.body(**wrong)).status_code == 201
    typed = cm.post("/contactmomenten", cm.body(registratiedatum=7, tekst=8))
    assert typed.status_code == 201, typed.text
    assert cm.read(typed.json()["url"])["registratiedatum"] == 7
    vorig = cm.post("/contactmomenten", cm.body(vorigContactmoment=5))  # cm-001 still holds
    assert vorig.status_code == 400
    relation = cm.post("/klantcontactmomenten", {"contactmoment": 5, "klant": 6, "rol": "x"})
    assert relation.status_code == 400
    assert relation.json()["invalidParams"][0]["name"] == "contactmoment"


def test_published_extension_fault(make_cm) -> None:
    cm = make_cm(faults=("CM-OAS/published",))
    paths = cm.client.get(f"{CM}/schema/openapi.json").json()["paths"]
    assert "/contactmomenten/{uuid}/notities" in paths
    assert (
        "/klanten/{uuid}/notities"
        not in cm.client.get(f"{KLANTEN}/schema/openapi.json").json()["paths"]
    )


# the core's in-process URL lookup -------------------------------------------------------------


def call_of(cm: CmServer, api: str):
    runtime = cm.client.app.state.apis[api]
    operation = next(iter(runtime.document.operations.values()))
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "server": ("testserver", 80),
        "path": "/",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
    }
    return Call(runtime, Request(scope), operation)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"http://testserver{CM}/contactmomenten/{UNKNOWN}", ("contactmomenten", "contactmoment")),
        (f"http://testserver{KLANTEN}/klanten/{UNKNOWN}", ("klanten", "klant")),
        (
            f"http://testserver{CM}/klantcontactmomenten/{UNKNOWN}",
            ("contactmomenten", "klantcontactmoment"),
        ),
        (f"http://testserver{CM}/contactmomenten/{UNKNOWN}/audittrail", None),
        (f"http://testserver{CM}/contactmomenten/{UNKNOWN}?x=1", None),
        (f"http://testserver{CM}/contactmomenten/", None),
        (f"http://elsewhere{CM}/contactmomenten/{UNKNOWN}", None),
        (f"https://testserver{CM}/contactmomenten/{UNKNOWN}", None),
        (5, None),
    ],
)
def test_local_names_resources_of_every_api_of_the_process(cm: CmServer, url, expected) -> None:
    found = call_of(cm, "contactmomenten").local(url)
    if expected is None:
        assert found is None
    else:
        runtime, resource, uuid = found
        assert (runtime.name, resource.name, uuid) == (*expected, UNKNOWN)


def test_own_id_is_of_this_api_and_resource_only(cm: CmServer) -> None:
    call = call_of(cm, "contactmomenten")
    assert call.own_id(f"http://testserver{CM}/contactmomenten/{UNKNOWN}", CONTACTMOMENT) == UNKNOWN
    assert (
        call.own_id(f"http://testserver{CM}/klantcontactmomenten/{UNKNOWN}", CONTACTMOMENT) is None
    )
    klanten_call = call_of(cm, "klanten")
    assert (
        klanten_call.own_id(f"http://testserver{CM}/contactmomenten/{UNKNOWN}", CONTACTMOMENT)
        is None
    )
