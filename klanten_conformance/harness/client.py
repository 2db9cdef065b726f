"""The client a suite test talks to an API with: it records, validates, arranges and cleans up.

- every request is recorded (redacted), as an *arrange* or an *act* step, and its response
  carries ``response.exchange``; the whole log is the evidence of a failed or blocked check;
- every response is validated against the API's OpenAPI document; mismatches fail the test
  at teardown under the API's own rules (the ``conforms``, ``problem`` and ``problem-media``
  aspects of its generated class), so the rule a test is about keeps its own verdict;
- ``with client.arranging("creating the klant", "KLOK01-Z1"):`` marks the steps that prepare
  a check: what does not work inside blocks the check instead of failing it;
- everything the test created is deleted at teardown, also when it failed; nothing else is
  ever deleted.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from klanten_conformance import checks
from klanten_conformance.apis import ApiDefinition
from klanten_conformance.harness import properties
from klanten_conformance.harness.context import ApiTarget, RunContext, ZgwClient
from klanten_conformance.harness.targets import authorization
from klanten_conformance.http import RecordingClient
from klanten_conformance.tokens import make_token

#: ``authorization=NO_TOKEN`` (or ``token=NO_TOKEN``) sends no Authorization header
NO_TOKEN: Any = object()
#: kinds of credentials no operation may accept (:meth:`ApiClient.bad_token`)
BAD_CREDENTIALS = ("no token", "malformed token", "unknown client_id", "another secret")
#: legal but unusual claims a token of the suite's client must be refused with
#: (:func:`unusual_claims`)
UNUSUAL_CLAIMS = ("exp in the past", "nbf in the future", "aud")


def unusual_claims(kind: str) -> dict[str, Any]:
    """The claims of an :data:`UNUSUAL_CLAIMS` kind, relative to now."""
    now = int(time.time())
    return {
        "exp in the past": {"iat": now - 7200, "exp": now - 3600},
        "nbf in the future": {"nbf": now + 3600},
        "aud": {"aud": "https://other-api.example.org"},
    }[kind]
#: the exchange logs of a test's clients, for the evidence of its report (item stash)
EXCHANGES = pytest.StashKey[list]()
#: deferred response findings are raised in this order (one failure per test)
_DEFERRED = ("conforms", "problem", "problem-media")
_EXPECTED = {
    "conforms": "every response validates against the operation's response schema",
    "problem": "error responses carry the problem shape of the document",
    "problem-media": "error responses served as application/problem+json",
}


class ApiClient:
    """A client of one API of the target (subclassed per API with its domain helpers)."""

    def __init__(
        self,
        definition: ApiDefinition,
        target: ApiTarget,
        context: RunContext,
        *,
        node: Any = None,
        config: pytest.Config | None = None,
    ) -> None:
        self.definition = definition
        self.target = target
        self.context = context
        self.node = node
        self.config = config if config is not None else getattr(node, "config", None)
        self.read_only = context.selection.read_only
        self.http = RecordingClient(
            target.url,
            secrets=(*context.secrets, *target.secrets),
            default_headers={"Accept": "application/json"},
        )
        from klanten_conformance.oas import ResponseValidator  # openapi-core: imported on use

        self.validator = ResponseValidator(target.url, definition.spec)
        #: aspect -> (response, what is wrong) of responses that do not match the document
        self.findings: dict[str, list[tuple[requests.Response, list[str]]]] = {}
        #: url -> what cleaning it up needs (e.g. the end user), in creation order
        self.created: dict[str, Any] = {}
        self.notes: list[str] = []
        #: the response of the latest request
        self.last: requests.Response | None = None
        self._checked: set[str] = set()

    # credentials ---------------------------------------------------------------------------

    @property
    def has_restricted_client(self) -> bool:
        return self.target.restricted is not None

    def zgw_client(self, *, restricted: bool = False) -> ZgwClient:
        """The suite's ZGW client, or the restricted one (a skip with the reason without it)."""
        client = self.target.restricted if restricted else self.target.client
        if client is None:
            if restricted:
                pytest.skip(
                    "no restricted client given (--restricted-client-id/--restricted-secret)"
                )
            raise checks.Blocked(f"a token for the {self.definition.title}", "no ZGW client")
        return client

    def token(self, *, restricted: bool = False, **claims: Any) -> str:
        """A ZGW JWT of the suite's client (or the restricted one), with extra ``claims``."""
        client = self.zgw_client(restricted=restricted)
        return make_token(client.client_id, client.secret, extra_claims=claims or None)

    def bad_token(self, kind: str) -> Any:
        """A token of a :data:`BAD_CREDENTIALS` kind (``NO_TOKEN`` for "no token")."""
        if kind == "no token":
            return NO_TOKEN
        if kind == "malformed token":
            return "this.is-not-a.jwt"
        if kind == "unknown client_id":
            return make_token("unknown-" + secrets.token_hex(6), secrets.token_urlsafe(32))
        client_id = self.zgw_client().client_id
        return make_token(client_id, secrets.token_urlsafe(32))  # another secret

    def authorization(self, **claims: Any) -> str:
        """The Authorization header of an ordinary request of the suite's client."""
        return authorization(self.definition, self.target, **claims)

    def auth_headers(self, request_about: str | None = None) -> dict[str, str]:
        """Headers that authenticate an ordinary request (``request_about``: the URL, for
        APIs whose clients add end-user authentication per resource)."""
        return {"Authorization": self.authorization()}

    # requests ------------------------------------------------------------------------------

    def key(self, url: str) -> str:
        return self.http.url(url).split("?", 1)[0].rstrip("/")

    def request(
        self,
        method: str,
        url: str,
        *,
        token: Any = None,
        authorization: Any = None,
        headers: dict[str, str] | None = None,
        validate: bool = True,
        **kwargs: Any,
    ) -> requests.Response:
        """Send a request; ``token`` (a JWT) or ``authorization`` (a header value) replace
        the suite's credentials, ``NO_TOKEN`` sends none."""
        merged = dict(headers or {})
        if token is NO_TOKEN or authorization is NO_TOKEN:
            pass
        elif authorization is not None:
            merged["Authorization"] = authorization
        elif token is not None:
            merged["Authorization"] = f"Bearer {token}"
        else:
            merged = {**self.auth_headers(self.key(url)), **merged}
        response = self.http.request(method, url, headers=merged, **kwargs)
        response.exchange = self.http.last  # type: ignore[attr-defined]
        self.last = response
        if validate:
            self._validate(response)
        return response

    def validate(self, response: requests.Response) -> None:
        """Judge a response obtained outside :meth:`request` (a raw exchange) as every
        response of the client is: its problem shape and media type, or its schema, under
        the rules about those (deferred to the test's teardown)."""
        self._validate(response)

    def _validate(self, response: requests.Response) -> None:
        from klanten_conformance.oas import problem_media_error, problem_shape_errors

        found: dict[str, list[str]] = {}
        if response.status_code >= 400 and response.request.method != "HEAD":
            # the problem shape is judged here, so checks.expect_refused leaves it to the
            # rule about problem bodies
            response.problem_checked = True  # type: ignore[attr-defined]
            media = problem_media_error(response)
            found["problem-media"] = [media] if media else []
            found["problem"] = problem_shape_errors(response, self.definition.spec)
        else:
            found["conforms"] = self.validator.errors(response)
        for aspect, errors in found.items():
            rule = self.definition.rule(aspect)
            if rule is None:
                continue
            if errors:
                self.findings.setdefault(aspect, []).append((response, errors))
            if rule not in self._checked and self.node is not None:
                self._checked.add(rule)
                self.node.user_properties.append((properties.CHECKED, rule))

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("HEAD", url, **kwargs)

    def post(self, url: str, body: Any, **kwargs: Any) -> requests.Response:
        if self.read_only:
            raise RuntimeError("--read-only: this check would create data (mark it creates_data)")
        response = self.request("POST", url, json=body, **kwargs)
        if response.status_code == 201:
            self.register_created(response)
        return response

    def put(self, url: str, body: Any, **kwargs: Any) -> requests.Response:
        return self.request("PUT", url, json=body, **kwargs)

    def patch(self, url: str, body: Any, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", url, json=body, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> requests.Response:
        response = self.request("DELETE", url, **kwargs)
        if response.status_code == 204:
            self.created.pop(self.key(url), None)
        return response

    # arranging and test data -----------------------------------------------------------------

    @contextlib.contextmanager
    def arranging(self, what: str, *covering: str) -> Iterator[None]:
        """Steps that prepare the check: recorded as such, and blocking it when they fail."""
        with self.http.arranging(), checks.arranging(what, *covering):
            yield

    def audit_entries(self, url: str, what: str = "reading the audit trail") -> list[dict]:
        """The audit trail of the resource at ``url``, which holds at least the entry of its
        create: an arrange step, blocked under the rule that covers the audit trail."""
        rule = self.definition.covering.get("audittrail_list", "")
        with self.arranging(what, rule):
            response = self.get(f"{url}/audittrail")
            entries = checks.expect_status(rule, response, 200)
            checks.expect_true(
                rule,
                isinstance(entries, list) and bool(entries),
                "at least the audittrail entry of the create",
                str(entries)[:200],
                response,
            )
        return entries

    def note(self, text: str) -> None:
        """Something the evidence should say about the check (e.g. which test data it used)."""
        self.notes.append(text)
        if self.node is not None:
            self.node.user_properties.append((properties.NOTES, text))

    def register_created(self, response: requests.Response, info: Any = None) -> str | None:
        """Remember a resource the test created, for the cleanup; returns its URL."""
        body = checks.body_of(response)
        url = body.get("url") if isinstance(body, dict) else None
        url = url or response.headers.get("Location")
        if url:
            self.created[self.key(url)] = info
        return url

    # shared checks ---------------------------------------------------------------------------

    def expect_changes_audited(
        self,
        rule: str,
        url: str,
        states: list[Any],
        fields: dict[str, Any],
    ) -> None:
        """The audit trail of ``url`` holds its create, update and partial update, in order.

        ``states``: the resource after each of the three changes. Each entry has the HTTP
        status as ``resultaat``, ``url`` as hoofdObject and resourceUrl, ``fields`` and the
        state before and after in ``wijzigingen``, and reads the same by its own URL. Entries
        about other resources are left to the rule about sub-resources.
        """
        trail = self.get(f"{url}/audittrail")
        entries = checks.expect_status(rule, trail, 200)
        checks.expect_true(
            rule,
            isinstance(entries, list),
            "an array of audittrail entries",
            str(entries)[:300],
            trail,
        )
        own = (url, None)
        entries = [e for e in entries if isinstance(e, dict) and e.get("resourceUrl") in own]
        acties = [e.get("actie") for e in entries]
        checks.expect_equal(rule, acties, ["create", "update", "partial_update"], "acties", trail)
        before = [None, *states[:-1]]
        statuses = [201, 200, 200]
        for entry, status, old, new in zip(entries, statuses, before, states, strict=True):
            actie = entry.get("actie")
            expected = {"resultaat": status, "hoofdObject": url, "resourceUrl": url, **fields}
            for name, value in expected.items():
                checks.expect_equal(rule, entry.get(name), value, f"{actie}: {name}", trail)
            wijzigingen = entry.get("wijzigingen") or {}
            checks.expect_equal(rule, wijzigingen.get("oud"), old, f"{actie}: oud", trail)
            checks.expect_equal(rule, wijzigingen.get("nieuw"), new, f"{actie}: nieuw", trail)
            one = self.get(f"{url}/audittrail/{entry.get('uuid')}")
            checks.expect_equal(rule, checks.body_of(one), entry, "the entry read by uuid", one)

    # teardown --------------------------------------------------------------------------------

    def cleanup_headers(self, url: str, info: Any) -> dict[str, str]:
        return self.auth_headers(url)

    def cleanup(self) -> list[str]:
        """Delete everything this test created (newest first); returns what was left."""
        leftovers = []
        for url, info in reversed(list(self.created.items())):
            try:
                headers = self.cleanup_headers(url, info)
                response = self.http.request("DELETE", url, headers=headers)
            except (requests.RequestException, checks.Blocked) as exc:
                leftovers.append(f"{url}: {exc}")
                continue
            if response.status_code not in (204, 404):
                leftovers.append(f"{url}: HTTP {response.status_code}")
        self.created.clear()
        self.http.close()
        return leftovers

    def raise_deferred(self) -> None:
        """Fail under the first rule about responses that a response of this test broke."""
        for aspect in _DEFERRED:
            found = self.findings.get(aspect)
            rule = self.definition.rule(aspect)
            if not found or rule is None:
                continue
            response, errors = found[0]
            more = f" (and {len(found) - 1} more response(s))" if len(found) > 1 else ""
            checks.fail(rule, _EXPECTED[aspect], "; ".join(errors) + more, response)


def client_fixture(
    definition: ApiDefinition, target: ApiTarget, context: RunContext, request: Any
) -> Iterator[ApiClient]:
    """The body of an API's client fixture: the client, its cleanup, its deferred findings."""
    client = definition.client_class()(
        definition, target, context, node=request.node, config=request.config
    )
    request.node.stash.setdefault(EXCHANGES, []).append(client.http.exchanges)
    try:
        yield client
    finally:
        leftovers = client.cleanup()
        if leftovers:
            request.node.warn(
                pytest.PytestWarning(
                    "could not delete what the test created: " + "; ".join(leftovers)
                )
            )
    client.raise_deferred()
