"""Benchmark: our default generated (`oas`) run versus a long plain schemathesis run.

For the clean reference server and then for each selected fault of the Klanten API, runs

- ours: `klanten-conformance run --classes oas` against the built-in reference server with
  the fault on (REFERENCE_SERVER_FAULTS), default depth; the fault counts as found when an
  `oas` rule fails or warns that passes on the clean server (and "own rule" when that is the
  fault's own rule);
- plain schemathesis: `schemathesis run specs/klanten-1.0.yaml --url ... --phases
  examples,coverage,fuzzing,stateful --continue-on-failure` with one valid ZGW token header,
  against a `klanten-conformance serve` process with the fault on; the fault counts as found
  when its JSON report names a failure (type, operation) the clean server's run does not.

Prints a table: per fault, found by each, requests sent (ours: HTTP requests the harness
counted; schemathesis: the test cases it generated, about one request each) and wall time.
Both run on this machine one after the other; only Klanten faults are used.

    python bench/generated_depth.py [--faults A,B,...] [--schemathesis-args "..."]

Measured on the project's 2-core machine shared with two other sessions (load average 5-12,
so the wall times are rough; ff986ae, schemathesis 4.32.5; the OAS-04 row is from a second
run after the script learnt that a SHOULD rule that fails is reported as "warning"):

    fault                   ours      st   req ours  req st  s ours   s st  ours / st
    (clean)                 -         -         631    2373    51.4   53.5
    OAS-02                  own rule  no        631    2357    31.8   58.9  OAS-02 /
    OAS-03                  own rule  yes       631    2344    45.5   67.2  OAS-03 / ST108
    OAS-04                  own rule  yes       649    2352   150.7  117.1  OAS-04 / ST105
    OAS-05                  own rule  yes       658    2133    90.3  106.9  OAS-05 / ST101,...
    OAS-06                  own rule  no        649    2341    66.1  124.6  OAS-06 /
    OAS-10                  own rule  yes       649    2354    80.3  114.6  OAS-10 / ST103
    CRASH/zelfstandige      yes       no        631    2358   121.1  122.3  OAS-03,OAS-05 /
    HTML/malformed-id       own rule  yes       649    2345    52.2   26.1  OAS-03 / ST105
    CRASH/non-object-body   own rule  yes       679    2377    40.1   68.0  OAS-05 / ST101
    LEAK/audittrail-parent  own rule  no        649    2605    41.0   70.3  OAS-09 /

Found: ours 10/10, plain schemathesis 6/10; none found by schemathesis alone.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "klanten-1.0.yaml"
SECRET = "bench-secret-bench-secret-bench-secret"
_VERDICT = re.compile(r"^\s+(\S+)\s+(MUST|SHOULD)\s+(fail|warning)\b", re.MULTILINE)


@dataclass
class Outcome:
    failures: set = field(default_factory=set)
    requests: int = 0
    wall: float = 0.0


def ours(fault: str | None) -> Outcome:
    env = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    if fault:
        env["REFERENCE_SERVER_FAULTS"] = fault
    with tempfile.TemporaryDirectory() as cwd:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "klanten_conformance.cli", "run", "--classes", "oas",
             "-q", "-p", "no:cacheprovider"],
            cwd=cwd, env=env, capture_output=True, text=True, timeout=1800,
        )
        wall = time.perf_counter() - started
    found = re.search(r"HTTP requests to the target: (\d+)", result.stdout)
    return Outcome(
        {rule for rule, _, _ in _VERDICT.findall(result.stdout)},
        int(found.group(1)) if found else 0,
        wall,
    )


def plain_schemathesis(fault: str | None, extra: list[str]) -> Outcome:
    from klanten_conformance.harness.process import start_server_process
    from klanten_conformance.tokens import make_token

    env = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    if fault:
        env["REFERENCE_SERVER_FAULTS"] = fault
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        config = tmp / "server.toml"
        config.write_text(f'[[clients]]\nclient_id = "bench"\nsecret = "{SECRET}"\n')
        server = start_server_process(tmp / "db.sqlite3", config, tmp / "server.log", env=env)
        try:
            report = tmp / "report.json"
            command = [
                "schemathesis", "run", str(SPEC),
                "--url", f"{server.root_url}/klanten/api/v1",
                "--phases", "examples,coverage,fuzzing,stateful",
                "--continue-on-failure",
                "-H", f"Authorization: Bearer {make_token('bench', SECRET)}",
                "--report-json-path", str(report),
                *extra,
            ]
            started = time.perf_counter()
            subprocess.run(command, cwd=tmp, capture_output=True, text=True, timeout=3600)
            wall = time.perf_counter() - started
        finally:
            server.stop()
        data = json.loads(report.read_text()) if report.exists() else {}
    failures = {
        (failure["code"], operation)
        for failure in data.get("failures", [])
        for operation in failure.get("operations", [])
    }
    return Outcome(failures, data.get("test_cases", {}).get("generated", 0), wall)


def main() -> None:
    # bench/reference_server.py would shadow the reference_server package
    sys.path.insert(0, str(ROOT))
    from reference_server.faults import FAULTS
    from selftest.killmatrix import own_rule

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--faults", help="comma-separated faults (default: every Klanten fault)")
    parser.add_argument(
        "--schemathesis-args", default="", help="more arguments for `schemathesis run`"
    )
    args = parser.parse_args()
    names = (
        args.faults.split(",")
        if args.faults
        else [name for name, fault in FAULTS.items() if fault.api == "klanten"]
    )
    extra = shlex.split(args.schemathesis_args)
    base_ours, base_st = ours(None), plain_schemathesis(None, extra)
    rows = [("(clean)", "-", "-", base_ours, base_st, "", "")]
    for name in names:
        mine, theirs = ours(name), plain_schemathesis(name, extra)
        new_ours = mine.failures - base_ours.failures
        new_st = theirs.failures - base_st.failures
        found_ours = "own rule" if own_rule(name) in new_ours else ("yes" if new_ours else "no")
        rows.append(
            (name, found_ours, "yes" if new_st else "no", mine, theirs,
             ",".join(sorted(new_ours)), ",".join(sorted({code for code, _ in new_st})))
        )
        print(f"{name}: ours {found_ours}, schemathesis {'yes' if new_st else 'no'}",
              file=sys.stderr, flush=True)
    print(f"{'fault':28} {'ours':9} {'st':4} {'req ours':>8} {'req st':>7} "
          f"{'s ours':>7} {'s st':>7}  ours: rules / st: checks")
    for name, found_ours, found_st, mine, theirs, rules, codes in rows:
        print(f"{name:28} {found_ours:9} {found_st:4} {mine.requests:8d} {theirs.requests:7d} "
              f"{mine.wall:7.1f} {theirs.wall:7.1f}  {rules} / {codes}")
    faults = rows[1:]
    print(
        f"found: ours {sum(r[1] != 'no' for r in faults)}/{len(faults)}, plain schemathesis "
        f"{sum(r[2] == 'yes' for r in faults)}/{len(faults)}; found by schemathesis and not "
        f"by ours: {[r[0] for r in faults if r[2] == 'yes' and r[1] == 'no'] or 'none'}"
    )
    print(f"wall time: ours {sum(r[3].wall for r in rows):.0f}s, "
          f"plain schemathesis {sum(r[4].wall for r in rows):.0f}s")


if __name__ == "__main__":
    main()
