"""Produce the skeleton of one of our OpenAPI documents from the standard's document.

One-off helper (not part of the package). It takes the standard's document, applies our
recorded deviations (specs/deviations/<stem>.yaml), drops every piece of prose (descriptions,
summaries, titles, examples, info, tag texts) and writes the structure, in the standard's
order, with our own prose filled in from:

1. ``--prose FILE``: a YAML file of our texts, with the sections ``info`` (a mapping),
   ``pointers`` (JSON pointer -> text), ``parameters`` (``name`` or ``"/path name"`` -> text)
   and ``properties`` (``name`` or ``"Schema.name"`` -> text);
2. ``--prose-from DOC``: an earlier version of our document (same pointer), so that a
   regenerated skeleton keeps the texts already written;
3. response descriptions default to the HTTP reason phrase.

Operations without a summary or description and schemas without a description get the
placeholder ``TODO``; ``--check`` makes the script fail while any placeholder is left.

    python scripts/spec_skeleton.py ../shared/specs/klantinteracties-0.9.0.yaml \\
        specs/klantinteracties-0.9.yaml --prose-from specs/klantinteracties-0.9.yaml --check
"""

from __future__ import annotations

import argparse
import sys
from http import HTTPStatus
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from klanten_conformance import deviations  # noqa: E402

PROSE = {"description", "summary", "title", "example", "examples"}
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
TODO = "TODO"
# Keys that come before the prose of an object, in this order; the rest keeps its order.
LEADING = ("operationId", "name", "in")


