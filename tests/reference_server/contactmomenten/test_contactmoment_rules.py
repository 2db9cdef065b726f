"""cm-001 (vorigContactmoment must exist), cm-002 (volgendContactmoment kept in step), cm-003
(medewerker must resolve), CM-INT-01 (a chain can be walked both ways) and what deleting a
contactmoment does; each with the faults that switch them off."""

from __future__ import annotations

import pytest

from tests.reference_server.contactmomenten.conftest import CM, UNKNOWN, CmServer

UNKNOWN_CM = f"http://testserver{CM}/contactmomenten/{UNKNOWN}"


def invalid(response, name: str, code: str) -> None:
    assert response.status_code == 400, response.text
    params = response.json()["invalidParams"]
    assert {"name": name, "code": code} in [{"name": p["name"], "code": p["code"]} for p in params]


# cm-001 ---------------------------------------------------------------------------------------


def test_cm001_vorig_must_exist(cm: CmServer, registry) -> None:
    invalid(
        cm.post("/contactmomenten", cm.body(vorigContactmoment=UNKNOWN_CM)),
        "vorigContactmoment",
        "does_not_exist",
    )
    dead = registry.url_for(404)
    invalid(
        cm.post("/contactmomenten", cm.body(vorigContactmoment=dead)),
        "vorigContactmoment",
        "bad-url",
    )
    elsewhere = registry.url_for(200)
    assert cm.create(vorigContactmoment=elsewhere)["vorigContactmoment"] == elsewhere
    assert cm.list().json()["count"] == 1


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_cm001_on_update(cm: CmServer, method: str) -> None:
    url = cm.create()["url"]
    body = (
        cm.body(vorigContactmoment=UNKNOWN_CM)
        if method == "PUT"
        else {"vorigContactmoment": UNKNOWN_CM}
    )
    invalid(cm.request(method, url, body), "vorigContactmoment", "does_not_exist")
    self_link = {**body, "vorigContactmoment": url}
    invalid(cm.request(method, url, self_link), "vorigContactmoment", "invalid")
    assert cm.read(url)["vorigContactmoment"] is None


def test_cm001_null_means_not_given(cm: CmServer) -> None:
    made = cm.create(vorigContactmoment=None, medewerker="")
    assert made["vorigContactmoment"] is None and "medewerker" not in made
    earlier = cm.create()["url"]
    later = cm.create(vorigContactmoment=earlier)["url"]
    assert cm.patch(later, vorigContactmoment=None).json()["vorigContactmoment"] is None
    assert cm.read(earlier)["volgendContactmoment"] is None


def test_cm001_an_empty_string_is_below_the_minimum_length(cm: CmServer) -> None:
    """The document gives vorigContactmoment minLength 1: "" is refused, not read as null."""
    response = cm.post("/contactmomenten", cm.body(vorigContactmoment=""))
    invalid(response, "vorigContactmoment", "min_length")
    url = cm.create()["url"]
    invalid(cm.patch(url, vorigContactmoment=""), "vorigContactmoment", "min_length")


def test_fault_cm001(make_cm, registry) -> None:
    cm = make_cm(faults=("cm-001",))
    for url in (UNKNOWN_CM, registry.url_for(404)):
        assert cm.create(vorigContactmoment=url)["vorigContactmoment"] == url


def test_crash_empty_vorig(make_cm) -> None:
    cm = make_cm(faults=("CRASH/cm-empty-vorig",), raise_server_exceptions=False)
    response = cm.post("/contactmomenten", cm.body(vorigContactmoment=""))
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["api-version"] == "1.0.0"
    url = cm.create()["url"]
    assert cm.patch(url, vorigContactmoment="").status_code == 500
    assert cm.patch(url, vorigContactmoment=None).status_code == 200
    assert cm.create(vorigContactmoment=url)["vorigContactmoment"] == url


# cm-002 ---------------------------------------------------------------------------------------


