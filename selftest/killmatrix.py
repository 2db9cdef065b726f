"""The fault kill matrix: proof that every check can fail, on the right rule.

For every fault switch of the reference server (reference_server/faults.py) the kill matrix
runs the complete conformance suites against the auto-started reference server with that one
fault (``REFERENCE_SERVER_FAULTS``) and reads the per-rule verdicts from the run's
``conformance.json``. A fault is named after the rule it breaks (``RULE`` or
``RULE/variant``), so each fault is judged on:

- **kill**: its own rule fails (a MUST rule) or warns (a SHOULD rule);
- **specificity**: no other rule fails or warns, unless the fault is listed with that rule
  and a reason in ``specs/killmatrix-exceptions.yaml`` (one behaviour genuinely implying
  another). Unlisted MUST failures of another class make a fault *not specific*; unlisted
  failures of the same class or of SHOULD rules are *unlisted* and must be listed too.

All classes run under every fault, so that a fault that leaks into another class is seen.
A baseline run without a fault comes first and must pass every rule; otherwise the matrix
means nothing and the command stops. Runs go in parallel (``--jobs``); they are forked from
one process that has already imported pytest, schemathesis, hypothesis and the harness, so
the import start-up is paid once (each run is still its own process with its own pytest
session, reference server and stubs). Output: one line per fault as it finishes, a summary,
and ``killmatrix.json`` / ``killmatrix.txt`` plus every run's reports under the output folder
(default ``reports/killmatrix-<UTC time>/``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from klanten_conformance.rules import Catalogue, Rule, load_catalogue

ROOT = Path(__file__).resolve().parents[1]
EXCEPTIONS_PATH = ROOT / "specs" / "killmatrix-exceptions.yaml"
SCHEMA = "klanten-conformance/killmatrix/1"
FAULTS_ENV = "REFERENCE_SERVER_FAULTS"
BASELINE = ""
#: the baseline of a profile other than the default: ``baseline:<profile>``
BASELINE_PREFIX = "baseline:"
FAILING = ("fail", "warning")
DEFAULT_OAS_EXAMPLES = 5
DEFAULT_OAS_SEED = 1
DEFAULT_TIMEOUT = 900.0
#: a run that ends without verdicts (a port taken by another process between its choice and
#: the server's bind, say) is run again this many times; a timeout is not
RETRIES = 1
#: imported once in the parent so that forked runs do not pay for them again
WARM_MODULES = (
    "pytest",
    "xdist",
    "hypothesis",
    "schemathesis",
    "requests",
    "jwt",
    "openapi_core",
    "jsonschema",
    "klanten_conformance.harness.plugin",
    "klanten_conformance.apis.klanten",
    "klanten_conformance.apis.klanten_generated",
    "klanten_conformance.apis.contactmomenten",
    "klanten_conformance.apis.contactmomenten_generated",
    "klanten_conformance.apis.klantinteracties",
    "klanten_conformance.apis.klantinteracties_generated",
    "klanten_conformance.generated.engine",
    "klanten_conformance.oas",
    "klanten_conformance.lint",
    "klanten_conformance.report.plugin",
    "klanten_conformance.report.cli",
    "schemathesis.checks",
    "schemathesis.specs.openapi.checks",
)


class KillMatrixError(Exception):
    """The kill matrix cannot be made (bad arguments, exceptions file or baseline)."""


# the exceptions file -----------------------------------------------------------------------


@dataclass(frozen=True)
class Exceptions:
    """Allowed cross-rule failures: fault -> {rule: reason}."""

    allowed: dict[str, dict[str, str]] = field(default_factory=dict)

    def reason(self, fault: str, rule_id: str) -> str | None:
        return self.allowed.get(fault, {}).get(rule_id)


def load_exceptions(
    path: Path = EXCEPTIONS_PATH,
    catalogue: Catalogue | None = None,
    faults: Iterable[str] | None = None,
) -> Exceptions:
    """Read and validate the exceptions file (unknown faults and rules are errors)."""
    from reference_server.faults import FAULTS

    catalogue = catalogue or load_catalogue()
    known_faults = set(FAULTS if faults is None else faults)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise KillMatrixError(f"cannot read {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise KillMatrixError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != 1:
        raise KillMatrixError(f"{path}: expected a mapping with version: 1")
    unknown_keys = sorted(set(data) - {"version", "exceptions"})
    if unknown_keys:
        raise KillMatrixError(f"{path}: unknown key(s) {', '.join(unknown_keys)}")
    allowed: dict[str, dict[str, str]] = {}
    for index, item in enumerate(data.get("exceptions") or [], start=1):
        where = f"{path}: exception #{index}"
        # a fault may have several entries, each a group of rules with its own reason
        if not isinstance(item, dict) or set(item) != {"fault", "rules", "reason"}:
            raise KillMatrixError(f"{where}: expected exactly the keys fault, rules, reason")
        fault, rules, reason = item["fault"], item["rules"], item["reason"]
        if fault not in known_faults:
            raise KillMatrixError(f"{where}: unknown fault {fault!r}")
        if not isinstance(reason, str) or not reason.strip():
            raise KillMatrixError(f"{where}: 'reason' must be a non-empty string")
        if not isinstance(rules, list) or not rules:
            raise KillMatrixError(f"{where}: 'rules' must be a non-empty list of rule ids")
        for rule_id in rules:
            if rule_id not in catalogue.rules:
                raise KillMatrixError(f"{where}: unknown rule {rule_id!r}")
            if rule_id == own_rule(fault):
                raise KillMatrixError(f"{where}: {rule_id} is the fault's own rule")
            if rule_id in allowed.get(fault, {}):
                raise KillMatrixError(f"{where}: {fault} -> {rule_id} is listed twice")
            allowed.setdefault(fault, {})[rule_id] = " ".join(reason.split())
    return Exceptions(allowed)


# faults and rules --------------------------------------------------------------------------


def own_rule(fault: str) -> str:
    """The rule a fault breaks: the fault table's ``rule``, or for a name the table does not
    know, the name up to the variant (``KLOK01-C3/x`` -> ``KLOK01-C3``)."""
    from reference_server.faults import FAULTS

    known = FAULTS.get(fault)
    return known.rule if known is not None else fault.split("/", 1)[0]


def fault_kind(fault: str) -> str:
    from reference_server.faults import FAULTS

    known = FAULTS.get(fault)
    return known.kind if known is not None else "clean"


def suite_apis() -> list[str]:
    from klanten_conformance import apis

    return apis.known()


def klanten_rules(catalogue: Catalogue) -> list[Rule]:
    """The rules the suites test (the columns of the matrix): those of every API with a suite."""
    tested = set(suite_apis())
    return [
        rule
        for rule in catalogue.rules.values()
        if rule.api in tested and not rule.not_tested_reason
    ]


def coverage(catalogue: Catalogue, faults: Iterable[str]) -> dict[str, list[str]]:
    """Per rule of an API with a suite (tested or not) the faults that break it."""
    faults = list(faults)
    tested = set(suite_apis())
    return {
        rule.id: [f for f in faults if own_rule(f) == rule.id]
        for rule in catalogue.rules.values()
        if rule.api in tested
    }


def sample(catalogue: Catalogue, faults: Iterable[str]) -> list[str]:
    """Every real-world fault and the first clean fault of each conformance class."""
    chosen, classes = [], set()
    for fault in faults:
        rule = catalogue.rules.get(own_rule(fault))
        rule_class = rule.rule_class if rule else "?"
        if fault_kind(fault) != "clean":
            chosen.append(fault)
        elif rule_class not in classes:
            classes.add(rule_class)
            chosen.append(fault)
    return chosen


def uncovered_rules(catalogue: Catalogue, faults: Iterable[str]) -> list[str]:
    """Rules with a suite but with no fault and no ``not_faultable_reason``."""
    return [
        rule_id
        for rule_id, names in coverage(catalogue, faults).items()
        if not names and not catalogue.rules[rule_id].not_faultable_reason
    ]


# one run -------------------------------------------------------------------------------------


@dataclass
class RunOutcome:
    """One conformance run: the fault (``""`` for the baseline) and its per-rule verdicts."""

    fault: str
    seconds: float
    returncode: int
    verdicts: dict[str, str]
    run_dir: str
    log: str
    error: str = ""
    attempt: int = 1
    #: rule -> reason, for the rules the run could not judge (inconclusive: the cause)
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if is_baseline(self.fault):
            profile = self.fault.removeprefix(BASELINE_PREFIX)
            return f"(baseline {profile})" if profile else "(baseline)"
        return self.fault

    def failing(self) -> list[str]:
        return [rule_id for rule_id, verdict in self.verdicts.items() if verdict in FAILING]


def run_args(oas_examples: int, oas_seed: int | None, extra: Sequence[str] = ()) -> list[str]:
    args = [
        "run",
        "-q",
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        "--oas-examples",
        str(oas_examples),
    ]
    if oas_seed is not None:
        args += ["--oas-seed", str(oas_seed)]
    return [*args, *extra]


def is_baseline(name: str) -> bool:
    return name == BASELINE or name.startswith(BASELINE_PREFIX)


def baselines(catalogue: Catalogue) -> list[str]:
    """One baseline per profile with an API that has a suite (the default profile's first)."""
    tested = set(suite_apis())
    names = []
    for profile in catalogue.profiles.values():
        if not tested & set(profile.apis):
            continue
        names.append(BASELINE if profile.id == catalogue.default_profile
                     else BASELINE_PREFIX + profile.id)
    return sorted(names, key=lambda n: n != BASELINE)


def scope(name: str, catalogue: Catalogue) -> list[str]:
    """The run arguments that scope one run: a baseline runs its profile whole; a fault runs
    the profile of its API, with only its API and the APIs that use it."""
    from klanten_conformance import apis

    if is_baseline(name):
        profile = name.removeprefix(BASELINE_PREFIX)
        return ["--profile", profile] if profile else []
    from reference_server.faults import FAULTS

    known = FAULTS.get(name)
    rule = catalogue.rules.get(own_rule(name))
    api = known.api if known is not None else (rule.api if rule else "klanten")
    profile = next(
        (p for p in catalogue.profiles.values() if api in p.apis),
        catalogue.profiles.get(catalogue.default_profile or ""),
    )
    if profile is None:
        return []
    tested = set(suite_apis())
    used_by = [
        other for other in profile.apis
        if other in tested and other != api and api in apis.get(other).uses
    ]
    return ["--profile", profile.id, "--api", ",".join([api, *used_by])]


def run_id(fault: str, attempt: int = 1) -> str:
    if is_baseline(fault):
        fault = fault.replace(":", "-").replace(".", "_")
    name = fault.replace("/", "_") if fault else "baseline"
    return name if attempt == 1 else f"{name}-attempt{attempt}"


def read_verdicts(run_dir: Path) -> dict[str, str]:
    return {rule_id: verdict for rule_id, (verdict, _) in read_results(run_dir).items()}


def read_results(run_dir: Path) -> dict[str, tuple[str, str]]:
    """rule id -> (verdict, reason) of a run's ``conformance.json``."""
    from klanten_conformance.report import json_report

    result = json_report.read(run_dir)
    if result.status != "complete":
        raise KillMatrixError(f"the run did not complete: {result.error or result.status}")
    return {rule.id: (rule.verdict, rule.reason) for _, rule in result.rules()}


class _Job:
    """One run in progress: a forked child (warm start) or a subprocess (cold start)."""

    def __init__(
        self, fault: str, args: list[str], runs_dir: Path, fork: bool, attempt: int = 1
    ) -> None:
        self.fault = fault
        self.attempt = attempt
        self.run_dir = runs_dir / run_id(fault, attempt)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log = self.run_dir / "output.txt"
        env = {k: v for k, v in os.environ.items() if k != FAULTS_ENV}
        if not is_baseline(fault):  # the baseline of any profile runs without a fault
            env[FAULTS_ENV] = fault
        env["KLANTEN_CONFORMANCE_REPORTS_DIR"] = str(runs_dir)
        env["KLANTEN_CONFORMANCE_RUN_ID"] = self.run_dir.name
        self.started = time.monotonic()
        self.returncode: int | None = None
        if fork:
            self.pid = _fork_run(args, env, self.log, self.run_dir)
            self.process: subprocess.Popen[bytes] | None = None
        else:
            with open(self.log, "wb") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "klanten_conformance.cli", *args],
                    env=env,
                    cwd=self.run_dir,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            self.pid = self.process.pid

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        if self.process is not None:
            self.returncode = self.process.poll()
            return self.returncode
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid == self.pid:
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def kill(self) -> None:
        """Stop the run and everything it started (its own process group)."""
        if self.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while self.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            while self.poll() is None:
                time.sleep(0.1)

    def outcome(self, error: str = "") -> RunOutcome:
        verdicts: dict[str, str] = {}
        reasons: dict[str, str] = {}
        if not error:
            try:
                results = read_results(self.run_dir)
            except (OSError, ValueError, KeyError, KillMatrixError) as exc:
                error = f"no usable conformance.json: {exc}"
            else:
                verdicts = {rule_id: verdict for rule_id, (verdict, _) in results.items()}
                reasons = {
                    rule_id: reason
                    for rule_id, (verdict, reason) in results.items()
                    if verdict == "inconclusive"
                }
        if not error and self.returncode not in (0, 1):
            error = f"the run ended with exit status {self.returncode}"
        return RunOutcome(
            fault=self.fault,
            seconds=round(self.seconds, 1),
            returncode=self.returncode if self.returncode is not None else -1,
            verdicts=verdicts,
            run_dir=str(self.run_dir),
            log=str(self.log),
            error=error,
            attempt=self.attempt,
            reasons=reasons,
        )


