"""Generated requests for the `oas` class: schemathesis cases of every operation, judged per rule.

For each operation of specs/klanten-1.0.yaml the :class:`Fuzzer` draws positive and negative
cases (schemathesis strategies driven by hypothesis), sends them to the target and records
what each rule of the class says about every response:

- OAS-01 a positive case never gets 405 or 501;
- OAS-02 a positive case gets a documented status, and a success response conforms to the
  operation (content type, headers, body schema);
- OAS-03 every 4xx/5xx body is a ``Fout`` (``ValidatieFout`` with ``invalidParams`` for 400);
- OAS-04 every 4xx/5xx is served as ``application/problem+json``;
- OAS-05 no response is a 5xx, and a negative case is refused with a 4xx;
- OAS-06 every response carries ``API-version`` with a 1.x version.

Generated data is steered towards what the standard's behaviour needs, so that positive cases
are not all refused for reasons the OpenAPI document cannot express: the harness's
bronorganisatie (a valid RSIN), fresh klantnummers, subject URLs of the harness's subject
registry, identification numbers that pass the 11-proef, path parameters of klanten the
fuzzer created, and the end-user authentication matching each body's own identification (the
harness client's bystander for zelfstandige klanten). Invalid changes go to a klant of their
own, so a target that wrongly stores one does not spoil the responses judged after it.
Everything created is deleted afterwards through the harness client's cleanup registry.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import yaml
from hypothesis import HealthCheck, Phase, given, seed, settings
from openapi_schema_validator import OAS30Validator

from klanten_conformance.fixtures import KlantenClient
from klanten_conformance.http import redact
from klanten_conformance.oas import SPEC_PATH
from klanten_conformance.stubs import SubjectRegistry
from klanten_conformance.testdata import (
    random_bsn,
    random_klantnummer,
    random_rsin,
    random_vestigingsnummer,
)
from klanten_conformance.tokens import authenticatie_claim

PROBLEM_JSON = "application/problem+json"
API_VERSION = re.compile(r"1\.\d+(\.\d+)?\S*")
MAX_FINDINGS = 3
_METHODS = ("get", "put", "post", "delete", "patch", "head")
#: subjectType -> the identification fields that name the subject, in order of preference
_IDENTIFYING = {
    "natuurlijk_persoon": ("inpBsn", "anpIdentificatie"),
    "niet_natuurlijk_persoon": ("innNnpId", "annIdentificatie"),
    "vestiging": ("vestigingsNummer",),
}
_NUMBERS = {
    "natuurlijk_persoon": random_bsn,
    "niet_natuurlijk_persoon": random_rsin,
    "vestiging": random_vestigingsnummer,
}


#: libyaml's loader when PyYAML has it: the document is large and read in every run
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def spec_document(path: Path = SPEC_PATH) -> dict:
    """The standard's OpenAPI document, parsed once per process (do not modify it)."""
    return _document(Path(path).resolve())


@functools.cache
def _document(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)


def operations(path: Path = SPEC_PATH) -> dict[str, tuple[str, str]]:
    """operationId -> (path, METHOD) of every operation in the standard's document."""
    result = {}
    for route, item in spec_document(path)["paths"].items():
        for method, operation in item.items():
            if method in _METHODS:
                result[operation["operationId"]] = (route, method.upper())
    return result


def success_statuses(operation_id: str) -> set[int]:
    route, method = operations()[operation_id]
    responses = spec_document()["paths"][route][method.lower()]["responses"]
    return {int(code) for code in responses if str(code).startswith("2")}


@functools.lru_cache(maxsize=1)
def _problem_validators() -> dict[str, OAS30Validator]:
    document = spec_document()
    schemas = document["components"]["schemas"]
    return {
        name: OAS30Validator({**schemas[name], "components": document["components"]})
        for name in ("Fout", "ValidatieFout")
    }


def identity_of(body: Any) -> tuple[str, str] | None:
    """(subjectType, number) identifying the klant of ``body``: its identification or subject."""
    if not isinstance(body, dict):
        return None
    subject_type = body.get("subjectType")
    if not isinstance(subject_type, str) or subject_type not in _IDENTIFYING:
        return None
    identificatie = body.get("subjectIdentificatie")
    if isinstance(identificatie, dict):
        for name in _IDENTIFYING[subject_type]:
            if isinstance(identificatie.get(name), str) and identificatie[name]:
                return subject_type, identificatie[name]
    subject = body.get("subject")
    if isinstance(subject, str) and subject.strip("/"):
        return subject_type, subject.rstrip("/").rsplit("/", 1)[-1]
    return None


