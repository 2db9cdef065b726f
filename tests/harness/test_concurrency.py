"""Batches of generated cases sent in parallel (``--concurrency``): at most N requests in flight,
the steering and the judging in case order in the calling thread whatever order the responses
come in, and N = 1 one case after the other.

A tiny threaded server on 127.0.0.1 holds every request until the test releases it, counts the
requests in flight and answers in the order the test chooses. Every wait waits on a signal (the
timeouts only keep a broken engine from hanging the test run).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from klanten_conformance import apis
from klanten_conformance.generated.engine import (
    Fuzzer,
    OperationRun,
    Outgoing,
    Prepared,
    schema_of,
)
from klanten_conformance.oas import operations

#: a guard against a hanging engine, never a measure of speed
GUARD = 30


class Gate:
    """What the server saw: requests in flight (the most at once), arrivals, answers."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.inflight = 0
        self.most = 0
        self.arrived: list[str] = []
        self.answered: list[str] = []
        #: held requests: (case number, release, answered)
        self.held: list[tuple[str, threading.Event, threading.Event]] = []

    def wait_held(self, count: int) -> list[tuple[str, threading.Event, threading.Event]]:
        """Wait until ``count`` requests are held; take them (in arrival order)."""
        with self.condition:
            assert self.condition.wait_for(lambda: len(self.held) >= count, GUARD)
            taken, self.held = self.held, []
            return taken


def _handler(gate: Gate) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            number = self.path.rstrip("/").rsplit("/", 1)[-1]
            release, answered = threading.Event(), threading.Event()
            with gate.condition:
                gate.inflight += 1
                gate.most = max(gate.most, gate.inflight)
                gate.arrived.append(number)
                gate.held.append((number, release, answered))
                gate.condition.notify_all()
            release.wait(GUARD)
            with gate.condition:
                gate.inflight -= 1
                gate.answered.append(number)
            body = json.dumps({"number": number}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            answered.set()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Gate]]:
    gate = Gate()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gate))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/api/v1", gate
    finally:
        httpd.shutdown()
        httpd.server_close()


class Steering:
    """Records what the engine asks of it, and in which thread."""

    def __init__(self, log: list[tuple[str, str]], threads: set[str]) -> None:
        self.log = log
        self.threads = threads

    def prepare(self, case: Any, positive: bool, operation_id: str) -> Prepared:
        number = case.path_parameters["uuid"]
        self.threads.add(threading.current_thread().name)
        self.log.append(("prepare", number))
        return Prepared(
            {"Accept": "application/json"},
            after=lambda response: self.log.append(("after", number)),
        )

    def register(self, response: Any) -> None:
        self.threads.add(threading.current_thread().name)
        self.log.append(("register", response.request.url.rsplit("/", 1)[-1]))

    def blocked(self) -> None:
        return None

    def close(self) -> None:
        pass


class Recorder(Fuzzer):
    """The engine, with the judging recorded instead of the checks run."""

    def _judge(self, exchange: Any, run: OperationRun) -> None:
        self.steering.threads.add(threading.current_thread().name)
        self.steering.log.append(("judge", exchange.case.path_parameters["uuid"]))


def _batch(count: int) -> list[Outgoing]:
    definition = apis.get("klanten")
    route, method = operations(definition.spec)["klant_read"]
    operation = schema_of(definition.spec)[route][method]
    return [
        Outgoing(operation.Case(path_parameters={"uuid": f"{n:02d}"}), True, "coverage positive")
        for n in range(count)
    ]


