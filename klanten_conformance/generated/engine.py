"""Generated requests: schemathesis cases of every operation of an API, judged per aspect.

For each operation of the API's document the :class:`Fuzzer` draws positive and negative
cases (schemathesis strategies driven by hypothesis), lets the API's :class:`Steering` make
them plausible for the standard's behaviour (existing resources in path parameters, valid
identification numbers, the end-user authentication a body needs), sends them and judges
every response with the registered checks (``generated.checks``), each finding under the rule
the API's registry entry gives the check's aspect.

When the resources the cases need cannot be created, the cases that need none (lists,
creates, malformed and unknown ids, bad tokens) still run and are judged, and the aspects
that could not be judged for an operation are *blocked* with the cause.

The cases of a phase (examples, coverage, fuzzing, probes) go as a batch: the steering
prepares all of them in case order, at most ``concurrency`` worker threads send them (each
with a ``requests.Session`` of its own, only ever to the target's base URL), and the
responses are registered and judged in case order in the calling thread, whatever order they
came in, so findings and evidence do not depend on timing and the steering need not be
thread-safe. With ``concurrency`` 1 every case is prepared, sent and judged before the next
one; the stateful sequence always runs that way (each step needs the previous response).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests
from hypothesis import HealthCheck, Phase, given, seed, settings

from klanten_conformance.apis import ApiDefinition
from klanten_conformance.checks import Blocked
from klanten_conformance.generated import checks as registry
from klanten_conformance.generated.probes import FAR_PAGE, Probe, is_list, probes_of
from klanten_conformance.http import curl, redact
from klanten_conformance.oas import operations

#: distinct failures kept per rule and operation
MAX_FINDINGS = 10
#: stateful sequences run per --depth
SEQUENCES = {"quick": 0, "default": 1, "deep": 3}
_HIDDEN_HEADERS = ("authorization", "user-agent", "accept-encoding", "connection")


@dataclass
class Finding:
    """One response that breaks a rule."""

    rule: str
    expected: str
    received: str
    evidence: str
    #: what makes it a distinct failure of its operation: (check, status, failure kind)
    key: tuple = ()
    #: how many responses failed the same way
    times: int = 1


@dataclass
class OperationRun:
    """What the generated cases of one operation showed, per rule."""

    operation_id: str
    statuses: dict[str, Counter] = field(default_factory=dict)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    checked: Counter = field(default_factory=Counter)
    requests: int = 0
    #: why some cases could not be sent (the resources they need could not be made)
    blocked: Blocked | None = None

    def repeat(self, rule: str, key: tuple) -> bool:
        """Count a failure already kept (same rule, check, status and kind); False if new."""
        for kept in self.findings.get(rule, ()):
            if kept.key == key:
                kept.times += 1
                self.counts[rule] += 1
                return True
        return False

    def add(self, finding: Finding) -> None:
        """Count the finding and keep it (once per distinct failure, see ``repeat``)."""
        self.counts[finding.rule] += 1
        found = self.findings.setdefault(finding.rule, [])
        if len(found) < MAX_FINDINGS:
            found.append(finding)

    def summary(self) -> str:
        parts = [
            f"{mode}: " + ", ".join(f"{s}×{n}" for s, n in sorted(counter.items(), key=str))
            for mode, counter in self.statuses.items()
        ]
        return f"{self.requests} generated request(s); statuses " + "; ".join(parts)


@dataclass
class Prepared:
    """A case made ready to send: its headers, and whether its path names our resources."""

    headers: dict[str, str]
    path_exists: bool = False
    #: the negation of a negative case does not make it invalid for this API
    valid_anyway: bool = False
    #: the steering's own follow-up on this case's response (in case order, in the calling
    #: thread, before ``register``); not called when no response came
    after: Callable[[Any], None] | None = None


class Steering(Protocol):
    """What an API adds to generated cases so they exercise its behaviour."""

    def prepare(self, case: Any, positive: bool, operation_id: str) -> Prepared | None:
        """Point the case at our resources; ``None``: the case cannot be sent (blocked)."""

    def register(self, response: Any) -> None:
        """Hand what a generated request created to the cleanup."""

    def blocked(self) -> Blocked | None:
        """Why the resources cases need could not be arranged, if they could not."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class Parents:
    """What a steering's optional ``parents(operation_id)`` hook answers for an operation on
    a sub-resource: two existing parents and the children of the first. The hook returns None
    for an operation it knows no parents of, and raises Blocked when the second parent (or a
    child of the first) cannot be made."""

    #: the parent's path parameter (``klant_uuid``)
    parameter: str
    #: the path ids of the two parents
    first: str
    second: str
    #: the ids of the first parent's children (at least one)
    children: tuple[str, ...]
    #: the headers of a request on the second parent's sub-resources
    headers: dict[str, str]


