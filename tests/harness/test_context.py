"""The run context: options, targets.toml and environment resolved once, and refused when wrong."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from klanten_conformance.harness.context import ContextError, load_targets_file, resolve
from klanten_conformance.rules import load_catalogue

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalogue():
    return load_catalogue()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KLANTEN_CONFORMANCE_SECRET", "KLANTEN_CONFORMANCE_RESTRICTED_SECRET",
                 "KLANTEN_CONFORMANCE_TOKEN", "KLANTEN_CONFORMANCE_RUN_ID"):
        monkeypatch.delenv(name, raising=False)


def test_no_url_means_the_builtin_reference_server(catalogue) -> None:
    context = resolve({}, catalogue)
    assert context.builtin
    assert context.profile.id == catalogue.default_profile
    assert context.apis == ("klanten", "contactmomenten")
    assert "contactmomenten" not in context.left_out


def test_a_url_of_one_api_leaves_the_other_out(catalogue) -> None:
    values = {"klanten_url": "https://x/api/v1", "client_id": "c", "secret": "s"}
    context = resolve(values, catalogue)
    assert context.apis == ("klanten",)
    assert "contactmomenten" in context.left_out


def test_a_url_needs_credentials(catalogue) -> None:
    with pytest.raises(ContextError, match="--client-id and --secret"):
        resolve({"klanten_url": "https://x/api/v1"}, catalogue)
    with pytest.raises(ContextError, match="--secret"):
        resolve({"klanten_url": "https://x/api/v1", "client_id": "c"}, catalogue)


def test_secret_from_the_environment_never_in_the_repr(
    catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLANTEN_CONFORMANCE_SECRET", "s3cret-value")
    context = resolve({"klanten_url": "https://x/api/v1/", "client_id": "c"}, catalogue)
    target = context.targets["klanten"]
    assert target.url == "https://x/api/v1"
    assert target.client is not None and target.client.secret == "s3cret-value"
    assert "s3cret-value" not in repr(context)
    assert "s3cret-value" in context.secrets
    assert context.target_name == "x"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"profile": "klanten-1.1"}, "did you mean klanten-1.0"),
        ({"classes": "gedrg"}, "did you mean gedrag"),
        ({"rule": ["KLOK01-X1"]}, "did you mean"),
        ({"api": "klantn"}, "did you mean klanten"),
        ({"klanten_url": "klanten.example.nl"}, "not an http(s) URL"),
        ({"oas_examples": 0}, "at least 1"),
        ({"concurrency": 0}, "--concurrency must be at least 1, not 0"),
        ({"concurrency": -3}, "--concurrency must be at least 1, not -3"),
        ({"klantinteracties_url": "https://ki.example/api"}, "has no klantinteracties API"),
    ],
)
def test_bad_values_are_refused_with_a_hint(catalogue, values: dict, message: str) -> None:
    with pytest.raises(ContextError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve(values, catalogue)


TARGETS = """\
[targets.acme]
profile = "klanten-1.0"
client_id = "c"
secret_env = "ACME_SECRET"
bronorganisatie = "002220647"

[targets.acme.klanten]
url = "https://acme.example/klanten/api/v1"

[targets.flat]
klanten_url = "https://flat.example/api/v1"
client_id = "c"
secret = "inline-secret"
"""


def test_a_targets_file_with_a_table_per_api(
    catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(TARGETS, encoding="utf-8")
    monkeypatch.setenv("ACME_SECRET", "from-env")
    context = resolve({"target": "acme", "targets_file": str(path)}, catalogue)
    assert context.targets["klanten"].url == "https://acme.example/klanten/api/v1"
    assert context.targets["klanten"].client.secret == "from-env"
    assert context.bronorganisatie == "002220647"
    assert context.target_name == "acme" and context.named_target
    flat = resolve({"target": "flat", "targets_file": str(path)}, catalogue)
    assert flat.targets["klanten"].url == "https://flat.example/api/v1"
    # the command line wins over the file
    other = resolve(
        {"target": "flat", "targets_file": str(path), "klanten_url": "https://cli.example/v1"},
        catalogue,
    )
    assert other.targets["klanten"].url == "https://cli.example/v1"


def test_targets_file_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(TARGETS + '\n[targets.typo]\nklanten_ulr = "x"\n', encoding="utf-8")
    with pytest.raises(ContextError, match="no target 'acm'.*did you mean acme"):
        load_targets_file(path, "acm")
    with pytest.raises(ContextError, match="unknown key.*klanten_ulr.*did you mean klanten_url"):
        load_targets_file(path, "typo")
    with pytest.raises(ContextError, match="does not exist"):
        load_targets_file(tmp_path / "absent.toml", "acme")
    monkeypatch.delenv("ACME_SECRET", raising=False)
    with pytest.raises(ContextError, match="ACME_SECRET"):
        resolve({"target": "acme", "targets_file": str(path)}, load_catalogue())


def test_the_concurrency_of_generated_requests(catalogue, tmp_path: Path) -> None:
    assert resolve({}, catalogue).generation.concurrency == 2  # modest by default
    assert resolve({"concurrency": 1}, catalogue).generation.concurrency == 1
    path = tmp_path / "targets.toml"
    path.write_text(
        TARGETS.replace('secret = "inline-secret"', 'secret = "inline-secret"\nconcurrency = 2')
        + '\n[targets.wrong]\nklanten_url = "https://w.example/api/v1"\nclient_id = "c"\n'
        'secret = "s"\nconcurrency = "many"\n',
        encoding="utf-8",
    )
    flat = {"target": "flat", "targets_file": str(path)}
    assert resolve(flat, catalogue).generation.concurrency == 2
    # the command line wins over the file
    assert resolve({**flat, "concurrency": 8}, catalogue).generation.concurrency == 8
    with pytest.raises(ContextError, match="target wrong: concurrency must be a whole number"):
        resolve({"target": "wrong", "targets_file": str(path)}, catalogue)


def _run(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "klanten_conformance.cli", "run", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )
    return result, time.monotonic() - started


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--classes", "gedrg"), "did you mean gedrag"),
        (("--profile", "klanten-2.0"), "unknown profile 'klanten-2.0'"),
        (("--concurrency", "0"), "--concurrency must be at least 1, not 0"),
        (("--concurrency", "abc"), "argument --concurrency: invalid int value: 'abc'"),
    ],
)
def test_a_bad_option_is_refused_before_anything_starts(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result, _ = _run(*args, "--reports-dir", str(tmp_path / "reports"), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert message in output
    assert output.count(message) == 1  # said once, not twice
    assert "Traceback" not in output
    assert "reference-server ready" not in output and "session starts" not in output
    assert not (tmp_path / "reports").exists()  # no report folder is left behind
