"""The stateful phase of the generated class (generated/stateful.py) against a toy API served
in a thread: the declared sequence judges each step's status, counts steps it cannot steer as
blocked (never failed), and schemathesis's state machine over declared links runs, judges
every response and finds a soft delete. Also the declared sequences and links of the three
APIs of the standard: they name operations of their documents and build a state machine."""

from __future__ import annotations

import json
import threading
import uuid as uuidlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from klanten_conformance import apis
from klanten_conformance.apis import ApiDefinition
from klanten_conformance.generated import stateful
from klanten_conformance.generated.engine import Fuzzer, Prepared
from klanten_conformance.oas import operations, spec_document

_THING = {
    "type": "object",
    "required": ["naam"],
    "properties": {"naam": {"type": "string", "enum": ["a", "b"]}},
}
_SHOWN = {
    "type": "object",
    "properties": {"url": {"type": "string"}, "uuid": {"type": "string"}, "naam": {}},
}
_ID = [{"name": "uuid", "in": "path", "required": True, "schema": {"type": "string"}}]


def _json_content(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "toy", "version": "1.0.0"},
    "paths": {
        "/things": {
            "post": {
                "operationId": "thing_create",
                "requestBody": {"required": True, **_json_content(_THING)},
                "responses": {"201": {"description": "made", **_json_content(_SHOWN)}},
            }
        },
        "/things/{uuid}": {
            "parameters": _ID,
            "get": {
                "operationId": "thing_read",
                "responses": {
                    "200": {"description": "it", **_json_content(_SHOWN)},
                    "404": {"description": "gone"},
                },
            },
            "delete": {
                "operationId": "thing_delete",
                "responses": {"204": {"description": "deleted"}, "404": {"description": "gone"}},
            },
        },
    },
}
LINKS = {
    "thing_create": {
        "thing_read": {"uuid": "$response.body#/uuid"},
        "thing_delete": {"uuid": "$response.body#/uuid"},
    },
    "thing_read": {"thing_delete": {"uuid": "$response.body#/uuid"}},
    "thing_delete": {"thing_read": {"uuid": "$request.path.uuid"}},
}
SEQUENCE = (
    ("thing_create", None),
    ("thing_read", 200),
    ("thing_delete", 204),
    ("thing_read", 404),
)


class ToyServer:
    """Things to create, read and delete; ``soft_delete``: a deleted thing is still read."""

    def __init__(self) -> None:
        self.things: dict[str, dict] = {}
        self.deleted: set[str] = set()
        self.soft_delete = False
        self.refuse_creates = False
        self.requests: list[str] = []
        toy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _answer(self, status: int, body: Any = None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _thing(self) -> str | None:
                uuid = self.path.rstrip("/").rsplit("/", 1)[-1]
                if uuid not in toy.things:
                    return None
                if uuid in toy.deleted and not toy.soft_delete:
                    return None
                return uuid

            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                toy.requests.append("POST")
                size = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(size) or b"null")
                if toy.refuse_creates or not isinstance(body, dict):
                    return self._answer(400, {"detail": "no"})
                uuid = str(uuidlib.uuid4())
                host = f"http://{self.headers['Host']}"
                toy.things[uuid] = {"url": f"{host}/things/{uuid}", "uuid": uuid, **body}
                return self._answer(201, toy.things[uuid])

            def do_GET(self) -> None:  # noqa: N802
                toy.requests.append("GET")
                uuid = self._thing()
                return self._answer(200, toy.things[uuid]) if uuid else self._answer(404, {})

            def do_DELETE(self) -> None:  # noqa: N802
                toy.requests.append("DELETE")
                uuid = self._thing()
                if uuid is None or uuid in toy.deleted:
                    return self._answer(404, {})
                toy.deleted.add(uuid)
                return self._answer(204)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