def _fork_run(args: list[str], env: dict[str, str], log: Path, cwd: Path) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        with contextlib.suppress(OSError):  # also here: no window in which a kill misses it
            os.setpgid(pid, pid)
        return pid
    # the child: its own process group (so a kill reaches its reference server), its log
    code = 3
    try:
        os.setpgid(0, 0)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        from klanten_conformance import cli

        code = int(cli.main(list(args)) or 0)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 3
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def warm_up() -> None:
    """Import what every run needs once, before forking (each child then starts warm).

    The pytest plugins of the environment, the harness, and what schemathesis loads to build
    the strategies of the standard's operations; modules imported here are not assertion-
    rewritten in the runs, which only matters for test modules (those are imported per run).
    """
    from importlib.metadata import entry_points

    names = [*WARM_MODULES, *(ep.value.split(":")[0] for ep in entry_points(group="pytest11"))]
    for name in names:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    load_catalogue()
    with contextlib.suppress(Exception):
        from schemathesis import GenerationMode

        from klanten_conformance import apis
        from klanten_conformance.generated.engine import schema_of
        from klanten_conformance.oas import operations, problem_validators, spec_document

        for definition in apis.all_definitions():
            spec_document(definition.spec)
            problem_validators(definition.spec)
            schema = schema_of(definition.spec)
            for route, method in operations(definition.spec).values():
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    schema[route][method].as_strategy(generation_mode=mode)


