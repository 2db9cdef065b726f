"""Klantcontacten and what hangs off them (betrokkenen, onderwerpobjecten, bijlagen, actoren,
interne taken), digitale adressen, rekeningnummers, categorieën and vertegenwoordigingen: the
ki-contact rules, KI-GED-16/18 and KI-KLOK01-Z3 on the contact side."""

from __future__ import annotations

import re
from typing import Any

from reference_server.core.api import DESTROY, Stored
from reference_server.core.call import Call
from reference_server.core.problems import ApiError
from reference_server.core.resources import now_iso
from reference_server.klantinteracties.common import (
    KiRules,
    Ref,
    Reverse,
    SqlFilter,
    json_field,
    refusal,
    rules_of,
    uuid_of_url,
)
from reference_server.klantinteracties.partijen import (
    IDENTIFICATOR_TABLE,
    PARTIJ_TABLE,
    _naam,
)

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
#: a Dutch number (10 digits, not 0800/0900) or an international one (+ or 00, 8-15 digits)
PHONE_NL = re.compile(r"0[1-9][0-9]{8}")
PHONE_INT = re.compile(r"(\+|00)[1-9][0-9]{7,14}")
_SEPARATORS = re.compile(r"[\s\-()]")


def valid_phone(value: str) -> bool:
    number = _SEPARATORS.sub("", value)
    if PHONE_NL.fullmatch(number):
        return not number.startswith(("0800", "0900"))
    return bool(PHONE_INT.fullmatch(number))


def partij_group(field: str, table: str) -> dict[str, SqlFilter]:
    """``<field>__partijIdentificator__<member>`` filters: the partij ``field`` refers to holds
    an identificator with that member."""
    return {
        f"{field}__partijIdentificator__{member}": SqlFilter(
            f"{json_field(field.replace('__', '.') + '.uuid', table)} IN (SELECT partij FROM"
            f" {IDENTIFICATOR_TABLE} WHERE json_extract(data, '$.partijIdentificator.{member}')"
            " = ?)"
        )
        for member in ("codeObjecttype", "codeSoortObjectId", "objectId", "codeRegister")
    }


def _show_actor(call: Call, stored: Stored) -> dict:
    actor = call.api.store.get("ki_actor", stored.data["actor"]["uuid"])
    assert actor is not None
    return rules_of("actor").represent(call, actor)


#: SQL on a partij row ``p``: it holds an identificator (is aangehaakt)
_AANGEHAAKT_UUID = f"(SELECT partij FROM {IDENTIFICATOR_TABLE} WHERE partij IS NOT NULL)"


