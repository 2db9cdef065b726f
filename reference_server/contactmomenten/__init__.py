"""The Contactmomenten API 1.0 (``/contactmomenten/api/v1``): the generic core serving
``contactmoment`` (with its audittrail), ``klantcontactmoment`` and ``objectcontactmoment``,
with the rules of :mod:`.contactmoment` (cm-001, cm-002, cm-003) and :mod:`.relations`
(cm-004, cm-005, cm-006) on top."""
