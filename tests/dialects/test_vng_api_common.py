"""Products built on vng-api-common (Open Klant 1.x, the standard's own reference
implementations): behaviour the Contactmomenten suites must accept.

Each dialect is what such a product does where the standard leaves room, as read in their
source (see the ok1 audit report); through the proxy the suites still pass the rules
involved, instead of being blocked or failed on their own test data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml

from klanten_conformance import apis
from tests.dialects.conftest import Reference, run_zgw, verdict
from tests.dialects.proxy import Answer, DialectProxy, Request

pytestmark = pytest.mark.slow

CONTACTMOMENTEN = "/contactmomenten/api/v1/contactmomenten"
OBJECTCONTACTMOMENTEN = "/contactmomenten/api/v1/objectcontactmomenten"
#: the properties the Zaak schema of the Zaken API 1.x requires
ZAAK_REQUIRED = ("bronorganisatie", "zaaktype", "verantwoordelijkeOrganisatie", "startdatum")


def _refused(name: str, code: str) -> Answer:
    return Answer.problem(400, "invalid", [{"name": name, "code": code}])


def needs_a_medewerker(request: Request) -> Answer | None:
    """A new contactmoment naming no medewerker (no URL, no identificatie) is refused."""
    if request.method != "POST" or request.path != CONTACTMOMENTEN:
        return None
    body = request.json()
    named = isinstance(body, dict) and (
        body.get("medewerker") or body.get("medewerkerIdentificatie")
    )
    return None if named else _refused("nonFieldErrors", "invalid-medewerker")


def test_a_product_requiring_a_medewerker_passes(reference: Reference, tmp_path: Path) -> None:
    """A product refusing a contactmoment without a medewerker (the standard's reference
    implementation does) passes cm-002 and CM-AUDIT-01: the suite's contactmomenten name
    one."""
    with DialectProxy(reference.root, intercept=needs_a_medewerker) as proxy:
        output = run_zgw(reference, proxy.url, "--rule", "cm-002,CM-AUDIT-01", cwd=tmp_path)
        posted = [r for r in proxy.seen if r.method == "POST" and r.path == CONTACTMOMENTEN]
    assert posted, output[-3000:]
    assert verdict(output, "cm-002") == "pass", output[-6000:]
    assert verdict(output, "CM-AUDIT-01") == "pass", output[-6000:]


class ChecksTheZaak:
    """An objectcontactmoment is refused unless its object answers 200 with what the Zaak
    schema of the Zaken API requires (vng-api-common's ResourceValidator)."""

    def __init__(self) -> None:
        self.proxy: DialectProxy | None = None
        self.checked = 0

    def __call__(self, request: Request) -> Answer | None:
        if request.method != "POST" or request.path != OBJECTCONTACTMOMENTEN:
            return None
        body = request.json()
        zaak = body.get("object") if isinstance(body, dict) else None
        if not isinstance(zaak, str) or self.proxy is None:
            return None
        self.checked += 1
        status, found = self.proxy.fetch_json(zaak)
        if status != 200:
            return _refused("object", "bad-url")
        if not isinstance(found, dict) or any(p not in found for p in ZAAK_REQUIRED):
            return _refused("object", "invalid-resource")
        return None


def test_a_product_checking_the_shape_of_the_zaak_passes(
    reference: Reference, tmp_path: Path
) -> None:
    """A product that checks that the object looks like a zaak before it asks the object's
    API for the relation accepts the harness's stub zaken: cm-005 and cm-006 pass."""
    dialect = ChecksTheZaak()
    with DialectProxy(reference.root, intercept=dialect) as proxy:
        dialect.proxy = proxy
        output = run_zgw(reference, proxy.url, "--rule", "cm-005,cm-006", cwd=tmp_path)
    assert dialect.checked, output[-3000:]
    assert verdict(output, "cm-005") == "pass", output[-6000:]
    assert verdict(output, "cm-006") == "pass", output[-6000:]


class KeepsMirrorsOfLiveRelations:
    """An objectcontactmoment cannot be deleted while the object's API still holds the
    relation it mirrors (``remote-relation-exists``): the Zaken API removes its own relation
    first and then asks for the mirror to be deleted."""

    def __init__(self) -> None:
        self.proxy: DialectProxy | None = None
        self.deletes = 0
        self.refused = 0

    def __call__(self, request: Request) -> Answer | None:
        path = request.path
        if request.method != "DELETE" or not path.startswith(OBJECTCONTACTMOMENTEN + "/"):
            return None
        assert self.proxy is not None
        self.deletes += 1
        read = self.proxy.forward(Request("GET", request.target, request.headers))
        if read.status != 200:
            return None
        mirror = json.loads(read.body)
        zaak, moment = mirror.get("object", ""), mirror.get("contactmoment", "")
        relations = zaak.split("/zaken/api/v1/", 1)[0] + "/zaken/api/v1/zaakcontactmomenten"
        query = urlencode({"zaak": zaak, "contactmoment": moment})
        status, found = self.proxy.fetch_json(f"{relations}?{query}")
        if status == 200 and found:
            self.refused += 1
            return _refused("nonFieldErrors", "remote-relation-exists")
        return None


def test_a_product_keeping_mirrors_of_live_relations_passes(
    reference: Reference, tmp_path: Path
) -> None:
    """The suite releases the relation at the stub object API before it deletes an
    objectcontactmoment, so such a product passes CM-LIFE-01 and no delete is refused."""
    dialect = KeepsMirrorsOfLiveRelations()
    with DialectProxy(reference.root, intercept=dialect) as proxy:
        dialect.proxy = proxy
        output = run_zgw(reference, proxy.url, "--rule", "CM-LIFE-01", cwd=tmp_path)
    assert dialect.deletes, output[-3000:]
    assert verdict(output, "CM-LIFE-01") == "pass", output[-6000:]
    assert dialect.refused == 0, output[-3000:]


def _declared_query_parameters() -> set[str]:
    document = yaml.safe_load(apis.get("contactmomenten").spec.read_text(encoding="utf-8"))
    return {
        parameter["name"]
        for operations in document["paths"].values()
        for operation in operations.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if isinstance(parameter, dict) and parameter.get("in") == "query"
    }


class ChecksQueryParameters:
    """A GET with a query parameter the document does not declare is refused as a whole
    (vng-api-common's CheckQueryParamsMixin: 400, ``nonFieldErrors``
    ``unknown-parameters``)."""

    def __init__(self) -> None:
        self.declared = _declared_query_parameters()
        self.refused = 0

    def __call__(self, request: Request) -> Answer | None:
        names = {name for name, _ in request.query}
        if request.method != "GET" or names <= self.declared:
            return None
        self.refused += 1
        return _refused("nonFieldErrors", "unknown-parameters")


def test_a_product_refusing_unknown_query_parameters_passes(
    reference: Reference, tmp_path: Path
) -> None:
    """Unknown query parameters refused as a whole query pass CM-FILTER-01 (the generated
    class sends one to every list and read)."""
    dialect = ChecksQueryParameters()
    with DialectProxy(reference.root, intercept=dialect) as proxy:
        output = run_zgw(
            reference,
            proxy.url,
            "--rule",
            "CM-FILTER-01",
            "-k",
            "generated_requests",
            cwd=tmp_path,
        )
    assert dialect.refused, output[-3000:]
    assert verdict(output, "CM-FILTER-01") == "pass", output[-6000:]


def empty_trail_of_unknown_parent(request: Request, answer: Answer) -> bool:
    """The audit trail of an unknown contactmoment uuid is an empty list (vng-api-common
    filters the entries on the parent's uuid; the document gives the list no 404)."""
    path = request.path
    parent = path.removesuffix("/audittrail").rsplit("/", 1)[-1]
    if (
        request.method == "GET"
        and path.endswith("/audittrail")
        and answer.status == 404
        and re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", parent)
    ):
        answer.replace_json(200, [])
        return True
    return False


def test_a_product_answering_an_unknown_parents_trail_with_an_empty_list_passes(
    reference: Reference, tmp_path: Path
) -> None:
    """CM-OAS passes when the audit trail of an unknown contactmoment uuid is an empty list
    instead of a 404."""
    with DialectProxy(reference.root, rewrite=empty_trail_of_unknown_parent) as proxy:
        output = run_zgw(
            reference,
            proxy.url,
            "--rule",
            "CM-OAS",
            "-k",
            "audittrail_list",
            cwd=tmp_path,
        )
        trails = [r for r in proxy.seen if r.path.endswith("/audittrail")]
    assert trails, output[-3000:]
    assert proxy.rewritten, output[-3000:]
    assert verdict(output, "CM-OAS") == "pass", output[-6000:]