class KlantcontactRules(KiRules):
    key = "klantcontact"
    nummer = True
    reverse = {
        "gingOverOnderwerpobjecten": Reverse("onderwerpobject", "klantcontact"),
        "hadBetrokkenActoren": Reverse("actorklantcontact", "klantcontact", _show_actor),
        "omvatteBijlagen": Reverse("bijlage", "wasBijlageVanKlantcontact"),
        "hadBetrokkenen": Reverse("betrokkene", "hadKlantcontact"),
        "leiddeTotInterneTaken": Reverse("internetaak", "aanleidinggevendKlantcontact"),
    }
    sql_filters = {
        "hadBetrokkene__url": SqlFilter(
            "ki_klantcontact.uuid IN (SELECT json_extract(data, '$.hadKlantcontact.uuid') FROM"
            " ki_betrokkene WHERE uuid = ?)",
            uuid_of_url,
        ),
        "hadBetrokkene__uuid": SqlFilter(
            "ki_klantcontact.uuid IN (SELECT json_extract(data, '$.hadKlantcontact.uuid') FROM"
            " ki_betrokkene WHERE uuid = ?)"
        ),
        "hadBetrokkene__wasPartij": SqlFilter(
            "(ki_klantcontact.uuid IN (SELECT json_extract(data, '$.hadKlantcontact.uuid') FROM"
            " ki_betrokkene WHERE json_extract(data, '$.wasPartij.uuid') IS NOT NULL)) = ?"
        ),
        "hadBetrokkene__wasPartij__url": SqlFilter(
            "ki_klantcontact.uuid IN (SELECT json_extract(data, '$.hadKlantcontact.uuid') FROM"
            " ki_betrokkene WHERE json_extract(data, '$.wasPartij.uuid') = ?)",
            uuid_of_url,
        ),
        "hadBetrokkene__wasPartij__uuid": SqlFilter(
            "ki_klantcontact.uuid IN (SELECT json_extract(data, '$.hadKlantcontact.uuid') FROM"
            " ki_betrokkene WHERE json_extract(data, '$.wasPartij.uuid') = ?)"
        ),
        **{
            name: SqlFilter(
                "ki_klantcontact.uuid IN (SELECT json_extract(data, '$.hadKlantcontact.uuid')"
                f" FROM ki_betrokkene b WHERE {f.sql})"
            )
            for name, f in partij_group("wasPartij", "b").items()
            for name in [f"hadBetrokkene__{name}"]
        },
        "hadBetrokkene__digitaaladres__adres__icontains": SqlFilter(
            "ki_klantcontact.uuid IN (SELECT json_extract(b.data, '$.hadKlantcontact.uuid') FROM"
            " ki_betrokkene b JOIN ki_digitaal_adres a"
            " ON json_extract(a.data, '$.verstrektDoorBetrokkene.uuid') = b.uuid"
            " WHERE instr(lower(json_extract(a.data, '$.adres')), lower(?)) > 0)"
        ),
        "leiddeTotInterneTaken": SqlFilter(
            "(ki_klantcontact.uuid IN (SELECT json_extract(data,"
            " '$.aanleidinggevendKlantcontact.uuid') FROM ki_interne_taak)) = ?"
        ),
        **{
            f"{side}__{name}": SqlFilter(
                f"ki_klantcontact.uuid IN (SELECT json_extract(data, '$.{field}.uuid') FROM"
                f" ki_onderwerpobject WHERE {condition})",
                transform,
            )
            for side, field in (
                ("onderwerpobject", "klantcontact"),
                ("wasOnderwerpobject", "wasKlantcontact"),
            )
            for name, condition, transform in (
                ("url", "uuid = ?", uuid_of_url),
                ("uuid", "uuid = ?", None),
                *(
                    (
                        f"onderwerpobjectidentificator{m}",
                        "json_extract(data, '$.onderwerpobjectidentificator."
                        f"{m[:1].lower()}{m[1:]}') = ?",
                        None,
                    )
                    for m in ("CodeObjecttype", "CodeRegister", "CodeSoortObjectId", "ObjectId")
                ),
            )
        },
    }

    async def check(self, call: Call, action: str, data: dict, old: Stored | None) -> dict:
        if not data.get("plaatsgevondenOp"):
            keep = old.data.get("plaatsgevondenOp") if old else None
            if not call.fault("KI-CONTACT-01"):
                data["plaatsgevondenOp"] = keep or now_iso()
        return data

    def complete(self, call: Call, stored: Stored, body: dict) -> dict:
        if call.fault("KI-OAS-02") and "vertrouwelijk" in body:
            body["vertrouwelijk"] = str(body["vertrouwelijk"]).lower()
        return body

    def related(self, call: Call, stored: Stored, name: str):  # noqa: ANN201
        target, found = super().related(call, stored, name)
        if name == "hadBetrokkenen" and call.fault("KI-KLOK01-Z3/expand"):
            found = [b for b in found or [] if b.data.get("wasPartij")]  # type: ignore[union-attr]
        return target, found


