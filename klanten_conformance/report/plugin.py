"""The report plugin: collects per-rule results and writes ``reports/<run-id>/``.

Registered by the harness plugin when suites run, on the controller and on xdist workers:

- everywhere: Allure labels on every suite test, failed checks' evidence in ``user_properties``
  (the only data that travels from workers) and as Allure attachments;
- on the controller (or the only process): one record per test report, and at the end
  ``conformance.json``, ``conformance.html``, ``badge.json``; JUnit XML and Allure results go to
  the same folder unless ``--junitxml``/``--alluredir`` were given.

The folder is ``$KLANTEN_CONFORMANCE_REPORTS_DIR`` (default ``./reports``) / run id, the run id
being the UTC start time and the target name (or ``$KLANTEN_CONFORMANCE_RUN_ID``).
"""

from __future__ import annotations

import json
import os
import platform
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from klanten_conformance.checks import ConformanceFailure
from klanten_conformance.report import allure_labels, badge, html_report, json_report
from klanten_conformance.report.model import Failure, RunResult, TestRecord, build_classes
from klanten_conformance.report.scrub import env_secrets, scrub
from klanten_conformance.rules import Catalogue, load_catalogue
from klanten_conformance.summary import (
    CHECKED_PROPERTY,
    FAILED_PROPERTY,
    RULES_PROPERTY,
    _props,
    _skip_reason,
)

REPORTS_DIR_ENV = "KLANTEN_CONFORMANCE_REPORTS_DIR"
RUN_ID_ENV = "KLANTEN_CONFORMANCE_RUN_ID"
PROFILE_ENV = "KLANTEN_CONFORMANCE_PROFILE"
DEFAULT_PROFILE = "klanten-1.0"
FAILURE_PROPERTY = "klanten_failure"
ALLURE_DIR = "allure-results"
JUNIT_FILE = "junit.xml"
MAX_MESSAGE = 4000
_WORKER_KEY = "klanten_report_dir"


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-").lower() or "target"


def utc_stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def target_name(config: pytest.Config) -> str:
    """The name of the target as the command line gives it (no secrets, no credentials)."""
    if config.getoption("target", None):
        return str(config.getoption("target"))
    url = config.getoption("klanten_url", None)
    if url:
        parts = urlsplit(str(url))
        return parts.hostname + (f"-{parts.port}" if parts.port else "") if parts.hostname else url
    return "reference-server"


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


