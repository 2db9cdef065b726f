"""The migration view (class ``ki-migratie``): do the klanten of a Klanten 1.0 target appear as
partijen of a Klantinteracties target the way RULES-klantinteracties.md maps them?

Read only: the view sends GET requests, to both targets, and nothing else, so it is safe
against production data. It walks every page of the lists it reads and says how many klanten
it compared and which it could not compare (and why).

- KI-MIG-01: every aangehaakte klant with an identification number the mapping covers
  (``inpBsn`` → ``bsn``, persoon; ``innNnpId`` of 8 digits → ``kvk_nummer``, of 9 digits →
  ``rsin``, organisatie) is identified by a partij-identificator with that number, whose
  ``identificeerdePartij`` is a partij of that soort. Klanten it cannot compare: a vestiging
  (the migration keeps no identificator for it), or an aangehaakte klant without such a number
  (a subject URL only, an ``anpIdentificatie``, an ``innNnpId`` of another length).
- KI-MIG-02: every zelfstandige klant (no subject, no identifying data) whose klantnummer is
  the ``nummer`` of a partij has only such partijen without partij-identificatoren. The
  klantnummer ↔ ``nummer`` key is the migration's own: both are the short number people refer
  to a klant by, and names or contact data are neither unique nor stable. Zelfstandige klanten
  are found in the Klanten list and by asking the Klanten target for the klantnummer of every
  partij whose nummer could be one (at most 8 characters), because a Klanten 1.0 product that
  follows KLOK01 lists zelfstandige klanten only to a query on their klantnummer.

The comparisons work on two small read interfaces (:class:`Source`, :class:`Target`) so that
they can be tested on fake data; :class:`KlantenReader` and :class:`KlantinteractiesReader`
read the targets.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests

from klanten_conformance import checks

#: the number fields of ``subjectIdentificatie`` that identify a klant (Klanten API 1.0)
NUMBER_FIELDS = (
    "inpBsn",
    "anpIdentificatie",
    "inpA_nummer",
    "innNnpId",
    "annIdentificatie",
    "vestigingsNummer",
)
#: klantnummer has at most 8 characters (Klanten API 1.0); longer partij nummers are no key
KLANTNUMMER_MAX = 8
NOTHING_TO_COMPARE = "nothing to compare"
#: what each rule compares (for the "nothing to compare" message)
KINDS = {
    "KI-MIG-01": "an aangehaakte klant with a BSN or an innNnpId of 8 or 9 digits",
    "KI-MIG-02": "a zelfstandige klant whose klantnummer is the nummer of a partij",
}


@dataclass(frozen=True)
class Expected:
    """The partij a correct migration makes of an aangehaakte klant."""

    soort_partij: str
    code_soort_object_id: str
    object_id: str

    def __str__(self) -> str:
        soort = f"soortPartij {self.soort_partij}"
        return f"a partij ({soort}) holding {self.code_soort_object_id} {self.object_id}"


def _filled(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_filled(v) for v in value.values())
    if isinstance(value, list):
        return any(_filled(v) for v in value)
    return value not in (None, "", False)


def is_zelfstandig(klant: dict[str, Any]) -> bool:
    """A klant without identifying data: no subject URL and an empty (or no)
    subjectIdentificatie, whatever its subjectType says."""
    return not _filled(klant.get("subject")) and not _filled(klant.get("subjectIdentificatie"))


def expected_partij(klant: dict[str, Any]) -> tuple[Expected | None, str]:
    """The partij ``klant`` migrates to, or None and why the klant is not compared."""
    subject_type = klant.get("subjectType")
    identificatie = klant.get("subjectIdentificatie")
    identificatie = identificatie if isinstance(identificatie, dict) else {}
    if subject_type == "natuurlijk_persoon":
        bsn = identificatie.get("inpBsn")
        if isinstance(bsn, str) and bsn:
            return Expected("persoon", "bsn", bsn), ""
        return None, "a natuurlijk persoon without inpBsn"
    if subject_type == "niet_natuurlijk_persoon":
        number = identificatie.get("innNnpId")
        soort = {8: "kvk_nummer", 9: "rsin"}.get(len(number)) if isinstance(number, str) else None
        if soort:
            return Expected("organisatie", soort, number), ""
        return (
            None,
            f"a niet-natuurlijk persoon with an innNnpId of neither 8 nor 9 digits ({number!r})",
        )
    if subject_type == "vestiging":
        return None, "a vestiging (the migration keeps no identificator for it)"
    return None, f"identifying data without a subjectType the mapping knows ({subject_type!r})"


def label(klant: dict[str, Any]) -> str:
    nummer = klant.get("klantnummer") or "?"
    bron = klant.get("bronorganisatie")
    return f"klant {nummer}" + (f" ({bron})" if bron else "")


class Source(Protocol):
    """What the view reads of the Klanten 1.0 target."""

    def klanten(self) -> Iterable[dict[str, Any]]:
        """Every klant the list shows (all pages)."""
        ...

    def by_klantnummer(self, klantnummer: str) -> list[dict[str, Any]]:
        """The klanten with this klantnummer."""
        ...


class Target(Protocol):
    """What the view reads of the Klantinteracties target."""

    def identificatoren(self, soort: str, object_id: str) -> list[dict[str, Any]]:
        """Partij-identificatoren the target finds for ``soort`` ``object_id`` (checked again
        by the view)."""
        ...

    def partij(self, reference: dict[str, Any]) -> dict[str, Any] | None:
        """The partij a ``{"uuid", "url"}`` reference names, or None."""
        ...

    def partijen(self) -> Iterable[dict[str, Any]]:
        """Every partij (all pages)."""
        ...

    def identificatoren_of(self, partij: dict[str, Any]) -> list[dict[str, Any]]:
        """The partij-identificatoren the partij holds."""
        ...


@dataclass
class Comparison:
    """What one rule's comparison found."""

    #: one line per klant that was compared
    compared: list[str] = field(default_factory=list)
    #: one line per klant whose migration breaks the rule
    mismatches: list[str] = field(default_factory=list)
    #: one line per klant that could not be compared, with the reason
    not_compared: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.compared)} klant(en) compared, {len(self.mismatches)} mismatch(es), "
            f"{len(self.not_compared)} not compared"
        )

    def evidence(self, limit: int = 50) -> str:
        lines = [self.summary()]
        for title, items in (
            ("mismatches", self.mismatches),
            ("compared", self.compared),
            ("not compared", self.not_compared),
        ):
            if items:
                lines.append(f"{title}:")
                lines += [f"  {item}" for item in items[:limit]]
                if len(items) > limit:
                    lines.append(f"  ... and {len(items) - limit} more")
        return "\n".join(lines)