class ToySteering:
    """Every step on the thing its chain created; a step that needs one and has none cannot
    be steered."""

    def __init__(self) -> None:
        self.followed: list[tuple[str, bool]] = []

    def prepare(self, case: Any, positive: bool, operation_id: str) -> Prepared | None:
        return Prepared({"Accept": "application/json"})

    def follow(self, case: Any, operation_id: str, created: dict) -> Prepared | None:
        self.followed.append((operation_id, bool(created)))
        if operation_id == "thing_create":
            case.body = {"naam": "a"}
            return Prepared({"Accept": "application/json"})
        thing = created.get("thing_create")
        if thing is None:
            return None
        case.path_parameters["uuid"] = thing["uuid"]
        return Prepared({"Accept": "application/json"}, path_exists=True)

    def register(self, response: Any) -> None:
        pass

    def blocked(self) -> None:
        return None

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def toy() -> Iterator[ToyServer]:
    server = ToyServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def definition(tmp_path_factory: pytest.TempPathFactory) -> ApiDefinition:
    spec = tmp_path_factory.mktemp("toy") / "toy.json"
    spec.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    return ApiDefinition(
        id="toy",
        title="Toy API",
        spec=spec,
        base_path="",
        auth="token",
        preflight=("things", dict),
        oas_rules={"stateful": "TOY-LIFE", "conforms": "TOY-OAS"},
        fixture="toy",
        client="",
    )


def _fuzzer(toy: ToyServer, definition: ApiDefinition, depth: str, **provider: Any) -> Fuzzer:
    toy.soft_delete = toy.refuse_creates = False
    toy.requests.clear()
    return Fuzzer(
        definition,
        toy.url,
        ToySteering(),
        depth=depth,
        seed_value=1,
        provider=SimpleNamespace(**provider),
    )


# the declared sequence ----------------------------------------------------------------------------


def test_the_sequence_judges_each_step(toy: ToyServer, definition: ApiDefinition) -> None:
    fuzzer = _fuzzer(toy, definition, "default", SEQUENCE=SEQUENCE)
    fuzzer._stateful()
    assert toy.requests == ["POST", "GET", "DELETE", "GET"]
    assert fuzzer.steering.followed[0] == ("thing_create", False)
    assert all(made for _, made in fuzzer.steering.followed[1:])
    read = fuzzer.runs["thing_read"]
    assert dict(read.statuses["stateful"]) == {200: 1, 404: 1}
    assert read.checked["TOY-LIFE"] == 2 and not read.findings.get("TOY-LIFE")
    assert fuzzer.stateful_cost.requests["sequence"] == 4


def test_a_soft_delete_fails_the_read_after_delete(
    toy: ToyServer, definition: ApiDefinition
) -> None:
    fuzzer = _fuzzer(toy, definition, "default", SEQUENCE=SEQUENCE)
    toy.soft_delete = True
    fuzzer._stateful()
    findings = fuzzer.runs["thing_read"].findings["TOY-LIFE"]
    assert [f.received for f in findings] == [
        "step 4 (thing_read) of the stateful sequence: HTTP 200"
    ]
    assert not fuzzer.runs["thing_delete"].findings.get("TOY-LIFE")


def test_steps_after_a_failed_create_are_blocked_not_failed(
    toy: ToyServer, definition: ApiDefinition
) -> None:
    fuzzer = _fuzzer(toy, definition, "default", SEQUENCE=SEQUENCE)
    toy.refuse_creates = True
    fuzzer._stateful()
    assert toy.requests == ["POST"]
    read = fuzzer.runs["thing_read"]
    assert read.statuses["stateful"]["blocked"] == 2
    assert not read.findings.get("TOY-LIFE") and not read.checked["TOY-LIFE"]
    assert read.blocked is not None and "HTTP 400" in read.blocked.received
    assert "TOY-LIFE" in read.blocked.covering


def test_quick_runs_no_stateful_step(toy: ToyServer, definition: ApiDefinition) -> None:
    fuzzer = _fuzzer(toy, definition, "quick", SEQUENCE=SEQUENCE, LINKS=LINKS)
    fuzzer._stateful()
    assert toy.requests == []


# schemathesis's state machine -----------------------------------------------------------------


