"""Assertion helpers: each failure names the rule, what was expected and what came back.

A check has two kinds of steps. Its *assertions* judge the behaviour its rule is about: when
one does not hold, the check failed (:class:`ConformanceFailure`, counted against the rule).
Its *arrange* steps prepare the assertion (create the klant it needs, read a resource back):
when one of those does not work, the check could not be made (:class:`Blocked`, which makes
the rule inconclusive, never failed). ``with arranging("creating the klant", "KLOK01-Z1"):``
turns any failure inside into a :class:`Blocked` that names the step, what came back and the
rule that covers the behaviour that broke.

Responses sent through the harness client carry the recorded exchange (``response.exchange``),
which is rendered into the failure as evidence (secrets already redacted).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import requests

from klanten_conformance.http import Exchange


class ConformanceFailure(AssertionError):
    """A rule is not met; ``rule`` is the id the failure counts against."""

    def __init__(self, rule: str, expected: str, received: str, evidence: str = "") -> None:
        self.rule = rule
        self.expected = expected
        self.received = received
        self.evidence = evidence
        message = f"[{rule}] expected: {expected}\n[{rule}] received: {received}"
        if evidence:
            message += f"\n--- recorded exchange ---\n{evidence}"
        super().__init__(message)


class Blocked(Exception):  # noqa: N818 - an outcome, not an error of the harness
    """Arranging a check's precondition failed, so the check could not be made.

    ``covering`` are the rules that cover the behaviour that broke (where the harness can
    tell): "blocked: creating a klant answered HTTP 500 — see KLOK01-Z1".
    """

    def __init__(
        self, what: str, received: str, covering: Iterable[str] = (), evidence: str = ""
    ) -> None:
        self.what = what
        self.received = received
        self.covering = tuple(dict.fromkeys(c for c in covering if c))
        self.evidence = evidence
        super().__init__(self.summary)

    @property
    def summary(self) -> str:
        see = f" — see {', '.join(self.covering)}" if self.covering else ""
        return f"blocked: {self.what}: {self.received}{see}"

    def __str__(self) -> str:
        if self.evidence:
            return f"{self.summary}\n--- recorded exchange ---\n{self.evidence}"
        return self.summary


@contextlib.contextmanager
def arranging(what: str, *covering: str) -> Iterator[None]:
    """Steps inside prepare a check: whatever does not work there blocks the check.

    A failed expectation becomes :class:`Blocked` naming ``what`` and the ``covering`` rules;
    so does a request that got no answer at all.
    """
    try:
        yield
    except ConformanceFailure as failure:
        raise Blocked(what, failure.received, covering, failure.evidence) from None
    except requests.RequestException as exc:
        raise Blocked(what, f"no answer ({type(exc).__name__})", covering) from None


def evidence_of(*responses: requests.Response | None) -> str:
    exchanges: list[Exchange] = [
        r.exchange  # type: ignore[attr-defined]
        for r in responses
        if r is not None and getattr(r, "exchange", None) is not None
    ]
    return "\n\n".join(exchange.render() for exchange in exchanges)


def fail(rule: str, expected: str, received: str, *responses: requests.Response | None) -> None:
    raise ConformanceFailure(rule, expected, received, evidence_of(*responses))


def body_of(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _describe(response: requests.Response) -> str:
    body = body_of(response)
    if isinstance(body, dict) and "code" in body:
        params = [
            f"{p.get('name')}/{p.get('code')}"
            for p in body.get("invalidParams") or []
            if isinstance(p, dict)
        ]
        extra = f", invalidParams {', '.join(params)}" if params else ""
        return f"HTTP {response.status_code}, code {body.get('code')!r}{extra}"
    return f"HTTP {response.status_code}"


def expect_status(rule: str, response: requests.Response, *statuses: int, what: str = "") -> Any:
    """The response has one of ``statuses``; returns the decoded body."""
    if response.status_code not in statuses:
        wanted = " or ".join(str(s) for s in statuses)
        fail(rule, f"{what + ': ' if what else ''}HTTP {wanted}", _describe(response), response)
    return body_of(response)


def expect_refused(
    rule: str, response: requests.Response, statuses: Iterable[int] = (), what: str = ""
) -> dict:
    """Refused: a 4xx (one of ``statuses`` when given) with a problem body carrying a code.

    The status counts under ``rule``. The problem body of a response that the harness client
    validated (``response.problem_checked``) counts under OAS-03 instead, at the test's
    teardown: the rule under test keeps its own verdict and a wrong problem shape fails the
    rule that is about it. Other responses are held to the problem body here, under ``rule``.
    """
    allowed = tuple(statuses)
    status = response.status_code
    ok = status in allowed if allowed else 400 <= status < 500
    label = " or ".join(map(str, allowed)) if allowed else "a 4xx"
    prefix = f"{what}: " if what else ""
    if not ok:
        fail(
            rule, f"{prefix}refused with {label} and a problem body", _describe(response), response
        )
    body = body_of(response)
    if not isinstance(body, dict) or "code" not in body:
        if getattr(response, "problem_checked", False):
            return body if isinstance(body, dict) else {}
        fail(
            rule,
            f"{prefix}a problem body with a 'code'",
            f"HTTP {status}, no problem body",
            response,
        )
    return body  # type: ignore[return-value]


def expect_missing_or_empty(rule: str, response: requests.Response, what: str = "") -> None:
    """The list under a parent that does not exist: refused with 404 and a problem body, or,
    where the document gives the list no 404, answered 200 with an empty list."""
    if response.status_code == 200:
        body = body_of(response)
        items = body.get("results") if isinstance(body, dict) else body
        if not isinstance(items, list) or items:
            shown = f"{len(items)} item(s)" if isinstance(items, list) else "no list"
            fail(
                rule, f"{what}: 404, or 200 with an empty list", f"HTTP 200 with {shown}", response
            )
        return
    expect_refused(rule, response, (404,), what)


def expect_invalid_param(
    rule: str,
    response: requests.Response,
    name: str | None,
    code: str | None = None,
    what: str = "",
    same: Callable[[str, str], bool] | None = None,
) -> dict:
    """A 400 whose ``invalidParams`` holds ``name`` (suffix match on dotted names, or the
    API's own ``same(entry name, name)``) with ``code``."""
    body = expect_refused(rule, response, (400,), what)
    params = [p for p in body.get("invalidParams") or [] if isinstance(p, dict)]
    for param in params:
        pname = str(param.get("name", ""))
        if same is not None:
            name_ok = name is None or same(pname, name)
        else:
            name_ok = name is None or pname == name or pname.endswith("." + name)
        if name_ok and (code is None or param.get("code") == code):
            return body
    wanted = f"invalidParams entry {name or '*'}/{code or '*'}"
    fail(rule, f"{what + ': ' if what else ''}400 with {wanted}", _describe(response), response)
    return body


def expect_equal(
    rule: str, actual: Any, expected: Any, what: str, *responses: requests.Response | None
) -> None:
    if actual != expected:
        fail(rule, f"{what} = {_show(expected)}", _show(actual), *responses)


def expect_true(
    rule: str,
    condition: bool,
    expected: str,
    received: str,
    *responses: requests.Response | None,
) -> None:
    if not condition:
        fail(rule, expected, received, *responses)


#: how long a notification may take, and how long while earlier ones are still arriving
NOTIFICATION_WAIT = 10.0
NOTIFICATION_BACKLOG = 120.0


def expect_notification(
    rule: str,
    receiver: Any,
    actie: str,
    url: str,
    fields: dict[str, Any],
    kenmerken: dict[str, Any],
    response: requests.Response | None,
) -> None:
    """A notification of ``actie`` on the resource ``url`` reached ``receiver`` (the
    harness's NotificationReceiver) with ``fields``, hoofdObject = resourceUrl = ``url`` and
    ``kenmerken``; while the target is still delivering earlier notifications the wait goes
    on (up to :data:`NOTIFICATION_BACKLOG` seconds)."""

    def about(message: object) -> bool:
        return (
            isinstance(message, dict)
            and message.get("actie") == actie
            and url in (message.get("resourceUrl"), message.get("hoofdObject"))
        )

    try:
        message = receiver.wait_for(about, timeout=NOTIFICATION_WAIT, limit=NOTIFICATION_BACKLOG)
    except TimeoutError as exc:
        fail(rule, f"a notification with actie {actie} for {url}", str(exc), response)
    expected = {**fields, "actie": actie, "hoofdObject": url, "resourceUrl": url}
    for name, value in expected.items():
        expect_equal(rule, message.get(name), value, f"{actie}: {name}", response)
    found = message.get("kenmerken") or {}
    for name, value in kenmerken.items():
        expect_equal(rule, found.get(name), value, f"{actie}: kenmerken.{name}", response)


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 500 else text[:500] + "..."