def run_all(
    faults: Sequence[str],
    *,
    runs_dir: Path,
    jobs: int = 2,
    oas_examples: int = DEFAULT_OAS_EXAMPLES,
    oas_seed: int | None = DEFAULT_OAS_SEED,
    timeout: float = DEFAULT_TIMEOUT,
    fork: bool | None = None,
    baseline_ok: Callable[[RunOutcome], str] | None = None,
    progress: Callable[[RunOutcome, int, int, bool], None] | None = None,
    baseline_names: Sequence[str] = (BASELINE,),
    scope_of: Callable[[str], list[str]] = lambda name: [],
) -> tuple[list[RunOutcome], list[RunOutcome]]:
    """Run the baselines and every fault, ``jobs`` at a time; stop early if a baseline fails.

    ``scope_of(name)`` gives the arguments that scope the run of a fault or baseline.

    ``baseline_ok`` returns an error text for an unusable baseline ("" when it is fine).
    ``progress(outcome, finished, total, retrying)`` is called whenever a run ends.
    """
    if fork is None:  # forking a process with threads is not safe: start fresh then
        fork = hasattr(os, "fork") and threading.active_count() == 1
    if fork:
        warm_up()
    queue: list[tuple[str, int]] = [(name, 1) for name in (*baseline_names, *faults)]
    total = len(queue)
    running: list[_Job] = []
    done: dict[str, RunOutcome] = {}
    found: list[RunOutcome] = []
    try:
        while queue or running:
            while queue and len(running) < max(1, jobs):
                fault, attempt = queue.pop(0)
                args = run_args(oas_examples, oas_seed, scope_of(fault))
                running.append(_Job(fault, args, runs_dir, fork, attempt))
            time.sleep(0.05)
            for job in list(running):
                error = ""
                if job.poll() is None:
                    if job.seconds <= timeout:
                        continue
                    job.kill()
                    error = f"timed out after {timeout:g}s"
                running.remove(job)
                outcome = job.outcome(error)
                retrying = bool(outcome.error) and not error and job.attempt <= RETRIES
                if retrying:
                    queue.insert(0, (job.fault, job.attempt + 1))
                else:
                    done[job.fault] = outcome
                if progress is not None:
                    progress(outcome, len(done), total, retrying)
                if retrying:
                    continue
                if job.fault in baseline_names:
                    found.append(outcome)
                    problem = outcome.error or (baseline_ok(outcome) if baseline_ok else "")
                    if problem:
                        raise KillMatrixError(
                            f"the baseline run {outcome.label} (no fault) must pass every "
                            f"rule: {problem} (log: {outcome.log})"
                        )
    finally:
        for job in running:
            job.kill()
    assert len(found) == len(baseline_names)
    return found, [done[fault] for fault in faults]


