"""OpenAPI 3.0 schemas as compiled JSON Schema validators (jsonschema_rs, draft 7).

An OpenAPI 3.0 Schema Object is JSON Schema with a few differences, which the conversion
here resolves so that one fast validator per schema can be compiled once and used on every
request and response:

- ``nullable: true`` adds ``null`` to the ``type`` (and to an ``enum``);
- ``readOnly`` properties are not required in a request, ``writeOnly`` ones not in a response;
- a ``discriminator`` with a ``mapping`` selects the mapped schema by the value of its
  property (as openapi-core does); inside a mapped schema, ``allOf`` references back to the
  schema holding the discriminator mean that schema without the dispatch, so it does not
  recurse. With ``oneOf``/``anyOf`` the discriminator replaces the alternatives;
- boolean ``exclusiveMinimum``/``exclusiveMaximum`` become the numeric form of draft 6+;
- ``format: int32``/``int64`` become bounds.

String formats: ``uri``, ``date``, ``date-time`` and the other draft 7 formats are checked by
jsonschema_rs itself (RFC 3986, RFC 3339); ``uuid`` and ``email`` as jsonschema's format checker
(which openapi-core uses) checks them: a UUID in its hyphenated form, and any string with an
``@`` (the standard's implementations are no stricter about e-mail addresses in practice, and
refusing an address the standard accepts would be worse than accepting a doubtful one). The
server does not import jsonschema's format checker itself: loading its optional format
libraries costs more than a second at every start.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

#: where a schema is used: request bodies/parameters, or responses
REQUEST, RESPONSE = "request", "response"
_PLAIN = "~plain"
_INT_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_OAS_ONLY = frozenset({"discriminator", "nullable", "example", "xml", "externalDocs"})


def is_uuid(value: str) -> bool:
    """A UUID in its hyphenated 8-4-4-4-12 form."""
    try:
        uuidlib.UUID(value)
    except ValueError:
        return False
    return all(value[position] == "-" for position in (8, 13, 18, 23))


def is_email(value: str) -> bool:
    return "@" in value


#: formats checked here rather than by jsonschema_rs (which has no ``uuid`` in draft 7)
FORMATS: dict[str, Callable[[str], bool]] = {
    "uuid": is_uuid,
    "email": is_email,
    "idn-email": is_email,
}


def ref_name(ref: str) -> str:
    """``#/components/schemas/Klant`` -> ``Klant``."""
    return ref.rsplit("/", 1)[-1]


class SchemaSet:
    """The ``components/schemas`` of one document, converted once per use (request/response)."""

    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components
        #: mapped schema name -> names of the schemas whose discriminator maps to it
        self._bases: dict[str, set[str]] = {}
        for name, schema in components.items():
            for target in _mapping(schema).values():
                self._bases.setdefault(ref_name(target), set()).add(name)
        self._definitions: dict[str, dict[str, Any]] = {}

    def definitions(self, use: str) -> dict[str, Any]:
        if use not in self._definitions:
            converted: dict[str, Any] = {}
            for name, schema in self.components.items():
                converted[name] = self._convert(schema, use, self._bases.get(name, set()))
                if _mapping(schema):
                    converted[name + _PLAIN] = self._convert(
                        _without_dispatch(schema), use, self._bases.get(name, set())
                    )
            self._definitions[use] = converted
        return self._definitions[use]

    def validator(self, schema: dict[str, Any], use: str) -> Validator:
        """A compiled validator of ``schema`` (which may ``$ref`` the components)."""
        root = self._convert(schema, use, set())
        root = {**root, "definitions": self.definitions(use)} if isinstance(root, dict) else root
        return Validator(
            jsonschema_rs.Draft7Validator(root, formats=FORMATS, validate_formats=True)
        )

    def _convert(self, schema: Any, use: str, plain_refs: set[str]) -> Any:
        if not isinstance(schema, dict):
            return schema
        if "$ref" in schema:
            name = ref_name(schema["$ref"])
            suffix = _PLAIN if name in plain_refs else ""
            return {"$ref": f"#/definitions/{name}{suffix}"}
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key in ("properties", "patternProperties"):
                out[key] = {k: self._convert(v, use, set()) for k, v in value.items()}
            elif key == "allOf":
                # only the direct parts of a mapped schema refer to its base without dispatch
                out[key] = [self._convert(v, use, plain_refs) for v in value]
            elif key in ("anyOf", "oneOf"):
                out[key] = [self._convert(v, use, set()) for v in value]
            elif key in ("items", "additionalProperties", "not"):
                out[key] = self._convert(value, use, set())
            elif key == "required":
                out[key] = [n for n in value if not _hidden(schema, n, use)]
            elif key in _OAS_ONLY or key.startswith("x-"):
                continue
            else:
                out[key] = value
        _exclusive_bounds(out)
        if schema.get("format") in _INT_BOUNDS:
            low, high = _INT_BOUNDS[schema["format"]]
            out.setdefault("minimum", low)
            out.setdefault("maximum", high)
        dispatch = self._dispatch(schema, use)
        if dispatch:
            out.pop("oneOf", None)
            out.pop("anyOf", None)
            out = {"allOf": [out, *dispatch]} if out else {"allOf": dispatch}
        if schema.get("nullable"):
            out = _nullable(out)
        return out

    def _dispatch(self, schema: dict[str, Any], use: str) -> list[dict[str, Any]]:
        mapping = _mapping(schema)
        if not mapping:
            return []
        prop = schema["discriminator"]["propertyName"]
        parts = [
            {
                "if": {"properties": {prop: {"const": value}}, "required": [prop]},
                "then": {"$ref": f"#/definitions/{ref_name(target)}"},
            }
            for value, target in mapping.items()
        ]
        if schema.get("oneOf") or schema.get("anyOf"):
            parts.append({"required": [prop], "properties": {prop: {"enum": list(mapping)}}})
        return parts