class ReportPlugin:
    def __init__(self, config: pytest.Config, catalogue: Catalogue | None = None) -> None:
        self.config = config
        self.catalogue = catalogue or load_catalogue()
        self.started = datetime.now(UTC)
        self.profile = str(
            config.getoption("profile", None) or os.environ.get(PROFILE_ENV) or DEFAULT_PROFILE
        )
        self.target = target_name(config)
        self.records: list[TestRecord] = []
        self.error = ""
        self.written = False
        self.worker = hasattr(config, "workerinput")
        if self.worker:
            self.run_dir = Path(config.workerinput[_WORKER_KEY])  # type: ignore[attr-defined]
        else:
            self.run_dir = self._make_run_dir()
        allure_labels.enable(config, self.run_dir / ALLURE_DIR)
        if not self.worker and not getattr(config.option, "xmlpath", None):
            config.option.xmlpath = str(self.run_dir / JUNIT_FILE)

    def _make_run_dir(self) -> Path:
        base = Path(os.environ.get(REPORTS_DIR_ENV) or "reports").resolve()
        if os.environ.get(RUN_ID_ENV):
            run_dir = base / os.environ[RUN_ID_ENV]
            run_dir.mkdir(parents=True, exist_ok=True)
            return run_dir
        run_id = f"{utc_stamp(self.started)}-{slug(self.target)}"
        base.mkdir(parents=True, exist_ok=True)
        for attempt in range(1, 1000):  # runs started in the same second get their own folder
            run_dir = base / (run_id if attempt == 1 else f"{run_id}-{attempt}")
            try:
                run_dir.mkdir()
            except FileExistsError:
                continue
            return run_dir
        raise RuntimeError(f"no free run folder for {base / run_id}")

    # secrets -------------------------------------------------------------------------------

    def secrets(self) -> list[str]:
        found = [
            str(self.config.getoption(name, None) or "") for name in ("secret", "restricted_secret")
        ]
        found += env_secrets()
        from klanten_conformance import plugin as harness_plugin

        harness = self.config.stash.get(harness_plugin._HARNESS, None)
        for target in (getattr(harness, "explicit", None), getattr(harness, "target", None)):
            if target is not None:
                found += list(target.secrets)
        return [s for s in found if s]

    # every process ---------------------------------------------------------------------------

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[_WORKER_KEY] = str(self.run_dir)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            ids = [str(arg) for marker in item.iter_markers("rule") for arg in marker.args]
            if ids:
                pairs = allure_labels.labels(ids, self.catalogue, self.profile, self.target)
                allure_labels.mark(item, pairs)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Iterator[None]:
        outcome = yield
        report = outcome.get_result()
        if call.excinfo is None or not isinstance(call.excinfo.value, ConformanceFailure):
            return
        failure = call.excinfo.value
        data = {
            "rule": failure.rule,
            "expected": failure.expected,
            "received": failure.received,
            "evidence": failure.evidence,
        }
        report.user_properties.append((FAILURE_PROPERTY, json.dumps(scrub(data, self.secrets()))))
        if failure.evidence:
            allure_labels.attach_evidence(failure.rule, scrub(failure.evidence, self.secrets()))

    # the controller --------------------------------------------------------------------------

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.worker:
            return
        rules = _props(report, RULES_PROPERTY)
        if not rules:
            return
        record = TestRecord(
            nodeid=report.nodeid,
            when=report.when or "",
            outcome=report.outcome,
            rules=rules,
            failed_rules=_props(report, FAILED_PROPERTY),
            checked_rules=_props(report, CHECKED_PROPERTY),
            duration=report.duration,
        )
        if report.skipped:
            record.skip_reason = _skip_reason(report)
        elif report.failed:
            record.failure = self._failure(report)
        self.records.append(record)

    def _failure(self, report: pytest.TestReport) -> Failure:
        for key, value in report.user_properties:
            if key == FAILURE_PROPERTY:
                data = json.loads(value)
                data.pop("rule", None)
                return Failure(test=report.nodeid, **data)
        message = report.longreprtext
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE] + "\n... (truncated)"
        return Failure(test=report.nodeid, message=f"{report.when}: {message}")

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        self.error = str(getattr(excinfo.value, "msg", None) or excinfo.value)

    def result(self, exitstatus: int) -> RunResult:
        complete = int(exitstatus) in (0, 1, 5)
        config = self.config
        selection = {
            "classes": config.getoption("classes", None),
            "rules": config.getoption("rule", None),
            "level": config.getoption("level", None),
            "read_only": bool(config.getoption("read_only", False)),
        }
        url = str(config.getoption("klanten_url", None) or "")
        parts = urlsplit(url)
        if parts.username or parts.password:  # never print credentials in a URL
            url = parts._replace(netloc=parts.hostname or "").geturl()
        return RunResult(
            run_id=self.run_dir.name,
            target={"name": self.target, "klanten_url": url or "built-in reference server"},
            profile=self.profile,
            versions=_versions(),
            started=_iso(self.started),
            finished=_iso(datetime.now(UTC)),
            selection=selection,
            status="complete" if complete else "error",
            error=self.error or ("" if complete else f"pytest exit status {int(exitstatus)}"),
            classes=build_classes(self.catalogue, self.records, self._selected),
        )

    def _selected(self, rule: Any) -> bool:
        def split(value: Any) -> set[str]:
            values = [value] if isinstance(value, str) else list(value or [])
            return {p.strip() for v in values for p in str(v).split(",") if p.strip()}

        classes = split(self.config.getoption("classes", None))
        rules = split(self.config.getoption("rule", None))
        level = self.config.getoption("level", None)
        return (
            (not classes or rule.rule_class in classes)
            and (not rules or rule.id in rules)
            and (not level or rule.level == level)
        )

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.worker:
            self.write(int(session.exitstatus))

    def pytest_unconfigure(self) -> None:
        """When the session never started (unusable target) there is no sessionfinish."""
        if not self.worker and not self.written:
            self.write(2)

    def write(self, exitstatus: int) -> None:
        self.written = True
        secrets = self.secrets()
        raw = self.result(exitstatus)
        result = RunResult.from_dict(scrub(raw.to_dict(), secrets))
        json_report.write(result, self.run_dir, secrets)
        html_report.write(result, self.run_dir)
        badge.write(result, self.run_dir)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.worker:
            return
        terminalreporter.write_line(f"klanten-conformance reports: {self.run_dir}")


def register(config: pytest.Config, catalogue: Catalogue | None = None) -> ReportPlugin:
    """Register the report plugin (called by the harness plugin when suites run)."""
    plugin = ReportPlugin(config, catalogue)
    config.pluginmanager.register(plugin, "klanten-report")
    return plugin
