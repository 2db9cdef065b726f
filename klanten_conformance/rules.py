"""The rule catalogue: loading and strict validation of ``specs/rules.yaml`` and its parts.

Every suite test names the rules it proves; reports are keyed by these rules. The catalogue
is validated strictly so that a typo in the YAML fails loudly instead of silently dropping a
rule from a certification run.

``specs/rules.yaml`` holds the profiles (a version of the standard: the APIs it consists of)
and names its parts (``include``): one file of classes and rules per API, and the linter's.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "specs" / "rules.yaml"

SUPPORTED_VERSION = 2
#: the APIs rules are about; ``none`` for the linter's rules, which judge documents
APIS = ("klanten", "contactmomenten", "klantinteracties")
CLASS_APIS = frozenset({*APIS, "lint"})
RULE_APIS = frozenset({*APIS, "none"})
LEVELS = ("MUST", "SHOULD")
LINT_LEVELS = ("error", "warning", "info")
#: tags a rule may carry (reports show them; ``security`` marks e.g. data leaks)
TAGS = frozenset({"security"})

_TOP_KEYS = frozenset({"version"})
_TOP_OPTIONAL_KEYS = frozenset({"profiles", "default_profile", "include", "classes", "rules"})
_PART_KEYS = frozenset({"classes", "rules"})
_PROFILE_KEYS = frozenset({"id", "title", "description", "apis"})
_PROFILE_OPTIONAL_KEYS = frozenset({"optional_apis", "migration_source"})
_CLASS_KEYS = frozenset({"id", "title", "api", "description", "optional"})
_RULE_KEYS = frozenset({"id", "class", "api", "level", "source", "statement", "check"})
_RULE_OPTIONAL_KEYS = frozenset(
    {"not_tested_reason", "not_faultable_reason", "profiles", "tags", "fix"}
)
_SOURCE_KEYS = frozenset({"document", "section"})


class CatalogueError(ValueError):
    """The rule catalogue file is malformed."""


@dataclass(frozen=True)
class Profile:
    """A version of the standard: the APIs (id -> version) a conforming product implements."""

    id: str
    title: str
    description: str
    apis: dict[str, str]
    #: APIs a run of this profile may also be given (for classes that compare two APIs)
    optional_apis: tuple[str, ...] = ()
    #: an API of an earlier profile a run may be given as well, read only, to compare its
    #: data with this profile's (class ki-migratie); its own suites do not run
    migration_source: str | None = None


@dataclass(frozen=True)
class RuleClass:
    """A conformance class: a group of rules a target passes as a whole."""

    id: str
    title: str
    api: str
    description: str
    optional: bool


@dataclass(frozen=True)
class Rule:
    """One testable rule of the standard, in our own words."""

    id: str
    rule_class: str
    api: str
    level: str
    source_document: str
    source_section: str
    statement: str
    check: str
    not_tested_reason: str | None = None
    #: why no fault switch of the reference server can break this rule (kill matrix)
    not_faultable_reason: str | None = None
    #: the profiles the rule applies to; ``None``: every profile that includes its API
    profiles: tuple[str, ...] | None = None
    tags: tuple[str, ...] = ()
    #: lint rules: why the finding matters and how to fix it
    fix: str | None = None


@dataclass(frozen=True)
class Catalogue:
    """All rules (in catalogue order) and conformance classes."""

    rules: dict[str, Rule] = field(default_factory=dict)
    classes: dict[str, RuleClass] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    default_profile: str | None = None

    def profile(self, profile_id: str) -> Profile:
        try:
            return self.profiles[profile_id]
        except KeyError:
            close = difflib.get_close_matches(profile_id, list(self.profiles), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            known = ", ".join(self.profiles) or "none"
            raise KeyError(f"unknown profile {profile_id!r} (known: {known}){hint}") from None

    def applies(self, rule: Rule, profile_id: str) -> bool:
        """Whether ``rule`` is part of profile ``profile_id`` (lint rules never are)."""
        if rule.profiles is not None:
            return profile_id in rule.profiles
        profile = self.profiles.get(profile_id)
        if profile is None:
            return False
        return rule.api in profile.apis or rule.api in profile.optional_apis

    def close_matches(self, name: str, n: int = 3) -> list[str]:
        """Known rule and class ids that look like ``name`` (for "did you mean")."""
        known = [*self.rules, *self.classes]
        return difflib.get_close_matches(name, known, n=n, cutoff=0.6)

    def get(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:
            close = difflib.get_close_matches(rule_id, list(self.rules), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise KeyError(f"unknown rule id {rule_id!r}{hint}") from None

    def by_class(self, class_id: str) -> list[Rule]:
        if class_id not in self.classes:
            raise KeyError(
                f"unknown conformance class {class_id!r}; known: {', '.join(self.classes)}"
            )
        return [rule for rule in self.rules.values() if rule.rule_class == class_id]

    def select(
        self,
        classes: Iterable[str] | None = None,
        levels: Iterable[str] | None = None,
        api: str | None = None,
    ) -> list[Rule]:
        """Rules matching all given criteria, in catalogue order; ``None`` means any."""
        class_set = set(classes) if classes is not None else None
        if class_set is not None:
            unknown = sorted(class_set - set(self.classes))
            if unknown:
                raise KeyError(f"unknown conformance class(es): {', '.join(unknown)}")
        level_set = set(levels) if levels is not None else None
        return [
            rule
            for rule in self.rules.values()
            if (class_set is None or rule.rule_class in class_set)
            and (level_set is None or rule.level in level_set)
            and (api is None or rule.api == api)
        ]


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load and validate the catalogue; the default file is loaded once and cached."""
    if path is None:
        return _load_default()
    return _load(Path(path))


