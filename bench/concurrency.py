"""Benchmark: the generated ``oas`` classes at several ``--concurrency`` values.

For the klanten-1.0 profile (``--classes oas``) and the klantinteracties-0.9 profile
(``--classes ki-oas``), one ``klanten-conformance run`` against the built-in reference server
per concurrency, at ``--depth default`` with a fixed ``--oas-seed`` (the same generated cases in
every run). Prints the wall time and the HTTP requests the run sent (the report's count) per
concurrency, and whether the verdicts (per rule and per test, from conformance.json) are the
same as at concurrency 1.

One run per setting: on a shared or small machine the times are noisy (compare them as a
rough indication only). The request count is not the same at every concurrency: with
concurrency 1 a destructive Klanten case reuses a klant the previous refused one left; a batch
prepares all its cases before any response is in, so it makes more.

    python bench/concurrency.py [--concurrency 1,2,4,8] [--profiles klanten-1.0,...]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROFILES = {"klanten-1.0": "oas", "klantinteracties-0.9": "ki-oas"}
SEED = 20261207


def one_run(profile: str, classes: str, concurrency: int, depth: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    with tempfile.TemporaryDirectory() as cwd:
        reports = Path(cwd) / "reports"
        command = [
            sys.executable,
            "-m",
            "klanten_conformance.cli",
            "run",
            "-q",
            "-p",
            "no:cacheprovider",
            "--profile",
            profile,
            "--classes",
            classes,
            "--depth",
            depth,
            "--oas-seed",
            str(SEED),
            "--concurrency",
            str(concurrency),
            "--reports-dir",
            str(reports),
        ]
        started = time.perf_counter()
        result = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800
        )
        wall = time.perf_counter() - started
        found = sorted(reports.glob("*/conformance.json"))
        if result.returncode not in (0, 1) or not found:
            sys.exit(
                f"{profile} at concurrency {concurrency}: the run failed "
                f"(exit {result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-2000:]}"
            )
        report = json.loads(found[-1].read_text(encoding="utf-8"))
    rules = {
        rule["id"]: rule["verdict"]
        for cls in report["classes"]
        for rule in cls["rules"]
        if rule.get("selected") or rule.get("tests")
    }
    tests = {
        test["nodeid"]: test["outcome"]
        for cls in report["classes"]
        for rule in cls["rules"]
        for test in rule.get("tests", ())
    }
    passed = re.search(r"(\d+) passed", result.stdout[-600:])
    return {
        "wall": wall,
        "requests": report["requests"],
        "verdict": report["verdict"],
        "rules": rules,
        "tests": tests,
        "passed": int(passed.group(1)) if passed else 0,
    }


def differences(base: dict, other: dict) -> list[str]:
    found = [
        f"{rule}: {base['rules'].get(rule)} -> {other['rules'].get(rule)}"
        for rule in sorted(set(base["rules"]) | set(other["rules"]))
        if base["rules"].get(rule) != other["rules"].get(rule)
    ]
    found += [
        f"{test}: {base['tests'].get(test)} -> {other['tests'].get(test)}"
        for test in sorted(set(base["tests"]) | set(other["tests"]))
        if base["tests"].get(test) != other["tests"].get(test)
    ]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", default="1,2,4,8", help="values to run (1,2,4,8)")
    parser.add_argument("--profiles", default=",".join(PROFILES), help="profiles to run")
    parser.add_argument("--depth", default="default", choices=("quick", "default", "deep"))
    args = parser.parse_args()
    values = [int(v) for v in args.concurrency.split(",")]
    profiles = [p for p in args.profiles.split(",") if p]
    print(
        f"one run per setting, --depth {args.depth}, --oas-seed {SEED}, {os.cpu_count()} CPU(s); "
        "the machine may be shared: times are noisy, compare them roughly",
        flush=True,
    )
    print(
        f"{'profile':<22} {'classes':<7} {'N':>2} {'wall s':>7} {'requests':>8} {'req/s':>6} "
        f"{'tests':>5}  verdicts vs N={values[0]}",
        flush=True,
    )
    same = True
    for profile in profiles:
        classes = PROFILES[profile]
        base = None
        for value in values:
            row = one_run(profile, classes, value, args.depth)
            base = base or row
            changed = differences(base, row)
            same = same and not changed
            note = "same" if not changed else f"{len(changed)} differ: " + "; ".join(changed[:5])
            print(
                f"{profile:<22} {classes:<7} {value:>2} {row['wall']:>7.1f} {row['requests']:>8} "
                f"{row['requests'] / row['wall']:>6.1f} {row['passed']:>5}  {note}",
                flush=True,
            )
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
