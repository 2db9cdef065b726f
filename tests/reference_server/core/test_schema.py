"""OpenAPI 3.0 schemas as compiled JSON Schema validators."""

from __future__ import annotations

import pytest

from reference_server.core.schema import REQUEST, RESPONSE, SchemaSet

COMPONENTS = {
    "Basis": {
        "type": "object",
        "required": ["url", "soort", "geheim"],
        "properties": {
            "url": {"type": "string", "readOnly": True},
            "geheim": {"type": "string", "writeOnly": True},
            "soort": {"type": "string", "enum": ["a", "b"], "nullable": True},
        },
        "discriminator": {"propertyName": "soort", "mapping": {"a": "#/components/schemas/A"}},
    },
    "A": {
        "allOf": [
            {"$ref": "#/components/schemas/Basis"},
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}},
        ]
    },
}


def valid(schema: dict, instance: object, use: str = REQUEST) -> bool:
    return SchemaSet(COMPONENTS).validator(schema, use).is_valid(instance)


def test_nullable_adds_null_to_type_and_enum() -> None:
    ref = {"$ref": "#/components/schemas/Basis"}
    assert valid(ref, {"soort": None, "geheim": "x"})
    assert not valid(ref, {"soort": "c", "geheim": "x"})
    assert valid({"type": "string", "nullable": True, "maxLength": 1}, None)
    assert not valid({"type": "string", "maxLength": 1}, None)
    assert valid({"allOf": [{"type": "object"}], "nullable": True}, None)


def test_read_only_is_not_required_in_requests_nor_write_only_in_responses() -> None:
    ref = {"$ref": "#/components/schemas/Basis"}
    assert valid(ref, {"soort": "b", "geheim": "x"}, REQUEST)
    assert not valid(ref, {"soort": "b", "url": "u"}, REQUEST)
    assert valid(ref, {"soort": "b", "url": "u"}, RESPONSE)
    assert not valid(ref, {"soort": "b", "geheim": "x"}, RESPONSE)


def test_discriminator_mapping_dispatches_without_recursion() -> None:
    ref = {"$ref": "#/components/schemas/Basis"}
    assert not valid(ref, {"soort": "a", "geheim": "x"})  # A needs a
    assert valid(ref, {"soort": "a", "geheim": "x", "a": 1})
    assert valid(ref, {"soort": "b", "geheim": "x"})  # no mapping: the base schema only


@pytest.mark.parametrize(
    ("schema", "good", "bad"),
    [
        ({"type": "integer", "format": "int32"}, 2**31 - 1, 2**31),
        ({"type": "number", "maximum": 5, "exclusiveMaximum": True}, 4.9, 5),
        ({"type": "number", "minimum": 5, "exclusiveMinimum": False}, 5, 4.9),
        ({"type": "string", "format": "uuid"}, "00000000-0000-4000-8000-000000000000", "x"),
        ({"type": "string", "format": "uri"}, "https://example.org/a", "no scheme"),
        ({"type": "string", "format": "date-time"}, "2020-01-01T00:00:00Z", "2020-01-01"),
        ({"type": "string", "format": "email"}, "a@b", "no at sign"),
    ],
)
def test_bounds_and_formats(schema: dict, good: object, bad: object) -> None:
    assert valid(schema, good)
    assert not valid(schema, bad)


def test_errors_name_the_field_and_keyword() -> None:
    validator = SchemaSet(COMPONENTS).validator({"$ref": "#/components/schemas/Basis"}, REQUEST)
    errors = validator.errors({"soort": "a", "a": "x"})
    found = {(e.path, e.keyword, e.missing) for e in errors}
    assert ((), "required", "geheim") in found
    assert (("a",), "type", None) in found
    assert validator.errors({"soort": "b", "geheim": "x"}) == []