def _send(url: str, gate: Gate, concurrency: int, count: int, answer_last_first: bool = True):
    """Send ``count`` cases as a batch from a thread of its own while this thread releases the
    held requests round by round: when ``concurrency`` of them (or all that are left) are in
    flight, the last to arrive is answered first. Returns the recorder's log, the threads the
    steering and judging ran in, the number of worker sessions and the operation's run."""
    log: list[tuple[str, str]] = []
    threads: set[str] = set()
    engine = Recorder(apis.get("klanten"), url, Steering(log, threads), concurrency=concurrency)
    run = OperationRun("klant_read")
    failed: list[BaseException] = []

    def calling() -> None:
        try:
            engine._send_batch(_batch(count), "klant_read", run)
        except BaseException as exc:  # handed to the test thread
            failed.append(exc)

    caller = threading.Thread(target=calling, name="calling-thread")
    caller.start()
    left = count
    while left:
        held = gate.wait_held(min(concurrency, left))
        for _, release, answered in reversed(held) if answer_last_first else held:
            release.set()
            assert answered.wait(GUARD)
        left -= len(held)
    caller.join(GUARD)
    assert not caller.is_alive() and not failed, failed
    sessions = len(engine.workers._sessions)
    engine.close()
    return log, threads, sessions, run


@pytest.mark.parametrize("concurrency", [2, 3])
def test_at_most_n_requests_in_flight(server: tuple[str, Gate], concurrency: int) -> None:
    url, gate = server
    _, _, sessions, run = _send(url, gate, concurrency, 10)
    assert gate.most == concurrency  # parallel, and never more than N at once
    assert sorted(gate.arrived) == [f"{n:02d}" for n in range(10)]
    assert run.requests == 10 and run.statuses["coverage positive"][200] == 10
    assert 1 <= sessions <= concurrency  # a session per worker


def test_a_batch_is_judged_in_case_order_whatever_order_the_answers_come_in(
    server: tuple[str, Gate],
) -> None:
    url, gate = server
    log, threads, _, _ = _send(url, gate, 4, 8)
    numbers = [f"{n:02d}" for n in range(8)]
    assert gate.answered != sorted(gate.answered)  # the answers did come out of order
    assert [n for step, n in log if step == "prepare"] == numbers
    assert log[:8] == [("prepare", n) for n in numbers]  # prepared before any is sent
    taken_in = [entry for entry in log if entry[0] != "prepare"]
    assert taken_in == [(step, n) for n in numbers for step in ("after", "register", "judge")]
    assert threads == {"calling-thread"}  # steering and judging never in a worker


def test_concurrency_1_sends_one_case_after_the_other(server: tuple[str, Gate]) -> None:
    url, gate = server
    log, threads, sessions, _ = _send(url, gate, 1, 5)
    numbers = [f"{n:02d}" for n in range(5)]
    assert gate.most == 1
    assert gate.arrived == numbers
    steps = ("prepare", "after", "register", "judge")
    assert log == [(step, n) for n in numbers for step in steps]  # each done before the next
    assert threads == {"calling-thread"}
    assert sessions == 0  # no worker was started


def test_concurrency_below_1_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Fuzzer(apis.get("klanten"), "http://127.0.0.1:9", Steering([], set()), concurrency=0)


def test_a_refused_destructive_case_hands_its_klant_back_whatever_the_order() -> None:
    """Klanten steering: a destructive case's klant is spare again only when that case was
    refused (4xx), also when a batch prepared several destructive cases before any answer."""
    from types import SimpleNamespace

    from klanten_conformance.apis.klanten_generated import KlantenSteering, _PoolKlant

    made: list[str] = []

    def klant(purpose: str) -> SimpleNamespace:
        made.append(f"klant-{len(made)}")
        return SimpleNamespace(data={"url": made[-1]})

    steering = KlantenSteering(SimpleNamespace(klant=klant), registry=None)
    steering._made = lambda data: _PoolKlant(data["url"], data["url"], None, None, [])
    answer = {status: SimpleNamespace(status_code=status) for status in (204, 400, 404)}
    # one after the other: a refused klant is taken again, a deleted one never
    first = steering._fresh()
    steering._settle(first, answer[400])
    assert steering._fresh() is first
    steering._settle(first, answer[204])
    assert steering._fresh().url == "klant-1" and made == ["klant-0", "klant-1"]
    # a batch: both prepared first; the second is deleted, the first refused
    steering._spare.clear()
    one, two = steering._fresh(), steering._fresh()
    steering._settle(one, answer[404])
    steering._settle(two, answer[204])
    assert steering._spare == [one]
