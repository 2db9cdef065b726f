"""Allure: labels of a suite test (epic = API, feature = class, story = rule) and evidence.

Labels are added as allure markers at collection, so they are read wherever the test runs
(xdist workers included); evidence is attached while the test is still open.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import allure
import pytest

from klanten_conformance.rules import Catalogue

RULE_LABEL = "rule"
CLASS_LABEL = "conformance_class"
LEVEL_LABEL = "level"
PROFILE_LABEL = "profile"
TARGET_LABEL = "target"


def labels(
    rule_ids: Iterable[str], catalogue: Catalogue, profile: str, target: str
) -> list[tuple[str, str]]:
    """(label name, value) pairs for a test proving ``rule_ids``, without duplicates.

    epic = the API (its title), feature = the conformance class, story = the rule.
    """
    from klanten_conformance import apis

    pairs: list[tuple[str, str]] = []
    for rule_id in rule_ids:
        rule = catalogue.rules.get(rule_id)
        if rule is None:
            continue
        epic = apis.get(rule.api).title if rule.api in apis.MODULES else rule.api
        pairs += [
            ("epic", epic),
            ("feature", rule.rule_class),
            ("story", rule.id),
            (RULE_LABEL, rule.id),
            (CLASS_LABEL, rule.rule_class),
            (LEVEL_LABEL, rule.level),
        ]
    pairs += [(PROFILE_LABEL, profile), (TARGET_LABEL, target)]
    return list(dict.fromkeys(pairs))


def mark(item: pytest.Item, pairs: Iterable[tuple[str, str]]) -> None:
    for name, value in pairs:
        item.add_marker(allure.label(name, value))


def attach_evidence(kind: str, evidence: str) -> None:
    """Attach the (already redacted) exchanges of a failed or blocked check to the open test."""
    allure.attach(
        evidence,
        name=f"{kind} check: every request and response",
        attachment_type=allure.attachment_type.TEXT,
    )


def _allure_configured(config: pytest.Config) -> bool:
    """allure-pytest's pytest_configure has run (it registers its markers there)."""
    return any(str(line).startswith("allure_label") for line in config.getini("markers"))


def enable(config: pytest.Config, results_dir: Path) -> None:
    """Write Allure results to ``results_dir`` unless ``--alluredir`` was given.

    Before allure-pytest configured itself, setting the option is enough; after, its listener
    and file logger are registered here the way allure-pytest does it.
    """
    if getattr(config.option, "allure_report_dir", None):
        return
    config.option.allure_report_dir = str(results_dir)
    if not _allure_configured(config) or config.pluginmanager.has_plugin("allure_listener"):
        return
    import allure_commons
    from allure_commons.logger import AllureFileLogger
    from allure_pytest.listener import AllureListener
    from allure_pytest.plugin import cleanup_factory

    listener = AllureListener(config)
    config.pluginmanager.register(listener, "allure_listener")
    allure_commons.plugin_manager.register(listener)
    config.add_cleanup(cleanup_factory(listener))
    file_logger = AllureFileLogger(str(results_dir), False)
    allure_commons.plugin_manager.register(file_logger)
    config.add_cleanup(cleanup_factory(file_logger))
