"""``klanten-conformance merge``: one night from targets that ran on separate CI jobs.

Each CI job runs one target (``klanten-conformance run --target NAME``) and uploads its run
folder; a last job downloads them all and merges them here into the nightly folder: each
target's run folder (copied to ``<stamp>-<target>``), the night record and ``index.html``,
written by :func:`.nightly.write_night` exactly as in nightly mode.

Every input is read on its own. One that cannot be used (a folder without a report, malformed
JSON, a report of another schema, a second report for one target) is named in a message, on
the index and in the record, and the other targets are merged all the same. A target that
left no complete report is shown as how its run ended: the marker its job wrote when the run
failed to report (``status.json``: ``{"target", "status", "detail"}``, status ``timed out``,
``crashed`` or ``did not run``), else the report's own error, else ``did not run``.
"""

from __future__ import annotations

import glob
import json
import re
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from klanten_conformance.harness.verdicts import exit_status
from klanten_conformance.report import badge, html_report, json_report
from klanten_conformance.report.index_report import CRASHED, DID_NOT_RUN, TIMED_OUT, TargetNight
from klanten_conformance.report.model import COMPLETE, SCHEMA, RunResult
from klanten_conformance.report.nightly import (
    PreviousNight,
    entry_secrets,
    error_result,
    load_targets,
    night_exit_code,
    previous_night,
    read_night,
    write_night,
    write_reports,
)
from klanten_conformance.report.plugin import slug, utc_stamp
from klanten_conformance.report.scrub import env_secrets, scrub

MARKER = "status.json"
MARKER_STATES = (TIMED_OUT, CRASHED, DID_NOT_RUN)
STAMP_FORMAT = re.compile(r"^\d{8}T\d{6}Z$")
NO_TRACE = "no report and no status marker of this target among the inputs"


class InputError(Exception):
    """One input cannot be used; the message says why."""


@dataclass
class Found:
    """What one input holds: a report, its job's marker, or both."""

    source: Path
    #: the run folder to copy (None: a loose JSON file)
    folder: Path | None
    result: RunResult | None = None
    marker: dict[str, Any] | None = None

    @property
    def target(self) -> str:
        if self.result is not None:
            return str(self.result.target.get("name") or self.source.name)
        return str(self.marker["target"]) if self.marker else self.source.name


# reading the inputs ---------------------------------------------------------------------------


def _load_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot be read: {getattr(exc, 'strerror', None) or exc}") from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InputError(f"malformed JSON: {exc}") from exc


def _report(data: Any) -> RunResult:
    if not isinstance(data, dict):
        raise InputError("not a JSON object")
    if data.get("schema") != SCHEMA:
        raise InputError(f"a report of schema {data.get('schema')!r}, not {SCHEMA!r}")
    try:
        return RunResult.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"an incomplete {SCHEMA} report ({exc!r})") from exc


def _marker(data: Any, secrets: tuple[str, ...], problems: list[str], path: Path) -> dict:
    if not isinstance(data, dict) or not isinstance(data.get("target"), str) or not data["target"]:
        raise InputError('not a status marker ({"target": NAME, "status": ..., "detail": ...})')
    marker = {key: data[key] for key in ("target", "status", "detail", "exit_code") if key in data}
    marker["detail"] = scrub(str(data.get("detail") or ""), secrets)
    if marker.get("status") not in MARKER_STATES:
        problems.append(
            f"{path}: unknown status {data.get('status')!r} (one of {', '.join(MARKER_STATES)});"
            f" shown as {CRASHED}"
        )
        marker["status"] = CRASHED
    return marker


