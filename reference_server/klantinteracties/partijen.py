"""Partijen and their partij-identificatoren: KLOK01 mapped onto the API (ki-klok01) and the
rules on identifying data (ki-gedrag).

Uniqueness is held by unique indexes on the identificator table, so that it holds however
requests interleave: the four values of an unscoped identificator (KI-GED-05), the same within
one parent (KI-GED-08), one identificator per soort per partij (KI-GED-06) and one
identificator per BSN in the instance (KI-KLOK01-C1, scoped ones included). The rules that
look at all identificators of one partij (KI-KLOK01-C3, -C3b) are checked inside the write's
transaction, on the state it leaves behind.
"""

from __future__ import annotations

import sqlite3
import uuid as uuidlib
from typing import Any

from reference_server.core.api import CREATE, Stored
from reference_server.core.call import Call
from reference_server.core.problems import ApiError, Crash, InvalidParam, validation_error
from reference_server.klantinteracties.common import (
    KiRules,
    Ref,
    Reverse,
    SqlFilter,
    insert_or_update,
    json_field,
    referrers,
    refusal,
    resource,
    rules_of,
    uuid_of_url,
)

IDENTIFICATOR_TABLE = "ki_partij_identificator"
PARTIJ_TABLE = "ki_partij"
#: KI-GED-01: codeRegister -> the codeObjecttypen it allows
REGISTER_OBJECTTYPES = {
    "brp": ("natuurlijk_persoon",),
    "hr": ("niet_natuurlijk_persoon", "vestiging"),
}
#: KI-GED-02: codeObjecttype -> the codeSoortObjectIds it allows
OBJECTTYPE_SOORTEN = {
    "natuurlijk_persoon": ("bsn",),
    "niet_natuurlijk_persoon": ("rsin", "kvk_nummer"),
    "vestiging": ("vestigingsnummer",),
}
#: KI-GED-03: codeSoortObjectId -> (digits, 11-proef)
OBJECT_ID_FORMS = {
    "bsn": (9, True),
    "rsin": (9, True),
    "kvk_nummer": (8, False),
    "vestigingsnummer": (12, False),
}
NNP_SOORTEN = frozenset({"rsin", "kvk_nummer", "vestigingsnummer"})
#: KI-KLOK01-C3b: soortPartij -> the codeObjecttypen its identificators may have
SOORT_PARTIJ_OBJECTTYPES = {
    "persoon": ("natuurlijk_persoon",),
    "organisatie": ("niet_natuurlijk_persoon", "vestiging"),
}
#: stands for the uuid of a partij that is being created
SELF = "self"
GROUP = ("codeObjecttype", "codeSoortObjectId", "objectId", "codeRegister")
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def elfproef(number: str) -> bool:
    """The 11-proef of a 9-digit BSN or RSIN (``000000000`` passes: 0 is a multiple of 11)."""
    return sum(int(d) * w for d, w in zip(number, _WEIGHTS, strict=True)) % 11 == 0


def _digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def group_errors(call: Call, group: Any, prefix: str) -> list[InvalidParam]:
    """KI-GED-01..04 on one ``partijIdentificator`` group; names start with ``prefix``."""
    if not isinstance(group, dict):
        return []
    missing = [m for m in GROUP if group.get(m) in (None, "")]
    if call.fault("KI-GED-04"):
        missing = [m for m in missing if m == "objectId"] if missing != list(GROUP) else []
    if missing:
        return [InvalidParam(f"{prefix}{m}", "required", "Required.") for m in missing]
    register, objecttype = group.get("codeRegister"), group.get("codeObjecttype")
    soort, object_id = group.get("codeSoortObjectId"), str(group.get("objectId"))
    allowed = REGISTER_OBJECTTYPES.get(register, ())
    if objecttype not in allowed and not call.fault("KI-GED-01"):
        reason = f"Register {register} holds only {', '.join(allowed)}."
        return [InvalidParam(f"{prefix}codeObjecttype", "invalid", reason)]
    soorten = OBJECTTYPE_SOORTEN.get(objecttype, ())
    if soort not in soorten and not call.fault("KI-GED-02"):
        reason = f"A {objecttype} is identified by {', '.join(soorten)}."
        return [InvalidParam(f"{prefix}codeSoortObjectId", "invalid", reason)]
    length, checksum = OBJECT_ID_FORMS.get(soort, (0, False))
    if not call.fault("KI-GED-03") and length:
        if len(object_id) != length or not _digits(object_id):
            reason = f"A {soort} has {length} digits."
            return [InvalidParam(f"{prefix}objectId", "invalid", reason)]
        if checksum and not elfproef(object_id):
            return [
                InvalidParam(f"{prefix}objectId", "invalid", f"This {soort} fails the 11-proef.")
            ]
    return []