# judging -------------------------------------------------------------------------------------


@dataclass
class FaultVerdict:
    """What the matrix says about one fault."""

    fault: str
    description: str
    rule: str
    rule_class: str
    level: str
    seconds: float
    killed: bool
    own_verdict: str
    #: other rules that failed or warned, with the exception reason ("" when unlisted)
    others: dict[str, str]
    #: unlisted failures of a MUST rule of another class (what specificity forbids)
    not_specific: list[str]
    #: unlisted failures of the same class or of SHOULD rules (to list and justify)
    unlisted: list[str]
    #: listed exceptions that did not happen in this run
    stale: list[str]
    verdicts: dict[str, str]
    error: str = ""
    run_dir: str = ""
    attempts: int = 1
    kind: str = "clean"
    #: rules the fault left inconclusive, with the cause the run names (allowed: a blocked
    #: check is no verdict)
    inconclusive: dict[str, str] = field(default_factory=dict)

    @property
    def cascade(self) -> list[str]:
        """Other rules that failed without a listed reason: what the cascade check forbids."""
        return [*self.not_specific, *self.unlisted]

    @property
    def ok(self) -> bool:
        return not self.error and self.killed and not self.cascade

    @property
    def status(self) -> str:
        if self.error:
            return f"ERROR: {self.error}"
        parts = ["killed" if self.killed else f"NOT KILLED ({self.rule}: {self.own_verdict})"]
        if self.cascade:
            parts.append("CASCADE: " + ", ".join(self.cascade))
        listed = [r for r, reason in self.others.items() if reason]
        if listed:
            parts.append("excepted: " + ", ".join(listed))
        if not self.others:
            parts.append("specific")
        if self.inconclusive:
            parts.append("inconclusive: " + ", ".join(self.inconclusive))
        if self.stale:
            parts.append("stale exception: " + ", ".join(self.stale))
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fault": self.fault,
            "kind": self.kind,
            "description": self.description,
            "rule": self.rule,
            "class": self.rule_class,
            "level": self.level,
            "seconds": self.seconds,
            "killed": self.killed,
            "own_verdict": self.own_verdict,
            "specific": not self.not_specific,
            "cascade": self.cascade,
            "inconclusive": self.inconclusive,
            "ok": self.ok,
            "status": self.status,
            "other_failures": [
                {"rule": rule_id, "verdict": self.verdicts.get(rule_id), "exception": reason}
                for rule_id, reason in self.others.items()
            ],
            "not_specific": self.not_specific,
            "unlisted": self.unlisted,
            "stale_exceptions": self.stale,
            "verdicts": self.verdicts,
            "error": self.error,
            "run_dir": self.run_dir,
            "attempts": self.attempts,
        }


