"""The stub object API answers as a Zaken API 1.x does, so products that check more than
the status (vng-api-common's ResourceValidator, the destroy validation of a mirror) accept
it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from klanten_conformance.stubs import ObjectApi

#: the properties the Zaak schema of the Zaken API 1.x requires
ZAAK_REQUIRED = ("bronorganisatie", "zaaktype", "verantwoordelijkeOrganisatie", "startdatum")


@pytest.fixture
def objects() -> Iterator[ObjectApi]:
    with ObjectApi() as stub:
        yield stub


def test_a_zaak_has_every_required_property_of_a_zaak(objects: ObjectApi) -> None:
    zaak = objects.zaak()
    found = requests.get(zaak, timeout=5).json()
    assert found["url"] == zaak
    assert all(isinstance(found.get(name), str) and found[name] for name in ZAAK_REQUIRED)


def test_unrelate_drops_only_that_relation(objects: ObjectApi) -> None:
    zaak, other = objects.zaak(), objects.zaak()
    objects.relate(zaak, "https://cm.example.org/contactmomenten/1")
    objects.relate(zaak, "https://cm.example.org/contactmomenten/2")
    objects.relate(other, "https://cm.example.org/contactmomenten/1")
    assert objects.unrelate(zaak, "https://cm.example.org/contactmomenten/1") == 1
    listed = requests.get(
        f"{objects.base_url}{ObjectApi.RELATIONS}",
        params={"zaak": zaak},
        timeout=5,
    ).json()
    assert [r["contactmoment"] for r in listed] == ["https://cm.example.org/contactmomenten/2"]
    assert len(objects.relations(zaak=other)) == 1
    assert objects.unrelate(zaak, "https://cm.example.org/contactmomenten/1") == 0
