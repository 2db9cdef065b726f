"""The migration source of a profile (class ki-migratie): how the run context takes it."""

from __future__ import annotations

import pytest

from klanten_conformance.harness.context import ContextError, resolve
from klanten_conformance.rules import CatalogueError, load_catalogue, parse_catalogue

KI = {"profile": "klantinteracties-0.9", "klantinteracties_url": "https://ki.example/api/v1"}
KLANTEN = {"klanten_url": "https://klanten.example/api/v1", "client_id": "c", "secret": "zgw-s"}


@pytest.fixture
def catalogue():
    return load_catalogue()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "KLANTEN_CONFORMANCE_SECRET",
        "KLANTEN_CONFORMANCE_RESTRICTED_SECRET",
        "KLANTEN_CONFORMANCE_TOKEN",
        "KLANTEN_CONFORMANCE_RUN_ID",
    ):
        monkeypatch.delenv(name, raising=False)


def test_the_klantinteracties_profile_declares_klanten_as_its_migration_source(catalogue) -> None:
    assert catalogue.profile("klantinteracties-0.9").migration_source == "klanten"
    assert catalogue.profile("klanten-1.0").migration_source is None


def test_klanten_url_in_the_klantinteracties_profile_is_the_migration_source(catalogue) -> None:
    context = resolve({**KI, "token": "ki-key", **KLANTEN}, catalogue)
    assert context.apis == ("klantinteracties",)  # the Klanten suites do not run
    assert set(context.targets) == {"klantinteracties"}
    source = context.sources["klanten"]
    assert source.url == "https://klanten.example/api/v1"
    assert source.client is not None and source.client.client_id == "c"
    assert source.token is None
    assert context.migration_source == "klanten"
    assert {"zgw-s", "ki-key"} <= set(context.secrets)
    assert "zgw-s" not in repr(context)
    assert context.target_name == "ki.example"  # named after the target, not the source


def test_without_the_klanten_url_the_run_has_no_migration_source(catalogue) -> None:
    context = resolve({**KI, "token": "ki-key"}, catalogue)
    assert context.sources == {}
    assert context.migration_source is None


def test_the_builtin_server_serves_the_migration_source(catalogue) -> None:
    context = resolve({"profile": "klantinteracties-0.9"}, catalogue)
    assert context.builtin and context.migration_source == "klanten"
    assert resolve({}, catalogue).migration_source is None  # klanten-1.0 has none


def test_the_source_needs_its_own_credentials(catalogue) -> None:
    with pytest.raises(ContextError, match="--client-id and --secret"):
        resolve({**KI, "token": "ki-key", "klanten_url": "https://klanten.example/v1"}, catalogue)


def test_the_source_alone_is_no_target(catalogue) -> None:
    values = {"profile": "klantinteracties-0.9", **KLANTEN}
    with pytest.raises(ContextError, match="migration source.*--klantinteracties-url"):
        resolve(values, catalogue)


def test_contactmomenten_is_still_refused_in_the_klantinteracties_profile(catalogue) -> None:
    values = {
        **KI,
        "token": "ki-key",
        "contactmomenten_url": "https://cm.example/api/v1",
        "client_id": "c",
        "secret": "s",
    }
    with pytest.raises(ContextError, match="has no contactmomenten API"):
        resolve(values, catalogue)


def test_a_targets_file_table_gives_the_source(catalogue, tmp_path, monkeypatch) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(
        '[targets.product]\nprofile = "klantinteracties-0.9"\nclient_id = "c"\n'
        'secret_env = "PRODUCT_SECRET"\n\n'
        '[targets.product.klanten]\nurl = "https://p.example/klanten/api/v1"\n\n'
        '[targets.product.klantinteracties]\nurl = "https://p.example/ki/api/v1"\n'
        'token = "k"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("PRODUCT_SECRET", "from-env")
    context = resolve({"target": "product", "targets_file": str(path)}, catalogue)
    assert set(context.targets) == {"klantinteracties"}
    assert context.sources["klanten"].url == "https://p.example/klanten/api/v1"
    assert "from-env" in context.secrets


CATALOGUE = {
    "version": 2,
    "profiles": [
        {
            "id": "p",
            "title": "P",
            "description": "d",
            "apis": {"klantinteracties": "0.9"},
            "migration_source": "klanten",
        }
    ],
    "classes": [
        {"id": "c", "title": "C", "api": "klantinteracties", "description": "d", "optional": False}
    ],
    "rules": [
        {
            "id": "R-1",
            "class": "c",
            "api": "klantinteracties",
            "level": "MUST",
            "source": {"document": "x", "section": "y"},
            "statement": "s",
            "check": "c",
        }
    ],
}


@pytest.mark.parametrize(
    ("source", "message"),
    [("klantn", "unknown api 'klantn'"), ("klantinteracties", "an API of the profile itself")],
)
def test_the_catalogue_validates_the_migration_source(source: str, message: str) -> None:
    assert parse_catalogue(CATALOGUE).profiles["p"].migration_source == "klanten"
    data = {**CATALOGUE, "profiles": [{**CATALOGUE["profiles"][0], "migration_source": source}]}
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(data)


def test_the_builtin_server_of_a_klantinteracties_run_is_seeded(catalogue) -> None:
    import tomllib

    from klanten_conformance.harness.targets import BuiltinServer

    ki = BuiltinServer(resolve({"profile": "klantinteracties-0.9"}, catalogue), None)
    klanten = BuiltinServer(resolve({}, catalogue), None)
    try:
        assert [d.id for d in ki.definitions] == ["klantinteracties", "klanten"]
        server = tomllib.loads(ki._config())["server"]
        assert server["seed"] == ["ki-migratie"] and server["enforce_authenticatie"] is False
        assert "seed" not in tomllib.loads(klanten._config())["server"]
    finally:
        ki.stop()
        klanten.stop()
