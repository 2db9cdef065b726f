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


def test_kept_values_follow_their_files_and_only_allowed_classes_load(tmp_path):
    from klanten_conformance.lint.reference import _sets

    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("a: 1\n", encoding="utf-8")
    second.write_text("b: 2\n", encoding="utf-8")
    built: list = []

    def build():
        built.append(1)
        return {"n": len(built)}

    assert cache.kept("key", [str(first)], build) == {"n": 1}
    assert cache.kept("key", [str(first)], build) == {"n": 1}
    assert cache.kept("key", [str(first), str(second)], build) == {"n": 2}  # another list
    assert len(built) == 2
    sets = _sets()  # real objects of the deviations module, from the cache the second time
    assert _sets() == sets and sets
    assert cache.kept("objects", [str(first)], lambda: sets) == sets
    # stored, but its classes are not allowed for this key: a miss, built again
    assert cache.kept("objects", [str(first)], lambda: "built again") == "built again"
