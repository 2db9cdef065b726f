"""klanten_conformance.deviations: reading deviations files, finding and applying changes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from klanten_conformance import deviations as dv

REPO = Path(__file__).resolve().parents[1]

DOC: dict[str, Any] = {
    "paths": {
        "/a": {
            "parameters": [],
            "get": {"security": [{"S": ["x.lezen"]}], "responses": {"200": {}}},
            "post": {"security": [{"S": ["x.aanmaken"]}], "responses": {"201": {}}},
        },
        "/b": {"get": {"responses": {"200": {}}}},
    },
    "components": {"schemas": {"K": {"properties": {"t": {"enum": ["a", "b"]}}}}},
}


def write_set(tmp_path: Path, deviations: list[dict[str, Any]], **top: Any) -> Path:
    folder = tmp_path / "deviations"
    folder.mkdir(exist_ok=True)
    raw = {
        "document": "ours.yaml",
        "standard": {"file": "theirs.yaml", "title": "T API", "version": "1.0.0"},
        "deviations": deviations,
        **top,
    }
    path = folder / "ours.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def deviation(*changes: dict[str, Any], id: str = "D1") -> dict[str, Any]:
    return {
        "id": id,
        "title": "t",
        "changes": list(changes),
        "standard_says": "s",
        "we_say": "w",
        "why": "y",
    }


def one_set(tmp_path: Path, *changes: dict[str, Any]) -> dv.DeviationSet:
    return dv.load(write_set(tmp_path, [deviation(*changes)]))


# -- the project's own files ------------------------------------------------------------------


def test_load_all_reads_every_file_in_specs_deviations() -> None:
    sets = dv.load_all()
    assert {s.source.name for s in sets} == {p.name for p in dv.DEVIATIONS_DIR.glob("*.yaml")}
    for s in sets:
        assert s.document.is_absolute()
        assert s.document.is_file(), s.document
        assert s.document.parent == REPO / "specs"
        assert s.source.stem == s.document.stem


def test_klanten_set_names_the_standard_document() -> None:
    s = dv.for_document(REPO / "specs" / "klanten-1.0.yaml")
    assert s is not None
    assert (s.standard.file, s.standard.title, s.standard.version) == (
        "klanten-1.0.0.yaml",
        "Klanten API",
        "1.0.0",
    )
    assert s.ids[:6] == ["D1", "D2", "D3", "D4", "D5", "D6"]


def test_for_document_by_bare_name_and_unknown() -> None:
    assert dv.for_document("klanten-1.0.yaml").document.name == "klanten-1.0.yaml"
    assert dv.for_document("no-such-api.yaml") is None


# -- covering ---------------------------------------------------------------------------------


def test_covering_exact_inside_wildcard_and_append(tmp_path: Path) -> None:
    s = dv.load(
        write_set(
            tmp_path,
            [
                deviation({"op": "replace", "path": "/paths/*/*/security", "value": []}, id="D1"),
                deviation(
                    {"op": "add", "path": "/components/schemas/K/properties/t/enum/-", "value": 1},
                    id="D2",
                ),
            ],
        )
    )
    assert s.covering("/paths/~1a/get/security").id == "D1"
    assert s.covering("/paths/~1b/post/security/0/S").id == "D1"
    assert s.covering("/components/schemas/K/properties/t/enum/2").id == "D2"
    assert s.covering("/paths/~1a/get/responses") is None
    assert s.covering("/components/schemas/K/properties/t") is None  # an ancestor: not covered
    assert s.touching("/components/schemas/K/properties/t").id == "D2"
    assert s.touching("/components/schemas/K/properties/u") is None


# -- apply ------------------------------------------------------------------------------------


def test_apply_returns_a_changed_copy_and_leaves_the_input_alone(tmp_path: Path) -> None:
    before = copy.deepcopy(DOC)
    s = one_set(
        tmp_path,
        {"op": "add", "path": "/components/schemas/K/properties/t/enum/-", "value": None},
        {"op": "add", "path": "/components/schemas/K/properties/t/enum/0", "value": "z"},
        {"op": "add", "path": "/components/schemas/K/nullable", "value": True},
        {"op": "replace", "path": "/paths/~1a/get/responses/200", "value": {"x": 1}},
        {"op": "remove", "path": "/paths/~1b/get/responses/200"},
    )
    out = dv.apply(DOC, s)
    assert before == DOC
    k = out["components"]["schemas"]["K"]
    assert k["properties"]["t"]["enum"] == ["z", "a", "b", None]
    assert k["nullable"] is True
    assert out["paths"]["/a"]["get"]["responses"]["200"] == {"x": 1}
    assert out["paths"]["/b"]["get"]["responses"] == {}


def test_apply_expands_wildcards_over_mapping_keys_only(tmp_path: Path) -> None:
    s = one_set(tmp_path, {"op": "replace", "path": "/paths/*/*/security", "value": [{"S": []}]})
    out = dv.apply(DOC, s)
    assert out["paths"]["/a"]["get"]["security"] == [{"S": []}]
    assert out["paths"]["/a"]["post"]["security"] == [{"S": []}]
    assert out["paths"]["/a"]["parameters"] == []
    assert "security" not in out["paths"]["/b"]["get"]  # replace needs an existing target


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"op": "add", "path": "/components/schemas/X/nullable", "value": True}, "not found"),
        ({"op": "add", "path": "/paths/~1a/get/responses/200", "value": {}}, "already present"),
        ({"op": "replace", "path": "/paths/~1a/get/responses/404", "value": {}}, "not found"),
        ({"op": "replace", "path": "/paths/~1a/get/responses/200", "value": {}}, "already that"),
        ({"op": "remove", "path": "/paths/~1a/get/summary"}, "not found"),
        ({"op": "remove", "path": "/paths/~1a/parameters/0"}, "not found"),
        ({"op": "add", "path": "/paths/~1a/parameters/3", "value": 1}, "beyond the end"),
        ({"op": "add", "path": "/paths/~1a/parameters/x", "value": 1}, "not a list index"),
        ({"op": "replace", "path": "/paths/*/put/security", "value": []}, "matches nothing"),
    ],
)
def test_apply_refuses_a_change_that_does_not_fit(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(dv.DeviationError, match=message) as info:
        dv.apply(DOC, one_set(tmp_path, change))
    assert "ours.yaml: D1" in str(info.value)


# -- malformed files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deviations", "message"),
    [
        ([deviation({"op": "move", "path": "/a", "value": 1})], "op must be one of"),
        ([deviation({"op": "add", "path": "/a"})], "missing value"),
        ([deviation({"op": "remove", "path": "/a", "value": 1})], "unknown key"),
        ([deviation({"op": "add", "path": "a", "value": 1})], "must start with '/'"),
        ([deviation({"op": "add", "path": "", "value": 1})], "non-empty string"),
        ([deviation({"op": "add", "path": "/a/-/b", "value": 1})], "'-' is only allowed"),
        ([deviation({"op": "replace", "path": "/a/-", "value": 1})], "'-' is only allowed"),
        ([deviation()], "non-empty list"),
        ([deviation({"op": "remove", "path": "/a"}, id="X1")], "id must look like"),
        (
            [deviation({"op": "remove", "path": "/a"}), deviation({"op": "remove", "path": "/b"})],
            "duplicate id D1",
        ),
        ([{**deviation({"op": "remove", "path": "/a"}), "why": ""}], "why must be"),
        ([{**deviation({"op": "remove", "path": "/a"}), "extra": 1}], "unknown key"),
    ],
)
def test_load_refuses_a_malformed_file(
    tmp_path: Path, deviations: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(dv.DeviationError, match=message):
        dv.load(write_set(tmp_path, deviations))


def test_load_refuses_a_missing_standard_field(tmp_path: Path) -> None:
    path = write_set(tmp_path, [], standard={"file": "x.yaml", "title": "X"})
    with pytest.raises(dv.DeviationError, match="standard: missing version"):
        dv.load(path)


def test_load_all_refuses_two_files_for_one_document(tmp_path: Path) -> None:
    path = write_set(tmp_path, [])
    (path.parent / "copy.yaml").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(dv.DeviationError, match="another file also covers ours.yaml"):
        dv.load_all(path.parent)
