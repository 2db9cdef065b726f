"""LINT-PATTERN: patterns ECMA-262 (unicode mode) or Python refuse, judged by real engines."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from klanten_conformance.lint import patterns

from .conftest import run_lint

regress = pytest.importorskip(
    "regress", reason="the `regress` package (an ECMA-262 engine) is not installed")

DING = "/components/schemas/Ding"


@pytest.fixture(scope="module")
def found() -> dict[str, dict]:
    return {f["pointer"]: f for f in run_lint("patterns.yaml") if f["rule"] == "LINT-PATTERN"}


@pytest.mark.parametrize("name", ["postcode", "pad", "naam"])
def test_portable_patterns_are_silent(found, name):
    assert f"{DING}/properties/{name}/pattern" not in found


@pytest.mark.parametrize(
    ("where", "level", "text"),
    [
        ("properties/voorvoegsel", "warning", "write `^[a-zA-Z ']{1,10}$`"),
        ("properties/woonplaats", "warning", "`\\,`, `\\'` escape characters"),
        ("properties/code", "warning", "write `^a-b$`"),
        ("properties/letters", "warning", "valid ECMA-262, but Python's re refuses it"),
        ("properties/groep", "warning", "with or without the unicode flag"),
        ("properties/omgekeerd", "error", "is no regular expression"),
        ("patternProperties/^x\\-", "warning", "write `^x-`"),
    ],
)
def test_unportable_patterns_fire(found, where, level, text):
    pointer = f"{DING}/{where}" + ("" if where.startswith("pattern") else "/pattern")
    assert found[pointer]["level"] == level
    assert text in found[pointer]["message"]


@pytest.mark.parametrize(
    ("pattern", "fixed", "needless"),
    [
        (r"^[a-z \']$", "^[a-z ']$", [r"\'"]),
        (r"^a\-b[\-c]$", r"^a-b[\-c]$", [r"\-"]),
        (r"\/\.\(\)\{\}\[\]\|\^\$\*\+\?\\", r"\/\.\(\)\{\}\[\]\|\^\$\*\+\?\\", []),
        (r"\d\w\s\,\ ", r"\d\w\s, ", [r"\,", r"\ "]),
    ],
)
def test_needless_escapes(pattern, fixed, needless):
    assert patterns.unescaped(pattern) == (fixed, needless)


CROSS_CHECKED = [
    r"^[a-zA-Z \']{1,10}$", r"\-", r"[\-]", r"\/", r"[\,]", r"\p{L}", r"\p{Script=Latin}",
    r"\p{Foo}", r"(?<n>a)\k<n>", r"\k", "a{", "a{1", "}", "]", r"\c", r"[\S]+", r"\u{1F600}",
    r"\0", r"\01", r"(a)\1", r"\2(a)", r"[\d-z]", r"(?=a)*", r"(?<!a)b", r"[\b]", r"\x4",
    r"\u004", r"[^]", r"\Z", r"\A", r"\ ", r"\_", "a**", r"\'", r"\:", r"\#", r"\=", r"\<",
    r"^[-a-zA-Z0-9_]+$", r"^(0[1-9][0-9]{8}|\+[0-9]{9,15})$", r"^[\S]+$",
]


@pytest.mark.skipif(shutil.which("node") is None, reason="node (a second ECMA-262 engine) "
                    "is not installed")
def test_the_engine_agrees_with_v8():
    script = ("const out = {}; for (const p of JSON.parse(process.argv[1])) {"
              " try { new RegExp(p, 'u'); out[p] = true } catch (e) { out[p] = false } }"
              " console.log(JSON.stringify(out))")
    done = subprocess.run(["node", "-e", script, json.dumps(CROSS_CHECKED)],
                          capture_output=True, text=True, check=True, timeout=60)
    v8 = json.loads(done.stdout)
    ours = {p: patterns.ecma_error(regress, p, "u") is None for p in CROSS_CHECKED}
    assert ours == v8


def test_without_an_ecma_engine_python_is_still_asked_and_the_gap_is_said(monkeypatch):
    monkeypatch.setattr(patterns, "_engine", lambda: None)
    found = [f for f in run_lint("patterns.yaml") if f["rule"] == "LINT-PATTERN"]
    assert {f["pointer"].split("/")[-2] for f in found if f["level"] != "info"} == {
        "letters", "omgekeerd"}
    [note] = [f for f in found if f["level"] == "info"]
    assert "not checked against ECMA-262: install the `regress` package" in note["message"]
