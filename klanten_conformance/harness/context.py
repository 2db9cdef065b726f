"""The run context: every setting of a conformance run, resolved once at configure time.

Command-line options, a ``targets.toml`` entry (``--target NAME``) and environment variables
are read here and nowhere else. The result is validated before any server or stub starts, so
a typo is answered at once. Fixtures, the verdict engine and every report writer read the
:class:`RunContext`.

A targets.toml entry::

    [targets.acceptatie]
    profile = "klanten-1.0"
    client_id = "conformance"
    secret_env = "ACCEPTATIE_SECRET"          # or: secret = "..."
    restricted_client_id = "conformance-lezen"
    restricted_secret_env = "ACCEPTATIE_LEZEN_SECRET"
    bronorganisatie = "002220647"
    callback_host = "10.0.0.5"
    concurrency = 2                           # generated requests in flight at once

    [targets.acceptatie.klanten]
    url = "https://klanten.example.nl/api/v1"

    [targets.acceptatie.contactmomenten]
    url = "https://contactmomenten.example.nl/api/v1"

    [targets.acceptatie.klantinteracties]
    url = "https://klantinteracties.example.nl/klantinteracties/api/v1"
    token_env = "ACCEPTATIE_TOKEN"            # or: token = "..."

(``klanten_url = "..."`` at the top of the entry is the same as its ``[klanten]`` table.)

In a profile with a ``migration_source`` (klantinteracties-0.9: the Klanten API), that API's URL
and credentials give the source class ``ki-migratie`` reads and compares with the target; it is
not under test (:attr:`RunContext.sources`), and it is no target on its own.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from klanten_conformance import apis
from klanten_conformance.harness.options import NIVEAUS
from klanten_conformance.rules import Catalogue, Profile, Rule

SECRET_ENV = "KLANTEN_CONFORMANCE_SECRET"
RESTRICTED_SECRET_ENV = "KLANTEN_CONFORMANCE_RESTRICTED_SECRET"
TOKEN_ENV = "KLANTEN_CONFORMANCE_TOKEN"
REPORTS_DIR_ENV = "KLANTEN_CONFORMANCE_REPORTS_DIR"
RUN_ID_ENV = "KLANTEN_CONFORMANCE_RUN_ID"
DEFAULT_TARGETS_FILE = Path("targets.toml")
BUILTIN_NAME = "reference-server"
#: cases per operation and mode the fuzzing phase draws for each --depth; the other phases
#: scale with the depth too (generated/engine.py: ``quick`` sends one coverage case per
#: scenario, ``default`` one per scenario and place, ``deep`` every one), which is why the
#: default draws fewer than a fuzzer without a coverage phase would need
DEPTH_EXAMPLES = {"quick": 5, "default": 10, "deep": 100}
#: generated requests in flight at once unless --concurrency says otherwise: modest, so a
#: target of modest size is not flooded
DEFAULT_CONCURRENCY = 2

_ENTRY_KEYS = frozenset(
    {
        "profile",
        "classes",
        "pytest_args",
        "klanten_url",
        "client_id",
        "secret",
        "secret_env",
        "restricted_client_id",
        "restricted_secret",
        "restricted_secret_env",
        "bronorganisatie",
        "callback_host",
        "min_niveau",
        "notifications",
        "concurrency",
    }
)
_API_TABLE_KEYS = frozenset({"url", "token", "token_env"})


class ContextError(Exception):
    """The settings of the run are wrong; the message says what, where and what to do."""


@dataclass(frozen=True)
class ZgwClient:
    client_id: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class ApiTarget:
    """One API of the implementation under test: where it is and how to authenticate."""

    api: str
    url: str
    client: ZgwClient | None = None
    restricted: ZgwClient | None = None
    token: str | None = field(default=None, repr=False)

    @property
    def secrets(self) -> tuple[str, ...]:
        found = [self.token or ""]
        for client in (self.client, self.restricted):
            if client is not None:
                found.append(client.secret)
        return tuple(s for s in found if s)


@dataclass(frozen=True)
class Selection:
    """The rules a run selected with --api, --classes, --rule and --level (empty: all)."""

    classes: frozenset[str] = frozenset()
    rules: frozenset[str] = frozenset()
    level: str | None = None
    read_only: bool = False

    def wants(self, rule: Rule) -> bool:
        return (
            (not self.classes or rule.rule_class in self.classes)
            and (not self.rules or rule.id in self.rules)
            and (not self.level or rule.level == self.level)
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "classes": sorted(self.classes) or None,
            "rules": sorted(self.rules) or None,
            "level": self.level,
            "read_only": self.read_only,
        }


@dataclass(frozen=True)
class Generation:
    depth: str = "default"
    examples: int = DEPTH_EXAMPLES["default"]
    seed: int | None = None
    #: generated requests in flight at once (1: one after the other)
    concurrency: int = DEFAULT_CONCURRENCY


@dataclass(frozen=True)
class RunContext:
    """Everything a conformance run needs to know before it starts anything."""

    catalogue: Catalogue
    profile: Profile
    #: the APIs under test, in report order
    apis: tuple[str, ...]
    #: api id -> target; empty when the built-in reference server is the target
    targets: Mapping[str, ApiTarget]
    selection: Selection = Selection()
    generation: Generation = Generation()
    #: a name for the target in reports (targets.toml name, host of the URL, or the built-in)
    target_name: str = BUILTIN_NAME
    #: whether the target name came from --target (then it names a targets.toml entry)
    named_target: bool = False
    bronorganisatie: str = ""
    callback_host: str | None = None
    min_niveau: str = "substantieel"
    #: the target posts its notifications to the harness's receiver
    notifications: bool = False
    reports_dir: Path = Path("reports")
    run_id: str | None = None
    verdicts_only: bool = False
    #: every secret of the run (scrubbed from reports and output)
    secrets: tuple[str, ...] = field(default=(), repr=False)
    #: why APIs of the profile are not part of this run (api id -> reason)
    left_out: Mapping[str, str] = field(default_factory=dict)
    #: the profile's migration source given with the run (api id -> target): read only by
    #: class ki-migratie, never tested; the built-in server serves it when no URL is given
    sources: Mapping[str, ApiTarget] = field(default_factory=dict)

    @property
    def builtin(self) -> bool:
        return not self.targets

    @property
    def migration_source(self) -> str | None:
        """The API whose data the run compares with its own (class ki-migratie), when the
        run has it: given by URL, or served by the built-in server; None otherwise."""
        source = self.profile.migration_source
        if source is None or not (self.builtin or source in self.sources):
            return None
        return source

    def wants(self, rule: Rule) -> bool:
        """The rule is selected: its API is under test and --classes/--rule/--level want it."""
        return rule.api in self.apis and self.selection.wants(rule)

    def applies(self, rule: Rule) -> bool:
        return self.catalogue.applies(rule, self.profile.id)


# resolving ---------------------------------------------------------------------------------


def _split(values: Any) -> list[str]:
    if not values:
        return []
    if isinstance(values, str):
        values = [values]
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def load_targets_file(path: Path, name: str) -> dict[str, Any]:
    """The raw entry ``[targets.NAME]`` of a targets file."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ContextError(
            f"--target {name}: the targets file {path} does not exist (give it with --targets-file)"
        ) from None
    except OSError as exc:
        raise ContextError(f"cannot read the targets file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContextError(f"the targets file {path} is not valid TOML: {exc}") from None
    targets = data.get("targets", {})
    if not isinstance(targets, dict) or name not in targets:
        known = ", ".join(sorted(targets)) if isinstance(targets, dict) else ""
        hint = _did_you_mean(name, targets) if isinstance(targets, dict) else ""
        raise ContextError(f"no target {name!r} in {path}{hint} (known: {known or 'none'})")
    entry = dict(targets[name])
    where = f"{path} [targets.{name}]"
    api_ids = set(apis.MODULES) | {"klantinteracties", "contactmomenten"}
    unknown = sorted(set(entry) - _ENTRY_KEYS - api_ids)
    if unknown:
        hints = "".join(_did_you_mean(key, _ENTRY_KEYS | api_ids) for key in unknown)
        raise ContextError(f"{where}: unknown key(s) {', '.join(unknown)}{hints}")
    for api_id in api_ids & set(entry):
        table = entry[api_id]
        if not isinstance(table, dict):
            raise ContextError(f"{where}: '{api_id}' must be a table ([targets.{name}.{api_id}])")
        unknown = sorted(set(table) - _API_TABLE_KEYS)
        if unknown:
            raise ContextError(f"{where}.{api_id}: unknown key(s) {', '.join(unknown)}")
    return entry


def _from_env(entry: dict[str, Any], key: str, where: str, environ: Mapping[str, str]) -> None:
    """Replace ``<key>_env`` by the value of that environment variable."""
    env = entry.pop(f"{key}_env", None)
    if env and not entry.get(key):
        if env not in environ:
            raise ContextError(f"{where}: the environment variable {env} ({key}_env) is not set")
        entry[key] = environ[env]


def _entry_settings(
    path: Path, name: str, environ: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    entry = load_targets_file(path, name)
    where = f"{path} [targets.{name}]"
    for key in ("secret", "restricted_secret"):
        _from_env(entry, key, where, environ)
    tables: dict[str, dict[str, Any]] = {}
    for api_id in ("klanten", "contactmomenten", "klantinteracties"):
        table = dict(entry.pop(api_id, {}) or {})
        _from_env(table, "token", f"{where}.{api_id}", environ)
        tables[api_id] = table
    if entry.get("klanten_url"):
        tables["klanten"].setdefault("url", entry.pop("klanten_url"))
    return entry, tables


def _target_name(urls: Mapping[str, str]) -> str:
    url = next(iter(urls.values()))
    parts = urlsplit(url)
    if not parts.hostname:
        return url
    return parts.hostname + (f"-{parts.port}" if parts.port else "")


def resolve(
    values: Mapping[str, Any],
    catalogue: Catalogue,
    *,
    environ: Mapping[str, str] | None = None,
) -> RunContext:
    """The run context of option ``values`` (``harness.options.values``); raises ContextError."""
    environ = os.environ if environ is None else environ
    entry: dict[str, Any] = {}
    tables: dict[str, dict[str, Any]] = {}
    target = values.get("target")
    if target:
        path = Path(values.get("targets_file") or DEFAULT_TARGETS_FILE)
        entry, tables = _entry_settings(path, str(target), environ)

    def setting(name: str) -> Any:
        given = values.get(name)
        return given if given not in (None, "", []) else entry.get(name)

    profile = _profile(setting("profile") or catalogue.default_profile, catalogue)
    urls: dict[str, str] = {}
    for api_id in ("klanten", "contactmomenten", "klantinteracties"):
        url = values.get(f"{api_id}_url") or tables.get(api_id, {}).get("url")
        if url:
            urls[api_id] = _checked_url(str(url), api_id)
    source_urls = {a: u for a, u in urls.items() if a == profile.migration_source}
    for api_id in source_urls:
        del urls[api_id]
        if not urls:
            raise ContextError(
                f"--{api_id}-url gives the migration source of profile {profile.id}, which is "
                f"only read to compare with the target: give the target's URL too "
                f"(--{next(iter(profile.apis))}-url)"
            )
    for api_id in urls:
        if api_id not in profile.apis and api_id not in profile.optional_apis:
            others = [p.id for p in catalogue.profiles.values() if api_id in p.apis]
            hint = f"; use --profile {others[0]}" if others else ""
            raise ContextError(
                f"--{api_id}-url was given, but profile {profile.id} has no {api_id} API{hint}"
            )
    chosen = _split(values.get("api"))
    for api_id in chosen:
        if api_id not in profile.apis and api_id not in profile.optional_apis:
            known = [*profile.apis, *profile.optional_apis]
            raise ContextError(
                f"--api {api_id}: not an API of profile {profile.id}{_did_you_mean(api_id, known)}"
                f" (its APIs: {', '.join(known)})"
            )
    api_ids, left_out = _apis(profile, urls, chosen)
    client = _zgw(
        setting("client_id"), values.get("secret") or entry.get("secret") or environ.get(SECRET_ENV)
    )
    restricted = _zgw(
        setting("restricted_client_id"),
        values.get("restricted_secret")
        or entry.get("restricted_secret")
        or environ.get(RESTRICTED_SECRET_ENV),
    )

    def api_target(api_id: str, url: str) -> ApiTarget:
        definition = apis.get(api_id)
        token = values.get("token") or tables.get(api_id, {}).get("token") or environ.get(TOKEN_ENV)
        if definition.auth == "zgw" and client is None:
            raise ContextError(
                f"--{api_id}-url needs a ZGW client: give --client-id and --secret "
                f"(or env {SECRET_ENV})"
            )
        if definition.auth == "token" and not token:
            raise ContextError(
                f"--{api_id}-url needs an API key: give --token (or env {TOKEN_ENV}, or "
                f"token_env in targets.toml)"
            )
        return ApiTarget(
            api_id,
            url,
            client if definition.auth == "zgw" else None,
            restricted if definition.auth == "zgw" else None,
            token if definition.auth == "token" else None,
        )

    targets = {a: api_target(a, urls[a]) for a in api_ids if a in urls}
    sources = {a: api_target(a, url) for a, url in source_urls.items()}
    if (setting("client_id") or target) and not urls:
        where = f"target {target}" if target else "--client-id"
        raise ContextError(f"{where} gives credentials but no API URL (--klanten-url, ...)")
    min_niveau = setting("min_niveau") or "substantieel"
    if min_niveau not in NIVEAUS:
        raise ContextError(f"min_niveau must be one of {', '.join(NIVEAUS)}, not {min_niveau!r}")
    secrets = [t for found in (*targets.values(), *sources.values()) for t in found.secrets]
    for candidate in (values.get("secret"), values.get("restricted_secret"), values.get("token")):
        if candidate:
            secrets.append(str(candidate))
    return RunContext(
        catalogue=catalogue,
        profile=profile,
        apis=tuple(api_ids),
        targets=targets,
        selection=_selection(values, entry, catalogue),
        generation=_generation(
            values,
            setting("concurrency"),
            "--concurrency" if values.get("concurrency") is not None else f"target {target}",
        ),
        target_name=str(target) if target else (_target_name(urls) if urls else BUILTIN_NAME),
        named_target=bool(target),
        bronorganisatie=str(setting("bronorganisatie") or _random_rsin()),
        callback_host=setting("callback_host") or None,
        min_niveau=min_niveau,
        notifications=bool(entry.get("notifications")),
        reports_dir=Path(values.get("reports_dir") or environ.get(REPORTS_DIR_ENV) or "reports"),
        run_id=environ.get(RUN_ID_ENV) or None,
        verdicts_only=bool(values.get("verdicts_only")),
        secrets=tuple(dict.fromkeys(s for s in secrets if s)),
        left_out=left_out,
        sources=sources,
    )


def _profile(profile_id: str | None, catalogue: Catalogue) -> Profile:
    if not profile_id:
        raise ContextError("the catalogue names no default profile: give --profile")
    try:
        return catalogue.profile(str(profile_id))
    except KeyError as exc:
        raise ContextError(f"--profile: {exc.args[0]}") from None


def _checked_url(url: str, api_id: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ContextError(f"--{api_id}-url {url!r} is not an http(s) URL")
    return url.rstrip("/")


def _apis(
    profile: Profile, urls: Mapping[str, str], chosen: list[str]
) -> tuple[list[str], dict[str, str]]:
    """The APIs under test (report order) and why the profile's other APIs are not."""
    left_out: dict[str, str] = {}
    selected = []
    for api_id in [*profile.apis, *profile.optional_apis]:
        if chosen and api_id not in chosen:
            left_out[api_id] = f"not selected (--api {','.join(chosen)})"
        elif api_id not in apis.MODULES:
            left_out[api_id] = "the suite for this API does not exist yet"
        elif urls and api_id not in urls:
            left_out[api_id] = f"no --{api_id}-url given"
        elif not urls and api_id in profile.optional_apis:
            selected.append(api_id)  # the built-in server serves every API
        else:
            selected.append(api_id)
    order = apis.known()
    return sorted(selected, key=order.index), left_out


def _zgw(client_id: Any, secret: Any) -> ZgwClient | None:
    if not client_id:
        return None
    if not secret:
        raise ContextError(
            f"client {client_id!r} has no secret: give --secret (or env {SECRET_ENV})"
        )
    return ZgwClient(str(client_id), str(secret))


def _selection(
    values: Mapping[str, Any], entry: Mapping[str, Any], catalogue: Catalogue
) -> Selection:
    classes = _split(values.get("classes") or entry.get("classes"))
    rules = _split(values.get("rule"))
    problems = []
    for class_id in classes:
        if class_id not in catalogue.classes:
            problems.append(
                f"unknown conformance class {class_id!r}"
                + _did_you_mean(class_id, catalogue.classes)
            )
    for rule_id in rules:
        if rule_id not in catalogue.rules:
            problems.append(
                f"unknown rule id {rule_id!r}" + _did_you_mean(rule_id, catalogue.rules)
            )
    if problems:
        raise ContextError("; ".join(problems))
    level = values.get("level")
    if level and level not in ("MUST", "SHOULD"):
        raise ContextError(f"--level must be MUST or SHOULD, not {level!r}")
    return Selection(
        frozenset(classes), frozenset(rules), level or None, bool(values.get("read_only"))
    )


def _generation(
    values: Mapping[str, Any], concurrency: Any = None, where: str = "--concurrency"
) -> Generation:
    depth = values.get("depth") or "default"
    if depth not in DEPTH_EXAMPLES:
        raise ContextError(f"--depth must be one of {', '.join(DEPTH_EXAMPLES)}")
    examples = values.get("oas_examples")
    if examples is not None and int(examples) < 1:
        raise ContextError("--oas-examples must be at least 1")
    return Generation(
        depth=depth,
        examples=int(examples) if examples is not None else DEPTH_EXAMPLES[depth],
        seed=values.get("oas_seed"),
        concurrency=_concurrency(concurrency, where),
    )


def _concurrency(value: Any, where: str) -> int:
    """--concurrency (or the entry's ``concurrency``): a whole number of at least 1."""
    what = where if where.startswith("--") else f"{where}: concurrency"
    if value is None:
        return DEFAULT_CONCURRENCY
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            raise ContextError(
                f"{what} must be a whole number of at least 1, not {value!r}"
            ) from None
    if value < 1:
        raise ContextError(f"{what} must be at least 1, not {value}")
    return value


def _random_rsin() -> str:
    from klanten_conformance.testdata import random_rsin

    return random_rsin()
