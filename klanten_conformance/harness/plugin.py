"""The pytest plugin of the conformance harness.

It is inert unless suites are run: suite paths among the arguments, or one of our options.
Then, at configure time, it resolves the run context (and refuses bad options before anything
starts); at session start it starts the built-in reference server when no URL was given and
runs the preflight of every target; at collection it checks every suite test's rule ids and
selects tests by profile, API, class, rule and level; and it gives each check one of three
outcomes (passed, failed, blocked) for the verdict engine (the report plugin prints them).
"""

from __future__ import annotations

import ast
import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from klanten_conformance import apis, hooks
from klanten_conformance.checks import Blocked, ConformanceFailure
from klanten_conformance.harness import options, properties
from klanten_conformance.harness.client import EXCHANGES
from klanten_conformance.harness.context import ContextError, RunContext, resolve
from klanten_conformance.harness.session import Harness
from klanten_conformance.harness.targets import TargetError
from klanten_conformance.rules import Catalogue, CatalogueError, load_catalogue

SUITES_DIR = apis.SUITES
RULE_MARKER = "rule"
CREATES_DATA_MARKER = "creates_data"
CONTEXT = pytest.StashKey[RunContext]()
HARNESS = pytest.StashKey[Harness]()
_ACTIVE_OPTIONS = (
    "target",
    "klanten_url",
    "contactmomenten_url",
    "klantinteracties_url",
    "profile",
    "api",
    "classes",
    "rule",
    "level",
    "read_only",
)
#: the functions of klanten_conformance.checks whose first argument is a rule id
_RULE_FIRST = frozenset(
    {
        "fail",
        "expect_status",
        "expect_refused",
        "expect_invalid_param",
        "expect_equal",
        "expect_true",
        "expect_notification",
        "ConformanceFailure",
    }
)
#: evidence kept per check: the last exchanges in full (the report shows them all)
MAX_EXCHANGES = 30


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register the vendor hooks (klanten_conformance.hooks)."""
    pluginmanager.add_hookspecs(hooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_to_pytest(parser)


def suites_requested(config: pytest.Config) -> bool:
    """True when this run is a conformance run (suites given, or one of our options used)."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return bool(workerinput.get("klanten_active"))
    if any(config.getoption(name, None) for name in _ACTIVE_OPTIONS):
        return True
    base = config.invocation_params.dir
    for arg in config.args:
        path = (base / arg.split("::", 1)[0]).resolve()
        if path == SUITES_DIR or SUITES_DIR in path.parents:
            return True
    return False


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def uses_xdist(config: pytest.Config) -> bool:
    return bool(config.getoption("numprocesses", None)) and config.getoption("dist", "no") != "no"


def catalogue() -> Catalogue:
    try:
        return load_catalogue()
    except CatalogueError as exc:
        raise pytest.UsageError(f"klanten-conformance: {exc}") from None


def run_context(config: pytest.Config) -> RunContext | None:
    return config.stash.get(CONTEXT, None)


@pytest.hookimpl(trylast=True)  # after the terminal reporter registered (--verdicts-only)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{RULE_MARKER}(*ids): the rule ids of the catalogue this test proves"
    )
    config.addinivalue_line(
        "markers", f"{CREATES_DATA_MARKER}: the test creates data (skipped under --read-only)"
    )
    if not suites_requested(config):
        return
    try:
        context = resolve(options.values(config), catalogue())
    except ContextError as exc:
        raise pytest.UsageError(f"klanten-conformance: {exc}") from None
    config.stash[CONTEXT] = context
    config.stash[HARNESS] = Harness(context)
    if context.verdicts_only and not is_worker(config):
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:  # machine mode: only the verdict lines are printed
            config.pluginmanager.unregister(reporter)
    from klanten_conformance.report.plugin import register

    register(config, context)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    node.workerinput["klanten_active"] = suites_requested(node.config)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    harness = config.stash.get(HARNESS, None)
    if harness is None or config.option.collectonly:
        return
    try:
        if not harness.context.builtin and not is_worker(config):
            harness.check({**harness.context.targets, **harness.context.sources})
        if harness.context.builtin and (is_worker(config) or not uses_xdist(config)):
            harness.targets()
    except TargetError as exc:
        harness.close()
        raise pytest.UsageError(f"klanten-conformance: {exc}") from None


