"""What an API package declares: the API (:class:`ApiDefinition`), its resources
(:class:`Resource`) and the rules on top of the generic behaviour (:class:`ResourceRules`).

See the package docstring of :mod:`reference_server.core` for how these fit together.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.responses import Response

    from reference_server.core.call import Call
    from reference_server.core.problems import InvalidParam

#: actions that change a resource; also the audittrail ``actie`` and notification ``actie``
CREATE, UPDATE, PARTIAL_UPDATE, DESTROY = "create", "update", "partial_update", "destroy"
#: actions that only look at a resource (for :meth:`ResourceRules.check_access`)
READ, AUDIT = "read", "audit"
JWT, TOKEN = "jwt", "token"


@dataclass
class Stored:
    """One stored resource: its uuid, its data (the JSON the API holds, without ``url``) and
    the values of the resource's declared columns."""

    uuid: str
    data: dict[str, Any]
    columns: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Filter:
    """How a query parameter of a list filters.

    ``path`` is a dotted path into the stored data (``adres.postcode``), or ``column`` names a
    declared column. ``lookup`` is ``exact`` (default), ``gt``, ``gte``, ``lt``, ``lte`` or
    ``in`` (an array parameter). ``implies`` adds exact conditions on columns
    (``{"subject_type": "natuurlijk_persoon"}``). ``value`` turns the typed parameter value into
    the stored one (a URL of our own into a uuid, say). With the fault ``fault`` on, the filter
    is ignored.
    """

    path: str | None = None
    column: str | None = None
    lookup: str = "exact"
    implies: Mapping[str, Any] = field(default_factory=dict)
    value: Callable[[Call, Any], Any] | None = None
    fault: str | None = None


@dataclass(frozen=True)
class Unique:
    """A unique index on declared columns, enforced by the database. A violation is a 400
    with invalidParams ``field``/``unique``. ``where`` makes it partial (SQL on the columns)."""

    columns: tuple[str, ...]
    field: str
    reason: str
    where: str | None = None


class ResourceRules:
    """The rules of one resource on top of the generic behaviour. Every hook has a default that
    gives plain CRUD; a rule module overrides what its rules need. ``call`` gives the request,
    the principal, the API's settings, faults and services (see :class:`Call`)."""

    # validation ------------------------------------------------------------------------------

    def schema_errors(
        self, call: Call, action: str, body: dict, params: list[InvalidParam]
    ) -> list[InvalidParam]:
        """The invalidParams of the schema check of ``body``; return them, fewer or more."""
        return params

    def normalise(self, call: Call, body: dict, old: Stored | None) -> dict:
        """The stored form of a schema-valid body (default: as sent, read-only fields out)."""
        return body

    async def validate(self, call: Call, action: str, data: dict, old: Stored | None) -> dict:
        """Business rules before a create/update (may call remote URLs); raise ApiError to
        refuse. Returns the data to store."""
        return data

    def check_access(self, call: Call, action: str, stored: Stored) -> None:
        """Before any operation on an existing resource (read, audit, update, destroy): raise
        ApiError (403/404) when the principal may not."""

    # storage -------------------------------------------------------------------------------

    def columns(self, call: Call, data: dict) -> dict[str, Any]:
        """Values of the resource's declared columns for ``data`` (for unique indexes,
        visibility and filters)."""
        return {}

    def before_write(
        self,
        call: Call,
        conn: sqlite3.Connection,
        action: str,
        new: Stored | None,
        old: Stored | None,
    ) -> None:
        """Inside the write's transaction, before the row is written: extra checks against
        the database (raise UniqueViolation or ApiError) and changes to other rows."""

    def after_write(self, call: Call, action: str, new: Stored | None, old: Stored | None) -> None:
        """After the transaction committed."""

    # lists ---------------------------------------------------------------------------------

    def list_condition(self, call: Call, values: dict[str, Any]) -> tuple[str, list[Any]]:
        """SQL condition (on the resource's columns) for what a list may show, and its
        parameters; ``values`` are the typed query parameters."""
        return "1", []

    def fetch_list(
        self,
        call: Call,
        values: dict[str, Any],
        fetch: Callable[[], tuple[int, list[Stored]]],
    ) -> tuple[int, list[Stored]]:
        """Around the database query of a list page (``fetch``)."""
        return fetch()

    # representation ------------------------------------------------------------------------

    def represent(self, call: Call, stored: Stored) -> dict:
        """The JSON of a resource in a response."""
        return {"url": call.url_of(stored.uuid), **stored.data}

    def weergave(self, data: dict) -> str:
        """``resourceWeergave`` of an audittrail entry."""
        return ""

    def hoofd_object(self, call: Call, stored: Stored) -> str:
        """``hoofdObject`` of audittrail entries and notifications (default: the resource)."""
        return call.url_of(stored.uuid)

    def kenmerken(self, data: dict) -> dict[str, str]:
        """``kenmerken`` of a notification on the API's kanaal."""
        return {}


#: a handler of an operation the generic resources do not cover (``maak-klantcontact``)
Handler = Callable[["Call"], Awaitable["Response"]]


@dataclass(frozen=True)
class Resource:
    """One resource of an API: a collection path of the document (``/klanten``) with its item
    path (``/klanten/{uuid}``) and, if the document has them, the audittrail sub-resources
    (``/klanten/{klant_uuid}/audittrail[/{uuid}]``). The operations the document declares on
    these paths are served generically; ``rules`` adds the resource's own rules."""

    name: str
    path: str
    table: str
    rules: ResourceRules = field(default_factory=ResourceRules)
    columns: tuple[str, ...] = ()
    unique: tuple[Unique, ...] = ()
    #: indexed lists of values (from ``rules.columns``), for :func:`storage.key_condition`
    keys: tuple[str, ...] = ()
    filters: Mapping[str, Filter] = field(default_factory=dict)
    #: ordering value (``registratiedatum``) -> dotted data path, where it is not the same
    ordering: Mapping[str, str] = field(default_factory=dict)
    #: query parameters of the list that are not filters
    not_filters: frozenset[str] = frozenset({"page", "pageSize", "ordering", "expand"})
    notify: bool = True


@dataclass(frozen=True)
class ApiDefinition:
    """One API: where it lives, its document, how it authenticates, what it publishes on."""

    name: str
    title: str
    base_path: str
    version: str
    spec_path: Path
    resources: tuple[Resource, ...]
    #: ``jwt`` (ZGW JWT, HS256, with scopes from ``[[clients]]``) or ``token``
    #: (``Authorization: Token <key>``, keys from ``[[tokens]]``)
    auth: str = JWT
    #: for ``token``: answer a missing or unknown key with 401 and this ``WWW-Authenticate``
    #: challenge (None: 403, as the ZGW implementations do)
    challenge: str | None = None
    scopes: frozenset[str] = frozenset()
    kanaal: str | None = None
    #: ``bron`` of its audittrail entries
    audit_bron: str = ""
    #: operationId -> handler, for operations the generic resources do not serve
    operations: Mapping[str, Handler] = field(default_factory=dict)
    #: a line for ``serve --help``: what the API is
    summary: str = ""