class BetrokkeneRules(KiRules):
    key = "betrokkene"
    refs = {"wasPartij": Ref("partij"), "hadKlantcontact": Ref("klantcontact", cascade=True)}
    reverse = {"digitaleAdressen": Reverse("digitaaladres", "verstrektDoorBetrokkene")}
    computed = frozenset({"volledigeNaam"})
    sql_filters = {
        **{
            f"hadKlantcontact__{m}": SqlFilter(
                f"{json_field('hadKlantcontact.uuid')} IN (SELECT uuid FROM ki_klantcontact"
                f" WHERE json_extract(data, '$.{m}') = ?)"
            )
            for m in ("nummer", "referentienummer")
        },
        "verstrektedigitaalAdres__adres": SqlFilter(
            "ki_betrokkene.uuid IN (SELECT json_extract(data, '$.verstrektDoorBetrokkene.uuid')"
            " FROM ki_digitaal_adres WHERE json_extract(data, '$.adres') = ?)"
        ),
        "verstrektedigitaalAdres__uuid": SqlFilter(
            "ki_betrokkene.uuid IN (SELECT json_extract(data, '$.verstrektDoorBetrokkene.uuid')"
            " FROM ki_digitaal_adres WHERE uuid = ?)"
        ),
        "verstrektedigitaalAdres__url": SqlFilter(
            "ki_betrokkene.uuid IN (SELECT json_extract(data, '$.verstrektDoorBetrokkene.uuid')"
            " FROM ki_digitaal_adres WHERE uuid = ?)",
            uuid_of_url,
        ),
        "wasPartij__nummer": SqlFilter(
            f"{json_field('wasPartij.uuid')} IN (SELECT uuid FROM {PARTIJ_TABLE} WHERE nummer = ?)"
        ),
        **partij_group("wasPartij", "ki_betrokkene"),
    }

    def normalise(self, call: Call, body: dict, old: Stored | None) -> dict:
        data = super().normalise(call, body, old)
        data.setdefault("wasPartij", None)
        if call.fault("KI-GED-13") and "volledigeNaam" in body:
            data["_volledigeNaam"] = body["volledigeNaam"]
        return data

    def check_references(self, call: Call, data: dict, names=None) -> None:  # noqa: ANN001
        if call.fault("KI-CONTACT-02"):
            names = [name for name in names or self.refs if name != "hadKlantcontact"]
        super().check_references(call, data, names)

    def complete(self, call: Call, stored: Stored, body: dict) -> dict:
        given = stored.data.get("_volledigeNaam")
        body["volledigeNaam"] = (
            given if given is not None else _naam(stored.data.get("contactnaam"))
        )
        return body

    def visible(self, call: Call, values: dict[str, Any]) -> tuple[str, list[Any]]:
        """KI-KLOK01-Z3: a search on contactnaam finds only betrokkenen of aangehaakte
        partijen."""
        searched = any(name.startswith("contactnaam") for name in values)
        if not searched or call.fault("KI-KLOK01-Z3"):
            return "", []
        return f"{json_field('wasPartij.uuid')} IN {_AANGEHAAKT_UUID}", []


class OnderwerpobjectRules(KiRules):
    key = "onderwerpobject"
    refs = {"klantcontact": Ref("klantcontact"), "wasKlantcontact": Ref("klantcontact")}

    def normalise(self, call: Call, body: dict, old: Stored | None) -> dict:
        data = super().normalise(call, body, old)
        if call.fault("KI-CONTACT-03"):
            data["wasKlantcontact"] = None
        return data

    def check_references(self, call: Call, data: dict, names=None) -> None:  # noqa: ANN001
        if call.fault("KI-CONTACT-04"):
            return
        super().check_references(call, data, names)


class BijlageRules(KiRules):
    key = "bijlage"
    refs = {"wasBijlageVanKlantcontact": Ref("klantcontact")}

    def check_access(self, call: Call, action: str, stored: Stored) -> None:
        super().check_access(call, action, stored)
        if action == DESTROY and call.fault("KI-AUTH-03"):
            raise ApiError(403, "permission_denied", "This key may not delete bijlagen.")


