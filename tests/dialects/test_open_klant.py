"""The Klantinteracties suite accepts what Open Klant 2.x does where the rules allow it.

Each test puts the reference server behind a proxy speaking one habit of Open Klant
(maykinmedia/open-klant, src/openklant/components/klantinteracties) that the rule under test
allows, runs the rule's checks through it and requires them to pass; it also requires that
the proxy rewrote at least one answer, so the alternative was exercised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from klanten_conformance.generated.checks import names_parameter
from tests.dialects.conftest import KI_BASE, TOKEN, run_ki, verdict
from tests.dialects.proxy import Answer, DialectProxy, Request

pytestmark = pytest.mark.slow

EMPTY_PAGE = {"count": 0, "next": None, "previous": None, "results": []}


def _refused_only_for(answer: Answer, parameters: set[str]) -> bool:
    """A 400 whose invalidParams all name one of ``parameters`` (query parameters)."""
    body = answer.json()
    params = body.get("invalidParams") if isinstance(body, dict) else None
    names = [str(p.get("name")) for p in params or [] if isinstance(p, dict)]
    return (
        answer.status == 400
        and bool(names)
        and all(any(names_parameter(n, p) for p in parameters) for n in names)
    )


def uri_filter_misses(request: Request, answer: Answer) -> bool:
    """Open Klant's URL filters (a Django URLField, then the uuid at the end of the path)
    answer a value that is no URL with an empty page instead of a 400: a list refused only
    for such values is answered so."""
    broken = {k for k, v in request.query if k.endswith("__url") and "://" not in v}
    if request.method == "GET" and broken and _refused_only_for(answer, broken):
        answer.replace_json(200, EMPTY_PAGE)
        return True
    return False


def _run_through(
    reference_server: str,
    dialect: DialectProxy | Callable[[Request, Answer], bool],
    rule: str,
    tmp_path: Path,
    *selection: str,
    shown: str = "",
):
    """Run ``rule`` (``selection``: more options, such as ``-k``) through ``dialect`` (a
    proxy, or the rewrite of one); ``shown``: a request (path and query under the API root)
    first sent through it, which the dialect must rewrite."""
    if not isinstance(dialect, DialectProxy):
        dialect = DialectProxy(reference_server, rewrite=dialect)
    with dialect as proxy:
        if shown:
            response = requests.get(
                proxy.url + KI_BASE + shown,
                headers={"Authorization": f"Token {TOKEN}"},
                timeout=30,
            )
            assert proxy.rewritten, f"the dialect left {shown} as it was: {response.text}"
        result = run_ki(proxy.url + KI_BASE, "--rule", rule, *selection, cwd=tmp_path)
    return result, proxy.rewritten


def test_an_invalid_uri_filter_value_may_match_nothing(reference_server, tmp_path) -> None:
    """KI-OAS-09 holds invalid values of enum, uuid, boolean and date filters to a 400; a uri
    filter given no URL may answer an empty page, as Open Klant does."""
    result, _ = _run_through(
        reference_server,
        uri_filter_misses,
        "KI-OAS-09",
        tmp_path,
        "-k",
        "generated_requests and List",
        shown="/betrokkenen?hadKlantcontact__url=no-scheme/at-all",
    )
    assert verdict(result.stdout, "KI-OAS-09") == "pass", result.stdout[-5000:]


class ReferentieUniquePerPartij:
    """Open Klant holds a digitaal adres's (verstrektDoorPartij, referentie,
    soortDigitaalAdres) unique when a partij and a referentie are given: a second such adres
    is refused with 400 `unique` (DigitaalAdresSerializer.validate)."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str, str]] = set()

    @staticmethod
    def _key(data: object) -> tuple[str, str, str] | None:
        if not isinstance(data, dict):
            return None
        partij = (data.get("verstrektDoorPartij") or {}).get("uuid")
        referentie = data.get("referentie")
        if not partij or not referentie:
            return None
        return (str(partij), str(referentie), str(data.get("soortDigitaalAdres")))

    def intercept(self, request: Request) -> Answer | None:
        if request.method != "POST" or not request.path.endswith("/digitaleadressen"):
            return None
        key = self._key(request.json())
        if key is None or key not in self.seen:
            return None
        params = [
            {
                "name": "nonFieldErrors",
                "code": "unique",
                "reason": "De velden verstrekt_door_partij, referentie, "
                "soort_digitaal_adres moeten een unieke set zijn.",
            }
        ]
        title = "Een of meerdere parameters zijn niet correct."
        return Answer.problem(400, "invalid", params, title=title, api_version="0.9.0")

    def rewrite(self, request: Request, answer: Answer) -> bool:
        if request.method == "POST" and answer.status == 201:
            key = self._key(answer.json())
            if key is not None:
                self.seen.add(key)
        return False


