"""Load OpenAPI documents (file or URL, YAML or JSON) keeping line numbers, resolve `$ref`s.

A :class:`Workspace` holds every document read during one lint run: the one given on the
command line and every file or URL its `$ref`s point to. Nodes are plain dicts and lists;
positions are kept on the side, keyed by the identity of each container.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LoadError(Exception):
    """The document cannot be read at all (missing file, bad YAML, unreachable URL)."""


class RefError(Exception):
    """A `$ref` that points nowhere."""


def escape(token: Any) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return urllib.parse.unquote(token).replace("~1", "/").replace("~0", "~")


def join(pointer: str, *tokens: Any) -> str:
    return pointer + "".join("/" + escape(t) for t in tokens)


@dataclass
class Source:
    """One parsed document."""

    uri: str  # absolute file path or http(s) URL
    display: str  # how findings name the document
    root: Any
    positions: dict[int, dict[Any, tuple[int, int]]] = field(default_factory=dict)
    duplicates: list[tuple[int, Any, tuple[int, int]]] = field(default_factory=list)

    def node(self, pointer: str) -> Any:
        node = self.root
        for token in _tokens(pointer):
            node = _child(node, token)
        return node

    def position(self, pointer: str) -> tuple[int, int]:
        """Line and column (1-based) of the deepest key of `pointer` that exists."""
        node, best = self.root, (1, 1)
        for token in _tokens(pointer):
            keys = self.positions.get(id(node), {})
            key = _key(node, token)
            if key is _MISSING:
                break
            best = keys.get(key, best)
            node = node[key]
        return best


_MISSING = object()


def _tokens(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [unescape(t) for t in pointer.lstrip("/").split("/")]


def _key(node: Any, token: str) -> Any:
    if isinstance(node, dict):
        if token in node:
            return token
        for key in node:
            if str(key) == token:
                return key
    elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return int(token)
    return _MISSING


def _child(node: Any, token: str) -> Any:
    key = _key(node, token)
    if key is _MISSING:
        raise KeyError(token)
    return node[key]


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.positions: dict[int, dict[Any, tuple[int, int]]] = {}
        self.duplicates: list[tuple[int, Any, tuple[int, int]]] = []


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    loader.flatten_mapping(node)
    mapping: dict = {}
    keys: dict[Any, tuple[int, int]] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, "unhashable mapping key", key_node.start_mark
            ) from exc
        if key in mapping:
            loader.duplicates.append((id(mapping), key, _mark(key_node)))
        mapping[key] = loader.construct_object(value_node, deep=True)
        keys[key] = _mark(key_node)
    loader.positions[id(mapping)] = keys
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> list:
    items = [loader.construct_object(child, deep=True) for child in node.value]
    loader.positions[id(items)] = {i: _mark(child) for i, child in enumerate(node.value)}
    return items


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def parse(text: str, display: str, uri: str) -> Source:
    """Parse YAML (or JSON) text into a :class:`Source`."""
    loader = _LineLoader(text)
    try:
        root = loader.get_single_data()
    except yaml.YAMLError as exc:
        try:  # JSON that YAML 1.1 refuses (for example "\/" escapes)
            return Source(uri, display, json.loads(text))
        except ValueError:
            pass
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise LoadError(f"{display}: not valid YAML or JSON{where}: {problem}") from exc
    finally:
        loader.dispose()
    return Source(uri, display, root, loader.positions, loader.duplicates)


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def read_text(uri: str, display: str, timeout: float = 10.0) -> str:
    if is_url(uri):
        import requests  # only for URLs: importing it costs more than linting a file

        try:
            response = requests.get(uri, timeout=timeout)
        except requests.RequestException as exc:
            raise LoadError(f"{display}: cannot fetch: {exc.__class__.__name__}: {exc}") from exc
        if response.status_code != 200:
            raise LoadError(f"{display}: cannot fetch: HTTP {response.status_code}")
        response.encoding = response.encoding or "utf-8"
        return response.text
    path = Path(uri)
    if not path.is_file():
        raise LoadError(f"{display}: no such file")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"{display}: cannot read: {exc}") from exc


@dataclass(frozen=True)
class Loc:
    """A place in a document: the source and a JSON pointer into it."""

    source: Source
    pointer: str

    def child(self, *tokens: Any) -> Loc:
        return Loc(self.source, join(self.pointer, *tokens))


class Workspace:
    """All documents of one lint run, loaded once each."""

    def __init__(self) -> None:
        self.sources: dict[str, Source] = {}

    def load(self, location: str, display: str | None = None, cached: bool = False) -> Source:
        """Read a document once per run; `cached` keeps its parse on disk between runs (for
        reference documents, which rarely change)."""
        uri = location if is_url(location) else str(Path(location).resolve())
        if uri not in self.sources:
            shown = display or location

            def fresh() -> Source:
                return parse(read_text(uri, shown), shown, uri)

            if cached and not is_url(uri):
                from . import cache

                self.sources[uri] = cache.parsed(uri, shown, fresh)
            else:
                self.sources[uri] = fresh()
        return self.sources[uri]

    def resolve(self, node: Any, loc: Loc) -> tuple[Any, Loc]:
        """Follow `$ref` (also chains, also into other files) until a non-reference node."""
        seen: set[tuple[str, str]] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            node, loc = self.target(node["$ref"], loc)
            if (loc.source.uri, loc.pointer) in seen:
                raise RefError(f"circular $ref {loc.pointer}")
            seen.add((loc.source.uri, loc.pointer))
        return node, loc

    def target(self, ref: str, at: Loc) -> tuple[Any, Loc]:
        """The node one `$ref` points to (not followed further)."""
        location, _, fragment = ref.partition("#")
        source = at.source
        if location:
            base = at.source.uri
            if is_url(base):
                uri = urllib.parse.urljoin(base, location)
            elif is_url(location):
                uri = location
            else:
                uri = str((Path(base).parent / urllib.parse.unquote(location)).resolve())
            display = uri if is_url(uri) else _display_path(uri)
            try:
                source = self.load(uri, display)
            except LoadError as exc:
                raise RefError(str(exc)) from exc
        if fragment and not fragment.startswith("/"):
            raise RefError(f"$ref fragment {fragment!r} is not a JSON pointer")
        try:
            return source.node(fragment), Loc(source, fragment)
        except (KeyError, TypeError) as exc:
            raise RefError(f"{ref!r} points to nothing in {source.display}") from exc


def _display_path(uri: str) -> str:
    try:
        return str(Path(uri).relative_to(Path.cwd()))
    except ValueError:
        return uri
