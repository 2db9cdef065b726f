"""The rule catalogue: loading and strict validation of ``specs/rules.yaml``.

Every suite test names the rules it proves; reports are keyed by these rules. The catalogue
is validated strictly so that a typo in the YAML fails loudly instead of silently dropping a
rule from a certification run.
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

SUPPORTED_VERSION = 1
CLASS_APIS = frozenset({"klanten", "contactmomenten", "lint"})
RULE_APIS = frozenset({"klanten", "contactmomenten", "none"})
LEVELS = ("MUST", "SHOULD")
LINT_LEVELS = ("error", "warning", "info")

_TOP_KEYS = frozenset({"version", "classes", "rules"})
_CLASS_KEYS = frozenset({"id", "title", "api", "description", "optional"})
_RULE_KEYS = frozenset({"id", "class", "api", "level", "source", "statement", "check"})
_RULE_OPTIONAL_KEYS = frozenset({"not_tested_reason", "not_faultable_reason"})
_SOURCE_KEYS = frozenset({"document", "section"})


class CatalogueError(ValueError):
    """The rule catalogue file is malformed."""


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


@dataclass(frozen=True)
class Catalogue:
    """All rules (in catalogue order) and conformance classes."""

    rules: dict[str, Rule] = field(default_factory=dict)
    classes: dict[str, RuleClass] = field(default_factory=dict)

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


def _load(path: Path) -> Catalogue:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read the rule catalogue: {exc}") from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: not valid YAML: {exc}") from exc
    return parse_catalogue(data, origin=str(path))


def parse_catalogue(data: Any, origin: str = "<catalogue>") -> Catalogue:
    """Validate the decoded YAML document and build the catalogue."""
    where = origin
    _require_mapping(data, where)
    _check_keys(data, _TOP_KEYS, frozenset(), where)
    if data["version"] != SUPPORTED_VERSION:
        raise CatalogueError(
            f"{where}: unsupported version {data['version']!r} (expected {SUPPORTED_VERSION})"
        )
    classes = _parse_classes(data["classes"], where)
    rules = _parse_rules(data["rules"], classes, where)
    return Catalogue(rules=rules, classes=classes)


def _parse_classes(items: Any, origin: str) -> dict[str, RuleClass]:
    if not isinstance(items, list) or not items:
        raise CatalogueError(f"{origin}: 'classes' must be a non-empty list")
    classes: dict[str, RuleClass] = {}
    for index, item in enumerate(items):
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


def _parse_rules(items: Any, classes: Mapping[str, RuleClass], origin: str) -> dict[str, Rule]:
    if not isinstance(items, list) or not items:
        raise CatalogueError(f"{origin}: 'rules' must be a non-empty list")
    rules: dict[str, Rule] = {}
    for index, item in enumerate(items):
        rule = _parse_rule(item, index, classes, origin)
        if rule.id in rules:
            raise CatalogueError(f"{origin}: rule {rule.id!r}: duplicate rule id")
        rules[rule.id] = rule
    return rules


def _parse_rule(item: Any, index: int, classes: Mapping[str, RuleClass], origin: str) -> Rule:
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