def identificators_of(
    call: Call, partij: str, conn: sqlite3.Connection | None = None
) -> list[Stored]:
    return referrers(call, "identificator", "identificeerdePartij", partij, conn)


def parent_problem(call: Call, data: dict, uuid: str, prefix: str) -> InvalidParam | None:
    """KI-GED-07 and the self-reference of KI-GED-09, on one identificator's data."""
    name = f"{prefix}subIdentificatorVan"
    parent_ref = data.get("subIdentificatorVan")
    soort = (data.get("partijIdentificator") or {}).get("codeSoortObjectId")
    if parent_ref and parent_ref["uuid"] == uuid and not call.fault("KI-GED-09/self"):
        return InvalidParam(name, "invalid", "An identificator cannot be its own parent.")
    if soort != "vestigingsnummer" or call.fault("KI-GED-07"):
        return None
    if not parent_ref:
        return InvalidParam(name, "required", "A vestigingsnummer needs its kvk_nummer.")
    parent = call.api.store.get(IDENTIFICATOR_TABLE, parent_ref["uuid"])
    if parent is None:
        return InvalidParam(name, "does_not_exist", "No identificator with this uuid.")
    if parent.data["partijIdentificator"]["codeSoortObjectId"] != "kvk_nummer":
        return InvalidParam(name, "invalid", "A vestigingsnummer belongs under a kvk_nummer.")
    return None


def is_parent(conn: sqlite3.Connection, uuid: str) -> bool:
    found = conn.execute(
        f"SELECT 1 FROM {IDENTIFICATOR_TABLE} WHERE parent = ? LIMIT 1", (uuid,)
    ).fetchone()
    return found is not None


def check_holdings(call: Call, partij: Stored | None, held: list[dict], name: str) -> None:
    """KI-KLOK01-C3 and -C3b on the identificators a partij holds after the write."""
    soorten = [d["partijIdentificator"]["codeSoortObjectId"] for d in held]
    if "bsn" in soorten and NNP_SOORTEN & set(soorten) and not call.fault("KI-KLOK01-C3"):
        raise refusal(
            name, "invalid", "A partij is a natuurlijk or a niet-natuurlijk persoon, not both."
        )
    soort_partij = partij.data.get("soortPartij") if partij else None
    allowed = SOORT_PARTIJ_OBJECTTYPES.get(soort_partij or "")
    if allowed is None or call.fault("KI-KLOK01-C3b"):
        return
    for data in held:
        if data["partijIdentificator"]["codeObjecttype"] not in allowed:
            raise refusal(name, "invalid", f"A {soort_partij} holds only {', '.join(allowed)}.")


def is_zelfstandig(partij: Stored | None) -> bool:
    """KI-KLOK01-Z2: created without any partij-identificator."""
    return bool(partij and partij.data.get("_zelfstandig"))


# partij-identificatoren ------------------------------------------------------------------------


