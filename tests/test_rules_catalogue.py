"""The rule catalogue (specs/rules.yaml) is complete, consistent and strictly validated."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml

from klanten_conformance.rules import (
    DEFAULT_PATH,
    CatalogueError,
    Rule,
    load_catalogue,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
RULES_MD = SHARED / "RULES.md"
#: the catalogue of the Klantinteracties API (its tables also hold a mapping: rows of KI-* only)
RULES_KI_MD = SHARED / "RULES-klantinteracties.md"

_ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*(.+?)\s*\|\s*$")


def _rules_md_rows() -> list[tuple[str, str, str]]:
    """(id, level, check) for every row of the rule tables in RULES.md."""
    if not RULES_MD.is_file():
        pytest.skip(f"{RULES_MD} is absent: cannot compare the catalogue with RULES.md")
    rows = []
    for line in RULES_MD.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if not match:
            continue
        rule_id, level, check = match.groups()
        if rule_id == "id" or set(rule_id) <= {"-"}:
            continue
        rows.append((rule_id, level, check))
    if RULES_KI_MD.is_file():
        for line in RULES_KI_MD.read_text(encoding="utf-8").splitlines():
            match = _ROW.match(line)
            if match and match.group(1).startswith("KI-"):
                rows.append(match.groups())
    return rows


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_real_catalogue_loads(catalogue) -> None:
    assert catalogue.rules
    assert catalogue.classes
    assert all(isinstance(rule, Rule) for rule in catalogue.rules.values())


def test_default_load_is_cached() -> None:
    assert load_catalogue() is load_catalogue()


def test_every_rules_md_id_is_in_the_catalogue(catalogue) -> None:
    expected = [rule_id for rule_id, _, _ in _rules_md_rows()]
    assert expected, "no rule rows parsed from RULES.md"
    missing = []
    for rule_id in expected:
        if rule_id.endswith("*"):
            prefix = rule_id[:-1]
            if not any(known.startswith(prefix) for known in catalogue.rules):
                missing.append(rule_id)
        elif rule_id not in catalogue.rules:
            missing.append(rule_id)
    assert not missing, f"rules of RULES.md missing from rules.yaml: {missing}"


#: rules the project added to those of RULES.md, where the sources hold more than it lists
ADDED_RULES = {
    "OAS-09": "sub-resources belong to their parent (the audit trail of a klant)",
    "OAS-10": "a resource that does not exist (an unknown or malformed id) is 404",
    "CM-OAS-MEDIA": "the problem+json media type of CM-OAS, a SHOULD as OAS-04 is",
    "CM-CACHE-01": "ETag of the three resources (contactmomenten-specificatie-gedrag.md)",
    "CM-CACHE-02": "HEAD of the three resources (contactmomenten-specificatie-gedrag.md)",
    "CM-CACHE-03": "If-None-Match on the three resources (contactmomenten-specificatie-gedrag.md)",
    "CM-AUDIT-01": "the audit trail of a contactmoment (contactmomenten-1.0.0.yaml)",
    "CM-LIFE-01": "create/read/delete of the three resources (contactmomenten-1.0.0.yaml)",
    "CM-LIFE-02": "PUT replaces, PATCH merges a contactmoment (contactmomenten-1.0.0.yaml)",
    "CM-FILTER-01": "the query filters of the three lists (contactmomenten-1.0.0.yaml)",
    "CM-NOTIF-01": "the kanaal contactmomenten (contactmomenten-notificaties.md)",
    "KI-MIG-01": "issue 15: the migration view, aangehaakte klanten (the mapping of "
    "RULES-klantinteracties.md)",
    "KI-MIG-02": "issue 15: the migration view, zelfstandige klanten",
}


def test_catalogue_has_no_rule_beyond_rules_md(catalogue) -> None:
    rows = _rules_md_rows()
    exact = {rule_id for rule_id, _, _ in rows if not rule_id.endswith("*")}
    prefixes = tuple(rule_id[:-1] for rule_id, _, _ in rows if rule_id.endswith("*"))
    extra = [
        rid
        for rid in catalogue.rules
        if rid not in exact
        and not rid.startswith(prefixes)
        and catalogue.rules[rid].rule_class != "lint"  # the linter may add its own checks
        and rid not in ADDED_RULES
    ]
    assert not extra, f"rules.yaml has ids RULES.md does not know: {extra}"


def test_every_linter_check_is_in_the_catalogue(catalogue) -> None:
    from klanten_conformance.lint.findings import RULES as LINTER_RULES

    lint_rules = {rid for rid, rule in catalogue.rules.items() if rule.rule_class == "lint"}
    assert lint_rules == set(LINTER_RULES)
    for rule_id, rule in LINTER_RULES.items():
        assert catalogue.rules[rule_id].level == rule.level, rule_id


def test_catalogue_keeps_rules_md_order(catalogue) -> None:
    def position(rule_id: str, rows: list[str]) -> int:
        for index, row_id in enumerate(rows):
            if rule_id == row_id or (row_id.endswith("*") and rule_id.startswith(row_id[:-1])):
                return index
        raise AssertionError(f"{rule_id} not in RULES.md")

    rows = [rule_id for rule_id, _, _ in _rules_md_rows()]
    known = [
        rid
        for rid in catalogue.rules
        if any(rid == row or (row.endswith("*") and rid.startswith(row[:-1])) for row in rows)
    ]
    positions = [position(rule_id, rows) for rule_id in known]
    assert positions == sorted(positions)


def test_levels_match_rules_md(catalogue) -> None:
    for rule_id, level, _ in _rules_md_rows():
        matching = [
            rule
            for rid, rule in catalogue.rules.items()
            if rid == rule_id or (rule_id.endswith("*") and rid.startswith(rule_id[:-1]))
        ]
        for rule in matching:
            assert rule.level == level, f"{rule.id}: level {rule.level}, RULES.md says {level}"


def test_rule_ids_are_unique_in_the_files() -> None:
    index = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    ids = []
    for part in index["include"]:
        data = yaml.safe_load((DEFAULT_PATH.parent / part).read_text(encoding="utf-8"))
        ids += [rule["id"] for rule in data["rules"]]
    duplicates = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
    assert not duplicates


def test_every_referenced_class_exists(catalogue) -> None:
    for rule in catalogue.rules.values():
        assert rule.rule_class in catalogue.classes, rule.id


def test_every_class_has_rules(catalogue) -> None:
    for class_id in catalogue.classes:
        assert catalogue.by_class(class_id), f"class {class_id} has no rules"


def test_optional_classes(catalogue) -> None:
    optional = {cid for cid, rule_class in catalogue.classes.items() if rule_class.optional}
    assert optional == {"authenticatie", "notificaties", "ki-migratie"}


def test_statements_are_own_words(catalogue) -> None:
    checks = {rule_id: check for rule_id, _, check in _rules_md_rows()}
    for rule in catalogue.rules.values():
        assert rule.statement.strip(), rule.id
        assert rule.check.strip(), rule.id
        cell = checks.get(rule.id)
        if cell is not None:
            assert _normalise(rule.statement) != _normalise(cell), (
                f"{rule.id}: statement copies the RULES.md check cell"
            )


def test_source_documents_exist(catalogue) -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent")
    known = {p.name for folder in ("standard", "specs") for p in (SHARED / folder).glob("*")}
    known.update({RULES_MD.name, RULES_KI_MD.name})
    for rule in catalogue.rules.values():
        assert rule.source_document in known, f"{rule.id}: {rule.source_document}"


def test_not_tested_reasons(catalogue) -> None:
    for rule in catalogue.rules.values():
        if rule.rule_class == "lint":
            assert rule.not_tested_reason, rule.id
        else:
            assert rule.not_tested_reason is None, rule.id


def test_lint_adr_rules_are_expanded(catalogue) -> None:
    adr = {rid for rid in catalogue.rules if rid.startswith("LINT-ADR-")}
    assert adr >= {
        "LINT-ADR-VERSION-IN-URL",
        "LINT-ADR-NO-TRAILING-SLASH",
        "LINT-ADR-API-VERSION-HEADER",
        "LINT-ADR-PROBLEM-JSON",
        "LINT-ADR-SECURITY",
        "LINT-ADR-OPERATION-ID",
    }
    assert all(catalogue.rules[rid].api == "none" for rid in adr)


def test_get_and_close_matches(catalogue) -> None:
    assert catalogue.get("KLOK01-C1b").rule_class == "klok01"
    with pytest.raises(KeyError, match="KLOK01-C1"):
        catalogue.get("KLOK01.C1")


def test_by_class_unknown(catalogue) -> None:
    with pytest.raises(KeyError, match="unknown conformance class"):
        catalogue.by_class("nope")


def test_select(catalogue) -> None:
    should = catalogue.select(classes=["klok01"], levels=["SHOULD"])
    assert [rule.id for rule in should] == ["KLOK01-Z3"]
    assert all(rule.api == "contactmomenten" for rule in catalogue.select(api="contactmomenten"))
    assert catalogue.select() == list(catalogue.rules.values())
    with pytest.raises(KeyError):
        catalogue.select(classes=["nope"])


# --- loader errors --------------------------------------------------------------------------

VALID = """\
version: 2
classes:
  - id: gedrag
    title: Gedrag
    api: klanten
    description: Run-time behaviour.
    optional: false
  - id: lint
    title: Lint
    api: lint
    description: Lint.
    optional: false
