"""What a check reports, and the catalogue of lint rules (ids, levels, statements)."""

from __future__ import annotations

from dataclasses import dataclass

from .loader import Loc

ERROR, WARNING, INFO = "error", "warning", "info"
LEVEL_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}

ADR = "https://gitdocumentatie.logius.nl/publicatie/api/adr/"


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    title: str
    statement: str
    help_uri: str = ""


RULES: dict[str, Rule] = {
    r.id: r
    for r in [
        Rule("LINT-VALID", ERROR, "Valid OpenAPI",
             "The document is a valid OpenAPI 3.0 or 3.1 document: it follows the OpenAPI "
             "schema, its $refs resolve, path parameters are declared, operationIds are "
             "unique and no mapping has duplicate keys."),
        Rule("LINT-COMPAT-MISSING", ERROR, "Nothing of the standard is missing",
             "Every operation of the standard is present, and so is every parameter, "
             "request or response media type, response, response header and schema "
             "property the standard declares."),
        Rule("LINT-COMPAT-EXTRA", ERROR, "Nothing beyond the standard",
             "The standard forbids extensions: no operation, parameter, media type, "
             "response, response header or schema property beyond the standard's document. "
             "Specification extensions (x-...) do not change the interface and are not "
             "compared."),
        Rule("LINT-COMPAT-SCHEMA", ERROR, "Schemas keep the standard's constraints",
             "Parameters and request/response schemas keep the standard's types, formats, "
             "enums, nullability, required fields, limits, patterns and discriminators."),
        Rule("LINT-COMPAT-SECURITY", ERROR, "Operations keep the standard's security",
             "Each operation requires the same security schemes and scopes as in the "
             "standard (scopes may be given in the requirement or in the operation's "
             "x-scopes extension)."),
        Rule("LINT-COMPAT-RENAMED", ERROR, "Nothing of the standard is renamed",
             "A property or parameter of the standard is missing while one of the same type "
             "at the same place is not in the standard: most likely a rename, which breaks "
             "every client that uses the old name."),
        Rule("LINT-COMPAT-VERSION", ERROR, "Breaking changes need a new major version",
             "When the document breaks clients of the reference it is compared with, its "
             "info.version moves the major version; a change of only the minor or patch "
             "version promises compatibility (semantic versioning)."),
        Rule("LINT-COMPAT-DEVIATION", INFO, "Recorded deviations of this project's reference",
             "Where this project's reference document deviates from the standard's on "
             "purpose (specs/deviations/), a document that follows the standard is not "
             "reported as different; the deviation is shown instead."),
        Rule("LINT-COMPAT-REFERENCE", INFO, "Which reference the document is compared with",
             "Without --against the document is compared with this project's reference for "
             "the standard and version it declares (info.title, info.version); when there "
             "is no reference for that version the nearest is used, and when there is none "
             "for that standard the compatibility check is skipped."),
        Rule("LINT-KEYWORD", WARNING, "Known keywords, in the right place",
             "Schemas use only keywords of their OpenAPI version, keywords that apply to the "
             "declared type, and (in OpenAPI 3.0) no keywords beside $ref, which are "
             "ignored."),
        Rule("LINT-REQUIRED-UNDEFINED", WARNING, "Required properties are defined",
             "Every name in `required` is a property of the schema (including its allOf "
             "parts)."),
        Rule("LINT-DISCRIMINATOR", WARNING, "Discriminators resolve",
             "A discriminator names a defined, required property; each mapping target "
             "exists and is one of the schema's alternatives or extends it through allOf; "
             "every enum value of the property maps to a schema."),
        Rule("LINT-DUPLICATE-TITLE", WARNING, "Schema titles are unique",
             "No two component schemas share a title (code generators name types after "
             "titles)."),
        Rule("LINT-UNUSED-COMPONENT", INFO, "Components are used",
             "Every component is referenced from an operation, another used component, a "
             "discriminator or a security requirement."),
        Rule("LINT-NULLABLE-ENUM", WARNING, "A nullable enum lists null",
             "In OpenAPI 3.0, `nullable: true` does not add null to an `enum` (OAS 3.0.3); "
             "an enum meant to allow null lists it."),
        Rule("LINT-SECURITY-SCOPES", WARNING, "Scopes only for OAuth2/OpenID Connect",
             "In OpenAPI 3.0 the scope list of a security requirement must be empty for "
             "schemes other than oauth2 and openIdConnect."),
        Rule("LINT-PATTERN", WARNING, "Portable regular expressions",
             "Every `pattern` (and patternProperties key) is a regular expression that "
             "ECMA-262 accepts in unicode mode, as JavaScript validators compile it, and that "
             "Python's re accepts too; a pattern that neither dialect accepts is an error."),
        Rule("LINT-PATCH-REQUIRED", WARNING, "PATCH bodies require nothing",
             "The request body schema of a PATCH operation requires no properties (readOnly "
             "ones and a discriminator's aside), so that a partial update can leave out "
             "whatever it does not change."),
        Rule("LINT-READONLY-REQUIRED", WARNING, "No required readOnly properties in requests",
             "A schema used for a request body does not list readOnly properties as "
             "required: clients cannot send them, and validators that do not know readOnly "
             "refuse the request without them."),
        Rule("LINT-DESCRIPTION-REQUIRED", WARNING, "Descriptions agree with `required`",
             "A description that calls a property optional (optioneel, niet verplicht) is "
             "not on a property listed in `required`, one that calls it required (verplicht, "
             "mandatory) is not on a property left out of it, and a description saying all "
             "attributes are optional is not given to a resource whose schema requires some."),
        Rule("LINT-DATE-FORMAT", WARNING, "Dates declare their format",
             "A string property or parameter that holds a date or a date-time by its name, "
             "example or description declares `format: date` or `format: date-time` (or a "
             "`pattern` for another notation)."),
        Rule("LINT-REQUIRED-PLACEMENT", WARNING, "`required` sits beside its properties",
             "A `required` list sits in the schema that defines the properties it names, "
             "not one level up from the allOf member that defines them; schemas that extend "
             "the same base require its properties alike."),
        Rule("LINT-IGNORED-HEADER", WARNING, "No Accept/Content-Type/Authorization parameters",
             "Header parameters named Accept, Content-Type or Authorization are ignored by "
             "OpenAPI; media types and security are declared elsewhere."),
        Rule("LINT-ADR-VERSION-IN-URL", WARNING, "Major version in the URI",
             "Every server URL contains the major version (`/v1`), only the major version, "
             "and it matches info.version.", ADR + "#/core/uri-version"),
        Rule("LINT-ADR-NO-TRAILING-SLASH", WARNING, "No trailing slash",
             "Paths and server URLs do not end in a slash.", ADR + "#/core/no-trailing-slash"),
        Rule("LINT-ADR-API-VERSION-HEADER", WARNING, "API-Version response header",
             "Every response declares the `API-Version` header with the full version.",
             ADR + "#/core/version-header"),
        Rule("LINT-ADR-PROBLEM-JSON", WARNING, "Problem details for errors",
             "Every 4xx/5xx response declares an `application/problem+json` body.",
             ADR + "#/core/error-handling/problem-details"),
        Rule("LINT-ADR-SECURITY", WARNING, "Security declared",
             "Every operation is secured by a global or operation security requirement that "
             "names declared security schemes and does not allow anonymous access.",
             ADR + "#/core/transport/security"),
        Rule("LINT-ADR-OPERATION-ID", WARNING, "Unique operationIds",
             "Every operation has an operationId; no two operations share one (an exact "
             "duplicate makes the document invalid and is reported as an error).",
             ADR + "#/core/doc-openapi"),
        Rule("LINT-ADR-ERROR-RESPONSES", WARNING, "Expected error responses documented",
             "An operation on a resource addressed by a path parameter (a read, an update, "
             "a delete, or a list below a parent that may not exist) documents 404; one that "
             "takes a request body or query parameters documents 400.", ADR),
        Rule("LINT-UNREACHABLE-RESPONSE", INFO, "No responses that cannot happen",
             "An operation does not declare error responses it cannot produce: 415 without "
             "a request body, 412 without a conditional request header."),
        Rule("LINT-ADR-SEMVER", WARNING, "Semantic versioning",
             "info.version is a semantic version MAJOR.MINOR.PATCH.", ADR + "#/core/semver"),
        Rule("LINT-ADR-KEBAB-CASE", WARNING, "Kebab-case path segments",
             "Fixed path segments are lower case, words separated by hyphens.",
             ADR + "#/core/path-segments-kebab-case"),
    ]
}


@dataclass
class Finding:
    rule: str
    message: str
    loc: Loc
    level: str = ""  # empty: the rule's level
    breaking: bool | None = None  # compatibility findings only

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown lint rule {self.rule}")
        self.level = self.level or RULES[self.rule].level

    @property
    def file(self) -> str:
        return self.loc.source.display

    @property
    def pointer(self) -> str:
        return self.loc.pointer

    @property
    def line(self) -> int:
        return self.loc.source.position(self.loc.pointer)[0]

    @property
    def column(self) -> int:
        return self.loc.source.position(self.loc.pointer)[1]

    def as_dict(self) -> dict:
        data = {
            "rule": self.rule,
            "level": self.level,
            "message": self.message,
            "file": self.file,
            "pointer": self.pointer,
            "line": self.line,
            "column": self.column,
        }
        if self.breaking is not None:
            data["breaking"] = self.breaking
        return data


def listed(names: list[str]) -> str:
    """Names for a message: `a`, `b`, `c`."""
    return ", ".join(f"`{n}`" for n in names)


def sort_key(finding: Finding) -> tuple:
    return (finding.file, finding.line, finding.column, finding.rule, finding.message)
