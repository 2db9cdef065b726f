"""cm-004 (klantcontactmoment), cm-005 and cm-006 (objectcontactmoment), what deleting a klant
does to its klantcontactmomenten, each with the faults that switch them off."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.reference_server.contactmomenten.conftest import CM, KLANTEN, UNKNOWN, CmServer
from tests.reference_server.contactmomenten.test_contactmoment_rules import UNKNOWN_CM, invalid

UNKNOWN_KLANT = f"http://testserver{KLANTEN}/klanten/{UNKNOWN}"


def assert_created(response, **fields: str) -> None:
    """A 201 whose body is ``fields`` and the relation's own URL (under the collection)."""
    assert response.status_code == 201, response.text
    body = response.json()
    assert body.pop("url").startswith(f"http://testserver{CM}/") and body == fields


# cm-004 ---------------------------------------------------------------------------------------


def test_cm004_klant_of_the_klanten_api_is_looked_up_in_process(cm: CmServer) -> None:
    url = cm.create()["url"]
    klant = cm.klant()
    made = cm.klantcontactmoment(url, klant, "belanghebbende")
    assert_created(made, contactmoment=url, klant=klant, rol="belanghebbende")
    invalid(cm.klantcontactmoment(url, UNKNOWN_KLANT), "klant", "bad-url")


def test_cm004_klant_elsewhere_must_answer_200(cm: CmServer, registry) -> None:
    url = cm.create()["url"]
    assert cm.klantcontactmoment(url, registry.url_for(200)).status_code == 201
    invalid(cm.klantcontactmoment(url, registry.url_for(404)), "klant", "bad-url")
    invalid(cm.klantcontactmoment(url, registry.dead_url()), "klant", "bad-url")


def test_cm004_contactmoment_must_exist(cm: CmServer, registry) -> None:
    klant = cm.klant()
    invalid(cm.klantcontactmoment(UNKNOWN_CM, klant), "contactmoment", "does_not_exist")
    invalid(cm.klantcontactmoment(registry.url_for(200), klant), "contactmoment", "no_match")
    assert cm.list("/klantcontactmomenten").json()["count"] == 0


def test_cm004_rol_is_an_enum(cm: CmServer) -> None:
    url = cm.create()["url"]
    invalid(cm.klantcontactmoment(url, cm.klant(), "toeschouwer"), "rol", "invalid_choice")


def test_cm004_combination_is_unique(cm: CmServer) -> None:
    url, other = cm.create()["url"], cm.create()["url"]
    klant = cm.klant()
    assert cm.klantcontactmoment(url, klant).status_code == 201
    invalid(cm.klantcontactmoment(url, klant), "nonFieldErrors", "unique")
    assert cm.klantcontactmoment(url, klant, "belanghebbende").status_code == 201
    assert cm.klantcontactmoment(other, klant).status_code == 201
    assert cm.klantcontactmoment(url, cm.klant()).status_code == 201


def test_fault_cm004_contactmoment(make_cm) -> None:
    cm = make_cm(faults=("cm-004",))
    made = cm.klantcontactmoment(UNKNOWN_CM, cm.klant())
    assert made.status_code == 201 and made.json()["contactmoment"] == UNKNOWN_CM
    invalid(cm.klantcontactmoment(cm.create()["url"], UNKNOWN_KLANT), "klant", "bad-url")


def test_fault_cm004_klant(make_cm) -> None:
    cm = make_cm(faults=("cm-004/klant",))
    url = cm.create()["url"]
    assert cm.klantcontactmoment(url, UNKNOWN_KLANT).status_code == 201
    invalid(cm.klantcontactmoment(UNKNOWN_CM, cm.klant()), "contactmoment", "does_not_exist")


def test_fault_cm004_unique(make_cm) -> None:
    cm = make_cm(faults=("cm-004/unique",))
    url, klant = cm.create()["url"], cm.klant()
    assert cm.klantcontactmoment(url, klant).status_code == 201
    assert cm.klantcontactmoment(url, klant).status_code == 201
    assert cm.list("/klantcontactmomenten", klant=klant).json()["count"] == 2


def test_deleting_a_klant_leaves_its_klantcontactmomenten(cm: CmServer) -> None:
    """The Klanten API has no precondition on a delete; the relation keeps its klant URL,
    and a new relation to the deleted klant is refused (cm-004)."""
    url, klant = cm.create()["url"], cm.klant()
    relation = cm.klantcontactmoment(url, klant).json()["url"]
    assert cm.client.delete(klant, headers=cm.headers()).status_code == 204
    assert cm.read(relation)["klant"] == klant
    invalid(cm.klantcontactmoment(url, klant, "belanghebbende"), "klant", "bad-url")


# cm-005 ---------------------------------------------------------------------------------------


