"""Benchmark: a complete `klanten-conformance run` against the built-in reference server.

Prints wall time, rule checks (tests), HTTP requests the harness sent (counted by the
plugin: harness client, schemathesis cases, preflight) and requests per second.

    python bench/suite_run.py [--runs N] [-- extra pytest args, e.g. -n 2 --oas-examples 50]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time


def one_run(extra: list[str]) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    command = [
        sys.executable,
        "-m",
        "klanten_conformance.cli",
        "run",
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    with tempfile.TemporaryDirectory() as cwd:
        started = time.perf_counter()
        result = subprocess.run(
            [*command, *extra], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
        )
        wall = time.perf_counter() - started
    requests_match = re.search(r"HTTP requests to the target: (\d+)", result.stdout)
    tests = sum(
        int(n) for n, _ in re.findall(r"(\d+) (passed|failed|skipped|error)", result.stdout[-400:])
    )
    if result.returncode not in (0, 1) or requests_match is None:
        sys.exit(f"the run failed (exit {result.returncode}):\n{result.stdout[-3000:]}")
    count = int(requests_match.group(1))
    return {"exit": result.returncode, "wall": wall, "tests": tests, "requests": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("extra", nargs="*", help="pytest arguments after --")
    args = parser.parse_args()
    rows = [one_run(args.extra) for _ in range(args.runs)]
    print(f"{'run':>3} {'exit':>4} {'wall s':>7} {'tests':>6} {'requests':>8} {'req/s':>7}")
    for index, row in enumerate(rows, 1):
        rate = row["requests"] / row["wall"]
        print(
            f"{index:>3} {row['exit']:>4} {row['wall']:>7.1f} {row['tests']:>6} "
            f"{row['requests']:>8} {rate:>7.1f}"
        )


if __name__ == "__main__":
    main()