@functools.lru_cache(maxsize=1)
def _load_default() -> Catalogue:
    return _load(DEFAULT_PATH)


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read the rule catalogue: {exc}") from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: not valid YAML: {exc}") from exc


def _load(path: Path) -> Catalogue:
    data = _read(path)
    _require_mapping(data, str(path))
    parts: list[tuple[str, Any]] = []
    includes = data.get("include") or []
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise CatalogueError(f"{path}: 'include' must be a list of file names")
    for name in includes:
        part_path = path.parent / name
        part = _read(part_path)
        where = str(part_path)
        _require_mapping(part, where)
        _check_keys(part, frozenset(), _PART_KEYS, where)
        parts.append((where, part))
    return parse_catalogue(data, origin=str(path), parts=parts)


def parse_catalogue(
    data: Any, origin: str = "<catalogue>", parts: list[tuple[str, Any]] | None = None
) -> Catalogue:
    """Validate the decoded YAML document (and its included parts) and build the catalogue."""
    where = origin
    _require_mapping(data, where)
    _check_keys(data, _TOP_KEYS, _TOP_OPTIONAL_KEYS, where)
    if data["version"] != SUPPORTED_VERSION:
        raise CatalogueError(
            f"{where}: unsupported version {data['version']!r} (expected {SUPPORTED_VERSION})"
        )
    sources = [(where, data), *(parts or [])]
    class_items = [(w, item) for w, d in sources for item in _items(d, "classes", w)]
    rule_items = [(w, item) for w, d in sources for item in _items(d, "rules", w)]
    if not class_items:
        raise CatalogueError(f"{where}: 'classes' must be a non-empty list")
    if not rule_items:
        raise CatalogueError(f"{where}: 'rules' must be a non-empty list")
    classes = _parse_classes(class_items)
    profiles = _parse_profiles(data.get("profiles") or [], where)
    rules = _parse_rules(rule_items, classes, profiles)
    default = data.get("default_profile")
    if default is not None and default not in profiles:
        raise CatalogueError(f"{where}: default_profile {default!r} is not a profile")
    return Catalogue(rules=rules, classes=classes, profiles=profiles, default_profile=default)


def _items(data: dict, key: str, where: str) -> list[Any]:
    items = data.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise CatalogueError(f"{where}: '{key}' must be a list")
    return items


def _parse_profiles(items: Any, origin: str) -> dict[str, Profile]:
    if not isinstance(items, list):
        raise CatalogueError(f"{origin}: 'profiles' must be a list")
    profiles: dict[str, Profile] = {}
    for index, item in enumerate(items):
        where = f"{origin}: profile #{index + 1}"
        _require_mapping(item, where)
        if isinstance(item.get("id"), str):
            where = f"{origin}: profile {item['id']!r}"
        _check_keys(item, _PROFILE_KEYS, _PROFILE_OPTIONAL_KEYS, where)
        for key in ("id", "title", "description"):
            _require_text(item[key], key, where)
        apis = item["apis"]
        _require_mapping(apis, f"{where}: apis")
        optional = item.get("optional_apis") or []
        if not isinstance(optional, list):
            raise CatalogueError(f"{where}: 'optional_apis' must be a list")
        source = item.get("migration_source")
        for api in [*apis, *optional, *([source] if source is not None else [])]:
            if api not in APIS:
                raise CatalogueError(f"{where}: unknown api {api!r}; known: {', '.join(APIS)}")
        if source is not None and (source in apis or source in optional):
            raise CatalogueError(
                f"{where}: migration_source {source!r} is an API of the profile itself"
            )
        if item["id"] in profiles:
            raise CatalogueError(f"{where}: duplicate profile id")
        profiles[item["id"]] = Profile(
            id=item["id"],
            title=item["title"],
            description=item["description"],
            apis={str(k): str(v) for k, v in apis.items()},
            optional_apis=tuple(optional),
            migration_source=source,
        )
    return profiles


