"""CM-AUTH: ZGW JWT authorisation of every operation of the Contactmomenten API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests

from klanten_conformance import checks
from klanten_conformance.apis.contactmomenten import DEFINITION, ContactmomentenClient
from klanten_conformance.harness.client import BAD_CREDENTIALS, UNUSUAL_CLAIMS, unusual_claims
from klanten_conformance.testdata import random_rsin

pytestmark = pytest.mark.creates_data

REFUSED = (401, 403)
CHANGE = {"tekst": "Een gewijzigde vraag"}


@dataclass
class Fixture:
    """One resource of each kind, an audittrail entry, and the bodies refused creates send
    (a fresh bronorganisatie, klant and zaak, so the check can see nothing was created)."""

    contactmoment: dict
    klantcontactmoment: str
    objectcontactmoment: str
    audit_url: str
    new_contactmoment: dict
    new_klantcontactmoment: dict
    new_objectcontactmoment: dict

    @property
    def url(self) -> str:
        return self.contactmoment["url"]


def _existing(client: ContactmomentenClient) -> Fixture:
    moment = client.contactmoment()
    url = moment["url"]
    entries = client.audittrail(url)
    zaak = client.zaak()
    client.relate(zaak, url)
    return Fixture(
        moment,
        client.klantcontactmoment(url)["url"],
        client.objectcontactmoment(url)["url"],
        f"{url}/audittrail/{entries[0].get('uuid')}",
        client.contactmoment_body(bronorganisatie=random_rsin()),
        client.klantcontactmoment_body(url, client.klant(), "belanghebbende"),
        client.objectcontactmoment_body(url, zaak),
    )


#: operation -> how to call it with token ``t`` on fixture ``f``
Operation = Callable[[ContactmomentenClient, Fixture, object], requests.Response]
OPERATIONS: dict[str, Operation] = {
    "contactmoment_list": lambda c, f, t: c.request("GET", "contactmomenten", token=t),
    "contactmoment_create": lambda c, f, t: c.post("contactmomenten", f.new_contactmoment, token=t),
    "contactmoment_read": lambda c, f, t: c.get(f.url, token=t),
    "contactmoment_read HEAD": lambda c, f, t: c.head(f.url, token=t),
    "contactmoment_update": lambda c, f, t: c.put(
        f.url, {**f.new_contactmoment, **CHANGE}, token=t
    ),
    "contactmoment_partial_update": lambda c, f, t: c.patch(f.url, CHANGE, token=t),
    "audittrail_list": lambda c, f, t: c.get(f"{f.url}/audittrail", token=t),
    "audittrail_read": lambda c, f, t: c.get(f.audit_url, token=t),
    "klantcontactmoment_list": lambda c, f, t: c.request("GET", "klantcontactmomenten", token=t),
    "klantcontactmoment_create": lambda c, f, t: c.post(
        "klantcontactmomenten", f.new_klantcontactmoment, token=t
    ),
    "klantcontactmoment_read": lambda c, f, t: c.get(f.klantcontactmoment, token=t),
    "klantcontactmoment_delete": lambda c, f, t: c.delete(f.klantcontactmoment, token=t),
    "objectcontactmoment_list": lambda c, f, t: c.request("GET", "objectcontactmomenten", token=t),
    "objectcontactmoment_create": lambda c, f, t: c.post(
        "objectcontactmomenten", f.new_objectcontactmoment, token=t
    ),
    "objectcontactmoment_read": lambda c, f, t: c.get(f.objectcontactmoment, token=t),
    "objectcontactmoment_delete": lambda c, f, t: c.delete(f.objectcontactmoment, token=t),
    "contactmoment_delete": lambda c, f, t: c.delete(f.url, token=t),
}


def _expect_no_effect(client: ContactmomentenClient, fixture: Fixture) -> None:
    """Everything is as it was: the contactmoment unchanged with one audittrail entry, its
    links still there and alone, and the refused creates stored nothing."""
    stored = client.read_back(fixture.url, what="reading the contactmoment after the refusals")
    checks.expect_equal(
        "CM-AUTH", stored, fixture.contactmoment, "the contactmoment, unchanged", client.last
    )
    trail = client.audittrail(fixture.url, what="reading the audit trail after the refusals")
    own = [e for e in trail if isinstance(e, dict) and e.get("resourceUrl") in (fixture.url, None)]
    checks.expect_equal("CM-AUTH", len(own), 1, "audittrail entries (only the create)", client.last)
    for resource, url in (
        ("klantcontactmoment", fixture.klantcontactmoment),
        ("objectcontactmoment", fixture.objectcontactmoment),
    ):
        with client.arranging(f"listing the {resource}en of the contactmoment", "CM-FILTER-01"):
            listed = client.list(resource, contactmoment=fixture.url)
            page = checks.expect_status("CM-FILTER-01", listed, 200)
        found = [r.get("url") for r in page.get("results", []) if isinstance(r, dict)]
        checks.expect_equal("CM-AUTH", found, [url], f"the {resource}en afterwards", listed)
    bron = fixture.new_contactmoment["bronorganisatie"]
    with client.arranging("listing the bronorganisatie of the refused create", "CM-FILTER-01"):
        listed = client.list("contactmoment", bronorganisatie=bron)
        page = checks.expect_status("CM-FILTER-01", listed, 200)
    checks.expect_equal("CM-AUTH", page.get("count"), 0, "made by the refused create", listed)


@pytest.mark.rule("CM-AUTH")
@pytest.mark.parametrize("kind", BAD_CREDENTIALS)
def test_every_operation_refuses_bad_credentials(
    contactmomenten: ContactmomentenClient, kind: str
) -> None:
    """CM-AUTH: every operation, HEAD included, refuses a request without valid credentials,
    and such a request has no effect.

    Method: with no token, a malformed token, a token of an unknown client_id or one of the
    suite's client signed with another secret, call all sixteen operations and HEAD → 401
    or 403 with a problem body (HEAD: the status only); afterwards nothing changed and
    nothing was created.
    """
    fixture = _existing(contactmomenten)
    token = contactmomenten.bad_token(kind)
    for name, operation in OPERATIONS.items():
        response = operation(contactmomenten, fixture, token)
        what = f"{name} with {kind}"
        if name.endswith("HEAD"):
            checks.expect_status("CM-AUTH", response, *REFUSED, what=what)
        else:
            checks.expect_refused("CM-AUTH", response, REFUSED, what=what)
    _expect_no_effect(contactmomenten, fixture)


@pytest.mark.rule("CM-AUTH")
@pytest.mark.parametrize("claim", UNUSUAL_CLAIMS)
def test_unusual_claims_are_refused(contactmomenten: ContactmomentenClient, claim: str) -> None:
    """CM-AUTH: tokens with legal but unusual claims are refused with 401/403, never a 5xx.

    Method: a token of the suite's client with `exp` an hour ago, `nbf` an hour ahead, or an
    `aud`; list, read and create contactmomenten with it → 401 or 403, nothing created.
    """
    fixture = _existing(contactmomenten)
    token = contactmomenten.token(**unusual_claims(claim))
    for name in ("contactmoment_list", "contactmoment_read", "contactmoment_create"):
        response = OPERATIONS[name](contactmomenten, fixture, token)
        checks.expect_status("CM-AUTH", response, *REFUSED, what=f"{name} with {claim}")
    _expect_no_effect(contactmomenten, fixture)


# scopes --------------------------------------------------------------------------------------

READING = "contactmomenten.lezen"
#: operations the restricted client (only contactmomenten.lezen) may not call
WITHOUT_SCOPE = [op for op, scopes in DEFINITION.scopes.items() if READING not in scopes]


def _restricted(client: ContactmomentenClient) -> str:
    if not client.has_restricted_client:
        pytest.skip(
            "CM-AUTH (scopes) needs a second client of the target with only "
            "contactmomenten.lezen: give --restricted-client-id and --restricted-secret"
        )
    return client.token(restricted=True)


@pytest.mark.rule("CM-AUTH")
@pytest.mark.parametrize("operation", WITHOUT_SCOPE)
def test_operation_requires_its_scope(
    contactmomenten: ContactmomentenClient, operation: str
) -> None:
    """CM-AUTH: each operation requires its own scope; without it → 403 and no side effect.

    Method: with the restricted client (contactmomenten.lezen only), call an operation that
    needs another scope (aanmaken, bijwerken, verwijderen, audittrails.lezen) → 403 with a
    problem body; afterwards nothing changed and nothing was created.
    """
    token = _restricted(contactmomenten)
    fixture = _existing(contactmomenten)
    response = OPERATIONS[operation](contactmomenten, fixture, token)
    scope = ", ".join(DEFINITION.scopes[operation])
    checks.expect_refused("CM-AUTH", response, (403,), what=f"{operation} without {scope}")
    _expect_no_effect(contactmomenten, fixture)


@pytest.mark.rule("CM-AUTH")
def test_reading_needs_only_contactmomenten_lezen(contactmomenten: ContactmomentenClient) -> None:
    """CM-AUTH: every list and read (HEAD too) needs only `contactmomenten.lezen`.

    Method: with the restricted client, call the three lists and reads and HEAD → 200 each;
    this also shows its 403s elsewhere are about scopes, not about its credentials.
    """
    token = _restricted(contactmomenten)
    fixture = _existing(contactmomenten)
    reading = [op for op, scopes in DEFINITION.scopes.items() if READING in scopes]
    for name in [*reading, "contactmoment_read HEAD"]:
        response = OPERATIONS[name](contactmomenten, fixture, token)
        checks.expect_status("CM-AUTH", response, 200, what=f"{name} with {READING}")