def _group(identificator: dict[str, Any]) -> dict[str, Any]:
    group = identificator.get("partijIdentificator")
    return group if isinstance(group, dict) else {}


def _describe(identificator: dict[str, Any]) -> str:
    group = _group(identificator)
    return f"{group.get('codeSoortObjectId')} {group.get('objectId')}"


def compare_aangehaakt(source: Source, target: Target) -> Comparison:
    """KI-MIG-01 on every klant the source lists."""
    found = Comparison()
    for klant in source.klanten():
        if is_zelfstandig(klant):
            continue
        expected, why = expected_partij(klant)
        if expected is None:
            found.not_compared.append(f"{label(klant)}: {why}")
            continue
        line = f"{label(klant)} → {expected}"
        found.compared.append(line)
        holding = [
            i
            for i in target.identificatoren(expected.code_soort_object_id, expected.object_id)
            if _group(i).get("codeSoortObjectId") == expected.code_soort_object_id
            and _group(i).get("objectId") == expected.object_id
        ]
        if not holding:
            found.mismatches.append(f"{line}: no partij-identificator holds the number")
            continue
        soorten = []
        for identificator in holding:
            reference = identificator.get("identificeerdePartij")
            partij = target.partij(reference) if isinstance(reference, dict) else None
            if partij is not None:
                soorten.append(str(partij.get("soortPartij")))
        if expected.soort_partij not in soorten:
            held = ", ".join(f"a partij of soort {s}" for s in soorten) or "no partij"
            found.mismatches.append(f"{line}: the number identifies {held}")
    return found


def compare_zelfstandig(source: Source, target: Target) -> Comparison:
    """KI-MIG-02 on every zelfstandige klant the source lists or has the klantnummer of a
    partij."""
    found = Comparison()
    by_nummer: dict[str, list[dict[str, Any]]] = {}
    for partij in target.partijen():
        nummer = partij.get("nummer")
        if isinstance(nummer, str) and 0 < len(nummer) <= KLANTNUMMER_MAX:
            by_nummer.setdefault(nummer, []).append(partij)
    zelfstandig: dict[str, dict[str, Any]] = {}

    def add(klant: dict[str, Any]) -> None:
        if is_zelfstandig(klant):
            key = str(klant.get("url") or (klant.get("bronorganisatie"), klant.get("klantnummer")))
            zelfstandig.setdefault(key, klant)

    for klant in source.klanten():
        add(klant)
    for nummer in by_nummer:
        for klant in source.by_klantnummer(nummer):
            if klant.get("klantnummer") == nummer:
                add(klant)
    for klant in sorted(zelfstandig.values(), key=lambda k: str(k.get("klantnummer"))):
        nummer = str(klant.get("klantnummer") or "")
        partijen = by_nummer.get(nummer, [])
        if not partijen:
            found.not_compared.append(f"{label(klant)}: no partij has nummer {nummer!r}")
            continue
        line = f"{label(klant)} (zelfstandig) → partij nummer {nummer}"
        found.compared.append(line)
        for partij in partijen:
            held = target.identificatoren_of(partij)
            if held:
                numbers = ", ".join(_describe(i) for i in held)
                found.mismatches.append(
                    f"{line} ({partij.get('url')}): holds partij-identificator(en) {numbers}"
                )
    return found