def test_cm002_create_sets_volgend(cm: CmServer) -> None:
    earlier = cm.create()["url"]
    later = cm.create(vorigContactmoment=earlier)["url"]
    assert cm.read(earlier)["volgendContactmoment"] == later
    assert cm.read(later)["volgendContactmoment"] is None


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_cm002_update_sets_and_moves_the_link(cm: CmServer, method: str) -> None:
    first, second, later = (cm.create()["url"] for _ in range(3))

    def link(target):
        body = {"vorigContactmoment": target}
        return cm.request(method, later, cm.body(**body) if method == "PUT" else body)

    assert link(first).status_code == 200
    assert cm.read(first)["volgendContactmoment"] == later
    assert link(second).status_code == 200
    assert cm.read(first)["volgendContactmoment"] is None
    assert cm.read(second)["volgendContactmoment"] == later
    assert link(None).status_code == 200
    assert cm.read(second)["volgendContactmoment"] is None


def test_cm002_patch_of_other_fields_keeps_the_link(cm: CmServer) -> None:
    earlier = cm.create()["url"]
    later = cm.create(vorigContactmoment=earlier)["url"]
    assert cm.patch(later, tekst="x").json()["vorigContactmoment"] == earlier
    assert cm.patch(earlier, tekst="y").json()["volgendContactmoment"] == later
    put = cm.request("PUT", later, cm.body()).json()
    assert put["vorigContactmoment"] is None
    assert cm.read(earlier)["volgendContactmoment"] is None


def test_cm002_volgend_is_read_only(cm: CmServer) -> None:
    earlier = cm.create()["url"]
    later = cm.create(vorigContactmoment=earlier)["url"]
    other = cm.create()["url"]
    assert cm.patch(earlier, volgendContactmoment=other).json()["volgendContactmoment"] == later


def test_cm002_one_successor_only(cm: CmServer) -> None:
    earlier = cm.create()["url"]
    later = cm.create(vorigContactmoment=earlier)["url"]
    response = cm.post("/contactmomenten", cm.body(vorigContactmoment=earlier))
    invalid(response, "vorigContactmoment", "unique")
    assert cm.read(earlier)["volgendContactmoment"] == later
    assert cm.list().json()["count"] == 2


def test_fault_cm002_unique(make_cm) -> None:
    cm = make_cm(faults=("cm-002/unique",))
    earlier = cm.create()["url"]
    cm.create(vorigContactmoment=earlier)
    last = cm.create(vorigContactmoment=earlier)["url"]
    assert cm.read(earlier)["volgendContactmoment"] == last


def test_cm002_delete_of_the_later_one_clears_volgend(cm: CmServer) -> None:
    earlier = cm.create()["url"]
    later = cm.create(vorigContactmoment=earlier)["url"]
    assert cm.request("DELETE", later).status_code == 204
    assert cm.read(earlier)["volgendContactmoment"] is None


def test_fault_cm002_volgend_not_set(make_cm) -> None:
    cm = make_cm(faults=("cm-002",))
    earlier = cm.create()["url"]
    later = cm.create(vorigContactmoment=earlier)
    assert later["vorigContactmoment"] == earlier
    assert cm.read(earlier)["volgendContactmoment"] is None


def test_fault_cm002_clear(make_cm) -> None:
    cm = make_cm(faults=("cm-002/clear",))
    first, second = cm.create()["url"], cm.create()["url"]
    later = cm.create(vorigContactmoment=first)["url"]
    assert cm.read(first)["volgendContactmoment"] == later  # setting still works
    cm.patch(later, vorigContactmoment=second)
    assert cm.read(first)["volgendContactmoment"] == later
    assert cm.read(second)["volgendContactmoment"] == later
    cm.request("DELETE", later)
    assert cm.read(second)["volgendContactmoment"] == later


# CM-INT-01 ------------------------------------------------------------------------------------


def chain(cm: CmServer) -> list[str]:
    first = cm.create()["url"]
    second = cm.create(vorigContactmoment=first)["url"]
    third = cm.create(vorigContactmoment=second)["url"]
    return [first, second, third]


