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
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests
from hypothesis import HealthCheck, Phase, given, seed, settings

from klanten_conformance.apis import ApiDefinition
from klanten_conformance.checks import Blocked
from klanten_conformance.generated import checks as registry
from klanten_conformance.generated.probes import FAR_PAGE, Probe, probes_of
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


class Steering(Protocol):
    """What an API adds to generated cases so they exercise its behaviour."""

    def prepare(self, case: Any, positive: bool, operation_id: str) -> Prepared | None:
        """Point the case at our resources; ``None``: the case cannot be sent (blocked)."""

    def register(self, response: Any) -> None:
        """Hand what a generated request created to the cleanup."""

    def blocked(self) -> Blocked | None:
        """Why the resources cases need could not be arranged, if they could not."""

    def close(self) -> None: ...


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
    ) -> None:
        self.definition = definition
        self.base_url = base_url
        self.steering = steering
        self.examples = examples
        self.depth = depth
        self.seed_value = seed_value
        self.secrets = secrets
        self.version = re.compile(version)
        self.schema = schema_of(definition.spec)
        self.session = requests.Session()
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
            for case in cases:
                positive = case.meta.generation.mode.is_positive
                label = f"{phase} {'positive' if positive else 'negative'}"
                self._send(case, positive, operation_id, run, label=label)
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
        """The fuzzing phase: hypothesis draws positive and negative cases."""
        from schemathesis import GenerationMode

        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)
            test = settings(
                max_examples=self.examples,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
                print_blob=False,
            )(given(strategy)(self._sender(mode.is_positive, operation_id, run)))
            if self.seed_value is not None:
                test = seed(self.seed_value)(test)
            test()

    def _probe(self, operation: Any, operation_id: str, run: OperationRun) -> None:
        """Send the deterministic probes of the operation (``generated.probes``)."""
        from schemathesis.core import NOT_SET

        for probe in probes_of(operation):
            body: Any = {} if operation.body else NOT_SET
            case = operation.Case(
                path_parameters={p.name: "" for p in operation.path_parameters},
                query=_probe_query(probe),
                body=body,
                media_type="application/json" if operation.body else None,
            )
            self._send(case, False, operation_id, run, probe)

    def _sender(self, positive: bool, operation_id: str, run: OperationRun) -> Any:
        label = "fuzzing " + ("positive" if positive else "negative")

        def send(case: Any) -> None:
            self._send(case, positive, operation_id, run, label=label)

        return send

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
        mode = label
        run.statuses.setdefault(mode, Counter())
        prepared = (steer or self.steering.prepare)(case, positive, operation_id)
        if prepared is None:
            run.statuses[mode]["blocked"] += 1
            run.blocked = run.blocked or self.steering.blocked()
            return None
        if probe is not None and probe.kind == "path":
            case.path_parameters[probe.parameter] = probe.value
            prepared.path_exists = False
        if exists is not None:
            prepared.path_exists = exists and bool(case.path_parameters)
        run.requests += 1
        try:
            if probe is None or probe.kind != "body":
                response = case.call(
                    base_url=self.base_url,
                    session=self.session,
                    headers=prepared.headers,
                    timeout=10,
                )
            else:
                response = self.session.request(
                    case.method,
                    self.base_url.rstrip("/") + case.formatted_path,
                    headers={**prepared.headers, "Content-Type": "application/json"},
                    data=probe.content,
                    timeout=10,
                )
        except requests.RequestException as exc:
            run.statuses[mode]["no response"] += 1
            rule = self.definition.rule("robust")
            if rule:
                run.add(
                    Finding(
                        rule,
                        "an answer (4xx for invalid input), never a crash or a dropped connection",
                        f"{type(exc).__name__}: {redact(str(exc), self.secrets)}",
                        f"> {case.method} {case.formatted_path}",
                    )
                )
            return None
        run.statuses[mode][response.status_code] += 1
        if response.status_code >= 500:
            self.session.close()  # the server may have dropped the connection with its error
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
        self.session.close()
        self.steering.close()


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
    if probe.kind == "filter":
        return {str(probe.parameter): str(probe.value)}
    return None