def _mapping(schema: Any) -> dict[str, str]:
    if not isinstance(schema, dict) or not isinstance(schema.get("discriminator"), dict):
        return {}
    discriminator = schema["discriminator"]
    mapping = dict(discriminator.get("mapping") or {})
    if not mapping:
        for part in schema.get("oneOf") or schema.get("anyOf") or []:
            if isinstance(part, dict) and "$ref" in part:
                mapping[ref_name(part["$ref"])] = part["$ref"]
    return mapping


def _without_dispatch(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != "discriminator"}


def _hidden(schema: dict[str, Any], name: str, use: str) -> bool:
    """readOnly properties are not required in requests, writeOnly ones not in responses."""
    prop = (schema.get("properties") or {}).get(name)
    if not isinstance(prop, dict):
        return False
    return bool(prop.get("readOnly") if use == REQUEST else prop.get("writeOnly"))


def _exclusive_bounds(out: dict[str, Any]) -> None:
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if isinstance(out.get(exclusive), bool) and out.pop(exclusive) and bound in out:
            out[exclusive] = out.pop(bound)


def _nullable(out: dict[str, Any]) -> dict[str, Any]:
    kind = out.get("type")
    if isinstance(kind, str) and set(out) - {"type"} <= _TYPED_KEYWORDS:
        out = {**out, "type": [kind, "null"]}
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return out
    return {"anyOf": [{"type": "null"}, out]}


#: keywords that only constrain values of the schema's own type (so null passes them)
_TYPED_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "format",
        "maxLength",
        "minLength",
        "pattern",
        "maximum",
        "minimum",
        "exclusiveMaximum",
        "exclusiveMinimum",
        "multipleOf",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "maxItems",
        "minItems",
        "uniqueItems",
        "readOnly",
        "writeOnly",
        "description",
        "title",
        "default",
        "deprecated",
    }
)


@dataclass(frozen=True)
class SchemaError:
    """One failing keyword: where (path parts), which keyword, and a message."""

    path: tuple[str | int, ...]
    keyword: str
    message: str
    missing: str | None = None  # the property a ``required`` error is about
    instance: Any = None


class Validator:
    """A compiled validator; :meth:`errors` is empty for a valid instance."""

    def __init__(self, compiled: Any) -> None:
        self._compiled = compiled

    def is_valid(self, instance: Any) -> bool:
        return self._compiled.is_valid(instance)

    def errors(self, instance: Any) -> list[SchemaError]:
        if self._compiled.is_valid(instance):
            return []
        return list(_errors(self._compiled.iter_errors(instance)))


def _errors(raw: Iterable[Any]) -> Iterable[SchemaError]:
    seen: set[tuple] = set()
    for error in raw:
        kind = error.kind
        last = error.schema_path[-1] if error.schema_path else ""
        keyword = last if isinstance(last, str) else type(kind).__name__
        missing = getattr(kind, "property", None) if keyword == "required" else None
        path = tuple(error.instance_path)
        key = (path, keyword, missing)
        if key in seen:
            continue
        seen.add(key)
        yield SchemaError(path, keyword, error.message, missing, error.instance)
