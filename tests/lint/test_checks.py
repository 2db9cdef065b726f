"""Each check fires on a fixture made to trigger it, and stays silent on base.yaml."""

from __future__ import annotations

import pytest

from klanten_conformance.lint import RULES

from .conftest import ids_at, lint_auto, run_lint, variant

SCHEMAS = "/components/schemas"


def test_base_fixture_is_silent_for_every_check():
    assert run_lint("base.yaml", against="base.yaml") == []


def test_json_documents_lint_like_yaml():
    assert run_lint("base.json", against="base.yaml") == []


@pytest.mark.parametrize(
    ("fixture", "rule", "pointer"),
    [
        # LINT-VALID
        ("invalid.yaml", "LINT-VALID", "/paths/~1dingen/get/responses/200"),
        ("invalid.yaml", "LINT-VALID",
         "/paths/~1dingen/post/responses/201/content/application~1json/schema/$ref"),
        ("invalid.yaml", "LINT-VALID", f"{SCHEMAS}/Ding/type"),
        ("semantic.yaml", "LINT-VALID", "/paths/~1dingen~1{uuid}/get"),
        # LINT-KEYWORD
        ("hygiene.yaml", "LINT-KEYWORD", f"{SCHEMAS}/Ding/properties/naam/patern"),
        ("hygiene.yaml", "LINT-KEYWORD", f"{SCHEMAS}/Ding/properties/nummer/maxLength"),
        ("hygiene.yaml", "LINT-KEYWORD", f"{SCHEMAS}/Ding/properties/vast/const"),
        ("hygiene.yaml", "LINT-KEYWORD", f"{SCHEMAS}/Ding/properties/soort/nullable"),
        ("oas31.yaml", "LINT-KEYWORD",
         "/paths/~1dingen/get/responses/200/content/application~1json/schema/properties/oud"
         "/nullable"),
        # hygiene
        ("hygiene.yaml", "LINT-REQUIRED-UNDEFINED", f"{SCHEMAS}/Ding/required"),
        ("hygiene.yaml", "LINT-NULLABLE-ENUM", f"{SCHEMAS}/Ding/properties/status/enum"),
        ("hygiene.yaml", "LINT-DUPLICATE-TITLE", f"{SCHEMAS}/Soort/title"),
        ("hygiene.yaml", "LINT-UNUSED-COMPONENT", "/components/responses/Unused"),
        ("hygiene.yaml", "LINT-UNUSED-COMPONENT", f"{SCHEMAS}/Zoek"),
        ("hygiene.yaml", "LINT-SECURITY-SCOPES", "/paths/~1dingen/post/security/0/jwt"),
        ("hygiene.yaml", "LINT-IGNORED-HEADER", "/paths/~1dingen/post/parameters/0"),
        ("hygiene.yaml", "LINT-DISCRIMINATOR", f"{SCHEMAS}/Vorm/discriminator/propertyName"),
        ("hygiene.yaml", "LINT-DISCRIMINATOR", f"{SCHEMAS}/Vorm/discriminator/mapping/vierkant"),
        ("hygiene.yaml", "LINT-DISCRIMINATOR", f"{SCHEMAS}/Vorm/discriminator/mapping/ovaal"),
        ("hygiene.yaml", "LINT-DISCRIMINATOR", f"{SCHEMAS}/Vorm/discriminator"),
        ("hygiene.yaml", "LINT-DISCRIMINATOR", f"{SCHEMAS}/Zoek/discriminator/propertyName"),
        # ADR
        ("adr.yaml", "LINT-ADR-VERSION-IN-URL", "/servers/0/url"),
        ("adr.yaml", "LINT-ADR-VERSION-IN-URL", "/servers/1/url"),
        ("adr.yaml", "LINT-ADR-VERSION-IN-URL", "/servers/2/url"),
        ("adr.yaml", "LINT-ADR-NO-TRAILING-SLASH", "/servers/0/url"),
        ("adr.yaml", "LINT-ADR-NO-TRAILING-SLASH", "/paths/~1Dingen~1"),
        ("adr.yaml", "LINT-ADR-API-VERSION-HEADER", "/paths/~1Dingen~1/get/responses/200"),
        ("adr.yaml", "LINT-ADR-PROBLEM-JSON", "/paths/~1Dingen~1/get/responses/404"),
        ("adr.yaml", "LINT-ADR-PROBLEM-JSON", "/paths/~1dingen~1{id}/put/responses/500"),
        ("adr.yaml", "LINT-ADR-SECURITY", "/paths/~1dingen~1{id}/get"),
        ("adr.yaml", "LINT-ADR-SECURITY", "/paths/~1dingen~1{id}/delete/security/0"),
        ("adr.yaml", "LINT-ADR-SECURITY", "/paths/~1dingen~1{id}/delete/security/1/onbekend"),
        ("adr.yaml", "LINT-ADR-SECURITY", "/components/securitySchemes/basic"),
        ("adr.yaml", "LINT-ADR-OPERATION-ID", "/paths/~1Dingen~1/get"),
        ("adr.yaml", "LINT-ADR-OPERATION-ID", "/paths/~1dingen~1{id}/delete/operationId"),
        ("adr.yaml", "LINT-ADR-OPERATION-ID", "/paths/~1dingen~1{id}/put/operationId"),
        ("adr.yaml", "LINT-ADR-SEMVER", "/info/version"),
        ("adr.yaml", "LINT-ADR-KEBAB-CASE", "/paths/~1Dingen~1"),
    ],
)
def test_check_fires(fixture, rule, pointer):
    assert pointer in ids_at(run_lint(fixture), rule)


