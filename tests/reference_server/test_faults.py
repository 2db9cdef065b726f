"""The fault switches: every one is accepted, unknown ones are refused by name, and together
they cover the rules of the catalogue one to one (the Klanten faults the Klanten classes, the
Contactmomenten faults the class ``contactmomenten``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from reference_server import create_app
from reference_server.config import parse_config
from reference_server.faults import (
    CLEAN,
    ENV_VAR,
    FAULTS,
    REAL_WORLD,
    UnknownFaultError,
    parse_faults,
)
from tests.reference_server.conftest import API, server_settings

RULES_MD = Path(__file__).resolve().parents[3] / "shared" / "RULES.md"
KLANTEN_CLASSES = (
    "oas",
    "gedrag",
    "autorisatie",
    "klok01",
    "authenticatie",
    "uitgangspunten",
    "notificaties",
)
UNKNOWN = "KLOK01-C9"
#: rules a fault names that RULES.md does not have yet (the catalogue is the lead's to extend)
NEW_RULES = {
    "OAS-09": "a sub-resource lists and reads only its own parent's entries; an unknown or "
    "malformed parent is 404 with a problem body",
    "OAS-10": "a resource that does not exist (an unknown or malformed id) is 404",
}
#: Contactmomenten rules the faults name that RULES.md does not have (the catalogue of the
#: Contactmomenten suites adds them: the Klanten rule of the same name, for this API)
NEW_CM_RULES = {
    "CM-CACHE-01": "CACHE-01",
    "CM-CACHE-02": "CACHE-02",
    "CM-CACHE-03": "CACHE-03",
    "CM-AUDIT-01": "AUDIT-01",
    "CM-LIFE-01": "LIFE-01",
    "CM-LIFE-02": "LIFE-02",
    "CM-FILTER-01": "FILTER-01",
    "CM-NOTIF-01": "NOTIF-01",
    "CM-OAS-MEDIA": "OAS-04",
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_every_fault_is_accepted(tmp_path: Path, name: str) -> None:
    """Each fault name is accepted by name, from the environment and from a config file."""
    assert parse_faults([name]) == {name}
    assert server_settings(tmp_path, faults=(name,)).faults == {name}
    assert parse_config({"server": {"faults": [name]}})["faults"] == {name}


def test_all_faults_at_once_make_a_working_server(tmp_path: Path) -> None:
    """All faults together still give a server that starts and answers."""
    settings = server_settings(tmp_path, faults=tuple(FAULTS))
    assert settings.faults == set(FAULTS)
    with TestClient(create_app(settings)) as client:
        assert client.get(f"{API}/schema/openapi.yaml").status_code == 200


def test_unknown_fault_is_refused_by_name(tmp_path: Path) -> None:
    """An unknown fault name raises UnknownFaultError naming it, wherever it is given."""
    with pytest.raises(UnknownFaultError, match=UNKNOWN):
        parse_faults(["KLOK01-C1", UNKNOWN])
    with pytest.raises(UnknownFaultError, match=UNKNOWN):
        server_settings(tmp_path, faults=(UNKNOWN,))
    with pytest.raises(UnknownFaultError, match=UNKNOWN):
        parse_config({"server": {"faults": [UNKNOWN]}})
    with pytest.raises(UnknownFaultError, match="KLOK01-C3/no-such-variant"):
        parse_faults(["KLOK01-C3/no-such-variant"])


def test_unknown_fault_stops_the_server_at_start_up(make_server) -> None:
    """make_server refuses an unknown fault instead of starting a server without it."""
    with pytest.raises(UnknownFaultError, match=UNKNOWN):
        make_server(faults=(UNKNOWN,))


@pytest.mark.slow
def test_unknown_fault_in_environment_stops_serve(tmp_path: Path) -> None:
    """`klanten-conformance serve` with an unknown fault exits with an error naming it."""
    result = subprocess.run(
        [sys.executable, "-m", "klanten_conformance.cli", "serve", "--db", str(tmp_path / "x")],
        env={**os.environ, ENV_VAR: UNKNOWN},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert UNKNOWN in result.stderr


# meta: faults <-> rule catalogue ---------------------------------------------------------------


def catalogue_ids() -> dict[str, set[str]]:
    """Rule ids per class from the tables of RULES.md."""
    if not RULES_MD.is_file():
        pytest.skip(f"the rule catalogue {RULES_MD} is not available")
    ids: dict[str, set[str]] = {}
    current = None
    for line in RULES_MD.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## Class `([^`]+)`", line)
        if heading:
            current = heading.group(1)
            ids[current] = set()
        elif line.startswith("## "):
            current = None
        elif current and line.startswith("|"):
            first = line.strip("|").split("|")[0].strip()
            if first and first != "id" and not set(first) <= set("-: "):
                ids[current].add(first)
    return ids


def klanten_rule_ids() -> set[str]:
    ids = catalogue_ids()
    missing = [c for c in KLANTEN_CLASSES if not ids.get(c)]
    assert not missing, f"RULES.md has no (or an empty) class {missing}"
    return set().union(*(ids[c] for c in KLANTEN_CLASSES))


def test_catalogue_is_read() -> None:
    """The parser of RULES.md finds the rules it should (guards the meta tests below)."""
    ids = klanten_rule_ids()
    assert {"OAS-01", "kla-001a", "AUTH-02", "KLOK01-C1b", "AUTHN-04", "NOTIF-01"} <= ids


def faults_of(api: str) -> dict:
    return {name: fault for name, fault in FAULTS.items() if fault.api == api}


def contactmomenten_rule_ids() -> set[str]:
    ids = catalogue_ids().get("contactmomenten")
    assert ids, "RULES.md has no (or an empty) class contactmomenten"
    return ids


def test_every_fault_breaks_a_rule_of_its_api() -> None:
    """Every Klanten fault names a Klanten rule of RULES.md, every Contactmomenten fault a
    rule of class contactmomenten (or one the catalogue is to add)."""
    ids = {
        "klanten": klanten_rule_ids() | set(NEW_RULES),
        "contactmomenten": contactmomenten_rule_ids() | set(NEW_CM_RULES),
    }
    strays = sorted(
        name
        for name, fault in FAULTS.items()
        if fault.api in ids and fault.rule not in ids[fault.api]
    )
    assert not strays, f"faults without a rule of their API in RULES.md: {strays}"


def test_clean_faults_are_named_after_their_rule() -> None:
    """A clean fault is named RULE or RULE/variant; a real-world one has its own name."""
    for name, fault in FAULTS.items():
        assert fault.name == name
        if fault.kind == CLEAN:
            assert name.split("/", 1)[0] == fault.rule, name
        else:
            assert fault.kind == REAL_WORLD
            assert name.split("/", 1)[0] != fault.rule, name


def test_every_klanten_rule_has_a_fault() -> None:
    """Every Klanten rule of RULES.md can be switched off by at least one fault."""
    covered = {fault.rule for fault in faults_of("klanten").values()}
    uncovered = sorted(klanten_rule_ids() - covered)
    assert not uncovered, f"Klanten rules without a fault: {uncovered}"


def test_every_contactmomenten_rule_has_a_fault() -> None:
    """Every rule of class contactmomenten can be switched off by at least one fault."""
    covered = {fault.rule for fault in faults_of("contactmomenten").values()}
    uncovered = sorted((contactmomenten_rule_ids() | set(NEW_CM_RULES)) - covered)
    assert not uncovered, f"Contactmomenten rules without a fault: {uncovered}"
