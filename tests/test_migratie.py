"""The comparisons of the migration view (klanten_conformance.migratie) on fake data."""

from __future__ import annotations

from typing import Any

import pytest

from klanten_conformance import migratie


def klant(nummer: str, subject_type: str | None = None, **identificatie: str) -> dict:
    data: dict[str, Any] = {"klantnummer": nummer, "bronorganisatie": "002220647"}
    if subject_type:
        data["subjectType"] = subject_type
    if identificatie:
        data["subjectIdentificatie"] = identificatie
    return data


def identificator(uuid: str, partij: str, soort: str, object_id: str) -> dict:
    return {
        "uuid": uuid,
        "url": f"ki/partij-identificatoren/{uuid}",
        "identificeerdePartij": {"uuid": partij, "url": f"ki/partijen/{partij}"},
        "partijIdentificator": {"codeSoortObjectId": soort, "objectId": object_id},
    }


class FakeSource:
    """A Klanten target that lists ``listed`` and finds ``hidden`` only by klantnummer."""

    def __init__(self, listed: list[dict], hidden: list[dict] = ()) -> None:
        self.listed = listed
        self.hidden = list(hidden)
        self.asked: list[str] = []

    def klanten(self) -> list[dict]:
        return self.listed

    def by_klantnummer(self, klantnummer: str) -> list[dict]:
        self.asked.append(klantnummer)
        return [k for k in [*self.listed, *self.hidden] if k["klantnummer"] == klantnummer]


class FakeTarget:
    def __init__(self, partijen: list[dict], identificatoren: list[dict]) -> None:
        self._partijen = {p["uuid"]: p for p in partijen}
        self._identificatoren = identificatoren
        for partij in partijen:
            partij["partijIdentificatoren"] = [
                {"uuid": i["uuid"], "url": i["url"]}
                for i in identificatoren
                if i["identificeerdePartij"]["uuid"] == partij["uuid"]
            ]

    def identificatoren(self, soort: str, object_id: str) -> list[dict]:
        # a target whose filter matches too much: the view checks the numbers itself
        return list(self._identificatoren)

    def partij(self, reference: dict) -> dict | None:
        return self._partijen.get(reference["uuid"])

    def partijen(self) -> list[dict]:
        return list(self._partijen.values())

    def identificatoren_of(self, partij: dict) -> list[dict]:
        wanted = {i["uuid"] for i in partij["partijIdentificatoren"]}
        return [i for i in self._identificatoren if i["uuid"] in wanted]


def partij(uuid: str, soort: str, nummer: str) -> dict:
    return {"uuid": uuid, "url": f"ki/partijen/{uuid}", "soortPartij": soort, "nummer": nummer}


KLANTEN = [
    klant("1", "natuurlijk_persoon", inpBsn="123456782"),
    klant("2", "niet_natuurlijk_persoon", innNnpId="69599084"),
    klant("3", "niet_natuurlijk_persoon", innNnpId="345678904"),
    klant("4", "vestiging", vestigingsNummer="000012345678"),
    klant("5"),
]


def migrated() -> FakeTarget:
    return FakeTarget(
        [
            partij("p1", "persoon", "1"),
            partij("p2", "organisatie", "2"),
            partij("p3", "organisatie", "3"),
            partij("p4", "organisatie", "4"),
            partij("p5", "persoon", "5"),
            partij("p6", "persoon", "0000000123"),  # a generated nummer: no klantnummer
        ],
        [
            identificator("i1", "p1", "bsn", "123456782"),
            identificator("i2", "p2", "kvk_nummer", "69599084"),
            identificator("i3", "p3", "rsin", "345678904"),
        ],
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (klant("1", "natuurlijk_persoon", inpBsn="123456782"), ("persoon", "bsn")),
        (klant("1", "niet_natuurlijk_persoon", innNnpId="69599084"), ("organisatie", "kvk_nummer")),
        (klant("1", "niet_natuurlijk_persoon", innNnpId="345678904"), ("organisatie", "rsin")),
        (klant("1", "niet_natuurlijk_persoon", innNnpId="1234567"), None),
        (klant("1", "natuurlijk_persoon", anpIdentificatie="x1"), None),
        (klant("1", "vestiging", vestigingsNummer="000012345678"), None),
    ],
)
def test_the_mapping(data: dict, expected: tuple[str, str] | None) -> None:
    found, why = migratie.expected_partij(data)
    if expected is None:
        assert found is None and why
    else:
        assert found is not None and (found.soort_partij, found.code_soort_object_id) == expected


