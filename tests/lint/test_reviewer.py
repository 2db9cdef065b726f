"""The checks a careful reviewer makes beyond validity, each firing where it should and silent
where the document is right (fixtures reviewer.yaml, readonly31.yaml)."""

from __future__ import annotations

import pytest

from klanten_conformance.lint.descriptions import OPTIONAL, REQUIRED, says, says_of_all

from .conftest import FIXTURES, ids_at, run_lint, variant

DING = "/components/schemas/Ding/properties"
SCHEMAS = "/components/schemas"


@pytest.fixture(scope="module")
def found() -> list[dict]:
    return run_lint("reviewer.yaml")


FIRING = [
    ("LINT-PATCH-REQUIRED", "/paths/~1dingen~1{uuid}/patch/requestBody", "`naam`, `status`"),
    ("LINT-PATCH-REQUIRED", "/paths/~1vormen~1{uuid}/patch/requestBody",
     "(Vorm, application/json) requires `naam`, so"),
    ("LINT-DESCRIPTION-REQUIRED", "/tags/0/description",
     "says all attributes are optional, but `Ding`, the request body of ding_create, "
     "ding_update, requires"),
    ("LINT-DESCRIPTION-REQUIRED", f"{DING}/status/description", "described as optional"),
    ("LINT-DESCRIPTION-REQUIRED", f"{DING}/code/description", "is not listed in `required`"),
    ("LINT-DATE-FORMAT", "/paths/~1dingen/get/parameters/1/schema",
     "holds a date-time by its description"),
    ("LINT-DATE-FORMAT", f"{DING}/geboortedatum", "holds a date by its name"),
    ("LINT-DATE-FORMAT", f"{DING}/peilmoment", "holds a date-time by its example"),
    ("LINT-REQUIRED-PLACEMENT", f"{SCHEMAS}/BinnenlandsAdres/required",
     "`straat` is required here but defined only in allOf/1"),
    ("LINT-REQUIRED-PLACEMENT", f"{SCHEMAS}/Postadres/allOf/1/required",
     "`Adres` requires it already"),
    ("LINT-REQUIRED-PLACEMENT", f"{SCHEMAS}/Verhuisd/allOf/1/required",
     "belongs at the top of this schema"),
    ("LINT-ADR-ERROR-RESPONSES", "/paths/~1dingen/get/responses", "does not document 400"),
    ("LINT-ADR-ERROR-RESPONSES", "/paths/~1dingen~1{uuid}/delete/responses",
     "404, as it addresses a resource by `uuid`"),
    ("LINT-ADR-ERROR-RESPONSES", "/paths/~1dingen~1{uuid}~1notities/get/responses",
     "404, as it works below a parent (`uuid`)"),
    ("LINT-UNREACHABLE-RESPONSE", "/paths/~1dingen/get/responses/415",
     "take no request body"),
]


@pytest.mark.parametrize(("rule", "pointer", "text"), FIRING)
def test_fires(found, rule, pointer, text):
    messages = [f["message"] for f in found if f["rule"] == rule and f["pointer"] == pointer]
    assert messages and text in messages[0]


@pytest.mark.parametrize(
    ("rule", "pointer", "why"),
    [
        ("LINT-PATCH-REQUIRED", "/paths/~1zaken~1{uuid}/patch/requestBody",
         "a PATCH body that requires nothing"),
        ("LINT-DESCRIPTION-REQUIRED", "/tags/1/description", "the schema requires nothing"),
        ("LINT-DESCRIPTION-REQUIRED", f"{DING}/naam/description", "required and says so"),
        ("LINT-DESCRIPTION-REQUIRED", f"{DING}/omschrijving/description", "optional, says so"),
        ("LINT-DESCRIPTION-REQUIRED", f"{DING}/toelichting/description",
         "a condition and an adverb are no statement"),
        ("LINT-DATE-FORMAT", "/paths/~1dingen/get/parameters/2/schema", "has a format"),
        ("LINT-DATE-FORMAT", f"{DING}/ingangsdatum", "a pattern gives the notation"),
        ("LINT-DATE-FORMAT", f"{DING}/aanmaakdatum", "has a format"),
        ("LINT-DATE-FORMAT", f"{DING}/datumNummer", "not a string"),
        ("LINT-REQUIRED-PLACEMENT", f"{SCHEMAS}/BuitenlandsAdres/allOf/1/required",
         "required beside its properties"),
        ("LINT-ADR-ERROR-RESPONSES", "/paths/~1dingen/post/responses", "has 400"),
        ("LINT-ADR-ERROR-RESPONSES", "/paths/~1dingen~1{uuid}/get/responses", "has 404"),
        ("LINT-ADR-ERROR-RESPONSES", "/paths/~1zaken~1{uuid}/patch/responses", "a 4XX range"),
        ("LINT-ADR-ERROR-RESPONSES", "/paths/~1zaken~1{uuid}/put/responses", "a default"),
        ("LINT-UNREACHABLE-RESPONSE", "/paths/~1dingen/post/responses/415", "takes a body"),
        ("LINT-DISCRIMINATOR", f"{SCHEMAS}/Vorm/discriminator/propertyName",
         "every alternative requires the discriminator property"),
        ("LINT-READONLY-REQUIRED", f"{SCHEMAS}/Ding/required",
         "OpenAPI 3.0 limits required of readOnly properties to responses"),
    ],
)
def test_silent(found, rule, pointer, why):
    assert pointer not in ids_at(found, rule), why


