"""The command line: exit codes, output formats, URLs, multiple documents, our own spec."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path

import pytest

from klanten_conformance import cli as top_level
from klanten_conformance.lint import main

from .conftest import FIXTURES

BASE = str(FIXTURES / "base.yaml")
ROOT = Path(__file__).resolve().parents[2]
OUR_KLANTEN = ROOT / "specs" / "klanten-1.0.yaml"


def lint_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_0_without_errors(capsys):
    code, out, _ = lint_cli(capsys, BASE, "--against", BASE)
    assert code == 0
    assert out.strip().startswith(f"{BASE}: 0 errors, 0 warnings, 0 infos (compared with")


def test_exit_0_with_only_warnings(capsys):
    assert lint_cli(capsys, str(FIXTURES / "oas31.yaml"), "--against", "none")[0] == 0


def test_exit_1_with_errors(capsys):
    code, out, _ = lint_cli(capsys, str(FIXTURES / "invalid.yaml"), "--against", "none")
    assert code == 1
    assert "error LINT-VALID" in out


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("does-not-exist.yaml", "no such file"),
        (str(FIXTURES / "bad.yaml"), "not valid YAML or JSON (line"),
        ("http://127.0.0.1:9/openapi.yaml", "cannot fetch"),
    ],
)
def test_exit_2_when_the_document_cannot_be_read(capsys, spec, expected):
    code, out, err = lint_cli(capsys, spec, "--against", "none")
    assert code == 2
    assert expected in err
    assert len(err.strip().splitlines()) == 1


def test_exit_2_when_the_standard_cannot_be_read(capsys):
    code, _, err = lint_cli(capsys, BASE, "--against", "nowhere.yaml")
    assert code == 2 and "--against" in err


def test_not_openapi_is_an_error_alone_and_skipped_among_several(capsys):
    single = FIXTURES / "not-openapi.yaml"
    code, out, _ = lint_cli(capsys, str(single), "--against", "none")
    assert code == 1 and "not an OpenAPI 3.x document" in " ".join(out.split())
    code, out, err = lint_cli(capsys, BASE, str(single), "--against", "none")
    assert code == 0 and "skipped" in err


def test_json_format(capsys, tmp_path):
    target = tmp_path / "report.json"
    code, out, _ = lint_cli(capsys, str(FIXTURES / "compat-changed.yaml"), "--against", BASE,
                            "--format", "json", "--output", str(target))
    assert code == 1 and out == ""
    report = json.loads(target.read_text())
    assert report["summary"]["error"] == sum(
        f["level"] == "error" for f in report["findings"])
    finding = report["findings"][0]
    assert set(finding) >= {"rule", "level", "message", "file", "pointer", "line", "column"}
    assert any(f.get("breaking") is True for f in report["findings"])


def test_sarif_format(capsys):
    code, out, _ = lint_cli(capsys, str(FIXTURES / "hygiene.yaml"), "--against", "none",
                            "--format", "sarif")
    log = json.loads(out)
    assert log["version"] == "2.1.0" and "sarif" in log["$schema"]
    driver = log["runs"][0]["tool"]["driver"]
    rule_ids = [r["id"] for r in driver["rules"]]
    assert "LINT-KEYWORD" in rule_ids
    results = log["runs"][0]["results"]
    assert results
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.endswith("hygiene.yaml")


def test_spec_served_over_http(capsys):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(FIXTURES))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        code, out, _ = lint_cli(capsys, f"{url}/crossfile/main.yaml", "--against", "none")
        assert code == 1  # the misspelled keyword in the referenced file, fetched over HTTP
        assert f"{url}/crossfile/schemas/klant.yaml:6:" in out
        code, _, err = lint_cli(capsys, f"{url}/missing.yaml", "--against", "none")
        assert code == 2 and "HTTP 404" in err
    finally:
        server.shutdown()
        server.server_close()


def test_module_entry_point():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "klanten_conformance.lint", BASE,
                           "--against", BASE], capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr


def test_our_own_spec_lints_clean_against_itself(capsys):
    code, out, _ = lint_cli(capsys, str(OUR_KLANTEN), "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert report["summary"]["error"] == 0
    assert report["compared_with"] == {str(OUR_KLANTEN): "specs/klanten-1.0.yaml"} or (
        report["compared_with"][str(OUR_KLANTEN)].endswith("specs/klanten-1.0.yaml"))
    assert not [f for f in report["findings"] if f["rule"].startswith("LINT-COMPAT")]


def test_unreadable_document_prints_no_summary(capsys):
    code, out, err = lint_cli(capsys, "does-not-exist.yaml")
    assert code == 2
    assert out == ""
    assert err.strip() == "klanten-conformance lint: does-not-exist.yaml: no such file"


def test_an_unreadable_document_among_readable_ones_is_left_out_of_the_summary(capsys):
    code, out, _ = lint_cli(capsys, BASE, "does-not-exist.yaml", "--against", BASE)
    assert code == 2
    assert out.splitlines()[-1].startswith(f"{BASE}: 0 errors")
    assert "does-not-exist" not in out


@pytest.mark.parametrize("order", ["options first", "options last", "options between"])
def test_options_in_any_position(capsys, order):
    options = ["--format", "json", "--against", BASE]
    documents = [BASE, str(FIXTURES / "base.json")]
    args = {
        "options first": options + documents,
        "options last": documents + options,
        "options between": documents[:1] + options + documents[1:],
    }[order]
    code, out, _ = lint_cli(capsys, *args)
    report = json.loads(out)
    assert code == 0
    assert report["documents"] == documents


def test_help_through_the_top_level_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        top_level.main(["lint", "--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert out.startswith("usage: klanten-conformance lint")
    for option in ("--against", "--format", "--output"):
        assert option in out


def test_long_findings_wrap_and_keep_their_location_first(capsys):
    code, out, _ = lint_cli(capsys, str(FIXTURES / "compat-changed.yaml"), "--against", BASE)
    lines = out.splitlines()
    assert max(len(line) for line in lines[:-1]) <= 100
    firsts = [line for line in lines if not line.startswith("    ")][:-1]
    assert all(line.startswith(str(FIXTURES / "compat-changed.yaml") + ":") for line in firsts)
    assert sum(line.count("(#/") for line in lines) == len(firsts)
