"""The stateful phase of the generated class: the API's declared sequence, and schemathesis's
own state machine over the API's declared links.

Both send through the :class:`~klanten_conformance.generated.engine.Fuzzer` (its steering,
sending and judging), so every response is judged by every registered check as any other
case, and each step whose answer the standard fixes (a read of what exists: 200, a delete:
204, anything on what was deleted: 404) is judged under the ``stateful`` aspect too.

- the **sequence** (``SEQUENCE`` of the API's provider module): (operationId, status or
  None) steps. A step is steered by ``Steering.follow(case, operation_id, created)``, where
  ``created`` maps the operationId of every create step that succeeded so far to the
  representation it answered (empty for the first step). When the first step creates
  nothing, every later step is blocked; when the steering cannot steer a step (a create it
  needs failed), that step is blocked. Blocked steps are counted, never judged as failures.
- the **state machine** (``LINKS`` of the provider module: source operationId -> the
  operations its success response leads to, each with its path parameters taken from the
  response by an OpenAPI runtime expression). The links are added to an in-memory copy of
  the API's document, schemathesis builds its state machine of it
  (``schema.as_state_machine()``) and hypothesis drives it (a few short scenarios at
  ``default``, more at ``deep``, none at ``quick``). Each step is steered by ``follow`` with
  what the scenario's earlier steps created, so a linked step names the resource its link
  came from.
"""

from __future__ import annotations

import copy
import functools
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from klanten_conformance.checks import Blocked
from klanten_conformance.generated.probes import Probe

if TYPE_CHECKING:
    from klanten_conformance.generated.engine import Fuzzer, OperationRun

#: state machine scenarios (hypothesis examples) and their most steps, per --depth
MACHINE = {"quick": (0, 0), "default": (3, 5), "deep": (15, 8)}
#: the label the state machine's requests are counted under
MACHINE_LABEL = "state machine"


@dataclass
class Measured:
    """What the stateful phase cost: requests sent and seconds spent, per part."""

    requests: Counter = field(default_factory=Counter)
    seconds: Counter = field(default_factory=Counter)


def is_create(fuzzer: Fuzzer, operation_id: str) -> bool:
    """Whether the operation creates a resource (a POST of the document)."""
    return str(fuzzer._operation(operation_id).method).lower() == "post"


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _block(run: OperationRun, what: str, received: str, covering: str | None) -> None:
    run.statuses.setdefault("stateful", Counter())["blocked"] += 1
    if run.blocked is None:
        run.blocked = Blocked(what, received, [covering] if covering else [])


# the declared sequence --------------------------------------------------------------------------


def run_sequence(fuzzer: Fuzzer, sequence: tuple, follow: Any, round_number: int) -> None:
    """One round of the declared sequence (see the module's description)."""
    rule = fuzzer.definition.rule("stateful")
    created: dict[str, dict] = {}
    refused: list[str] = []
    for number, (operation_id, status) in enumerate(sequence, 1):
        run = fuzzer._run_of(operation_id)
        name = f"step {number} ({operation_id}) of the stateful sequence"
        if number > 1 and not created:
            _block(run, name, "its first step created nothing: " + "; ".join(refused), rule)
            continue
        step = Probe("step", "stateful", name, (status,)) if status else None
        case = fuzzer._valid_case(operation_id, round_number)

        def steer(case: Any, _: bool, operation_id: str) -> Any:
            return follow(case, operation_id, created)

        before = run.statuses.get("stateful", Counter())["blocked"]
        response = fuzzer._send(
            case,
            True,
            operation_id,
            run,
            step,
            label="stateful",
            steer=steer,
            exists=status is None or status < 400,
        )
        if response is None:
            if run.statuses["stateful"]["blocked"] > before and run.blocked is None:
                needed = "; ".join(refused) or "a resource an earlier step should have made"
                run.blocked = Blocked(name, f"it could not be steered: {needed}", [rule or ""])
            continue
        if is_create(fuzzer, operation_id):
            body = _json(response)
            if response.status_code < 300 and isinstance(body, dict):
                created[operation_id] = body
            else:
                refused.append(f"{operation_id} answered HTTP {response.status_code}")


# schemathesis's state machine -------------------------------------------------------------------


def links_document(document: Mapping, links: Mapping[str, Any]) -> dict:
    """A copy of the API's document with ``links`` (source operationId -> {target operationId:
    {path parameter: runtime expression}}) added to the success response of each source."""
    doc = copy.deepcopy(dict(document))
    where: dict[str, dict] = {}
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                where[operation["operationId"]] = operation
    for source, targets in links.items():
        responses = where[source]["responses"]
        status = next(s for s in responses if str(s).startswith("2"))
        response = responses[status]
        if "$ref" in response:
            response = copy.deepcopy(_resolve(doc, response["$ref"]))
            responses[status] = response
        response["links"] = {
            f"{source}-to-{target}": {
                "operationId": target,
                "parameters": {f"path.{name}": value for name, value in parameters.items()},
            }
            for target, parameters in targets.items()
        }
    return doc


def _resolve(doc: Mapping, reference: str) -> Any:
    node: Any = doc
    for part in reference.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