def walk(cm: CmServer, start: str, link: str) -> list[str]:
    seen = [start]
    while (following := cm.read(seen[-1])[link]) is not None:
        seen.append(following)
    return seen


def test_cmint01_a_chain_walks_both_ways(cm: CmServer) -> None:
    urls = chain(cm)
    assert walk(cm, urls[0], "volgendContactmoment") == urls
    assert walk(cm, urls[2], "vorigContactmoment") == urls[::-1]


def test_fault_cmint01_breaks_the_walk_forwards_only(make_cm) -> None:
    cm = make_cm(faults=("CM-INT-01",))
    urls = chain(cm)
    assert walk(cm, urls[0], "volgendContactmoment") == urls[:2]
    assert walk(cm, urls[2], "vorigContactmoment") == urls[::-1]
    # a pair (what cm-002 looks at) still shows the link
    earlier = cm.create()["url"]
    later = cm.create(vorigContactmoment=earlier)["url"]
    assert cm.read(earlier)["volgendContactmoment"] == later
    assert [r["url"] for r in cm.list(volgendContactmoment=urls[2]).json()["results"]] == [urls[1]]


# cm-003 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 500])
def test_cm003_medewerker_must_resolve(cm: CmServer, registry, status: int) -> None:
    invalid(
        cm.post("/contactmomenten", cm.body(medewerker=registry.url_for(status))),
        "medewerker",
        "bad-url",
    )
    invalid(
        cm.post("/contactmomenten", cm.body(medewerker=registry.dead_url())),
        "medewerker",
        "bad-url",
    )
    ok = registry.url_for(200)
    url = cm.create(medewerker=ok)["url"]
    invalid(cm.patch(url, medewerker=registry.url_for(status)), "medewerker", "bad-url")
    assert cm.patch(url, medewerker=registry.url_for(200)).status_code == 200


def test_cm003_patch_without_medewerker_does_not_fetch_it(cm: CmServer, registry) -> None:
    medewerker = registry.url_for(200)
    url = cm.create(medewerker=medewerker)["url"]
    cm.patch(url, tekst="x")
    assert registry.hit_count(medewerker) == 1


def test_fault_cm003(make_cm, registry) -> None:
    cm = make_cm(faults=("cm-003",))
    dead = registry.url_for(404)
    assert cm.create(medewerker=dead)["medewerker"] == dead


# deleting a contactmoment ---------------------------------------------------------------------


def test_delete_unlinks_neighbours_and_deletes_relations(cm: CmServer, zaken) -> None:
    first, middle, last = chain(cm)
    klant = cm.klantcontactmoment(middle, cm.klant()).json()["url"]
    zaak = zaken.zaak()
    zaken.relate(zaak, middle)
    relation = cm.objectcontactmoment(middle, zaak).json()["url"]
    kept = cm.klantcontactmoment(first, cm.klant()).json()["url"]
    assert cm.request("DELETE", middle).status_code == 204
    assert cm.read(first)["volgendContactmoment"] is None
    assert cm.read(last)["vorigContactmoment"] is None
    assert cm.get(klant).status_code == 404 and cm.get(relation).status_code == 404
    assert cm.read(kept)["contactmoment"] == first
    # the neighbours' side changes are no changes of theirs: no audittrail entries
    assert len(cm.get(f"{first}/audittrail").json()) == 1
    assert len(cm.get(f"{last}/audittrail").json()) == 1
    assert cm.get(f"{middle}/audittrail").status_code == 404


def test_a_registratiedatum_before_the_first_utc_moment_is_stored(cm: CmServer) -> None:
    """0001-01-01T00:00:00+00:03 is a valid date-time whose UTC moment does not exist in
    Python's range: stored and read back as sent, never a 500."""
    made = cm.create(registratiedatum="0001-01-01T00:00:00+00:03")
    assert cm.read(made["url"])["registratiedatum"] == made["registratiedatum"]
