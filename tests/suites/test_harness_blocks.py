"""Unit tests of the harness blocks the suites rely on: failures, targets, spec mapping."""

from __future__ import annotations

import pytest

from klanten_conformance.checks import ConformanceFailure
from klanten_conformance.oas import ResponseValidator
from klanten_conformance.target import TargetError, load_targets_file, target_from_options


def test_failure_names_rule_expectation_and_answer() -> None:
    failure = ConformanceFailure("KLOK01-C1", "HTTP 400", "HTTP 201", "> POST /klanten")
    text = str(failure)
    assert "[KLOK01-C1] expected: HTTP 400" in text
    assert "[KLOK01-C1] received: HTTP 201" in text
    assert "> POST /klanten" in text


def test_no_url_means_the_reference_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KLANTEN_CONFORMANCE_SECRET", raising=False)
    assert target_from_options({}) is None


def test_url_needs_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KLANTEN_CONFORMANCE_SECRET", raising=False)
    with pytest.raises(TargetError, match="--secret"):
        target_from_options({"klanten_url": "https://x/api/v1", "client_id": "c"})


def test_secret_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLANTEN_CONFORMANCE_SECRET", "s3cret")
    target = target_from_options({"klanten_url": "https://x/api/v1/", "client_id": "c"})
    assert target is not None
    assert target.klanten_url == "https://x/api/v1"
    assert target.secret == "s3cret"
    assert "s3cret" not in repr(target)


def test_targets_file(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(
        '[targets.acme]\nklanten_url = "https://acme/api/v1"\nclient_id = "c"\n'
        'secret_env = "ACME_SECRET"\n'
    )
    monkeypatch.setenv("ACME_SECRET", "from-env")
    assert load_targets_file(path, "acme")["secret"] == "from-env"
    target = target_from_options({"target": "acme", "targets_file": str(path)})
    assert target is not None and target.name == "acme"
    with pytest.raises(TargetError, match="no target 'other'"):
        load_targets_file(path, "other")


def test_request_urls_map_onto_the_spec_server_path() -> None:
    validator = ResponseValidator("https://host/some/base/klanten/api/v1")
    assert validator.spec_path("https://host/some/base/klanten/api/v1/klanten?x=1") == (
        "/api/v1/klanten"
    )
    assert validator.spec_path("https://elsewhere/klanten") is None
