"""The Klantinteracties API 0.9: its registry entry, valid bodies of every resource, the client.

Authentication is a static API key (``Authorization: Token <key>``, made in one place:
harness.targets.authorization); there are no scopes.

Test data adapts to the target: a partij with identifying data is made the way the target
accepts (:meth:`KlantinteractiesClient.partij`): its identificatoren nested in the create of
the partij, or created first on their own (without partij) and attached by ``uuid`` in the
create of the partij. Giving an existing partij without identificatoren one later is what
KI-KLOK01-Z2 forbids, so no route of the harness does that. The first route the target
accepts is used, and the evidence says which one and why the other was not. Only checks
*about* one route insist on it.

References between resources are ``{"uuid": ...}`` objects; :meth:`KlantinteractiesClient.make`
creates a resource (and what it refers to, when not given) as an arrange step.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid as uuidlib
from collections.abc import Callable
from typing import Any

import requests

from klanten_conformance import checks
from klanten_conformance.apis import SPECS, ApiDefinition, register
from klanten_conformance.apis.adapting import AcceptedMemory, refusal
from klanten_conformance.harness.client import ApiClient
from klanten_conformance.testdata import random_bsn, random_rsin, random_vestigingsnummer

DEFINITION = register(
    ApiDefinition(
        id="klantinteracties",
        title="Klantinteracties API",
        spec=SPECS / "klantinteracties-0.9.yaml",
        base_path="/klantinteracties/api/v1",
        auth="token",
        preflight=("partijen", lambda: {"pageSize": "1"}),
        oas_rules={
            "implemented": "KI-OAS-01",
            "conforms": "KI-OAS-02",
            "problem": "KI-OAS-03",
            "problem-media": "KI-OAS-04",
            "robust": "KI-OAS-05",
            "api-version": "KI-OAS-06",
            "pagination": "KI-OAS-07",
            "published": "KI-OAS-08",
            "filters": "KI-OAS-09",
            "not-found": "KI-OAS-11",
            "stateful": "KI-OAS-11",
        },
        fixture="klantinteracties",
        client="klanten_conformance.apis.klantinteracties:KlantinteractiesClient",
        generated="klanten_conformance.apis.klantinteracties_generated",
        version=r"0\.9(\.\d+)?\S*",
        covering={"create": "KI-OAS-11", "read": "KI-OAS-11", "delete": "KI-OAS-11"},
    )
)

#: resource -> its path under the base URL (the operationId prefix of its operations)
PATHS = {
    "partijen": "partijen",
    "partijIdentificatoren": "partij-identificatoren",
    "vertegenwoordigingen": "vertegenwoordigingen",
    "digitaleadressen": "digitaleadressen",
    "rekeningnummers": "rekeningnummers",
    "categorieen": "categorieen",
    "categorieRelaties": "categorie-relaties",
    "klantcontacten": "klantcontacten",
    "betrokkenen": "betrokkenen",
    "onderwerpobjecten": "onderwerpobjecten",
    "bijlagen": "bijlagen",
    "actorklantcontacten": "actorklantcontacten",
    "internetaken": "internetaken",
    "actoren": "actoren",
}

#: the discriminators of the polymorphic resources (partijen, actoren)
DISCRIMINATORS = ("soortPartij", "soortActor")
#: codeSoortObjectId -> (codeObjecttype, codeRegister, a generator of valid numbers)
SOORTEN: dict[str, tuple[str, str, Callable[[], str]]] = {
    "bsn": ("natuurlijk_persoon", "brp", random_bsn),
    "rsin": ("niet_natuurlijk_persoon", "hr", random_rsin),
    "kvk_nummer": ("niet_natuurlijk_persoon", "hr", lambda: random_kvk_nummer()),
    "vestigingsnummer": ("vestiging", "hr", random_vestigingsnummer),
}
#: the soortPartij that fits identificators of a codeSoortObjectId
SOORT_PARTIJ = {
    "bsn": "persoon",
    "rsin": "organisatie",
    "kvk_nummer": "organisatie",
    "vestigingsnummer": "organisatie",
}


def random_kvk_nummer() -> str:
    """A random KvK-nummer (8 digits, no leading zero)."""
    return str(1 + secrets.randbelow(9)) + str(secrets.randbelow(10**7)).zfill(7)


def ref(resource: dict | str | None) -> dict | None:
    """The ``{"uuid": ...}`` reference to a resource (its representation, url or uuid)."""
    if resource is None:
        return None
    if isinstance(resource, dict):
        resource = str(resource.get("uuid") or resource.get("url") or "")
    return {"uuid": resource.rstrip("/").rsplit("/", 1)[-1]}


def groep(soort: str, object_id: str | None = None) -> dict[str, str]:
    """A ``partijIdentificator`` group of the kind ``soort`` (a valid number when not given)."""
    objecttype, register_, number = SOORTEN[soort]
    return {
        "codeObjecttype": objecttype,
        "codeSoortObjectId": soort,
        "objectId": number() if object_id is None else object_id,
        "codeRegister": register_,
    }


def same_name(name: str, wanted: str) -> bool:
    """Whether an invalidParams ``name`` names the attribute ``wanted`` (the last part of a
    dotted or camelCase-joined name, compared case-insensitively ignoring ``.`` and ``_``).
    A reference ``{"uuid": ...}`` may be named by its member: ``wasPartij.uuid`` names
    ``wasPartij`` (Open Klant validates the uuid inside the reference object)."""

    def norm(text: str) -> str:
        return text.replace(".", "").replace("_", "").lower()

    member = re.sub(r"\.(uuid|url)$", "", name, flags=re.IGNORECASE)
    return any(norm(n).endswith(norm(wanted)) for n in (name, member))


def as_value(value: Any) -> str:
    """A value as the text it stands for (``False`` and ``"false"`` alike): checks that compare
    what was stored leave the JSON type to the rule about response schemas (KI-OAS-02)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def contactnaam(achternaam: str = "Visser") -> dict[str, str]:
    return {
        "voorletters": "S",
        "voornaam": "Sanne",
        "voorvoegselAchternaam": "",
        "achternaam": achternaam,
    }


