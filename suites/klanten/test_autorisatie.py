"""Class `autorisatie`: ZGW JWT authorisation of every operation of the Klanten API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import requests

from klanten_conformance import checks
from klanten_conformance.apis.klanten import KlantenClient, Shape
from klanten_conformance.harness.client import BAD_CREDENTIALS, UNUSUAL_CLAIMS, unusual_claims

pytestmark = pytest.mark.creates_data

REFUSED = (401, 403)


@dataclass
class Fixture:
    """A klant (of the first shape the target accepts), one audittrail entry URL, and the
    body a refused create sends (so the check can see that nothing was created)."""

    body: dict
    klant: dict
    shape: Shape
    audit_url: str
    new_body: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.klant["url"]


def _existing(klanten: KlantenClient) -> Fixture:
    made = klanten.klant(telefoonnummer="0612345678")
    entries = klanten.audit_entries(made.url)
    return Fixture(
        made.body,
        made.data,
        made.shape,
        f"{made.url}/audittrail/{entries[0].get('uuid')}",
        klanten.profile.build(made.shape),
    )


CHANGE = {"telefoonnummer": "0687654321"}
#: operation -> how to call it with token ``t`` on fixture ``f``
Operation = Callable[[KlantenClient, Fixture, object], requests.Response]
OPERATIONS: dict[str, Operation] = {
    "klant_list": lambda k, f, t: k.request("GET", "klanten", token=t),
    "klant_list HEAD": lambda k, f, t: k.request("HEAD", "klanten", token=t),
    "klant_create": lambda k, f, t: k.create(f.new_body, token=t),
    "klant_read": lambda k, f, t: k.get(f.url, token=t),
    "klant_read HEAD": lambda k, f, t: k.head(f.url, token=t),
    "klant_update": lambda k, f, t: k.put(f.url, {**f.body, **CHANGE}, token=t),
    "klant_partial_update": lambda k, f, t: k.patch(f.url, CHANGE, token=t),
    "klant_delete": lambda k, f, t: k.delete(f.url, token=t),
    "audittrail_list": lambda k, f, t: k.get(f"{f.url}/audittrail", token=t),
    "audittrail_read": lambda k, f, t: k.get(f.audit_url, token=t),
}


def _expect_no_effect(rule: str, klanten: KlantenClient, fixture: Fixture) -> None:
    """The klant is unchanged, has one audittrail entry, and the refused create left none."""
    stored = klanten.read_back(fixture.url, what="reading the klant back after the refusals")
    checks.expect_equal(rule, stored, fixture.klant, "the klant read back, unchanged", klanten.last)
    with klanten.arranging("reading the audittrail after the refusals", "AUDIT-01"):
        trail = klanten.get(f"{fixture.url}/audittrail")
        entries = checks.expect_status("AUDIT-01", trail, 200)
    own = [
        e
        for e in entries or []
        if isinstance(e, dict) and e.get("resourceUrl") in (fixture.url, None)
    ]  # entries about other klanten are OAS-09's finding
    checks.expect_equal(
        rule, len(own), 1, "audittrail entries of the klant (only the create)", trail
    )
    authn = klanten.authn_for(fixture.new_body)
    with klanten.arranging("listing klanten on the klantnummer of the refused create", "FILTER-01"):
        found = klanten.list(authn, klantnummer=fixture.new_body["klantnummer"])
        body = checks.expect_status("FILTER-01", found, 200)
    checks.expect_equal(rule, body.get("count"), 0, "klanten made by the refused create", found)


@pytest.mark.rule("AUTH-01")
@pytest.mark.parametrize("kind", BAD_CREDENTIALS)
def test_every_operation_refuses_bad_credentials(klanten: KlantenClient, kind: str) -> None:
    """AUTH-01: every operation, HEAD included, refuses a request without valid credentials,
    and such a request has no effect.

    Method: with no token, a malformed token, a token of an unknown client_id, or a token of
    the suite's client signed with another secret, call list, create, read, HEAD, PUT,
    PATCH, DELETE and both audittrail operations → 401 or 403 with a problem body (HEAD:
    the status only); afterwards the klant is unchanged and no klant was created.
    """
    fixture = _existing(klanten)
    token = klanten.bad_token(kind)
    for name, operation in OPERATIONS.items():
        response = operation(klanten, fixture, token)
        what = f"{name} with {kind}"
        if name.endswith("HEAD"):
            checks.expect_status("AUTH-01", response, *REFUSED, what=what)
        else:
            checks.expect_refused("AUTH-01", response, REFUSED, what=what)
    _expect_no_effect("AUTH-01", klanten, fixture)


@pytest.mark.rule("AUTH-03")
@pytest.mark.parametrize("claim", UNUSUAL_CLAIMS)
def test_unusual_claims_are_refused(klanten: KlantenClient, claim: str) -> None:
    """AUTH-03: tokens with legal but unusual claims are refused with 401/403, never a 5xx.

    Method: a token of the suite's client with `exp` an hour ago (issued two hours ago), with
    `nbf` an hour ahead, or with an `aud`; list, read and create with it → 401 or 403, and
    the create stored nothing.
    """
    claims = unusual_claims(claim)
    fixture = _existing(klanten)
    for name in ("klant_list", "klant_read", "klant_create"):
        about = fixture.new_body if name == "klant_create" else fixture.body
        token = klanten.token(klanten.default_authn(about), **claims)
        response = OPERATIONS[name](klanten, fixture, token)
        checks.expect_status("AUTH-03", response, *REFUSED, what=f"{name} with {claim}")
    _expect_no_effect("AUTH-03", klanten, fixture)


# AUTH-02 -------------------------------------------------------------------------------------

#: operations the restricted client (only klanten.lezen) may not call -> the scope they need
WITHOUT_SCOPE = {
    "klant_create": "klanten.aanmaken",
    "klant_update": "klanten.bijwerken",
    "klant_partial_update": "klanten.bijwerken",
    "klant_delete": "klanten.verwijderen",
    "audittrail_list": "audittrails.lezen",
    "audittrail_read": "audittrails.lezen",
}


def _restricted_token(klanten: KlantenClient, about: dict) -> str:
    """A token of the restricted client, for the end user the request is about."""
    if not klanten.has_restricted_client:
        pytest.skip(
            "AUTH-02 needs a second client of the target with only klanten.lezen: "
            "give --restricted-client-id and --restricted-secret"
        )
    return klanten.token(klanten.default_authn(about), restricted=True)


@pytest.mark.rule("AUTH-02")
@pytest.mark.parametrize("operation", list(WITHOUT_SCOPE))
def test_operation_requires_its_scope(klanten: KlantenClient, operation: str) -> None:
    """AUTH-02: each operation requires its own scope; without it → 403 and no side effect.

    Method: with the restricted client (scope klanten.lezen only), call an operation that
    needs another scope → 403 with a problem body; afterwards the klant is unchanged, still
    there, and no klant was created.
    """
    if not klanten.has_restricted_client:
        _restricted_token(klanten, {})
    fixture = _existing(klanten)
    about = fixture.new_body if operation == "klant_create" else fixture.body
    response = OPERATIONS[operation](klanten, fixture, _restricted_token(klanten, about))
    scope = WITHOUT_SCOPE[operation]
    checks.expect_refused("AUTH-02", response, (403,), what=f"{operation} without {scope}")
    _expect_no_effect("AUTH-02", klanten, fixture)


@pytest.mark.rule("AUTH-02")
def test_reading_needs_only_klanten_lezen(klanten: KlantenClient) -> None:
    """AUTH-02: list, read and HEAD need `klanten.lezen`, which the restricted client holds.

    Method: with the restricted client, list (on the klantnummer), read and HEAD a klant
    → 200 each; this also shows the client's 403s elsewhere are about scopes, not about its
    credentials.
    """
    if not klanten.has_restricted_client:
        _restricted_token(klanten, {})
    fixture = _existing(klanten)
    token = _restricted_token(klanten, fixture.body)
    listed = klanten.request(
        "GET", "klanten", token=token, params={"klantnummer": fixture.body["klantnummer"]}
    )
    checks.expect_status("AUTH-02", listed, 200, what="klant_list with klanten.lezen")
    checks.expect_status(
        "AUTH-02", klanten.get(fixture.url, token=token), 200, what="klant_read with klanten.lezen"
    )
    checks.expect_status(
        "AUTH-02", klanten.head(fixture.url, token=token), 200, what="HEAD with klanten.lezen"
    )
