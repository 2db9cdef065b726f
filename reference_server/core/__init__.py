"""The generic core of the reference server: everything that is the same for every API.

One process serves every API package under its own base path. The core reads each API's
OpenAPI document and serves the operations it declares, generically:

- request validation (query parameters and bodies, with compiled JSON Schema validators of the
  document's schemas, discriminators included) and response validation
  (``[server] validate_responses``);
- SQLite storage, one table per resource, with unique indexes so that uniqueness rules hold
  under concurrent requests;
- lists: ``page`` (and ``pageSize`` where declared), the document's filters (every declared
  query parameter filters on the data path its name spells, ``adres__postcode`` ->
  ``adres.postcode``, exact match, unless the package says otherwise), ``ordering`` where
  declared;
- audittrail sub-resources (where the document has ``<item>/audittrail[/{uuid}]``); ETag and
  304 on the reads whose response declares an ``ETag`` header; HEAD on every GET;
  notifications on the API's kanaal through a transactional outbox;
- problem+json errors in the ZGW shape, 404 for an id that is not a UUID, 405, 406, 413, 415;
  the ``API-version`` header of each API; its document at ``<base>/schema/openapi.yaml|json``;
- authentication per API: ZGW JWT with the scopes of each operation (``x-scopes`` or the
  lists in ``security``), or ``Authorization: Token <key>``;
- fault switches: a core behaviour is named by a core switch (:data:`faults.CORE_SWITCHES`);
  an API's fault that turns one off names it in ``Fault(..., core=...)``.

Adding an API is adding a package ``reference_server/<api>/`` (found by
:mod:`reference_server.apis`; nothing else changes) with two modules:

``faults.py``
    ``FAULTS``: a tuple of :class:`faults.Fault` (``name`` unique across APIs, ``rule``,
    ``description``, ``api`` = the package name, ``kind`` ``clean`` or ``real-world``,
    ``core`` = the core switch it turns, or None when the package's own code checks it with
    ``call.fault(name)``). Kept free of other imports: the configuration reads it.

``api.py``
    ``API``: an :class:`api.ApiDefinition`: ``name`` (the package name), ``title``,
    ``base_path`` (``/contactmomenten/api/v1``), ``version`` (the ``API-version`` header),
    ``spec_path`` (the project's document in ``specs/``), ``resources``, ``auth`` (``jwt`` or
    ``token``), ``challenge`` (token: a failed authentication is 401 with this
    ``WWW-Authenticate``, else 403), ``scopes`` (every scope its operations use; they become
    valid in ``[[clients]]``), ``kanaal`` (None: no notifications), ``audit_bron`` (empty: no
    audittrail entries), ``operations`` (operationId -> handler, for what the generic
    resources do not serve, like ``maak-klantcontact``) and a ``summary`` for ``--help``.
    Every operation of the document must be served, generically or by a handler, or the
    server does not start.

Each :class:`api.Resource` names its collection path in the document (``/klanten``; the
item path ``/klanten/{uuid}`` and the audittrail paths are found from it), its table, the
columns it keeps beside the JSON (for unique indexes, visibility, fast filters),
:class:`api.Unique` indexes (a violation is a 400 ``unique`` on the field named), filters that
differ from the default (:class:`api.Filter`: another data path or a column, a lookup
``gt``/``gte``/``lt``/``lte``/``in``, implied conditions, a value transform, the fault that
switches it off), ordering names that differ from the camelCase data path, whether it
notifies, and its rules. An operation the document does not declare on a path (PATCH of a
klantcontactmoment) is simply not routed: 405.

The rules (:class:`api.ResourceRules`, subclassed by the package) hook in where the generic
operation calls them, in this order:

create / update / partial update
    ``check_access(call, action, old)`` (updates: may the principal change it?) ->
    body read (PATCH: merged onto the stored data) -> schema check ->
    ``schema_errors(call, action, body, params)`` (waive or add invalidParams) ->
    ``normalise(call, body, old)`` (the stored form) ->
    ``await validate(call, action, data, old)`` (business rules, remote URL checks with
    ``await call.api.url_problem(url)``; raise ApiError) -> ``columns(call, data)`` ->
    in one transaction: ``before_write(call, conn, action, new, old)`` (extra uniqueness:
    raise UniqueViolation; changes to other rows, like a ``volgendContactmoment``), the row,
    the audittrail entry (``represent`` before/after, ``weergave``, ``hoofd_object``), the
    notification (``kenmerken``, ``hoofd_object``) -> ``after_write(...)``.
delete
    ``check_access(call, "destroy", old)`` -> the same transaction with ``new=None``.
read, audittrail
    ``check_access(call, "read" | "audit", stored)`` -> ``represent(call, stored)``.
list
    query validated -> ``list_condition(call, values)`` (SQL on the columns: what the
    principal may see) AND the filters -> ``fetch_list(call, values, fetch)`` (around the
    query) -> ``represent`` per row.

``call`` (:class:`call.Call`) gives the request, its ``principal`` (client, user, claims),
the raw ``body`` as sent, the typed query ``values``, ``fault(name)``, ``off(switch)``,
``settings``, ``url_of(uuid, resource)`` (URLs as the client reached the server) and ``api``
(:class:`call.ApiRuntime`: ``store``, ``document``, ``state`` for the package's own per-server
state). A custom handler gets the same ``call`` and uses ``read_body``, the operation's
``body_errors``, the store's ``transaction``/``insert``/``update`` and ``respond``. References
between resources of one API (``{"uuid": ...}`` objects, URLs of our own) are the rules'
business: store what identifies the target, check it in ``validate``, expand it in
``represent`` (also for ``expand`` parameters, read from ``call.values``).
"""