def judge(rule: str, found: Comparison) -> None:
    """The outcome of ``rule`` on ``found``: blocked when nothing was compared (an empty
    comparison proves nothing), failed on a mismatch, passed otherwise."""
    if not found.compared:
        raise checks.Blocked(
            f"finding {KINDS[rule]} in the Klanten 1.0 target",
            f"{NOTHING_TO_COMPARE}: {found.summary()}",
            evidence=found.evidence(),
        )
    shown = found.mismatches[:10]
    more = (
        f" (and {len(found.mismatches) - len(shown)} more)"
        if len(shown) < len(found.mismatches)
        else ""
    )
    checks.expect_true(
        rule,
        not found.mismatches,
        f"every compared klant migrated as the mapping says ({found.summary()})",
        "; ".join(shown) + more,
    )


# reading the targets -----------------------------------------------------------------------

#: a list that keeps linking to pages already read is not followed further
MAX_PAGES = 10_000


def pages(client: Any, path: str, what: str, covering: str, **params: Any) -> Iterator[dict]:
    """Every result of a paginated list, following ``next`` (an arrange step each page)."""
    url: str | None = path
    seen: set[str] = set()
    query: dict[str, Any] | None = params or None
    while url and url not in seen and len(seen) < MAX_PAGES:
        seen.add(url)
        response = client.get(url, params=query, validate=False)
        page = _expect(client, what, covering, response)
        results = page.get("results") if isinstance(page, dict) else None
        if not isinstance(results, list):
            with client.arranging(what, covering):
                checks.fail(covering, "a list page with results", str(page)[:200], response)
        yield from (r for r in results if isinstance(r, dict))
        url = page.get("next") or None
        query = None  # the next link carries the query


def _expect(client: Any, what: str, covering: str, response: requests.Response) -> Any:
    with client.arranging(what, covering):
        return checks.expect_status(covering, response, 200)


class KlantenReader:
    """The Klanten 1.0 target, read through a harness client (``ApiClient``)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        #: the source is not under test: a list it cannot give blocks the check, naming no rule
        self.covering = ""
        self._klanten: list[dict[str, Any]] | None = None

    def klanten(self) -> list[dict[str, Any]]:
        if self._klanten is None:
            self._klanten = list(
                pages(
                    self.client,
                    "klanten",
                    "listing the klanten of the Klanten target",
                    self.covering,
                )
            )
        return self._klanten

    def by_klantnummer(self, klantnummer: str) -> list[dict[str, Any]]:
        return list(
            pages(
                self.client,
                "klanten",
                f"looking up klantnummer {klantnummer}",
                self.covering,
                klantnummer=klantnummer,
            )
        )


class KlantinteractiesReader:
    """The Klantinteracties target, read through its harness client."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.covering = client.definition.covering.get("read", "")

    def identificatoren(self, soort: str, object_id: str) -> list[dict[str, Any]]:
        return list(
            pages(
                self.client,
                "partij-identificatoren",
                f"looking up partij-identificatoren {soort} {object_id}",
                self.covering,
                partijIdentificatorCodeSoortObjectId=soort,
                partijIdentificatorObjectId=object_id,
            )
        )

    def _read(self, url: str, what: str) -> dict[str, Any] | None:
        response = self.client.get(url, validate=False)
        if response.status_code == 404:
            return None
        data = _expect(self.client, what, self.covering, response)
        return data if isinstance(data, dict) else None

    def partij(self, reference: dict[str, Any]) -> dict[str, Any] | None:
        url = reference.get("url") or (
            f"partijen/{reference['uuid']}" if reference.get("uuid") else None
        )
        return self._read(url, "reading the identified partij") if url else None

    def partijen(self) -> Iterator[dict[str, Any]]:
        return pages(self.client, "partijen", "listing the partijen", self.covering)

    def identificatoren_of(self, partij: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for item in partij.get("partijIdentificatoren") or []:
            if not isinstance(item, dict):
                continue
            if "partijIdentificator" in item:
                found.append(item)
                continue
            url = item.get("url") or (
                f"partij-identificatoren/{item['uuid']}" if item.get("uuid") else None
            )
            read = self._read(url, "reading a partij-identificator") if url else None
            found.append(read if read is not None else {"partijIdentificator": {}, **item})
        return found
