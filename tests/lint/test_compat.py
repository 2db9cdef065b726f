"""Compatibility with the standard: what differs, and whether it breaks clients."""

from __future__ import annotations

from pathlib import Path

import pytest

from klanten_conformance.lint import Workspace, lint

from .conftest import run_lint

KLANT = "/components/schemas/Klant/properties"


def _compat(spec: str, against: str) -> dict[tuple[str, str], dict]:
    return {(f["rule"], f["pointer"]): f for f in run_lint(spec, against)
            if f["rule"].startswith("LINT-COMPAT")}


@pytest.fixture(scope="module")
def changed():
    return _compat("compat-changed.yaml", "base.yaml")


@pytest.fixture(scope="module")
def reverse():
    return _compat("base.yaml", "compat-changed.yaml")


def test_identical_documents_have_no_difference():
    assert _compat("base.yaml", "base.yaml") == {}


@pytest.mark.parametrize(
    ("rule", "pointer", "breaking", "text"),
    [
        ("LINT-COMPAT-EXTRA", "/paths/~1klanten~1{klant_uuid}~1audit-trail/delete", False,
         "operation DELETE"),
        ("LINT-COMPAT-MISSING", "/paths/~1klanten/get/parameters", True, "`telefoonnummer`"),
        ("LINT-COMPAT-EXTRA", "/paths/~1klanten/get/parameters/3", False,
         "`includeNullValues`"),
        ("LINT-COMPAT-RENAMED", "/paths/~1klanten/get/parameters/0", True,
         "`achternaam` of the standard is missing and `achternaamm`"),
        ("LINT-COMPAT-RENAMED", "/components/schemas/Fout/properties/titel", True,
         "`title` of the standard is missing and `titel`"),
        ("LINT-COMPAT-SCHEMA", "/paths/~1klanten/get/parameters/2/schema", False,
         "minimum 1 removed"),
        ("LINT-COMPAT-SCHEMA", f"{KLANT}/bronorganisatie", True, "maxLength 9 → 8"),
        ("LINT-COMPAT-SCHEMA", f"{KLANT}/huisnummer", True, "type integer → string"),
        ("LINT-COMPAT-SCHEMA", f"{KLANT}/subjectType", True,
         "enum values `niet_natuurlijk_persoon` added"),
        ("LINT-COMPAT-EXTRA", f"{KLANT}/voornaam", True, "property `voornaam`"),
        ("LINT-COMPAT-SCHEMA",
         "/components/schemas/BinnenlandsAdres/allOf/1/properties/postcode", True,
         "pattern"),
        ("LINT-COMPAT-SECURITY", "/paths/~1klanten/get", True, "scope `klanten.alles`"),
    ],
)
def test_difference_is_found_and_classified(changed, rule, pointer, breaking, text):
    found = changed[(rule, pointer)]
    assert text in found["message"]
    assert found["breaking"] is breaking
    assert found["level"] == "error"


def test_missing_operation_and_removed_property(reverse):
    op = reverse[("LINT-COMPAT-MISSING", "/paths")]
    assert "DELETE /klanten/{klant_uuid}/audit-trail" in op["message"] and op["breaking"]
    prop = reverse[("LINT-COMPAT-MISSING", KLANT)]
    assert "`voornaam`" in prop["message"] and "request and response" in prop["message"]


def test_narrowing_a_request_breaks_widening_it_does_not(changed, reverse):
    assert changed[("LINT-COMPAT-SCHEMA", "/paths/~1klanten/get/parameters/2/schema")][
        "breaking"] is False
    assert reverse[("LINT-COMPAT-SCHEMA", "/paths/~1klanten/get/parameters/1/schema")][
        "breaking"] is True


def test_error_responses_differ_with_a_warning(changed, reverse):
    extra = changed[("LINT-COMPAT-EXTRA", "/paths/~1klanten/get/responses/404")]
    assert (extra["level"], extra["breaking"]) == ("warning", False)
    missing = reverse[("LINT-COMPAT-MISSING", "/paths/~1klanten/get/responses")]
    assert missing["level"] == "warning"


