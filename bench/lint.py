"""Benchmark the linter as a pre-commit hook runs it: the whole command as a process.

Builds a ~2,000-line document from the standard's Klanten API 1.0.0 (if ../shared/specs has
it) or from our specs/klanten-1.0.yaml, adding copies of its paths until it is long enough.
Then runs, several times each, `klanten-conformance lint DOC` (start-up, reference choice
and the reference cache included) and, side by side, Spectral with its built-in
`spectral:oas` ruleset on the same document. Spectral is installed with npm into the
benchmark's own temporary folder; without npm that column is skipped with a note. Prints the
median and spread of the wall time and of the peak memory (maximum resident set size of the
process and its children) of both.

    python bench/lint.py [--runs N] [--lines N] [--no-spectral]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = [ROOT.parent / "shared" / "specs" / "klanten-1.0.0.yaml",
              ROOT / "specs" / "klanten-1.0.yaml"]
SPECTRAL = "@stoplight/spectral-cli"


def build(source: Path, lines: int) -> str:
    """`source` with copies of its paths (under /kopie-N) until it has `lines` lines."""
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


@dataclass
class Run:
    wall: float  # seconds
    peak: int  # KiB
    code: int


def measure(command: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """One run of `command`; peak memory from wait4 (the process and the children it
    waited for)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss // (1024 if sys.platform == "darwin" else 1)
    return Run(wall, peak, process.returncode)


def series(command: list[str], cwd: Path, env: dict[str, str], runs: int) -> list[Run]:
    measure(command, cwd, env)  # warm-up: file cache, the reference cache, node's compile cache
    return [measure(command, cwd, env) for _ in range(runs)]


def install_spectral(folder: Path) -> tuple[list[str] | None, str]:
    """The command that runs Spectral from `folder`, or None and why not."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return None, "npm/node not found: Spectral not measured"
    done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error",
                           SPECTRAL], cwd=folder, capture_output=True, text=True, timeout=600,
                          check=False)
    binary = folder / "node_modules" / ".bin" / "spectral"
    if done.returncode != 0 or not binary.exists():
        return None, f"npm install {SPECTRAL} failed: {done.stderr.strip()[-300:]}"
    (folder / ".spectral.yaml").write_text('extends: ["spectral:oas"]\n', encoding="utf-8")
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                             check=False).stdout.strip()
    return [str(binary), "lint", "--ruleset", str(folder / ".spectral.yaml")], (
        f"Spectral {version} (spectral:oas), run from its node_modules/.bin (what `npx` runs, "
        "without npx's own start-up)")


def ours() -> list[str]:
    script = Path(sys.executable).with_name("klanten-conformance")
    if script.exists():
        return [str(script), "lint"]
    return [sys.executable, "-m", "klanten_conformance.cli", "lint"]


def summary(name: str, runs: list[Run]) -> str:
    walls = sorted(r.wall * 1000 for r in runs)
    peaks = sorted(r.peak / 1024 for r in runs)
    return (f"{name:<34} {statistics.median(walls):8.0f} {walls[0]:7.0f}-{walls[-1]:<7.0f}"
            f"{statistics.median(peaks):10.1f} {peaks[0]:7.1f}-{peaks[-1]:<7.1f}")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in
                 cpuinfo.read_text(encoding="utf-8").splitlines() if line.startswith(
                     "model name")]
        cpu = names[0] if names else cpu
    node = shutil.which("node")
    node_version = subprocess.run([node, "--version"], capture_output=True, text=True,
                                  check=False).stdout.strip() if node else "none"
    return (f"{os.cpu_count()} cores, {cpu}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; node {node_version}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--no-spectral", action="store_true")
    args = parser.parse_args()
    source = next(p for p in CANDIDATES if p.exists())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = folder / "bench.yaml"
        spec.write_text(build(source, args.lines), encoding="utf-8")
        n_lines = spec.read_text(encoding="utf-8").count("\n")
        env = dict(os.environ, KLANTEN_CONFORMANCE_CACHE=str(folder / "cache"))
        command = [*ours(), str(spec)]
        cold = measure(command, ROOT, env)  # first run: the reference is parsed and cached
        results = [("klanten-conformance lint", series(command, ROOT, env, args.runs))]
        note = "skipped (--no-spectral)"
        if not args.no_spectral:
            spectral, note = install_spectral(folder)
            if spectral:
                results.append(("spectral lint", series([*spectral, str(spec)], folder, env,
                                                        args.runs)))
    print(f"machine: {machine()}")
    print(f"document: {n_lines} lines (from {source.name}); {args.runs} runs each after a "
          "warm-up run; start-up included")
    print(f"spectral: {note}")
    print(f"{'command':<34} {'wall ms':>8} {'min-max':<15}{'peak MiB':>10} {'min-max':<15}")
    for name, runs in results:
        print(summary(name, runs))
    print(f"klanten-conformance lint, first run with an empty cache: {cold.wall * 1000:.0f} ms, "
          f"{cold.peak / 1024:.1f} MiB; exit code {results[0][1][0].code} (1: errors found)")


if __name__ == "__main__":
    main()