def related(cm: CmServer, zaken) -> tuple[str, str]:
    url = cm.create()["url"]
    zaak = zaken.zaak()
    zaken.relate(zaak, url)
    return url, zaak


def test_cm005_object_and_contactmoment_must_exist(cm: CmServer, zaken) -> None:
    url, zaak = related(cm, zaken)
    gone = zaken.zaak(exists=False)
    zaken.relate(gone, url)  # the relation query alone would accept it
    invalid(cm.objectcontactmoment(url, gone), "object", "bad-url")
    invalid(cm.objectcontactmoment(UNKNOWN_CM, zaak), "contactmoment", "does_not_exist")
    made = cm.objectcontactmoment(url, zaak)
    assert_created(made, contactmoment=url, object=zaak, objectType="zaak")


def test_cm005_combination_is_unique(cm: CmServer, zaken) -> None:
    url, zaak = related(cm, zaken)
    assert cm.objectcontactmoment(url, zaak).status_code == 201
    invalid(cm.objectcontactmoment(url, zaak), "nonFieldErrors", "unique")


def test_cm005_object_type_is_an_enum(cm: CmServer, zaken) -> None:
    url, zaak = related(cm, zaken)
    body = {"contactmoment": url, "object": zaak, "objectType": "besluit"}
    invalid(cm.post("/objectcontactmomenten", body), "objectType", "invalid_choice")


def test_fault_cm005_object(make_cm, zaken) -> None:
    cm = make_cm(faults=("cm-005",))
    url = cm.create()["url"]
    gone = zaken.zaak(exists=False)
    zaken.relate(gone, url)
    assert cm.objectcontactmoment(url, gone).status_code == 201


def test_fault_cm005_contactmoment(make_cm, zaken) -> None:
    cm = make_cm(faults=("cm-005/contactmoment",))
    zaak = zaken.zaak()
    zaken.relate(zaak, UNKNOWN_CM)
    assert cm.objectcontactmoment(UNKNOWN_CM, zaak).status_code == 201


def test_fault_cm005_unique(make_cm, zaken) -> None:
    cm = make_cm(faults=("cm-005/unique",))
    url, zaak = related(cm, zaken)
    assert cm.objectcontactmoment(url, zaak).status_code == 201
    assert cm.objectcontactmoment(url, zaak).status_code == 201


# cm-006 ---------------------------------------------------------------------------------------


def test_cm006_the_query_the_server_sends(cm: CmServer, zaken) -> None:
    """GET <object API base>/zaakcontactmomenten?zaak=<object URL>, nothing else."""
    url, zaak = related(cm, zaken)
    zaken.queries.clear()
    assert cm.objectcontactmoment(url, zaak).status_code == 201
    sent = [urlsplit(q) for q in zaken.queries if "zaakcontactmomenten" in q]
    assert len(sent) == 1
    assert sent[0].path == "/zaken/api/v1/zaakcontactmomenten"
    assert parse_qs(sent[0].query) == {"zaak": [zaak]}


def test_cm006_the_relation_must_exist_in_the_object_api(cm: CmServer, zaken) -> None:
    url, other = cm.create()["url"], cm.create()["url"]
    zaak = zaken.zaak()
    invalid(cm.objectcontactmoment(url, zaak), "nonFieldErrors", "inconsistent-relation")
    zaken.relate(zaak, other)
    invalid(cm.objectcontactmoment(url, zaak), "nonFieldErrors", "inconsistent-relation")
    zaken.relate(zaak, url)
    assert cm.objectcontactmoment(url, zaak).status_code == 201


def test_cm006_paginated_answer(cm: CmServer, zaken) -> None:
    zaken.paginated = True
    url, zaak = related(cm, zaken)
    assert cm.objectcontactmoment(url, zaak).status_code == 201


def test_cm006_failing_query(cm: CmServer, zaken) -> None:
    url, zaak = related(cm, zaken)
    zaken.broken = True
    invalid(cm.objectcontactmoment(url, zaak), "nonFieldErrors", "relation-validation-error")


def test_fault_cm006(make_cm, zaken) -> None:
    cm = make_cm(faults=("cm-006",))
    url = cm.create()["url"]
    assert cm.objectcontactmoment(url, zaken.zaak()).status_code == 201
    invalid(cm.objectcontactmoment(url, zaken.zaak(exists=False)), "object", "bad-url")


@pytest.mark.parametrize("path", ["/klantcontactmomenten", "/objectcontactmomenten"])
def test_relations_of_unknown_uuid(cm: CmServer, path: str) -> None:
    assert cm.get(f"{CM}{path}/{UNKNOWN}").status_code == 404
    assert cm.request("DELETE", f"{CM}{path}/{UNKNOWN}").status_code == 404
