"""The vendor hook `pytest_klanten_authenticatie` and how the klanten fixture uses it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import jwt
import pytest

from klanten_conformance import apis, hooks
from klanten_conformance.apis.klanten import KlantenClient
from klanten_conformance.harness import plugin
from klanten_conformance.harness.context import resolve
from klanten_conformance.rules import load_catalogue
from klanten_conformance.tokens import authenticatie_claim

SECRET = "a-secret-of-at-least-thirty-two-bytes!"
AUTHN = authenticatie_claim("natuurlijk_persoon", "999990019", "substantieel")
HEADER = {"X-Eherkenning-Subject": "natuurlijk_persoon:999990019:substantieel"}


def _config(*implementations: object) -> Any:
    """A stand-in for pytest.Config: just a plugin manager's hook relay."""
    manager = pytest.PytestPluginManager()
    plugin.pytest_addhooks(manager)
    for implementation in implementations:
        manager.register(implementation)
    return SimpleNamespace(hook=manager.hook)


class Headers:
    calls: list[tuple[str, str, str]]

    def __init__(self) -> None:
        self.calls = []

    @pytest.hookimpl
    def pytest_klanten_authenticatie(
        self, config: Any, subject_type: str, identificatie: str, niveau: str
    ) -> dict:
        self.calls.append((subject_type, identificatie, niveau))
        return {
            "headers": {"X-Eherkenning-Subject": f"{subject_type}:{identificatie}:{niveau}"},
            "claims": {"act": {"sub": identificatie}},
        }


class Abstains:
    @pytest.hookimpl
    def pytest_klanten_authenticatie(self, subject_type: str) -> None:
        return None


class Returns:
    def __init__(self, result: object) -> None:
        self.result = result

    @pytest.hookimpl
    def pytest_klanten_authenticatie(self) -> object:
        return self.result


def _client(config: Any) -> KlantenClient:
    values = {"klanten_url": "http://127.0.0.1:9/api/v1", "client_id": "suite", "secret": SECRET}
    context = resolve(values, load_catalogue())
    return KlantenClient(apis.get("klanten"), context.targets["klanten"], context, config=config)


def _claims(token: str) -> dict:
    return jwt.decode(token, SECRET, algorithms=["HS256"])


def test_plugin_registers_the_hookspec() -> None:
    config = _config()
    assert hasattr(config.hook, "pytest_klanten_authenticatie")


def test_without_implementation_the_builtin_claim_is_used() -> None:
    assert hooks.conveyance(_config(), AUTHN) == hooks.Conveyance(claims={"authenticatie": AUTHN})
    assert hooks.conveyance(None, AUTHN) == hooks.builtin(AUTHN)


def test_an_implementation_replaces_the_builtin_claim() -> None:
    implementation = Headers()
    conveyed = hooks.conveyance(_config(implementation), AUTHN)
    assert implementation.calls == [("natuurlijk_persoon", "999990019", "substantieel")]
    assert conveyed.headers == HEADER
    assert conveyed.claims == {"act": {"sub": "999990019"}}


def test_an_implementation_returning_none_leaves_the_builtin_claim() -> None:
    assert hooks.conveyance(_config(Abstains()), AUTHN) == hooks.builtin(AUTHN)


def test_the_first_result_wins() -> None:
    # pluggy calls the last registered implementation first
    conveyed = hooks.conveyance(_config(Returns({"headers": {"X-A": "1"}}), Headers()), AUTHN)
    assert "X-Eherkenning-Subject" in conveyed.headers


@pytest.mark.parametrize(
    "result",
    [
        "a string",
        {"header": {}},
        {"headers": ["X-A"]},
        {"headers": {"Authorization": "Bearer x"}},
    ],
)
def test_invalid_results_are_refused(result: object) -> None:
    with pytest.raises(TypeError, match="pytest_klanten_authenticatie"):
        hooks.conveyance(_config(Returns(result)), AUTHN)


def test_client_token_carries_the_builtin_claim_without_a_hook() -> None:
    token, headers = _client(_config()).credentials(AUTHN)
    assert headers == {}
    assert _claims(token)["authenticatie"] == AUTHN


def test_client_uses_the_hook_for_token_and_headers() -> None:
    token, headers = _client(_config(Headers())).credentials(AUTHN, extra="x")
    claims = _claims(token)
    assert "authenticatie" not in claims
    assert claims["act"] == {"sub": "999990019"}
    assert claims["extra"] == "x"
    assert headers == HEADER


def test_client_requests_send_the_hook_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client(_config(Headers()))
    sent: list[dict] = []

    def fake_request(method: str, url: str, **kwargs: Any) -> Any:
        sent.append(kwargs)
        raise RuntimeError("not sent")

    monkeypatch.setattr(client.http, "request", fake_request)
    with pytest.raises(RuntimeError):
        client.request("GET", "klanten/x", authn=AUTHN, headers={"If-None-Match": '"e"'})
    with pytest.raises(RuntimeError):
        client.request("GET", "klanten/x", authn=None)
    first, second = (call["headers"] for call in sent)
    assert {k: v for k, v in first.items() if k != "Authorization"} == {
        **HEADER,
        "If-None-Match": '"e"',
    }
    assert set(second) == {"Authorization"}
    assert "authenticatie" not in _claims(second["Authorization"].removeprefix("Bearer "))
