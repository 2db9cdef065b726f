"""Nightly mode: run every target of a ``targets.toml``, then write ``index.html``.

Each target runs as its own ``klanten-conformance run --target NAME`` subprocess, so one
unreachable or crashing target does not stop the others. The night is recorded as
``nightly-<stamp>.json`` next to the run folders; the previous record in the same reports
folder is what ``index.html`` compares against.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from klanten_conformance.harness.context import REPORTS_DIR_ENV, RUN_ID_ENV
from klanten_conformance.report import badge, html_report, index_report, json_report
from klanten_conformance.report.model import RunResult
from klanten_conformance.report.plugin import slug, utc_stamp
from klanten_conformance.report.scrub import env_secrets, scrub

NIGHT_PREFIX = "nightly-"
TIMEOUT = 3 * 3600
#: runs ``klanten-conformance run ARGS`` in ENV: returns (exit code, combined output)
Runner = Callable[[list[str], dict[str, str]], tuple[int, str]]


class NightlyError(Exception):
    """The targets file cannot be used."""


def subprocess_runner(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    command = [sys.executable, "-m", "klanten_conformance.cli", "run", *args]
    try:
        done = subprocess.run(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        output = exc.stdout if isinstance(exc.stdout, str) else ""
        return 2, f"{output}\nklanten-conformance: the run timed out after {TIMEOUT}s"
    return done.returncode, done.stdout


def load_targets(path: Path) -> dict[str, dict[str, Any]]:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise NightlyError(f"cannot read targets file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise NightlyError(f"targets file {path} is not valid TOML: {exc}") from exc
    targets = data.get("targets")
    if not isinstance(targets, dict) or not targets:
        raise NightlyError(f"{path}: no [targets.NAME] tables")
    return {name: dict(entry) for name, entry in targets.items()}


def _entry_secrets(entry: dict[str, Any]) -> list[str]:
    """The secrets a targets.toml entry names (its own and those of its API tables)."""
    tables = [entry, *(v for v in entry.values() if isinstance(v, dict))]
    found = []
    for table in tables:
        found += [str(table.get(key) or "") for key in ("secret", "restricted_secret", "token")]
        for key in ("secret_env", "restricted_secret_env", "token_env"):
            if table.get(key):
                found.append(os.environ.get(str(table[key]), ""))
    return [s for s in found + env_secrets() if s]


def _run_args(name: str, entry: dict[str, Any], targets_file: Path, extra: list[str]) -> list[str]:
    args = ["--target", name, "--targets-file", str(targets_file)]
    if entry.get("profile"):
        args += ["--profile", str(entry["profile"])]
    classes = entry.get("classes")
    if classes:
        args += ["--classes", ",".join(classes) if isinstance(classes, list) else str(classes)]
    return [*args, *map(str, entry.get("pytest_args", [])), *extra]


def _error_result(run_id: str, name: str, profile: str, error: str) -> RunResult:
    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return RunResult(
        run_id=run_id,
        target={"name": name, "klanten_url": ""},
        profile=profile,
        versions={},
        started=now,
        finished=now,
        status="error",
        error=error,
    )


def _error_text(output: str, code: int) -> str:
    lines = [line for line in output.splitlines() if "klanten-conformance:" in line]
    if lines:
        return "\n".join(lines[-3:])
    tail = "\n".join(output.strip().splitlines()[-5:])
    return tail or f"the run ended with exit code {code}"


def _run_one(
    name: str,
    entry: dict[str, Any],
    stamp: str,
    reports_dir: Path,
    targets_file: Path,
    pytest_args: list[str],
    runner: Runner,
    secrets: list[str],
) -> index_report.TargetNight:
    run_id = f"{stamp}-{slug(name)}"
    profile = str(entry.get("profile") or "")
    env = {**os.environ, RUN_ID_ENV: run_id, REPORTS_DIR_ENV: str(reports_dir)}
    print(f"=== klanten-conformance: target {name} → {reports_dir / run_id}", flush=True)
    try:
        code, output = runner(_run_args(name, entry, targets_file, pytest_args), env)
    except OSError as exc:
        code, output = 2, f"klanten-conformance: cannot start the run: {exc}"
    output = scrub(output, secrets)
    print(output, flush=True)
    run_dir = reports_dir / run_id
    result: RunResult | None = None
    try:
        result = json_report.read(run_dir)
    except (OSError, ValueError, KeyError, TypeError):
        result = None
    if result is None or (code not in (0, 1) and result.status == "complete"):
        result = _error_result(run_id, name, profile, _error_text(output, code))
    elif result.status != "complete" and not result.error.startswith("klanten-conformance"):
        result.error = _error_text(output, code)
    if result.status != "complete":
        run_dir.mkdir(parents=True, exist_ok=True)
        json_report.write(result, run_dir, secrets)
        html_report.write(result, run_dir)
        badge.write(result, run_dir)
    return index_report.TargetNight(name, run_id, result, code)


def previous_night(reports_dir: Path, stamp: str) -> dict[str, Any] | None:
    """The latest night record before ``stamp`` in ``reports_dir``."""
    candidates = sorted(
        path
        for path in reports_dir.glob(f"{NIGHT_PREFIX}*.json")
        if path.stem.removeprefix(NIGHT_PREFIX) < stamp
    )
    for path in reversed(candidates):
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return None


def _previous_results(reports_dir: Path, record: dict[str, Any]) -> dict[str, RunResult | None]:
    results: dict[str, RunResult | None] = {}
    for name, info in record.get("targets", {}).items():
        try:
            results[name] = json_report.read(reports_dir / info["run_id"])
        except (OSError, ValueError, KeyError, TypeError):
            results[name] = None
    return results


def run_targets(
    targets_file: str | Path,
    pytest_args: list[str] | None = None,
    *,
    reports_dir: Path | None = None,
    runner: Runner = subprocess_runner,
    now: datetime | None = None,
) -> int:
    """Run every target; 0 all pass, 1 a MUST rule failed somewhere, 2 a target could not run."""
    targets_file = Path(targets_file)
    try:
        targets = load_targets(targets_file)
    except NightlyError as exc:
        print(f"klanten-conformance: {exc}", file=sys.stderr)
        return 2
    reports_dir = Path(reports_dir or os.environ.get(REPORTS_DIR_ENV) or "reports").resolve()
    reports_dir.mkdir(parents=True, exist_ok=True)
    stamp = utc_stamp(now)
    secrets = [s for entry in targets.values() for s in _entry_secrets(entry)]
    nights = [
        _run_one(
            name, entry, stamp, reports_dir, targets_file.resolve(), list(pytest_args or []),
            runner, secrets,
        )
        for name, entry in targets.items()
    ]
    record = {
        "stamp": stamp,
        "targets": {n.name: {"run_id": n.run_id, "exit_code": n.exit_code} for n in nights},
    }
    previous = previous_night(reports_dir, stamp)
    night_file = reports_dir / f"{NIGHT_PREFIX}{stamp}.json"
    night_file.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    index = index_report.write(
        reports_dir,
        stamp,
        nights,
        _previous_results(reports_dir, previous) if previous else None,
        previous["stamp"] if previous else None,
    )
    print(f"klanten-conformance: nightly index {index}")
    codes = [n.exit_code for n in nights]
    if any(code not in (0, 1) for code in codes):
        return 2
    return 1 if 1 in codes else 0
