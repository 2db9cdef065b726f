"""Nightly mode: run every target of a ``targets.toml``, then write ``index.html``.

Each target runs as its own ``klanten-conformance run --target NAME`` subprocess, so one
unreachable or crashing target does not stop the others. The night is recorded as
``nightly-<stamp>.json`` next to the run folders; the previous record in the same reports
folder is what ``index.html`` compares against.

:func:`write_night` turns the targets of one night into that record and index; nightly mode
and ``klanten-conformance merge`` (targets run on separate CI jobs, :mod:`.merge`) both end
with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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


def entry_secrets(entry: dict[str, Any]) -> list[str]:
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


def error_result(run_id: str, name: str, profile: str, error: str) -> RunResult:
    """The result of a run that left no usable report: status ``error`` with its cause."""
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
        result = error_result(run_id, name, profile, _error_text(output, code))
    elif result.status != "complete" and not result.error.startswith("klanten-conformance"):
        result.error = _error_text(output, code)
    if result.status != "complete":
        write_reports(result, run_dir, secrets)
    return index_report.TargetNight(name, run_id, result, code)


def write_reports(result: RunResult, run_dir: Path, secrets: Iterable[str] = ()) -> None:
    """``conformance.json``, ``conformance.html`` and the badges of ``result`` in ``run_dir``."""
    run_dir.mkdir(parents=True, exist_ok=True)
    json_report.write(result, run_dir, secrets)
    html_report.write(result, run_dir)
    badge.write(result, run_dir)


@dataclass
class PreviousNight:
    """A recorded night: its stamp and each target's result (None: its report is gone)."""

    stamp: str
    results: dict[str, RunResult | None]


def read_night(path: Path) -> PreviousNight:
    """The night recorded in ``path``; its run folders are next to it."""
    record = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(record, dict) or not isinstance(record.get("targets"), dict):
        raise ValueError(f"{path} is not a night record (no targets)")
    results: dict[str, RunResult | None] = {}
    for name, info in record["targets"].items():
        try:
            results[name] = json_report.read(Path(path).parent / info["run_id"])
        except (OSError, ValueError, KeyError, TypeError):
            results[name] = None
    return PreviousNight(str(record.get("stamp") or night_stamp(Path(path))), results)


def night_stamp(path: Path) -> str:
    return path.stem.removeprefix(NIGHT_PREFIX)


def previous_night(reports_dir: Path, stamp: str) -> PreviousNight | None:
    """The latest readable night record before ``stamp`` in ``reports_dir``."""
    candidates = sorted(
        path for path in reports_dir.glob(f"{NIGHT_PREFIX}*.json") if night_stamp(path) < stamp
    )
    for path in reversed(candidates):
        try:
            return read_night(path)
        except (OSError, ValueError):
            continue
    return None


def write_night(
    reports_dir: Path,
    stamp: str,
    nights: list[index_report.TargetNight],
    previous: PreviousNight | None,
    problems: list[str] | None = None,
) -> Path:
    """Record the night as ``nightly-<stamp>.json`` and write ``index.html``; the index path.

    Each target's run folder (``run_id``) must already be in ``reports_dir``.
    """
    record: dict[str, Any] = {
        "stamp": stamp,
        "targets": {
            n.name: {"run_id": n.run_id, "exit_code": n.exit_code, "status": n.outcome}
            for n in nights
        },
    }
    if problems:
        record["problems"] = problems
    night_file = reports_dir / f"{NIGHT_PREFIX}{stamp}.json"
    night_file.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return index_report.write(
        reports_dir,
        stamp,
        nights,
        previous.results if previous else None,
        previous.stamp if previous else None,
        problems,
    )


def night_exit_code(nights: list[index_report.TargetNight]) -> int:
    """0 every target conforms, 1 one does not, 2 one could not run (or none is there)."""
    codes = [n.exit_code for n in nights]
    if not codes or any(code not in (0, 1) for code in codes):
        return 2
    return 1 if 1 in codes else 0


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
    secrets = [s for entry in targets.values() for s in entry_secrets(entry)]
    nights = [
        _run_one(
            name, entry, stamp, reports_dir, targets_file.resolve(), list(pytest_args or []),
            runner, secrets,
        )
        for name, entry in targets.items()
    ]
    previous = previous_night(reports_dir, stamp)
    index = write_night(reports_dir, stamp, nights, previous)
    print(f"klanten-conformance: nightly index {index}")
    return night_exit_code(nights)