class ActorKlantcontactRules(KiRules):
    key = "actorklantcontact"
    refs = {"actor": Ref("actor", cascade=True), "klantcontact": Ref("klantcontact", cascade=True)}

    def columns(self, call: Call, data: dict) -> dict[str, Any]:
        pair = f"{data['actor']['uuid']}|{data['klantcontact']['uuid']}"
        return {"pair": None if call.fault("KI-CONTACT-10") else pair}


class InterneTaakRules(KiRules):
    key = "internetaak"
    nummer = True
    refs = {
        "aanleidinggevendKlantcontact": Ref("klantcontact", cascade=True),
        "toegewezenAanActor": Ref("actor"),
        "toegewezenAanActoren": Ref("actor", many=True),
    }
    computed = frozenset({"toegewezenOp"})
    sql_filters = {
        "actoren__naam": SqlFilter(
            "EXISTS (SELECT 1 FROM json_each(json_extract(ki_interne_taak.data,"
            " '$.toegewezenAanActoren')) t JOIN ki_actor a"
            " ON a.uuid = json_extract(t.value, '$.uuid') WHERE json_extract(a.data, '$.naam') = ?)"
        ),
        **{
            f"klantcontact__{m}": SqlFilter(
                f"{json_field('aanleidinggevendKlantcontact.uuid')} IN (SELECT uuid FROM"
                f" ki_klantcontact WHERE json_extract(data, '$.{m}') = ?)"
            )
            for m in ("nummer", "referentienummer")
        },
    }

    def normalise(self, call: Call, body: dict, old: Stored | None) -> dict:
        data = super().normalise(call, body, old)
        data["toegewezenOp"] = old.data["toegewezenOp"] if old else now_iso()
        if call.fault("KI-CONTACT-11") and "toegewezenOp" in body:
            data["toegewezenOp"] = body["toegewezenOp"]
        return data


class ActorRules(KiRules):
    key = "actor"
    discriminator = "soortActor"


class DigitaalAdresRules(KiRules):
    key = "digitaaladres"
    refs = {"verstrektDoorBetrokkene": Ref("betrokkene"), "verstrektDoorPartij": Ref("partij")}
    sql_filters = {
        "adres__icontains": SqlFilter("instr(lower(json_extract(data, '$.adres')), lower(?)) > 0"),
        "isGeverifieerd": SqlFilter("(json_extract(data, '$.verificatieDatum') IS NOT NULL) = ?"),
        "verstrektDoorBetrokkene__rol": SqlFilter(
            f"{json_field('verstrektDoorBetrokkene.uuid')} IN (SELECT uuid FROM ki_betrokkene"
            " WHERE json_extract(data, '$.rol') = ?)"
        ),
        "verstrektDoorPartij__soortPartij": SqlFilter(
            f"{json_field('verstrektDoorPartij.uuid')} IN (SELECT uuid FROM {PARTIJ_TABLE}"
            " WHERE soort = ?)"
        ),
        **partij_group("verstrektDoorPartij", "ki_digitaal_adres"),
    }

    def normalise(self, call: Call, body: dict, old: Stored | None) -> dict:
        data = super().normalise(call, body, old)
        data.setdefault("verstrektDoorBetrokkene", None)
        data.setdefault("verstrektDoorPartij", None)
        data.setdefault("isStandaardAdres", False)
        return data

    async def check(self, call: Call, action: str, data: dict, old: Stored | None) -> dict:
        soort, adres = data.get("soortDigitaalAdres"), str(data.get("adres", ""))
        if not call.fault("KI-CONTACT-06"):
            if soort == "email" and not EMAIL.fullmatch(adres):
                raise refusal("adres", "invalid", "Not an e-mail address.")
            if soort == "telefoonnummer" and not valid_phone(adres):
                raise refusal("adres", "invalid", "Not a phone number.")
        standaard = data.get("isStandaardAdres")
        if standaard and not data.get("verstrektDoorPartij") and not call.fault("KI-CONTACT-07"):
            raise refusal(
                "isStandaardAdres", "invalid", "Only an adres of a partij can be its standaard."
            )
        return data

    def before_write(self, call, conn, action, new, old) -> None:  # noqa: ANN001
        """KI-CONTACT-07: one standaard adres per partij and soort."""
        super().before_write(call, conn, action, new, old)
        if new is None or not new.data.get("isStandaardAdres"):
            return
        partij = (new.data.get("verstrektDoorPartij") or {}).get("uuid")
        if not partij or call.fault("KI-CONTACT-07/one"):
            return
        conn.execute(
            "UPDATE ki_digitaal_adres"
            " SET data = json_set(data, '$.isStandaardAdres', json('false'))"
            " WHERE uuid != ? AND json_extract(data, '$.verstrektDoorPartij.uuid') = ?"
            " AND json_extract(data, '$.soortDigitaalAdres') = ?",
            (new.uuid, partij, new.data.get("soortDigitaalAdres")),
        )

    def visible(self, call: Call, values: dict[str, Any]) -> tuple[str, list[Any]]:
        """KI-KLOK01-Z3: a search on the adres finds only adressen of aangehaakte partijen
        (given by the partij, or by a betrokkene that was one)."""
        searched = {"adres", "adres__icontains"} & values.keys()
        faulty = call.fault("KI-KLOK01-Z3") or call.fault("KI-KLOK01-Z3/digitaleadressen")
        if not searched or faulty:
            return "", []
        return (
            f"{json_field('verstrektDoorPartij.uuid')} IN {_AANGEHAAKT_UUID}"
            f" OR {json_field('verstrektDoorBetrokkene.uuid')} IN (SELECT uuid FROM ki_betrokkene"
            f" WHERE json_extract(data, '$.wasPartij.uuid') IN {_AANGEHAAKT_UUID})"
        ), []


