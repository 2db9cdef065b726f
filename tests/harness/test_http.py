"""Unit tests for klanten_conformance.http (RecordingClient, redact)."""

import json
from collections.abc import Iterator

import pytest
import requests

from klanten_conformance.http import MAX_BODY_CHARS, RecordingClient, redact
from klanten_conformance.stubs import NotificationReceiver, SubjectRegistry
from klanten_conformance.tokens import make_token

SECRET = "s3cr3t-value-never-logged"


@pytest.fixture
def registry() -> Iterator[SubjectRegistry]:
    with SubjectRegistry() as stub:
        yield stub


@pytest.fixture
def receiver() -> Iterator[NotificationReceiver]:
    with NotificationReceiver() as stub:
        yield stub


def test_redact_replaces_secrets_and_jwts() -> None:
    token = make_token("c", SECRET)
    text = f"secret={SECRET} token={token} end"
    assert redact(text, [SECRET]) == "secret=<redacted> token=<redacted> end"


def test_redact_ignores_empty_secrets_and_plain_text() -> None:
    assert redact("nothing to hide here", ["", "absent"]) == "nothing to hide here"


def test_relative_and_absolute_urls(registry: SubjectRegistry) -> None:
    client = RecordingClient(registry.base_url + "/subjects/")
    assert client.get("200/a").status_code == 200
    assert client.get("/404/b").status_code == 404
    assert client.get(registry.url_for(410)).status_code == 410
    assert [ex.url for ex in client.exchanges][:2] == [
        f"{registry.base_url}/subjects/200/a",
        f"{registry.base_url}/subjects/404/b",
    ]
    assert [ex.status for ex in client.exchanges] == [200, 404, 410]


def test_exchange_records_request_and_response(receiver: NotificationReceiver) -> None:
    client = RecordingClient(receiver.base_url, default_headers={"Accept-Crs": "EPSG:4326"})
    response = client.post("/notificaties", json={"kanaal": "klanten"}, params={"q": "1"})
    assert response.status_code == 201
    [exchange] = client.exchanges
    assert exchange.method == "POST"
    assert exchange.url == receiver.url + "?q=1"
    assert json.loads(exchange.request_body) == {"kanaal": "klanten"}
    assert exchange.request_headers["Accept-Crs"] == "EPSG:4326"
    assert exchange.status == 201
    assert exchange.response_headers["Content-Type"] == "application/json"
    assert exchange.response_body == "{}"
    assert exchange.elapsed_ms > 0
    client.reset()
    assert client.exchanges == []


def test_authorization_header_is_sent_but_redacted(receiver: NotificationReceiver) -> None:
    token = make_token("c", SECRET)
    client = RecordingClient(receiver.base_url)
    client.post("/notificaties", json={}, token=token)
    [(headers, _)] = receiver.messages
    assert headers["authorization"] == f"Bearer {token}"
    exchange = client.exchanges[0]
    assert exchange.request_headers["Authorization"] == "Bearer <redacted>"
    assert token not in exchange.render()


def test_secret_in_bodies_is_redacted(receiver: NotificationReceiver) -> None:
    client = RecordingClient(receiver.base_url, secrets=[SECRET])
    client.post("/notificaties", json={"password": SECRET})
    exchange = client.exchanges[0]
    assert SECRET not in exchange.request_body
    assert json.loads(exchange.request_body) == {"password": "<redacted>"}
    assert SECRET not in exchange.render()


def test_jwt_in_body_is_redacted_without_being_a_listed_secret(
    receiver: NotificationReceiver,
) -> None:
    token = make_token("other", "some-other-secret")
    client = RecordingClient(receiver.base_url)
    client.post("/notificaties", data=f"token: {token}", headers={"X-Echo": token})
    exchange = client.exchanges[0]
    assert exchange.request_body == "token: <redacted>"
    assert exchange.request_headers["X-Echo"] == "<redacted>"


def test_secret_in_response_body_is_redacted(registry: SubjectRegistry) -> None:
    client = RecordingClient(registry.base_url, secrets=[SECRET])
    url = registry.url_for(200, f"key/{SECRET}")
    client.get(url)
    exchange = client.exchanges[0]
    assert SECRET not in exchange.url
    assert SECRET not in exchange.response_body
    assert "<redacted>" in exchange.response_body


def test_long_bodies_are_truncated(receiver: NotificationReceiver) -> None:
    client = RecordingClient(receiver.base_url)
    client.post("/notificaties", json={"blob": "x" * (MAX_BODY_CHARS * 2)})
    body = client.exchanges[0].request_body
    assert len(body) < MAX_BODY_CHARS + 100
    assert body.endswith("truncated]")


def test_failed_connection_is_recorded_and_raised(registry: SubjectRegistry) -> None:
    client = RecordingClient(registry.base_url, timeout=2)
    with pytest.raises(requests.ConnectionError):
        client.get(registry.dead_url())
    [exchange] = client.exchanges
    assert exchange.status is None
    assert "ConnectionError" in (exchange.error or "")
    assert "no response" in exchange.render()


def test_render_is_readable(registry: SubjectRegistry) -> None:
    client = RecordingClient(registry.base_url)
    client.get(registry.url_for(404, "missing"), token=make_token("c", SECRET))
    text = client.exchanges[0].render()
    assert text.splitlines()[0] == f"> GET {registry.base_url}/subjects/404/missing"
    assert "> Authorization: Bearer <redacted>" in text
    assert "< 404" in text