rules:
  - id: kla-001a
    class: gedrag
    api: klanten
    level: MUST
    source:
      document: klanten-specificatie-gedrag.md
      section: kla-001
    statement: A fresh pair is accepted.
    check: POST, expect 201.
  - id: LINT-VALID
    class: lint
    api: none
    level: error
    source:
      document: klanten-1.0.0.yaml
      section: whole document
    statement: Valid OpenAPI.
    check: Validate.
    not_tested_reason: Checked by lint.
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_minimal_valid_file_loads(tmp_path: Path) -> None:
    catalogue = load_catalogue(_write(tmp_path, VALID))
    assert list(catalogue.rules) == ["kla-001a", "LINT-VALID"]
    assert catalogue.rules["LINT-VALID"].not_tested_reason == "Checked by lint."
    assert catalogue.rules["kla-001a"].source_section == "kla-001"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "    check: POST, expect 201.\n",
            "    check: POST, expect 201.\n    owner: me\n",
            r"'kla-001a'.*unknown key\(s\) owner",
            id="unknown-rule-key",
        ),
        pytest.param(
            "    check: POST, expect 201.\n",
            "",
            r"'kla-001a'.*missing key\(s\) check",
            id="missing-rule-key",
        ),
        pytest.param(
            "  - id: LINT-VALID\n",
            "  - id: kla-001a\n",
            r"'kla-001a'.*duplicate rule id",
            id="duplicate-id",
        ),
        pytest.param(
            "    class: gedrag\n",
            "    class: gedrg\n",
            r"'kla-001a'.*unknown class 'gedrg'",
            id="unknown-class",
        ),
        pytest.param(
            "    level: MUST\n",
            "    level: MAY\n",
            r"'kla-001a'.*level 'MAY'",
            id="bad-level",
        ),
        pytest.param(
            "    level: MUST\n",
            "    level: error\n",
            r"'kla-001a'.*level 'error'",
            id="lint-level-on-run-time-rule",
        ),
        pytest.param(
            "    level: error\n",
            "    level: MUST\n",
            r"'LINT-VALID'.*level 'MUST'",
            id="run-time-level-on-lint-rule",
        ),
        pytest.param(
            "    api: none\n",
            "    api: klanten\n",
            r"'LINT-VALID'.*api 'klanten' does not match",
            id="api-mismatch",
        ),
        pytest.param(
            "      section: kla-001\n",
            "      section: kla-001\n      page: 3\n",
            r"'kla-001a'.*source.*unknown key\(s\) page",
            id="unknown-source-key",
        ),
        pytest.param(
            "      section: kla-001\n",
            "",
            r"'kla-001a'.*source.*missing key\(s\) section",
            id="missing-source-key",
        ),
        pytest.param(
            "    statement: A fresh pair is accepted.\n",
            "    statement: ''\n",
            r"'kla-001a'.*'statement' must be a non-empty string",
            id="empty-statement",
        ),
        pytest.param(
            "    optional: false\n  - id: lint\n",
            "    optional: maybe\n  - id: lint\n",
            r"class 'gedrag'.*'optional' must be true or false",
            id="bad-optional",
        ),
        pytest.param(
            "    description: Lint.\n",
            "    description: Lint.\n    colour: red\n",
            r"class 'lint'.*unknown key\(s\) colour",
            id="unknown-class-key",
        ),
        pytest.param(
            "version: 2\n",
            "version: 1\n",
            r"unsupported version 1",
            id="bad-version",
        ),
        pytest.param(
            "version: 2\n",
            "version: 2\nauthor: me\n",
            r"unknown key\(s\) author",
            id="unknown-top-key",
        ),
    ],
)
def test_loader_rejects_malformed_files(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in VALID
    path = _write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(path)


def test_loader_rejects_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="not valid YAML"):
        load_catalogue(_write(tmp_path, "rules: [\n"))