def judge(outcome: RunOutcome, catalogue: Catalogue, exceptions: Exceptions) -> FaultVerdict:
    from reference_server.faults import FAULTS

    fault = outcome.fault
    rule = catalogue.rules.get(own_rule(fault))
    rule_class = rule.rule_class if rule else "?"
    own = outcome.verdicts.get(own_rule(fault), "missing")
    others: dict[str, str] = {}
    not_specific: list[str] = []
    unlisted: list[str] = []
    for rule_id in outcome.failing():
        if rule_id == own_rule(fault):
            continue
        reason = exceptions.reason(fault, rule_id) or ""
        others[rule_id] = reason
        if reason:
            continue
        other = catalogue.rules[rule_id]
        if other.rule_class != rule_class and other.level == "MUST":
            not_specific.append(rule_id)
        else:
            unlisted.append(rule_id)
    stale = [r for r in exceptions.allowed.get(fault, {}) if r not in others]
    known = FAULTS.get(fault)
    return FaultVerdict(
        fault=fault,
        description=known.description if known is not None else "",
        kind=fault_kind(fault),
        inconclusive={r: why for r, why in outcome.reasons.items() if r != own_rule(fault)},
        rule=own_rule(fault),
        rule_class=rule_class,
        level=rule.level if rule else "?",
        seconds=outcome.seconds,
        killed=own in FAILING,
        own_verdict=own,
        others=others,
        not_specific=not_specific,
        unlisted=unlisted,
        stale=[] if outcome.error else stale,
        verdicts=outcome.verdicts,
        error=outcome.error,
        run_dir=outcome.run_dir,
        attempts=outcome.attempt,
    )