def test_zelfstandig_means_no_identifying_data_at_all() -> None:
    assert migratie.is_zelfstandig(klant("1"))
    assert migratie.is_zelfstandig(
        {
            **klant("1"),
            "subject": "",
            "subjectIdentificatie": {"inpBsn": "", "verblijfsadres": None},
        }
    )
    assert not migratie.is_zelfstandig(klant("1", "natuurlijk_persoon", inpBsn="123456782"))
    assert not migratie.is_zelfstandig({**klant("1"), "subject": "https://brp.example/p/1"})


def test_a_correct_migration_passes_and_counts_what_was_compared() -> None:
    target = migrated()
    aangehaakt = migratie.compare_aangehaakt(FakeSource(KLANTEN), target)
    assert len(aangehaakt.compared) == 3 and not aangehaakt.mismatches
    assert [line.split(":")[0] for line in aangehaakt.not_compared] == ["klant 4 (002220647)"]
    zelfstandig = migratie.compare_zelfstandig(FakeSource(KLANTEN), target)
    assert len(zelfstandig.compared) == 1 and not zelfstandig.mismatches
    assert "1 klant(en) compared" in zelfstandig.evidence()


def test_a_lost_identificator_is_a_mismatch() -> None:
    target = migrated()
    target._identificatoren = [i for i in target._identificatoren if i["uuid"] != "i3"]
    found = migratie.compare_aangehaakt(FakeSource(KLANTEN), target)
    assert len(found.mismatches) == 1 and "rsin 345678904" in found.mismatches[0]
    assert "no partij-identificator holds the number" in found.mismatches[0]


def test_a_number_on_a_partij_of_the_wrong_soort_is_a_mismatch() -> None:
    target = migrated()
    target._partijen["p1"]["soortPartij"] = "organisatie"
    found = migratie.compare_aangehaakt(FakeSource(KLANTEN), target)
    assert found.mismatches == [
        "klant 1 (002220647) → a partij (soortPartij persoon) holding bsn 123456782: "
        "the number identifies a partij of soort organisatie"
    ]


def test_a_zelfstandige_klant_that_became_aangehaakt_is_a_mismatch() -> None:
    target = migrated()
    target._identificatoren.append(identificator("i5", "p5", "bsn", "812345678"))
    target._partijen["p5"]["partijIdentificatoren"] = [{"uuid": "i5", "url": "x"}]
    found = migratie.compare_zelfstandig(FakeSource(KLANTEN), target)
    assert len(found.mismatches) == 1 and "bsn 812345678" in found.mismatches[0]


def test_zelfstandige_klanten_hidden_from_the_list_are_found_by_klantnummer() -> None:
    source = FakeSource([k for k in KLANTEN if k["klantnummer"] != "5"], hidden=[klant("5")])
    found = migratie.compare_zelfstandig(source, migrated())
    assert len(found.compared) == 1
    assert "0000000123" not in source.asked  # longer than a klantnummer: not asked


def test_nothing_to_compare_leaves_the_comparison_empty() -> None:
    found = migratie.compare_aangehaakt(FakeSource([]), migrated())
    assert not found.compared and not found.mismatches
    only_vestiging = migratie.compare_aangehaakt(FakeSource([KLANTEN[3]]), migrated())
    assert not only_vestiging.compared and only_vestiging.not_compared
    unmatched = migratie.compare_zelfstandig(FakeSource([klant("77")]), migrated())
    assert not unmatched.compared and "no partij has nummer '77'" in unmatched.not_compared[0]


def test_the_outcome_of_a_comparison() -> None:
    from klanten_conformance.checks import Blocked, ConformanceFailure

    ok = migratie.Comparison(compared=["klant 1 → ..."])
    migratie.judge("KI-MIG-01", ok)  # passes: no exception
    with pytest.raises(Blocked, match="nothing to compare"):
        migratie.judge("KI-MIG-01", migratie.Comparison(not_compared=["klant 4: a vestiging"]))
    wrong = migratie.Comparison(compared=["a", "b"], mismatches=["klant 2: no identificator"])
    with pytest.raises(ConformanceFailure) as failure:
        migratie.judge("KI-MIG-02", wrong)
    assert failure.value.rule == "KI-MIG-02"
    assert failure.value.received == "klant 2: no identificator"