def test_every_rule_has_a_firing_case(tmp_path):
    fixtures = ["invalid.yaml", "semantic.yaml", "hygiene.yaml", "adr.yaml", "oas31.yaml",
                "patterns.yaml", "reviewer.yaml", "readonly31.yaml"]
    fired = {f["rule"] for name in fixtures for f in run_lint(name)}
    fired |= {f["rule"] for f in run_lint("compat-changed.yaml", against="base.yaml")}

    def as_the_standard_in_a_patch_release(doc):
        del doc["components"]["schemas"]["Wijzigingen"]["properties"]["oud"]["nullable"]
        del doc["components"]["schemas"]["Klant"]["properties"]["bronorganisatie"]
        doc["info"]["version"] = "1.0.1"

    fired |= {f["rule"] for f in lint_auto(variant(tmp_path, as_the_standard_in_a_patch_release))}
    assert fired == set(RULES)


def test_findings_carry_line_and_level():
    found = run_lint("hygiene.yaml")
    patern = next(f for f in found if f["pointer"].endswith("/patern"))
    assert (patern["line"], patern["column"]) == (54, 11)
    assert patern["level"] == "error"  # unknown keywords make an OpenAPI 3.0 document invalid
    assert "did you mean `pattern`" in patern["message"]
    integer = next(f for f in found if f["pointer"].endswith("/nummer/maxLength"))
    assert integer["level"] == "warning"


def test_valid_does_not_repeat_what_keyword_names():
    found = run_lint("hygiene.yaml")
    assert not ids_at(found, "LINT-VALID") - {f"{SCHEMAS}/Ding/properties/vast"}
    assert f"{SCHEMAS}/Ding/properties/vast" not in ids_at(found, "LINT-VALID")


def test_oas31_accepts_its_own_keywords():
    found = run_lint("oas31.yaml")
    assert [f["rule"] for f in found] == ["LINT-KEYWORD"]  # only `nullable`
    assert not ids_at(found, "LINT-SECURITY-SCOPES")  # 3.1 allows roles on any scheme


def test_discriminator_mapping_that_does_not_resolve_is_an_error():
    found = run_lint("hygiene.yaml")
    levels = {f["pointer"]: f["level"] for f in found if f["rule"] == "LINT-DISCRIMINATOR"}
    assert levels[f"{SCHEMAS}/Vorm/discriminator/mapping/ovaal"] == "error"
    assert levels[f"{SCHEMAS}/Vorm/discriminator/mapping/vierkant"] == "warning"


def test_discriminator_children_count_as_used():
    found = run_lint("hygiene.yaml")
    assert f"{SCHEMAS}/Rond" not in ids_at(found, "LINT-UNUSED-COMPONENT")


def test_required_defined_in_an_allof_sibling_is_defined():
    # base.yaml: BinnenlandsAdres requires `postcode` in one allOf part, `type` comes from Adres
    assert not ids_at(run_lint("base.yaml"), "LINT-REQUIRED-UNDEFINED")


def test_cross_file_ref_is_followed_and_findings_name_the_file():
    found = run_lint("crossfile/main.yaml")
    assert [(f["rule"], f["line"]) for f in found] == [("LINT-KEYWORD", 6)]
    assert found[0]["file"].endswith("crossfile/schemas/klant.yaml")
    assert found[0]["pointer"] == "/Klant/properties/naam/maxLenght"


def test_cross_file_ref_to_a_missing_file_is_invalid():
    found = run_lint("crossfile/broken.yaml")
    assert [f["rule"] for f in found] == ["LINT-VALID"]
    assert "bestaat-niet.yaml" in found[0]["message"]