def select_coverage(cases: list[Any], depth: str) -> list[Any]:
    """The coverage cases a run of ``depth`` sends: ``deep`` every one, ``default`` one per
    mode, scenario and place (a property of the body, a parameter), ``quick`` one per mode
    and scenario."""
    if depth == "deep":
        return cases
    seen: set[tuple] = set()
    chosen = []
    for case in cases:
        data = case.meta.phase.data
        key: tuple = (case.meta.generation.mode, getattr(data, "scenario", None))
        if depth != "quick":
            key += (getattr(data, "location", None), getattr(data, "parameter", None))
        if key not in seen:
            seen.add(key)
            chosen.append(case)
    return chosen


@dataclass
class Outgoing:
    """A case of a batch: the case and how to judge it."""

    case: Any
    positive: bool
    label: str
    probe: Probe | None = None


class Workers:
    """At most ``size`` threads that send prepared requests, each with a ``requests.Session``
    of its own (a session is not thread-safe). Started on first use."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def session(self) -> requests.Session:
        """The session of the calling worker thread."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="oas-send")
        return self._pool.submit(function, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()


@functools.cache
def schema_of(spec: Any) -> Any:
    """The schemathesis schema of an API document (parsed once)."""
    import schemathesis

    return schemathesis.openapi.from_path(str(spec))


class Fuzzer:
    """Draws, sends and judges generated cases for the operations of one API of a target."""

    def __init__(
        self,
        definition: ApiDefinition,
        base_url: str,
        steering: Steering,
        *,
        examples: int = 25,
        depth: str = "default",
        seed_value: int | None = None,
        secrets: tuple[str, ...] = (),
        version: str = r"\d+\.\d+(\.\d+)?\S*",
        provider: Any = None,
        concurrency: int = 1,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self.definition = definition
        self.base_url = base_url
        self.steering = steering
        self.examples = examples
        self.depth = depth
        self.seed_value = seed_value
        self.secrets = secrets
        self.version = re.compile(version)
        self.schema = schema_of(definition.spec)
        #: requests in flight at once; they only ever go to ``base_url``
        self.concurrency = concurrency
        self.session = requests.Session()
        self.workers = Workers(concurrency)
        self.runs: dict[str, OperationRun] = {}
        self.provider = provider
        self._done: set[str] = set()
        self._sequenced = False
        self._coverage_cases: dict[str, list[Any]] = {}

    def run(self, operation_id: str) -> OperationRun:
        if not self._sequenced and self._stateful_step(operation_id):
            self._sequenced = True
            self._stateful()
        if operation_id not in self._done:
            self._done.add(operation_id)
            self._run(operation_id, self._run_of(operation_id))
        return self._run_of(operation_id)

    def _run_of(self, operation_id: str) -> OperationRun:
        return self.runs.setdefault(operation_id, OperationRun(operation_id))

    def _operation(self, operation_id: str) -> Any:
        route, method = operations(self.definition.spec)[operation_id]
        return self.schema[route][method]

    def _stateful(self) -> None:
        """The stateful phase (generated/stateful.py): the API's declared sequence
        (``SEQUENCE`` of its provider module, e.g. create, read, update, partial update, read,
        audit trail, delete, read; steps on what earlier steps created, steered by
        ``Steering.follow``), ``quick`` none, ``default`` one round, ``deep`` three; then
        schemathesis's state machine over the API's declared links (``LINKS``), a few short
        scenarios at ``default`` and more at ``deep``. Every step is judged like every case,
        and its status under the ``stateful`` aspect where the standard fixes it. What it
        cost is kept in ``stateful_cost`` (requests and seconds per part)."""
        from klanten_conformance.generated import stateful

        self.stateful_cost = stateful.Measured()
        follow = getattr(self.steering, "follow", None)
        if follow is None:
            return
        sequence = tuple(getattr(self.provider, "SEQUENCE", ()) or ())
        for round_number in range(SEQUENCES[self.depth] if sequence else 0):
            stateful.timed(
                self.stateful_cost,
                "sequence",
                self,
                stateful.run_sequence,
                sequence,
                follow,
                round_number,
            )
        links = getattr(self.provider, "LINKS", None) or {}
        if links:
            stateful.timed(
                self.stateful_cost, "state machine", self, stateful.run_machine, links, follow
            )

    def _stateful_step(self, operation_id: str) -> bool:
        """Whether the operation is a step of the stateful phase (of the API's ``SEQUENCE`` or
        ``LINKS``): the phase runs when the first of them is run, so the operations before it
        (lists) see the target as the other phases left it, not with its resources."""
        steps = {step for step, _ in getattr(self.provider, "SEQUENCE", ()) or ()}
        for source, targets in (getattr(self.provider, "LINKS", None) or {}).items():
            steps.update((source, *targets))
        return operation_id in steps

    def _valid_case(self, operation_id: str, number: int = 0) -> Any:
        """A new valid case of the operation: a copy of its ``number``-th positive coverage
        case (counting round)."""
        import copy

        operation = self._operation(operation_id)
        valid = [c for c in self._coverage(operation) if c.meta.generation.mode.is_positive]
        if not valid:
            return operation.Case()
        case = valid[number % len(valid)]
        return operation.Case(
            path_parameters=dict(case.path_parameters or {}),
            query=dict(case.query or {}),
            body=copy.deepcopy(case.body) if isinstance(case.body, dict) else case.body,
            media_type=case.media_type,
        )

    def _run(self, operation_id: str, run: OperationRun) -> None:
        operation = self._operation(operation_id)
        for phase, cases in (
            ("examples", self._examples(operation)),
            ("coverage", select_coverage(self._coverage(operation), self.depth)),
        ):
            batch = []
            for case in cases:
                positive = case.meta.generation.mode.is_positive
                label = f"{phase} {'positive' if positive else 'negative'}"
                batch.append(Outgoing(case, positive, label))
            self._send_batch(batch, operation_id, run)
        self._fuzz(operation, operation_id, run)
        self._probe(operation, operation_id, run)

    def _examples(self, operation: Any) -> list[Any]:
        """The examples phase: cases made of the examples the document gives."""
        from schemathesis.generation.drivers import ExamplesGenerator
        from schemathesis.generation.feedback import FeedbackSources
        from schemathesis.generation.overrides import Override

        generator = ExamplesGenerator(
            operation=operation, override=Override(), feedback=FeedbackSources(), fill_missing=False
        )
        return list(generator)

    def _coverage(self, operation: Any) -> list[Any]:
        """The coverage phase: boundary and near-boundary values of every constraint, missing
        and unexpected fields, wrong types and media types (positive and negative)."""
        key = f"{operation.method} {operation.path}"
        if key not in self._coverage_cases:
            self._coverage_cases[key] = self._coverage_of(operation)
        return self._coverage_cases[key]

    def _coverage_of(self, operation: Any) -> list[Any]:
        from schemathesis import GenerationMode

        return list(
            self.schema.iter_coverage_cases(
                operation,
                generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                generation_config=self.schema.config.generation_for(
                    operation=operation, phase="coverage"
                ),
            )
        )

    def _fuzz(self, operation: Any, operation_id: str, run: OperationRun) -> None:
        """The fuzzing phase: hypothesis draws positive and negative cases (first all of a
        mode, then they are sent as a batch)."""
        from schemathesis import GenerationMode

        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)
            drawn: list[Any] = []
            test = settings(
                max_examples=self.examples,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
                print_blob=False,
            )(given(strategy)(_collector(drawn)))
            if self.seed_value is not None:
                test = seed(self.seed_value)(test)
            test()
            label = "fuzzing " + ("positive" if mode.is_positive else "negative")
            batch = [Outgoing(case, mode.is_positive, label) for case in drawn]
            self._send_batch(batch, operation_id, run)

    def _probe(self, operation: Any, operation_id: str, run: OperationRun) -> None:
        """Send the deterministic probes of the operation (``generated.probes``) as one batch,
        then the other-parent probes. Before the first query probe (an invalid filter value, an
        undeclared parameter) the same request without the parameter is sent once (a valid
        request, judged as one): its status and, for a list, its count go with the probes."""
        baseline: Any = None
        batch = []
        kinds = getattr(self.steering, "invalid_filter_kinds", None)
        for probe in probes_of(operation, kinds):
            if probe.kind in ("invalid", "unknown"):
                if baseline is None:
                    baseline = self._send(
                        _probe_case(operation), True, operation_id, run, label="probe baseline"
                    )
                    baseline = baseline if baseline is not None else False
                if baseline is not False:
                    count = registry.list_count(_json(baseline)) if is_list(operation) else None
                    probe = dataclasses.replace(
                        probe, baseline_status=baseline.status_code, baseline=count
                    )
            batch.append(Outgoing(_probe_case(operation, probe), False, "probe", probe))
        self._send_batch(batch, operation_id, run)
        self._probe_parents(operation, operation_id, run)

    def _probe_parents(self, operation: Any, operation_id: str, run: OperationRun) -> None:
        """The other-parent probe of a sub-resource operation (a path with a parent id): the
        first parent's child read under the second parent (404), or the second parent's list
        (no child of the first). Asks the steering's ``parents`` hook; an API whose steering
        has none gets no such probe, and one that cannot name two parents blocks it."""
        hook = getattr(self.steering, "parents", None)
        path = str(operation.path)
        names = [p.name for p in operation.path_parameters]
        own = [n for n in names if re.search(r"\{" + re.escape(n) + r"\}/?$", path)]
        if hook is None or not [n for n in names if n not in own]:
            return
        try:
            parents = hook(operation_id)
        except Blocked as exc:
            run.statuses.setdefault("probe", Counter())["blocked"] += 1
            run.blocked = run.blocked or exc
            return
        if parents is None:
            return
        params = {parents.parameter: parents.second}
        if own:
            name = f"{own[0]} of a child of another existing {parents.parameter}"
            probe = Probe("other-parent", "sub-resources", name, (404,), parameter=own[0])
            params[own[0]] = parents.children[0]
        else:
            name = f"the list under another existing {parents.parameter}"
            probe = Probe(  # its status is the business of the other aspects
                "other-parent",
                "sub-resources",
                name,
                range(100, 600),
                parameter=parents.parameter,
                foreign=tuple(parents.children),
            )
        case = _probe_case(operation, probe)

        def steer(case: Any, _: bool, __: str) -> Prepared:
            case.path_parameters.update(params)
            return Prepared(dict(parents.headers), path_exists=True)

        self._send(case, False, operation_id, run, probe, steer=steer)

    def _send_batch(self, batch: list[Outgoing], operation_id: str, run: OperationRun) -> None:
        """Send the cases of ``batch``: with a concurrency of 1 one after the other (each
        prepared, sent and judged before the next); else all prepared first (in order), sent
        by the workers, and the responses judged in case order as they are taken in."""
        if self.concurrency == 1 or len(batch) < 2:
            for item in batch:
                self._send(
                    item.case, item.positive, operation_id, run, item.probe, label=item.label
                )
            return
        ready = []
        for item in batch:
            prepared = self._prepare(
                item.case, item.positive, operation_id, run, item.probe, item.label
            )
            if prepared is not None:
                ready.append((item, prepared))
        futures = [
            self.workers.submit(self._transmit, item.case, prepared, item.probe)
            for item, prepared in ready
        ]
        try:
            for (item, prepared), future in zip(ready, futures, strict=True):
                self._take_in(
                    item.case,
                    item.positive,
                    operation_id,
                    run,
                    item.probe,
                    item.label,
                    prepared,
                    future.result(),
                )
        finally:
            for future in futures:
                future.cancel()  # only left when taking a response in went wrong

    def _send(
        self,
        case: Any,
        positive: bool,
        operation_id: str,
        run: OperationRun,
        probe: Probe | None = None,
        *,
        label: str = "probe",
        steer: Any = None,
        exists: bool | None = None,
    ) -> Any:
        """Steer, send and judge one case; the response (None when none came)."""
        prepared = self._prepare(case, positive, operation_id, run, probe, label, steer, exists)
        if prepared is None:
            return None
        outcome = self._transmit(case, prepared, probe, self.session)
        return self._take_in(case, positive, operation_id, run, probe, label, prepared, outcome)

    def _prepare(
        self,
        case: Any,
        positive: bool,
        operation_id: str,
        run: OperationRun,
        probe: Probe | None,
        label: str,
        steer: Any = None,
        exists: bool | None = None,
    ) -> Prepared | None:
        """Let the steering (or ``steer``) make the case ready to send; None: blocked."""
        run.statuses.setdefault(label, Counter())
        prepared = (steer or self.steering.prepare)(case, positive, operation_id)
        if prepared is None:
            run.statuses[label]["blocked"] += 1
            run.blocked = run.blocked or self.steering.blocked()
            return None
        if probe is not None and probe.kind == "path":
            case.path_parameters[probe.parameter] = probe.value
            prepared.path_exists = False
        if exists is not None:
            prepared.path_exists = exists and bool(case.path_parameters)
        run.requests += 1
        return prepared

    def _transmit(
        self,
        case: Any,
        prepared: Prepared,
        probe: Probe | None,
        session: requests.Session | None = None,
    ) -> Any:
        """Send a prepared case to the target (``base_url``, nowhere else) on ``session``
        (default: the calling worker's own); the response, or the RequestException that
        came instead. Touches nothing but the case and the session: safe in a worker."""
        session = session if session is not None else self.workers.session()
        try:
            if probe is None or probe.kind != "body":
                response = case.call(
                    base_url=self.base_url,
                    session=session,
                    headers=prepared.headers,
                    timeout=10,
                )
            else:
                response = session.request(
                    case.method,
                    self.base_url.rstrip("/") + case.formatted_path,
                    headers={**prepared.headers, "Content-Type": "application/json"},
                    data=probe.content,
                    timeout=10,
                )
        except requests.RequestException as exc:
            return exc
        if response.status_code >= 500:
            session.close()  # the server may have dropped the connection with its error
        return response

    def _take_in(
        self,
        case: Any,
        positive: bool,
        operation_id: str,
        run: OperationRun,
        probe: Probe | None,
        label: str,
        prepared: Prepared,
        outcome: Any,
    ) -> Any:
        """Count, register and judge what sending a case gave; the response (or None)."""
        if isinstance(outcome, requests.RequestException):
            run.statuses[label]["no response"] += 1
            rule = self.definition.rule("robust")
            if rule:
                run.add(
                    Finding(
                        rule,
                        "an answer (4xx for invalid input), never a crash or a dropped connection",
                        f"{type(outcome).__name__}: {redact(str(outcome), self.secrets)}",
                        f"> {case.method} {case.formatted_path}",
                    )
                )
            return None
        response = outcome
        run.statuses[label][response.status_code] += 1
        if prepared.after is not None:
            prepared.after(response)
        self.steering.register(response)
        exchange = registry.Exchange(
            case=case,
            response=response,
            headers=prepared.headers,
            positive=positive,
            operation_id=operation_id,
            spec=self.definition.spec,
            base_url=self.base_url,
            valid_anyway=prepared.valid_anyway,
            path_exists=prepared.path_exists,
            version=self.version,
            probe=probe,
        )
        self._judge(exchange, run)
        return response

    def _judge(self, exchange: registry.Exchange, run: OperationRun) -> None:
        evidence = functools.partial(self._evidence, exchange)
        for registered in registry.REGISTRY:
            rule = self.definition.rule(registered.aspect)
            if rule is None:
                continue
            problems = registered.function(exchange)
            if problems is None:
                continue
            run.checked[rule] += 1
            for problem in problems:
                kind = problem.split(":", 1)[0][:80]
                key = (registered.name, exchange.status, kind)
                if not run.repeat(rule, key):
                    run.add(Finding(rule, registered.expected, problem, evidence(), key))

    def _evidence(self, exchange: registry.Exchange) -> str:
        response = exchange.response
        request = response.request
        lines = [f"> {request.method} {request.url}"]
        for name, value in request.headers.items():
            if name.lower() not in _HIDDEN_HEADERS:
                shown = f"{value!r}" if not str(value).isprintable() else str(value)
                lines.append(f"> {name}: {shown}")
        body = request.body
        if body:
            text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
            lines.append("> " + _shortened(text))
        lines.append(f"< {response.status_code}")
        for name in ("content-type", "api-version", "location"):
            value = exchange.header(name)
            if value is not None:
                lines.append(f"< {name}: {value}")
        content = response.content.decode("utf-8", "replace") if response.content else ""
        if content:
            lines.append("< " + _shortened(content))
        lines.append("reproduce (fill in the credentials): " + curl(request, self.secrets))
        return redact("\n".join(lines), self.secrets)

    def close(self) -> None:
        self.workers.close()
        self.session.close()
        self.steering.close()


def _collector(drawn: list[Any]) -> Callable[[Any], None]:
    """The body of a hypothesis test that only keeps the case it is given."""

    def collect(case: Any) -> None:
        drawn.append(case)

    return collect


def _shortened(text: str, limit: int = 2000) -> str:
    """``text``, or its start and its size when it is longer than ``limit``."""
    if len(text) <= limit:
        return text
    return f"{text[: limit // 10]}… ({len(text)} characters in all)"


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _probe_query(probe: Probe) -> dict[str, str] | None:
    if probe.kind == "page":
        return {"page": FAR_PAGE}
    if probe.kind in ("filter", "invalid", "unknown"):
        return {str(probe.parameter): str(probe.value)}
    return None


def _probe_case(operation: Any, probe: Probe | None = None) -> Any:
    """A case of the operation for a probe (the steering fills in the path); without a probe,
    the plain valid request the probe changes."""
    from schemathesis.core import NOT_SET

    body: Any = {} if operation.body else NOT_SET
    return operation.Case(
        path_parameters={p.name: "" for p in operation.path_parameters},
        query=_probe_query(probe) if probe is not None else None,
        body=body,
        media_type="application/json" if operation.body else None,
    )