def test_loader_rejects_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue(tmp_path / "absent.yaml")


def _normalise(text: str) -> str:
    return " ".join(text.replace("`", "").lower().split())


# --- profiles and parts -----------------------------------------------------------------------

PROFILES = """\
profiles:
  - id: klanten-1.0
    title: Klanten
    description: The Klanten API.
    apis:
      klanten: 1.0.0
default_profile: klanten-1.0
"""


def test_profiles_and_applicability(tmp_path: Path) -> None:
    catalogue = load_catalogue(_write(tmp_path, VALID + PROFILES))
    assert catalogue.default_profile == "klanten-1.0"
    assert catalogue.profile("klanten-1.0").apis == {"klanten": "1.0.0"}
    assert catalogue.applies(catalogue.rules["kla-001a"], "klanten-1.0")
    assert not catalogue.applies(catalogue.rules["LINT-VALID"], "klanten-1.0")
    with pytest.raises(KeyError, match="did you mean klanten-1.0"):
        catalogue.profile("klanten-1.1")


def test_a_rule_may_name_its_own_profiles(tmp_path: Path) -> None:
    text = (VALID + PROFILES).replace(
        "    check: POST, expect 201.\n", "    check: POST, expect 201.\n    profiles: [other]\n"
    )
    with pytest.raises(CatalogueError, match="unknown profile"):
        load_catalogue(_write(tmp_path, text))


def test_parts_are_included(tmp_path: Path) -> None:
    head, rules = VALID.split("rules:\n", 1)
    (tmp_path / "part.yaml").write_text("rules:\n" + rules, encoding="utf-8")
    index = _write(tmp_path, head + "include: [part.yaml]\n")
    assert list(load_catalogue(index).rules) == ["kla-001a", "LINT-VALID"]
    (tmp_path / "part.yaml").write_text("version: 2\n" + "rules:\n" + rules, encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"part.yaml.*unknown key\(s\) version"):
        load_catalogue(index)


def test_unknown_tag_is_refused(tmp_path: Path) -> None:
    text = VALID.replace(
        "    check: POST, expect 201.\n", "    check: POST, expect 201.\n    tags: [fast]\n"
    )
    with pytest.raises(CatalogueError, match="'tags'"):
        load_catalogue(_write(tmp_path, text))


def test_every_rule_of_a_profile_api_applies_to_it(catalogue) -> None:
    profile = catalogue.profile(catalogue.default_profile)
    for rule in catalogue.rules.values():
        assert catalogue.applies(rule, profile.id) == (rule.api in profile.apis), rule.id
