"""The life of a klant on the reference server: create/delete (LIFE-01), PUT versus PATCH
(LIFE-02), klantnummer uniqueness (kla-001a/b/c) and the subject check (kla-002a/b), each
with the fault switch that breaks it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from klanten_conformance.stubs import SubjectRegistry
from klanten_conformance.testdata import random_bsn, random_klantnummer, random_rsin
from tests.reference_server.conftest import API, Server

OPTIONAL = {
    "bedrijfsnaam": "Bakkerij De Korst",
    "functie": "eigenaar",
    "voornaam": "Jan",
    "voorvoegselAchternaam": "van",
    "achternaam": "Dijk",
    "telefoonnummer": "0612345678",
    "emailadres": "jan@example.org",
}
ADRES = {"straatnaam": "Dorpsstraat", "huisnummer": 1, "postcode": "1234AB", "landcode": "NL"}


def klant_count(server: Server) -> int:
    store = server.client.app.state.store
    return store.conn.execute("SELECT COUNT(*) FROM klant").fetchone()[0]


def invalid_params(response) -> set[tuple[str, str]]:
    return {(p["name"], p["code"]) for p in response.json().get("invalidParams", [])}


@pytest.fixture(scope="module")
def registry() -> Iterator[SubjectRegistry]:
    with SubjectRegistry() as stub:
        yield stub


# LIFE-01 --------------------------------------------------------------------------------------


def test_create_answers_201_with_location_of_the_klant(server: Server) -> None:
    response = server.create()
    body = response.json()
    assert response.headers["location"] == body["url"]
    assert body["url"].startswith("http")
    assert body["url"].endswith(response.headers["location"].rsplit("/", 1)[-1])
    read = server.get(body["url"])
    assert read.status_code == 200
    assert read.json() == body


def test_delete_then_gone(server: Server) -> None:
    url = server.create().json()["url"]
    deleted = server.client.delete(url, headers=server.headers())
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert server.get(url).status_code == 404
    again = server.client.delete(url, headers=server.headers())
    assert again.status_code == 404
    assert again.json()["status"] == 404
    patched = server.client.patch(url, json={"functie": "x"}, headers=server.headers())
    assert patched.status_code == 404


def test_fault_life01_create_has_no_location(make_server) -> None:
    server = make_server(faults=("LIFE-01",))
    response = server.create()
    assert "location" not in response.headers


def test_fault_life01_read_after_delete_answers_the_deleted_klant(make_server) -> None:
    server = make_server(faults=("LIFE-01/read-after-delete",))
    created = server.create().json()
    assert server.client.delete(created["url"], headers=server.headers()).status_code == 204
    read = server.get(created["url"])
    assert read.status_code == 200
    assert read.json() == created
    # a second delete still finds nothing
    assert server.client.delete(created["url"], headers=server.headers()).status_code == 404


# LIFE-02 --------------------------------------------------------------------------------------


def _full_klant(server: Server) -> dict:
    return server.create(server.body(**OPTIONAL, adres=ADRES)).json()


def test_put_empties_the_optional_fields_it_was_not_sent(server: Server) -> None:
    created = _full_klant(server)
    required = {k: created[k] for k in ("bronorganisatie", "klantnummer", "websiteUrl")}
    response = server.client.put(
        created["url"], json={**required, "achternaam": "Smit"}, headers=server.headers()
    )
    assert response.status_code == 200, response.text
    for body in (response.json(), server.get(created["url"]).json()):
        assert body["achternaam"] == "Smit"
        for name in OPTIONAL.keys() - {"achternaam"}:
            assert name not in body, name
        assert body.get("adres") is None
        assert {k: body[k] for k in required} == required


def test_patch_changes_only_the_fields_sent(server: Server) -> None:
    created = _full_klant(server)
    response = server.client.patch(
        created["url"], json={"telefoonnummer": "0201234567"}, headers=server.headers()
    )
    assert response.status_code == 200, response.text
    expected = {**created, "telefoonnummer": "0201234567"}
    assert response.json() == expected
    assert server.get(created["url"]).json() == expected


def test_fault_life02_put_keeps_fields_it_was_not_sent(make_server) -> None:
    server = make_server(faults=("LIFE-02",))
    created = _full_klant(server)
    required = {k: created[k] for k in ("bronorganisatie", "klantnummer", "websiteUrl")}
    response = server.client.put(created["url"], json=required, headers=server.headers())
    assert response.status_code == 200, response.text
    assert response.json()["bedrijfsnaam"] == OPTIONAL["bedrijfsnaam"]
    assert response.json()["adres"]["straatnaam"] == ADRES["straatnaam"]


# kla-001a / kla-001b --------------------------------------------------------------------------


def test_unused_pair_and_same_klantnummer_elsewhere_are_created(server: Server) -> None:
    klantnummer = random_klantnummer()
    server.create(server.body(klantnummer=klantnummer))
    other = server.create(server.body(klantnummer=klantnummer, bronorganisatie=random_rsin()))
    assert other.json()["klantnummer"] == klantnummer


def test_duplicate_pair_is_refused(server: Server) -> None:
    klantnummer = random_klantnummer()
    server.create(server.body(klantnummer=klantnummer))
    before = klant_count(server)
    response = server.create(server.body(klantnummer=klantnummer), expect=400)
    assert ("klantnummer", "unique") in invalid_params(response)
    assert klant_count(server) == before


def test_put_and_patch_may_not_make_the_pair_collide(server: Server) -> None:
    taken = server.create().json()["klantnummer"]
    other = server.create().json()
    put = server.client.put(
        other["url"], json=server.body(klantnummer=taken), headers=server.headers()
    )
    assert put.status_code == 400, put.text
    assert ("klantnummer", "unique") in invalid_params(put)
    patched = server.client.patch(
        other["url"], json={"klantnummer": taken}, headers=server.headers()
    )
    assert patched.status_code == 400, patched.text
    assert ("klantnummer", "unique") in invalid_params(patched)
    assert server.get(other["url"]).json() == other


def test_fault_kla001a_refuses_klantnummer_of_another_bronorganisatie(make_server) -> None:
    server = make_server(faults=("kla-001a",))
    klantnummer = random_klantnummer()
    server.create(server.body(klantnummer=klantnummer))
    response = server.create(
        server.body(klantnummer=klantnummer, bronorganisatie=random_rsin()), expect=None
    )
    assert response.status_code == 400


def test_fault_kla001b_accepts_a_duplicate_pair(make_server) -> None:
    server = make_server(faults=("kla-001b",))
    klantnummer = random_klantnummer()
    server.create(server.body(klantnummer=klantnummer))
    server.create(server.body(klantnummer=klantnummer), expect=201)


# kla-001c -------------------------------------------------------------------------------------


def test_create_without_klantnummer_is_refused(server: Server) -> None:
    body = server.body()
    del body["klantnummer"]
    before = klant_count(server)
    response = server.create(body, expect=400)
    assert ("klantnummer", "required") in invalid_params(response)
    assert klant_count(server) == before


def test_fault_kla001c_stores_an_empty_klantnummer(make_server) -> None:
    server = make_server(faults=("kla-001c",), validate_responses="off")
    body = server.body()
    del body["klantnummer"]
    response = server.create(body, expect=201)
    assert response.json().get("klantnummer") in (None, "")


# kla-002a / kla-002b --------------------------------------------------------------------------


def _aangehaakt(server: Server, registry: SubjectRegistry, status: int = 200):
    bsn = random_bsn()
    subject = registry.url_for(status, f"np/{bsn}")
    body = server.body(subject=subject, subjectType="natuurlijk_persoon")
    return body, ("natuurlijk_persoon", bsn)


def test_subject_answering_200_is_accepted(server: Server, registry: SubjectRegistry) -> None:
    body, authn = _aangehaakt(server, registry)
    response = server.create(body, authn)
    assert response.json()["subject"] == body["subject"]
    assert registry.hit_count(body["subject"]) >= 1


def _bad_subjects(registry: SubjectRegistry, bsn: str) -> dict[str, str]:
    return {
        "404": registry.url_for(404, f"np/{bsn}"),
        "500": registry.url_for(500, f"np/{bsn}"),
        "dead": registry.dead_url().rsplit("/", 1)[0] + f"/{bsn}",
    }


@pytest.mark.parametrize("kind", ["404", "500", "dead"])
def test_bad_subject_is_refused_on_create(
    server: Server, registry: SubjectRegistry, kind: str
) -> None:
    bsn = random_bsn()
    body = server.body(subject=_bad_subjects(registry, bsn)[kind], subjectType="natuurlijk_persoon")
    before = klant_count(server)
    response = server.create(body, ("natuurlijk_persoon", bsn), expect=400)
    assert ("subject", "bad-url") in invalid_params(response)
    assert klant_count(server) == before


@pytest.mark.parametrize("kind", ["404", "500", "dead"])
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_bad_subject_is_refused_on_update(
    server: Server, registry: SubjectRegistry, kind: str, method: str
) -> None:
    body, authn = _aangehaakt(server, registry)
    created = server.create(body, authn).json()
    bad = _bad_subjects(registry, authn[1])[kind]
    sent = {**body, "subject": bad} if method == "PUT" else {"subject": bad}
    response = server.client.request(
        method, created["url"], json=sent, headers=server.headers(authn)
    )
    assert response.status_code == 400, response.text
    assert ("subject", "bad-url") in invalid_params(response)
    assert server.get(created["url"], authn).json() == created


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_good_subject_is_accepted_on_update(
    server: Server, registry: SubjectRegistry, method: str
) -> None:
    body, authn = _aangehaakt(server, registry)
    created = server.create(body, authn).json()
    good = registry.url_for(200, f"brp/{authn[1]}")
    sent = {**body, "subject": good} if method == "PUT" else {"subject": good}
    response = server.client.request(
        method, created["url"], json=sent, headers=server.headers(authn)
    )
    assert response.status_code == 200, response.text
    assert response.json()["subject"] == good
    assert registry.hit_count(good) >= 1


def test_fault_kla002a_does_not_check_subject_on_create(
    make_server, registry: SubjectRegistry
) -> None:
    server = make_server(faults=("kla-002a",))
    body, authn = _aangehaakt(server, registry, status=404)
    server.create(body, authn, expect=201)
    assert registry.hit_count(body["subject"]) == 0


def test_fault_kla002b_does_not_check_subject_on_update(
    make_server, registry: SubjectRegistry
) -> None:
    server = make_server(faults=("kla-002b",))
    body, authn = _aangehaakt(server, registry)
    created = server.create(body, authn).json()
    bad = registry.url_for(404, f"np/{authn[1]}")
    for method, sent in (("PATCH", {"subject": bad}), ("PUT", {**body, "subject": bad})):
        response = server.client.request(
            method, created["url"], json=sent, headers=server.headers(authn)
        )
        assert response.status_code == 200, (method, response.text)
    # the create check is still on
    body, authn = _aangehaakt(server, registry, status=404)
    server.create(body, authn, expect=400)


def test_unknown_klant_put_is_404(server: Server) -> None:
    response = server.client.put(
        f"{API}/klanten/00000000-0000-4000-8000-000000000000",
        json=server.body(),
        headers=server.headers(),
    )
    assert response.status_code == 404


def test_identity_keys_follow_changes_and_deletes(server: Server) -> None:
    """A klant is listed for the identities it holds now: its keys are rewritten on every
    change and removed with the klant."""
    rsin = random_rsin()
    body, authn = server.niet_natuurlijk_persoon(rsin)
    body["subjectIdentificatie"]["annIdentificatie"] = "ANN-A"
    url = server.create(body, authn).json()["url"]

    def listed(identificatie: str) -> list[str]:
        found = server.list(("niet_natuurlijk_persoon", identificatie))
        return [k["url"] for k in found.json()["results"]]

    assert listed("ANN-A") == [url] and listed(rsin) == [url]
    changed = {"subjectIdentificatie": {"innNnpId": rsin, "annIdentificatie": "ANN-B"}}
    response = server.client.patch(url, json=changed, headers=server.headers(authn))
    assert response.status_code == 200, response.text
    assert listed("ANN-A") == [] and listed("ANN-B") == [url]
    assert server.client.delete(url, headers=server.headers(authn)).status_code == 204
    conn = server.client.app.state.store.conn
    uuid = url.rsplit("/", 1)[1]
    assert conn.execute("SELECT COUNT(*) FROM resource_key WHERE uuid = ?", (uuid,)).fetchone() == (
        0,
    )