class IdentificatorRules(KiRules):
    key = "identificator"
    refs = {
        "identificeerdePartij": Ref("partij", cascade=True),
        "subIdentificatorVan": Ref("identificator"),
    }

    def normalise(self, call: Call, body: dict, old: Stored | None) -> dict:
        data = super().normalise(call, body, old)
        data.setdefault("identificeerdePartij", None)
        data.setdefault("subIdentificatorVan", None)
        data.setdefault("anderePartijIdentificator", "")
        return data

    async def check(self, call: Call, action: str, data: dict, old: Stored | None) -> dict:
        uuid = old.uuid if old else ""
        params = group_errors(call, data.get("partijIdentificator"), "partijIdentificator.")
        problem = parent_problem(call, data, uuid, "")
        if problem:
            params.append(problem)
        if old is not None and not call.fault("KI-GED-09/soort"):
            before = old.data["partijIdentificator"]["codeSoortObjectId"]
            after = (data.get("partijIdentificator") or {}).get("codeSoortObjectId")
            if before != after and is_parent(call.api.store.conn, old.uuid):
                params.append(
                    InvalidParam(
                        "partijIdentificator.codeSoortObjectId",
                        "invalid",
                        "Other identificators are scoped under this one.",
                    )
                )
        if params:
            raise validation_error(params)
        return data

    def columns(self, call: Call, data: dict) -> dict[str, Any]:
        return identificator_columns(call, data)

    def before_write(self, call, conn, action, new, old) -> None:  # noqa: ANN001
        super().before_write(call, conn, action, new, old)
        if new is None:
            return
        target = (new.data.get("identificeerdePartij") or {}).get("uuid")
        if not target:
            return
        partij = call.api.store.get(PARTIJ_TABLE, target)
        moved = old is None or (old.data.get("identificeerdePartij") or {}).get("uuid") != target
        if moved and is_zelfstandig(partij) and not call.fault("KI-KLOK01-Z2"):
            raise refusal(
                "identificeerdePartij",
                "invalid",
                "This partij was registered without identifying data (a zelfstandige klant);"
                " it cannot be given any later.",
            )
        held = [s.data for s in identificators_of(call, target, conn) if s.uuid != new.uuid]
        check_holdings(call, partij, [*held, new.data], "identificeerdePartij")

    def refuse_delete(self, call: Call, conn: sqlite3.Connection, old: Stored) -> None:
        if is_parent(conn, old.uuid) and not call.fault("KI-GED-09"):
            raise ApiError(
                400,
                "invalid",
                "Other identificators are scoped under this one; delete those first.",
                [InvalidParam("nonFieldErrors", "protected", "It is a subIdentificatorVan.")],
            )

    def complete(self, call: Call, stored: Stored, body: dict) -> dict:
        soort = stored.data["partijIdentificator"]["codeSoortObjectId"]
        if call.fault("KI-KLOK01-01") and soort == "vestigingsnummer":
            body["subIdentificatorVan"] = None
        return body


def identificator_columns(call: Call, data: dict) -> dict[str, Any]:
    group = data.get("partijIdentificator") or {}
    values = [str(group.get(m, "")) for m in GROUP]
    partij = (data.get("identificeerdePartij") or {}).get("uuid")
    parent = (data.get("subIdentificatorVan") or {}).get("uuid")
    soort = group.get("codeSoortObjectId")
    bsn = group.get("objectId") if soort == "bsn" else None
    if call.fault("KI-KLOK01-C1") and parent:
        bsn = None
    if call.fault("KI-KLOK01-C1/update") and call.request.method in ("PUT", "PATCH"):
        bsn = None
    return {
        "partij": partij,
        "parent": parent,
        "soort": soort,
        "object_id": group.get("objectId"),
        "unscoped": None if parent or call.fault("KI-GED-05") else "|".join(values),
        "scoped": f"{parent}|{'|'.join(values)}"
        if parent and not call.fault("KI-GED-08")
        else None,
        "partij_soort": f"{partij}|{soort}" if partij and not call.fault("KI-GED-06") else None,
        "bsn": bsn,
    }


# partijen -------------------------------------------------------------------------------------


def _naam(contactnaam: dict | None) -> str:
    parts = [
        (contactnaam or {}).get(name)
        for name in ("voornaam", "voorvoegselAchternaam", "achternaam")
    ]
    return " ".join(p for p in parts if p)


def _show_identificator(call: Call, stored: Stored) -> dict:
    return rules_of("identificator").represent(call, stored)


def _show_categorie_relatie(call: Call, stored: Stored) -> dict:
    categorie = stored.data.get("categorie")
    found = call.api.store.get("ki_categorie", categorie["uuid"]) if categorie else None
    return {
        "uuid": stored.uuid,
        "url": call.url_of(stored.uuid, resource("categorierelatie")),
        "categorieNaam": found.data.get("naam") if found else None,
        "beginDatum": stored.data.get("beginDatum"),
        "eindDatum": stored.data.get("eindDatum"),
    }


def _show_vertegenwoordigde(call: Call, stored: Stored) -> dict:
    uuid = stored.data["vertegenwoordigdePartij"]["uuid"]
    return {"uuid": uuid, "url": call.url_of(uuid, resource("partij"))}


