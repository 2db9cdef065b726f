"""Unit tests for the stub services, over real HTTP."""

import threading
import time
from collections.abc import Iterator

import pytest
import requests

from klanten_conformance.stubs import (
    MedewerkerRegistry,
    NotificationReceiver,
    ObjectApi,
    SubjectRegistry,
)


@pytest.fixture
def registry() -> Iterator[SubjectRegistry]:
    with SubjectRegistry() as stub:
        yield stub


@pytest.fixture
def receiver() -> Iterator[NotificationReceiver]:
    with NotificationReceiver() as stub:
        yield stub


def test_subject_url_answers_200_with_its_url(registry: SubjectRegistry) -> None:
    url = registry.url_for(200, "natuurlijk_persoon/999990019")
    assert url == f"{registry.base_url}/subjects/200/natuurlijk_persoon/999990019"
    response = requests.get(url, timeout=5)
    assert response.status_code == 200
    assert response.json() == {"url": url}


@pytest.mark.parametrize("status", [404, 410, 500])
def test_subject_url_answers_chosen_status(registry: SubjectRegistry, status: int) -> None:
    response = requests.get(registry.url_for(status), timeout=5)
    assert response.status_code == status


def test_head_answers_without_body(registry: SubjectRegistry) -> None:
    ok = requests.head(registry.url_for(200), timeout=5)
    missing = requests.head(registry.url_for(404), timeout=5)
    assert (ok.status_code, ok.content) == (200, b"")
    assert missing.status_code == 404


def test_unknown_path_is_404(registry: SubjectRegistry) -> None:
    assert requests.get(registry.base_url + "/other/200/x", timeout=5).status_code == 404


def test_urls_are_unique(registry: SubjectRegistry) -> None:
    assert registry.url_for() != registry.url_for()


def test_hits_are_recorded_per_url(registry: SubjectRegistry) -> None:
    first, second = registry.url_for(200), registry.url_for(404)
    requests.get(first, timeout=5)
    requests.head(first, timeout=5)
    requests.get(second, timeout=5)
    assert registry.hit_count(first) == 2
    assert registry.hit_count(second) == 1
    assert registry.hit_count(registry.url_for()) == 0
    methods = [method for method, path in registry.hits if path.endswith(first.rsplit("/", 1)[1])]
    assert methods == ["GET", "HEAD"]


def test_concurrent_hits_are_all_counted(registry: SubjectRegistry) -> None:
    url = registry.url_for(200)
    threads = [
        threading.Thread(target=requests.get, args=(url,), kwargs={"timeout": 5}) for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert registry.hit_count(url) == 20


def test_dead_url_refuses_connection(registry: SubjectRegistry) -> None:
    with pytest.raises(requests.ConnectionError):
        requests.get(registry.dead_url(), timeout=5)


def test_advertise_host_changes_handed_out_urls() -> None:
    with SubjectRegistry(advertise_host="callback.example") as stub:
        assert stub.url_for(200, "k").startswith(f"http://callback.example:{stub.port}/")
        assert stub.dead_url().startswith("http://callback.example:")


def test_stop_releases_the_port() -> None:
    stub = SubjectRegistry().start()
    url = stub.url_for(200)
    stub.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=5, headers={"Connection": "close"})


def test_receiver_records_message_with_lowercase_headers(receiver: NotificationReceiver) -> None:
    payload = {"kanaal": "klanten", "actie": "create"}
    response = requests.post(receiver.url, json=payload, headers={"X-Custom": "yes"}, timeout=5)
    assert response.status_code == 201
    assert response.json() == {}
    [(headers, body)] = receiver.messages
    assert body == payload
    assert headers["x-custom"] == "yes"
    assert headers["content-type"] == "application/json"


def test_receiver_url_ends_in_notificaties(receiver: NotificationReceiver) -> None:
    assert receiver.url == receiver.base_url + "/notificaties"


def test_fail_next_refuses_and_counts(receiver: NotificationReceiver) -> None:
    receiver.fail_next(2, status=500)
    statuses = [requests.post(receiver.url, json={"n": n}, timeout=5).status_code for n in range(3)]
    assert statuses == [500, 500, 201]
    assert receiver.failed_attempts == 2
    assert [body for _, body in receiver.messages] == [{"n": 2}]


def test_non_json_body_is_refused(receiver: NotificationReceiver) -> None:
    response = requests.post(receiver.url, data=b"not json", timeout=5)
    assert response.status_code == 400
    assert receiver.messages == []


def test_wait_for_returns_message_posted_later(receiver: NotificationReceiver) -> None:
    def post_later() -> None:
        time.sleep(0.2)
        requests.post(receiver.url, json={"actie": "other"}, timeout=5)
        requests.post(receiver.url, json={"actie": "destroy"}, timeout=5)

    thread = threading.Thread(target=post_later)
    thread.start()
    body = receiver.wait_for(lambda msg: msg.get("actie") == "destroy", timeout=5)
    thread.join()
    assert body == {"actie": "destroy"}


