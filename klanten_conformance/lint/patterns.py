"""LINT-PATTERN: regular expressions that every validator can use.

OpenAPI and JSON Schema define `pattern` as an ECMA-262 regular expression. JavaScript
validators (Ajv and most others) compile it with the unicode flag, under which ECMA-262 is
strict: an escape is allowed only for a syntax character or `/` (and `-` in a class), a lone
`{` or `]` is an error, and so on. Python validators compile the same text with `re`. A
pattern is checked with a real ECMA-262 engine (the `regress` package, Rust's regress) in
unicode mode and without it, and with Python's `re`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from functools import cache
from typing import Any

from .findings import ERROR, INFO, Finding
from .loader import Loc

RULE = "LINT-PATTERN"
SYNTAX_CHARACTERS = frozenset("^$\\.*+?()[]{}|")
_PUNCTUATION = frozenset(string.punctuation + " ")


def check(schemas: list[tuple[dict, Loc]]) -> list[Finding]:
    engine = _engine()
    found = list(_patterns(schemas))
    if engine is None:
        findings = [f for pattern, loc in found if (f := _python_only(pattern, loc))]
        if found:
            findings.append(Finding(RULE, f"{len(found)} pattern(s) not checked against "
                                    "ECMA-262: install the `regress` package", found[0][1],
                                    level=INFO))
        return findings
    return [f for pattern, loc in found if (f := _judge(engine, pattern, loc))]


def _patterns(schemas: list[tuple[dict, Loc]]) -> Iterator[tuple[str, Loc]]:
    for schema, loc in schemas:
        if isinstance(schema.get("pattern"), str):
            yield schema["pattern"], loc.child("pattern")
        keys = schema.get("patternProperties")
        for key in keys if isinstance(keys, dict) else ():
            yield str(key), loc.child("patternProperties", key)


@cache
def _engine() -> Any:
    try:
        import regress
    except ImportError:
        return None
    return regress


def ecma_error(engine: Any, pattern: str, flags: str) -> str | None:
    """Why ECMA-262 refuses `pattern` with `flags`, or None when it accepts it."""
    try:
        engine.Regex(pattern, flags)
    except Exception as exc:  # noqa: BLE001 - regress raises its own error type
        return str(exc) or exc.__class__.__name__
    return None


def python_error(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as exc:
        return str(exc)
    return None


def _python_only(pattern: str, loc: Loc) -> Finding | None:
    why = python_error(pattern)
    if why is None:
        return None
    return Finding(RULE, f"pattern `{pattern}`: Python's re refuses it ({why})", loc)


def _judge(engine: Any, pattern: str, loc: Loc) -> Finding | None:
    unicode = ecma_error(engine, pattern, "u")
    python = python_error(pattern)
    if unicode is None and python is None:
        return None
    shown = f"pattern `{pattern}`"
    if unicode is None:
        return Finding(RULE, f"{shown} is valid ECMA-262, but Python's re refuses it "
                       f"({python}): Python validators (jsonschema, openapi-core) cannot use "
                       "it", loc)
    legacy = ecma_error(engine, pattern, "")
    if legacy is not None and python is not None:
        return Finding(RULE, f"{shown} is no regular expression: ECMA-262 refuses it "
                       f"({_said(legacy)}) and so does Python's re ({python})", loc,
                       level=ERROR)
    if legacy is not None:
        message = (f"{shown} is refused by ECMA-262, with or without the unicode flag that Ajv "
                   f"and most JavaScript validators use ({_said(legacy)})")
    else:
        message = (f"{shown} is refused by ECMA-262 in unicode mode, as Ajv and most "
                   f"JavaScript validators compile it ({_said(unicode)})")
    if python is not None:
        message += f"; Python's re refuses it as well ({python})"
    return Finding(RULE, message + _hint(engine, pattern), loc)


def _said(error: str) -> str:
    return error.strip().rstrip(".").lower()


def _hint(engine: Any, pattern: str) -> str:
    fixed, needless = unescaped(pattern)
    if not needless or ecma_error(engine, fixed, "u") or python_error(fixed):
        return ""
    listed = ", ".join(f"`{e}`" for e in dict.fromkeys(needless))
    what = ("escapes a character that needs" if len(set(needless)) == 1
            else "escape characters that need")
    return f": {listed} {what} no escape, which unicode mode forbids; write `{fixed}`"


def unescaped(pattern: str) -> tuple[str, list[str]]:
    """`pattern` without its needless escapes of punctuation (those unicode mode refuses),
    and the escapes taken out. `\\-` stays inside a class, where unicode mode allows it."""
    out: list[str] = []
    needless: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if (escaped in _PUNCTUATION and escaped not in SYNTAX_CHARACTERS
                    and escaped != "/" and not (in_class and escaped == "-")):
                out.append(escaped)
                needless.append(pattern[i:i + 2])
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out), needless