def adres(regel: str | None = None) -> dict[str, Any]:
    return {
        "straatnaam": "Teststraat",
        "huisnummer": secrets.randbelow(900) + 1,
        "postcode": "1234 AB",
        "stad": "Teststad",
        "adresregel1": regel or f"Teststraat {secrets.randbelow(900) + 1}",
        "adresregel2": "1234 AB Teststad",
        "adresregel3": "",
        "land": "NL",
    }


class Bodies:
    """Valid request bodies of every resource of 0.9.0 (references as ``{"uuid": ...}``)."""

    @staticmethod
    def partijen(soort: str = "persoon", identificatoren: list | None = None, **fields: Any):
        identificatie: dict[str, Any]
        if soort == "organisatie":
            identificatie = {"naam": f"Testorganisatie {secrets.token_hex(3)}"}
        elif soort == "contactpersoon":
            identificatie = {"contactnaam": contactnaam(), "werkteVoorPartij": None}
        else:
            identificatie = {"contactnaam": contactnaam()}
        body: dict[str, Any] = {
            "soortPartij": soort,
            "correspondentieadres": adres(),
            "indicatieActief": True,
            "indicatieGeheimhouding": False,
            "voorkeurstaal": "nld",
            "interneNotitie": "klanten-conformance",
            "partijIdentificatie": identificatie,
        }
        if identificatoren is not None:
            body["partijIdentificatoren"] = identificatoren
        body.update(fields)
        return body

    @staticmethod
    def partijIdentificatoren(soort: str = "bsn", **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "identificeerdePartij": None,
            "anderePartijIdentificator": "",
            "partijIdentificator": groep(soort),
            "subIdentificatorVan": None,
        }
        body.update(fields)
        return body

    @staticmethod
    def betrokkenen(klantcontact: dict, partij: dict | None = None) -> dict[str, Any]:
        """A klant's part in ``klantcontact`` (a reference); without ``partij`` the betrokkene
        is a zelfstandige klant that carries its own contact data."""
        return {
            "hadKlantcontact": klantcontact,
            "wasPartij": partij,
            "bezoekadres": None,
            "correspondentieadres": adres(),
            "contactnaam": contactnaam(),
            "rol": "klant",
            "organisatienaam": "",
            "initiator": True,
        }

    @staticmethod
    def klantcontacten(**fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kanaal": "telefoon",
            "onderwerp": f"vraag over afval {secrets.token_hex(3)}",
            "inhoud": "De klant vraagt wanneer de container geleegd wordt.",
            "indicatieContactGelukt": True,
            "taal": "nld",
            "vertrouwelijk": False,
            "plaatsgevondenOp": now(),
        }
        body.update(fields)
        return body

    @staticmethod
    def actoren(**fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "naam": f"Medewerker {secrets.token_hex(3)}",
            "soortActor": "medewerker",
            "indicatieActief": True,
            "actoridentificator": {
                "objectId": secrets.token_hex(4),
                "codeObjecttype": "mdw",
                "codeRegister": "msdyn",
                "codeSoortObjectId": "mdw",
            },
            "actorIdentificatie": {
                "functie": "klantcontactmedewerker",
                "emailadres": "kcc@example.org",
                "telefoonnummer": "0201234567",
            },
        }
        body.update(fields)
        return body

    @staticmethod
    def categorieen(**fields: Any) -> dict[str, Any]:
        return {"naam": f"categorie {secrets.token_hex(3)}", **fields}