@dataclass
class Finding:
    """One response that breaks a rule."""

    rule: str
    expected: str
    received: str
    evidence: str


@dataclass
class OperationRun:
    """What the generated cases of one operation showed, per rule."""

    operation_id: str
    statuses: dict[str, Counter] = field(default_factory=dict)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    checked: Counter = field(default_factory=Counter)
    requests: int = 0

    def add(self, finding: Finding) -> None:
        self.counts[finding.rule] += 1
        found = self.findings.setdefault(finding.rule, [])
        if len(found) < MAX_FINDINGS:
            found.append(finding)

    def summary(self) -> str:
        parts = [
            f"{mode}: " + ", ".join(f"{s}×{n}" for s, n in sorted(counter.items()))
            for mode, counter in self.statuses.items()
        ]
        return f"{self.requests} generated request(s); statuses " + "; ".join(parts)


@dataclass
class _PoolKlant:
    url: str
    uuid: str
    authn: dict | None
    identity: tuple[str, str] | None
    audit_uuids: list[str]


class Fuzzer:
    """Draws, sends and judges generated cases for the operations of one target."""

    def __init__(
        self,
        client: KlantenClient,
        registry: SubjectRegistry,
        *,
        examples: int = 25,
        seed_value: int | None = None,
    ) -> None:
        import schemathesis

        self.client = client
        self.target = client.target
        self.registry = registry
        self.examples = examples
        self.seed_value = seed_value
        self.schema = schemathesis.openapi.from_path(str(SPEC_PATH))
        self.session = requests.Session()
        self.runs: dict[str, OperationRun] = {}
        self._pool: list[_PoolKlant] | None = None

    # the klanten the generated cases work on ------------------------------------------------

    def pool(self) -> list[_PoolKlant]:
        """A zelfstandige and an aangehaakte klant, each with an audit trail entry."""
        if self._pool is None:
            profile = self.client.profile
            bodies = [profile.zelfstandig(), profile.aangehaakt("natuurlijk_persoon")]
            self._pool = [self._make(body) for body in bodies]
        return self._pool

    def _make(self, body: dict) -> _PoolKlant:
        response = self.client.create(body, validate=False)
        if response.status_code != 201:
            raise RuntimeError(
                f"the target refused a valid klant needed for generated requests: "
                f"HTTP {response.status_code} {response.text[:300]}"
            )
        url = response.json().get("url") or response.headers["Location"]
        authn = self.client.default_authn(body)
        trail = self.client.get(f"{url}/audittrail", authn=authn, validate=False)
        entries = trail.json() if trail.status_code == 200 else []
        audit_uuids = [e["uuid"] for e in entries if isinstance(e, dict) and e.get("uuid")]
        uuid = url.rstrip("/").rsplit("/", 1)[-1]
        return _PoolKlant(url, uuid, authn, identity_of(body), audit_uuids)

    def _fresh(self) -> _PoolKlant:
        return self._make(self.client.profile.zelfstandig())

    # running ----------------------------------------------------------------------------------

    def run(self, operation_id: str) -> OperationRun:
        if operation_id not in self.runs:
            self.runs[operation_id] = self._run(operation_id)
        return self.runs[operation_id]

    def _run(self, operation_id: str) -> OperationRun:
        from schemathesis import GenerationMode

        route, method = operations()[operation_id]
        operation = self.schema[route][method]
        run = OperationRun(operation_id)
        pool = self.pool()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)
            run.statuses[mode.value] = Counter()

            send = self._sender(mode.is_positive, operation_id, pool, run)
            test = settings(
                max_examples=self.examples,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
                print_blob=False,
            )(given(strategy)(send))
            if self.seed_value is not None:
                test = seed(self.seed_value)(test)
            test()
        return run

    def _sender(
        self, positive: bool, operation_id: str, pool: list[_PoolKlant], run: OperationRun
    ) -> Any:
        def send(case: Any) -> None:
            self._send(case, positive, operation_id, pool, run)

        return send

    def _send(
        self,
        case: Any,
        positive: bool,
        operation_id: str,
        pool: list[_PoolKlant],
        run: OperationRun,
    ) -> None:
        klant = self._prepare(case, positive, operation_id, pool)
        headers = {"Accept": "application/json"}
        if "authorization" not in _negated_parameters(case):
            authn = klant.authn if klant is not None else None
            if operation_id == "klant_create" or (klant is None and case.body is not None):
                identity = identity_of(case.body)
                authn = (
                    authenticatie_claim(*identity, niveau=self.target.min_niveau)
                    if identity
                    else self.client.bystander
                )
            token, conveyed = self.client.credentials(authn)
            headers.update(conveyed)
            headers["Authorization"] = f"Bearer {token}"
        mode = "positive" if positive else "negative"
        run.requests += 1
        try:
            response = case.call(
                base_url=self.target.klanten_url, session=self.session, headers=headers, timeout=10
            )
        except requests.RequestException as exc:
            run.statuses[mode]["no response"] += 1
            run.add(
                Finding(
                    "OAS-05",
                    "an answer (4xx for invalid input), never a crash or a dropped connection",
                    f"{type(exc).__name__}: {redact(str(exc), self.target.secrets)}",
                    f"> {case.method} {case.formatted_path}",
                )
            )
            return
        run.statuses[mode][response.status_code] += 1
        self._register(response, headers)
        self._judge(case, response, headers, positive, operation_id, run)

    # steering generated data -------------------------------------------------------------------

    def _prepare(
        self, case: Any, positive: bool, operation_id: str, pool: list[_PoolKlant]
    ) -> _PoolKlant | None:
        """Point the case at our klanten and make its data plausible; returns the path klant."""
        negated = _negated_locations(case)
        klant = None
        params = case.path_parameters
        if params and (positive or "path" not in negated):
            if operation_id == "klant_delete" or (
                not positive and operation_id in ("klant_update", "klant_partial_update")
            ):
                # a delete, or an invalid change the target might wrongly store, gets a klant
                # of its own: the shared klanten stay valid for the cases judged after it
                klant = self._fresh()
            else:
                klant = pool[_pick(case, len(pool))]
            if "klant_uuid" in params:
                params["klant_uuid"] = klant.uuid
                if "uuid" in params and klant.audit_uuids:
                    params["uuid"] = klant.audit_uuids[0]
            else:
                params["uuid"] = klant.uuid
        if positive and operation_id == "klant_list" and isinstance(case.query, dict):
            case.query.pop("page", None)
        if isinstance(case.body, dict):
            if positive:
                self._plausible_body(case.body, klant, operation_id)
            elif isinstance(case.body.get("subject"), str) and _looks_like_url(
                case.body["subject"]
            ):
                case.body["subject"] = self.registry.url_for(200)
        return klant

    def _plausible_body(self, body: dict, klant: _PoolKlant | None, operation_id: str) -> None:
        if operation_id != "klant_partial_update" or "bronorganisatie" in body:
            body["bronorganisatie"] = self.target.bronorganisatie
        if operation_id != "klant_partial_update" or "klantnummer" in body:
            body["klantnummer"] = random_klantnummer()
        if klant is not None:
            # a klant keeps its identity: identifying data is only ever its own
            for name in ("subject", "subjectType", "subjectIdentificatie"):
                body.pop(name, None)
            if klant.identity is not None:
                subject_type, number = klant.identity
                body["subjectType"] = subject_type
                body["subjectIdentificatie"] = {_IDENTIFYING[subject_type][0]: number}
            return
        subject_type = body.get("subjectType")
        if not isinstance(subject_type, str) or subject_type not in _IDENTIFYING:
            body.pop("subject", None)
            return
        number = _NUMBERS[subject_type]()
        if "subject" in body:
            body["subject"] = self.registry.url_for(200, key=number)
        else:
            body["subjectIdentificatie"] = {_IDENTIFYING[subject_type][0]: number}

    def _register(self, response: Any, headers: dict[str, str]) -> None:
        """Hand every klant a generated request created to the cleanup registry."""
        if response.status_code != 201:
            return
        location = _header(response, "location")
        try:
            body = response.json()
        except ValueError:
            body = None
        url = (body.get("url") if isinstance(body, dict) else None) or location
        if url:
            identity = identity_of(body)
            authn = (
                authenticatie_claim(*identity, niveau=self.target.min_niveau)
                if identity
                else self.client.bystander
            )
            self.client.created[self.client._key(url)] = authn

    # judging -----------------------------------------------------------------------------------

    def _judge(
        self,
        case: Any,
        response: Any,
        headers: dict[str, str],
        positive: bool,
        operation_id: str,
        run: OperationRun,
    ) -> None:
        from schemathesis.checks import not_a_server_error
        from schemathesis.specs.openapi.checks import (
            content_type_conformance,
            negative_data_rejection,
            response_headers_conformance,
            response_schema_conformance,
            status_code_conformance,
        )

        status = response.status_code
        evidence = functools.partial(self._evidence, case, response)

        def schemathesis_check(rule: str, check: Any) -> None:
            run.checked[rule] += 1
            try:
                case.validate_response(
                    response,
                    checks=[check],
                    headers=headers,
                    transport_kwargs={"base_url": self.target.klanten_url},
                )
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis FailureGroup
                failures = getattr(exc, "exceptions", None) or [exc]
                for failure in failures:
                    title = getattr(failure, "title", type(failure).__name__)
                    message = getattr(failure, "message", str(failure))
                    run.add(Finding(rule, _EXPECTED[rule], f"{title}: {message}", evidence()))

        schemathesis_check("OAS-05", not_a_server_error)
        if (
            not positive
            and not _only_empty_query_values(case, response.request)
            and not _only_missing_patch_fields(case, operation_id)
        ):
            schemathesis_check("OAS-05", negative_data_rejection)
        if positive:
            run.checked["OAS-01"] += 1
            missing = status in (404, 405, 501) and not (
                status == 404 and operation_id == "klant_list"
            )
            if missing:
                run.add(Finding("OAS-01", _EXPECTED["OAS-01"], f"HTTP {status}", evidence()))
            conditional = status == 304 and "If-None-Match" in response.request.headers
            # an operation that is missing is OAS-01's finding, not also an undocumented status
            if status < 500 and not conditional and not missing:
                schemathesis_check("OAS-02", status_code_conformance)
            if status < 400:
                schemathesis_check("OAS-02", content_type_conformance)
                schemathesis_check("OAS-02", response_headers_conformance)
                schemathesis_check("OAS-02", response_schema_conformance)
        if not _valid_http(response.request):
            return  # refused by the HTTP layer (RFC 9110 forbids NUL in a field value)
        if status >= 400:
            self._judge_problem(response, status, run, evidence)
        run.checked["OAS-06"] += 1
        version = _header(response, "api-version")
        if version is None or not API_VERSION.fullmatch(version.strip()):
            received = "no API-version header" if version is None else f"API-version {version!r}"
            run.add(Finding("OAS-06", _EXPECTED["OAS-06"], received, evidence()))

    def _judge_problem(self, response: Any, status: int, run: OperationRun, evidence: Any) -> None:
        media = (_header(response, "content-type") or "").split(";")[0].strip().lower()
        run.checked["OAS-04"] += 1
        if media != PROBLEM_JSON:
            received = f"HTTP {status} as {media or 'no content type'}"
            run.add(Finding("OAS-04", _EXPECTED["OAS-04"], received, evidence()))
        run.checked["OAS-03"] += 1
        try:
            body = response.json()
        except ValueError:
            received = f"HTTP {status} with a body that is not JSON"
            run.add(Finding("OAS-03", _EXPECTED["OAS-03"], received, evidence()))
            return
        name = "ValidatieFout" if status == 400 else "Fout"
        errors = sorted(_problem_validators()[name].iter_errors(body), key=lambda e: e.path)
        if errors:
            problems = "; ".join(
                f"{'/'.join(map(str, e.path)) or 'body'}: {e.message}" for e in errors[:3]
            )
            received = f"HTTP {status}, not a {name}: {problems}"
            run.add(Finding("OAS-03", _EXPECTED["OAS-03"], received, evidence()))

    def _evidence(self, case: Any, response: Any) -> str:
        request = response.request
        lines = [f"> {request.method} {request.url}"]
        for name, value in request.headers.items():
            if name.lower() not in ("authorization", "user-agent", "accept-encoding", "connection"):
                lines.append(
                    f"> {name}: {value!r}" if not str(value).isprintable() else f"> {name}: {value}"
                )
        body = request.body
        if body:
            text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
            lines.append("> " + text[:2000])
        lines.append(f"< {response.status_code}")
        for name in ("content-type", "api-version", "location"):
            value = _header(response, name)
            if value is not None:
                lines.append(f"< {name}: {value}")
        content = response.content.decode("utf-8", "replace") if response.content else ""
        if content:
            lines.append("< " + content[:2000])
        return redact("\n".join(lines), self.target.secrets)

    def close(self) -> None:
        self.session.close()