def baseline_problem(catalogue: Catalogue) -> Callable[[RunOutcome], str]:
    """A baseline must pass every rule of its profile's APIs that have a suite (a rule the
    reference server cannot exercise, one with a ``not_faultable_reason``, may instead be
    not applicable)."""

    def check(outcome: RunOutcome) -> str:
        profile = outcome.fault.removeprefix(BASELINE_PREFIX) or catalogue.default_profile
        apis_of = set(catalogue.profiles[profile].apis) if profile in catalogue.profiles else set()

        def fine(rule: Rule) -> bool:
            verdict = outcome.verdicts.get(rule.id)
            return verdict == "pass" or (
                verdict == "not applicable" and bool(rule.not_faultable_reason)
            )

        wrong = {
            rule.id: outcome.verdicts.get(rule.id, "missing")
            for rule in klanten_rules(catalogue)
            if rule.api in apis_of and not fine(rule)
        }
        return ", ".join(f"{r} {v}" for r, v in wrong.items())

    return check


# output --------------------------------------------------------------------------------------


@dataclass
class Matrix:
    """The complete kill matrix and how it was made."""

    started: str
    wall_seconds: float
    jobs: int
    oas_examples: int
    oas_seed: int | None
    rules: list[str]
    baseline: RunOutcome
    faults: list[FaultVerdict]
    not_faultable: dict[str, str]
    uncovered: list[str]
    exceptions: dict[str, dict[str, str]]
    #: rule -> the faults that break it
    coverage: dict[str, list[str]] = field(default_factory=dict)

    @property
    def killed(self) -> int:
        return sum(1 for f in self.faults if f.killed)

    @property
    def kill_rate(self) -> float:
        return self.killed / len(self.faults) if self.faults else 0.0

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.faults) and not self.uncovered

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "started": self.started,
            "wall_seconds": self.wall_seconds,
            "jobs": self.jobs,
            "oas_examples": self.oas_examples,
            "oas_seed": self.oas_seed,
            "size": {"faults": len(self.faults), "rules": len(self.rules)},
            "kill_rate": round(self.kill_rate, 4),
            "killed": self.killed,
            "specific": sum(1 for f in self.faults if not f.not_specific),
            "real_world": sum(1 for f in self.faults if f.kind == "real-world"),
            "cascades": sum(1 for f in self.faults if f.cascade),
            "ok": self.ok,
            "rules": self.rules,
            "not_faultable": self.not_faultable,
            "uncovered_rules": self.uncovered,
            "faults_per_rule": self.coverage,
            "exceptions": self.exceptions,
            "baseline": {
                "seconds": self.baseline.seconds,
                "verdicts": self.baseline.verdicts,
                "run_dir": self.baseline.run_dir,
            },
            "faults": [f.to_dict() for f in self.faults],
        }

    def lines(self) -> list[str]:
        width = max([len(f.fault) for f in self.faults] + [10])
        out = [f"{f.fault:<{width}}  {f.seconds:5.1f}s  {f.status}" for f in self.faults]
        return out

    def summary(self) -> list[str]:
        excepted = sum(1 for f in self.faults if any(f.others.values()))
        cascades = sum(1 for f in self.faults if f.cascade)
        real = sum(1 for f in self.faults if f.kind == "real-world")
        inconclusive = sum(len(f.inconclusive) for f in self.faults)
        lines = [
            f"kill matrix: {len(self.faults)} faults ({len(self.faults) - real} clean, "
            f"{real} real-world) x {len(self.rules)} rules, jobs {self.jobs}, "
            f"--oas-examples {self.oas_examples}, wall time {self.wall_seconds:.0f}s",
            f"kill rate {self.killed}/{len(self.faults)} ({100 * self.kill_rate:.0f}%); "
            f"cascades {cascades}; faults with listed exceptions {excepted}; "
            f"rules left inconclusive (with their cause) {inconclusive}",
        ]
        if self.not_faultable:
            lines.append("not faultable: " + ", ".join(self.not_faultable))
        if self.uncovered:
            lines.append(
                "rules with neither a fault nor a not_faultable_reason: "
                + ", ".join(self.uncovered)
            )
        lines.append("OK" if self.ok else "NOT OK")
        return lines

    def grid(self) -> list[str]:
        """The fault x rule grid: X fail, w warning, i inconclusive, . pass, - not run/N/A;
        the last column is the cascade check (C: another rule failed unlisted)."""
        marks = {"fail": "X", "warning": "w", "pass": ".", "inconclusive": "i"}
        width = max([len(f.fault) for f in self.faults] + [10])
        header_height = max(len(r) for r in self.rules) if self.rules else 0
        lines = []
        for row in range(header_height):
            cells = "".join(r.rjust(header_height)[row] for r in self.rules)
            lines.append(" " * (width + 2) + cells)
        for fault in self.faults:
            cells = "".join(marks.get(fault.verdicts.get(r, ""), "-") for r in self.rules)
            lines.append(f"{fault.fault:<{width}}  {cells}  {'C' if fault.cascade else ' '}")
        lines.append("")
        lines.append(
            "X fail (MUST), w warning (SHOULD), i inconclusive, . pass, - not applicable or "
            "not run; C in the last column: a cascade (another rule failed, not listed)"
        )
        return lines


