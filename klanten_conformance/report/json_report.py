"""``conformance.json``: the complete run result; every other format can be rebuilt from it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from klanten_conformance.report.model import RunResult
from klanten_conformance.report.scrub import scrub

FILENAME = "conformance.json"


def write(result: RunResult, run_dir: Path, secrets: Iterable[str] = ()) -> Path:
    path = Path(run_dir) / FILENAME
    data = scrub(result.to_dict(), secrets)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read(path: Path) -> RunResult:
    """The run result of a ``conformance.json`` file, or of the one in a run folder."""
    path = Path(path)
    if path.is_dir():
        path = path / FILENAME
    return RunResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
