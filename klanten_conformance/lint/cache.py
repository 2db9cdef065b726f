"""An on-disk cache of parsed reference documents.

A pre-commit run lints a changed document against a reference that rarely changes; the parse
of the reference (its tree and the line of every key) and of our deviation files is kept in
the user's cache folder, keyed by the files' paths, modification times and sizes. Anything
unexpected (no cache folder, a stale or foreign entry, a read-only disk) just means parsing
again.

Folder: ``$KLANTEN_CONFORMANCE_CACHE``, else ``$XDG_CACHE_HOME/klanten-conformance/lint``,
else ``~/.cache/klanten-conformance/lint``.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .loader import Source

FORMAT = 2  # bump when what is stored changes shape
T = TypeVar("T")
_SAFE = frozenset({("datetime", name) for name in
                   ("date", "datetime", "time", "timedelta", "timezone")})


def directory() -> Path:
    if os.environ.get("KLANTEN_CONFORMANCE_CACHE"):
        return Path(os.environ["KLANTEN_CONFORMANCE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "klanten-conformance" / "lint"


def kept(key: str, files: list[str], build: Callable[[], T],
         allowed: frozenset[tuple[str, str]] = frozenset()) -> T:
    """What `build()` makes from `files`: from the cache while none of them changed (and
    their list is the same), else built and stored. `allowed`: the classes (module, name)
    the stored value may hold beside plain data."""
    try:
        stamps = tuple((f, os.stat(f).st_mtime_ns, os.stat(f).st_size) for f in files)
    except OSError:
        return build()
    stamp = (FORMAT, key, stamps)
    entry = directory() / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + ".pickle")
    found = _read(entry, stamp, allowed)
    if found is not _MISS:
        return found
    value = build()
    _write(entry, stamp, value)
    return value


def parsed(path: str, display: str, parse: Callable[[], Source]) -> Source:
    """The parse of the file at `path` (absolute), through :func:`kept`."""
    root, positions, duplicates = kept(f"source:{path}", [path], lambda: _pack(parse()))
    return Source(uri=path, display=display, root=root,
                  positions={id(node): keys for node, keys in positions},
                  duplicates=[(id(node), key, mark) for node, key, mark in duplicates])


_MISS = object()


class _Unpickler(pickle.Unpickler):
    """Plain data, the dates YAML makes, and the classes a caller allows."""

    def __init__(self, data: bytes, allowed: frozenset[tuple[str, str]]) -> None:
        super().__init__(io.BytesIO(data))
        self.allowed = _SAFE | allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the lint cache")
        return super().find_class(module, name)


def _read(entry: Path, stamp: tuple, allowed: frozenset[tuple[str, str]]) -> Any:
    try:
        found, value = _Unpickler(entry.read_bytes(), allowed).load()
    except Exception:  # noqa: BLE001 - a missing or unreadable entry is a cache miss
        return _MISS
    return value if found == stamp else _MISS


def _write(entry: Path, stamp: tuple, value: Any) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        partial = entry.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps((stamp, value), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, entry)
    except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
        pass


def _pack(source: Source) -> tuple:
    """A Source as picklable data: positions keyed by the containers, not their ids."""
    by_id = _containers(source.root)
    positions = [(by_id[i], keys) for i, keys in source.positions.items() if i in by_id]
    duplicates = [(by_id[i], key, mark) for i, key, mark in source.duplicates if i in by_id]
    return source.root, positions, duplicates


def _containers(root: Any) -> dict[int, Any]:
    found: dict[int, Any] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list) and id(node) not in found:
            found[id(node)] = node
            stack.extend(node.values() if isinstance(node, dict) else node)
    return found
