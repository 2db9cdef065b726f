"""Class `notificaties` on the reference server: every change of a klant publishes a
notification on kanaal klanten (NOTIF-01), reliably (outbox with retries, also after a
restart)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from klanten_conformance.stubs import NotificationReceiver
from klanten_conformance.testdata import random_bsn, random_klantnummer, random_rsin
from klanten_conformance.tokens import authenticatie_claim, make_token
from tests.reference_server.conftest import ALL_SCOPES, SECRET, LiveServer, Server

RETRY_TIMEOUT = 20.0


@pytest.fixture
def receiver() -> Iterator[NotificationReceiver]:
    with NotificationReceiver() as stub:
        yield stub


@pytest.fixture
def notifying(make_server, receiver: NotificationReceiver) -> Server:
    return make_server(notificaties_url=receiver.url)


def about(url: str, actie: str):
    return lambda body: body.get("resourceUrl") == url and body.get("actie") == actie


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {timeout:g} s"
        time.sleep(0.05)


def assert_notification(body: dict, url: str, actie: str, subject_type: str) -> None:
    assert body["kanaal"] == "klanten"
    assert body["resource"] == "klant"
    assert body["actie"] == actie
    assert body["hoofdObject"] == url
    assert body["resourceUrl"] == url
    assert body["kenmerken"]["subjectType"] == subject_type
    datetime.fromisoformat(body["aanmaakdatum"].replace("Z", "+00:00"))


def test_notif01_every_change_publishes(notifying: Server, receiver: NotificationReceiver):
    """NOTIF-01: create, PUT, PATCH and DELETE each publish kanaal klanten, resource klant,
    actie create/update/partial_update/destroy, hoofdObject = resourceUrl = the klant URL,
    kenmerken.subjectType and aanmaakdatum."""
    server = notifying
    body, authn = server.natuurlijk_persoon()
    url = server.create(body, authn).json()["url"]
    headers = server.headers(authn)
    put = server.client.put(url, json={**body, "functie": "PUT"}, headers=headers)
    assert put.status_code == 200, put.text
    patched = server.client.patch(url, json={"functie": "PATCH"}, headers=headers)
    assert patched.status_code == 200, patched.text
    assert server.client.delete(url, headers=headers).status_code == 204
    for actie in ("create", "update", "partial_update", "destroy"):
        message = receiver.wait_for(about(url, actie), timeout=10)
        assert_notification(message, url, actie, "natuurlijk_persoon")
    acties = [b["actie"] for _, b in receiver.messages if b.get("resourceUrl") == url]
    assert acties == ["create", "update", "partial_update", "destroy"]


def test_notif01_zelfstandige_klant_has_empty_subject_type(notifying: Server, receiver):
    """NOTIF-01: kenmerken.subjectType is present (empty) for a zelfstandige klant."""
    url = notifying.create().json()["url"]
    assert_notification(receiver.wait_for(about(url, "create")), url, "create", "")


def test_notif01_reads_publish_nothing(notifying: Server, receiver: NotificationReceiver):
    """NOTIF-01 (control): only changes publish; a refused create publishes nothing."""
    url = notifying.create().json()["url"]
    receiver.wait_for(about(url, "create"))
    assert notifying.get(url).status_code == 200
    refused = notifying.create(notifying.body(bronorganisatie="123456789"), expect=None)
    assert refused.status_code == 400
    last = notifying.create().json()["url"]
    receiver.wait_for(about(last, "create"))
    assert [b["actie"] for _, b in receiver.messages] == ["create", "create"]


def test_notif01_receiver_down_is_retried(notifying: Server, receiver: NotificationReceiver):
    """NOTIF-01: while the receiver fails, the API still answers 201 at once and the message
    arrives later."""
    receiver.fail_next(3)
    url = notifying.create().json()["url"]
    assert receiver.messages == []
    message = receiver.wait_for(about(url, "create"), timeout=RETRY_TIMEOUT)
    assert_notification(message, url, "create", "")
    assert receiver.failed_attempts == 3
    assert len(receiver.messages) == 1


def test_notif01_survives_a_restart(tmp_path: Path, receiver: NotificationReceiver) -> None:
    """NOTIF-01: a notification not delivered before the server stops is delivered after it
    starts again (the outbox is in the database)."""
    config = tmp_path / "notifying.toml"
    scopes = ", ".join(f'"{s}"' for s in ALL_SCOPES)
    config.write_text(
        f'[notificaties]\nurl = "{receiver.url}"\n\n'
        f'[[clients]]\nclient_id = "suite"\nsecret = "{SECRET}"\nscopes = [{scopes}]\n'
    )
    live = LiveServer(db=tmp_path / "restart.sqlite3", config=config)
    receiver.fail_next(1_000_000)
    live.start()
    try:
        bsn = random_bsn()
        token = make_token(
            "suite", SECRET, authenticatie=authenticatie_claim("natuurlijk_persoon", bsn)
        )
        body = {
            "bronorganisatie": random_rsin(),
            "klantnummer": random_klantnummer(),
            "websiteUrl": "https://www.example.org/klant",
            "subjectType": "natuurlijk_persoon",
            "subjectIdentificatie": {"inpBsn": bsn},
        }
        created = httpx.post(
            f"{live.url}/klanten",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert created.status_code == 201, created.text
        url = created.json()["url"]
        wait_until(lambda: receiver.failed_attempts >= 1, "a failed delivery attempt")
        live.stop()
        assert receiver.messages == []
        receiver.clear()
        live.start()
        message = receiver.wait_for(about(url, "create"), timeout=RETRY_TIMEOUT)
        assert_notification(message, url, "create", "natuurlijk_persoon")
    finally:
        live.stop()


def test_notif01_fault_partial_update_publishes_nothing(make_server, receiver) -> None:
    """Fault NOTIF-01: a PATCH publishes nothing; create and PUT still do."""
    server = make_server(faults=("NOTIF-01",), notificaties_url=receiver.url)
    body = server.body()
    url = server.create(body).json()["url"]
    headers = server.headers()
    assert server.client.patch(url, json={"functie": "x"}, headers=headers).status_code == 200
    assert server.client.put(url, json=body, headers=headers).status_code == 200
    receiver.wait_for(about(url, "update"))
    acties = [b["actie"] for _, b in receiver.messages if b.get("resourceUrl") == url]
    assert acties == ["create", "update"]