def pytest_unconfigure(config: pytest.Config) -> None:
    harness = config.stash.get(HARNESS, None)
    if harness is not None:
        harness.close()


# collection ----------------------------------------------------------------------------------


def rule_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for marker in item.iter_markers(RULE_MARKER):
        ids.extend(str(arg) for arg in marker.args)
    return ids


def title_of(item: pytest.Item) -> str:
    """The purpose of a check: its docstring's first line without the leading rule ids."""
    doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
    first = doc.strip().split("\n", 1)[0].strip()
    head, sep, rest = first.partition(": ")
    if sep and all(part.strip() for part in head.split(",")) and len(head) < 40:
        first = rest
    return first[:1].upper() + first[1:] if first else item.name


@functools.cache
def _rule_literals(path: Path) -> dict[str, list[tuple[int, str]]]:
    """function name -> (line, rule id) of every ``checks.X("RULE", ...)`` call in a module."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return {}
    found: dict[str, list[tuple[int, str]]] = {}
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "checks"
                and node.func.attr in _RULE_FIRST
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(function.name, []).append((node.lineno, node.args[0].value))
    return found


def _literal_errors(item: pytest.Item, known: Catalogue) -> list[str]:
    function = getattr(item, "function", None)
    if function is None or not str(item.path).endswith(".py"):
        return []
    calls = _rule_literals(Path(str(item.path)))
    errors = []
    for line, rule_id in calls.get(function.__name__, []):
        if rule_id not in known.rules:
            hint = known.close_matches(rule_id)
            more = f" (did you mean {', '.join(hint)}?)" if hint else ""
            errors.append(
                f"{item.nodeid}: line {line}: checks.* names unknown rule {rule_id!r}{more}"
            )
    return errors


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    context = run_context(config)
    if context is None and not any(rule_ids(item) for item in items):
        return
    known = context.catalogue if context is not None else catalogue()
    errors: list[str] = []
    for item in items:
        ids = rule_ids(item)
        in_suites = SUITES_DIR in Path(str(item.path)).resolve().parents
        if in_suites and not ids:
            errors.append(f"{item.nodeid}: a suite test must be marked @pytest.mark.rule(...)")
        for rule_id in ids:
            try:
                known.get(rule_id)
            except KeyError as exc:
                errors.append(f"{item.nodeid}: {exc.args[0]}")
        if in_suites:
            errors += _literal_errors(item, known)
        if ids:
            item.user_properties.append((properties.RULES, ",".join(ids)))
            item.user_properties.append((properties.TITLE, title_of(item)))
    if errors:
        raise pytest.UsageError(
            "klanten-conformance: unknown or missing rule ids:\n  " + "\n  ".join(errors)
        )
    if context is None:
        return
    keep, drop = [], []
    for item in items:
        rules = [known.rules[r] for r in rule_ids(item)]
        wanted = not rules or any(context.wants(r) and context.applies(r) for r in rules)
        (keep if wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    if context.selection.read_only:
        skip = pytest.mark.skip(reason="--read-only: this check creates data")
        for item in items:
            if item.get_closest_marker(CREATES_DATA_MARKER):
                item.add_marker(skip)


# outcomes ------------------------------------------------------------------------------------


def _exchanges(item: pytest.Item) -> list[str]:
    logs = item.stash.get(EXCHANGES, [])
    exchanges = [exchange for log in logs for exchange in log]
    exchanges.sort(key=lambda e: getattr(e, "started", 0.0))
    shown = exchanges[-MAX_EXCHANGES:]
    rendered = [exchange.render(phase=True) for exchange in shown]
    if len(exchanges) > len(shown):
        rendered.insert(0, f"({len(exchanges) - len(shown)} earlier exchange(s) not kept)")
    return rendered


def _notes(report: pytest.TestReport) -> list[str]:
    return [str(v) for k, v in report.user_properties if k == properties.NOTES]


def _concise(config: pytest.Config) -> bool:
    return config.getoption("tbstyle", "auto") == "auto" and config.getoption("verbose", 0) < 1


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    context = run_context(item.config)
    if context is None or call.excinfo is None or not report.failed:
        return
    error = call.excinfo.value
    data: dict[str, Any] = {
        "title": title_of(item),
        "exchanges": _exchanges(item),
        "notes": _notes(report),
    }
    if isinstance(error, ConformanceFailure):
        known = error.rule in context.catalogue.rules
        if known:
            report.user_properties.append((properties.FAILED, error.rule))
        data.update(
            kind="failed" if known else "blocked",
            expected=error.expected,
            received=error.received,
            evidence=error.evidence,
        )
        if not known:
            data["received"] = f"the harness named an unknown rule {error.rule!r}: {error.received}"
        text = str(error)
    elif isinstance(error, Blocked):
        data.update(
            kind="blocked",
            expected=error.what,
            received=error.received,
            covering=list(error.covering),
            evidence=error.evidence,
        )
        text = str(error)
    else:
        # an unexpected error is no verdict on the rule: the check could not be completed
        message = f"{type(error).__name__}: {error}"
        data.update(
            kind="blocked",
            expected="completing the check",
            received=message,
            message=report.longreprtext[-3000:],
        )
        text = None
    if data["kind"] == "blocked":
        report.user_properties.append((properties.OUTCOME, "blocked"))
    report.user_properties.append((properties.FAILURE, json.dumps(data)))
    if text is not None and _concise(item.config):
        more = len(data["exchanges"])
        hint = f"\n({more} exchange(s) recorded: see the report, or run with --tb=short)"
        report.longrepr = f"{report.when}: {text}{hint if more > 1 else ''}"


def outcome_of(report: pytest.TestReport) -> str:
    """``passed``, ``failed``, ``blocked`` or ``skipped``."""
    if report.failed and any(
        k == properties.OUTCOME and v == "blocked"
        for k, v in getattr(report, "user_properties", ())
    ):
        return "blocked"
    return report.outcome


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> Any:
    if outcome_of(report) == "blocked":
        return "blocked", "B", ("BLOCKED", {"yellow": True})
    return None


# fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def harness(pytestconfig: pytest.Config) -> Harness:
    """The run's live state (context, stubs, targets)."""
    found = pytestconfig.stash.get(HARNESS, None)
    if found is None:
        pytest.fail(
            "the conformance suites run through `klanten-conformance run` or pytest suites/"
        )
    return found


