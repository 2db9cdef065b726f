"""The OpenAPI linter: `klanten-conformance lint SPEC`.

Checks a document for validity, compatibility with the standard's document, schema hygiene
and the statically checkable NL API Design Rules; reports text, JSON or SARIF.
"""

from .cli import main
from .engine import lint
from .findings import RULES, Finding, Rule
from .loader import LoadError, Workspace

__all__ = ["RULES", "Finding", "LoadError", "Rule", "Workspace", "lint", "main"]
