"""The report plugin: test outcomes in, one verdict, every output out.

Registered by the harness plugin when suites run, on the controller and on xdist workers:

- everywhere: Allure labels on every suite test (epic = API, feature = class, story = rule)
  and the evidence of failed and blocked checks as Allure attachments;
- on the controller (or the only process): one record per test report; at the end the verdict
  engine folds them into the run's result, which the terminal summary, ``conformance.json``,
  ``conformance.html``, the badges and ``junit.xml`` all print, and which sets the exit status.

The report folder is ``<reports dir>/<run id>`` (reports dir: ``--reports-dir``, env
``KLANTEN_CONFORMANCE_REPORTS_DIR`` or ``./reports``; run id: the UTC start time and the
target name, or env ``KLANTEN_CONFORMANCE_RUN_ID``). A configuration error is refused before
it is made, and when the session never starts (a preflight error) it is removed again: only
a run that ran leaves a report.
"""

from __future__ import annotations

import contextlib
import json
import platform
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from klanten_conformance import apis
from klanten_conformance.harness import properties
from klanten_conformance.harness.context import RunContext
from klanten_conformance.harness.verdicts import (
    HEADLINES,
    Scope,
    build_classes,
    exit_status,
    unknown_rules,
)
from klanten_conformance.report import allure_labels, badge, html_report, json_report, junit
from klanten_conformance.report.model import (
    BLOCKED,
    COMPLETE,
    FAIL,
    INCONCLUSIVE,
    INTERRUPTED,
    NOT_TESTED,
    PASS,
    WARNING,
    Failure,
    RunResult,
    TestRecord,
)
from klanten_conformance.report.scrub import env_secrets, scrub

ALLURE_DIR = "allure-results"
MAX_MESSAGE = 4000
_REQUESTS_OUTPUT = "klanten_requests"
_WORKER_KEY = "klanten_report_dir"


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-").lower() or "target"


def utc_stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _versions() -> dict[str, str]:
    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "unknown"

    return {
        "klanten-conformance": version("klanten-conformance"),
        "pytest": pytest.__version__,
        "python": platform.python_version(),
    }


def props(report: pytest.TestReport, name: str) -> list[str]:
    values = []
    for key, value in report.user_properties:
        if key == name:
            values.extend(v for v in str(value).split(",") if v)
    return values


def skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def make_run_dir(base: Path, run_id: str | None, target: str, started: datetime) -> Path:
    base = Path(base).resolve()
    if run_id:
        run_dir = base / run_id
        run_dir.mkdir(parents=True, exist_ok=True)
        return run_dir
    name = f"{utc_stamp(started)}-{slug(target)}"
    base.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, 1000):  # runs started in the same second get their own folder
        run_dir = base / (name if attempt == 1 else f"{name}-{attempt}")
        try:
            run_dir.mkdir()
        except FileExistsError:
            continue
        return run_dir
    raise RuntimeError(f"no free run folder for {base / name}")


class _RequestCounter:
    """Counts the HTTP requests of this process (harness clients, schemathesis, preflight),
    from any thread (the generated class sends from worker threads)."""

    def __init__(self) -> None:
        self.count = 0
        self.workers = 0
        self._original: Any = None
        self._lock = threading.Lock()

    def install(self) -> None:
        import requests.adapters

        adapter = requests.adapters.HTTPAdapter
        original = adapter.send
        counter = self

        def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            with counter._lock:
                counter.count += 1
            return original(self, request, *args, **kwargs)

        self._original = original
        adapter.send = send  # type: ignore[method-assign]

    def uninstall(self) -> None:
        if self._original is not None:
            import requests.adapters

            requests.adapters.HTTPAdapter.send = self._original  # type: ignore[method-assign]
            self._original = None


