"""The Klantinteracties API 0.9, the successor of the Klanten and Contactmomenten APIs, on the
generic core (``/klantinteracties/api/v1``, ``Authorization: Token <key>``).

Modules: :mod:`.common` (references between resources, reverse lists, ``expand``, ``nummer``,
SQL filters), :mod:`.partijen` (partijen and partij-identificatoren: ki-gedrag and KLOK01 as
RULES-klantinteracties.md maps it), :mod:`.contacten` (klantcontacten and the rest: ki-contact),
:mod:`.api` (the resources, ``maak-klantcontact``, the cascading delete of an onderwerpobject),
:mod:`.migratie` (the ``ki-migratie`` seed: klanten and the partijen migrated from them) and
:mod:`.faults`.

End-user authentication (KI-KLOK01-A1/A2) is not offered: the Token scheme has no place for an
end user's identity and level, and any header for it would be an extension the document does
not declare (KI-OAS-08). Both rules are SHOULD and need a vendor hook; against this server the
suite skips them.
"""
