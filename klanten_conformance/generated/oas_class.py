"""The ``oas`` class of an API, built from its registry entry.

``suites/<api>/test_oas.py`` holds ``globals().update(oas_class("<api>"))`` (and whatever
checks of the class are specific to the API). The tests:

- ``test_generated_requests[<operation>-<rule>]``: the generated cases of every operation,
  judged per aspect, each under the rule the API's entry gives it;
- ``test_operation_is_implemented[<operation>]``: one hand-built valid request per
  operation (the API's ``valid_request``) answers a documented success status;
- ``test_published_document_adds_nothing``: the document the target publishes at
  ``<base>/schema/openapi.yaml|json`` declares nothing beyond the standard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from klanten_conformance import apis, checks
from klanten_conformance.oas import operations, success_statuses

#: aspects judged on generated requests
GENERATED_ASPECTS = ("implemented", "conforms", "problem", "problem-media", "robust", "api-version")
#: aspects judged on the deterministic probes only (generated/probes.py): an operation is
#: tested under one when it has probes of it
PROBE_ASPECTS = ("not-found", "sub-resources", "pagination", "filters", "stateful")
#: aspects that only speak about error responses; a run without one is "not applicable"
ERROR_ASPECTS = ("problem", "problem-media")


def oas_class(api_id: str) -> dict[str, Callable[..., Any]]:
    """The tests of the generated ``oas`` class of ``api_id``, to put in a test module."""
    definition = apis.get(api_id)
    provider = definition.generated_module()
    operation_ids = list(operations(definition.spec))
    fixture = definition.fixture
    error_rules = {definition.rule(a) for a in ERROR_ASPECTS}

    @pytest.fixture(scope="module")
    def fuzzer(harness: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
        """Generated cases per operation, run once and shared by the tests of the module."""
        from klanten_conformance.generated.engine import Fuzzer

        target = harness.target(api_id)
        client = definition.client_class()(
            definition, target, harness.context, config=request.config
        )
        engine = Fuzzer(
            definition,
            target.url,
            provider.steering(client, harness),
            examples=harness.context.generation.examples,
            depth=harness.context.generation.depth,
            seed_value=harness.context.generation.seed,
            secrets=(*harness.context.secrets, *harness.secrets, *target.secrets),
            version=definition.version,
            provider=provider,
            concurrency=harness.context.generation.concurrency,
        )
        try:
            yield engine
        finally:
            engine.close()

    # one test per operation and rule: an API may judge several aspects under one rule
    pairs = dict.fromkeys(
        (op, rule)
        for op in operation_ids
        for aspect in (*GENERATED_ASPECTS, *_probed(definition, provider, op))
        if (rule := definition.rule(aspect))
    )
    params = [
        pytest.param(op, rule, marks=pytest.mark.rule(rule), id=f"{op}-{rule}")
        for op, rule in pairs
    ]

    @pytest.mark.creates_data
    @pytest.mark.parametrize(("operation_id", "rule"), params)
    def test_generated_requests(fuzzer: Any, operation_id: str, rule: str) -> None:
        """The target answers generated requests as the OpenAPI document says.

        Method: send positive and negative schemathesis cases of the operation (valid
        credentials, the target's own resources in path parameters, plausible data) and the
        deterministic probes of generated/probes.py (bodies of the wrong JSON type, nested
        5,000 deep or not UTF-8; path ids that are not UUIDs or unknown; a page beyond the
        last; filter values that match nothing or break the filter's schema; a query
        parameter the document does not declare; one parent's sub-resource read under
        another), and judge every response under the rule: the operation exists; documented
        status and a conforming success response; error bodies in the problem shape and
        served as application/problem+json; invalid input (every body probe) refused with a
        4xx and nothing a 5xx; an API-version header on every response; a resource, or the
        parent of a sub-resource, that does not exist is 404, and so is another parent's
        sub-resource; a page beyond the last is 404; a filter nothing matches gives an empty
        list, an invalid filter value a 400 naming it, an undeclared parameter is ignored
        (the same count) or refused naming it.
        """
        run = fuzzer.run(operation_id)
        findings = run.findings.get(rule)
        if findings:
            first = findings[0]
            more = run.counts[rule] - 1
            received = first.received + (f" (and {more} more response(s))" if more else "")
            if len(findings) > 1:
                kinds = "; ".join(f"{f.received} ×{f.times}" for f in findings[1:])
                received += f"; {len(findings) - 1} other distinct failure(s): {kinds}"
            raise checks.ConformanceFailure(
                rule,
                f"{operation_id}: {first.expected}",
                f"{received}; {run.summary()}",
                first.evidence,
            )
        if not run.checked[rule]:
            if run.blocked is not None:
                raise run.blocked
            what = "error response" if rule in error_rules else "generated request"
            pytest.skip(f"{rule}: no {what} of {operation_id} to judge ({run.summary()})")

    implemented = definition.rule("implemented")

    @pytest.mark.creates_data
    @pytest.mark.parametrize("operation_id", operation_ids)
    def test_operation_is_implemented(operation_id: str, request: pytest.FixtureRequest) -> None:
        """Each operation answers a valid request with a documented success status.

        Method: send one valid request of the operation on resources of the check's own
        (created first); expect the 2xx the document gives for the operation (never
        404/405/501).
        """
        client = request.getfixturevalue(fixture)
        response = provider.valid_request(client, operation_id)
        wanted = sorted(success_statuses(definition.spec, operation_id))
        checks.expect_status(
            implemented, response, *wanted, what=f"{operation_id} on a valid request"
        )

    test_operation_is_implemented = pytest.mark.rule(implemented)(test_operation_is_implemented)

    published = definition.rule("published")

    def test_published_document_adds_nothing(harness: Any) -> None:
        """The OpenAPI document the target publishes declares nothing beyond the standard.

        Method: fetch `<base>/schema/openapi.yaml` (or `.json`); lint it against our document
        of the standard and expect no LINT-COMPAT-EXTRA finding (extra path, method,
        parameter or property). Not applicable when the target publishes no document there.
        """
        from klanten_conformance.lint import Workspace, lint
        from klanten_conformance.lint.loader import parse

        found = _published_document(harness.target(api_id).url)
        if found is None:
            pytest.skip("the target publishes no OpenAPI document at <base>/schema/openapi.*")
        url, text = found
        workspace = Workspace()
        source = parse(text, url, url)
        workspace.sources[url] = source
        findings = lint(workspace, source, workspace.load(str(definition.spec)))
        extra = [f for f in findings if f.rule == "LINT-COMPAT-EXTRA"]
        if extra:
            listed = "; ".join(f"{f.pointer}: {f.message}" for f in extra[:10])
            checks.fail(
                published,
                f"the document at {url} declares nothing beyond the standard",
                f"{len(extra)} LINT-COMPAT-EXTRA finding(s): {listed}",
            )

    test_published_document_adds_nothing = pytest.mark.rule(published)(
        test_published_document_adds_nothing
    )
    tests: dict[str, Callable[..., Any]] = {"fuzzer": fuzzer}
    if params:
        tests["test_generated_requests"] = test_generated_requests
    if implemented:
        tests["test_operation_is_implemented"] = test_operation_is_implemented
    if published:
        tests["test_published_document_adds_nothing"] = test_published_document_adds_nothing
    return tests


def _probed(definition: apis.ApiDefinition, provider: Any, operation_id: str) -> list[str]:
    """The probe aspects the operation has probes (or stateful steps) of."""
    from klanten_conformance.generated.engine import schema_of
    from klanten_conformance.generated.probes import probes_of

    route, method = operations(definition.spec)[operation_id]
    found = {probe.aspect for probe in probes_of(schema_of(definition.spec)[route][method])}
    if any(step == operation_id and status for step, status in getattr(provider, "SEQUENCE", ())):
        found.add("stateful")
    return [aspect for aspect in PROBE_ASPECTS if aspect in found]


def _published_document(base_url: str) -> tuple[str, str] | None:
    for suffix in ("openapi.yaml", "openapi.json"):
        url = f"{base_url}/schema/{suffix}"
        try:
            response = requests.get(url, timeout=10)
        except requests.RequestException:
            continue
        if response.status_code == 200 and response.text.strip():
            return url, response.text
    return None