def _parse_classes(items: list[tuple[str, Any]]) -> dict[str, RuleClass]:
    classes: dict[str, RuleClass] = {}
    for index, (origin, item) in enumerate(items):
        where = f"{origin}: class #{index + 1}"
        _require_mapping(item, where)
        class_id = item.get("id")
        if isinstance(class_id, str):
            where = f"{origin}: class {class_id!r}"
        _check_keys(item, _CLASS_KEYS, frozenset(), where)
        for key in ("id", "title", "api", "description"):
            _require_text(item[key], key, where)
        if item["api"] not in CLASS_APIS:
            raise CatalogueError(
                f"{where}: api {item['api']!r} is not one of {', '.join(sorted(CLASS_APIS))}"
            )
        if not isinstance(item["optional"], bool):
            raise CatalogueError(f"{where}: 'optional' must be true or false")
        if class_id in classes:
            raise CatalogueError(f"{where}: duplicate class id")
        classes[class_id] = RuleClass(
            id=class_id,
            title=item["title"],
            api=item["api"],
            description=item["description"],
            optional=item["optional"],
        )
    return classes


def _parse_rules(
    items: list[tuple[str, Any]],
    classes: Mapping[str, RuleClass],
    profiles: Mapping[str, Profile],
) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for index, (origin, item) in enumerate(items):
        rule = _parse_rule(item, index, classes, profiles, origin)
        if rule.id in rules:
            raise CatalogueError(f"{origin}: rule {rule.id!r}: duplicate rule id")
        rules[rule.id] = rule
    return rules


def _parse_rule(
    item: Any,
    index: int,
    classes: Mapping[str, RuleClass],
    profiles: Mapping[str, Profile],
    origin: str,
) -> Rule:
    where = f"{origin}: rule #{index + 1}"
    _require_mapping(item, where)
    rule_id = item.get("id")
    if isinstance(rule_id, str) and rule_id.strip():
        where = f"{origin}: rule {rule_id!r}"
    _check_keys(item, _RULE_KEYS, _RULE_OPTIONAL_KEYS, where)
    for key in ("id", "class", "api", "level", "statement", "check"):
        _require_text(item[key], key, where)

    class_id = item["class"]
    if class_id not in classes:
        raise CatalogueError(f"{where}: unknown class {class_id!r}; known: {', '.join(classes)}")
    rule_class = classes[class_id]
    is_lint = rule_class.api == "lint"

    api = item["api"]
    expected_api = "none" if is_lint else rule_class.api
    if api not in RULE_APIS:
        raise CatalogueError(f"{where}: api {api!r} is not one of {', '.join(sorted(RULE_APIS))}")
    if api != expected_api:
        raise CatalogueError(
            f"{where}: api {api!r} does not match class {class_id!r} (expected {expected_api!r})"
        )

    allowed_levels = LINT_LEVELS if is_lint else LEVELS
    if item["level"] not in allowed_levels:
        raise CatalogueError(
            f"{where}: level {item['level']!r} is not allowed for class {class_id!r} "
            f"(expected one of {', '.join(allowed_levels)})"
        )

    source = item["source"]
    _require_mapping(source, f"{where}: source")
    _check_keys(source, _SOURCE_KEYS, frozenset(), f"{where}: source")
    for key in ("document", "section"):
        _require_text(source[key], f"source.{key}", where)

    reason = item.get("not_tested_reason")
    if reason is not None:
        _require_text(reason, "not_tested_reason", where)
    not_faultable = item.get("not_faultable_reason")
    if not_faultable is not None:
        _require_text(not_faultable, "not_faultable_reason", where)
    fix = item.get("fix")
    if fix is not None:
        _require_text(fix, "fix", where)
    rule_profiles = item.get("profiles")
    if rule_profiles is not None:
        if not isinstance(rule_profiles, list) or not rule_profiles:
            raise CatalogueError(f"{where}: 'profiles' must be a non-empty list")
        unknown = sorted(set(map(str, rule_profiles)) - set(profiles))
        if unknown:
            raise CatalogueError(f"{where}: unknown profile(s) {', '.join(unknown)}")
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not set(tags) <= TAGS:
        raise CatalogueError(f"{where}: 'tags' must be a list of {', '.join(sorted(TAGS))}")

    return Rule(
        id=rule_id,
        rule_class=class_id,
        api=api,
        level=item["level"],
        source_document=source["document"],
        source_section=source["section"],
        statement=item["statement"],
        check=item["check"],
        not_tested_reason=reason,
        not_faultable_reason=not_faultable,
        profiles=tuple(rule_profiles) if rule_profiles is not None else None,
        tags=tuple(tags),
        fix=fix,
    )


def _require_mapping(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise CatalogueError(f"{where}: expected a mapping, got {type(value).__name__}")


def _require_text(value: Any, key: str, where: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: {key!r} must be a non-empty string")


def _check_keys(
    item: Mapping[str, Any], required: frozenset[str], optional: frozenset[str], where: str
) -> None:
    missing = sorted(required - item.keys())
    if missing:
        raise CatalogueError(f"{where}: missing key(s) {', '.join(missing)}")
    unknown = sorted(item.keys() - required - optional)
    if unknown:
        raise CatalogueError(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")
