"""The fault switches of the Klantinteracties API.

Clean faults are named after the rule of RULES-klantinteracties.md they break (``RULE`` or
``RULE/variant`` where the rule covers more than one behaviour); each turns off one behaviour
and nothing of another API. KI-KLOK01-A1/A2 have none: the reference server offers no
end-user authentication carrier (see the package docstring). Real-world faults are shaped like
defects of real products.
"""

from __future__ import annotations

from reference_server.core.faults import REAL_WORLD, Fault, clean

API = "klantinteracties"


def _clean(name: str, description: str, core: str | None = None) -> Fault:
    return clean(name, description, API, core)


def _real(name: str, rule: str, description: str, core: str | None = None) -> Fault:
    return Fault(name, rule, description, API, REAL_WORLD, core)


FAULTS: tuple[Fault, ...] = (
    # ki-oas -------------------------------------------------------------------------------
    _clean("KI-OAS-01", "PATCH /categorieen/{uuid} is not implemented: it answers 405"),
    _clean("KI-OAS-02", "a klantcontact's vertrouwelijk is returned as a string"),
    _clean(
        "KI-OAS-03",
        "401/403/404 problem bodies lack the required 'code' and 'instance' members",
        "problem-shape",
    ),
    _clean("KI-OAS-04", "problem responses are sent as application/json", "problem-media-type"),
    _clean(
        "KI-OAS-05",
        "request bodies are only checked for required fields: wrong types, formats, lengths "
        "and enums are stored",
        "request-schema",
    ),
    _clean("KI-OAS-06", "responses carry no API-version header", "api-version-header"),
    _clean("KI-OAS-07", "list responses never link to the next page", "pagination-next"),
    _clean(
        "KI-OAS-08",
        "the published OpenAPI document declares an extra property and operation",
        "published-extension",
    ),
    _clean("KI-OAS-09", "the kanaal filter of klantcontactenList is ignored"),
    _clean("KI-OAS-10", "a dotted expand value expands only its first step"),
    _clean("KI-OAS-11", "DELETE of a categorie answers 204 but keeps it"),
    _clean(
        "KI-OAS-11/read-after-delete",
        "a deleted resource is still read: GET answers its last representation (a soft delete)",
        "read-after-delete",
    ),
    _clean(
        "KI-OAS-12",
        "PUT keeps the fields it was not sent, like PATCH, so it needs no required field",
        "put-replaces",
    ),
    # ki-gedrag ----------------------------------------------------------------------------
    _clean("KI-GED-01", "codeRegister and codeObjecttype may be combined freely"),
    _clean("KI-GED-02", "codeObjecttype and codeSoortObjectId may be combined freely"),
    _clean("KI-GED-03", "objectId is not checked against its codeSoortObjectId"),
    _clean("KI-GED-04", "a partijIdentificator group without objectId is the only one refused"),
    _clean("KI-GED-05", "an unscoped identificator may be registered twice"),
    _clean("KI-GED-06", "a partij may hold two identificators of one codeSoortObjectId"),
    _clean("KI-GED-07", "a vestigingsnummer is accepted without (or under another) parent"),
    _clean("KI-GED-08", "a scoped identificator may be registered twice under one parent"),
    _clean("KI-GED-09", "an identificator with identificators scoped under it can be deleted"),
    _clean("KI-GED-09/self", "an identificator may be its own subIdentificatorVan"),
    _clean("KI-GED-09/soort", "a parent identificator may change its codeSoortObjectId"),
    _clean("KI-GED-09/drop", "a parent identificator may be dropped from its partij by PUT/PATCH"),
    _clean(
        "KI-GED-10",
        "a partij is deleted although an identificator of another partij is scoped under one "
        "of its own (the child is left with a dangling parent)",
    ),
    _clean("KI-GED-11", "nested partijIdentificatoren may list one uuid twice"),
    _clean(
        "KI-GED-12",
        "identificeerdePartij inside nested partijIdentificatoren attaches the identificator "
        "to that other partij",
    ),
    _clean("KI-GED-13", "a volledigeNaam sent for a betrokkene is stored and shown"),
    _clean("KI-GED-14", "a generated nummer starts with the letter N"),
    _clean("KI-GED-14/unique", "a nummer already in use is accepted again"),
    _clean("KI-GED-15", "the voorkeursDigitaalAdres and -Rekeningnummer may be anyone's"),
    _clean(
        "KI-GED-16",
        "deleting the voorkeur adres or rekeningnummer leaves the partij pointing at it",
    ),
    _clean("KI-GED-17", "werkteVoorPartij of a contactpersoon is not checked"),
    _clean(
        "KI-GED-18",
        "the partij and betrokkene references of digitale adressen and rekeningnummers are "
        "not checked",
    ),
    _clean("KI-GED-18/self", "a partij may represent itself"),
    _clean("KI-GED-18/unique", "a vertegenwoordiging may be registered twice"),
    # ki-klok01 ----------------------------------------------------------------------------
    _clean(
        "KI-KLOK01-01",
        "a vestigingsnummer identificator is read back without its subIdentificatorVan",
    ),
    _clean(
        "KI-KLOK01-02",
        "a partij registered with a BSN loses its correspondentieadres (as if looked up)",
    ),
    _clean(
        "KI-KLOK01-C1",
        "a scoped BSN is not counted: a second partij can hold BSN X under a subIdentificatorVan",
    ),
    _clean(
        "KI-KLOK01-C1/update",
        "a BSN is counted on create only: a PUT or PATCH that gives a partij BSN X under a "
        "subIdentificatorVan is not checked",
    ),
    _clean(
        "KI-KLOK01-C1b",
        "the partijIdentificator__* filters of partijenList match on different identificators",
    ),
    _clean("KI-KLOK01-C2", "an organisatie may have only one contactpersoon"),
    _clean(
        "KI-KLOK01-C2/one",
        "a new contactpersoon of an organisatie takes the place of the earlier one: their "
        "werkteVoorPartij becomes null",
    ),
    _clean("KI-KLOK01-C3", "a partij may hold a BSN and an RSIN/KvK/vestigingsnummer together"),
    _clean("KI-KLOK01-C3b", "identificators need not fit the soortPartij"),
    _clean(
        "KI-KLOK01-Q1",
        "a contactpersoon named like a persoon partij is refused as the same klant",
    ),
    _clean(
        "KI-KLOK01-Z1",
        "a persoon partij without partijIdentificatoren is only registered with a bezoek- or "
        "correspondentieadres",
    ),
    _clean("KI-KLOK01-Z2", "a zelfstandige partij may be given identificators later"),
    _clean("KI-KLOK01-Z3", "searches on adres and contactnaam also find zelfstandige klanten"),
    _clean(
        "KI-KLOK01-Z3/digitaleadressen",
        "a search of digitaleadressen on adres also finds the adressen of zelfstandige klanten",
    ),
    _clean(
        "KI-KLOK01-Z3/expand",
        "a klantcontact's expand leaves out the betrokkenen without wasPartij",
    ),
    # ki-autorisatie -----------------------------------------------------------------------
    _clean(
        "KI-AUTH-01", "a valid key is accepted with any scheme before it, or none", "token-scheme"
    ),
    _clean(
        "KI-AUTH-02",
        "an Authorization header with non-ASCII bytes crashes: HTTP 500",
        "token-header-crash",
    ),
    _clean(
        "KI-AUTH-01/unprotected",
        "PATCH operations are served without authentication",
        "unauthenticated-patch",
    ),
    _clean(
        "KI-AUTH-02/two-headers",
        "of two Authorization headers the first one is used",
        "authorization-first-header",
    ),
    _clean("KI-AUTH-03", "a valid key may not delete bijlagen (403)"),
    _clean("KI-AUTH-04", "a 401 carries no WWW-Authenticate header", "token-challenge"),
    # ki-contact ---------------------------------------------------------------------------
    _clean("KI-CONTACT-01", "a klantcontact without plaatsgevondenOp is stored without one"),
    _clean("KI-CONTACT-02", "a betrokkene's hadKlantcontact is not checked"),
    _clean("KI-CONTACT-03", "an onderwerpobject's wasKlantcontact is not stored"),
    _clean(
        "KI-CONTACT-04", "an onderwerpobject's klantcontact and wasKlantcontact are not checked"
    ),
    _clean(
        "KI-CONTACT-05",
        "maak-klantcontact stores the klantcontact before it checks the betrokkene and "
        "onderwerpobject",
    ),
    _clean("KI-CONTACT-06", "an e-mail address or phone number is not checked"),
    _clean("KI-CONTACT-07", "isStandaardAdres is accepted on an adres without partij"),
    _clean("KI-CONTACT-07/one", "a partij may have two standaard adressen of one soort"),
    _clean(
        "KI-CONTACT-08",
        "the digitale adressen a betrokkene gave show up in its partij's digitaleAdressen",
    ),
    _clean("KI-CONTACT-09", "deleting a partij deletes the betrokkenen that were that partij"),
    _clean("KI-CONTACT-10", "an actorklantcontact pair may be registered twice"),
    _clean("KI-CONTACT-11", "an interne taak's toegewezenOp is taken from the request"),
    # ki-migratie (they change the seed of reference_server.klantinteracties.migratie) -----
    _clean("KI-MIG-01", "the migration seed leaves out the BSN of one aangehaakte klant's partij"),
    _clean("KI-MIG-02", "the migration seed gives one zelfstandige klant's partij a BSN"),
    # real-world faults: shaped like defects of real products ------------------------------
    _real(
        "CRASH/ki-partij-without-identificatoren",
        "KI-KLOK01-Z1",
        "creating a partij without partijIdentificatoren crashes: HTTP 500 with a plain-text "
        "'Internal Server Error'",
    ),
    _real(
        "HTML/ki-malformed-id",
        "KI-OAS-03",
        "a path id that is not a UUID is answered 404 with a text/html page, not a problem",
        "uuid-path-problem",
    ),
    _real(
        "CRASH/ki-non-object-body",
        "KI-OAS-05",
        "a JSON request body that is not an object (array, string, number, null) gets HTTP 500",
        "object-body",
    ),
    _real("CRASH/ki-expand", "KI-OAS-10", "any expand value gets HTTP 500"),
    _real(
        "LEAK/ki-filter-ignored",
        "KI-OAS-09",
        "the status filter of internetakenList is ignored: every interne taak is listed",
    ),
)
