"""CM-INT-01: an interactie (one or more contactmomenten about one subject) is navigable.

The begrippen of the standard describe an interactie as everything from the first to the last
exchange about one subject, made of one or more contactmomenten; the API expresses that
series as a chain of `vorigContactmoment`/`volgendContactmoment` links. A consumer must be
able to walk the chain from any contactmoment to its start and to its end.
"""

from __future__ import annotations

import pytest

from klanten_conformance import checks
from klanten_conformance.apis.contactmomenten import ContactmomentenClient, tag

pytestmark = pytest.mark.creates_data

#: more steps than the chain has: the walk went round in circles
LIMIT = 10


def _walk(client: ContactmomentenClient, start: str, link: str) -> list[str]:
    """The urls met following ``link`` from ``start`` until it is empty."""
    seen = [start]
    current = start
    while len(seen) <= LIMIT:
        response = client.get(current)
        body = checks.expect_status("CM-INT-01", response, 200, what=f"reading {current}")
        following = body.get(link) if isinstance(body, dict) else None
        if not following:
            return seen
        seen.append(following)
        current = following
    checks.fail("CM-INT-01", f"the {link} chain ends", f"more than {LIMIT} steps: {seen}")
    return seen


@pytest.mark.rule("CM-INT-01")
def test_interactie_is_walked_both_ways(contactmomenten: ContactmomentenClient) -> None:
    """CM-INT-01: a chain of three contactmomenten is walked from its end to its start and
    back.

    Method: create the first, second and third contactmoment of one subject, each naming the
    one before as `vorigContactmoment`; from the third follow `vorigContactmoment` (third,
    second, first, then nothing) and from the first follow `volgendContactmoment` (first,
    second, third, then nothing).
    """
    subject = f"Vraag over de huurtoeslag ({tag()})"
    chain: list[str] = []
    for number in range(3):
        fields = {"vorigContactmoment": chain[-1]} if chain else {}
        made = contactmomenten.contactmoment(
            what=f"creating contactmoment {number + 1} of the interactie",
            tekst=f"{subject}, contact {number + 1}",
            **fields,
        )
        chain.append(made["url"])
    backwards = _walk(contactmomenten, chain[-1], "vorigContactmoment")
    checks.expect_equal(
        "CM-INT-01", backwards, chain[::-1], "the chain walked back", contactmomenten.last
    )
    forwards = _walk(contactmomenten, chain[0], "volgendContactmoment")
    checks.expect_equal(
        "CM-INT-01", forwards, chain, "the chain walked forward", contactmomenten.last
    )