@functools.cache
def machine_schema(spec: Any, links_key: str) -> Any:
    """The schemathesis schema of the API's document with the declared links (parsed once per
    document and link map); positive cases only, no inferred links."""
    import json

    import schemathesis
    from schemathesis import GenerationMode

    from klanten_conformance.oas import spec_document

    schema = schemathesis.openapi.from_dict(
        links_document(spec_document(spec), json.loads(links_key))
    )
    stateful = schema.config.phases.stateful
    stateful.inference.algorithms = []
    stateful.generation.modes = [GenerationMode.POSITIVE]
    return schema


def run_machine(fuzzer: Fuzzer, links: Mapping[str, Any], follow: Any) -> None:
    """Run schemathesis's state machine over ``links`` (see the module's description)."""
    import json

    import hypothesis
    from schemathesis.generation.stateful import run_state_machine_as_test
    from schemathesis.generation.stateful.state_machine import StepOutput

    examples, steps = MACHINE[fuzzer.depth]
    if not examples or not links:
        return
    schema = machine_schema(fuzzer.definition.spec, json.dumps(links, sort_keys=True))
    base = schema.as_state_machine()
    rule = fuzzer.definition.rule("stateful")

    class Machine(base):  # type: ignore[misc, valid-type]
        """Each step steered by the API's ``follow`` and sent and judged by the fuzzer."""

        def setup(self) -> None:
            #: case id -> (operationId, what it created or None, its parent's case id)
            self.made: dict[str, tuple[str, dict | None, str | None]] = {}
            #: uuids the scenario deleted
            self.deleted: set[str] = set()

        def step(self, input: Any) -> Any:  # noqa: A002 - schemathesis's name
            case = input.case
            operation_id = case.operation.definition.raw.get("operationId")
            parent = input.transition.parent_id if input.transition is not None else None
            created = self._created(parent)
            run = fuzzer._run_of(operation_id)
            prepared = follow(case, operation_id, created)
            gone = any(str(v) in self.deleted for v in (case.path_parameters or {}).values())
            statuses = expected_statuses(fuzzer, case, operation_id, gone)
            if gone and not statuses:
                # e.g. the audittrail of a klant the scenario deleted: the document fixes no
                # answer (it need not list that 404), and the probes judge unknown parents
                return None
            name = f"a state machine step ({operation_id}) on what its scenario made"
            response = fuzzer._send(
                case,
                True,
                operation_id,
                run,
                Probe("step", "stateful", name, statuses) if statuses else None,
                label=MACHINE_LABEL,
                steer=lambda *_: prepared,
                exists=not gone,
            )
            if response is None:
                if run.blocked is None and rule and parent is not None:
                    run.blocked = Blocked(
                        f"a state machine step ({operation_id})",
                        "the resource its link came from could not be steered onto",
                        [rule],
                    )
                return None
            made = None
            if is_create(fuzzer, operation_id) and response.status_code < 300:
                body = _json(response)
                made = body if isinstance(body, dict) else None
            elif str(case.method).lower() == "delete" and response.status_code == 204:
                self.deleted.update(str(v) for v in (case.path_parameters or {}).values())
            self.made[case.id] = (operation_id, made, parent)
            return StepOutput(response, case)

        def _created(self, case_id: str | None) -> dict[str, dict]:
            """operationId -> representation of what the scenario's chain up to ``case_id``
            created (the nearest first)."""
            created: dict[str, dict] = {}
            while case_id is not None and case_id in self.made:
                operation_id, made, case_id = self.made[case_id]
                if made is not None:
                    created.setdefault(operation_id, made)
            return created

    settings = hypothesis.settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        database=None,
        derandomize=fuzzer.seed_value is not None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
        print_blob=False,
    )
    run_state_machine_as_test(Machine, settings=settings)


#: request headers that make a read conditional (a 304 is then a right answer)
CONDITIONAL = ("if-none-match", "if-modified-since")


def expected_statuses(
    fuzzer: Fuzzer, case: Any, operation_id: str, gone: bool
) -> tuple[int, ...] | None:
    """The statuses a state machine step on one resource by its own id may answer: 404 once
    the scenario deleted it, else 200 for a read (or 304 when the generated case made it
    conditional, e.g. ``If-None-Match: *``) and 204 for a delete; None (not judged under
    ``stateful``) for the rest."""
    if not case.path_parameters or not _is_own_read(fuzzer, operation_id):
        return None
    method = str(case.method).lower()
    if gone:
        return (404,) if method in ("get", "delete") else None
    if method == "get":
        headers = {str(name).lower() for name in (case.headers or {})}
        return (200, 304) if headers & set(CONDITIONAL) else (200,)
    return (204,) if method == "delete" else None


def _is_own_read(fuzzer: Fuzzer, operation_id: str) -> bool:
    """Whether the operation works on one resource by its own id (``.../{uuid}``), not on a
    sub-resource of it (an audit trail)."""
    path = str(fuzzer._operation(operation_id).path)
    return path.rstrip("/").endswith("{uuid}") and path.count("{") == 1


def timed(measured: Measured, part: str, fuzzer: Fuzzer, function: Any, *args: Any) -> None:
    """Run ``function`` and add its requests and seconds to ``measured`` under ``part``."""
    before = sum(run.requests for run in fuzzer.runs.values())
    started = time.perf_counter()
    try:
        function(fuzzer, *args)
    finally:
        measured.seconds[part] += time.perf_counter() - started
        measured.requests[part] += sum(run.requests for run in fuzzer.runs.values()) - before