def test_the_links_are_added_to_a_copy_of_the_document() -> None:
    linked = stateful.links_document(DOCUMENT, LINKS)
    assert "links" not in DOCUMENT["paths"]["/things"]["post"]["responses"]["201"]
    links = linked["paths"]["/things"]["post"]["responses"]["201"]["links"]
    assert links["thing_create-to-thing_read"] == {
        "operationId": "thing_read",
        "parameters": {"path.uuid": "$response.body#/uuid"},
    }
    delete = linked["paths"]["/things/{uuid}"]["delete"]["responses"]["204"]["links"]
    assert delete["thing_delete-to-thing_read"]["parameters"] == {"path.uuid": "$request.path.uuid"}


def test_the_state_machine_runs_and_judges_every_step(
    toy: ToyServer, definition: ApiDefinition
) -> None:
    fuzzer = _fuzzer(toy, definition, "deep", LINKS=LINKS)
    fuzzer._stateful()
    sent = fuzzer.stateful_cost.requests["state machine"]
    assert sent == len(toy.requests) and sent > len(stateful.MACHINE["deep"])
    assert "POST" in toy.requests and "DELETE" in toy.requests
    statuses = fuzzer.runs["thing_read"].statuses[stateful.MACHINE_LABEL]
    assert statuses[200] >= 1
    # every response was judged by the registered checks (the document's response schema)
    judged = sum(run.checked["TOY-OAS"] for run in fuzzer.runs.values())
    assert judged == sent
    assert not any(run.findings for run in fuzzer.runs.values())


def test_the_state_machine_finds_a_soft_delete(toy: ToyServer, definition: ApiDefinition) -> None:
    fuzzer = _fuzzer(toy, definition, "deep", LINKS=LINKS)
    toy.soft_delete = True
    fuzzer._stateful()
    found = [f.received for run in fuzzer.runs.values() for f in run.findings.get("TOY-LIFE", [])]
    assert found and all("HTTP 200" in f or "HTTP 204" in f for f in found), found


# the APIs of the standard ---------------------------------------------------------------------


@pytest.mark.parametrize("api_id", apis.known())
def test_each_api_declares_a_sequence_and_links_of_its_document(api_id: str) -> None:
    definition = apis.get(api_id)
    provider = definition.generated_module()
    known = operations(definition.spec)
    assert definition.rule("stateful")
    steps = [step for step, _ in provider.SEQUENCE]
    assert set(steps) <= set(known)
    assert str(known[steps[0]][1]).lower() == "post"  # the first step creates
    assert [status for _, status in provider.SEQUENCE][-1] == 404  # and at last it is gone
    for source, targets in provider.LINKS.items():
        assert source in known and set(targets) <= set(known)
    schema = stateful.machine_schema(definition.spec, json.dumps(provider.LINKS, sort_keys=True))
    machine = schema.as_state_machine()
    assert machine.root_rules
    # the document itself is left as it is
    responses = [
        response
        for item in spec_document(Path(definition.spec))["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for response in (operation.get("responses") or {}).values()
    ]
    assert not any("links" in response for response in responses)


def test_a_conditional_read_may_answer_304() -> None:
    # a generated read with If-None-Match (a header the document declares) is answered 304 by
    # a conforming target; an unconditional read must be 200, a read of what was deleted 404
    fuzzer = SimpleNamespace(
        _operation=lambda _: SimpleNamespace(path="/klanten/{uuid}"),
    )

    def case(headers: dict | None, method: str = "GET") -> Any:
        return SimpleNamespace(path_parameters={"uuid": "x"}, method=method, headers=headers)

    expected = stateful.expected_statuses
    assert expected(fuzzer, case({"If-None-Match": "*"}), "klant_read", False) == (200, 304)
    assert expected(fuzzer, case(None), "klant_read", False) == (200,)
    assert expected(fuzzer, case({"If-None-Match": "*"}), "klant_read", True) == (404,)
    assert expected(fuzzer, case(None, "DELETE"), "klant_delete", False) == (204,)
