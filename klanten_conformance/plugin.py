"""The pytest plugin of the conformance harness.

It is inert unless suites are being run: suite paths among the arguments, or a target option.
Then it resolves the target (or starts the built-in reference server), runs the preflight,
selects tests by class/rule/level, and ends with a per-class, per-rule verdict table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from klanten_conformance import hooks
from klanten_conformance.checks import ConformanceFailure
from klanten_conformance.fixtures import KlantenClient, make_klanten_fixture
from klanten_conformance.rules import Catalogue, CatalogueError, load_catalogue
from klanten_conformance.stubs import NotificationReceiver, SubjectRegistry
from klanten_conformance.summary import FAILED_PROPERTY, RULES_PROPERTY, Selection, Verdicts
from klanten_conformance.target import (
    SECRET_ENV,
    ReferenceServer,
    Target,
    TargetError,
    preflight,
    target_from_options,
)
from klanten_conformance.tokens import NIVEAUS

SUITES_DIR = Path(__file__).resolve().parents[1] / "suites"
RULE_MARKER = "rule"
CREATES_DATA_MARKER = "creates_data"
_OPTIONS = (
    "klanten_url",
    "target",
    "classes",
    "rule",
    "level",
    "read_only",
)
_HARNESS = pytest.StashKey["Harness"]()
_VERDICTS = pytest.StashKey[Verdicts]()
_REQUESTS_OUTPUT = "klanten_requests"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register the vendor hooks (klanten_conformance.hooks)."""
    pluginmanager.add_hookspecs(hooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("klanten-conformance", "Klanten API conformance target and selection")
    group.addoption("--klanten-url", help="base URL of the Klanten API under test")
    group.addoption("--client-id", help="ZGW client id for the target")
    group.addoption("--secret", help=f"ZGW secret of the client (or env {SECRET_ENV})")
    group.addoption("--restricted-client-id", help="a client with only klanten.lezen (AUTH-02)")
    group.addoption("--restricted-secret", help="secret of the restricted client")
    group.addoption("--bronorganisatie", help="RSIN used as bronorganisatie for test data")
    group.addoption("--callback-host", help="host the target can reach the harness stubs on")
    group.addoption("--min-niveau", choices=NIVEAUS, help="minimum end-user authentication level")
    group.addoption("--classes", help="comma-separated conformance classes to run")
    group.addoption("--rule", action="append", help="rule id(s) to run (repeatable, commas ok)")
    group.addoption("--level", choices=("MUST", "SHOULD"), help="run only rules of this level")
    group.addoption("--read-only", action="store_true", help="run only checks that create nothing")
    group.addoption("--target", help="target name in the targets file")
    group.addoption("--targets-file", help="targets file (default ./targets.toml)")
    group.addoption(
        "--oas-examples",
        type=int,
        default=25,
        help="generated cases per operation and mode in the oas class (default 25)",
    )
    group.addoption("--oas-seed", type=int, help="seed for the generated cases (reproducible runs)")


class Harness:
    """Per-process state: the target, the auto-started server and the stub services."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.explicit: Target | None = None
        self.target: Target | None = None
        self.server: ReferenceServer | None = None
        self.registry: SubjectRegistry | None = None
        self.receiver: NotificationReceiver | None = None

    def option(self, name: str) -> Any:
        return self.config.getoption(name, None)

    def resolve(self) -> None:
        names = (
            "klanten_url",
            "client_id",
            "secret",
            "restricted_client_id",
            "restricted_secret",
            "bronorganisatie",
            "callback_host",
            "min_niveau",
            "target",
            "targets_file",
        )
        self.explicit = target_from_options({name: self.option(name) for name in names})

    def stubs(self) -> tuple[SubjectRegistry, NotificationReceiver]:
        if self.registry is None or self.receiver is None:
            callback_host = self.option("callback_host")
            bind = "0.0.0.0" if callback_host else "127.0.0.1"
            self.registry = SubjectRegistry(bind, advertise_host=callback_host or None).start()
            self.receiver = NotificationReceiver(bind, advertise_host=callback_host).start()
        return self.registry, self.receiver

    def ensure(self) -> Target:
        """The target, starting stubs and (without a URL) the reference server on first use."""
        if self.target is not None:
            return self.target
        _, receiver = self.stubs()
        if self.explicit is not None:
            self.target = self.explicit
        else:
            self.server = ReferenceServer(receiver.url, self.option("min_niveau") or "substantieel")
            target = self.server.start()
            bron = self.option("bronorganisatie")
            self.target = replace(target, bronorganisatie=bron) if bron else target
            preflight(self.target)
        return self.target

    def close(self) -> None:
        for service in (self.server, self.registry, self.receiver):
            if service is not None:
                service.stop()


def suites_requested(config: pytest.Config) -> bool:
    """True when this run is a conformance run (suites given, or a suite option used)."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return bool(workerinput.get("klanten_active"))
    if any(config.getoption(name, None) for name in _OPTIONS):
        return True
    base = config.invocation_params.dir
    for arg in config.args:
        path = (base / arg.split("::", 1)[0]).resolve()
        if path == SUITES_DIR or SUITES_DIR in path.parents:
            return True
    return False


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _uses_xdist(config: pytest.Config) -> bool:
    return bool(config.getoption("numprocesses", None)) and config.getoption("dist", "no") != "no"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{RULE_MARKER}(*ids): the rule ids of specs/rules.yaml this test proves"
    )
    config.addinivalue_line(
        "markers", f"{CREATES_DATA_MARKER}: the test creates data (skipped under --read-only)"
    )
    config.stash[_HARNESS] = Harness(config)
    if not _is_worker(config) and suites_requested(config):
        verdicts = Verdicts(config, _catalogue(), selection(config))
        config.pluginmanager.register(verdicts, "klanten-verdicts")
        config.stash[_VERDICTS] = verdicts
    if suites_requested(config):
        _count_requests(config)
    if suites_requested(config):
        from klanten_conformance.report.plugin import register as register_report

        register_report(config, _catalogue())


