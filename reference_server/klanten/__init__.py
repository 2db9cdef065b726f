"""The Klanten API 1.0 (``/klanten/api/v1``): the generic core serving ``klant`` and its
audittrail, with the rules of :mod:`reference_server.klanten.klant` on top."""
