"""The migration view (class ki-migratie) as a vendor runs it: a product serving the Klanten API
1.0 and the Klantinteracties API, given by URL. Without the Klanten URL the rules are not
applicable, and the report says why; with it they are judged, and only GET requests reach the
product."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from klanten_conformance.harness.process import ServerProcess, start_server_process
from suites.klantinteracties.conftest import NO_SOURCE

pytestmark = pytest.mark.slow
KEY = "migratie-test-key-0123456789"
SECRET = "migratie-test-secret-0123456789"


@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The reference server as a product with migrated data (the ki-migratie seed)."""
    folder = tmp_path_factory.mktemp("product")
    config = folder / "server.toml"
    config.write_text(
        '[server]\nseed = ["ki-migratie"]\nenforce_authenticatie = false\n\n'
        f'[[clients]]\nclient_id = "vendor"\nsecret = "{SECRET}"\n\n'
        f'[[tokens]]\nkey = "{KEY}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "REFERENCE_SERVER_FAULTS"}
    server = start_server_process(folder / "db.sqlite3", config, folder / "log", env=env)
    yield server
    server.stop()


def _run(product: ServerProcess, tmp_path: Path, *extra: str) -> dict:
    args = [
        "--profile", "klantinteracties-0.9", "--classes", "ki-migratie",
        "--klantinteracties-url", f"{product.root_url}/klantinteracties/api/v1",
        "--token", KEY, "--reports-dir", str(tmp_path), *extra,
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLANTEN_CONFORMANCE_")}
    result = subprocess.run(
        [sys.executable, "-m", "klanten_conformance.cli", "run", "-q", *args],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout[-4000:] + result.stderr[-2000:]
    assert KEY not in result.stdout and SECRET not in result.stdout
    [report] = tmp_path.glob("*/conformance.json")
    return json.loads(report.read_text(encoding="utf-8"))


def _rules(report: dict) -> dict[str, dict]:
    return {
        r["id"]: r for c in report["classes"] for r in c["rules"] if r["id"].startswith("KI-MIG")
    }


def test_without_the_klanten_url_the_rules_are_not_applicable_with_the_reason(
    product: ServerProcess, tmp_path: Path
) -> None:
    rules = _rules(_run(product, tmp_path))
    for rule in rules.values():
        assert rule["verdict"] == "not applicable", rule
        assert rule["reason"] == NO_SOURCE


def test_with_both_urls_the_product_is_compared_read_only(
    product: ServerProcess, tmp_path: Path
) -> None:
    klanten = f"{product.root_url}/klanten/api/v1"
    before = _dump(product)
    report = _run(product, tmp_path, "--klanten-url", klanten, "--client-id", "vendor",
                  "--secret", SECRET)  # fmt: skip
    rules = _rules(report)
    assert {r["verdict"] for r in rules.values()} == {"pass"}, rules
    notes = [n for r in rules.values() for t in r["tests"] for n in t["notes"]]
    assert any(n.startswith("4 klant(en) compared, 0 mismatch(es)") for n in notes), notes
    assert report["target"]["migration_source"] == {"klanten": klanten}
    assert report["target"]["apis"] == ["klantinteracties"]
    assert _dump(product) == before  # nothing was written


def _dump(product: ServerProcess) -> list[str]:
    with sqlite3.connect(product.log_path.parent / "db.sqlite3") as conn:
        return list(conn.iterdump())