def _read_folder(path: Path, secrets: tuple[str, ...], problems: list[str]) -> Found | None:
    report, marker = path / json_report.FILENAME, path / MARKER
    if not report.is_file() and not marker.is_file():
        problems.append(f"{path}: no {json_report.FILENAME} or {MARKER} in this folder")
        return None
    found = Found(path, path)
    for file in (report, marker):
        if not file.is_file():
            continue
        try:
            data = _load_json(file)
            if file is report:
                found.result = _report(data)
            else:
                found.marker = _marker(data, secrets, problems, file)
        except InputError as exc:
            problems.append(f"{file}: {exc}")
    if found.result and found.marker and found.marker["target"] != found.target:
        problems.append(
            f"{marker}: marks target {found.marker['target']!r}, but the report next to it is of "
            f"{found.target!r}; the marker is left out"
        )
        found.marker = None
    return found if found.result or found.marker else None


def _read_file(path: Path, secrets: tuple[str, ...], problems: list[str]) -> Found | None:
    try:
        data = _load_json(path)
        if isinstance(data, dict) and "schema" in data:
            return Found(path, None, result=_report(data))
        return Found(path, None, marker=_marker(data, secrets, problems, path))
    except InputError as exc:
        problems.append(f"{path}: {exc}")
        return None


def expand(items: Iterable[str], problems: list[str]) -> list[Path]:
    """The paths of ``items`` (globs expanded); a report or marker file stands for its folder."""
    paths: list[Path] = []
    for item in items:
        if any(char in item for char in "*?["):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                problems.append(f"{item}: matches nothing")
            paths += map(Path, matches)
        elif Path(item).exists():
            paths.append(Path(item))
        else:
            problems.append(f"{item}: no such file or folder")
    unique: dict[Path, Path] = {}
    for path in paths:
        if path.is_file() and path.name in (json_report.FILENAME, MARKER):
            path = path.parent
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def collect(
    items: Iterable[str], output: Path, secrets: tuple[str, ...], problems: list[str]
) -> tuple[dict[str, list[Found]], int]:
    """What the inputs hold, by target name, and how many inputs gave nothing usable."""
    before = len(problems)
    paths = expand(items, problems)
    lost = len(problems) - before
    by_target: dict[str, list[Found]] = {}
    for path in paths:
        if path.is_dir() and output.resolve().is_relative_to(path.resolve()):
            problems.append(f"{path}: holds the output folder {output}; left out")
            lost += 1
            continue
        read = _read_folder if path.is_dir() else _read_file
        found = read(path, secrets, problems)
        if found is None:
            lost += 1
        else:
            by_target.setdefault(found.target, []).append(found)
    return by_target, lost


def choose(name: str, candidates: list[Found], problems: list[str]) -> Found:
    """One input per target: a complete report first, then the one that finished last."""
    if len(candidates) == 1:
        return candidates[0]

    def rank(found: Found) -> tuple[bool, bool, str]:
        result = found.result
        if result is None:
            return False, False, ""
        return result.status == COMPLETE, True, result.finished

    chosen = max(candidates, key=rank)  # the first of equals
    others = ", ".join(str(f.source) for f in candidates if f is not chosen)
    problems.append(
        f"target {name!r} has {len(candidates)} reports: merged {chosen.source}, left out {others}"
    )
    return chosen


# writing the night ----------------------------------------------------------------------------


def _copy_folder(source: Path, dest: Path) -> None:
    """``dest`` becomes a copy of ``source`` (replacing what a previous merge left there)."""
    if source.resolve() == dest.resolve():
        return
    staging = dest.with_name(dest.name + ".merging")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging, symlinks=True)
    shutil.rmtree(dest, ignore_errors=True)
    staging.rename(dest)


def _place(found: Found | None, dest: Path, secrets: tuple[str, ...]) -> None:
    """The target's run folder at ``dest``, with a page and badges for its report."""
    if found is not None and found.folder is not None:
        _copy_folder(found.folder, dest)
    else:
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
    if found is None:
        return
    if found.result is not None:
        if not (dest / json_report.FILENAME).is_file():
            json_report.write(found.result, dest, secrets)
        if not (dest / html_report.FILENAME).is_file():
            html_report.write(found.result, dest)
            badge.write(found.result, dest)
    if found.marker is not None:
        text = json.dumps(scrub(found.marker, secrets), indent=2, ensure_ascii=False)
        (dest / MARKER).write_text(text + "\n", encoding="utf-8")