def test_binnenlands_adres_may_tighten_what_its_base_defines(found):
    placement = [f["message"] for f in found if f["rule"] == "LINT-REQUIRED-PLACEMENT"
                 and f["pointer"] == f"{SCHEMAS}/BinnenlandsAdres/required"]
    assert placement and "`type`" not in placement[0]


def test_a_document_without_any_error_response_gets_one_finding(tmp_path):
    def without_errors(doc):
        for item in doc["paths"].values():
            for op in item.values():
                if isinstance(op, dict) and "responses" in op:
                    op["responses"] = {k: v for k, v in op["responses"].items()
                                       if str(k)[0] not in "45" and k != "default"}

    path = variant(tmp_path, without_errors, of=FIXTURES / "reviewer.yaml")
    found = [f for f in run_lint(str(path)) if f["rule"] == "LINT-ADR-ERROR-RESPONSES"]
    assert [(f["pointer"], f["message"].split(":")[0]) for f in found] == [
        ("/paths", "none of the 10 operations documents an error response")]


def test_read_only_and_required_in_a_request_of_openapi_3_1():
    found = {f["pointer"]: f["message"] for f in run_lint("readonly31.yaml")
             if f["rule"] == "LINT-READONLY-REQUIRED"}
    assert set(found) == {f"{SCHEMAS}/Ding/required", f"{SCHEMAS}/Onderdeel/required"}
    assert found[f"{SCHEMAS}/Ding/required"].startswith("`url` is readOnly but required in "
                                                        "`Ding`, sent in the request body of "
                                                        "ding_create")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Optioneel.", OPTIONAL),
        ("Dit attribuut is optioneel.", OPTIONAL),
        ("Niet verplicht.", OPTIONAL),
        ("Optional: the name of the thing", OPTIONAL),
        ("De naam (optioneel)", OPTIONAL),
        ("The name. This field is required.", REQUIRED),
        ("Verplicht.", REQUIRED),
        ("(mandatory)", REQUIRED),
        ("Verplicht als subjectType `vestiging` is.", None),
        ("Via reactie kan optioneel het antwoord worden opgeslagen.", None),
        ("Mandatory fields must be sent.", None),
        ("De verplichting van de klant.", None),
    ],
)
def test_what_counts_as_a_statement_about_the_property(text, kind):
    assert says(text) == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Om deze reden zijn ook alle attributen optioneel.", OPTIONAL),
        ("Alle velden zijn verplicht.", REQUIRED),
        ("All attributes are optional.", OPTIONAL),
        ("Niet alle attributen zijn optioneel.", None),
        ("Not all fields are required.", None),
        ("Sommige attributen zijn optioneel.", None),
    ],
)
def test_what_counts_as_a_statement_about_all_attributes(text, kind):
    assert says_of_all(text) == kind


@pytest.mark.parametrize(
    ("name", "description", "expected"),
    [
        ("geboortedatum", "", ("date", "name")),
        ("datumVanaf", "", ("date", "name")),
        ("registratiedatum__gt", "Registered after this date and time.", ("date-time", "name")),
        ("beginTijdstip", "", ("date-time", "name")),
        ("moment", "De datum en het tijdstip waarop het gebeurde.", ("date-time", "description")),
        ("moment", "Date the thing happened.", ("date", "description")),
        ("update", "", None),
        ("datumsoort", "Een datum valt op een dag.", ("date", "name")),
        ("kanaal", "Het kanaal waarlangs op een datum contact was.", None),
    ],
)
def test_what_holds_a_date(name, description, expected):
    from klanten_conformance.lint.formats import _evidence

    assert _evidence(name, {"type": "string"}, description) == expected