def test_a_digitaal_adres_referentie_may_be_unique_per_partij(reference_server, tmp_path) -> None:
    """KI-CONTACT-07 (two standaard adressen of one partij) and the voorkeur checks of
    KI-GED-15/-16 pass where a referentie is unique per partij and soort, as in Open Klant:
    the suite's test data never repeats a referentie."""
    dialect = ReferentieUniquePerPartij()
    proxy = DialectProxy(reference_server, intercept=dialect.intercept, rewrite=dialect.rewrite)
    result, rewritten = _run_through(
        reference_server, proxy, "KI-CONTACT-07,KI-GED-15,KI-GED-16", tmp_path
    )
    assert dialect.seen, "no digitaal adres with a partij and a referentie was made"
    for rule in ("KI-CONTACT-07", "KI-GED-15", "KI-GED-16"):
        assert verdict(result.stdout, rule) == "pass", (rule, result.stdout[-5000:])
    assert not [r for r in rewritten if "digitaleadressen" in r], rewritten


def reference_member_names(request: Request, answer: Answer) -> bool:
    """Open Klant validates a reference ``{"uuid": ...}`` in the reference object's own
    serializer, so an unknown one is named by its member: ``wasPartij.uuid``."""
    if answer.status != 400:
        return False
    sent = request.json()
    body = answer.json()
    if not isinstance(sent, dict) or not isinstance(body, dict):
        return False
    changed = False
    for param in body.get("invalidParams") or []:
        name = param.get("name") if isinstance(param, dict) else None
        if isinstance(sent.get(name), dict) and "uuid" in sent[name]:
            param["name"] = f"{name}.uuid"
            changed = True
    if changed:
        answer.replace_json(400, body, "application/problem+json")
    return changed


REFERENCE_RULES = ("KI-CONTACT-02", "KI-CONTACT-04", "KI-CONTACT-10", "KI-CONTACT-11")


def test_an_unknown_reference_may_be_named_by_its_uuid(reference_server, tmp_path) -> None:
    """The checks that an unknown reference is refused naming it accept the name of the
    reference's member, as Open Klant gives it (``hadKlantcontact.uuid``)."""
    result, rewritten = _run_through(
        reference_server, reference_member_names, ",".join(REFERENCE_RULES), tmp_path
    )
    assert [r for r in rewritten if "betrokkenen" in r], rewritten
    for rule in REFERENCE_RULES:
        assert verdict(result.stdout, rule) == "pass", (rule, result.stdout[-5000:])


def _in_amsterdam(data: object) -> bool:
    """Give every plaatsgevondenOp below ``data`` in +01:00 (in place); whether one was."""
    changed = False
    if isinstance(data, list):
        for item in data:
            changed = _in_amsterdam(item) or changed
    elif isinstance(data, dict):
        for key, value in data.items():
            if key == "plaatsgevondenOp" and isinstance(value, str):
                moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
                if moment.tzinfo is not None:
                    local = moment.astimezone(dt.timezone(dt.timedelta(hours=1)))
                    data[key] = local.isoformat()
                    changed = changed or data[key] != value
            else:
                changed = _in_amsterdam(value) or changed
    return changed


def date_times_in_local_time(request: Request, answer: Answer) -> bool:
    """Open Klant (DRF with USE_TZ and TIME_ZONE Europe/Amsterdam) answers a date-time in
    its own offset: 10:15Z comes back as 11:15+01:00."""
    data = answer.json()
    if answer.status in (200, 201) and _in_amsterdam(data):
        answer.replace_json(answer.status, data)
        return True
    return False


def test_a_date_time_may_come_back_in_another_offset(reference_server, tmp_path) -> None:
    """KI-CONTACT-01 (plaatsgevondenOp stored as sent) compares moments, not text."""
    result, rewritten = _run_through(
        reference_server, date_times_in_local_time, "KI-CONTACT-01", tmp_path
    )
    assert rewritten, "no plaatsgevondenOp came back"
    assert verdict(result.stdout, "KI-CONTACT-01") == "pass", result.stdout[-5000:]


def _prune(item: object, prefix: tuple[str, ...], asked: set[tuple[str, ...]]) -> bool:
    """Drop what ``_expand`` below ``item`` holds along a path whose parents were not asked
    for; whether something was dropped."""
    if isinstance(item, list):
        return any([_prune(i, prefix, asked) for i in item])
    if not isinstance(item, dict) or not isinstance(item.get("_expand"), dict):
        return False
    changed = False
    for key in list(item["_expand"]):
        path = (*prefix, key)
        if all(path[: n + 1] in asked for n in range(len(path))):
            changed = _prune(item["_expand"][key], path, asked) or changed
        else:
            del item["_expand"][key]
            changed = True
    if not item["_expand"]:
        del item["_expand"]
    return changed


def dotted_expand_needs_its_parents(request: Request, answer: Answer) -> bool:
    """Open Klant expands a dotted value only below parents that are asked for too:
    ``expand=hadBetrokkenen.wasPartij`` alone expands nothing."""
    values = [v for k, v in request.query if k == "expand"]
    data = answer.json()
    if request.method != "GET" or answer.status != 200 or not values:
        return False
    asked = {tuple(p.split(".")) for v in values for p in v.split(",") if p}
    items = data.get("results") if isinstance(data, dict) and "results" in data else data
    if _prune(items, (), asked):
        answer.replace_json(200, data)
        return True
    return False


