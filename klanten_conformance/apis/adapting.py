"""What adapting test data to a target needs, shared by the APIs' clients.

A client that can make its test data in more than one way (the shapes of klant of the Klanten
API, the routes of giving a partij its identificatoren in the Klantinteracties API) tries them
in order and remembers, per target, the one the target accepted and why the others were
refused, so that later checks start with what works and the evidence can say why.
"""

from __future__ import annotations

import threading

import requests

from klanten_conformance import checks


class AcceptedMemory:
    """Per target URL: the way the target accepted last, and why other ways were refused."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted: dict[str, str] = {}
        self.refused: dict[str, dict[str, str]] = {}


def refusal(response: requests.Response) -> str:
    """A refusal in a few words: the status and the problem code."""
    body = checks.body_of(response)
    code = body.get("code") if isinstance(body, dict) else None
    return f"HTTP {response.status_code}" + (f" {code!r}" if code else "")
