"""The command line: exit codes, output formats, URLs, multiple documents, our own spec."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path

import pytest

from klanten_conformance.lint import main
from klanten_conformance.lint.cli import DEFAULT_AGAINST

from .conftest import FIXTURES

BASE = str(FIXTURES / "base.yaml")


def lint_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_0_without_errors(capsys):
    code, out, _ = lint_cli(capsys, BASE, "--against", BASE)
    assert code == 0
    assert out.strip().endswith("0 errors, 0 warnings, 0 infos")


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
    assert code == 1 and "not an OpenAPI 3.x document" in out
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


@pytest.mark.skipif(not DEFAULT_AGAINST.exists(),
                    reason="specs/klanten-1.0.yaml is not written yet")
def test_our_own_spec_lints_clean_against_itself(capsys):
    code, out, _ = lint_cli(capsys, str(DEFAULT_AGAINST), "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert report["summary"]["error"] == 0
    assert not [f for f in report["findings"] if f["rule"].startswith("LINT-COMPAT")]