def _catalogue() -> Catalogue:
    try:
        return load_catalogue()
    except CatalogueError as exc:
        raise pytest.UsageError(f"klanten-conformance: {exc}") from None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    node.workerinput["klanten_active"] = suites_requested(node.config)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if not suites_requested(config):
        return
    harness = config.stash[_HARNESS]
    try:
        harness.resolve()
        if _is_worker(config) or config.option.collectonly:
            return
        if harness.explicit is not None:
            preflight(harness.explicit)
        elif not _uses_xdist(config):
            harness.ensure()
    except TargetError as exc:
        harness.close()
        pytest.exit(f"klanten-conformance: {exc}", returncode=2)


class _RequestCounter:
    """Counts the HTTP requests of this process (harness client, schemathesis, preflight)."""

    def __init__(self) -> None:
        self.count = 0
        self.workers = 0
        self._original: Any = None

    def install(self) -> None:
        import requests.adapters

        adapter = requests.adapters.HTTPAdapter
        original = adapter.send
        counter = self

        def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            counter.count += 1
            return original(self, request, *args, **kwargs)

        self._original = original
        adapter.send = send  # type: ignore[method-assign]

    def uninstall(self) -> None:
        if self._original is not None:
            import requests.adapters

            requests.adapters.HTTPAdapter.send = self._original  # type: ignore[method-assign]
            self._original = None


_COUNTER = pytest.StashKey[_RequestCounter]()


def _count_requests(config: pytest.Config) -> None:
    counter = _RequestCounter()
    counter.install()
    config.stash[_COUNTER] = counter


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    counter = config.stash.get(_COUNTER, None)
    if counter is None:
        return
    if _is_worker(config):
        config.workeroutput[_REQUESTS_OUTPUT] = counter.count  # type: ignore[attr-defined]
    verdicts = config.stash.get(_VERDICTS, None)
    if verdicts is not None:
        verdicts.requests = counter.count + counter.workers


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    counter = node.config.stash.get(_COUNTER, None)
    if counter is not None:
        counter.workers += int(getattr(node, "workeroutput", {}).get(_REQUESTS_OUTPUT, 0))