def _one_identificator(*conditions: str) -> str:
    """SQL on a partij: it holds one identificator meeting every condition."""
    where = " AND ".join(conditions)
    return f"ki_partij.uuid IN (SELECT i.partij FROM {IDENTIFICATOR_TABLE} i WHERE {where})"


PARTIJ_GROUP_FILTERS = {
    f"partijIdentificator__{member}": json_field(f"partijIdentificator.{member}", "i")
    for member in GROUP
}
SUB_GROUP_FILTERS = {
    f"subIdentificatorVan__{member}": json_field(f"partijIdentificator.{member}", "p")
    for member in GROUP
}
ADRES_FILTERS = {
    f"{adres}{member[:1].upper()}{member[1:]}": f"{adres}.{member}"
    for adres in ("bezoekadres", "correspondentieadres")
    for member in ("adresregel1", "adresregel2", "adresregel3", "land", "nummeraanduidingId")
}
#: SQL on a partij: it holds an identificator (is aangehaakt)
AANGEHAAKT = f"EXISTS (SELECT 1 FROM {IDENTIFICATOR_TABLE} WHERE partij = ki_partij.uuid)"


class PartijRules(KiRules):
    key = "partij"
    discriminator = "soortPartij"
    nummer = True
    refs = {
        "voorkeursDigitaalAdres": Ref("digitaaladres"),
        "voorkeursRekeningnummer": Ref("rekeningnummer"),
    }
    reverse = {
        "betrokkenen": Reverse("betrokkene", "wasPartij"),
        "categorieRelaties": Reverse("categorierelatie", "partij", _show_categorie_relatie),
        "digitaleAdressen": Reverse("digitaaladres", "verstrektDoorPartij"),
        "vertegenwoordigden": Reverse(
            "vertegenwoordiging", "vertegenwoordigendePartij", _show_vertegenwoordigde
        ),
        "rekeningnummers": Reverse("rekeningnummer", "partij"),
        "partijIdentificatoren": Reverse(
            "identificator", "identificeerdePartij", _show_identificator
        ),
    }
    sql_filters = {
        "categorierelatie__categorie__naam": SqlFilter(
            "ki_partij.uuid IN (SELECT json_extract(r.data, '$.partij.uuid') FROM"
            " ki_categorie_relatie r JOIN ki_categorie c"
            " ON c.uuid = json_extract(r.data, '$.categorie.uuid')"
            " WHERE json_extract(c.data, '$.naam') = ?)"
        ),
        "vertegenwoordigdePartij__uuid": SqlFilter(
            "ki_partij.uuid IN (SELECT json_extract(data, '$.vertegenwoordigendePartij.uuid')"
            " FROM ki_vertegenwoordiging"
            " WHERE json_extract(data, '$.vertegenwoordigdePartij.uuid') = ?)"
        ),
        "vertegenwoordigdePartij__url": SqlFilter(
            "ki_partij.uuid IN (SELECT json_extract(data, '$.vertegenwoordigendePartij.uuid')"
            " FROM ki_vertegenwoordiging"
            " WHERE json_extract(data, '$.vertegenwoordigdePartij.uuid') = ?)",
            uuid_of_url,
        ),
    }

    # validation ------------------------------------------------------------------------------

    def normalise(self, call: Call, body: dict, old: Stored | None) -> dict:
        data = super().normalise(call, body, old)
        identificatie = data.get("partijIdentificatie")
        if isinstance(identificatie, dict):
            identificatie = {k: v for k, v in identificatie.items() if k != "volledigeNaam"}
            werkte = identificatie.get("werkteVoorPartij")
            if isinstance(werkte, dict):
                identificatie["werkteVoorPartij"] = {"uuid": werkte["uuid"]}
            data["partijIdentificatie"] = identificatie
        sent = call.body or {}
        for name in ("partijIdentificatoren", "digitaleAdressen", "rekeningnummers"):
            if name in sent:
                data[f"_sent_{name}"] = sent[name] or []
        return data

    async def check(self, call: Call, action: str, data: dict, old: Stored | None) -> dict:
        self.check_werkte_voor(call, data, old)
        if (
            call.fault("KI-KLOK01-Z1")
            and action == CREATE
            and data.get("soortPartij") == "persoon"
            and not self._sent(data, "partijIdentificatoren")
            and not (data.get("bezoekadres") or data.get("correspondentieadres"))
        ):
            raise refusal("partijIdentificatoren", "required", "Give identifying data or an adres.")
        if call.fault("KI-KLOK01-Q1") and data.get("soortPartij") == "contactpersoon":
            self.refuse_same_person(call, data)
        if call.fault("KI-KLOK01-C2") and data.get("soortPartij") == "contactpersoon":
            self.refuse_second_contactpersoon(call, data, old)
        data = self.plan_identificatoren(call, action, data, old)
        self.check_voorkeur(call, data, old)
        if call.fault("KI-KLOK01-02") and any(
            i["partijIdentificator"]["codeSoortObjectId"] == "bsn"
            for i in (s.data for s in data.get("_identificatoren") or [])
        ):
            data["correspondentieadres"] = None
        if old is None:
            data["_zelfstandig"] = not data.get("_identificatoren")
            if data["_zelfstandig"] and call.fault("CRASH/ki-partij-without-identificatoren"):
                raise Crash("partij.partijIdentificatoren[0] on an empty list")
        return data

    @staticmethod
    def _sent(data: dict, name: str) -> list:
        return data.get(f"_sent_{name}") or []

    def check_werkte_voor(self, call: Call, data: dict, old: Stored | None) -> None:
        """KI-GED-17: a contactpersoon works for an existing organisatie (which then stays
        one)."""
        if call.fault("KI-GED-17"):
            return
        was_organisatie = old is not None and old.data.get("soortPartij") == "organisatie"
        if was_organisatie and data.get("soortPartij") != "organisatie":
            with call.api.store._lock:
                contactpersonen = referrers_werkte_voor(call.api.store.conn, old.uuid)
            if contactpersonen:
                raise refusal("soortPartij", "invalid", "Contactpersonen work for it.")
        if data.get("soortPartij") != "contactpersoon":
            return
        werkte = (data.get("partijIdentificatie") or {}).get("werkteVoorPartij")
        if not werkte:
            return
        found = call.api.store.get(PARTIJ_TABLE, werkte["uuid"])
        name = "partijIdentificatie.werkteVoorPartij"
        if found is None:
            raise refusal(name, "does_not_exist", "No partij with this uuid.")
        if found.data.get("soortPartij") != "organisatie":
            raise refusal(name, "invalid", "A contactpersoon works for an organisatie.")

    def refuse_same_person(self, call: Call, data: dict) -> None:
        """Fault KI-KLOK01-Q1: a contactpersoon named like a persoon partij is refused."""
        naam = _naam((data.get("partijIdentificatie") or {}).get("contactnaam"))
        if not naam:
            return
        rows = call.api.store.page(PARTIJ_TABLE, "soort = 'persoon'", [], "id", 0, -1)[1]
        if any(
            _naam((s.data.get("partijIdentificatie") or {}).get("contactnaam")) == naam
            for s in rows
        ):
            raise refusal("partijIdentificatie", "unique", "This person is already a partij.")

    def refuse_second_contactpersoon(self, call: Call, data: dict, old: Stored | None) -> None:
        """Fault KI-KLOK01-C2: an organisatie may have one contactpersoon."""
        werkte = (data.get("partijIdentificatie") or {}).get("werkteVoorPartij")
        if not werkte:
            return
        with call.api.store._lock:
            others = referrers_werkte_voor(call.api.store.conn, werkte["uuid"])
        if [uuid for uuid in others if old is None or uuid != old.uuid]:
            raise refusal(
                "partijIdentificatie.werkteVoorPartij", "unique", "It has a contactpersoon."
            )

    def reversed(self, call: Call, stored: Stored, name: str) -> list[Stored]:
        found = super().reversed(call, stored, name)
        if name == "digitaleAdressen" and call.fault("KI-CONTACT-08"):
            for betrokkene in referrers(call, "betrokkene", "wasPartij", stored.uuid):
                found += referrers(
                    call, "digitaaladres", "verstrektDoorBetrokkene", betrokkene.uuid
                )
        return found

    def plan_identificatoren(self, call: Call, action: str, data: dict, old: Stored | None) -> dict:
        """KI-GED-11/12: the identificators the partij holds after the write, checked item by
        item; written in the same transaction as the partij (:meth:`before_write`)."""
        partij_uuid = old.uuid if old else SELF
        current = identificators_of(call, old.uuid) if old else []
        if "_sent_partijIdentificatoren" not in data:
            data["_identificatoren"] = current
            return data
        items = self._sent(data, "partijIdentificatoren")
        planned: list[Stored] = []
        params: list[InvalidParam] = []
        seen: set[str] = set()
        rules = rules_of("identificator")
        for index, item in enumerate(items):
            prefix = f"partijIdentificatoren.{index}."
            uuid = item.get("uuid")
            existing = None
            if uuid:
                if uuid in seen and not call.fault("KI-GED-11"):
                    params.append(InvalidParam(f"{prefix}uuid", "unique", "Listed twice."))
                    continue
                seen.add(uuid)
                existing = call.api.store.get(IDENTIFICATOR_TABLE, uuid)
                if existing is None:
                    params.append(
                        InvalidParam(f"{prefix}uuid", "does_not_exist", "No such identificator.")
                    )
                    continue
            item_data = rules.normalise(call, item, None)
            if existing is not None and not call.fault("KI-GED-09/soort"):
                before = existing.data["partijIdentificator"]["codeSoortObjectId"]
                after = (item_data.get("partijIdentificator") or {}).get("codeSoortObjectId")
                with call.api.store._lock:
                    parent = is_parent(call.api.store.conn, existing.uuid)
                if before != after and parent:
                    params.append(
                        InvalidParam(
                            f"{prefix}partijIdentificator.codeSoortObjectId",
                            "invalid",
                            "Other identificators are scoped under this one.",
                        )
                    )
            given = item_data.get("identificeerdePartij")
            if not (call.fault("KI-GED-12") and given):
                item_data["identificeerdePartij"] = {"uuid": partij_uuid}
            params += group_errors(
                call, item_data.get("partijIdentificator"), f"{prefix}partijIdentificator."
            )
            problem = parent_problem(call, item_data, uuid or "", prefix)
            if problem:
                params.append(problem)
            planned.append(Stored(uuid or str(uuidlib.uuid4()), item_data))
        if params:
            raise validation_error(params)
        kept = {s.uuid for s in planned}
        added = [s for s in planned if s.uuid not in {c.uuid for c in current}]
        if old is not None and added and is_zelfstandig(old) and not call.fault("KI-KLOK01-Z2"):
            raise refusal(
                "partijIdentificatoren",
                "invalid",
                "This partij was registered without identifying data (a zelfstandige klant);"
                " it cannot be given any later.",
            )
        data["_identificatoren"] = planned
        data["_dropped"] = [c for c in current if c.uuid not in kept]
        return data

    def check_voorkeur(self, call: Call, data: dict, old: Stored | None) -> None:
        """KI-GED-15: the voorkeur is one of the partij's own adressen/rekeningnummers."""
        if call.fault("KI-GED-15"):
            return
        for voorkeur, listed, key, field in (
            ("voorkeursDigitaalAdres", "digitaleAdressen", "digitaaladres", "verstrektDoorPartij"),
            ("voorkeursRekeningnummer", "rekeningnummers", "rekeningnummer", "partij"),
        ):
            chosen = data.get(voorkeur)
            if not chosen:
                continue
            if f"_sent_{listed}" in data:
                own = {item.get("uuid") for item in self._sent(data, listed)}
            else:
                own = {s.uuid for s in referrers(call, key, field, old.uuid)} if old else set()
            if chosen["uuid"] not in own:
                raise refusal(voorkeur, "invalid", f"Choose one of the partij's {listed}.")

    def check_references(self, call: Call, data: dict, names=None) -> None:  # noqa: ANN001
        super().check_references(call, data, names)
        if call.fault("KI-GED-18"):
            return
        for listed, key in (
            ("digitaleAdressen", "digitaaladres"),
            ("rekeningnummers", "rekeningnummer"),
        ):
            for item in self._sent(data, listed):
                if call.api.store.get(resource(key).table, item["uuid"]) is None:
                    raise refusal(listed, "does_not_exist", f"No {key} with this uuid.")

    def columns(self, call: Call, data: dict) -> dict[str, Any]:
        return {**super().columns(call, data), "soort": data.get("soortPartij")}

    # writing ---------------------------------------------------------------------------------

    def before_write(self, call, conn, action, new, old) -> None:  # noqa: ANN001
        super().before_write(call, conn, action, new, old)
        if new is None:
            return
        data = new.data
        planned: list[Stored] = data.pop("_identificatoren", [])
        dropped: list[Stored] = data.pop("_dropped", [])
        sent = {
            n: data.pop(f"_sent_{n}")
            for n in ("partijIdentificatoren", "digitaleAdressen", "rekeningnummers")
            if f"_sent_{n}" in data
        }
        if "partijIdentificatoren" in sent:
            for stored in dropped:
                if is_parent(conn, stored.uuid) and not call.fault("KI-GED-09/drop"):
                    raise refusal(
                        "partijIdentificatoren",
                        "invalid",
                        "An identificator with identificators scoped under it stays.",
                    )
                call.api.store.delete(conn, IDENTIFICATOR_TABLE, stored.uuid)
            for stored in planned:
                stored = own_item(stored, new.uuid)
                exists = call.api.store.get(IDENTIFICATOR_TABLE, stored.uuid) is not None
                columns = identificator_columns(call, stored.data)
                insert_or_update(
                    call, conn, "identificator", Stored(stored.uuid, stored.data, columns), exists
                )
            held = [own_item(s, new.uuid).data for s in planned]
            check_holdings(call, new, held, "partijIdentificatoren")
        elif old is not None and new.data.get("soortPartij") != old.data.get("soortPartij"):
            check_holdings(call, new, [s.data for s in planned], "soortPartij")
        for listed, key, field in (
            ("digitaleAdressen", "digitaaladres", "verstrektDoorPartij"),
            ("rekeningnummers", "rekeningnummer", "partij"),
        ):
            if listed in sent:
                attach(call, conn, key, field, new.uuid, [i["uuid"] for i in sent[listed]])
        werkte = (data.get("partijIdentificatie") or {}).get("werkteVoorPartij")
        if werkte and call.fault("KI-KLOK01-C2/one"):  # the organisatie keeps one contactpersoon
            conn.execute(
                f"UPDATE {PARTIJ_TABLE} SET data = json_set(data,"
                " '$.partijIdentificatie.werkteVoorPartij', NULL)"
                " WHERE json_extract(data, '$.partijIdentificatie.werkteVoorPartij.uuid') = ?"
                " AND uuid != ?",
                (werkte["uuid"], new.uuid),
            )

    def represent(self, call: Call, stored: Stored) -> dict:
        body = super().represent(call, stored)
        planned = stored.data.get("_identificatoren")
        if planned is not None:
            body["partijIdentificatoren"] = [
                _show_identificator(call, own_item(s, stored.uuid)) for s in planned
            ]
        for listed in ("digitaleAdressen", "rekeningnummers"):
            sent = stored.data.get(f"_sent_{listed}")
            if sent is not None:
                key = "digitaaladres" if listed == "digitaleAdressen" else "rekeningnummer"
                body[listed] = [self.ref_of(call, key, item["uuid"]) for item in sent]
        return body

    def complete(self, call: Call, stored: Stored, body: dict) -> dict:
        identificatie = body.get("partijIdentificatie")
        if isinstance(identificatie, dict):
            identificatie = dict(identificatie)
            if body.get("soortPartij") in ("persoon", "contactpersoon"):
                identificatie["volledigeNaam"] = _naam(identificatie.get("contactnaam"))
            werkte = identificatie.get("werkteVoorPartij")
            if werkte:
                identificatie["werkteVoorPartij"] = self.ref_of(call, "partij", werkte["uuid"])
            body["partijIdentificatie"] = identificatie
        return body

    def refuse_delete(self, call: Call, conn: sqlite3.Connection, old: Stored) -> None:
        """KI-GED-10: refused while an identificator of another partij is scoped under one
        of its own; its own identificators go with it (children first)."""
        own = identificators_of(call, old.uuid, conn)
        own_uuids = {s.uuid for s in own}
        for stored in own:
            children = conn.execute(
                f"SELECT partij FROM {IDENTIFICATOR_TABLE} WHERE parent = ?", (stored.uuid,)
            ).fetchall()
            if any(row[0] != old.uuid for row in children) and not call.fault("KI-GED-10"):
                raise refusal(
                    "nonFieldErrors",
                    "protected",
                    "An identificator of another partij is scoped under one of this partij's.",
                )
        for stored in sorted(own, key=lambda s: s.columns.get("parent") is None):
            if stored.uuid in own_uuids:
                conn.execute(
                    f"UPDATE {IDENTIFICATOR_TABLE} SET data = json_set(data,"
                    " '$.subIdentificatorVan', NULL), parent = NULL, scoped = NULL"
                    " WHERE parent = ?",
                    (stored.uuid,),
                )
                call.api.store.delete(conn, IDENTIFICATOR_TABLE, stored.uuid)
        for contactpersoon in referrers_werkte_voor(conn, old.uuid):
            conn.execute(
                f"UPDATE {PARTIJ_TABLE} SET data = json_set(data,"
                " '$.partijIdentificatie.werkteVoorPartij', NULL) WHERE uuid = ?",
                (contactpersoon,),
            )

    # lists ---------------------------------------------------------------------------------

    def visible(self, call: Call, values: dict[str, Any]) -> tuple[str, list[Any]]:
        conditions, params = [], []
        group = [(n, sql) for n, sql in PARTIJ_GROUP_FILTERS.items() if n in values]
        if group:
            if call.fault("KI-KLOK01-C1b"):
                for name, sql in group:
                    conditions.append(_one_identificator(f"{sql} = ?"))
                    params.append(values[name])
            else:
                conditions.append(_one_identificator(*(f"{sql} = ?" for _, sql in group)))
                params += [values[name] for name, _ in group]
        sub = [(n, sql) for n, sql in SUB_GROUP_FILTERS.items() if n in values]
        if sub:
            where = " AND ".join(f"{sql} = ?" for _, sql in sub)
            conditions.append(
                f"ki_partij.uuid IN (SELECT i.partij FROM {IDENTIFICATOR_TABLE} i JOIN"
                f" {IDENTIFICATOR_TABLE} p ON p.uuid = i.parent WHERE {where})"
            )
            params += [values[name] for name, _ in sub]
        adres = [(n, path) for n, path in ADRES_FILTERS.items() if n in values]
        for name, path in adres:
            conditions.append(f"{json_field(path)} = ?")
            params.append(values[name])
        if adres and not call.fault("KI-KLOK01-Z3"):
            conditions.append(AANGEHAAKT)
        return " AND ".join(conditions), params