def test_path_parameter_names_do_not_matter(changed):
    assert not [k for k in changed if "klant_uuid" in k[1] and "parameters" in k[1]]


def test_equivalent_spellings_are_not_differences(changed):
    # x-scopes read as scopes, other x- extensions ignored, Accept header ignored, the
    # discriminator mapping of base.yaml is explicit and equal
    messages = " ".join(f["message"] for f in changed.values())
    assert "x-vendor-note" not in messages and "Accept" not in messages
    assert not [k for k in changed if "Adres" in k[1] and "Binnenlands" not in k[1]]
    assert ("LINT-COMPAT-SECURITY", "/paths/~1klanten~1{klant_uuid}~1audit-trail/get") \
        not in changed


def test_nullable_enum_spelled_with_or_without_null_is_the_same(changed):
    # base lists null in the enum, compat-changed only says nullable: only the added value
    # is reported
    assert changed[("LINT-COMPAT-SCHEMA", f"{KLANT}/subjectType")]["message"].startswith(
        "enum values `niet_natuurlijk_persoon` added [")


def test_a_rename_is_one_finding_not_a_missing_and_an_extra(changed):
    messages = [f["message"] for f in changed.values()]
    assert not [m for m in messages if "`achternaamm` is not in the standard [" in m]
    assert not [m for m in messages if "`achternaam` of the standard is missing [" in m]
    assert not [k for k in changed if k[0] != "LINT-COMPAT-RENAMED" and "titel" in k[1]]


def test_names_of_another_type_do_not_pair(changed):
    # telefoonnummer (string) is gone and includeNullValues (boolean) came, in the same place
    assert ("LINT-COMPAT-MISSING", "/paths/~1klanten/get/parameters") in changed
    assert ("LINT-COMPAT-EXTRA", "/paths/~1klanten/get/parameters/3") in changed


def test_extensions_are_errors_without_being_excused(changed):
    extra = changed[("LINT-COMPAT-EXTRA", "/paths/~1klanten~1{klant_uuid}~1audit-trail/delete")]
    assert extra["level"] == "error"
    assert "extension (forbidden by the standard), not breaking for existing clients" in (
        extra["message"])
    assert "[not breaking for clients" not in extra["message"]
    required = changed[("LINT-COMPAT-EXTRA", f"{KLANT}/voornaam")]
    assert "extension (forbidden by the standard), breaking for clients" in required["message"]


def test_a_tolerated_difference_says_it_differs(changed):
    found = changed[("LINT-COMPAT-SCHEMA", "/paths/~1klanten/get/parameters/2/schema")]
    assert "differs from the standard, not breaking for existing clients" in found["message"]


ROOT = Path(__file__).resolve().parents[2]
DRAFT = ROOT.parent / "shared" / "specs" / "klanten-1.0.2-draft.yaml"


@pytest.mark.skipif(not DRAFT.is_file(), reason=f"the standard's 1.0.2 draft is absent: {DRAFT}")
def test_the_1_0_2_draft_renames_what_1_0_named_otherwise():
    ws = Workspace()
    found = lint(ws, ws.load(str(DRAFT)), ws.load(str(ROOT / "specs" / "klanten-1.0.yaml")))
    renamed = {f.pointer.rsplit("/", 1)[-1]: f.message for f in found
               if f.rule == "LINT-COMPAT-RENAMED" and "/properties/" in f.pointer}
    assert "`inpBsn` of the standard is missing" in renamed["burgerservicenummer"]
    assert "`innNnpId` of the standard is missing" in renamed["rsin"]
    missing = " ".join(f.message for f in found if f.rule == "LINT-COMPAT-MISSING")
    extra = " ".join(f.message for f in found if f.rule == "LINT-COMPAT-EXTRA")
    for old, new in (("inpBsn", "burgerservicenummer"), ("innNnpId", "rsin")):
        assert f"`{old}`" not in missing and f"`{new}`" not in extra
    # a real change is still reported as what it is: the address became another object
    assert "`verblijfsadres` of the standard is missing" in missing
