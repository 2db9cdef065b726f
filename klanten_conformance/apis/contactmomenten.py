"""The Contactmomenten API 1.0: its registry entry, payloads, and the suite's client.

The suite creates three kinds of resource: contactmomenten, klantcontactmomenten (a klant's
part in a contactmoment) and objectcontactmomenten (a contactmoment linked to an object of
another API, such as a zaak). What they refer to outside the API resolves through the
harness:

- a *klant* is a klant of the Klanten target when the run has one (created through the
  Klanten API and deleted afterwards), otherwise a URL of the harness's stub subject registry
  that answers 200; so the suites run alone (``--api contactmomenten``) as well as together
  with the Klanten API;
- a *medewerker* is a URL of the stub medewerker registry (answering 200 or 404 by choice);
- an *object* is a zaak of the stub object API (a Zaken API fragment), which also holds the
  relations between its zaken and contactmomenten that cm-006 asks the object's API about.

Creating what a check needs goes through :meth:`ContactmomentenClient.make`: when the target
refuses it, the check is blocked with the rule that covers creating such a resource.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import requests

from klanten_conformance import checks
from klanten_conformance.apis import SPECS, ApiDefinition, get, operation_scopes, register
from klanten_conformance.harness.client import ApiClient
from klanten_conformance.testdata import random_rsin

if TYPE_CHECKING:
    from klanten_conformance.harness.session import Harness

SPEC = SPECS / "contactmomenten-1.0.yaml"

DEFINITION = register(
    ApiDefinition(
        id="contactmomenten",
        title="Contactmomenten API",
        spec=SPEC,
        base_path="/contactmomenten/api/v1",
        auth="zgw",
        preflight=("contactmomenten", lambda: {"bronorganisatie": random_rsin()}),
        oas_rules={
            "implemented": "CM-OAS",
            "conforms": "CM-OAS",
            "problem": "CM-OAS",
            "problem-media": "CM-OAS-MEDIA",
            "robust": "CM-OAS",
            "api-version": "CM-OAS",
            "pagination": "CM-OAS",
            "published": "CM-OAS",
            "sub-resources": "CM-OAS",
            "not-found": "CM-OAS",
            "stateful": "CM-LIFE-01",
            "filters": "CM-FILTER-01",
        },
        fixture="contactmomenten",
        client="klanten_conformance.apis.contactmomenten:ContactmomentenClient",
        generated="klanten_conformance.apis.contactmomenten_generated",
        version=r"1\.\d+(\.\d+)?\S*",
        kanaal="contactmomenten",
        scopes=operation_scopes(SPEC),
        covering={
            "contactmoment_create": "CM-LIFE-01",
            "contactmoment_read": "CM-LIFE-01",
            "contactmoment_update": "CM-LIFE-02",
            "contactmoment_partial_update": "CM-LIFE-02",
            "contactmoment_delete": "CM-LIFE-01",
            "contactmoment_list": "CM-FILTER-01",
            "klantcontactmoment_create": "CM-LIFE-01",
            "klantcontactmoment_read": "CM-LIFE-01",
            "klantcontactmoment_delete": "CM-LIFE-01",
            "objectcontactmoment_create": "CM-LIFE-01",
            "objectcontactmoment_read": "CM-LIFE-01",
            "objectcontactmoment_delete": "CM-LIFE-01",
            "audittrail_list": "CM-AUDIT-01",
            "audittrail_read": "CM-AUDIT-01",
        },
        uses=("klanten",),
    )
)

#: resource -> the collection it is created in (relative to the API's base URL)
COLLECTIONS = {
    "contactmoment": "contactmomenten",
    "klantcontactmoment": "klantcontactmomenten",
    "objectcontactmoment": "objectcontactmomenten",
}
ROLLEN = ("belanghebbende", "gesprekspartner")
#: the medewerker of the suite's contactmomenten (``medewerkerIdentificatie``)
MEDEWERKER = {"identificatie": "kc-conformance", "achternaam": "Bakker", "voorletters": "J."}


def tag() -> str:
    """A short unique text, to make values of test data unique."""
    return uuid.uuid4().hex[:10]


class ContactmomentenClient(ApiClient):
    """What a suite test uses to talk to the Contactmomenten API of the target."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bronorganisatie = self.context.bronorganisatie
        self._klanten: Any = None
        #: objectcontactmoment url -> (zaak, contactmoment) whose relation the stub holds
        self._mirrored: dict[str, tuple[str, str]] = {}

    # what the harness serves ------------------------------------------------------------------

    @property
    def harness(self) -> Harness:
        from klanten_conformance.harness.plugin import HARNESS

        if self.config is None or HARNESS not in self.config.stash:
            raise checks.Blocked("reaching the harness's stub services", "no harness in this run")
        return self.config.stash[HARNESS]

    def medewerker(self, status: int = 200) -> str:
        """A medewerker URL of the stub medewerker registry that answers ``status``."""
        return self.harness.medewerkers().url_for(status)

    def zaak(self, *, exists: bool = True) -> str:
        """A zaak of the stub object API (answering 200, or 404 when not ``exists``)."""
        return self.harness.objects().zaak(exists=exists)

    def relate(self, zaak: str, contactmoment: str) -> None:
        """Let the object API of ``zaak`` hold its relation to ``contactmoment`` (cm-006)."""
        self.harness.objects().relate(zaak, contactmoment)

    @property
    def klanten_in_run(self) -> bool:
        return "klanten" in self.harness.targets()

    def klant(self) -> str:
        """The URL of a klant that exists: one made in the Klanten target when the run has
        one (blocked, with the Klanten rule that covers it, when it cannot be made), a URL of
        the stub subject registry that answers 200 otherwise."""
        if not self.klanten_in_run:
            return self.harness.stubs()[0].url_for(200)
        if self._klanten is None:
            definition = get("klanten")
            self._klanten = definition.client_class()(
                definition,
                self.harness.target("klanten"),
                self.context,
                node=None,
                config=self.config,
            )
        return self._klanten.klant(purpose="a klant in the Klanten API").url

    def missing_klant(self) -> str:
        """The URL of a klant that does not exist (in the Klanten target when the run has
        one: an unknown uuid there; otherwise a stub URL answering 404)."""
        if not self.klanten_in_run:
            return self.harness.stubs()[0].url_for(404)
        return f"{self.harness.target('klanten').url}/klanten/{uuid.uuid4()}"

    # payloads ---------------------------------------------------------------------------------

    def contactmoment_body(self, **fields: Any) -> dict[str, Any]:
        """A plausible contactmoment of the run's bronorganisatie; ``fields`` override.

        It names the medewerker who handled it by ``medewerkerIdentificatie`` (no URL, so no
        callback): the document makes both medewerker fields optional, but the standard's
        reference implementation and the products built on it refuse a contactmoment
        without either (``invalid-medewerker``), and a check not about the medewerker must
        not depend on that.
        """
        body: dict[str, Any] = {
            "bronorganisatie": self.bronorganisatie,
            "kanaal": "telefoon",
            "tekst": f"Vraag over de afvalpas ({tag()})",
            "voorkeurstaal": "nld",
            "initiatiefnemer": "klant",
            "medewerkerIdentificatie": dict(MEDEWERKER),
        }
        body.update(fields)
        return body

    @staticmethod
    def klantcontactmoment_body(contactmoment: str, klant: str, rol: str = "gesprekspartner"):
        return {"contactmoment": contactmoment, "klant": klant, "rol": rol}

    @staticmethod
    def objectcontactmoment_body(contactmoment: str, zaak: str) -> dict[str, Any]:
        return {"contactmoment": contactmoment, "object": zaak, "objectType": "zaak"}

    # requests ---------------------------------------------------------------------------------

    def create(self, resource: str, body: Any, **kwargs: Any) -> requests.Response:
        """POST ``body`` to the collection of ``resource`` (what is created is cleaned up)."""
        return self.post(COLLECTIONS[resource], body, **kwargs)

    def list(self, resource: str, **params: Any) -> requests.Response:
        return self.get(COLLECTIONS[resource], params=params)

    def register_created(self, response: requests.Response, info: Any = None) -> str | None:
        url = super().register_created(response, info)
        made = checks.body_of(response)
        if url and isinstance(made, dict) and made.get("objectType") is not None:
            zaak, moment = made.get("object"), made.get("contactmoment")
            if isinstance(zaak, str) and isinstance(moment, str):
                self._mirrored[self.key(url)] = (zaak, moment)
        return url

    def release(self, url: str) -> None:
        """Before an objectcontactmoment is deleted, its object's API gives up the relation
        it mirrors: the Zaken API removes its zaakcontactmoment first and then asks this
        API to delete the mirror, and products refuse to delete a mirror whose relation
        still exists (``remote-relation-exists``, as the standard's reference
        implementation does)."""
        pair = self._mirrored.pop(self.key(url), None)
        if pair is not None:
            self.harness.objects().unrelate(*pair)

    def delete(self, url: str, **kwargs: Any) -> requests.Response:
        self.release(url)
        return super().delete(url, **kwargs)

    # test data --------------------------------------------------------------------------------

    def make(self, resource: str, body: Any, *, what: str | None = None) -> dict[str, Any]:
        """Create ``resource`` as the check's precondition; blocks the check (with the rule
        that covers creating it) when the target refuses."""
        covering = DEFINITION.covering[f"{resource}_create"]
        with self.arranging(what or f"creating a {resource}", covering):
            response = self.create(resource, body)
            made = checks.expect_status(covering, response, 201)
            checks.expect_true(
                covering,
                isinstance(made, dict) and bool(made.get("url")),
                "the created resource with its url",
                str(made)[:200],
                response,
            )
        return made

    def contactmoment(self, *, what: str | None = None, **fields: Any) -> dict[str, Any]:
        """A contactmoment the check needs (``fields`` override the plausible ones)."""
        return self.make("contactmoment", self.contactmoment_body(**fields), what=what)

    def klantcontactmoment(
        self, contactmoment: str, klant: str | None = None, rol: str = "gesprekspartner"
    ) -> dict[str, Any]:
        """A klantcontactmoment of ``contactmoment`` (a fresh klant unless given)."""
        body = self.klantcontactmoment_body(contactmoment, klant or self.klant(), rol)
        return self.make("klantcontactmoment", body)

    def objectcontactmoment(self, contactmoment: str, zaak: str | None = None) -> dict[str, Any]:
        """An objectcontactmoment of ``contactmoment`` and a zaak (fresh unless given) whose
        API holds the relation."""
        zaak = zaak or self.zaak()
        self.relate(zaak, contactmoment)
        return self.make("objectcontactmoment", self.objectcontactmoment_body(contactmoment, zaak))

    def read_back(self, url: str, *, what: str = "reading the resource back") -> Any:
        """GET a resource the check needs to compare; blocks the check when it cannot."""
        with self.arranging(what, DEFINITION.covering["contactmoment_read"]):
            response = self.get(url)
            return checks.expect_status(DEFINITION.covering["contactmoment_read"], response, 200)

    def audittrail(self, url: str, *, what: str = "reading the audit trail") -> list[dict]:
        """The audit trail of contactmoment ``url`` (at least one entry); blocks the check
        (see CM-AUDIT-01) when it cannot be read."""
        return self.audit_entries(url, what)

    # teardown ---------------------------------------------------------------------------------

    def cleanup(self) -> list[str]:
        for url in list(self._mirrored):
            self.release(url)
        leftovers = super().cleanup()
        if self._klanten is not None:
            leftovers += self._klanten.cleanup()
            self._klanten = None
        return leftovers