def own_item(stored: Stored, partij: str) -> Stored:
    """A planned nested identificator, attached to the partij's uuid (known only when the
    partij is written)."""
    if (stored.data.get("identificeerdePartij") or {}).get("uuid") != SELF:
        return stored
    return Stored(stored.uuid, {**stored.data, "identificeerdePartij": {"uuid": partij}})


def referrers_werkte_voor(conn: sqlite3.Connection, partij: str) -> list[str]:
    rows = conn.execute(
        f"SELECT uuid FROM {PARTIJ_TABLE}"
        " WHERE json_extract(data, '$.partijIdentificatie.werkteVoorPartij.uuid') = ?",
        (partij,),
    )
    return [row[0] for row in rows]


def attach(
    call: Call, conn: sqlite3.Connection, key: str, field: str, partij: str, uuids: list[str]
) -> None:
    """The listed resources (digitale adressen, rekeningnummers) become the partij's own;
    the ones it had and no longer lists are released (their ``field`` becomes null)."""
    table = resource(key).table
    rules = rules_of(key)
    for stored in referrers(call, key, field, partij, conn):
        if stored.uuid not in uuids:
            data = {**stored.data, field: None}
            call.api.store.update(conn, table, Stored(stored.uuid, data, rules.columns(call, data)))
    for uuid in uuids:
        stored = call.api.store.get(table, uuid)
        if stored is not None:
            data = {**stored.data, field: {"uuid": partij}}
            call.api.store.update(conn, table, Stored(uuid, data, rules.columns(call, data)))


PARTIJ_LIST_NOT_FILTERS = frozenset({*PARTIJ_GROUP_FILTERS, *SUB_GROUP_FILTERS, *ADRES_FILTERS})