class RekeningnummerRules(KiRules):
    key = "rekeningnummer"
    refs = {"partij": Ref("partij")}


class CategorieRules(KiRules):
    key = "categorie"


class CategorieRelatieRules(KiRules):
    key = "categorierelatie"
    refs = {"partij": Ref("partij"), "categorie": Ref("categorie", cascade=True)}
    sql_filters = {
        "categorie__naam": SqlFilter(
            f"{json_field('categorie.uuid')} IN (SELECT uuid FROM ki_categorie"
            " WHERE json_extract(data, '$.naam') = ?)"
        ),
        "partij__nummer": SqlFilter(
            f"{json_field('partij.uuid')} IN (SELECT uuid FROM {PARTIJ_TABLE} WHERE nummer = ?)"
        ),
    }

    def represent(self, call: Call, stored: Stored) -> dict:
        body = super().represent(call, stored)
        categorie = stored.data.get("categorie")
        if categorie:
            found = call.api.store.get("ki_categorie", categorie["uuid"])
            body["categorie"]["naam"] = found.data.get("naam", "") if found else ""
        return body


class VertegenwoordigingRules(KiRules):
    key = "vertegenwoordiging"
    refs = {
        "vertegenwoordigendePartij": Ref("partij", cascade=True),
        "vertegenwoordigdePartij": Ref("partij", cascade=True),
    }

    async def check(self, call: Call, action: str, data: dict, old: Stored | None) -> dict:
        same = data["vertegenwoordigendePartij"]["uuid"] == data["vertegenwoordigdePartij"]["uuid"]
        if same and not call.fault("KI-GED-18/self"):
            raise refusal("vertegenwoordigdePartij", "invalid", "A partij cannot represent itself.")
        return data

    def columns(self, call: Call, data: dict) -> dict[str, Any]:
        pair = (
            f"{data['vertegenwoordigendePartij']['uuid']}|{data['vertegenwoordigdePartij']['uuid']}"
        )
        return {"pair": None if call.fault("KI-GED-18/unique") else pair}