class ReportPlugin:
    def __init__(self, config: pytest.Config, context: RunContext) -> None:
        self.config = config
        self.context = context
        self.started = datetime.now(UTC)
        self.records: list[TestRecord] = []
        self.status = COMPLETE
        self.error = ""
        self.ran = False
        self.result: RunResult | None = None
        self.junit_path: Path | None = None
        self.worker = hasattr(config, "workerinput")
        if self.worker:
            self.run_dir = Path(config.workerinput[_WORKER_KEY])  # type: ignore[attr-defined]
        else:
            self.run_dir = make_run_dir(
                context.reports_dir, context.run_id, context.target_name, self.started
            )
        allure_labels.enable(config, self.run_dir / ALLURE_DIR)
        self.counter = _RequestCounter()
        self.counter.install()
        if context.verdicts_only and not self.worker:
            config.option.verbose = -2

    # secrets -------------------------------------------------------------------------------

    def secrets(self) -> list[str]:
        from klanten_conformance.harness.plugin import HARNESS

        found = list(self.context.secrets) + env_secrets()
        harness = self.config.stash.get(HARNESS, None)
        if harness is not None:
            found += list(harness.secrets)
        return [s for s in found if s]

    # every process -------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        # the session started (the targets passed their preflight); --collect-only judges nothing
        self.ran = not session.config.option.collectonly

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if self.worker:
            return
        from _pytest.junitxml import xml_key

        xml = self.config.stash.get(xml_key, None)
        if xml is not None:  # our writer knows blocked checks; pytest's would call them failed
            self.junit_path = Path(xml.logfile)
            self.config.pluginmanager.unregister(xml)
            del self.config.stash[xml_key]

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            ids = [str(arg) for marker in item.iter_markers("rule") for arg in marker.args]
            if ids:
                pairs = allure_labels.labels(
                    ids, self.context.catalogue, self.context.profile.id, self.context.target_name
                )
                allure_labels.mark(item, pairs)

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Iterator[None]:
        outcome = yield
        report = outcome.get_result()
        for key, value in report.user_properties:
            if key == properties.FAILURE:
                data = json.loads(value)
                text = "\n\n".join(data.get("exchanges") or []) or data.get("evidence") or ""
                if text:
                    allure_labels.attach_evidence(
                        data.get("kind", "failed"), scrub(text, self.secrets())
                    )

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[_WORKER_KEY] = str(self.run_dir)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        self.counter.workers += int(getattr(node, "workeroutput", {}).get(_REQUESTS_OUTPUT, 0))

    # the controller --------------------------------------------------------------------------

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.worker:
            return
        rules = props(report, properties.RULES)
        if not rules:
            return
        from klanten_conformance.harness.plugin import outcome_of

        titles = [v for k, v in report.user_properties if k == properties.TITLE]
        record = TestRecord(
            nodeid=report.nodeid,
            when=report.when or "",
            outcome=outcome_of(report),
            rules=rules,
            failed_rules=props(report, properties.FAILED),
            checked_rules=props(report, properties.CHECKED),
            duration=report.duration,
            title=str(titles[0]) if titles else "",
            notes=[str(v) for k, v in report.user_properties if k == properties.NOTES],
        )
        if report.skipped:
            record.skip_reason = skip_reason(report)
        elif report.failed:
            record.failure = self._failure(report, record)
        self.records.append(record)

    def _failure(self, report: pytest.TestReport, record: TestRecord) -> Failure:
        for key, value in report.user_properties:
            if key == properties.FAILURE:
                data = json.loads(value)
                return Failure(test=report.nodeid, **data)
        message = report.longreprtext
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE] + "\n... (truncated)"
        return Failure(
            test=report.nodeid,
            title=record.title,
            kind=BLOCKED,
            expected="completing the check",
            message=f"{report.when}: {message}",
        )

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        self.status = INTERRUPTED
        self.error = "interrupted"

    def build(self, exitstatus: int) -> RunResult:
        context = self.context
        if self.status == COMPLETE and int(exitstatus) not in (0, 1, 5):
            self.status = INTERRUPTED if int(exitstatus) == 2 else "error"
            self.error = self.error or (
                "interrupted" if int(exitstatus) == 2 else f"pytest exit status {int(exitstatus)}"
            )
        unknown = unknown_rules(context.catalogue, self.records)
        if unknown:  # the harness itself names a rule the catalogue lacks: no verdict then
            self.status = "error"
            self.error = f"the harness named unknown rule id(s): {', '.join(unknown)}"
            self.records = [r for r in self.records if not set(r.rules) & set(unknown)]

        def left_out(rule: Any) -> str:
            return context.left_out.get(rule.api) or "not selected in this run"

        scope = Scope(context.profile.id, context.wants, context.applies, left_out)
        urls = {api_id: target.url for api_id, target in context.targets.items()}
        sources = {api_id: target.url for api_id, target in context.sources.items()}
        if context.builtin:
            from klanten_conformance.harness.plugin import HARNESS

            harness = self.config.stash.get(HARNESS, None)
            live = harness._targets if harness is not None else None
            urls = {a: t.url for a, t in (live or {}).items()} or {
                a: "built-in reference server (one per worker)" for a in context.apis
            }
            served = harness._sources if harness is not None else {}
            source = context.migration_source
            if source:
                sources = {a: t.url for a, t in served.items()} or {
                    source: "built-in reference server (one per worker)"
                }
        return RunResult(
            run_id=self.run_dir.name,
            target={
                "name": context.target_name,
                "urls": urls,
                "apis": list(context.apis),
                "left_out": dict(context.left_out),
                "migration_source": sources,
            },
            profile=context.profile.id,
            versions=_versions(),
            started=_iso(self.started),
            finished=_iso(datetime.now(UTC)),
            selection=context.selection.as_dict(),
            status=self.status,
            error=self.error,
            classes=build_classes(context.catalogue, self.records, scope, self.status),
            requests=self.counter.count + self.counter.workers,
        )

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.worker:
            self.config.workeroutput[_REQUESTS_OUTPUT] = self.counter.count  # type: ignore[attr-defined]
            return
        if not self.ran:
            return
        secrets = self.secrets()
        result = RunResult.from_dict(scrub(self.build(int(session.exitstatus)).to_dict(), secrets))
        self.result = result
        json_report.write(result, self.run_dir, secrets)
        html_report.write(result, self.run_dir)
        badge.write(result, self.run_dir)
        junit.write(result, self.junit_path or self.run_dir / junit.FILENAME)
        session.exitstatus = exit_status(result)

    def pytest_unconfigure(self) -> None:
        self.counter.uninstall()
        if not self.worker and not self.ran and self.context.run_id is None:
            shutil.rmtree(self.run_dir, ignore_errors=True)  # the run never started or judged
            with contextlib.suppress(OSError):
                self.run_dir.parent.rmdir()  # and the reports folder, if that left it empty
        if self.context.verdicts_only and self.result is not None and not self.worker:
            for line in verdict_lines(self.result):
                sys.stdout.write(line + "\n")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.worker or self.result is None:
            return
        for line in summary_lines(self.result, self.run_dir):
            if line.startswith("=== "):
                terminalreporter.section(line.strip("= "))
            else:
                terminalreporter.write_line(line)