def email() -> str:
    return f"klant-{secrets.token_hex(5)}@example.org"


def referentie() -> str:
    """A ``referentie`` of a digitaal adres used once: an implementation may hold the
    referentie unique per partij and soort (Open Klant does), which no check is about."""
    return f"portaal-{secrets.token_hex(4)}"


_MEMORY = AcceptedMemory()
#: per target: whether it registers a partij without identificatoren ("zelfstandig")
_KINDS = AcceptedMemory()
#: the routes of giving a new partij its identificatoren, in order of preference
ROUTES = {
    "nested": "identificatoren nested in the create of the partij",
    "attached": "identificatoren created on their own, then attached by uuid in the partij's "
    "create",
}


class KlantinteractiesClient(ApiClient):
    """What a suite test uses to talk to the Klantinteracties API of the target."""

    bodies = Bodies

    # plain requests --------------------------------------------------------------------------

    def url_of(self, resource: str, uuid: str | None = None) -> str:
        path = PATHS.get(resource, resource)
        return f"{path}/{uuid}" if uuid else path

    def list(self, resource: str, **params: Any) -> requests.Response:
        return self.get(self.url_of(resource), params=params)

    def create(self, resource: str, body: Any, **kwargs: Any) -> requests.Response:
        return self.post(self.url_of(resource), body, **kwargs)

    def change(self, made: dict[str, Any], changes: dict[str, Any], **kwargs: Any):
        """PATCH ``changes`` to a resource the check made; a partij or actor names its soort
        (the discriminator selects the document's alternative, deviation D6)."""
        body = {name: made[name] for name in DISCRIMINATORS if name in made}
        return self.patch(self.key(made["url"]), {**body, **changes}, **kwargs)

    # arranging -------------------------------------------------------------------------------

    def expect(
        self, what: str, response: requests.Response, *statuses: int, covering: str = ""
    ) -> Any:
        """An arrange step's response: blocks the check (see ``covering``, by default
        KI-OAS-11) when not ``statuses``."""
        rule = covering or DEFINITION.covering["create"]
        with self.arranging(what, rule):
            return checks.expect_status(rule, response, *statuses)

    def make(
        self,
        resource: str,
        body: dict | None = None,
        *,
        what: str = "",
        covering: str = "",
        **fields: Any,
    ) -> Any:
        """Create a resource as the check's precondition (dependencies made when not given);
        returns its representation. Blocks the check when the target refuses it."""
        if body is None:
            body = self.body(resource, **fields)
        response = self.create(resource, body)
        what = what or f"creating {PATHS.get(resource, resource)}"
        return self.expect(what, response, 201, covering=covering)

    def read(self, url: str, *, what: str = "reading the resource back", **params: Any) -> Any:
        response = self.get(url, params=params or None)
        return self.expect(what, response, 200)

    def body(self, resource: str, **fields: Any) -> dict[str, Any]:
        """A valid body of ``resource``; resources it must refer to are created first."""
        if resource == "partijen":
            if self.zelfstandig_accepted():
                return Bodies.partijen(**fields)
            soort = "kvk_nummer" if fields.get("soort") == "organisatie" else "bsn"
            route = self.route()
            return Bodies.partijen(
                identificatoren=self.identificator_items(route, (soort,)), **fields
            )
        if resource == "partijIdentificatoren":
            return Bodies.partijIdentificatoren(**fields)
        if resource == "klantcontacten":
            return Bodies.klantcontacten(**fields)
        if resource == "actoren":
            return Bodies.actoren(**fields)
        if resource == "categorieen":
            return Bodies.categorieen(**fields)
        builders: dict[str, Callable[[], dict[str, Any]]] = {
            "betrokkenen": lambda: Bodies.betrokkenen(ref(self.make("klantcontacten"))),
            "onderwerpobjecten": lambda: {
                "klantcontact": ref(self.make("klantcontacten")),
                "wasKlantcontact": None,
                "onderwerpobjectidentificator": {
                    "objectId": str(uuidlib.uuid4()),
                    "codeObjecttype": "zaak",
                    "codeRegister": "openzaak",
                    "codeSoortObjectId": "uuid",
                },
            },
            "bijlagen": lambda: {
                "wasBijlageVanKlantcontact": ref(self.make("klantcontacten")),
                "bijlageidentificator": {
                    "objectId": str(uuidlib.uuid4()),
                    "codeObjecttype": "document",
                    "codeRegister": "drc",
                    "codeSoortObjectId": "uuid",
                },
            },
            "digitaleadressen": lambda: {
                "verstrektDoorBetrokkene": None,
                "verstrektDoorPartij": ref(self.partij(purpose="a partij to refer to")),
                "adres": email(),
                "soortDigitaalAdres": "email",
                "isStandaardAdres": False,
                "omschrijving": "e-mail",
                "referentie": referentie(),
            },
            "rekeningnummers": lambda: {
                "partij": ref(self.partij(purpose="a partij to refer to")),
                "iban": "NL91ABNA0417164300",
                "bic": "ABNANL2A",
            },
            "vertegenwoordigingen": lambda: {
                "vertegenwoordigendePartij": ref(self.partij(purpose="a partij to refer to")),
                "vertegenwoordigdePartij": ref(self.partij(purpose="a partij to refer to")),
            },
            "categorieRelaties": lambda: {
                "partij": ref(self.partij(purpose="a partij to refer to")),
                "categorie": ref(self.make("categorieen")),
                "beginDatum": dt.date.today().isoformat(),
                "eindDatum": None,
            },
            "actorklantcontacten": lambda: {
                "actor": ref(self.make("actoren")),
                "klantcontact": ref(self.make("klantcontacten")),
            },
            "internetaken": lambda: {
                "gevraagdeHandeling": "bel de klant terug",
                "aanleidinggevendKlantcontact": ref(self.make("klantcontacten")),
                "toegewezenAanActor": ref(self.make("actoren")),
                "toelichting": "",
                "status": "te_verwerken",
            },
        }
        body = builders[resource]()
        body.update(fields)
        return body

    # partijen with identifying data ------------------------------------------------------------

    def identificator_items(self, route: str, soorten: tuple[str, ...]) -> list[dict[str, Any]]:
        """The ``partijIdentificatoren`` of a new partij holding ``soorten`` by ``route``
        (``nested``: the groups; ``attached``: identificatoren created first, by uuid)."""
        items: list[dict[str, Any]] = []
        for soort in soorten:
            item = Bodies.partijIdentificatoren(soort)
            item.pop("identificeerdePartij")
            if route == "attached":
                made = self.make(
                    "partijIdentificatoren",
                    {**item, "identificeerdePartij": None},
                    what="creating an identificator without partij",
                )
                item = {"uuid": made["uuid"], **item}
            items.append(item)
        return items

    def partij_via(
        self, route: str, soorten: tuple[str, ...], **fields: Any
    ) -> tuple[requests.Response, dict[str, Any]]:
        """POST a partij holding identificatoren of ``soorten`` by ``route`` (see ROUTES);
        returns the response and the body sent."""
        fields.setdefault("soort", SOORT_PARTIJ[soorten[0]] if soorten else "persoon")
        items = self.identificator_items(route, soorten)
        body = Bodies.partijen(identificatoren=items, **fields)
        return self.create("partijen", body), body

    def route(self) -> str:
        """The route of identificatoren the target accepted (``nested`` until known)."""
        with _MEMORY.lock:
            return _MEMORY.accepted.get(self.target.url, "nested")

    def zelfstandig_accepted(self) -> bool:
        """Whether the target registers a partij without identificatoren (learnt once per
        target, by making one)."""
        with _KINDS.lock:
            known = self.target.url in _KINDS.accepted or self.target.url in _KINDS.refused
        if not known:
            self.partij(purpose="a partij to learn whether the target takes a zelfstandige")
        with _KINDS.lock:
            return self.target.url in _KINDS.accepted

    def _any_partij(self, purpose: str, **fields: Any) -> dict[str, Any]:
        """A partij of the kind the target accepts: without identificatoren (zelfstandig)
        first, otherwise one with a bsn (a kvk_nummer for an organisatie)."""
        target = self.target.url
        with _KINDS.lock:
            refused = _KINDS.refused.get(target, {}).get("zelfstandig")
        if refused is None:
            with self.http.arranging():
                response = self.create("partijen", Bodies.partijen(**fields))
            if response.status_code == 201:
                with _KINDS.lock:
                    _KINDS.accepted[target] = "zelfstandig"
                return checks.body_of(response)
            refused = refusal(response)
            with _KINDS.lock:
                _KINDS.refused.setdefault(target, {})["zelfstandig"] = refused
        soort = "kvk_nummer" if fields.get("soort") == "organisatie" else "bsn"
        self.note(
            f"test data: a partij with a {soort}; not used: a partij without "
            f"identificatoren: {refused}"
        )
        return self.partij(soort, purpose=purpose, **fields)

    def add_vestiging(self, partij: dict[str, Any], **fields: Any) -> dict[str, Any]:
        """A vestigingsnummer for a partij holding a kvk_nummer, scoped under it (POST
        /partij-identificatoren: the partij already holds an identificator)."""
        kvk = next(
            i
            for i in self.identificatoren_of(partij)
            if i["partijIdentificator"]["codeSoortObjectId"] == "kvk_nummer"
        )
        body = Bodies.partijIdentificatoren(
            "vestigingsnummer", identificeerdePartij=ref(partij), subIdentificatorVan=ref(kvk)
        )
        body.update(fields)
        return self.make("partijIdentificatoren", body, what="creating a vestigingsnummer")

    def partij(
        self,
        *soorten: str,
        purpose: str = "a partij for the check",
        **fields: Any,
    ) -> dict[str, Any]:
        """A partij holding identificatoren of ``soorten`` (none: a partij of the kind the
        target accepts, zelfstandig first), made by the first route the target accepts;
        blocks the check when every route is refused.
        The representation has the identificatoren's numbers under ``_sent``."""
        if not soorten:
            return self._any_partij(purpose, **fields)
        if "vestigingsnummer" in soorten:
            # a vestiging: an organisatie with a kvk_nummer, the vestigingsnummer scoped under it
            rest = tuple(s for s in soorten if s not in ("vestigingsnummer", "kvk_nummer"))
            data = self.partij("kvk_nummer", *rest, purpose=purpose, **fields)
            data["_vestiging"] = self.add_vestiging(data)
            return data
        target = self.target.url
        with _MEMORY.lock:
            accepted = _MEMORY.accepted.get(target)
            refused = dict(_MEMORY.refused.get(target, {}))
        order = sorted(ROUTES, key=lambda r: (r != accepted, r in refused))
        for route in order:
            with self.http.arranging():
                try:
                    response, body = self.partij_via(route, soorten, **fields)
                except checks.Blocked as exc:
                    refused[route] = exc.received
                    continue
            if response.status_code == 201:
                with _MEMORY.lock:
                    _MEMORY.accepted[target] = route
                if route != "nested" or refused:
                    why = "; ".join(f"{ROUTES[r]}: {refused[r]}" for r in refused if r != route)
                    self.note(f"test data: {ROUTES[route]}" + (f"; not used: {why}" if why else ""))
                data = checks.body_of(response)
                data["_sent"] = body.get("partijIdentificatoren")
                return data
            refused[route] = refusal(response)
            with _MEMORY.lock:
                _MEMORY.refused.setdefault(target, {})[route] = refused[route]
        received = "; ".join(f"{ROUTES[r]}: {refused[r]}" for r in ROUTES)
        raise checks.Blocked(
            f"creating {purpose} ({', '.join(soorten)})",
            received,
            ["KI-KLOK01-01"],
            self.http.render(last=4),
        )

    def identificatoren_of(self, partij: dict[str, Any]) -> list[dict[str, Any]]:
        """The identificatoren of a partij, read from the target (an arrange step)."""
        data = self.read(self.key(partij["url"]), what="reading the partij's identificatoren")
        found = []
        for item in data.get("partijIdentificatoren") or []:
            if isinstance(item, dict) and "partijIdentificator" in item:
                found.append(item)
            elif isinstance(item, dict) and item.get("uuid"):
                found.append(self.read(self.url_of("partijIdentificatoren", item["uuid"])))
        return found

    def maak_klantcontact(self, body: dict[str, Any], **kwargs: Any) -> requests.Response:
        """POST /maak-klantcontact; the parts it created go to the cleanup registry."""
        response = self.post("maak-klantcontact", body, **kwargs)
        self.register_parts(response)
        return response

    def register_parts(self, response: requests.Response) -> None:
        """Remember the klantcontact, betrokkene and onderwerpobject of a maak-klantcontact."""
        data = checks.body_of(response) if response.status_code == 201 else None
        for part in ("klantcontact", "betrokkene", "onderwerpobject"):
            made = data.get(part) if isinstance(data, dict) else None
            if isinstance(made, dict) and made.get("url"):
                self.created[self.key(made["url"])] = None

    def count(self, resource: str, *, what: str = "counting", **params: Any) -> int:
        """``count`` of a filtered list (an arrange step)."""
        page = self.expect(what, self.list(resource, **params), 200)
        return int(page.get("count", len(page.get("results", [])))) if isinstance(page, dict) else 0


def uuid_of(resource: dict | str) -> str:
    return str(ref(resource)["uuid"])  # type: ignore[index]


def invalid_param_named(
    rule: str,
    response: requests.Response,
    name: str | None,
    code: str | None = None,
    what: str = "",
) -> dict:
    """A 400 whose invalidParams has an entry naming ``name`` (:func:`same_name`) and, when
    given, with ``code``; the rule's failure otherwise."""
    return checks.expect_invalid_param(rule, response, name, code, what, same=same_name)