def target_night(
    name: str, found: Found | None, dest: Path, secrets: tuple[str, ...], problems: list[str]
) -> TargetNight:
    """The target's place in the night; a run without a complete report gets an error report."""
    try:
        _place(found, dest, secrets)
    except OSError as exc:
        problems.append(f"target {name!r}: cannot place its run folder at {dest}: {exc}")
        dest.mkdir(parents=True, exist_ok=True)
    result = found.result if found else None
    marker = found.marker if found else None
    if result is not None and result.status == COMPLETE:
        if marker:
            problems.append(
                f"target {name!r}: its report is complete; the {marker['status']!r} marker "
                "next to it is left out"
            )
        return TargetNight(name, dest.name, result, exit_status(result))
    state = marker["status"] if marker else ("" if result else DID_NOT_RUN)
    detail = marker["detail"] if marker else ("" if result else NO_TRACE)
    if result is None:
        cause = f"{state}: {detail}" if detail else state
        result = error_result(dest.name, name, "", cause)
        write_reports(result, dest, secrets)
    return TargetNight(name, dest.name, result, 2, state, detail)


def _previous(
    previous: Path | None, output: Path, stamp: str, problems: list[str]
) -> PreviousNight | None:
    if previous is None or previous.is_dir():
        night = previous_night(previous or output, stamp)
        if night is None and previous is not None:
            problems.append(f"{previous}: no readable night record before {stamp}")
        return night
    try:
        return read_night(previous)
    except (OSError, ValueError) as exc:
        problems.append(f"{previous}: cannot be read as the previous night: {exc}")
        return None


def merge(
    inputs: Iterable[str],
    output: Path,
    *,
    expected: Iterable[str] = (),
    previous: Path | None = None,
    stamp: str | None = None,
    secrets: Iterable[str] = (),
    now: datetime | None = None,
) -> int:
    """Merge the inputs into the night ``stamp`` in ``output``; the exit code.

    0: every target's run completed and conforms; 1: one does not conform or is incomplete;
    2: a target is missing, crashed or timed out, an input could not be read, or there was
    nothing to merge.
    """
    secret_values = tuple(s for s in [*secrets, *env_secrets()] if s)
    stamp = stamp or utc_stamp(now)
    problems: list[str] = []
    output.mkdir(parents=True, exist_ok=True)
    by_target, lost = collect(inputs, output, secret_values, problems)
    expected = list(dict.fromkeys(expected))
    if expected:
        problems += [
            f"target {name!r} is not among the expected targets; merged all the same"
            for name in by_target
            if name not in expected
        ]
    nights = []
    for name in dict.fromkeys([*expected, *by_target]):
        found = choose(name, by_target[name], problems) if name in by_target else None
        dest = output / f"{stamp}-{slug(name)}"
        nights.append(target_night(name, found, dest, secret_values, problems))
    night = _previous(previous, output, stamp, problems) if nights else None
    problems = [scrub(problem, secret_values) for problem in problems]
    for problem in problems:
        print(f"klanten-conformance merge: {problem}", file=sys.stderr)
    if not nights:
        print("klanten-conformance merge: nothing to merge", file=sys.stderr)
        return 2
    index = write_night(output, stamp, nights, night, problems)
    for target in nights:
        complete = target.result is not None and target.outcome == COMPLETE
        shown = target.result.verdict if complete and target.result else target.outcome
        print(f"{target.name:<24} {shown:<14} {output / target.run_id}")
    print(f"klanten-conformance merge: nightly index {index}")
    return 2 if lost else night_exit_code(nights)


def expected_targets(targets_file: Path) -> tuple[list[str], list[str]]:
    """The target names of a ``targets.toml`` and the secrets its entries name."""
    targets = load_targets(targets_file)
    return list(targets), [s for entry in targets.values() for s in entry_secrets(entry)]


def valid_stamp(stamp: str) -> bool:
    return bool(STAMP_FORMAT.match(stamp))