# what the terminal prints ----------------------------------------------------------------------


def verdict_lines(result: RunResult) -> list[str]:
    """Machine mode: one line per rule that counts (``RULE<TAB>LEVEL<TAB>VERDICT``)."""
    lines = [
        f"{rule.id}\t{rule.level}\t{rule.verdict}"
        for _, rule in result.rules()
        if rule.selected or rule.tests
    ]
    lines.append(f"run\t-\t{result.verdict}")
    return lines


def overall_line(result: RunResult) -> str:
    """One line: conforms / does not conform / incomplete, with the counts."""
    musts = [r for _, r in result.rules() if r.level == "MUST" and r.counts]
    count = {
        v: sum(1 for r in musts if r.verdict == v) for v in (PASS, FAIL, INCONCLUSIVE, NOT_TESTED)
    }
    warnings = sum(1 for _, r in result.rules() if r.verdict == WARNING)
    headline = HEADLINES.get(result.verdict, result.verdict).upper()
    parts = [f"{count[PASS]} of {len(musts)} MUST rules pass"]
    if count[FAIL]:
        parts.append(f"{count[FAIL]} fail")
    if count[INCONCLUSIVE]:
        parts.append(f"{count[INCONCLUSIVE]} inconclusive")
    if count[NOT_TESTED]:
        parts.append(f"{count[NOT_TESTED]} not tested")
    if warnings:
        parts.append(f"{warnings} SHOULD warning(s)")
    detail = f" ({result.error})" if result.error and result.verdict != FAIL else ""
    return f"verdict: {headline}{detail} — " + ", ".join(parts)


def summary_lines(result: RunResult, run_dir: Path | None) -> list[str]:
    profile = result.profile
    lines = [f"=== Conformance per class and rule (profile {profile}) ==="]
    for rule_class in result.classes:
        shown = [r for r in rule_class.rules if r.selected or r.tests]
        if not shown:
            continue
        lines.append(f"{rule_class.id} — {rule_class.title}: {rule_class.verdict.upper()}")
        for rule in shown:
            lines.append(f"  {rule.id:<14} {rule.level:<6} {rule.verdict:<14} {rule.reason}")
    left_out = result.target.get("left_out") or {}
    for api_id, reason in left_out.items():
        title = apis.get(api_id).title if api_id in apis.MODULES else api_id
        lines.append(f"not part of this run: {title} ({reason})")
    for api_id, url in (result.target.get("migration_source") or {}).items():
        title = apis.get(api_id).title if api_id in apis.MODULES else api_id
        lines.append(f"migration source, read only (ki-migratie): {title} at {url}")
    if result.requests is not None:
        lines.append(f"HTTP requests to the target: {result.requests}")
    if run_dir is not None:
        lines.append(f"reports: {run_dir}")
    lines.append(overall_line(result))
    again = [
        r.id for _, r in result.rules() if r.selected and r.verdict in (FAIL, WARNING, INCONCLUSIVE)
    ]
    if again:
        lines.append(f"rerun only these rules: add --rule {','.join(again)} to the same command")
    return lines


def register(config: pytest.Config, context: RunContext) -> ReportPlugin:
    """Register the report plugin (called by the harness plugin when suites run)."""
    plugin = ReportPlugin(config, context)
    config.pluginmanager.register(plugin, "klanten-report")
    return plugin
