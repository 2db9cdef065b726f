"""The ``klanten`` fixture: a client of the target that records, validates and cleans up.

- every request is recorded (redacted) and its response carries ``response.exchange``;
- every response is validated against the standard's OpenAPI document; mismatches fail the
  test at teardown, so the rule the test is about keeps its own verdict: under OAS-02 for
  success responses, under OAS-03 for an error body that is not the problem shape (`Fout`,
  `ValidatieFout` for 400) and under OAS-04 for an error not served as problem+json;
- end-user authentication is added automatically for requests about klanten the test created
  with identifying data (``authn=AUTO``), or given explicitly; an ``authn`` is the end user
  (``subjectType``, ``identificatie``, ``niveau``) and is conveyed by the vendor's
  ``pytest_klanten_authenticatie`` hook when one is implemented, by the JWT claim
  ``authenticatie`` otherwise (klanten_conformance.hooks). Requests about zelfstandige
  klanten carry a *bystander*: an end user the klant is not about, as when a logged-in
  citizen registers a klant without identifying data. A zelfstandige klant needs no end-user
  authentication at all (KLOK01-Z1, AUTHN-04); the tests of those rules send none on
  purpose, the others carry the bystander so that a target demanding authentication fails
  those two rules only;
- every klant the test created is deleted at teardown, also when the test failed; nothing else
  is ever deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from klanten_conformance import checks, hooks
from klanten_conformance.http import RecordingClient
from klanten_conformance.oas import ResponseValidator, problem_media_error, problem_shape_errors
from klanten_conformance.profiles import Klanten10
from klanten_conformance.stubs import NotificationReceiver, SubjectRegistry
from klanten_conformance.summary import CHECKED_PROPERTY
from klanten_conformance.target import Target
from klanten_conformance.testdata import random_bsn
from klanten_conformance.tokens import authenticatie_claim, make_token

AUTO: Any = object()
#: ``token=NO_TOKEN`` sends a request without an Authorization header (AUTH-01)
NO_TOKEN: Any = object()
OAS_RULE = "OAS-02"
PROBLEM_RULE = "OAS-03"
PROBLEM_MEDIA_RULE = "OAS-04"
#: deferred response findings are raised in this order (one failure per test)
_DEFERRED_ORDER = (OAS_RULE, PROBLEM_RULE, PROBLEM_MEDIA_RULE)


class KlantenClient:
    """What a suite test uses to talk to the Klanten API of the target."""

    def __init__(
        self,
        target: Target,
        *,
        read_only: bool = False,
        node: Any = None,
        config: pytest.Config | None = None,
    ) -> None:
        self.target = target
        self.read_only = read_only
        self.node = node
        self.config = config if config is not None else getattr(node, "config", None)
        self.profile = Klanten10(target.bronorganisatie)
        self.http = RecordingClient(
            target.klanten_url,
            secrets=target.secrets,
            default_headers={"Accept": "application/json"},
        )
        self.validator = ResponseValidator(target.klanten_url)
        #: rule -> (response, what is wrong) of responses that do not match the document
        self.oas_errors: dict[str, list[tuple[requests.Response, list[str]]]] = {}
        self.created: dict[str, dict | None] = {}
        self._authn: dict[str, dict | None] = {}
        self._checked: set[str] = set()
        #: the end user of requests about zelfstandige klanten (see the module docstring)
        self.bystander = authenticatie_claim(
            "natuurlijk_persoon", random_bsn(), niveau=target.min_niveau
        )

    # tokens and end-user authentication ----------------------------------------------------

    @property
    def has_restricted_client(self) -> bool:
        return bool(self.target.restricted_client_id and self.target.restricted_secret)

    def credentials(
        self, authn: dict | None = None, *, restricted: bool = False, **claims: Any
    ) -> tuple[str, dict[str, str]]:
        """The token and extra headers of a request on behalf of end user ``authn`` (or none).

        ``claims`` are added to the token last; the restricted client is the one for AUTH-02.
        """
        if restricted:
            client_id, secret = self.target.restricted_client_id, self.target.restricted_secret
            if not client_id or not secret:
                pytest.skip(
                    "no restricted client given (--restricted-client-id/--restricted-secret)"
                )
        else:
            client_id, secret = self.target.client_id, self.target.secret
        conveyed = hooks.conveyance(self.config, authn) if authn is not None else hooks.Conveyance()
        extra = {**conveyed.claims, **claims}
        token = make_token(client_id, secret, extra_claims=extra or None)
        return token, conveyed.headers

    def token(self, authn: dict | None = None, *, restricted: bool = False, **claims: Any) -> str:
        """The token of :meth:`credentials` (without the hook's extra headers)."""
        return self.credentials(authn, restricted=restricted, **claims)[0]

    def authn_for(self, body: dict, niveau: str | None = None) -> dict | None:
        """The end-user authentication matching the identification of ``body``, if any."""
        identity = self.profile.identificatie(body)
        if identity is None:
            return None
        return authenticatie_claim(*identity, niveau=niveau or self.target.min_niveau)

    def default_authn(self, body: dict) -> dict:
        """The end user of ``authn=AUTO`` requests about ``body``: its own, or the bystander."""
        return self.authn_for(body) or self.bystander

    # requests ------------------------------------------------------------------------------

    def _key(self, url: str) -> str:
        return self.http.url(url).split("?", 1)[0].rstrip("/")

    def request(
        self,
        method: str,
        url: str,
        *,
        authn: Any = AUTO,
        token: str | None = None,
        validate: bool = True,
        **kwargs: Any,
    ) -> requests.Response:
        if token is None:
            if authn is AUTO:
                key = self._key(url)
                # the audit trail of a klant is provided like the klant itself
                authn = self._authn.get(key, self._authn.get(key.split("/audittrail", 1)[0]))
            token, conveyed = self.credentials(authn)
            if conveyed:
                kwargs["headers"] = {**conveyed, **(kwargs.get("headers") or {})}
        if token is NO_TOKEN:
            token = None
        response = self.http.request(method, url, token=token, **kwargs)
        response.exchange = self.http.last  # type: ignore[attr-defined]
        if validate:
            self._validate(response)
        return response

    def _validate(self, response: requests.Response) -> None:
        findings: dict[str, list[str]] = {}
        if response.status_code >= 400 and response.request.method != "HEAD":
            # the problem shape is judged here, so checks.expect_refused leaves it to OAS-03
            response.problem_checked = True  # type: ignore[attr-defined]
            media = problem_media_error(response)
            findings[PROBLEM_MEDIA_RULE] = [media] if media else []
            findings[PROBLEM_RULE] = problem_shape_errors(response)
        else:
            findings[OAS_RULE] = self.validator.errors(response)
        for rule, errors in findings.items():
            if errors:
                self.oas_errors.setdefault(rule, []).append((response, errors))
            if rule not in self._checked and self.node is not None:
                self._checked.add(rule)
                self.node.user_properties.append((CHECKED_PROPERTY, rule))

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("HEAD", url, **kwargs)

    def list(self, authn: dict | None = None, **params: Any) -> requests.Response:
        return self.request("GET", "klanten", authn=authn, params=params)

    def delete(self, url: str, **kwargs: Any) -> requests.Response:
        response = self.request("DELETE", url, **kwargs)
        if response.status_code == 204:
            self.created.pop(self._key(url), None)
        return response

    def put(self, url: str, body: dict, **kwargs: Any) -> requests.Response:
        return self._change("PUT", url, body, **kwargs)

    def patch(self, url: str, body: dict, **kwargs: Any) -> requests.Response:
        return self._change("PATCH", url, body, **kwargs)

    def _change(self, method: str, url: str, body: dict, **kwargs: Any) -> requests.Response:
        response = self.request(method, url, json=body, **kwargs)
        if response.status_code == 200:
            self._remember(url, checks.body_of(response))
        return response

    def create(self, body: dict, *, authn: Any = AUTO, **kwargs: Any) -> requests.Response:
        """POST a klant; with ``authn=AUTO`` the end user matching its identification."""
        if self.read_only:
            raise RuntimeError("--read-only: this check would create data (mark it creates_data)")
        if authn is AUTO:
            authn = self.default_authn(body)
        response = self.request("POST", "klanten", json=body, authn=authn, **kwargs)
        if response.status_code == 201:
            representation = checks.body_of(response)
            url = representation.get("url") if isinstance(representation, dict) else None
            url = url or response.headers.get("Location")
            if url:
                self.created[self._key(url)] = authn
                self._remember(url, representation)
        return response

    def make(self, rule: str, body: dict, **kwargs: Any) -> dict:
        """Create a klant that the rule needs as a precondition; fail under ``rule`` if refused."""
        response = self.create(body, **kwargs)
        return checks.expect_status(rule, response, 201, what="creating the klant")

    def _remember(self, url: str, representation: Any) -> None:
        key = self._key(url)
        authn = self.default_authn(representation) if isinstance(representation, dict) else None
        self._authn[key] = authn
        if key in self.created:
            self.created[key] = authn

    # teardown --------------------------------------------------------------------------------

    def cleanup(self) -> list[str]:
        """Delete every klant this test created; returns what could not be deleted."""
        leftovers = []
        for url, authn in list(self.created.items()):
            try:
                token, headers = self.credentials(authn)
                response = self.http.request("DELETE", url, token=token, headers=headers)
            except requests.RequestException as exc:
                leftovers.append(f"{url}: {exc}")
                continue
            if response.status_code not in (204, 404):
                leftovers.append(f"{url}: HTTP {response.status_code}")
        self.created.clear()
        self.http.close()
        return leftovers

    def raise_oas_errors(self) -> None:
        """Fail under the first rule (OAS-02, OAS-03, OAS-04) that a response broke."""
        for rule in _DEFERRED_ORDER:
            found = self.oas_errors.get(rule)
            if not found:
                continue
            response, errors = found[0]
            more = f" (and {len(found) - 1} more response(s))" if len(found) > 1 else ""
            checks.fail(rule, _DEFERRED_EXPECTED[rule], "; ".join(errors) + more, response)


_DEFERRED_EXPECTED = {
    OAS_RULE: "every response validates against the operation's response schema",
    PROBLEM_RULE: "error responses carry the problem shape (Fout; ValidatieFout for 400)",
    PROBLEM_MEDIA_RULE: "error responses served as application/problem+json",
}


def make_klanten_fixture(target: Target, request: pytest.FixtureRequest) -> Iterator[KlantenClient]:
    client = KlantenClient(
        target,
        read_only=bool(request.config.getoption("read_only", False)),
        node=request.node,
        config=request.config,
    )
    try:
        yield client
    finally:
        leftovers = client.cleanup()
        if leftovers:
            request.node.warn(
                pytest.PytestWarning("could not delete klanten created: " + "; ".join(leftovers))
            )
    client.raise_oas_errors()


__all__ = [
    "AUTO",
    "NO_TOKEN",
    "KlantenClient",
    "NotificationReceiver",
    "SubjectRegistry",
    "make_klanten_fixture",
]
