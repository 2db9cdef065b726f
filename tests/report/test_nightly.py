"""Nightly mode: every target of targets.toml, one folder each, and index.html comparing them."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from klanten_conformance.harness.context import REPORTS_DIR_ENV, RUN_ID_ENV
from klanten_conformance.harness.verdicts import build_classes
from klanten_conformance.report import json_report
from klanten_conformance.report.model import Failure, RunResult, TestRecord
from klanten_conformance.report.nightly import run_targets
from klanten_conformance.rules import load_catalogue

from .conftest import ExternalServer, run_cli
from .htmlcheck import assert_well_formed, parse

TARGETS = """
[targets.vendor-a]
klanten_url = "http://a.example/api"
client_id = "a"
secret_env = "A_SECRET"
classes = ["gedrag"]
profile = "klanten-1.0"

[targets.vendor-b]
klanten_url = "http://b.example/api"
client_id = "b"
secret_env = "B_SECRET"
pytest_args = ["--rule", "CACHE-03"]
"""


def _result(run_id: str, name: str, failing: set[str]) -> RunResult:
    records = [
        TestRecord(
            f"t::{rule_id}",
            "call",
            "failed" if rule_id in failing else "passed",
            [rule_id],
            failed_rules=[rule_id] if rule_id in failing else [],
            failure=Failure(test=f"t::{rule_id}") if rule_id in failing else None,
        )
        for rule_id in ("CACHE-01", "CACHE-02", "CACHE-03")
    ]
    return RunResult(
        run_id=run_id,
        target={"name": name},
        profile="klanten-1.0",
        versions={},
        started="s",
        finished="f",
        classes=build_classes(load_catalogue(), records),
    )


class FakeRunner:
    """Stands in for the subprocess: writes a report per target, or fails like a down target."""

    def __init__(self, failing: dict[str, set[str]], down: set[str] = frozenset()) -> None:
        self.failing = failing
        self.down = down
        self.calls: list[list[str]] = []

    def __call__(self, args: list[str], env: dict[str, str]) -> tuple[int, str]:
        self.calls.append(args)
        name = args[args.index("--target") + 1]
        if name in self.down:
            return 2, f"klanten-conformance: {name} is unreachable (token {env['A_SECRET']})"
        run_dir = Path(env[REPORTS_DIR_ENV]) / env[RUN_ID_ENV]
        run_dir.mkdir(parents=True)
        json_report.write(_result(env[RUN_ID_ENV], name, self.failing[name]), run_dir)
        return (1 if self.failing[name] else 0), "ok"


@pytest.fixture
def targets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("A_SECRET", "a-secret-value")
    monkeypatch.setenv("B_SECRET", "b-secret-value")
    path = tmp_path / "targets.toml"
    path.write_text(TARGETS)
    return path


def test_every_target_runs_and_the_night_is_compared_to_the_last(
    tmp_path: Path, targets_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    first = FakeRunner({"vendor-a": {"CACHE-02"}, "vendor-b": set()})
    night1 = datetime(2025, 1, 1, 2, tzinfo=UTC)
    assert run_targets(targets_file, ["-q"], reports_dir=reports, runner=first, now=night1) == 1
    args_a, args_b = first.calls
    assert args_a[-3:] == ["--classes", "gedrag", "-q"]
    assert args_b[-3:] == ["--rule", "CACHE-03", "-q"]

    second = FakeRunner({"vendor-a": {"CACHE-01"}, "vendor-b": set()}, down={"vendor-b"})
    night2 = datetime(2025, 1, 2, 2, tzinfo=UTC)
    assert run_targets(targets_file, [], reports_dir=reports, runner=second, now=night2) == 2
    assert len(second.calls) == 2  # the down target did not stop the other

    assert (reports / "20250101T020000Z-vendor-a" / "conformance.json").is_file()
    down = json_report.read(reports / "20250102T020000Z-vendor-b")
    assert down.status == "error" and "unreachable" in down.error
    assert (reports / "20250102T020000Z-vendor-b" / "conformance.html").is_file()
    record = json.loads((reports / "nightly-20250102T020000Z.json").read_text())
    assert record["targets"]["vendor-b"]["exit_code"] == 2

    text = (reports / "index.html").read_text()
    page = parse(text)
    assert_well_formed(page)
    assert "20250101T020000Z" in page.text  # compared against the previous night
    assert "20250102T020000Z-vendor-a/conformance.html#rule-CACHE-01" in page.links  # new failure
    assert "20250102T020000Z-vendor-a/conformance.html#rule-CACHE-02" in page.links  # fixed
    assert "NEW FAILURE" in page.text and "FIXED" in page.text
    assert "tonight's run did not complete" in page.text
    for path in reports.rglob("*"):
        if path.is_file():
            assert b"a-secret-value" not in path.read_bytes(), path
    assert "a-secret-value" not in capsys.readouterr().out


@pytest.mark.slow
def test_a_real_night_with_one_unreachable_target(
    tmp_path: Path, faulty_external_server: ExternalServer
) -> None:
    server = faulty_external_server
    workdir = tmp_path / "night"
    workdir.mkdir()
    (workdir / "targets.toml").write_text(
        f"""
[targets.vendor]
klanten_url = "{server.url}"
client_id = "{server.client_id}"
secret_env = "VENDOR_SECRET"
classes = ["gedrag"]
pytest_args = ["--rule", "CACHE-03"]

[targets.down]
klanten_url = "http://127.0.0.1:9/api"
client_id = "x"
secret_env = "VENDOR_SECRET"
"""
    )
    done = run_cli(
        "run",
        "--targets",
        "targets.toml",
        "-q",
        "-p",
        "no:cacheprovider",
        cwd=workdir,
        env={"VENDOR_SECRET": server.secret},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 2, output[-4000:]
    reports = workdir / "reports"
    (vendor,) = reports.glob("*-vendor")
    (down,) = reports.glob("*-down")
    assert json_report.read(vendor).verdict == "fail"
    assert "unreachable" in json_report.read(down).error
    page = parse((reports / "index.html").read_text())
    assert_well_formed(page)
    assert f"{vendor.name}/conformance.html#class-gedrag" in page.links
    assert server.secret not in output
    for path in workdir.rglob("*"):
        if path.is_file():
            assert server.secret.encode() not in path.read_bytes(), path
    assert os.environ.get("VENDOR_SECRET") is None