def write(matrix: Matrix, output: Path) -> tuple[Path, Path]:
    output.mkdir(parents=True, exist_ok=True)
    json_path = output / "killmatrix.json"
    json_path.write_text(json.dumps(matrix.to_dict(), indent=2) + "\n", encoding="utf-8")
    text_path = output / "killmatrix.txt"
    text = [*matrix.summary(), "", *matrix.lines(), "", *matrix.grid()]
    exceptions = [
        f"  {fault} -> {rule_id}: {reason}"
        for fault, rules in matrix.exceptions.items()
        for rule_id, reason in rules.items()
    ]
    if exceptions:
        text += ["", "listed exceptions:", *exceptions]
    text_path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return json_path, text_path


# the command -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="klanten-conformance killmatrix",
        description=(
            "Run the suites against the reference server once per fault switch and show "
            "which rules each fault makes fail (kill rate and the cascade check)."
        ),
    )
    parser.add_argument("--jobs", "-j", type=int, default=2, help="runs in parallel (2)")
    parser.add_argument("--faults", help="comma-separated faults to run (default: all)")
    parser.add_argument(
        "--sample",
        action="store_true",
        help="a quick matrix: every real-world fault and the first clean fault of each class",
    )
    parser.add_argument(
        "--oas-examples",
        type=int,
        default=DEFAULT_OAS_EXAMPLES,
        help=f"generated cases per operation and mode in the oas class ({DEFAULT_OAS_EXAMPLES})",
    )
    parser.add_argument(
        "--depth",
        choices=("quick", "default", "deep"),
        help="depth of the generated oas classes in every run (default: the run's default)",
    )
    parser.add_argument(
        "--oas-seed",
        type=int,
        default=DEFAULT_OAS_SEED,
        help=f"seed of the generated cases, for a reproducible matrix ({DEFAULT_OAS_SEED})",
    )
    parser.add_argument(
        "--output", type=Path, help="output folder (default reports/killmatrix-<UTC time>)"
    )
    parser.add_argument(
        "--exceptions", type=Path, default=EXCEPTIONS_PATH, help="exceptions file (YAML)"
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per run (900)"
    )
    parser.add_argument(
        "--no-fork",
        dest="fork",
        action="store_false",
        default=None,
        help="start every run as a fresh interpreter instead of forking a warm one",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """0: kill rate 100% and specific; 1: not; 2: usage error or a failing baseline."""
    from reference_server.faults import FAULTS, UnknownFaultError, parse_faults

    args = build_parser().parse_args(list(argv) if argv is not None else None)
    catalogue = load_catalogue()
    try:
        if args.faults:
            chosen = parse_faults(args.faults.split(","))
            faults = [f for f in FAULTS if f in chosen]
        elif args.sample:
            faults = sample(catalogue, FAULTS)
        else:
            faults = list(FAULTS)
        exceptions = load_exceptions(args.exceptions, catalogue)
    except (UnknownFaultError, KillMatrixError) as exc:
        print(f"klanten-conformance killmatrix: {exc}", file=sys.stderr)
        return 2
    if args.jobs < 1 or args.oas_examples < 1:
        print("klanten-conformance killmatrix: --jobs and --oas-examples must be >= 1")
        return 2
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    output = (args.output or Path("reports") / f"killmatrix-{stamp}").resolve()
    runs_dir = output / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    print(
        f"kill matrix: baseline + {len(faults)} fault(s), jobs {args.jobs}, "
        f"--oas-examples {args.oas_examples}, output {output}",
        flush=True,
    )
    width = max([len(f) for f in faults] + [10])

    def progress(outcome: RunOutcome, count: int, total: int, retrying: bool) -> None:
        if retrying:
            status = f"no verdicts, running it again: {outcome.error}"
        elif not is_baseline(outcome.fault):
            status = judge(outcome, catalogue, exceptions).status
        else:
            status = outcome.error or "baseline run"
        print(
            f"[{count:>2}/{total}] {outcome.label:<{width}} {outcome.seconds:5.1f}s  {status}",
            flush=True,
        )

    clock = time.monotonic()
    try:
        found, outcomes = run_all(
            faults,
            runs_dir=runs_dir,
            jobs=args.jobs,
            oas_examples=args.oas_examples,
            oas_seed=args.oas_seed,
            timeout=args.timeout,
            fork=args.fork,
            baseline_ok=baseline_problem(catalogue),
            progress=progress,
            baseline_names=baselines(catalogue),
            scope_of=lambda name: [
                *scope(name, catalogue),
                *(["--depth", args.depth] if args.depth else []),
            ],
        )
        baseline = found[0]
    except KillMatrixError as exc:
        print(f"klanten-conformance killmatrix: {exc}", file=sys.stderr)
        return 2
    matrix = Matrix(
        started=started.isoformat(timespec="seconds").replace("+00:00", "Z"),
        wall_seconds=round(time.monotonic() - clock, 1),
        jobs=args.jobs,
        oas_examples=args.oas_examples,
        oas_seed=args.oas_seed,
        rules=[rule.id for rule in klanten_rules(catalogue)],
        baseline=baseline,
        faults=[judge(outcome, catalogue, exceptions) for outcome in outcomes],
        not_faultable={
            rule.id: rule.not_faultable_reason
            for rule in klanten_rules(catalogue)
            if rule.not_faultable_reason
        },
        uncovered=uncovered_rules(catalogue, FAULTS),
        coverage=coverage(catalogue, FAULTS),
        exceptions={f: dict(r) for f, r in exceptions.allowed.items() if f in faults},
    )
    json_path, text_path = write(matrix, output)
    print("", *matrix.lines(), "", *matrix.summary(), sep="\n")
    print(f"written: {json_path} and {text_path}")
    return 0 if matrix.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