def test_a_dotted_expand_value_may_need_its_parents(reference_server, tmp_path) -> None:
    """KI-OAS-10 judges a dotted expand value below its parent paths, asked for with it."""
    from klanten_conformance.apis.klantinteracties import Bodies, ref

    with DialectProxy(reference_server, rewrite=dotted_expand_needs_its_parents) as proxy:
        api = requests.Session()
        api.headers["Authorization"] = f"Token {TOKEN}"
        base = proxy.url + KI_BASE
        partij = api.post(f"{base}/partijen", json=Bodies.partijen(), timeout=30).json()
        contact = api.post(f"{base}/klantcontacten", json=Bodies.klantcontacten(), timeout=30)
        contact = contact.json()
        betrokkene = {
            "hadKlantcontact": ref(contact),
            "wasPartij": ref(partij),
            "rol": "klant",
            "initiator": True,
            "organisatienaam": "",
        }
        made = api.post(f"{base}/betrokkenen", json=betrokkene, timeout=30)
        assert made.status_code == 201, made.text
        lone = api.get(contact["url"], params={"expand": "hadBetrokkenen.wasPartij"}, timeout=30)
        assert lone.status_code == 200 and "_expand" not in lone.json(), lone.text
        assert proxy.rewritten, "the dialect left a lone dotted expand value as it was"
        for url in (made.json()["url"], contact["url"], partij["url"]):
            api.delete(url, timeout=30)
        result = run_ki(base, "--rule", "KI-OAS-10", cwd=tmp_path)
    assert verdict(result.stdout, "KI-OAS-10") == "pass", result.stdout[-5000:]


class OnderwerpContains:
    """Open Klant filters klantcontacten on `onderwerp` by `icontains`, although the name
    does not say so (a habit KI-OAS-09 fails): the proxy answers such a list itself, from
    the unfiltered list of the reference server."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream

    def __call__(self, request: Request) -> Answer | None:
        wanted = dict(request.query).get("onderwerp")
        if request.method != "GET" or not request.path.endswith("/klantcontacten") or not wanted:
            return None
        rest = {k: v for k, v in request.query if k not in ("onderwerp", "page")}
        everything = requests.get(
            self.upstream + request.path,
            params={**rest, "pageSize": "500"},
            headers={"Authorization": f"Token {TOKEN}"},
            timeout=60,
        ).json()
        found = [
            r for r in everything["results"] if wanted.lower() in str(r.get("onderwerp")).lower()
        ]
        page = {"count": len(found), "next": None, "previous": None, "results": found}
        return Answer.made(200, page, "0.9.0")


def test_a_partial_match_of_an_exact_filter_fails(reference_server, tmp_path) -> None:
    """The other way round: a klantcontacten list filtering `onderwerp` by `icontains`, as
    Open Klant does, fails KI-OAS-09 (the check can fail)."""
    dialect = OnderwerpContains(reference_server)
    with DialectProxy(reference_server, intercept=dialect) as proxy:
        result = run_ki(proxy.url + KI_BASE, "--rule", "KI-OAS-09", "-k", "exactly", cwd=tmp_path)
    assert proxy.rewritten
    assert verdict(result.stdout, "KI-OAS-09") == "fail", result.stdout[-5000:]


def flat_identificator_names(request: Request, answer: Answer) -> bool:
    """Open Klant checks a partijIdentificator group in the identificator's own validate and
    names the member joined to the group: ``partijIdentificatorObjectId`` (nested:
    ``partijIdentificatoren.0.partijIdentificatorObjectId``), not
    ``partijIdentificator.objectId``."""
    body = answer.json()
    if answer.status != 400 or not isinstance(body, dict):
        return False
    changed = False
    for param in body.get("invalidParams") or []:
        name = str(param.get("name", "")) if isinstance(param, dict) else ""
        head, dot, member = name.rpartition("partijIdentificator.")
        if dot and param.get("code") != "required":
            param["name"] = f"{head}partijIdentificator{member[:1].upper()}{member[1:]}"
            changed = True
    if changed:
        answer.replace_json(400, body, "application/problem+json")
    return changed


GROUP_RULES = ("KI-GED-01", "KI-GED-02", "KI-GED-03")


def test_a_group_member_may_be_named_joined_to_its_group(reference_server, tmp_path) -> None:
    """KI-GED-01/-02/-03 accept Open Klant's names of an identificator group's members
    (``partijIdentificatorCodeObjecttype``, also nested in a partij)."""
    result, rewritten = _run_through(
        reference_server, flat_identificator_names, ",".join(GROUP_RULES), tmp_path
    )
    assert [r for r in rewritten if "/partijen" in r], rewritten
    for rule in GROUP_RULES:
        assert verdict(result.stdout, rule) == "pass", (rule, result.stdout[-5000:])
