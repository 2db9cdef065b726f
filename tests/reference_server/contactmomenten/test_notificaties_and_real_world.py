"""Notifications of the Contactmomenten API (kanaal contactmomenten, resource contactmoment;
the relations publish none) and its real-world faults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from klanten_conformance.stubs import NotificationReceiver
from tests.reference_server.contactmomenten.conftest import CM, KLANTEN, UNKNOWN, CmServer
from tests.reference_server.test_notificaties import about


@pytest.fixture
def receiver() -> Iterator[NotificationReceiver]:
    with NotificationReceiver() as stub:
        yield stub


def published(receiver: NotificationReceiver, url: str) -> list[str]:
    return [b["actie"] for _, b in receiver.messages if b.get("resourceUrl") == url]


def test_every_change_of_a_contactmoment_publishes(make_cm, receiver, zaken) -> None:
    cm = make_cm(notificaties_url=receiver.url)
    url = cm.create(kanaal="balie")["url"]
    assert cm.request("PUT", url, cm.body(kanaal="email")).status_code == 200
    assert cm.patch(url, kanaal="post").status_code == 200
    klant = cm.klantcontactmoment(url, cm.klant()).json()["url"]
    assert cm.request("DELETE", klant).status_code == 204
    assert cm.request("DELETE", url).status_code == 204
    for actie, kanaal in (
        ("create", "balie"),
        ("update", "email"),
        ("partial_update", "post"),
        ("destroy", "post"),
    ):
        body = receiver.wait_for(about(url, actie))
        assert body["kanaal"] == "contactmomenten"
        assert body["resource"] == "contactmoment"
        assert body["hoofdObject"] == url
        assert body["kenmerken"] == {"bronorganisatie": cm.bronorganisatie, "kanaal": kanaal}
    assert published(receiver, url) == ["create", "update", "partial_update", "destroy"]
    resources = {b["resource"] for _, b in receiver.messages if b["kanaal"] == "contactmomenten"}
    assert resources == {"contactmoment"}
    assert published(receiver, klant) == []


def test_fault_notif01_partial_update_publishes_nothing(make_cm, receiver) -> None:
    cm = make_cm(faults=("CM-NOTIF-01",), notificaties_url=receiver.url)
    url = cm.create()["url"]
    cm.patch(url, tekst="x")
    cm.request("PUT", url, cm.body())
    receiver.wait_for(about(url, "update"))
    assert published(receiver, url) == ["create", "update"]
    klant = cm.klant()
    cm.client.patch(klant, json={"functie": "x"}, headers=cm.headers())
    receiver.wait_for(about(klant, "partial_update"))


# real-world faults ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "suffix",
    [
        "contactmomenten/not-a-uuid",
        "klantcontactmomenten/1",
        f"contactmomenten/{UNKNOWN}/audittrail/x",
    ],
)
def test_html_malformed_id(make_cm, suffix: str) -> None:
    cm = make_cm(faults=("HTML/cm-malformed-id",))
    response = cm.get(f"{CM}/{suffix}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    unknown = cm.get(f"{CM}/contactmomenten/{UNKNOWN}")
    assert unknown.headers["content-type"].startswith("application/problem+json")
    klanten = cm.get(f"{KLANTEN}/klanten/not-a-uuid")
    assert klanten.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("content", [b"[]", b'"x"', b"null"])
def test_crash_non_object_body(make_cm, content: bytes) -> None:
    def post(cm: CmServer, path: str):
        headers = {**cm.headers(), "Content-Type": "application/json"}
        return cm.client.post(path, content=content, headers=headers)

    clean = make_cm()
    assert post(clean, f"{CM}/contactmomenten").status_code == 400
    cm = make_cm(faults=("CRASH/cm-non-object-body",), raise_server_exceptions=False)
    for path in ("/contactmomenten", "/klantcontactmomenten", "/objectcontactmomenten"):
        assert post(cm, f"{CM}{path}").status_code == 500
    assert post(cm, f"{KLANTEN}/klanten").status_code == 400
