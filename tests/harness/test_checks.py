"""Failures, blocked checks and the mapping of request URLs onto a document's server path."""

from __future__ import annotations

import pytest
import requests

from klanten_conformance import checks
from klanten_conformance.checks import Blocked, ConformanceFailure
from klanten_conformance.oas import ResponseValidator


def test_failure_names_rule_expectation_and_answer() -> None:
    failure = ConformanceFailure("KLOK01-C1", "HTTP 400", "HTTP 201", "> POST /klanten")
    text = str(failure)
    assert "[KLOK01-C1] expected: HTTP 400" in text
    assert "[KLOK01-C1] received: HTTP 201" in text
    assert "> POST /klanten" in text


def test_a_failure_while_arranging_blocks_the_check() -> None:
    with pytest.raises(Blocked) as caught, checks.arranging("creating the klant", "KLOK01-Z1"):
        raise ConformanceFailure("klanten", "HTTP 201", "HTTP 500", "> POST /klanten\n< 500")
    blocked = caught.value
    assert not isinstance(blocked, AssertionError)  # not a failed assertion of the rule
    assert blocked.summary == "blocked: creating the klant: HTTP 500 — see KLOK01-Z1"
    assert "< 500" in str(blocked)


def test_no_answer_while_arranging_blocks_the_check_too() -> None:
    with pytest.raises(Blocked, match="no answer .ConnectionError."), checks.arranging("x"):
        raise requests.ConnectionError("refused")


def test_an_assertion_outside_arranging_stays_a_failure() -> None:
    with pytest.raises(ConformanceFailure):
        checks.expect_true("LIFE-01", False, "a Location header", "none")


def test_request_urls_map_onto_the_spec_server_path() -> None:
    validator = ResponseValidator("https://host/some/base/klanten/api/v1")
    assert validator.spec_path("https://host/some/base/klanten/api/v1/klanten?x=1") == (
        "/api/v1/klanten"
    )
    assert validator.spec_path("https://elsewhere/klanten") is None