def esc(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def strip(node: Any, names: bool = False) -> Any:
    """Drop prose keys; keys of a ``properties`` map are names and always kept."""
    if isinstance(node, list):
        return [strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: strip(value, names=(key == "properties" and not names))
        for key, value in node.items()
        if names or key not in PROSE
    }


def prose_at(doc: Any, pointer: str, key: str) -> str | None:
    node = deviations.resolve(doc, pointer, None)
    return node.get(key) if isinstance(node, dict) else None


class Filler:
    def __init__(self, prose: dict[str, Any], earlier: dict[str, Any] | None) -> None:
        self.pointers: dict[str, Any] = prose.get("pointers", {})
        self.parameters: dict[str, str] = prose.get("parameters", {})
        self.properties: dict[str, str] = prose.get("properties", {})
        self.earlier = earlier
        self.todo: list[str] = []

    def text(self, pointer: str, key: str) -> str | None:
        value = self.pointers.get(pointer if key == "description" else f"{pointer}#{key}")
        if value is None and self.earlier is not None:
            value = prose_at(self.earlier, pointer, key)
        return value

    def fill(self, node: Any, pointer: str = "", context: str = "") -> Any:
        """``context`` is the schema name (for properties) or the path (for parameters)."""
        if isinstance(node, list):
            return [self.fill(v, f"{pointer}/{i}", context) for i, v in enumerate(node)]
        if not isinstance(node, dict):
            return node
        out = {
            k: self.fill(v, f"{pointer}/{esc(k)}", self.context(pointer, k, context))
            for k, v in node.items()
        }
        texts = {key: self.text(pointer, key) for key in ("summary", "description")}
        kind = self.kind(pointer, node)
        if kind == "parameter" and texts["description"] is None:
            texts["description"] = self.parameters.get(
                f"{context} {node['name']}", self.parameters.get(node["name"])
            )
        if kind == "property" and texts["description"] is None:
            name = deviations.split_pointer(pointer)[-1]
            texts["description"] = self.properties.get(
                f"{context}.{name}", self.properties.get(name)
            )
        if kind == "response" and texts["description"] is None:
            texts["description"] = HTTPStatus(int(pointer.rsplit("/", 1)[1])).phrase
        required = {
            "operation": ("summary", "description"),
            "schema": ("description",),
            "response": ("description",),
        }.get(kind, ())
        for key in required:
            if texts[key] is None:
                texts[key] = TODO
                self.todo.append(f"{pointer}#{key}")
        prose = {k: v for k, v in texts.items() if v is not None and k not in out}
        out.update({k: v for k, v in texts.items() if v is not None and k in out})
        lead = {k: out.pop(k) for k in LEADING if k in out}
        return {**lead, **prose, **out}

    @staticmethod
    def context(pointer: str, key: str, context: str) -> str:
        parts = deviations.split_pointer(pointer)
        if parts[:2] == ["components", "schemas"] and len(parts) == 2:
            return key
        if parts[:1] == ["paths"] and len(parts) == 1:
            return key
        return context

    @staticmethod
    def kind(pointer: str, node: dict[str, Any]) -> str:
        parts = deviations.split_pointer(pointer)
        if len(parts) == 3 and parts[0] == "paths" and parts[2] in METHODS:
            return "operation"
        if len(parts) == 3 and parts[:2] == ["components", "schemas"]:
            return "schema"
        if len(parts) >= 2 and parts[-2] == "responses" and parts[-1].isdigit():
            return "response" if "$ref" not in node else ""
        if "in" in node and "name" in node:
            return "parameter"
        if len(parts) >= 2 and parts[-2] == "properties" and "$ref" not in node:
            return "property"
        return ""


def add_scopes(standard: dict[str, Any], skeleton: dict[str, Any]) -> None:
    """``x-scopes``: the scopes the standard lists on an operation's security requirement."""
    for path, item in skeleton["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            original = standard["paths"][path][method].get("security", [])
            scopes = [s for req in original for names in req.values() for s in names]
            if scopes:
                keys = list(op)
                at = keys.index("security") + 1 if "security" in keys else len(keys)
                items = list(op.items())
                items.insert(at, ("x-scopes", scopes))
                item[method] = dict(items)


class Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


Dumper.add_representer(str, _str)


def build(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    standard = yaml.safe_load(Path(args.standard).read_text(encoding="utf-8"))
    stem = Path(args.out).stem
    dev_file = Path(args.deviations or REPO / "specs" / "deviations" / f"{stem}.yaml")
    if not dev_file.is_file():
        raise SystemExit(f"no deviations file {dev_file}; name one with --deviations")
    doc = deviations.apply(standard, deviations.load(dev_file))
    prose = yaml.safe_load(Path(args.prose).read_text(encoding="utf-8")) if args.prose else {}
    earlier = None
    if args.prose_from and Path(args.prose_from).is_file():
        earlier = yaml.safe_load(Path(args.prose_from).read_text(encoding="utf-8"))
    skeleton = strip(doc)
    add_scopes(standard, skeleton)
    info = {"title": doc["info"]["title"]}
    info.update(prose.get("info") or (earlier or {}).get("info", {}))
    info["title"], info["version"] = doc["info"]["title"], doc["info"]["version"]
    skeleton["info"] = info
    filler = Filler(prose, earlier)
    filled = filler.fill(skeleton)
    order = ["openapi", "info", "servers", "security", "tags", "paths", "components"]
    out = {k: filled[k] for k in order if k in filled}
    out.update({k: v for k, v in filled.items() if k not in out})
    return out, filler.todo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("standard", help="the standard's OpenAPI document")
    parser.add_argument("out", help="our document to write (its stem names the deviations)")
    parser.add_argument("--deviations", help="deviations file (default: by the stem of OUT)")
    parser.add_argument("--prose", help="YAML file with our texts")
    parser.add_argument("--prose-from", help="earlier version of our document")
    parser.add_argument("--header", default="", help="comment lines to put on top")
    parser.add_argument("--check", action="store_true", help="fail while TODOs are left")
    args = parser.parse_args(argv)
    doc, todo = build(args)
    text = yaml.dump(doc, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
    header = "".join(f"# {line}\n" for line in args.header.splitlines())
    Path(args.out).write_text(header + text, encoding="utf-8")
    for pointer in todo:
        print(f"TODO {pointer}", file=sys.stderr)
    print(f"wrote {args.out}; {len(todo)} placeholder(s) left", file=sys.stderr)
    return 1 if args.check and todo else 0


if __name__ == "__main__":
    sys.exit(main())