@pytest.fixture(scope="session")
def context(harness: Harness) -> RunContext:
    """The run context: profile, selection, settings."""
    return harness.context


@pytest.fixture(scope="session")
def subject_registry(harness: Harness) -> Any:
    """Stub subject register whose URLs answer a chosen status (kla-002)."""
    return harness.stubs()[0]


@pytest.fixture(scope="session")
def medewerker_registry(harness: Harness) -> Any:
    """Stub medewerker register whose URLs answer a chosen status (cm-003)."""
    return harness.medewerkers()


@pytest.fixture(scope="session")
def object_api(harness: Harness) -> Any:
    """Stub object API (a Zaken API fragment) with zaken and their contactmoment relations
    (cm-005, cm-006)."""
    return harness.objects()


@pytest.fixture(scope="session")
def notification_receiver(harness: Harness) -> Any:
    """Stub notification receiver; skips when the target does not post to it."""
    harness.targets()
    if not harness.notifications:
        pytest.skip("the target was not configured to post notifications to the harness receiver")
    return harness.stubs()[1]


def client_fixture(api_id: str) -> Any:
    """A function-scoped fixture of the API's client, for ``suites/<api>/conftest.py``."""
    from klanten_conformance.harness.client import client_fixture as body

    def fixture(harness: Harness, request: pytest.FixtureRequest) -> Iterator[Any]:
        definition = apis.get(api_id)
        try:
            target = harness.target(api_id)
        except TargetError as exc:
            raise Blocked(f"reaching the {definition.title}", str(exc)) from None
        yield from body(definition, target, harness.context, request)

    fixture.__name__ = apis.get(api_id).fixture
    fixture.__doc__ = f"A client of the target's {apis.get(api_id).title}."
    return pytest.fixture(fixture)
