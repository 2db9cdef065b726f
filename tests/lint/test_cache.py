"""Reference documents are parsed once and then read from the cache while they are unchanged."""

from __future__ import annotations

import os
import pickle
import shutil

from klanten_conformance.lint import cache
from klanten_conformance.lint.loader import Workspace, parse, read_text

from .conftest import FIXTURES


def _parsed(path, calls):
    def fresh():
        calls.append(path)
        return parse(read_text(str(path), "shown"), "shown", str(path))

    return cache.parsed(str(path), "shown", fresh)


def test_an_unchanged_file_is_read_from_the_cache(tmp_path):
    path = tmp_path / "base.yaml"
    shutil.copy(FIXTURES / "base.yaml", path)
    calls: list = []
    first = _parsed(path, calls)
    second = _parsed(path, calls)
    assert len(calls) == 1
    assert second.root == first.root and second is not first
    pointer = "/components/schemas/Klant/properties/huisnummer/maximum"
    assert second.position(pointer) == first.position(pointer) != (1, 1)


def test_a_changed_file_is_parsed_again(tmp_path):
    path = tmp_path / "base.yaml"
    shutil.copy(FIXTURES / "base.yaml", path)
    calls: list = []
    _parsed(path, calls)
    path.write_text(path.read_text(encoding="utf-8").replace("Mini Klanten", "Other"),
                    encoding="utf-8")
    os.utime(path, ns=(1, 1))  # whatever the clock's resolution, the stamp differs
    again = _parsed(path, calls)
    assert len(calls) == 2 and again.root["info"]["title"] == "Other"


def test_a_broken_or_foreign_entry_is_a_miss(tmp_path):
    path = tmp_path / "base.yaml"
    shutil.copy(FIXTURES / "base.yaml", path)
    calls: list = []
    _parsed(path, calls)
    [entry] = list(cache.directory().glob("*.pickle"))
    entry.write_bytes(b"not a pickle")
    _parsed(path, calls)
    entry.write_bytes(pickle.dumps(("stamp", os.system, [], [])))  # refuses to load code
    _parsed(path, calls)
    assert len(calls) == 3


def test_workspace_caches_only_when_asked(tmp_path):
    path = tmp_path / "base.yaml"
    shutil.copy(FIXTURES / "base.yaml", path)
    Workspace().load(str(path))
    assert not list(cache.directory().glob("*.pickle"))
    Workspace().load(str(path), cached=True)
    assert len(list(cache.directory().glob("*.pickle"))) == 1
