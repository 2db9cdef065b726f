"""An on-disk cache of parsed reference documents.

A pre-commit run lints a changed document against a reference that rarely changes; the parse
of the reference (its tree and the line of every key) is kept in the user's cache folder,
keyed by the file's path, modification time and size. Anything unexpected (no cache folder,
a stale or foreign entry, a read-only disk) just means parsing again.

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
from typing import Any

from .loader import Source

FORMAT = 1  # bump when Source or the way positions are stored changes
_SAFE = {("datetime", name) for name in ("date", "datetime", "time", "timedelta", "timezone")}


def directory() -> Path:
    if os.environ.get("KLANTEN_CONFORMANCE_CACHE"):
        return Path(os.environ["KLANTEN_CONFORMANCE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "klanten-conformance" / "lint"


def parsed(path: str, display: str, parse: Callable[[], Source]) -> Source:
    """The parse of the file at `path` (absolute): from the cache when it is current, else
    from `parse()`, which is then stored."""
    try:
        stat = os.stat(path)
    except OSError:
        return parse()
    stamp = (FORMAT, path, stat.st_mtime_ns, stat.st_size)
    entry = directory() / (hashlib.sha256(path.encode("utf-8")).hexdigest()[:32] + ".pickle")
    source = _read(entry, stamp, display)
    if source is None:
        source = parse()
        _write(entry, stamp, source)
    return source


class _Unpickler(pickle.Unpickler):
    """Plain data only: containers, scalars and the dates YAML makes."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _SAFE:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the lint cache")
        return super().find_class(module, name)


def _read(entry: Path, stamp: tuple, display: str) -> Source | None:
    try:
        data = _Unpickler(io.BytesIO(entry.read_bytes())).load()
        found, root, positions, duplicates = data
    except Exception:  # noqa: BLE001 - a missing or unreadable entry is a cache miss
        return None
    if found != stamp:
        return None
    return Source(
        uri=stamp[1], display=display, root=root,
        positions={id(node): keys for node, keys in positions},
        duplicates=[(id(node), key, mark) for node, key, mark in duplicates])


def _write(entry: Path, stamp: tuple, source: Source) -> None:
    by_id = _containers(source.root)
    positions = [(by_id[i], keys) for i, keys in source.positions.items() if i in by_id]
    duplicates = [(by_id[i], key, mark) for i, key, mark in source.duplicates if i in by_id]
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        partial = entry.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps((stamp, source.root, positions, duplicates),
                                         protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, entry)
    except (OSError, pickle.PicklingError, RecursionError):
        pass


def _containers(root: Any) -> dict[int, Any]:
    found: dict[int, Any] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list) and id(node) not in found:
            found[id(node)] = node
            stack.extend(node.values() if isinstance(node, dict) else node)
    return found
