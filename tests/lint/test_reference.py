"""Without --against a document is compared with our reference for the standard and version
it declares, through the reference's recorded deviations; breaking changes need a new major
version."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from klanten_conformance.lint import Workspace, lint
from klanten_conformance.lint import reference as ref

from .conftest import FIXTURES, OUR_KLANTEN, lint_auto, variant

ROOT = Path(__file__).resolve().parents[2]
OURS = OUR_KLANTEN
STANDARD = ROOT.parent / "shared" / "specs"
WIJZIGINGEN = "/components/schemas/Wijzigingen/properties"


def rules(found: list[dict], prefix: str) -> list[dict]:
    return [f for f in found if f["rule"].startswith(prefix)]


def _variant(tmp_path: Path, change) -> Path:
    return variant(tmp_path, change)


def test_our_reference_has_no_compatibility_finding():
    assert rules(lint_auto(OURS), "LINT-COMPAT") == []


def test_a_document_that_follows_the_standard_where_we_deviate_is_compatible(tmp_path):
    def as_the_standard(doc):  # undo D1: `oud` not nullable, as the standard has it
        del doc["components"]["schemas"]["Wijzigingen"]["properties"]["oud"]["nullable"]

    found = lint_auto(_variant(tmp_path, as_the_standard))
    assert [f for f in found if f["level"] == "error"] == []
    [shown] = rules(found, "LINT-COMPAT")
    assert (shown["rule"], shown["level"], shown["pointer"]) == (
        "LINT-COMPAT-DEVIATION", "info", f"{WIJZIGINGEN}/oud")
    assert shown["message"].startswith("D1 audit trail old body may be null: the standard says")
    assert "Why: `oud` is null for a `create` entry" in shown["message"]


def test_another_difference_at_a_deviation_is_still_reported(tmp_path):
    def as_the_standard_and_more(doc):
        oud = doc["components"]["schemas"]["Wijzigingen"]["properties"]["oud"]
        del oud["nullable"]
        oud["type"] = "string"

    found = lint_auto(_variant(tmp_path, as_the_standard_and_more))
    [schema] = [f for f in found if f["rule"] == "LINT-COMPAT-SCHEMA"]
    assert schema["pointer"] == f"{WIJZIGINGEN}/oud"
    assert "type object → string" in schema["message"]
    assert "nullable" not in schema["message"]
    assert [f["pointer"] for f in rules(found, "LINT-COMPAT-DEVIATION")] == [f"{WIJZIGINGEN}/oud"]


def test_a_document_of_an_unknown_standard_is_not_compared(tmp_path):
    found = lint_auto(FIXTURES / "base.yaml")  # "Mini Klanten"
    [note] = rules(found, "LINT-COMPAT")
    assert note["rule"] == "LINT-COMPAT-REFERENCE" and note["pointer"] == "/info/title"
    assert "no reference for 'Mini Klanten'" in note["message"]
    assert "Klanten API 1.0.0" in note["message"]


def test_the_title_matches_without_case_or_a_trailing_api(tmp_path):
    def retitled(doc):
        doc["info"]["title"] = "klanten"

    found = lint_auto(_variant(tmp_path, retitled))
    assert rules(found, "LINT-COMPAT") == []


def test_a_version_without_reference_is_compared_with_the_nearest(tmp_path):
    def patched(doc):
        doc["info"]["version"] = "1.0.3"

    found = lint_auto(_variant(tmp_path, patched))
    [note] = rules(found, "LINT-COMPAT")
    assert note["rule"] == "LINT-COMPAT-REFERENCE" and note["pointer"] == "/info/version"
    assert "no reference for Klanten API 1.0.3; compared with the nearest, Klanten API " \
        "1.0.0" in note["message"]


@pytest.mark.parametrize(
    ("wanted", "have", "nearest"),
    [
        ("1.0.2", ["1.0.0", "1.1.0", "2.0.0"], "1.0.0"),
        ("1.2.0", ["1.0.0", "1.1.5", "2.0.0"], "1.1.5"),
        ("2.1.0", ["1.0.0", "2.0.0"], "2.0.0"),
        ("1.0.1", ["1.0.0", "1.0.2"], "1.0.2"),  # a tie goes to the later version
        ("garbage", ["1.0.0", "0.9.0"], "1.0.0"),
    ],
)
def test_nearest_version(wanted, have, nearest):
    key = ref.version_tuple(wanted)
    assert min(have, key=lambda v: ref._distance(key, ref.version_tuple(v))) == nearest


@pytest.mark.skipif(not (STANDARD / "klanten-1.0.0.yaml").is_file(),
                    reason=f"the standard's documents are absent: {STANDARD}")
def test_the_standards_1_0_0_is_compatible_with_itself():
    found = lint_auto(STANDARD / "klanten-1.0.0.yaml")
    compat = rules(found, "LINT-COMPAT")
    assert [f for f in compat if f["level"] != "info"] == []
    listed = sorted(f["message"].split()[0] for f in compat if f["rule"] ==
                    "LINT-COMPAT-DEVIATION")
    assert listed == ["D1", "D2", "D5"]
    scopes = [f for f in found if f["rule"] == "LINT-SECURITY-SCOPES"]
    assert scopes and all("reference deviates here: D6" in f["message"] for f in scopes)


@pytest.mark.skipif(not (STANDARD / "klanten-1.0.2-draft.yaml").is_file(),
                    reason=f"the standard's documents are absent: {STANDARD}")
def test_the_1_0_2_draft_is_compared_with_1_0_and_breaks_it_in_a_patch_release():
    found = lint_auto(STANDARD / "klanten-1.0.2-draft.yaml")
    [note] = [f for f in found if f["rule"] == "LINT-COMPAT-REFERENCE"]
    assert "compared with the nearest, Klanten API 1.0.0" in note["message"]
    [version] = [f for f in found if f["rule"] == "LINT-COMPAT-VERSION"]
    assert "moves only its patch number (1.0.0 → 1.0.2)" in version["message"]
    assert version["level"] == "error"


@pytest.mark.parametrize(
    ("version", "fires"),
    [("1.0.1", True), ("1.1.0", True), ("2.0.0", False), ("1.0.0", False)],
)
def test_breaking_changes_need_a_new_major_version(tmp_path, version, fires):
    doc = yaml.safe_load((FIXTURES / "compat-changed.yaml").read_text(encoding="utf-8"))
    doc["info"]["version"] = version
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    ws = Workspace()
    found = lint(ws, ws.load(str(path)), ws.load(str(FIXTURES / "base.yaml")))
    hits = [f for f in found if f.rule == "LINT-COMPAT-VERSION"]
    assert bool(hits) is fires
    if fires:
        assert hits[0].pointer == "/info/version"
        assert ("minor" if version == "1.1.0" else "patch") in hits[0].message


def test_a_compatible_new_version_is_fine(tmp_path):
    doc = yaml.safe_load((FIXTURES / "base.yaml").read_text(encoding="utf-8"))
    doc["info"]["version"] = "1.1.0"
    path = tmp_path / "newer.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    ws = Workspace()
    found = lint(ws, ws.load(str(path)), ws.load(str(FIXTURES / "base.yaml")))
    assert not [f for f in found if f.rule.startswith("LINT-COMPAT")]


def test_initial_development_versions_may_break(tmp_path):
    ws = Workspace()
    base = yaml.safe_load((FIXTURES / "base.yaml").read_text(encoding="utf-8"))
    changed = yaml.safe_load((FIXTURES / "compat-changed.yaml").read_text(encoding="utf-8"))
    base["info"]["version"], changed["info"]["version"] = "0.9.0", "0.9.1"
    for name, doc in (("base.yaml", base), ("changed.yaml", changed)):
        (tmp_path / name).write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    found = lint(ws, ws.load(str(tmp_path / "changed.yaml")), ws.load(str(tmp_path / "base.yaml")))
    assert any(f.breaking for f in found)
    assert not [f for f in found if f.rule == "LINT-COMPAT-VERSION"]


def test_findings_where_the_reference_deviates_say_so_and_differences_do_not(tmp_path):
    def as_the_standard_without_adres(doc):
        klant = doc["components"]["schemas"]["Klant"]["properties"]
        klant["subjectType"]["enum"].remove(None)  # undo D3: the enum without null
        del klant["adres"]

    found = lint_auto(_variant(tmp_path, as_the_standard_without_adres))
    [enum] = [f for f in found if f["rule"] == "LINT-NULLABLE-ENUM"]
    assert enum["message"].endswith("(this project's reference deviates here: D3, nullable "
                                    "enum lists null)")
    [missing] = [f for f in found if f["rule"] == "LINT-COMPAT-MISSING"]
    assert "`adres`" in missing["message"] and "deviates here" not in missing["message"]


def test_each_difference_is_put_down_to_the_deviation_that_explains_it(tmp_path):
    """Two deviations change the same responses (one through a `*` path): a difference is
    shown with the one whose effect removes it."""
    from klanten_conformance import deviations

    (tmp_path / "deviations").mkdir()
    base = yaml.safe_load((FIXTURES / "base.yaml").read_text(encoding="utf-8"))
    fout = {"$ref": "#/components/responses/Fout"}
    (tmp_path / "deviations" / "ref.yaml").write_text(yaml.safe_dump({
        "document": "ref.yaml",
        "standard": {"file": "base.yaml", "title": "Mini Klanten", "version": "1.0.0"},
        "deviations": [
            {"id": "D1", "title": "401 everywhere", "standard_says": "no 401",
             "we_say": "401", "why": "tokens are checked",
             "changes": [{"op": "add", "path": "/paths/*/*/responses/401", "value": fout}]},
            {"id": "D2", "title": "404 on the list", "standard_says": "no 404",
             "we_say": "404", "why": "pages run out",
             "changes": [{"op": "add", "path": "/paths/~1klanten/get/responses/404",
                          "value": fout}]},
        ]}), encoding="utf-8")
    devset = deviations.load(tmp_path / "deviations" / "ref.yaml")
    (tmp_path / "ref.yaml").write_text(yaml.safe_dump(deviations.apply(base, devset)),
                                       encoding="utf-8")
    ws = Workspace()
    reference = ref.Reference(ws.load(str(tmp_path / "ref.yaml")), devset, "Mini Klanten 1.0.0")
    found = [f.as_dict() for f in lint(ws, ws.load(str(FIXTURES / "base.yaml")), reference)]
    shown = {f["message"].split()[0]: f for f in rules(found, "LINT-COMPAT")}
    assert set(shown) == {"D1", "D2"}
    assert all(f["rule"] == "LINT-COMPAT-DEVIATION" for f in shown.values())
    assert "(response 404 of the standard is missing):" in shown["D2"]["message"]
    assert "(response 401 of the standard is missing) (and 2 more places)" in (
        shown["D1"]["message"])


@pytest.mark.skipif(not (STANDARD / "klantinteracties-0.9.0.yaml").is_file() or not (
    ROOT / "specs" / "klantinteracties-0.9.yaml").is_file(),
    reason="the standard's Klantinteracties document or ours is absent")
def test_the_standards_klantinteracties_0_9_0_is_compatible_with_itself():
    found = lint_auto(STANDARD / "klantinteracties-0.9.0.yaml")
    compat = rules(found, "LINT-COMPAT")
    assert [f for f in compat if f["level"] != "info"] == []
    assert {f["message"].split()[0] for f in compat} >= {"D1", "D3", "D4", "D5", "D6"}
