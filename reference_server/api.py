"""The Klanten API operations."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import Response

from klanten_conformance.testdata import elfproef
from reference_server.auth import Principal, authenticate, require_scope
from reference_server.config import Settings
from reference_server.klanten import (
    Authentication,
    check_change,
    check_identification,
    identity_keys,
    is_aangehaakt,
    normalise,
)
from reference_server.notifications import Notifier, notification
from reference_server.problems import (
    PROBLEM_TYPE,
    ApiError,
    InvalidParam,
    encode_json,
    problem_body,
    validation_error,
)
from reference_server.storage import KlantRow, Store, UniqueViolation
from reference_server.validation import SpecValidator

log = logging.getLogger("reference_server.api")

API_VERSION = "1.0.0"
API_ROOT = "/klanten/api/v1"
SCOPES = {
    "klant_list": "klanten.lezen",
    "klant_read": "klanten.lezen",
    "klant_create": "klanten.aanmaken",
    "klant_update": "klanten.bijwerken",
    "klant_partial_update": "klanten.bijwerken",
    "klant_delete": "klanten.verwijderen",
    "audittrail_list": "audittrails.lezen",
    "audittrail_read": "audittrails.lezen",
}
#: klant_list query parameter -> (subjectType it implies, SQL expression compared to the value)
FILTERS: dict[str, tuple[str | None, str]] = {
    "bronorganisatie": (None, "bronorganisatie"),
    "klantnummer": (None, "json_extract(data, '$.klantnummer')"),
    "bedrijfsnaam": (None, "json_extract(data, '$.bedrijfsnaam')"),
    "functie": (None, "json_extract(data, '$.functie')"),
    "achternaam": (None, "json_extract(data, '$.achternaam')"),
    "telefoonnummer": (None, "json_extract(data, '$.telefoonnummer')"),
    "emailadres": (None, "json_extract(data, '$.emailadres')"),
    "adres__straatnaam": (None, "json_extract(data, '$.adres.straatnaam')"),
    "adres__postcode": (None, "json_extract(data, '$.adres.postcode')"),
    "adres__woonplaatsNaam": (None, "json_extract(data, '$.adres.woonplaatsnaam')"),
    "adres__landcode": (None, "json_extract(data, '$.adres.landcode')"),
    "subject": (None, "json_extract(data, '$.subject')"),
    "subjectType": (None, "subject_type"),
    "subjectNatuurlijkPersoon__inpBsn": (
        "natuurlijk_persoon",
        "json_extract(data, '$.subjectIdentificatie.inpBsn')",
    ),
    "subjectNatuurlijkPersoon__anpIdentificatie": (
        "natuurlijk_persoon",
        "json_extract(data, '$.subjectIdentificatie.anpIdentificatie')",
    ),
    "subjectNatuurlijkPersoon__inpA_nummer": (
        "natuurlijk_persoon",
        "json_extract(data, '$.subjectIdentificatie.inpANummer')",
    ),
    "subjectNietNatuurlijkPersoon__innNnpId": (
        "niet_natuurlijk_persoon",
        "json_extract(data, '$.subjectIdentificatie.innNnpId')",
    ),
    "subjectNietNatuurlijkPersoon__annIdentificatie": (
        "niet_natuurlijk_persoon",
        "json_extract(data, '$.subjectIdentificatie.annIdentificatie')",
    ),
    "subjectVestiging__vestigingsNummer": (
        "vestiging",
        "json_extract(data, '$.subjectIdentificatie.vestigingsNummer')",
    ),
}
ACTIE_WEERGAVE = {
    "create": "Object created",
    "update": "Object updated",
    "partial_update": "Object partially updated",
    "destroy": "Object deleted",
}


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def etag_of(body: bytes) -> str:
    return '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'


def etag_matches(header: str | None, etag: str) -> bool:
    """True when an If-None-Match header holds ``etag`` (weak or strong) or ``*``."""
    if not header:
        return False
    for candidate in header.split(","):
        value = candidate.strip()
        if value == "*" or value.removeprefix("W/") == etag:
            return True
    return False


def media_ranges(header: str) -> list[tuple[str, float]]:
    ranges = []
    for part in header.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media.lower(), quality))
    return ranges


def accepts_json(header: str | None) -> bool:
    if not header or not header.strip():
        return True
    acceptable = {"application/json", "application/*", "*/*", "application/problem+json"}
    return any(m in acceptable and q > 0 for m, q in media_ranges(header))


@dataclass
class Call:
    """One request to an API operation, and what is known about it so far."""

    request: Request
    operation: str
    path: str
    principal: Principal | None = None
    query: list[tuple[str, str]] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        base = str(self.request.base_url).rstrip("/")
        return base + API_ROOT

    def klant_url(self, klant_uuid: str) -> str:
        return f"{self.api_url}/klanten/{klant_uuid}"


class KlantenApi:
    """The operations; each returns a Starlette response or raises :class:`ApiError`."""

    def __init__(
        self, settings: Settings, store: Store, spec: SpecValidator, notifier: Notifier
    ) -> None:
        self.settings = settings
        self.store = store
        self.spec = spec
        self.notifier = notifier
        self.authn = Authentication(settings)
        self._http: httpx.AsyncClient | None = None
        self._bsn_cache: dict[str, tuple[int, list[dict]]] = {}

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    # plumbing --------------------------------------------------------------------------------

    def fault(self, name: str) -> bool:
        return self.settings.fault(name)

    def begin(self, request: Request, operation: str, path: str) -> Call:
        call = Call(request, operation, path, query=list(request.query_params.multi_items()))
        if not accepts_json(request.headers.get("accept")):
            raise ApiError(406, "not_acceptable", "This API answers in application/json only.")
        call.principal = authenticate(self.settings, request.headers.get("authorization"))
        require_scope(self.settings, call.principal, SCOPES[operation])
        return call

    def problem(self, error: ApiError) -> Response:
        full_shape = not (self.fault("OAS-03") and error.status in (401, 403, 404))
        media = "application/json" if self.fault("OAS-04") else PROBLEM_TYPE
        return Response(
            encode_json(problem_body(error, full_shape=full_shape)),
            status_code=error.status,
            media_type=media,
            headers=error.headers,
        )

    def respond(
        self,
        call: Call,
        status: int,
        body: object | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        content = b"" if body is None else encode_json(body)
        media = None if body is None else "application/json"
        self._check_response(call, status, media, content)
        headers = dict(headers or {})
        if call.request.method == "HEAD":
            headers["content-length"] = str(len(content))
            content = b""
        return Response(content, status_code=status, headers=headers, media_type=media)

    def _check_response(self, call: Call, status: int, media: str | None, content: bytes) -> None:
        mode = self.settings.validate_responses
        if mode == "off":
            return
        errors = self.spec.response_errors(call.operation, status, media, content)
        if not errors:
            return
        log.error("response of %s does not match the spec: %s", call.operation, errors)
        if mode == "strict":
            raise ApiError(
                500,
                "response-invalid",
                "The server produced a response that does "
                "not match its OpenAPI document: " + "; ".join(errors),
            )

    async def read_body(self, call: Call) -> dict:
        request = call.request
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json":
            raise ApiError(
                415,
                "unsupported_media_type",
                f"Send the body as application/json, not {media or 'nothing'}.",
            )
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise ApiError(413, "request_too_large", f"The body exceeds {limit} bytes.")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ApiError(413, "request_too_large", f"The body exceeds {limit} bytes.")
            chunks.append(chunk)
        try:
            body = json.loads(b"".join(chunks).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(
                400,
                "parse_error",
                f"The body is not valid JSON: {exc}",
                [InvalidParam("nonFieldErrors", "parse_error", "Malformed JSON.")],
            ) from None
        if not isinstance(body, dict):
            raise validation_error(
                [InvalidParam("nonFieldErrors", "invalid", "The body must be a JSON object.")]
            )
        body.pop("url", None)  # read-only, ignored when sent
        return body

    # representation ---------------------------------------------------------------------------

    def representation(self, call: Call, klant_uuid: str, data: dict) -> dict:
        body = {"url": call.klant_url(klant_uuid), **data}
        if self.fault("OAS-02") and body.get("subjectType") is None:
            body["subjectType"] = ""
        return body

    def etag(self, klant_uuid: str, body: dict) -> str:
        if self.fault("CACHE-01"):
            return etag_of(klant_uuid.encode())
        return etag_of(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8"))

    def get_row(self, klant_uuid: str) -> KlantRow:
        row = self.store.get_klant(klant_uuid)
        if row is None:
            raise ApiError(404, "not_found", "No klant with this uuid.")
        return row

    # validation of a klant -------------------------------------------------------------------

    def validate_klant(self, call: Call, method: str, body: dict) -> dict:
        """Schema, discriminator and KLOK01 checks; returns the normalised klant."""
        params = self.spec.request_errors(method, call.path, [], body)
        if self.fault("kla-001c"):
            params = [p for p in params if (p.name, p.code) != ("klantnummer", "required")]
        subject_type = body.get("subjectType")
        if not params and subject_type and isinstance(body.get("subjectIdentificatie"), dict):
            params = self.spec.identificatie_errors(subject_type, body["subjectIdentificatie"])
        if self.fault("OAS-05"):  # only the presence of required fields is checked
            params = [p for p in params if p.code == "required"]
        if params:
            raise validation_error(params)
        data = normalise(body)
        if not self.fault("OAS-05"):
            self._check_bronorganisatie(data)
        known = self.spec.identificatie_fields.get(data.get("subjectType") or "", frozenset())
        check_identification(self.settings, data, known)
        self._check_principles(data, method)
        return data

    def _check_bronorganisatie(self, data: dict) -> None:
        if not elfproef(data.get("bronorganisatie", "")):
            raise validation_error(
                [
                    InvalidParam(
                        "bronorganisatie", "invalid", "Not a valid RSIN (9 digits, 11-proef)."
                    )
                ]
            )

    def _check_principles(self, data: dict, method: str) -> None:
        """Faults that make the server stricter than the uitgangspunten allow."""
        if (
            self.fault("KLOK01-Z1")
            and method == "POST"
            and not is_aangehaakt(data)
            and not (data.get("emailadres") or data.get("telefoonnummer"))
        ):
            raise validation_error(
                [
                    InvalidParam(
                        "emailadres",
                        "required",
                        "A klant without identifying data needs an emailadres or telefoonnummer.",
                    )
                ]
            )
        if self.fault("KLUIT-01") and method == "POST" and not data.get("achternaam"):
            raise validation_error([InvalidParam("achternaam", "required", "Required.")])
        adres = data.get("adres") or {}
        if self.fault("KLUIT-02") and adres.get("landcode", "NL") != "NL":
            raise validation_error(
                [InvalidParam("adres.landcode", "invalid", "Only addresses in the Netherlands.")]
            )

    async def check_subject(self, subject: str | None) -> None:
        """kla-002: a subject URL must answer HTTP 200 (after redirects)."""
        if not subject:
            return
        problem = None
        if not subject.startswith(("http://", "https://")):
            problem = "The subject is not an http(s) URL."
        else:
            if self._http is None:
                self._http = httpx.AsyncClient(
                    timeout=self.settings.subject_timeout, follow_redirects=True
                )
            try:
                response = await self._http.get(subject)
                if response.status_code != 200:
                    problem = f"The subject URL answered HTTP {response.status_code}."
            except httpx.HTTPError as exc:
                problem = f"The subject URL could not be fetched ({type(exc).__name__})."
        if problem:
            raise validation_error([InvalidParam("subject", "bad-url", problem)])

    def row_for(self, klant_uuid: str, data: dict) -> KlantRow:
        subject_type = data.get("subjectType")
        natuurlijk = subject_type == "natuurlijk_persoon"
        bsn = (data.get("subjectIdentificatie") or {}).get("inpBsn") if natuurlijk else None
        return KlantRow(
            uuid=klant_uuid,
            bronorganisatie=data.get("bronorganisatie", ""),
            klantnummer=data.get("klantnummer") if not self.fault("kla-001b") else None,
            subject_type=subject_type,
            bsn=bsn if not self.fault("KLOK01-C1") else None,
            np_subject=data.get("subject") if natuurlijk and not self.fault("KLOK01-C1") else None,
            identity_keys=identity_keys(data),
            data=data,
        )

    def _extra_uniqueness(self, conn, row: KlantRow) -> None:
        """Faults that make uniqueness stricter than the standard."""
        if self.fault("kla-001a") and row.klantnummer:
            found = conn.execute(
                "SELECT 1 FROM klant WHERE klantnummer = ? AND uuid != ?",
                (row.klantnummer, row.uuid),
            ).fetchone()
            if found:
                raise UniqueViolation("klantnummer")
        nnp = (row.data.get("subjectIdentificatie") or {}).get("innNnpId")
        if self.fault("KLOK01-C2") and row.subject_type == "niet_natuurlijk_persoon" and nnp:
            found = conn.execute(
                "SELECT 1 FROM klant WHERE bronorganisatie = ? AND uuid != ? AND"
                " json_extract(data, '$.subjectIdentificatie.innNnpId') = ?",
                (row.bronorganisatie, row.uuid, nnp),
            ).fetchone()
            if found:
                raise UniqueViolation("subjectIdentificatie.innNnpId")

    def audit(
        self,
        call: Call,
        actie: str,
        status: int,
        klant_url: str,
        klantnummer: str,
        old: dict | None,
        new: dict | None,
    ) -> dict:
        principal = call.principal
        assert principal is not None
        return {
            "uuid": str(uuidlib.uuid4()),
            "bron": "kc",
            "applicatieId": principal.client.client_id[:100],
            "applicatieWeergave": principal.client.client_id[:200],
            "gebruikersId": principal.user_id[:255],
            "gebruikersWeergave": principal.user_representation[:255],
            "actie": actie,
            "actieWeergave": ACTIE_WEERGAVE[actie],
            "resultaat": status,
            "hoofdObject": klant_url,
            "resource": "klant",
            "resourceUrl": klant_url,
            "toelichting": call.request.headers.get("x-audit-toelichting", ""),
            "resourceWeergave": f"klant {klantnummer or '(zonder klantnummer)'}"[:200],
            "aanmaakdatum": now_iso(),
            "wijzigingen": {"oud": old, "nieuw": new},
        }

    def write(
        self, call: Call, actie: str, status: int, row: KlantRow, old: dict | None, new: dict | None
    ) -> None:
        """Store the change, its audittrail entry and its notification in one transaction."""
        url = call.klant_url(row.uuid)
        with self.store.transaction() as conn:
            if actie == "destroy":
                self.store.delete_klant(conn, row.uuid)
            else:
                self._extra_uniqueness(conn, row)
                if actie == "create":
                    self.store.insert_klant(conn, row)
                else:
                    self.store.update_klant(conn, row)
            if not (actie == "partial_update" and self.fault("AUDIT-01")):
                entry = self.audit(
                    call, actie, status, url, row.data.get("klantnummer", ""), old, new
                )
                self.store.add_audit(conn, entry["uuid"], row.uuid, entry)
            publish = not (actie == "partial_update" and self.fault("NOTIF-01"))
            if self.notifier.enabled and publish:
                self.store.add_notification(conn, notification(actie, url, row.subject_type))
        self._bsn_cache_invalidate()
        self.notifier.wake()

    def _bsn_cache_invalidate(self) -> None:
        if not self.fault("KLOK01-C1b"):
            self._bsn_cache.clear()

    # operations ------------------------------------------------------------------------------

    async def klant_create(self, call: Call) -> Response:
        body = await self.read_body(call)
        data = self.validate_klant(call, "POST", body)
        self.authn.register(call.principal, data)
        if not self.fault("kla-002a"):
            await self.check_subject(data.get("subject"))
        klant_uuid = str(uuidlib.uuid4())
        data = self._stored_form(data)
        row = self.row_for(klant_uuid, data)
        representation = self.representation(call, klant_uuid, data)
        try:
            self.write(call, "create", 201, row, None, representation)
        except UniqueViolation as exc:
            raise self._unique_error(exc) from None
        headers = {} if self.fault("LIFE-01") else {"Location": representation["url"]}
        return self.respond(call, 201, representation, headers)

    def _stored_form(self, data: dict) -> dict:
        """What is stored of a valid klant: all of it, unless a KLOK01 fault loses some."""
        identificatie = data.get("subjectIdentificatie") or {}
        if self.fault("KLOK01-01") and data.get("subjectType") == "vestiging":
            kept = {k: v for k, v in identificatie.items() if k == "vestigingsNummer"}
            data = {**data, "subjectIdentificatie": kept}
        if self.fault("KLOK01-02") and data.get("subjectType") == "natuurlijk_persoon":
            copied = {
                "voornaam": identificatie.get("voornamen"),
                "achternaam": identificatie.get("geslachtsnaam"),
            }
            data = {**data, **{k: v for k, v in copied.items() if v}}
        return data

    def _unique_error(self, exc: UniqueViolation) -> ApiError:
        reasons = {
            "klantnummer": "This klantnummer is already in use within the bronorganisatie.",
            "subjectIdentificatie.inpBsn": "A klant with this BSN already exists in the "
            "bronorganisatie.",
            "subject": "A klant for this natuurlijk persoon already exists in the bronorganisatie.",
        }
        reason = reasons.get(exc.field_name, "This value is already in use.")
        return validation_error([InvalidParam(exc.field_name, "unique", reason)])

    async def klant_read(self, call: Call, klant_uuid: str) -> Response:
        row = self.get_row(klant_uuid)
        self.authn.provide(call.principal, row.data)
        body = self.representation(call, klant_uuid, row.data)
        etag = self.etag(klant_uuid, body)
        return self.conditional(call, body, etag)

    def conditional(self, call: Call, body: dict, etag: str) -> Response:
        """A read answered with an ETag, or 304 when the client has it already (CACHE-03)."""
        headers = {"ETag": etag}
        if call.request.method == "HEAD" and self.fault("CACHE-02"):
            headers = {}
        if not self.fault("CACHE-03") and etag_matches(
            call.request.headers.get("if-none-match"), etag
        ):
            return Response(status_code=304, headers=headers)
        return self.respond(call, 200, body, headers)

    async def klant_update(self, call: Call, klant_uuid: str, partial: bool) -> Response:
        row = self.get_row(klant_uuid)
        self.authn.change(call.principal, row.data)
        body = await self.read_body(call)
        old = self.representation(call, klant_uuid, row.data)
        if self.fault("KLUIT-03"):
            cleared = sorted(name for name, value in body.items() if value in ("", None))
            if cleared:
                raise validation_error(
                    [InvalidParam(n, "blank", "May not be empty.") for n in cleared]
                )
        if partial or self.fault("LIFE-02"):
            body = {**row.data, **body}
        data = self.validate_klant(call, "PATCH" if partial else "PUT", body)
        check_change(self.settings, row.data, data)
        if "subject" in body and not self.fault("kla-002b"):
            await self.check_subject(data.get("subject"))
        new_row = self.row_for(klant_uuid, data)
        representation = self.representation(call, klant_uuid, data)
        actie = "partial_update" if partial else "update"
        try:
            self.write(call, actie, 200, new_row, old, representation)
        except UniqueViolation as exc:
            raise self._unique_error(exc) from None
        return self.respond(call, 200, representation)

    async def klant_delete(self, call: Call, klant_uuid: str) -> Response:
        row = self.get_row(klant_uuid)
        self.authn.change(call.principal, row.data)
        old = self.representation(call, klant_uuid, row.data)
        self.write(call, "destroy", 204, row, old, None)
        return self.respond(call, 204)

    async def klant_list(self, call: Call) -> Response:
        # an empty filter value means "no filter" (as in the standard's implementations)
        call.query = [(k, v) for k, v in call.query if v != ""]
        params = self.spec.request_errors("GET", call.path, call.query)
        if params:
            raise validation_error(params)
        query = dict(call.query)
        page = int(query.get("page") or 1)
        if page < 1:
            raise ApiError(404, "not_found", f"Invalid page {page}: pages start at 1.")
        conditions, values = self._filters(query)
        visible, visible_values = self.authn.list_visibility(
            call.principal, bool(query.get("klantnummer"))
        )
        where = " AND ".join([visible, *conditions])
        cache_key = None
        if query.get("subjectNatuurlijkPersoon__inpBsn") and self.fault("KLOK01-C1b"):
            cache_key = urlencode(sorted(call.query)) + repr(call.principal.authenticatie)
        size = self.settings.page_size
        page = min(page, 2**40)  # beyond any real page; keeps the offset within SQLite's range
        if cache_key and cache_key in self._bsn_cache:
            count, rows = self._bsn_cache[cache_key]
        else:
            count, rows = self.store.list_klanten(
                where, visible_values + values, (page - 1) * size, size
            )
            if cache_key:
                self._bsn_cache[cache_key] = (count, rows)
        last_page = max(1, -(-count // size))
        if page > last_page:
            raise ApiError(404, "not_found", f"Invalid page {page}: there are {last_page}.")
        results = [self.representation(call, klant_uuid, data) for klant_uuid, data in rows]
        body = {
            "count": count,
            "next": self._page_url(call, page + 1) if page < last_page else None,
            "previous": self._page_url(call, page - 1) if page > 1 else None,
            "results": results,
        }
        if self.fault("OAS-07"):
            body["next"] = None
        return self.respond(call, 200, body)

    def _filters(self, query: dict[str, str]) -> tuple[list[str], list]:
        conditions, values = [], []
        for name, (subject_type, expression) in FILTERS.items():
            value = query.get(name)
            if not value or (name == "emailadres" and self.fault("FILTER-01")):
                continue
            conditions.append(f"{expression} = ?")
            values.append(value)
            if subject_type:
                conditions.append("subject_type = ?")
                values.append(subject_type)
        return conditions, values

    def _page_url(self, call: Call, page: int) -> str:
        query = [(k, v) for k, v in call.query if k != "page"] + [("page", str(page))]
        return f"{call.api_url}{call.path}?{urlencode(query)}"

    async def audittrail_list(self, call: Call, klant_uuid: str) -> Response:
        row = self.get_row(klant_uuid)
        self.authn.provide(call.principal, row.data)
        return self.respond(call, 200, self.store.list_audit(klant_uuid))

    async def audittrail_read(self, call: Call, klant_uuid: str, audit_uuid: str) -> Response:
        if self.fault("OAS-01"):  # like a framework: authenticated and authorised, then 405
            raise ApiError(
                405,
                "method_not_allowed",
                "Reading one audittrail entry is not supported.",
                headers={"Allow": ""},
            )
        row = self.get_row(klant_uuid)
        self.authn.provide(call.principal, row.data)
        entry = self.store.get_audit(klant_uuid, audit_uuid)
        if entry is None:
            raise ApiError(404, "not_found", "No audittrail entry with this uuid.")
        etag = etag_of(json.dumps(entry, sort_keys=True).encode("utf-8"))
        return self.conditional(call, entry, etag)
