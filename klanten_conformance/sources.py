"""The source documents rules cite, by title and, where public, where to find them.

The catalogue names a rule's source by its file name in ../shared/ (``001_a3027fe2132170e3.txt``,
``klanten-1.0.0.yaml``); reports show the document's title and address instead.
"""

from __future__ import annotations

from dataclasses import dataclass

REPOSITORY = "https://github.com/VNG-Realisatie/klantinteracties"


@dataclass(frozen=True)
class Source:
    title: str
    url: str = ""


SOURCES: dict[str, Source] = {
    "000_fc0fe690870afd5c.txt": Source(
        "Begrippen bij API-standaarden voor Klantinteracties (21-06-2022)", REPOSITORY
    ),
    "001_a3027fe2132170e3.txt": Source(
        "Ontwerpkeuzes API-standaarden voor Klantinteracties: KLOK01 (20-06-2022)", REPOSITORY
    ),
    "002_aabb5bf947c075c3.txt": Source(
        "Begrippen bij API-standaarden voor Klantinteracties: contactmoment, interactie "
        "(02-06-2022)",
        REPOSITORY,
    ),
    "003_680dc6a304d067f3.txt": Source(
        "Project API-standaarden voor Klantinteracties, with the Q&A of 23 June 2022",
        REPOSITORY,
    ),
    "004_f3ba30d79f56f831.txt": Source(
        "Ontwerpkeuzes API-standaarden voor Klantinteracties: KLOK01, with its implications "
        "(20-06-2022)",
        REPOSITORY,
    ),
    "uitgangspunten.md": Source("Uitgangspunten API-standaarden voor Klantinteracties", REPOSITORY),
    "klanten-specificatie-gedrag.md": Source("Specificatie van gedrag, Klanten API", REPOSITORY),
    "contactmomenten-specificatie-gedrag.md": Source(
        "Specificatie van gedrag, Contactmomenten API", REPOSITORY
    ),
    "klanten-autorisaties.md": Source("Autorisaties (scopes), Klanten API", REPOSITORY),
    "contactmomenten-autorisaties.md": Source(
        "Autorisaties (scopes), Contactmomenten API", REPOSITORY
    ),
    "klanten-notificaties.md": Source("Notificaties (kanaal klanten), Klanten API", REPOSITORY),
    "contactmomenten-notificaties.md": Source(
        "Notificaties (kanaal contactmomenten), Contactmomenten API", REPOSITORY
    ),
    "klanten-1.0.0.yaml": Source("Klanten API 1.0.0, OpenAPI document", REPOSITORY),
    "klanten-1.0.2-draft.yaml": Source("Klanten API 1.0.2 (2022 draft), OpenAPI document",
                                       REPOSITORY),
    "contactmomenten-1.0.0.yaml": Source(
        "Contactmomenten API 1.0.0, OpenAPI document",
        "https://raw.githubusercontent.com/VNG-Realisatie/klantinteracties/main/specificatie/"
        "contactmomenten/openapi.yaml",
    ),
    "klantinteracties-0.9.0.yaml": Source(
        "Klantinteracties API 0.9.0, OpenAPI document (as published with Open Klant)",
        "https://github.com/maykinmedia/open-klant",
    ),
    "RULES.md": Source("klanten-conformance rule catalogue (RULES.md)"),
    "RULES-klantinteracties.md": Source(
        "klanten-conformance rule catalogue of the Klantinteracties API"
    ),
}


def describe(document: str) -> Source:
    """The title and address of a source document (its file name when we know no more)."""
    return SOURCES.get(document, Source(document))