def pytest_unconfigure(config: pytest.Config) -> None:
    counter = config.stash.get(_COUNTER, None)
    if counter is not None:
        counter.uninstall()
    harness = config.stash.get(_HARNESS, None)
    if harness is not None:
        harness.close()


def rule_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for marker in item.iter_markers(RULE_MARKER):
        ids.extend(str(arg) for arg in marker.args)
    return ids


def _split(values: Any) -> set[str]:
    if not values:
        return set()
    if isinstance(values, str):
        values = [values]
    return {part.strip() for value in values for part in value.split(",") if part.strip()}


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not any(rule_ids(item) for item in items) and not suites_requested(config):
        return
    catalogue = _catalogue()
    errors = []
    for item in items:
        ids = rule_ids(item)
        in_suites = SUITES_DIR in Path(str(item.path)).resolve().parents
        if in_suites and not ids:
            errors.append(f"{item.nodeid}: a suite test must be marked @pytest.mark.rule(...)")
        for rule_id in ids:
            try:
                catalogue.get(rule_id)
            except KeyError as exc:
                errors.append(f"{item.nodeid}: {exc.args[0]}")
        if ids:
            item.user_properties.append((RULES_PROPERTY, ",".join(ids)))
    if errors:
        raise pytest.UsageError("unknown or missing rule ids:\n  " + "\n  ".join(errors))
    _select(config, items, catalogue)
    if config.getoption("read_only", False):
        skip = pytest.mark.skip(reason="--read-only: this check creates data")
        for item in items:
            if item.get_closest_marker(CREATES_DATA_MARKER):
                item.add_marker(skip)


def selection(config: pytest.Config) -> Selection:
    """The rules selected by --classes/--rule/--level (a usage error for unknown ids)."""
    classes = _split(config.getoption("classes", None))
    wanted_rules = _split(config.getoption("rule", None))
    catalogue = _catalogue()
    unknown = sorted(classes - set(catalogue.classes)) + sorted(wanted_rules - set(catalogue.rules))
    if unknown:
        raise pytest.UsageError(
            f"unknown conformance class(es) or rule id(s): {', '.join(unknown)}"
        )
    return Selection.of(classes, wanted_rules, config.getoption("level", None))


def _select(config: pytest.Config, items: list[pytest.Item], catalogue: Any) -> None:
    chosen = selection(config)
    if not chosen:
        return
    keep, drop = [], []
    for item in items:
        wanted = any(chosen.wants(catalogue.rules[r]) for r in rule_ids(item))
        (keep if wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and isinstance(call.excinfo.value, ConformanceFailure):
        report.user_properties.append((FAILED_PROPERTY, call.excinfo.value.rule))


# fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def klanten_harness(pytestconfig: pytest.Config) -> Harness:
    harness = pytestconfig.stash[_HARNESS]
    if not suites_requested(pytestconfig):
        pytest.fail(
            "the conformance suites run through `klanten-conformance run` or pytest suites/"
        )
    return harness


@pytest.fixture(scope="session")
def klanten_target(klanten_harness: Harness) -> Target:
    """The target under test (the built-in reference server when no URL was given)."""
    try:
        return klanten_harness.ensure()
    except TargetError as exc:
        klanten_harness.close()
        pytest.exit(f"klanten-conformance: {exc}", returncode=2)


@pytest.fixture(scope="session")
def subject_registry(klanten_harness: Harness) -> SubjectRegistry:
    """Stub subject register whose URLs answer a chosen status (kla-002)."""
    return klanten_harness.stubs()[0]


@pytest.fixture(scope="session")
def notification_receiver(klanten_harness: Harness, klanten_target: Target) -> NotificationReceiver:
    """Stub notification receiver; skips when the target does not post to it."""
    if not klanten_target.notifications:
        pytest.skip("the target was not configured to post notifications to the harness receiver")
    return klanten_harness.stubs()[1]


@pytest.fixture
def klanten(klanten_target: Target, request: pytest.FixtureRequest) -> Iterator[KlantenClient]:
    """A client of the target's Klanten API with cleanup and response validation."""
    yield from make_klanten_fixture(klanten_target, request)


__all__ = ["Harness", "rule_ids", "suites_requested"]
