"""Machine-readable deviations of our OpenAPI documents from the standard's.

Each of our documents in ``specs/`` has one file ``specs/deviations/<stem>.yaml`` naming the
standard's document it follows and listing every deliberate difference as JSON-patch-like
changes (``add``, ``replace``, ``remove`` on an RFC 6901 pointer). Applying them to the
standard's document gives ours, once prose is left out (``tests/test_spec.py`` checks that);
the linter uses :meth:`DeviationSet.covering` to tell a known, recorded deviation from a new
difference. ``specs/DEVIATIONS.md`` explains each deviation for people.

Pointers:

- ``*`` as a whole segment matches every key of a mapping (not the items of a list).
- ``-`` as the last segment of an ``add`` appends to a list (RFC 6902). In :meth:`covering`
  it matches any list index.
- ``~0`` and ``~1`` escape ``~`` and ``/`` in a key (RFC 6901).

Standard library and PyYAML only; nothing is read until a function is called.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "DEVIATIONS_DIR",
    "SPECS_DIR",
    "STANDARD_SPECS_DIR",
    "Change",
    "Deviation",
    "DeviationError",
    "DeviationSet",
    "Standard",
    "apply",
    "for_document",
    "load",
    "load_all",
    "resolve",
    "split_pointer",
]

SPECS_DIR = Path(__file__).resolve().parents[1] / "specs"
DEVIATIONS_DIR = SPECS_DIR / "deviations"
# Where the standard's published documents are, beside the project (read-only, may be absent).
STANDARD_SPECS_DIR = SPECS_DIR.parents[1] / "shared" / "specs"

OPS = ("add", "replace", "remove")
WILDCARD = "*"
APPEND = "-"
_ID = re.compile(r"^D[1-9][0-9]*$")
_MISSING = object()


class DeviationError(ValueError):
    """A deviations file is malformed, or one of its changes does not fit the document."""


@dataclass(frozen=True)
class Standard:
    """The standard's published document that one of ours follows."""

    file: str
    title: str
    version: str

    def path(self, directory: Path | None = None) -> Path:
        """Where the standard's document is expected (default: ``../shared/specs/``)."""
        return (directory or STANDARD_SPECS_DIR) / self.file


@dataclass(frozen=True)
class Change:
    """One change: ``op`` on ``path``; ``value`` for ``add`` and ``replace``."""

    op: str
    path: str
    value: Any = None

    @property
    def segments(self) -> list[str]:
        return split_pointer(self.path)


@dataclass(frozen=True)
class Deviation:
    id: str
    title: str
    changes: tuple[Change, ...]
    standard_says: str
    we_say: str
    why: str

    def covers(self, pointer: str) -> bool:
        """True when one of the change paths equals the pointer or contains it."""
        target = split_pointer(pointer)
        return any(_is_prefix(change.segments, target) for change in self.changes)

    def touches(self, pointer: str) -> bool:
        """Like :meth:`covers`, but also true when a change lies inside the pointer."""
        target = split_pointer(pointer)
        return any(
            _is_prefix(change.segments, target) or _is_prefix(target, change.segments)
            for change in self.changes
        )


@dataclass(frozen=True)
class DeviationSet:
    """The deviations of one of our documents."""

    document: Path  # our document, absolute
    standard: Standard
    deviations: tuple[Deviation, ...]
    source: Path  # the deviations file it was read from

    def covering(self, pointer: str) -> Deviation | None:
        """The deviation one of whose change paths equals or contains ``pointer``."""
        return next((d for d in self.deviations if d.covers(pointer)), None)

    def touching(self, pointer: str) -> Deviation | None:
        """The deviation that changes ``pointer``, something inside it, or something around it."""
        return next((d for d in self.deviations if d.touches(pointer)), None)

    def get(self, deviation_id: str) -> Deviation:
        for deviation in self.deviations:
            if deviation.id == deviation_id:
                return deviation
        raise KeyError(f"{self.source.name}: no deviation {deviation_id}")

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.deviations]


# -- pointers -----------------------------------------------------------------------------