_EXPECTED = {
    "OAS-01": "a valid request to a documented operation is not answered 404, 405 or 501",
    "OAS-02": "a documented status, and a response that conforms to the operation",
    "OAS-03": "an error body with the problem shape (Fout; ValidatieFout for 400)",
    "OAS-04": f"error responses served as {PROBLEM_JSON}",
    "OAS-05": "invalid input refused with a 4xx, and never a 5xx",
    "OAS-06": "an API-version header with the implemented 1.x version",
}


def _header(response: Any, name: str) -> str | None:
    headers = response.headers
    for key, value in headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, list | tuple) else value
    return None


_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_FRAMING = ("content-length", "transfer-encoding", "host")


def _valid_http(request: Any) -> bool:
    """False for a request no HTTP server has to parse: a header name that is no token, a
    header value holding NUL/CR/LF, or generated message-framing headers (a Content-Length
    that is no number, Transfer-Encoding, Host), which the HTTP layer answers itself."""
    for name, value in request.headers.items():
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        if not _TOKEN.match(str(name)) or any(char in text for char in "\x00\r\n"):
            return False
        lowered = str(name).lower()
        if lowered == "content-length":
            if text != str(_body_length(request)):
                return False
        elif lowered in _FRAMING:
            return False
    return True


def _body_length(request: Any) -> int:
    body = request.body or b""
    return len(body.encode("utf-8") if isinstance(body, str) else body)


