"""Benchmark the linter on a ~2,000-line document.

Builds a synthetic document from the standard's 1.0.2 draft (if present) or from our
specs/klanten-1.0.yaml, adding copies of the /klanten paths until it has about 2,000 lines,
then times loading and linting (against the original) over several runs.

    python bench/lint.py [--runs N] [--lines N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = [ROOT.parent / "shared" / "specs" / "klanten-1.0.2-draft.yaml",
              ROOT / "specs" / "klanten-1.0.yaml"]


def build(source: Path, lines: int) -> str:
    doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    paths = dict(doc["paths"])
    copy = 0
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    while text.count("\n") < lines:
        copy += 1
        for path, item in paths.items():
            item = yaml.safe_load(yaml.safe_dump(item))
            for op in item.values():
                if isinstance(op, dict) and "operationId" in op:
                    op["operationId"] += f"_{copy}"
            doc["paths"][f"/kopie-{copy}{path}"] = item
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--lines", type=int, default=2000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    from klanten_conformance.lint import Workspace, lint

    imported = time.perf_counter() - started
    source = next(p for p in CANDIDATES if p.exists())
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "bench.yaml"
        spec.write_text(build(source, args.lines), encoding="utf-8")
        n_lines = spec.read_text(encoding="utf-8").count("\n")
        loads, lints, counts = [], [], []
        for _ in range(args.runs):
            ws = Workspace()
            t0 = time.perf_counter()
            doc = ws.load(str(spec))
            against = ws.load(str(source))
            t1 = time.perf_counter()
            findings = lint(ws, doc, against)
            t2 = time.perf_counter()
            loads.append(t1 - t0)
            lints.append(t2 - t1)
            counts.append(len(findings))
    print(f"document: {n_lines} lines (from {source.name}), {args.runs} runs, "
          f"{counts[0]} findings")
    print(f"start-up (import): {imported * 1000:.0f} ms")
    for name, values in (("load", loads), ("lint", lints)):
        print(f"{name}: median {statistics.median(values) * 1000:.0f} ms, "
              f"min {min(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms "
              f"(first run {values[0] * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