def test_wait_for_timeout_lists_received(receiver: NotificationReceiver) -> None:
    requests.post(receiver.url, json={"actie": "create"}, timeout=5)
    started = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        receiver.wait_for(lambda msg: msg.get("actie") == "destroy", timeout=0.3)
    assert time.monotonic() - started >= 0.3
    assert '"actie": "create"' in str(info.value)
    assert "1 message" in str(info.value)


def test_wait_for_waits_longer_while_a_backlog_arrives(receiver: NotificationReceiver) -> None:
    def post_slowly() -> None:
        for _ in range(6):
            time.sleep(0.1)
            requests.post(receiver.url, json={"actie": "other"}, timeout=5)
        requests.post(receiver.url, json={"actie": "destroy"}, timeout=5)

    thread = threading.Thread(target=post_slowly)
    thread.start()
    started = time.monotonic()
    body = receiver.wait_for(lambda msg: msg.get("actie") == "destroy", timeout=0.3, limit=5)
    thread.join()
    assert body == {"actie": "destroy"}
    assert time.monotonic() - started > 0.3


def test_wait_for_ends_at_the_limit(receiver: NotificationReceiver) -> None:
    stop = threading.Event()

    def post_forever() -> None:
        while not stop.is_set():
            requests.post(receiver.url, json={"actie": "other"}, timeout=5)
            time.sleep(0.05)

    thread = threading.Thread(target=post_forever)
    thread.start()
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            receiver.wait_for(lambda msg: msg.get("actie") == "destroy", timeout=0.2, limit=0.6)
    finally:
        stop.set()
        thread.join()
    assert 0.6 <= time.monotonic() - started < 2


def test_clear_forgets_everything(receiver: NotificationReceiver) -> None:
    requests.post(receiver.url, json={"a": 1}, timeout=5)
    receiver.fail_next(1)
    receiver.clear()
    assert receiver.messages == []
    assert requests.post(receiver.url, json={"b": 2}, timeout=5).status_code == 201


# medewerker registry and object API ----------------------------------------------------------


@pytest.fixture
def medewerkers() -> Iterator[MedewerkerRegistry]:
    with MedewerkerRegistry() as stub:
        yield stub


@pytest.fixture
def objects() -> Iterator[ObjectApi]:
    with ObjectApi() as stub:
        yield stub


@pytest.mark.parametrize("status", [200, 404])
def test_medewerker_url_answers_chosen_status(medewerkers: MedewerkerRegistry, status: int) -> None:
    url = medewerkers.url_for(status)
    assert url.startswith(f"{medewerkers.base_url}/medewerkers/{status}/")
    assert requests.get(url, timeout=5).status_code == status
    assert medewerkers.hit_count(url) == 1


def test_medewerker_registry_ignores_subject_paths(medewerkers: MedewerkerRegistry) -> None:
    url = medewerkers.base_url + "/subjects/200/x"
    assert requests.get(url, timeout=5).status_code == 404


def test_zaak_exists_or_not(objects: ObjectApi) -> None:
    zaak, missing = objects.zaak(), objects.zaak(exists=False)
    found = requests.get(zaak, timeout=5)
    assert (found.status_code, found.json()["url"]) == (200, zaak)
    assert requests.head(zaak, timeout=5).content == b""
    assert requests.get(missing, timeout=5).status_code == 404
    assert requests.get(objects.base_url + "/zaken/api/v1/other/x", timeout=5).status_code == 404
    assert objects.hit_count(zaak) == 2


def test_relations_are_listed_by_zaak_and_contactmoment(objects: ObjectApi) -> None:
    zaak, other = objects.zaak(), objects.zaak()
    relation = objects.relate(zaak, "https://cm.example/contactmomenten/1")
    objects.relate(other, "https://cm.example/contactmomenten/2")
    url = objects.base_url + ObjectApi.RELATIONS
    both = requests.get(
        url, params={"zaak": zaak, "contactmoment": "https://cm.example/contactmomenten/1"},
        timeout=5,
    )
    assert both.status_code == 200
    assert both.json() == [
        {"url": relation, "zaak": zaak, "contactmoment": "https://cm.example/contactmomenten/1"}
    ]
    none = requests.get(
        url, params={"zaak": zaak, "contactmoment": "https://cm.example/contactmomenten/2"},
        timeout=5,
    )
    assert none.json() == []
    assert len(requests.get(url, timeout=5).json()) == 2


def test_object_api_refuses_changes(objects: ObjectApi) -> None:
    assert requests.post(objects.zaak(), json={}, timeout=5).status_code == 405