def _looks_like_url(value: str) -> bool:
    return value.startswith(("http://", "https://")) and len(value) <= 1000


def _pick(case: Any, size: int) -> int:
    """A stable choice among ``size`` pool klanten, varied by the generated case."""
    return len(repr(case.body)) % size if size else 0


def _phase_data(case: Any) -> Any:
    meta = getattr(case, "meta", None)
    phase = getattr(meta, "phase", None) if meta is not None else None
    return getattr(phase, "data", None)


def _negated_locations(case: Any) -> set[str]:
    data = _phase_data(case)
    locations = set()
    for item in [data, *getattr(data, "mutations", ())]:
        location = getattr(item, "parameter_location", None)
        if location is not None:
            locations.add(str(getattr(location, "value", location)).lower())
    return locations


def _negated_parameters(case: Any) -> set[str]:
    data = _phase_data(case)
    names = set()
    for item in [data, *getattr(data, "mutations", ())]:
        name = getattr(item, "parameter", None)
        if name:
            names.add(str(name).lower())
    return names


def _location(mutation: Any) -> str:
    location = getattr(mutation, "parameter_location", None)
    return str(getattr(location, "value", location) or "").lower()


def _only_missing_patch_fields(case: Any, operation_id: str) -> bool:
    """A PATCH whose only negation is leaving out required fields of the request body.

    klant_partial_update shares the request body (and its required list) with klant_update,
    but "changes only the fields sent": a PATCH without the required fields is valid (the
    OAS-05 interpretation). Header negations of Content-Type and Authorization do not count:
    the harness sends its own valid values (a negated Authorization is refused anyway).
    """
    if operation_id != "klant_partial_update":
        return False
    mutations = list(getattr(_phase_data(case), "mutations", ()) or ())
    body = [m for m in mutations if _location(m) == "body"]
    others = [m for m in mutations if _location(m) != "body"]
    return (
        bool(body)
        and all(tuple(getattr(m, "keywords", ()) or ()) == ("required",) for m in body)
        and all(
            _location(m) == "header"
            and str(getattr(m, "parameter", None) or "").lower()
            in ("", "content-type", "authorization")
            for m in others
        )
    )


def _only_empty_query_values(case: Any, request: Any) -> bool:
    """The negation is an empty query parameter value, which APIs treat as "no filter".

    Judged on the request as sent: a generated empty object or array goes out as an empty
    value too (``?page=``), and a parameter left out was not negated at all.
    """
    data = _phase_data(case)
    items = [item for item in [data, *getattr(data, "mutations", ())] if item is not None]
    named = [
        getattr(item, "parameter", None)
        for item in items
        if str(getattr(getattr(item, "parameter_location", None), "value", "")) == "query"
    ]
    sent = parse_qs(urlsplit(str(request.url or "")).query, keep_blank_values=True)
    return bool(named) and all(
        all(value == "" for value in sent.get(name, [""])) for name in named if name
    )