def split_pointer(pointer: str) -> list[str]:
    """The unescaped segments of an RFC 6901 pointer (``""`` is the whole document)."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise DeviationError(f"JSON pointer must start with '/': {pointer!r}")
    return [s.replace("~1", "/").replace("~0", "~") for s in pointer[1:].split("/")]


def _join(segments: list[str]) -> str:
    return "".join("/" + s.replace("~", "~0").replace("/", "~1") for s in segments)


def _segment_matches(pattern: str, segment: str) -> bool:
    return pattern in (segment, WILDCARD) or (pattern == APPEND and segment.isdigit())


def _is_prefix(prefix: list[str], segments: list[str]) -> bool:
    return len(prefix) <= len(segments) and all(
        _segment_matches(p, s) for p, s in zip(prefix, segments, strict=False)
    )


# -- loading ------------------------------------------------------------------------------


def _require(mapping: Any, keys: set[str], where: str, optional: set[str] = frozenset()) -> None:
    if not isinstance(mapping, dict):
        raise DeviationError(f"{where}: expected a mapping, got {type(mapping).__name__}")
    missing = keys - set(mapping)
    unknown = set(mapping) - keys - optional
    if missing:
        raise DeviationError(f"{where}: missing {', '.join(sorted(missing))}")
    if unknown:
        raise DeviationError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in keys:
        if key not in ("value", "changes", "standard", "deviations") and not (
            isinstance(mapping[key], str) and mapping[key].strip()
        ):
            raise DeviationError(f"{where}: {key} must be a non-empty string")


def _change(raw: Any, where: str) -> Change:
    if not isinstance(raw, dict):
        raise DeviationError(f"{where}: a change must be a mapping")
    op = raw.get("op")
    if op not in OPS:
        raise DeviationError(f"{where}: op must be one of {', '.join(OPS)}, got {op!r}")
    if op == "remove":
        _require(raw, {"op", "path"}, where)
    else:
        _require(raw, {"op", "path", "value"}, where)
    segments = split_pointer(raw["path"])
    if not segments:
        raise DeviationError(f"{where}: a change cannot replace the whole document")
    if APPEND in segments[:-1] or (segments[-1] == APPEND and op != "add"):
        raise DeviationError(f"{where}: '-' is only allowed as the last segment of an add")
    return Change(op=op, path=raw["path"], value=raw.get("value"))


def load(path: Path) -> DeviationSet:
    """Read and check one deviations file."""
    path = Path(path).resolve()
    where = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DeviationError(f"{where}: not valid YAML: {exc}") from exc
    _require(raw, {"document", "standard", "deviations"}, where)
    _require(raw["standard"], {"file", "title", "version"}, f"{where}: standard")
    if not isinstance(raw["deviations"], list):
        raise DeviationError(f"{where}: deviations must be a list")
    deviations = []
    seen: set[str] = set()
    for i, item in enumerate(raw["deviations"]):
        at = f"{where}: deviations[{i}]"
        _require(item, {"id", "title", "changes", "standard_says", "we_say", "why"}, at)
        if not _ID.match(item["id"]):
            raise DeviationError(f"{at}: id must look like D1, D2, ... (got {item['id']!r})")
        if item["id"] in seen:
            raise DeviationError(f"{at}: duplicate id {item['id']}")
        seen.add(item["id"])
        at = f"{where}: {item['id']}"
        if not isinstance(item["changes"], list) or not item["changes"]:
            raise DeviationError(f"{at}: changes must be a non-empty list")
        changes = tuple(_change(c, f"{at}: changes[{j}]") for j, c in enumerate(item["changes"]))
        deviations.append(
            Deviation(
                id=item["id"],
                title=item["title"],
                changes=changes,
                standard_says=item["standard_says"],
                we_say=item["we_say"],
                why=item["why"],
            )
        )
    standard = raw["standard"]
    return DeviationSet(
        document=(path.parents[1] / raw["document"]).resolve(),
        standard=Standard(
            file=standard["file"], title=standard["title"], version=str(standard["version"])
        ),
        deviations=tuple(deviations),
        source=path,
    )


def load_all(directory: Path | None = None) -> list[DeviationSet]:
    """One :class:`DeviationSet` per deviations file (``specs/deviations/*.yaml``), by name."""
    directory = directory or DEVIATIONS_DIR
    sets = [load(p) for p in sorted(Path(directory).glob("*.yaml"))]
    documents = [s.document for s in sets]
    for s in sets:
        if documents.count(s.document) > 1:
            raise DeviationError(f"{s.source.name}: another file also covers {s.document.name}")
    return sets


def for_document(path: str | Path, directory: Path | None = None) -> DeviationSet | None:
    """The deviations of our document at ``path`` (by file, or by name when not found)."""
    path = Path(path)
    sets = load_all(directory)
    resolved = path.resolve()
    for s in sets:
        if s.document == resolved:
            return s
    return next((s for s in sets if s.document.name == path.name), None)


# -- applying -----------------------------------------------------------------------------


def _expand(doc: Any, segments: list[str], op: str) -> list[list[str]]:
    """Concrete paths for a change path with wildcards: every key of a mapping where it fits.

    A branch of a wildcard stops silently where the rest of the path does not exist (for
    ``replace`` and ``remove`` that includes the target itself; for ``add``, its parent).
    """
    found: list[list[str]] = []

    def walk(node: Any, done: list[str], rest: list[str]) -> None:
        segment, tail = rest[0], rest[1:]
        keys = list(node) if segment == WILDCARD and isinstance(node, dict) else [segment]
        if segment == WILDCARD and not isinstance(node, dict):
            return
        for key in keys:
            if not tail:
                if op == "add" or resolve(node, [key]) is not _MISSING:
                    found.append(done + [key])
                continue
            child = resolve(node, [key])
            if child is not _MISSING:
                walk(child, done + [key], tail)

    walk(doc, [], segments)
    return found


def resolve(doc: Any, pointer: str | list[str], default: Any = _MISSING) -> Any:
    """The value at ``pointer`` (a JSON pointer or its segments), or ``default`` if absent."""
    segments = split_pointer(pointer) if isinstance(pointer, str) else pointer
    node = doc
    for segment in segments:
        if isinstance(node, dict) and segment in node:
            node = node[segment]
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node = node[int(segment)]
        else:
            return default
    return node


def _apply_one(doc: Any, segments: list[str], change: Change, where: str) -> None:
    parent = resolve(doc, segments[:-1])
    key: Any = segments[-1]
    pointer, at = _join(segments), f"{where}: {change.op} {_join(segments)}"
    if parent is _MISSING:
        raise DeviationError(f"{at}: {_join(segments[:-1])} not found")
    value = copy.deepcopy(change.value)
    if isinstance(parent, list):
        if change.op == "add" and key == APPEND:
            parent.append(value)
            return
        if not key.isdigit():
            raise DeviationError(f"{at}: {key!r} is not a list index")
        key = int(key)
        exists = key < len(parent)
    elif isinstance(parent, dict):
        exists = key in parent
    else:
        raise DeviationError(f"{at}: {_join(segments[:-1])} is not an object or a list")
    if change.op == "add":
        if isinstance(parent, dict) and exists:
            raise DeviationError(f"{at}: already present in the standard (use replace)")
        if isinstance(parent, list) and key > len(parent):
            raise DeviationError(f"{at}: index beyond the end of the list")
        if isinstance(parent, list):
            parent.insert(key, value)
        else:
            parent[key] = value
    elif not exists:
        raise DeviationError(f"{at}: not found")
    elif change.op == "replace":
        if parent[key] == value:
            raise DeviationError(f"{where}: replace {pointer}: the value is already that")
        parent[key] = value
    else:
        del parent[key]


def apply(standard_doc: dict[str, Any], deviation_set: DeviationSet) -> dict[str, Any]:
    """A deep copy of the standard's document with every change of ``deviation_set`` applied.

    Raises :class:`DeviationError` when a change does not fit: its parent (``add``) or its
    target (``replace``, ``remove``) does not exist, ``add`` meets a value that is already
    there, ``replace`` would not change anything, or a wildcard matches nothing.
    """
    doc = copy.deepcopy(standard_doc)
    for deviation in deviation_set.deviations:
        for change in deviation.changes:
            where = f"{deviation_set.source.name}: {deviation.id}"
            segments = change.segments
            targets = _expand(doc, segments, change.op) if WILDCARD in segments else [segments]
            if not targets:
                raise DeviationError(f"{where}: {change.op} {change.path}: matches nothing")
            for target in targets:
                _apply_one(doc, target, change, where)
    return doc
